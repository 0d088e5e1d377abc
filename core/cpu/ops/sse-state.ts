// x87/MMX/SSE state management: FXSAVE/FXRSTOR (64-bit mode layouts, with REX.W the
// "fxsave64" form and 64-bit instruction/data pointers), LDMXCSR/STMXCSR and EMMS.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { VEC_GP } from "../exceptions.ts";
import type { X87State } from "../../fpu/x87-state.ts";
import { SW_ES } from "../../fpu/x87-state.ts";
import { checkPending, probeArea } from "./x87-common.ts";

/** MXCSR bits that exist (as the host reports in FXSAVE: DAZ and AMD's MM bit 17). */
export const MXCSR_MASK = 0x0002ffff;

/** Bytes of the FXSAVE image the processor writes (416..511 are left alone). */
const FXSAVE_WRITTEN = 416;
const FXSAVE_SIZE = 512;

/**
 * The FXSAVE image (bytes 0..415). `rexW` selects the 64-bit pointer layout. As on the host
 * (AMD), FOP and the pointers are saved only while an exception is pending (ES = 1).
 */
export function storeFxsave(cpu: Cpu, out: Uint8Array, rexW: boolean): void {
  const fpu = cpu.fpu;
  const dv = new DataView(out.buffer, out.byteOffset, FXSAVE_WRITTEN);
  out.fill(0, 0, FXSAVE_WRITTEN);
  dv.setUint16(0, fpu.cw, true);
  dv.setUint16(2, fpu.statusWord, true);
  out[4] = fpu.tags;
  if (fpu.sw & SW_ES) {
    dv.setUint16(6, fpu.fop, true);
    dv.setUint32(8, fpu.fip, true);
    dv.setUint32(16, fpu.fdp, true);
    if (rexW) {
      dv.setUint32(12, fpu.fipHi, true);
      dv.setUint32(20, fpu.fdpHi, true);
    } else {
      dv.setUint16(12, fpu.fcs, true);
      dv.setUint16(20, fpu.fds, true);
    }
  }
  dv.setUint32(24, cpu.mxcsr, true);
  dv.setUint32(28, MXCSR_MASK, true);
  // Byte loops rather than subarrays: this runs on every context switch.
  const regs8 = fpu.regs8;
  for (let i = 0; i < 8; i++) {
    const from = 16 * fpu.phys(i), to = 32 + 16 * i;
    for (let k = 0; k < 10; k++) out[to + k] = regs8[from + k];
  }
  out.set(cpu.xmm8, 160);
}

/** MXCSR of an FXRSTOR image is valid (no bit outside MXCSR_MASK). */
function fxrstorMxcsrValid(bytes: Uint8Array): boolean {
  const mxcsr = new DataView(bytes.buffer, bytes.byteOffset).getUint32(24, true);
  return (mxcsr & ~MXCSR_MASK) === 0;
}

/** Load an FXRSTOR image (the caller has checked its MXCSR). */
export function loadFxsave(cpu: Cpu, bytes: Uint8Array, rexW: boolean): void {
  const fpu: X87State = cpu.fpu;
  const dv = new DataView(bytes.buffer, bytes.byteOffset);
  fpu.setControlWord(dv.getUint16(0, true));
  fpu.tags = bytes[4];
  fpu.fop = dv.getUint16(6, true) & 0x7ff;
  fpu.fip = dv.getUint32(8, true);
  fpu.fdp = dv.getUint32(16, true);
  if (rexW) {
    fpu.fipHi = dv.getUint32(12, true);
    fpu.fdpHi = dv.getUint32(20, true);
    fpu.fcs = 0;
    fpu.fds = 0;
  } else {
    fpu.fipHi = 0;
    fpu.fdpHi = 0;
    fpu.fcs = dv.getUint16(12, true);
    fpu.fds = dv.getUint16(20, true);
  }
  fpu.setStatusWord(dv.getUint16(2, true));
  cpu.mxcsr = dv.getUint32(24, true);
  // Physical register of ST(i) depends on the TOP just loaded.
  const regs8 = fpu.regs8;
  for (let i = 0; i < 8; i++) {
    const to = 16 * fpu.phys(i), from = 32 + 16 * i;
    for (let k = 0; k < 10; k++) regs8[to + k] = bytes[from + k];
  }
  cpu.xmm8.set(bytes.subarray(160, 160 + 256));
}

function alignedImageAddress(cpu: Cpu, i: Insn): number {
  const a = cpu.ea(i);
  if (a & 15) cpu.raise(VEC_GP, 0);
  return a;
}

function fxsave(cpu: Cpu, i: Insn) {
  const a = alignedImageAddress(cpu, i);
  probeArea(cpu, a, FXSAVE_SIZE, true, 16);
  const out = new Uint8Array(FXSAVE_WRITTEN);
  storeFxsave(cpu, out, (i.rex & 8) !== 0);
  for (let k = 0; k < FXSAVE_WRITTEN; k += 4) {
    cpu.write32(a + k, out[k] | (out[k + 1] << 8) | (out[k + 2] << 16) | (out[k + 3] << 24));
  }
}

function fxrstor(cpu: Cpu, i: Insn) {
  const a = alignedImageAddress(cpu, i);
  probeArea(cpu, a, FXSAVE_SIZE, false, 16);
  const bytes = new Uint8Array(FXSAVE_WRITTEN);
  for (let k = 0; k < FXSAVE_WRITTEN; k += 4) {
    const v = cpu.read32(a + k);
    bytes[k] = v;
    bytes[k + 1] = v >>> 8;
    bytes[k + 2] = v >>> 16;
    bytes[k + 3] = v >>> 24;
  }
  if (!fxrstorMxcsrValid(bytes)) cpu.raise(VEC_GP, 0);
  loadFxsave(cpu, bytes, (i.rex & 8) !== 0);
}

function ldmxcsr(cpu: Cpu, i: Insn) {
  const v = cpu.read32(cpu.ea(i));
  if (v & ~MXCSR_MASK) cpu.raise(VEC_GP, 0);
  cpu.mxcsr = v;
}

function stmxcsr(cpu: Cpu, i: Insn) {
  cpu.write32(cpu.ea(i), cpu.mxcsr);
}

/** EMMS: every x87 register empty and, on the host, TOP = 0 (a pending x87 #MF comes first). */
function emms(cpu: Cpu) {
  checkPending(cpu);
  cpu.fpu.emms();
}

const ALIGNED = { mem: "aligned16" as const };

export const SSE_STATE_FORMS: FormSpec[] = [
  { op: "NP 0F AE /0", mnem: "fxsave", args: "M", fn: fxsave, attrs: "mem w0", test: ALIGNED },
  { op: "NP 0F AE /0", mnem: "fxsave64", args: "M", fn: fxsave, attrs: "mem w1", test: ALIGNED },
  { op: "NP 0F AE /1", mnem: "fxrstor", args: "M", fn: fxrstor, attrs: "mem w0", test: ALIGNED },
  {
    op: "NP 0F AE /1",
    mnem: "fxrstor64",
    args: "M",
    fn: fxrstor,
    attrs: "mem w1",
    test: ALIGNED,
  },
  { op: "NP 0F AE /2", mnem: "ldmxcsr", args: "Md", fn: ldmxcsr, attrs: "mem" },
  { op: "NP 0F AE /3", mnem: "stmxcsr", args: "Md", fn: stmxcsr, attrs: "mem" },
  { op: "NP 0F 77", mnem: "emms", args: "", fn: emms },
];
