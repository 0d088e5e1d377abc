// Operand access shared by every instruction family: the ModRM "E" operand (register or
// memory), the "G" register operand and immediates, at any width. 64-bit values travel as a
// low half (return value) plus cpu.hi.

import type { Cpu } from "./cpu.ts";
import { BASE_RIP, type Insn } from "./insn.ts";
import { VEC_GP } from "./exceptions.ts";

/** Read the E operand of `size` bytes (for 8, high half in cpu.hi). */
export function readE(cpu: Cpu, i: Insn, size: number): number {
  if (i.isMem) return cpu.readMem(cpu.ea(i), size);
  return cpu.getReg(i.rm, size, i);
}

/** Write the E operand. */
export function writeE(cpu: Cpu, i: Insn, size: number, v: number, hi = 0): void {
  if (i.isMem) cpu.writeMem(cpu.ea(i), size, v, hi);
  else cpu.setReg(i.rm, size, i, v, hi);
}

export function readG(cpu: Cpu, i: Insn, size: number): number {
  return cpu.getReg(i.reg, size, i);
}

export function writeG(cpu: Cpu, i: Insn, size: number, v: number, hi = 0): void {
  cpu.setReg(i.reg, size, i, v, hi);
}

/** Immediate zero/sign-extended to `size` bytes as an unsigned number (64: low half; see immHi). */
export function immOf(i: Insn, size: number): number {
  switch (size) {
    case 1:
      return i.imm & 0xff;
    case 2:
      return i.imm & 0xffff;
    default:
      return i.imm >>> 0;
  }
}

/** Mask of an operand of `size` bytes below 64 bits. */
export function maskOf(size: number): number {
  return size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
}

/**
 * Read-modify-write access to the E operand: `address` (for memory) is computed once.
 * Usage: const a = rmwAddress(cpu, i); const v = rmwRead(cpu, i, a, size); ...; rmwWrite(...)
 */
export function rmwAddress(cpu: Cpu, i: Insn): number {
  if (!i.isMem) return 0;
  const a = cpu.ea(i);
  // Hardware checks a read-modify-write operand for writing before it reads it, so a fault on
  // a read-only page reports a write (#PF error code bit 1).
  cpu.probeWrite(a, i.opsize);
  return a;
}
export function rmwRead(cpu: Cpu, i: Insn, a: number, size: number): number {
  return i.isMem ? cpu.readMem(a, size) : cpu.getReg(i.rm, size, i);
}
export function rmwWrite(cpu: Cpu, i: Insn, a: number, size: number, v: number, hi = 0): void {
  if (i.isMem) cpu.writeMem(a, size, v, hi);
  else cpu.setReg(i.rm, size, i, v, hi);
}

/** MXCSR.MM (AMD misaligned-SSE mode): 16-byte SSE operands need not be aligned. */
export const MXCSR_MM = 1 << 17;

/**
 * Linear address of a 16-byte SSE memory operand, #GP(0) unless it is 16-byte aligned (or
 * MXCSR.MM is set). The alignment check outranks the #SS/#GP of a non-canonical address, as the
 * host does.
 */
export function alignedAddress(cpu: Cpu, i: Insn): number {
  const mustAlign = (cpu.mxcsr & MXCSR_MM) === 0;
  let a: number;
  try {
    a = cpu.ea(i);
  } catch (e) {
    if (mustAlign && (addressLowBits(cpu, i) & 15)) cpu.raise(VEC_GP, 0);
    throw e;
  }
  if (mustAlign && (a & 15)) cpu.raise(VEC_GP, 0);
  return a;
}

/** The low bits of the operand's address (valid even when the address is not canonical). */
function addressLowBits(cpu: Cpu, i: Insn): number {
  let a = i.disp;
  if (i.base === BASE_RIP) a += cpu.rip;
  else if (i.base >= 0) a += cpu.r[i.base * 2];
  if (i.index >= 0) a += cpu.r[i.index * 2] << i.scale;
  a += cpu.segmentBase(i);
  return a & 15;
}
