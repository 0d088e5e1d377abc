/* Guest test for `--root DIR` confinement (tests/fs/confinement_test.ts): tries every way out of
 * the root a program can ask for -- ".." past "/", absolute and climbing symlinks (planted by the
 * host and made by the guest), hard links and creation through them, renames, openat2's
 * RESOLVE_IN_ROOT/RESOLVE_BENEATH, /proc/self/root and the classic chroot escapes -- and prints one
 * line per probe: "<probe>: <errno name>" or "<probe>: read <text>" / "ok" / "list <names>".
 *
 * Usage: fs-escape probe HOST_SECRET_PATH    the probes, in order (the chroot ones last)
 *        fs-escape race N                    N rounds of reads/writes of sub/ while the host
 *                                            swaps sub between a directory and a symlink
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SYS_OPENAT2_NR 437
#define RESOLVE_BENEATH 0x08
#define RESOLVE_IN_ROOT 0x10

struct open_how_v0 {
	uint64_t flags;
	uint64_t mode;
	uint64_t resolve;
};

static const char *errno_name(int e)
{
	switch (e) {
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EXDEV: return "EXDEV";
	case ELOOP: return "ELOOP";
	case EINVAL: return "EINVAL";
	case ENOSYS: return "ENOSYS";
	case EROFS: return "EROFS";
	case EBUSY: return "EBUSY";
	case ENOTEMPTY: return "ENOTEMPTY";
	case EBADF: return "EBADF";
	default: return "E?";
	}
}

static void say(const char *probe, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(const char *probe, const char *fmt, ...)
{
	va_list ap;
	printf("%s: ", probe);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void fail(const char *probe) { say(probe, "%s", errno_name(errno)); }

/* Prints the first line of what `fd` holds (or its errno), then closes it. */
static void report_fd(const char *probe, int fd)
{
	if (fd < 0) {
		fail(probe);
		return;
	}
	char buf[256];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n < 0) {
		fail(probe);
		return;
	}
	buf[n] = 0;
	char *nl = strchr(buf, '\n');
	if (nl) *nl = 0;
	say(probe, "read %s", buf);
}

static void try_open(const char *probe, const char *path)
{
	report_fd(probe, open(path, O_RDONLY));
}

static void check(const char *probe, int result)
{
	if (result < 0) fail(probe);
	else say(probe, "ok");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "list <sorted names>" of a directory, without "." and "..". */
static void list(const char *probe, const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		fail(probe);
		return;
	}
	char *names[256];
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d)) && count < 256) {
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) names[count++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, count, sizeof names[0], by_name);
	printf("%s: list", probe);
	for (int i = 0; i < count; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	putchar('\n');
	fflush(stdout);
}

static void cwd(const char *probe)
{
	char buf[4096];
	if (!getcwd(buf, sizeof buf)) fail(probe);
	else say(probe, "cwd %s", buf);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0) perror(path);
		close(fd);
	}
}

static int openat2_call(int dirfd, const char *path, uint64_t resolve)
{
	struct open_how_v0 how = { O_RDONLY, 0, resolve };
	return (int)syscall(SYS_OPENAT2_NR, dirfd, path, &how, sizeof how);
}

static void openat2_create(const char *probe, int dirfd, const char *path, uint64_t resolve)
{
	struct open_how_v0 how = { O_WRONLY | O_CREAT, 0644, resolve };
	int fd = (int)syscall(SYS_OPENAT2_NR, dirfd, path, &how, sizeof how);
	check(probe, fd);
	if (fd >= 0) close(fd);
}

static void dotdot_probes(void)
{
	try_open("open-dotdot-passwd", "/../../etc/passwd");
	try_open("open-dotdot-secret", "../../../outside/secret");
	try_open("open-dotdot-slash-secret", "/../outside/secret");
	for (int i = 0; i < 50; i++) {
		if (chdir("..") < 0) fail("chdir-dotdot");
	}
	cwd("chdir-dotdot-50");
	list("list-after-dotdot", ".");
	list("list-root-dotdot", "/..");
}

static void planted_link_probes(const char *host_secret)
{
	try_open("open-abs-passwd-link", "/abs-passwd");
	try_open("open-abs-secret-link", "/abs-secret");
	try_open("open-rel-secret-link", "/rel-secret");
	try_open("open-deep-secret-link", "/sub/deep-secret");
	try_open("open-outdir-secret", "/outdir/secret");
	list("list-outdir", "/outdir");
	try_open("open-hostabs-link", "/hostabs");
	try_open("open-host-path", host_secret);
}

static void made_link_probes(const char *host_secret)
{
	check("symlink-climbing", symlink("../../../outside/secret", "/made-climb"));
	try_open("open-made-climb", "/made-climb");
	check("symlink-host-path", symlink(host_secret, "/made-host"));
	try_open("open-made-host", "/made-host");
	check("link-dotdot-secret", link("/../outside/secret", "/hl-dotdot"));
	check("link-follow-rel-secret",
	      linkat(AT_FDCWD, "/rel-secret", AT_FDCWD, "/hl-rel", AT_SYMLINK_FOLLOW));
	check("link-host-path", link(host_secret, "/hl-host"));
	check("link-outdir-secret", link("/outdir/secret", "/hl-outdir"));
}

static void creation_probes(void)
{
	int fd = open("/../outside/new", O_WRONLY | O_CREAT, 0644);
	check("create-dotdot-outside", fd);
	if (fd >= 0) close(fd);
	fd = open("/rel-secret", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	check("create-through-rel-secret", fd);
	if (fd >= 0) close(fd);
	fd = open("/outdir/new", O_WRONLY | O_CREAT, 0644);
	check("create-in-outdir", fd);
	if (fd >= 0) close(fd);
	check("symlink-dangling-inside", symlink("/tmp/made-via-link", "/mk"));
	fd = open("/mk", O_WRONLY | O_CREAT, 0644);
	check("create-through-dangling", fd);
	if (fd >= 0) {
		if (write(fd, "via link\n", 9) != 9) fail("write-through-dangling");
		close(fd);
	}
	try_open("open-made-via-link", "/tmp/made-via-link");
	check("mkdir-dotdot", mkdir("/../../made-dir", 0755));
	write_file("/moveme", "moved inside\n");
	check("rename-dotdot", rename("/moveme", "/../../../moved"));
	try_open("open-moved", "/moved");
}

/* Renames sub away, puts a symlink to ../outside in its place, opens through it, puts it back. */
static void rename_loop(void)
{
	int inside = 0, escapes = 0;
	for (int i = 0; i < 20; i++) {
		if (rename("/sub", "/subreal") < 0 || symlink("../outside", "/sub") < 0) {
			fail("rename-loop-setup");
			return;
		}
		int fd = open("/sub/secret", O_RDONLY);
		if (fd >= 0) {
			escapes++;
			report_fd("rename-loop-escape", fd);
		}
		if (unlink("/sub") < 0 || rename("/subreal", "/sub") < 0) {
			fail("rename-loop-restore");
			return;
		}
		fd = open("/sub/file", O_RDONLY);
		if (fd >= 0) {
			inside++;
			close(fd);
		}
	}
	say("rename-loop", "%d inside reads, %d escapes", inside, escapes);
}

static void openat2_probes(void)
{
	int sub = open("/sub", O_PATH | O_DIRECTORY);
	int root = open("/", O_PATH | O_DIRECTORY);
	report_fd("openat2-in-root-dotdot", openat2_call(sub, "../../etc/passwd", RESOLVE_IN_ROOT));
	report_fd("openat2-in-root-absolute", openat2_call(sub, "/etc/passwd", RESOLVE_IN_ROOT));
	report_fd("openat2-in-root-file", openat2_call(sub, "../file", RESOLVE_IN_ROOT));
	report_fd("openat2-in-root-deep-link", openat2_call(sub, "deep-secret", RESOLVE_IN_ROOT));
	report_fd("openat2-beneath-dotdot", openat2_call(sub, "../etc/passwd", RESOLVE_BENEATH));
	report_fd("openat2-beneath-deep-link", openat2_call(sub, "deep-secret", RESOLVE_BENEATH));
	report_fd("openat2-beneath-root-dotdot",
		  openat2_call(root, "../outside/secret", RESOLVE_BENEATH));
	report_fd("openat2-beneath-file", openat2_call(sub, "file", RESOLVE_BENEATH));
	openat2_create("openat2-beneath-create-dotdot", sub, "../made-beneath", RESOLVE_BENEATH);
	openat2_create("openat2-beneath-create-absolute", sub, "/made-beneath", RESOLVE_BENEATH);
	openat2_create("openat2-in-root-create-dotdot", sub, "../../made-in-root", RESOLVE_IN_ROOT);
	openat2_create("openat2-in-root-create-absolute", sub, "/made-in-root-abs", RESOLVE_IN_ROOT);
	check("symlink-climbing-in-sub", symlink("../../made-through-link", "/sub/climb-create"));
	openat2_create("openat2-in-root-create-link", sub, "climb-create", RESOLVE_IN_ROOT);
	openat2_create("openat2-beneath-create-link", sub, "climb-create", RESOLVE_BENEATH);
	list("list-sub-after-openat2", "/sub");
	list("list-root-after-openat2", "/");
	close(sub);
	close(root);
}

static void proc_probes(void)
{
	char target[4096];
	ssize_t n = readlink("/proc/self/root", target, sizeof target - 1);
	if (n < 0) fail("readlink-proc-root");
	else {
		target[n] = 0;
		say("readlink-proc-root", "%s", target);
	}
	try_open("open-proc-root-passwd", "/proc/self/root/etc/passwd");
	try_open("open-proc-root-dotdot-secret", "/proc/self/root/../../outside/secret");
	list("list-proc-root-dotdot", "/proc/self/root/..");
	try_open("open-proc-cwd-dotdot-secret", "/proc/self/cwd/../outside/secret");
}

/* Linux lets a process whose cwd is outside its new root climb out with ".."; here the
 * outermost root is the --root directory, so the climb must stop there. */
static void chroot_probes(void)
{
	check("mkdir-jail", mkdir("/jail", 0755));
	check("chroot-jail", chroot("/jail"));
	for (int i = 0; i < 50; i++) chdir("..");
	check("chroot-dot", chroot("."));
	cwd("cwd-after-chroot-escape");
	list("list-after-chroot-escape", "/");
	try_open("open-after-chroot-escape", "/etc/passwd");
	try_open("open-secret-after-chroot-escape", "/../outside/secret");

	int saved = open("/", O_RDONLY | O_DIRECTORY);
	check("mkdir-jail2", mkdir("/jail2", 0755));
	check("chroot-jail2", chroot("/jail2"));
	check("chdir-jail2-root", chdir("/"));
	check("fchdir-saved", fchdir(saved));
	for (int i = 0; i < 50; i++) chdir("..");
	check("chroot-fchdir-dot", chroot("."));
	list("list-after-fchdir-escape", "/");
	try_open("open-secret-after-fchdir-escape", "../outside/secret");
	close(saved);
}

static void probe(const char *host_secret)
{
	dotdot_probes();
	planted_link_probes(host_secret);
	made_link_probes(host_secret);
	creation_probes();
	rename_loop();
	openat2_probes();
	proc_probes();
	chroot_probes();
}

/* Reads and appends through sub/ while the host swaps it with a symlink to ../outside. */
static void race(int rounds)
{
	int reads = 0, writes = 0, misses = 0;
	for (int i = 0; i < rounds; i++) {
		char buf[256];
		int fd = open("/sub/secret", O_RDONLY);
		if (fd >= 0) report_fd("race-secret", fd);
		fd = open("/sub/file", O_RDONLY);
		if (fd >= 0) {
			ssize_t n = read(fd, buf, sizeof buf - 1);
			if (n > 0) {
				buf[n] = 0;
				if (strncmp(buf, "inside sub file", 15)) say("race-wrong-content", "%s", buf);
				reads++;
			}
			close(fd);
		} else misses++;
		fd = open("/sub/guest-wrote", O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			if (write(fd, "x", 1) == 1) writes++;
			close(fd);
		}
		DIR *d = opendir("/sub");
		if (d) {
			struct dirent *e;
			while ((e = readdir(d))) {
				if (!strcmp(e->d_name, "secret")) say("race-listed-secret", "%s", e->d_name);
			}
			closedir(d);
		}
	}
	say("race", "%d rounds", rounds);
	fprintf(stderr, "race: %d reads, %d writes, %d misses\n", reads, writes, misses);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "probe")) probe(argv[2]);
	else if (argc == 3 && !strcmp(argv[1], "race")) race(atoi(argv[2]));
	else {
		fprintf(stderr, "usage: %s probe HOST_SECRET_PATH | race N\n", argv[0]);
		return 2;
	}
	return 0;
}
