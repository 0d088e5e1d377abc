/* Guest test: writes to both stdout (buffered) and stderr (unbuffered), then returns 3 from main,
 * so the status comes from main's return value and stdout is flushed at exit. */
#include <stdio.h>

int main(void)
{
	printf("stdout line 1\n");
	fprintf(stderr, "error: something went wrong (%d)\n", 42);
	printf("stdout line 2 without newline");
	fputs("warning: second stderr line\n", stderr);
	fprintf(stderr, "partial stderr line");
	return 3;
}
