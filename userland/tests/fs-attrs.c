/* Guest test: attributes: stat, lstat, fstat, newfstatat, statx, chmod, fchmod, fchmodat, chown,
 * fchown, lchown, fchownat, umask, utimensat (explicit whole-second times, UTIME_NOW,
 * UTIME_OMIT), utime, utimes, access, faccessat, faccessat2, mknodat (FIFOs, sockets, regular
 * files; device nodes are in fs-devices.c) and statfs/fstatfs, as root and then as uid/gid
 * 65534. Only values every filesystem agrees on are printed (no absolute times, block counts or
 * statfs numbers). Works in a scratch folder of the working directory. */
#include "fs-check.h"
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <utime.h>

struct statx_time {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};
struct statx_buf {
	uint32_t mask;
	uint32_t blksize;
	uint64_t attributes;
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint16_t mode;
	uint16_t spare0;
	uint64_t ino;
	uint64_t size;
	uint64_t blocks;
	uint64_t attributes_mask;
	struct statx_time atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
#define STATX_BASIC_STATS 0x7ff
#define STATX_RESERVED 0x80000000U
#define AT_STATX_FORCE_SYNC 0x2000
#define AT_STATX_DONT_SYNC 0x4000
#define FACCESSAT2(dirfd, path, mode, flags) syscall(SYS_faccessat2, dirfd, path, mode, flags)

/* An old moment every filesystem stores exactly (32-bit seconds, no fraction). */
#define OLD_ATIME 1000000000
#define OLD_MTIME 1100000000
/* Any "now" is after this. */
#define RECENT 1600000000

static struct stat st;

static void show_stat(const char *label, const struct stat *s)
{
	say("%s: mode %o nlink %ld uid %u gid %u size %ld", label, s->st_mode, (long)s->st_nlink,
	    s->st_uid, s->st_gid, (long)s->st_size);
}

static void stat_family(void)
{
	write_file("file", "hello");
	mkdir("dir", 0755);
	symlink("file", "link");
	struct stat a, b, c, d;
	ck("stat", syscall(SYS_stat, "file", &a));
	show_stat("stat file", &a);
	ck("lstat", syscall(SYS_lstat, "link", &b));
	show_stat("lstat link", &b);
	ck("stat through link", syscall(SYS_stat, "link", &c));
	yes("link leads to file", c.st_ino == a.st_ino && c.st_dev == a.st_dev);
	yes("link is another inode", b.st_ino != a.st_ino);
	yes("same st_dev in one folder", b.st_dev == a.st_dev);
	int fd = must("open file", open("file", O_RDONLY));
	ck("fstat", syscall(SYS_fstat, fd, &d));
	yes("fstat equals stat", d.st_ino == a.st_ino && d.st_mode == a.st_mode && d.st_size == a.st_size);
	yes("blksize positive", d.st_blksize > 0);
	ck("newfstatat", syscall(SYS_newfstatat, AT_FDCWD, "link", &c, 0));
	yes("newfstatat follows", c.st_ino == a.st_ino);
	ck("newfstatat nofollow", syscall(SYS_newfstatat, AT_FDCWD, "link", &c, AT_SYMLINK_NOFOLLOW));
	yes("newfstatat nofollow is the link", c.st_ino == b.st_ino);
	ck("newfstatat empty path", syscall(SYS_newfstatat, fd, "", &c, AT_EMPTY_PATH));
	yes("empty path is the fd", c.st_ino == a.st_ino);
	ck("newfstatat empty path without flag", syscall(SYS_newfstatat, fd, "", &c, 0));
	ck("newfstatat bad flags", syscall(SYS_newfstatat, AT_FDCWD, "file", &c, 0x1));
	ck("newfstatat bad dirfd", syscall(SYS_newfstatat, 999, "file", &c, 0));
	ck("newfstatat file as dirfd", syscall(SYS_newfstatat, fd, "x", &c, 0));
	ck("stat bad buffer", syscall(SYS_stat, "file", (void *)8));
	ck("fstat bad fd", syscall(SYS_fstat, 999, &c));
	ck("stat missing", syscall(SYS_stat, "missing", &c));
	close(fd);
	seen(stat("dir", &c));
	say("dir: mode %o nlink %ld", c.st_mode, (long)c.st_nlink);
	yes("different files, different inodes", c.st_ino != a.st_ino);

	struct statx_buf x;
	memset(&x, 0xff, sizeof x);
	ck("statx", syscall(SYS_statx, AT_FDCWD, "file", 0, STATX_BASIC_STATS, &x));
	yes("statx has basic stats", (x.mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	say("statx: mode %o nlink %u uid %u gid %u size %lu", x.mode, x.nlink, x.uid, x.gid,
	    (unsigned long)x.size);
	yes("statx ino and dev match stat", x.ino == a.st_ino && makedev(x.dev_major, x.dev_minor) == a.st_dev);
	yes("statx times match stat",
	    x.mtime.tv_sec == a.st_mtim.tv_sec && x.mtime.tv_nsec == a.st_mtim.tv_nsec &&
		    x.ctime.tv_sec == a.st_ctim.tv_sec && x.atime.tv_sec == a.st_atim.tv_sec);
	yes("statx blocks match stat", x.blocks == (uint64_t)a.st_blocks);
	ck("statx nofollow", syscall(SYS_statx, AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &x));
	say("statx link: mode %o size %lu", x.mode, (unsigned long)x.size);
	fd = must("open dir", open("dir", O_RDONLY | O_DIRECTORY));
	ck("statx empty path", syscall(SYS_statx, fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &x));
	say("statx dir fd: mode %o", x.mode);
	ck("statx relative to dirfd", syscall(SYS_statx, fd, "../file", 0, STATX_BASIC_STATS, &x));
	close(fd);
	ck("statx force and dont sync", syscall(SYS_statx, AT_FDCWD, "file", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &x));
	ck("statx force sync", syscall(SYS_statx, AT_FDCWD, "file", AT_STATX_FORCE_SYNC, STATX_BASIC_STATS, &x));
	ck("statx reserved mask", syscall(SYS_statx, AT_FDCWD, "file", 0, STATX_RESERVED, &x));
	ck("statx bad flags", syscall(SYS_statx, AT_FDCWD, "file", 0x1, STATX_BASIC_STATS, &x));
	ck("statx missing", syscall(SYS_statx, AT_FDCWD, "missing", 0, STATX_BASIC_STATS, &x));
	ck("statx bad buffer", syscall(SYS_statx, AT_FDCWD, "file", 0, STATX_BASIC_STATS, (void *)8));
	ck("statx mask 0", syscall(SYS_statx, AT_FDCWD, "file", 0, 0, &x));
}

static void modes(void)
{
	ck("chmod 600", syscall(SYS_chmod, "file", 0600));
	seen(stat("file", &st));
	say("mode after chmod %o", st.st_mode);
	ck("chmod 7777", syscall(SYS_chmod, "file", 07777));
	seen(stat("file", &st));
	say("mode after chmod 7777 %o", st.st_mode);
	ck("chmod with type bits", syscall(SYS_chmod, "file", S_IFDIR | 0640));
	seen(stat("file", &st));
	say("mode after chmod with type bits %o", st.st_mode);
	ck("chmod through symlink", syscall(SYS_chmod, "link", 0604));
	seen(stat("file", &st));
	say("target mode %o", st.st_mode);
	seen(lstat("link", &st));
	say("link mode stays %o", st.st_mode);
	int fd = must("open", open("file", O_RDONLY));
	ck("fchmod", syscall(SYS_fchmod, fd, 0644));
	seen(fstat(fd, &st));
	say("mode after fchmod %o", st.st_mode);
	ck("fchmod bad fd", syscall(SYS_fchmod, 999, 0644));
	close(fd);
	int dir = must("open .", open(".", O_RDONLY | O_DIRECTORY));
	ck("fchmodat", syscall(SYS_fchmodat, dir, "dir", 0711));
	seen(stat("dir", &st));
	say("dir mode after fchmodat %o", st.st_mode);
	ck("fchmodat missing", syscall(SYS_fchmodat, dir, "missing", 0644));
	ck("fchmodat bad dirfd", syscall(SYS_fchmodat, 999, "dir", 0644));
	close(dir);
	ck("chmod missing", syscall(SYS_chmod, "missing", 0644));
	chmod("dir", 0755);
}

static void owners(void)
{
	ck("chown 1234:5678", syscall(SYS_chown, "file", 1234, 5678));
	seen(stat("file", &st));
	say("owner %u:%u", st.st_uid, st.st_gid);
	ck("chown -1:-1", syscall(SYS_chown, "file", -1, -1));
	seen(stat("file", &st));
	say("owner after -1:-1 %u:%u", st.st_uid, st.st_gid);
	ck("chown -1:42", syscall(SYS_chown, "file", -1, 42));
	seen(stat("file", &st));
	say("owner after -1:42 %u:%u", st.st_uid, st.st_gid);
	ck("lchown link", syscall(SYS_lchown, "link", 7, 8));
	seen(lstat("link", &st));
	say("link owner %u:%u", st.st_uid, st.st_gid);
	seen(stat("link", &st));
	say("target owner unchanged %u:%u", st.st_uid, st.st_gid);
	ck("chown through link", syscall(SYS_chown, "link", 9, 10));
	seen(stat("file", &st));
	say("target owner %u:%u", st.st_uid, st.st_gid);
	int fd = must("open", open("file", O_RDONLY));
	ck("fchown", syscall(SYS_fchown, fd, 0, 0));
	seen(fstat(fd, &st));
	say("owner after fchown %u:%u", st.st_uid, st.st_gid);
	ck("fchown bad fd", syscall(SYS_fchown, 999, 0, 0));
	ck("fchownat empty path", syscall(SYS_fchownat, fd, "", 11, 12, AT_EMPTY_PATH));
	seen(fstat(fd, &st));
	say("owner after fchownat empty path %u:%u", st.st_uid, st.st_gid);
	close(fd);
	ck("fchownat nofollow", syscall(SYS_fchownat, AT_FDCWD, "link", 13, 14, AT_SYMLINK_NOFOLLOW));
	seen(lstat("link", &st));
	say("link owner after fchownat %u:%u", st.st_uid, st.st_gid);
	ck("fchownat bad flags", syscall(SYS_fchownat, AT_FDCWD, "file", 0, 0, 0x1));
	ck("chown missing", syscall(SYS_chown, "missing", 0, 0));

	chmod("file", 06755);
	ck("chown setuid file", syscall(SYS_chown, "file", 0, 0));
	seen(stat("file", &st));
	say("mode after chown of setuid file %o", st.st_mode);
	chmod("file", 02745);
	ck("chown setgid without group exec", syscall(SYS_chown, "file", 0, 0));
	seen(stat("file", &st));
	say("mode after chown of setgid file %o", st.st_mode);
	chmod("file", 0644);
	chown("link", 0, 0);
	lchown("link", 0, 0);
}

static void masks(void)
{
	say("umask 027 returns old %o", umask(027));
	close(must("create", open("masked", O_RDWR | O_CREAT, 0666)));
	seen(stat("masked", &st));
	say("file 0666 under 027: %o", st.st_mode & 07777);
	mkdir("masked-dir", 0777);
	seen(stat("masked-dir", &st));
	say("dir 0777 under 027: %o", st.st_mode & 07777);
	mknod("masked-fifo", S_IFIFO | 0666, 0);
	seen(stat("masked-fifo", &st));
	say("fifo 0666 under 027: %o", st.st_mode & 07777);
	symlink("masked", "masked-link");
	seen(lstat("masked-link", &st));
	say("symlink under 027: %o", st.st_mode & 07777);
	say("umask 0 returns %o", umask(0));
	close(must("create", open("unmasked", O_RDWR | O_CREAT, 0666)));
	seen(stat("unmasked", &st));
	say("file 0666 under 0: %o", st.st_mode & 07777);
	say("umask 01777 returns %o", umask(01777));
	say("umask keeps only 0777: %o", umask(022));
	ck("chmod not masked", syscall(SYS_chmod, "unmasked", 0777));
	seen(stat("unmasked", &st));
	say("chmod ignores umask: %o", st.st_mode & 07777);
}

static void times(void)
{
	struct timespec old[2] = { { OLD_ATIME, 0 }, { OLD_MTIME, 0 } };
	ck("utimensat explicit", syscall(SYS_utimensat, AT_FDCWD, "file", old, 0));
	seen(stat("file", &st));
	say("atime %ld.%09ld mtime %ld.%09ld", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	    (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	yes("ctime is now", st.st_ctim.tv_sec > RECENT);
	struct timespec omit_now[2] = { { 0, UTIME_OMIT }, { 0, UTIME_NOW } };
	ck("utimensat omit atime, now mtime", syscall(SYS_utimensat, AT_FDCWD, "file", omit_now, 0));
	seen(stat("file", &st));
	say("atime kept %ld", (long)st.st_atim.tv_sec);
	yes("mtime is now", st.st_mtim.tv_sec > RECENT);
	struct timespec omit_both[2] = { { 0, UTIME_OMIT }, { 0, UTIME_OMIT } };
	syscall(SYS_utimensat, AT_FDCWD, "file", old, 0);
	ck("utimensat omit both", syscall(SYS_utimensat, AT_FDCWD, "file", omit_both, 0));
	seen(stat("file", &st));
	say("after omit both: atime %ld mtime %ld", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	ck("utimensat NULL times", syscall(SYS_utimensat, AT_FDCWD, "file", NULL, 0));
	seen(stat("file", &st));
	yes("both times now", st.st_atim.tv_sec > RECENT && st.st_mtim.tv_sec > RECENT);
	struct timespec bad[2] = { { 0, 1000000000 }, { 0, 0 } };
	ck("utimensat nsec 1e9", syscall(SYS_utimensat, AT_FDCWD, "file", bad, 0));
	bad[0].tv_nsec = -1;
	ck("utimensat nsec -1", syscall(SYS_utimensat, AT_FDCWD, "file", bad, 0));
	ck("utimensat bad flags", syscall(SYS_utimensat, AT_FDCWD, "file", old, 0x1));
	ck("utimensat missing", syscall(SYS_utimensat, AT_FDCWD, "missing", old, 0));
	ck("utimensat nofollow on link", syscall(SYS_utimensat, AT_FDCWD, "link", old, AT_SYMLINK_NOFOLLOW));
	seen(lstat("link", &st));
	say("link mtime %ld", (long)st.st_mtim.tv_sec);
	seen(stat("file", &st));
	yes("target untouched", st.st_mtim.tv_sec > RECENT);

	int fd = must("open", open("file", O_RDWR));
	ck("utimensat on fd (NULL path)", syscall(SYS_utimensat, fd, NULL, old, 0));
	seen(fstat(fd, &st));
	say("fd times: atime %ld mtime %ld", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	ck("utimensat NULL path with nofollow", syscall(SYS_utimensat, fd, NULL, old, AT_SYMLINK_NOFOLLOW));
	ck("utimensat bad fd", syscall(SYS_utimensat, 999, NULL, old, 0));
	write(fd, "changed", 7);
	seen(fstat(fd, &st));
	yes("write moved mtime and ctime", st.st_mtim.tv_sec > RECENT && st.st_ctim.tv_sec > RECENT);
	say("write kept atime %ld", (long)st.st_atim.tv_sec);
	syscall(SYS_utimensat, fd, NULL, old, 0);
	ftruncate(fd, 2);
	seen(fstat(fd, &st));
	yes("ftruncate moved mtime", st.st_mtim.tv_sec > RECENT);
	close(fd);

	struct utimbuf ub = { OLD_ATIME + 1, OLD_MTIME + 1 };
	ck("utime", syscall(SYS_utime, "file", &ub));
	seen(stat("file", &st));
	say("utime: atime %ld mtime %ld", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	struct timeval tv[2] = { { OLD_ATIME + 2, 0 }, { OLD_MTIME + 2, 0 } };
	ck("utimes", syscall(SYS_utimes, "file", tv));
	seen(stat("file", &st));
	say("utimes: atime %ld mtime %ld", (long)st.st_atim.tv_sec, (long)st.st_mtim.tv_sec);
	tv[0].tv_usec = 1000000;
	ck("utimes usec 1e6", syscall(SYS_utimes, "file", tv));

	syscall(SYS_utimensat, AT_FDCWD, "dir", old, 0);
	write_file("dir/new", "");
	seen(stat("dir", &st));
	yes("creating an entry moved the dir mtime", st.st_mtim.tv_sec > RECENT);
	syscall(SYS_utimensat, AT_FDCWD, "dir", old, 0);
	unlink("dir/new");
	seen(stat("dir", &st));
	yes("removing an entry moved the dir mtime", st.st_mtim.tv_sec > RECENT);
	syscall(SYS_utimensat, AT_FDCWD, "file", old, 0);
	chmod("file", 0644);
	seen(stat("file", &st));
	say("chmod keeps mtime %ld, moves ctime: %s", (long)st.st_mtim.tv_sec,
	    st.st_ctim.tv_sec > RECENT ? "yes" : "no");
}

static void access_checks(void)
{
	write_file("none", "");
	chmod("none", 0);
	write_file("exec", "");
	chmod("exec", 0100);
	mkdir("closed", 0);
	chmod("closed", 0);
	ck("access F_OK", syscall(SYS_access, "file", F_OK));
	ck("access missing", syscall(SYS_access, "missing", F_OK));
	ck("access root rw on mode 0", syscall(SYS_access, "none", R_OK | W_OK));
	ck("access root x on mode 0", syscall(SYS_access, "none", X_OK));
	ck("access root x on mode 0100", syscall(SYS_access, "exec", X_OK));
	ck("access root x on dir mode 0", syscall(SYS_access, "closed", X_OK));
	ck("access bad mode", syscall(SYS_access, "file", 8));
	ck("access through file", syscall(SYS_access, "file/x", F_OK));
	ck("faccessat", syscall(SYS_faccessat, AT_FDCWD, "file", R_OK));
	int dir = must("open dir", open("dir", O_RDONLY | O_DIRECTORY));
	ck("faccessat dirfd", syscall(SYS_faccessat, dir, "../file", R_OK));
	ck("faccessat bad dirfd", syscall(SYS_faccessat, 999, "file", R_OK));
	ck("faccessat2 eaccess", FACCESSAT2(AT_FDCWD, "file", R_OK, AT_EACCESS));
	ck("faccessat2 empty path", FACCESSAT2(dir, "", X_OK, AT_EMPTY_PATH));
	ck("faccessat2 empty path without flag", FACCESSAT2(dir, "", X_OK, 0));
	close(dir);
	symlink("nowhere", "dangling");
	ck("faccessat2 dangling", FACCESSAT2(AT_FDCWD, "dangling", F_OK, 0));
	ck("faccessat2 dangling nofollow", FACCESSAT2(AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
	ck("faccessat2 bad flags", FACCESSAT2(AT_FDCWD, "file", F_OK, 0x1));
	ck("faccessat2 bad mode", FACCESSAT2(AT_FDCWD, "file", 8, 0));
}

/* lstat into `st`, zeroed first so a missing file prints zeros rather than stale fields. */
static void lstat_or_zero(const char *path)
{
	memset(&st, 0, sizeof st);
	seen(lstat(path, &st));
}

static void nodes(void)
{
	ck("mknod fifo", syscall(SYS_mknodat, AT_FDCWD, "fifo", S_IFIFO | 0644, 0));
	lstat_or_zero("fifo");
	say("fifo: fifo %d mode %o size %ld", S_ISFIFO(st.st_mode), st.st_mode & 07777, (long)st.st_size);
	ck("mknod regular", syscall(SYS_mknodat, AT_FDCWD, "reg", S_IFREG | 0600, 0));
	lstat_or_zero("reg");
	say("regular: reg %d size %ld", S_ISREG(st.st_mode), (long)st.st_size);
	ck("mknod type 0", syscall(SYS_mknodat, AT_FDCWD, "reg0", 0600, 0));
	lstat_or_zero("reg0");
	say("type 0: reg %d", S_ISREG(st.st_mode));
	ck("mknod socket", syscall(SYS_mknodat, AT_FDCWD, "sock", S_IFSOCK | 0600, 0));
	lstat_or_zero("sock");
	say("socket: sock %d", S_ISSOCK(st.st_mode));
	ck("mknod dir", syscall(SYS_mknodat, AT_FDCWD, "mdir", S_IFDIR | 0755, 0));
	ck("mknod bad type", syscall(SYS_mknodat, AT_FDCWD, "bad", 0170000 | 0644, 0));
	ck("mknod symlink type", syscall(SYS_mknodat, AT_FDCWD, "bad", S_IFLNK | 0644, 0));
	ck("mknod existing", syscall(SYS_mknodat, AT_FDCWD, "fifo", S_IFIFO | 0644, 0));
	ck("mknod legacy", syscall(SYS_mknod, "fifo2", S_IFIFO | 0600, 0));
	ck("mknodat bad dirfd", syscall(SYS_mknodat, 999, "x", S_IFIFO | 0600, 0));
	list_dir("nodes", ".");
}

static void fs_stats(void)
{
	struct statfs a, b;
	ck("statfs", statfs(".", &a));
	int fd = must("open", open("file", O_RDONLY));
	ck("fstatfs", fstatfs(fd, &b));
	close(fd);
	yes("same type", a.f_type == b.f_type);
	val("namelen", a.f_namelen);
	yes("bsize positive", a.f_bsize > 0);
	yes("free <= blocks", a.f_bfree <= a.f_blocks && a.f_bavail <= a.f_bfree);
	yes("free inodes <= inodes", a.f_ffree <= a.f_files);
	ck("statfs missing", syscall(SYS_statfs, "missing", &a));
	ck("statfs bad buffer", syscall(SYS_statfs, ".", (void *)8));
	ck("fstatfs bad fd", syscall(SYS_fstatfs, 999, &a));
}

static void as_user(void)
{
	mkdir("shared", 0);
	chmod("shared", 0777);
	mkdir("sticky", 0);
	chmod("sticky", 01777);
	write_file("sticky/roots", "r");
	write_file("private", "p");
	chmod("private", 0600);
	write_file("public", "p");
	chmod("public", 0666);
	write_file("readonly", "p");
	chmod("readonly", 0644);
	write_file("runnable", "");
	chmod("runnable", 0755);
	mkdir("locked", 0);
	chmod("locked", 0700);
	write_file("locked/inner", "");
	chmod("locked/inner", 0666);
	struct timespec old[2] = { { OLD_ATIME, 0 }, { OLD_MTIME, 0 } };
	struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };

	drop_root();
	ck("user access R on 0600", syscall(SYS_access, "private", R_OK));
	ck("user access W on 0644", syscall(SYS_access, "readonly", W_OK));
	ck("user access R on 0644", syscall(SYS_access, "readonly", R_OK));
	ck("user access X on 0755", syscall(SYS_access, "runnable", X_OK));
	ck("user access X on 0644", syscall(SYS_access, "readonly", X_OK));
	ck("user access W on 0666", syscall(SYS_access, "public", W_OK));
	ck("user access F in 0700 dir", syscall(SYS_access, "locked/inner", F_OK));
	ck("user faccessat2 eaccess", FACCESSAT2(AT_FDCWD, "private", R_OK, AT_EACCESS));
	ck("user open 0600", syscall(SYS_open, "private", O_RDONLY));
	ck("user open 0644 for write", syscall(SYS_open, "readonly", O_WRONLY));
	ck("user truncate 0644", syscall(SYS_truncate, "readonly", 0));
	ck("user stat in 0700 dir", syscall(SYS_stat, "locked/inner", &st));
	ck("user create in root dir", syscall(SYS_open, "mine", O_RDWR | O_CREAT, 0644));
	ck("user chmod root file", syscall(SYS_chmod, "readonly", 0777));
	ck("user chown root file", syscall(SYS_chown, "readonly", 65534, 65534));
	ck("user chown root file no-op", syscall(SYS_chown, "readonly", -1, -1));
	ck("user utimensat explicit on root file", syscall(SYS_utimensat, AT_FDCWD, "public", old, 0));
	ck("user utimensat now on writable root file", syscall(SYS_utimensat, AT_FDCWD, "public", now, 0));
	ck("user utimensat NULL on read-only root file", syscall(SYS_utimensat, AT_FDCWD, "readonly", NULL, 0));
	ck("user mknod char", syscall(SYS_mknodat, AT_FDCWD, "shared/null", S_IFCHR | 0666, makedev(1, 3)));
	ck("user mknod fifo", syscall(SYS_mknodat, AT_FDCWD, "shared/fifo", S_IFIFO | 0666, 0));

	long fd = ck("user create in shared", syscall(SYS_open, "shared/mine", O_RDWR | O_CREAT, 0644));
	seen(stat("shared/mine", &st));
	say("user file owner %u:%u mode %o", st.st_uid, st.st_gid, st.st_mode & 07777);
	ck("user chmod own file", syscall(SYS_chmod, "shared/mine", 04755));
	seen(stat("shared/mine", &st));
	say("user own file mode %o", st.st_mode & 07777);
	write(fd, "x", 1);
	seen(fstat(fd, &st));
	say("user write cleared setuid: mode %o", st.st_mode & 07777);
	ck("user chown own file to root", syscall(SYS_chown, "shared/mine", 0, -1));
	ck("user chgrp own file to group 0", syscall(SYS_chown, "shared/mine", -1, 0));
	ck("user chown own file to self", syscall(SYS_chown, "shared/mine", 65534, 65534));
	ck("user utimensat explicit on own file", syscall(SYS_utimensat, AT_FDCWD, "shared/mine", old, 0));
	close(fd);
	ck("user unlink root file in sticky dir", syscall(SYS_unlink, "sticky/roots"));
	ck("user rename root file in sticky dir", syscall(SYS_rename, "sticky/roots", "sticky/moved"));
	close(must("create", open("sticky/users", O_RDWR | O_CREAT, 0644)));
	ck("user unlink own file in sticky dir", syscall(SYS_unlink, "sticky/users"));
	regain_root();
	ck("root unlink in sticky dir", syscall(SYS_unlink, "sticky/roots"));
	list_dir("shared", "shared");
}

int main(void)
{
	enter_scratch("fs-attrs.d");
	stat_family();
	modes();
	owners();
	masks();
	times();
	access_checks();
	nodes();
	fs_stats();
	as_user();
	leave_scratch("fs-attrs.d");
	return 0;
}
