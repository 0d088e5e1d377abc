/* Guest test: threads (musl's pthreads over clone and futex). Four threads increment a mutex
 * counter; join values and detached threads; a condition-variable producer/consumer; rwlocks
 * shared by readers and exclusive for a writer; barriers with one serial thread per round;
 * thread-local storage; pthread_kill and process signals delivered to the one thread that does not
 * block them; mutex kinds and timed waits; raw futex calls; cancellation; a process-shared mutex
 * and semaphore in MAP_SHARED memory across fork; exit and execve from a secondary thread. */
#include "proc-check.h"
#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <time.h>

#define COUNTER_THREADS 4
#define INCREMENTS 20000

static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

/* A pthread result: "ok" or the error's name. */
static const char *result_name(int r)
{
	return r == 0 ? "ok" : errno_name(r);
}

static void *increment(void *arg)
{
	(void)arg;
	for (int k = 0; k < INCREMENTS; k++) {
		pthread_mutex_lock(&counter_lock);
		counter++;
		pthread_mutex_unlock(&counter_lock);
	}
	return NULL;
}

static void *identity(void *arg)
{
	long *facts = arg;
	facts[0] = getpid();
	facts[1] = gettid();
	return (void *)(long)(facts[1] != facts[0]);
}

static sem_t detached_done;

static void *detached(void *arg)
{
	*(int *)arg = 42;
	sem_post(&detached_done);
	return NULL;
}

static void *return_index(void *arg)
{
	return (void *)((long)arg * 3);
}

static void basics(void)
{
	pthread_t threads[COUNTER_THREADS];
	for (int k = 0; k < COUNTER_THREADS; k++) pthread_create(&threads[k], NULL, increment, NULL);
	for (int k = 0; k < COUNTER_THREADS; k++) pthread_join(threads[k], NULL);
	say("%d threads x %d mutex increments: %ld", COUNTER_THREADS, INCREMENTS, counter);

	long facts[2];
	pthread_t thread;
	void *result;
	pthread_create(&thread, NULL, identity, facts);
	pthread_join(thread, &result);
	yes("thread's getpid is the process's", facts[0] == getpid());
	yes("thread's gettid is its own", facts[1] != gettid() && (long)result == 1);
	yes("main thread's gettid is the pid", gettid() == getpid());

	int value = 0;
	sem_init(&detached_done, 0, 0);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	ck("create detached", pthread_create(&thread, &attr, detached, &value) ? -1 : 0);
	sem_wait(&detached_done);
	say("detached thread ran: %d", value);
	pthread_attr_destroy(&attr);

	pthread_t many[50];
	long sum = 0;
	for (long k = 0; k < 50; k++) pthread_create(&many[k], NULL, return_index, (void *)k);
	for (int k = 0; k < 50; k++) {
		pthread_join(many[k], &result);
		sum += (long)result;
	}
	say("50 threads joined, sum of 3 x index: %ld", sum);

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_create(&thread, &attr, return_index, (void *)5L);
	pthread_join(thread, &result);
	say("thread with a 64 KiB stack returned %ld", (long)result);
	pthread_attr_destroy(&attr);
}

#define SLOTS 4
#define ITEMS 500

static struct {
	pthread_mutex_t lock;
	pthread_cond_t not_full, not_empty;
	int items[SLOTS];
	int head, count, producers_left;
} queue = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.not_full = PTHREAD_COND_INITIALIZER,
	.not_empty = PTHREAD_COND_INITIALIZER,
};

static void *producer(void *arg)
{
	(void)arg;
	for (int item = 1; item <= ITEMS; item++) {
		pthread_mutex_lock(&queue.lock);
		while (queue.count == SLOTS) pthread_cond_wait(&queue.not_full, &queue.lock);
		queue.items[(queue.head + queue.count++) % SLOTS] = item;
		pthread_cond_signal(&queue.not_empty);
		pthread_mutex_unlock(&queue.lock);
	}
	pthread_mutex_lock(&queue.lock);
	queue.producers_left--;
	pthread_cond_broadcast(&queue.not_empty);
	pthread_mutex_unlock(&queue.lock);
	return NULL;
}

static void *consumer(void *arg)
{
	long *totals = arg; /* [sum, count] */
	for (;;) {
		pthread_mutex_lock(&queue.lock);
		while (queue.count == 0 && queue.producers_left > 0)
			pthread_cond_wait(&queue.not_empty, &queue.lock);
		if (queue.count == 0) {
			pthread_mutex_unlock(&queue.lock);
			return NULL;
		}
		int item = queue.items[queue.head];
		queue.head = (queue.head + 1) % SLOTS;
		queue.count--;
		pthread_cond_signal(&queue.not_full);
		pthread_mutex_unlock(&queue.lock);
		totals[0] += item;
		totals[1]++;
	}
}

static void producer_consumer(void)
{
	queue.producers_left = 2;
	pthread_t producers[2], consumers[2];
	long totals[2][2] = { { 0, 0 }, { 0, 0 } };
	for (int k = 0; k < 2; k++) pthread_create(&consumers[k], NULL, consumer, totals[k]);
	for (int k = 0; k < 2; k++) pthread_create(&producers[k], NULL, producer, NULL);
	for (int k = 0; k < 2; k++) pthread_join(producers[k], NULL);
	for (int k = 0; k < 2; k++) pthread_join(consumers[k], NULL);
	say("2 producers x %d items through %d slots: consumed %ld, sum %ld", ITEMS, SLOTS,
	    totals[0][1] + totals[1][1], totals[0][0] + totals[1][0]);
}

static pthread_rwlock_t rwlock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_barrier_t all_reading, may_unlock;

static void *reader(void *arg)
{
	(void)arg;
	pthread_rwlock_rdlock(&rwlock);
	pthread_barrier_wait(&all_reading); /* every reader holds the lock at once */
	pthread_barrier_wait(&may_unlock);
	pthread_rwlock_unlock(&rwlock);
	return NULL;
}

static void *try_read(void *arg)
{
	(void)arg;
	return (void *)(long)pthread_rwlock_tryrdlock(&rwlock);
}

static void *try_lock(void *mutex)
{
	return (void *)(long)pthread_mutex_trylock(mutex);
}

static int serial_count;
static pthread_mutex_t serial_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t rounds;

static void *barrier_rounds(void *arg)
{
	(void)arg;
	for (int k = 0; k < 5; k++) {
		if (pthread_barrier_wait(&rounds) == PTHREAD_BARRIER_SERIAL_THREAD) {
			pthread_mutex_lock(&serial_lock);
			serial_count++;
			pthread_mutex_unlock(&serial_lock);
		}
	}
	return NULL;
}

static void locks_and_barriers(void)
{
	pthread_barrier_init(&all_reading, NULL, 4);
	pthread_barrier_init(&may_unlock, NULL, 4);
	pthread_t readers[3];
	for (int k = 0; k < 3; k++) pthread_create(&readers[k], NULL, reader, NULL);
	pthread_barrier_wait(&all_reading);
	say("three readers hold the rwlock: trywrlock %s",
	    result_name(pthread_rwlock_trywrlock(&rwlock)));
	int r = pthread_rwlock_tryrdlock(&rwlock);
	say("a fourth reader: tryrdlock %s", result_name(r));
	if (r == 0) pthread_rwlock_unlock(&rwlock);
	pthread_barrier_wait(&may_unlock);
	for (int k = 0; k < 3; k++) pthread_join(readers[k], NULL);
	pthread_rwlock_wrlock(&rwlock);
	pthread_t thread;
	void *result;
	pthread_create(&thread, NULL, try_read, NULL);
	pthread_join(thread, &result);
	say("while written: tryrdlock from another thread %s", result_name((int)(long)result));
	pthread_rwlock_unlock(&rwlock);
	pthread_create(&thread, NULL, try_read, NULL);
	pthread_join(thread, &result);
	say("after the writer: tryrdlock %s", result_name((int)(long)result));
	pthread_rwlock_unlock(&rwlock);

	pthread_barrier_init(&rounds, NULL, 4);
	pthread_t threads[4];
	for (int k = 0; k < 4; k++) pthread_create(&threads[k], NULL, barrier_rounds, NULL);
	for (int k = 0; k < 4; k++) pthread_join(threads[k], NULL);
	say("barrier of 4, 5 rounds: %d serial thread(s)", serial_count);

	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);
	pthread_mutex_t checked;
	pthread_mutex_init(&checked, &attr);
	pthread_mutex_lock(&checked);
	say("errorcheck mutex locked twice: %s", result_name(pthread_mutex_lock(&checked)));
	pthread_mutex_unlock(&checked);
	say("errorcheck mutex unlocked twice: %s", result_name(pthread_mutex_unlock(&checked)));
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_t recursive;
	pthread_mutex_init(&recursive, &attr);
	int locks = 0;
	for (int k = 0; k < 3; k++) locks += pthread_mutex_lock(&recursive) == 0;
	say("recursive mutex locked %d times; trylock: %s", locks,
	    result_name(pthread_mutex_trylock(&recursive)));
	for (int k = 0; k < 4; k++) pthread_mutex_unlock(&recursive);
	pthread_mutex_lock(&counter_lock);
	pthread_create(&thread, NULL, try_lock, &counter_lock);
	pthread_join(thread, &result);
	say("trylock of a mutex held by another thread: %s", result_name((int)(long)result));
	pthread_mutex_unlock(&counter_lock);

	pthread_cond_t never = PTHREAD_COND_INITIALIZER;
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += 20 * 1000 * 1000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&counter_lock);
	say("cond_timedwait with nobody signalling: %s",
	    result_name(pthread_cond_timedwait(&never, &counter_lock, &deadline)));
	pthread_mutex_unlock(&counter_lock);
}

static __thread int tls_value = 100;
static __thread char tls_array[64];

static void *tls_thread(void *arg)
{
	long initial = tls_value;
	tls_value = (int)(long)arg;
	tls_array[0] = (char)(long)arg;
	sched_yield();
	return (void *)(initial * 1000 + tls_value * 10 + tls_array[0] - (long)arg);
}

static void thread_locals(void)
{
	tls_value = 1;
	tls_array[0] = 'm';
	pthread_t threads[3];
	for (long k = 0; k < 3; k++) pthread_create(&threads[k], NULL, tls_thread, (void *)(k + 2));
	char line[128];
	int at = 0;
	for (int k = 0; k < 3; k++) {
		void *result;
		pthread_join(threads[k], &result);
		at += snprintf(line + at, sizeof line - at, " %ld", (long)result);
	}
	say("TLS in threads (initial*1000 + own*10):%s", line);
	say("main's TLS kept: %d %c", tls_value, tls_array[0]);
}

static volatile pid_t handled_in;
static volatile pid_t worker_tid;
static pthread_barrier_t worker_ready;

static void record_tid(int sig)
{
	(void)sig;
	handled_in = gettid();
}

/* Both signals are blocked in every thread except while a worker waits in sigsuspend. */
static void *signal_worker(void *arg)
{
	(void)arg;
	worker_tid = gettid();
	pthread_barrier_wait(&worker_ready);
	sigset_t none;
	sigemptyset(&none);
	while (handled_in == 0) sigsuspend(&none);
	return NULL;
}

static void thread_signals(void)
{
	on_signal(SIGUSR1, record_tid, 0);
	on_signal(SIGUSR2, record_tid, 0);
	pthread_barrier_init(&worker_ready, NULL, 2);
	sigset_t both;
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &both, NULL);

	/* pthread_kill reaches exactly that thread. */
	pthread_t thread;
	handled_in = 0;
	pthread_create(&thread, NULL, signal_worker, NULL);
	pthread_barrier_wait(&worker_ready);
	pthread_kill(thread, SIGUSR1);
	pthread_join(thread, NULL);
	yes("pthread_kill's handler ran in the target thread", handled_in == worker_tid);

	/* A process-directed signal goes to the thread that does not block it. */
	handled_in = 0;
	pthread_create(&thread, NULL, signal_worker, NULL);
	pthread_barrier_wait(&worker_ready);
	kill(getpid(), SIGUSR2);
	pthread_join(thread, NULL);
	yes("kill(getpid()) handled by the only thread not blocking it", handled_in == worker_tid);
	pthread_sigmask(SIG_UNBLOCK, &both, NULL);
	say("pthread_kill with signal 0 to a live thread: %s",
	    result_name(pthread_kill(pthread_self(), 0)));
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* From <linux/futex.h>, which musl's headers do not include. */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static long futex(int *address, int op, int value, const struct timespec *timeout)
{
	return syscall(SYS_futex, address, op, value, timeout, NULL, 0);
}

static int futex_word;

static void *futex_waiter(void *arg)
{
	(void)arg;
	__atomic_store_n(&futex_word, 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST) == 1)
		futex(&futex_word, FUTEX_WAIT_PRIVATE, 1, NULL);
	return NULL;
}

static void raw_futex(void)
{
	futex_word = 5;
	fails("FUTEX_WAIT with a stale value", futex(&futex_word, FUTEX_WAIT_PRIVATE, 4, NULL));
	struct timespec short_wait = { 0, 10 * 1000 * 1000 };
	fails("FUTEX_WAIT timing out", futex(&futex_word, FUTEX_WAIT_PRIVATE, 5, &short_wait));
	val("FUTEX_WAKE with no waiters", futex(&futex_word, FUTEX_WAKE_PRIVATE, 1, NULL));
	fails("FUTEX_WAIT on a bad address", futex((int *)8, FUTEX_WAIT_PRIVATE, 0, NULL));
	fails("an unknown futex op", futex(&futex_word, 99, 0, NULL));
	futex_word = 0;
	pthread_t thread;
	pthread_create(&thread, NULL, futex_waiter, NULL);
	while (__atomic_load_n(&futex_word, __ATOMIC_SEQ_CST) == 0) sched_yield();
	__atomic_store_n(&futex_word, 2, __ATOMIC_SEQ_CST);
	futex(&futex_word, FUTEX_WAKE_PRIVATE, 1, NULL);
	pthread_join(thread, NULL);
	say("a waiter woken by FUTEX_WAKE: joined");
}

static int cleanup_ran;

static void on_cleanup(void *arg)
{
	(void)arg;
	cleanup_ran = 1;
}

static void *blocked_reader(void *arg)
{
	int fd = *(int *)arg;
	char c;
	pthread_cleanup_push(on_cleanup, NULL);
	read(fd, &c, 1);
	pthread_cleanup_pop(0);
	return NULL;
}

static void cancellation(void)
{
	int p[2];
	must("pipe", pipe(p));
	pthread_t thread;
	pthread_create(&thread, NULL, blocked_reader, &p[0]);
	pthread_cancel(thread);
	void *result;
	pthread_join(thread, &result);
	say("thread cancelled in read: %s, cleanup ran: %s",
	    result == PTHREAD_CANCELED ? "PTHREAD_CANCELED" : "returned", cleanup_ran ? "yes" : "no");
	close(p[0]);
	close(p[1]);
}

struct shared_area {
	pthread_mutex_t lock;
	sem_t done;
	long counter;
};

static void process_shared(void)
{
	struct shared_area *area = mmap(NULL, sizeof *area, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&area->lock, &attr);
	sem_init(&area->done, 1, 0);
	area->counter = 0;
	pid_t children[2];
	for (int k = 0; k < 2; k++) {
		children[k] = fork_or_die();
		if (children[k] == 0) {
			for (int n = 0; n < 10000; n++) {
				pthread_mutex_lock(&area->lock);
				area->counter++;
				pthread_mutex_unlock(&area->lock);
			}
			sem_post(&area->done);
			_exit(0);
		}
	}
	sem_wait(&area->done);
	sem_wait(&area->done);
	say("two processes x 10000 increments under a process-shared mutex: %ld", area->counter);
	for (int k = 0; k < 2; k++) reap("  child", children[k]);
	munmap(area, sizeof *area);
}

static void *exit_from_thread(void *arg)
{
	(void)arg;
	exit(12);
}

static char self[512];

static void *exec_from_thread(void *arg)
{
	(void)arg;
	char pid_env[48];
	snprintf(pid_env, sizeof pid_env, "ORIGIN_PID=%d", getpid());
	char *argv[] = { "proc-threads", "after-exec", NULL };
	char *envp[] = { pid_env, NULL };
	execve(self, argv, envp);
	_exit(127);
}

static void *sleep_forever(void *arg)
{
	(void)arg;
	for (;;) pause();
	return NULL;
}

static volatile long *spin_counter;

/* Waits (at most about 2 s) until the spinning threads have moved the counter past `value`. */
static int counter_passes(long value)
{
	struct timespec millisecond = { 0, 1000 * 1000 };
	for (int k = 0; k < 2000; k++) {
		if (*spin_counter > value) return 1;
		nanosleep(&millisecond, NULL);
	}
	return 0;
}

static void *spin(void *arg)
{
	(void)arg;
	for (;;) __atomic_fetch_add(spin_counter, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void *fault_in_thread(void *arg)
{
	*(int *volatile)arg = 1; /* arg is NULL */
	return NULL;
}

/* Signals to a process with several threads act on all of them. */
static void whole_process_signals(void)
{
	spin_counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	*spin_counter = 0;
	struct gate ready;
	gate_init(&ready);
	pid_t child = fork_or_die();
	if (child == 0) {
		pthread_t thread;
		for (int k = 0; k < 3; k++) pthread_create(&thread, NULL, spin, NULL);
		counter_passes(1000);
		gate_open(&ready);
		for (;;) pause();
	}
	gate_wait(&ready);
	kill(child, SIGSTOP);
	int status;
	waitpid(child, &status, WUNTRACED);
	say("SIGSTOP to a process with 3 spinning threads: %s", status_text(status));
	long stopped_at = *spin_counter;
	struct timespec pause_time = { 0, 30 * 1000 * 1000 };
	nanosleep(&pause_time, NULL);
	yes("  no thread ran while stopped", *spin_counter == stopped_at);
	kill(child, SIGCONT);
	waitpid(child, &status, WCONTINUED);
	say("  after SIGCONT: %s, the threads run again: %s", status_text(status),
	    counter_passes(stopped_at) ? "yes" : "no");
	kill(child, SIGKILL);
	reap("  SIGKILL", child);

	child = fork_or_die();
	if (child == 0) {
		pthread_t thread;
		pthread_create(&thread, NULL, sleep_forever, NULL);
		pthread_create(&thread, NULL, fault_in_thread, NULL);
		for (;;) pause();
	}
	reap("a NULL write in a secondary thread", child);
	munmap((void *)spin_counter, 4096);
	gate_close(&ready);
}

static void process_wide(void)
{
	pid_t child = fork_or_die();
	if (child == 0) {
		pthread_t thread;
		pthread_create(&thread, NULL, sleep_forever, NULL);
		pthread_create(&thread, NULL, exit_from_thread, NULL);
		for (;;) pause();
	}
	reap("exit(12) from a secondary thread", child);

	child = fork_or_die();
	if (child == 0) {
		pthread_t thread;
		pthread_create(&thread, NULL, sleep_forever, NULL);
		pthread_create(&thread, NULL, exec_from_thread, NULL);
		for (;;) pause();
	}
	reap("execve from a secondary thread", child);

	/* fork in a process with threads: the child has one thread and can use locks. */
	pthread_t thread;
	pthread_create(&thread, NULL, sleep_forever, NULL);
	child = fork_or_die();
	if (child == 0) {
		pthread_mutex_lock(&counter_lock);
		pthread_mutex_unlock(&counter_lock);
		void *memory = malloc(1000);
		free(memory);
		_exit(0);
	}
	reap("fork while another thread runs", child);
}

static int after_exec(void)
{
	char pid_text[32];
	snprintf(pid_text, sizeof pid_text, "%d", getpid());
	const char *origin = getenv("ORIGIN_PID");
	yes("after execve from a thread: pid is the process's", origin && !strcmp(pid_text, origin));
	yes("  and gettid equals it", gettid() == getpid());
	return 13;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "after-exec")) return after_exec();
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	self[n < 0 ? 0 : n] = 0;
	begin_test();
	basics();
	producer_consumer();
	locks_and_barriers();
	thread_locals();
	thread_signals();
	raw_futex();
	cancellation();
	process_shared();
	process_wide();
	whole_process_signals();
	return 0;
}
