/* Guest test: device nodes made with mknodat as root: character and block nodes keep their
 * major:minor (stat and statx, small and large numbers), a FIFO keeps none, the nodes behave
 * like the devices they name (null, zero), and links, renames, chmod and chown work on them.
 * Not run on hostfs, which makes no device nodes on the host by design. Works in a scratch
 * folder of the working directory. */
#include "fs-check.h"
#include <sys/sysmacros.h>

/* statx's stx_rdev_major and stx_rdev_minor sit at bytes 128 and 132 of its 256. */
#define STATX_RDEV_OFFSET 128

static struct stat st;

static void show_node(const char *label, const char *path)
{
	memset(&st, 0, sizeof st);
	if (lstat(path, &st) != 0) {
		say("%s: %s", label, errno_name(errno));
		return;
	}
	const char *type = S_ISCHR(st.st_mode) ? "char" : S_ISBLK(st.st_mode) ? "block" :
			   S_ISFIFO(st.st_mode) ? "fifo" : "other";
	say("%s: %s mode %o rdev %u:%u size %ld nlink %ld", label, type, st.st_mode & 07777,
	    major(st.st_rdev), minor(st.st_rdev), (long)st.st_size, (long)st.st_nlink);
}

int main(void)
{
	enter_scratch("fs-devices.d");
	ck("mknod char 1:3", syscall(SYS_mknodat, AT_FDCWD, "null", S_IFCHR | 0666, makedev(1, 3)));
	show_node("null", "null");
	uint32_t x[64] = { 0 };
	ck("statx", syscall(SYS_statx, AT_FDCWD, "null", 0, 0x7ff, x));
	say("statx rdev %u:%u", x[STATX_RDEV_OFFSET / 4], x[STATX_RDEV_OFFSET / 4 + 1]);
	ck("mknod char 1:5", syscall(SYS_mknodat, AT_FDCWD, "zero", S_IFCHR | 0644, makedev(1, 5)));
	ck("mknod block 7:2", syscall(SYS_mknodat, AT_FDCWD, "blk", S_IFBLK | 0600, makedev(7, 2)));
	show_node("blk", "blk");
	ck("mknod char 300:70000", syscall(SYS_mknodat, AT_FDCWD, "big", S_IFCHR | 0600, makedev(300, 70000)));
	show_node("big", "big");
	ck("mknod char 4095:1048575", syscall(SYS_mknodat, AT_FDCWD, "max", S_IFCHR | 0600, makedev(4095, 1048575)));
	show_node("max", "max");
	ck("mknod fifo with a device number", syscall(SYS_mknodat, AT_FDCWD, "fifo", S_IFIFO | 0600, makedev(1, 3)));
	show_node("fifo", "fifo");

	int fd = open("null", O_RDWR);
	ck("open the null node", fd);
	if (fd >= 0) {
		val("write to null", write(fd, "data", 4));
		char c;
		val("read from null", read(fd, &c, 1));
		close(fd);
	}
	fd = open("zero", O_RDONLY);
	ck("open the zero node", fd);
	if (fd >= 0) {
		char bytes[4] = { 1, 1, 1, 1 };
		val("read from zero", read(fd, bytes, 4));
		yes("zero gives zeros", !bytes[0] && !bytes[1] && !bytes[2] && !bytes[3]);
		close(fd);
	}
	ck("open zero for writing as root (mode 0644)", fd = open("zero", O_WRONLY));
	if (fd >= 0) close(fd);

	ck("link a node", syscall(SYS_link, "null", "null2"));
	show_node("null after link", "null2");
	ck("rename a node", syscall(SYS_rename, "null2", "null3"));
	ck("chmod a node", syscall(SYS_chmod, "null3", 0600));
	ck("chown a node", syscall(SYS_chown, "null3", 5, 6));
	show_node("null3", "null3");
	memset(&st, 0, sizeof st);
	seen(lstat("null3", &st));
	say("null3 owner %u:%u", st.st_uid, st.st_gid);
	ck("truncate a node", syscall(SYS_truncate, "null3", 0));
	ck("unlink a node", syscall(SYS_unlink, "null3"));
	show_node("null after unlink", "null");
	ck("mknod over an existing node", syscall(SYS_mknodat, AT_FDCWD, "null", S_IFCHR | 0666, makedev(1, 3)));
	list_dir("nodes", ".");
	drop_root();
	ck("user mknod char in an unwritable dir", syscall(SYS_mknodat, AT_FDCWD, "user-null", S_IFCHR | 0666, makedev(1, 3)));
	ck("user mknod block in an unwritable dir", syscall(SYS_mknodat, AT_FDCWD, "user-blk", S_IFBLK | 0666, makedev(7, 2)));
	regain_root();
	leave_scratch("fs-devices.d");
	return 0;
}
