// IEEE-754 binary32/binary64 engine honouring MXCSR: the per-instruction environment (rounding
// control, DAZ, FTZ, masks, accumulated exception flags) and the exact rounding routine every
// slow path ends in. JS arithmetic only rounds to nearest-even, so operations describe their
// exact result as hi + lo (hi = the nearest double, lo the exact remainder, or only its sign)
// scaled by 2^k, and roundExact() rounds that to the target format in the current mode.
//
// Host facts this follows (AMD Zen 4 reference host, matching Intel's SDM where it speaks):
// tininess is detected BEFORE rounding; FTZ flushes every tiny result (also exact ones) and then
// sets UE and PE; an unmasked OE/UE sets PE only when the result is inexact at full precision
// with an unbounded exponent; pre-computation flags (IE, DE, ZE) of a faulting instruction are
// reported alone, without the post-computation ones (OE, UE, PE).

export const MX_IE = 0x1;
export const MX_DE = 0x2;
export const MX_ZE = 0x4;
export const MX_OE = 0x8;
export const MX_UE = 0x10;
export const MX_PE = 0x20;
export const MX_DAZ = 0x40;
export const MX_PM = 0x1000;
export const MX_FTZ = 0x8000;

export const RC_NEAREST = 0;
export const RC_DOWN = 1;
export const RC_UP = 2;
export const RC_ZERO = 3;

export const MIN_NORMAL32 = 1.1754943508222875e-38; // 2^-126
export const MAX32 = 3.4028234663852886e38; // (2 - 2^-23) * 2^127
export const MIN_NORMAL64 = 2.2250738585072014e-308; // 2^-1022
export const MAX64 = Number.MAX_VALUE;

/** The environment of the instruction being executed (set by fpBegin, read by every op). */
export class FpEnv {
  rc = RC_NEAREST;
  daz = false;
  ftz = false;
  /** The six exception masks, bit n = exception n masked. */
  masks = 0x3f;
  /** Pre-computation flags raised so far (IE, DE, ZE). */
  pre = 0;
  /** Post-computation flags raised so far (OE, UE, PE). */
  post = 0;
  /** False when PE is already set and masked: inexactness then changes nothing. */
  needPE = true;
  /** After an op returned NaN: 0 the default NaN, 1 the first source quietened, 2 the second. */
  nanSel = 0;
  /** The MXCSR the fields above were decoded from. */
  mxcsr = -1;
}

export const fp = new FpEnv();

/** Load the environment from MXCSR at the start of an instruction (decoded only on change). */
export function fpBegin(mxcsr: number): void {
  fp.pre = 0;
  fp.post = 0;
  if (mxcsr === fp.mxcsr) return;
  fp.mxcsr = mxcsr;
  fp.rc = (mxcsr >>> 13) & 3;
  fp.daz = (mxcsr & MX_DAZ) !== 0;
  fp.ftz = (mxcsr & MX_FTZ) !== 0;
  fp.masks = (mxcsr >>> 7) & 0x3f;
  fp.needPE = (mxcsr & (MX_PE | MX_PM)) !== (MX_PE | MX_PM);
}

/**
 * Fold the accumulated flags into MXCSR. Returns the new MXCSR, or a negative number when an
 * unmasked exception must raise #XM (then the new MXCSR is `~result`) and nothing is written.
 */
export function fpEnd(mxcsr: number): number {
  const pre = fp.pre;
  if (pre & ~fp.masks) return ~(mxcsr | pre);
  const all = pre | fp.post;
  if (all & ~fp.masks) return ~(mxcsr | all);
  return mxcsr | all;
}

// ---- bit-level helpers ---------------------------------------------------------------------

const bitsF64 = new Float64Array(1);
const bitsU32 = new Uint32Array(bitsF64.buffer);

/** Powers of two 2^-1074 .. 2^1023, exact. */
const POW2 = new Float64Array(2098);
for (let n = -1074; n <= 1023; n++) POW2[n + 1074] = 2 ** n;

/** x * 2^n, exact whenever the result is representable (x finite). */
export function ldexp(x: number, n: number): number {
  while (n > 1023) {
    x *= 8.98846567431158e307; // 2^1023
    n -= 1023;
  }
  while (n < -1022) {
    x *= 2.2250738585072014e-308; // 2^-1022
    n += 1022;
  }
  return x * POW2[n + 1074];
}

/** floor(log2(x)) for finite x > 0, exact (subnormals included). */
export function exponentOf(x: number): number {
  bitsF64[0] = x;
  const e = (bitsU32[1] >>> 20) & 0x7ff;
  if (e !== 0) return e - 1023;
  bitsF64[0] = x * 18446744073709551616; // 2^64
  return ((bitsU32[1] >>> 20) & 0x7ff) - 1023 - 64;
}

export function isSNaN32(bits: number): boolean {
  return (bits & 0x7fc00000) === 0x7f800000 && (bits & 0x3fffff) !== 0;
}
/** SNaN test from the high word of a double already known to be NaN. */
export function isSNaN64Hi(hi: number): boolean {
  return (hi & 0x80000) === 0;
}

export function isDenormal32(x: number): boolean {
  return x !== 0 && x < MIN_NORMAL32 && x > -MIN_NORMAL32;
}
export function isDenormal64(x: number): boolean {
  return x !== 0 && x < MIN_NORMAL64 && x > -MIN_NORMAL64;
}

/** A zero with the sign of x. */
export function signedZero(x: number): number {
  return x < 0 || Object.is(x, -0) ? -0 : 0;
}

/** Signs agree (zeros included). */
export function sameSign(a: number, b: number): boolean {
  return (a < 0 || Object.is(a, -0)) === (b < 0 || Object.is(b, -0));
}

// ---- exact products ------------------------------------------------------------------------

const SPLIT = 134217729; // 2^27 + 1

/** The exact error of p = RN(a * b) (Dekker). Needs |a|, |b| < 2^995 and a*b well above 2^-969. */
export function productError(a: number, b: number, p: number): number {
  let c = SPLIT * a;
  const ah = c - (c - a), al = a - ah;
  c = SPLIT * b;
  const bh = c - (c - b), bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** The exact error of s = RN(a + b) (Knuth TwoSum; s must be finite). */
export function sumError(a: number, b: number, s: number): number {
  const bb = s - a;
  return (a - (s - bb)) + (b - bb);
}

// ---- rounding ------------------------------------------------------------------------------

/**
 * Round the exact nonzero finite value (hi + lo) * 2^k to binary32 (`single`) or binary64 in
 * the current mode, raising OE/UE/PE and applying FTZ. hi must be RN(hi + lo) and |lo| at most
 * half an ulp of hi; only lo's sign matters unless X is a tie at 53 bits. Returns the result as
 * a double (exactly a binary32 value when `single`).
 */
export function roundExact(hi: number, lo: number, k: number, single: boolean): number {
  const neg = hi < 0;
  const h = neg ? -hi : hi;
  const l = neg ? -lo : lo;
  const p = single ? 24 : 53;
  const emin = single ? -126 : -1022;
  let e = exponentOf(h);
  const hExp = e;
  if (l < 0 && h === POW2[e + 1074]) e--; // the exact value lies just below a power of two
  const ex = e + k;
  const tiny = ex < emin;
  const qe = (tiny ? emin : ex) - (p - 1);
  // Classify the exact value in units of the quantum 2^qe: n + fraction.
  let n: number;
  let cls: number; // 0 exact, 1 below half, 2 tie, 3 above half
  if (ex < qe - 1) {
    n = 0;
    cls = 1;
  } else {
    const shift = k - qe;
    const yh = ldexp(h, shift);
    let yl = l === 0 ? 0 : ldexp(l, shift);
    if (yl === 0 && l !== 0) yl = l > 0 ? 1e-300 : -1e-300;
    n = Math.floor(yh);
    const fh = yh - n;
    if (fh === 0) {
      if (yl === 0) cls = 0;
      else if (yl > 0) cls = yl === 0.5 ? 2 : 1;
      else {
        n -= 1;
        cls = yl === -0.5 ? 2 : 3;
      }
    } else if (fh < 0.5) cls = 1;
    else if (fh > 0.5) cls = 3;
    else cls = yl > 0 ? 3 : yl < 0 ? 1 : 2;
  }
  let up: boolean;
  switch (fp.rc) {
    case RC_NEAREST:
      up = cls === 3 || (cls === 2 && n % 2 === 1);
      break;
    case RC_UP:
      up = !neg && cls !== 0;
      break;
    case RC_DOWN:
      up = neg && cls !== 0;
      break;
    default:
      up = false;
  }
  if (up) n += 1;
  let r = ldexp(n, qe);
  if (r > (single ? MAX32 : MAX64)) {
    fp.post |= MX_OE;
    if (fp.masks & MX_OE) {
      fp.post |= MX_PE;
      const toInf = fp.rc === RC_NEAREST || (fp.rc === RC_UP && !neg) ||
        (fp.rc === RC_DOWN && neg);
      r = toInf ? Infinity : single ? MAX32 : MAX64;
    } else if (cls !== 0) fp.post |= MX_PE;
    return neg ? -r : r;
  }
  if (tiny) {
    if (!(fp.masks & MX_UE)) {
      fp.post |= MX_UE;
      const t = ldexp(h, p - 1 - hExp);
      if (l !== 0 || t !== Math.floor(t)) fp.post |= MX_PE;
    } else if (fp.ftz) {
      fp.post |= MX_UE | MX_PE;
      r = 0;
    } else if (cls !== 0) fp.post |= MX_UE | MX_PE;
  } else if (cls !== 0) fp.post |= MX_PE;
  return neg ? -r : r;
}

/** A stand-in for an exact remainder of which only the sign is known (division, sqrt). */
export function remainderSign(q: number, residual: number): number {
  if (residual === 0) return 0;
  const tiny = Math.abs(q) * 6.938893903907228e-18; // |q| * 2^-57: well under half an ulp
  return residual > 0 ? tiny : -tiny;
}
