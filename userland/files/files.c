// The file benchmark's guest program (bench/files, built by `deno task build:compute`): file
// system work timed inside the program with clock_gettime(CLOCK_MONOTONIC), so the same static
// binary can be compared natively, under qemu-x86_64 and under NexaOS on any directory.
//
// Usage: files DIR [MIB] [COUNT]      (defaults: 64 MiB, 10000 files)
// Prints one line per phase: "<name> <nanoseconds> <checksum as 16 hex digits>":
//   write   MIB sequential 1 MiB write()s to DIR/big          fsync   fsync() of DIR/big
//   read    read() it back in 1 MiB pieces (checked)          create  COUNT 100-byte files
//   stat    stat() each of them                               unlink  unlink() each of them
// Checksums depend only on MIB and COUNT. Everything the program creates is removed at the end.

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PIECE (1 << 20)
#define PAGE 4096
#define SMALL_SIZE 100

static char path_buf[4096];

static uint64_t now_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    perror("files: clock_gettime(CLOCK_MONOTONIC)");
    exit(4);
  }
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/** Folds a value into a running checksum (splitmix64's finaliser over the xor). */
static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9u;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebu;
  return h ^ (h >> 31);
}

static void fail(const char *what, const char *path) {
  fprintf(stderr, "files: %s %s: %s\n", what, path, strerror(errno));
  exit(1);
}

static const char *in_dir(const char *dir, const char *name) {
  snprintf(path_buf, sizeof path_buf, "%.3000s/%s", dir, name);
  return path_buf;
}

static void report(const char *name, uint64_t start, uint64_t checksum) {
  uint64_t ns = now_ns() - start;
  printf("%s %llu %016llx\n", name, (unsigned long long)ns, (unsigned long long)checksum);
  fflush(stdout);
}

/** The first 8 bytes of every page of piece `n`: the piece and page numbers. */
static void stamp(unsigned char *piece, uint64_t n) {
  for (uint64_t page = 0; page < PIECE / PAGE; page++) {
    uint64_t word = n << 32 | page;
    memcpy(piece + page * PAGE, &word, 8);
  }
}

/** What the read phase's checksum must be: every page's first word and the piece's last. */
static uint64_t expected_read_checksum(const unsigned char *piece, uint64_t mib) {
  uint64_t h = 0, last;
  memcpy(&last, piece + PIECE - 8, 8);
  for (uint64_t n = 0; n < mib; n++) {
    for (uint64_t page = 0; page < PIECE / PAGE; page++) h = mix(h, n << 32 | page);
    h = mix(h, last);
  }
  return h;
}

static void big_file(const char *dir, uint64_t mib) {
  unsigned char *piece = malloc(PIECE);
  if (!piece) fail("malloc", "1 MiB");
  for (uint64_t k = 0; k < PIECE; k++) piece[k] = (unsigned char)((k * 2654435761u) >> 13);
  const char *path = in_dir(dir, "big");
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) fail("create", path);

  uint64_t start = now_ns();
  for (uint64_t n = 0; n < mib; n++) {
    stamp(piece, n);
    if (write(fd, piece, PIECE) != PIECE) fail("write", path);
  }
  report("write", start, mix(mib, PIECE));

  start = now_ns();
  if (fsync(fd) != 0) fail("fsync", path);
  report("fsync", start, mix(mib, 1));
  close(fd);

  uint64_t expected = expected_read_checksum(piece, mib);
  fd = open(path, O_RDONLY);
  if (fd < 0) fail("open", path);
  start = now_ns();
  uint64_t h = 0, total = 0;
  for (;;) {
    ssize_t got = 0;
    while (got < PIECE) {
      ssize_t n = read(fd, piece + got, PIECE - got);
      if (n < 0) fail("read", path);
      if (n == 0) break;
      got += n;
    }
    if (got == 0) break;
    total += got;
    for (ssize_t page = 0; page < got / PAGE; page++) {
      uint64_t word;
      memcpy(&word, piece + page * PAGE, 8);
      h = mix(h, word);
    }
    uint64_t last;
    memcpy(&last, piece + got - 8, 8);
    h = mix(h, last);
  }
  report("read", start, h);
  close(fd);
  if (total != mib * PIECE || h != expected) {
    fprintf(stderr, "files: read back %llu bytes that differ from what was written\n",
            (unsigned long long)total);
    exit(3);
  }
  if (unlink(path) != 0) fail("unlink", path);
  free(piece);
}

static const char *small_name(const char *dir, unsigned i) {
  snprintf(path_buf, sizeof path_buf, "%.3000s/small/f%05u", dir, i);
  return path_buf;
}

static void small_files(const char *dir, unsigned count) {
  char content[SMALL_SIZE];
  memset(content, 'x', sizeof content);
  const char *sub = in_dir(dir, "small");
  if (mkdir(sub, 0755) != 0) fail("mkdir", sub);

  uint64_t start = now_ns();
  for (unsigned i = 0; i < count; i++) {
    const char *path = small_name(dir, i);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) fail("create", path);
    if (write(fd, content, sizeof content) != sizeof content) fail("write", path);
    close(fd);
  }
  report("create", start, mix(count, SMALL_SIZE));

  start = now_ns();
  uint64_t h = 0;
  for (unsigned i = 0; i < count; i++) {
    struct stat st;
    const char *path = small_name(dir, i);
    if (stat(path, &st) != 0) fail("stat", path);
    h = mix(h, (uint64_t)st.st_size << 32 | (st.st_mode & 07777) | (st.st_nlink << 16));
  }
  report("stat", start, h);

  start = now_ns();
  for (unsigned i = 0; i < count; i++) {
    const char *path = small_name(dir, i);
    if (unlink(path) != 0) fail("unlink", path);
  }
  report("unlink", start, mix(count, 2));
  sub = in_dir(dir, "small");
  if (rmdir(sub) != 0) fail("rmdir", sub);
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 4) {
    fprintf(stderr, "usage: %s DIR [MIB] [COUNT]\n", argv[0]);
    return 2;
  }
  uint64_t mib = argc > 2 ? strtoull(argv[2], NULL, 10) : 64;
  unsigned long count = argc > 3 ? strtoul(argv[3], NULL, 10) : 10000;
  if (mib < 1 || mib > 4096 || count < 1 || count > 99999) {
    fprintf(stderr, "files: MIB must be 1-4096 and COUNT 1-99999\n");
    return 2;
  }
  big_file(argv[1], mib);
  small_files(argv[1], (unsigned)count);
  return 0;
}
