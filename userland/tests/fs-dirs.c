/* Guest test: directories: mkdir, mkdirat, rmdir, getdents64, chdir, fchdir, getcwd (printed
 * relative to the starting folder) and chroot (entered and left again through a kept fd), with
 * link counts and the errors. Works in a scratch folder of the working directory. */
#include "fs-check.h"

static struct stat st;
static char start[4096];

/* getcwd relative to where the test started, so no absolute host path is printed. */
static void show_cwd(const char *label)
{
	char cwd[4096];
	long n = syscall(SYS_getcwd, cwd, sizeof cwd);
	if (n < 0) {
		say("%s: %s", label, errno_name(errno));
		return;
	}
	size_t len = strlen(start);
	if (strncmp(cwd, start, len) == 0 && (cwd[len] == '/' || cwd[len] == 0)) {
		say("%s: <start>%s (returned strlen+1: %s)", label, cwd + len,
		    n == (long)strlen(cwd) + 1 ? "yes" : "no");
	} else {
		say("%s: outside the start folder", label);
	}
}

static long nlink_of(const char *path)
{
	return stat(path, &st) == 0 ? (long)st.st_nlink : -1;
}

/* d_type is optional (DT_UNKNOWN): only a wrong non-zero value is reported. */
static void check_types(int fd)
{
	static char buffer[4096];
	lseek(fd, 0, SEEK_SET);
	int wrong = 0, entries = 0;
	long n;
	while ((n = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
		for (long at = 0; at < n;) {
			struct linux_dirent64 *entry = (struct linux_dirent64 *)(buffer + at);
			at += entry->d_reclen;
			entries++;
			if (entry->d_type == DT_UNKNOWN) continue;
			if (fstatat(fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
				wrong++;
				continue;
			}
			if (entry->d_type != IFTODT(st.st_mode)) wrong++;
			if (entry->d_ino != st.st_ino && strcmp(entry->d_name, "..") != 0) wrong++;
		}
	}
	say("getdents entries %d, wrong d_type or d_ino %d", entries, wrong);
}

static void making(void)
{
	ck("mkdir", syscall(SYS_mkdir, "d", 0755));
	seen(stat("d", &st));
	say("mkdir mode %o nlink %ld", st.st_mode, (long)st.st_nlink);
	ck("mkdir existing", syscall(SYS_mkdir, "d", 0755));
	write_file("file", "f");
	ck("mkdir over file", syscall(SYS_mkdir, "file", 0755));
	ck("mkdir in missing", syscall(SYS_mkdir, "missing/d", 0755));
	ck("mkdir under file", syscall(SYS_mkdir, "file/d", 0755));
	ck("mkdir empty", syscall(SYS_mkdir, "", 0755));
	ck("mkdir trailing slash", syscall(SYS_mkdir, "slash/", 0755));
	ck("mkdir trailing slashes", syscall(SYS_mkdir, "slashes//", 0755));
	ck("mkdir dot", syscall(SYS_mkdir, ".", 0755));
	ck("mkdir dotdot", syscall(SYS_mkdir, "d/..", 0755));
	symlink("d/new", "to-new");
	ck("mkdir over dangling symlink", syscall(SYS_mkdir, "to-new", 0755));
	ck("mkdir sticky setgid mode", syscall(SYS_mkdir, "modes", 07777));
	seen(stat("modes", &st));
	say("mkdir 07777 under umask 022: %o", st.st_mode & 07777);
	val("parent nlink before subdirs", nlink_of("d"));
	mkdir("d/a", 0700);
	mkdir("d/b", 0700);
	write_file("d/f", "");
	val("parent nlink with 2 subdirs and a file", nlink_of("d"));
	int d = must("open d", open("d", O_RDONLY | O_DIRECTORY));
	ck("mkdirat", syscall(SYS_mkdirat, d, "c", 0750));
	fstatat(d, "c", &st, 0);
	say("mkdirat mode %o", st.st_mode & 07777);
	val("parent nlink after mkdirat", nlink_of("d"));
	ck("mkdirat bad dirfd", syscall(SYS_mkdirat, 999, "x", 0755));
	int f = must("open file", open("file", O_RDONLY));
	ck("mkdirat file dirfd", syscall(SYS_mkdirat, f, "x", 0755));
	close(f);
	ck("mkdirat absolute ignores dirfd", syscall(SYS_mkdirat, 999, "/", 0755));
	close(d);
	char name[300];
	memset(name, 'm', 256);
	name[256] = 0;
	ck("mkdir 256-char name", syscall(SYS_mkdir, name, 0755));
	name[255] = 0;
	ck("mkdir 255-char name", syscall(SYS_mkdir, name, 0755));
	ck("rmdir 255-char name", syscall(SYS_rmdir, name));
}

static void listing(void)
{
	list_dir("list d", "d");
	list_dir("list empty", "d/a");
	list_dir("list file", "file");
	int fd = must("open d", open("d", O_RDONLY | O_DIRECTORY));
	static char buffer[4096];
	val("getdents buffer 1 byte", syscall(SYS_getdents64, fd, buffer, 1));
	val("getdents bad buffer", syscall(SYS_getdents64, fd, (void *)8, 4096));
	val("getdents bad fd", syscall(SYS_getdents64, 999, buffer, sizeof buffer));
	lseek(fd, 0, SEEK_SET);
	/* One entry per call with a buffer that fits one record. */
	int calls = 0, total = 0;
	long n;
	while ((n = syscall(SYS_getdents64, fd, buffer, 32)) > 0) {
		calls++;
		total += ((struct linux_dirent64 *)buffer)->d_reclen == n;
	}
	say("small-buffer reads: %d calls, %d with exactly one record, last %s", calls, total,
	    n == 0 ? "0" : errno_name(errno));
	val("getdents at end", syscall(SYS_getdents64, fd, buffer, sizeof buffer));
	check_types(fd);
	close(fd);
	int file = must("open file", open("file", O_RDONLY));
	val("getdents on file", syscall(SYS_getdents64, file, buffer, sizeof buffer));
	close(file);

	/* Entries created and removed while the directory is open. */
	fd = must("open d", open("d", O_RDONLY | O_DIRECTORY));
	for (int k = 0; k < 100; k++) {
		char entry[32];
		snprintf(entry, sizeof entry, "d/many-%03d", k);
		write_file(entry, "");
	}
	int count = 0;
	lseek(fd, 0, SEEK_SET);
	while ((n = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0)
		for (long at = 0; at < n; at += ((struct linux_dirent64 *)(buffer + at))->d_reclen) count++;
	val("entries with 100 files", count);
	for (int k = 0; k < 100; k += 2) {
		char entry[32];
		snprintf(entry, sizeof entry, "d/many-%03d", k);
		unlink(entry);
	}
	count = 0;
	lseek(fd, 0, SEEK_SET);
	while ((n = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0)
		for (long at = 0; at < n; at += ((struct linux_dirent64 *)(buffer + at))->d_reclen) count++;
	val("entries after removing 50", count);
	for (int k = 1; k < 100; k += 2) {
		char entry[32];
		snprintf(entry, sizeof entry, "d/many-%03d", k);
		unlink(entry);
	}
	list_fd("list after removing all", fd);
	close(fd);
}

static void removing(void)
{
	ck("rmdir non-empty", syscall(SYS_rmdir, "d"));
	ck("rmdir file", syscall(SYS_rmdir, "file"));
	ck("rmdir missing", syscall(SYS_rmdir, "missing"));
	ck("rmdir dot", syscall(SYS_rmdir, "."));
	ck("rmdir d/.", syscall(SYS_rmdir, "d/."));
	ck("rmdir dotdot", syscall(SYS_rmdir, ".."));
	ck("rmdir d/a/..", syscall(SYS_rmdir, "d/a/.."));
	ck("rmdir root", syscall(SYS_rmdir, "/"));
	ck("rmdir empty path", syscall(SYS_rmdir, ""));
	ck("rmdir trailing slash", syscall(SYS_rmdir, "d/a/"));
	val("nlink after rmdir", nlink_of("d"));
	symlink("d/b", "link-b");
	ck("rmdir symlink to dir", syscall(SYS_rmdir, "link-b"));
	ck("rmdir symlink to dir/", syscall(SYS_rmdir, "link-b/"));
	ck("rmdir d/b", syscall(SYS_rmdir, "d/b"));
	val("nlink after second rmdir", nlink_of("d"));
	int fd = must("open d/c", open("d/c", O_RDONLY | O_DIRECTORY));
	ck("rmdir open dir", syscall(SYS_rmdir, "d/c"));
	static char buffer[1024];
	val("getdents on removed dir", syscall(SYS_getdents64, fd, buffer, sizeof buffer));
	ck("create in removed dir", syscall(SYS_openat, fd, "x", O_RDWR | O_CREAT, 0644));
	ck("mkdir in removed dir", syscall(SYS_mkdirat, fd, "x", 0755));
	memset(&st, 0, sizeof st);
	ck("fstat removed dir", syscall(SYS_fstat, fd, &st));
	val("removed dir nlink", st.st_nlink);
	close(fd);
}

static void cwd_checks(void)
{
	show_cwd("getcwd at start");
	ck("chdir d", syscall(SYS_chdir, "d"));
	show_cwd("getcwd in d");
	ck("chdir ..", syscall(SYS_chdir, ".."));
	show_cwd("getcwd back");
	ck("chdir file", syscall(SYS_chdir, "file"));
	ck("chdir missing", syscall(SYS_chdir, "missing"));
	ck("chdir empty", syscall(SYS_chdir, ""));
	ck("chdir through dangling symlink", syscall(SYS_chdir, "to-new"));
	mkdir("d/new", 0755);
	ck("chdir through symlink", syscall(SYS_chdir, "to-new"));
	show_cwd("getcwd after chdir through symlink");
	ck("chdir ../..", syscall(SYS_chdir, "../.."));
	show_cwd("getcwd back again");
	char small[4];
	val("getcwd size 1", syscall(SYS_getcwd, small, 1));
	val("getcwd size 0", syscall(SYS_getcwd, small, 0));
	val("getcwd bad buffer", syscall(SYS_getcwd, (void *)8, 4096));

	int d = must("open d", open("d", O_RDONLY | O_DIRECTORY));
	int file = must("open file", open("file", O_RDONLY));
	int here = must("open .", open(".", O_RDONLY | O_DIRECTORY));
	ck("fchdir d", syscall(SYS_fchdir, d));
	show_cwd("getcwd after fchdir");
	ck("fchdir file", syscall(SYS_fchdir, file));
	ck("fchdir bad fd", syscall(SYS_fchdir, 999));
	fchdir(here);
	close(file);
	close(d);

	mkdir("gone", 0755);
	chdir("gone");
	ck("rmdir cwd by path", syscall(SYS_rmdir, "../gone"));
	show_cwd("getcwd in removed dir");
	ck("create in removed cwd", syscall(SYS_open, "x", O_RDWR | O_CREAT, 0644));
	ck("stat . in removed cwd", syscall(SYS_stat, ".", &st));
	ck("chdir .. from removed dir", syscall(SYS_chdir, ".."));
	show_cwd("getcwd after leaving");
	close(here);
}

static void chroot_checks(void)
{
	mkdir("jail", 0755);
	mkdir("jail/inside", 0755);
	write_file("jail/file", "in jail");
	int old_root = must("open /", open("/", O_RDONLY | O_DIRECTORY));
	int old_cwd = must("open .", open(".", O_RDONLY | O_DIRECTORY));
	ck("chroot file", syscall(SYS_chroot, "file"));
	ck("chroot missing", syscall(SYS_chroot, "missing"));
	ck("chroot jail", syscall(SYS_chroot, "jail"));
	char outside[4096];
	syscall(SYS_getcwd, outside, sizeof outside);
	yes("getcwd outside the new root is (unreachable)", !strncmp(outside, "(unreachable)", 13));
	ck("chdir /", syscall(SYS_chdir, "/"));
	char cwd[256];
	val("getcwd in jail root", syscall(SYS_getcwd, cwd, sizeof cwd));
	say("jail cwd %s", cwd);
	list_dir("jail /", "/");
	list_dir("jail /..", "/..");
	ck("chdir ../../..", syscall(SYS_chdir, "../../.."));
	syscall(SYS_getcwd, cwd, sizeof cwd);
	say("jail cwd after climbing %s", cwd);
	char text[32];
	say("jail /file %s", read_file("/file", text, sizeof text));
	symlink("/file", "/inside/abs");
	say("absolute symlink inside jail %s", read_file("/inside/abs", text, sizeof text));
	chdir("/inside");
	syscall(SYS_getcwd, cwd, sizeof cwd);
	say("jail cwd inside %s", cwd);
	ck("fchdir to the old root fd", syscall(SYS_fchdir, old_root));
	ck("chroot . restores", syscall(SYS_chroot, "."));
	ck("back to old cwd", syscall(SYS_fchdir, old_cwd));
	show_cwd("getcwd after leaving the jail");
	yes("jail files visible again", access("jail/inside/abs", F_OK) != 0 &&
				       faccessat(AT_FDCWD, "jail/inside/abs", F_OK, AT_SYMLINK_NOFOLLOW) == 0);
	close(old_root);
	close(old_cwd);
}

static void as_user(void)
{
	const char *names[] = { "private", "open", "noexec", "noread" };
	const mode_t modes[] = { 0700, 0777, 0666, 0333 };
	for (int k = 0; k < 4; k++) {
		mkdir(names[k], 0);
		chmod(names[k], modes[k]);
	}
	mkdir("noread/sub", 0755);
	drop_root();
	ck("user mkdir in root-owned 0755", syscall(SYS_mkdir, "x", 0755));
	ck("user chdir private", syscall(SYS_chdir, "private"));
	ck("user chdir noexec", syscall(SYS_chdir, "noexec"));
	ck("user list noread", syscall(SYS_open, "noread", O_RDONLY | O_DIRECTORY));
	ck("user mkdir in noread", syscall(SYS_mkdir, "noread/x", 0755));
	ck("user rmdir in noread", syscall(SYS_rmdir, "noread/sub"));
	ck("user stat in noread", syscall(SYS_stat, "noread/sub", &st));
	ck("user stat in noexec", syscall(SYS_stat, "noexec/.", &st));
	ck("user fchdir noexec", syscall(SYS_fchdir, must("open noexec", open("noexec", O_RDONLY))));
	ck("user mkdir in open", syscall(SYS_mkdir, "open/mine", 0755));
	seen(stat("open/mine", &st));
	say("user dir owner %u:%u", st.st_uid, st.st_gid);
	ck("user chroot", syscall(SYS_chroot, "open"));
	ck("user rmdir own", syscall(SYS_rmdir, "open/mine"));
	regain_root();
}

int main(void)
{
	syscall(SYS_getcwd, start, sizeof start);
	enter_scratch("fs-dirs.d");
	making();
	listing();
	removing();
	cwd_checks();
	chroot_checks();
	as_user();
	leave_scratch("fs-dirs.d");
	return 0;
}
