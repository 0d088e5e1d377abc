// Priority, scheduling-policy and resource-usage syscalls on the calling process only (never
// another process: run natively as root it would change the host). tests/kernel/sched_native_test.ts
// compares its output under NexaOS with the native one.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>

static void show(const char *what, long r) {
  if (r == -1) printf("%s = -1 errno %d\n", what, errno);
  else printf("%s = %ld\n", what, r);
}

static long setsched(int policy, int prio) {
  struct sched_param sp = {.sched_priority = prio};
  return syscall(SYS_sched_setscheduler, 0, policy, &sp);
}

int main(void) {
  printf("uid %d\n", (int)getuid());
  show("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
  show("setpriority 5", syscall(SYS_setpriority, PRIO_PROCESS, 0, 5));
  show("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, getpid()));
  show("setpriority 100", syscall(SYS_setpriority, PRIO_PROCESS, 0, 100));
  show("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
  show("setpriority 3", syscall(SYS_setpriority, PRIO_PROCESS, 0, 3));
  show("getpriority which 3", syscall(SYS_getpriority, 3, 0));
  show("setpriority which -1", syscall(SYS_setpriority, -1, 0, 0));
  show("getpriority no pid", syscall(SYS_getpriority, PRIO_PROCESS, 0x3fffffff));
  show("setpriority no pgrp", syscall(SYS_setpriority, PRIO_PGRP, 0x3fffffff, 0));
  show("libc getpriority", getpriority(PRIO_PROCESS, 0));
  for (int p = -1; p <= 8; p++) {
    printf("policy %d: max %ld min %ld\n", p, syscall(SYS_sched_get_priority_max, p),
           syscall(SYS_sched_get_priority_min, p));
  }
  struct sched_param sp = {0};
  struct timespec ts = {7, 7};
  show("getscheduler", syscall(SYS_sched_getscheduler, 0));
  show("set batch", setsched(SCHED_BATCH, 0));
  show("set idle", setsched(SCHED_IDLE, 0));
  show("getscheduler", syscall(SYS_sched_getscheduler, getpid()));
  show("set ext", setsched(7, 0));
  show("set deadline", setsched(6, 0));
  show("set 4", setsched(4, 0));
  show("set other prio 1", setsched(SCHED_OTHER, 1));
  show("set fifo prio 0", setsched(SCHED_FIFO, 0));
  show("set fifo prio 100", setsched(SCHED_FIFO, 100));
  show("set fifo prio -1", setsched(SCHED_FIFO, -1));
  show("set -1", setsched(-1, 0));
  show("set other NULL", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
  show("set other bad param", syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, (void *)8));
  show("set other no pid", syscall(SYS_sched_setscheduler, 0x3fffffff, SCHED_OTHER, &sp));
  show("set other pid -1", syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &sp));
  show("set fifo 10", setsched(SCHED_FIFO, 10));
  show("getscheduler", syscall(SYS_sched_getscheduler, 0));
  show("getparam", syscall(SYS_sched_getparam, 0, &sp));
  printf("priority %d\n", sp.sched_priority);
  show("rr interval fifo", syscall(SYS_sched_rr_get_interval, 0, &ts));
  printf("interval %ld.%09ld\n", (long)ts.tv_sec, ts.tv_nsec);
  sp.sched_priority = 20;
  show("setparam 20", syscall(SYS_sched_setparam, 0, &sp));
  sp.sched_priority = 0;
  show("getparam", syscall(SYS_sched_getparam, 0, &sp));
  printf("priority %d\n", sp.sched_priority);
  sp.sched_priority = 0;
  show("setparam 0", syscall(SYS_sched_setparam, 0, &sp));
  show("getpriority under fifo", syscall(SYS_getpriority, PRIO_PROCESS, 0));
  show("set rr|reset 20", setsched(SCHED_RR | 0x40000000, 20));
  show("getscheduler", syscall(SYS_sched_getscheduler, 0));
  show("set other", setsched(SCHED_OTHER, 0));
  show("getparam", syscall(SYS_sched_getparam, 0, &sp));
  printf("priority %d\n", sp.sched_priority);
  show("getscheduler -1", syscall(SYS_sched_getscheduler, -1));
  show("getscheduler no pid", syscall(SYS_sched_getscheduler, 0x3fffffff));
  show("getparam NULL", syscall(SYS_sched_getparam, 0, NULL));
  show("getparam bad", syscall(SYS_sched_getparam, 0, (void *)8));
  show("rr interval -1", syscall(SYS_sched_rr_get_interval, -1, &ts));
  show("rr interval bad", syscall(SYS_sched_rr_get_interval, 0, (void *)8));

  struct tms t;
  long ticks = syscall(SYS_times, &t);
  printf("times above 1.7e9: %d, children %ld %ld\n", ticks > 1700000000L, (long)t.tms_cutime,
         (long)t.tms_cstime);
  show("times bad", syscall(SYS_times, (void *)8));
  printf("times NULL ok: %d\n", syscall(SYS_times, NULL) >= ticks);
  struct rusage ru;
  show("getrusage 2", syscall(SYS_getrusage, 2, &ru));
  show("getrusage -2", syscall(SYS_getrusage, -2, &ru));
  show("getrusage NULL", syscall(SYS_getrusage, RUSAGE_SELF, NULL));
  show("getrusage self", syscall(SYS_getrusage, RUSAGE_SELF, &ru));
  printf("maxrss positive: %d\n", ru.ru_maxrss > 0);
  show("getrusage thread", syscall(SYS_getrusage, RUSAGE_THREAD, &ru));
  printf("maxrss positive: %d\n", ru.ru_maxrss > 0);
  show("getrusage children", syscall(SYS_getrusage, RUSAGE_CHILDREN, &ru));
  printf("children: %ld %ld %ld %ld\n", (long)ru.ru_utime.tv_sec, (long)ru.ru_stime.tv_sec,
         ru.ru_maxrss, ru.ru_minflt);

  // Unprivileged: RLIMIT_NICE and RLIMIT_RTPRIO of 0 allow no raise at all.
  struct rlimit zero = {0, 0};
  show("setrlimit nice", setrlimit(RLIMIT_NICE, &zero));
  show("setrlimit rtprio", setrlimit(RLIMIT_RTPRIO, &zero));
  show("setgid", setgid(65534));
  show("setuid", setuid(65534));
  show("lower nice", syscall(SYS_setpriority, PRIO_PROCESS, 0, 2));
  show("raise nice", syscall(SYS_setpriority, PRIO_PROCESS, 0, 10));
  show("getpriority", syscall(SYS_getpriority, PRIO_PROCESS, 0));
  show("set fifo 1", setsched(SCHED_FIFO, 1));
  show("set idle", setsched(SCHED_IDLE, 0));
  show("leave idle", setsched(SCHED_OTHER, 0));
  show("set idle|reset", setsched(SCHED_IDLE | 0x40000000, 0));
  show("drop reset", setsched(SCHED_IDLE, 0));
  show("getscheduler", syscall(SYS_sched_getscheduler, 0));
  return 0;
}
