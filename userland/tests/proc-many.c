/* Guest test: many processes at once. 1,000 children are forked; each reports that it started
 * and then blocks reading a shared pipe, so all 1,000 are alive together (kill(pid, 0) finds every
 * one); then one byte per child releases them, each exits with a code derived from its index, and
 * all are reaped. Then a chain of 100 nested processes, each waiting for the next. */
#include "proc-check.h"

#define CHILDREN 1000
#define DEPTH 100

static void thousand(void)
{
	int started[2], release[2];
	must("pipe", pipe(started));
	must("pipe", pipe(release));
	static pid_t pids[CHILDREN];
	int forked = 0;
	for (int k = 0; k < CHILDREN; k++) {
		pid_t pid = fork();
		if (pid < 0) {
			say("fork %d failed: %s", k, errno_name(errno));
			break;
		}
		if (pid == 0) {
			close(started[0]);
			close(release[1]);
			write(started[1], "s", 1);
			char c;
			ssize_t n = read(release[0], &c, 1);
			_exit(n == 1 ? k % 251 : 255);
		}
		pids[forked++] = pid;
	}
	close(started[1]);
	close(release[0]);
	say("forked: %d", forked);
	static char marks[CHILDREN];
	say("children that reported starting: %zu", read_full(started[0], marks, forked));
	int alive = 0;
	for (int k = 0; k < forked; k++) alive += kill(pids[k], 0) == 0;
	say("alive at once: %d", alive);
	int distinct = 1;
	for (int k = 1; k < forked && distinct; k++)
		for (int j = 0; j < k; j++)
			if (pids[j] == pids[k]) {
				distinct = 0;
				break;
			}
	yes("pids distinct", distinct);
	int status;
	say("WNOHANG while all wait: %ld", (long)waitpid(-1, &status, WNOHANG));

	memset(marks, 'r', sizeof marks);
	write_full(release[1], marks, forked);
	close(release[1]);
	int reaped = 0, matching = 0;
	long code_sum = 0;
	for (;;) {
		pid_t pid = wait(&status);
		if (pid < 0) break;
		reaped++;
		if (!WIFEXITED(status)) continue;
		code_sum += WEXITSTATUS(status);
		for (int k = 0; k < forked; k++)
			if (pids[k] == pid) {
				matching += WEXITSTATUS(status) == k % 251;
				break;
			}
	}
	say("reaped: %d, exit codes matching their child: %d, sum %ld", reaped, matching, code_sum);
	say("then wait: %s", errno_name(errno));
	close(started[0]);
}

/* Each level forks the next and exits with its child's code + 1 (mod 256). */
static int nest(int level)
{
	if (level == DEPTH) return 0;
	pid_t pid = fork();
	if (pid < 0) return 200;
	if (pid == 0) _exit(nest(level + 1));
	int status = wait_for(pid);
	return WIFEXITED(status) ? (WEXITSTATUS(status) + 1) & 255 : 250;
}

int main(void)
{
	begin_test();
	thousand();
	say("chain of %d nested processes: %d", DEPTH, nest(0));
	return 0;
}
