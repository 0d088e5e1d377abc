/* Guest test: clone(2) and clone3(2) flags one at a time, the way runtimes and shells use them.
 * CLONE_VM shares memory without threads; CLONE_FILES shares the fd table (a close in one is a
 * close in both); CLONE_FS shares the working directory and umask; CLONE_SIGHAND shares
 * dispositions; a child whose exit signal is not SIGCHLD is a "clone" child that only __WCLONE or
 * __WALL waits for, and signals its parent with the signal it was given; CLONE_PARENT_SETTID,
 * CLONE_CHILD_SETTID and CLONE_CHILD_CLEARTID write tids (and clear one with a futex wake at
 * exit); CLONE_VFORK suspends the parent; invalid combinations fail with EINVAL. */
#include "proc-check.h"
#include <sched.h>
#include <sys/mman.h>

#define STACK_SIZE (256 * 1024)

static char *new_stack(void)
{
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			   -1, 0);
	if (stack == MAP_FAILED) {
		say("setup failed: mmap stack");
		exit(1);
	}
	return stack + STACK_SIZE;
}

static volatile int shared_value;

static int write_shared(void *arg)
{
	shared_value = (int)(long)arg;
	return 0;
}

static int close_fd(void *arg)
{
	close((int)(long)arg);
	return 0;
}

static int open_fd_20(void *arg)
{
	(void)arg;
	int fd = open("/dev/null", O_RDONLY);
	int moved = dup2(fd, 20);
	close(fd);
	return moved != 20;
}

static int change_directory(void *arg)
{
	(void)arg;
	if (chdir("/proc") < 0) return 1;
	umask(077);
	return 0;
}

static void ignore_usr2(int sig)
{
	(void)sig;
}

static int change_disposition(void *arg)
{
	(void)arg;
	signal(SIGUSR2, ignore_usr2);
	return 0;
}

static int exit_with(void *arg)
{
	return (int)(long)arg;
}

static void memory_and_tables(void)
{
	shared_value = 0;
	pid_t pid = clone(write_shared, new_stack(), CLONE_VM | SIGCHLD, (void *)42);
	reap("CLONE_VM child", pid);
	say("  parent sees its write: %d", shared_value);
	pid = clone(write_shared, new_stack(), SIGCHLD, (void *)43);
	reap("child without CLONE_VM", pid);
	say("  parent still sees: %d", shared_value);

	int fd = must("open", open("/dev/null", O_RDONLY));
	pid = clone(close_fd, new_stack(), CLONE_FILES | SIGCHLD, (void *)(long)fd);
	reap("CLONE_FILES child closing our fd", pid);
	say("  our fd now: %s", fcntl(fd, F_GETFD) < 0 ? errno_name(errno) : "open");
	fd = must("open", open("/dev/null", O_RDONLY));
	pid = clone(close_fd, new_stack(), SIGCHLD, (void *)(long)fd);
	reap("child without CLONE_FILES closing our fd", pid);
	say("  our fd now: %s", fcntl(fd, F_GETFD) < 0 ? errno_name(errno) : "open");
	close(fd);
	pid = clone(open_fd_20, new_stack(), CLONE_FILES | SIGCHLD, NULL);
	reap("CLONE_FILES child opening fd 20", pid);
	say("  fd 20 in the parent: %s", fcntl(20, F_GETFD) < 0 ? errno_name(errno) : "open");
	close(20);

	char before[256], after[256];
	getcwd(before, sizeof before);
	mode_t old_mask = umask(022);
	pid = clone(change_directory, new_stack(), CLONE_FS | SIGCHLD, NULL);
	reap("CLONE_FS child changing directory and umask", pid);
	getcwd(after, sizeof after);
	mode_t mask = umask(022);
	say("  our cwd now: %s, umask %03o", after, mask);
	chdir(before);
	pid = clone(change_directory, new_stack(), SIGCHLD, NULL);
	reap("child without CLONE_FS", pid);
	getcwd(after, sizeof after);
	say("  our cwd unchanged: %s", strcmp(before, after) ? "no" : "yes");
	umask(old_mask);

	signal(SIGUSR2, SIG_DFL);
	pid = clone(change_disposition, new_stack(), CLONE_SIGHAND | CLONE_VM | SIGCHLD, NULL);
	reap("CLONE_SIGHAND child setting a handler", pid);
	struct sigaction sa;
	sigaction(SIGUSR2, NULL, &sa);
	say("  our SIGUSR2 disposition: %s", sa.sa_handler == ignore_usr2 ? "its handler" : "default");
	signal(SIGUSR2, SIG_DFL);
}

static volatile int usr1_count;

static void count_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

static void exit_signals(void)
{
	int status;
	pid_t pid = clone(exit_with, new_stack(), 0, (void *)5);
	fails("waitpid of a child with no exit signal (no __WCLONE)", waitpid(pid, &status, 0));
	pid_t got = waitpid(pid, &status, __WCLONE);
	say("waitpid with __WCLONE: %s, %s", got == pid ? "the child" : errno_name(errno),
	    status_text(status));

	on_signal(SIGUSR1, count_usr1, 0);
	sigset_t usr1, old;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	pid = clone(exit_with, new_stack(), SIGUSR1, (void *)6);
	sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	say("exit signal SIGUSR1 reached the parent: %d time(s)", usr1_count);
	got = waitpid(pid, &status, __WALL);
	say("waitpid with __WALL: %s, %s", got == pid ? "the child" : errno_name(errno),
	    status_text(status));
	signal(SIGUSR1, SIG_DFL);

	/* SIGUSR2 as exit signal would kill us: it stays blocked until taken by sigtimedwait. */
	siginfo_t info;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR2);
	sigprocmask(SIG_BLOCK, &usr1, &old);
	pid = clone(exit_with, new_stack(), SIGUSR2, (void *)8);
	memset(&info, 0, sizeof info);
	got = waitid(P_PID, pid, &info, WEXITED | __WCLONE);
	say("waitid __WCLONE: %s, si_status %d", got == 0 ? "ok" : errno_name(errno), info.si_status);
	struct timespec none = { 0, 0 };
	int sig = sigtimedwait(&usr1, &info, &none);
	say("the exit signal SIGUSR2 was pending: %s, si_code %s", sig == SIGUSR2 ? "yes" : "no",
	    info.si_code == CLD_EXITED ? "CLD_EXITED" : "other");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static pid_t parent_tid_slot, child_tid_slot;
static volatile pid_t clear_tid_slot;
static volatile int vfork_child_done;

static int report_tid(void *arg)
{
	(void)arg;
	return child_tid_slot == syscall(SYS_gettid) ? 0 : 1; /* musl caches gettid() */
}

static int wait_a_little(void *arg)
{
	(void)arg;
	for (volatile int k = 0; k < 200000; k++) {}
	vfork_child_done = 1;
	return 0;
}

static void tids(void)
{
	pid_t pid = clone(report_tid, new_stack(),
			  CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | SIGCHLD, NULL, &parent_tid_slot,
			  NULL, &child_tid_slot);
	reap("CLONE_CHILD_SETTID: the child sees its tid (0 = yes)", pid);
	yes("CLONE_PARENT_SETTID wrote the tid in the parent", parent_tid_slot == pid);
	yes("CLONE_CHILD_SETTID did not write the parent's copy", child_tid_slot == 0);

	clear_tid_slot = -1;
	pid = clone(exit_with, new_stack(), CLONE_VM | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID |
						    SIGCHLD,
		    (void *)0, NULL, NULL, &clear_tid_slot);
	reap("CLONE_CHILD_CLEARTID child", pid);
	say("  its tid slot after exit: %d", clear_tid_slot);

	vfork_child_done = 0;
	pid = clone(wait_a_little, new_stack(), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	say("CLONE_VFORK: the child finished before clone returned: %s",
	    vfork_child_done ? "yes" : "no");
	reap("  child", pid);
}

struct clone_args_v0 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static void errors_and_clone3(void)
{
	fails("CLONE_SIGHAND without CLONE_VM", clone(exit_with, new_stack(), CLONE_SIGHAND, NULL));
	fails("CLONE_THREAD without CLONE_SIGHAND",
	      clone(exit_with, new_stack(), CLONE_THREAD | CLONE_VM, NULL));
	fails("CLONE_FS with CLONE_NEWNS", clone(exit_with, new_stack(), CLONE_FS | CLONE_NEWNS, NULL));

	struct clone_args_v0 args;
	memset(&args, 0, sizeof args);
	args.exit_signal = SIGCHLD;
	long pid = syscall(SYS_clone3, &args, sizeof args);
	if (pid == 0) _exit(17);
	if (pid < 0) say("clone3 like fork: %s", errno_name(errno));
	else reap("clone3 like fork", pid);
	fails("clone3 with a short size", syscall(SYS_clone3, &args, 16));
	args.flags = CLONE_SIGHAND;
	fails("clone3 CLONE_SIGHAND without CLONE_VM", syscall(SYS_clone3, &args, sizeof args));
	args.flags = 0;
	args.exit_signal = 65;
	fails("clone3 with exit signal 65", syscall(SYS_clone3, &args, sizeof args));
}

int main(void)
{
	begin_test();
	memory_and_tables();
	exit_signals();
	tids();
	errors_and_clone3();
	return 0;
}
