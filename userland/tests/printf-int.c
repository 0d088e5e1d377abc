/* Guest test: printf's integer, character, string and pointer conversions with flags, widths,
 * precisions, positional arguments and every length modifier (hh h l ll j z t). */
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <wchar.h>

#define SHOW(fmt, ...) show(__LINE__, fmt, printf("[" fmt "]", __VA_ARGS__))

static void show(int line, const char *fmt, int written)
{
	printf(" <- \"%s\" (%d chars, line %d)\n", fmt, written, line);
}

static void signed_conversions(void)
{
	static const char *const formats[] = {
		"%d", "%i", "%5d", "%-5d|", "%05d", "%+d", "% d", "%+05d", "%-+6d|", "%.3d",
		"%8.3d", "%-8.3d|", "%08.3d", "%.0d", "%+.0d", "% .0d", "%#d",
	};
	static const int values[] = { 0, 1, -1, 42, -42, 12345, INT_MAX, INT_MIN };
	for (size_t f = 0; f < sizeof formats / sizeof *formats; f++) {
		printf("%-8s", formats[f]);
		for (size_t v = 0; v < sizeof values / sizeof *values; v++) {
			putchar('[');
			printf(formats[f], values[v]);
			putchar(']');
		}
		putchar('\n');
	}
}

static void unsigned_conversions(void)
{
	static const char *const formats[] = {
		"%u", "%o", "%x", "%X", "%#o", "%#x", "%#X", "%10x", "%-10X|", "%010o",
		"%#010x", "%.5x", "%#.5o", "%#.0o", "%#.0x", "%.0u", "%#8.4X",
	};
	static const unsigned values[] = { 0, 1, 7, 8, 255, 0xdeadbeef, UINT_MAX };
	for (size_t f = 0; f < sizeof formats / sizeof *formats; f++) {
		printf("%-8s", formats[f]);
		for (size_t v = 0; v < sizeof values / sizeof *values; v++) {
			putchar('[');
			printf(formats[f], values[v]);
			putchar(']');
		}
		putchar('\n');
	}
}

static void length_modifiers(void)
{
	SHOW("%hhd %hhu %hhx %hhi", (signed char)-128, (unsigned char)255, (unsigned char)0xab,
	     (signed char)127);
	SHOW("%hhd", 300); /* converted to signed char: 44 */
	SHOW("%hd %hu %hx %ho", (short)-32768, (unsigned short)65535, (unsigned short)0xbeef,
	     (unsigned short)0177777);
	SHOW("%hd", 70000);
	SHOW("%ld %lu %lx %lo", LONG_MIN, ULONG_MAX, 0x0123456789abcdefUL, 01234567012345670UL);
	SHOW("%lld %llu %llX %lli", LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ULL, LLONG_MAX);
	SHOW("%jd %ju %jx", INTMAX_MIN, UINTMAX_MAX, (uintmax_t)1 << 63);
	SHOW("%zu %zd %zx", (size_t)SIZE_MAX, (ssize_t)-5, (size_t)4096);
	SHOW("%td %tu %tx", (ptrdiff_t)PTRDIFF_MIN, (ptrdiff_t)PTRDIFF_MAX, (ptrdiff_t)-1);
	SHOW("%" PRId8 " %" PRIu16 " %" PRIx32 " %" PRId64, (int8_t)-8, (uint16_t)65000,
	     (uint32_t)0xcafef00d, (int64_t)-9000000000000000000LL);
	SHOW("%-22lld|%+22lld|%022lld", LLONG_MIN, LLONG_MAX, -1LL);
	SHOW("%.30lld", 7LL);
}

static void chars_and_strings(void)
{
	SHOW("%c%c%c", 'a', 'Z', '0');
	SHOW("%5c|%-5c|", 'x', 'y');
	SHOW("%c", 0x141); /* converted to unsigned char: 'A' */
	SHOW("%s", "hello");
	SHOW("%10s|%-10s|", "right", "left");
	SHOW("%.3s|%10.2s|%-10.4s|", "truncate", "ab_cd", "abcdefgh");
	SHOW("%.0s|%s|", "gone", "");
	SHOW("%.*s|%*s|%-*s|", 4, "precision-star", 6, "w", 6, "w");
	SHOW("%*d|%-*d|%.*d|", -6, 42, 6, 42, -1, 42); /* negative width = '-' flag */
	SHOW("%ls|%5lc|", L"wide", (wint_t)L'w');
	SHOW("100%%|%d%%|%%%c", 5, '!');
}

static void pointers_and_count(void)
{
	SHOW("%p|%p|%p", (void *)0, (void *)0x1234, (void *)0xffffffffffffffffUL);
	SHOW("%20p|%-20p|", (void *)0xabc, (void *)0xabc);
	int n = -1;
	signed char hh = -1;
	short h = -1;
	long l = -1;
	long long ll = -1;
	intmax_t j = -1;
	size_t z = 0;
	ptrdiff_t t = -1;
	printf("abc%n de%hhn f%hn %ln%lln%jn%zn%tn\n", &n, &hh, &h, &l, &ll, &j, &z, &t);
	printf("%%n: %d %d %d %ld %lld %jd %zu %td\n", n, hh, h, l, ll, j, z, t);
}

static void positional(void)
{
	SHOW("%2$s %1$s %2$s", "world", "hello");
	SHOW("%3$*1$.*2$d|", 8, 4, 42);
	SHOW("%1$#x %1$#o %1$d", 255);
}

int main(void)
{
	signed_conversions();
	unsigned_conversions();
	length_modifiers();
	chars_and_strings();
	pointers_and_count();
	positional();
	char buffer[16];
	const char *volatile subject = "truncated output"; /* opaque: no truncation warning */
	int wanted = snprintf(buffer, sizeof buffer, "%s-%d-%x", subject, 123, 0xabc);
	printf("snprintf wanted %d, got \"%s\"\n", wanted, buffer);
	wanted = snprintf(NULL, 0, "%lld", LLONG_MIN);
	printf("snprintf(NULL, 0) wanted %d\n", wanted);
	return 0;
}
