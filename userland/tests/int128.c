/* Guest test: 64- and 128-bit integer arithmetic: __int128 multiply, divide and modulo (libgcc's
 * __divti3/__udivti3/__modti3), shifts by every amount, 64-bit div/mul edge cases, bit builtins and
 * the overflow-checking builtins. 128-bit values are printed in decimal by the program itself. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

typedef unsigned __int128 u128;
typedef __int128 i128;

static void print_u128(u128 value)
{
	char digits[40];
	int length = 0;
	do {
		digits[length++] = (char)('0' + (int)(value % 10));
		value /= 10;
	} while (value);
	while (length) putchar(digits[--length]);
}

static void print_i128(i128 value)
{
	if (value < 0) {
		putchar('-');
		print_u128(-(u128)value);
	} else print_u128((u128)value);
}

static void print_hex128(u128 value)
{
	printf("%016llx%016llx", (unsigned long long)(value >> 64), (unsigned long long)value);
}

static const u128 U128_MAX = ~(u128)0;
#define I128_MAX ((i128)(U128_MAX >> 1))
#define I128_MIN (-I128_MAX - 1)

static uint64_t lcg_state = 88172645463325252ULL;

static uint64_t next_random(void)
{
	lcg_state ^= lcg_state << 13;
	lcg_state ^= lcg_state >> 7;
	lcg_state ^= lcg_state << 17;
	return lcg_state;
}

static void division_table(void)
{
	static const i128 dividends[] = { 0, 1, -1, 7, -7, 1000000007, (i128)INT64_MIN * 3,
					  (i128)1 << 100, -((i128)1 << 100) - 12345 };
	static const i128 divisors[] = { 1, -1, 2, -3, 10, (i128)UINT64_MAX, (i128)1 << 64,
					 -((i128)1 << 70) + 1 };
	for (size_t a = 0; a < sizeof dividends / sizeof *dividends; a++) {
		for (size_t b = 0; b < sizeof divisors / sizeof *divisors; b++) {
			print_i128(dividends[a]);
			printf(" / ");
			print_i128(divisors[b]);
			printf(" = ");
			print_i128(dividends[a] / divisors[b]);
			printf(" rem ");
			print_i128(dividends[a] % divisors[b]);
			printf("\n");
		}
	}
	print_i128(I128_MIN);
	printf(" / 10 = ");
	print_i128(I128_MIN / 10);
	printf(", max ");
	print_i128(I128_MAX);
	printf(", unsigned max ");
	print_u128(U128_MAX);
	printf("\n");
}

static void random_checks(void)
{
	unsigned mismatches = 0;
	u128 mixed = 0;
	for (int k = 0; k < 400; k++) {
		u128 a = ((u128)next_random() << 64) | next_random();
		u128 b = next_random() >> (next_random() % 64);
		if (k % 3 == 0) b |= (u128)next_random() << (next_random() % 60);
		if (b == 0) b = 1;
		u128 quotient = a / b, remainder = a % b;
		if (quotient * b + remainder != a || remainder >= b) mismatches++;
		i128 sa = (i128)a, sb = (i128)b * (k % 2 ? -1 : 1);
		i128 sq = sa / sb, sr = sa % sb;
		if (sq * sb + sr != sa) mismatches++;
		mixed = mixed * 0x9e3779b97f4a7c15ULL + quotient + (u128)sr + a * b;
	}
	printf("400 random 128-bit divisions: %u mismatches, mix ", mismatches);
	print_hex128(mixed);
	printf("\n");
}

static void shifts(void)
{
	u128 pattern = ((u128)0x8123456789abcdefULL << 64) | 0xfedcba9876543210ULL;
	u128 folded = 0;
	for (int amount = 0; amount < 128; amount++) {
		u128 left = pattern << amount, right = pattern >> amount;
		i128 arithmetic = (i128)pattern >> amount;
		folded = (folded << 1 | folded >> 127) ^ left ^ (right * 3) ^ (u128)arithmetic;
		if (amount % 31 == 0) {
			printf("shift %3d: << ", amount);
			print_hex128(left);
			printf(" >> ");
			print_hex128(right);
			printf(" sar ");
			print_hex128((u128)arithmetic);
			printf("\n");
		}
	}
	printf("all shifts folded: ");
	print_hex128(folded);
	printf("\n");
}

static void sixty_four_bit(void)
{
	volatile int64_t values[] = { INT64_MIN, INT64_MIN + 1, -1, 0, 1, 3, INT64_MAX, -1000000007 };
	volatile int64_t divisors[] = { 1, 2, -2, 3, 7, -1000, INT64_MAX, INT64_MIN };
	for (size_t a = 0; a < sizeof values / sizeof *values; a++) {
		printf("%lld:", (long long)values[a]);
		for (size_t b = 0; b < sizeof divisors / sizeof *divisors; b++) {
			printf(" %lld,%lld", (long long)(values[a] / divisors[b]),
			       (long long)(values[a] % divisors[b]));
		}
		uint64_t u = (uint64_t)values[a];
		printf(" | u/7 %llu u%%10 %llu\n", (unsigned long long)(u / 7),
		       (unsigned long long)(u % 10));
	}
	volatile uint64_t x = 0xfedcba9876543210ULL, y = 0x123456789abcdef1ULL;
	u128 full = (u128)x * y;
	i128 signed_full = (i128)(int64_t)x * (int64_t)y;
	printf("mul high/low: %016llx %016llx, signed high %016llx\n",
	       (unsigned long long)(full >> 64), (unsigned long long)full,
	       (unsigned long long)((u128)signed_full >> 64));
	printf("popcount %d clz %d ctz %d clzll(1) %d ctzll(2^63) %d bswap %016llx parity %d\n",
	       __builtin_popcountll(x), __builtin_clzll(y), __builtin_ctzll(x), __builtin_clzll(1),
	       __builtin_ctzll(1ULL << 63), (unsigned long long)__builtin_bswap64(x),
	       __builtin_parityll(y));
	printf("rotate: %016llx %08x\n", (unsigned long long)((x << 13) | (x >> 51)),
	       (unsigned)(((uint32_t)y << 7) | ((uint32_t)y >> 25)));
}

static void overflow_builtins(void)
{
	int64_t r64;
	int32_t r32;
	uint64_t u64;
	i128 r128;
	printf("add %d", __builtin_add_overflow((int64_t)INT64_MAX, 1, &r64));
	printf(" (%lld)", (long long)r64);
	printf(" sub %d", __builtin_sub_overflow((int64_t)INT64_MIN, 1, &r64));
	printf(" (%lld)", (long long)r64);
	printf(" mul %d", __builtin_mul_overflow((int64_t)3037000500LL, 3037000500LL, &r64));
	printf(" (%lld)", (long long)r64);
	printf(" mul %d", __builtin_mul_overflow((int64_t)3037000499LL, 3037000499LL, &r64));
	printf(" (%lld)", (long long)r64);
	printf(" int32 %d", __builtin_mul_overflow(65536, 32768, &r32));
	printf(" (%d)", r32);
	printf(" unsigned sub %d", __builtin_sub_overflow((uint64_t)1, (uint64_t)2, &u64));
	printf(" (%llu)", (unsigned long long)u64);
	printf(" uadd %d", __builtin_add_overflow(UINT64_MAX, (uint64_t)1, &u64));
	printf(" (%llu)\n", (unsigned long long)u64);
	printf("i128 mul %d", __builtin_mul_overflow(I128_MAX / 3, (i128)4, &r128));
	printf(" (");
	print_i128(r128);
	printf(") i128 add %d", __builtin_add_overflow(I128_MAX - 5, (i128)5, &r128));
	printf(" (");
	print_i128(r128);
	printf(") mixed signs %d\n", __builtin_mul_overflow((int64_t)-1, UINT64_MAX, &r64));
}

int main(void)
{
	division_table();
	random_checks();
	shifts();
	sixty_four_bit();
	overflow_builtins();
	return 0;
}
