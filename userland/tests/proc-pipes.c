/* Guest test: pipes, FIFOs, eventfd and readiness across processes. A pipe holds 65536 bytes
 * (F_GETPIPE_SZ) and then says EAGAIN with O_NONBLOCK; F_SETPIPE_SZ; FIONREAD; end of file once
 * every writer (in every process) is closed; EPIPE/SIGPIPE without readers; a write bigger than
 * the pipe completes as a reader drains it; PIPE_BUF writes from two processes never interleave;
 * poll and epoll (level, edge, one-shot) see data, hang-ups and errors from other processes; a
 * FIFO's open blocks until both ends exist; eventfd counts and semaphores across fork. */
#include "proc-check.h"
#include <limits.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>

#define MESSAGE PIPE_BUF
#define MESSAGES 200

/* Writes `chunk`-byte pieces into a non-blocking pipe until EAGAIN; returns the total. */
static long fill(int fd, size_t chunk)
{
	static char bytes[65536];
	long total = 0;
	for (;;) {
		ssize_t n = write(fd, bytes, chunk);
		if (n < 0) {
			if (errno != EAGAIN) say("fill: %s", errno_name(errno));
			return total;
		}
		total += n;
	}
}

/* Reads everything queued (without blocking). */
static void drain(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	char bytes[4096];
	while (read(fd, bytes, sizeof bytes) > 0) {}
	fcntl(fd, F_SETFL, flags);
}

static void capacity(void)
{
	int p[2];
	must("pipe2", pipe2(p, O_NONBLOCK));
	val("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
	say("filled with 4096-byte writes: %ld", fill(p[1], 4096));
	fails("one more byte", write(p[1], "x", 1));
	int queued = -1;
	ioctl(p[0], FIONREAD, &queued);
	say("FIONREAD: %d", queued);
	char bytes[4096];
	val("read 4096", read(p[0], bytes, sizeof bytes));
	val("write 4096 again", write(p[1], bytes, sizeof bytes));
	drain(p[0]);
	fails("read of an empty pipe", read(p[0], bytes, 1));
	say("filled with 512-byte writes: %ld", fill(p[1], 512));
	drain(p[0]);
	say("filled with 1-byte writes: %ld", fill(p[1], 1));
	drain(p[0]);
	val("F_SETPIPE_SZ 10000", fcntl(p[1], F_SETPIPE_SZ, 10000));
	val("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
	say("filled: %ld", fill(p[1], 4096));
	fails("F_SETPIPE_SZ 4096 while holding 16384 bytes", fcntl(p[1], F_SETPIPE_SZ, 4096));
	drain(p[0]);
	val("F_SETPIPE_SZ 1 (rounds up to a page)", fcntl(p[1], F_SETPIPE_SZ, 1));
	say("filled: %ld", fill(p[1], 1));
	val("F_SETPIPE_SZ 1048576", fcntl(p[1], F_SETPIPE_SZ, 1048576));
	drain(p[0]);
	say("filled: %ld", fill(p[1], 65536));
	int null = must("open /dev/null", open("/dev/null", O_RDONLY));
	fails("F_GETPIPE_SZ of /dev/null", fcntl(null, F_GETPIPE_SZ));
	close(null);
	close(p[0]);
	close(p[1]);
}

static void ends(void)
{
	int p[2];
	must("pipe", pipe(p));
	pid_t child = fork_or_die();
	if (child == 0) {
		close(p[0]);
		write_full(p[1], "from child", 10);
		_exit(0);
	}
	close(p[1]);
	char buffer[32];
	size_t n = read_full(p[0], buffer, sizeof buffer);
	say("read until end of file: %zu bytes '%.*s'", n, (int)n, buffer);
	reap("writer child", child);
	close(p[0]);

	/* With a writer still open in a child, the reader does not see end of file. */
	must("pipe", pipe(p));
	struct gate release;
	gate_init(&release);
	child = fork_or_die();
	if (child == 0) {
		close(p[0]);
		gate_wait(&release);
		_exit(0); /* closes the last write end */
	}
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	fails("read while a child holds the write end", read(p[0], buffer, 1));
	fcntl(p[0], F_SETFL, 0);
	gate_open(&release);
	val("read after the child exited", read(p[0], buffer, 1));
	reap("holder child", child);
	close(p[0]);
	gate_close(&release);

	must("pipe", pipe(p));
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	fails("write without readers, SIGPIPE ignored", write(p[1], "x", 1));
	signal(SIGPIPE, SIG_DFL);
	close(p[1]);
}

/* A pipe seen through /proc/self/fd: "pipe:[inode]" links that open the same pipe again. */
static void proc_fd_links(void)
{
	int p[2];
	must("pipe", pipe(p));
	char path[64], read_link[64] = "", write_link[64] = "";
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	ssize_t n = readlink(path, read_link, sizeof read_link - 1);
	read_link[n < 0 ? 0 : n] = 0;
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	n = readlink(path, write_link, sizeof write_link - 1);
	write_link[n < 0 ? 0 : n] = 0;
	yes("/proc/self/fd link of a pipe reads pipe:[...]", !strncmp(read_link, "pipe:[", 6));
	yes("both ends name the same pipe", read_link[0] && !strcmp(read_link, write_link));
	struct stat read_end, write_end;
	fstat(p[0], &read_end);
	fstat(p[1], &write_end);
	yes("fstat: a FIFO, one inode for both ends",
	    S_ISFIFO(read_end.st_mode) && read_end.st_ino == write_end.st_ino);
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	int writer = open(path, O_WRONLY);
	ck("open the write end through /proc/self/fd", writer);
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
	int reader = open(path, O_RDONLY);
	ck("open the read end through /proc/self/fd", reader);
	if (writer >= 0) write(writer, "abc", 3);
	char got[8] = "";
	if (reader >= 0) {
		n = read(reader, got, sizeof got - 1);
		got[n < 0 ? 0 : n] = 0;
	}
	say("written through one reopened end, read through the other: '%s'", got);
	close(writer);
	close(reader);
	close(p[0]);
	close(p[1]);
}

static void big_write(void)
{
	int p[2];
	must("pipe", pipe(p));
	size_t size = 1 << 20;
	pid_t child = fork_or_die();
	if (child == 0) {
		close(p[0]);
		unsigned char *bytes = malloc(size);
		for (size_t k = 0; k < size; k++) bytes[k] = (unsigned char)(k * 7 + (k >> 12));
		ssize_t n = write(p[1], bytes, size);
		_exit(n == (ssize_t)size ? 0 : 1);
	}
	close(p[1]);
	unsigned char *got = malloc(size + 1);
	size_t n = read_full(p[0], got, size + 1);
	int same = n == size;
	for (size_t k = 0; same && k < size; k++) same = got[k] == (unsigned char)(k * 7 + (k >> 12));
	say("one write of 1 MiB read back: %zu bytes, intact: %s", n, same ? "yes" : "no");
	reap("writer", child);
	free(got);
	close(p[0]);
}

/* Two processes write MESSAGES messages of PIPE_BUF bytes each; none may be torn. */
static void atomic_writes(void)
{
	int p[2];
	must("pipe", pipe(p));
	pid_t writers[2];
	for (int w = 0; w < 2; w++) {
		writers[w] = fork_or_die();
		if (writers[w] == 0) {
			close(p[0]);
			char message[MESSAGE];
			memset(message, 'A' + w, sizeof message);
			for (int k = 0; k < MESSAGES; k++) {
				if (write(p[1], message, sizeof message) != MESSAGE) _exit(1);
			}
			_exit(0);
		}
	}
	close(p[1]);
	static char message[MESSAGE];
	int counts[2] = { 0, 0 }, torn = 0;
	for (;;) {
		size_t n = read_full(p[0], message, sizeof message);
		if (n == 0) break;
		int uniform = n == MESSAGE;
		for (size_t k = 1; uniform && k < n; k++) uniform = message[k] == message[0];
		if (!uniform || (message[0] != 'A' && message[0] != 'B')) torn++;
		else counts[message[0] - 'A']++;
	}
	say("PIPE_BUF (%d) messages: A %d, B %d, torn %d", PIPE_BUF, counts[0], counts[1], torn);
	reap("writer A", writers[0]);
	reap("writer B", writers[1]);
	close(p[0]);
}

static const char *events_text(int revents)
{
	static char texts[2][64];
	static int next;
	char *text = texts[next++ % 2];
	text[0] = 0;
	if (revents & POLLIN) strcat(text, "IN ");
	if (revents & POLLOUT) strcat(text, "OUT ");
	if (revents & POLLHUP) strcat(text, "HUP ");
	if (revents & POLLERR) strcat(text, "ERR ");
	if (revents & POLLNVAL) strcat(text, "NVAL ");
	size_t n = strlen(text);
	if (n) text[n - 1] = 0;
	else strcpy(text, "none");
	return text;
}

static void polling(void)
{
	int p[2];
	must("pipe", pipe(p));
	struct pollfd fds[2] = { { .fd = p[0], .events = POLLIN }, { .fd = p[1], .events = POLLOUT } };
	int n = poll(fds, 2, 0);
	say("empty pipe: %d ready, read end %s, write end %s", n, events_text(fds[0].revents),
	    events_text(fds[1].revents));

	/* A child writes after we started waiting. */
	struct gate waiting;
	gate_init(&waiting);
	pid_t child = fork_or_die();
	if (child == 0) {
		gate_wait(&waiting);
		write(p[1], "hello", 5);
		_exit(0);
	}
	gate_open(&waiting);
	n = poll(fds, 1, -1);
	say("poll until the child writes: %d ready, read end %s", n, events_text(fds[0].revents));
	reap("  child", child);
	gate_close(&waiting);

	fcntl(p[1], F_SETFL, O_NONBLOCK);
	fill(p[1], 4096);
	n = poll(fds, 2, 0);
	say("full pipe: read end %s, write end %s", events_text(fds[0].revents),
	    events_text(fds[1].revents));
	drain(p[0]);
	close(p[1]);
	n = poll(fds, 1, 0);
	say("write end closed: read end %s", events_text(fds[0].revents));
	close(p[0]);

	must("pipe", pipe(p));
	write(p[1], "z", 1);
	close(p[1]);
	n = poll(fds, 1, 0);
	say("data and the write end closed: read end %s", events_text(fds[0].revents));
	close(p[0]);

	must("pipe", pipe(p));
	close(p[0]);
	fds[1].fd = p[1];
	n = poll(&fds[1], 1, 0);
	say("read end closed: write end %s", events_text(fds[1].revents));
	close(p[1]);
	n = poll(&fds[1], 1, 0);
	say("a closed fd: %d ready, %s", n, events_text(fds[1].revents));
	struct pollfd negative = { .fd = -1, .events = POLLIN, .revents = 77 };
	n = poll(&negative, 1, 0);
	say("fd -1: %d ready, revents %d", n, negative.revents);
}

static volatile int usr1_hits;

static void count_usr1(int sig)
{
	(void)sig;
	usr1_hits++;
}

/* select, and the calls that swap in a signal mask while they wait: a SIGUSR1 blocked outside
 * them is delivered inside (EINTR), exactly once. */
static void selecting(void)
{
	int p[2];
	must("pipe", pipe(p));
	fd_set readable, writable;
	FD_ZERO(&readable);
	FD_ZERO(&writable);
	FD_SET(p[0], &readable);
	FD_SET(p[1], &writable);
	struct timeval zero = { 0, 0 };
	int n = select(p[1] + 1, &readable, &writable, NULL, &zero);
	say("select on an empty pipe: %d ready, read end %s, write end %s", n,
	    FD_ISSET(p[0], &readable) ? "set" : "clear", FD_ISSET(p[1], &writable) ? "set" : "clear");
	struct gate waiting;
	gate_init(&waiting);
	pid_t child = fork_or_die();
	if (child == 0) {
		gate_wait(&waiting);
		write(p[1], "x", 1);
		_exit(0);
	}
	gate_open(&waiting);
	FD_ZERO(&readable);
	FD_SET(p[0], &readable);
	struct timeval long_wait = { 30, 0 };
	n = select(p[0] + 1, &readable, NULL, NULL, &long_wait);
	say("select until the child writes: %d ready, read end %s, timeout left over 20 s: %s", n,
	    FD_ISSET(p[0], &readable) ? "set" : "clear", long_wait.tv_sec >= 20 ? "yes" : "no");
	reap("  child", child);
	gate_close(&waiting);
	int closed = dup(p[0]);
	close(closed);
	FD_ZERO(&readable);
	FD_SET(closed, &readable);
	fails("select on a closed fd", select(closed + 1, &readable, NULL, NULL, &zero));

	on_signal(SIGUSR1, count_usr1, 0);
	sigset_t usr1, none;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	char c;
	read(p[0], &c, 1);
	struct timespec long_spec = { 30, 0 };
	pid_t parent = getpid();
	for (int call = 0; call < 3; call++) {
		usr1_hits = 0;
		child = fork_or_die();
		if (child == 0) {
			kill(parent, SIGUSR1);
			_exit(0);
		}
		reap("  signalling child", child);
		const char *name;
		if (call == 0) {
			name = "pselect";
			FD_ZERO(&readable);
			FD_SET(p[0], &readable);
			n = pselect(p[0] + 1, &readable, NULL, NULL, &long_spec, &none);
		} else if (call == 1) {
			name = "ppoll";
			struct pollfd pfd = { .fd = p[0], .events = POLLIN };
			n = ppoll(&pfd, 1, &long_spec, &none);
		} else {
			name = "epoll_pwait";
			int ep = epoll_create1(0);
			struct epoll_event event = { .events = EPOLLIN };
			epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &event);
			n = epoll_pwait(ep, &event, 1, 30000, &none);
			close(ep);
		}
		const char *result = n < 0 ? errno_name(errno) : "returned";
		sigset_t after;
		sigprocmask(SIG_BLOCK, NULL, &after);
		say("%s with SIGUSR1 unblocked inside: %s, handler ran %d, blocked again after: %s",
		    name, result, usr1_hits, sigismember(&after, SIGUSR1) ? "yes" : "no");
	}
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

static int compare_ints(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void epolling(void)
{
	int ep = must("epoll_create1", epoll_create1(EPOLL_CLOEXEC));
	int readers[3];
	pid_t children[3];
	struct gate go;
	gate_init(&go);
	for (int k = 0; k < 3; k++) {
		int p[2];
		must("pipe", pipe(p));
		children[k] = fork_or_die();
		if (children[k] == 0) {
			close(p[0]);
			gate_wait(&go);
			char id = (char)('0' + k);
			write(p[1], &id, 1);
			_exit(0);
		}
		close(p[1]);
		readers[k] = p[0];
		struct epoll_event event = { .events = EPOLLIN, .data.u32 = (uint32_t)k };
		must("epoll_ctl", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &event));
	}
	struct epoll_event events[8];
	say("epoll before any child wrote: %d", epoll_wait(ep, events, 8, 0));
	for (int k = 0; k < 3; k++) gate_open(&go);
	/* Collect "k:IN" and "k:HUP" facts until every pipe has hung up. */
	int facts[16], count = 0, hung = 0;
	while (hung < 3) {
		int n = epoll_wait(ep, events, 8, -1);
		for (int e = 0; e < n; e++) {
			int k = (int)events[e].data.u32;
			if (events[e].events & EPOLLIN) {
				char c;
				if (read(readers[k], &c, 1) == 1) facts[count++] = k * 10 + 1;
			}
			if (events[e].events & EPOLLHUP) {
				char c;
				if (read(readers[k], &c, 1) == 0) {
					facts[count++] = k * 10 + 2;
					epoll_ctl(ep, EPOLL_CTL_DEL, readers[k], NULL);
					hung++;
				}
			}
		}
	}
	qsort(facts, count, sizeof facts[0], compare_ints);
	char line[128];
	int at = 0;
	for (int k = 0; k < count; k++)
		at += snprintf(line + at, sizeof line - at, " %d:%s", facts[k] / 10,
			       facts[k] % 10 == 1 ? "data" : "hangup");
	say("epoll over three children's pipes:%s", line);
	for (int k = 0; k < 3; k++) {
		reap("  child", children[k]);
		close(readers[k]);
	}
	gate_close(&go);

	int p[2];
	must("pipe", pipe(p));
	struct epoll_event event = { .events = EPOLLIN | EPOLLET, .data.u32 = 7 };
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &event);
	write(p[1], "a", 1);
	int first = epoll_wait(ep, events, 8, 0);
	int second = epoll_wait(ep, events, 8, 0);
	say("edge-triggered: after a write %d, again without reading %d", first, second);
	write(p[1], "b", 1);
	say("edge-triggered: after another write %d", epoll_wait(ep, events, 8, 0));
	event.events = EPOLLIN;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &event);
	first = epoll_wait(ep, events, 8, 0);
	second = epoll_wait(ep, events, 8, 0);
	say("level-triggered: %d, again %d", first, second);
	event.events = EPOLLIN | EPOLLONESHOT;
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &event);
	first = epoll_wait(ep, events, 8, 0);
	second = epoll_wait(ep, events, 8, 0);
	say("one-shot: %d, again %d", first, second);
	epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &event);
	first = epoll_wait(ep, events, 8, 0);
	say("one-shot re-armed: %d, data %u", first, events[0].data.u32);
	fails("EPOLL_CTL_ADD twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &event));
	fails("EPOLL_CTL_MOD of an fd not added", epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &event));
	fails("adding the epoll fd to itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &event));
	event.events = EPOLLOUT;
	epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &event);
	close(p[0]);
	int n = epoll_wait(ep, events, 8, 0);
	say("write end after the read end closed: %d event(s), ERR %s", n,
	    n == 1 && events[0].events & EPOLLERR ? "yes" : "no");
	close(p[1]);
	say("closed fds leave the set: %d", epoll_wait(ep, events, 8, 0));
	close(ep);
}

static void fifos(void)
{
	const char *path = temp_path("fifo");
	must("mkfifo", mkfifo(path, 0600));
	fails("non-blocking open for writing without a reader", open(path, O_WRONLY | O_NONBLOCK));
	int reader = open(path, O_RDONLY | O_NONBLOCK);
	ck("non-blocking open for reading", reader);
	close(reader);
	pid_t child = fork_or_die();
	if (child == 0) {
		int fd = open(path, O_WRONLY); /* blocks until we open for reading */
		write(fd, "through the fifo", 16);
		_exit(fd < 0);
	}
	reader = must("open fifo", open(path, O_RDONLY));
	char buffer[32];
	size_t n = read_full(reader, buffer, sizeof buffer);
	say("fifo between processes: '%.*s'", (int)n, buffer);
	reap("  writer", child);
	close(reader);
	struct stat st;
	stat(path, &st);
	say("fifo type: %s, size %ld", S_ISFIFO(st.st_mode) ? "FIFO" : "other", (long)st.st_size);
	unlink(path);
}

static void eventfds(void)
{
	int fd = must("eventfd", eventfd(0, 0));
	pid_t child = fork_or_die();
	if (child == 0) {
		uint64_t add = 5;
		write(fd, &add, sizeof add);
		add = 7;
		write(fd, &add, sizeof add);
		_exit(0);
	}
	reap("eventfd writer", child);
	uint64_t value = 0;
	read(fd, &value, sizeof value);
	say("eventfd read after a child added 5 and 7: %llu", (unsigned long long)value);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	fails("eventfd read at zero", read(fd, &value, sizeof value));
	close(fd);

	fd = must("eventfd", eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK));
	int reads = 0;
	while (read(fd, &value, sizeof value) == sizeof value && value == 1) reads++;
	say("semaphore eventfd of 3: %d reads of 1", reads);
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };
	poll(&pfd, 1, 0);
	say("empty eventfd polls: %s", events_text(pfd.revents));
	value = 0xfffffffffffffffeull;
	write(fd, &value, sizeof value);
	poll(&pfd, 1, 0);
	say("eventfd at the maximum polls: %s", events_text(pfd.revents));
	value = 1;
	fails("adding to a full eventfd", write(fd, &value, sizeof value));
	close(fd);
}

int main(void)
{
	begin_test();
	make_temp();
	capacity();
	ends();
	proc_fd_links();
	big_write();
	atomic_writes();
	polling();
	selecting();
	epolling();
	fifos();
	eventfds();
	static const char *const files[] = { "fifo", NULL };
	remove_temp(files);
	return 0;
}
