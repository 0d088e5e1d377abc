/* Guest test: fork and copy-on-write. After fork, parent and child each see only their own
 * writes to globals, the heap, the stack and a big malloc; MAP_SHARED|MAP_ANONYMOUS memory is
 * shared both ways; MAP_PRIVATE anonymous and file mappings are copied on write (the file stays
 * untouched) while MAP_SHARED file mappings reach the file; read-only pages stay read-only in the
 * child; open file descriptions (offsets) are shared; vfork runs the child first on the parent's
 * memory until _exit or execve; fork chains nest. */
#include "proc-check.h"
#include <sys/mman.h>

#define BIG_SIZE (16u << 20)
#define PAGE 4096u

static int global_value = 1;
static int global_zeroed;
static volatile int vfork_trace[4];
static volatile int vfork_steps;

static unsigned checksum(const unsigned char *p, size_t n)
{
	unsigned sum = 0;
	for (size_t k = 0; k < n; k += 64) sum = sum * 31 + p[k];
	return sum;
}

static void private_memory(void)
{
	volatile int stack_value = 1;
	int *heap_value = malloc(sizeof *heap_value);
	unsigned char *big = malloc(BIG_SIZE);
	if (!heap_value || !big) {
		say("setup failed: malloc");
		exit(1);
	}
	*heap_value = 1;
	for (size_t k = 0; k < BIG_SIZE; k += 64) big[k] = (unsigned char)(k >> 6);
	unsigned before = checksum(big, BIG_SIZE);

	struct gate parent_wrote, child_checked;
	gate_init(&parent_wrote);
	gate_init(&child_checked);
	pid_t child = fork_or_die();
	if (child == 0) {
		/* The parent writes first: the child must still see the values of fork time. */
		gate_wait(&parent_wrote);
		int unchanged = global_value == 1 && global_zeroed == 0 && stack_value == 1 &&
				*heap_value == 1 && checksum(big, BIG_SIZE) == before;
		yes("child sees fork-time values after parent writes", unchanged);
		global_value = 20;
		global_zeroed = 21;
		stack_value = 22;
		*heap_value = 23;
		for (size_t k = 0; k < BIG_SIZE; k += PAGE) big[k] ^= 0xff;
		int own = global_value == 20 && global_zeroed == 21 && stack_value == 22 &&
			  *heap_value == 23 && checksum(big, BIG_SIZE) != before;
		yes("child sees its own writes", own);
		gate_open(&child_checked);
		_exit(0);
	}
	global_value = 10;
	global_zeroed = 11;
	stack_value = 12;
	*heap_value = 13;
	big[PAGE * 7] = 0x5a;
	gate_open(&parent_wrote);
	gate_wait(&child_checked);
	reap("child", child);
	yes("parent global kept", global_value == 10 && global_zeroed == 11);
	yes("parent stack kept", stack_value == 12);
	yes("parent heap kept", *heap_value == 13);
	big[PAGE * 7] = (unsigned char)((PAGE * 7) >> 6);
	yes("parent big malloc kept", checksum(big, BIG_SIZE) == before);
	gate_close(&parent_wrote);
	gate_close(&child_checked);
	free(big);
	free(heap_value);
}

static void shared_anonymous(void)
{
	volatile int *shared = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
				    -1, 0);
	volatile int *private = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED || private == MAP_FAILED) {
		say("setup failed: mmap");
		exit(1);
	}
	shared[0] = 1;
	private[0] = 1;
	struct gate parent_wrote, child_wrote;
	gate_init(&parent_wrote);
	gate_init(&child_wrote);
	pid_t child = fork_or_die();
	if (child == 0) {
		shared[1] = 42;
		private[1] = 42;
		gate_open(&child_wrote);
		gate_wait(&parent_wrote);
		yes("child sees parent's write to MAP_SHARED", shared[2] == 43);
		yes("child sees parent's write to MAP_PRIVATE", private[2] == 43);
		_exit(0);
	}
	gate_wait(&child_wrote);
	yes("parent sees child's write to MAP_SHARED", shared[1] == 42);
	yes("parent sees child's write to MAP_PRIVATE", private[1] == 42);
	shared[2] = 43;
	private[2] = 43;
	gate_open(&parent_wrote);
	reap("shared-memory child", child);

	/* Four processes add to one shared counter with atomic instructions. */
	volatile long *counter = (volatile long *)(shared + 64);
	*counter = 0;
	pid_t adders[4];
	for (int k = 0; k < 4; k++) {
		adders[k] = fork_or_die();
		if (adders[k] == 0) {
			for (int n = 0; n < 5000; n++) __atomic_fetch_add(counter, 1, __ATOMIC_SEQ_CST);
			_exit(0);
		}
	}
	for (int k = 0; k < 4; k++) wait_for(adders[k]);
	say("shared counter after 4 x 5000 atomic adds: %ld", *counter);
	munmap((void *)shared, PAGE);
	munmap((void *)private, PAGE);
	gate_close(&parent_wrote);
	gate_close(&child_wrote);
}

static void file_mappings(void)
{
	const char *path = temp_path("mapped");
	int fd = must("create mapped file", open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
	char page[PAGE];
	memset(page, 'A', sizeof page);
	write_full(fd, page, sizeof page);
	memset(page, 'B', sizeof page);
	write_full(fd, page, sizeof page);
	char *private = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *shared = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (private == MAP_FAILED || shared == MAP_FAILED) {
		say("setup failed: mmap file");
		exit(1);
	}
	private[0] = 'p'; /* page 0 becomes the parent's private copy before fork */
	pid_t child = fork_or_die();
	if (child == 0) {
		yes("child inherits parent's private copy", private[0] == 'p');
		private[1] = 'c';
		private[0] = 'q';
		private[PAGE] = 'c';
		shared[2] = 'S';
		shared[PAGE + 2] = 'T';
		_exit(0);
	}
	reap("file-mapping child", child);
	yes("parent MAP_PRIVATE unchanged by child", private[0] == 'p' && private[1] == 'A' &&
							   private[PAGE] == 'B');
	yes("parent MAP_SHARED sees child's writes", shared[2] == 'S' && shared[PAGE + 2] == 'T');
	char file[4] = { 0 };
	pread(fd, file, 3, 0);
	say("file bytes 0-2 after child: %.3s", file);
	pread(fd, file, 3, PAGE);
	say("file bytes 4096-4098 after child: %.3s", file);
	say("parent's copied private page sees the shared write: %s", private[2] == 'S' ? "yes" : "no");
	say("parent's uncopied private page sees the shared write: %s",
	    private[PAGE + 2] == 'T' ? "yes" : "no");
	munmap(private, 2 * PAGE);
	munmap(shared, 2 * PAGE);
	close(fd);
}

static void read_only_pages(void)
{
	char *page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	page[0] = 'r';
	mprotect(page, PAGE, PROT_READ);
	pid_t child = fork_or_die();
	if (child == 0) {
		*(volatile char *)page = 'w';
		_exit(0);
	}
	reap("child writing a PROT_READ page", child);
	say("read-only page in parent: %c", page[0]);
	munmap(page, PAGE);
}

static void shared_offsets(void)
{
	int fd = must("open offsets file", open(temp_path("offsets"), O_RDWR | O_CREAT | O_TRUNC,
						     0644));
	write_full(fd, "0123456789", 10);
	lseek(fd, 2, SEEK_SET);
	pid_t child = fork_or_die();
	if (child == 0) {
		char c;
		read(fd, &c, 1);
		_exit(c);
	}
	int status = wait_for(child);
	say("child read byte: %c", WEXITSTATUS(status));
	say("parent offset after child's read: %ld", (long)lseek(fd, 0, SEEK_CUR));
	close(fd);
}

static void fork_identity(void)
{
	int report[2];
	must("pipe", pipe(report));
	pid_t parent = getpid();
	pid_t child = fork_or_die();
	if (child == 0) {
		pid_t facts[2] = { getpid(), getppid() };
		write_full(report[1], facts, sizeof facts);
		_exit(0);
	}
	pid_t facts[2];
	read_full(report[0], facts, sizeof facts);
	reap("identity child", child);
	yes("fork returned the child's pid", facts[0] == child);
	yes("child's getppid is the parent", facts[1] == parent);
	yes("child pid differs from parent", child != parent);
	close(report[0]);
	close(report[1]);
}

static void vfork_order(void)
{
	volatile int shared_with_child = 0;
	vfork_steps = 0;
	pid_t child = vfork();
	if (child < 0) {
		say("vfork: %s", errno_name(errno));
		return;
	}
	if (child == 0) {
		vfork_trace[vfork_steps++] = 1;
		shared_with_child = 77;
		_exit(5);
	}
	vfork_trace[vfork_steps++] = 2;
	say("vfork order: %s then %s", vfork_trace[0] == 1 ? "child" : "parent",
	    vfork_trace[1] == 2 ? "parent" : "child");
	say("vfork child's write seen by parent: %d", shared_with_child);
	reap("vfork child", child);

	/* vfork + execve: the parent resumes once the child has a new image. */
	char self[256];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0) {
		say("readlink /proc/self/exe: %s", errno_name(errno));
		return;
	}
	self[n] = 0;
	vfork_steps = 0;
	child = vfork();
	if (child == 0) {
		vfork_trace[vfork_steps++] = 1;
		char *argv[] = { "proc-fork", "exit-with", "9", NULL };
		char *envp[] = { NULL };
		execve(self, argv, envp);
		_exit(127);
	}
	say("vfork+exec child ran before parent resumed: %s",
	    vfork_steps == 1 && vfork_trace[0] == 1 ? "yes" : "no");
	reap("vfork+exec child", child);
}

/* Each level forks the next and exits with the sum of the levels below it plus its own. */
static int chain(int level)
{
	if (level == 0) return 0;
	pid_t child = fork_or_die();
	if (child == 0) _exit(chain(level - 1));
	int status = wait_for(child);
	return level + WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "exit-with")) return atoi(argv[2]);
	begin_test();
	make_temp();
	private_memory();
	shared_anonymous();
	file_mappings();
	read_only_pages();
	shared_offsets();
	fork_identity();
	vfork_order();
	say("fork chain of 10 levels: %d", chain(10));
	static const char *const files[] = { "mapped", "offsets", NULL };
	remove_temp(files);
	return 0;
}
