// FXSAVE-image conversion for the emulator side: loads the 512-byte image a case carries into
// the Cpu's x87, MXCSR and XMM state, and builds the same image back from the Cpu afterwards.
// The layout is the FXSAVE64 one (Intel SDM vol. 1, 10.5.1); ST(i) slots are in stack order.

import type { Cpu } from "../../../core/cpu/cpu.ts";
import { readU32, writeU32 } from "./values.ts";

export function loadFx(cpu: Cpu, fx: Uint8Array): void {
  const fpu = cpu.fpu;
  const fsw = fx[2] | (fx[3] << 8);
  fpu.cw = fx[0] | (fx[1] << 8);
  fpu.top = (fsw >> 11) & 7;
  fpu.sw = fsw & ~0x3800;
  fpu.tags = fx[4];
  fpu.fop = 0;
  fpu.fip = 0;
  fpu.fdp = 0;
  fpu.regs8.fill(0);
  for (let i = 0; i < 8; i++) {
    const p = (fpu.top + i) & 7;
    fpu.regs8.set(fx.subarray(32 + 16 * i, 42 + 16 * i), 16 * p);
  }
  cpu.mxcsr = readU32(fx, 24);
  cpu.xmm8.set(fx.subarray(160, 416));
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
