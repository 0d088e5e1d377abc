/* Guest test: execve. A chain re-executes this program through /proc/self/exe several levels
 * deep with different argv and environments, keeping the pid; close-on-exec fds close and the
 * others stay; handled signals reset to SIG_DFL while ignored ones stay ignored; the blocked mask
 * and pending signals survive; the alternate signal stack does not. execve's errors: ENOENT,
 * ENOTDIR, EACCES, ENOEXEC, E2BIG, ETXTBSY, EFAULT. "#!" scripts (with and without an interpreter
 * argument, nested) whose interpreter is this program, written into a file at run time; fexecve. */
#include "proc-check.h"
#include <sys/auxv.h>

#define FIRST_LEVEL 3

extern char **environ;
static char self[512];

static void on_signal_noop(int sig)
{
	(void)sig;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *value = getenv(name);
	return value ? value : fallback;
}

static const char *disposition(int sig)
{
	struct sigaction sa;
	if (sigaction(sig, NULL, &sa) < 0) return errno_name(errno);
	if (sa.sa_handler == SIG_DFL) return "default";
	if (sa.sa_handler == SIG_IGN) return "ignored";
	return "handler";
}

static const char *fd_state(int fd)
{
	int flags = fcntl(fd, F_GETFD);
	if (flags < 0) return errno_name(errno);
	return flags & FD_CLOEXEC ? "open (cloexec)" : "open";
}

/* The last level: what survived the chain of execs. */
static void report(void)
{
	for (int fd = 10; fd <= 15; fd++) say("  fd %d: %s", fd, fd_state(fd));
	say("  SIGUSR1 (had a handler): %s", disposition(SIGUSR1));
	say("  SIGINT (had a handler): %s", disposition(SIGINT));
	say("  SIGUSR2 (was ignored): %s", disposition(SIGUSR2));
	say("  SIGCHLD (was ignored): %s", disposition(SIGCHLD));
	sigset_t mask, pending;
	sigprocmask(SIG_BLOCK, NULL, &mask);
	sigpending(&pending);
	say("  blocked: SIGHUP %s, SIGTERM %s, SIGUSR1 %s", sigismember(&mask, SIGHUP) ? "yes" : "no",
	    sigismember(&mask, SIGTERM) ? "yes" : "no", sigismember(&mask, SIGUSR1) ? "yes" : "no");
	say("  pending: SIGTERM %s, SIGHUP %s", sigismember(&pending, SIGTERM) ? "yes" : "no",
	    sigismember(&pending, SIGHUP) ? "yes" : "no");
	stack_t stack;
	sigaltstack(NULL, &stack);
	say("  alternate signal stack: %s", stack.ss_flags & SS_DISABLE ? "disabled" : "enabled");
	char comm[64];
	say("  comm: %s", read_text("/proc/self/comm", comm, sizeof comm));
	char cmdline[256];
	int fd = open("/proc/self/cmdline", O_RDONLY);
	size_t length = fd < 0 ? 0 : read_full(fd, cmdline, sizeof cmdline - 1);
	close(fd);
	for (size_t k = 0; k < length; k++)
		if (cmdline[k] == 0) cmdline[k] = '|';
	say("  /proc/self/cmdline: %.*s", (int)length, cmdline);
	char environ_text[1024];
	fd = open("/proc/self/environ", O_RDONLY);
	length = fd < 0 ? 0 : read_full(fd, environ_text, sizeof environ_text - 1);
	close(fd);
	int entries = 0, has_level = 0;
	for (size_t k = 0; k < length; k++) {
		if (environ_text[k] == 0) entries++;
		if (!strncmp(environ_text + k, "LEVEL=0", 7) && (k == 0 || environ_text[k - 1] == 0))
			has_level = 1;
	}
	say("  /proc/self/environ: %d entries, LEVEL=0 among them: %s", entries,
	    has_level ? "yes" : "no");
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	say("  AT_EXECFN: %s", execfn ? execfn : "(none)");
	char now[512];
	ssize_t n = readlink("/proc/self/exe", now, sizeof now - 1);
	now[n < 0 ? 0 : n] = 0;
	yes("  /proc/self/exe still this program", n > 0 && !strcmp(now, env_or("SELF", "")));
	/* The pending SIGTERM, once unblocked, kills with the default action. */
	sigset_t term;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &term, NULL);
	say("  still alive after unblocking SIGTERM");
}

/* One level of the chain: prints what it received, then execs the next level. */
static int chain_level(int argc, char **argv)
{
	int level = atoi(argv[2]);
	char line[512];
	int at = snprintf(line, sizeof line, "level %d: argc=%d argv:", level, argc);
	for (int k = 0; k < argc; k++) at += snprintf(line + at, sizeof line - at, " [%s]", argv[k]);
	say("%s", line);
	int count = 0;
	for (char **e = environ; *e; e++) count++;
	say("  env: %d entries, LEVEL=%s KEEP=%s", count, env_or("LEVEL", "(unset)"),
	    env_or("KEEP", "(unset)"));
	char pid_text[32];
	snprintf(pid_text, sizeof pid_text, "%d", getpid());
	yes("  pid unchanged", !strcmp(pid_text, env_or("ORIGIN_PID", "")));
	snprintf(pid_text, sizeof pid_text, "%d", getppid());
	yes("  ppid unchanged", !strcmp(pid_text, env_or("ORIGIN_PPID", "")));
	if (level == 0) {
		report();
		return 0;
	}
	char next[16], level_env[32], argv0[16];
	snprintf(next, sizeof next, "%d", level - 1);
	snprintf(level_env, sizeof level_env, "LEVEL=%d", level - 1);
	snprintf(argv0, sizeof argv0, "lvl%d", level - 1);
	char *next_argv[16] = { argv0, "chain", next };
	int next_argc = 3;
	for (int k = 3; k < argc && next_argc < 14; k++) next_argv[next_argc++] = argv[k];
	char extra[32];
	snprintf(extra, sizeof extra, "from-%d", level);
	next_argv[next_argc++] = extra;
	next_argv[next_argc] = NULL;
	char *next_env[8] = { level_env };
	int envc = 1;
	for (char **e = environ; *e && envc < 7; e++)
		if (strncmp(*e, "LEVEL=", 6)) next_env[envc++] = *e;
	next_env[envc] = NULL;
	execve("/proc/self/exe", next_argv, next_env);
	say("exec of level %d failed: %s", level - 1, errno_name(errno));
	return 1;
}

static void exec_chain(void)
{
	say("exec chain:");
	pid_t child = fork_or_die();
	if (child == 0) {
		int null = must("open /dev/null", open("/dev/null", O_RDONLY));
		dup3(null, 10, O_CLOEXEC);
		dup2(null, 11);
		fcntl(null, F_DUPFD_CLOEXEC, 12);
		dup2(null, 13);
		fcntl(13, F_SETFD, FD_CLOEXEC);
		dup3(null, 14, O_CLOEXEC);
		fcntl(14, F_SETFD, 0);
		int cloexec_pipe[2];
		pipe2(cloexec_pipe, O_CLOEXEC);
		dup2(cloexec_pipe[1], 15);
		close(cloexec_pipe[0]);
		close(cloexec_pipe[1]);
		close(null);

		on_signal(SIGUSR1, on_signal_noop, 0);
		on_signal(SIGINT, on_signal_noop, SA_RESTART);
		signal(SIGUSR2, SIG_IGN);
		signal(SIGCHLD, SIG_IGN);
		sigset_t mask;
		sigemptyset(&mask);
		sigaddset(&mask, SIGHUP);
		sigaddset(&mask, SIGTERM);
		sigprocmask(SIG_BLOCK, &mask, NULL);
		raise(SIGTERM);
		static char stack_area[SIGSTKSZ];
		stack_t stack = { .ss_sp = stack_area, .ss_size = sizeof stack_area };
		sigaltstack(&stack, NULL);

		char pid_env[48], ppid_env[48], self_env[600];
		snprintf(pid_env, sizeof pid_env, "ORIGIN_PID=%d", getpid());
		snprintf(ppid_env, sizeof ppid_env, "ORIGIN_PPID=%d", getppid());
		snprintf(self_env, sizeof self_env, "SELF=%s", self);
		char *argv[] = { "lvl3", "chain", "3", "first arg", "", NULL };
		char *envp[] = { "LEVEL=3", "KEEP=kept", pid_env, ppid_env, self_env, NULL };
		execve("/proc/self/exe", argv, envp);
		say("exec chain: %s", errno_name(errno));
		_exit(1);
	}
	reap("exec chain", child);
}

static void exec_error(const char *label, const char *path, char **argv)
{
	char *envp[] = { NULL };
	errno = 0;
	execve(path, argv, envp);
	say("%s: %s", label, errno_name(errno));
}

static void write_file_mode(const char *path, const void *bytes, size_t size, mode_t mode)
{
	int fd = must(path, open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
	write_full(fd, bytes, size);
	close(fd);
	chmod(path, mode);
}

/* Copies this program's bytes to `path` and returns an fd still open for writing. */
static int copy_self(const char *path)
{
	int in = must("open self", open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
	int out = must("create copy", open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755));
	char buffer[65536];
	ssize_t n;
	while ((n = read(in, buffer, sizeof buffer)) > 0) write_full(out, buffer, n);
	close(in);
	return out;
}

static void exec_errors(void)
{
	say("execve errors:");
	/* Should one of these unexpectedly succeed, the program ends here with status 99. */
	char *argv[] = { "x", "exit-with", "99", NULL };
	exec_error("  missing file", "/nonexistent/program", argv);
	exec_error("  empty path", "", argv);
	exec_error("  path through a file", "/proc/self/exe/x", argv);
	exec_error("  directory", "/tmp", argv);
	write_file_mode(temp_path("not-executable"), "#!/bin/sh\n", 10, 0644);
	exec_error("  file without x bits", temp_path("not-executable"), argv);
	static const char garbage[] = "garbage\x01\x02\x03 this is not a program\n";
	write_file_mode(temp_path("garbage"), garbage, sizeof garbage - 1, 0755);
	exec_error("  garbage content", temp_path("garbage"), argv);
	write_file_mode(temp_path("empty"), "", 0, 0755);
	exec_error("  empty file", temp_path("empty"), argv);
	write_file_mode(temp_path("bare-hashbang"), "#!\n", 3, 0755);
	exec_error("  #! without interpreter", temp_path("bare-hashbang"), argv);
	static const char missing[] = "#!/nonexistent/interpreter arg\n";
	write_file_mode(temp_path("missing-interpreter"), missing, sizeof missing - 1, 0755);
	exec_error("  #! naming a missing interpreter", temp_path("missing-interpreter"), argv);

	/* One string longer than MAX_ARG_STRLEN (32 pages). */
	size_t huge_size = 200000;
	char *huge = malloc(huge_size + 1);
	memset(huge, 'a', huge_size);
	huge[huge_size] = 0;
	char *huge_argv[] = { "x", "exit-with", "99", huge, NULL };
	exec_error("  one 200000-byte argument", self, huge_argv);
	/* 8 MB in total, more than any stack limit's quarter allows. */
	size_t count = 8192;
	char **many = calloc(count + 1, sizeof *many);
	huge[1000] = 0;
	for (size_t k = 0; k < count; k++) many[k] = k == 1 ? "exit-with" : k == 2 ? "99" : huge;
	exec_error("  8192 arguments of 1000 bytes", self, many);
	free(many);
	free(huge);

	int writer = copy_self(temp_path("copy"));
	exec_error("  a copy still open for writing", temp_path("copy"), argv);
	close(writer);
	pid_t child = fork_or_die();
	if (child == 0) {
		char *exit_argv[] = { "copy", "exit-with", "6", NULL };
		exec_error("  the copy after closing (child)", temp_path("copy"), exit_argv);
		_exit(1);
	}
	reap("  the copy after closing", child);
	exec_error("  bad argv pointer", self, (char **)16);
	char *bad_string[] = { "x", "exit-with", "99", (char *)16, NULL };
	exec_error("  bad argv string", self, bad_string);
}

/* As a "#!" interpreter: prints what the kernel passed. */
static int interpreter(int argc, char **argv)
{
	say("  interpreter argc=%d", argc);
	yes("  argv[0] is the interpreter path from the #! line", !strcmp(argv[0], self));
	for (int k = 1; k < argc; k++) say("  argv[%d]: [%s]", k, argv[k]);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	say("  AT_EXECFN: %s", execfn ? execfn : "(none)");
	return 3;
}

static void run_script(const char *label, const char *path, char **argv)
{
	say("%s:", label);
	pid_t child = fork_or_die();
	if (child == 0) {
		char *envp[] = { NULL };
		execve(path, argv, envp);
		say("  execve: %s", errno_name(errno));
		_exit(1);
	}
	reap("  script", child);
}

static void scripts(void)
{
	char line[700];
	int n = snprintf(line, sizeof line, "#!%s interp-mode\necho this line is not run\n", self);
	write_file_mode(temp_path("script"), line, n, 0755);
	n = snprintf(line, sizeof line, "#!  %s   interp-mode  two words  \n", self);
	write_file_mode(temp_path("spaced"), line, n, 0755);
	n = snprintf(line, sizeof line, "#!%s\n", self);
	write_file_mode(temp_path("no-arg"), line, n, 0755);
	n = snprintf(line, sizeof line, "#!./script nested-arg\n");
	write_file_mode(temp_path("nested"), line, n, 0755);
	must("chdir temp", chdir(temp_dir));
	char *argv[] = { "script-argv0", "a b", "", "c", NULL };
	run_script("#! with an argument", "./script", argv);
	run_script("#! with spaces around the argument", "./spaced", argv);
	run_script("#! naming a script as interpreter", "./nested", argv);
	char *no_args[] = { "only-argv0", NULL };
	run_script("#! without an argument", "./no-arg", no_args);
	must("chdir /", chdir("/"));
}

static void fexecve_self(void)
{
	int fd = must("open self", open(self, O_RDONLY | O_CLOEXEC));
	pid_t child = fork_or_die();
	if (child == 0) {
		char *argv[] = { "fexec", "exit-with", "4", NULL };
		char *envp[] = { NULL };
		fexecve(fd, argv, envp);
		say("fexecve: %s", errno_name(errno));
		_exit(1);
	}
	reap("fexecve of this program", child);
	close(fd);
	child = fork_or_die();
	if (child == 0) {
		char *envp[] = { NULL };
		syscall(SYS_execve, self, NULL, envp);
		say("execve with a NULL argv: %s", errno_name(errno));
		_exit(1);
	}
	reap("execve with a NULL argv", child);
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0) {
		say("readlink /proc/self/exe: %s", errno_name(errno));
		return 1;
	}
	self[n] = 0;
	if (argc == 0) {
		say("argc 0: argv[0] %s", argv[0] ? "set" : "NULL");
		return 8;
	}
	if (argc == 1 && argv[0][0] == 0) {
		say("  argc 1 with an empty argv[0]");
		return 8;
	}
	if (argc >= 3 && !strcmp(argv[1], "chain")) return chain_level(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "interp-mode")) return interpreter(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "exit-with")) return atoi(argv[2]);
	if (argc >= 2 && !strcmp(argv[0], self)) return interpreter(argc, argv);
	begin_test();
	make_temp();
	exec_chain();
	exec_errors();
	scripts();
	fexecve_self();
	static const char *const files[] = {
		"not-executable", "garbage", "empty", "bare-hashbang", "missing-interpreter", "copy",
		"script", "spaced", "no-arg", "nested", NULL,
	};
	remove_temp(files);
	return 0;
}
