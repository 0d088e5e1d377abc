// Deterministic test-case generation: from (form, variant, index) to a complete input state —
// the encoding, all sixteen GPRs, RFLAGS, an FXSAVE image and the data region (a seed plus
// patches). The replay test regenerates exactly the cases the generator ran natively.

import type { Insn } from "../../../core/cpu/insn.ts";
import { countWidth, encodeOnce } from "./encode.ts";
import { type FormInfo, memOperandSize, type Variant } from "./forms.ts";
import { DATA_BASE, DATA_SIZE, LANDING, PAGE_BOUNDARY, UNMAPPED } from "./layout.ts";
import type { CaseInput, Patch } from "./protocol.ts";
import { mixSeed, Rng } from "./rng.ts";
import {
  countEdge,
  f80Bytes,
  intEdge,
  type LaneBias,
  laneBias,
  memBytes,
  type Pair,
  regValue,
  writeU32,
  xmmBytes,
} from "./values.ts";

export interface GeneratedCase {
  input: CaseInput;
  variant: Variant;
  insn: Insn;
  /** Linear address the ModRM/moffs memory operand was aimed at (null: none or non-canonical). */
  target: number | null;
}

const RSP = 4, RBP = 5, RSI = 6, RDI = 7, RBX = 3, RCX = 1;
const STATUS_BITS = [0x1, 0x4, 0x10, 0x40, 0x80, 0x800, 0x400]; // CF PF AF ZF SF OF DF

/** A random valid FXSAVE image: x87 stack, control/status/tag words, MXCSR and XMM0-15. */
export function fxImage(rng: Rng, bias: LaneBias): Uint8Array {
  const fx = new Uint8Array(512);
  const masks = rng.chance(0.85) ? 0x3f : rng.u32() & 0x3f;
  const pc = rng.pick([3, 3, 3, 2, 2, 0]);
  const rc = rng.chance(0.5) ? 0 : rng.below(4);
  const fcw = 0x40 | masks | (pc << 8) | (rc << 10);
  const top = rng.below(8);
  let fsw = (top << 11) | (rng.u32() & 0x4700);
  if (rng.chance(0.3)) fsw |= rng.u32() & masks;
  const unmasked = ~masks & 0x3f;
  if (unmasked && rng.chance(0.05)) {
    let bit = 1 << rng.below(6);
    while (!(bit & unmasked)) bit = bit === 0x20 ? 1 : bit << 1;
    fsw |= bit | 0x8080; // a pending exception: ES and B set
  }
  const valid = rng.pick([0, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8, 8]);
  let ftw = 0;
  for (let k = 0; k < valid; k++) ftw |= 1 << ((top + k) & 7);
  if (rng.chance(0.1)) ftw = rng.u32() & 0xff;
  fx[0] = fcw & 0xff;
  fx[1] = fcw >>> 8;
  fx[2] = fsw & 0xff;
  fx[3] = fsw >>> 8;
  fx[4] = ftw;
  for (let k = 0; k < 8; k++) f80Bytes(rng, fx, 32 + 16 * k);

  let mx = 0x1f80;
  if (rng.chance(0.4)) mx = (mx & ~0x6000) | (rng.below(4) << 13);
  if (rng.chance(0.2)) mx |= 0x8000;
  if (rng.chance(0.2)) mx |= 0x40;
  if (rng.chance(0.3)) mx |= rng.u32() & 0x3f;
  if (rng.chance(0.12)) mx = (mx & ~0x1f80) | ((rng.u32() & 0x3f) << 7);
  writeU32(fx, 24, mx);
  writeU32(fx, 28, 0xffff);
  for (let k = 0; k < 16; k++) xmmBytes(rng, bias, fx, 160 + 16 * k);
  return fx;
}

/** Where the memory operand goes: [linear address, must it fault?]. */
function chooseTarget(
  rng: Rng,
  size: number,
  aligned16: boolean,
  allowNonCanonical: boolean,
): [number | bigint, boolean] {
  const span = Math.min(size, 512);
  const inRegion = (lo: number, hi: number) => DATA_BASE + rng.range(lo, Math.max(lo, hi));
  const align = (a: number, n: number) => a - (a % n);
  if (aligned16) {
    if (rng.chance(0.97)) {
      return [align(inRegion(0x100, DATA_SIZE - span - 0x100), 16), false];
    }
    return [inRegion(0x100, DATA_SIZE - span - 0x100) | 1, false];
  }
  const r = rng.below(100);
  if (r < 35) {
    const n = size >= 8 ? 8 : size;
    return [align(inRegion(0x100, DATA_SIZE - span - 0x100), n), false];
  }
  if (r < 60) return [inRegion(0x100, DATA_SIZE - span - 0x100), false];
  if (r < 80 && size > 1) return [PAGE_BOUNDARY - rng.range(1, size - 1), false];
  if (r < 90) {
    return [PAGE_BOUNDARY + (rng.chance(0.5) ? 0 : -size), false];
  }
  if (r < 94 && size > 1) return [DATA_BASE + DATA_SIZE - rng.range(1, size - 1), false];
  if (r < 96) return [DATA_BASE - rng.range(1, size), false];
  if (r < 98 || !allowNonCanonical) return [UNMAPPED + rng.below(4096), false];
  const hi = BigInt(rng.pick([0x8000, 0xffff7fff, 0x12345678, 0x00010000]));
  return [(hi << 32n) | BigInt(rng.u32()), true];
}

function stackOffset(rng: Rng): number {
  const r = rng.below(20);
  if (r < 14) return 0x1000 + rng.range(-0xc0, 0xc0) * 8;
  if (r < 17) return 0x1000 + rng.range(-0x60, 0x60) * 16;
  if (r < 19) return rng.range(0x400, 0x1c00);
  return 0x1000 + rng.range(-8, 8);
}

function patchAt(patches: Patch[], linear: number, bytes: Uint8Array): void {
  let off = linear - DATA_BASE;
  let b = bytes;
  if (off < 0) {
    b = b.subarray(-off);
    off = 0;
  }
  if (off + b.length > DATA_SIZE) b = b.subarray(0, Math.max(0, DATA_SIZE - off));
  if (b.length > 0 && off < DATA_SIZE) patches.push({ off, bytes: b });
}

function qword(lo: number, hi: number): Uint8Array {
  const b = new Uint8Array(8);
  writeU32(b, 0, lo);
  writeU32(b, 4, hi);
  return b;
}

/** Generate case `index` of `variantIndex` for a form (null if no encoding selects the form). */
export function generateCase(
  info: FormInfo,
  formSeed: number,
  variantIndex: number,
  index: number,
): GeneratedCase | null {
  const rng = new Rng(mixSeed(formSeed, variantIndex, index));
  const v = info.variants[variantIndex];
  const f = info.form;
  const bias = laneBias(info.mnem);
  const aligned16 = f.spec.test?.mem === "aligned16";
  const size = memOperandSize(info, v);
  const usesModrmMemory = v.mem && f.hasModrm;
  const hasMoffs = info.args.some((a) => a[0] === "O");

  let target: number | bigint = 0;
  let faultTarget = false;
  if (usesModrmMemory || hasMoffs) {
    [target, faultTarget] = chooseTarget(rng, size, aligned16, !v.asize32);
  }
  const gs = (usesModrmMemory || hasMoffs) && !faultTarget && rng.chance(0.08);

  let enc = null;
  for (let attempt = 0; attempt < 40 && !enc; attempt++) {
    enc = encodeOnce(rng, { info, variant: v, target, faultTarget, gs });
  }
  if (!enc) return null;
  const insn = enc.insn;

  // General registers: interesting values, then the pointers instructions use implicitly.
  const gpr = new Uint32Array(32);
  const setReg = (r: number, [lo, hi]: Pair) => {
    gpr[2 * r] = lo;
    gpr[2 * r + 1] = hi;
  };
  const widths = [8, 16, 32, 64];
  for (let r = 0; r < 16; r++) {
    setReg(r, regValue(rng, rng.chance(0.6) ? v.opsize * 8 : rng.pick(widths)));
  }
  const pointer = (off: number): Pair => {
    const lo = DATA_BASE + off;
    return [lo >>> 0, v.asize32 ? rng.u32() : 0];
  };
  const spOff = stackOffset(rng);
  setReg(RSP, [DATA_BASE + spOff, 0]);
  if (rng.chance(0.5)) setReg(RBP, [DATA_BASE + stackOffset(rng), 0]);
  const stringPointers = info.stringOp ? 0.95 : 0.2;
  let srcOff = -1, dstOff = -1;
  if (rng.chance(stringPointers)) {
    srcOff = rng.chance(0.1) ? 0x1000 - rng.range(1, 16) : rng.range(0x600, 0x1a00);
    setReg(RSI, pointer(srcOff));
  }
  if (rng.chance(/^maskmov/.test(info.mnem) ? 0.95 : stringPointers)) {
    dstOff = rng.chance(0.1) ? 0x1000 - rng.range(1, 16) : rng.range(0x600, 0x1a00);
    setReg(RDI, pointer(dstOff));
  }
  if (info.usesRbxPointer) setReg(RBX, pointer(rng.range(0x200, 0x1d00)));
  if (f.rep || /^(loop|j[er]?cxz)/.test(info.mnem)) {
    if (rng.chance(0.9)) {
      setReg(RCX, [rng.pick([0, 1, 2, 3, rng.range(0, 40)]), v.asize32 ? rng.u32() : 0]);
    }
  } else if (info.args.includes("CL") && rng.chance(0.8)) {
    gpr[2 * RCX] = ((gpr[2 * RCX] & ~0xff) | countEdge(rng, countWidth(info, v))) >>> 0;
  }
  if (v.mem && /^bt[src]?$/.test(info.mnem) && info.args[1]?.[0] === "G") {
    // A register bit offset moves the access itself: keep it near the operand.
    const bits = rng.range(-0x1800, 0x1800);
    const [lo, hi] = regValue(rng, v.opsize * 8);
    const m = v.opsize === 2 ? 0xffff : 0xffffffff;
    setReg(insn.reg, [
      ((lo & ~m) | (bits & m)) >>> 0,
      v.opsize === 8 ? (bits < 0 ? 0xffffffff : 0) : hi,
    ]);
  }
  if (/^i?div$/.test(info.mnem) && rng.chance(0.5)) {
    // Mostly a dividend whose high half is the extension of the low half: no quotient overflow.
    const signed = info.mnem === "idiv";
    const bits = v.opsize * 8;
    if (bits === 8) {
      const al = gpr[0] & 0xff;
      gpr[0] = ((gpr[0] & ~0xff00) | ((signed && al & 0x80 ? 0xff : 0) << 8)) >>> 0;
    } else {
      const neg = signed && (bits === 64 ? gpr[1] : gpr[0] << (32 - bits)) >>> 31;
      const fill = neg ? 0xffffffff : 0;
      if (bits === 16) gpr[4] = ((gpr[4] & ~0xffff) | (fill & 0xffff)) >>> 0;
      else gpr[4] = fill;
      if (bits === 64) gpr[5] = fill;
    }
  }
  for (const [r, val] of enc.regs) setReg(r, val);

  // Branches are aimed at the landing pad: register or memory operand, and the return address.
  const branchE = f.branch && info.args[0]?.[0] === "E";
  if (branchE && !v.mem && rng.chance(0.85)) setReg(insn.rm, [LANDING, 0]);

  // Flags: cycle through every combination of the status flags and DF across a form's vectors.
  const g = variantIndex * info.perVariant + index;
  const combo = (g * 37 + formSeed) & 127;
  let rflags = 0x202;
  for (let b = 0; b < 7; b++) if (combo & (1 << b)) rflags |= STATUS_BITS[b];

  const fx = fxImage(rng, bias);
  const patches: Patch[] = [];
  const dataSeed = rng.u32();
  const sp = DATA_BASE + ((gpr[2 * RSP] - DATA_BASE) | 0);
  const top = intEdge(rng, 64);
  if (/^popf/.test(info.mnem)) top[0] &= ~0x40100; // never pop TF or AC
  if (f.branch && rng.chance(0.9)) patchAt(patches, sp, qword(LANDING, 0));
  else patchAt(patches, sp, qword(top[0], top[1]));
  if (info.stringOp) {
    const elem = memBytes(rng, 16, bias);
    if (srcOff >= 0) patchAt(patches, DATA_BASE + srcOff, elem);
    if (dstOff >= 0) {
      const same = rng.chance(0.4);
      patchAt(patches, DATA_BASE + dstOff, same ? elem : memBytes(rng, 16, bias));
    }
  }
  if ((usesModrmMemory || hasMoffs) && typeof target === "number") {
    let bytes: Uint8Array;
    if (branchE && rng.chance(0.85)) bytes = qword(LANDING, 0);
    else if (/^f?xrstor/.test(info.mnem) && rng.chance(0.9)) bytes = fxImage(rng, bias);
    else bytes = memBytes(rng, size, bias);
    patchAt(patches, target, bytes);
  }

  return {
    input: { insn: enc.bytes, gpr, rflags, fx, dataSeed, patches },
    variant: v,
    insn,
    target: (usesModrmMemory || hasMoffs) && typeof target === "number" ? target : null,
  };
}
