/* Guest test: echoes argc, every argv entry and every environment entry it was given (through
 * both envp and environ), each quoted with non-printable bytes escaped, and getenv lookups. */
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

static void print_quoted(const char *text)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p == '"' || *p == '\\') printf("\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f) printf("\\x%02x", *p);
		else putchar(*p);
	}
	putchar('"');
}

int main(int argc, char **argv, char **envp)
{
	printf("argc %d\n", argc);
	for (int k = 0; k < argc; k++) {
		printf("argv[%d] = ", k);
		print_quoted(argv[k]);
		putchar('\n');
	}
	printf("argv[argc] is %s\n", argv[argc] ? "not null" : "null");
	int count = 0;
	for (char **entry = envp; *entry; entry++, count++) {
		printf("envp[%d] = ", count);
		print_quoted(*entry);
		putchar('\n');
	}
	printf("envc %d, environ %s envp\n", count, environ == envp ? "is" : "is not");
	static const char *const names[] = { "HOME", "PATH", "EMPTY", "NEXAOS_TEST" };
	for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
		const char *value = getenv(names[k]);
		printf("getenv(%s) = ", names[k]);
		if (value) print_quoted(value);
		else printf("(null)");
		putchar('\n');
	}
	return 0;
}
