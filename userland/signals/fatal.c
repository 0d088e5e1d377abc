// Ways a signal ends the process, one per argv[1]: a default action, faults that are blocked,
// ignored or raised inside their own handler (forced back to SIG_DFL), a handler without
// SA_RESTORER, a frame that cannot be written (plain, and caught by a SIGSEGV handler on an
// alternate stack), and rt_sigreturn from a bad frame.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static void nothing(int sig) {
  (void)sig;
}

static void fault_again(int sig) {
  printf("in handler %d, faulting again\n", sig);
  fflush(stdout);
  *(volatile int *)(long)sig = 1;
}

static void caught(int sig, siginfo_t *info, void *ctx) {
  (void)ctx;
  printf("caught %d, si_code %#x\n", sig, info->si_code);
  fflush(stdout);
  _exit(7);
}

static void segv(void) {
  volatile int *volatile p = (volatile int *)16;
  *p = 1;
}

/** tkill(self, sig) with RSP pointing at unmapped memory: no room for a signal frame. */
static void raise_on_bad_stack(int sig) {
  long pid = getpid();
  __asm__ volatile("movq $0x1000, %%rsp\n\t"
                   "syscall"
                   : : "a"((long)SYS_tkill), "D"(pid), "S"((long)sig) : "rcx", "r11", "memory");
}

int main(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  printf("case %s\n", what);
  fflush(stdout);
  if (!strcmp(what, "default")) {
    raise(SIGUSR1);
  } else if (!strcmp(what, "ud2")) {
    __asm__ volatile("ud2");
  } else if (!strcmp(what, "ignored-fault")) {
    signal(SIGSEGV, SIG_IGN);
    segv();
  } else if (!strcmp(what, "blocked-fault")) {
    signal(SIGSEGV, nothing);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGSEGV);
    sigprocmask(SIG_BLOCK, &set, NULL);
    segv();
  } else if (!strcmp(what, "fault-in-handler")) {
    signal(SIGSEGV, fault_again);
    segv();
  } else if (!strcmp(what, "no-restorer")) {
    // struct kernel_sigaction without SA_RESTORER: Linux x86-64 cannot return from the handler.
    unsigned long act[4] = {(unsigned long)nothing, 0, 0, 0};
    syscall(SYS_rt_sigaction, SIGUSR1, act, NULL, 8);
    raise(SIGUSR1);
  } else if (!strcmp(what, "bad-stack")) {
    signal(SIGUSR1, nothing);
    raise_on_bad_stack(SIGUSR1);
  } else if (!strcmp(what, "bad-stack-caught")) {
    static char alt[16384];
    stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = caught;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigaction(SIGSEGV, &sa, NULL);
    signal(SIGUSR1, nothing);
    raise_on_bad_stack(SIGUSR1);
  } else if (!strcmp(what, "bad-sigreturn")) {
    __asm__ volatile("movq $0x1000, %%rsp\n\t"
                     "syscall"
                     : : "a"((long)SYS_rt_sigreturn) : "rcx", "r11", "memory");
  }
  printf("survived\n");
  return 0;
}
