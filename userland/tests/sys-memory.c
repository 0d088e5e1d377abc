/* Guest test: memory syscalls and their error cases (brk, mmap, munmap, mprotect, mremap,
 * madvise), faults caught with a SIGSEGV handler, and stack growth. Prints only what is the same on
 * every Linux run. */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *err(long r) {
  if (r != -1) return "ok";
  switch (errno) {
  case EINVAL: return "EINVAL";
  case ENOMEM: return "ENOMEM";
  case EEXIST: return "EEXIST";
  case EFAULT: return "EFAULT";
  case EBADF: return "EBADF";
  case ENODEV: return "ENODEV";
  case EACCES: return "EACCES";
  case EOPNOTSUPP: return "EOPNOTSUPP";
  default: return strerror(errno);
  }
}

#define CHECK(label, expr) do { long r_ = (long)(expr); printf("%-40s %s\n", label, err(r_)); } while (0)
#define MCHECK(label, expr) do { void *p_ = (expr); printf("%-40s %s\n", label, p_ == MAP_FAILED ? err(-1) : "ok"); } while (0)

static sigjmp_buf jump;
static void on_segv(int sig) { siglongjmp(jump, sig); }

int main(void) {
  long page = sysconf(_SC_PAGESIZE);
  printf("page size %ld\n", page);

  // brk: query, grow, touch, shrink, refuse below the start.
  char *b0 = (char *)syscall(SYS_brk, 0);
  char *b1 = (char *)syscall(SYS_brk, b0 + 100000);
  printf("brk grows by %ld\n", (long)(b1 - b0));
  memset(b0, 0x5a, 100000);
  printf("brk memory reads back %d\n", b0[99999]);
  char *b2 = (char *)syscall(SYS_brk, b0 + 10);
  printf("brk shrinks to start+%ld\n", (long)(b2 - b0));
  char *b3 = (char *)syscall(SYS_brk, (char *)0x1000);
  printf("brk below start keeps %s\n", b3 == b2 ? "the old break" : "something else");

  // mmap argument checks.
  MCHECK("mmap len 0", mmap(0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  MCHECK("mmap no type", mmap(0, page, PROT_READ, MAP_ANONYMOUS, -1, 0));
  MCHECK("mmap both shared+private bits=3 validate", mmap(0, page, PROT_READ, MAP_SHARED_VALIDATE | MAP_ANONYMOUS | 0x800000, -1, 0));
  MCHECK("mmap unaligned offset", mmap(0, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1));
  MCHECK("mmap fixed unaligned", mmap((void *)0x10001000 + 1, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));
  MCHECK("mmap bad fd", mmap(0, page, PROT_READ, MAP_PRIVATE, 99, 0));
  MCHECK("mmap huge length", mmap(0, (size_t)1 << 62, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  MCHECK("mmap fixed above user space", mmap((void *)0x7ffffffff000, 2 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0));

  // Anonymous memory is zero, hint honoured when free, FIXED replaces, NOREPLACE refuses.
  unsigned char *a = mmap(0, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int zero = 1;
  for (long i = 0; i < 4 * page; i++) zero &= a[i] == 0;
  printf("anonymous memory zeroed %d, page aligned %d\n", zero, ((uintptr_t)a % page) == 0);
  memset(a, 1, 4 * page);
  void *hint = (void *)0x200000000;
  void *h = mmap(hint, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("hint honoured %d\n", h == hint);
  MCHECK("mmap fixed_noreplace over mapping", mmap(hint, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0));
  unsigned char *f = mmap(a + page, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  printf("fixed replaces: same address %d, contents now %d, neighbours %d %d\n", f == a + page, f[0], a[0], a[2 * page]);

  // munmap rules, then touching unmapped memory faults.
  CHECK("munmap unaligned", munmap(a + 1, page));
  CHECK("munmap len 0", munmap(a, 0));
  CHECK("munmap middle page", munmap(a + 2 * page, page));
  CHECK("munmap already unmapped", munmap(a + 2 * page, page));
  signal(SIGSEGV, on_segv);
  int sig = sigsetjmp(jump, 1);
  if (sig == 0) {
    volatile unsigned char x = a[2 * page];
    (void)x;
    printf("read of unmapped page did not fault\n");
  } else {
    printf("read of unmapped page: signal %d\n", sig);
  }

  // mprotect: read-only pages fault on write; holes give ENOMEM; bad prot EINVAL.
  CHECK("mprotect read-only", mprotect(a, page, PROT_READ));
  sig = sigsetjmp(jump, 1);
  if (sig == 0) {
    a[0] = 2;
    printf("write to read-only page did not fault\n");
  } else {
    printf("write to read-only page: signal %d, value kept %d\n", sig, a[0]);
  }
  CHECK("mprotect back to rw", mprotect(a, page, PROT_READ | PROT_WRITE));
  a[0] = 3;
  printf("writable again %d\n", a[0]);
  CHECK("mprotect across hole", mprotect(a, 4 * page, PROT_READ));
  CHECK("mprotect bad prot bits", mprotect(a, page, 0x100));
  CHECK("mprotect unaligned", mprotect(a + 1, page, PROT_READ));
  CHECK("mprotect none then back", mprotect(a + 3 * page, page, PROT_NONE));
  CHECK("mprotect none restore", mprotect(a + 3 * page, page, PROT_READ | PROT_WRITE));
  printf("data survives PROT_NONE %d\n", a[3 * page]);

  // mremap: grow in place or move, contents preserved; shrink; bad flags.
  unsigned char *m = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (int i = 0; i < 2 * page; i++) m[i] = (unsigned char)i;
  unsigned char *m2 = mremap(m, 2 * page, 64 * page, MREMAP_MAYMOVE);
  int same = 1;
  for (int i = 0; i < 2 * page; i++) same &= m2[i] == (unsigned char)i;
  printf("mremap grow keeps data %d, new tail zero %d\n", same, m2[63 * page] == 0);
  unsigned char *m3 = mremap(m2, 64 * page, page, 0);
  printf("mremap shrink in place %d\n", m3 == m2);
  MCHECK("mremap bad flags", mremap(m3, page, 2 * page, 0x80));
  MCHECK("mremap fixed without maymove", mremap(m3, page, 2 * page, MREMAP_FIXED, (void *)0x300000000));
  MCHECK("mremap unmapped source", mremap((void *)0x400000000, page, 2 * page, MREMAP_MAYMOVE));
  MCHECK("mremap new len 0", mremap(m3, page, 0, MREMAP_MAYMOVE));
  void *fx = mremap(m3, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)0x300000000);
  printf("mremap fixed target %d, value %d\n", fx == (void *)0x300000000, ((unsigned char *)fx)[5]);

  // madvise: DONTNEED zeroes private anonymous memory; bad advice EINVAL; hole ENOMEM.
  unsigned char *d = mmap(0, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  memset(d, 9, 2 * page);
  CHECK("madvise dontneed", madvise(d, page, MADV_DONTNEED));
  printf("after dontneed %d %d\n", d[0], d[page]);
  CHECK("madvise bad advice", madvise(d, page, 12345));
  CHECK("madvise unaligned", madvise(d + 1, page, MADV_NORMAL));
  munmap(d + page, page);
  CHECK("madvise over hole", madvise(d, 2 * page, MADV_NORMAL));

  // Shared anonymous memory works like private within one process.
  int *s = mmap(0, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  s[10] = 42;
  printf("shared anonymous %d\n", s[10]);

  // A grows-down mapping.
  char *g = mmap(0, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
  printf("growsdown mapped %d\n", g != MAP_FAILED);
  g[4 * page - 1] = 1;

  // Deep recursion grows the main stack on demand.
  volatile char big[1 << 20];
  big[0] = 1;
  big[sizeof big - 1] = 2;
  printf("1 MiB stack frame ok %d\n", big[0] + big[sizeof big - 1]);
  return 0;
}
