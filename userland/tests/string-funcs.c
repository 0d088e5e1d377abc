/* Guest test: <string.h> (lengths, comparisons, searches, tokenising, overlapping moves at many
 * sizes and alignments, which drive musl's rep-movs/rep-stos assembly) and strtol/strtoul/strtod
 * on edge inputs, printing values, errno and how much of the input was consumed. */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int sign(int value)
{
	return (value > 0) - (value < 0);
}

static void lengths_and_comparisons(void)
{
	static const char *const strings[] = { "", "a", "abc", "abd", "ab", "abc\x80", "ABC" };
	size_t count = sizeof strings / sizeof *strings;
	for (size_t a = 0; a < count; a++) {
		printf("strlen=%zu cmp:", strlen(strings[a]));
		for (size_t b = 0; b < count; b++) printf(" %2d", sign(strcmp(strings[a], strings[b])));
		printf(" ncmp2:");
		for (size_t b = 0; b < count; b++) printf(" %2d", sign(strncmp(strings[a], strings[b], 2)));
		printf("\n");
	}
	char long_text[300];
	for (int k = 0; k < 299; k++) long_text[k] = (char)('a' + k % 26);
	long_text[299] = 0;
	for (int offset = 0; offset < 9; offset++) printf("%zu ", strlen(long_text + offset));
	printf("\n");
	unsigned char x[40], y[40];
	for (int k = 0; k < 40; k++) x[k] = y[k] = (unsigned char)(k * 13);
	y[37] = 0xff;
	printf("memcmp: %d %d %d %d %d\n", sign(memcmp(x, y, 37)), sign(memcmp(x, y, 38)),
	       sign(memcmp(y, x, 40)), sign(memcmp(x, y, 0)), sign(memcmp("\x80", "\x7f", 1)));
}

static uint32_t fnv(const unsigned char *bytes, size_t length)
{
	uint32_t sum = 2166136261u;
	for (size_t k = 0; k < length; k++) sum = (sum ^ bytes[k]) * 16777619u;
	return sum;
}

static void moves_and_fills(void)
{
	static unsigned char area[4096];
	uint32_t combined = 0;
	for (size_t size = 0; size < 600; size += 37) {
		for (int shift = -9; shift <= 9; shift += 3) {
			for (int k = 0; k < 4096; k++) area[k] = (unsigned char)(k * 7 + (k >> 7));
			memmove(area + 1000 + shift, area + 1000, size);
			combined = combined * 33 + fnv(area, 2048);
		}
	}
	printf("memmove overlaps: %08x\n", combined);
	combined = 0;
	for (size_t size = 0; size < 300; size += 17) {
		for (int align = 0; align < 8; align++) {
			memset(area, 0, 1024);
			memset(area + align, 0x5a + align, size);
			memcpy(area + 512 + (align ^ 5), area + align, size);
			combined = combined * 33 + fnv(area, 1024);
		}
	}
	printf("memset/memcpy: %08x\n", combined);
}

static void searches(void)
{
	const char *text = "the quick brown fox jumps over the lazy dog";
	printf("strchr o: %td, strrchr o: %td, strchr NUL: %td, strchr z: %td\n",
	       strchr(text, 'o') - text, strrchr(text, 'o') - text, strchr(text, 0) - text,
	       strchr(text, 'Z') ? 1 : (ptrdiff_t)-1);
	printf("memchr j: %td, memchr past: %s\n", (const char *)memchr(text, 'j', 43) - text,
	       memchr(text, 'g', 42) ? "found" : "null");
	static const char *const needles[] = { "the", "lazy", "dog", "", "cat", "o", "ps o", "dogs" };
	for (size_t k = 0; k < sizeof needles / sizeof *needles; k++) {
		const char *hit = strstr(text, needles[k]);
		printf("strstr \"%s\": %td\n", needles[k], hit ? hit - text : (ptrdiff_t)-1);
	}
	char haystack[200];
	memset(haystack, 'a', 199);
	haystack[199] = 0;
	haystack[150] = 'b';
	printf("strstr long: %td\n", strstr(haystack, "aaaaaaaaab") - haystack);
	printf("strspn: %zu %zu %zu, strcspn: %zu %zu %zu\n", strspn(text, "eht "),
	       strspn(text, ""), strspn("aaa", "a"), strcspn(text, "xyz"), strcspn(text, ""),
	       strcspn(text, "q"));
	char sentence[] = ",,alpha, beta;;gamma ,delta,,";
	printf("strtok:");
	for (char *token = strtok(sentence, ",; "); token; token = strtok(NULL, ",; "))
		printf(" [%s]", token);
	printf("\n");
}

static void show_strtol(const char *input, int base)
{
	char *end;
	errno = 0;
	long value = strtol(input, &end, base);
	int error = errno;
	errno = 0;
	unsigned long unsigned_value = strtoul(input, NULL, base);
	printf("strtol(\"%s\", %d) = %ld errno %d used %td; strtoul = %lu errno %d\n", input, base,
	       value, error, end - input, unsigned_value, errno);
}

static void show_strtod(const char *input)
{
	char *end;
	errno = 0;
	double value = strtod(input, &end);
	printf("strtod(\"%s\") = %.17g %a errno %d used %td\n", input, value, value, errno,
	       end - input);
}

static void conversions(void)
{
	static const struct {
		const char *input;
		int base;
	} integers[] = {
		{ "0", 10 }, { "-0", 10 }, { "  +42xyz", 10 }, { "9223372036854775807", 10 },
		{ "9223372036854775808", 10 }, { "-9223372036854775808", 10 },
		{ "-9223372036854775809", 10 }, { "18446744073709551615", 10 },
		{ "18446744073709551616", 10 }, { "-1", 10 }, { "0x1F", 0 }, { "0X", 16 }, { "0x", 0 },
		{ "010", 0 }, { "08", 0 }, { "zz", 36 }, { "ZZ", 36 }, { "101", 2 }, { "12", 1 },
		{ "12", 37 }, { "", 10 }, { "   ", 10 }, { "- 5", 10 }, { "\t\v 7", 8 },
	};
	for (size_t k = 0; k < sizeof integers / sizeof *integers; k++)
		show_strtol(integers[k].input, integers[k].base);
	static const char *const reals[] = {
		"0", "-0", "1.5", "  -2.5e-3x", ".5", "5.", ".", "e5", "1e", "1e+", "1e400", "-1e400",
		"1e-400", "2.4703282292062327e-324", "2.4703282292062328e-324",
		"4.9406564584124654e-324", "2.2250738585072011e-308", "1.7976931348623157e308",
		"1.7976931348623159e308", "0x1p-1074", "0x1.fffffffffffffp1023", "0x.8p1", "0x",
		"inf", "-Infinity", "infinit", "nan", "NAN(123)", "nan(", "0.1", "0.30000000000000004",
		"123456789012345678901234567890", "9007199254740993", "1.00000000000000011102230246251565",
	};
	for (size_t k = 0; k < sizeof reals / sizeof *reals; k++) show_strtod(reals[k]);
}

int main(void)
{
	lengths_and_comparisons();
	moves_and_fills();
	searches();
	conversions();
	return 0;
}
