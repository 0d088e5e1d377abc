/* Guest test: loops the compiler auto-vectorises into packed SSE (built with -O3; the build also
 * makes an x86-64-v2 variant with SSSE3/SSE4 forms): integer and float reductions, saxpy, dot
 * products, byte transforms, min/max, widening multiplies and conditional selects. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define N 1027 /* not a multiple of the vector width, so the scalar tails run too */

static int32_t ints[N], ints_b[N];
static int16_t shorts[N], shorts_b[N];
static uint8_t bytes[N], bytes_out[N];
static float floats[N], floats_b[N], floats_out[N];
static double doubles[N], doubles_b[N];
static int64_t longs[N];

static uint32_t lcg_state = 2463534242u;

static uint32_t next_random(void)
{
	lcg_state = lcg_state * 1664525u + 1013904223u;
	return lcg_state;
}

static void fill_inputs(void)
{
	for (int k = 0; k < N; k++) {
		uint32_t r = next_random();
		ints[k] = (int32_t)r >> 8;
		ints_b[k] = (int32_t)(next_random() % 2001) - 1000;
		shorts[k] = (int16_t)r;
		shorts_b[k] = (int16_t)(r >> 16);
		bytes[k] = (uint8_t)(r >> 24);
		floats[k] = (float)((int32_t)(r % 20001) - 10000) / 64.0f;
		floats_b[k] = (float)(next_random() % 1000) / 128.0f;
		doubles[k] = (double)((int32_t)(r % 30001) - 15000) / 1024.0;
		doubles_b[k] = (double)(next_random() % 4096) / 4096.0;
		longs[k] = (int64_t)r * 12345 - ((int64_t)1 << 40);
	}
}

static uint32_t fnv(const void *data, size_t length)
{
	const uint8_t *p = data;
	uint32_t sum = 2166136261u;
	for (size_t k = 0; k < length; k++) sum = (sum ^ p[k]) * 16777619u;
	return sum;
}

static void integer_loops(void)
{
	int64_t sum = 0;
	int32_t wrapped = 0, min = INT32_MAX, max = INT32_MIN;
	for (int k = 0; k < N; k++) sum += ints[k];
	for (int k = 0; k < N; k++) wrapped += ints[k] * ints_b[k];
	for (int k = 0; k < N; k++) min = ints[k] < min ? ints[k] : min;
	for (int k = 0; k < N; k++) max = ints[k] > max ? ints[k] : max;
	printf("int32: sum %lld dot %d min %d max %d\n", (long long)sum, wrapped, min, max);

	int32_t dot16 = 0;
	for (int k = 0; k < N; k++) dot16 += shorts[k] * shorts_b[k];
	uint32_t xor_all = 0;
	for (int k = 0; k < N; k++) xor_all ^= (uint32_t)ints[k] >> 3;
	int64_t long_sum = 0;
	for (int k = 0; k < N; k++) long_sum += longs[k] >> 2;
	printf("int16 dot %d, xor of shifted %08x, int64 sum %lld\n", dot16, xor_all,
	       (long long)long_sum);

	static int32_t out[N];
	for (int k = 0; k < N; k++) out[k] = ints[k] > ints_b[k] * 1000 ? ints[k] - ints_b[k] : ints_b[k] << 2;
	printf("select: %08x\n", fnv(out, sizeof out));
	for (int k = 0; k < N; k++) out[k] = (ints[k] >> 4) * (ints_b[k] | 1) + (ints[k] & 0xff);
	printf("mul/and/shift: %08x\n", fnv(out, sizeof out));
	static int16_t saturated[N];
	for (int k = 0; k < N; k++) {
		int32_t v = shorts[k] + shorts_b[k];
		saturated[k] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
	}
	printf("saturating add: %08x\n", fnv(saturated, sizeof saturated));
}

static void byte_loops(void)
{
	for (int k = 0; k < N; k++) bytes_out[k] = (uint8_t)(bytes[k] ^ 0x5a) + (uint8_t)k;
	printf("byte xor/add: %08x\n", fnv(bytes_out, N));
	for (int k = 0; k < N; k++) bytes_out[k] = bytes[k] >= 'a' && bytes[k] <= 'z' ? bytes[k] - 32 : bytes[k];
	printf("byte toupper: %08x\n", fnv(bytes_out, N));
	for (int k = 0; k < N; k++) bytes_out[k] = (uint8_t)((bytes[k] + bytes[N - 1 - k] + 1) >> 1);
	printf("byte average: %08x\n", fnv(bytes_out, N));
	uint32_t histogram_sum = 0, count_high = 0;
	for (int k = 0; k < N; k++) histogram_sum += bytes[k];
	for (int k = 0; k < N; k++) count_high += bytes[k] > 200;
	uint8_t max_byte = 0;
	for (int k = 0; k < N; k++) max_byte = bytes[k] > max_byte ? bytes[k] : max_byte;
	printf("byte sum %u, above 200: %u, max %u\n", histogram_sum, count_high, max_byte);
	char text[N + 1];
	for (int k = 0; k < N; k++) text[k] = (char)(' ' + bytes[k] % 95);
	text[N] = 0;
	printf("strlen %zu, memchr '~' at %td\n", strlen(text),
	       memchr(text, '~', N) ? (char *)memchr(text, '~', N) - text : -1);
}

static void float_loops(void)
{
	float sum = 0.0f, dot = 0.0f, max = -1e30f;
	for (int k = 0; k < N; k++) sum += floats[k];
	for (int k = 0; k < N; k++) dot += floats[k] * floats_b[k];
	for (int k = 0; k < N; k++) max = floats[k] > max ? floats[k] : max;
	printf("float: sum %a dot %a max %a\n", sum, dot, max);
	const float a = 1.25f;
	for (int k = 0; k < N; k++) floats_out[k] = a * floats[k] + floats_b[k]; /* saxpy */
	printf("saxpy: %08x %a\n", fnv(floats_out, sizeof floats_out), floats_out[N - 1]);
	for (int k = 0; k < N; k++) floats_out[k] = floats[k] / (floats_b[k] + 1.0f);
	printf("divide: %08x\n", fnv(floats_out, sizeof floats_out));
	for (int k = 0; k < N; k++) floats_out[k] = (float)(int32_t)(floats[k] * 3.0f);
	printf("float->int->float: %08x\n", fnv(floats_out, sizeof floats_out));

	double dsum = 0.0, ddot = 0.0;
	for (int k = 0; k < N; k++) dsum += doubles[k];
	for (int k = 0; k < N; k++) ddot += doubles[k] * doubles_b[k];
	static double daxpy[N];
	for (int k = 0; k < N; k++) daxpy[k] = -0.75 * doubles[k] + doubles_b[k];
	printf("double: sum %a dot %a daxpy %08x\n", dsum, ddot, fnv(daxpy, sizeof daxpy));
	static float narrowed[N];
	for (int k = 0; k < N; k++) narrowed[k] = (float)(doubles[k] * doubles_b[k]);
	printf("double->float: %08x\n", fnv(narrowed, sizeof narrowed));
}

int main(void)
{
	fill_inputs();
	integer_loops();
	byte_loops();
	float_loops();
	return 0;
}
