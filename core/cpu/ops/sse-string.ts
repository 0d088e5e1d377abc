// SSE4.2 string and text instructions (PCMPESTRI, PCMPESTRM, PCMPISTRI, PCMPISTRM) and CRC32
// (CRC-32C, Castagnoli polynomial). The F2 0F 38 F0/F1 rows share their opcode slots with
// MOVBE (mov.ts); the decoder picks CRC32 by its mandatory F2 prefix, also when 66 is present.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { CF, OF, setStatus, SF, STATUS_FLAGS, ZF } from "../flags.ts";
import { readE } from "../operands.ts";
import { loadW, SRC } from "./sse-int-lanes.ts";

const RAX = 0, RCX = 1, RDX = 2; // not imported from cpu.ts: family files load before it

// ---- PCMPxSTRx ---------------------------------------------------------------------------

/** Elements of both operands as numbers (sign-extended when imm8[1] says signed). */
const elems1 = new Int32Array(16);
const elems2 = new Int32Array(16);

function unpackElements(
  out: Int32Array,
  bytes: Uint8Array,
  base: number,
  words: boolean,
  signed: boolean,
): void {
  if (words) {
    for (let k = 0; k < 8; k++) {
      const v = bytes[base + 2 * k] | (bytes[base + 2 * k + 1] << 8);
      out[k] = signed ? (v << 16) >> 16 : v;
    }
  } else {
    for (let k = 0; k < 16; k++) {
      const v = bytes[base + k];
      out[k] = signed ? (v << 24) >> 24 : v;
    }
  }
}

/** Implicit length: the index of the first zero element. */
function implicitLength(e: Int32Array, count: number): number {
  for (let k = 0; k < count; k++) if (e[k] === 0) return k;
  return count;
}

/** Explicit length from rAX/rDX: the absolute value of the signed register, saturated. */
function explicitLength(cpu: Cpu, reg: number, wide: boolean, count: number): number {
  const lo = cpu.r[reg * 2];
  if (wide) {
    const hi = cpu.r[reg * 2 + 1] | 0;
    // |value| >= count whenever the high half is anything but a sign extension of a small low.
    if (hi === 0) return lo < count ? lo : count;
    if (hi === -1) {
      const neg = -(lo | 0);
      return (lo | 0) < 0 && neg < count ? neg : count;
    }
    return count;
  }
  const v = Math.abs(lo | 0);
  return v < count ? v : count;
}

/**
 * The aggregation step (SDM 4.1): IntRes1 as a bit mask over the elements of operand 2 (the
 * W operand), from operand 1 (the V register) with valid lengths len1 and len2.
 */
function aggregate(imm: number, count: number, len1: number, len2: number): number {
  const a = elems1, b = elems2;
  let res = 0;
  switch ((imm >> 2) & 3) {
    case 0: // equal any: b[j] is one of the valid a[i]
      for (let j = 0; j < len2; j++) {
        for (let i = 0; i < len1; i++) {
          if (a[i] === b[j]) {
            res |= 1 << j;
            break;
          }
        }
      }
      break;
    case 1: // ranges: a[i] <= b[j] <= a[i+1] for some valid pair
      for (let j = 0; j < len2; j++) {
        for (let i = 0; i + 1 < len1; i += 2) {
          if (a[i] <= b[j] && b[j] <= a[i + 1]) {
            res |= 1 << j;
            break;
          }
        }
      }
      break;
    case 2: // equal each: both invalid counts as equal, one invalid as different
      for (let j = 0; j < count; j++) {
        const v1 = j < len1, v2 = j < len2;
        if (v1 && v2 ? a[j] === b[j] : !v1 && !v2) res |= 1 << j;
      }
      break;
    default: // equal ordered: the valid prefix of a occurs at b[j]
      for (let j = 0; j < count; j++) {
        let match = true;
        for (let i = 0, k = j; i < count - j; i++, k++) {
          if (i >= len1) break; // the rest of the needle is invalid: forced true
          if (k >= len2 || a[i] !== b[k]) {
            match = false;
            break;
          }
        }
        if (match) res |= 1 << j;
      }
  }
  return res;
}

/** Run the comparison; returns IntRes2 and sets the flags. */
function compareStrings(cpu: Cpu, i: Insn, explicit: boolean): number {
  loadW(cpu, i, false);
  const imm = i.imm & 0xff;
  const words = (imm & 1) !== 0, signed = (imm & 2) !== 0;
  const count = words ? 8 : 16;
  unpackElements(elems1, cpu.xmm8, i.reg << 4, words, signed);
  unpackElements(elems2, SRC.b, 0, words, signed);
  let len1: number, len2: number;
  if (explicit) {
    const wide = i.opsize === 8;
    len1 = explicitLength(cpu, RAX, wide, count);
    len2 = explicitLength(cpu, RDX, wide, count);
  } else {
    len1 = implicitLength(elems1, count);
    len2 = implicitLength(elems2, count);
  }
  let res = aggregate(imm, count, len1, len2);
  const all = words ? 0xff : 0xffff;
  switch ((imm >> 4) & 3) {
    case 1:
      res ^= all;
      break;
    case 3:
      res ^= (1 << len2) - 1;
      break;
  }
  setStatus(
    cpu,
    STATUS_FLAGS,
    (res !== 0 ? CF : 0) | (len2 < count ? ZF : 0) | (len1 < count ? SF : 0) | (res & 1 ? OF : 0),
  );
  return res;
}

/** Index result in ECX: least (imm8[6] = 0) or most significant set bit, or the count. */
function writeIndex(cpu: Cpu, res: number, imm: number) {
  const count = imm & 1 ? 8 : 16;
  let index = count;
  if (res !== 0) index = imm & 0x40 ? 31 - Math.clz32(res) : 31 - Math.clz32(res & -res);
  cpu.setReg32(RCX, index);
}

/** Mask result in XMM0: a bit mask (imm8[6] = 0) or each element expanded to all ones. */
function writeMask(cpu: Cpu, res: number, imm: number) {
  const x = cpu.xmm32;
  if (!(imm & 0x40)) {
    x[0] = res;
    x[1] = x[2] = x[3] = 0;
    return;
  }
  const words = (imm & 1) !== 0;
  if (words) {
    const w = cpu.xmm16;
    for (let k = 0; k < 8; k++) w[k] = res & (1 << k) ? 0xffff : 0;
  } else {
    const b = cpu.xmm8;
    for (let k = 0; k < 16; k++) b[k] = res & (1 << k) ? 0xff : 0;
  }
}

function pcmpestri(cpu: Cpu, i: Insn) {
  writeIndex(cpu, compareStrings(cpu, i, true), i.imm);
}
function pcmpestrm(cpu: Cpu, i: Insn) {
  writeMask(cpu, compareStrings(cpu, i, true), i.imm);
}
function pcmpistri(cpu: Cpu, i: Insn) {
  writeIndex(cpu, compareStrings(cpu, i, false), i.imm);
}
function pcmpistrm(cpu: Cpu, i: Insn) {
  writeMask(cpu, compareStrings(cpu, i, false), i.imm);
}

// ---- CRC32 -------------------------------------------------------------------------------

/** Reflected CRC-32C table (polynomial 0x1EDC6F41, reversed 0x82F63B78). */
const CRC32C = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  CRC32C[n] = c;
}

/** Fold `bytes` bytes of v (little-endian, low byte first) into crc. */
function crcBytes(crc: number, v: number, bytes: number): number {
  for (let k = 0; k < bytes; k++) {
    crc = CRC32C[(crc ^ v) & 0xff] ^ (crc >>> 8);
    v >>>= 8;
  }
  return crc >>> 0;
}

/** F2 0F 38 F0: CRC32 r32/r64, r/m8. */
function crc32Byte(cpu: Cpu, i: Insn) {
  const v = readE(cpu, i, 1);
  cpu.setReg32(i.reg, crcBytes(cpu.r[i.reg * 2], v, 1));
}
/** F2 0F 38 F1: CRC32 r32, r/m16 (66), r32, r/m32, or r64, r/m64 (REX.W). */
function crc32Word(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const v = readE(cpu, i, s);
  if (s === 8) {
    const hi = cpu.hi;
    cpu.setReg32(i.reg, crcBytes(crcBytes(cpu.r[i.reg * 2], v, 4), hi, 4));
  } else cpu.setReg32(i.reg, crcBytes(cpu.r[i.reg * 2], v, s));
}

export const SSE_STRING_FORMS: FormSpec[] = [
  { op: "66 0F 3A 60 /r", mnem: "pcmpestrm", args: "Vdq,Wdq,Ib", fn: pcmpestrm },
  { op: "66 0F 3A 61 /r", mnem: "pcmpestri", args: "Vdq,Wdq,Ib", fn: pcmpestri },
  { op: "66 0F 3A 62 /r", mnem: "pcmpistrm", args: "Vdq,Wdq,Ib", fn: pcmpistrm },
  { op: "66 0F 3A 63 /r", mnem: "pcmpistri", args: "Vdq,Wdq,Ib", fn: pcmpistri },
  { op: "F2 0F 38 F0 /r", mnem: "crc32", args: "Gd,Eb", fn: crc32Byte },
  { op: "F2 0F 38 F1 /r", mnem: "crc32", args: "Gd,Ev", fn: crc32Word },
];
