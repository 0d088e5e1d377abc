/* Guest test: memory-mapped files. MAP_SHARED writes reach the file and read(2)/write(2) stay
 * coherent with mappings; MAP_PRIVATE copies on write; msync and its argument checks; pages past
 * the end of file raise SIGBUS (BUS_ADRERR), also after ftruncate shrinks a mapped file; mmap's
 * error cases in Linux's order; mremap and mprotect of file mappings; an unlinked file stays
 * mapped. Prints only what is the same on every Linux run (no addresses, names or times). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 4096
#define FILE_SIZE 10000

static const char *errname(int e) {
  switch (e) {
  case EINVAL: return "EINVAL";
  case ENOMEM: return "ENOMEM";
  case EBADF: return "EBADF";
  case ENODEV: return "ENODEV";
  case EACCES: return "EACCES";
  case EOVERFLOW: return "EOVERFLOW";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  case EEXIST: return "EEXIST";
  case EFAULT: return "EFAULT";
  case EPERM: return "EPERM";
  default: return strerror(e);
  }
}

static void check(const char *label, long r) {
  printf("%-44s %s\n", label, r == -1 ? errname(errno) : "ok");
}

static void *mcheck(const char *label, void *p) {
  printf("%-44s %s\n", label, p == MAP_FAILED ? errname(errno) : "ok");
  return p;
}

static unsigned char pattern(long i) { return (unsigned char)(i * 7 + i / 251); }

/* Made in the working directory, so the test runs on whichever filesystem holds it. */
static const char path[] = "file-mmap.dat";

static int fresh_file(long size) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) { perror("open"); exit(1); }
  unsigned char *buf = malloc(size);
  for (long i = 0; i < size; i++) buf[i] = pattern(i);
  if (write(fd, buf, size) != size) { perror("write"); exit(1); }
  free(buf);
  return fd;
}

static int file_byte(int fd, long at) {
  unsigned char c;
  long n = pread(fd, &c, 1, at);
  return n == 1 ? c : -1;
}

static sigjmp_buf jump;
static volatile int fault_code;
static void *volatile fault_addr;

static void on_fault(int sig, siginfo_t *info, void *ctx) {
  (void)ctx;
  fault_code = info->si_code;
  fault_addr = info->si_addr;
  siglongjmp(jump, sig);
}

/* Touch *p (a read, or a write of `value` when >= 0); describe what happened. */
static void touch(const char *label, volatile unsigned char *p, int value) {
  int sig = sigsetjmp(jump, 1);
  if (sig == 0) {
    int got = value >= 0 ? (*p = (unsigned char)value) : *p;
    printf("%-44s read %d\n", label, got);
    return;
  }
  printf("%-44s %s code %d%s\n", label, sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "?",
         fault_code, fault_addr == (void *)p ? " at the address" : " elsewhere");
}

static void shared_and_coherent(void) {
  printf("-- shared mappings\n");
  int fd = fresh_file(FILE_SIZE);
  unsigned char *p = mcheck("mmap shared rw 3 pages", mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  int same = 1;
  for (long i = 0; i < FILE_SIZE; i++) same &= p[i] == pattern(i);
  printf("mapping shows the file: %s\n", same ? "yes" : "no");
  printf("tail of last page reads zero: %s\n", p[FILE_SIZE] == 0 && p[3 * PAGE - 1] == 0 ? "yes" : "no");
  p[5] = 'A';
  p[5000] = 'B';
  printf("pread sees mapped writes: %d %d\n", file_byte(fd, 5), file_byte(fd, 5000));
  pwrite(fd, "Z", 1, 7000);
  printf("mapping sees pwrite: %d\n", p[7000]);
  unsigned char *q = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
  q[10] = 'C';
  printf("second mapping at offset 4096 sees first: %d, first sees second: %d\n", q[5000 - PAGE], p[PAGE + 10]);
  p[FILE_SIZE + 5] = 'X'; /* past EOF inside the last page: never reaches the file */
  struct stat st;
  fstat(fd, &st);
  printf("size after writing past EOF in the page: %ld\n", (long)st.st_size);
  check("msync MS_SYNC", msync(p, 3 * PAGE, MS_SYNC));
  check("msync MS_ASYNC", msync(p, PAGE, MS_ASYNC));
  check("msync MS_INVALIDATE", msync(p, PAGE, MS_INVALIDATE));
  check("msync unaligned address", msync(p + 1, PAGE, MS_SYNC));
  check("msync unknown flag", msync(p, PAGE, 8));
  check("msync MS_ASYNC|MS_SYNC", msync(p, PAGE, MS_ASYNC | MS_SYNC));
  check("msync length 0", msync(p, 0, MS_SYNC));
  check("munmap second mapping", munmap(q, 2 * PAGE));
  unsigned char *holey = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  check("munmap its middle page", munmap(holey + PAGE, PAGE));
  holey[2 * PAGE + 7] = 'H';
  check("msync MS_SYNC over a hole", msync(holey, 3 * PAGE, MS_SYNC));
  check("msync MS_ASYNC over a hole", msync(holey, 3 * PAGE, MS_ASYNC));
  printf("msync over a hole still wrote: %d\n", file_byte(fd, 2 * PAGE + 7));
  munmap(holey, 3 * PAGE);
  fstat(fd, &st);
  printf("size after msync: %ld\n", (long)st.st_size);
  check("munmap", munmap(p, 3 * PAGE));
  close(fd);
  fd = open(path, O_RDONLY);
  printf("after reopening: %d %d %d %d %d\n", file_byte(fd, 5), file_byte(fd, 5000), file_byte(fd, 7000),
         file_byte(fd, PAGE + 10), file_byte(fd, 6) == pattern(6));
  unsigned char tail[8];
  printf("bytes readable past old EOF: %ld\n", (long)pread(fd, tail, sizeof tail, FILE_SIZE));
  close(fd);
}

static void private_copy_on_write(void) {
  printf("-- private mappings\n");
  int fd = fresh_file(FILE_SIZE);
  unsigned char *priv = mcheck("mmap private rw", mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0));
  unsigned char *shared = mcheck("mmap shared rw", mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  printf("private reads the file: %s\n", priv[100] == pattern(100) ? "yes" : "no");
  priv[100] = 'P';
  printf("after a private write: private %d, file %d, shared %d\n", priv[100], file_byte(fd, 100), shared[100]);
  shared[200] = 'S'; /* same page as the private copy: the copy does not change */
  shared[PAGE + 1] = 'T'; /* a page the private mapping never wrote: it sees the file */
  printf("after shared writes: private %d (copied page), private %d (untouched page)\n", priv[200] == pattern(200), priv[PAGE + 1]);
  pwrite(fd, "W", 1, 2 * PAGE + 3);
  printf("private sees pwrite on an unwritten page: %d\n", priv[2 * PAGE + 3]);
  check("msync private MS_SYNC", msync(priv, 3 * PAGE, MS_SYNC));
  printf("file after msync of private: %d\n", file_byte(fd, 100));
  check("munmap private", munmap(priv, 3 * PAGE));
  printf("file after munmap of private: %d\n", file_byte(fd, 100));

  int ro = open(path, O_RDONLY);
  unsigned char *r = mcheck("mmap private rw of O_RDONLY file", mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0));
  r[0] = 'R';
  printf("private write on read-only file: %d, file %d\n", r[0], file_byte(fd, 0));
  unsigned char *r2 = mcheck("mmap private read-only", mmap(0, PAGE, PROT_READ, MAP_PRIVATE, ro, 0));
  check("mprotect it read-write", mprotect(r2, PAGE, PROT_READ | PROT_WRITE));
  r2[1] = 'Q';
  printf("after mprotect and write: %d, file %d, shared %d\n", r2[1], file_byte(fd, 1), shared[1] == pattern(1));
  check("mprotect PROT_NONE", mprotect(r2, PAGE, PROT_NONE));
  check("mprotect back to read", mprotect(r2, PAGE, PROT_READ));
  printf("private copy survives PROT_NONE: %d\n", r2[1]);
  unsigned char *s2 = mcheck("mmap shared read-only of O_RDONLY file", mmap(0, PAGE, PROT_READ, MAP_SHARED, ro, 0));
  check("mprotect it writable", mprotect(s2, PAGE, PROT_READ | PROT_WRITE));
  munmap(r, PAGE);
  munmap(r2, PAGE);
  munmap(s2, PAGE);
  munmap(shared, 3 * PAGE);
  close(ro);
  close(fd);
}

static void past_end_of_file(void) {
  printf("-- past the end of file\n");
  int fd = fresh_file(FILE_SIZE);
  unsigned char *p = mcheck("mmap 5 pages of a 3-page file", mmap(0, 5 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
  touch("read last byte of the file", p + FILE_SIZE - 1, -1);
  touch("read in the tail of the last page", p + FILE_SIZE + 10, -1);
  touch("read the page after EOF", p + 3 * PAGE, -1);
  touch("write the page after EOF", p + 4 * PAGE + 8, 1);
  check("ftruncate to 5000", ftruncate(fd, 5000));
  touch("read below the new EOF", p + 4000, -1);
  touch("read the page past the new EOF", p + 2 * PAGE + 16, -1);
  touch("read the new tail (zeroed)", p + 6000, -1);
  check("ftruncate to 20000", ftruncate(fd, 20000));
  touch("read a page the file grew into", p + 4 * PAGE, -1);
  touch("write it", p + 4 * PAGE + 1, 66);
  printf("pread sees it: %d\n", file_byte(fd, 4 * PAGE + 1));
  unsigned char *priv = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 3 * PAGE);
  touch("private mapping, file page 4", priv + PAGE, -1);
  touch("private write, file page 3", priv, 9);
  check("ftruncate to 4096", ftruncate(fd, PAGE));
  touch("private copy past the new EOF", priv, -1);
  munmap(priv, 2 * PAGE);
  check("munmap", munmap(p, 5 * PAGE));
  struct stat st;
  fstat(fd, &st);
  printf("final size: %ld\n", (long)st.st_size);
  close(fd);
}

static void remap_and_unlink(void) {
  printf("-- mremap, munmap pieces, unlink\n");
  int fd = fresh_file(3 * PAGE);
  unsigned char *p = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
  p[0] = 'M';
  unsigned char *grown = mremap(p, PAGE, 3 * PAGE, MREMAP_MAYMOVE);
  printf("mremap grow: %s\n", grown == MAP_FAILED ? errname(errno) : "ok");
  printf("grown mapping keeps offset: %d %s\n", grown[0], grown[PAGE + 2] == pattern(2 * PAGE + 2) ? "yes" : "no");
  touch("grown past EOF", grown + 2 * PAGE, -1);
  check("munmap the middle page", munmap(grown + PAGE, PAGE));
  grown[2] = 'N';
  printf("pieces still write the file: %d %d\n", file_byte(fd, PAGE), file_byte(fd, PAGE + 2));
  unsigned char *dup = mremap(grown, 0, PAGE, MREMAP_MAYMOVE);
  printf("mremap old size 0 duplicates: %s", dup == MAP_FAILED ? errname(errno) : "ok");
  if (dup != MAP_FAILED) {
    dup[3] = 'D';
    printf(", other view sees it: %d", grown[3]);
    munmap(dup, PAGE);
  }
  printf("\n");
  check("unlink while mapped", unlink(path));
  close(fd);
  grown[4] = 'U';
  printf("unlinked file still mapped: %d %d\n", grown[0], grown[4]);
  munmap(grown, 3 * PAGE);
}

static void mmap_errors(void) {
  printf("-- mmap errors\n");
  int fd = fresh_file(FILE_SIZE);
  int ro = open(path, O_RDONLY);
  int wo = open(path, O_WRONLY);
  int dir = open(".", O_RDONLY | O_DIRECTORY);
  int opath = open(path, O_PATH);
  mcheck("unaligned offset", mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, 1));
  mcheck("unaligned offset, bad fd", mmap(0, PAGE, PROT_READ, MAP_SHARED, 99, 1));
  mcheck("length 0", mmap(0, 0, PROT_READ, MAP_SHARED, fd, 0));
  mcheck("length 0, bad fd", mmap(0, 0, PROT_READ, MAP_SHARED, 99, 0));
  mcheck("bad fd", mmap(0, PAGE, PROT_READ, MAP_SHARED, 99, 0));
  mcheck("O_PATH fd", mmap(0, PAGE, PROT_READ, MAP_SHARED, opath, 0));
  mcheck("offset + length past 2^63", mmap(0, 2 * PAGE, PROT_READ, MAP_SHARED, fd, (off_t)0x7ffffffffffff000));
  mcheck("no map type", mmap(0, PAGE, PROT_READ, 0, fd, 0));
  mcheck("MAP_SHARED_VALIDATE with MAP_SYNC", mmap(0, PAGE, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, fd, 0));
  void *v = mcheck("MAP_SHARED_VALIDATE plain", mmap(0, PAGE, PROT_READ, MAP_SHARED_VALIDATE, fd, 0));
  if (v != MAP_FAILED) munmap(v, PAGE);
  mcheck("shared writable, O_RDONLY", mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0));
  mcheck("shared read, O_WRONLY", mmap(0, PAGE, PROT_READ, MAP_SHARED, wo, 0));
  mcheck("private, O_WRONLY", mmap(0, PAGE, PROT_READ, MAP_PRIVATE, wo, 0));
  mcheck("directory", mmap(0, PAGE, PROT_READ, MAP_PRIVATE, dir, 0));
  mcheck("MAP_GROWSDOWN file", mmap(0, PAGE, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, fd, 0));
  mcheck("MAP_HUGETLB file", mmap(0, PAGE, PROT_READ, MAP_PRIVATE | MAP_HUGETLB, fd, 0));
  unsigned char *fixed = mcheck("anonymous for MAP_FIXED", mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  mcheck("MAP_FIXED_NOREPLACE over it", mmap(fixed, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0));
  unsigned char *over = mcheck("MAP_FIXED file over anonymous", mmap(fixed + PAGE, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0));
  printf("fixed mapping shows the file: %s\n", over == fixed + PAGE && over[9] == pattern(9) ? "yes" : "no");
  munmap(fixed, 2 * PAGE);
  mcheck("offset far past EOF (maps fine)", mmap(0, PAGE, PROT_READ, MAP_SHARED, fd, 1 << 30));
  close(fd);
  close(ro);
  close(wo);
  close(dir);
  close(opath);
  unlink(path);
}

/* Character devices: /dev/zero maps fresh zero memory of its own; the others cannot be mapped. */
static void dev_zero(void) {
  printf("-- /dev/zero and other devices\n");
  int zero = open("/dev/zero", O_RDWR);
  unsigned char *priv = mcheck("/dev/zero private", mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0));
  unsigned char *shared = mcheck("/dev/zero shared", mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, zero, 0));
  printf("reads zero: %d %d\n", priv[PAGE + 1], shared[PAGE + 1]);
  priv[1] = 5;
  shared[1] = 6;
  unsigned char *again = mmap(0, PAGE, PROT_READ, MAP_PRIVATE, zero, 0);
  printf("written: %d %d, a new mapping still reads %d\n", priv[1], shared[1], again[1]);
  char c = 1;
  long got = read(zero, &c, 1);
  printf("read(2) of /dev/zero still gives zero: %ld %d\n", got, c);
  int zero_ro = open("/dev/zero", O_RDONLY);
  mcheck("/dev/zero shared writable, O_RDONLY", mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, zero_ro, 0));
  const char *others[] = {"/dev/null", "/dev/full", "/dev/urandom"};
  for (int i = 0; i < 3; i++) {
    int fd = open(others[i], O_RDWR);
    char label[64];
    snprintf(label, sizeof label, "%s private", others[i]);
    mcheck(label, mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 0));
    close(fd);
  }
  close(zero);
  close(zero_ro);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "dev-zero") == 0) {
    dev_zero();
    return 0;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGBUS, &sa, 0);
  sigaction(SIGSEGV, &sa, 0);
  shared_and_coherent();
  private_copy_on_write();
  past_end_of_file();
  remap_and_unlink();
  mmap_errors();
  return 0;
}
