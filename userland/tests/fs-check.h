/* Shared helpers of the fs-*.c guest tests: one printed line per check ("label: ok", "label: 5",
 * "label: EEXIST"), errno names, sorted directory listings (getdents64 order is the
 * filesystem's), a scratch folder under the working directory and its removal, and dropping root
 * to uid/gid 65534 and back. The tests call the syscalls themselves through syscall(2), so libc
 * can neither emulate nor hide them. */
#ifndef FS_CHECK_H
#define FS_CHECK_H

#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* Not every test uses every helper. */
#define HELPER static __attribute__((unused))

HELPER const char *errno_name(int e)
{
	static char other[32];
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case ENOTBLK: return "ENOTBLK";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EXDEV: return "EXDEV";
	case ENODEV: return "ENODEV";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case ENFILE: return "ENFILE";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case ETXTBSY: return "ETXTBSY";
	case EFBIG: return "EFBIG";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case EROFS: return "EROFS";
	case EMLINK: return "EMLINK";
	case ERANGE: return "ERANGE";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOSYS: return "ENOSYS";
	case ENOTEMPTY: return "ENOTEMPTY";
	case ELOOP: return "ELOOP";
	case ENODATA: return "ENODATA";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ESTALE: return "ESTALE";
	}
	snprintf(other, sizeof other, "errno %d", e);
	return other;
}

/* "label: ok" on success, "label: ENAME" on failure; returns the result. */
HELPER long ck(const char *label, long r)
{
	if (r < 0) printf("%s: %s\n", label, errno_name(errno));
	else printf("%s: ok\n", label);
	return r;
}

/* "label: N" on success (the value is deterministic), "label: ENAME" on failure. */
HELPER long val(const char *label, long r)
{
	if (r < 0) printf("%s: %s\n", label, errno_name(errno));
	else printf("%s: %ld\n", label, r);
	return r;
}

HELPER void yes(const char *label, int condition)
{
	printf("%s: %s\n", label, condition ? "yes" : "no");
}

HELPER void say(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vprintf(format, args);
	va_end(args);
	putchar('\n');
}

/* A step whose result is used, not printed (a stat before printing a field): a failure shows as
 * its own line instead of leaving stale values to be printed. */
HELPER void seen(long r)
{
	if (r < 0) printf("unexpected failure: %s\n", errno_name(errno));
}

/* A setup step that must work on every filesystem; failing ends the test visibly. */
HELPER long must(const char *what, long r)
{
	if (r < 0) {
		printf("setup failed: %s: %s\n", what, errno_name(errno));
		exit(1);
	}
	return r;
}

HELPER void write_file(const char *path, const char *text)
{
	int fd = must(path, open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	must(path, write(fd, text, strlen(text)));
	close(fd);
}

/* Reads up to size-1 bytes of a file as a string ("<errno>" when it cannot be opened). */
HELPER const char *read_file(const char *path, char *buffer, size_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		snprintf(buffer, size, "<%s>", errno_name(errno));
		return buffer;
	}
	long n = read(fd, buffer, size - 1);
	close(fd);
	buffer[n < 0 ? 0 : n] = 0;
	return buffer;
}

HELPER int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Prints "label: name name ..." for a directory fd's entries, sorted (getdents64 order is the
 * filesystem's). */
HELPER void list_fd(const char *label, int fd)
{
	static char buffer[8192];
	char *names[256];
	int count = 0;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buffer, sizeof buffer);
		if (n < 0) {
			printf("%s: %s\n", label, errno_name(errno));
			return;
		}
		if (n == 0) break;
		for (long at = 0; at < n;) {
			struct linux_dirent64 *entry = (struct linux_dirent64 *)(buffer + at);
			if (count < 256) names[count++] = strdup(entry->d_name);
			at += entry->d_reclen;
		}
	}
	qsort(names, count, sizeof names[0], compare_names);
	printf("%s:", label);
	for (int k = 0; k < count; k++) {
		printf(" %s", names[k]);
		free(names[k]);
	}
	putchar('\n');
}

HELPER void list_dir(const char *label, const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0) {
		printf("%s: %s\n", label, errno_name(errno));
		return;
	}
	list_fd(label, fd);
	close(fd);
}

/* rm -rf of a name in `dirfd`, with unlinkat only (so it exercises the filesystem too). Names
 * are collected before any is removed; what cannot be removed is left (bounded work). */
HELPER void remove_tree_at(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM)) return;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
	if (fd < 0) return;
	static char buffer[4096];
	char **names = NULL;
	size_t count = 0;
	long n;
	while ((n = syscall(SYS_getdents64, fd, buffer, sizeof buffer)) > 0) {
		for (long at = 0; at < n;) {
			struct linux_dirent64 *entry = (struct linux_dirent64 *)(buffer + at);
			at += entry->d_reclen;
			if (!strcmp(entry->d_name, ".") || !strcmp(entry->d_name, "..")) continue;
			names = realloc(names, (count + 1) * sizeof *names);
			names[count++] = strdup(entry->d_name);
		}
	}
	for (size_t k = 0; k < count; k++) {
		remove_tree_at(fd, names[k]);
		free(names[k]);
	}
	free(names);
	close(fd);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Creates `name` (fresh) in the working directory and enters it. */
HELPER void enter_scratch(const char *name)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* fd numbers in the output must not depend on what the launcher left open */
	syscall(SYS_close_range, 3, ~0U, 0);
	umask(022);
	remove_tree_at(AT_FDCWD, name);
	must("mkdir scratch", mkdir(name, 0755));
	must("chdir scratch", chdir(name));
}

HELPER void leave_scratch(const char *name)
{
	must("chdir ..", chdir(".."));
	remove_tree_at(AT_FDCWD, name);
	struct stat st;
	if (lstat(name, &st) == 0) say("cleanup: %s still exists", name);
}

/* The real, effective and saved ids become 65534 except the saved uid (0), so regain_root can
 * switch back: the usual way a root daemon acts as a user for a while. */
HELPER void drop_root(void)
{
	must("setgroups", syscall(SYS_setgroups, 0, NULL));
	must("setresgid", syscall(SYS_setresgid, 65534, 65534, 65534));
	must("setresuid", syscall(SYS_setresuid, 65534, 65534, 0));
}

HELPER void regain_root(void)
{
	must("setresuid 0", syscall(SYS_setresuid, 0, 0, 0));
	must("setresgid 0", syscall(SYS_setresgid, 0, 0, 0));
}

#endif
