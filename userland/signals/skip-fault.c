// A SIGSEGV handler that resumes past the faulting instruction by editing
// uc_mcontext.gregs[REG_RIP], and changes other registers and flags on the way: RAX (with a
// value no double holds exactly), RBX, R12, and CF. The code after the fault sees all of them.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

extern char fault_insn[], after_fault[];

static void on_segv(int sig, siginfo_t *info, void *ctx) {
  ucontext_t *uc = ctx;
  greg_t *g = uc->uc_mcontext.gregs;
  printf("handler: sig %d addr %p rip at fault_insn %d rax %#llx\n", sig, info->si_addr,
         g[REG_RIP] == (greg_t)fault_insn, (unsigned long long)g[REG_RAX]);
  g[REG_RIP] = (greg_t)after_fault;
  g[REG_RAX] = (greg_t)0x9abcdef012345679ULL;
  g[REG_RBX] += 5;
  g[REG_R12] = -2;
  g[REG_EFL] |= 1; // CF
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);

  unsigned long rax, rbx, r12;
  unsigned char carry;
  __asm__ volatile(
      "movq $0x40, %%rax\n\t"
      "movq $100, %%rbx\n\t"
      "movq $7, %%r12\n\t"
      "clc\n\t"
      ".globl fault_insn\n"
      "fault_insn:\n\t"
      "movq (%%rax), %%rax\n\t"
      "movq $1, %%rax\n\t" // skipped: the handler resumes at after_fault
      ".globl after_fault\n"
      "after_fault:\n\t"
      "setc %3\n\t"
      "movq %%rbx, %1\n\t"
      "movq %%r12, %2\n\t"
      : "=a"(rax), "=r"(rbx), "=r"(r12), "=q"(carry)
      :
      : "rbx", "r12", "cc", "memory");
  printf("after: rax %#lx rbx %lu r12 %ld cf %d\n", rax, rbx, (long)r12, carry);
  return 0;
}
