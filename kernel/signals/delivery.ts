// Signal delivery as Linux x86-64 does it on the way back to user mode (kernel/signal.c,
// arch/x86/kernel/signal.c): picking the next signal, default actions, the handler's rt_sigframe
// on the user or alternate stack, the mask while the handler runs, syscall restarts
// (ERESTARTSYS and friends), forced fault signals, and the per-thread signal bookkeeping that
// rt_sigreturn (kernel/syscalls/sigreturn.ts) undoes.

import { type Cpu, RAX, RDI, RDX, RSI, RSP } from "../../core/cpu/cpu.ts";
import {
  type CpuException,
  PF_PRESENT,
  PF_USER,
  VEC_BP,
  VEC_DB,
  VEC_PF,
} from "../../core/cpu/exceptions.ts";
import { DF, getFlags, setFlags, TF } from "../../core/cpu/flags.ts";
import { loadFxsave, MXCSR_MASK, storeFxsave } from "../../core/cpu/ops/sse-state.ts";
import {
  EINTR,
  ERESTART_RESTARTBLOCK,
  ERESTARTNOHAND,
  ERESTARTNOINTR,
  ERESTARTSYS,
} from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { TASK_SIZE } from "../mm/address-space.ts";
import type { Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import { signalForException } from "./faults.ts";
import { recordSignalInfo, takeSignal } from "./queue.ts";
import {
  type AltStack,
  describeSigInfo,
  encodeFrame,
  encodeSigInfo,
  FPSTATE_ALIGN,
  FPSTATE_SIZE,
  FRAME_SIGINFO,
  FRAME_SIZE,
  FRAME_UCONTEXT,
  kernelSigInfo,
  type SigInfo,
  UC_SIGCONTEXT_SS,
  UC_STRICT_RESTORE_SS,
} from "./sigframe.ts";
import {
  defaultAction,
  SIG_DFL,
  SIG_IGN,
  type SigAction,
  sigBit,
  SIGBUS,
  SIGFPE,
  SIGILL,
  SIGKILL,
  signalName,
  SIGSEGV,
  SIGSTOP,
  SIGSYS,
  SIGTRAP,
} from "./signals.ts";

// sa_flags bits (uapi asm-generic/signal.h and x86's SA_RESTORER).
export const SA_NOCLDSTOP = 0x1;
export const SA_NOCLDWAIT = 0x2;
export const SA_SIGINFO = 0x4;
export const SA_RESTORER = 0x04000000;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000;

// sigaltstack ss_flags.
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
export const SS_AUTODISARM = 0x80000000;
export const MINSIGSTKSZ = 2048;

/** __NR_restart_syscall: what an ERESTART_RESTARTBLOCK call becomes when no handler runs. */
export const NR_RESTART_SYSCALL = 219;
/** The x86-64 red zone below RSP that a signal frame must not overwrite. */
const RED_ZONE = 128;
/** Length of the `syscall` instruction, which a restart executes again. */
const SYSCALL_INSN_LENGTH = 2;
const RF = 0x10000;

/** SIGKILL and SIGSTOP (low word): never blocked. */
const UNBLOCKABLE_LOW = sigBit(SIGKILL)[1] | sigBit(SIGSTOP)[1];
/** Fault signals the kernel dequeues before any other (SYNCHRONOUS_MASK). */
const SYNCHRONOUS = new Set([SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS]);

/** init_fpstate as an FXSAVE image: FCW 0x37f, MXCSR 0x1f80, everything else empty. */
const INIT_FXSAVE = new Uint8Array(FPSTATE_SIZE);
{
  const dv = new DataView(INIT_FXSAVE.buffer);
  dv.setUint16(0, 0x37f, true);
  dv.setUint32(24, 0x1f80, true);
  dv.setUint32(28, MXCSR_MASK, true);
}

/** What restart_syscall runs again (Linux's restart_block.fn). */
export type RestartFn = (task: Task, kernel: Kernel) => number | Promise<number>;

/** Per-thread signal state the Task does not carry itself. */
export interface SignalState {
  /** The last hardware trap (thread.trap_nr, error_code, cr2), reported in the sigcontext. */
  trapno: number;
  err: number;
  cr2: number;
  /** The mask sigsuspend/ppoll/pselect replaced, put back after delivery (TIF_RESTORE_SIGMASK). */
  savedMask: [number, number] | null;
  /** What restart_syscall resumes; null makes it fail with EINTR. */
  restart: RestartFn | null;
  /** Number of the syscall now returning (orig_ax), or -1 when the kernel did not report it. */
  syscallNr: number;
  /** kernel.stats.syscalls at the last rt_sigreturn: its return skips the restart checks. */
  sigreturnAt: number;
}

const states = new WeakMap<Task, SignalState>();

export function signalState(task: Task): SignalState {
  let st = states.get(task);
  if (st === undefined) {
    st = {
      trapno: 0,
      err: 0,
      cr2: 0,
      savedMask: null,
      restart: null,
      syscallNr: -1,
      sigreturnAt: -1,
    };
    states.set(task, st);
  }
  return st;
}

// ---- for the kernel and the syscalls ------------------------------------------------------------

/** The kernel reports the syscall it is running (Linux's orig_ax) so a restart can re-issue it. */
export function recordSyscallNumber(task: Task, nr: number): void {
  signalState(task).syscallNr = nr;
}

// Pending instances and their siginfos live in queue.ts (recordSignalInfo before sendSignal).
export { recordSignalInfo, takeSignal };

/** sigsuspend, ppoll, pselect6: `mask` applies while waiting and the old one after delivery. */
export function replaceSigmaskUntilDelivery(task: Task, low: number, high: number): void {
  const st = signalState(task);
  if (st.savedMask === null) st.savedMask = [task.sigmaskLow, task.sigmaskHigh];
  setBlocked(task, low, high);
}

/** Put back a mask replaced by replaceSigmaskUntilDelivery when the call ends without a signal. */
export function restoreSavedSigmask(task: Task): void {
  const st = signalState(task);
  if (st.savedMask === null) return;
  setBlocked(task, st.savedMask[0], st.savedMask[1]);
  st.savedMask = null;
}

/** A call returning -ERESTART_RESTARTBLOCK registers how restart_syscall continues it. */
export function setRestartBlock(task: Task, fn: RestartFn): void {
  signalState(task).restart = fn;
}

/** set_current_blocked(): SIGKILL and SIGSTOP can never be blocked. */
export function setBlocked(task: Task, low: number, high: number): void {
  task.sigmaskLow = (low & ~UNBLOCKABLE_LOW) >>> 0;
  task.sigmaskHigh = high >>> 0;
}

export function isBlocked(task: Task, sig: number): boolean {
  const [word, bit] = sigBit(sig);
  return ((word === 0 ? task.sigmaskLow : task.sigmaskHigh) & bit) !== 0;
}

/** __on_sig_stack(): `sp` lies in the alternate stack (the stack grows down, so sp == base+size). */
export function withinAltStack(alt: AltStack, sp: number): boolean {
  return sp > alt.sp && sp - alt.sp <= alt.size;
}

/** on_sig_stack(): with SS_AUTODISARM a thread is never considered to be on it. */
export function onSigStack(alt: AltStack, sp: number): boolean {
  return !(alt.flags & SS_AUTODISARM) && withinAltStack(alt, sp);
}

/** sas_ss_flags(): SS_DISABLE, SS_ONSTACK or 0 for stack pointer `sp`. */
export function altStackFlags(alt: AltStack, sp: number): number {
  if (alt.size === 0) return SS_DISABLE;
  return onSigStack(alt, sp) ? SS_ONSTACK : 0;
}

// ---- faults -------------------------------------------------------------------------------------

/**
 * The siginfo for a CPU exception in user mode, recording the trap for the sigcontext. #BP and
 * INT1's #DB are traps: RIP moves past the instruction, as Linux reports them.
 * `pageFaultCode` is the SEGV_MAPERR/SEGV_ACCERR the address space decided for a #PF.
 */
export function userFaultInfo(task: Task, cpu: Cpu, e: CpuException, pageFaultCode = 0): SigInfo {
  const st = signalState(task);
  if (e.vector === VEC_BP || e.vector === VEC_DB) cpu.rip += trapInstructionLength(task, cpu.rip);
  const fault = signalForException(e, cpu.rip);
  st.trapno = e.vector;
  st.err = e.errorCode;
  let code = fault.code;
  if (e.vector === VEC_PF) {
    const kernelAddress = e.address < 0 || e.address >= TASK_SIZE;
    st.err = e.errorCode | PF_USER | (kernelAddress ? PF_PRESENT : 0);
    st.cr2 = e.address;
    if (pageFaultCode !== 0) code = pageFaultCode;
  }
  return { signo: fault.signal, code, kind: "fault", addr: fault.address };
}

/** Length of the INT3 / INT 3 / INT1 at `rip` (after any prefixes); 0 for anything else. */
function trapInstructionLength(task: Task, rip: number): number {
  try {
    for (let n = 0; n < 15; n++) {
      const b = task.proc.user.u8At(rip + n);
      if (b === 0xcc || b === 0xf1) return n + 1;
      if (b === 0xcd) return n + 2;
      const prefix = b === 0x66 || b === 0x67 || b === 0xf0 || b === 0xf2 || b === 0xf3 ||
        (b & 0xe7) === 0x26 || b === 0x64 || b === 0x65 || (b & 0xf0) === 0x40;
      if (!prefix) return 0;
    }
  } catch (e) {
    if (!(e instanceof SyscallError)) throw e;
  }
  return 0;
}

/**
 * force_sig_info(): a signal the thread cannot refuse. If blocked or ignored (or `fatal`), its
 * action becomes SIG_DFL and it is unblocked, so the fault kills rather than loops.
 */
export function forceSignal(kernel: Kernel, task: Task, info: SigInfo, fatal = false): void {
  const sig = info.signo;
  const action = task.proc.sigactions[sig];
  const blocked = isBlocked(task, sig);
  if (blocked || fatal || action.handler === SIG_IGN) {
    task.proc.sigactions[sig] = { ...action, handler: SIG_DFL };
    if (blocked) {
      const [word, bit] = sigBit(sig);
      if (word === 0) task.sigmaskLow = (task.sigmaskLow & ~bit) >>> 0;
      else task.sigmaskHigh = (task.sigmaskHigh & ~bit) >>> 0;
    }
  }
  recordSignalInfo(task, info);
  kernel.sendSignal(task, sig);
}

/** force_sigsegv(): a frame for `sig` could not be built; a SIGSEGV frame failing is fatal. */
function forceSigsegv(kernel: Kernel, task: Task, sig: number): void {
  forceSignal(kernel, task, kernelSigInfo(SIGSEGV), sig === SIGSEGV);
}

// ---- delivery -----------------------------------------------------------------------------------

/**
 * Deliver what is pending and unblocked, as on Linux's return to user mode: SIGKILL first, then
 * fault signals, then the lowest number. Each handler gets a frame (nested frames when several
 * are due); `die` ends the process for a default action that kills and `stop` stops it (job
 * control; false when the stop was discarded, an orphaned process group). `fromSyscall`: the CPU is
 * returning from a syscall, whose -ERESTART* result is turned into a restart or EINTR.
 */
export function deliverSignals(
  kernel: Kernel,
  task: Task,
  fromSyscall: boolean,
  die: (sig: number) => void,
  stop: (sig: number) => boolean,
): void {
  const cpu = kernel.cpu;
  const st = signalState(task);
  let restartPending = fromSyscall && st.sigreturnAt !== kernel.stats.syscalls;
  for (;;) {
    if (task.proc.exitStatus !== null) return;
    if (task.pending.has(SIGKILL)) {
      takeSignal(task, SIGKILL);
      return die(SIGKILL);
    }
    const sig = nextSignal(task);
    if (sig === 0) {
      // Nothing (more) to deliver: restart a call no handler interrupted, and put back a mask
      // sigsuspend replaced, which may unblock signals that are then delivered in turn.
      if (restartPending) restartWithoutHandler(cpu, st);
      restartPending = false;
      if (st.savedMask === null) return;
      restoreSavedSigmask(task);
      continue;
    }
    const info = takeSignal(task, sig);
    if (info === null) continue; // a POSIX timer's signal, dropped since it was queued
    kernel.strace?.(`--- ${signalName(sig)} ${describeSigInfo(info)} ---`);
    const action = task.proc.sigactions[sig];
    if (action.handler === SIG_IGN) continue;
    if (action.handler === SIG_DFL) {
      const kind = defaultAction(sig);
      if (kind === "terminate" || kind === "core") return die(sig);
      if (kind === "stop" && stop(sig)) return;
      continue; // "ignore", and "continue" (SIGCONT resumed the process when it was sent)
    }
    if (restartPending) {
      restartAfterHandler(cpu, st, action.flags);
      restartPending = false;
    }
    if (action.flags & SA_RESETHAND) task.proc.sigactions[sig] = { ...action, handler: SIG_DFL };
    if (setupFrame(kernel, task, sig, action, info)) signalDelivered(task, st, sig, action);
    else forceSigsegv(kernel, task, sig);
  }
}

/** next_signal(): the lowest pending unblocked signal, fault signals before the rest; 0 if none. */
function nextSignal(task: Task): number {
  let lowest = 0;
  let lowestSynchronous = 0;
  for (const sig of task.pending) {
    if (isBlocked(task, sig)) continue;
    if (SYNCHRONOUS.has(sig)) {
      if (lowestSynchronous === 0 || sig < lowestSynchronous) lowestSynchronous = sig;
    } else if (lowest === 0 || sig < lowest) lowest = sig;
  }
  return lowestSynchronous || lowest;
}

/** handle_signal()'s restart rules: a handler is about to run. */
function restartAfterHandler(cpu: Cpu, st: SignalState, saFlags: number): void {
  switch (-cpu.regNumber(RAX)) {
    case ERESTART_RESTARTBLOCK:
    case ERESTARTNOHAND:
      cpu.setRegFromNumber(RAX, -EINTR);
      break;
    case ERESTARTSYS:
      if (!(saFlags & SA_RESTART)) {
        cpu.setRegFromNumber(RAX, -EINTR);
        break;
      }
      reissueSyscall(cpu, st.syscallNr);
      break;
    case ERESTARTNOINTR:
      reissueSyscall(cpu, st.syscallNr);
      break;
  }
}

/** arch_do_signal_or_restart()'s rules when no handler ran: the call simply starts again. */
function restartWithoutHandler(cpu: Cpu, st: SignalState): void {
  switch (-cpu.regNumber(RAX)) {
    case ERESTARTNOHAND:
    case ERESTARTSYS:
    case ERESTARTNOINTR:
      reissueSyscall(cpu, st.syscallNr);
      break;
    case ERESTART_RESTARTBLOCK:
      reissueSyscall(cpu, NR_RESTART_SYSCALL);
      break;
  }
}

/** Back up over the `syscall` instruction with RAX = `nr`; EINTR if the number is unknown. */
function reissueSyscall(cpu: Cpu, nr: number): void {
  if (nr < 0) {
    cpu.setRegFromNumber(RAX, -EINTR);
    return;
  }
  cpu.setRegFromNumber(RAX, nr);
  cpu.rip -= SYSCALL_INSN_LENGTH;
}

/**
 * get_sigframe() and __setup_rt_frame(): write the FXSAVE image and the rt_sigframe below the
 * red zone (or at the top of the alternate stack), then enter the handler. False when the
 * frame cannot be written, which costs the thread a SIGSEGV.
 */
function setupFrame(
  kernel: Kernel,
  task: Task,
  sig: number,
  action: SigAction,
  info: SigInfo,
): boolean {
  if (!(action.flags & SA_RESTORER)) return false; // x86-64 has no vDSO fallback for the return
  const handler = userAddress(action.handler);
  if (handler === null) return false;
  const cpu = kernel.cpu;
  const st = signalState(task);
  const alt = task.altStack;
  const rsp = cpu.regNumber(RSP);
  const nestedOnAltStack = onSigStack(alt, rsp);
  let sp = rsp - RED_ZONE;
  let enteringAltStack = false;
  if ((action.flags & SA_ONSTACK) && altStackFlags(alt, sp) === 0) {
    sp = alt.sp + alt.size;
    enteringAltStack = true;
  }
  const fpstate = alignDown(sp - FPSTATE_SIZE, FPSTATE_ALIGN);
  const frame = alignDown(fpstate - FRAME_SIZE, 16) - 8; // so that (rsp + 8) % 16 == 0
  if ((nestedOnAltStack || enteringAltStack) && !withinAltStack(alt, frame)) return false;

  const [maskLow, maskHigh] = st.savedMask ?? [task.sigmaskLow, task.sigmaskHigh];
  const fx = new Uint8Array(FPSTATE_SIZE);
  storeFxsave(cpu, fx, true);
  const context = encodeFrame({
    restorer: action.restorer,
    ucFlags: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS,
    altStack: alt,
    gprs: cpu.r,
    rip: cpu.rip,
    rflags: getFlags(cpu),
    trapno: st.trapno,
    err: st.err,
    cr2: st.cr2,
    fpstate,
    maskLow,
    maskHigh,
  });
  const user = task.proc.user;
  try {
    user.write(fpstate, fx);
    user.write(frame, context);
    if (action.flags & SA_SIGINFO) user.write(frame + FRAME_SIGINFO, encodeSigInfo(info));
  } catch (e) {
    if (e instanceof SyscallError) return false;
    throw e;
  }
  cpu.setRegFromNumber(RDI, sig);
  cpu.setRegFromNumber(RSI, frame + FRAME_SIGINFO);
  cpu.setRegFromNumber(RDX, frame + FRAME_UCONTEXT);
  cpu.setRegFromNumber(RAX, 0); // for handlers declared without a prototype (varargs)
  cpu.setRegFromNumber(RSP, frame);
  cpu.rip = handler;
  setFlags(cpu, getFlags(cpu) & ~(DF | TF | RF));
  resetFpu(cpu);
  return true;
}

/** fpu__clear_user_states(): the x87/SSE state a handler starts with. */
export function resetFpu(cpu: Cpu): void {
  loadFxsave(cpu, INIT_FXSAVE, true);
}

/** signal_delivered(): block sa_mask (and the signal itself unless SA_NODEFER). */
function signalDelivered(task: Task, st: SignalState, sig: number, action: SigAction): void {
  st.savedMask = null;
  let low = task.sigmaskLow | action.maskLow;
  let high = task.sigmaskHigh | action.maskHigh;
  if (!(action.flags & SA_NODEFER)) {
    const [word, bit] = sigBit(sig);
    if (word === 0) low |= bit;
    else high |= bit;
  }
  setBlocked(task, low, high);
  if (task.altStack.flags & SS_AUTODISARM) {
    task.altStack = { sp: 0, flags: SS_DISABLE, size: 0 };
  }
}

/** A handler address as the CPU's signed canonical RIP; null for a non-canonical one. */
function userAddress(v: number): number | null {
  const signed = v >= 2 ** 63 ? v - 2 ** 64 : v;
  return signed >= -(2 ** 47) && signed < 2 ** 47 ? signed : null;
}

function alignDown(v: number, alignment: number): number {
  return Math.floor(v / alignment) * alignment;
}
