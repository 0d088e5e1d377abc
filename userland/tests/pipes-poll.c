/* Guest test: pipe, poll, select, epoll and eventfd semantics within one process, printed one
 * fact per line for comparison with native Linux: the page ring behind a pipe's capacity, packet
 * mode, pipe sizes, fstat and /proc/self/fd names of pipes, eventfds and epoll fds, poll bits and
 * POLLNVAL, select's fd sets and EBADF (through the raw syscall, so the timeval written back is
 * seen), epoll_ctl's errors, level/edge/one-shot reporting order, nesting and its loop limit, items
 * that outlive their fd, eventfd limits and semaphores, and a FIFO opened by one process. Nothing
 * printed depends on inode numbers, pids, addresses or timing. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

static const char *err(long r)
{
	if (r >= 0) return "ok";
	switch (errno) {
	case EAGAIN: return "EAGAIN";
	case EBADF: return "EBADF";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case EINVAL: return "EINVAL";
	case ELOOP: return "ELOOP";
	case ENOENT: return "ENOENT";
	case ENXIO: return "ENXIO";
	case EPERM: return "EPERM";
	case EPIPE: return "EPIPE";
	case ESPIPE: return "ESPIPE";
	default: return "other";
	}
}

/* A result and, when it failed, its errno name. */
static void show(const char *what, long r)
{
	if (r < 0) printf("%s: -1 %s\n", what, err(r));
	else printf("%s: %ld\n", what, r);
}

static char big[1 << 17];

/* Write `chunk`-byte pieces to a non-blocking fd until EAGAIN; the bytes taken. */
static long fill(int fd, size_t chunk)
{
	long total = 0, n;
	while ((n = write(fd, big, chunk)) > 0) total += n;
	return total;
}

static void capacity(void)
{
	int p[2];
	pipe2(p, O_NONBLOCK);
	show("1-byte writes fill", fill(p[1], 1));
	close(p[0]);
	close(p[1]);
	pipe2(p, O_NONBLOCK);
	write(p[1], big, 100);
	show("100 bytes, then 4096-byte writes fill", 100 + fill(p[1], 4096));
	show("10 more bytes", write(p[1], big, 10));
	int n = 0;
	ioctl(p[0], FIONREAD, &n);
	printf("FIONREAD: %d\n", n);
	close(p[0]);
	close(p[1]);
	pipe2(p, O_NONBLOCK);
	show("3000-byte writes fill", fill(p[1], 3000));
	show("96 bytes merge into the last page", write(p[1], big, 96));
	show("F_SETPIPE_SZ 4096 while full", fcntl(p[1], F_SETPIPE_SZ, 4096));
	close(p[0]);
	close(p[1]);
	pipe2(p, O_NONBLOCK);
	show("one 70000-byte non-blocking write", write(p[1], big, 70000));
	show("F_SETPIPE_SZ 5000 on an empty pipe", fcntl(p[0], F_SETPIPE_SZ, 5000));
	close(p[0]);
	close(p[1]);
	pipe(p);
	show("F_SETPIPE_SZ 5000", fcntl(p[0], F_SETPIPE_SZ, 5000));
	show("F_GETPIPE_SZ of the other end", fcntl(p[1], F_GETPIPE_SZ));
	show("F_SETPIPE_SZ 0", fcntl(p[0], F_SETPIPE_SZ, 0));
	show("F_SETPIPE_SZ 2^31+1", fcntl(p[0], F_SETPIPE_SZ, (1u << 31) + 1));
	close(p[0]);
	close(p[1]);
}

static void packets(void)
{
	int p[2];
	pipe2(p, O_DIRECT);
	printf("O_DIRECT: read end %s, write end %s\n",
	       fcntl(p[0], F_GETFL) & O_DIRECT ? "set" : "clear",
	       fcntl(p[1], F_GETFL) & O_DIRECT ? "set" : "clear");
	write(p[1], "hello", 5);
	write(p[1], "packets", 7);
	char buf[64];
	show("packet read of 64", read(p[0], buf, sizeof buf));
	show("packet read of 3", read(p[0], buf, 3));
	int n = -1;
	ioctl(p[0], FIONREAD, &n);
	printf("FIONREAD after a short packet read: %d\n", n);
	close(p[0]);
	close(p[1]);
}

static void describe(const char *what, int fd)
{
	struct stat st;
	char link[64] = "", path[32];
	fstat(fd, &st);
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof link - 1);
	if (n > 0) link[n] = 0;
	if (strncmp(link, "pipe:[", 6) == 0) strcpy(link, "pipe:[...]");
	printf("%s: mode %o, links %lu, size %ld, blksize %ld, F_GETFL %o, %s\n", what, st.st_mode,
	       (unsigned long)st.st_nlink, (long)st.st_size, (long)st.st_blksize, fcntl(fd, F_GETFL),
	       link);
}

static void identities(void)
{
	int p[2];
	pipe2(p, O_NONBLOCK);
	describe("pipe read end", p[0]);
	describe("pipe write end", p[1]);
	struct stat a, b;
	fstat(p[0], &a);
	fstat(p[1], &b);
	printf("both ends one inode: %s\n", a.st_ino == b.st_ino ? "yes" : "no");
	int e = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
	describe("eventfd", e);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	describe("epoll", ep);
	show("lseek on a pipe", lseek(p[0], 0, SEEK_CUR));
	show("lseek on an eventfd", lseek(e, 0, SEEK_CUR));
	show("lseek on an epoll fd", lseek(ep, 0, SEEK_CUR));
	char buf[8];
	show("read of an epoll fd", read(ep, buf, 8));
	show("pread of an eventfd", pread(e, buf, 8, 0));
	close(p[0]);
	close(p[1]);
	close(e);
	close(ep);
}

static void polling(void)
{
	int p[2], q[2];
	pipe2(p, O_NONBLOCK);
	pipe(q);
	fill(p[1], 4096);
	int e = eventfd(3, 0);
	int ep = epoll_create1(0);
	struct pollfd fds[6] = {
		{ p[0], POLLIN | POLLOUT, 0 }, { p[1], POLLIN | POLLOUT, 0 }, { e, 0xffff, 0 },
		{ ep, 0xffff, 0 }, { 99, POLLIN, 0 }, { -1, POLLIN, 0 },
	};
	int n = poll(fds, 6, 0);
	printf("poll: %d ready:", n);
	for (int i = 0; i < 6; i++) printf(" %x", fds[i].revents);
	printf("\n");
	write(q[1], "x", 1);
	close(q[1]);
	struct pollfd hup = { q[0], POLLIN, 0 };
	n = poll(&hup, 1, 0);
	printf("read end, no writer: %d %x\n", n, hup.revents);
	close(p[0]);
	struct pollfd errfd = { p[1], 0, 0 };
	n = poll(&errfd, 1, 0);
	printf("write end, no reader, no events asked: %d %x\n", n, errfd.revents);
	signal(SIGPIPE, SIG_IGN);
	show("write without a reader", write(p[1], "x", 1));
	show("empty write without a reader", write(p[1], "x", 0));
	close(p[1]);
	close(q[0]);
	close(e);
	close(ep);
}

static void selecting(void)
{
	int p[2];
	pipe(p);
	write(p[1], "abc", 3);
	fd_set in, out;
	FD_ZERO(&in);
	FD_ZERO(&out);
	FD_SET(p[0], &in);
	FD_SET(p[1], &in);
	FD_SET(p[0], &out);
	FD_SET(p[1], &out);
	struct timeval tv = { 0, 200000 };
	long n = syscall(SYS_select, p[1] + 1, &in, &out, NULL, &tv);
	printf("select: %ld, readable %d%d, writable %d%d, time left written back: %s\n", n,
	       FD_ISSET(p[0], &in), FD_ISSET(p[1], &in), FD_ISSET(p[0], &out),
	       FD_ISSET(p[1], &out), tv.tv_sec == 0 && tv.tv_usec > 0 && tv.tv_usec <= 200000 ? "yes" : "no");
	int closed = dup(p[0]);
	close(closed);
	FD_ZERO(&in);
	FD_SET(closed, &in);
	tv.tv_sec = 3;
	tv.tv_usec = 0;
	n = syscall(SYS_select, closed + 1, &in, NULL, NULL, &tv);
	printf("select on a closed fd: %s, time left still written: %s\n", err(n),
	       tv.tv_sec == 2 && tv.tv_usec > 900000 ? "yes" : "no");
	tv.tv_sec = 0;
	tv.tv_usec = 1500000;
	FD_ZERO(&in);
	FD_SET(p[0], &in);
	n = syscall(SYS_select, p[0] + 1, &in, NULL, NULL, &tv);
	printf("select with 1500000 microseconds: %ld\n", n);
	tv.tv_sec = -1;
	show("select with a negative timeout", syscall(SYS_select, 1, NULL, NULL, NULL, &tv));
	show("select with n = -1", syscall(SYS_select, -1, NULL, NULL, NULL, NULL));
	char buf[8];
	read(p[0], buf, 3);
	struct timespec ts = { 0, 1000000 };
	FD_ZERO(&in);
	FD_SET(p[0], &in);
	n = pselect(p[0] + 1, &in, NULL, NULL, &ts, NULL);
	printf("pselect on an empty pipe: %ld, still set: %d\n", n, FD_ISSET(p[0], &in));
	close(p[0]);
	close(p[1]);
}

static void ctl_errors(void)
{
	int ep = epoll_create1(0);
	int e = eventfd(0, 0);
	int file = open("/proc/self/status", O_RDONLY);
	struct epoll_event ev = { EPOLLIN, { .u64 = 1 } };
	show("epoll_create 0", syscall(SYS_epoll_create, 0));
	show("epoll_create1 with bad flags", epoll_create1(1));
	show("epoll_ctl on a bad epfd", epoll_ctl(99, EPOLL_CTL_ADD, e, &ev));
	show("epoll_ctl of a bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev));
	show("epoll_ctl of a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev));
	show("epoll_ctl through a non-epoll fd", epoll_ctl(e, EPOLL_CTL_ADD, ep, &ev));
	show("epoll_ctl of itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
	show("epoll_ctl with op 9", epoll_ctl(ep, 9, e, &ev));
	show("EPOLL_CTL_MOD before ADD", epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev));
	show("EPOLL_CTL_DEL before ADD", epoll_ctl(ep, EPOLL_CTL_DEL, e, NULL));
	show("EPOLL_CTL_ADD", epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
	show("EPOLL_CTL_ADD again", epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	show("EPOLL_CTL_MOD with EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev));
	int ep2 = epoll_create1(0);
	show("EPOLLEXCLUSIVE on an epoll fd", epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev));
	ev.events |= EPOLLPRI;
	show("EPOLLEXCLUSIVE with EPOLLPRI", epoll_ctl(ep2, EPOLL_CTL_ADD, e, &ev));
	ev.events = EPOLLIN;
	show("epoll in epoll", epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &ev));
	show("and back (a loop)", epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev));
	struct epoll_event out[2];
	show("epoll_wait with maxevents 0", epoll_wait(ep, out, 0, 0));
	show("epoll_wait on an eventfd", epoll_wait(e, out, 1, 0));
	int chain[7];
	for (int i = 0; i < 7; i++) chain[i] = epoll_create1(0);
	printf("nesting chain:");
	for (int i = 1; i < 7; i++) printf(" %s", err(epoll_ctl(chain[i], EPOLL_CTL_ADD, chain[i - 1], &ev)));
	printf("\n");
	for (int i = 0; i < 7; i++) close(chain[i]);
	close(ep2);
	close(ep);
	close(e);
	close(file);
}

static void report(const char *what, int ep, int max)
{
	struct epoll_event out[8];
	int n = epoll_wait(ep, out, max, 0);
	printf("%s: %d", what, n);
	for (int i = 0; i < n; i++) printf(" [%x %lu]", out[i].events, (unsigned long)out[i].data.u64);
	printf("\n");
}

static void epolling(void)
{
	uint64_t one = 1;
	int ep = epoll_create1(0);
	int p[2];
	pipe(p);
	int e = eventfd(0, 0);
	struct epoll_event ev = { EPOLLIN, { .u64 = 1 } };
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	ev.data.u64 = 2;
	epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
	report("nothing ready", ep, 8);
	write(e, &one, 8);
	write(p[1], "ab", 2);
	report("both ready, eventfd first", ep, 8);
	report("level-triggered again", ep, 8);
	report("maxevents 1", ep, 1);
	report("maxevents 1 again", ep, 1);
	char buf[8];
	read(p[0], buf, sizeof buf);
	report("pipe drained", ep, 8);
	close(p[1]);
	report("writer closed", ep, 8);
	close(p[0]);
	close(e);

	pipe(p);
	e = eventfd(5, 0);
	ev.events = EPOLLIN | EPOLLET;
	ev.data.u64 = 1;
	epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
	ev.events = EPOLLIN | EPOLLONESHOT;
	ev.data.u64 = 2;
	epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev);
	report("one-shot", ep, 8);
	report("one-shot again", ep, 8);
	write(p[1], "x", 1);
	report("edge after a write", ep, 8);
	report("edge again", ep, 8);
	write(p[1], "x", 1);
	report("edge after another write", ep, 8);
	ev.data.u64 = 3;
	epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev);
	report("one-shot re-armed", ep, 8);
	ev.events = EPOLLOUT;
	ev.data.u64 = 4;
	epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev);
	report("modified to EPOLLOUT", ep, 8);
	int copy = dup(e);
	close(e);
	report("fd closed, file still open", ep, 8);
	show("EPOLL_CTL_DEL of the closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, e, NULL));
	close(copy);
	report("last reference closed", ep, 8);
	close(p[0]);
	close(p[1]);
	close(ep);

	int inner = epoll_create1(0), outer = epoll_create1(0);
	e = eventfd(0, 0);
	ev.events = EPOLLIN;
	ev.data.u64 = 1;
	epoll_ctl(inner, EPOLL_CTL_ADD, e, &ev);
	ev.data.u64 = 2;
	epoll_ctl(outer, EPOLL_CTL_ADD, inner, &ev);
	report("nested, nothing yet", outer, 8);
	write(e, &one, 8);
	report("nested, inner ready", outer, 8);
	struct pollfd pfd = { inner, POLLIN, 0 };
	int n = poll(&pfd, 1, 0);
	printf("poll on the inner epoll fd: %d %x\n", n, pfd.revents);
	report("inner", inner, 8);
	close(inner);
	report("inner closed", outer, 8);
	close(outer);
	close(e);
}

static void eventfds(void)
{
	uint64_t v = 0;
	int e = eventfd(0, EFD_NONBLOCK);
	show("eventfd2 with bad flags", eventfd(0, 2));
	show("read of 4 bytes", read(e, &v, 4));
	show("write of 7 bytes", write(e, &v, 7));
	show("read at 0", read(e, &v, 8));
	v = UINT64_MAX;
	show("write of 2^64-1", write(e, &v, 8));
	v = UINT64_MAX - 1;
	show("write of 2^64-2", write(e, &v, 8));
	struct pollfd pfd = { e, 0xffff, 0 };
	poll(&pfd, 1, 0);
	printf("full counter: revents %x\n", pfd.revents);
	v = 1;
	show("write of 1 more", write(e, &v, 8));
	uint64_t pair[2] = { 0, 0 };
	show("read of 16 bytes", read(e, pair, 16));
	printf("value read: %s\n", pair[0] == UINT64_MAX - 1 ? "2^64-2" : "other");
	pair[0] = 2;
	pair[1] = 1000;
	show("write of 16 bytes", write(e, pair, 16));
	show("write of 8 bytes", write(e, pair, 8));
	read(e, &v, 8);
	printf("value read: %lu\n", (unsigned long)v);
	close(e);
	e = eventfd(3, EFD_NONBLOCK | EFD_SEMAPHORE);
	printf("semaphore:");
	for (int i = 0; i < 4; i++) {
		long r = read(e, &v, 8);
		if (r < 0) printf(" %s", err(r));
		else printf(" %lu", (unsigned long)v);
	}
	printf("\n");
	close(e);
}

static void fifo(void)
{
	char dir[] = "/tmp/pipes-poll-XXXXXX";
	if (!mkdtemp(dir)) return;
	char path[64];
	snprintf(path, sizeof path, "%s/fifo", dir);
	show("mkfifo", mkfifo(path, 0640));
	show("O_WRONLY|O_NONBLOCK without a reader", open(path, O_WRONLY | O_NONBLOCK));
	int r = open(path, O_RDONLY | O_NONBLOCK);
	struct pollfd pfd = { r, POLLIN, 0 };
	int n = poll(&pfd, 1, 0);
	printf("reader before any writer: %d %x\n", n, pfd.revents);
	char buf[16];
	show("read before any writer", read(r, buf, sizeof buf));
	int w = open(path, O_WRONLY | O_NONBLOCK);
	show("write", write(w, "fifo!", 5));
	struct stat st;
	fstat(w, &st);
	printf("fstat: mode %o, size %ld\n", st.st_mode, (long)st.st_size);
	show("F_GETPIPE_SZ", fcntl(w, F_GETPIPE_SZ));
	close(w);
	n = poll(&pfd, 1, 0);
	printf("reader after the writer closed: %d %x\n", n, pfd.revents);
	show("read", read(r, buf, sizeof buf));
	show("read at the end", read(r, buf, sizeof buf));
	int rw = open(path, O_RDWR);
	show("O_RDWR open", rw >= 0 ? 0 : -1);
	close(r);
	close(rw);
	show("O_ACCMODE 3", open(path, O_RDWR | O_WRONLY | O_RDONLY | 3));
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	capacity();
	packets();
	identities();
	polling();
	selecting();
	ctl_errors();
	epolling();
	eventfds();
	fifo();
	return 0;
}
