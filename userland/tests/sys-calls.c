/* Guest test: the file-descriptor, identity, time, limit, signal-record, futex and prctl
 * syscalls with their error cases, called raw through syscall(2) so libc cannot hide the errno.
 * stdin, stdout and stderr are pipes in the test (the golden run's too); prints only what is the
 * same on every Linux run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* musl ships no <linux/futex.h>; the values are Linux's ABI. */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static void show(const char *label, long r) {
  if (r == -1) {
    const char *name = "?";
    switch (errno) {
    case EBADF: name = "EBADF"; break;
    case EINVAL: name = "EINVAL"; break;
    case EFAULT: name = "EFAULT"; break;
    case ESPIPE: name = "ESPIPE"; break;
    case ENOTTY: name = "ENOTTY"; break;
    case ESRCH: name = "ESRCH"; break;
    case EPERM: name = "EPERM"; break;
    case EAGAIN: name = "EAGAIN"; break;
    case ENOENT: name = "ENOENT"; break;
    case ERANGE: name = "ERANGE"; break;
    case ETIMEDOUT: name = "ETIMEDOUT"; break;
    case ENOSYS: name = "ENOSYS"; break;
    case EMFILE: name = "EMFILE"; break;
    }
    printf("%-44s -1 %s\n", label, name);
  } else {
    printf("%-44s %ld\n", label, r);
  }
}

#define S(label, ...) show(label, syscall(__VA_ARGS__))

int main(void) {
  char buf[64];

  /* read/write family on bad fds and pointers */
  S("read bad fd", SYS_read, 99, buf, 1);
  S("write bad fd", SYS_write, -1, buf, 1);
  S("write to stdin (read-only pipe)", SYS_write, 0, "x", 1);
  S("read from stdout (write-only pipe)", SYS_read, 1, buf, 1);
  S("write bad buffer", SYS_write, 1, (void *)16, 4);
  S("write zero bytes", SYS_write, 1, (void *)16, 0);
  S("pread64 on a pipe", SYS_pread64, 0, buf, 1, 0);
  S("pwrite64 on a pipe", SYS_pwrite64, 1, "x", 1, 0);
  S("pread64 negative offset", SYS_pread64, 0, buf, 1, -1);
  S("lseek on a pipe", SYS_lseek, 0, 0, SEEK_SET);
  S("lseek bad fd", SYS_lseek, 77, 0, SEEK_SET);
  struct iovec iov[3] = {{"ab", 2}, {NULL, 0}, {"c\n", 2}};
  S("writev with an empty iovec", SYS_writev, 1, iov, 3);
  S("writev negative count", SYS_writev, 1, iov, -1);
  S("writev count over IOV_MAX", SYS_writev, 1, iov, 1025);
  S("writev bad iovec pointer", SYS_writev, 1, (void *)8, 1);
  S("readv bad fd", SYS_readv, 42, iov, 1);

  /* dup family and fcntl */
  S("dup stdout", SYS_dup, 1);
  S("dup bad fd", SYS_dup, 500);
  S("dup2 to 10", SYS_dup2, 1, 10);
  S("dup2 same fd", SYS_dup2, 10, 10);
  S("dup2 bad old fd", SYS_dup2, 300, 11);
  S("dup2 new fd out of range", SYS_dup2, 1, 1 << 20);
  S("dup3 same fd", SYS_dup3, 10, 10, 0);
  S("dup3 bad flags", SYS_dup3, 10, 12, 1);
  S("dup3 cloexec", SYS_dup3, 10, 12, O_CLOEXEC);
  S("fcntl getfd after dup3 cloexec", SYS_fcntl, 12, F_GETFD);
  S("fcntl setfd 0", SYS_fcntl, 12, F_SETFD, 0);
  S("fcntl getfd", SYS_fcntl, 12, F_GETFD);
  S("fcntl dupfd from 20", SYS_fcntl, 1, F_DUPFD, 20);
  S("fcntl dupfd_cloexec from 20", SYS_fcntl, 1, F_DUPFD_CLOEXEC, 20);
  S("fcntl getfd of cloexec dup", SYS_fcntl, 21, F_GETFD);
  S("fcntl dupfd negative", SYS_fcntl, 1, F_DUPFD, -1);
  S("fcntl getfl stdout & accmode", SYS_fcntl, 1, F_GETFL) ;
  S("fcntl setfl nonblock", SYS_fcntl, 10, F_SETFL, O_NONBLOCK);
  show("fcntl getfl has nonblock", (syscall(SYS_fcntl, 10, F_GETFL) & O_NONBLOCK) != 0);
  S("fcntl setown no such pid", SYS_fcntl, 10, F_SETOWN, 999999);
  show("fcntl setown self", syscall(SYS_fcntl, 10, F_SETOWN, syscall(SYS_getpid)));
  show("fcntl getown is self", syscall(SYS_fcntl, 10, F_GETOWN) == syscall(SYS_getpid));
  S("fcntl setsig SIGUSR1", SYS_fcntl, 10, F_SETSIG, SIGUSR1);
  S("fcntl getsig", SYS_fcntl, 10, F_GETSIG);
  S("fcntl setsig 65", SYS_fcntl, 10, F_SETSIG, 65);
  S("fcntl unknown command", SYS_fcntl, 1, 12345);
  S("fcntl bad fd", SYS_fcntl, 99, F_GETFD);
  S("close 21", SYS_close, 21);
  S("close 21 again", SYS_close, 21);
  S("close -1", SYS_close, -1);

  /* ioctl on pipes */
  struct winsize ws;
  struct termios tio;
  S("ioctl TIOCGWINSZ on a pipe", SYS_ioctl, 1, TIOCGWINSZ, &ws);
  S("ioctl TCGETS on a pipe", SYS_ioctl, 0, TCGETS, &tio);
  int avail = -1;
  S("ioctl FIONREAD on stdin", SYS_ioctl, 0, FIONREAD, &avail);
  printf("FIONREAD bytes %d\n", avail);
  int on = 1;
  S("ioctl FIONBIO", SYS_ioctl, 11 - 1, FIONBIO, &on);
  S("ioctl bad fd", SYS_ioctl, 99, FIONREAD, &avail);
  S("ioctl unknown request", SYS_ioctl, 1, 0x12345678, 0);

  /* fstat and friends on stdio */
  struct stat st;
  S("fstat stdout", SYS_fstat, 1, &st);
  printf("stdout is a fifo %d\n", S_ISFIFO(st.st_mode));
  S("fstat bad fd", SYS_fstat, 99, &st);
  S("fstat bad pointer", SYS_fstat, 1, (void *)8);
  S("newfstatat empty path", SYS_newfstatat, 1, "", &st, AT_EMPTY_PATH);
  S("newfstatat empty path without flag", SYS_newfstatat, 1, "", &st, 0);
  S("newfstatat bad flags", SYS_newfstatat, 1, "", &st, 0x40000000);
  char stx[256];
  S("statx empty path", SYS_statx, 1, "", AT_EMPTY_PATH, 0x7ff, stx);
  S("statx reserved mask bit", SYS_statx, 1, "", AT_EMPTY_PATH, 0x80000000u, stx);
  S("readlink buffer size 0", SYS_readlink, "/proc/self/exe", buf, 0);
  long n = syscall(SYS_readlink, "/proc/self/exe", buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  printf("/proc/self/exe ends with sys-calls %d\n", n > 9 && strcmp(buf + n - 9, "sys-calls") == 0);
  S("readlink truncates to 3", SYS_readlink, "/proc/self/exe", buf, 3);
  S("getcwd size 1", SYS_getcwd, buf, 1);
  S("umask 027", SYS_umask, 027);
  S("umask 0777 returns 027", SYS_umask, 0777);

  /* identity */
  show("getpid == gettid", syscall(SYS_getpid) == syscall(SYS_gettid));
  show("set_tid_address returns tid", syscall(SYS_set_tid_address, NULL) == syscall(SYS_gettid));
  S("set_robust_list bad size", SYS_set_robust_list, NULL, 23);
  S("get_robust_list other pid", SYS_get_robust_list, 999999, buf, buf + 8);
  show("getgroups(0) >= 0", syscall(SYS_getgroups, 0, NULL) >= 0);

  /* uname, sysinfo, rlimits, getrandom */
  struct utsname u;
  S("uname", SYS_uname, &u);
  printf("sysname %s machine %s\n", u.sysname, u.machine);
  S("uname bad pointer", SYS_uname, (void *)8);
  struct sysinfo si;
  S("sysinfo", SYS_sysinfo, &si);
  printf("sysinfo mem_unit %u, totalram > freeram %d\n", si.mem_unit, si.totalram > si.freeram);
  struct rlimit rl;
  S("getrlimit NOFILE", SYS_getrlimit, RLIMIT_NOFILE, &rl);
  S("getrlimit bad resource", SYS_getrlimit, 99, &rl);
  struct rlimit low = {64, 64};
  S("setrlimit NOFILE 64", SYS_setrlimit, RLIMIT_NOFILE, &low);
  S("dup2 above the new limit", SYS_dup2, 1, 100);
  struct rlimit bad = {100, 50};
  S("setrlimit cur > max", SYS_setrlimit, RLIMIT_NOFILE, &bad);
  struct rlimit old;
  S("prlimit64 read STACK", SYS_prlimit64, 0, RLIMIT_STACK, NULL, &old);
  printf("stack soft limit is 8 MiB %d\n", old.rlim_cur == 8 << 20);
  S("prlimit64 no such pid", SYS_prlimit64, 999999, RLIMIT_STACK, NULL, &old);
  unsigned char rnd[32];
  S("getrandom 32", SYS_getrandom, rnd, 32, 0);
  S("getrandom bad flags", SYS_getrandom, rnd, 32, 0x100);
  S("getrandom bad pointer", SYS_getrandom, (void *)8, 32, 0);
  cpu_set_t set;
  show("sched_getaffinity >= 8", syscall(SYS_sched_getaffinity, 0, sizeof set, &set) >= 8);
  S("sched_getaffinity size 3", SYS_sched_getaffinity, 0, 3, &set);
  S("sched_yield", SYS_sched_yield);

  /* clocks */
  struct timespec ts, ts2;
  S("clock_gettime REALTIME", SYS_clock_gettime, CLOCK_REALTIME, &ts);
  printf("realtime after 2020 %d\n", ts.tv_sec > 1577836800);
  S("clock_gettime MONOTONIC", SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
  S("clock_gettime bad clock", SYS_clock_gettime, 99, &ts);
  S("clock_gettime bad pointer", SYS_clock_gettime, CLOCK_MONOTONIC, (void *)8);
  S("clock_getres MONOTONIC", SYS_clock_getres, CLOCK_MONOTONIC, &ts);
  printf("resolution 1ns %d\n", ts.tv_sec == 0 && ts.tv_nsec == 1);
  struct timespec nap = {0, 2000000};
  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
  S("nanosleep 2 ms", SYS_nanosleep, &nap, NULL);
  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts2);
  long slept = (ts2.tv_sec - ts.tv_sec) * 1000000000L + ts2.tv_nsec - ts.tv_nsec;
  printf("slept at least 2 ms %d\n", slept >= 2000000);
  struct timespec badnap = {0, 1000000000};
  S("nanosleep tv_nsec too big", SYS_nanosleep, &badnap, NULL);
  struct timespec negnap = {-1, 0};
  S("nanosleep negative", SYS_nanosleep, &negnap, NULL);
  S("clock_nanosleep bad clock", SYS_clock_nanosleep, 99, 0, &nap, NULL);
  struct timespec past = {0, 0};
  S("clock_nanosleep absolute past", SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL);
  show("time() agrees with gettimeofday", labs(syscall(SYS_time, NULL) - time(NULL)) <= 1);

  /* signal records */
  struct {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
  } act = {SIG_IGN, 0, NULL, 0}, oldact;
  S("rt_sigaction bad sigsetsize", SYS_rt_sigaction, SIGUSR1, &act, NULL, 4);
  S("rt_sigaction SIGKILL", SYS_rt_sigaction, SIGKILL, &act, NULL, 8);
  S("rt_sigaction signal 0", SYS_rt_sigaction, 0, &act, NULL, 8);
  S("rt_sigaction signal 65", SYS_rt_sigaction, 65, &act, NULL, 8);
  S("rt_sigaction ignore USR1", SYS_rt_sigaction, SIGUSR1, &act, NULL, 8);
  S("rt_sigaction read back", SYS_rt_sigaction, SIGUSR1, NULL, &oldact, 8);
  printf("old handler is SIG_IGN %d\n", oldact.handler == SIG_IGN);
  S("kill self with ignored USR1", SYS_kill, syscall(SYS_getpid), SIGUSR1);
  S("kill signal 0 (exists)", SYS_kill, syscall(SYS_getpid), 0);
  S("kill no such pid", SYS_kill, 999999, 0);
  S("kill bad signal", SYS_kill, syscall(SYS_getpid), 99);
  S("tgkill self signal 0", SYS_tgkill, syscall(SYS_getpid), syscall(SYS_gettid), 0);
  S("tgkill bad tgid", SYS_tgkill, -1, 1, 0);
  unsigned long mask = 1UL << (SIGUSR2 - 1), oldmask = 0;
  S("rt_sigprocmask block USR2", SYS_rt_sigprocmask, SIG_BLOCK, &mask, NULL, 8);
  S("rt_sigprocmask read", SYS_rt_sigprocmask, SIG_BLOCK, NULL, &oldmask, 8);
  printf("USR2 blocked %d\n", (oldmask & mask) != 0);
  S("rt_sigprocmask bad how", SYS_rt_sigprocmask, 7, &mask, NULL, 8);
  S("rt_sigprocmask bad size", SYS_rt_sigprocmask, SIG_BLOCK, &mask, NULL, 16);
  stack_t ss = {0}, oss;
  S("sigaltstack query", SYS_sigaltstack, NULL, &oss);
  printf("altstack disabled %d\n", (oss.ss_flags & SS_DISABLE) != 0);
  ss.ss_sp = buf;
  ss.ss_size = 100;
  S("sigaltstack too small", SYS_sigaltstack, &ss, NULL);
  ss.ss_flags = 12345;
  S("sigaltstack bad flags", SYS_sigaltstack, &ss, NULL);

  /* futex for one thread */
  uint32_t word = 5;
  S("futex wait value differs", SYS_futex, &word, FUTEX_WAIT_PRIVATE, 6, NULL);
  struct timespec tmo = {0, 1000000};
  S("futex wait timeout", SYS_futex, &word, FUTEX_WAIT_PRIVATE, 5, &tmo);
  S("futex wake nobody", SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1);
  S("futex unaligned", SYS_futex, (char *)&word + 1, FUTEX_WAKE, 1);
  S("futex bad op", SYS_futex, &word, 99, 1);
  S("futex wait bad address", SYS_futex, (void *)8, FUTEX_WAIT, 0, NULL);

  /* arch_prctl and prctl */
  unsigned long fs = 0;
  S("arch_prctl GET_FS", SYS_arch_prctl, 0x1003, &fs);
  printf("fs base nonzero %d\n", fs != 0);
  S("arch_prctl bad code", SYS_arch_prctl, 0x9999, 0);
  S("arch_prctl SET_GS kernel address", SYS_arch_prctl, 0x1001, 0xffff800000000000UL);
  S("prctl PR_SET_NAME", SYS_prctl, 15, "renamed-process", 0, 0, 0);
  char name[16] = {0};
  S("prctl PR_GET_NAME", SYS_prctl, 16, name, 0, 0, 0);
  printf("name %s\n", name);
  S("prctl GET_DUMPABLE", SYS_prctl, 3, 0, 0, 0, 0);
  S("prctl SET_DUMPABLE 2", SYS_prctl, 4, 2, 0, 0, 0);
  S("prctl SET_TIMERSLACK 1000", SYS_prctl, 29, 1000, 0, 0, 0);
  S("prctl GET_TIMERSLACK", SYS_prctl, 30, 0, 0, 0, 0);
  S("prctl SET_TIMERSLACK 0 (default)", SYS_prctl, 29, 0, 0, 0, 0);
  S("prctl GET_TIMERSLACK", SYS_prctl, 30, 0, 0, 0, 0);
  void *named = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  S("prctl SET_VMA anon name", SYS_prctl, 0x53564d41, 0, named, 8192, "buffers");
  S("prctl unknown option", SYS_prctl, 9999, 0, 0, 0, 0);
  S("missing syscall number 9999", 9999);
  fflush(stdout);
  syscall(SYS_exit_group, 0);
  return 1;
}
