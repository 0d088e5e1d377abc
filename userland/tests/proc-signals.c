/* Guest test: signal delivery, masking and handlers. Blocked standard signals are delivered once
 * on unblock, realtime ones queue; the order in which several pending signals' handlers run;
 * pending signals are cleared in a fork child while the mask is inherited; signals between
 * processes with siginfo; fault handlers (SIGSEGV, SIGILL, SIGFPE, SIGTRAP) that read and edit the
 * ucontext (REG_RIP skips the faulting instruction, or a register is fixed and it is retried);
 * nested handlers, sa_mask, SA_NODEFER, SA_RESETHAND; SA_RESTART against EINTR on pipe reads,
 * writes, wait4, nanosleep, poll and pause; sigaltstack with SA_ONSTACK and a stack overflow
 * caught on it; sigsetjmp/siglongjmp; sigtimedwait; ignored and blocked signals. */
#include "proc-check.h"
#include <poll.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <ucontext.h>

static volatile int hits[65];
static int pipe_fds[2];

static void count_hit(int sig)
{
	hits[sig]++;
}

static void block(int sig)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void unblock(int sig)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static int is_pending(int sig)
{
	sigset_t set;
	sigpending(&set);
	return sigismember(&set, sig);
}

static int is_blocked(int sig)
{
	sigset_t set;
	sigprocmask(SIG_BLOCK, NULL, &set);
	return sigismember(&set, sig);
}

static void note_signal(int sig)
{
	char text[8];
	snprintf(text, sizeof text, "%d", sig);
	note(text);
}

static void note_rt(int sig, siginfo_t *info, void *context)
{
	(void)context;
	char text[24];
	snprintf(text, sizeof text, "%d:%d", sig - SIGRTMIN, info->si_value.sival_int);
	note(text);
}

static void masking(void)
{
	on_signal(SIGUSR1, count_hit, 0);
	block(SIGUSR1);
	raise(SIGUSR1);
	raise(SIGUSR1);
	yes("blocked SIGUSR1 pending", is_pending(SIGUSR1));
	say("handler runs while blocked: %d", hits[SIGUSR1]);
	unblock(SIGUSR1);
	say("after unblocking, two raises ran the handler %d time(s)", hits[SIGUSR1]);
	yes("still pending", is_pending(SIGUSR1));

	union sigval value;
	on_siginfo(SIGRTMIN, note_rt, 0);
	on_siginfo(SIGRTMIN + 1, note_rt, 0);
	block(SIGRTMIN);
	block(SIGRTMIN + 1);
	for (int k = 1; k <= 3; k++) {
		value.sival_int = k;
		sigqueue(getpid(), SIGRTMIN + 1, value);
	}
	for (int k = 4; k <= 5; k++) {
		value.sival_int = k;
		sigqueue(getpid(), SIGRTMIN, value);
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGRTMIN + 1);
	/* Each handler blocks only its own signal: they nest, the last frame set up runs first. */
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	print_notes("queued realtime signals (SIGRTMIN+n:value, in order run)");

	/* Several pending standard signals: handlers that block all others run one by one, lowest
	 * signal number first. */
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = note_signal;
	sigfillset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGTERM);
	raise(SIGUSR2);
	raise(SIGHUP);
	raise(SIGUSR1);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	print_notes("four pending signals, each handler blocking all");

	/* SIGKILL and SIGSTOP cannot be caught, ignored or blocked. */
	fails("sigaction(SIGKILL)", sigaction(SIGKILL, &sa, NULL));
	fails("sigaction(SIGSTOP)", sigaction(SIGSTOP, &sa, NULL));
	fails("sigaction(0)", sigaction(0, &sa, NULL));
	fails("sigaction(65)", sigaction(65, &sa, NULL));
	sigset_t all, old;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	say("blocking everything blocks SIGKILL: %s, SIGSTOP: %s",
	    is_blocked(SIGKILL) ? "yes" : "no", is_blocked(SIGSTOP) ? "yes" : "no");
	sigprocmask(SIG_SETMASK, &old, NULL);
	fails("kill with signal 65", kill(getpid(), 65));
	say("kill with signal 0 to ourselves: %s", kill(getpid(), 0) == 0 ? "ok" : "failed");

	/* Blocked signals are never ignored; setting SIG_IGN discards the pending one. */
	signal(SIGUSR2, SIG_IGN);
	block(SIGUSR2);
	raise(SIGUSR2);
	yes("ignored but blocked SIGUSR2 pending", is_pending(SIGUSR2));
	signal(SIGUSR2, SIG_IGN);
	yes("pending after setting SIG_IGN again", is_pending(SIGUSR2));
	unblock(SIGUSR2);
	signal(SIGWINCH, SIG_DFL);
	block(SIGWINCH);
	raise(SIGWINCH);
	yes("blocked SIGWINCH (default: ignore) pending", is_pending(SIGWINCH));
	signal(SIGWINCH, SIG_IGN);
	yes("pending after SIG_IGN", is_pending(SIGWINCH));
	unblock(SIGWINCH);
	signal(SIGWINCH, SIG_DFL);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
}

static volatile int info_code, info_pid, info_value;

static void record_info(int sig, siginfo_t *info, void *context)
{
	(void)context;
	hits[sig]++;
	info_code = info->si_code;
	info_pid = info->si_pid;
	info_value = info->si_value.sival_int;
}

static const char *si_code_name(int code)
{
	switch (code) {
	case SI_USER: return "SI_USER";
	case SI_QUEUE: return "SI_QUEUE";
	case SI_TKILL: return "SI_TKILL";
	case SI_KERNEL: return "SI_KERNEL";
	}
	return "other";
}

static void across_fork(void)
{
	on_signal(SIGUSR2, count_hit, 0);
	block(SIGUSR2);
	raise(SIGUSR2);
	pid_t child = fork_or_die();
	if (child == 0) {
		yes("child: SIGUSR2 still blocked", is_blocked(SIGUSR2));
		yes("child: SIGUSR2 pending", is_pending(SIGUSR2));
		struct sigaction sa;
		sigaction(SIGUSR2, NULL, &sa);
		yes("child: handler inherited", sa.sa_handler == count_hit);
		_exit(0);
	}
	reap("fork child", child);
	yes("parent: SIGUSR2 still pending", is_pending(SIGUSR2));
	hits[SIGUSR2] = 0;
	unblock(SIGUSR2);
	say("parent: handler ran %d time(s) after unblocking", hits[SIGUSR2]);

	/* Between processes: the child blocks SIGUSR1; we send it twice; one delivery. */
	hits[SIGUSR1] = 0;
	on_siginfo(SIGUSR1, record_info, 0);
	block(SIGUSR1);
	struct gate ready, sent;
	gate_init(&ready);
	gate_init(&sent);
	pid_t parent = getpid();
	child = fork_or_die();
	if (child == 0) {
		gate_open(&ready);
		gate_wait(&sent);
		yes("child: SIGUSR1 from parent pending", is_pending(SIGUSR1));
		unblock(SIGUSR1);
		say("child: handler ran %d time(s), si_code %s, si_pid is parent: %s", hits[SIGUSR1],
		    si_code_name(info_code), info_pid == parent ? "yes" : "no");
		block(SIGUSR1);
		union sigval value = { .sival_int = 1234 };
		sigqueue(parent, SIGUSR1, value);
		_exit(0);
	}
	gate_wait(&ready);
	kill(child, SIGUSR1);
	kill(child, SIGUSR1);
	gate_open(&sent);
	reap("signalled child", child);
	sigset_t usr1;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	siginfo_t info;
	struct timespec no_wait = { 0, 0 };
	int sig = sigtimedwait(&usr1, &info, &no_wait);
	say("sigtimedwait: %s, si_code %s, value %d, si_pid is child: %s",
	    sig > 0 ? signal_name(sig) : errno_name(errno), si_code_name(info.si_code),
	    info.si_value.sival_int, info.si_pid == child ? "yes" : "no");
	fails("sigtimedwait with nothing pending", sigtimedwait(&usr1, &info, &no_wait));
	raise(SIGUSR1);
	sig = sigwaitinfo(&usr1, &info);
	say("sigwaitinfo after raise: %s, si_code %s", signal_name(sig), si_code_name(info.si_code));
	unblock(SIGUSR1);
	gate_close(&ready);
	gate_close(&sent);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

/* Fault handlers: record si_code, where it faulted and the page-fault details. */
static volatile int fault_code;
static volatile uintptr_t fault_addr;
static volatile long fault_trapno, fault_err, fault_skip;
static volatile uintptr_t fault_rip;
static char *volatile fix_target;

static void on_fault(int sig, siginfo_t *info, void *context)
{
	ucontext_t *uc = context;
	hits[sig]++;
	fault_code = info->si_code;
	fault_addr = (uintptr_t)info->si_addr;
	fault_trapno = uc->uc_mcontext.gregs[REG_TRAPNO];
	fault_err = uc->uc_mcontext.gregs[REG_ERR];
	fault_rip = uc->uc_mcontext.gregs[REG_RIP];
	if (fix_target) {
		uc->uc_mcontext.gregs[REG_RAX] = (greg_t)fix_target;
		fix_target = NULL;
	} else {
		uc->uc_mcontext.gregs[REG_RIP] += fault_skip;
	}
}

static const char *fault_code_name(int sig, int code)
{
	if (sig == SIGSEGV && code == SEGV_MAPERR) return "SEGV_MAPERR";
	if (sig == SIGSEGV && code == SEGV_ACCERR) return "SEGV_ACCERR";
	if (sig == SIGILL && code == ILL_ILLOPN) return "ILL_ILLOPN";
	if (sig == SIGFPE && code == FPE_INTDIV) return "FPE_INTDIV";
	if (code == SI_KERNEL) return "SI_KERNEL";
	if (sig == SIGTRAP && code == TRAP_BRKPT) return "TRAP_BRKPT";
	return "other";
}

static void faults(void)
{
	on_siginfo(SIGSEGV, on_fault, 0);
	on_siginfo(SIGILL, on_fault, 0);
	on_siginfo(SIGFPE, on_fault, 0);
	on_siginfo(SIGTRAP, on_fault, 0);

	/* movb $1, (%rax) is c6 00 01: three bytes. */
	fault_skip = 3;
	char *address = (char *)0x10;
	__asm__ volatile("movb $1, (%0)" : : "a"(address) : "memory");
	say("write to 0x10 skipped: SIGSEGV %d, %s, si_addr 0x%lx, trapno %ld, err %ld",
	    hits[SIGSEGV], fault_code_name(SIGSEGV, fault_code), (unsigned long)fault_addr,
	    fault_trapno, fault_err);

	char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	__asm__ volatile("movb $1, (%0)" : : "a"(page) : "memory");
	say("write to a read-only page skipped: %s, si_addr is the page: %s, err %ld, page %d",
	    fault_code_name(SIGSEGV, fault_code), fault_addr == (uintptr_t)page ? "yes" : "no",
	    fault_err, page[0]);
	/* movl (%rax), %ecx is 8b 08: two bytes; the read of a missing page has err 4. */
	int loaded = 7;
	fault_skip = 2;
	__asm__ volatile("movl (%1), %0" : "+c"(loaded) : "a"((int *)0x20) : "memory");
	say("read from 0x20 skipped: %s, err %ld, register kept %d",
	    fault_code_name(SIGSEGV, fault_code), fault_err, loaded);

	/* The handler points %rax at writable memory and returns: the write is retried. */
	static char target;
	fix_target = &target;
	char *bad = (char *)0x30;
	__asm__ volatile("movb $9, (%0)" : "+a"(bad) : : "memory");
	say("handler fixed %%rax and the write was retried: target %d, %%rax now target: %s",
	    target, bad == &target ? "yes" : "no");
	munmap(page, 4096);

	fault_skip = 2; /* ud2 is 0f 0b */
	uintptr_t ud2_at;
	__asm__ volatile("leaq 1f(%%rip), %0\n1:\tud2" : "=r"(ud2_at));
	say("ud2 skipped: SIGILL %d, %s, si_addr is the instruction: %s, rip too: %s, trapno %ld",
	    hits[SIGILL], fault_code_name(SIGILL, fault_code), fault_addr == ud2_at ? "yes" : "no",
	    fault_rip == ud2_at ? "yes" : "no", fault_trapno);
	/* idivl %ecx is f7 f9: two bytes. */
	int zero = 0;
	__asm__ volatile("cltd\n\tidivl %%ecx" : : "a"(1), "c"(zero) : "edx");
	say("division by zero skipped: SIGFPE %d, %s, trapno %ld", hits[SIGFPE],
	    fault_code_name(SIGFPE, fault_code), fault_trapno);
	/* int3 (cc) is a trap: rip is already past it. */
	fault_skip = 0;
	__asm__ volatile("int3");
	say("int3: SIGTRAP %d, %s, trapno %ld", hits[SIGTRAP], fault_code_name(SIGTRAP, fault_code),
	    fault_trapno);

	/* A fault while its signal is blocked kills (the handler cannot run). */
	pid_t child = fork_or_die();
	if (child == 0) {
		block(SIGSEGV);
		__asm__ volatile("movb $1, (%0)" : : "a"((char *)0x10) : "memory");
		_exit(0);
	}
	reap("fault with SIGSEGV blocked", child);
	child = fork_or_die();
	if (child == 0) {
		signal(SIGSEGV, SIG_IGN);
		__asm__ volatile("movb $1, (%0)" : : "a"((char *)0x10) : "memory");
		_exit(0);
	}
	reap("fault with SIGSEGV ignored", child);
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
}

static volatile int depth, invocations;

static void nested_usr1(int sig)
{
	(void)sig;
	depth++;
	char text[16];
	snprintf(text, sizeof text, "usr1-start%d", depth);
	note(text);
	if (++invocations == 1) {
		raise(SIGUSR2);
		raise(SIGUSR1);
	}
	snprintf(text, sizeof text, "usr1-end%d", depth);
	note(text);
	depth--;
}

static void nested_usr2(int sig)
{
	(void)sig;
	note("usr2");
}

static void nested_with(const char *label, int flags, int mask_usr2)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = nested_usr1;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (mask_usr2) sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	on_signal(SIGUSR2, nested_usr2, 0);
	invocations = 0;
	raise(SIGUSR1);
	print_notes(label);
}

static volatile int mask_in_handler_usr1, mask_in_handler_usr2;

static void observe_mask(int sig)
{
	(void)sig;
	mask_in_handler_usr1 = is_blocked(SIGUSR1);
	mask_in_handler_usr2 = is_blocked(SIGUSR2);
}

static void nesting(void)
{
	nested_with("nested (no flags)", 0, 0);
	nested_with("sa_mask holds SIGUSR2", 0, 1);
	nested_with("SA_NODEFER", SA_NODEFER, 0);

	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = observe_mask;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(SIGUSR1, &sa, NULL);
	raise(SIGUSR1);
	say("in the handler: SIGUSR1 blocked %s, SIGUSR2 (sa_mask) blocked %s",
	    mask_in_handler_usr1 ? "yes" : "no", mask_in_handler_usr2 ? "yes" : "no");
	say("after the handler: SIGUSR1 blocked %s, SIGUSR2 blocked %s",
	    is_blocked(SIGUSR1) ? "yes" : "no", is_blocked(SIGUSR2) ? "yes" : "no");

	/* SA_RESETHAND: one run, then the default action (which kills). */
	pid_t child = fork_or_die();
	if (child == 0) {
		sa.sa_flags = SA_RESETHAND;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGUSR1, &sa, NULL);
		raise(SIGUSR1);
		say("SA_RESETHAND: in the handler SIGUSR1 blocked %s",
		    mask_in_handler_usr1 ? "yes" : "no");
		struct sigaction now;
		sigaction(SIGUSR1, NULL, &now);
		say("SA_RESETHAND: disposition afterwards %s",
		    now.sa_handler == SIG_DFL ? "default" : "still the handler");
		raise(SIGUSR1);
		_exit(0);
	}
	reap("SA_RESETHAND, second SIGUSR1", child);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static void alarm_writes_x(int sig)
{
	hits[sig]++;
	write(pipe_fds[1], "x", 1);
}

static void interrupted(void)
{
	must("pipe", pipe(pipe_fds));
	char buffer[16];

	/* alarm + SA_RESTART: the handler writes "x"; the restarted read returns it. */
	hits[SIGALRM] = 0;
	on_signal(SIGALRM, alarm_writes_x, SA_RESTART);
	alarm(1);
	ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
	say("read with SA_RESTART: %zd byte(s) '%.*s', handler ran %d", n, (int)(n > 0 ? n : 0),
	    buffer, hits[SIGALRM]);

	/* Without SA_RESTART the read fails with EINTR. The timer repeats, so that a tick that
	 * comes before the read starts cannot leave it blocked for ever. */
	hits[SIGALRM] = 0;
	on_signal(SIGALRM, count_hit, 0);
	struct itimerval ticks = { { 0, 20000 }, { 0, 20000 } }, off = { { 0, 0 }, { 0, 0 } };
	setitimer(ITIMER_REAL, &ticks, NULL);
	n = read(pipe_fds[0], buffer, sizeof buffer);
	setitimer(ITIMER_REAL, &off, NULL);
	say("read without SA_RESTART: %s, handler ran: %s", n < 0 ? errno_name(errno) : "returned",
	    hits[SIGALRM] > 0 ? "yes" : "no");

	/* A blocking write interrupted after part of it went in returns that part. */
	static char big[100000];
	setitimer(ITIMER_REAL, &ticks, NULL);
	n = write(pipe_fds[1], big, sizeof big);
	setitimer(ITIMER_REAL, &off, NULL);
	say("write of 100000 bytes into an empty pipe, interrupted: %zd", n);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
	must("pipe", pipe(pipe_fds));

	/* Some calls never restart: nanosleep, poll, pause. */
	on_signal(SIGALRM, count_hit, SA_RESTART);
	setitimer(ITIMER_REAL, &ticks, NULL);
	struct timespec long_sleep = { 30, 0 }, left = { 0, 0 };
	int r = nanosleep(&long_sleep, &left);
	setitimer(ITIMER_REAL, &off, NULL);
	say("nanosleep with SA_RESTART: %s, time left over 20 s: %s",
	    r < 0 ? errno_name(errno) : "returned", left.tv_sec >= 20 ? "yes" : "no");
	struct pollfd pfd = { .fd = pipe_fds[0], .events = POLLIN };
	setitimer(ITIMER_REAL, &ticks, NULL);
	r = poll(&pfd, 1, 30000);
	setitimer(ITIMER_REAL, &off, NULL);
	say("poll with SA_RESTART: %s", r < 0 ? errno_name(errno) : "returned");
	setitimer(ITIMER_REAL, &ticks, NULL);
	r = pause();
	setitimer(ITIMER_REAL, &off, NULL);
	say("pause: %s", r < 0 ? errno_name(errno) : "returned");

	/* wait4 restarts with SA_RESTART (the handler releases the child) and fails without. */
	struct gate release;
	gate_init(&release);
	pid_t child = fork_or_die();
	if (child == 0) {
		gate_wait(&release);
		_exit(3);
	}
	pipe_fds[1] = release.fd[1];
	on_signal(SIGALRM, alarm_writes_x, SA_RESTART);
	struct itimerval soon = { { 0, 0 }, { 0, 20000 } };
	setitimer(ITIMER_REAL, &soon, NULL);
	int status;
	pid_t got = waitpid(child, &status, 0);
	say("waitpid with SA_RESTART: %s, %s", got == child ? "the child" : errno_name(errno),
	    status_text(status));
	child = fork_or_die();
	if (child == 0) {
		gate_wait(&release);
		_exit(4);
	}
	on_signal(SIGALRM, count_hit, 0);
	setitimer(ITIMER_REAL, &ticks, NULL);
	got = waitpid(child, &status, 0);
	setitimer(ITIMER_REAL, &off, NULL);
	say("waitpid without SA_RESTART: %s", got < 0 ? errno_name(errno) : "returned");
	gate_open(&release);
	reap("  then", child);
	gate_close(&release);
	close(pipe_fds[0]);
	signal(SIGALRM, SIG_DFL);

	/* A signal whose default action is to ignore it does not interrupt a read. */
	int data[2];
	must("pipe", pipe(data));
	struct gate ready;
	gate_init(&ready);
	child = fork_or_die();
	if (child == 0) {
		gate_open(&ready);
		char c;
		ssize_t got_bytes = read(data[0], &c, 1);
		_exit(got_bytes == 1 ? c : 100 + errno);
	}
	gate_wait(&ready);
	kill(child, SIGWINCH);
	kill(child, SIGCHLD);
	kill(child, SIGURG);
	write(data[1], "\x2a", 1);
	reap("read after SIGWINCH, SIGCHLD, SIGURG (42 = the byte)", child);
	close(data[0]);
	close(data[1]);
	gate_close(&ready);
}

static char alt_stack[65536];
static volatile int on_alt_stack, onstack_flag;

static void check_stack(int sig)
{
	(void)sig;
	char local;
	on_alt_stack = &local >= alt_stack && &local < alt_stack + sizeof alt_stack;
	stack_t now;
	sigaltstack(NULL, &now);
	onstack_flag = now.ss_flags & SS_ONSTACK;
	stack_t other = { .ss_sp = alt_stack, .ss_size = sizeof alt_stack };
	hits[0] = sigaltstack(&other, NULL) < 0 ? errno : 0;
}

static void overflow_caught(int sig)
{
	(void)sig;
	static const char text[] = "stack overflow caught on the alternate stack\n";
	write(1, text, sizeof text - 1);
	_exit(0);
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse(int n)
{
	volatile char frame[4096];
	frame[0] = (char)n;
	return recurse(n + 1) + frame[0];
}

static void alternate_stack(void)
{
	stack_t stack = { .ss_sp = alt_stack, .ss_size = 1024 };
	fails("sigaltstack smaller than MINSIGSTKSZ", sigaltstack(&stack, NULL));
	stack.ss_flags = 0x10;
	stack.ss_size = sizeof alt_stack;
	fails("sigaltstack with unknown flags", sigaltstack(&stack, NULL));
	stack.ss_flags = 0;
	ck("sigaltstack", sigaltstack(&stack, NULL));
	on_signal(SIGUSR1, check_stack, SA_ONSTACK);
	raise(SIGUSR1);
	say("SA_ONSTACK handler on the alternate stack: %s, SS_ONSTACK: %s, changing it there: %s",
	    on_alt_stack ? "yes" : "no", onstack_flag ? "yes" : "no", errno_name(hits[0]));
	on_signal(SIGUSR1, check_stack, 0);
	raise(SIGUSR1);
	say("without SA_ONSTACK: on the alternate stack %s", on_alt_stack ? "yes" : "no");
	stack_t now;
	sigaltstack(NULL, &now);
	say("outside the handler: SS_ONSTACK %s", now.ss_flags & SS_ONSTACK ? "yes" : "no");

	pid_t child = fork_or_die();
	if (child == 0) {
		struct rlimit small = { 1 << 20, 1 << 20 };
		setrlimit(RLIMIT_STACK, &small);
		on_signal(SIGSEGV, overflow_caught, SA_ONSTACK);
		recurse(0);
		_exit(1);
	}
	reap("stack overflow child", child);
	stack.ss_flags = SS_DISABLE;
	sigaltstack(&stack, NULL);
	signal(SIGUSR1, SIG_DFL);
}

static sigjmp_buf jump;

static void jump_out(int sig)
{
	siglongjmp(jump, sig);
}

static void long_jumps(void)
{
	on_signal(SIGUSR1, jump_out, 0);
	int sig = sigsetjmp(jump, 1);
	if (sig == 0) raise(SIGUSR1);
	say("siglongjmp out of a handler (savemask 1): came back with %s, SIGUSR1 blocked %s",
	    signal_name(sig), is_blocked(SIGUSR1) ? "yes" : "no");
	sig = sigsetjmp(jump, 0);
	if (sig == 0) raise(SIGUSR1);
	say("siglongjmp (savemask 0): SIGUSR1 blocked %s", is_blocked(SIGUSR1) ? "yes" : "no");
	unblock(SIGUSR1);
	signal(SIGUSR1, SIG_DFL);
}

static void note_cont(int sig)
{
	(void)sig;
	write(pipe_fds[1], "c", 1);
}

static void continue_handler(void)
{
	must("pipe", pipe(pipe_fds));
	struct gate ready;
	gate_init(&ready);
	pid_t child = fork_or_die();
	if (child == 0) {
		on_signal(SIGCONT, note_cont, 0);
		gate_open(&ready);
		for (;;) pause();
	}
	gate_wait(&ready);
	int status;
	kill(child, SIGSTOP);
	waitpid(child, &status, WUNTRACED);
	kill(child, SIGCONT);
	char c = 0;
	read(pipe_fds[0], &c, 1);
	say("SIGCONT handler ran in the continued child: %s", c == 'c' ? "yes" : "no");
	kill(child, SIGKILL);
	reap("  child", child);
	gate_close(&ready);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

int main(void)
{
	begin_test();
	masking();
	across_fork();
	faults();
	nesting();
	interrupted();
	alternate_stack();
	long_jumps();
	continue_handler();
	return 0;
}
