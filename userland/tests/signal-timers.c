/* Guest test: timers and the signal-waiting calls in one process. alarm (musl's and the raw
 * syscall's rounding) with pause; setitimer ticks counted by a handler and getitimer's values;
 * POSIX timers (SIGEV_SIGNAL with its siginfo, the default event, SIGEV_NONE, SIGEV_THREAD_ID,
 * overruns, a deleted timer's pending signal, a CPU-time clock) and their errors; real-time
 * signals queued several times with their own values; rt_sigqueueinfo's rules; sigtimedwait
 * and sigsuspend. Prints only facts that do not depend on timing, pids or the machine. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *err_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ESRCH: return "ESRCH";
	case EINTR: return "EINTR";
	case E2BIG: return "E2BIG";
	case EAGAIN: return "EAGAIN";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	}
	return "other";
}

/* "label: 0" or "label: -1 EINVAL" for a call returning 0/-1 and errno. */
static void show(const char *label, long r)
{
	if (r == -1) printf("%s: -1 %s\n", label, err_name(errno));
	else printf("%s: %ld\n", label, r);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR) {
	}
}

static sigset_t just(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	return s;
}

static void block(int sig)
{
	sigset_t s = just(sig);
	sigprocmask(SIG_BLOCK, &s, 0);
}

static void unblock(int sig)
{
	sigset_t s = just(sig);
	sigprocmask(SIG_UNBLOCK, &s, 0);
}

static int is_blocked(int sig)
{
	sigset_t s;
	sigprocmask(SIG_BLOCK, 0, &s);
	return sigismember(&s, sig);
}

static int is_pending(int sig)
{
	sigset_t s;
	sigpending(&s);
	return sigismember(&s, sig);
}

/* A handler that runs with every signal blocked, so queued signals arrive one at a time. */
static void on(int sig, void (*handler)(int, siginfo_t *, void *))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO;
	sigfillset(&sa.sa_mask);
	sigaction(sig, &sa, 0);
}

static volatile sig_atomic_t count[65];

struct record {
	int signo, code, value, timerid, overrun;
};
static struct record records[32];
static volatile sig_atomic_t nrecords;

static void counting(int sig, siginfo_t *si, void *uc)
{
	(void)si, (void)uc;
	count[sig]++;
}

static void recording(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	count[sig]++;
	if (nrecords < 32) {
		struct record *r = &records[nrecords++];
		r->signo = si->si_signo;
		r->code = si->si_code;
		r->value = si->si_value.sival_int;
		r->timerid = si->si_code == SI_TIMER ? si->si_timerid : -1;
		r->overrun = si->si_code == SI_TIMER ? si->si_overrun : -1;
	}
}

static const char *sig_name(int sig)
{
	static char buf[16];
	switch (sig) {
	case SIGALRM: return "SIGALRM";
	case SIGUSR1: return "SIGUSR1";
	case SIGUSR2: return "SIGUSR2";
	case SIGVTALRM: return "SIGVTALRM";
	case SIGPROF: return "SIGPROF";
	}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		snprintf(buf, sizeof buf, "SIGRTMIN+%d", sig - SIGRTMIN);
		return buf;
	}
	snprintf(buf, sizeof buf, "%d", sig);
	return buf;
}

static const char *code_name(int code)
{
	static char buf[16];
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TIMER: return "SI_TIMER";
	case SI_TKILL: return "SI_TKILL";
	case SI_KERNEL: return "SI_KERNEL";
	}
	snprintf(buf, sizeof buf, "%d", code);
	return buf;
}

static void print_records(const char *label)
{
	for (int i = 0; i < nrecords; i++) {
		struct record *r = &records[i];
		printf("%s: %s %s value=%d", label, sig_name(r->signo), code_name(r->code), r->value);
		if (r->timerid >= 0) printf(" timerid=%d overrun=%d", r->timerid, r->overrun);
		printf("\n");
	}
	nrecords = 0;
}

static long raw_alarm(unsigned seconds)
{
	return syscall(SYS_alarm, seconds);
}

static void set_real(long sec, long usec, long isec, long iusec)
{
	struct itimerval it = { { isec, iusec }, { sec, usec } };
	setitimer(ITIMER_REAL, &it, 0);
}

static void test_alarm(void)
{
	on(SIGALRM, counting);
	printf("alarm(1): %ld\n", raw_alarm(1));
	int r = pause();
	printf("pause: %d %s, SIGALRM handled %d time(s)\n", r, err_name(errno), count[SIGALRM]);
	printf("alarm(10): %ld\n", raw_alarm(10));
	printf("alarm(0) after alarm(10): %ld\n", raw_alarm(0));
	printf("alarm(0) with none set: %ld\n", raw_alarm(0));
	set_real(1, 400000, 0, 0);
	printf("alarm(0) with 1.4 s left: %ld\n", raw_alarm(0));
	set_real(1, 600000, 0, 0);
	printf("alarm(0) with 1.6 s left: %ld\n", raw_alarm(0));
	set_real(0, 300000, 0, 0);
	printf("alarm(0) with 0.3 s left: %ld\n", raw_alarm(0));
	alarm(7);
	printf("musl alarm(0) after alarm(7): %u\n", alarm(0));
}

static void test_itimer(void)
{
	struct itimerval it, old;
	count[SIGALRM] = 0;
	set_real(0, 20000, 0, 20000);
	getitimer(ITIMER_REAL, &it);
	printf("getitimer while ticking: interval %ld.%06ld, value in (0, 0.02]: %d\n",
	       (long)it.it_interval.tv_sec, (long)it.it_interval.tv_usec,
	       it.it_value.tv_sec == 0 && it.it_value.tv_usec > 0 && it.it_value.tv_usec <= 20000);
	while (count[SIGALRM] < 5) pause();
	set_real(0, 0, 0, 0);
	printf("periodic ITIMER_REAL: at least 5 ticks: %d\n", count[SIGALRM] >= 5);
	getitimer(ITIMER_REAL, &it);
	printf("after disarming: %ld.%06ld %ld.%06ld\n", (long)it.it_interval.tv_sec,
	       (long)it.it_interval.tv_usec, (long)it.it_value.tv_sec, (long)it.it_value.tv_usec);

	it = (struct itimerval){ { 2, 500000 }, { 5, 0 } };
	setitimer(ITIMER_REAL, &it, 0);
	it = (struct itimerval){ { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &it, &old);
	printf("old setting: interval %ld.%06ld, value in (4, 5]: %d\n", (long)old.it_interval.tv_sec,
	       (long)old.it_interval.tv_usec,
	       old.it_value.tv_sec == 4 || (old.it_value.tv_sec == 5 && old.it_value.tv_usec == 0));

	/* A blocked SIGALRM holds a periodic timer back: it is re-armed when the signal is taken. */
	block(SIGALRM);
	/* A long interval, so that a slow machine still reads the re-armed value before it fires. */
	set_real(0, 5000, 0, 500000);
	sleep_ms(30);
	getitimer(ITIMER_REAL, &it);
	printf("periodic, SIGALRM blocked and pending: pending %d, value %ld.%06ld, interval %ld.%06ld\n",
	       is_pending(SIGALRM), (long)it.it_value.tv_sec, (long)it.it_value.tv_usec,
	       (long)it.it_interval.tv_sec, (long)it.it_interval.tv_usec);
	sigset_t alrm = just(SIGALRM);
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	int sig = sigtimedwait(&alrm, &si, &zero);
	getitimer(ITIMER_REAL, &it);
	printf("sigtimedwait took %s (%s); re-armed: %d\n", sig_name(sig), code_name(si.si_code),
	       it.it_value.tv_sec == 0 && it.it_value.tv_usec > 0);
	set_real(0, 0, 0, 0);
	sigtimedwait(&alrm, &si, &zero);
	unblock(SIGALRM);

	show("setitimer(99)", setitimer(99, &it, 0));
	show("getitimer(99)", getitimer(99, &it));
	it = (struct itimerval){ { 0, 0 }, { 0, 1000000 } };
	show("setitimer usec=1000000", setitimer(ITIMER_REAL, &it, 0));
	it = (struct itimerval){ { 0, 0 }, { -1, 0 } };
	show("setitimer sec=-1", setitimer(ITIMER_REAL, &it, 0));
	show("getitimer bad pointer", syscall(SYS_getitimer, ITIMER_REAL, (void *)8));

	/* CPU-time timers: only running counts. */
	on(SIGVTALRM, counting);
	on(SIGPROF, counting);
	it = (struct itimerval){ { 0, 0 }, { 1, 0 } };
	setitimer(ITIMER_VIRTUAL, &it, 0);
	getitimer(ITIMER_VIRTUAL, &it);
	long usec = it.it_value.tv_sec * 1000000L + it.it_value.tv_usec;
	printf("ITIMER_VIRTUAL 1 s reads in (0.9, 1.004] s: %d\n", usec > 900000 && usec <= 1004000);
	it = (struct itimerval){ { 0, 0 }, { 0, 10000 } };
	setitimer(ITIMER_VIRTUAL, &it, 0);
	setitimer(ITIMER_PROF, &it, 0);
	for (volatile unsigned long spin = 0; !(count[SIGVTALRM] && count[SIGPROF]); spin++) {
	}
	printf("busy loop got SIGVTALRM %d and SIGPROF %d\n", count[SIGVTALRM], count[SIGPROF]);
}

static int create(clockid_t clock, struct sigevent *ev, timer_t *t)
{
	int id = -1;
	long r = syscall(SYS_timer_create, clock, ev, &id);
	*t = (timer_t)(intptr_t)id;
	return r == 0 ? id : -1;
}

static void arm(timer_t t, long value_ns, long interval_ns)
{
	struct itimerspec its = { { interval_ns / 1000000000, interval_ns % 1000000000 },
				  { value_ns / 1000000000, value_ns % 1000000000 } };
	timer_settime(t, 0, &its, 0);
}

static void test_posix_timers(void)
{
	struct sigevent ev;
	struct itimerspec its;
	timer_t t0, t1, t2, t3, t4;
	siginfo_t si;
	struct timespec zero = { 0, 0 };

	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGRTMIN;
	ev.sigev_value.sival_int = 42;
	on(SIGRTMIN, recording);
	printf("timer_create SIGEV_SIGNAL: id %d\n", create(CLOCK_MONOTONIC, &ev, &t0));
	arm(t0, 10000000, 0);
	int r = pause();
	printf("pause: %d %s\n", r, err_name(errno));
	print_records("timer signal");
	timer_gettime(t0, &its);
	printf("expired one-shot reads %ld.%09ld / %ld.%09ld, overrun %d\n", (long)its.it_value.tv_sec,
	       its.it_value.tv_nsec, (long)its.it_interval.tv_sec, its.it_interval.tv_nsec,
	       timer_getoverrun(t0));

	/* The default event: SIGALRM to the process with the timer id as its value. */
	block(SIGALRM);
	printf("timer_create with no sigevent: id %d\n", create(CLOCK_REALTIME, 0, &t1));
	arm(t1, 1000000, 0);
	sigset_t alrm = just(SIGALRM);
	int sig = sigwaitinfo(&alrm, &si);
	printf("sigwaitinfo: %s %s value=%d timerid=%d\n", sig_name(sig), code_name(si.si_code),
	       si.si_value.sival_int, si.si_timerid);
	unblock(SIGALRM);

	/* A bad event still uses up an id, as on Linux. */
	ev.sigev_signo = 0;
	show("timer_create signo 0", create(CLOCK_MONOTONIC, &ev, &t2));
	ev.sigev_signo = SIGRTMIN;
	ev.sigev_notify = 99;
	show("timer_create notify 99", create(CLOCK_MONOTONIC, &ev, &t2));
	ev.sigev_notify = SIGEV_SIGNAL;
	show("timer_create CLOCK_MONOTONIC_RAW", create(CLOCK_MONOTONIC_RAW, &ev, &t2));
	show("timer_create clock 10", create(10, &ev, &t2));
	show("timer_create bad sigevent", syscall(SYS_timer_create, CLOCK_MONOTONIC, (void *)8, &r));
	printf("next timer_create: id %d\n", create(CLOCK_BOOTTIME, &ev, &t2));
	show("timer_settime unknown id", syscall(SYS_timer_settime, 1000, 0, &its, 0));
	show("timer_settime NULL", syscall(SYS_timer_settime, (int)(intptr_t)t2, 0, 0, 0));
	its = (struct itimerspec){ { 0, 0 }, { 0, 1000000000 } };
	show("timer_settime nsec=1e9", timer_settime(t2, 0, &its, 0));
	show("timer_gettime unknown id", syscall(SYS_timer_gettime, 1000, &its));
	show("timer_getoverrun unknown id", syscall(SYS_timer_getoverrun, 1000));
	show("timer_delete unknown id", syscall(SYS_timer_delete, 1000));

	/* Periods missed while the signal waited become si_overrun. */
	block(SIGRTMIN);
	arm(t2, 5000000, 5000000);
	sleep_ms(50);
	its = (struct itimerspec){ { 0, 0 }, { 0, 0 } };
	sigset_t rt = just(SIGRTMIN);
	sig = sigtimedwait(&rt, &si, &zero);
	printf("periodic timer: %s %s overrun>=2 %d, timer_getoverrun agrees %d\n", sig_name(sig),
	       code_name(si.si_code), si.si_overrun >= 2, timer_getoverrun(t2) == si.si_overrun);
	struct itimerspec old;
	timer_settime(t2, 0, &its, &old);
	printf("timer_settime old: interval %ld.%09ld, value in (0, 5 ms]: %d\n",
	       (long)old.it_interval.tv_sec, old.it_interval.tv_nsec,
	       old.it_value.tv_sec == 0 && old.it_value.tv_nsec > 0 && old.it_value.tv_nsec <= 5000000);

	/* The signal of a timer deleted meanwhile stays pending but is dropped when taken. */
	arm(t0, 1000000, 0);
	sleep_ms(20);
	printf("one-shot fired while blocked: pending %d\n", is_pending(SIGRTMIN));
	timer_delete(t0);
	printf("after timer_delete: pending %d\n", is_pending(SIGRTMIN));
	show("sigtimedwait for it", sigtimedwait(&rt, &si, &zero));
	printf("then pending %d\n", is_pending(SIGRTMIN));
	unblock(SIGRTMIN);

	/* SIGEV_NONE: nothing is sent, timer_gettime tells. */
	ev.sigev_notify = SIGEV_NONE;
	printf("timer_create SIGEV_NONE: id %d\n", create(CLOCK_MONOTONIC, &ev, &t3));
	arm(t3, 5000000, 0);
	sleep_ms(15);
	timer_gettime(t3, &its);
	printf("SIGEV_NONE one-shot after expiry: %ld.%09ld\n", (long)its.it_value.tv_sec,
	       its.it_value.tv_nsec);
	arm(t3, 2000000, 3000000);
	sleep_ms(15);
	timer_gettime(t3, &its);
	printf("SIGEV_NONE periodic: interval %ld.%09ld, value in (0, 3 ms]: %d\n",
	       (long)its.it_interval.tv_sec, its.it_interval.tv_nsec,
	       its.it_value.tv_sec == 0 && its.it_value.tv_nsec > 0 && its.it_value.tv_nsec <= 3000000);
	its = (struct itimerspec){ { 1, 0 }, { 0, 0 } };
	timer_settime(t3, 0, &its, 0);
	timer_gettime(t3, &its);
	printf("interval without a value is dropped: %ld.%09ld\n", (long)its.it_interval.tv_sec,
	       its.it_interval.tv_nsec);
	timer_delete(t3);

	/* SIGEV_THREAD_ID: to this thread. */
	block(SIGUSR2);
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGUSR2;
	ev.sigev_value.sival_int = 7;
	ev.sigev_notify_thread_id = gettid();
	printf("timer_create SIGEV_THREAD_ID: id %d\n", create(CLOCK_MONOTONIC, &ev, &t4));
	arm(t4, 1000000, 0);
	sigset_t usr2 = just(SIGUSR2);
	sig = sigwaitinfo(&usr2, &si);
	printf("sigwaitinfo: %s %s value=%d\n", sig_name(sig), code_name(si.si_code),
	       si.si_value.sival_int);
	ev.sigev_notify_thread_id = 0x3fffffff;
	show("SIGEV_THREAD_ID to no thread", create(CLOCK_MONOTONIC, &ev, &t3));
	unblock(SIGUSR2);

	/* Absolute expiry in the past fires at once. */
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	its = (struct itimerspec){ { 0, 0 }, { now.tv_sec - 1, 0 } };
	block(SIGALRM);
	timer_settime(t1, TIMER_ABSTIME, &its, 0);
	sig = sigwaitinfo(&alrm, &si);
	printf("TIMER_ABSTIME in the past: %s %s\n", sig_name(sig), code_name(si.si_code));
	unblock(SIGALRM);

	/* A CPU-time clock counts while the process runs. */
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGPROF;
	count[SIGPROF] = 0;
	timer_t cpu;
	printf("timer_create CLOCK_PROCESS_CPUTIME_ID: id %d\n",
	       create(CLOCK_PROCESS_CPUTIME_ID, &ev, &cpu));
	arm(cpu, 5000000, 0);
	for (volatile unsigned long spin = 0; !count[SIGPROF]; spin++) {
	}
	printf("busy loop got SIGPROF from it: %d\n", count[SIGPROF]);
	timer_delete(cpu);
	timer_delete(t1);
	timer_delete(t2);
	timer_delete(t4);
}

static long queueinfo(pid_t pid, int sig, int code, int value)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_value.sival_int = value;
	return syscall(SYS_rt_sigqueueinfo, pid, sig, &si);
}

static void test_queueing(void)
{
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, 0);
	on(SIGUSR1, recording);
	on(SIGRTMIN, recording);
	on(SIGRTMIN + 1, recording);
	union sigval v;
	v.sival_int = 100;
	sigqueue(getpid(), SIGRTMIN + 1, v);
	for (int i = 1; i <= 3; i++) {
		v.sival_int = i;
		sigqueue(getpid(), SIGRTMIN, v);
	}
	kill(getpid(), SIGRTMIN + 1);
	kill(getpid(), SIGUSR1);
	v.sival_int = 9;
	sigqueue(getpid(), SIGUSR1, v);
	kill(getpid(), SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &all, 0);
	print_records("delivered");

	/* The same through sigtimedwait. */
	sigprocmask(SIG_BLOCK, &all, 0);
	for (int i = 4; i <= 6; i++) {
		v.sival_int = i;
		sigqueue(getpid(), SIGRTMIN + 1, v);
	}
	v.sival_int = 3;
	sigqueue(getpid(), SIGRTMIN, v);
	sigset_t rts;
	sigemptyset(&rts);
	sigaddset(&rts, SIGRTMIN);
	sigaddset(&rts, SIGRTMIN + 1);
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	int sig;
	while ((sig = sigtimedwait(&rts, &si, &zero)) > 0)
		printf("sigtimedwait: %s %s value=%d\n", sig_name(sig), code_name(si.si_code),
		       si.si_value.sival_int);
	printf("then: -1 %s\n", err_name(errno));

	/* Who may claim which si_code. */
	show("rt_sigqueueinfo self SI_USER", queueinfo(getpid(), SIGUSR2, SI_USER, 5));
	show("rt_sigqueueinfo self SI_TKILL", queueinfo(getpid(), SIGUSR2, SI_TKILL, 5));
	show("rt_sigqueueinfo other SI_USER", queueinfo(getpid() + 12345, SIGUSR2, SI_USER, 5));
	show("rt_sigqueueinfo other SI_TKILL", queueinfo(getpid() + 12345, SIGUSR2, SI_TKILL, 5));
	show("rt_sigqueueinfo no such pid", queueinfo(0x3fffffff, SIGUSR2, SI_QUEUE, 5));
	show("rt_sigqueueinfo pid 0", queueinfo(0, SIGUSR2, SI_QUEUE, 5));
	show("rt_sigqueueinfo signal 65", queueinfo(getpid(), 65, SI_QUEUE, 5));
	show("rt_sigqueueinfo signal 0", queueinfo(getpid(), 0, SI_QUEUE, 5));
	show("rt_sigqueueinfo bad pointer", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, 8));
	siginfo_t odd;
	memset(&odd, 0, sizeof odd);
	odd.si_code = -50;
	((char *)&odd)[100] = 1;
	show("rt_sigqueueinfo unknown layout, bytes past 48",
	     syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, &odd));
	((char *)&odd)[100] = 0;
	((char *)&odd)[40] = 1;
	show("rt_sigqueueinfo unknown layout, zeros past 48",
	     syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN + 2, &odd));
	memset(&si, 0, sizeof si);
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 11;
	show("rt_tgsigqueueinfo self", syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGUSR1, &si));
	show("rt_tgsigqueueinfo tid 0", syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGUSR1, &si));
	show("rt_tgsigqueueinfo wrong tgid",
	     syscall(SYS_rt_tgsigqueueinfo, 0x3fffffff, gettid(), SIGUSR1, &si));
	sigset_t two;
	sigemptyset(&two);
	sigaddset(&two, SIGUSR1);
	sigaddset(&two, SIGUSR2);
	sigaddset(&two, SIGRTMIN + 2);
	while ((sig = sigtimedwait(&two, &si, &zero)) > 0) {
		printf("sigtimedwait: %s %s value=%d", sig_name(sig), code_name(si.si_code),
		       si.si_value.sival_int);
		if (si.si_code == -50) printf(" byte40=%d", ((unsigned char *)&si)[40]);
		printf("\n");
	}
	sigprocmask(SIG_UNBLOCK, &all, 0);
}

static void test_waiting(void)
{
	sigset_t usr1 = just(SIGUSR1), empty, old;
	siginfo_t si;
	sigemptyset(&empty);

	struct timespec ten_ms = { 0, 10000000 };
	block(SIGUSR1);
	show("sigtimedwait 10 ms, nothing pending", sigtimedwait(&usr1, &si, &ten_ms));
	struct timespec bad = { 0, 1000000000 };
	show("sigtimedwait nsec=1e9", sigtimedwait(&usr1, &si, &bad));
	show("sigtimedwait sigsetsize 4", syscall(SYS_rt_sigtimedwait, &usr1, &si, &ten_ms, 4));
	union sigval v = { .sival_int = 77 };
	sigqueue(getpid(), SIGUSR1, v);
	int sig = sigtimedwait(&usr1, &si, &ten_ms);
	printf("sigtimedwait with SIGUSR1 pending: %s %s value=%d\n", sig_name(sig),
	       code_name(si.si_code), si.si_value.sival_int);

	/* Another signal, caught, ends the wait with EINTR (raw: musl retries EINTR). */
	on(SIGALRM, counting);
	count[SIGALRM] = 0;
	set_real(0, 10000, 0, 0);
	struct timespec long_wait = { 5, 0 };
	show("rt_sigtimedwait interrupted", syscall(SYS_rt_sigtimedwait, &usr1, &si, &long_wait, 8));
	printf("SIGALRM handled %d time(s)\n", count[SIGALRM]);

	/* sigsuspend: the temporary mask lets SIGALRM in, the old one comes back. */
	block(SIGALRM);
	count[SIGALRM] = 0;
	set_real(0, 10000, 0, 0);
	int r = sigsuspend(&empty);
	printf("sigsuspend: %d %s, SIGALRM handled %d, SIGALRM blocked again %d, SIGUSR1 %d\n", r,
	       err_name(errno), count[SIGALRM], is_blocked(SIGALRM), is_blocked(SIGUSR1));
	/* A signal already pending ends it at once. */
	on(SIGUSR1, counting);
	count[SIGUSR1] = 0;
	raise(SIGUSR1);
	r = sigsuspend(&empty);
	printf("sigsuspend with SIGUSR1 pending: %d %s, handled %d\n", r, err_name(errno),
	       count[SIGUSR1]);
	/* A signal the temporary mask blocks waits. */
	sigset_t only_usr1 = just(SIGUSR1);
	count[SIGALRM] = 0;
	count[SIGUSR1] = 0;
	raise(SIGUSR1);
	set_real(0, 10000, 0, 0);
	r = sigsuspend(&only_usr1);
	printf("sigsuspend blocking SIGUSR1: %d %s, SIGALRM handled %d, SIGUSR1 handled %d\n", r,
	       err_name(errno), count[SIGALRM], count[SIGUSR1]);
	sigprocmask(SIG_SETMASK, &empty, &old);
	printf("unblocked: SIGUSR1 handled %d\n", count[SIGUSR1]);
	show("rt_sigsuspend sigsetsize 4", syscall(SYS_rt_sigsuspend, &empty, 4));
}

int main(void)
{
	setvbuf(stdout, 0, _IOLBF, 0);
	test_alarm();
	test_itimer();
	test_posix_timers();
	test_queueing();
	test_waiting();
	return 0;
}
