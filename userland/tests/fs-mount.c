/* Guest test: mount and umount2 of tmpfs on a folder of the filesystem under test (as root, then
 * EPERM as uid 65534): st_dev, hidden and revealed contents, EBUSY (cwd, open file, mount point
 * removal, nested mounts), EINVAL on non-mount points, EXDEV across mounts (rename, link,
 * openat2 RESOLVE_NO_XDEV), read-only mounts and remounts, mode= and size= options. Works in a
 * scratch folder of the working directory. */
#include "fs-check.h"
#include <sys/mount.h>
#include <sys/statfs.h>

#define TMPFS_MAGIC 0x01021994
#define RESOLVE_NO_XDEV 0x01

struct open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

static struct stat st;

static long do_mount(const char *target, unsigned long flags, const char *options)
{
	return syscall(SYS_mount, "none", target, "tmpfs", flags, options);
}

static long no_xdev_open(int dirfd, const char *path)
{
	struct open_how how = { O_RDONLY, 0, RESOLVE_NO_XDEV };
	long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof how);
	if (fd >= 0) close(fd);
	return fd;
}

static dev_t dev_of(const char *path)
{
	return stat(path, &st) == 0 ? st.st_dev : 0;
}

static void basic(void)
{
	mkdir("mnt", 0755);
	write_file("mnt/hidden", "under");
	ck("mount tmpfs", do_mount("mnt", 0, NULL));
	seen(stat("mnt", &st));
	say("mounted root: mode %o nlink %ld uid %u gid %u", st.st_mode, (long)st.st_nlink, st.st_uid,
	    st.st_gid);
	yes("st_dev differs", dev_of("mnt") != dev_of("."));
	struct statfs sfs;
	statfs("mnt", &sfs);
	yes("statfs says tmpfs", sfs.f_type == TMPFS_MAGIC);
	list_dir("mounted contents", "mnt");
	ck("hidden file is hidden", syscall(SYS_stat, "mnt/hidden", &st));
	write_file("mnt/f", "on top");
	mkdir("mnt/d", 0755);
	list_dir("after creating", "mnt");
	yes("file on the mount has the mount's dev", dev_of("mnt/f") == dev_of("mnt"));
	struct stat parent;
	seen(stat(".", &parent));
	seen(stat("mnt/..", &st));
	yes("mnt/.. is the parent", st.st_ino == parent.st_ino && st.st_dev == parent.st_dev);
	seen(stat("mnt/d/../..", &st));
	yes("mnt/d/../.. is the parent", st.st_ino == parent.st_ino && st.st_dev == parent.st_dev);

	write_file("outside", "o");
	ck("rename across mounts", syscall(SYS_rename, "mnt/f", "moved"));
	ck("rename into mount", syscall(SYS_rename, "outside", "mnt/outside"));
	ck("link across mounts", syscall(SYS_link, "mnt/f", "linked"));
	ck("rename within mount", syscall(SYS_rename, "mnt/f", "mnt/d/f"));
	ck("no_xdev from the parent into the mount", no_xdev_open(AT_FDCWD, "mnt/d/f"));
	int mnt = must("open mnt", open("mnt", O_RDONLY | O_DIRECTORY));
	ck("no_xdev from mount root", no_xdev_open(mnt, "d/f"));
	ck("no_xdev out of mount", no_xdev_open(mnt, "../outside"));
	close(mnt);
	ck("rmdir mount point", syscall(SYS_rmdir, "mnt"));
	ck("rename mount point", syscall(SYS_rename, "mnt", "mnt2"));
	ck("unlink mount point", syscall(SYS_unlink, "mnt"));

	ck("chdir into mount", syscall(SYS_chdir, "mnt/d"));
	ck("umount2 with cwd inside", syscall(SYS_umount2, "../../mnt", 0));
	chdir("../..");
	int fd = must("open file on mount", open("mnt/d/f", O_RDONLY));
	ck("umount2 with open file", syscall(SYS_umount2, "mnt", 0));
	close(fd);
	ck("umount2 path inside (not the root)", syscall(SYS_umount2, "mnt/d", 0));
	ck("umount2 bad flags", syscall(SYS_umount2, "mnt", 0x80000000));
	ck("umount2 expire|force", syscall(SYS_umount2, "mnt", MNT_EXPIRE | MNT_FORCE));
	ck("umount2", syscall(SYS_umount2, "mnt", 0));
	ck("file gone after umount", syscall(SYS_stat, "mnt/d/f", &st));
	char text[16];
	say("hidden file back: %s", read_file("mnt/hidden", text, sizeof text));
	yes("st_dev back to the parent's", dev_of("mnt") == dev_of("."));
	ck("umount2 again", syscall(SYS_umount2, "mnt", 0));
	ck("umount2 missing", syscall(SYS_umount2, "missing", 0));
	ck("umount2 on a file", syscall(SYS_umount2, "outside", 0));
	ck("umount2 scratch folder", syscall(SYS_umount2, ".", 0));
}

static void errors(void)
{
	write_file("plain", "");
	ck("mount on missing", do_mount("missing", 0, NULL));
	ck("mount on file", do_mount("plain", 0, NULL));
	ck("mount unknown type", syscall(SYS_mount, "none", "mnt", "no-such-fs", 0, NULL));
	ck("mount bad option", do_mount("mnt", 0, "no_such_option=1"));
	ck("mount bad target pointer", syscall(SYS_mount, "none", (void *)8, "tmpfs", 0, NULL));
	ck("remount a non-mount", syscall(SYS_mount, NULL, "mnt", NULL, MS_REMOUNT, NULL));
}

static void options(void)
{
	ck("mount mode=0700", do_mount("mnt", 0, "mode=0700"));
	seen(stat("mnt", &st));
	say("root mode with mode=0700: %o", st.st_mode);
	ck("umount2", syscall(SYS_umount2, "mnt", 0));

	ck("mount read-only", do_mount("mnt", MS_RDONLY, NULL));
	ck("create on read-only", syscall(SYS_open, "mnt/x", O_RDWR | O_CREAT, 0644));
	ck("mkdir on read-only", syscall(SYS_mkdir, "mnt/x", 0755));
	ck("access W on read-only", syscall(SYS_access, "mnt", W_OK));
	ck("chmod on read-only", syscall(SYS_chmod, "mnt", 0700));
	ck("utimensat on read-only", syscall(SYS_utimensat, AT_FDCWD, "mnt", NULL, 0));
	ck("remount read-write", syscall(SYS_mount, NULL, "mnt", NULL, MS_REMOUNT, NULL));
	int fd = ck("create after remount", syscall(SYS_open, "mnt/x", O_RDWR | O_CREAT, 0644));
	ck("remount read-only with a file open for writing", syscall(SYS_mount, NULL, "mnt", NULL, MS_REMOUNT | MS_RDONLY, NULL));
	close(fd);
	ck("remount read-only", syscall(SYS_mount, NULL, "mnt", NULL, MS_REMOUNT | MS_RDONLY, NULL));
	ck("open for write after remount", syscall(SYS_open, "mnt/x", O_WRONLY));
	ck("open for read after remount", (fd = syscall(SYS_open, "mnt/x", O_RDONLY)));
	if (fd >= 0) close(fd);
	ck("umount2", syscall(SYS_umount2, "mnt", 0));

	ck("mount size=1m", do_mount("mnt", 0, "size=1m"));
	fd = must("open", open("mnt/big", O_WRONLY | O_CREAT, 0644));
	static char chunk[65536];
	long total = 0, n;
	for (int k = 0; k < 40 && (n = write(fd, chunk, sizeof chunk)) > 0; k++) total += n;
	say("filling size=1m stops with %s", n < 0 ? errno_name(errno) : "no error");
	yes("at most 1 MiB written", total <= (1 << 20));
	yes("more than 900 KiB written", total > 900 * 1024);
	close(fd);
	ck("umount2", syscall(SYS_umount2, "mnt", 0));
}

static void stacking(void)
{
	ck("mount lower", do_mount("mnt", 0, NULL));
	write_file("mnt/lower", "");
	ck("mount upper on the same folder", do_mount("mnt", 0, NULL));
	list_dir("upper contents", "mnt");
	write_file("mnt/upper", "");
	ck("umount2 upper", syscall(SYS_umount2, "mnt", 0));
	list_dir("lower contents again", "mnt");
	mkdir("mnt/inner", 0755);
	ck("mount nested", do_mount("mnt/inner", 0, NULL));
	write_file("mnt/inner/deep", "");
	ck("umount2 outer with nested mount", syscall(SYS_umount2, "mnt", 0));
	ck("umount2 detach outer", syscall(SYS_umount2, "mnt", MNT_DETACH));
	list_dir("after detach", "mnt");
	ck("nested gone too", syscall(SYS_stat, "mnt/inner/deep", &st));
}

static void as_user(void)
{
	ck("mount for user test", do_mount("mnt", 0, NULL));
	drop_root();
	ck("user mount", do_mount("plain", 0, NULL));
	ck("user mount on own-permission folder", do_mount("mnt", 0, NULL));
	ck("user umount2", syscall(SYS_umount2, "mnt", 0));
	ck("user umount2 non-mount", syscall(SYS_umount2, "plain", 0));
	regain_root();
	ck("root umount2", syscall(SYS_umount2, "mnt", 0));
}

int main(void)
{
	enter_scratch("fs-mount.d");
	basic();
	errors();
	options();
	stacking();
	as_user();
	for (int k = 0; k < 5 && umount2("mnt", MNT_DETACH) == 0; k++) say("cleanup: a mount was left");
	leave_scratch("fs-mount.d");
	return 0;
}
