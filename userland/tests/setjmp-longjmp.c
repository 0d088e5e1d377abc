/* Guest test: setjmp/longjmp across nested calls, longjmp(…, 0) returning 1, volatile locals
 * surviving the jump, repeated jumps to one buffer, and sigsetjmp/siglongjmp with and without
 * saving the signal mask (which makes musl call rt_sigprocmask). */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static jmp_buf outer, inner;
static sigjmp_buf with_mask;
static int depth_reached;

static void recurse(int depth, int target)
{
	volatile char frame_padding[64];
	frame_padding[depth % 64] = (char)depth;
	depth_reached = frame_padding[depth % 64];
	if (depth == target) longjmp(outer, depth * 10);
	if (depth < 100) recurse(depth + 1, target);
}

static void change_mask(int how, const sigset_t *set, sigset_t *old)
{
	if (sigprocmask(how, set, old) != 0) printf("sigprocmask failed: %s\n", strerror(errno));
}

static void jump_back(jmp_buf buffer, int value)
{
	longjmp(buffer, value);
}

int main(void)
{
	for (volatile int target = 0; target < 5; target++) {
		int value = setjmp(outer);
		if (value == 0) recurse(0, target * 7);
		else printf("target %d: setjmp returned %d, depth %d\n", target * 7, value, depth_reached);
	}

	volatile int counter = 0;
	int value = setjmp(inner);
	counter++;
	if (counter < 5) jump_back(inner, counter);
	printf("repeated jumps: counter %d, last value %d\n", counter, value);

	if ((value = setjmp(inner)) == 0) jump_back(inner, 0);
	printf("longjmp with 0 makes setjmp return %d\n", value);

	volatile double accumulated = 1.5;
	if ((value = setjmp(outer)) == 0) {
		accumulated *= 4;
		jump_back(outer, -7);
	}
	printf("volatile double %g after jump, value %d\n", accumulated, value);

	sigset_t blocked;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGUSR1);
	if ((value = sigsetjmp(with_mask, 1)) == 0) {
		change_mask(SIG_BLOCK, &blocked, NULL);
		siglongjmp(with_mask, 2);
	}
	sigset_t now;
	change_mask(SIG_BLOCK, NULL, &now);
	printf("sigsetjmp(…, 1) returned %d, SIGUSR1 blocked after jump: %d\n", value,
	       sigismember(&now, SIGUSR1));

	if ((value = sigsetjmp(with_mask, 0)) == 0) {
		change_mask(SIG_BLOCK, &blocked, NULL);
		siglongjmp(with_mask, 3);
	}
	change_mask(SIG_BLOCK, NULL, &now);
	printf("sigsetjmp(…, 0) returned %d, SIGUSR1 blocked after jump: %d\n", value,
	       sigismember(&now, SIGUSR1));
	return 0;
}
