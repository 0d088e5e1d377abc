// Dedicated XMM handlers for the hottest packed-integer forms: logic, wrapping add/subtract,
// equality compares, immediate shifts and PMOVMSKB. The generic rows run a lane kernel through
// a handler factory shared by every operation (one megamorphic call per instruction, byte or
// word loops); these compute whole dwords in straight-line code (SWAR for byte and word lanes)
// with the same results. sse-int.ts and sse-move.ts substitute them by mnemonic.

import type { Cpu } from "../cpu.ts";
import type { Handler, Insn } from "../insn.ts";
import { loadW, SRC } from "./sse-int-lanes.ts";

/** Load the Wx source (aligned m128 or XMM) into SRC and return its dwords. */
function source(cpu: Cpu, i: Insn): Uint32Array {
  loadW(cpu, i, true);
  return SRC.d;
}

function pxor(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  x[d] ^= s[0];
  x[d + 1] ^= s[1];
  x[d + 2] ^= s[2];
  x[d + 3] ^= s[3];
}
function pand(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  x[d] &= s[0];
  x[d + 1] &= s[1];
  x[d + 2] &= s[2];
  x[d + 3] &= s[3];
}
function pandn(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  x[d] = ~x[d] & s[0];
  x[d + 1] = ~x[d + 1] & s[1];
  x[d + 2] = ~x[d + 2] & s[2];
  x[d + 3] = ~x[d + 3] & s[3];
}
function por(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  x[d] |= s[0];
  x[d + 1] |= s[1];
  x[d + 2] |= s[2];
  x[d + 3] |= s[3];
}

// Lane-wise add/subtract inside a dword: add the lanes without their top bits (no carry can
// cross a lane), then fix each top bit by xor.
const B_LOW = 0x7f7f7f7f, B_TOP = 0x80808080;
const W_LOW = 0x7fff7fff, W_TOP = 0x80008000;

function paddb(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  for (let k = 0; k < 4; k++) {
    const a = x[d + k], b = s[k];
    x[d + k] = ((a & B_LOW) + (b & B_LOW)) ^ ((a ^ b) & B_TOP);
  }
}
function psubb(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  for (let k = 0; k < 4; k++) {
    const a = x[d + k], b = s[k];
    x[d + k] = ((a | B_TOP) - (b & B_LOW)) ^ ((a ^ ~b) & B_TOP);
  }
}
function paddw(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  for (let k = 0; k < 4; k++) {
    const a = x[d + k], b = s[k];
    x[d + k] = ((a & W_LOW) + (b & W_LOW)) ^ ((a ^ b) & W_TOP);
  }
}
function psubw(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  for (let k = 0; k < 4; k++) {
    const a = x[d + k], b = s[k];
    x[d + k] = ((a | W_TOP) - (b & W_LOW)) ^ ((a ^ ~b) & W_TOP);
  }
}
function paddd(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  x[d] += s[0];
  x[d + 1] += s[1];
  x[d + 2] += s[2];
  x[d + 3] += s[3];
}
function psubd(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  x[d] -= s[0];
  x[d + 1] -= s[1];
  x[d + 2] -= s[2];
  x[d + 3] -= s[3];
}
function paddq(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  for (let k = 0; k < 4; k += 2) {
    const lo = x[d + k] + s[k];
    x[d + k + 1] += s[k + 1] + (lo > 0xffffffff ? 1 : 0);
    x[d + k] = lo;
  }
}
function psubq(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  for (let k = 0; k < 4; k += 2) {
    const a = x[d + k], b = s[k];
    x[d + k + 1] -= s[k + 1] + (a < b ? 1 : 0);
    x[d + k] = a - b;
  }
}

function pcmpeqb(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  for (let k = 0; k < 4; k++) {
    // Bytes of e are zero exactly where the inputs are equal; t has bit 7 set in the others.
    const e = x[d + k] ^ s[k];
    const t = ((e & B_LOW) + B_LOW) | e;
    x[d + k] = ((~t & B_TOP) >>> 7) * 0xff;
  }
}
function pcmpeqw(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  for (let k = 0; k < 4; k++) {
    const e = x[d + k] ^ s[k];
    const t = ((e & W_LOW) + W_LOW) | e;
    x[d + k] = ((~t & W_TOP) >>> 15) * 0xffff;
  }
}
function pcmpeqd(cpu: Cpu, i: Insn): void {
  const s = source(cpu, i), x = cpu.xmm32, d = i.reg << 2;
  for (let k = 0; k < 4; k++) x[d + k] = x[d + k] === s[k] ? 0xffffffff : 0;
}

// ---- shifts by imm8 (register in ModRM.rm) -------------------------------------------------

function psllwImm(cpu: Cpu, i: Insn): void {
  const x = cpu.xmm32, d = i.rm << 2, c = i.imm & 0xff;
  const keep = c > 15 ? 0 : ((0xffff << c) & 0xffff) * 0x10001;
  for (let k = 0; k < 4; k++) x[d + k] = (x[d + k] << c) & keep;
}
function psrlwImm(cpu: Cpu, i: Insn): void {
  const x = cpu.xmm32, d = i.rm << 2, c = i.imm & 0xff;
  const keep = c > 15 ? 0 : (0xffff >>> c) * 0x10001;
  for (let k = 0; k < 4; k++) x[d + k] = (x[d + k] >>> c) & keep;
}
function pslldImm(cpu: Cpu, i: Insn): void {
  const x = cpu.xmm32, d = i.rm << 2, c = i.imm & 0xff;
  if (c > 31) {
    x[d] =
      x[d + 1] =
      x[d + 2] =
      x[d + 3] =
        0;
  } else for (let k = 0; k < 4; k++) x[d + k] <<= c;
}
function psrldImm(cpu: Cpu, i: Insn): void {
  const x = cpu.xmm32, d = i.rm << 2, c = i.imm & 0xff;
  if (c > 31) {
    x[d] =
      x[d + 1] =
      x[d + 2] =
      x[d + 3] =
        0;
  } else for (let k = 0; k < 4; k++) x[d + k] >>>= c;
}
function psradImm(cpu: Cpu, i: Insn): void {
  const x = cpu.xmm32, d = i.rm << 2, c = Math.min(i.imm & 0xff, 31);
  for (let k = 0; k < 4; k++) x[d + k] >>= c;
}
function psllqImm(cpu: Cpu, i: Insn): void {
  const x = cpu.xmm32, d = i.rm << 2, c = i.imm & 0xff;
  for (let k = d; k < d + 4; k += 2) {
    if (c > 63) x[k] = x[k + 1] = 0;
    else if (c >= 32) {
      x[k + 1] = x[k] << (c - 32);
      x[k] = 0;
    } else if (c > 0) {
      x[k + 1] = (x[k + 1] << c) | (x[k] >>> (32 - c));
      x[k] <<= c;
    }
  }
}
function psrlqImm(cpu: Cpu, i: Insn): void {
  const x = cpu.xmm32, d = i.rm << 2, c = i.imm & 0xff;
  for (let k = d; k < d + 4; k += 2) {
    if (c > 63) x[k] = x[k + 1] = 0;
    else if (c >= 32) {
      x[k] = x[k + 1] >>> (c - 32);
      x[k + 1] = 0;
    } else if (c > 0) {
      x[k] = (x[k] >>> c) | (x[k + 1] << (32 - c));
      x[k + 1] >>>= c;
    }
  }
}

/** The top bit of each byte of a dword, gathered into bits 0-3. */
function byteSigns(v: number): number {
  const t = (v >>> 7) & 0x01010101;
  return (t | (t >>> 7) | (t >>> 14) | (t >>> 21)) & 15;
}

/** PMOVMSKB Gd,Ux: the byte sign mask of an XMM register. */
export function pmovmskbXmm(cpu: Cpu, i: Insn): void {
  const x = cpu.xmm32, s = i.rm << 2;
  const m = byteSigns(x[s]) | (byteSigns(x[s + 1]) << 4) | (byteSigns(x[s + 2]) << 8) |
    (byteSigns(x[s + 3]) << 12);
  cpu.setReg32(i.reg, m);
}

/** The Vx,Wx forms with a dedicated handler, by mnemonic. */
export const FAST_XMM = new Map<string, Handler>(Object.entries({
  pxor,
  pand,
  pandn,
  por,
  paddb,
  paddw,
  paddd,
  paddq,
  psubb,
  psubw,
  psubd,
  psubq,
  pcmpeqb,
  pcmpeqw,
  pcmpeqd,
}));

/** The Ux,Ib shift forms with a dedicated handler, by mnemonic. */
export const FAST_XMM_SHIFT_IMM = new Map<string, Handler>(Object.entries({
  psllw: psllwImm,
  psrlw: psrlwImm,
  pslld: pslldImm,
  psrld: psrldImm,
  psrad: psradImm,
  psllq: psllqImm,
  psrlq: psrlqImm,
}));
