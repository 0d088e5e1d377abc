// The compute benchmark's guest program (bench/compute, built by `deno task build:compute`):
// five CPU-bound kernels, each timed inside the program with clock_gettime(CLOCK_MONOTONIC), so
// the same static binary can be compared natively, under qemu-x86_64 and under NexaOS.
//
// Usage: compute [all|KERNEL[,KERNEL...]] [SCALE]
// Prints one line per kernel: "<name> <nanoseconds> <checksum as 16 hex digits>". The checksum
// depends only on the kernel and SCALE. SCALE (default 1) multiplies each kernel's repetitions;
// the data sizes are fixed. Inputs are prepared and their memory touched before the clock starts.

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    perror("compute: clock_gettime(CLOCK_MONOTONIC)");
    exit(4);
  }
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t xorshift64(uint64_t *state) {
  uint64_t x = *state;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *state = x;
}

/** Folds a value into a running checksum (splitmix64's finaliser over the xor). */
static uint64_t mix(uint64_t h, uint64_t v) {
  h ^= v + 0x9e3779b97f4a7c15u + (h << 6) + (h >> 2);
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9u;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebu;
  return h ^ (h >> 31);
}

// ---- sieve: Eratosthenes over a byte array --------------------------------------------------

#define SIEVE_LIMIT 2000000
static uint8_t sieve_composite[SIEVE_LIMIT + 1];

static void sieve_prepare(void) { memset(sieve_composite, 1, sizeof sieve_composite); }

static uint64_t sieve_run(uint64_t reps) {
  uint64_t h = 0;
  for (uint64_t rep = 0; rep < reps; rep++) {
    memset(sieve_composite, 0, sizeof sieve_composite);
    for (uint32_t i = 2; (uint64_t)i * i <= SIEVE_LIMIT; i++) {
      if (sieve_composite[i]) continue;
      for (uint32_t j = i * i; j <= SIEVE_LIMIT; j += i) sieve_composite[j] = 1;
    }
    uint64_t count = 0, sum = 0;
    for (uint32_t i = 2; i <= SIEVE_LIMIT; i++) {
      if (!sieve_composite[i]) {
        count++;
        sum += i;
      }
    }
    h = mix(mix(mix(h, count), sum), sieve_composite[SIEVE_LIMIT - rep % 1000]);
  }
  return h;
}

// ---- sort: quicksort (median of three, insertion sort for short runs) of random ints -------

#define SORT_COUNT 100000
static int32_t sort_data[SORT_COUNT];

static void sort_prepare(void) { memset(sort_data, 0, sizeof sort_data); }

static void insertion_sort(int32_t *a, long n) {
  for (long i = 1; i < n; i++) {
    int32_t v = a[i];
    long j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}

static void quicksort(int32_t *a, long n) {
  while (n > 24) {
    int32_t x = a[0], y = a[n / 2], z = a[n - 1];
    int32_t pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    long i = 0, j = n - 1;
    for (;;) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i >= j) break;
      int32_t t = a[i];
      a[i] = a[j];
      a[j] = t;
      i++;
      j--;
    }
    // Recurse into the smaller part, loop on the larger: the stack stays O(log n).
    long left = j + 1;
    if (left < n - left) {
      quicksort(a, left);
      a += left;
      n -= left;
    } else {
      quicksort(a + left, n - left);
      n = left;
    }
  }
  insertion_sort(a, n);
}

static uint64_t sort_run(uint64_t reps) {
  uint64_t h = 0;
  for (uint64_t rep = 0; rep < reps; rep++) {
    uint64_t state = 0x2545f4914f6cdd1du + rep;
    for (long i = 0; i < SORT_COUNT; i++) sort_data[i] = (int32_t)xorshift64(&state);
    quicksort(sort_data, SORT_COUNT);
    for (long i = 1; i < SORT_COUNT; i++) {
      if (sort_data[i - 1] > sort_data[i]) {
        fprintf(stderr, "compute: sort produced an unsorted array at %ld\n", i);
        exit(3);
      }
    }
    for (long i = 0; i < SORT_COUNT; i += 997) h = mix(h, (uint32_t)sort_data[i]);
  }
  return h;
}

// ---- hash: FNV-1a over a buffer, then an open-addressing hash table -------------------------

#define HASH_BYTES (1 << 20)
#define TABLE_BITS 16
#define TABLE_SIZE (1u << TABLE_BITS)
#define TABLE_KEYS (TABLE_SIZE / 2)
static uint8_t hash_buffer[HASH_BYTES];
static struct slot {
  uint64_t key;
  uint64_t value;
} hash_table[TABLE_SIZE];

static void hash_prepare(void) {
  uint64_t state = 0x9e3779b97f4a7c15u;
  for (size_t i = 0; i < HASH_BYTES; i += 8) {
    uint64_t v = xorshift64(&state);
    memcpy(hash_buffer + i, &v, 8);
  }
  memset(hash_table, 0, sizeof hash_table);
}

static uint64_t fnv1a(const uint8_t *p, size_t n, uint64_t h) {
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3u;
  return h;
}

static uint32_t table_index(uint64_t key) {
  return (uint32_t)((key * 0x9e3779b97f4a7c15u) >> (64 - TABLE_BITS));
}

static uint64_t hash_run(uint64_t reps) {
  uint64_t h = 0;
  for (uint64_t rep = 0; rep < reps; rep++) {
    h = mix(h, fnv1a(hash_buffer, HASH_BYTES, 0xcbf29ce484222325u ^ rep));
    memset(hash_table, 0, sizeof hash_table);
    // Keys are 20-bit windows of the buffer (so some repeat); key 0 marks an empty slot.
    uint64_t inserted = 0, updated = 0;
    for (uint32_t i = 0; i < TABLE_KEYS; i++) {
      uint64_t key;
      memcpy(&key, hash_buffer + (size_t)i * 8, 8);
      key = ((key ^ rep) & 0xfffff) + 1;
      uint32_t s = table_index(key);
      while (hash_table[s].key != 0 && hash_table[s].key != key) s = (s + 1) & (TABLE_SIZE - 1);
      if (hash_table[s].key == key) {
        hash_table[s].value += i;
        updated++;
      } else {
        hash_table[s].key = key;
        hash_table[s].value = i;
        inserted++;
      }
    }
    uint64_t found = 0, values = 0;
    for (uint32_t i = 0; i < TABLE_KEYS; i++) {
      uint64_t key = (((uint64_t)i * 2654435761u) & 0xfffff) + 1;
      uint32_t s = table_index(key);
      while (hash_table[s].key != 0 && hash_table[s].key != key) s = (s + 1) & (TABLE_SIZE - 1);
      if (hash_table[s].key == key) {
        found++;
        values += hash_table[s].value;
      }
    }
    h = mix(mix(mix(mix(h, inserted), updated), found), values);
  }
  return h;
}

// ---- matmul: 32-bit integer matrix product (wrapping) ---------------------------------------

#define MAT_N 160
static uint32_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N], mat_c[MAT_N][MAT_N];

static void matmul_prepare(void) {
  memset(mat_a, 0, sizeof mat_a);
  memset(mat_b, 0, sizeof mat_b);
  memset(mat_c, 0, sizeof mat_c);
}

static uint64_t matmul_run(uint64_t reps) {
  uint64_t h = 0;
  for (uint64_t rep = 0; rep < reps; rep++) {
    uint64_t state = 0xd1b54a32d192ed03u + rep;
    for (int i = 0; i < MAT_N; i++) {
      for (int j = 0; j < MAT_N; j++) {
        mat_a[i][j] = (uint32_t)xorshift64(&state) & 0xffff;
        mat_b[i][j] = (uint32_t)xorshift64(&state) & 0xffff;
      }
    }
    // i-k-j order: the inner loop walks rows of B and C contiguously.
    for (int i = 0; i < MAT_N; i++) {
      for (int j = 0; j < MAT_N; j++) mat_c[i][j] = 0;
      for (int k = 0; k < MAT_N; k++) {
        uint32_t a = mat_a[i][k];
        for (int j = 0; j < MAT_N; j++) mat_c[i][j] += a * mat_b[k][j];
      }
    }
    for (int i = 0; i < MAT_N; i++) {
      uint64_t row = 0;
      for (int j = 0; j < MAT_N; j++) row = row * 31 + mat_c[i][j];
      h = mix(h, row);
    }
  }
  return h;
}

// ---- nbody: the five-body planetary simulation in double precision --------------------------

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define BODIES 5

struct body {
  double x, y, z, vx, vy, vz, mass;
};

static const struct body initial_bodies[BODIES] = {
    {0, 0, 0, 0, 0, 0, SOLAR_MASS},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
     1.66007664274403694e-03 * DAYS_PER_YEAR, 7.69901118419740425e-03 * DAYS_PER_YEAR,
     -6.90460016972063023e-05 * DAYS_PER_YEAR, 9.54791938424326609e-04 * SOLAR_MASS},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
     -2.76742510726862411e-03 * DAYS_PER_YEAR, 4.99852801234917238e-03 * DAYS_PER_YEAR,
     2.30417297573763929e-05 * DAYS_PER_YEAR, 2.85885980666130812e-04 * SOLAR_MASS},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
     2.96460137564761618e-03 * DAYS_PER_YEAR, 2.37847173959480950e-03 * DAYS_PER_YEAR,
     -2.96589568540237556e-05 * DAYS_PER_YEAR, 4.36624404335156298e-05 * SOLAR_MASS},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
     2.68067772490389322e-03 * DAYS_PER_YEAR, 1.62824170038242295e-03 * DAYS_PER_YEAR,
     -9.51592254519715870e-05 * DAYS_PER_YEAR, 5.15138902046611451e-05 * SOLAR_MASS},
};
static struct body bodies[BODIES];

static void nbody_prepare(void) {
  memcpy(bodies, initial_bodies, sizeof bodies);
  double px = 0, py = 0, pz = 0;
  for (int i = 0; i < BODIES; i++) {
    px += bodies[i].vx * bodies[i].mass;
    py += bodies[i].vy * bodies[i].mass;
    pz += bodies[i].vz * bodies[i].mass;
  }
  bodies[0].vx = -px / SOLAR_MASS;
  bodies[0].vy = -py / SOLAR_MASS;
  bodies[0].vz = -pz / SOLAR_MASS;
}

static double hardware_sqrt(double v) {
  // sqrtsd directly: no libm, no errno path.
  double r;
  __asm__("sqrtsd %1, %0" : "=x"(r) : "x"(v));
  return r;
}

static double energy(void) {
  double e = 0;
  for (int i = 0; i < BODIES; i++) {
    const struct body *b = &bodies[i];
    e += 0.5 * b->mass * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
    for (int j = i + 1; j < BODIES; j++) {
      double dx = b->x - bodies[j].x, dy = b->y - bodies[j].y, dz = b->z - bodies[j].z;
      e -= b->mass * bodies[j].mass / hardware_sqrt(dx * dx + dy * dy + dz * dz);
    }
  }
  return e;
}

static void advance(double dt) {
  for (int i = 0; i < BODIES; i++) {
    struct body *b = &bodies[i];
    for (int j = i + 1; j < BODIES; j++) {
      struct body *c = &bodies[j];
      double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
      double d2 = dx * dx + dy * dy + dz * dz;
      double mag = dt / (d2 * hardware_sqrt(d2));
      b->vx -= dx * c->mass * mag;
      b->vy -= dy * c->mass * mag;
      b->vz -= dz * c->mass * mag;
      c->vx += dx * b->mass * mag;
      c->vy += dy * b->mass * mag;
      c->vz += dz * b->mass * mag;
    }
  }
  for (int i = 0; i < BODIES; i++) {
    bodies[i].x += dt * bodies[i].vx;
    bodies[i].y += dt * bodies[i].vy;
    bodies[i].z += dt * bodies[i].vz;
  }
}

static uint64_t double_bits(double d) {
  uint64_t bits;
  memcpy(&bits, &d, 8);
  return bits;
}

static uint64_t nbody_run(uint64_t steps) {
  uint64_t h = mix(0, double_bits(energy()));
  for (uint64_t step = 0; step < steps; step++) advance(0.01);
  h = mix(h, double_bits(energy()));
  for (int i = 0; i < BODIES; i++) h = mix(mix(h, double_bits(bodies[i].x)), double_bits(bodies[i].vz));
  return h;
}

// ---- driver ---------------------------------------------------------------------------------

struct kernel {
  const char *name;
  void (*prepare)(void);
  uint64_t (*run)(uint64_t units);
  uint64_t units; // repetitions (nbody: steps) at scale 1
};

static const struct kernel kernels[] = {
    {"sieve", sieve_prepare, sieve_run, 2},
    {"sort", sort_prepare, sort_run, 2},
    {"hash", hash_prepare, hash_run, 5},
    {"matmul", matmul_prepare, matmul_run, 12},
    {"nbody", nbody_prepare, nbody_run, 150000},
};
#define KERNEL_COUNT (sizeof kernels / sizeof kernels[0])

static void usage(const char *problem) {
  fprintf(stderr, "compute: %s\nusage: compute [all|KERNEL[,KERNEL...]] [SCALE]\nkernels:", problem);
  for (size_t k = 0; k < KERNEL_COUNT; k++) fprintf(stderr, " %s", kernels[k].name);
  fprintf(stderr, "\n");
  exit(2);
}

int main(int argc, char **argv) {
  if (argc > 3) usage("too many arguments");
  int selected[KERNEL_COUNT] = {0};
  const char *list = argc > 1 ? argv[1] : "all";
  if (strcmp(list, "all") == 0) {
    for (size_t k = 0; k < KERNEL_COUNT; k++) selected[k] = 1;
  } else {
    for (const char *p = list; *p;) {
      size_t len = strcspn(p, ",");
      size_t k = 0;
      while (k < KERNEL_COUNT && (strlen(kernels[k].name) != len || strncmp(kernels[k].name, p, len)))
        k++;
      if (k == KERNEL_COUNT) {
        char problem[80];
        snprintf(problem, sizeof problem, "unknown kernel '%.*s'", (int)(len < 40 ? len : 40), p);
        usage(problem);
      }
      selected[k] = 1;
      p += len + (p[len] == ',');
    }
  }
  double scale = 1;
  if (argc > 2) {
    char *end;
    scale = strtod(argv[2], &end);
    if (end == argv[2] || *end || !(scale > 0 && scale <= 10000)) usage("SCALE must be a number in (0, 10000]");
  }
  for (size_t k = 0; k < KERNEL_COUNT; k++) {
    if (!selected[k]) continue;
    double want = kernels[k].units * scale + 0.5;
    uint64_t units = want < 1 ? 1 : (uint64_t)want;
    kernels[k].prepare();
    uint64_t t0 = now_ns();
    uint64_t checksum = kernels[k].run(units);
    uint64_t t1 = now_ns();
    printf("%s %llu %016llx\n", kernels[k].name, (unsigned long long)(t1 - t0), (unsigned long long)checksum);
    fflush(stdout);
  }
  return 0;
}
