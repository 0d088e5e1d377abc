// Handlers for signals the program sends itself: arguments and masks inside a handler, sa_mask,
// nesting, two signals unblocked at once (the higher one's frame lands on top and runs first),
// SA_NODEFER recursion against the default deferral, SA_RESETHAND, a signal blocked until
// sigprocmask unblocks it, ignored signals, and finally death by a signal whose handler was reset.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile int depth;
static volatile int calls;

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags, int masked) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = fn;
  sa.sa_flags = SA_SIGINFO | flags;
  sigemptyset(&sa.sa_mask);
  if (masked) sigaddset(&sa.sa_mask, masked);
  sigaction(sig, &sa, NULL);
}

static int blocked(int sig) {
  sigset_t now;
  sigprocmask(SIG_BLOCK, NULL, &now);
  return sigismember(&now, sig);
}

static void on_inspect(int sig, siginfo_t *info, void *ctx) {
  ucontext_t *uc = ctx;
  printf("inspect: sig %d si_signo %d; blocked now: self %d USR2 %d TERM %d; "
         "uc_sigmask: self %d TERM %d\n",
         sig, info->si_signo, blocked(sig), blocked(SIGUSR2), blocked(SIGTERM),
         sigismember(&uc->uc_sigmask, sig), sigismember(&uc->uc_sigmask, SIGTERM));
  raise(SIGUSR2); // in sa_mask: waits until this handler returns
  printf("inspect: USR2 deferred, calls %d\n", calls);
}

static void on_count(int sig, siginfo_t *info, void *ctx) {
  (void)info, (void)ctx;
  calls++;
  printf("count: sig %d, calls %d\n", sig, calls);
}

static void on_outer(int sig, siginfo_t *info, void *ctx) {
  (void)info, (void)ctx;
  depth++;
  printf("outer %d enter, depth %d\n", sig, depth);
  raise(SIGUSR2); // not masked: runs nested, right now
  printf("outer %d leave, depth %d\n", sig, depth);
  depth--;
}

static void on_inner(int sig, siginfo_t *info, void *ctx) {
  (void)info, (void)ctx;
  depth++;
  printf("inner %d, depth %d\n", sig, depth);
  depth--;
}

static void on_recurse(int sig, siginfo_t *info, void *ctx) {
  (void)info, (void)ctx;
  int me = ++calls;
  depth++;
  printf("recurse %d enter (depth %d)\n", me, depth);
  if (me < 3) raise(sig);
  printf("recurse %d leave (depth %d)\n", me, depth);
  depth--;
}

static void on_plain(int sig) {
  printf("plain handler %d\n", sig);
}

int main(void) {
  sigset_t set;

  printf("-- masks\n");
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, NULL);
  install(SIGUSR1, on_inspect, 0, SIGUSR2);
  install(SIGUSR2, on_count, 0, 0);
  raise(SIGUSR1);
  printf("after: calls %d, USR1 blocked %d, TERM blocked %d\n", calls, blocked(SIGUSR1),
         blocked(SIGTERM));
  sigprocmask(SIG_UNBLOCK, &set, NULL);

  printf("-- nesting\n");
  install(SIGUSR1, on_outer, 0, 0);
  install(SIGUSR2, on_inner, 0, 0);
  raise(SIGUSR1);

  printf("-- two at once\n");
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGUSR2);
  install(SIGUSR1, on_count, 0, 0);
  install(SIGUSR2, on_count, 0, 0);
  calls = 0;
  sigprocmask(SIG_BLOCK, &set, NULL);
  raise(SIGUSR2);
  raise(SIGUSR1);
  printf("both raised while blocked: calls %d\n", calls);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  printf("unblocked: calls %d\n", calls);

  printf("-- deferred\n");
  calls = 0;
  install(SIGUSR1, on_recurse, 0, 0);
  raise(SIGUSR1);

  printf("-- SA_NODEFER\n");
  calls = 0;
  install(SIGUSR1, on_recurse, SA_NODEFER, 0);
  raise(SIGUSR1);

  printf("-- SA_RESETHAND\n");
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_plain;
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGUSR2, &sa, NULL);
  raise(SIGUSR2);
  sigaction(SIGUSR2, NULL, &old);
  printf("handler now %s\n", old.sa_handler == SIG_DFL ? "SIG_DFL" : "still set");

  printf("-- ignored\n");
  signal(SIGUSR1, SIG_IGN);
  raise(SIGUSR1);
  signal(SIGCHLD, SIG_DFL);
  raise(SIGCHLD);
  signal(SIGWINCH, SIG_DFL);
  raise(SIGWINCH);
  printf("still here\n");

  printf("-- default action\n");
  fflush(stdout);
  raise(SIGUSR2);
  printf("not reached\n");
  return 0;
}
