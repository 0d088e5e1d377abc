/* Guest test: process attributes around fork and exec. prctl(PR_SET_NAME) shows in
 * /proc/self/comm and /proc/<pid>/comm, is truncated to 15 bytes, inherited by fork and replaced
 * by exec; /proc/<pid>/stat names the parent; PR_SET_PDEATHSIG delivers a signal when the parent
 * dies; getrusage(RUSAGE_CHILDREN) and times() account a child's CPU time only once it is reaped;
 * resource limits are inherited across fork and exec and enforced (RLIMIT_NOFILE); the nice
 * value is inherited. */
#include "proc-check.h"
#include <sys/times.h>

static char self[512];

static void names(void)
{
	char text[64];
	say("comm at start: %s", read_text("/proc/self/comm", text, sizeof text));
	ck("PR_SET_NAME nexa-worker", prctl(PR_SET_NAME, "nexa-worker"));
	say("/proc/self/comm: %s", read_text("/proc/self/comm", text, sizeof text));
	char name[17] = { 0 };
	prctl(PR_GET_NAME, name);
	say("PR_GET_NAME: %s", name);
	prctl(PR_SET_NAME, "a-name-longer-than-fifteen-bytes");
	prctl(PR_GET_NAME, name);
	say("a long name becomes: %s (%zu bytes)", name, strlen(name));
	prctl(PR_SET_NAME, "parent-name");

	int report[2];
	must("pipe", pipe(report));
	struct gate renamed, looked;
	gate_init(&renamed);
	gate_init(&looked);
	pid_t child = fork_or_die();
	if (child == 0) {
		char inherited[64];
		read_text("/proc/self/comm", inherited, sizeof inherited);
		write_full(report[1], inherited, sizeof inherited);
		prctl(PR_SET_NAME, "child-name");
		gate_open(&renamed);
		gate_wait(&looked);
		_exit(0);
	}
	char inherited[64];
	read_full(report[0], inherited, sizeof inherited);
	say("child inherits the name: %s", inherited);
	gate_wait(&renamed);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/comm", child);
	say("the parent reads the child's renamed comm: %s", read_text(path, text, sizeof text));
	snprintf(path, sizeof path, "/proc/%d/stat", child);
	read_text(path, text, sizeof text);
	int ppid = 0;
	char *open_paren = strchr(text, '('), *close_paren = strrchr(text, ')');
	if (open_paren && close_paren) {
		sscanf(close_paren + 1, " %*c %d", &ppid);
		close_paren[1] = 0;
	}
	say("child's /proc stat: name %s, ppid is us: %s", open_paren ? open_paren : "?",
	    ppid == getpid() ? "yes" : "no");
	say("our own name unchanged: %s", read_text("/proc/self/comm", text, sizeof text));
	gate_open(&looked);
	reap("child", child);

	child = fork_or_die();
	if (child == 0) {
		char *argv[] = { "anything", "print-comm", NULL };
		char *envp[] = { NULL };
		execve(self, argv, envp);
		_exit(127);
	}
	reap("exec'd child", child);
	close(report[0]);
	close(report[1]);
	gate_close(&renamed);
	gate_close(&looked);
}

static int report_fd;

static void on_parent_death(int sig)
{
	char c = (char)sig;
	write(report_fd, &c, 1);
	_exit(0);
}

/* A middle process forks a child that asks for SIGUSR1 when its parent dies; the middle exits. */
static void death_signal(void)
{
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	int report[2];
	must("pipe", pipe(report));
	report_fd = report[1];
	struct gate ready;
	gate_init(&ready);
	pid_t middle = fork_or_die();
	if (middle == 0) {
		pid_t child = fork_or_die();
		if (child == 0) {
			on_signal(SIGUSR1, on_parent_death, 0);
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			int sig = 0;
			prctl(PR_GET_PDEATHSIG, &sig);
			write(report[1], &sig, sizeof sig);
			gate_open(&ready);
			for (;;) pause();
		}
		gate_wait(&ready);
		_exit(0);
	}
	close(report[1]);
	int sig = 0;
	read_full(report[0], &sig, sizeof sig);
	say("PR_GET_PDEATHSIG: %s", signal_name(sig));
	reap("middle process", middle);
	char c = 0;
	read_full(report[0], &c, 1);
	say("child got %s when its parent died", signal_name(c));
	int status;
	pid_t pid = wait(&status);
	say("the orphan, reaped by us: %s", pid > 0 ? status_text(status) : errno_name(errno));
	close(report[0]);
	gate_close(&ready);

	pid_t child = fork_or_die();
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGUSR1);
		pid_t grandchild = fork_or_die();
		if (grandchild == 0) {
			int inherited = -1;
			prctl(PR_GET_PDEATHSIG, &inherited);
			_exit(inherited);
		}
		reap("a fork child's PDEATHSIG (not inherited, 0)", grandchild);
		_exit(0);
	}
	wait_for(child);
	fails("PR_SET_PDEATHSIG 99", prctl(PR_SET_PDEATHSIG, 99));
	prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static int burn_child(void)
{
	/* Burn at least 20 ms of user time, as measured by the child itself (a bounded loop: a
	 * clock that never advances ends it with 1). */
	volatile unsigned long sink = 0;
	struct rusage self_usage;
	for (int round = 0; round < 4000; round++) {
		for (int k = 0; k < 100000; k++) sink += k;
		getrusage(RUSAGE_SELF, &self_usage);
		if (self_usage.ru_utime.tv_sec > 0 || self_usage.ru_utime.tv_usec >= 20000) return 0;
	}
	return 1;
}

static void cpu_accounting(void)
{
	struct tms before_tms;
	clock_t start = times(&before_tms);
	say("times() returns: %s", start == (clock_t)-1 ? errno_name(errno) : "ok");
	struct rusage children;
	getrusage(RUSAGE_CHILDREN, &children);
	long before_us = children.ru_utime.tv_sec * 1000000L + children.ru_utime.tv_usec;
	struct gate release;
	gate_init(&release);
	pid_t child = fork_or_die();
	if (child == 0) {
		int r = burn_child();
		gate_wait(&release);
		_exit(r);
	}
	/* not reaped yet: not counted yet */
	siginfo_t info;
	gate_open(&release);
	waitid(P_PID, child, &info, WEXITED | WNOWAIT);
	getrusage(RUSAGE_CHILDREN, &children);
	long zombie_us = children.ru_utime.tv_sec * 1000000L + children.ru_utime.tv_usec;
	say("RUSAGE_CHILDREN grows before the child is reaped: %s",
	    zombie_us > before_us ? "yes" : "no");
	reap("burning child", child);
	getrusage(RUSAGE_CHILDREN, &children);
	long after_us = children.ru_utime.tv_sec * 1000000L + children.ru_utime.tv_usec;
	yes("RUSAGE_CHILDREN user time grew by at least 20 ms", after_us - before_us >= 20000);
	struct tms after_tms;
	times(&after_tms);
	yes("times() tms_cutime grew", after_tms.tms_cutime > before_tms.tms_cutime);
	struct rusage own;
	getrusage(RUSAGE_SELF, &own);
	yes("RUSAGE_SELF does not include the child", own.ru_utime.tv_sec * 1000000L +
							   own.ru_utime.tv_usec < after_us);
	fails("getrusage(99)", getrusage(99, &own));
	gate_close(&release);
	val("sysconf(_SC_CLK_TCK)", sysconf(_SC_CLK_TCK));
}

static void limits(void)
{
	struct rlimit files = { 16, 32 };
	ck("RLIMIT_NOFILE 16/32", setrlimit(RLIMIT_NOFILE, &files));
	pid_t child = fork_or_die();
	if (child == 0) {
		struct rlimit seen;
		getrlimit(RLIMIT_NOFILE, &seen);
		say("child sees RLIMIT_NOFILE %ld/%ld", (long)seen.rlim_cur, (long)seen.rlim_max);
		int opened = 0;
		while (open("/dev/null", O_RDONLY) >= 0) opened++;
		say("child opened %d more fds, then %s", opened, errno_name(errno));
		fails("dup2 to fd 16", dup2(0, 16));
		char *argv[] = { "anything", "print-limits", NULL };
		char *envp[] = { NULL };
		syscall(SYS_close_range, 3, ~0U, 0);
		execve(self, argv, envp);
		_exit(127);
	}
	reap("limits child", child);
	struct rlimit bad = { 64, 32 };
	fails("soft above hard", setrlimit(RLIMIT_NOFILE, &bad));
	struct rlimit back = { 1024, 4096 };
	setrlimit(RLIMIT_NOFILE, &back);

	errno = 0;
	int nice_before = getpriority(PRIO_PROCESS, 0);
	ck("setpriority +5", setpriority(PRIO_PROCESS, 0, nice_before + 5));
	child = fork_or_die();
	if (child == 0) _exit(getpriority(PRIO_PROCESS, 0) - nice_before);
	reap("child's nice value relative to start", child);
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n < 0 ? 0 : n] = 0;
	if (argc == 2 && !strcmp(argv[1], "print-comm")) {
		char text[64];
		say("after execve the name is the file's: %s", read_text("/proc/self/comm", text,
									     sizeof text));
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "print-limits")) {
		struct rlimit seen;
		getrlimit(RLIMIT_NOFILE, &seen);
		say("after execve RLIMIT_NOFILE %ld/%ld", (long)seen.rlim_cur, (long)seen.rlim_max);
		return 0;
	}
	begin_test();
	names();
	death_signal();
	cpu_accounting();
	limits();
	return 0;
}
