/* Guest test: names and links: link, linkat, symlink, symlinkat, readlink, readlinkat, unlink,
 * unlinkat, rename, renameat, renameat2 (NOREPLACE, EXCHANGE), ELOOP after 40 links, O_NOFOLLOW
 * and trailing-slash rules, with link counts and inode equality. Works in a scratch folder of
 * the working directory. */
#include "fs-check.h"

#define RENAME_NOREPLACE 1
#define RENAME_EXCHANGE 2

static struct stat st;

static long nlink_of(const char *path)
{
	return lstat(path, &st) == 0 ? (long)st.st_nlink : -1;
}

static ino_t ino_of(const char *path)
{
	return lstat(path, &st) == 0 ? st.st_ino : 0;
}

static long renameat2(int olddir, const char *from, int newdir, const char *to, unsigned flags)
{
	return syscall(SYS_renameat2, olddir, from, newdir, to, flags);
}

static void hard_links(void)
{
	write_file("a", "A");
	mkdir("dir", 0755);
	val("nlink before", nlink_of("a"));
	ck("link a b", syscall(SYS_link, "a", "b"));
	val("nlink after link", nlink_of("a"));
	yes("same inode", ino_of("a") == ino_of("b"));
	ck("link a dir/c", syscall(SYS_link, "a", "dir/c"));
	val("nlink after second link", nlink_of("b"));
	ck("link onto existing", syscall(SYS_link, "a", "b"));
	ck("link missing source", syscall(SYS_link, "missing", "x"));
	ck("link dir", syscall(SYS_link, "dir", "dir2"));
	ck("link into missing dir", syscall(SYS_link, "a", "missing/x"));
	ck("link through file", syscall(SYS_link, "a", "b/x"));
	ck("link trailing slash target", syscall(SYS_link, "a", "new/"));
	ck("link trailing slash source", syscall(SYS_link, "a/", "new"));
	ck("unlink b", syscall(SYS_unlink, "b"));
	val("nlink after unlink", nlink_of("a"));
	char text[16];
	say("dir/c content %s", read_file("dir/c", text, sizeof text));

	int dir = must("open dir", open("dir", O_RDONLY | O_DIRECTORY));
	ck("linkat relative to dirfd", syscall(SYS_linkat, dir, "c", AT_FDCWD, "d", 0));
	yes("linkat made d", ino_of("d") == ino_of("a"));
	symlink("a", "sym");
	ck("linkat symlink nofollow", syscall(SYS_linkat, AT_FDCWD, "sym", AT_FDCWD, "sym-hard", 0));
	seen(lstat("sym-hard", &st));
	yes("hard link to symlink is a symlink", S_ISLNK(st.st_mode));
	val("symlink nlink", nlink_of("sym"));
	ck("linkat symlink follow", syscall(SYS_linkat, AT_FDCWD, "sym", AT_FDCWD, "sym-follow", AT_SYMLINK_FOLLOW));
	yes("followed link is the file", ino_of("sym-follow") == ino_of("a"));
	ck("linkat bad flags", syscall(SYS_linkat, AT_FDCWD, "a", AT_FDCWD, "e", 0x1));
	int fd = must("open a", open("a", O_RDONLY));
	ck("linkat empty path", syscall(SYS_linkat, fd, "", AT_FDCWD, "from-fd", AT_EMPTY_PATH));
	yes("empty-path link is the file", ino_of("from-fd") == ino_of("a"));
	ck("linkat empty path without flag", syscall(SYS_linkat, fd, "", AT_FDCWD, "from-fd2", 0));
	close(fd);
	ck("linkat bad dirfd", syscall(SYS_linkat, 999, "a", AT_FDCWD, "e", 0));
	val("nlink at end", nlink_of("a"));
	close(dir);
}

static void symlinks(void)
{
	char target[64];
	ck("symlink", syscall(SYS_symlink, "a", "s1"));
	ck("symlink existing name", syscall(SYS_symlink, "x", "s1"));
	ck("symlink empty target", syscall(SYS_symlink, "", "s-empty"));
	ck("symlink missing dir", syscall(SYS_symlink, "a", "missing/s"));
	ck("symlink dangling", syscall(SYS_symlink, "nowhere", "s-dangling"));
	ck("symlink trailing slash", syscall(SYS_symlink, "a", "s-slash/"));
	seen(lstat("s1", &st));
	say("lstat symlink: link %d size %ld", S_ISLNK(st.st_mode), (long)st.st_size);
	seen(stat("s1", &st));
	say("stat symlink: reg %d size %ld", S_ISREG(st.st_mode), (long)st.st_size);
	memset(target, 0, sizeof target);
	val("readlink", syscall(SYS_readlink, "s-dangling", target, sizeof target));
	say("readlink target %s", target);
	memset(target, 0, sizeof target);
	val("readlink truncated", syscall(SYS_readlink, "s-dangling", target, 3));
	say("readlink truncated target %s", target);
	val("readlink size 0", syscall(SYS_readlink, "s1", target, 0));
	val("readlink size -1", syscall(SYS_readlink, "s1", target, -1L));
	val("readlink regular file", syscall(SYS_readlink, "a", target, sizeof target));
	val("readlink dir", syscall(SYS_readlink, "dir", target, sizeof target));
	val("readlink missing", syscall(SYS_readlink, "missing", target, sizeof target));
	val("readlink trailing slash", syscall(SYS_readlink, "s1/", target, sizeof target));
	val("readlink bad buffer", syscall(SYS_readlink, "s1", (void *)8, 10));
	int dir = must("open dir", open("dir", O_RDONLY | O_DIRECTORY));
	ck("symlinkat", syscall(SYS_symlinkat, "../a", dir, "up"));
	memset(target, 0, sizeof target);
	val("readlinkat", syscall(SYS_readlinkat, dir, "up", target, sizeof target));
	say("readlinkat target %s", target);
	char text[16];
	say("through dir/up: %s", read_file("dir/up", text, sizeof text));
	close(dir);

	/* A target too long to sit in the inode (ext2: 60 bytes) but within one 1 KiB block (the
	 * most Linux's ext2 stores there); 4096 bytes is more than any path may be. */
	static char long_target[5000];
	memset(long_target, 'x', 1000);
	ck("symlink 1000-byte target", syscall(SYS_symlink, long_target, "s-long"));
	static char back[5000];
	val("readlink 1000-byte target", syscall(SYS_readlink, "s-long", back, sizeof back));
	yes("long target intact", memcmp(back, long_target, 1000) == 0);
	memset(long_target, 'x', 4096);
	ck("symlink 4096-byte target", syscall(SYS_symlink, long_target, "s-toolong"));
	unlink("s-long");

	/* Chains: s-chain-N needs N links followed. */
	char name[32], next[32];
	for (int k = 1; k <= 41; k++) {
		snprintf(name, sizeof name, "chain-%d", k);
		if (k == 1) snprintf(next, sizeof next, "a");
		else snprintf(next, sizeof next, "chain-%d", k - 1);
		must("symlink chain", symlink(next, name));
	}
	long fd = syscall(SYS_open, "chain-40", O_RDONLY);
	ck("open through 40 links", fd);
	if (fd >= 0) close(fd);
	ck("open through 41 links", syscall(SYS_open, "chain-41", O_RDONLY));
	ck("stat through 41 links", syscall(SYS_stat, "chain-41", &st));
	ck("lstat of 41st link", syscall(SYS_lstat, "chain-41", &st));
	symlink("loop", "loop");
	ck("open self loop", syscall(SYS_open, "loop", O_RDONLY));
	ck("creat through self loop", syscall(SYS_open, "loop", O_RDWR | O_CREAT, 0644));
	symlink("ping", "pong");
	symlink("pong", "ping");
	ck("stat ping-pong", syscall(SYS_stat, "ping", &st));
	ck("stat ping-pong/child", syscall(SYS_stat, "ping/x", &st));
	ck("open nofollow symlink", syscall(SYS_open, "s1", O_RDONLY | O_NOFOLLOW));
	ck("open nofollow loop", syscall(SYS_open, "loop", O_RDONLY | O_NOFOLLOW));
	fd = syscall(SYS_open, "s1", O_PATH | O_NOFOLLOW);
	ck("open path nofollow symlink", fd);
	if (fd >= 0) close(fd);
	symlink("dir", "dir-link");
	seen(lstat("dir-link", &st));
	yes("lstat dir-link is link", S_ISLNK(st.st_mode));
	seen(lstat("dir-link/", &st));
	yes("lstat dir-link/ is dir", S_ISDIR(st.st_mode));
	ck("lstat s1/", syscall(SYS_lstat, "s1/", &st));
	ck("unlink dir-link/", syscall(SYS_unlink, "dir-link/"));
	ck("rmdir dir-link", syscall(SYS_rmdir, "dir-link"));
	ck("unlink dir-link", syscall(SYS_unlink, "dir-link"));
	ck("stat dangling", syscall(SYS_stat, "s-dangling", &st));
	ck("lstat dangling", syscall(SYS_lstat, "s-dangling", &st));
	symlink("/", "root-link");
	ck("absolute symlink resolves", syscall(SYS_stat, "root-link/.", &st));
	ck("unlink symlink", syscall(SYS_unlink, "s1"));
	yes("target survives", access("a", F_OK) == 0);
}

static void renames(void)
{
	char text[32];
	write_file("r1", "one");
	write_file("r2", "two");
	ino_t r1 = ino_of("r1");
	ck("rename r1 r3", syscall(SYS_rename, "r1", "r3"));
	yes("r3 is old r1", ino_of("r3") == r1);
	ck("r1 gone", syscall(SYS_lstat, "r1", &st));
	ck("rename over existing file", syscall(SYS_rename, "r3", "r2"));
	say("r2 content %s", read_file("r2", text, sizeof text));
	ck("rename missing", syscall(SYS_rename, "missing", "x"));
	ck("rename into missing dir", syscall(SYS_rename, "r2", "missing/x"));
	ck("rename to itself", syscall(SYS_rename, "r2", "r2"));
	link("r2", "r2-link");
	ck("rename between hard links", syscall(SYS_rename, "r2", "r2-link"));
	yes("both hard links remain", access("r2", F_OK) == 0 && access("r2-link", F_OK) == 0);
	unlink("r2-link");
	ck("rename file trailing slash", syscall(SYS_rename, "r2", "r4/"));
	ck("rename file/ source", syscall(SYS_rename, "r2/", "r4"));

	mkdir("d1", 0755);
	mkdir("d2", 0755);
	mkdir("full", 0755);
	write_file("full/x", "x");
	mkdir("d1/sub", 0755);
	ck("rename dir over empty dir", syscall(SYS_rename, "d2", "d3"));
	mkdir("d2", 0755);
	ck("rename dir over empty dir d3", syscall(SYS_rename, "d2", "d3"));
	ck("rename dir over non-empty dir", syscall(SYS_rename, "d3", "full"));
	ck("rename dir into own child", syscall(SYS_rename, "d1", "d1/sub/inner"));
	ck("rename dir onto own child", syscall(SYS_rename, "d1", "d1/sub"));
	ck("rename dir to itself", syscall(SYS_rename, "d1", "d1"));
	ck("rename child onto parent", syscall(SYS_rename, "d1/sub", "d1"));
	ck("rename file over dir", syscall(SYS_rename, "r2", "d3"));
	ck("rename dir over file", syscall(SYS_rename, "d3", "r2"));
	ck("rename dir with trailing slashes", syscall(SYS_rename, "d3/", "d4/"));
	ck("rename dot", syscall(SYS_rename, ".", "x"));
	ck("rename dotdot", syscall(SYS_rename, "..", "x"));
	ck("rename onto dot", syscall(SYS_rename, "d4", "."));
	val("parent nlink before moving a dir", nlink_of("d1"));
	ck("move dir into another", syscall(SYS_rename, "d4", "d1/d4"));
	val("new parent nlink after", nlink_of("d1"));
	seen(lstat("d1/d4/..", &st));
	yes("moved dir's .. is new parent", st.st_ino == ino_of("d1"));

	int d1 = must("open d1", open("d1", O_RDONLY | O_DIRECTORY));
	ck("renameat across dirfds", syscall(SYS_renameat, d1, "d4", AT_FDCWD, "d5"));
	ck("renameat bad dirfd", syscall(SYS_renameat, 999, "x", AT_FDCWD, "y"));

	write_file("n1", "first");
	write_file("n2", "second");
	ck("noreplace existing", renameat2(AT_FDCWD, "n1", AT_FDCWD, "n2", RENAME_NOREPLACE));
	ck("noreplace new", renameat2(AT_FDCWD, "n1", AT_FDCWD, "n3", RENAME_NOREPLACE));
	ck("exchange files", renameat2(AT_FDCWD, "n2", AT_FDCWD, "n3", RENAME_EXCHANGE));
	say("after exchange n2=%s", read_file("n2", text, sizeof text));
	say("after exchange n3=%s", read_file("n3", text, sizeof text));
	ck("exchange with missing", renameat2(AT_FDCWD, "n2", AT_FDCWD, "n9", RENAME_EXCHANGE));
	ck("exchange|noreplace", renameat2(AT_FDCWD, "n2", AT_FDCWD, "n3", RENAME_EXCHANGE | RENAME_NOREPLACE));
	ck("renameat2 unknown flag", renameat2(AT_FDCWD, "n2", AT_FDCWD, "n3", 0x100));
	ck("exchange file and dir", renameat2(AT_FDCWD, "n2", AT_FDCWD, "d5", RENAME_EXCHANGE));
	seen(lstat("n2", &st));
	yes("n2 is now the dir", S_ISDIR(st.st_mode));
	say("d5 now holds %s", read_file("d5", text, sizeof text));
	ck("exchange dir with own child", renameat2(AT_FDCWD, "d1", AT_FDCWD, "d1/sub", RENAME_EXCHANGE));
	ck("noreplace dir over empty dir", renameat2(AT_FDCWD, "n2", AT_FDCWD, "d5", RENAME_NOREPLACE));
	ck("renameat2 flags 0", renameat2(d1, "sub", AT_FDCWD, "sub-moved", 0));
	list_dir("d1 after", "d1");
	close(d1);
}

static void unlinks(void)
{
	ck("unlink missing", syscall(SYS_unlink, "missing"));
	ck("unlink dir", syscall(SYS_unlink, "d1"));
	ck("unlink file/", syscall(SYS_unlink, "a/"));
	ck("unlink through file", syscall(SYS_unlink, "a/x"));
	ck("unlink empty", syscall(SYS_unlink, ""));
	ck("unlinkat removedir on file", syscall(SYS_unlinkat, AT_FDCWD, "a", AT_REMOVEDIR));
	ck("unlinkat removedir", syscall(SYS_unlinkat, AT_FDCWD, "sub-moved", AT_REMOVEDIR));
	ck("unlinkat bad flags", syscall(SYS_unlinkat, AT_FDCWD, "a", 0x1));
	int dir = must("open dir", open("dir", O_RDONLY | O_DIRECTORY));
	ck("unlinkat relative to dirfd", syscall(SYS_unlinkat, dir, "c", 0));
	ck("unlinkat removedir on dot", syscall(SYS_unlinkat, dir, ".", AT_REMOVEDIR));
	close(dir);
	int fd = must("open a", open("a", O_RDWR));
	ck("unlink open file", syscall(SYS_unlink, "a"));
	ck("unlink d", syscall(SYS_unlink, "d"));
	ck("unlink sym-follow", syscall(SYS_unlink, "sym-follow"));
	ck("unlink from-fd", syscall(SYS_unlink, "from-fd"));
	seen(fstat(fd, &st));
	val("open file nlink after unlinks", st.st_nlink);
	val("write to unlinked file", write(fd, "still", 5));
	char text[16] = { 0 };
	val("pread unlinked file", pread(fd, text, 15, 0));
	say("unlinked file still readable: %s", text);
	close(fd);
	list_dir("scratch at end", ".");
}

int main(void)
{
	enter_scratch("fs-names.d");
	hard_links();
	symlinks();
	renames();
	unlinks();
	leave_scratch("fs-names.d");
	return 0;
}
