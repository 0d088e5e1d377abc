// Small helpers shared by the bit-instruction files (bits.ts, bits-bmi.ts).

import type { Cpu } from "../cpu.ts";
import { LF_OP, OP_NONE, STATUS_FLAGS } from "../flags.ts";

/** Overwrite all six status flags at once (non-status bits of flagsBase are always valid). */
export function replaceStatus(cpu: Cpu, value: number): void {
  cpu.flagsBase = ((cpu.flagsBase & ~STATUS_FLAGS) | value) >>> 0;
  cpu.lf[LF_OP] = OP_NONE;
}

/** Number of set bits in a 32-bit value. */
export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Index of the lowest set bit of a non-zero 32-bit value. */
export function ctz32(v: number): number {
  return 31 - Math.clz32(v & -v);
}
