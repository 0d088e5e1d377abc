// Shared plumbing for the packed-integer families (SSE and MMX): lane views, operand loading
// and storing, the MMX register file aliased on the x87 registers, and the handler factories
// that run one lane kernel on either an XMM or an MMX destination.

import type { Cpu } from "../cpu.ts";
import { type FormSpec, type Handler, type Insn, SEG_FS } from "../insn.ts";
import { VEC_GP, VEC_MF } from "../exceptions.ts";
import { alignedAddress } from "../operands.ts";

/** Byte, word and dword views over one buffer (an XMM register file or a scratch register). */
export interface Lanes {
  b: Uint8Array;
  w: Uint16Array;
  d: Uint32Array;
}

function lanesOver(buffer: ArrayBuffer): Lanes {
  return { b: new Uint8Array(buffer), w: new Uint16Array(buffer), d: new Uint32Array(buffer) };
}

/**
 * A lane kernel: combine the destination `d` (starting at byte `o`) with the source `s`
 * (starting at byte 0) over `n` bytes (8 for MMX, 16 for XMM), writing the result into `d`.
 * The source is always a private copy, so writing `d` never disturbs it.
 */
export type Kernel = (d: Lanes, o: number, s: Lanes, n: number) => void;

/** The second (source) operand, always copied here before a kernel runs. */
export const SRC = lanesOver(new ArrayBuffer(16));
/** A copy of the destination for kernels whose result lanes read other destination lanes. */
export const TMP = lanesOver(new ArrayBuffer(16));
/** Working copy of an MMX destination register. */
export const MM = lanesOver(new ArrayBuffer(16));

let lastCpu: Cpu | undefined;
let lastLanes: Lanes = SRC;
/** The XMM register file of `cpu` as Lanes (register n starts at byte 16n). */
export function xmmLanes(cpu: Cpu): Lanes {
  if (cpu !== lastCpu) {
    lastCpu = cpu;
    lastLanes = { b: cpu.xmm8, w: cpu.xmm16, d: cpu.xmm32 };
  }
  return lastLanes;
}

/** Copy the four dwords of `src` from index sq to `dst` at index dq. */
export function copy128(dst: Uint32Array, dq: number, src: Uint32Array, sq: number): void {
  dst[dq] = src[sq];
  dst[dq + 1] = src[sq + 1];
  dst[dq + 2] = src[sq + 2];
  dst[dq + 3] = src[sq + 3];
}

/** Copy `d` bytes [o, o+16) into TMP. */
export function saveDest(d: Lanes, o: number): Uint32Array {
  copy128(TMP.d, 0, d.d, o >> 2);
  return TMP.d;
}

/** Sign-extend the low byte / word of v. */
export const s8 = (v: number) => (v << 24) >> 24;
export const s16 = (v: number) => (v << 16) >> 16;
/** Saturate v to the signed or unsigned byte / word range. */
export const satS8 = (v: number) => (v < -128 ? -128 : v > 127 ? 127 : v);
export const satS16 = (v: number) => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
export const satU8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);
export const satU16 = (v: number) => (v < 0 ? 0 : v > 65535 ? 65535 : v);

// ---- memory ------------------------------------------------------------------------------

/** Effective address of a 16-byte operand, #GP(0) when `aligned` and not 16-byte aligned. */
export function ea16(cpu: Cpu, i: Insn, aligned: boolean): number {
  return aligned ? alignedAddress(cpu, i) : cpu.ea(i);
}

/** Write 16 bytes from `src` (dword index q) to `a`, all or nothing. */
export function write128(cpu: Cpu, a: number, src: Uint32Array, q: number): void {
  if ((a & 4095) > 4080) cpu.probeWrite(a, 16);
  cpu.write64(a, src[q], src[q + 1]);
  cpu.write64(a + 8, src[q + 2], src[q + 3]);
}

const RDI = 7; // not imported from cpu.ts: family files load before it

// ---- masked stores (MASKMOVQ / MASKMOVDQU) ------------------------------------------------

/** Linear address of [rDI] with any segment override (MASKMOVQ/MASKMOVDQU). */
export function maskStoreAddress(cpu: Cpu, i: Insn): number {
  let a = i.asize === 8 ? cpu.regNumber(RDI) : cpu.r[RDI * 2];
  if (i.seg) a += i.seg === SEG_FS ? cpu.fsBase : cpu.gsBase;
  if (a < -0x800000000000 || a >= 0x800000000000) cpu.raise(VEC_GP, 0);
  return a;
}
/**
 * Store the bytes of `data` whose `mask` byte has its top bit set, to `a`. The host checks the
 * whole n-byte destination first, whatever the mask (even an all-zero one).
 */
export function maskedStore(
  cpu: Cpu,
  a: number,
  data: Uint8Array,
  d: number,
  mask: Uint8Array,
  m: number,
  n: number,
): void {
  cpu.probeWrite(a, n);
  for (let k = 0; k < n; k++) if (mask[m + k] & 0x80) cpu.write8(a + k, data[d + k]);
}

// ---- XMM operands ------------------------------------------------------------------------

/** Load the 128-bit W operand (XMM register or m128) into SRC. */
export function loadW(cpu: Cpu, i: Insn, aligned: boolean): void {
  const s = SRC.d;
  if (!i.isMem) {
    copy128(s, 0, cpu.xmm32, i.rm << 2);
    return;
  }
  cpu.read128(ea16(cpu, i, aligned), s, 0);
}

/** Load the low `bytes` (1, 2, 4 or 8) of the W operand into SRC, zeroing the rest. */
export function loadWLow(cpu: Cpu, i: Insn, bytes: number): void {
  const s = SRC.d;
  if (!i.isMem) {
    copy128(s, 0, cpu.xmm32, i.rm << 2);
    return;
  }
  const a = cpu.ea(i);
  s[1] = s[2] = s[3] = 0;
  if (bytes === 8) {
    s[0] = cpu.read64(a);
    s[1] = cpu.hi;
  } else s[0] = cpu.readMem(a, bytes);
}

// ---- MMX registers -----------------------------------------------------------------------
// MMn is the 64-bit significand of physical x87 register n: fpu.regs32[4n] and [4n+1], with
// the sign/exponent word at fpu.regs[8n+4] (see core/fpu/x87-state.ts).

/** Every MMX instruction first reports a pending x87 exception (#MF). */
export function mmxCheck(cpu: Cpu): void {
  if (cpu.fpu.pending) cpu.raise(VEC_MF);
}

/** After an MMX instruction: TOP = 0 and every register tagged valid. */
export function mmxDone(cpu: Cpu): void {
  cpu.fpu.enterMmx();
}

/** Copy MMX register n into `out` bytes 0-7. */
export function readMm(cpu: Cpu, n: number, out: Lanes): void {
  const r = cpu.fpu.regs32, d = out.d;
  d[0] = r[4 * n];
  d[1] = r[4 * n + 1];
}

/** Write `src` bytes 0-7 to MMX register n; the exponent word becomes all ones. */
export function writeMm(cpu: Cpu, n: number, src: Lanes): void {
  writeMm64(cpu, n, src.d[0], src.d[1]);
}

/** Write a 64-bit value given as halves to MMX register n. */
export function writeMm64(cpu: Cpu, n: number, lo: number, hi: number): void {
  const f = cpu.fpu;
  f.regs32[4 * n] = lo;
  f.regs32[4 * n + 1] = hi;
  f.regs[8 * n + 4] = 0xffff;
}

/** Low half of MMX register n (high half in cpu.hi). */
export function readMm64(cpu: Cpu, n: number): number {
  const r = cpu.fpu.regs32;
  cpu.hi = r[4 * n + 1];
  return r[4 * n];
}

/** Load the Q operand (MMX register or m64; m32 when `bytes` is 4) into SRC bytes 0-7. */
export function loadQ(cpu: Cpu, i: Insn, bytes = 8): void {
  const s = SRC.d;
  if (!i.isMem) {
    readMm(cpu, i.rm & 7, SRC);
    return;
  }
  const a = cpu.ea(i);
  if (bytes === 8) {
    s[0] = cpu.read64(a);
    s[1] = cpu.hi;
  } else {
    s[0] = cpu.read32(a);
    s[1] = 0;
  }
}

// ---- handler factories -------------------------------------------------------------------

/** Vx,Wx: the kernel on an XMM destination with an XMM or m128 source. */
export function xmmOp(k: Kernel, aligned = true): Handler {
  return (cpu, i) => {
    loadW(cpu, i, aligned);
    k(xmmLanes(cpu), i.reg << 4, SRC, 16);
  };
}

/** Pq,Qq: the kernel on an MMX destination with an MMX or m64 source (m32 when srcBytes=4). */
export function mmxOp(k: Kernel, srcBytes = 8): Handler {
  return (cpu, i) => {
    mmxCheck(cpu);
    loadQ(cpu, i, srcBytes);
    const n = i.reg & 7;
    readMm(cpu, n, MM);
    k(MM, 0, SRC, 8);
    writeMm(cpu, n, MM);
    mmxDone(cpu);
  };
}

/** Test hint for forms whose 16-byte memory operand must be aligned. */
export const ALIGNED16 = { mem: "aligned16" as const };

/** The MMX (NP) and SSE2 (66) rows of one packed-integer operation in map 0F/0F 38. */
export function mmxAndXmm(opcode: string, mnem: string, k: Kernel): FormSpec[] {
  return [
    { op: `NP ${opcode} /r`, mnem, args: "Pq,Qq", fn: mmxOp(k) },
    { op: `66 ${opcode} /r`, mnem, args: "Vx,Wx", fn: xmmOp(k), test: ALIGNED16 },
  ];
}

/** The SSE (66) row only. */
export function xmmOnly(opcode: string, mnem: string, k: Kernel): FormSpec {
  return { op: `66 ${opcode} /r`, mnem, args: "Vx,Wx", fn: xmmOp(k), test: ALIGNED16 };
}
