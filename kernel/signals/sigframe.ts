// Byte layouts of Linux's x86-64 signal frame (arch/x86/include/asm/sigframe.h and the uapi
// headers): struct rt_sigframe = pretcode, struct ucontext (uc_flags, uc_link, uc_stack, the
// struct sigcontext in uc_mcontext, uc_sigmask) and struct siginfo; the 512-byte FXSAVE image
// (fpstate) sits above it. Encoding and decoding only: delivery.ts decides where a frame goes.

import { RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP } from "../../core/cpu/cpu.ts";
import { SIGBUS, SIGCHLD, SIGFPE, SIGILL, signalName, SIGSEGV, SIGTRAP } from "./signals.ts";
import { getU64, setI64 } from "../le64.ts";

/** sizeof(struct rt_sigframe). */
export const FRAME_SIZE = 440;
/** Offsets inside the frame. */
export const FRAME_UCONTEXT = 8;
export const FRAME_SIGINFO = 312;
/** The part of the frame before the siginfo: what rt_sigreturn reads back. */
export const FRAME_CONTEXT_SIZE = FRAME_SIGINFO;
export const SIGINFO_SIZE = 128;
/** The fpstate area: a plain FXSAVE image (no XSAVE on this CPU), 64-byte aligned. */
export const FPSTATE_SIZE = 512;
export const FPSTATE_ALIGN = 64;
/**
 * AT_MINSIGSTKSZ as Linux computes it (init_sigframe_size): the frame, the fpstate with its
 * alignment slack, and the final 16-byte alignment, rounded up to 16.
 */
export const SIGNAL_FRAME_MAX_SIZE =
  Math.ceil((FRAME_SIZE + FPSTATE_SIZE + FPSTATE_ALIGN + 15) / 16) * 16;

const UC_FLAGS = 8;
const UC_LINK = 16;
const UC_STACK_SP = 24;
const UC_STACK_FLAGS = 32;
const UC_STACK_SIZE = 40;
const UC_MCONTEXT = 48;
const UC_SIGMASK = 304;

// struct sigcontext, relative to uc_mcontext.
const SC_RIP = 128;
const SC_EFLAGS = 136;
const SC_CS = 144;
const SC_SS = 150;
const SC_ERR = 152;
const SC_TRAPNO = 160;
const SC_OLDMASK = 168;
const SC_CR2 = 176;
const SC_FPSTATE = 184;

/** Where each general register (by CPU number, RAX..R15) lives in struct sigcontext. */
const SC_REGISTER = new Array<number>(16);
SC_REGISTER[RAX] = 104;
SC_REGISTER[RCX] = 112;
SC_REGISTER[RDX] = 96;
SC_REGISTER[RBX] = 88;
SC_REGISTER[RSP] = 120;
SC_REGISTER[RBP] = 80;
SC_REGISTER[RSI] = 72;
SC_REGISTER[RDI] = 64;
for (let n = 0; n < 8; n++) SC_REGISTER[8 + n] = 8 * n; // R8..R15

export const UC_FP_XSTATE = 1;
export const UC_SIGCONTEXT_SS = 2;
export const UC_STRICT_RESTORE_SS = 4;
/** The selectors Linux's 64-bit user mode runs with (__USER_CS, __USER_DS). */
export const USER_CS = 0x33;
export const USER_DS = 0x2b;

// ---- siginfo ----------------------------------------------------------------------------------

export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_QUEUE = -1;
export const SI_TIMER = -2;
export const SI_TKILL = -6;

interface SigInfoHead {
  signo: number;
  code: number;
  errno?: number;
}

/** struct siginfo by the union member that follows si_code. */
export type SigInfo =
  & SigInfoHead
  & (
    | { kind: "kill"; pid: number; uid: number } // kill, tkill, and the kernel's own (SI_KERNEL)
    | { kind: "fault"; addr: number } // SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP
    | { kind: "rt"; pid: number; uid: number; value: bigint } // sigqueue (value: the sigval)
    | { kind: "timer"; timerId: number; overrun: number; value: bigint } // POSIX timers
    | { kind: "child"; pid: number; uid: number; status: number; utime: number; stime: number }
    | { kind: "poll"; band: number; fd: number } // SIGIO
    | { kind: "raw"; fields: Uint8Array } // rt_sigqueueinfo: the union's 32 bytes as given
  );

/** sizeof(struct kernel_siginfo): what the kernel keeps of a siginfo; the rest reads as zeros. */
export const KERNEL_SIGINFO_SIZE = 48;
/** Where the union after si_code starts, and its size in struct kernel_siginfo. */
export const SIGINFO_FIELDS = 16;
export const SIGINFO_FIELDS_SIZE = KERNEL_SIGINFO_SIZE - SIGINFO_FIELDS;

/** What a signal raised by the kernel itself carries (SEND_SIG_PRIV). */
export function kernelSigInfo(signo: number): SigInfo {
  return { signo, code: SI_KERNEL, kind: "kill", pid: 0, uid: 0 };
}

/** The 128-byte struct siginfo. */
export function encodeSigInfo(info: SigInfo): Uint8Array {
  const out = new Uint8Array(SIGINFO_SIZE);
  const dv = new DataView(out.buffer);
  dv.setInt32(0, info.signo, true);
  dv.setInt32(4, info.errno ?? 0, true);
  dv.setInt32(8, info.code, true);
  switch (info.kind) {
    case "kill":
      dv.setInt32(16, info.pid, true);
      dv.setUint32(20, info.uid >>> 0, true);
      break;
    case "fault":
      setI64(dv, 16, info.addr);
      break;
    case "rt":
      dv.setInt32(16, info.pid, true);
      dv.setUint32(20, info.uid >>> 0, true);
      dv.setBigUint64(24, BigInt.asUintN(64, info.value), true);
      break;
    case "timer":
      dv.setInt32(16, info.timerId, true);
      dv.setInt32(20, info.overrun, true);
      dv.setBigUint64(24, BigInt.asUintN(64, info.value), true);
      break;
    case "child":
      dv.setInt32(16, info.pid, true);
      dv.setUint32(20, info.uid >>> 0, true);
      dv.setInt32(24, info.status, true);
      setI64(dv, 32, info.utime);
      setI64(dv, 40, info.stime);
      break;
    case "poll":
      setI64(dv, 16, info.band);
      dv.setInt32(24, info.fd, true);
      break;
    case "raw":
      out.set(info.fields.subarray(0, SIGINFO_FIELDS_SIZE), SIGINFO_FIELDS);
      break;
  }
  return out;
}

/** A user-supplied struct siginfo (rt_sigqueueinfo): what the kernel keeps of it, for `signo`. */
export function decodeUserSigInfo(bytes: Uint8Array, signo: number): SigInfo {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, KERNEL_SIGINFO_SIZE);
  const fields = bytes.slice(SIGINFO_FIELDS, KERNEL_SIGINFO_SIZE);
  return { signo, errno: dv.getInt32(4, true), code: dv.getInt32(8, true), kind: "raw", fields };
}

const SI_CODE_NAMES = new Map([
  [SI_USER, "SI_USER"],
  [SI_KERNEL, "SI_KERNEL"],
  [SI_QUEUE, "SI_QUEUE"],
  [SI_TIMER, "SI_TIMER"],
  [SI_TKILL, "SI_TKILL"],
]);

/** Names of the positive si_code values, by signal (uapi asm-generic/siginfo.h). */
const SIGNAL_CODE_NAMES: Record<number, string[]> = {
  [SIGILL]: ["ILL_ILLOPC", "ILL_ILLOPN", "ILL_ILLADR", "ILL_ILLTRP", "ILL_PRVOPC", "ILL_PRVREG"],
  [SIGFPE]: ["FPE_INTDIV", "FPE_INTOVF", "FPE_FLTDIV", "FPE_FLTOVF", "FPE_FLTUND", "FPE_FLTRES"]
    .concat(["FPE_FLTINV", "FPE_FLTSUB"]),
  [SIGSEGV]: ["SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR", "SEGV_PKUERR"],
  [SIGBUS]: ["BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR"],
  [SIGTRAP]: ["TRAP_BRKPT", "TRAP_TRACE", "TRAP_BRANCH", "TRAP_HWBKPT"],
  [SIGCHLD]: ["CLD_EXITED", "CLD_KILLED", "CLD_DUMPED", "CLD_TRAPPED", "CLD_STOPPED"]
    .concat(["CLD_CONTINUED"]),
};

/** The siginfo as strace prints it on a "--- SIGSEGV {...} ---" line. */
export function describeSigInfo(info: SigInfo): string {
  const name = signalName(info.signo);
  const code = SI_CODE_NAMES.get(info.code) ??
    (info.code > 0 ? SIGNAL_CODE_NAMES[info.signo]?.[info.code - 1] : undefined) ??
    `${info.code}`;
  const fields = [`si_signo=${name}`, `si_code=${code}`];
  switch (info.kind) {
    case "kill":
      if (info.code !== SI_KERNEL) fields.push(`si_pid=${info.pid}`, `si_uid=${info.uid}`);
      break;
    case "fault":
      fields.push(`si_addr=${info.addr === 0 ? "NULL" : hex(info.addr)}`);
      break;
    case "rt":
      fields.push(`si_pid=${info.pid}`, `si_uid=${info.uid}`, ...sigval(info.value));
      break;
    case "timer":
      fields.push(`si_timerid=${info.timerId}`, `si_overrun=${info.overrun}`);
      fields.push(...sigval(info.value));
      break;
    case "raw": {
      // Shown with the layout its si_code implies, as strace does.
      const dv = new DataView(info.fields.buffer, info.fields.byteOffset, SIGINFO_FIELDS_SIZE);
      const value = dv.getBigUint64(8, true);
      if (info.code === SI_TIMER) {
        fields.push(`si_timerid=${dv.getInt32(0, true)}`, `si_overrun=${dv.getInt32(4, true)}`);
      } else fields.push(`si_pid=${dv.getInt32(0, true)}`, `si_uid=${dv.getUint32(4, true)}`);
      if (info.code < 0 && info.code !== SI_TKILL) fields.push(...sigval(value));
      break;
    }
    case "child":
      fields.push(`si_pid=${info.pid}`, `si_uid=${info.uid}`, `si_status=${info.status}`);
      fields.push(`si_utime=${info.utime}`, `si_stime=${info.stime}`);
      break;
    case "poll":
      fields.push(`si_band=${info.band}`, `si_fd=${info.fd}`);
      break;
  }
  return `{${fields.join(", ")}}`;
}

/** A union sigval as strace shows it: its int and its pointer. */
function sigval(value: bigint): string[] {
  const ptr = BigInt.asUintN(64, value);
  return [
    `si_int=${Number(BigInt.asIntN(32, value))}`,
    `si_ptr=${ptr === 0n ? "NULL" : `0x${ptr.toString(16)}`}`,
  ];
}

function hex(v: number): string {
  return v < 0 ? `0x${(BigInt(v) & 0xffffffffffffffffn).toString(16)}` : `0x${v.toString(16)}`;
}

// ---- the frame --------------------------------------------------------------------------------

export interface AltStack {
  sp: number;
  flags: number;
  size: number;
}

/** Everything the frame records about the interrupted context. */
export interface FrameContext {
  /** sa_restorer: where the handler's `ret` goes (it calls rt_sigreturn). */
  restorer: number;
  ucFlags: number;
  /** The alternate stack settings at delivery, restored by rt_sigreturn. */
  altStack: AltStack;
  /** General registers as the CPU keeps them: 32-bit halves, low first, RAX..R15. */
  gprs: Uint32Array;
  rip: number;
  rflags: number;
  trapno: number;
  err: number;
  cr2: number;
  /** Address of the FXSAVE image, or 0 for none. */
  fpstate: number;
  /** The signal mask to restore, as 32-bit halves. */
  maskLow: number;
  maskHigh: number;
}

/** The frame up to (not including) the siginfo. */
export function encodeFrame(f: FrameContext): Uint8Array {
  const out = new Uint8Array(FRAME_CONTEXT_SIZE);
  const dv = new DataView(out.buffer);
  setI64(dv, 0, f.restorer);
  setI64(dv, UC_FLAGS, f.ucFlags);
  setI64(dv, UC_LINK, 0);
  setI64(dv, UC_STACK_SP, f.altStack.sp);
  dv.setUint32(UC_STACK_FLAGS, f.altStack.flags >>> 0, true);
  setI64(dv, UC_STACK_SIZE, f.altStack.size);
  const sc = UC_MCONTEXT;
  for (let n = 0; n < 16; n++) {
    dv.setUint32(sc + SC_REGISTER[n], f.gprs[2 * n], true);
    dv.setUint32(sc + SC_REGISTER[n] + 4, f.gprs[2 * n + 1], true);
  }
  setI64(dv, sc + SC_RIP, f.rip);
  setI64(dv, sc + SC_EFLAGS, f.rflags);
  dv.setUint16(sc + SC_CS, USER_CS, true);
  dv.setUint16(sc + SC_SS, USER_DS, true); // gs and fs read as 0
  setI64(dv, sc + SC_ERR, f.err);
  setI64(dv, sc + SC_TRAPNO, f.trapno);
  dv.setUint32(sc + SC_OLDMASK, f.maskLow >>> 0, true);
  dv.setUint32(sc + SC_OLDMASK + 4, f.maskHigh >>> 0, true);
  setI64(dv, sc + SC_CR2, f.cr2);
  setI64(dv, sc + SC_FPSTATE, f.fpstate);
  dv.setUint32(UC_SIGMASK, f.maskLow >>> 0, true);
  dv.setUint32(UC_SIGMASK + 4, f.maskHigh >>> 0, true);
  return out;
}

/** What rt_sigreturn takes back from a frame. */
export interface ReturnedContext {
  ucFlags: number;
  altStack: AltStack;
  gprs: Uint32Array;
  /** RIP as halves: it may be anything, canonical or not. */
  ripLow: number;
  ripHigh: number;
  rflags: number;
  /** The fpstate pointer as a number; unsafe integers (>= 2^53) mean an impossible address. */
  fpstate: number;
  maskLow: number;
  maskHigh: number;
}

/** Parse the first FRAME_CONTEXT_SIZE bytes of a frame. */
export function decodeFrame(bytes: Uint8Array): ReturnedContext {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, FRAME_CONTEXT_SIZE);
  const sc = UC_MCONTEXT;
  const gprs = new Uint32Array(32);
  for (let n = 0; n < 16; n++) {
    gprs[2 * n] = dv.getUint32(sc + SC_REGISTER[n], true);
    gprs[2 * n + 1] = dv.getUint32(sc + SC_REGISTER[n] + 4, true);
  }
  return {
    ucFlags: getU64(dv, UC_FLAGS),
    altStack: {
      sp: getU64(dv, UC_STACK_SP),
      flags: dv.getUint32(UC_STACK_FLAGS, true),
      size: getU64(dv, UC_STACK_SIZE),
    },
    gprs,
    ripLow: dv.getUint32(sc + SC_RIP, true),
    ripHigh: dv.getUint32(sc + SC_RIP + 4, true),
    rflags: dv.getUint32(sc + SC_EFLAGS, true),
    fpstate: getU64(dv, sc + SC_FPSTATE),
    maskLow: dv.getUint32(UC_SIGMASK, true),
    maskHigh: dv.getUint32(UC_SIGMASK + 4, true),
  };
}
