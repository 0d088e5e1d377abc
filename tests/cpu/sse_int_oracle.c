// Host oracle for the SSE/MMX tests: runs one instruction natively per input line from a full
// register state (all GPRs but RSP, the status flags, an FXRSTOR image with the x87/MMX and XMM
// registers and MXCSR) and a data window at a fixed address, then prints the state after it.
// Input line (hex fields): code rflags gpr0..gpr15 fxsave-image data-offset data-bytes
// Output line: signal rflags gpr0..gpr15 fxsave-image data-bytes (signal 0 when none).
// The data window lives in two pages at DATA_BASE, so addresses match the emulator's.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define DATA_BASE 0x10000000UL
#define CODE_BASE 0x20000000UL

struct state {
  uint64_t gpr[16];      // 0
  uint64_t rflags;       // 128
  uint64_t pad;          // 136
  uint8_t fx[512];       // 144 (16-byte aligned within the aligned struct)
} __attribute__((aligned(64)));

__attribute__((used)) static struct state st;
__attribute__((used)) static uint64_t savedRsp;

// run(state*) -> executes the code at CODE_BASE, which jumps back to `oracle_back`.
__asm__(
    ".text\n"
    ".globl oracle_run\n"
    "oracle_run:\n"
    "  push %rbx; push %rbp; push %r12; push %r13; push %r14; push %r15\n"
    "  mov %rsp, savedRsp(%rip)\n"
    "  fxrstor st+144(%rip)\n"
    "  pushq st+128(%rip); popfq\n"
    "  mov st+0(%rip), %rax\n"
    "  mov st+8(%rip), %rcx\n"
    "  mov st+16(%rip), %rdx\n"
    "  mov st+24(%rip), %rbx\n"
    "  mov st+40(%rip), %rbp\n"
    "  mov st+48(%rip), %rsi\n"
    "  mov st+56(%rip), %rdi\n"
    "  mov st+64(%rip), %r8\n"
    "  mov st+72(%rip), %r9\n"
    "  mov st+80(%rip), %r10\n"
    "  mov st+88(%rip), %r11\n"
    "  mov st+96(%rip), %r12\n"
    "  mov st+104(%rip), %r13\n"
    "  mov st+112(%rip), %r14\n"
    "  mov st+120(%rip), %r15\n"
    "  jmp *codeAddr(%rip)\n"
    ".globl oracle_back\n"
    "oracle_back:\n"
    "  pushfq; popq st+128(%rip)\n"
    "  mov %rax, st+0(%rip)\n"
    "  mov %rcx, st+8(%rip)\n"
    "  mov %rdx, st+16(%rip)\n"
    "  mov %rbx, st+24(%rip)\n"
    "  mov %rbp, st+40(%rip)\n"
    "  mov %rsi, st+48(%rip)\n"
    "  mov %rdi, st+56(%rip)\n"
    "  mov %r8, st+64(%rip)\n"
    "  mov %r9, st+72(%rip)\n"
    "  mov %r10, st+80(%rip)\n"
    "  mov %r11, st+88(%rip)\n"
    "  mov %r12, st+96(%rip)\n"
    "  mov %r13, st+104(%rip)\n"
    "  mov %r14, st+112(%rip)\n"
    "  mov %r15, st+120(%rip)\n"
    "  fxsave st+144(%rip)\n"
    "  cld\n"
    "  mov savedRsp(%rip), %rsp\n"
    "  pop %r15; pop %r14; pop %r13; pop %r12; pop %rbp; pop %rbx\n"
    "  ret\n");
void oracle_run(void);
void oracle_back(void);
uint64_t codeAddr = CODE_BASE;

static sigjmp_buf jump;
static volatile int caught;
static void onSignal(int sig) {
  caught = sig;
  siglongjmp(jump, 1);
}

static int hexval(int c) {
  return c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
}
static size_t parseHex(const char *s, uint8_t *out, size_t max) {
  size_t n = 0;
  while (s[0] && s[1] && n < max && s[0] != ' ' && s[0] != '\n') {
    out[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
    s += 2;
  }
  return n;
}
static void printHex(const uint8_t *p, size_t n) {
  for (size_t k = 0; k < n; k++) printf("%02x", p[k]);
}
static char *nextField(char **cursor) {
  char *s = *cursor;
  while (*s == ' ') s++;
  char *start = s;
  while (*s && *s != ' ' && *s != '\n') s++;
  if (*s) *s++ = 0;
  *cursor = s;
  return start;
}

int main(void) {
  uint8_t *data = mmap((void *)DATA_BASE, 8192, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  uint8_t *code = mmap((void *)CODE_BASE, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (data != (void *)DATA_BASE || code != (void *)CODE_BASE) {
    fprintf(stderr, "cannot map the fixed windows\n");
    return 1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = onSignal;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGFPE, &sa, NULL);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  static char line[1 << 16];
  while (fgets(line, sizeof line, stdin)) {
    char *cur = line;
    uint8_t bytes[64];
    size_t codeLen = parseHex(nextField(&cur), bytes, sizeof bytes);
    memset(&st, 0, sizeof st);
    st.rflags = strtoull(nextField(&cur), NULL, 16);
    for (int r = 0; r < 16; r++) st.gpr[r] = strtoull(nextField(&cur), NULL, 16);
    parseHex(nextField(&cur), st.fx, 512);
    size_t offset = strtoul(nextField(&cur), NULL, 16);
    memset(data, 0, 8192);
    size_t dataLen = parseHex(nextField(&cur), data + offset, 8192 - offset);
    memcpy(code, bytes, codeLen);
    // jmp *[rip+0]; .quad oracle_back
    static const uint8_t jmpBack[] = {0xff, 0x25, 0, 0, 0, 0};
    memcpy(code + codeLen, jmpBack, sizeof jmpBack);
    uint64_t back = (uint64_t)oracle_back;
    memcpy(code + codeLen + sizeof jmpBack, &back, 8);
    caught = 0;
    if (sigsetjmp(jump, 1) == 0) oracle_run();
    printf("%d %llx", caught, (unsigned long long)st.rflags);
    for (int r = 0; r < 16; r++) printf(" %llx", (unsigned long long)st.gpr[r]);
    printf(" ");
    printHex(st.fx, 512);
    printf(" ");
    if (dataLen) printHex(data + offset, dataLen);
    else printf("-");
    printf("\n");
    fflush(stdout);
  }
  return 0;
}
