// Native oracle for the CPU differential tests (tests/cpu-diff/). Reads test cases on stdin,
// executes each one's single instruction on the host CPU with the exact register, flag, FPU/SSE
// and memory state it describes, and writes the resulting state (or the signal it raised) on
// stdout. The binary protocol is described in tests/cpu-diff/lib/protocol.ts; layout constants
// must match tests/cpu-diff/lib/layout.ts.
//
// Built on demand: gcc -O2 -fno-stack-protector -o harness harness.c

#define _GNU_SOURCE
#include <asm/prctl.h>
#include <signal.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#define DATA_BASE 0x10000000UL
#define DATA_SIZE 0x2000UL
#define GS_BASE 0x0ff00000UL
#define CODE_BASE 0x2b1d5000UL // not a power of two: edge-value registers never point here
#define INSN_ADDR CODE_BASE
#define LANDING_OFFSET 0x80
#define SAVE_OFFSET 0x100
#define ENTRY_OFFSET 0x400
#define SLOTS 0x60000000UL // far from anything a case addresses
#define IN_FXSAVE (SLOTS + 0x000)
#define OUT_FXSAVE (SLOTS + 0x200)
#define IN_GPR (SLOTS + 0x400)
#define OUT_GPR (SLOTS + 0x480)
#define IN_RFLAGS (SLOTS + 0x500)
#define OUT_RFLAGS (SLOTS + 0x508)
#define HOST_RSP (SLOTS + 0x510)
#define MARKER (SLOTS + 0x518)
#define HOST_MXCSR (SLOTS + 0x520)
#define HOST_FCW (SLOTS + 0x528)
#define HOST_FSBASE (SLOTS + 0x530)
#define HOST_GSBASE (SLOTS + 0x538)
#define SCRATCH_TOP (SLOTS + 0x1000 - 64)

#define CASE_MAGIC 0x45534143u   // "CASE"
#define RESULT_MAGIC 0x544c5352u // "RSLT"

enum { END_FALLTHROUGH = 1, END_LANDING = 2, END_SIGNAL = 3, END_TIMEOUT = 4 };

static uint8_t *code = (uint8_t *)CODE_BASE;
static uint8_t *data = (uint8_t *)DATA_BASE;
static uint8_t data_before[DATA_SIZE];
static int have_fsgsbase;

static struct {
  int signo, code, trapno;
  uint32_t err;
  uint64_t addr, rip, rflags;
  uint64_t gpr[16];
  uint8_t fx[512];
} fault;

static sigjmp_buf jump_back;

// ---- a tiny x86-64 assembler for the fixed sequences -------------------------------------

static uint8_t *emit_p;
static void b(uint8_t x) { *emit_p++ = x; }
static void d32(uint32_t x) { memcpy(emit_p, &x, 4); emit_p += 4; }
static void abs_modrm(int reg) { b(0x04 | ((reg & 7) << 3)); b(0x25); }
// mov [abs], r64
static void store64(int r, uint32_t a) { b(0x48 | (r >= 8 ? 4 : 0)); b(0x89); abs_modrm(r); d32(a); }
// mov r64, [abs]
static void load64(int r, uint32_t a) { b(0x48 | (r >= 8 ? 4 : 0)); b(0x8b); abs_modrm(r); d32(a); }
static void jmp_to(uint64_t target) { b(0xe9); d32((uint32_t)(target - ((uint64_t)emit_p + 4))); }
static void set_marker(uint8_t v) { b(0xc6); abs_modrm(0); d32(MARKER); b(v); }

static void emit_epilogue(uint8_t *at, uint8_t marker) {
  emit_p = at;
  set_marker(marker);
  jmp_to(CODE_BASE + SAVE_OFFSET);
}

static void build_fixed_code(void) {
  // Common save sequence: every GPR to its slot, then flags and FPU state via the scratch stack,
  // then the host's state back.
  emit_p = code + SAVE_OFFSET;
  for (int r = 0; r < 16; r++) store64(r, OUT_GPR + 8 * r);
  b(0x48); b(0xc7); b(0xc4); d32(SCRATCH_TOP);             // mov rsp, SCRATCH_TOP
  b(0x9c);                                                 // pushfq
  b(0x8f); abs_modrm(0); d32(OUT_RFLAGS);                  // pop qword [OUT_RFLAGS]
  b(0x48); b(0x0f); b(0xae); abs_modrm(0); d32(OUT_FXSAVE); // fxsave64 [OUT_FXSAVE]
  b(0xdb); b(0xe3);                                        // fninit
  b(0x0f); b(0xae); abs_modrm(2); d32(HOST_MXCSR);          // ldmxcsr
  b(0xd9); abs_modrm(5); d32(HOST_FCW);                    // fldcw
  b(0x6a); b(0x02); b(0x9d);                               // push 2; popfq (clears DF/AC/TF)
  if (have_fsgsbase) {
    load64(0, HOST_FSBASE);
    b(0xf3); b(0x48); b(0x0f); b(0xae); b(0xd0);           // wrfsbase rax
    load64(0, HOST_GSBASE);
    b(0xf3); b(0x48); b(0x0f); b(0xae); b(0xd8);           // wrgsbase rax
  }
  b(0x48); b(0x8b); abs_modrm(4); d32(HOST_RSP);            // mov rsp, [HOST_RSP]
  b(0x41); b(0x5f); b(0x41); b(0x5e); b(0x41); b(0x5d); b(0x41); b(0x5c); b(0x5d); b(0x5b);
  b(0xc3);

  // Entry: called as a C function.
  emit_p = code + ENTRY_OFFSET;
  b(0x53); b(0x55); b(0x41); b(0x54); b(0x41); b(0x55); b(0x41); b(0x56); b(0x41); b(0x57);
  b(0x48); b(0x89); abs_modrm(4); d32(HOST_RSP);            // mov [HOST_RSP], rsp
  b(0x48); b(0xc7); b(0xc4); d32(SCRATCH_TOP);             // mov rsp, SCRATCH_TOP
  b(0x48); b(0x0f); b(0xae); abs_modrm(1); d32(IN_FXSAVE);  // fxrstor64 [IN_FXSAVE]
  b(0xff); abs_modrm(6); d32(IN_RFLAGS);                   // push qword [IN_RFLAGS]
  b(0x9d);                                                 // popfq
  for (int r = 0; r < 16; r++)
    if (r != 4) load64(r, IN_GPR + 8 * r);
  load64(4, IN_GPR + 32);
  jmp_to(INSN_ADDR);

  emit_epilogue(code + LANDING_OFFSET, END_LANDING);
}

// ---- faults --------------------------------------------------------------------------------

static void on_signal(int sig, siginfo_t *si, void *ucv) {
  ucontext_t *uc = ucv;
  if (have_fsgsbase) {
    // The instruction may have changed FS/GS base; glibc (siglongjmp) needs FS.
    uint64_t fs = *(uint64_t *)HOST_FSBASE, gs = *(uint64_t *)HOST_GSBASE;
    __asm__ volatile("wrfsbase %0; wrgsbase %1" ::"r"(fs), "r"(gs));
  }
  greg_t *g = uc->uc_mcontext.gregs;
  static const int order[16] = {REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                REG_R12, REG_R13, REG_R14, REG_R15};
  fault.signo = sig;
  fault.code = si->si_code;
  fault.addr = (uint64_t)si->si_addr;
  fault.trapno = (int)g[REG_TRAPNO];
  fault.err = (uint32_t)g[REG_ERR];
  fault.rip = (uint64_t)g[REG_RIP];
  fault.rflags = (uint64_t)g[REG_EFL];
  for (int r = 0; r < 16; r++) fault.gpr[r] = (uint64_t)g[order[r]];
  if (uc->uc_mcontext.fpregs) memcpy(fault.fx, uc->uc_mcontext.fpregs, 512);
  else memset(fault.fx, 0, 512);
  siglongjmp(jump_back, 1);
}

// ---- I/O -----------------------------------------------------------------------------------

static int read_exact(void *p, size_t n) { return fread(p, 1, n, stdin) == n; }
static void write_all(const void *p, size_t n) {
  if (fwrite(p, 1, n, stdout) != n) exit(3);
}
static void die(const char *msg) {
  fprintf(stderr, "cpudiff harness: %s\n", msg);
  exit(2);
}

static uint32_t xorshift_fill(uint32_t seed) {
  uint32_t x = seed ? seed : 0x9e3779b9u;
  uint32_t *w = (uint32_t *)data;
  for (size_t k = 0; k < DATA_SIZE / 4; k++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    w[k] = x;
  }
  return x;
}

static uint32_t hash_data(void) {
  uint32_t h = 0x811c9dc5u;
  const uint32_t *w = (const uint32_t *)data;
  for (size_t k = 0; k < DATA_SIZE / 4; k++) h = (h ^ w[k]) * 16777619u;
  return h;
}

static void run_case(void) {
  uint32_t magic;
  uint8_t len, insn[15];
  if (!read_exact(&magic, 4)) die("truncated case");
  if (magic != CASE_MAGIC) die("bad case magic");
  if (!read_exact(&len, 1) || !read_exact(insn, 15)) die("truncated case");
  if (len == 0 || len > 15) die("bad instruction length");
  if (!read_exact((void *)IN_GPR, 128) || !read_exact((void *)IN_RFLAGS, 8) ||
      !read_exact((void *)IN_FXSAVE, 512))
    die("truncated case");
  uint32_t seed;
  uint16_t npatch;
  if (!read_exact(&seed, 4) || !read_exact(&npatch, 2)) die("truncated case");
  xorshift_fill(seed);
  for (int k = 0; k < npatch; k++) {
    uint16_t off, n;
    if (!read_exact(&off, 2) || !read_exact(&n, 2)) die("truncated patch");
    if ((size_t)off + n > DATA_SIZE) die("patch out of range");
    if (!read_exact(data + off, n)) die("truncated patch");
  }
  uint32_t input_hash = hash_data();
  memcpy(data_before, data, DATA_SIZE);

  memset(code, 0xcc, LANDING_OFFSET);
  memcpy(code, insn, len);
  emit_epilogue(code + len, END_FALLTHROUGH);
  memset((void *)OUT_FXSAVE, 0, 512);
  memset((void *)OUT_GPR, 0, 128);
  *(volatile uint8_t *)MARKER = 0;
  if (!have_fsgsbase) syscall(SYS_arch_prctl, ARCH_SET_GS, GS_BASE);

  uint8_t end;
  alarm(2);
  if (sigsetjmp(jump_back, 1) == 0) {
    ((void (*)(void))(CODE_BASE + ENTRY_OFFSET))();
    end = *(volatile uint8_t *)MARKER;
  } else {
    end = fault.signo == SIGALRM ? END_TIMEOUT : END_SIGNAL;
  }
  alarm(0);

  uint32_t out_magic = RESULT_MAGIC;
  write_all(&out_magic, 4);
  uint8_t head[4] = {end, 0, 0, 0};
  int32_t si_code = 0;
  uint32_t err = 0;
  uint64_t addr = 0, rip, rflags;
  const void *gpr, *fx;
  if (end == END_SIGNAL || end == END_TIMEOUT) {
    head[1] = (uint8_t)fault.signo;
    head[2] = (uint8_t)fault.trapno;
    si_code = fault.code;
    err = fault.err;
    addr = fault.addr;
    rip = fault.rip;
    rflags = fault.rflags;
    gpr = fault.gpr;
    fx = fault.fx;
  } else {
    rip = INSN_ADDR + (end == END_LANDING ? LANDING_OFFSET : len);
    rflags = *(uint64_t *)OUT_RFLAGS;
    gpr = (void *)OUT_GPR;
    fx = (void *)OUT_FXSAVE;
  }
  write_all(head, 4);
  write_all(&err, 4);
  write_all(&si_code, 4);
  write_all(&input_hash, 4);
  write_all(&addr, 8);
  write_all(&rip, 8);
  write_all(gpr, 128);
  write_all(&rflags, 8);
  write_all(fx, 512);
  uint16_t changed = 0;
  for (size_t k = 0; k < DATA_SIZE; k++) changed += data[k] != data_before[k];
  write_all(&changed, 2);
  for (size_t k = 0; k < DATA_SIZE; k++) {
    if (data[k] != data_before[k]) {
      uint16_t off = (uint16_t)k;
      write_all(&off, 2);
      write_all(&data[k], 1);
    }
  }
}

int main(void) {
  have_fsgsbase = (getauxval(AT_HWCAP2) & 2) != 0;
  if (mmap((void *)DATA_BASE, DATA_SIZE, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)DATA_BASE)
    die("cannot map the data region");
  if (mmap((void *)CODE_BASE, 0x1000, PROT_READ | PROT_WRITE | PROT_EXEC,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)CODE_BASE)
    die("cannot map the code page");
  if (mmap((void *)SLOTS, 0x1000, PROT_READ | PROT_WRITE,
           MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void *)SLOTS)
    die("cannot map the state slots");

  uint32_t mxcsr = 0x1f80;
  uint16_t fcw = 0x037f;
  memcpy((void *)HOST_MXCSR, &mxcsr, 4);
  memcpy((void *)HOST_FCW, &fcw, 2);
  uint64_t fsbase = 0;
  syscall(SYS_arch_prctl, ARCH_GET_FS, &fsbase);
  *(uint64_t *)HOST_FSBASE = fsbase;
  *(uint64_t *)HOST_GSBASE = GS_BASE;
  syscall(SYS_arch_prctl, ARCH_SET_GS, GS_BASE);
  build_fixed_code();

  static uint8_t altstack[1 << 16];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
  if (sigaltstack(&ss, 0)) die("sigaltstack");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  sigemptyset(&sa.sa_mask);
  int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGALRM};
  for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
    if (sigaction(sigs[k], &sa, 0)) die("sigaction");

  static char inbuf[1 << 20], outbuf[1 << 20];
  setvbuf(stdin, inbuf, _IOFBF, sizeof inbuf);
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  uint32_t count;
  while (read_exact(&count, 4)) {
    for (uint32_t k = 0; k < count; k++) run_case();
    fflush(stdout);
  }
  return 0;
}
