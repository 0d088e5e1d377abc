// Test helper for the SSE float/convert tests: one CPU with a code page and a 16-byte aligned
// data page (RDI points at it), lane accessors for XMM registers, and single-step execution.

import { TestMachine } from "../lib/machine.ts";
import { EXIT_BUDGET, EXIT_EXCEPTION } from "../../core/cpu/cpu.ts";
import { getFlags, setFlags } from "../../core/cpu/flags.ts";

export const CODE = 0x400000;
export const DATA = 0x600000;

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
export function bitsOf32(x: number): number {
  f32[0] = x;
  return u32[0];
}

export class SseBox {
  readonly tm = new TestMachine();
  readonly cpu = this.tm.cpu;

  constructor() {
    this.tm.map(CODE, 4096);
    this.tm.map(DATA, 4096);
  }

  /** Execute one instruction; returns the exception vector or -1. MXCSR defaults to 0x1f80. */
  exec(bytes: number[], mxcsr = 0x1f80): number {
    const cpu = this.cpu;
    this.tm.writeVirt(CODE, bytes);
    cpu.rip = CODE;
    cpu.mxcsr = mxcsr;
    cpu.r[7 * 2] = DATA;
    cpu.r[7 * 2 + 1] = 0;
    const r = cpu.step();
    if (r === EXIT_EXCEPTION) return cpu.exitException!.vector;
    if (r !== EXIT_BUDGET) throw cpu.exitError;
    return -1;
  }

  setU32(reg: number, ...lanes: number[]): void {
    lanes.forEach((v, k) => (this.cpu.xmm32[reg * 4 + k] = v >>> 0));
  }
  setF32(reg: number, ...lanes: number[]): void {
    lanes.forEach((v, k) => (this.cpu.xmmF32[reg * 4 + k] = v));
  }
  setF64(reg: number, ...lanes: number[]): void {
    lanes.forEach((v, k) => (this.cpu.xmmF64[reg * 2 + k] = v));
  }
  u32(reg: number): number[] {
    return [...this.cpu.xmm32.slice(reg * 4, reg * 4 + 4)];
  }
  f64(reg: number): number[] {
    return [...this.cpu.xmmF64.slice(reg * 2, reg * 2 + 2)];
  }
  writeData(offset: number, words: number[]): void {
    const bytes = new Uint8Array(words.length * 4);
    const dv = new DataView(bytes.buffer);
    words.forEach((w, k) => dv.setUint32(4 * k, w >>> 0, true));
    this.tm.writeVirt(DATA + offset, bytes);
  }
  get flags(): number {
    return getFlags(this.cpu);
  }
  set flags(v: number) {
    setFlags(this.cpu, v);
  }
}
