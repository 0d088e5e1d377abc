/* Guest test: reading and writing files: read, write, pread64, pwrite64, readv, writev, preadv,
 * pwritev, lseek (SEEK_SET/CUR/END/DATA/HOLE), truncate, ftruncate, fallocate (mode 0 and invalid
 * modes), fsync, fdatasync, sync, syncfs and ioctl(FIONREAD), with holes, large sparse offsets
 * and the errors. Works in a scratch folder of the working directory. */
#include "fs-check.h"
#include <sys/ioctl.h>
#include <sys/uio.h>

static char buffer[70000];

/* Prints a byte range as text, with NULs shown as '.' */
static void show_bytes(const char *label, const char *bytes, long n)
{
	printf("%s: %ld [", label, n);
	for (long k = 0; k < n; k++) putchar(bytes[k] ? bytes[k] : '.');
	printf("]\n");
}

static void read_write(void)
{
	int fd = must("open", open("data", O_RDWR | O_CREAT | O_TRUNC, 0644));
	val("write", syscall(SYS_write, fd, "hello world", 11));
	val("offset after write", lseek(fd, 0, SEEK_CUR));
	val("read at end", syscall(SYS_read, fd, buffer, 10));
	lseek(fd, 0, SEEK_SET);
	long n = syscall(SYS_read, fd, buffer, 5);
	show_bytes("read 5", buffer, n);
	n = syscall(SYS_read, fd, buffer, 100);
	show_bytes("read rest", buffer, n);
	val("read 0 bytes", syscall(SYS_read, fd, buffer, 0));
	val("write 0 bytes", syscall(SYS_write, fd, buffer, 0));
	val("read NULL buffer", syscall(SYS_read, fd, NULL, 0));
	lseek(fd, 0, SEEK_SET);
	val("read bad buffer", syscall(SYS_read, fd, (void *)8, 4));
	val("write bad buffer", syscall(SYS_write, fd, (void *)8, 4));
	val("read bad fd", syscall(SYS_read, 999, buffer, 1));
	val("write bad fd", syscall(SYS_write, 999, buffer, 1));
	close(fd);

	fd = must("open rdonly", open("data", O_RDONLY));
	val("write on rdonly", syscall(SYS_write, fd, "x", 1));
	val("pwrite on rdonly", syscall(SYS_pwrite64, fd, "x", 1, 0));
	close(fd);
	fd = must("open wronly", open("data", O_WRONLY));
	val("read on wronly", syscall(SYS_read, fd, buffer, 1));
	val("pread on wronly", syscall(SYS_pread64, fd, buffer, 1, 0));
	close(fd);
	fd = must("open dir", open(".", O_RDONLY | O_DIRECTORY));
	val("read on dir", syscall(SYS_read, fd, buffer, 1));
	val("pread on dir", syscall(SYS_pread64, fd, buffer, 1, 0));
	close(fd);
}

static void positional(void)
{
	int fd = must("open", open("data", O_RDWR));
	lseek(fd, 3, SEEK_SET);
	long n = syscall(SYS_pread64, fd, buffer, 4, 6);
	show_bytes("pread 4 at 6", buffer, n);
	val("offset unchanged by pread", lseek(fd, 0, SEEK_CUR));
	val("pwrite 5 at 6", syscall(SYS_pwrite64, fd, "WORLD", 5, 6));
	val("offset unchanged by pwrite", lseek(fd, 0, SEEK_CUR));
	val("pread past end", syscall(SYS_pread64, fd, buffer, 4, 100));
	val("pread negative offset", syscall(SYS_pread64, fd, buffer, 4, -1L));
	val("pwrite negative offset", syscall(SYS_pwrite64, fd, "x", 1, -1L));
	val("pwrite 1 at 15 (past end)", syscall(SYS_pwrite64, fd, "!", 1, 15));
	n = syscall(SYS_pread64, fd, buffer, 100, 0);
	show_bytes("whole file", buffer, n);
	close(fd);
}

static void vectored(void)
{
	int fd = must("open", open("vec", O_RDWR | O_CREAT | O_TRUNC, 0644));
	struct iovec out[3] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };
	val("writev 3 vectors", syscall(SYS_writev, fd, out, 3));
	val("writev 0 vectors", syscall(SYS_writev, fd, out, 0));
	val("writev 1025 vectors", syscall(SYS_writev, fd, out, 1025));
	val("writev -1 vectors", syscall(SYS_writev, fd, out, -1L));
	struct iovec huge[2] = { { "a", 1 }, { "b", (size_t)-1 } };
	val("writev overflowing length", syscall(SYS_writev, fd, huge, 2));
	val("writev bad iovec pointer", syscall(SYS_writev, fd, (void *)8, 1));
	char a[2], b[4], c[10];
	struct iovec in[3] = { { a, 2 }, { b, 4 }, { c, 10 } };
	lseek(fd, 0, SEEK_SET);
	long n = syscall(SYS_readv, fd, in, 3);
	val("readv", n);
	show_bytes("readv first", a, 2);
	show_bytes("readv second", b, 4);
	show_bytes("readv third", c, n - 6);
	val("readv at end", syscall(SYS_readv, fd, in, 3));

	struct iovec patch[2] = { { "XY", 2 }, { "Z", 1 } };
	val("pwritev at 2", syscall(SYS_pwritev, fd, patch, 2, 2, 0));
	val("offset unchanged by pwritev", lseek(fd, 0, SEEK_CUR));
	memset(a, 0, 2);
	memset(b, 0, 4);
	n = syscall(SYS_preadv, fd, in, 2, 1, 0);
	val("preadv at 1", n);
	show_bytes("preadv first", a, 2);
	show_bytes("preadv second", b, 4);
	val("preadv negative offset", syscall(SYS_preadv, fd, in, 2, -5L, 0));
	val("pwritev past end", syscall(SYS_pwritev, fd, patch, 1, 12, 0));
	n = syscall(SYS_pread64, fd, buffer, 100, 0);
	show_bytes("vec file", buffer, n);
	close(fd);
}

static void seeking(void)
{
	int fd = must("open", open("seek", O_RDWR | O_CREAT | O_TRUNC, 0644));
	write(fd, "0123456789", 10);
	val("seek set 4", lseek(fd, 4, SEEK_SET));
	val("seek cur +2", lseek(fd, 2, SEEK_CUR));
	val("seek cur -6", lseek(fd, -6, SEEK_CUR));
	val("seek cur -1 (before start)", lseek(fd, -1, SEEK_CUR));
	val("offset after failed seek", lseek(fd, 0, SEEK_CUR));
	val("seek end 0", lseek(fd, 0, SEEK_END));
	val("seek end -3", lseek(fd, -3, SEEK_END));
	val("seek end +5", lseek(fd, 5, SEEK_END));
	val("seek set -1", lseek(fd, -1, SEEK_SET));
	val("seek whence 5", lseek(fd, 0, 5));
	val("seek bad fd", lseek(999, 0, SEEK_SET));
	val("seek data 0", lseek(fd, 0, SEEK_DATA));
	val("seek data 9", lseek(fd, 9, SEEK_DATA));
	val("seek data 10 (end)", lseek(fd, 10, SEEK_DATA));
	val("seek data negative", lseek(fd, -1, SEEK_DATA));
	val("seek hole 0", lseek(fd, 0, SEEK_HOLE));
	val("seek hole 9", lseek(fd, 9, SEEK_HOLE));
	val("seek hole 10 (end)", lseek(fd, 10, SEEK_HOLE));
	val("seek hole 50", lseek(fd, 50, SEEK_HOLE));

	/* Holes are optional: a filesystem may report the whole file as data. */
	lseek(fd, 1 << 20, SEEK_SET);
	write(fd, "tail", 4);
	long hole = lseek(fd, 0, SEEK_HOLE);
	yes("sparse: first hole is in the gap or at end",
	    (hole >= 10 && hole <= 65536) || hole == (1 << 20) + 4);
	long data = lseek(fd, 5000, SEEK_DATA);
	yes("sparse: data after 5000 is in the gap or the tail", data >= 5000 && data <= (1 << 20));
	val("sparse: seek data past tail", lseek(fd, (1 << 20) + 4, SEEK_DATA));
	val("sparse: last hole", lseek(fd, (1 << 20) + 1, SEEK_HOLE));
	long n = pread(fd, buffer, 8, (1 << 20) - 4);
	show_bytes("sparse: read across the gap's end", buffer, n);
	struct stat st;
	seen(fstat(fd, &st));
	val("sparse: size", st.st_size);
	yes("sparse: fewer blocks than the size", st.st_blocks * 512 < st.st_size);

	int n_readable = -1;
	lseek(fd, 3, SEEK_SET);
	ck("FIONREAD", ioctl(fd, FIONREAD, &n_readable));
	val("FIONREAD bytes", n_readable);
	lseek(fd, 0, SEEK_END);
	ioctl(fd, FIONREAD, &n_readable);
	val("FIONREAD at end", n_readable);
	close(fd);
}

static void sizes(void)
{
	int fd = must("open", open("size", O_RDWR | O_CREAT | O_TRUNC, 0644));
	write(fd, "0123456789", 10);
	ck("ftruncate shrink to 3", syscall(SYS_ftruncate, fd, 3));
	val("offset after shrink", lseek(fd, 0, SEEK_CUR));
	ck("ftruncate grow to 8", syscall(SYS_ftruncate, fd, 8));
	long n = pread(fd, buffer, 20, 0);
	show_bytes("after shrink and grow", buffer, n);
	ck("truncate path to 2000", syscall(SYS_truncate, "size", 2000));
	n = pread(fd, buffer, 2000, 0);
	int zeros = 1;
	for (long k = 3; k < n; k++) zeros &= buffer[k] == 0;
	val("read after truncate path", n);
	yes("grown part is zeros", zeros);
	ck("ftruncate negative", syscall(SYS_ftruncate, fd, -1L));
	ck("truncate negative", syscall(SYS_truncate, "size", -1L));
	ck("truncate missing", syscall(SYS_truncate, "missing", 0));
	ck("truncate dir", syscall(SYS_truncate, ".", 0));
	ck("truncate bad pointer", syscall(SYS_truncate, (void *)8, 0));
	ck("ftruncate bad fd", syscall(SYS_ftruncate, 999, 0));
	close(fd);
	fd = must("open rdonly", open("size", O_RDONLY));
	ck("ftruncate rdonly", syscall(SYS_ftruncate, fd, 0));
	close(fd);
	fd = must("open dir", open(".", O_RDONLY | O_DIRECTORY));
	ck("ftruncate dir", syscall(SYS_ftruncate, fd, 0));
	close(fd);
	fd = must("open append", open("size", O_WRONLY | O_APPEND));
	ck("ftruncate append fd", syscall(SYS_ftruncate, fd, 1));
	write(fd, "Z", 1);
	close(fd);
	char text[16];
	say("after append truncate: %s", read_file("size", text, sizeof text));

	/* Mode 0 is optional: Linux's ext2 answers EOPNOTSUPP, tmpfs and ext4 allocate. Either
	 * way the outcome must be consistent. */
	fd = must("open", open("alloc", O_RDWR | O_CREAT | O_TRUNC, 0644));
	write(fd, "abc", 3);
	long r = syscall(SYS_fallocate, fd, 0, 0, 5000);
	int refused = r < 0 && errno == EOPNOTSUPP;
	struct stat st;
	seen(fstat(fd, &st));
	n = pread(fd, buffer, 5000, 0);
	zeros = 1;
	for (long k = 3; k < n; k++) zeros &= buffer[k] == 0;
	show_bytes("fallocate kept data", buffer, 3);
	yes("fallocate mode 0 grew the file with zeros, or is EOPNOTSUPP and changed nothing",
	    (r == 0 && st.st_size == 5000 && n == 5000 && zeros) || (refused && st.st_size == 3));
	r = syscall(SYS_fallocate, fd, 0, 1, 2);
	seen(fstat(fd, &st));
	yes("fallocate mode 0 inside the file keeps the size",
	    (r == 0 || (refused && errno == EOPNOTSUPP)) && st.st_size == (refused ? 3 : 5000));
	ck("fallocate len 0", syscall(SYS_fallocate, fd, 0, 0, 0));
	ck("fallocate negative offset", syscall(SYS_fallocate, fd, 0, -1L, 10));
	ck("fallocate punch without keep_size", syscall(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE, 0, 10));
	ck("fallocate unknown mode bit", syscall(SYS_fallocate, fd, 0x800000, 0, 10));
	ck("fallocate bad fd", syscall(SYS_fallocate, 999, 0, 0, 10));
	close(fd);
	fd = must("open rdonly", open("alloc", O_RDONLY));
	ck("fallocate rdonly", syscall(SYS_fallocate, fd, 0, 0, 10));
	close(fd);
}

/* Offsets that need direct, single, double and triple indirect blocks on 1 KiB-block ext2. */
static void far_offsets(void)
{
	static const long offsets[] = { 0, 12 * 1024 - 2, 268 * 1024 - 2, 2 << 20,
					(64 << 20) + 268 * 1024 - 2, 70 << 20 };
	int fd = must("open", open("far", O_RDWR | O_CREAT | O_TRUNC, 0644));
	for (unsigned k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
		char mark[8];
		snprintf(mark, sizeof mark, "<%u>", k);
		if (pwrite(fd, mark, 4, offsets[k]) != 4) say("pwrite far %u: %s", k, errno_name(errno));
	}
	for (unsigned k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
		long n = pread(fd, buffer, 8, offsets[k] - (k ? 2 : 0));
		show_bytes("far read", buffer, n);
	}
	struct stat st;
	seen(fstat(fd, &st));
	val("far size", st.st_size);
	ck("far shrink to 13000", ftruncate(fd, 13000));
	long n = pread(fd, buffer, 8, 12 * 1024 - 2);
	show_bytes("far read after shrink", buffer, n);
	ck("far regrow", ftruncate(fd, 71 << 20));
	n = pread(fd, buffer, 8, 70 << 20);
	show_bytes("far read regrown", buffer, n);
	close(fd);

	/* A block-crossing pattern, written in odd pieces and read back whole. */
	fd = must("open", open("pattern", O_RDWR | O_CREAT | O_TRUNC, 0644));
	for (long k = 0; k < 60000; k++) buffer[k] = (char)('a' + (k * 7 + k / 1000) % 26);
	for (long at = 0; at < 60000;) {
		long piece = 777 + at % 1500;
		if (at + piece > 60000) piece = 60000 - at;
		write(fd, buffer + at, piece);
		at += piece;
	}
	static char back[60000];
	n = pread(fd, back, sizeof back, 0);
	val("pattern read", n);
	yes("pattern matches", n == 60000 && memcmp(buffer, back, 60000) == 0);
	close(fd);
}

static void syncing(void)
{
	int fd = must("open", open("data", O_RDWR));
	ck("fsync", syscall(SYS_fsync, fd));
	ck("fdatasync", syscall(SYS_fdatasync, fd));
	ck("syncfs", syscall(SYS_syncfs, fd));
	ck("sync", syscall(SYS_sync));
	close(fd);
	fd = must("open rdonly", open("data", O_RDONLY));
	ck("fsync rdonly", syscall(SYS_fsync, fd));
	close(fd);
	fd = must("open dir", open(".", O_RDONLY | O_DIRECTORY));
	ck("fsync dir", syscall(SYS_fsync, fd));
	ck("syncfs dir", syscall(SYS_syncfs, fd));
	close(fd);
	ck("fsync bad fd", syscall(SYS_fsync, 999));
	ck("fdatasync bad fd", syscall(SYS_fdatasync, 999));
	ck("syncfs bad fd", syscall(SYS_syncfs, 999));
}

int main(void)
{
	enter_scratch("fs-io.d");
	read_write();
	positional();
	vectored();
	seeking();
	sizes();
	far_offsets();
	syncing();
	leave_scratch("fs-io.d");
	return 0;
}
