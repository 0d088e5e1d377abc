// CPU benchmark kernels: one small, self-checking workload per instruction mix (memory, ALU,
// branches, calls, string operations, SSE, and a mixed hash-table workload). Built twice: as the
// freestanding guest image (with start.S) and natively by native.c for reference timings.
// Every kernel takes an iteration count and returns a checksum the harness compares.

#include <stdint.h>
#include <stddef.h>
#include <emmintrin.h>

#define NOINLINE __attribute__((noinline))

// ---- freestanding helpers (gcc may emit calls to these) -------------------------------------

void *memcpy(void *dst, const void *src, size_t n) {
  void *d = dst;
  __asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
  return dst;
}

void *memset(void *dst, int c, size_t n) {
  void *d = dst;
  __asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
  return dst;
}

void *memmove(void *dst, const void *src, size_t n) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (d <= s || d >= s + n) return memcpy(dst, src, n);
  while (n--) d[n] = s[n];
  return dst;
}

int memcmp(const void *a, const void *b, size_t n) {
  const unsigned char *x = a, *y = b;
  for (size_t i = 0; i < n; i++)
    if (x[i] != y[i]) return x[i] - y[i];
  return 0;
}

// ---- memory: dependent loads and stores over a 16 KiB array ----------------------------------

static uint32_t words[4096];
static uint64_t quads[1024];

NOINLINE uint64_t k_memory(uint64_t n) {
  for (int i = 0; i < 4096; i++) words[i] = (uint32_t)i * 2654435761u;
  for (int i = 0; i < 1024; i++) quads[i] = (uint64_t)i << 33 | (uint64_t)i;
  uint64_t sum = 0;
  for (uint64_t r = 0; r < n; r++) {
    for (int i = 1; i < 4096; i++) {
      uint32_t v = words[i - 1] + words[(i * 13) & 4095];
      words[i] = v ^ (v >> 3);
      sum += v;
    }
    for (int i = 0; i < 1023; i++) {
      uint64_t q = quads[i + 1];
      quads[i] = q + (sum & 0xff);
      sum ^= q;
    }
    uint16_t *h = (uint16_t *)words;
    uint8_t *b = (uint8_t *)quads;
    for (int i = 0; i < 512; i++) sum += h[i * 3] + b[i * 5];
  }
  return sum;
}

// ---- ALU: integer mixing (add, xor, shifts, rotates, multiply, lea, cmov) ---------------------

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

NOINLINE uint64_t k_alu(uint64_t n) {
  uint64_t s0 = 0x9e3779b97f4a7c15ull, s1 = 0xbf58476d1ce4e5b9ull;
  uint32_t a = 1, b = 2;
  uint64_t acc = 0;
  for (uint64_t i = 0; i < n; i++) {
    uint64_t x = s0, y = s1; // xoroshiro128+
    uint64_t r = x + y;
    y ^= x;
    s0 = rotl(x, 24) ^ y ^ (y << 16);
    s1 = rotl(y, 37);
    acc += r * 0x94d049bb133111ebull;
    acc ^= acc >> 31;
    a = a * 1664525u + 1013904223u;
    b ^= a + (b << 5) + (b >> 2);
    int32_t sa = (int32_t)a;
    acc += sa < 0 ? (uint64_t)(-sa) : (uint64_t)sa * 3;
    acc -= (b & 0xff) * 9 + (uint64_t)(uint16_t)(a >> 7);
  }
  return acc ^ a ^ b;
}

// ---- branches: Collatz walks and a small bubble sort (data-dependent branches) ---------------

NOINLINE uint64_t k_branch(uint64_t n) {
  uint64_t steps = 0;
  for (uint64_t start = 1; start <= n; start++) {
    uint64_t x = start;
    while (x != 1) {
      x = (x & 1) ? 3 * x + 1 : x >> 1;
      steps++;
    }
  }
  int32_t v[48];
  uint32_t seed = (uint32_t)n;
  for (int round = 0; round < 8; round++) {
    for (int i = 0; i < 48; i++) {
      seed = seed * 1103515245u + 12345u;
      v[i] = (int32_t)(seed >> 8) - (1 << 22);
    }
    for (int i = 0; i < 48; i++)
      for (int j = 0; j + 1 < 48 - i; j++)
        if (v[j] > v[j + 1]) {
          int32_t t = v[j];
          v[j] = v[j + 1];
          v[j + 1] = t;
        }
    steps += (uint32_t)v[0] ^ (uint32_t)v[47];
  }
  return steps;
}

// ---- calls: recursion, indirect calls through a table, push/pop of callee-saved registers ----

NOINLINE uint64_t fib(uint32_t k) { return k < 2 ? k : fib(k - 1) + fib(k - 2); }

NOINLINE uint64_t op_add(uint64_t a, uint64_t b) { return a + b; }
NOINLINE uint64_t op_xor(uint64_t a, uint64_t b) { return a ^ (b << 1); }
NOINLINE uint64_t op_mul(uint64_t a, uint64_t b) { return a * (b | 1); }
NOINLINE uint64_t op_sub(uint64_t a, uint64_t b) { return a - (b >> 3); }
static uint64_t (*volatile const ops[4])(uint64_t, uint64_t) = {op_add, op_xor, op_mul, op_sub};

NOINLINE uint64_t k_call(uint64_t n) {
  uint64_t acc = 0;
  for (uint64_t i = 0; i < n; i++) {
    acc += fib(12 + (i & 3));
    for (uint64_t j = 0; j < 64; j++) acc = ops[(acc ^ j) & 3](acc, j);
  }
  return acc;
}

// ---- strings: rep movs/stos, byte scanning, compares ------------------------------------------

static uint8_t src[8192], dst[8192];

static inline void rep_movsq(void *d, const void *s, size_t q) {
  __asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) : : "memory");
}

static inline size_t scan_zero(const uint8_t *p, size_t max) {
  const uint8_t *start = p;
  size_t c = max;
  __asm__ volatile("repne scasb" : "+D"(p), "+c"(c) : "a"(0) : "memory", "cc");
  return (size_t)(p - start) - 1;
}

NOINLINE uint64_t k_string(uint64_t n) {
  for (int i = 0; i < 8192; i++) src[i] = (uint8_t)(i * 7 + 1) | 1;
  memset(dst, 0, sizeof dst);
  uint64_t acc = 0;
  for (uint64_t r = 0; r < n; r++) {
    size_t len = 512 + (r * 97) % 3000;
    memcpy(dst, src + (r & 63), len);
    memset(dst + len, 0, 64);
    rep_movsq(dst + 4096, src + 8, 256);
    acc += scan_zero(dst, 8192);
    acc += memcmp(dst, src + (r & 63), 256) == 0;
    acc += dst[len - 1] + dst[4096 + (r & 1023)];
    memmove(dst + 1, dst, 1024);
    acc ^= dst[(r * 13) & 1023];
  }
  return acc;
}

// ---- SSE: packed float and integer SIMD plus scalar double math ------------------------------

static float fa[1024] __attribute__((aligned(16))), fb[1024] __attribute__((aligned(16)));
static uint8_t text[4096] __attribute__((aligned(16)));

NOINLINE uint64_t k_sse(uint64_t n) {
  for (int i = 0; i < 1024; i++) {
    fa[i] = (float)i * 0.5f;
    fb[i] = 1.0f / (float)(i + 1);
  }
  for (int i = 0; i < 4096; i++) text[i] = (uint8_t)('a' + i % 26);
  text[4095] = 0;
  uint64_t acc = 0;
  double d = 1.0;
  for (uint64_t r = 0; r < n; r++) {
    __m128 sum = _mm_setzero_ps();
    for (int i = 0; i < 1024; i += 4) {
      __m128 x = _mm_load_ps(fa + i), y = _mm_load_ps(fb + i);
      sum = _mm_add_ps(sum, _mm_mul_ps(x, y));
    }
    sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
    sum = _mm_add_ss(sum, _mm_shuffle_ps(sum, sum, 1));
    acc += (uint64_t)_mm_cvtss_si32(sum);
    // strlen the way glibc does it: compare 16 bytes at a time with pcmpeqb/pmovmskb.
    const __m128i zero = _mm_setzero_si128();
    __m128i h = _mm_set1_epi32((int)r);
    int len = 0;
    for (;; len += 16) {
      __m128i chunk = _mm_load_si128((const __m128i *)(text + len));
      h = _mm_add_epi32(_mm_xor_si128(h, chunk), _mm_slli_epi32(h, 3));
      int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(chunk, zero));
      if (mask) {
        len += __builtin_ctz(mask);
        break;
      }
    }
    acc += (uint64_t)len + (uint32_t)_mm_cvtsi128_si32(h);
    for (int i = 0; i < 64; i++) d = d * 1.0000001 + (double)i / (d + 3.0);
    fa[r & 1023] += 0.25f;
  }
  return acc + (uint64_t)(int64_t)d;
}

// ---- mixed: hashing strings into an open-addressing table, switch dispatch -------------------

struct entry {
  uint64_t key;
  uint32_t count;
  uint32_t next;
};
static struct entry table[4096];

static inline uint64_t popcount64(uint64_t x) {
  x -= (x >> 1) & 0x5555555555555555ull;
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
  return (x * 0x0101010101010101ull) >> 56;
}

static uint64_t fnv1a(const uint8_t *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h;
}

NOINLINE uint64_t k_hash(uint64_t n) {
  uint8_t word[16];
  uint32_t seed = 7;
  uint64_t acc = 0;
  for (uint64_t i = 0; i < n; i++) {
    if ((i & 2047) == 0) memset(table, 0, sizeof table); // keep the table at most half full
    seed = seed * 1103515245u + 12345u;
    size_t len = 3 + (seed >> 28) % 8;
    for (size_t k = 0; k < len; k++) word[k] = (uint8_t)('a' + ((seed >> (k * 3)) & 7));
    uint64_t key = fnv1a(word, len);
    uint32_t slot = (uint32_t)key & 4095;
    while (table[slot].key != 0 && table[slot].key != key) slot = (slot + 1) & 4095;
    table[slot].key = key;
    table[slot].count++;
    switch (table[slot].count & 7) {
    case 0: acc += key >> 7; break;
    case 1: acc ^= key; break;
    case 2: acc = acc * 31 + slot; break;
    case 3: acc -= len; break;
    case 4: acc += table[(slot + 1) & 4095].count; break;
    case 5: acc = (acc << 3) | (acc >> 61); break;
    case 6: acc += popcount64(key); break;
    default: acc ^= slot * 0x9e3779b9u; break;
    }
  }
  return acc;
}

// ---- dispatch -------------------------------------------------------------------------------

typedef uint64_t (*kernel_fn)(uint64_t);
const kernel_fn kernels[] = {k_memory, k_alu, k_branch, k_call, k_string, k_sse, k_hash};
const int kernel_count = sizeof kernels / sizeof kernels[0];

uint64_t run_kernel(uint64_t index, uint64_t n) {
  return index < (uint64_t)kernel_count ? kernels[index](n) : ~0ull;
}
