// sigaltstack with SA_ONSTACK: the handler runs on the alternate stack (and sees SS_ONSTACK
// there), uc_stack records the settings, frames are aligned as the ABI wants, a stack overflow
// is caught on the alternate stack, a handler without SA_ONSTACK stays on the normal stack, and
// SS_AUTODISARM disarms the alternate stack while a handler runs on it.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

#ifndef SS_AUTODISARM // glibc's headers lack it
#define SS_AUTODISARM (1U << 31)
#endif

static char alt[65536] __attribute__((aligned(64)));
static sigjmp_buf env;
static volatile int overflow_depth;

static int on_alt(const void *p) {
  return (const char *)p >= alt && (const char *)p < alt + sizeof alt;
}

static void on_usr1(int sig, siginfo_t *info, void *ctx) {
  ucontext_t *uc = ctx;
  int local;
  stack_t now;
  sigaltstack(NULL, &now);
  printf("handler %d: local on alt %d, info on alt %d, uc on alt %d, fpregs on alt %d\n", sig,
         on_alt(&local), on_alt(info), on_alt(uc), on_alt(uc->uc_mcontext.fpregs));
  printf("  uc %% 16 = %lu, info %% 16 = %lu, fpregs %% 64 = %lu\n", (uintptr_t)uc % 16,
         (uintptr_t)info % 16, (uintptr_t)uc->uc_mcontext.fpregs % 64);
  printf("  uc_stack: sp is alt %d, size %zu, flags %#x; sigaltstack now: flags %#x\n",
         uc->uc_stack.ss_sp == alt, uc->uc_stack.ss_size, (unsigned)uc->uc_stack.ss_flags,
         (unsigned)now.ss_flags);
}

static void on_segv(int sig, siginfo_t *info, void *ctx) {
  (void)info, (void)ctx;
  int local;
  printf("SIGSEGV %d after deep recursion, handler on alt %d\n", sig, on_alt(&local));
  siglongjmp(env, 1);
}

static int recurse(int n) {
  volatile char pad[4096];
  pad[0] = (char)n;
  overflow_depth = n;
  if (n < (1 << 30)) return recurse(n + 1) + pad[0]; // always true: the stack runs out first
  return pad[0];
}

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigaction(sig, &sa, NULL);
}

int main(void) {
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
  if (sigaltstack(&ss, NULL) != 0) perror("sigaltstack");

  printf("-- SA_ONSTACK\n");
  install(SIGUSR1, on_usr1, SA_ONSTACK);
  raise(SIGUSR1);

  printf("-- without SA_ONSTACK\n");
  install(SIGUSR1, on_usr1, 0);
  raise(SIGUSR1);

  printf("-- stack overflow\n");
  install(SIGSEGV, on_segv, SA_ONSTACK);
  if (sigsetjmp(env, 1) == 0) recurse(0);
  printf("recursed deeper than 100 frames: %d\n", overflow_depth > 100);

  printf("-- SS_AUTODISARM\n");
  ss.ss_flags = SS_AUTODISARM;
  if (sigaltstack(&ss, NULL) != 0) perror("sigaltstack");
  install(SIGUSR1, on_usr1, SA_ONSTACK);
  raise(SIGUSR1);
  stack_t after;
  sigaltstack(NULL, &after);
  printf("after return: sp is alt %d, size %zu, flags %#x\n", after.ss_sp == alt, after.ss_size,
         (unsigned)after.ss_flags);

  printf("-- disabled\n");
  ss.ss_flags = SS_DISABLE;
  sigaltstack(&ss, NULL);
  raise(SIGUSR1);
  return 0;
}
