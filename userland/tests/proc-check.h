/* Shared helpers of the proc-*.c guest tests (processes, signals, pipes, threads): one printed
 * line per fact, written with a single write(2) so that lines of several processes never mix and
 * no stdio buffer is duplicated by fork; errno and signal names; wait statuses described in words
 * ("exited 3", "killed by SIGTERM", "stopped by SIGSTOP"); pipe "gates" that order processes;
 * and a temporary folder under /tmp. Nothing printed depends on pids, addresses or timing. */
#ifndef PROC_CHECK_H
#define PROC_CHECK_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Not every test uses every helper. */
#define HELPER static __attribute__((unused))

HELPER const char *errno_name(int e)
{
	static char other[32];
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case ENXIO: return "ENXIO";
	case E2BIG: return "E2BIG";
	case ENOEXEC: return "ENOEXEC";
	case EBADF: return "EBADF";
	case ECHILD: return "ECHILD";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EISDIR: return "EISDIR";
	case EINVAL: return "EINVAL";
	case EMFILE: return "EMFILE";
	case ENOTTY: return "ENOTTY";
	case ETXTBSY: return "ETXTBSY";
	case ESPIPE: return "ESPIPE";
	case EPIPE: return "EPIPE";
	case ERANGE: return "ERANGE";
	case EDEADLK: return "EDEADLK";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	case ENOSYS: return "ENOSYS";
	case ELOOP: return "ELOOP";
	case ETIMEDOUT: return "ETIMEDOUT";
	case EOVERFLOW: return "EOVERFLOW";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	}
	snprintf(other, sizeof other, "errno %d", e);
	return other;
}

HELPER const char *signal_name(int sig)
{
	static const char *const names[] = {
		"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS",
		"SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM",
		"SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN",
		"SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
		"SIGIO", "SIGPWR", "SIGSYS",
	};
	static char other[32];
	if (sig >= 0 && sig < (int)(sizeof names / sizeof names[0])) return names[sig];
	snprintf(other, sizeof other, "signal %d", sig);
	return other;
}

/* Prints one line (a newline is added) with one write(2). */
HELPER void say(const char *format, ...)
{
	char line[1024];
	va_list args;
	va_start(args, format);
	int n = vsnprintf(line, sizeof line - 1, format, args);
	va_end(args);
	if (n < 0) return;
	if (n > (int)sizeof line - 2) n = sizeof line - 2;
	line[n++] = '\n';
	for (int done = 0; done < n;) {
		ssize_t w = write(1, line + done, n - done);
		if (w < 0 && errno == EINTR) continue;
		if (w <= 0) return;
		done += w;
	}
}

HELPER void yes(const char *label, int condition)
{
	say("%s: %s", label, condition ? "yes" : "no");
}

/* "label: ok" on success, "label: ENAME" on failure; returns the result (errno kept). */
HELPER long ck(const char *label, long r)
{
	int saved = errno;
	if (r < 0) say("%s: %s", label, errno_name(saved));
	else say("%s: ok", label);
	errno = saved;
	return r;
}

/* "label: N" on success (the value is deterministic), "label: ENAME" on failure. */
HELPER long val(const char *label, long r)
{
	int saved = errno;
	if (r < 0) say("%s: %s", label, errno_name(saved));
	else say("%s: %ld", label, r);
	errno = saved;
	return r;
}

/* A call expected to fail: "label: ENAME", or "label: succeeded" when it did not fail. */
HELPER void fails(const char *label, long r)
{
	if (r < 0) say("%s: %s", label, errno_name(errno));
	else say("%s: succeeded", label);
}

/* A setup step that must work; failing ends the test visibly. */
HELPER long must(const char *what, long r)
{
	if (r < 0) {
		say("setup failed: %s: %s", what, errno_name(errno));
		exit(1);
	}
	return r;
}

/* A wait status in words: "exited 3", "killed by SIGTERM", "killed by SIGSEGV (core)",
 * "stopped by SIGSTOP", "continued". */
HELPER const char *status_text(int status)
{
	static char text[64];
	if (WIFEXITED(status)) snprintf(text, sizeof text, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(text, sizeof text, "killed by %s%s", signal_name(WTERMSIG(status)),
			 WCOREDUMP(status) ? " (core)" : "");
	else if (WIFSTOPPED(status))
		snprintf(text, sizeof text, "stopped by %s", signal_name(WSTOPSIG(status)));
	else if (WIFCONTINUED(status)) snprintf(text, sizeof text, "continued");
	else snprintf(text, sizeof text, "status 0x%x", status);
	return text;
}

/* waitpid that retries after EINTR; returns the status, or -1 (printed) on failure. */
HELPER int wait_for(pid_t pid)
{
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, 0);
		if (r == pid) return status;
		if (r < 0 && errno == EINTR) continue;
		say("waitpid failed: %s", r < 0 ? errno_name(errno) : "wrong pid");
		return -1;
	}
}

/* Waits for `pid` and prints "label: exited 0" (or how it ended). */
HELPER void reap(const char *label, pid_t pid)
{
	int status = wait_for(pid);
	if (status != -1) say("%s: %s", label, status_text(status));
}

HELPER pid_t fork_or_die(void)
{
	pid_t pid = fork();
	if (pid < 0) {
		say("setup failed: fork: %s", errno_name(errno));
		exit(1);
	}
	return pid;
}

/* A gate is a pipe: one process waits until another opens it (writes a byte). */
struct gate {
	int fd[2];
};

HELPER void gate_init(struct gate *g)
{
	must("gate pipe", pipe2(g->fd, O_CLOEXEC));
}

HELPER void gate_open(struct gate *g)
{
	char c = 1;
	while (write(g->fd[1], &c, 1) < 0 && errno == EINTR) {}
}

/* Blocks until the gate is opened once; returns 0, or -1 when every writer closed. */
HELPER int gate_wait(struct gate *g)
{
	char c;
	for (;;) {
		ssize_t n = read(g->fd[0], &c, 1);
		if (n == 1) return 0;
		if (n < 0 && errno == EINTR) continue;
		return -1;
	}
}

HELPER void gate_close(struct gate *g)
{
	close(g->fd[0]);
	close(g->fd[1]);
}

/* Reads exactly `size` bytes (retrying short reads and EINTR); returns the count read. */
HELPER size_t read_full(int fd, void *buffer, size_t size)
{
	size_t done = 0;
	while (done < size) {
		ssize_t n = read(fd, (char *)buffer + done, size - done);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) break;
		done += n;
	}
	return done;
}

HELPER void write_full(int fd, const void *buffer, size_t size)
{
	size_t done = 0;
	while (done < size) {
		ssize_t n = write(fd, (const char *)buffer + done, size - done);
		if (n < 0 && errno == EINTR) continue;
		if (n <= 0) return;
		done += n;
	}
}

/* A live process that is not our child (a grandchild), for "not a child" checks; getppid()
 * would not do, since the first process of a system may have no parent at all. */
struct stranger {
	pid_t pid, child;
	struct gate release;
};

HELPER void stranger_start(struct stranger *s)
{
	int report[2];
	must("pipe", pipe(report));
	gate_init(&s->release);
	s->child = fork_or_die();
	if (s->child == 0) {
		pid_t grandchild = fork_or_die();
		if (grandchild == 0) {
			gate_wait(&s->release);
			_exit(0);
		}
		write(report[1], &grandchild, sizeof grandchild);
		gate_wait(&s->release);
		waitpid(grandchild, NULL, 0);
		_exit(0);
	}
	if (read(report[0], &s->pid, sizeof s->pid) != sizeof s->pid) s->pid = -1;
	close(report[0]);
	close(report[1]);
}

HELPER void stranger_end(struct stranger *s)
{
	gate_open(&s->release);
	gate_open(&s->release);
	waitpid(s->child, NULL, 0);
	gate_close(&s->release);
}

/* Reads a small file into `buffer` as a string, without a final newline ("<ENAME>" on error). */
HELPER const char *read_text(const char *path, char *buffer, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(buffer, size, "<%s>", errno_name(errno));
		return buffer;
	}
	size_t n = read_full(fd, buffer, size - 1);
	close(fd);
	buffer[n] = 0;
	if (n > 0 && buffer[n - 1] == '\n') buffer[n - 1] = 0;
	return buffer;
}

/* Every test starts the same way: no inherited fds beyond 0-2 (fd numbers must not depend on
 * the launcher), no core dumps (RLIMIT_CORE 0 alone does not stop a core_pattern pipe such as
 * apport's, and a dump sets the core bit of the wait status), default signal dispositions and an
 * empty mask. */
HELPER void begin_test(void)
{
	syscall(SYS_close_range, 3, ~0U, 0);
	struct rlimit no_core = { 0, 0 };
	setrlimit(RLIMIT_CORE, &no_core);
	prctl(PR_SET_DUMPABLE, 0);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
	umask(022);
}

/* Installs a handler with the given flags (and an empty sa_mask). */
HELPER int on_signal(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

HELPER int on_siginfo(int sig, void (*action)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = action;
	sa.sa_flags = flags | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

/* Async-signal-safe append of a short note to a fixed log (handlers record, main prints). */
static char signal_log[512];
static volatile int signal_log_length;

HELPER void note(const char *text)
{
	int at = signal_log_length;
	for (; *text && at < (int)sizeof signal_log - 2; text++) signal_log[at++] = *text;
	signal_log[at++] = ' ';
	signal_log[at] = 0;
	signal_log_length = at;
}

/* Prints "label: <notes>" and clears the log. */
HELPER void print_notes(const char *label)
{
	int n = signal_log_length;
	while (n > 0 && signal_log[n - 1] == ' ') n--;
	say("%s: %.*s", label, n, signal_log);
	signal_log_length = 0;
	signal_log[0] = 0;
}

/* A fresh folder under /tmp (removed by remove_temp); its name is never printed. */
static char temp_dir[64];

HELPER const char *make_temp(void)
{
	strcpy(temp_dir, "/tmp/nexaos-proc-XXXXXX");
	if (!mkdtemp(temp_dir)) {
		say("setup failed: mkdtemp: %s", errno_name(errno));
		exit(1);
	}
	return temp_dir;
}

HELPER const char *temp_path(const char *name)
{
	static char paths[4][128];
	static int next;
	char *path = paths[next++ % 4];
	snprintf(path, sizeof paths[0], "%s/%s", temp_dir, name);
	return path;
}

/* Removes the files named and then the folder itself. */
HELPER void remove_temp(const char *const *names)
{
	for (; *names; names++) unlink(temp_path(*names));
	if (rmdir(temp_dir) < 0) say("cleanup: rmdir: %s", errno_name(errno));
}

#endif
