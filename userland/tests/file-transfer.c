/* Guest test: sendfile and copy_file_range. Whole-file and partial copies, the offset pointer
 * versus the file offset, short copies at end of file, sendfile to stdout, coherence with a
 * shared mapping, and the error cases in Linux's order. Prints only what is the same on every
 * Linux run (no names, addresses or times). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#define SIZE 300000

static const char *errname(int e) {
  switch (e) {
  case EINVAL: return "EINVAL";
  case EBADF: return "EBADF";
  case EISDIR: return "EISDIR";
  case EFAULT: return "EFAULT";
  case ESPIPE: return "ESPIPE";
  case EOVERFLOW: return "EOVERFLOW";
  case EXDEV: return "EXDEV";
  default: return strerror(e);
  }
}

static void show(const char *label, long r) {
  if (r < 0) printf("%-48s %s\n", label, errname(errno));
  else printf("%-48s %ld\n", label, r);
}

static unsigned char pattern(long i) { return (unsigned char)(i * 13 + i / 509); }

/* Made in the working directory, so the test runs on whichever filesystem holds it. */
static const char src_path[] = "transfer-src.dat";
static const char dst_path[] = "transfer-dst.dat";

static long offset_of(int fd) { return (long)lseek(fd, 0, SEEK_CUR); }

static long size_of(int fd) {
  struct stat st;
  fstat(fd, &st);
  return (long)st.st_size;
}

/* Bytes of `fd` in [from, from+len) that differ from pattern(i + shift). */
static long mismatches(int fd, long from, long len, long shift) {
  unsigned char *buf = malloc(len);
  long n = pread(fd, buf, len, from), bad = 0;
  if (n != len) bad = len - (n < 0 ? 0 : n);
  for (long i = 0; i < n; i++) bad += buf[i] != pattern(from + i + shift);
  free(buf);
  return bad;
}

/* Nonzero bytes of `fd` in [from, from+len). */
static long nonzero(int fd, long from, long len) {
  unsigned char buf[256];
  long n = pread(fd, buf, len, from), bad = 0;
  for (long i = 0; i < n; i++) bad += buf[i] != 0;
  return bad;
}

static int reopen_dst(int flags) {
  int fd = open(dst_path, flags | O_TRUNC);
  if (fd < 0) { perror("open dst"); exit(1); }
  return fd;
}

static void test_sendfile(int src) {
  printf("-- sendfile\n");
  int dst = reopen_dst(O_RDWR);
  lseek(src, 0, SEEK_SET);
  long total = 0, r;
  while ((r = sendfile(dst, src, NULL, SIZE)) > 0) total += r;
  printf("whole file: %ld bytes, last call %ld, src offset %ld, dst offset %ld\n", total, r,
         offset_of(src), offset_of(dst));
  printf("copy mismatches: %ld\n", mismatches(dst, 0, SIZE, 0));

  off_t off = 1000;
  lseek(src, 5, SEEK_SET);
  lseek(dst, 0, SEEK_SET);
  show("with offset 1000, count 5000", sendfile(dst, src, &off, 5000));
  printf("offset now %ld, src offset still %ld, dst offset %ld\n", (long)off, offset_of(src), offset_of(dst));
  printf("copied from 1000: mismatches %ld\n", mismatches(dst, 0, 5000, 1000));
  off = SIZE - 10;
  show("10 bytes before EOF, count 100", sendfile(dst, src, &off, 100));
  printf("offset now %ld\n", (long)off);
  show("at EOF", sendfile(dst, src, &off, 100));
  show("count 0", sendfile(dst, src, NULL, 0));
  off = -1;
  show("negative offset", sendfile(dst, src, &off, 10));
  printf("offset stored back: %ld\n", (long)off);
  show("offset pointer not mapped", sendfile(dst, src, (off_t *)8, 10));

  int dir = open(".", O_RDONLY | O_DIRECTORY);
  int wo = open(src_path, O_WRONLY);
  int ap = open(dst_path, O_WRONLY | O_APPEND);
  int ro = open(dst_path, O_RDONLY);
  show("bad in fd", sendfile(dst, 99, NULL, 10));
  show("in fd write-only", sendfile(dst, wo, NULL, 10));
  show("bad out fd", sendfile(99, src, NULL, 10));
  show("out fd read-only", sendfile(ro, src, NULL, 10));
  show("out fd O_APPEND", sendfile(ap, src, NULL, 10));
  show("in fd a directory", sendfile(dst, dir, NULL, 10));
  show("out fd a directory", sendfile(dir, src, NULL, 10));
  close(dir);
  close(wo);
  close(ap);
  close(ro);

  /* To stdout: a short text file, whole. */
  int text = reopen_dst(O_RDWR);
  const char msg[] = "sendfile reached stdout\n";
  write(text, msg, sizeof msg - 1);
  off = 0;
  fflush(stdout);
  long sent = 0;
  while (sent < (long)sizeof msg - 1 && (r = sendfile(1, text, &off, sizeof msg)) > 0) sent += r;
  printf("sent %ld bytes to stdout\n", sent);
  close(text);
  close(dst);
}

static void test_copy_file_range(int src) {
  printf("-- copy_file_range\n");
  int dst = reopen_dst(O_RDWR);
  lseek(src, 0, SEEK_SET);
  long total = 0, r;
  while ((r = copy_file_range(src, NULL, dst, NULL, SIZE, 0)) > 0) total += r;
  printf("whole file: %ld bytes, last call %ld, offsets %ld %ld\n", total, r, offset_of(src), offset_of(dst));
  printf("copy mismatches: %ld\n", mismatches(dst, 0, SIZE, 0));

  loff_t in = 100, out = SIZE + 50; /* past dst's end: leaves a hole */
  show("with both offsets", copy_file_range(src, &in, dst, &out, 4000, 0));
  printf("offsets now %ld %ld, file offsets %ld %ld, dst size %ld\n", (long)in, (long)out,
         offset_of(src), offset_of(dst), size_of(dst));
  printf("copied range mismatches %ld, hole bytes nonzero %ld\n",
         mismatches(dst, SIZE + 50, 4000, 100 - (SIZE + 50)), nonzero(dst, SIZE, 50));
  in = SIZE - 30;
  show("30 bytes before EOF, len 1000", copy_file_range(src, &in, dst, NULL, 1000, 0));
  show("at EOF", copy_file_range(src, &in, dst, NULL, 1000, 0));
  in = SIZE + 10;
  show("past EOF", copy_file_range(src, &in, dst, NULL, 1000, 0));
  show("len 0", copy_file_range(src, NULL, dst, NULL, 0, 0));
  show("flags 1", copy_file_range(src, NULL, dst, NULL, 10, 1));

  in = 0;
  loff_t same = 100;
  int rw = open(src_path, O_RDWR);
  show("same file, overlapping", copy_file_range(rw, &in, rw, &same, 1000, 0));
  same = 1000;
  show("same file, apart", copy_file_range(rw, &in, rw, &same, 1000, 0));
  printf("same-file copy mismatches %ld\n", mismatches(rw, 1000, 1000, -1000));
  in = 0;
  same = 1000;
  show("same file via two fds, apart", copy_file_range(src, &in, rw, &same, 10, 0));
  close(rw);

  in = -5;
  show("negative in offset", copy_file_range(src, &in, dst, NULL, 10, 0));
  in = 0;
  out = -5;
  show("negative out offset", copy_file_range(src, &in, dst, &out, 10, 0));
  show("in offset pointer not mapped", copy_file_range(src, (loff_t *)8, dst, NULL, 10, 0));

  int dir = open(".", O_RDONLY | O_DIRECTORY);
  int wo = open(src_path, O_WRONLY);
  int ap = open(dst_path, O_WRONLY | O_APPEND);
  int ro = open(dst_path, O_RDONLY);
  show("bad in fd", copy_file_range(99, NULL, dst, NULL, 10, 0));
  show("bad out fd", copy_file_range(src, NULL, 99, NULL, 10, 0));
  show("in write-only", copy_file_range(wo, NULL, dst, NULL, 10, 0));
  show("out read-only", copy_file_range(src, NULL, ro, NULL, 10, 0));
  show("out O_APPEND", copy_file_range(src, NULL, ap, NULL, 10, 0));
  show("in a directory", copy_file_range(dir, NULL, dst, NULL, 10, 0));
  show("out a directory", copy_file_range(src, NULL, dir, NULL, 10, 0));
  close(dir);
  close(wo);
  close(ap);
  close(ro);
  close(dst);
}

static void test_coherence(int src) {
  printf("-- with a shared mapping\n");
  int dst = reopen_dst(O_RDWR);
  ftruncate(dst, 8192);
  unsigned char *map = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, dst, 0);
  loff_t in = 0, out = 4096;
  show("copy_file_range into a mapped file", copy_file_range(src, &in, dst, &out, 100, 0));
  printf("mapping sees the copy: %s\n", map[4096 + 99] == pattern(99) && map[4096] == pattern(0) ? "yes" : "no");
  memcpy(map, "mapped bytes", 12);
  off_t off = 0;
  int back = open(src_path, O_RDWR);
  lseek(back, 0, SEEK_SET);
  show("sendfile from the mapped file", sendfile(back, dst, &off, 12));
  char buf[13] = {0};
  pread(back, buf, 12, 0);
  printf("sendfile read the mapped writes: %s\n", buf);
  close(back);
  munmap(map, 8192);
  close(dst);
}

int main(void) {
  int fd = open(src_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  int fd2 = open(dst_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0 || fd2 < 0) { perror("open"); return 1; }
  close(fd2);
  unsigned char *buf = malloc(SIZE);
  for (long i = 0; i < SIZE; i++) buf[i] = pattern(i);
  if (write(fd, buf, SIZE) != SIZE) { perror("write"); return 1; }
  free(buf);
  close(fd);
  int src = open(src_path, O_RDONLY);
  test_sendfile(src);
  test_copy_file_range(src);
  test_coherence(src);
  close(src);
  unlink(src_path);
  unlink(dst_path);
  return 0;
}
