// FXSAVE-image conversion for the emulator side: loads the 512-byte image a case carries into
// the Cpu's x87, MXCSR and XMM state, and builds the same image back from the Cpu afterwards.
// The layout is the FXSAVE64 one (Intel SDM vol. 1, 10.5.1); ST(i) slots are in stack order.

import type { Cpu } from "../../../core/cpu/cpu.ts";
import { writeU32 } from "./values.ts";
import { loadFxsave } from "../../../core/cpu/ops/sse-state.ts";

/** Load a case's image exactly as FXRSTOR64 would (every x87 pointer field included). */
export function loadFx(cpu: Cpu, fx: Uint8Array): void {
  loadFxsave(cpu, fx, true);
}

export function storeFx(cpu: Cpu): Uint8Array {
  const fpu = cpu.fpu;
  const fx = new Uint8Array(512);
  const fsw = fpu.statusWord;
  fx[0] = fpu.cw & 0xff;
  fx[1] = fpu.cw >>> 8;
  fx[2] = fsw & 0xff;
  fx[3] = fsw >>> 8;
  fx[4] = fpu.tags;
  for (let i = 0; i < 8; i++) {
    const p = (fpu.top + i) & 7;
    fx.set(fpu.regs8.subarray(16 * p, 16 * p + 10), 32 + 16 * i);
  }
  writeU32(fx, 24, cpu.mxcsr);
  fx.set(cpu.xmm8, 160);
  return fx;
}
