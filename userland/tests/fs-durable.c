/* Guest test for fsync durability (tests/fs/durability_test.ts): creates DIR (and DIR/nested),
 * writes one file per SIZE argument with content the test can recompute, fsyncs each file and its
 * directory and prints "synced K" after the K-th, then changes the same directories forever
 * without syncing (new files, appends, renames, unlinks, directories), printing "unsynced J"
 * after each round, until it is killed.
 *
 * Usage: fs-durable DIR SIZE...
 * File i is DIR/file-i (odd i: DIR/nested/file-i); byte k of it is durable_byte(i, k).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 8192

static unsigned char durable_byte(unsigned i, unsigned long k)
{
	return (unsigned char)(k * 131 + i * 7 + (k >> 10));
}

static void die(const char *what, const char *path)
{
	fprintf(stderr, "fs-durable: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void say(const char *word, unsigned long n)
{
	char line[64];
	int len = snprintf(line, sizeof line, "%s %lu\n", word, n);
	if (write(1, line, len) != len) exit(1);
}

static void sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0) die("open", path);
	if (fsync(fd) < 0) die("fsync", path);
	close(fd);
}

static void write_all(int fd, const unsigned char *data, size_t len, const char *path)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n <= 0) die("write", path);
		data += n;
		len -= n;
	}
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST) die("mkdir", path);
}

static void write_synced(const char *dir, const char *nested, unsigned i, unsigned long size)
{
	char path[4096];
	snprintf(path, sizeof path, "%.1000s/file-%u", i % 2 ? nested : dir, i);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) die("create", path);
	static unsigned char buf[CHUNK];
	for (unsigned long done = 0; done < size;) {
		size_t len = size - done < CHUNK ? size - done : CHUNK;
		for (size_t k = 0; k < len; k++) buf[k] = durable_byte(i, done + k);
		write_all(fd, buf, len, path);
		done += len;
	}
	if (fsync(fd) < 0) die("fsync", path);
	close(fd);
	sync_dir(i % 2 ? nested : dir);
}

/* One round of unsynced changes to the directories that hold the synced files. */
static void churn(const char *dir, const char *nested, unsigned long round)
{
	static unsigned char junk[8 * CHUNK + 123];
	memset(junk, (int)(round & 0xff), sizeof junk);
	char path[4096], other[4096];
	snprintf(path, sizeof path, "%.1000s/unsynced-%lu", round % 2 ? nested : dir, round);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) die("create", path);
	write_all(fd, junk, sizeof junk, path);
	close(fd);
	snprintf(path, sizeof path, "%.1000s/growing", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0) die("open", path);
	write_all(fd, junk, sizeof junk, path);
	close(fd);
	if (round % 3 == 2) {
		snprintf(path, sizeof path, "%.1000s/unsynced-%lu", round % 2 ? dir : nested, round - 1);
		if (unlink(path) < 0 && errno != ENOENT) die("unlink", path); /* ENOENT: renamed */
	}
	if (round % 5 == 4) {
		snprintf(path, sizeof path, "%.1000s/unsynced-%lu", round % 2 ? nested : dir, round);
		snprintf(other, sizeof other, "%.1000s/renamed-%lu", round % 2 ? dir : nested, round);
		if (rename(path, other) < 0) die("rename", path);
		snprintf(path, sizeof path, "%.1000s/dir-%lu", dir, round);
		make_dir(path);
	}
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s DIR SIZE...\n", argv[0]);
		return 2;
	}
	const char *dir = argv[1];
	if (strlen(dir) > 900) {
		fprintf(stderr, "fs-durable: DIR is longer than 900 bytes\n");
		return 2;
	}
	char nested[4096], parent[4096];
	snprintf(nested, sizeof nested, "%.1000s/nested", dir);
	snprintf(parent, sizeof parent, "%.1000s/..", dir);
	make_dir(dir);
	sync_dir(parent);
	make_dir(nested);
	sync_dir(dir);
	for (int i = 2; i < argc; i++) {
		write_synced(dir, nested, i - 2, strtoul(argv[i], NULL, 10));
		say("synced", i - 1);
	}
	for (unsigned long round = 1;; round++) {
		churn(dir, nested, round);
		say("unsynced", round);
	}
}
