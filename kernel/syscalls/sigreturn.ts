// rt_sigreturn, which a signal handler's `ret` reaches through sa_restorer: it takes the
// interrupted context back from the rt_sigframe delivery.ts built (registers, user-changeable
// flags, the FXSAVE image, the signal mask, the alternate stack), and restart_syscall, which
// resumes a call that returned -ERESTART_RESTARTBLOCK.

import { type Cpu, RSP } from "../../core/cpu/cpu.ts";
import { AC, AF, CF, DF, getFlags, OF, PF, setFlags, SF, TF, ZF } from "../../core/cpu/flags.ts";
import { loadFxsave, MXCSR_MASK } from "../../core/cpu/ops/sse-state.ts";
import { EINTR } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
import {
  forceSignal,
  MINSIGSTKSZ,
  onSigStack,
  resetFpu,
  setBlocked,
  signalState,
  SS_AUTODISARM,
  SS_DISABLE,
  SS_ONSTACK,
} from "../signals/delivery.ts";
import {
  type AltStack,
  decodeFrame,
  FPSTATE_SIZE,
  FRAME_CONTEXT_SIZE,
  kernelSigInfo,
  type ReturnedContext,
} from "../signals/sigframe.ts";
import { SIGSEGV } from "../signals/signals.ts";
import { SyscallError } from "../syscall-error.ts";
import { RESULT_IN_REGISTERS, type SyscallFamily } from "./args.ts";

/** The RFLAGS bits a frame may change (FIX_EFLAGS; RF is left out, the CPU has no use for it). */
const FIX_EFLAGS = AC | OF | DF | TF | SF | ZF | AF | PF | CF;
const TWO32 = 2 ** 32;

function rtSigreturn(task: Task, kernel: Kernel): number {
  const cpu = kernel.cpu;
  const st = signalState(task);
  st.sigreturnAt = kernel.stats.syscalls; // orig_ax = -1: no restart checks on this return
  st.restart = null; // a restart block cut short by a handler ends in EINTR
  // The handler's `ret` popped pretcode, so the frame starts 8 bytes below RSP.
  const frame = cpu.regNumber(RSP) - 8;
  let saved: ReturnedContext;
  try {
    saved = decodeFrame(task.proc.user.read(frame, FRAME_CONTEXT_SIZE));
  } catch (e) {
    return badFrame(kernel, task, e);
  }
  setBlocked(task, saved.maskLow, saved.maskHigh);
  const rip = canonicalAddress(saved.ripLow, saved.ripHigh);
  if (rip === null) return badFrame(kernel, task, null);
  cpu.r.set(saved.gprs);
  cpu.rip = rip;
  setFlags(cpu, (getFlags(cpu) & ~FIX_EFLAGS) | (saved.rflags & FIX_EFLAGS));
  try {
    if (!restoreFpstate(task, cpu, saved.fpstate)) return badFrame(kernel, task, null);
  } catch (e) {
    return badFrame(kernel, task, e);
  }
  restoreAltStack(task, saved.altStack, cpu.regNumber(RSP));
  return RESULT_IN_REGISTERS; // RAX is the interrupted code's, restored with the others
}

/** signal_fault(): a frame that cannot be read or restored costs a SIGSEGV; RAX becomes 0. */
function badFrame(kernel: Kernel, task: Task, error: unknown): number {
  if (error !== null && !(error instanceof SyscallError)) throw error;
  forceSignal(kernel, task, kernelSigInfo(SIGSEGV));
  return 0;
}

/** A 64-bit RIP as the CPU's signed canonical number; null when not canonical. */
function canonicalAddress(low: number, high: number): number | null {
  const top = (high | 0) >> 15;
  if (top !== 0 && top !== -1) return null;
  return (high | 0) * TWO32 + low;
}

/**
 * fpu__restore_sig(): FXRSTOR from the frame's fpstate, or the initial state for NULL. False
 * when FXRSTOR would fault: unreadable, misaligned, or reserved MXCSR bits set.
 */
function restoreFpstate(task: Task, cpu: Cpu, fpstate: number): boolean {
  if (fpstate === 0) {
    resetFpu(cpu);
    return true;
  }
  if (fpstate % 16 !== 0) return false;
  const image = task.proc.user.read(fpstate, FPSTATE_SIZE);
  if (new DataView(image.buffer).getUint32(24, true) & ~MXCSR_MASK) return false;
  loadFxsave(cpu, image, true);
  return true;
}

/** restore_altstack(): do_sigaltstack() with the frame's settings; its errors are ignored. */
function restoreAltStack(task: Task, next: AltStack, sp: number): void {
  const cur = task.altStack;
  if (onSigStack(cur, sp)) return; // EPERM
  const mode = (next.flags & ~SS_AUTODISARM) >>> 0;
  if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return; // EINVAL
  if (next.sp === cur.sp && next.size === cur.size && next.flags === cur.flags) return;
  if (mode === SS_DISABLE) task.altStack = { sp: 0, flags: next.flags, size: 0 };
  else if (next.size >= MINSIGSTKSZ) task.altStack = { ...next }; // smaller: ENOMEM
}

export const sigreturnSyscalls: SyscallFamily = {
  rt_sigreturn: (task, _a, kernel) => rtSigreturn(task, kernel),

  restart_syscall(task, _a, kernel) {
    const st = signalState(task);
    const resume = st.restart;
    st.restart = null;
    return resume === null ? -EINTR : resume(task, kernel);
  },
};
