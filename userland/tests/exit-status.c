/* Guest test: exits with the status given as argv[1] (through exit(), so the kernel must keep
 * only the low 8 bits: 256 -> 0, -1 -> 255) after flushing a line of stdout. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s STATUS\n", argv[0]);
		return 2;
	}
	int status = atoi(argv[1]);
	printf("exiting with %d\n", status);
	exit(status);
}
