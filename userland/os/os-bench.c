// The OS benchmark's guest program (bench/os-bench, built by `deno task build:compute`): process,
// pipe and thread primitives timed inside the program with clock_gettime(CLOCK_MONOTONIC), so the
// same static binary can be compared natively, under qemu-x86_64 and under NexaOS.
//
// Usage: os-bench [all|ITEM[,ITEM...]] [SCALE] [PROCESS_CAP]
//        os-bench --exit                   (exits at once: what the exec item runs)
// Items, in order:
//   syscall   raw getppid through the `syscall` instruction (no libc wrapper)   ns per call
//   pipe_rtt  1-byte ping-pong between parent and child over two pipes           ns per round trip
//   fork      fork, child _exit(0), waitpid                                      ns per fork
//   exec      fork, child execve("/proc/self/exe", "--exit"), waitpid            ns per exec
//   pipe_bw   a child write()s 64 KiB pieces into a pipe, the parent reads them  MB/s (10^6 B/s)
//   thread    pthread_create of a function that returns at once, pthread_join    ns per thread
//   procs     fork children that block reading a pipe until fork fails (EAGAIN or ENOMEM) or
//             PROCESS_CAP (default 20000) children are alive; then release and reap them all
// Each timed item first doubles a batch of iterations from 1 until a batch takes 1/8 of its time
// budget (0.3 s times SCALE, default 1), then times one batch sized to the budget. One line per
// item: "<item> <value> <unit> <key=value>..." or, when the item cannot run,
// "<item> error <message>"; the other items still run. Exit status 2 for bad arguments.

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUDGET_NS 300000000.0
#define PIECE (64 * 1024)
#define DEFAULT_PROCESS_CAP 20000
#define MAX_PROCESS_CAP 1000000
#define EXEC_FAILED 128 // a child whose execve failed exits with this plus errno

static double budget_ns = BUDGET_NS;
static char failure[160];

static uint64_t now_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    perror("os-bench: clock_gettime(CLOCK_MONOTONIC)");
    exit(4);
  }
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/** Records why an item failed (errno's text appended) and returns -1. */
static int fail(int err, const char *format, ...) {
  va_list args;
  va_start(args, format);
  int len = vsnprintf(failure, sizeof failure, format, args);
  va_end(args);
  if (err && len >= 0 && (size_t)len < sizeof failure)
    snprintf(failure + len, sizeof failure - len, ": %s", strerror(err));
  return -1;
}

static void print_line(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vprintf(format, args);
  va_end(args);
  fflush(stdout);
}

static const char *errno_name(int err) {
  switch (err) {
  case EAGAIN: return "EAGAIN";
  case ENOMEM: return "ENOMEM";
  case ENOSYS: return "ENOSYS";
  default: return NULL;
  }
}

/** Reaps `pid`; -1 (with the reason recorded) unless it exited with status 0. */
static int reap(pid_t pid, const char *what) {
  int status;
  pid_t got;
  do got = waitpid(pid, &status, 0);
  while (got < 0 && errno == EINTR);
  if (got < 0) return fail(errno, "waitpid");
  if (got != pid) return fail(0, "waitpid returned %d, not %d", (int)got, (int)pid);
  if (WIFSIGNALED(status)) return fail(0, "%s child killed by signal %d", what, WTERMSIG(status));
  if (!WIFEXITED(status)) return fail(0, "%s child: wait status %#x", what, status);
  int code = WEXITSTATUS(status);
  if (code > EXEC_FAILED) return fail(code - EXEC_FAILED, "execve in the %s child", what);
  if (code != 0) return fail(0, "%s child exited with status %d", what, code);
  return 0;
}

static int write_full(int fd, const void *buffer, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = write(fd, (const char *)buffer + done, size - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno, "write");
    done += n;
  }
  return 0;
}

/** Runs one batch of `n` iterations; 0, or -1 with `failure` set. */
typedef int (*batch_fn)(void *context, uint64_t n);

struct timing {
  uint64_t n, ns;
};

/** Calibrates a batch size for the time budget and times one batch of it. */
static int timed(batch_fn run, void *context, struct timing *result) {
  uint64_t n = 1, ns = 0;
  for (;;) {
    uint64_t t0 = now_ns();
    if (run(context, n) != 0) return -1;
    ns = now_ns() - t0;
    if (ns >= budget_ns / 8 || n >= (UINT64_C(1) << 40)) break;
    n *= 2;
  }
  double want = ns > 0 ? (double)n * budget_ns / (double)ns : (double)n * 8;
  result->n = want < 1 ? 1 : (uint64_t)want;
  uint64_t t0 = now_ns();
  if (run(context, result->n) != 0) return -1;
  result->ns = now_ns() - t0;
  if (result->ns == 0) result->ns = 1;
  return 0;
}

static void print_per_op(const char *item, const char *unit, const struct timing *t) {
  print_line("%s %.1f %s n=%llu\n", item, (double)t->ns / (double)t->n, unit,
             (unsigned long long)t->n);
}

// ---- syscall: raw getppid through the syscall instruction ----------------------------------

static long raw_getppid(void) {
  long result;
  __asm__ volatile("syscall" : "=a"(result) : "0"((long)SYS_getppid) : "rcx", "r11", "memory");
  return result;
}

static int syscall_batch(void *context, uint64_t n) {
  (void)context;
  long last = 0;
  for (uint64_t i = 0; i < n; i++) last = raw_getppid();
  if (last < 0) return fail(-last, "getppid");
  return 0;
}

static int item_syscall(void) {
  struct timing t;
  if (timed(syscall_batch, NULL, &t) != 0) return -1;
  print_per_op("syscall", "ns", &t);
  return 0;
}

// ---- pipe_rtt: 1-byte ping-pong over two pipes --------------------------------------------------

struct ping_pong {
  int to_child, from_child;
};

static int ping_pong_batch(void *context, uint64_t n) {
  struct ping_pong *p = context;
  char byte = 'p';
  for (uint64_t i = 0; i < n; i++) {
    if (write(p->to_child, &byte, 1) != 1) return fail(errno, "write to the child");
    if (read(p->from_child, &byte, 1) != 1) return fail(errno, "read from the child");
  }
  return 0;
}

static int item_pipe_rtt(void) {
  int down[2], up[2];
  if (pipe(down) != 0) return fail(errno, "pipe");
  if (pipe(up) != 0) {
    int err = errno;
    close(down[0]), close(down[1]);
    return fail(err, "pipe");
  }
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(down[0]), close(down[1]), close(up[0]), close(up[1]);
    return fail(err, "fork");
  }
  if (pid == 0) {
    close(down[1]), close(up[0]);
    char byte;
    while (read(down[0], &byte, 1) == 1)
      if (write(up[1], &byte, 1) != 1) _exit(1);
    _exit(0);
  }
  close(down[0]), close(up[1]);
  struct ping_pong p = {down[1], up[0]};
  struct timing t;
  int ok = timed(ping_pong_batch, &p, &t);
  close(down[1]), close(up[0]);
  if (ok == 0) {
    if (reap(pid, "echo") != 0) return -1;
    print_per_op("pipe_rtt", "ns", &t);
    return 0;
  }
  char reason[sizeof failure];
  memcpy(reason, failure, sizeof reason);
  reap(pid, "echo");
  memcpy(failure, reason, sizeof failure);
  return -1;
}

// ---- fork and exec: fork, then _exit or execve, then waitpid ---------------------------------

static char *self_argv0 = "os-bench";

/** `context` points to 1 for the exec item, 0 for the fork item. */
static int fork_batch(void *context, uint64_t n) {
  int exec = *(const int *)context;
  for (uint64_t i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) return fail(errno, "fork");
    if (pid == 0) {
      if (exec) {
        char *argv[] = {self_argv0, "--exit", NULL};
        char *envp[] = {NULL};
        execve("/proc/self/exe", argv, envp);
        _exit(EXEC_FAILED + (errno > 0 && errno < 127 ? errno : 127));
      }
      _exit(0);
    }
    if (reap(pid, exec ? "exec" : "fork") != 0) return -1;
  }
  return 0;
}

static int item_fork(void) {
  int exec = 0;
  struct timing t;
  if (timed(fork_batch, &exec, &t) != 0) return -1;
  print_per_op("fork", "ns", &t);
  return 0;
}

static int item_exec(void) {
  int exec = 1;
  struct timing t;
  if (timed(fork_batch, &exec, &t) != 0) return -1;
  print_per_op("exec", "ns", &t);
  return 0;
}

// ---- pipe_bw: a child writes 64 KiB pieces, the parent reads them ------------------------------

struct stream {
  int control, data;
  char *buffer;
};

/** The writer: for each piece count read from `control`, writes that many pieces to `data`. */
static void stream_child(int control, int data, const char *piece) {
  uint64_t pieces;
  while (read(control, &pieces, sizeof pieces) == (ssize_t)sizeof pieces)
    for (uint64_t i = 0; i < pieces; i++)
      if (write_full(data, piece, PIECE) != 0) _exit(1);
  _exit(0);
}

static int stream_batch(void *context, uint64_t n) {
  struct stream *s = context;
  if (write(s->control, &n, sizeof n) != (ssize_t)sizeof n)
    return fail(errno, "write to the child");
  uint64_t left = n * PIECE;
  while (left > 0) {
    ssize_t got = read(s->data, s->buffer, left < PIECE ? left : PIECE);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return fail(errno, "read");
    if (got == 0)
      return fail(0, "read: the writer stopped with %llu bytes to go", (unsigned long long)left);
    if (s->buffer[0] != 'w') return fail(0, "read: wrong data");
    left -= got;
  }
  return 0;
}

static int item_pipe_bw(void) {
  char *buffer = malloc(PIECE);
  if (!buffer) return fail(errno, "malloc");
  memset(buffer, 'w', PIECE);
  int control[2], data[2];
  if (pipe(control) != 0) {
    free(buffer);
    return fail(errno, "pipe");
  }
  if (pipe(data) != 0) {
    int err = errno;
    close(control[0]), close(control[1]), free(buffer);
    return fail(err, "pipe");
  }
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(control[0]), close(control[1]), close(data[0]), close(data[1]), free(buffer);
    return fail(err, "fork");
  }
  if (pid == 0) {
    close(control[1]), close(data[0]);
    stream_child(control[0], data[1], buffer);
  }
  close(control[0]), close(data[1]);
  struct stream s = {control[1], data[0], buffer};
  struct timing t;
  int ok = timed(stream_batch, &s, &t);
  close(control[1]), close(data[0]);
  char reason[sizeof failure];
  memcpy(reason, failure, sizeof reason);
  int reaped = reap(pid, "writer");
  free(buffer);
  if (ok != 0) {
    memcpy(failure, reason, sizeof failure);
    return -1;
  }
  if (reaped != 0) return -1;
  double bytes = (double)t.n * PIECE;
  print_line("pipe_bw %.1f MB/s n=%llu bytes=%.0f\n", bytes / (double)t.ns * 1000.0,
             (unsigned long long)t.n, bytes);
  return 0;
}

// ---- thread: pthread_create and pthread_join --------------------------------------------------

static int thread_token;

static void *thread_body(void *arg) { return arg; }

static int thread_batch(void *context, uint64_t n) {
  (void)context;
  for (uint64_t i = 0; i < n; i++) {
    pthread_t thread;
    int err = pthread_create(&thread, NULL, thread_body, &thread_token);
    if (err) return fail(err, "pthread_create");
    void *result;
    err = pthread_join(thread, &result);
    if (err) return fail(err, "pthread_join");
    if (result != &thread_token) return fail(0, "pthread_join: wrong result");
  }
  return 0;
}

static int item_thread(void) {
  struct timing t;
  if (timed(thread_batch, NULL, &t) != 0) return -1;
  print_per_op("thread", "ns", &t);
  return 0;
}

// ---- procs: as many blocked children as fork allows ------------------------------------------

static long process_cap = DEFAULT_PROCESS_CAP;

/**
 * Children block reading `gate` until the parent closes its write end. Children killed meanwhile
 * (an out-of-memory killer's victims) were not alive at the end: they are subtracted and counted
 * in killed=.
 */
static int item_procs(void) {
  int gate[2];
  if (pipe(gate) != 0) return fail(errno, "pipe");
  long alive = 0;
  int stop_errno = 0;
  uint64_t t0 = now_ns();
  while (alive < process_cap) {
    pid_t pid = fork();
    if (pid < 0) {
      stop_errno = errno;
      break;
    }
    if (pid == 0) {
      close(gate[1]);
      char byte;
      while (read(gate[0], &byte, 1) < 0 && errno == EINTR) {
      }
      _exit(0);
    }
    alive++;
  }
  uint64_t forked = now_ns();
  close(gate[1]), close(gate[0]);
  long reaped = 0, bad = 0, killed = 0;
  int wait_errno = 0;
  while (reaped < alive) {
    int status;
    pid_t got = wait(&status);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      wait_errno = errno;
      break;
    }
    reaped++;
    if (WIFSIGNALED(status)) killed++;
    else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bad++;
  }
  uint64_t done = now_ns();
  if (alive == 0) return fail(stop_errno, "fork");
  if (wait_errno) return fail(wait_errno, "wait after %ld of %ld children", reaped, alive);
  if (bad) return fail(0, "%ld of %ld children did not exit with status 0", bad, alive);
  const char *name = errno_name(stop_errno);
  char stop[32];
  if (!stop_errno) snprintf(stop, sizeof stop, "cap");
  else if (name) snprintf(stop, sizeof stop, "%s", name);
  else snprintf(stop, sizeof stop, "errno%d", stop_errno);
  print_line("procs %ld processes cap=%ld stop=%s killed=%ld fork_ms=%.1f reap_ms=%.1f\n",
             alive - killed, process_cap, stop, killed, (double)(forked - t0) / 1e6,
             (double)(done - forked) / 1e6);
  return 0;
}

// ---- the command line ----------------------------------------------------------------------

struct item {
  const char *name;
  int (*run)(void);
};

static const struct item items[] = {
    {"syscall", item_syscall}, {"pipe_rtt", item_pipe_rtt}, {"fork", item_fork},
    {"exec", item_exec},       {"pipe_bw", item_pipe_bw}, {"thread", item_thread},
    {"procs", item_procs},
};
#define ITEM_COUNT (sizeof items / sizeof items[0])

static void usage(const char *problem) {
  fprintf(stderr, "os-bench: %s\n", problem);
  fprintf(stderr, "usage: os-bench [all|ITEM[,ITEM...]] [SCALE] [PROCESS_CAP]\nitems:");
  for (size_t k = 0; k < ITEM_COUNT; k++) fprintf(stderr, " %s", items[k].name);
  fprintf(stderr, "\n");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--exit") == 0) return 0;
  if (argc > 4) usage("too many arguments");
  if (argc > 0) self_argv0 = argv[0];
  int selected[ITEM_COUNT] = {0};
  const char *list = argc > 1 ? argv[1] : "all";
  if (strcmp(list, "all") == 0) {
    for (size_t k = 0; k < ITEM_COUNT; k++) selected[k] = 1;
  } else {
    for (const char *p = list; *p;) {
      size_t len = strcspn(p, ",");
      size_t k = 0;
      while (k < ITEM_COUNT && (strlen(items[k].name) != len || strncmp(items[k].name, p, len)))
        k++;
      if (k == ITEM_COUNT) {
        char problem[80];
        snprintf(problem, sizeof problem, "unknown item '%.*s'", (int)(len < 40 ? len : 40), p);
        usage(problem);
      }
      selected[k] = 1;
      p += len + (p[len] == ',');
    }
  }
  if (argc > 2) {
    char *end;
    double scale = strtod(argv[2], &end);
    if (end == argv[2] || *end || !(scale > 0 && scale <= 10000))
      usage("SCALE must be a number in (0, 10000]");
    budget_ns = BUDGET_NS * scale;
  }
  if (argc > 3) {
    char *end;
    errno = 0;
    process_cap = strtol(argv[3], &end, 10);
    if (end == argv[3] || *end || errno || process_cap < 1 || process_cap > MAX_PROCESS_CAP)
      usage("PROCESS_CAP must be a whole number from 1 to 1000000");
  }
  // A writer whose reader is gone fails with EPIPE instead of dying silently.
  signal(SIGPIPE, SIG_IGN);
  for (size_t k = 0; k < ITEM_COUNT; k++) {
    if (!selected[k]) continue;
    fflush(stdout);
    failure[0] = 0;
    if (items[k].run() != 0)
      print_line("%s error %s\n", items[k].name, failure[0] ? failure : "failed");
  }
  return 0;
}
