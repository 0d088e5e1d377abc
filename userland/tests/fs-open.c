/* Guest test: open, openat, openat2 (resolve flags, size checks), creat, close, close_range and
 * fcntl, with the open flags O_APPEND, O_EXCL, O_TRUNC, O_DIRECTORY, O_PATH, O_CLOEXEC,
 * O_NOFOLLOW and O_TMPFILE, and their errors. Works in a scratch folder of the working
 * directory; prints one line per check. */
#include "fs-check.h"
#include <sys/ioctl.h>
#include <sys/statfs.h>

struct open_how {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};
#define RESOLVE_NO_XDEV 0x01
#define RESOLVE_NO_MAGICLINKS 0x02
#define RESOLVE_NO_SYMLINKS 0x04
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10
#define RESOLVE_CACHED 0x20
#define CLOSE_RANGE_UNSHARE 2
#define CLOSE_RANGE_CLOEXEC 4

static long openat2_how(int dirfd, const char *path, uint64_t flags, uint64_t mode,
			uint64_t resolve)
{
	struct open_how how = { flags, mode, resolve };
	return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

/* Opens, prints the result, closes: "label: ok" or the errno. */
static void try_open(const char *label, long fd)
{
	ck(label, fd);
	if (fd >= 0) close(fd);
}

static void plain_open(void)
{
	write_file("file", "hello");
	must("mkdir dir", mkdir("dir", 0755));
	try_open("open existing rdonly", syscall(SYS_open, "file", O_RDONLY));
	try_open("open missing", syscall(SYS_open, "missing", O_RDONLY));
	try_open("open missing/child", syscall(SYS_open, "missing/x", O_RDONLY));
	try_open("open file/child", syscall(SYS_open, "file/x", O_RDONLY));
	try_open("open file/", syscall(SYS_open, "file/", O_RDONLY));
	try_open("open dir/ rdonly", syscall(SYS_open, "dir/", O_RDONLY));
	try_open("open dir wronly", syscall(SYS_open, "dir", O_WRONLY));
	try_open("open dir rdwr", syscall(SYS_open, "dir", O_RDWR));
	try_open("open dir creat", syscall(SYS_open, "dir", O_RDONLY | O_CREAT, 0644));
	try_open("open new/ creat", syscall(SYS_open, "new/", O_RDWR | O_CREAT, 0644));
	try_open("open empty path", syscall(SYS_open, "", O_RDONLY));
	try_open("open NULL path", syscall(SYS_open, NULL, O_RDONLY));
	char long_name[300];
	memset(long_name, 'n', 256);
	long_name[256] = 0;
	try_open("open 256-char name", syscall(SYS_open, long_name, O_RDONLY | O_CREAT, 0644));
	long_name[255] = 0;
	try_open("open 255-char name creat", syscall(SYS_open, long_name, O_RDWR | O_CREAT, 0644));
	must("unlink long", unlink(long_name));
	static char long_path[5000];
	for (int k = 0; k < 4999; k += 2) memcpy(long_path + k, "./", 2);
	long_path[4999] = 0;
	try_open("open 4999-char path", syscall(SYS_open, long_path, O_RDONLY));
	long_path[4094] = 0;
	try_open("open 4094-char path", syscall(SYS_open, long_path, O_RDONLY));
	try_open("open bad accmode 3 on file", syscall(SYS_open, "file", 3));
}

static void creat_and_flags(void)
{
	char text[64];
	long fd = ck("creat new", syscall(SYS_creat, "created", 0640));
	val("creat write", write(fd, "abc", 3));
	char c;
	ck("creat read (write-only)", read(fd, &c, 1));
	val("creat getfl accmode", fcntl(fd, F_GETFL) & O_ACCMODE);
	close(fd);
	fd = ck("creat existing truncates", syscall(SYS_creat, "created", 0600));
	close(fd);
	struct stat st;
	seen(stat("created", &st));
	say("created size %ld mode %o", (long)st.st_size, st.st_mode & 07777);

	try_open("excl existing", syscall(SYS_open, "file", O_RDWR | O_CREAT | O_EXCL, 0644));
	try_open("excl new", syscall(SYS_open, "excl-new", O_RDWR | O_CREAT | O_EXCL, 0644));
	must("symlink dangling", symlink("dangling-target", "dangling"));
	try_open("excl on dangling symlink", syscall(SYS_open, "dangling", O_RDWR | O_CREAT | O_EXCL, 0644));
	yes("excl did not create the target", access("dangling-target", F_OK) != 0);
	try_open("creat through dangling symlink", syscall(SYS_open, "dangling", O_RDWR | O_CREAT, 0644));
	yes("creat made the target", access("dangling-target", F_OK) == 0);
	try_open("excl without creat", syscall(SYS_open, "file", O_RDONLY | O_EXCL));

	write_file("trunc", "0123456789");
	fd = ck("trunc wronly", syscall(SYS_open, "trunc", O_WRONLY | O_TRUNC));
	close(fd);
	seen(stat("trunc", &st));
	say("trunc size %ld", (long)st.st_size);
	write_file("trunc", "0123456789");
	fd = ck("trunc rdonly", syscall(SYS_open, "trunc", O_RDONLY | O_TRUNC));
	close(fd);
	seen(stat("trunc", &st));
	say("trunc rdonly size %ld", (long)st.st_size);

	write_file("append", "start");
	fd = ck("append open", syscall(SYS_open, "append", O_WRONLY | O_APPEND));
	lseek(fd, 0, SEEK_SET);
	write(fd, "+end", 4);
	val("append offset after write", lseek(fd, 0, SEEK_CUR));
	pwrite(fd, "P", 1, 0);
	close(fd);
	say("append content %s", read_file("append", text, sizeof text));

	try_open("directory on dir", syscall(SYS_open, "dir", O_RDONLY | O_DIRECTORY));
	try_open("directory on file", syscall(SYS_open, "file", O_RDONLY | O_DIRECTORY));
	try_open("directory on missing", syscall(SYS_open, "missing", O_RDONLY | O_DIRECTORY));
	must("symlink dir-link", symlink("dir", "dir-link"));
	try_open("directory via symlink", syscall(SYS_open, "dir-link", O_RDONLY | O_DIRECTORY));

	must("symlink file-link", symlink("file", "file-link"));
	try_open("nofollow on symlink", syscall(SYS_open, "file-link", O_RDONLY | O_NOFOLLOW));
	try_open("nofollow on file", syscall(SYS_open, "file", O_RDONLY | O_NOFOLLOW));
	try_open("nofollow in a middle component", syscall(SYS_open, "dir-link/../file", O_RDONLY | O_NOFOLLOW));

	fd = ck("cloexec open", syscall(SYS_open, "file", O_RDONLY | O_CLOEXEC));
	val("cloexec getfd", fcntl(fd, F_GETFD));
	close(fd);
	fd = ck("no cloexec open", syscall(SYS_open, "file", O_RDONLY));
	val("no cloexec getfd", fcntl(fd, F_GETFD));
	close(fd);

	/* Linux supports O_TMPFILE on most filesystems; NexaOS may answer EOPNOTSUPP. */
	fd = syscall(SYS_open, ".", O_TMPFILE | O_RDWR, 0600);
	if (fd >= 0) {
		close(fd);
		say("tmpfile: supported or EOPNOTSUPP");
	} else if (errno == EOPNOTSUPP) {
		say("tmpfile: supported or EOPNOTSUPP");
	} else {
		say("tmpfile: %s", errno_name(errno));
	}
	try_open("tmpfile without write access", syscall(SYS_open, ".", O_TMPFILE | O_RDONLY, 0600));
}

static void o_path(void)
{
	char c;
	long fd = ck("path open file", syscall(SYS_open, "file", O_PATH));
	ck("path read", read(fd, &c, 1));
	ck("path write", write(fd, "x", 1));
	struct stat st;
	ck("path fstat", syscall(SYS_fstat, fd, &st));
	say("path fstat size %ld", (long)st.st_size);
	val("path getfl has O_PATH", (fcntl(fd, F_GETFL) & O_PATH) != 0);
	ck("path fchmod", syscall(SYS_fchmod, fd, 0644));
	ck("path fchown", syscall(SYS_fchown, fd, 0, 0));
	int n;
	ck("path ioctl FIONREAD", ioctl(fd, FIONREAD, &n));
	ck("path lseek", lseek(fd, 0, SEEK_SET));
	ck("path fsync", fsync(fd));
	ck("path ftruncate", syscall(SYS_ftruncate, fd, 0));
	ck("path fallocate", syscall(SYS_fallocate, fd, 0, 0, 1));
	ck("path futimens", syscall(SYS_utimensat, fd, NULL, NULL, 0));
	ck("path setfl", fcntl(fd, F_SETFL, O_APPEND));
	val("path getfd", fcntl(fd, F_GETFD));
	struct statfs sfs;
	ck("path fstatfs", fstatfs(fd, &sfs));
	long dup = ck("path dup", fcntl(fd, F_DUPFD, 0));
	close(dup);
	close(fd);

	fd = ck("path open symlink nofollow", syscall(SYS_open, "file-link", O_PATH | O_NOFOLLOW));
	seen(fstat(fd, &st));
	yes("path symlink fstat is a link", S_ISLNK(st.st_mode));
	char target[32] = { 0 };
	val("path readlinkat empty", readlinkat(fd, "", target, sizeof target - 1));
	say("path readlinkat target %s", target);
	close(fd);

	fd = ck("path open dir", syscall(SYS_open, "dir", O_PATH | O_DIRECTORY));
	long inner = ck("path openat relative", openat(fd, "../file", O_RDONLY));
	close(inner);
	ck("path getdents", syscall(SYS_getdents64, fd, (char[256]){ 0 }, 256));
	long cwd = must("open .", open(".", O_RDONLY | O_DIRECTORY));
	ck("path fchdir", fchdir(fd));
	yes("path fchdir entered dir", access("../file", F_OK) == 0 && access("file", F_OK) != 0);
	fchdir(cwd);
	close(cwd);
	close(fd);
	try_open("path on missing", syscall(SYS_open, "missing", O_PATH));
}

static void at_variants(void)
{
	long dir = must("open dir", open("dir", O_RDONLY | O_DIRECTORY));
	write_file("dir/inner", "inner");
	try_open("openat dirfd relative", syscall(SYS_openat, dir, "inner", O_RDONLY));
	try_open("openat AT_FDCWD", syscall(SYS_openat, AT_FDCWD, "dir/inner", O_RDONLY));
	try_open("openat bad dirfd relative", syscall(SYS_openat, 999, "inner", O_RDONLY));
	try_open("openat bad dirfd absolute", syscall(SYS_openat, 999, "/", O_RDONLY));
	long file = must("open file", open("file", O_RDONLY));
	try_open("openat file dirfd", syscall(SYS_openat, file, "inner", O_RDONLY));
	try_open("openat file dirfd empty path", syscall(SYS_openat, file, "", O_RDONLY));
	try_open("openat creat in dirfd", syscall(SYS_openat, dir, "made", O_RDWR | O_CREAT, 0600));
	yes("openat created dir/made", access("dir/made", F_OK) == 0);
	close(file);
	close(dir);
}

static void openat2_checks(void)
{
	long dir = must("open dir", open("dir", O_RDONLY | O_DIRECTORY));
	struct open_how how = { O_RDONLY, 0, 0 };
	try_open("openat2 plain", syscall(SYS_openat2, dir, "inner", &how, sizeof how));
	try_open("openat2 size 0", syscall(SYS_openat2, dir, "inner", &how, 0));
	try_open("openat2 size 23", syscall(SYS_openat2, dir, "inner", &how, 23));
	struct {
		struct open_how how;
		uint64_t extra;
	} bigger = { { O_RDONLY, 0, 0 }, 0 };
	try_open("openat2 size 32 zero tail", syscall(SYS_openat2, dir, "inner", &bigger, sizeof bigger));
	bigger.extra = 1;
	try_open("openat2 size 32 nonzero tail", syscall(SYS_openat2, dir, "inner", &bigger, sizeof bigger));
	static char page[8192];
	memcpy(page, &how, sizeof how);
	try_open("openat2 size 4097", syscall(SYS_openat2, dir, "inner", page, 4097));
	try_open("openat2 unknown flag", openat2_how(dir, "inner", 1ULL << 40, 0, 0));
	try_open("openat2 mode without creat", openat2_how(dir, "inner", O_RDONLY, 0644, 0));
	try_open("openat2 bad mode bits", openat2_how(dir, "new2", O_RDWR | O_CREAT, 010000, 0));
	try_open("openat2 unknown resolve", openat2_how(dir, "inner", O_RDONLY, 0, 1ULL << 10));
	try_open("openat2 beneath+in_root", openat2_how(dir, "inner", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT));

	must("mkdir dir/sub", mkdir("dir/sub", 0755));
	must("symlink up", symlink("../file", "dir/up"));
	must("symlink abs", symlink("/", "dir/abs"));
	must("symlink inner-link", symlink("inner", "dir/inner-link"));
	must("symlink sub/back", symlink("../inner", "dir/sub/back"));
	must("symlink sub/rooted", symlink("/inner", "dir/sub/rooted"));
	try_open("beneath inner", openat2_how(dir, "inner", O_RDONLY, 0, RESOLVE_BENEATH));
	try_open("beneath sub/../inner", openat2_how(dir, "sub/../inner", O_RDONLY, 0, RESOLVE_BENEATH));
	try_open("beneath ../file", openat2_how(dir, "../file", O_RDONLY, 0, RESOLVE_BENEATH));
	try_open("beneath absolute", openat2_how(dir, "/", O_RDONLY, 0, RESOLVE_BENEATH));
	try_open("beneath symlink out", openat2_how(dir, "up", O_RDONLY, 0, RESOLVE_BENEATH));
	try_open("beneath symlink absolute", openat2_how(dir, "abs", O_RDONLY, 0, RESOLVE_BENEATH));
	try_open("beneath symlink inside", openat2_how(dir, "sub/back", O_RDONLY, 0, RESOLVE_BENEATH));
	try_open("beneath dot", openat2_how(dir, ".", O_RDONLY, 0, RESOLVE_BENEATH));
	try_open("beneath dotdot", openat2_how(dir, "..", O_RDONLY, 0, RESOLVE_BENEATH));
	try_open("in_root ../../inner", openat2_how(dir, "../../inner", O_RDONLY, 0, RESOLVE_IN_ROOT));
	try_open("in_root /inner", openat2_how(dir, "/inner", O_RDONLY, 0, RESOLVE_IN_ROOT));
	try_open("in_root symlink rooted", openat2_how(dir, "sub/rooted", O_RDONLY, 0, RESOLVE_IN_ROOT));
	try_open("in_root symlink up", openat2_how(dir, "up", O_RDONLY, 0, RESOLVE_IN_ROOT));
	long fd = openat2_how(dir, "abs", O_RDONLY | O_DIRECTORY, 0, RESOLVE_IN_ROOT);
	if (fd >= 0) {
		yes("in_root abs is dir", faccessat(fd, "inner", F_OK, 0) == 0);
		close(fd);
	} else {
		say("in_root abs: %s", errno_name(errno));
	}
	try_open("in_root creat /made2", openat2_how(dir, "/made2", O_RDWR | O_CREAT, 0600, RESOLVE_IN_ROOT));
	yes("in_root created dir/made2", access("dir/made2", F_OK) == 0);
	try_open("no_symlinks plain", openat2_how(dir, "inner", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	try_open("no_symlinks final", openat2_how(dir, "inner-link", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	try_open("no_symlinks middle", openat2_how(AT_FDCWD, "dir-link/inner", O_RDONLY, 0, RESOLVE_NO_SYMLINKS));
	try_open("no_symlinks with O_PATH|O_NOFOLLOW",
		 openat2_how(dir, "inner-link", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));
	try_open("no_xdev same fs", openat2_how(dir, "sub/../inner", O_RDONLY, 0, RESOLVE_NO_XDEV));
	close(dir);
}

static void close_checks(void)
{
	ck("close bad fd", close(999));
	ck("close -1", close(-1));
	int fd = must("open", open("file", O_RDONLY));
	ck("close open fd", close(fd));
	ck("close again", close(fd));

	for (int k = 0; k < 4; k++) must("dup2", dup2(0, 20 + k));
	ck("close_range 21..22", syscall(SYS_close_range, 21, 22, 0));
	val("fd 20 open", fcntl(20, F_GETFD) >= 0);
	val("fd 21 open", fcntl(21, F_GETFD) >= 0);
	val("fd 22 open", fcntl(22, F_GETFD) >= 0);
	val("fd 23 open", fcntl(23, F_GETFD) >= 0);
	ck("close_range cloexec 20..23", syscall(SYS_close_range, 20, 23, CLOSE_RANGE_CLOEXEC));
	val("fd 20 getfd", fcntl(20, F_GETFD));
	val("fd 23 getfd", fcntl(23, F_GETFD));
	ck("close_range first > last", syscall(SYS_close_range, 23, 20, 0));
	ck("close_range bad flags", syscall(SYS_close_range, 20, 23, 0x80));
	ck("close_range to ~0", syscall(SYS_close_range, 20, ~0U, 0));
	val("fd 20 after", fcntl(20, F_GETFD));
	val("fd 23 after", fcntl(23, F_GETFD));
	ck("close_range empty high range", syscall(SYS_close_range, 500, 600, 0));
}

static void fcntl_checks(void)
{
	int fd = must("open", open("file", O_RDWR));
	val("dupfd 0", fcntl(fd, F_DUPFD, 0));
	close(4);
	val("dupfd 10", fcntl(fd, F_DUPFD, 10));
	val("dupfd 10 again", fcntl(fd, F_DUPFD, 10));
	val("dupfd 11 getfd", fcntl(11, F_GETFD));
	val("dupfd_cloexec 30", fcntl(fd, F_DUPFD_CLOEXEC, 30));
	val("dupfd_cloexec getfd", fcntl(30, F_GETFD));
	val("dupfd negative", fcntl(fd, F_DUPFD, -1));
	val("dupfd huge", fcntl(fd, F_DUPFD, 1 << 30));
	val("dupfd bad fd", fcntl(999, F_DUPFD, 0));
	close(10);
	close(11);
	close(30);
	ck("setfd cloexec", fcntl(fd, F_SETFD, FD_CLOEXEC));
	val("getfd after set", fcntl(fd, F_GETFD));
	ck("setfd 0", fcntl(fd, F_SETFD, 0));
	val("getfd after clear", fcntl(fd, F_GETFD));
	long flags = fcntl(fd, F_GETFL);
	val("getfl accmode", flags & O_ACCMODE);
	val("getfl append", (flags & O_APPEND) != 0);
	ck("setfl append", fcntl(fd, F_SETFL, flags | O_APPEND));
	val("getfl append after set", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
	write(fd, "!", 1);
	val("offset after append write", lseek(fd, 0, SEEK_CUR));
	ck("setfl clear append and try rdonly", fcntl(fd, F_SETFL, O_RDONLY));
	val("getfl accmode unchanged", fcntl(fd, F_GETFL) & O_ACCMODE);
	val("getfl append cleared", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
	lseek(fd, 0, SEEK_SET);
	write(fd, "H", 1);
	char text[32];
	say("content %s", read_file("file", text, sizeof text));
	ck("fcntl bad cmd", fcntl(fd, 9999));
	ck("getfl bad fd", fcntl(999, F_GETFL));
	close(fd);
	int rd = must("open", open("file", O_RDONLY));
	val("rdonly getfl accmode", fcntl(rd, F_GETFL) & O_ACCMODE);
	close(rd);
	int wr = must("open", open("file", O_WRONLY));
	val("wronly getfl accmode", fcntl(wr, F_GETFL) & O_ACCMODE);
	close(wr);
}

int main(void)
{
	enter_scratch("fs-open.d");
	plain_open();
	creat_and_flags();
	o_path();
	at_variants();
	openat2_checks();
	close_checks();
	fcntl_checks();
	leave_scratch("fs-open.d");
	return 0;
}
