/* Guest test: stores through a null pointer after flushing some output, so the process is killed
 * by SIGSEGV (a shell reports status 139); nothing after the store may appear. */
#include <stdio.h>

int main(void)
{
	printf("before the null store\n");
	fflush(stdout);
	fputs("stderr before the null store\n", stderr);
	volatile int *volatile nowhere = NULL;
	*nowhere = 42;
	printf("after the null store (must not appear)\n");
	return 0;
}
