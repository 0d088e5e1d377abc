// SA_SIGINFO fields and sigcontext trap details for the faults a CPU raises: SIGSEGV on an
// unmapped address (SEGV_MAPERR) and on a read-only page (SEGV_ACCERR), SIGFPE from an integer
// division by zero (FPE_INTDIV, si_addr = the idiv), SIGILL from ud2 (ILL_ILLOPN, si_addr = the
// ud2), SIGTRAP from int3 (SI_KERNEL, resuming after the int3). Each handler leaves by siglongjmp
// or by moving RIP on.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

extern char div_insn[], ud2_insn[], int3_insn[], after_int3[];

static sigjmp_buf env;
/** SIGSEGV addresses are printed relative to this (mmap addresses vary from run to run). */
static char *base;

static void show(int sig, siginfo_t *info, void *ctx) {
  ucontext_t *uc = ctx;
  greg_t *g = uc->uc_mcontext.gregs;
  printf("%-7s signo %d errno %d code %d trapno %lld", sig == SIGSEGV ? "SIGSEGV"
         : sig == SIGFPE ? "SIGFPE" : sig == SIGILL ? "SIGILL" : "SIGTRAP",
         info->si_signo, info->si_errno, info->si_code, (long long)g[REG_TRAPNO]);
  if (sig == SIGSEGV) {
    printf(" addr base+%#lx err %lld cr2 base+%#lx", (unsigned long)((char *)info->si_addr - base),
           (long long)g[REG_ERR], (unsigned long)((char *)g[REG_CR2] - base));
  } else {
    const char *where = info->si_addr == NULL ? "null"
                        : info->si_addr == (void *)div_insn ? "div_insn"
                        : info->si_addr == (void *)ud2_insn ? "ud2_insn"
                        : "elsewhere";
    printf(" addr %s rip %s", where,
           g[REG_RIP] == (greg_t)div_insn    ? "div_insn"
           : g[REG_RIP] == (greg_t)ud2_insn  ? "ud2_insn"
           : g[REG_RIP] == (greg_t)after_int3 ? "after_int3"
           : g[REG_RIP] == (greg_t)int3_insn ? "int3_insn"
                                             : "elsewhere");
  }
  printf("\n");
}

static void on_fault(int sig, siginfo_t *info, void *ctx) {
  show(sig, info, ctx);
  siglongjmp(env, 1);
}

static void on_trap(int sig, siginfo_t *info, void *ctx) {
  show(sig, info, ctx); // returning resumes after the int3
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGFPE, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  sa.sa_sigaction = on_trap;
  sigaction(SIGTRAP, &sa, NULL);

  volatile int *volatile unmapped = (volatile int *)0x2345;
  if (sigsetjmp(env, 1) == 0) *unmapped = 1;

  char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  volatile char *volatile readonly = page + 100;
  printf("read-only page reads %d\n", *readonly);
  base = page;
  if (sigsetjmp(env, 1) == 0) *readonly = 1;

  char *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  base = none;
  if (sigsetjmp(env, 1) == 0) printf("%d\n", *(volatile char *)(none + 8));

  if (sigsetjmp(env, 1) == 0) {
    __asm__ volatile("xorl %%ecx, %%ecx\n\t"
                     "movl $7, %%eax\n\t"
                     "cltd\n\t"
                     ".globl div_insn\n"
                     "div_insn:\n\t"
                     "idivl %%ecx\n\t"
                     : : : "eax", "ecx", "edx", "cc");
  }

  if (sigsetjmp(env, 1) == 0) {
    __asm__ volatile(".globl ud2_insn\n"
                     "ud2_insn:\n\t"
                     "ud2\n\t");
  }

  __asm__ volatile(".globl int3_insn\n"
                   "int3_insn:\n\t"
                   "int3\n\t"
                   ".globl after_int3\n"
                   "after_int3:\n\t");
  printf("resumed after int3\n");
  return 0;
}
