// A SIGSEGV handler that siglongjmps out of the fault, several times in a row: the handler
// must run each time (sigsetjmp saved the mask, so siglongjmp unblocks SIGSEGV again), and
// with sigsetjmp(env, 0) the mask the handler set (SIGSEGV blocked) stays after the jump.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static sigjmp_buf env;
static volatile int faults;
static volatile void *last_addr;

static void on_segv(int sig, siginfo_t *info, void *uc) {
  (void)uc;
  faults++;
  last_addr = info->si_addr;
  siglongjmp(env, sig);
}

static int segv_blocked(void) {
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  return sigismember(&now, SIGSEGV);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);

  for (int i = 0; i < 3; i++) {
    volatile int *bad = (volatile int *)(long)(0x1000 + 0x10 * i);
    int r = sigsetjmp(env, 1);
    if (r == 0) {
      *bad = i;
      printf("no fault?\n");
    } else {
      printf("round %d: jumped with %d, addr %p, faults %d, SIGSEGV blocked %d\n", i, r,
             (void *)last_addr, faults, segv_blocked());
    }
  }

  volatile char *volatile near_null = (volatile char *)8;
  if (sigsetjmp(env, 0) == 0) {
    *near_null = 1;
  } else {
    printf("without savemask: faults %d, SIGSEGV blocked %d\n", faults, segv_blocked());
  }
  return 0;
}
