// The FXSAVE image in the signal frame: a handler sees the interrupted XMM registers, MXCSR and
// x87 control word in uc_mcontext.fpregs, starts itself with the initial FPU state, and what it
// writes into the saved image (an XMM register, MXCSR) is what the interrupted code gets back.
// The signal comes from a raw tkill syscall so no C code runs between setting and reading XMM1;
// the handler also changes the saved RAX, which the code after the syscall reads.
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static unsigned entry_xmm1[4], entry_mxcsr;
static unsigned short entry_fcw;

static void on_usr1(int sig, siginfo_t *info, void *ctx) {
  (void)info;
  __asm__ volatile("movdqu %%xmm1, %0\n\t"
                   "stmxcsr %1\n\t"
                   "fnstcw %2"
                   : "=m"(entry_xmm1), "=m"(entry_mxcsr), "=m"(entry_fcw));
  ucontext_t *uc = ctx;
  struct _fpstate *fp = uc->uc_mcontext.fpregs;
  printf("handler %d: saved xmm1 %08x %08x %08x %08x, mxcsr %#x, fcw %#x\n", sig,
         fp->_xmm[1].element[0], fp->_xmm[1].element[1], fp->_xmm[1].element[2],
         fp->_xmm[1].element[3], fp->mxcsr, fp->cwd);
  printf("handler: live xmm1 %08x %08x %08x %08x, mxcsr %#x, fcw %#x\n", entry_xmm1[0],
         entry_xmm1[1], entry_xmm1[2], entry_xmm1[3], entry_mxcsr, entry_fcw);
  for (int i = 0; i < 4; i++) fp->_xmm[1].element[i] = 0xa0b0c0d0u + i;
  fp->mxcsr = 0x1f80 | (1 << 13); // round down
  uc->uc_mcontext.gregs[REG_RAX] = 0x3ff0000000000001LL; // not exact as a double-sized number
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);

  unsigned in[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444}, out[4];
  unsigned mxcsr_in = 0x1f80 | (3 << 13); // round toward zero
  unsigned short fcw_in = 0x27f;          // x87 double precision
  unsigned mxcsr_out;
  unsigned short fcw_out;
  long rax = SYS_tkill;
  long pid = getpid();
  __asm__ volatile("ldmxcsr %[mi]\n\t"
                   "fldcw %[fi]\n\t"
                   "movdqu %[in], %%xmm1\n\t"
                   "syscall\n\t"
                   "movdqu %%xmm1, %[out]\n\t"
                   "stmxcsr %[mo]\n\t"
                   "fnstcw %[fo]\n\t"
                   : "+a"(rax), [out] "=m"(out), [mo] "=m"(mxcsr_out), [fo] "=m"(fcw_out)
                   : [in] "m"(in), [mi] "m"(mxcsr_in), [fi] "m"(fcw_in), "D"(pid),
                     "S"((long)SIGUSR1)
                   : "rcx", "r11", "xmm1", "memory");
  printf("after: xmm1 %08x %08x %08x %08x, mxcsr %#x, fcw %#x, rax %#lx\n", out[0], out[1],
         out[2], out[3], mxcsr_out, fcw_out, (unsigned long)rax);
  return 0;
}
