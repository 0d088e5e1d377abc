// Shared plumbing for the SSE floating-point and conversion families: source operands loaded
// into a scratch register (16-byte alignment checked for packed memory operands), a scratch
// result that is committed only after MXCSR has been updated and no unmasked exception raised
// #XM, NaN bit patterns for results, and the handler shapes (packed/scalar, binary32/binary64)
// around the lane kernels of sse-float-kernels.ts.

import type { Cpu } from "../cpu.ts";
import type { Insn } from "../insn.ts";
import { VEC_XM } from "../exceptions.ts";
import { alignedAddress } from "../operands.ts";
import { copy128 } from "./sse-int-lanes.ts";
import type { Kernel32, Kernel64 } from "./sse-float-kernels.ts";
import { fp, fpBegin, fpEnd } from "../../fpu/ieee.ts";
import { add32, add64, NAN_SECOND_RAW, nanResult32, sub32, sub64 } from "../../fpu/ieee-arith.ts";

const scratch = new ArrayBuffer(32);
/** The source operand (W/U/M), loaded by loadW128/loadW64/loadW32. */
export const sU32 = new Uint32Array(scratch, 0, 4);
export const sF32 = new Float32Array(scratch, 0, 4);
export const sF64 = new Float64Array(scratch, 0, 2);
/** The result, written to the destination once the instruction cannot fault any more. */
export const rU32 = new Uint32Array(scratch, 16, 4);
export const rF32 = new Float32Array(scratch, 16, 4);
export const rF64 = new Float64Array(scratch, 16, 2);

/** Load a 128-bit W operand (aligned memory or an XMM register) into sU32. */
export function loadW128(cpu: Cpu, i: Insn): void {
  if (i.isMem) {
    cpu.read128(alignedAddress(cpu, i), sU32, 0);
  } else {
    copy128(sU32, 0, cpu.xmm32, i.rm * 4);
  }
}

/** Load the low 64 bits of a W operand (memory needs no alignment) into sU32[0..1]. */
export function loadW64(cpu: Cpu, i: Insn): void {
  if (i.isMem) {
    sU32[0] = cpu.read64(cpu.ea(i));
    sU32[1] = cpu.hi;
  } else {
    const x = cpu.xmm32, s = i.rm * 4;
    sU32[0] = x[s];
    sU32[1] = x[s + 1];
  }
}

/** Load the low 32 bits of a W operand into sU32[0]. */
export function loadW32(cpu: Cpu, i: Insn): void {
  sU32[0] = i.isMem ? cpu.read32(cpu.ea(i)) : cpu.xmm32[i.rm * 4];
}

/** Fold the flags into MXCSR; raise #XM (writing nothing) for an unmasked exception. */
export function finish(cpu: Cpu): void {
  const all = fp.pre | fp.post;
  if ((all & ~fp.masks) === 0) {
    if (all !== 0) cpu.mxcsr |= all;
    return;
  }
  const m = fpEnd(cpu.mxcsr);
  if (m < 0) {
    cpu.mxcsr = ~m;
    cpu.raise(VEC_XM);
  }
  cpu.mxcsr = m;
}

/** Write the result's low 64 bits to XMM register `reg`, keeping its upper half. */
export function commitLow64(cpu: Cpu, reg: number): void {
  const x = cpu.xmm32, d = reg * 4;
  x[d] = rU32[0];
  x[d + 1] = rU32[1];
}
/** Write the result's low 64 bits to XMM register `reg` and zero its upper half. */
export function commitLow64ZeroUpper(cpu: Cpu, reg: number): void {
  const x = cpu.xmm32, d = reg * 4;
  x[d] = rU32[0];
  x[d + 1] = rU32[1];
  x[d + 2] = 0;
  x[d + 3] = 0;
}

/** Store the NaN an op asked for (fp.nanSel) into result lane pair k of binary64 lanes. */
export function storeNaN64(
  k: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
): void {
  switch (fp.nanSel) {
    case 1:
      rU32[2 * k] = aLo;
      rU32[2 * k + 1] = aHi | 0x80000;
      break;
    case 2:
      rU32[2 * k] = bLo;
      rU32[2 * k + 1] = bHi | 0x80000;
      break;
    case NAN_SECOND_RAW:
      rU32[2 * k] = bLo;
      rU32[2 * k + 1] = bHi;
      break;
    default:
      rU32[2 * k] = 0;
      rU32[2 * k + 1] = 0xfff80000;
  }
}

/** Operation ids of the horizontal and add/sub SSE3 forms (lane32/lane64). */
export const OP_ADD = 0;
export const OP_SUB = 1;

function apply32(op: number, a: number, b: number, aBits: number, bBits: number): number {
  return op === OP_ADD ? add32(a, b, aBits, bBits) : sub32(a, b, aBits, bBits);
}
function apply64(op: number, a: number, b: number, aHi: number, bHi: number): number {
  return op === OP_ADD ? add64(a, b, aHi, bHi) : sub64(a, b, aHi, bHi);
}

/** Result lane k of a binary32 op on destination lane value a and source lane value b. */
export function lane32(op: number, k: number, a: number, b: number, aBits: number, bBits: number) {
  const r = apply32(op, a, b, aBits, bBits);
  if (r === r) rF32[k] = r;
  else rU32[k] = nanResult32(aBits, bBits);
}

/**
 * Result lane k of a binary64 op; a is lane pair ai of `aw`, b lane pair bi of `bw` (32-bit
 * word indices), and NaN results get their bits from there.
 */
export function lane64(
  op: number,
  k: number,
  a: number,
  b: number,
  aw: Uint32Array,
  ai: number,
  bw: Uint32Array,
  bi: number,
): void {
  const aHi = aw[ai + 1], bHi = bw[bi + 1];
  const r = apply64(op, a, b, aHi, bHi);
  if (r === r) rF64[k] = r;
  else storeNaN64(k, aw[ai], aHi, bw[bi], bHi);
}

/** xxxPS: four binary32 lanes, destination op source. */
export function packed32(kernel: Kernel32) {
  return (cpu: Cpu, i: Insn): void => {
    loadW128(cpu, i);
    fpBegin(cpu.mxcsr);
    kernel(4, cpu.xmm32, cpu.xmmF32, i.reg * 4);
    finish(cpu);
    copy128(cpu.xmm32, i.reg * 4, rU32, 0);
  };
}

/** xxxSS: lane 0 only; the destination's upper 96 bits are kept. */
export function scalar32(kernel: Kernel32) {
  return (cpu: Cpu, i: Insn): void => {
    loadW32(cpu, i);
    fpBegin(cpu.mxcsr);
    const d = i.reg * 4;
    kernel(1, cpu.xmm32, cpu.xmmF32, d);
    finish(cpu);
    cpu.xmm32[d] = rU32[0];
  };
}

/** xxxPD: two binary64 lanes. */
export function packed64(kernel: Kernel64) {
  return (cpu: Cpu, i: Insn): void => {
    loadW128(cpu, i);
    fpBegin(cpu.mxcsr);
    kernel(2, cpu.xmm32, cpu.xmmF64, i.reg * 2);
    finish(cpu);
    copy128(cpu.xmm32, i.reg * 4, rU32, 0);
  };
}

/** xxxSD: lane 0 only; the destination's upper 64 bits are kept. */
export function scalar64(kernel: Kernel64) {
  return (cpu: Cpu, i: Insn): void => {
    loadW64(cpu, i);
    fpBegin(cpu.mxcsr);
    kernel(1, cpu.xmm32, cpu.xmmF64, i.reg * 2);
    finish(cpu);
    commitLow64(cpu, i.reg);
  };
}
