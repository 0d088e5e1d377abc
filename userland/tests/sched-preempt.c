/*
 * The scheduler takes the CPU away: a process that spins without a syscall, waiting for a word
 * in shared memory, must still let the process that sets the word run (a timer tick preempts
 * it), also when the setter has the worst priority (nice 19) and the spinner nice 0. Then
 * priorities as getpriority reports them, and sched_yield between two processes.
 */
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int *shared;

static void spin_until(int value)
{
	while (__atomic_load_n(shared, __ATOMIC_ACQUIRE) != value) {
	}
}

static int busy_work(int rounds)
{
	volatile int sum = 0;
	for (int i = 0; i < rounds; i++) sum += i;
	return sum;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) return 1;

	pid_t child = fork();
	if (child == 0) {
		busy_work(2000000);
		__atomic_store_n(shared, 1, __ATOMIC_RELEASE);
		_exit(0);
	}
	spin_until(1);
	printf("a spinning parent saw its child's flag: yes\n");
	waitpid(child, NULL, 0);

	child = fork();
	if (child == 0) {
		setpriority(PRIO_PROCESS, 0, 19);
		printf("child nice: %d\n", getpriority(PRIO_PROCESS, 0));
		__atomic_store_n(shared, 2, __ATOMIC_RELEASE);
		spin_until(3);
		__atomic_store_n(shared, 4, __ATOMIC_RELEASE);
		_exit(0);
	}
	spin_until(2);
	__atomic_store_n(shared, 3, __ATOMIC_RELEASE);
	spin_until(4);
	printf("a nice 19 child ran while its nice 0 parent spun: yes\n");
	waitpid(child, NULL, 0);

	child = fork();
	if (child == 0) {
		for (int i = 0; i < 1000; i++) sched_yield();
		_exit(7);
	}
	for (int i = 0; i < 1000; i++) sched_yield();
	int status;
	waitpid(child, &status, 0);
	printf("sched_yield ping-pong child: exited %d\n", WEXITSTATUS(status));
	return 0;
}
