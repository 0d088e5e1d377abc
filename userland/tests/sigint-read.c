/* Guest test: a SIGINT handler around a terminal read. Prints "ready", reads; a SIGINT (Ctrl-C on
 * the terminal) runs the handler and the read returns -1 (EINTR, no SA_RESTART); a second read
 * gets the next line. On a pipe (the golden run) no signal comes and the reads see the input. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t hits;

static void on_interrupt(int sig) {
  (void)sig;
  hits++;
  static const char msg[] = "caught SIGINT\n";
  write(1, msg, sizeof msg - 1);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigaction(SIGINT, &sa, 0);
  printf("ready\n");
  fflush(stdout);
  char buf[64];
  ssize_t n = read(0, buf, sizeof buf);
  printf("first read %zd%s, handler ran %d time(s)\n", n, n < 0 && errno == EINTR ? " EINTR" : "",
         (int)hits);
  n = read(0, buf, sizeof buf);
  printf("second read %zd: %.*s", n, (int)(n > 0 ? n : 0), buf);
  if (n <= 0) printf("\n");
  return 0;
}
