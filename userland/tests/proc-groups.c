/* Guest test: process groups and sessions. getpgrp/getpgid/getsid and their inheritance;
 * setpgid to a new or an existing group and its errors (EINVAL, ESRCH, EPERM, EACCES after the
 * child's execve); setsid and its EPERM for group leaders, and no controlling terminal after it;
 * kill and waitpid aimed at a group; stopping and continuing a whole group; a group orphaned
 * while it has a stopped member receives SIGHUP and SIGCONT; stop signals sent to an orphaned
 * group are discarded. Orphans are reparented to this process (PR_SET_CHILD_SUBREAPER), so the
 * result does not depend on what runs above it. */
#include "proc-check.h"

static pid_t dead_pid;

/* A pid that no process and no group has: a child that was already reaped. */
static pid_t unused_pid(void)
{
	pid_t pid = fork_or_die();
	if (pid == 0) _exit(0);
	wait_for(pid);
	return pid;
}

static void basics(void)
{
	yes("getpgrp() == getpgid(0) == getpgid(getpid())",
	    getpgrp() == getpgid(0) && getpgid(0) == getpgid(getpid()));
	yes("getsid(0) == getsid(getpid())", getsid(0) == getsid(getpid()));
	int report[2];
	must("pipe", pipe(report));
	pid_t child = fork_or_die();
	if (child == 0) {
		pid_t facts[2] = { getpgrp(), getsid(0) };
		write_full(report[1], facts, sizeof facts);
		_exit(0);
	}
	pid_t facts[2];
	read_full(report[0], facts, sizeof facts);
	reap("child", child);
	yes("child inherits the group and session", facts[0] == getpgrp() && facts[1] == getsid(0));
	close(report[0]);
	close(report[1]);

	fails("getpgid of an unused pid", getpgid(dead_pid));
	fails("getsid of an unused pid", getsid(dead_pid));
	fails("setpgid(-1, 0)", setpgid(-1, 0));
	fails("setpgid(0, -1)", setpgid(0, -1));
	struct stranger stranger;
	stranger_start(&stranger);
	fails("setpgid of a grandchild", setpgid(stranger.pid, 0));
	stranger_end(&stranger);
	fails("setpgid into a group that does not exist", setpgid(0, dead_pid));
	fails("kill of a group that does not exist", kill(-dead_pid, SIGUSR1));
}

static void new_groups(void)
{
	struct gate joined, release;
	gate_init(&joined);
	gate_init(&release);
	pid_t leader = fork_or_die();
	if (leader == 0) {
		setpgid(0, 0);
		gate_open(&joined);
		gate_wait(&release);
		_exit(getpgrp() == getpid() ? 0 : 1);
	}
	setpgid(leader, leader); /* both sides, so that neither order races */
	gate_wait(&joined);
	yes("leader's getpgid is its pid", getpgid(leader) == leader);
	yes("our group unchanged", getpgrp() != leader);
	pid_t member = fork_or_die();
	if (member == 0) {
		setpgid(0, leader);
		gate_open(&joined);
		gate_wait(&release);
		_exit(getpgrp() == leader ? 0 : 1);
	}
	setpgid(member, leader);
	gate_wait(&joined);
	yes("member joined the leader's group", getpgid(member) == leader);
	ck("setpgid of a child to its own group again", setpgid(member, leader));
	ck("setpgid of a child back to our group", setpgid(member, getpgrp()));
	ck("and into the leader's group again", setpgid(member, leader));

	/* Stop and continue the whole group; wait for the group's members only. */
	struct gate outsider_release;
	gate_init(&outsider_release);
	pid_t outsider = fork_or_die();
	if (outsider == 0) {
		gate_wait(&outsider_release);
		_exit(5);
	}
	kill(-leader, SIGSTOP);
	int status, stops = 0;
	for (int k = 0; k < 2; k++) {
		pid_t pid = waitpid(-leader, &status, WUNTRACED);
		stops += (pid == leader || pid == member) && WIFSTOPPED(status);
	}
	say("kill(-group, SIGSTOP): members stopped %d", stops);
	kill(-leader, SIGCONT);
	int continues = 0;
	for (int k = 0; k < 2; k++) {
		pid_t pid = waitpid(-leader, &status, WCONTINUED);
		continues += (pid == leader || pid == member) && WIFCONTINUED(status);
	}
	say("kill(-group, SIGCONT): members continued %d", continues);
	gate_open(&release);
	gate_open(&release);
	int exits = 0;
	for (int k = 0; k < 2; k++) {
		pid_t pid = waitpid(-leader, &status, 0);
		exits += (pid == leader || pid == member) && WIFEXITED(status) &&
			 WEXITSTATUS(status) == 0;
	}
	say("waitpid(-group) reaped members: %d", exits);
	fails("waitpid(-group) once the group is empty", waitpid(-leader, &status, WNOHANG));
	gate_open(&outsider_release);
	say("waitpid(0) (our own group): %s", waitpid(0, &status, 0) == outsider ? "the outsider" : "?");
	say("  %s", status_text(status));
	gate_close(&outsider_release);
	gate_close(&joined);
	gate_close(&release);
}

static void after_exec(void)
{
	/* The child execs this program in "wait" mode, which blocks reading fd 10. */
	int p[2];
	must("pipe", pipe(p));
	struct gate execed;
	gate_init(&execed);
	pid_t child = fork_or_die();
	if (child == 0) {
		dup2(p[0], 10);
		close(p[0]);
		close(p[1]);
		dup2(execed.fd[1], 11); /* closed by the exec: the parent then knows it happened */
		fcntl(11, F_SETFD, FD_CLOEXEC);
		close(execed.fd[1]);
		char *argv[] = { "proc-groups", "wait", NULL };
		char *envp[] = { NULL };
		execve("/proc/self/exe", argv, envp);
		_exit(127);
	}
	close(execed.fd[1]);
	char c;
	read(execed.fd[0], &c, 1); /* end of file once the child's exec closed fd 11 */
	fails("setpgid of a child after its execve", setpgid(child, child));
	close(p[1]);
	reap("exec'd child", child);
	close(p[0]);
	close(execed.fd[0]);
}

static void sessions(void)
{
	struct gate ready, release;
	gate_init(&ready);
	gate_init(&release);
	int report[2];
	must("pipe", pipe(report));
	pid_t parent_group = getpgrp();
	pid_t child = fork_or_die();
	if (child == 0) {
		int facts[6];
		facts[0] = setsid() == getpid();
		facts[1] = getsid(0) == getpid() && getpgrp() == getpid();
		facts[2] = setsid() < 0 ? errno : 0;
		facts[3] = setpgid(0, 0) < 0 ? errno : 0;
		facts[4] = setpgid(0, parent_group) < 0 ? errno : 0;
		int tty = open("/dev/tty", O_RDWR);
		facts[5] = tty < 0 ? errno : 0;
		write_full(report[1], facts, sizeof facts);
		gate_open(&ready);
		gate_wait(&release);
		_exit(0);
	}
	int facts[6];
	read_full(report[0], facts, sizeof facts);
	gate_wait(&ready);
	yes("setsid in a child returns its pid", facts[0]);
	yes("  it leads the new session and group", facts[1]);
	say("  setsid again: %s", errno_name(facts[2]));
	say("  setpgid(0, 0) as session leader: %s", errno_name(facts[3]));
	say("  setpgid into a group of the old session: %s", errno_name(facts[4]));
	say("  open /dev/tty: %s", errno_name(facts[5]));
	yes("getsid(child) from the parent", getsid(child) == child);
	yes("getpgid(child) from the parent", getpgid(child) == child);
	fails("setpgid of a child in another session", setpgid(child, child));
	fails("setpgid of a child into our group across sessions", setpgid(child, getpgrp()));
	gate_open(&release);
	reap("session child", child);

	/* A group leader cannot create a session. */
	child = fork_or_die();
	if (child == 0) {
		setpgid(0, 0);
		_exit(setsid() < 0 && errno == EPERM ? 0 : 1);
	}
	reap("setsid by a group leader fails with EPERM (0 = yes)", child);
	close(report[0]);
	close(report[1]);
	gate_close(&ready);
	gate_close(&release);
}

static int report_fd = -1;

static void report_signal(int sig)
{
	char c = (char)sig;
	write(report_fd, &c, 1);
}

static void group_signals(void)
{
	int report[2];
	must("pipe", pipe(report));
	report_fd = report[1];
	struct gate ready, release, trigger;
	gate_init(&ready);
	gate_init(&release);
	gate_init(&trigger);
	pid_t members[3];
	for (int k = 0; k < 3; k++) {
		members[k] = fork_or_die();
		if (members[k] == 0) {
			setpgid(0, k == 0 ? 0 : members[0]);
			on_signal(SIGUSR1, report_signal, 0);
			on_signal(SIGUSR2, report_signal, 0);
			gate_open(&ready);
			if (k == 0) {
				gate_wait(&trigger); /* the leader signals its own group */
				kill(0, SIGUSR2);
			}
			gate_wait(&release);
			_exit(0);
		}
		setpgid(members[k], members[0]);
		gate_wait(&ready);
	}
	on_signal(SIGUSR1, report_signal, 0);
	kill(-members[0], SIGUSR1);
	char got[8];
	size_t n = read_full(report[0], got, 3);
	int usr1 = 0;
	for (size_t k = 0; k < n; k++) usr1 += got[k] == SIGUSR1;
	say("kill(-group, SIGUSR1) reached %d members", usr1);
	gate_open(&trigger); /* the leader sends kill(0, SIGUSR2) */
	n = read_full(report[0], got, 3);
	int usr2 = 0;
	for (size_t k = 0; k < n; k++) usr2 += got[k] == SIGUSR2;
	say("kill(0, SIGUSR2) from the leader reached %d members", usr2);
	ck("killpg(group, 0)", killpg(members[0], 0));
	for (int k = 0; k < 3; k++) gate_open(&release);
	for (int k = 0; k < 3; k++) reap("  member", members[k]);
	fcntl(report[0], F_SETFL, O_NONBLOCK);
	yes("we (outside the group) got nothing", read(report[0], got, 1) < 0);
	signal(SIGUSR1, SIG_DFL);
	close(report[0]);
	close(report[1]);
	gate_close(&ready);
	gate_close(&release);
	gate_close(&trigger);
}

static void note_to_report(int sig)
{
	const char *text = sig == SIGHUP ? "HUP " : sig == SIGCONT ? "CONT " : "? ";
	write(report_fd, text, strlen(text));
}

/* Session S; its child P; P's child C in a group of its own, stopped. When P exits, C's group is
 * orphaned (C's new parent, us, is in another session): C gets SIGHUP and SIGCONT. */
static void orphaned_group(void)
{
	int report[2];
	must("pipe", pipe(report));
	report_fd = report[1];
	pid_t session = fork_or_die();
	if (session == 0) {
		setsid();
		pid_t middle = fork_or_die();
		if (middle == 0) {
			pid_t stopped = fork_or_die();
			if (stopped == 0) {
				setpgid(0, 0);
				on_signal(SIGHUP, note_to_report, 0);
				on_signal(SIGCONT, note_to_report, 0);
				raise(SIGSTOP);
				write(report_fd, "resumed", 7);
				_exit(0);
			}
			setpgid(stopped, stopped);
			int status;
			waitpid(stopped, &status, WUNTRACED);
			write_full(report[1], &stopped, sizeof stopped);
			_exit(WIFSTOPPED(status) ? 0 : 1);
		}
		reap("middle process (exits while its child is stopped)", middle);
		_exit(0);
	}
	reap("session leader", session);
	close(report[1]);
	pid_t stopped;
	read_full(report[0], &stopped, sizeof stopped);
	char text[64];
	size_t n = read_full(report[0], text, sizeof text - 1);
	text[n] = 0;
	say("the stopped child of the orphaned group got: %s", text);
	reap("  it (reparented to us)", stopped);
	close(report[0]);
}

static void on_rt(int sig)
{
	(void)sig;
	_exit(7);
}

static void orphaned_stop_signals(void)
{
	static const int stops[] = { SIGTSTP, SIGTTIN, SIGTTOU };
	for (int k = 0; k < 3; k++) {
		struct gate ready;
		gate_init(&ready);
		pid_t child = fork_or_die();
		if (child == 0) {
			setsid(); /* its group is orphaned: its parent is in another session */
			on_signal(SIGRTMIN, on_rt, 0);
			gate_open(&ready);
			for (;;) pause();
		}
		gate_wait(&ready);
		/* The stop signal is taken first (lower number) and discarded; SIGRTMIN then ends
		 * the child with 7. Had it stopped, waitpid would report the stop. */
		kill(child, stops[k]);
		kill(child, SIGRTMIN);
		int status;
		waitpid(child, &status, WUNTRACED);
		say("%s to an orphaned group: %s", signal_name(stops[k]), status_text(status));
		if (WIFSTOPPED(status)) {
			kill(child, SIGKILL);
			wait_for(child);
		}
		gate_close(&ready);
	}
	pid_t child = fork_or_die();
	if (child == 0) {
		setsid();
		for (;;) pause();
	}
	kill(child, SIGSTOP);
	int status;
	waitpid(child, &status, WUNTRACED);
	say("SIGSTOP to an orphaned group: %s", status_text(status));
	kill(child, SIGKILL);
	reap("  then SIGKILL", child);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "wait")) {
		char c;
		return read(10, &c, 1) == 0 ? 0 : 1;
	}
	begin_test();
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	dead_pid = unused_pid();
	basics();
	new_groups();
	after_exec();
	sessions();
	group_signals();
	orphaned_group();
	orphaned_stop_signals();
	return 0;
}
