// Robust mutexes whose owner thread exits while holding them: the kernel's robust-list walk marks
// the lock FUTEX_OWNER_DIED and wakes a waiter, so the next locker gets EOWNERDEAD. Once with
// the owner gone before the lock is tried, once with a waiter already blocked. Compared with
// the native output by tests/kernel/futex_robust_native_test.ts. (musl recovers non-shared
// robust locks itself in pthread_exit; glibc leaves them to the kernel.)
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t lock;
static volatile int locked;

static void *holder(void *arg) {
  pthread_mutex_lock(&lock);
  locked = 1;
  if (arg != NULL) {
    struct timespec pause = {0, 50 * 1000 * 1000};
    nanosleep(&pause, NULL);
  }
  return NULL; /* ends holding the lock */
}

static const char *name(int r) {
  return r == EOWNERDEAD ? "EOWNERDEAD" : r == 0 ? "0" : strerror(r);
}

static void recover(const char *what, int r) {
  printf("%s: %s\n", what, name(r));
  if (r == EOWNERDEAD) printf("consistent: %d\n", pthread_mutex_consistent(&lock));
  printf("unlock: %d\n", pthread_mutex_unlock(&lock));
}

int main(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&lock, &attr);
  pthread_t t;

  pthread_create(&t, NULL, holder, NULL);
  pthread_join(t, NULL);
  recover("owner gone, then lock", pthread_mutex_lock(&lock));
  printf("lock again: %s\n", name(pthread_mutex_lock(&lock)));
  pthread_mutex_unlock(&lock);

  locked = 0;
  pthread_create(&t, NULL, holder, &lock);
  while (!locked) sched_yield();
  recover("waiting when the owner ends", pthread_mutex_lock(&lock));
  pthread_join(t, NULL);
  printf("trylock: %s\n", name(pthread_mutex_trylock(&lock)));
  return 0;
}
