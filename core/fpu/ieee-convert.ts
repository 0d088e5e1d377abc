// IEEE conversions and round-to-integral under MXCSR: integer <-> binary32/binary64, binary32
// <-> binary64, float -> signed integer with rounding or truncation (the "integer indefinite"
// 0x80000000... on NaN or overflow is the caller's to store when this returns NaN), and the
// SSE4.1 ROUND operation. NaN operands are the caller's business (they need bit patterns).

import {
  fp,
  isDenormal32,
  isDenormal64,
  MAX32,
  MIN_NORMAL32,
  MX_DE,
  MX_IE,
  MX_PE,
  RC_DOWN,
  RC_NEAREST,
  RC_UP,
  roundExact,
  signedZero,
  sumError,
} from "./ieee.ts";

const TWO52 = 4503599627370496;
const TWO32 = 4294967296;

/** x rounded to an integral value in `mode` (RC_*), no flags; infinities pass through. */
export function roundIntegral(x: number, mode: number): number {
  switch (mode) {
    case RC_NEAREST: {
      const m = Math.abs(x);
      if (!(m < TWO52)) return x;
      const r = (m + TWO52) - TWO52; // the addition rounds to nearest-even
      return x < 0 || Object.is(x, -0) ? -r : r;
    }
    case RC_DOWN:
      return Math.floor(x);
    case RC_UP:
      return Math.ceil(x);
    default:
      return Math.trunc(x);
  }
}

/** ROUNDPS/PD/SS/SD on a non-NaN value: DAZ applies, no DE, PE unless `quiet`. */
export function roundToIntegral(x: number, mode: number, quiet: boolean, single: boolean): number {
  if (fp.daz && (single ? isDenormal32(x) : isDenormal64(x))) return signedZero(x);
  const r = roundIntegral(x, mode);
  if (r !== x && !quiet) fp.post |= MX_PE;
  return r;
}

/**
 * Round a binary32/binary64 value for conversion to a `bits`-wide signed integer in `mode`.
 * Returns the integer as a double, or NaN after raising IE (NaN operand or out of range).
 */
export function toInteger(x: number, mode: number, bits: number, single: boolean): number {
  if (x !== x) {
    fp.pre |= MX_IE;
    return NaN;
  }
  if (fp.daz && (single ? isDenormal32(x) : isDenormal64(x))) return 0;
  const r = roundIntegral(x, mode);
  const limit = bits === 32 ? 2147483648 : 9223372036854775808;
  if (!(r < limit && r >= -limit)) {
    fp.pre |= MX_IE;
    return NaN;
  }
  if (r !== x) fp.post |= MX_PE;
  return r;
}

/** The signed 64-bit integer `r` (an integral double) as halves: returns low, high in hiOut. */
export let hiOut = 0;
export function splitInt64(r: number): number {
  const hi = Math.floor(r / TWO32);
  hiOut = hi >>> 0;
  return (r - hi * TWO32) >>> 0;
}

/** The signed integer hi:lo (hi a signed 32-bit number) rounded to binary32/binary64. */
export function intToFloat(lo: number, hi: number, single: boolean): number {
  const h = (hi | 0) * TWO32;
  const s = h + (lo >>> 0);
  if (s === 0) return 0;
  const err = sumError(h, lo >>> 0, s);
  if (err === 0 && (!single || Math.fround(s) === s)) return s;
  return roundExact(s, err, 0, single);
}

/** CVTSS2SD/CVTPS2PD of a non-NaN binary32 value: exact, DE for denormals (zero under DAZ). */
export function widen(x: number): number {
  if (isDenormal32(x)) {
    if (fp.daz) return signedZero(x);
    fp.pre |= MX_DE;
  }
  return x;
}

/** CVTSD2SS/CVTPD2PS of a non-NaN binary64 value, rounded in the current mode. */
export function narrow(x: number): number {
  if (fp.rc === RC_NEAREST) {
    const r = Math.fround(x);
    const m = Math.abs(r);
    if (m > MIN_NORMAL32 && m <= MAX32) {
      if (fp.needPE && r !== x) fp.post |= MX_PE;
      return r;
    }
  }
  if (isDenormal64(x)) {
    if (fp.daz) return signedZero(x);
    fp.pre |= MX_DE;
  }
  if (x === 0 || x === Infinity || x === -Infinity) return x;
  return roundExact(x, 0, 0, true);
}

/** Quiet binary32 NaN of a binary64 NaN (the top of the payload kept). */
export function narrowNaN(lo: number, hi: number): number {
  return ((hi & 0x80000000) | 0x7fc00000 | ((hi & 0xfffff) << 3) | (lo >>> 29)) >>> 0;
}
/** Quiet binary64 NaN (high word; the low word is `(bits & 7) << 29`) of a binary32 NaN. */
export function widenNaNHi(bits: number): number {
  return ((bits & 0x80000000) | 0x7ff80000 | ((bits & 0x7fffff) >>> 3)) >>> 0;
}
