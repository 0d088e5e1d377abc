/* Guest test: reads standard input to end of file with read(2) in odd-sized chunks and reports
 * bytes, lines, words, the longest line, a byte histogram summary and an FNV-1a checksum, then
 * checks that a further read still reports end of file. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	unsigned char chunk[1021];
	unsigned long long bytes = 0, lines = 0, words = 0, reads = 0;
	unsigned long long line_length = 0, longest_line = 0, zero_bytes = 0, high_bytes = 0;
	uint64_t checksum = 0xcbf29ce484222325ULL;
	int in_word = 0;
	for (;;) {
		ssize_t got = read(0, chunk, sizeof chunk);
		if (got < 0) {
			if (errno == EINTR) continue;
			printf("read failed: %s\n", strerror(errno));
			return 1;
		}
		if (got == 0) break;
		reads++;
		for (ssize_t k = 0; k < got; k++) {
			unsigned char c = chunk[k];
			checksum = (checksum ^ c) * 0x100000001b3ULL;
			zero_bytes += c == 0;
			high_bytes += c >= 0x80;
			if (c == '\n') {
				lines++;
				if (line_length > longest_line) longest_line = line_length;
				line_length = 0;
			} else line_length++;
			int space = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
			if (!space && !in_word) words++;
			in_word = !space;
		}
		bytes += (unsigned long long)got;
	}
	if (line_length > longest_line) longest_line = line_length;
	ssize_t again = read(0, chunk, sizeof chunk);
	printf("bytes %llu lines %llu words %llu longest line %llu\n", bytes, lines, words,
	       longest_line);
	printf("zero bytes %llu, bytes >= 0x80 %llu, unterminated last line %s\n", zero_bytes,
	       high_bytes, line_length ? "yes" : "no");
	printf("fnv1a64 %016llx, read after EOF returns %zd, non-empty reads %s\n",
	       (unsigned long long)checksum, again, reads ? "some" : "none");
	return 0;
}
