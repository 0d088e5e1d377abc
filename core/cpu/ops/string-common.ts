// Shared bookkeeping of the string instructions (string.ts, string-fast.ts): element addresses,
// the REP count budget, committing RCX/RSI/RDI for the iterations done, restarting and the
// CMPS/SCAS flags.

import type { Cpu } from "../cpu.ts";
import { RCX, RDI, RSI } from "../cpu.ts";
import type { Insn } from "../insn.ts";
import { DF, OP_SUB, setLazy, setLazy64 } from "../flags.ts";
import { maskOf } from "../operands.ts";

const TWO32 = 4294967296;

/** Segment base of the source operand (DS, or an FS/GS override). */
export function sourceBase(cpu: Cpu, i: Insn): number {
  return cpu.segmentBase(i);
}

/** Stands for a non-canonical address: every access to it (or near it) raises #GP. */
const NON_CANONICAL = 2 ** 62;

/**
 * Linear address of the first element at base + rSI/rDI. With a 64-bit address size it is a
 * signed number, non-canonical ones included (the access raises #GP, in the instruction's own
 * order of accesses); with 32 bits, callers add the wrapped offset to the base instead.
 */
export function startAddress(cpu: Cpu, i: Insn, reg: number, base: number): number {
  const lo = cpu.r[reg * 2];
  if (i.asize === 4) return lo + base;
  const hi = cpu.r[reg * 2 + 1] | 0;
  if (hi >= -0x8000 && hi <= 0x7fff) return hi * TWO32 + lo + base;
  if (base === 0) return NON_CANONICAL;
  // Far outside the canonical range: only a segment base wrapping it back can help.
  const sumLo = lo + (base >>> 0);
  const sumHi = (hi + Math.floor(base / TWO32) + (sumLo >= TWO32 ? 1 : 0)) | 0;
  if (sumHi < -0x8000 || sumHi > 0x7fff) return NON_CANONICAL;
  return sumHi * TWO32 + (sumLo >>> 0);
}

/**
 * Address of the element `delta` bytes (signed) from the first one: `start` with a 64-bit
 * address size, else the 32-bit `offset` wrapped around 2^32 plus the segment `base`.
 */
export function elementAddress(
  i: Insn,
  start: number,
  offset: number,
  base: number,
  delta: number,
) {
  return i.asize === 8 ? start + delta : ((offset + delta) >>> 0) + base;
}

/** Add `delta` bytes to rSI/rDI (32-bit address size writes ESI/EDI, zeroing the top). */
export function advance(cpu: Cpu, i: Insn, reg: number, delta: number): void {
  const r = cpu.r;
  if (i.asize === 4) {
    r[reg * 2] = (r[reg * 2] + delta) >>> 0;
    r[reg * 2 + 1] = 0;
    return;
  }
  const lo = r[reg * 2] + delta;
  const carry = Math.floor(lo / TWO32);
  r[reg * 2] = lo - carry * TWO32;
  r[reg * 2 + 1] = (r[reg * 2 + 1] + carry) >>> 0;
}

/** Iterations of an element-by-element REP loop per execution; the rest restarts it. */
export const REP_CHUNK = 4096;

/** Iterations a REP may run now: the count register capped at `cap`. */
export function repBudget(cpu: Cpu, i: Insn, cap: number): number {
  if (i.asize === 8 && cpu.r[RCX * 2 + 1] !== 0) return cap;
  return Math.min(cpu.r[RCX * 2], cap);
}

/** Record `done` iterations: count down rCX (with REP) and move rSI/rDI. */
export function commit(cpu: Cpu, i: Insn, done: number, step: number, src: boolean, dst: boolean) {
  if (done === 0) return;
  const r = cpu.r;
  if (i.rep) {
    if (i.asize === 4) {
      r[RCX * 2] = (r[RCX * 2] - done) >>> 0;
      r[RCX * 2 + 1] = 0;
    } else {
      const lo = r[RCX * 2] - done;
      if (lo < 0) r[RCX * 2 + 1] = (r[RCX * 2 + 1] - 1) >>> 0;
      r[RCX * 2] = lo >>> 0;
    }
  }
  if (src) advance(cpu, i, RSI, done * step);
  if (dst) advance(cpu, i, RDI, done * step);
}

/** After a chunk: if the count is not exhausted, run this instruction again. */
export function restartIfCounting(cpu: Cpu, i: Insn): void {
  if (cpu.r[RCX * 2] !== 0 || (i.asize === 8 && cpu.r[RCX * 2 + 1] !== 0)) {
    cpu.rip = cpu.insnStart;
    cpu.stop = 1;
  }
}

/** Flags of CMPS/SCAS: a - b at the element size. */
export function compareFlags(cpu: Cpu, s: number, a: number, aHi: number, b: number, bHi: number) {
  if (s === 8) {
    const lo = a - b;
    setLazy64(cpu, OP_SUB, a, aHi, b, bHi, lo >>> 0, (aHi - bHi - (lo < 0 ? 1 : 0)) >>> 0);
  } else setLazy(cpu, OP_SUB, s * 8, a, b, ((a - b) & maskOf(s)) >>> 0);
}

/** Signed byte step between elements: DF set walks down. */
export function stepOf(cpu: Cpu, s: number): number {
  return cpu.flagsBase & DF ? -s : s;
}
