/* Guest test: malloc/calloc/realloc/free under a fixed-seed pseudo-random workload. Every block is
 * filled with a pattern derived from its slot and generation and verified before it is freed or
 * resized, so a kernel that loses or corrupts memory (brk, mmap, munmap, mremap) is caught.
 * Large requests go past musl's mmap threshold (about 128 KiB) and are served by mmap. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 192
#define OPERATIONS 2000

static uint64_t lcg_state = 0x2545f4914f6cdd1dULL;

static uint32_t next_random(void)
{
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(lcg_state >> 33);
}

struct slot {
	unsigned char *data;
	size_t size;
	uint32_t tag;
};

static struct slot slots[SLOTS];
static unsigned long corruptions, misaligned, mapped_sizes;

/* The expected contents of byte `offset` of a block; computed a word at a time for speed. */
static uint64_t pattern_word(uint32_t tag, size_t word)
{
	return (tag * 0x9e3779b97f4a7c15ULL) ^ (word * 0xbf58476d1ce4e5b9ULL);
}

static unsigned char pattern_byte(uint32_t tag, size_t offset)
{
	return (unsigned char)(pattern_word(tag, offset / 8) >> (offset % 8 * 8));
}

static void fill(struct slot *s, size_t from)
{
	size_t k = from;
	for (; k < s->size && k % 8; k++) s->data[k] = pattern_byte(s->tag, k);
	for (; k + 8 <= s->size; k += 8) {
		uint64_t word = pattern_word(s->tag, k / 8);
		memcpy(s->data + k, &word, 8);
	}
	for (; k < s->size; k++) s->data[k] = pattern_byte(s->tag, k);
}

static uint64_t verify(const struct slot *s, size_t length)
{
	uint64_t sum = 0;
	size_t k = 0;
	for (; k + 8 <= length; k += 8) {
		uint64_t word;
		memcpy(&word, s->data + k, 8);
		if (word != pattern_word(s->tag, k / 8)) corruptions++;
		sum = sum * 1099511628211ULL + word;
	}
	for (; k < length; k++) {
		if (s->data[k] != pattern_byte(s->tag, k)) corruptions++;
		sum = sum * 1099511628211ULL + s->data[k];
	}
	return sum;
}

static size_t random_size(void)
{
	uint32_t r = next_random();
	size_t size;
	switch (r % 16) {
	case 0: size = 0; break;
	case 1: case 2: case 3: case 4: case 5: case 6: size = 1 + (r >> 8) % 64; break;
	case 7: case 8: case 9: case 10: size = 64 + (r >> 8) % 1024; break;
	case 11: case 12: case 13: size = 1024 + (r >> 8) % 4096; break;
	case 14: size = 8192 + (r >> 8) % 8192; break;
	default: size = (r >> 8) % 4 == 0 ? 131072 + (r >> 8) % 32768 : 200 + (r >> 8) % 3000;
	}
	mapped_sizes += size >= 131072;
	return size;
}

int main(void)
{
	uint64_t checksum = 0;
	unsigned long counts[4] = { 0 };
	uint32_t generation = 0;
	for (int op = 0; op < OPERATIONS; op++) {
		struct slot *s = &slots[next_random() % SLOTS];
		uint32_t action = next_random() % 4;
		if (s->data == NULL && action != 3) action = 0;
		counts[action]++;
		if (action == 0) { /* (re)allocate */
			if (s->data) checksum ^= verify(s, s->size);
			free(s->data);
			s->size = random_size();
			s->tag = ++generation;
			s->data = malloc(s->size);
			if (s->data == NULL) { printf("malloc(%zu) failed\n", s->size); return 1; }
			fill(s, 0);
		} else if (action == 1) { /* realloc, growing or shrinking */
			size_t old = s->size, size = random_size();
			unsigned char *moved = realloc(s->data, size ? size : 1);
			if (moved == NULL) { printf("realloc(%zu) failed\n", size); return 1; }
			s->data = moved;
			s->size = size;
			checksum += verify(s, old < size ? old : size);
			fill(s, old < size ? old : size);
		} else if (action == 2) { /* free */
			checksum ^= verify(s, s->size) >> 1;
			free(s->data);
			s->data = NULL;
			s->size = 0;
		} else { /* calloc must hand back zeroed memory, even when reusing freed memory */
			size_t count = 1 + next_random() % 300, each = 1 + next_random() % 40;
			unsigned char *zeroed = calloc(count, each);
			if (zeroed == NULL) { printf("calloc failed\n"); return 1; }
			for (size_t k = 0; k < count * each; k++) corruptions += zeroed[k] != 0;
			memset(zeroed, 0xa5, count * each);
			free(zeroed);
		}
		if (s->data && (uintptr_t)s->data % 16) misaligned++;
	}
	for (int k = 0; k < SLOTS; k++) {
		if (slots[k].data) checksum += verify(&slots[k], slots[k].size);
		free(slots[k].data);
	}
	printf("operations: %lu malloc, %lu realloc, %lu free, %lu calloc\n", counts[0], counts[1],
	       counts[2], counts[3]);
	printf("checksum %016llx, corrupted bytes %lu, misaligned blocks %lu, sizes >= 128 KiB %lu\n",
	       (unsigned long long)checksum, corruptions, misaligned, mapped_sizes);

	/* A few big blocks at once: each is its own mapping in musl. */
	enum { BIG = 6 };
	unsigned char *big[BIG];
	uint64_t big_sum = 0;
	for (int k = 0; k < BIG; k++) {
		size_t size = (size_t)(k + 1) << 19; /* 512 KiB .. 3 MiB */
		big[k] = malloc(size);
		if (big[k] == NULL) { printf("big malloc failed\n"); return 1; }
		for (size_t at = 0; at < size; at += 4096) big[k][at] = (unsigned char)(at >> 12) + k;
		big[k][size - 1] = (unsigned char)k;
	}
	for (int k = BIG - 1; k >= 0; k--) {
		size_t size = (size_t)(k + 1) << 19;
		for (size_t at = 0; at < size; at += 4096) big_sum += big[k][at] * (at >> 12);
		big_sum += big[k][size - 1];
		big[k] = realloc(big[k], size / 3); /* shrink a mapped block in place or by moving */
		for (size_t at = 0; at < size / 3; at += 4096)
			if (big[k][at] != (unsigned char)((at >> 12) + k)) corruptions++;
		big[k] = realloc(big[k], size * 2); /* grow a mapped block: mremap in musl */
		big[k][size * 2 - 1] = 1;
		for (size_t at = 0; at < size / 3; at += 4096)
			if (big[k][at] != (unsigned char)((at >> 12) + k)) corruptions++;
		free(big[k]);
	}
	printf("big blocks: sum %llu, corrupted bytes %lu\n", (unsigned long long)big_sum, corruptions);

	volatile size_t huge = (size_t)1 << 62;
	void *empty = malloc(0);
	printf("malloc(0) %s; calloc overflow %s\n", empty ? "non-null" : "null",
	       calloc(huge, 16) ? "succeeded" : "failed");
	free(empty);
	return corruptions || misaligned ? 1 : 0;
}
