/* Guest test: what a program sees of its terminal (run under a pseudo-terminal by
 * tests/cli/tty_test.ts, natively and under NexaOS): isatty, the window size, termios in cooked
 * mode, switching to raw mode and back (TCSETS/TCSETSF), TIOCGPGRP, and fstat of the tty. On a
 * pipe it reports ENOTTY instead. Prints only what both runs share. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

int main(void) {
  for (int fd = 0; fd <= 2; fd++) printf("isatty(%d) = %d\n", fd, isatty(fd));
  struct winsize ws;
  if (ioctl(1, TIOCGWINSZ, &ws) == 0) {
    printf("window %ux%u\n", ws.ws_col, ws.ws_row);
  } else {
    printf("TIOCGWINSZ: %s\n", strerror(errno));
  }
  struct winsize set = {.ws_row = 40, .ws_col = 100, .ws_xpixel = 0, .ws_ypixel = 0};
  if (ioctl(1, TIOCSWINSZ, &set) == 0 && ioctl(1, TIOCGWINSZ, &ws) == 0) {
    printf("after TIOCSWINSZ %ux%u\n", ws.ws_col, ws.ws_row);
  }
  struct termios t;
  if (tcgetattr(0, &t) != 0) {
    printf("tcgetattr: %s\n", strerror(errno));
    return 0;
  }
  printf("ICANON %d ECHO %d ISIG %d ICRNL %d OPOST %d ONLCR %d\n", !!(t.c_lflag & ICANON),
         !!(t.c_lflag & ECHO), !!(t.c_lflag & ISIG), !!(t.c_iflag & ICRNL), !!(t.c_oflag & OPOST),
         !!(t.c_oflag & ONLCR));
  printf("VINTR %d VEOF %d VERASE %d VMIN %d VTIME %d CS8 %d\n", t.c_cc[VINTR], t.c_cc[VEOF],
         t.c_cc[VERASE], t.c_cc[VMIN], t.c_cc[VTIME], (t.c_cflag & CSIZE) == CS8);
  struct termios raw = t;
  cfmakeraw(&raw);
  printf("tcsetattr raw %d\n", tcsetattr(0, TCSAFLUSH, &raw));
  struct termios now;
  tcgetattr(0, &now);
  printf("raw: ICANON %d ECHO %d VMIN %d\n", !!(now.c_lflag & ICANON), !!(now.c_lflag & ECHO),
         now.c_cc[VMIN]);
  printf("tcsetattr back %d\n", tcsetattr(0, TCSANOW, &t));
  tcgetattr(0, &now);
  printf("restored: ICANON %d ECHO %d\n", !!(now.c_lflag & ICANON), !!(now.c_lflag & ECHO));
  pid_t group = tcgetpgrp(0);
  printf("foreground group is positive %d\n", group > 0);
  struct stat st;
  fstat(0, &st);
  printf("tty is a character device %d, major 136 %d\n", S_ISCHR(st.st_mode),
         (int)(st.st_rdev >> 8) == 136);
  return 0;
}
