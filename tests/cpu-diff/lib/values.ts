// Edge-case and random values: integers at every width, IEEE single/double, x87 extended
// precision, and 128-bit XMM patterns. Values are produced as bytes (little-endian) or 32-bit
// halves so no BigInt is needed.

import type { Rng } from "./rng.ts";

/** A 64-bit value as halves. */
export type Pair = [lo: number, hi: number];

const MASKS: Record<number, Pair> = {
  8: [0xff, 0],
  16: [0xffff, 0],
  32: [0xffffffff, 0],
  64: [0xffffffff, 0xffffffff],
};

function signBit(bits: number): Pair {
  return bits === 64 ? [0, 0x80000000] : [(2 ** (bits - 1)) >>> 0, 0];
}

/** An interesting value for an operand of `bits` width (only the low `bits` are set). */
export function intEdge(rng: Rng, bits: number): Pair {
  const [mlo, mhi] = MASKS[bits];
  const [slo, shi] = signBit(bits);
  let v: Pair;
  switch (rng.below(14)) {
    case 0:
      v = [0, 0];
      break;
    case 1:
      v = [1, 0];
      break;
    case 2:
      v = [mlo, mhi]; // -1
      break;
    case 3:
      v = [slo, shi]; // most negative
      break;
    case 4:
      v = [(mlo ^ slo) >>> 0, (mhi ^ shi) >>> 0]; // most positive
      break;
    case 5:
      v = [(slo + 1) >>> 0, shi]; // most negative + 1
      break;
    case 6:
      v = [(mlo ^ slo) - 1 >>> 0, (mhi ^ shi) >>> 0]; // most positive - 1
      break;
    case 7:
      v = [rng.range(2, 64), 0];
      break;
    case 8: {
      const bit = rng.below(bits);
      v = bit < 32 ? [(2 ** bit) >>> 0, 0] : [0, (2 ** (bit - 32)) >>> 0];
      break;
    }
    case 9: // -small
      v = [(-rng.range(2, 64)) >>> 0, 0xffffffff];
      break;
    case 10: // byte pattern
      v = [Math.imul(rng.u32() & 0xff, 0x01010101) >>> 0, 0];
      v[1] = v[0];
      break;
    default:
      v = [rng.u32(), rng.u32()];
  }
  return [(v[0] & mlo) >>> 0, (v[1] & mhi) >>> 0];
}

/**
 * A count-like value for shifts, rotates and bit offsets. With `width` (the `count: "width"`
 * hint) the masked count stays within 0..width, the upper bits still vary.
 */
export function countEdge(rng: Rng, width = 0): number {
  if (width) {
    const mask = width === 64 ? 0x3f : 0x1f;
    const c = rng.chance(0.5) ? rng.pick([0, 1, width - 1, width]) : rng.range(0, width);
    return (c & mask) | (rng.u32() & ~mask & 0xff);
  }
  return rng.chance(0.75)
    ? rng.pick([0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255])
    : rng.u32() & 0xff;
}

/** A full 64-bit register value whose low `bits` are interesting and upper bits vary. */
export function regValue(rng: Rng, bits: number): Pair {
  const [lo, hi] = intEdge(rng, bits);
  if (bits === 64) return [lo, hi];
  const upper = rng.below(4);
  const fill: Pair = upper === 0 ? [0, 0] : upper === 1 ? [0xffffffff, 0xffffffff] : [
    rng.u32(),
    rng.u32(),
  ];
  if (bits === 32) return [lo, fill[1]];
  const m = MASKS[bits][0];
  return [((fill[0] & ~m) | lo) >>> 0, fill[1]];
}

// ---- floating point --------------------------------------------------------------------------

const F32_EDGES = [
  0x00000000,
  0x80000000,
  0x7f800000,
  0xff800000, // ±0, ±inf
  0x7fc00000,
  0xffc00000,
  0x7fc00001,
  0xffffffff,
  0x7fffffff, // QNaNs (incl. indefinite)
  0x7f800001,
  0xff800001,
  0x7fa00000,
  0x7fbfffff, // SNaNs
  0x00000001,
  0x80000001,
  0x007fffff,
  0x807fffff,
  0x00400000, // denormals
  0x00800000,
  0x80800000,
  0x7f7fffff,
  0xff7fffff, // min/max normals
  0x3f800000,
  0xbf800000,
  0x3f000000,
  0xbf000000,
  0x3fc00000,
  0x40200000,
  0xbfc00000, // 1 .5 1.5 2.5
  0x4b000000,
  0x4b000001,
  0x4effffff,
  0x4f000000,
  0xcf000000,
  0xcf000001,
  0x5effffff,
  0x5f000000,
  0xdf000000,
  0x4f800000,
  0x3effffff,
  0x3f7fffff,
  0x33800000,
];

const F64_EDGES_HI_LO: Pair[] = [
  [0, 0x00000000],
  [0, 0x80000000],
  [0, 0x7ff00000],
  [0, 0xfff00000],
  [0, 0x7ff80000],
  [0, 0xfff80000],
  [1, 0x7ff80000],
  [0xffffffff, 0x7fffffff],
  [1, 0x7ff00000],
  [0, 0x7ff40000],
  [0xffffffff, 0x7ff7ffff],
  [1, 0xfff00000],
  [1, 0],
  [1, 0x80000000],
  [0xffffffff, 0x000fffff],
  [0, 0x00080000],
  [0, 0x00100000],
  [0, 0x80100000],
  [0xffffffff, 0x7fefffff],
  [0xffffffff, 0xffefffff],
  [0, 0x3ff00000],
  [0, 0xbff00000],
  [0, 0x3fe00000],
  [0, 0x3ff80000],
  [0, 0x40040000],
  [0, 0xbfe00000],
  [0, 0x43300000],
  [1, 0x43300000],
  [0, 0x41e00000],
  [0xffc00000, 0x41dfffff],
  [0, 0xc1e00000],
  [0x00200000, 0xc1e00000],
  [0, 0x43e00000],
  [0, 0xc3e00000],
  [0xffffffff, 0x43dfffff],
  [0, 0x41f00000],
  [0xe0000000, 0x47efffff],
  [0, 0x36a00000],
  [0x10000000, 0x3ff00000],
  [0x0fffffff, 0x3ff00000],
  [0x10000001, 0x3ff00000],
  [0, 0x38100000],
  [0, 0x380fffff],
  [0xffffffff, 0x3fdfffff],
].map(([lo, hi]) => [lo >>> 0, hi >>> 0]);

/** A single-precision bit pattern. */
export function f32Bits(rng: Rng): number {
  switch (rng.below(4)) {
    case 0:
    case 1:
      return rng.pick(F32_EDGES) >>> 0;
    case 2: { // normal number with a moderate exponent
      const exp = 127 + rng.range(-30, 30);
      return ((rng.below(2) << 31) | (exp << 23) | (rng.u32() & 0x7fffff)) >>> 0;
    }
    default: // anything, sometimes with a rounding-sensitive mantissa
      return rng.chance(0.3) ? (rng.u32() & 0xffffff00) >>> 0 : rng.u32();
  }
}

/** A double-precision bit pattern as halves. */
export function f64Bits(rng: Rng): Pair {
  switch (rng.below(5)) {
    case 0:
    case 1:
      return rng.pick(F64_EDGES_HI_LO);
    case 2: {
      const exp = 1023 + rng.range(-60, 60);
      return [rng.u32(), ((rng.below(2) << 31) | (exp << 20) | (rng.u32() & 0xfffff)) >>> 0];
    }
    case 3: { // halfway / near-halfway for single precision (bit 28 of the mantissa)
      const exp = 1023 + rng.range(-130, 130);
      const low = rng.pick([0x10000000, 0x0fffffff, 0x10000001, 0x30000000, 0]);
      return [low >>> 0, ((rng.below(2) << 31) | (exp << 20) | (rng.u32() & 0xfffff)) >>> 0];
    }
    default:
      return [rng.u32(), rng.u32()];
  }
}

/** An 80-bit extended value into `out` at `at` (8 bytes significand, 2 bytes sign/exponent). */
export function f80Bytes(rng: Rng, out: Uint8Array, at: number): void {
  let lo = 0, hi = 0, se = 0;
  const sign = rng.below(2) << 15;
  switch (rng.below(12)) {
    case 0: // zero
      se = sign;
      break;
    case 1: // infinity
      hi = 0x80000000;
      se = sign | 0x7fff;
      break;
    case 2: // QNaN / indefinite
      hi = rng.chance(0.5) ? 0xc0000000 : (0xc0000000 | (rng.u32() & 0x3fffffff)) >>> 0;
      lo = rng.chance(0.5) ? 0 : rng.u32();
      se = sign | 0x7fff;
      break;
    case 3: // SNaN
      hi = (0x80000000 | (rng.u32() & 0x3fffffff) | 1) >>> 0;
      lo = rng.u32();
      se = sign | 0x7fff;
      break;
    case 4: // denormal or pseudo-denormal
      hi = rng.chance(0.8) ? rng.u32() & 0x7fffffff : (rng.u32() | 0x80000000) >>> 0;
      lo = rng.u32();
      se = sign;
      break;
    case 5: // unnormal / pseudo-NaN / pseudo-infinity (invalid encodings)
      hi = rng.u32() & 0x7fffffff;
      lo = rng.u32();
      se = sign | (rng.chance(0.5) ? 0x7fff : rng.range(1, 0x7ffe));
      break;
    case 6: // max / min normal
      if (rng.chance(0.5)) {
        hi = 0xffffffff;
        lo = 0xffffffff;
        se = sign | 0x7ffe;
      } else {
        hi = 0x80000000;
        se = sign | 1;
      }
      break;
    case 7: { // small integers and halves (rounding and FIST boundaries)
      const e = rng.pick([0, 1, 2, 14, 15, 30, 31, 62, 63, 64, -1]);
      hi = (0x80000000 | (rng.chance(0.5) ? 0 : rng.u32() & 0x7fffffff)) >>> 0;
      lo = rng.chance(0.5) ? 0 : rng.u32();
      se = sign | (0x3fff + e);
      break;
    }
    case 8: { // halfway points for single (bit 39) and double (bit 10) precision control
      const e = 0x3fff + rng.range(-40, 40);
      hi = (0x80000000 | (rng.u32() & 0x7fffff00) | rng.pick([0x80, 0x7f, 0x81, 0])) >>> 0;
      lo = rng.pick([0, 0x400, 0x3ff, 0x401, 0xffffffff]);
      se = sign | e;
      break;
    }
    case 9: // huge/tiny magnitudes (overflow/underflow on store or precision change)
      hi = (rng.u32() | 0x80000000) >>> 0;
      lo = rng.u32();
      se = sign | rng.pick([0x407e, 0x407f, 0x43fe, 0x43ff, 0x3f80, 0x3f81, 0x3c00, 0x3c01]);
      break;
    default: // ordinary normals near 1
      hi = (rng.u32() | 0x80000000) >>> 0;
      lo = rng.u32();
      se = sign | (0x3fff + rng.range(-70, 70));
  }
  writeU32(out, at, lo);
  writeU32(out, at + 4, hi);
  out[at + 8] = se & 0xff;
  out[at + 9] = se >>> 8;
}

export function writeU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = (v >>> 16) & 0xff;
  out[at + 3] = v >>> 24;
}

export function readU32(b: Uint8Array, at: number): number {
  return (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
}

/** Which lane shapes a form's operands most likely hold (from its mnemonic). */
export type LaneBias = "f32" | "f64" | "int" | "any";

export function laneBias(mnem: string): LaneBias {
  if (/(ps|ss)$/.test(mnem) || /^(cvt|rcp|rsqrt).*s$/.test(mnem)) return "f32";
  if (/(pd|sd)$/.test(mnem)) return "f64";
  if (/^p|^mov/.test(mnem)) return "int";
  return "any";
}

/** 16 interesting bytes for an XMM register or 128-bit memory operand. */
export function xmmBytes(rng: Rng, bias: LaneBias, out: Uint8Array, at: number): void {
  let shape = rng.below(6);
  if (bias === "f32" && rng.chance(0.6)) shape = 0;
  if (bias === "f64" && rng.chance(0.6)) shape = 1;
  if (bias === "int" && shape < 2 && rng.chance(0.7)) shape = 2 + rng.below(3);
  switch (shape) {
    case 0:
      for (let k = 0; k < 4; k++) writeU32(out, at + 4 * k, f32Bits(rng));
      return;
    case 1:
      for (let k = 0; k < 2; k++) {
        const [lo, hi] = f64Bits(rng);
        writeU32(out, at + 8 * k, lo);
        writeU32(out, at + 8 * k + 4, hi);
      }
      return;
    case 2: // bytes
      for (let k = 0; k < 16; k++) out[at + k] = intEdge(rng, 8)[0];
      return;
    case 3: // words
      for (let k = 0; k < 8; k++) {
        const v = intEdge(rng, 16)[0];
        out[at + 2 * k] = v & 0xff;
        out[at + 2 * k + 1] = v >>> 8;
      }
      return;
    case 4: // dwords and qwords
      for (let k = 0; k < 4; k++) writeU32(out, at + 4 * k, intEdge(rng, 32)[0]);
      if (rng.chance(0.5)) {
        const [lo, hi] = intEdge(rng, 64);
        writeU32(out, at, lo);
        writeU32(out, at + 4, hi);
      }
      return;
    default:
      for (let k = 0; k < 4; k++) writeU32(out, at + 4 * k, rng.u32());
  }
}

/** Interesting contents for a memory operand of `size` bytes. */
export function memBytes(rng: Rng, size: number, bias: LaneBias): Uint8Array {
  const out = new Uint8Array(size);
  if (size <= 8 && (size & (size - 1)) === 0) {
    let lo: number, hi: number;
    const r = rng.below(4);
    if (size === 4 && (bias === "f32" || (bias === "any" && r === 0))) lo = f32Bits(rng), hi = 0;
    else if (size === 8 && (bias === "f64" || (bias === "any" && r === 0))) {
      [lo, hi] = f64Bits(rng);
    } else [lo, hi] = intEdge(rng, size * 8);
    for (let k = 0; k < size; k++) {
      out[k] = k < 4 ? (lo >>> (8 * k)) & 0xff : (hi >>> (8 * (k - 4))) & 0xff;
    }
  } else if (size === 10) {
    f80Bytes(rng, out, 0);
  } else {
    for (let k = 0; k + 16 <= size; k += 16) xmmBytes(rng, bias, out, k);
    for (let k = size - (size % 16); k < size; k++) out[k] = rng.u32() & 0xff;
  }
  return out;
}
