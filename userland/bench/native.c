// Native reference for the CPU benchmark: runs one kernel of kernels.c (linked from the same
// object code flags as the guest) on the host and prints "<checksum-hex> <best-ns-per-call>".
// Usage: native <kernel-index> <iterations> <min-total-ms>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t run_kernel(uint64_t index, uint64_t n);

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  uint64_t index = strtoull(argv[1], 0, 0), n = strtoull(argv[2], 0, 0);
  double budget = atof(argv[3]) * 1e6, best = 1e300, spent = 0;
  uint64_t sum = run_kernel(index, n);
  for (int rep = 0; rep < 3 || spent < budget; rep++) {
    double t0 = now_ns();
    uint64_t again = run_kernel(index, n);
    double dt = now_ns() - t0;
    if (again != sum) return 3; // kernels must be deterministic
    if (dt < best) best = dt;
    spent += dt;
  }
  printf("%016llx %.0f\n", (unsigned long long)sum, best);
  return 0;
}
