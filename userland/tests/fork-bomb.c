/*
 * A fork bomb: every process forks again as fast as it can, forever, and touches a little
 * memory so that exhaustion comes quickly. It never ends by itself; the test that runs it
 * (tests/kernel/fork_bomb_test.ts) stops the machine from outside and checks that only the
 * guest suffered. With "count" it instead reports how fork first failed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static char scratch[64 * 1024];
	if (argc > 1 && strcmp(argv[1], "count") == 0) {
		for (;;) {
			pid_t child = fork();
			if (child < 0) {
				printf("fork failed: %s\n", strerror(errno));
				fflush(stdout);
				return 0;
			}
			if (child == 0) {
				scratch[getpid() % sizeof scratch] = 1;
				pause();
				_exit(0);
			}
		}
	}
	for (;;) {
		if (fork() == 0) scratch[getpid() % sizeof scratch] = 1;
	}
}
