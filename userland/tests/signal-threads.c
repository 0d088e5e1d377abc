/*
 * Process-directed signals in a multi-threaded process: a signal every thread blocks waits for
 * the process as a whole, and the first thread to sigwait for it or unblock it takes it (Linux's
 * shared pending queue). Covers kill() to a sigwait thread, a signal sent before anyone waits,
 * real-time signals queued three times, a handler run by the one thread that unblocks, and
 * SIGCHLD reaching the only thread that does not block it.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_t main_thread;
static volatile pthread_t handled_by;
static volatile int handled;

static void block(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
}

static void unblock(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	pthread_sigmask(SIG_UNBLOCK, &s, NULL);
}

static void *sigwaiter(void *arg)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, (int)(long)arg);
	int sig = 0;
	sigwait(&s, &sig);
	return (void *)(long)sig;
}

static void on_signal(int sig)
{
	(void)sig;
	handled_by = pthread_self();
	handled = 1;
}

static void *unblocker(void *arg)
{
	(void)arg;
	unblock(SIGUSR2);
	while (!handled) usleep(1000);
	return NULL;
}

static void *rt_waiter(void *arg)
{
	(void)arg;
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGRTMIN + 1);
	for (int i = 0; i < 3; i++) {
		siginfo_t si;
		if (sigwaitinfo(&s, &si) != SIGRTMIN + 1) return (void *)1;
		printf("rt instance %d: value %d\n", i, si.si_value.sival_int);
	}
	return NULL;
}

static void *idle_thread(void *arg)
{
	(void)arg;
	unblock(SIGCHLD); /* it inherited main's mask */
	while (!handled) pause();
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	main_thread = pthread_self();

	/* kill() while every thread blocks SIGUSR1 and one sigwaits for it. */
	block(SIGUSR1);
	pthread_t t;
	pthread_create(&t, NULL, sigwaiter, (void *)(long)SIGUSR1);
	usleep(20000);
	kill(getpid(), SIGUSR1);
	void *got;
	pthread_join(t, &got);
	printf("sigwait thread got SIGUSR1: %s\n", (long)got == SIGUSR1 ? "yes" : "no");

	/* Sent first, waited for afterwards: the signal waits for the process. */
	kill(getpid(), SIGUSR1);
	pthread_create(&t, NULL, sigwaiter, (void *)(long)SIGUSR1);
	pthread_join(t, &got);
	printf("a later sigwait takes the pending SIGUSR1: %s\n", (long)got == SIGUSR1 ? "yes" : "no");

	/* Three queued instances of a real-time signal, all blocked, then one thread takes them. */
	block(SIGRTMIN + 1);
	for (int i = 1; i <= 3; i++) sigqueue(getpid(), SIGRTMIN + 1, (union sigval){ .sival_int = i });
	pthread_create(&t, NULL, rt_waiter, NULL);
	pthread_join(t, &got);
	printf("rt waiter: %s\n", got == NULL ? "ok" : "failed");

	/* A handled signal everyone blocks runs in the thread that unblocks it. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGUSR2, &sa, NULL);
	block(SIGUSR2);
	kill(getpid(), SIGUSR2);
	pthread_t u;
	pthread_create(&u, NULL, unblocker, NULL);
	pthread_join(u, NULL);
	printf("handled by the unblocking thread: %s\n",
	       pthread_equal(handled_by, u) ? "yes" : "no");

	/* SIGCHLD goes to the one thread that does not block it. */
	handled = 0;
	sigaction(SIGCHLD, &sa, NULL);
	block(SIGCHLD);
	pthread_t idle;
	pthread_create(&idle, NULL, idle_thread, NULL);
	usleep(20000);
	pid_t child = fork();
	if (child == 0) _exit(0);
	while (!handled) usleep(1000);
	printf("SIGCHLD handled by the thread not blocking it: %s\n",
	       pthread_equal(handled_by, idle) ? "yes" : "no");
	waitpid(child, NULL, 0);
	return 0;
}
