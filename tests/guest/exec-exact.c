/* Native side of the guest golden tests (built by tests/guest/build.ts into a temporary folder,
 * never committed): runs a program with exactly the argv and envp given and no core dump, and
 * exits with the status a shell would report: the exit code, or 128 + N when the program was
 * killed by signal N.
 * usage: exec-exact PATH ARGC ARG0 ARG1 ... ENV0 ENV1 ... */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: exec-exact PATH ARGC ARG0 ARG... ENV...\n");
		return 125;
	}
	int count = atoi(argv[2]);
	if (count < 1 || count > argc - 3) {
		fprintf(stderr, "exec-exact: bad argument count %s\n", argv[2]);
		return 125;
	}
	int env_count = argc - 3 - count;
	char **child_argv = calloc((size_t)count + 1, sizeof *child_argv);
	char **child_envp = calloc((size_t)env_count + 1, sizeof *child_envp);
	if (!child_argv || !child_envp) return 125;
	memcpy(child_argv, argv + 3, (size_t)count * sizeof *child_argv);
	memcpy(child_envp, argv + 3 + count, (size_t)env_count * sizeof *child_envp);

	pid_t child = fork();
	if (child < 0) {
		perror("exec-exact: fork");
		return 125;
	}
	if (child == 0) {
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		execve(argv[1], child_argv, child_envp);
		fprintf(stderr, "exec-exact: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("exec-exact: waitpid");
			return 125;
		}
	}
	if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
