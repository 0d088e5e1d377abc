/* Guest test: every kind of wait status and how to collect it. Exit codes; deaths by signal
 * (SIGKILL, SIGTERM, SIGSEGV, SIGABRT, SIGFPE, SIGILL, SIGPIPE) with the core bit off under
 * RLIMIT_CORE 0; stops by SIGSTOP and SIGTSTP (WUNTRACED) and continuing (WCONTINUED); WNOHANG;
 * waitid with WEXITED/WSTOPPED/WCONTINUED/WNOWAIT and its siginfo; wait by process group; ECHILD;
 * a SIGCHLD handler's siginfo; SA_NOCLDWAIT and SIG_IGN auto-reaping; zombies; orphans reparented
 * (to init, or to a PR_SET_CHILD_SUBREAPER); wait4's rusage. */
#include "proc-check.h"

static pid_t spawn_exit(int code)
{
	pid_t pid = fork_or_die();
	if (pid == 0) _exit(code);
	return pid;
}

/* A child that waits (reading a pipe nobody writes) until killed or released. */
static pid_t spawn_waiting(struct gate *release)
{
	pid_t pid = fork_or_die();
	if (pid == 0) {
		gate_wait(release);
		_exit(0);
	}
	return pid;
}

static void exit_codes(void)
{
	static const int codes[] = { 0, 1, 42, 127, 255, 256, 257, -1 };
	for (unsigned k = 0; k < sizeof codes / sizeof codes[0]; k++) {
		char label[32];
		snprintf(label, sizeof label, "_exit(%d)", codes[k]);
		reap(label, spawn_exit(codes[k]));
	}
	pid_t pid = fork_or_die();
	if (pid == 0) exit(7); /* through atexit and stdio */
	reap("exit(7)", pid);
	pid = fork_or_die();
	if (pid == 0) {
		syscall(SYS_exit, 9); /* only this thread: the last one, so the process */
		_exit(1);
	}
	reap("SYS_exit(9) of the only thread", pid);
}

static void killed(const char *label, void (*die)(void))
{
	pid_t pid = fork_or_die();
	if (pid == 0) {
		die();
		_exit(0);
	}
	reap(label, pid);
}

static int *volatile bad_pointer = (int *)8;

static void die_segv(void)
{
	*bad_pointer = 1;
}

static void die_abort(void)
{
	abort();
}

static void die_fpe(void)
{
	int zero = 0;
	__asm__ volatile("cltd\n\tidivl %1" : : "a"(1), "r"(zero) : "edx");
}

static void die_ill(void)
{
	__asm__ volatile("ud2");
}

static void die_pipe(void)
{
	int p[2];
	pipe(p);
	close(p[0]);
	write(p[1], "x", 1);
}

static void die_raise_term(void)
{
	raise(SIGTERM);
}

static void die_self_kill(void)
{
	kill(getpid(), SIGKILL);
	pause();
}

static void killed_by_signals(void)
{
	struct gate never;
	gate_init(&never);
	pid_t pid = spawn_waiting(&never);
	kill(pid, SIGKILL);
	reap("kill SIGKILL", pid);
	pid = spawn_waiting(&never);
	kill(pid, SIGTERM);
	reap("kill SIGTERM", pid);
	pid = spawn_waiting(&never);
	kill(pid, SIGQUIT); /* would dump core */
	reap("kill SIGQUIT", pid);
	gate_close(&never);
	killed("NULL write", die_segv);
	killed("abort()", die_abort);
	killed("division by zero", die_fpe);
	killed("ud2", die_ill);
	killed("write to a pipe without readers", die_pipe);
	killed("raise(SIGTERM)", die_raise_term);
	killed("kill(getpid(), SIGKILL)", die_self_kill);
}

static void stops(void)
{
	pid_t pid = fork_or_die();
	if (pid == 0) {
		raise(SIGSTOP);
		_exit(11);
	}
	int status;
	waitpid(pid, &status, WUNTRACED);
	say("raise(SIGSTOP), WUNTRACED: %s", status_text(status));
	char path[64], stat[256];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	read_text(path, stat, sizeof stat);
	char *state = strrchr(stat, ')');
	say("/proc state while stopped: %c", state ? state[2] : '?');
	say("WNOHANG while stopped: %ld", (long)waitpid(pid, &status, WNOHANG | WUNTRACED));
	kill(pid, SIGCONT);
	waitpid(pid, &status, WCONTINUED);
	say("after SIGCONT, WCONTINUED: %s", status_text(status));
	reap("then", pid);

	/* SIGTSTP stops only a process whose group is not orphaned: give the child its own group
	 * (its parent, us, is in another group of the same session). */
	struct gate ready;
	gate_init(&ready);
	pid = fork_or_die();
	if (pid == 0) {
		setpgid(0, 0);
		gate_open(&ready);
		for (;;) pause();
	}
	setpgid(pid, pid);
	gate_wait(&ready);
	kill(pid, SIGTSTP);
	waitpid(pid, &status, WUNTRACED);
	say("kill SIGTSTP, WUNTRACED: %s", status_text(status));
	kill(pid, SIGCONT);
	waitpid(pid, &status, WCONTINUED);
	say("after SIGCONT: %s", status_text(status));
	say("the continue is reported once: WNOHANG|WCONTINUED %ld",
	    (long)waitpid(pid, &status, WNOHANG | WCONTINUED));
	kill(pid, SIGSTOP);
	waitpid(pid, &status, WUNTRACED);
	say("kill SIGSTOP: %s", status_text(status));
	kill(pid, SIGKILL);
	reap("SIGKILL while stopped", pid);
	gate_close(&ready);
}

static void nohang(void)
{
	struct gate release;
	gate_init(&release);
	pid_t pid = spawn_waiting(&release);
	int status = -1;
	say("WNOHANG on a running child: %ld", (long)waitpid(pid, &status, WNOHANG));
	say("status untouched: %s", status == -1 ? "yes" : "no");
	gate_open(&release);
	reap("released child", pid);
	gate_close(&release);
	say("waitpid with no children: %s",
	    waitpid(-1, &status, 0) < 0 ? errno_name(errno) : "succeeded");
	say("WNOHANG with no children: %s",
	    waitpid(-1, &status, WNOHANG) < 0 ? errno_name(errno) : "succeeded");
	struct stranger stranger;
	stranger_start(&stranger);
	say("waitpid of a grandchild: %s",
	    waitpid(stranger.pid, &status, 0) < 0 ? errno_name(errno) : "succeeded");
	siginfo_t info;
	say("waitid P_PID of a grandchild: %s",
	    waitid(P_PID, stranger.pid, &info, WEXITED) < 0 ? errno_name(errno) : "succeeded");
	stranger_end(&stranger);
	say("waitpid with a bad option: %s",
	    waitpid(-1, &status, 0x1000) < 0 ? errno_name(errno) : "succeeded");
	say("waitid without WEXITED/WSTOPPED/WCONTINUED: %s",
	    waitid(P_ALL, 0, &info, WNOHANG) < 0 ? errno_name(errno) : "succeeded");
}

static const char *code_name(int code)
{
	switch (code) {
	case CLD_EXITED: return "CLD_EXITED";
	case CLD_KILLED: return "CLD_KILLED";
	case CLD_DUMPED: return "CLD_DUMPED";
	case CLD_STOPPED: return "CLD_STOPPED";
	case CLD_CONTINUED: return "CLD_CONTINUED";
	case CLD_TRAPPED: return "CLD_TRAPPED";
	case SI_USER: return "SI_USER";
	case SI_TKILL: return "SI_TKILL";
	case SI_QUEUE: return "SI_QUEUE";
	}
	return "other";
}

/* si_status is an exit code or a signal number, depending on si_code. */
static void say_info(const char *label, pid_t pid, const siginfo_t *info)
{
	char status[32];
	if (info->si_code == CLD_EXITED) snprintf(status, sizeof status, "%d", info->si_status);
	else snprintf(status, sizeof status, "%s", signal_name(info->si_status));
	say("%s: si_signo %s, si_code %s, si_status %s, si_pid %s, si_uid %d", label,
	    signal_name(info->si_signo), code_name(info->si_code), status,
	    info->si_pid == pid ? "matches" : "differs", (int)info->si_uid);
}

static void waitid_kinds(void)
{
	siginfo_t info;
	pid_t pid = spawn_exit(5);
	memset(&info, 0, sizeof info);
	waitid(P_PID, pid, &info, WEXITED | WNOWAIT);
	say_info("WEXITED|WNOWAIT", pid, &info);
	memset(&info, 0, sizeof info);
	waitid(P_ALL, 0, &info, WEXITED | WNOWAIT);
	say_info("again (still waitable)", pid, &info);
	memset(&info, 0, sizeof info);
	waitid(P_PID, pid, &info, WEXITED);
	say_info("WEXITED", pid, &info);
	memset(&info, 0xff, sizeof info);
	say("WNOHANG with nothing to report: %ld", (long)waitid(P_ALL, 0, &info, WEXITED | WNOHANG));

	struct gate never;
	gate_init(&never);
	pid = spawn_waiting(&never);
	memset(&info, 0xff, sizeof info);
	waitid(P_PID, pid, &info, WEXITED | WNOHANG);
	say("WNOHANG on a running child leaves si_pid %d, si_signo %d", info.si_pid, info.si_signo);
	kill(pid, SIGSTOP);
	memset(&info, 0, sizeof info);
	waitid(P_PID, pid, &info, WSTOPPED);
	say_info("WSTOPPED", pid, &info);
	kill(pid, SIGCONT);
	memset(&info, 0, sizeof info);
	waitid(P_PID, pid, &info, WCONTINUED);
	say_info("WCONTINUED", pid, &info);
	kill(pid, SIGTERM);
	memset(&info, 0, sizeof info);
	waitid(P_PID, pid, &info, WEXITED);
	say_info("killed", pid, &info);
	pid = spawn_waiting(&never);
	kill(pid, SIGQUIT);
	memset(&info, 0, sizeof info);
	waitid(P_PID, pid, &info, WEXITED);
	say_info("SIGQUIT with RLIMIT_CORE 0", pid, &info);
	gate_close(&never);

	/* P_PGID: only the members of that group. */
	pid_t leader = fork_or_die();
	if (leader == 0) {
		setpgid(0, 0);
		_exit(21);
	}
	setpgid(leader, leader);
	pid_t other = spawn_exit(22);
	memset(&info, 0, sizeof info);
	waitid(P_PGID, leader, &info, WEXITED);
	say_info("P_PGID", leader, &info);
	memset(&info, 0, sizeof info);
	waitid(P_ALL, 0, &info, WEXITED);
	say_info("P_ALL", other, &info);
}

static volatile int chld_count;
static volatile int chld_code, chld_status, chld_pid;

static void on_chld(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	chld_count++;
	chld_code = info->si_code;
	chld_status = info->si_status;
	chld_pid = info->si_pid;
}

static void sigchld_handler(void)
{
	on_siginfo(SIGCHLD, on_chld, SA_RESTART);
	sigset_t chld, old;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	pid_t pid = spawn_exit(33);
	sigsuspend(&old);
	say("SIGCHLD on exit: count %d, si_code %s, si_status %d, si_pid %s", chld_count,
	    code_name(chld_code), chld_status, chld_pid == pid ? "matches" : "differs");
	reap("  child", pid);

	struct gate never;
	gate_init(&never);
	chld_count = 0;
	pid = spawn_waiting(&never);
	kill(pid, SIGSTOP);
	sigsuspend(&old);
	say("SIGCHLD on stop: count %d, si_code %s, si_status %s", chld_count, code_name(chld_code),
	    signal_name(chld_status));
	kill(pid, SIGCONT);
	sigsuspend(&old);
	say("SIGCHLD on continue: count %d, si_code %s, si_status %s", chld_count,
	    code_name(chld_code), signal_name(chld_status));
	kill(pid, SIGKILL);
	sigsuspend(&old);
	say("SIGCHLD on kill: count %d, si_code %s, si_status %s", chld_count, code_name(chld_code),
	    signal_name(chld_status));
	reap("  child", pid);

	/* SA_NOCLDSTOP: no SIGCHLD for stop and continue, only for the death. */
	on_siginfo(SIGCHLD, on_chld, SA_RESTART | SA_NOCLDSTOP);
	chld_count = 0;
	pid = spawn_waiting(&never);
	kill(pid, SIGSTOP);
	int status;
	waitpid(pid, &status, WUNTRACED);
	kill(pid, SIGCONT);
	waitpid(pid, &status, WCONTINUED);
	kill(pid, SIGKILL);
	sigsuspend(&old);
	say("SA_NOCLDSTOP: count %d, si_code %s", chld_count, code_name(chld_code));
	reap("  child", pid);
	gate_close(&never);
	sigprocmask(SIG_SETMASK, &old, NULL);
	signal(SIGCHLD, SIG_DFL);
}

static void auto_reaping(const char *label, int use_ignore)
{
	if (use_ignore) signal(SIGCHLD, SIG_IGN);
	else on_signal(SIGCHLD, SIG_DFL, SA_NOCLDWAIT);
	struct gate release;
	gate_init(&release);
	pid_t first = spawn_waiting(&release);
	pid_t second = spawn_waiting(&release);
	gate_open(&release);
	gate_open(&release);
	close(release.fd[1]);
	close(release.fd[0]);
	int status;
	/* wait blocks until every child is gone, then finds none to report */
	pid_t r = waitpid(-1, &status, 0);
	say("%s: wait returns %s", label, r < 0 ? errno_name(errno) : "a child");
	yes("  children gone", kill(first, 0) < 0 && errno == ESRCH && kill(second, 0) < 0);
	signal(SIGCHLD, SIG_DFL);
}

static void zombies(void)
{
	pid_t pid = fork_or_die();
	if (pid == 0) _exit(4);
	siginfo_t info;
	waitid(P_PID, pid, &info, WEXITED | WNOWAIT);
	char path[64], stat[256];
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	read_text(path, stat, sizeof stat);
	char *state = strrchr(stat, ')');
	say("zombie: kill(pid, 0) %s, /proc state %c", kill(pid, 0) == 0 ? "ok" : errno_name(errno),
	    state ? state[2] : '?');
	reap("zombie reaped", pid);
	say("after reaping: kill(pid, 0) %s", kill(pid, 0) == 0 ? "ok" : errno_name(errno));
}

/* A child forks a grandchild and exits; the grandchild reports its parent before and after. */
static void orphans(int subreaper)
{
	prctl(PR_SET_CHILD_SUBREAPER, subreaper);
	int report[2];
	must("pipe", pipe(report));
	struct gate parent_gone, grandchild_ready;
	gate_init(&parent_gone);
	gate_init(&grandchild_ready);
	pid_t child = fork_or_die();
	if (child == 0) {
		pid_t grandchild = fork_or_die();
		if (grandchild == 0) {
			pid_t before = getppid();
			gate_open(&grandchild_ready);
			gate_wait(&parent_gone);
			/* the parent was reaped: it is no longer our parent */
			pid_t after = getppid();
			pid_t facts[3] = { before, after, getpid() };
			write_full(report[1], facts, sizeof facts);
			_exit(0);
		}
		gate_wait(&grandchild_ready);
		_exit(0);
	}
	reap("orphan's parent", child);
	gate_open(&parent_gone);
	pid_t facts[3];
	read_full(report[0], facts, sizeof facts);
	yes("  grandchild's ppid was its parent", facts[0] == child);
	yes("  ppid changed after the parent died", facts[1] != child);
	if (subreaper) {
		yes("  reparented to us (subreaper)", facts[1] == getpid());
		reap("  we reap the grandchild", facts[2]);
	}
	close(report[0]);
	close(report[1]);
	gate_close(&parent_gone);
	gate_close(&grandchild_ready);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static void rusage_of_children(void)
{
	pid_t pid = fork_or_die();
	if (pid == 0) {
		/* Burn at least 20 ms of user time, as measured by the child itself (a bounded
		 * loop: a clock that never advances ends it with 1). */
		volatile unsigned long sink = 0;
		struct rusage self;
		for (int round = 0; round < 4000; round++) {
			for (int k = 0; k < 100000; k++) sink += k;
			getrusage(RUSAGE_SELF, &self);
			if (self.ru_utime.tv_sec > 0 || self.ru_utime.tv_usec >= 20000) _exit(0);
		}
		_exit(1);
	}
	struct rusage usage;
	int status;
	memset(&usage, 0, sizeof usage);
	pid_t r = wait4(pid, &status, 0, &usage);
	say("wait4 with rusage: %s, %s", r == pid ? "ok" : "failed", status_text(status));
	yes("  child's user time at least 20 ms",
	    usage.ru_utime.tv_sec > 0 || usage.ru_utime.tv_usec >= 20000);
	getrusage(RUSAGE_CHILDREN, &usage);
	yes("RUSAGE_CHILDREN user time non-zero", usage.ru_utime.tv_sec || usage.ru_utime.tv_usec);
}

int main(void)
{
	begin_test();
	exit_codes();
	killed_by_signals();
	stops();
	nohang();
	waitid_kinds();
	sigchld_handler();
	auto_reaping("SA_NOCLDWAIT", 0);
	auto_reaping("SIGCHLD ignored", 1);
	zombies();
	say("orphan without a subreaper:");
	orphans(0);
	say("orphan with a subreaper:");
	orphans(1);
	rusage_of_children();
	return 0;
}
