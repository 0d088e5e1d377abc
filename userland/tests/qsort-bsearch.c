/* Guest test: qsort on integers, doubles, strings and structs (fixed-seed data, including sorted,
 * reversed and all-equal inputs) and bsearch for present and absent keys. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t lcg_state = 12345;

static uint32_t next_random(void)
{
	lcg_state = lcg_state * 1103515245u + 12345u;
	return lcg_state >> 8;
}

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static int compare_doubles_descending(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x < y) - (x > y);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct record {
	char name[12];
	int age;
	unsigned id;
};

/* Age ascending, then name, then id: a total order, so the result is unique. */
static int compare_records(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	if (x->age != y->age) return x->age - y->age;
	int by_name = strcmp(x->name, y->name);
	if (by_name) return by_name;
	return (x->id > y->id) - (x->id < y->id);
}

static uint32_t checksum_ints(const int *values, size_t count)
{
	uint32_t sum = 2166136261u;
	for (size_t k = 0; k < count; k++) sum = (sum ^ (uint32_t)values[k]) * 16777619u;
	return sum;
}

static int is_sorted(const int *values, size_t count)
{
	for (size_t k = 1; k < count; k++) if (values[k - 1] > values[k]) return 0;
	return 1;
}

static void sort_ints(const char *label, int *values, size_t count)
{
	qsort(values, count, sizeof *values, compare_ints);
	printf("%-10s n=%zu sorted=%d first=%d last=%d fnv=%08x\n", label, count,
	       is_sorted(values, count), count ? values[0] : 0, count ? values[count - 1] : 0,
	       checksum_ints(values, count));
}

#define N 3000
static int numbers[N];

int main(void)
{
	for (int k = 0; k < N; k++) numbers[k] = (int)(next_random() % 20000) - 10000;
	sort_ints("random", numbers, N);
	int present = 0, absent = 0, matches = 0;
	for (int key = -10050; key <= 10050; key += 7) {
		const int *found = bsearch(&key, numbers, N, sizeof *numbers, compare_ints);
		if (found) {
			present++;
			matches += *found == key;
		} else absent++;
	}
	printf("bsearch: present %d absent %d matching %d\n", present, absent, matches);
	int nothing = 5;
	printf("bsearch in empty array: %s\n",
	       bsearch(&nothing, numbers, 0, sizeof *numbers, compare_ints) ? "found" : "null");

	sort_ints("sorted", numbers, N);
	for (int k = 0; k < N; k++) numbers[k] = N - k;
	sort_ints("reversed", numbers, N);
	for (int k = 0; k < N; k++) numbers[k] = 7;
	sort_ints("equal", numbers, N);
	for (int k = 0; k < N; k++) numbers[k] = k % 2 ? k : -k;
	sort_ints("zigzag", numbers, N);
	sort_ints("one", numbers, 1);
	sort_ints("none", numbers, 0);

	double reals[40];
	for (int k = 0; k < 40; k++) reals[k] = (double)(next_random() % 1000) / 8.0 - 60.0;
	qsort(reals, 40, sizeof *reals, compare_doubles_descending);
	printf("doubles descending:");
	for (int k = 0; k < 40; k += 4) printf(" %g", reals[k]);
	printf("\n");

	const char *words[] = {
		"pear", "apple", "fig", "banana", "cherry", "apple pie", "Zebra", "zebra", "", "date",
		"elderberry", "grape", "App", "kiwi", "lemon", "mango",
	};
	size_t word_count = sizeof words / sizeof *words;
	qsort(words, word_count, sizeof *words, compare_strings);
	printf("strings:");
	for (size_t k = 0; k < word_count; k++) printf(" \"%s\"", words[k]);
	printf("\n");
	const char *key = "fig";
	const char **hit = bsearch(&key, words, word_count, sizeof *words, compare_strings);
	printf("bsearch \"fig\" -> index %td\n", hit ? hit - words : (ptrdiff_t)-1);

	static const char *const names[] = { "ada", "bob", "cy", "dee", "eve" };
	struct record records[200];
	for (unsigned k = 0; k < 200; k++) {
		strcpy(records[k].name, names[next_random() % 5]);
		records[k].age = 20 + (int)(next_random() % 9);
		records[k].id = k;
	}
	qsort(records, 200, sizeof *records, compare_records);
	uint32_t order = 0;
	for (int k = 0; k < 200; k++) order = order * 31 + records[k].id;
	printf("records: first %s/%d/%u last %s/%d/%u order hash %08x\n", records[0].name,
	       records[0].age, records[0].id, records[199].name, records[199].age, records[199].id,
	       order);
	return 0;
}
