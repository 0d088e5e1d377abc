/* Guest test: file locks. POSIX record locks (F_GETLK/F_SETLK/F_SETLKW, owned by the process),
 * open-file-description locks (F_OFD_*, owned by the open file) and flock(2) (whole file, owned by
 * the open file): range splitting and merging, conflicts between the owners one process can have,
 * the release rules on close, and every errno the argument checks give. The file is created in
 * argv[1] (default /tmp). Prints only what is the same on every Linux run: pids show as "self". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif
#define LOCK_MAND_BIT 32

static const char *errno_name(int e) {
  switch (e) {
  case EAGAIN: return "EAGAIN";
  case EBADF: return "EBADF";
  case EINVAL: return "EINVAL";
  case EOVERFLOW: return "EOVERFLOW";
  case EFAULT: return "EFAULT";
  case EDEADLK: return "EDEADLK";
  case EINTR: return "EINTR";
  case ENOLCK: return "ENOLCK";
  default: return "?";
  }
}

static void show(const char *label, long r) {
  if (r == -1) printf("%-48s -1 %s\n", label, errno_name(errno));
  else printf("%-48s %ld\n", label, r);
}

static const char *type_name(int type) {
  switch (type) {
  case F_RDLCK: return "F_RDLCK";
  case F_WRLCK: return "F_WRLCK";
  case F_UNLCK: return "F_UNLCK";
  default: return "?";
  }
}

static long lock_call(int fd, int cmd, struct flock *fl) {
  return syscall(SYS_fcntl, fd, cmd, fl);
}

/* Set (or clear) a lock; prints the result. */
static void set(const char *label, int fd, int cmd, int type, int whence, long long start,
                long long len) {
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = whence;
  fl.l_start = start;
  fl.l_len = len;
  show(label, lock_call(fd, cmd, &fl));
}

/* Ask which lock would block `type` on the range; prints the whole answered struct. */
static void probe(const char *label, int fd, int cmd, int type, int whence, long long start,
                  long long len) {
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = whence;
  fl.l_start = start;
  fl.l_len = len;
  long r = lock_call(fd, cmd, &fl);
  if (r == -1) {
    show(label, r);
    return;
  }
  char pid[32];
  if (fl.l_pid == getpid()) strcpy(pid, "self");
  else snprintf(pid, sizeof pid, "%d", (int)fl.l_pid);
  printf("%-48s %s whence=%d start=%lld len=%lld pid=%s\n", label, type_name(fl.l_type),
         fl.l_whence, (long long)fl.l_start, (long long)fl.l_len, pid);
}

static long do_flock(int fd, int op) { return syscall(SYS_flock, fd, op); }

int main(int argc, char **argv) {
  const char *dir = argc > 1 ? argv[1] : "/tmp";
  char path[4096];
  snprintf(path, sizeof path, "%s/file-locks-XXXXXX", dir);
  int fd1 = mkstemp(path);
  if (fd1 < 0) {
    perror("mkstemp");
    return 1;
  }
  char data[100];
  memset(data, 'x', sizeof data);
  if (write(fd1, data, sizeof data) != (long)sizeof data) {
    perror("write");
    return 1;
  }
  int fd2 = open(path, O_RDWR);
  int fdr = open(path, O_RDONLY);
  int fdw = open(path, O_WRONLY);
  int fdpath = open(path, O_PATH);
  int fddir = open(dir, O_RDONLY | O_DIRECTORY);
  if (fd2 < 0 || fdr < 0 || fdw < 0 || fdpath < 0 || fddir < 0) {
    perror("open");
    return 1;
  }

  printf("== POSIX locks belong to the process\n");
  set("setlk fd1 WR [10,20)", fd1, F_SETLK, F_WRLCK, SEEK_SET, 10, 10);
  probe("getlk fd2 WR whole: own locks never conflict", fd2, F_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  probe("getlk no conflict keeps the other fields", fd2, F_GETLK, F_RDLCK, SEEK_CUR, 3, -2);
  set("setlk fd2 WR [15,25) replaces, no conflict", fd2, F_SETLK, F_WRLCK, SEEK_SET, 15, 10);
  probe("ofd_getlk fd2 WR whole sees [10,25)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  set("setlk fd2 UN [0,eof) unlocks fd1's lock too", fd2, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fd2 WR whole after unlock", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);

  printf("== POSIX against OFD locks of the same process\n");
  set("setlk fd1 WR [10,20)", fd1, F_SETLK, F_WRLCK, SEEK_SET, 10, 10);
  set("ofd_setlk fd2 RD [15,16) conflicts", fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 15, 1);
  set("ofd_setlk fd2 RD [20,30) adjacent is free", fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 20, 10);
  probe("getlk fd1 WR [0,eof) reports the OFD lock", fd1, F_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  probe("getlk fd1 RD [20,eof) read locks share", fd1, F_GETLK, F_RDLCK, SEEK_SET, 20, 0);
  probe("ofd_getlk fdr WR [0,eof) first in list", fdr, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fdr WR [20,eof)", fdr, F_OFD_GETLK, F_WRLCK, SEEK_SET, 20, 0);
  set("setlk fd1 RD [25,26) shares with RD", fd1, F_SETLK, F_RDLCK, SEEK_SET, 25, 1);
  set("setlk fd1 WR [29,31) conflicts", fd1, F_SETLK, F_WRLCK, SEEK_SET, 29, 2);
  set("setlkw fd1 WR [40,50) free: no wait", fd1, F_SETLKW, F_WRLCK, SEEK_SET, 40, 10);
  set("ofd_setlkw fd2 RD [60,70) free: no wait", fd2, F_OFD_SETLKW, F_RDLCK, SEEK_SET, 60, 10);
  set("ofd_setlk fd2 UN whole", fd2, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  set("setlk fd1 UN whole", fd1, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);

  printf("== splitting and merging (observed through another open file)\n");
  set("setlk fd1 WR [0,100)", fd1, F_SETLK, F_WRLCK, SEEK_SET, 0, 100);
  set("setlk fd1 UN [40,60)", fd1, F_SETLK, F_UNLCK, SEEK_SET, 40, 20);
  probe("ofd_getlk fd2 WR [0,eof)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fd2 WR [40,eof)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 40, 0);
  probe("ofd_getlk fd2 WR [40,60)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 40, 20);
  set("setlk fd1 RD [45,50) in the hole", fd1, F_SETLK, F_RDLCK, SEEK_SET, 45, 5);
  probe("ofd_getlk fd2 RD [40,60) shares", fd2, F_OFD_GETLK, F_RDLCK, SEEK_SET, 40, 20);
  probe("ofd_getlk fd2 WR [40,60)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 40, 20);
  set("setlk fd1 RD [10,20) downgrades a middle", fd1, F_SETLK, F_RDLCK, SEEK_SET, 10, 10);
  probe("ofd_getlk fd2 RD [0,eof)", fd2, F_OFD_GETLK, F_RDLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fd2 RD [10,eof)", fd2, F_OFD_GETLK, F_RDLCK, SEEK_SET, 10, 0);
  probe("ofd_getlk fd2 WR [10,eof)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 10, 0);
  set("setlk fd1 WR [10,20) upgrades it back", fd1, F_SETLK, F_WRLCK, SEEK_SET, 10, 10);
  probe("ofd_getlk fd2 RD [0,eof) merged", fd2, F_OFD_GETLK, F_RDLCK, SEEK_SET, 0, 0);
  set("setlk fd1 RD [40,45) touches [45,50)", fd1, F_SETLK, F_RDLCK, SEEK_SET, 40, 5);
  set("setlk fd1 RD [50,55) touches too", fd1, F_SETLK, F_RDLCK, SEEK_SET, 50, 5);
  probe("ofd_getlk fd2 WR [40,60)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 40, 20);
  set("setlk fd1 RD [30,70) spans three", fd1, F_SETLK, F_RDLCK, SEEK_SET, 30, 40);
  probe("ofd_getlk fd2 WR [30,eof)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 30, 0);
  probe("ofd_getlk fd2 RD [0,eof)", fd2, F_OFD_GETLK, F_RDLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fd2 RD [70,eof)", fd2, F_OFD_GETLK, F_RDLCK, SEEK_SET, 70, 0);
  set("setlk fd1 WR [0,eof)", fd1, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fd2 RD [5,6) reports to eof", fd2, F_OFD_GETLK, F_RDLCK, SEEK_SET, 5, 1);
  set("setlk fd1 UN [0,eof)", fd1, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);

  printf("== OFD locks split and merge per open file\n");
  set("ofd_setlk fd2 WR [0,30)", fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 30);
  set("ofd_setlk fd2 RD [10,20)", fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 10, 10);
  set("ofd_setlk fdr RD [12,15) shares with RD", fdr, F_OFD_SETLK, F_RDLCK, SEEK_SET, 12, 3);
  probe("ofd_getlk fd2 UN [0,eof) lists own locks", fd2, F_OFD_GETLK, F_UNLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fd2 UN [10,eof)", fd2, F_OFD_GETLK, F_UNLCK, SEEK_SET, 10, 0);
  probe("ofd_getlk fd2 UN [20,eof)", fd2, F_OFD_GETLK, F_UNLCK, SEEK_SET, 20, 0);
  probe("ofd_getlk fd2 UN [30,eof)", fd2, F_OFD_GETLK, F_UNLCK, SEEK_SET, 30, 0);
  probe("ofd_getlk fdr UN [0,eof)", fdr, F_OFD_GETLK, F_UNLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fd1 WR [0,eof)", fd1, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fd1 WR [10,eof)", fd1, F_OFD_GETLK, F_WRLCK, SEEK_SET, 10, 0);
  probe("ofd_getlk fd1 WR [15,eof)", fd1, F_OFD_GETLK, F_WRLCK, SEEK_SET, 15, 0);
  set("ofd_setlk fdr UN whole", fdr, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  set("ofd_setlk fd2 UN whole", fd2, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0);

  printf("== ranges: whence, negative lengths, to EOF\n");
  set("setlk fd1 WR start=50 len=-10", fd1, F_SETLK, F_WRLCK, SEEK_SET, 50, -10);
  probe("ofd_getlk fd2 WR [0,eof)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  show("lseek fd1 30", lseek(fd1, 30, SEEK_SET));
  set("setlk fd1 UN whole", fd1, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  set("setlk fd1 RD SEEK_CUR -5 len 10", fd1, F_SETLK, F_RDLCK, SEEK_CUR, -5, 10);
  probe("ofd_getlk fd2 WR [0,eof)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fdr WR SEEK_CUR (at 0) len 0", fdr, F_OFD_GETLK, F_WRLCK, SEEK_CUR, 0, 0);
  set("setlk fd1 WR SEEK_END -10 len 0", fd1, F_SETLK, F_WRLCK, SEEK_END, -10, 0);
  probe("ofd_getlk fd2 RD [40,eof)", fd2, F_OFD_GETLK, F_RDLCK, SEEK_SET, 40, 0);
  probe("ofd_getlk fd2 RD SEEK_END -1 len -5", fd2, F_OFD_GETLK, F_RDLCK, SEEK_END, -1, -5);
  set("setlk fd1 WR SEEK_END 10 len -10", fd1, F_SETLK, F_WRLCK, SEEK_END, 10, -10);
  set("setlk fd1 WR [LLONG_MAX,+1)", fd1, F_SETLK, F_WRLCK, SEEK_SET, LLONG_MAX, 1);
  probe("ofd_getlk fd2 WR [200,eof)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 200, 0);
  probe("ofd_getlk fd2 WR [LLONG_MAX-1,+1)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, LLONG_MAX - 1,
        1);
  set("setlk fd1 WR start=LLONG_MAX len=-LLONG_MAX", fd1, F_SETLK, F_WRLCK, SEEK_SET, LLONG_MAX,
      -LLONG_MAX);
  probe("ofd_getlk fd2 WR [0,eof)", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  set("setlk fd1 UN whole", fd1, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);

  printf("== argument errors\n");
  set("setlk whence 3", fd1, F_SETLK, F_WRLCK, 3, 0, 0);
  set("setlk whence -1", fd1, F_SETLK, F_WRLCK, -1, 0, 0);
  set("setlk type 3", fd1, F_SETLK, 3, SEEK_SET, 0, 0);
  set("setlk type -1", fd1, F_SETLK, -1, SEEK_SET, 0, 0);
  set("setlk start -1", fd1, F_SETLK, F_WRLCK, SEEK_SET, -1, 0);
  set("setlk start 5 len -6", fd1, F_SETLK, F_WRLCK, SEEK_SET, 5, -6);
  set("setlk start 5 len -5", fd1, F_SETLK, F_WRLCK, SEEK_SET, 5, -5);
  set("setlk UN start 5 len -5", fd1, F_SETLK, F_UNLCK, SEEK_SET, 5, -5);
  set("setlk start LLONG_MAX len 2", fd1, F_SETLK, F_WRLCK, SEEK_SET, LLONG_MAX, 2);
  set("setlk start 1 len LLONG_MAX", fd1, F_SETLK, F_WRLCK, SEEK_SET, 1, LLONG_MAX);
  set("setlk start 0 len LLONG_MAX", fd1, F_SETLK, F_UNLCK, SEEK_SET, 0, LLONG_MAX);
  set("setlk SEEK_END start LLONG_MAX", fd1, F_SETLK, F_WRLCK, SEEK_END, LLONG_MAX, 0);
  set("setlk SEEK_END start LLONG_MIN", fd1, F_SETLK, F_WRLCK, SEEK_END, LLONG_MIN, 0);
  set("setlk start LLONG_MIN", fd1, F_SETLK, F_WRLCK, SEEK_SET, LLONG_MIN, 0);
  set("setlk len LLONG_MIN", fd1, F_SETLK, F_WRLCK, SEEK_SET, 10, LLONG_MIN);
  set("setlk bad type and whence", fd1, F_SETLK, 9, 9, 0, 0);
  set("setlk bad type, start -1", fd1, F_SETLK, 9, SEEK_SET, -1, 0);
  set("setlk RD on O_WRONLY", fdw, F_SETLK, F_RDLCK, SEEK_SET, 0, 0);
  set("setlk WR on O_RDONLY", fdr, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);
  set("setlk UN on O_RDONLY", fdr, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  set("setlk WR on O_RDONLY, whence 7", fdr, F_SETLK, F_WRLCK, 7, 0, 0);
  set("ofd_setlk WR on O_RDONLY", fdr, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0);
  set("setlk RD on O_PATH", fdpath, F_SETLK, F_RDLCK, SEEK_SET, 0, 0);
  probe("getlk on O_PATH", fdpath, F_GETLK, F_RDLCK, SEEK_SET, 0, 0);
  set("setlk RD on fd 999", 999, F_SETLK, F_RDLCK, SEEK_SET, 0, 0);
  set("setlk RD on a directory", fddir, F_SETLK, F_RDLCK, SEEK_SET, 0, 0);
  set("setlk WR on a directory", fddir, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);
  set("setlk UN on a directory", fddir, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  probe("getlk UN", fd1, F_GETLK, F_UNLCK, SEEK_SET, 0, 0);
  probe("getlk type 5", fd1, F_GETLK, 5, SEEK_SET, 0, 0);
  probe("getlk whence 5", fd1, F_GETLK, F_RDLCK, 5, 0, 0);
  probe("getlk WR on O_RDONLY is allowed", fdr, F_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk type 5", fd1, F_OFD_GETLK, 5, SEEK_SET, 0, 0);
  show("getlk bad pointer", lock_call(fd1, F_GETLK, (struct flock *)8));
  show("setlk bad pointer", lock_call(fd1, F_SETLK, (struct flock *)8));
  show("setlk bad pointer on O_PATH", lock_call(fdpath, F_SETLK, (struct flock *)8));
  {
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_pid = 1;
    show("ofd_setlk l_pid 1", lock_call(fd1, F_OFD_SETLK, &fl));
    show("ofd_setlkw l_pid 1", lock_call(fd1, F_OFD_SETLKW, &fl));
    show("ofd_getlk l_pid 1", lock_call(fd1, F_OFD_GETLK, &fl));
    show("setlk l_pid 1 is ignored", lock_call(fd1, F_SETLK, &fl));
    fl.l_type = F_UNLCK;
    show("setlk UN l_pid 1", lock_call(fd1, F_SETLK, &fl));
    fl.l_type = 7;
    show("ofd_setlk l_pid 1 and type 7", lock_call(fd1, F_OFD_SETLK, &fl));
    fl.l_type = F_WRLCK;
    fl.l_whence = 7;
    show("ofd_getlk l_pid 1 and whence 7", lock_call(fd1, F_OFD_GETLK, &fl));
  }

  printf("== release rules\n");
  int fd3 = open(path, O_RDONLY);
  set("setlk fd1 WR [0,10)", fd1, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
  show("close another fd of the file (fd3)", close(fd3));
  probe("ofd_getlk fd2 WR: POSIX lock gone", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  set("setlk fd1 WR [0,10)", fd1, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
  int fdpath2 = open(path, O_PATH);
  show("close an O_PATH fd of the file", close(fdpath2));
  probe("ofd_getlk fd2 WR: POSIX lock kept", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  int fd4 = open(path, O_RDONLY);
  show("dup2 over another fd of the file", dup2(fddir, fd4));
  probe("ofd_getlk fd2 WR: POSIX lock gone", fd2, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  show("close the dup2 copy", close(fd4));
  set("ofd_setlk fd2 WR [0,10)", fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10);
  int fd2dup = dup(fd2);
  show("close a dup of fd2", close(fd2dup));
  probe("getlk fd1 WR: OFD lock kept", fd1, F_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  show("close fd1 (not the OFD lock's file)", close(fd1));
  probe("getlk fdr WR: OFD lock kept", fdr, F_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  fd1 = open(path, O_RDWR);
  set("setlk fd2 WR [0,10): OFD lock blocks POSIX", fd2, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
  set("setlk fd1 RD [50,60)", fd1, F_SETLK, F_RDLCK, SEEK_SET, 50, 10);
  show("close fd2: its last reference", close(fd2));
  probe("getlk fdr WR: OFD lock gone", fdr, F_OFD_GETLK, F_WRLCK, SEEK_SET, 0, 0);
  probe("ofd_getlk fdr WR [20,eof) POSIX lock gone", fdr, F_OFD_GETLK, F_WRLCK, SEEK_SET, 20, 0);
  fd2 = open(path, O_RDWR);

  printf("== flock\n");
  int fa = open(path, O_RDWR), fb = open(path, O_RDONLY);
  show("flock fa EX", do_flock(fa, LOCK_EX));
  show("flock fa EX again", do_flock(fa, LOCK_EX));
  show("flock fb SH|NB conflicts", do_flock(fb, LOCK_SH | LOCK_NB));
  show("flock fb EX|NB conflicts", do_flock(fb, LOCK_EX | LOCK_NB));
  set("setlk fd1 WR whole: flock is separate", fd1, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);
  set("ofd_setlk fd2 RD whole blocked by POSIX", fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 0);
  set("setlk fd1 UN whole", fd1, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
  show("flock fa SH converts", do_flock(fa, LOCK_SH));
  show("flock fb SH|NB shares", do_flock(fb, LOCK_SH | LOCK_NB));
  show("flock fa EX|NB conflicts and drops fa's lock", do_flock(fa, LOCK_EX | LOCK_NB));
  show("flock fb EX|NB: fa's lock is gone", do_flock(fb, LOCK_EX | LOCK_NB));
  show("flock fa SH|NB conflicts", do_flock(fa, LOCK_SH | LOCK_NB));
  show("flock fb UN", do_flock(fb, LOCK_UN));
  show("flock fb UN again", do_flock(fb, LOCK_UN | LOCK_NB));
  show("flock fa EX", do_flock(fa, LOCK_EX));
  int fadup = dup(fa);
  show("flock dup of fa SH|NB: same open file", do_flock(fadup, LOCK_SH | LOCK_NB));
  show("flock fb EX|NB conflicts", do_flock(fb, LOCK_EX | LOCK_NB));
  show("flock fb SH|NB", do_flock(fb, LOCK_SH | LOCK_NB));
  show("close fa (the dup still holds it)", close(fa));
  show("flock fb EX|NB conflicts", do_flock(fb, LOCK_EX | LOCK_NB));
  show("close the dup: last reference", close(fadup));
  show("flock fb EX|NB", do_flock(fb, LOCK_EX | LOCK_NB));
  show("flock fb EX blocking, no conflict", do_flock(fb, LOCK_EX));
  show("flock fdw SH|NB conflicts", do_flock(fdw, LOCK_SH | LOCK_NB));
  show("flock fb UN", do_flock(fb, LOCK_UN));
  show("flock O_WRONLY SH", do_flock(fdw, LOCK_SH));
  show("flock directory EX", do_flock(fddir, LOCK_EX));
  int fddir2 = open(dir, O_RDONLY | O_DIRECTORY);
  show("flock other directory fd EX|NB", do_flock(fddir2, LOCK_EX | LOCK_NB));
  show("flock O_PATH SH", do_flock(fdpath, LOCK_SH));
  show("flock O_PATH UN", do_flock(fdpath, LOCK_UN));
  show("flock fd 999 SH", do_flock(999, LOCK_SH));
  show("flock fd 999 op 0", do_flock(999, 0));
  show("flock op 0", do_flock(fb, 0));
  show("flock op NB only", do_flock(fb, LOCK_NB));
  show("flock op SH|EX", do_flock(fb, LOCK_SH | LOCK_EX));
  show("flock op SH|UN", do_flock(fb, LOCK_SH | LOCK_UN));
  show("flock op 16", do_flock(fb, 16));
  show("flock op SH|0x100", do_flock(fb, LOCK_SH | 0x100));
  show("flock op -1", do_flock(fb, -1));
  show("flock fd 999 LOCK_MAND", do_flock(999, LOCK_MAND_BIT | LOCK_SH));
  show("flock fb UN", do_flock(fb, LOCK_UN));
  show("flock fdw UN", do_flock(fdw, LOCK_UN));
  show("flock fddir UN", do_flock(fddir, LOCK_UN));

  close(fddir2);
  unlink(path);
  printf("done\n");
  return 0;
}
