// Host oracle for the x87/FXSAVE tests: runs one instruction natively per input line with a
// chosen x87 state (FRSTOR image), memory operand, RAX, RFLAGS and MXCSR, and prints the state
// after it (FNSAVE image, memory, RAX, RFLAGS, MXCSR, signal number). Memory operands address
// [rsi]. Input line: code-hex frstor-image-hex mem-hex|- rsi-offset(decimal) rax rflags mxcsr
// [xmm-hex] (the rest hex). Output line: fnsave-image-hex (or F + the kernel's FXSAVE image when a signal hit)
// mem-hex|- rax rflags mxcsr signal [@fault-offset-from-rsi] xmm-hex. The data area is two pages
// followed by a guard page: an rsi-offset near 8192 makes the operand cross into it.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

struct ctx {
  uint8_t image[112];    // 0: FRSTOR/FNSAVE image (108 bytes)
  uint64_t rax;          // 112
  uint64_t rflags;       // 120
  uint32_t mxcsr;        // 128
  uint32_t pad;
  uint64_t mem;          // 136: rsi value
  uint8_t xmm[256];      // 144: XMM0..XMM15
};

static sigjmp_buf jump;
static volatile int caught;
static uint8_t faultState[512];
static uintptr_t faultAddress;
static void onSignal(int sig, siginfo_t *info, void *uctx) {
  ucontext_t *uc = uctx;
  caught = sig;
  faultAddress = (uintptr_t)info->si_addr;
  if (uc->uc_mcontext.fpregs) memcpy(faultState, uc->uc_mcontext.fpregs, 512);
  siglongjmp(jump, 1);
}

static int hexval(int c) {
  return c <= '9' ? c - '0' : (c | 32) - 'a' + 10;
}
static size_t parseHex(const char *s, uint8_t *out, size_t max) {
  size_t n = 0;
  while (s[0] && s[1] && n < max && s[0] != ' ') {
    out[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
    s += 2;
  }
  return n;
}
static void printHex(const uint8_t *p, size_t n) {
  for (size_t k = 0; k < n; k++) printf("%02x", p[k]);
}

/** Emit movdqu between XMM0..15 and the ctx's xmm array (opcode 6F load, 7F store). */
static size_t moveXmm(uint8_t *page, size_t p, uint8_t opcode) {
  for (int n = 0; n < 16; n++) {
    uint32_t disp = 144 + 16 * n;
    page[p++] = 0xf3;
    if (n >= 8) page[p++] = 0x44;
    page[p++] = 0x0f;
    page[p++] = opcode;
    page[p++] = (uint8_t)(0x83 | ((n & 7) << 3));
    memcpy(page + p, &disp, 4);
    p += 4;
  }
  return p;
}

int main(void) {
  uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  // Two data pages, then a guard page: offsets near 8192 make operands cross into it.
  uint8_t *buffer = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  mprotect(buffer + 8192, 4096, PROT_NONE);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = onSignal;
  sa.sa_flags = SA_NODEFER | SA_SIGINFO;
  sigaction(SIGFPE, &sa, NULL);
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  static char line[65536];
  static char fields[9][16384];
  while (fgets(line, sizeof line, stdin)) {
    // code image mem offset rax rflags mxcsr [xmm]
    fields[7][0] = 0;
    if (sscanf(line, "%16383s %16383s %16383s %16383s %16383s %16383s %16383s %16383s",
               fields[0], fields[1], fields[2], fields[3], fields[4], fields[5], fields[6],
               fields[7]) < 7) {
      printf("bad line\n");
      fflush(stdout);
      continue;
    }
    uint8_t code[64];
    size_t codeLen = parseHex(fields[0], code, sizeof code);
    struct ctx c;
    memset(&c, 0, sizeof c);
    parseHex(fields[1], c.image, 108);
    memset(buffer, 0, 8192);
    long offset = strtol(fields[3], NULL, 10);
    size_t room = (size_t)(8192 - offset);
    size_t memLen = fields[2][0] == '-' ? 0 : parseHex(fields[2], buffer + offset, room);
    c.rax = strtoull(fields[4], NULL, 16);
    c.rflags = strtoull(fields[5], NULL, 16);
    c.mxcsr = (uint32_t)strtoul(fields[6], NULL, 16);
    c.mem = (uint64_t)(buffer + offset);
    if (fields[7][0]) parseHex(fields[7], c.xmm, 256);
    // push rbx; mov rbx,rdi; frstor [rbx]; ldmxcsr [rbx+128]; push [rbx+120]; popfq;
    // mov rax,[rbx+112]; mov rsi,[rbx+136]; <code>; mov [rbx+112],rax; pushfq;
    // pop [rbx+120]; stmxcsr [rbx+128]; fnsave [rbx]; pop rbx; ret
    static const uint8_t pro[] = {0x53, 0x48, 0x89, 0xfb, 0xdd, 0x23, 0x0f, 0xae, 0x93, 0x80,
                                  0x00, 0x00, 0x00, 0xff, 0x73, 0x78, 0x9d, 0x48, 0x8b, 0x43,
                                  0x70, 0x48, 0x8b, 0xb3, 0x88, 0x00, 0x00, 0x00};
    static const uint8_t epi[] = {0x48, 0x89, 0x43, 0x70, 0x9c, 0x8f, 0x43, 0x78, 0x0f,
                                  0xae, 0x9b, 0x80, 0x00, 0x00, 0x00, 0xdd, 0x33, 0x5b, 0xc3};
    size_t p = 0;
    memcpy(page + p, pro, sizeof pro);
    p += sizeof pro;
    p = moveXmm(page, p, 0x6f); // movdqu xmmN, [rbx+144+16N]
    memcpy(page + p, code, codeLen);
    p += codeLen;
    p = moveXmm(page, p, 0x7f); // movdqu [rbx+144+16N], xmmN
    memcpy(page + p, epi, sizeof epi);
    caught = 0;
    if (sigsetjmp(jump, 1) == 0) {
      ((void (*)(struct ctx *))page)(&c);
    }
    if (caught) {
      // The FXSAVE image the kernel saved at the fault, instead of the FNSAVE image.
      printf("F");
      printHex(faultState, 512);
    } else printHex(c.image, 108);
    printf(" ");
    if (memLen) printHex(buffer + offset, memLen);
    else printf("-");
    printf(" %016llx %016llx %08x %d ", (unsigned long long)c.rax,
           (unsigned long long)c.rflags, c.mxcsr, caught);
    if (caught == SIGSEGV) printf("@%ld ", (long)(faultAddress - (uintptr_t)(buffer + offset)));
    printHex(c.xmm, 256);
    printf("\n");
    fflush(stdout);
  }
  return 0;
}
