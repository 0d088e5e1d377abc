// Shared machinery of the x87 instruction families: the waiting-instruction #MF check, the
// last-instruction pointers, the per-instruction rounding/exception environment and folding
// its results into the status word, stack-fault responses, and memory operand access for the
// x87 operand sizes.

import type { Cpu } from "../cpu.ts";
import type { Insn } from "../insn.ts";
import { VEC_MF } from "../exceptions.ts";
import { DEFAULT_NAN, type F80, FE_IE, FpEnv } from "../../fpu/float80.ts";
import { SW_C0, SW_C1, SW_C2, SW_C3, SW_SF, USER_CS, USER_DS } from "../../fpu/x87-state.ts";

const TWO32 = 4294967296;

/** The one environment object reused by every x87 instruction (x87 is not re-entrant). */
const sharedEnv = new FpEnv();

/** A waiting instruction: raise #MF for a pending unmasked exception. */
export function checkPending(cpu: Cpu): void {
  if (cpu.fpu.pending) cpu.raise(VEC_MF);
}

/**
 * Start of a non-control x87 instruction: #MF check, then FOP/FIP (and FDP for memory forms,
 * `address` being the operand's linear address) are recorded. Returns the environment.
 */
export function begin(cpu: Cpu, i: Insn, address = -1): FpEnv {
  const fpu = cpu.fpu;
  if (fpu.pending) cpu.raise(VEC_MF);
  fpu.fop = ((i.opByte & 7) << 8) | i.modrm;
  const rip = cpu.insnStart;
  fpu.fip = rip >>> 0;
  fpu.fipHi = Math.floor(rip / TWO32) >>> 0;
  fpu.fcs = USER_CS;
  if (address !== -1) {
    fpu.fdp = address >>> 0;
    fpu.fdpHi = Math.floor(address / TWO32) >>> 0;
    fpu.fds = USER_DS;
  }
  const env = sharedEnv;
  env.cw = fpu.cw;
  env.flags = 0;
  env.roundedUp = false;
  return env;
}

/** Fold the operation's exception flags into the status word; C1 = rounded up (or kept). */
export function finish(cpu: Cpu, env: FpEnv, keepC1 = false): void {
  const fpu = cpu.fpu;
  if (keepC1) fpu.sw |= env.flags;
  else fpu.sw = (fpu.sw & ~SW_C1) | env.flags | (env.roundedUp ? SW_C1 : 0);
  fpu.updateSummary();
}

/** Set the condition codes C0-C3 from a mask of SW_C* bits (others cleared). */
export function setCC(cpu: Cpu, bits: number): void {
  const fpu = cpu.fpu;
  fpu.sw = (fpu.sw & ~(SW_C0 | SW_C1 | SW_C2 | SW_C3)) | bits;
}

/**
 * Stack underflow (an empty source register): IE and SF with C1 = 0. Returns true when the
 * exception is masked, so the caller stores the default NaN as its masked response.
 */
export function stackUnderflow(cpu: Cpu, env: FpEnv): boolean {
  const fpu = cpu.fpu;
  env.flags |= FE_IE;
  fpu.sw = (fpu.sw & ~SW_C1) | env.flags | SW_SF;
  fpu.updateSummary();
  return env.masked(FE_IE);
}

/** Stack overflow (pushing onto a full register): IE, SF, C1 = 1. True when masked. */
export function stackOverflow(cpu: Cpu, env: FpEnv): boolean {
  const fpu = cpu.fpu;
  env.flags |= FE_IE;
  fpu.sw = fpu.sw | env.flags | SW_SF | SW_C1;
  fpu.updateSummary();
  return env.masked(FE_IE);
}

/** ST(0) = op(ST(0)) with the stack-underflow response, for the one-operand functions. */
export function unaryOp(cpu: Cpu, i: Insn, op: (env: FpEnv, v: F80) => F80 | null): void {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  if (fpu.isEmpty(0)) {
    if (stackUnderflow(cpu, env)) fpu.write(0, DEFAULT_NAN);
    return;
  }
  const r = op(env, fpu.read(0));
  if (r !== null) fpu.write(0, r);
  finish(cpu, env);
}

/**
 * Fault-check an n-byte area the way the host's microcode touches environment and save
 * images: its first `head` bytes (a fault there reports the first byte of the next page), then
 * its last byte (a fault there reports that byte). `head` 0: an ordinary operand access.
 */
export function probeArea(cpu: Cpu, a: number, n: number, write: boolean, head = 0): void {
  if (write) {
    cpu.probeWrite(a, head || n);
    if (head) cpu.probeWrite(a + n - 1, 1);
  } else {
    cpu.probeRead(a, head || n);
    if (head) cpu.probeRead(a + n - 1, 1);
  }
}

/** Read n bytes of memory, all-or-nothing (see probeArea for `head`). */
export function readBytes(cpu: Cpu, a: number, n: number, head = 0): Uint8Array {
  probeArea(cpu, a, n, false, head);
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[k] = cpu.read8(a + k);
  return out;
}

/** Write bytes to memory, all-or-nothing (see probeArea for `head`). */
export function writeBytes(cpu: Cpu, a: number, bytes: Uint8Array, head = 0): void {
  probeArea(cpu, a, bytes.length, true, head);
  for (let k = 0; k < bytes.length; k++) cpu.write8(a + k, bytes[k]);
}

/** An F80 as its 10-byte memory image. */
export function f80Bytes(v: F80): Uint8Array {
  const out = new Uint8Array(10);
  let sig = v.sig;
  for (let k = 0; k < 8; k++) {
    out[k] = Number(sig & 0xffn);
    sig >>= 8n;
  }
  const se = (v.sign << 15) | v.exp;
  out[8] = se & 0xff;
  out[9] = se >> 8;
  return out;
}

export function bytesF80(b: Uint8Array): F80 {
  let sig = 0n;
  for (let k = 7; k >= 0; k--) sig = (sig << 8n) | BigInt(b[k]);
  const se = b[8] | (b[9] << 8);
  return { sign: se >> 15, exp: se & 0x7fff, sig };
}

/** ST(i) index of a register form (ModRM.rm; REX.B does not extend it). */
export function sti(i: Insn): number {
  return i.modrm & 7;
}
