// IEEE arithmetic under MXCSR: add, sub, mul, div, sqrt, min, max and compares for binary32 and
// binary64. Each op has a fast path (round-to-nearest, normal operands and result) that costs a
// few comparisons plus an inexactness check only while PE can still change; everything else
// (directed rounding, denormals, NaNs, infinities, overflow, underflow) takes the exact path.
//
// Binary32 values arrive as doubles (exact); double rounding through binary64 is exact for
// + - * / sqrt in round-to-nearest, so the fast path rounds the double result with fround.
// An op that returns NaN leaves in fp.nanSel which NaN the caller must store (see FpEnv).
// Operands given as bit patterns (binary32) or high words (binary64) are only read for NaNs.

import {
  exponentOf,
  fp,
  isDenormal32,
  isDenormal64,
  isSNaN32,
  isSNaN64Hi,
  ldexp,
  MAX32,
  MAX64,
  MIN_NORMAL32,
  MIN_NORMAL64,
  MX_DE,
  MX_IE,
  MX_PE,
  MX_ZE,
  productError,
  RC_DOWN,
  RC_NEAREST,
  remainderSign,
  roundExact,
  sameSign,
  signedZero,
  sumError,
} from "./ieee.ts";

const NAN_DEFAULT = 0;
const NAN_FIRST = 1;
const NAN_SECOND = 2;
/** The second source returned unchanged (MIN/MAX do not quieten). */
export const NAN_SECOND_RAW = 3;

const BIG = 3.2733906078961419e299; // 2^995: Dekker splitting and its products stay finite
const SMALL = 1.0020841800044864e-292; // 2^-969: product errors stay representable above this

function invalid(): number {
  fp.pre |= MX_IE;
  fp.nanSel = NAN_DEFAULT;
  return NaN;
}

/** At least one operand is NaN: SNaN raises IE, the first NaN operand propagates. */
function nan32(a: number, aBits: number, bBits: number): number {
  if (isSNaN32(aBits) || isSNaN32(bBits)) fp.pre |= MX_IE;
  fp.nanSel = a !== a ? NAN_FIRST : NAN_SECOND;
  return NaN;
}
function nan64(a: number, b: number, aHi: number, bHi: number): number {
  if ((a !== a && isSNaN64Hi(aHi)) || (b !== b && isSNaN64Hi(bHi))) fp.pre |= MX_IE;
  fp.nanSel = a !== a ? NAN_FIRST : NAN_SECOND;
  return NaN;
}

/** The NaN bit pattern an op asked for (binary32). */
export function nanResult32(aBits: number, bBits: number): number {
  switch (fp.nanSel) {
    case NAN_FIRST:
      return (aBits | 0x400000) >>> 0;
    case NAN_SECOND:
      return (bBits | 0x400000) >>> 0;
    case NAN_SECOND_RAW:
      return bBits >>> 0;
    default:
      return 0xffc00000;
  }
}

// ---- slow paths (shared by both widths) ----------------------------------------------------

function isDenormal(x: number, single: boolean): boolean {
  return single ? isDenormal32(x) : isDenormal64(x);
}
/** A denormal operand that DAZ leaves alone: it raises DE. */
function keepsDenormal(x: number, single: boolean): boolean {
  return !fp.daz && isDenormal(x, single);
}
/** The operand an op computes with: DAZ turns a denormal into a zero of the same sign. */
function dazOperand(x: number, single: boolean): number {
  return fp.daz && isDenormal(x, single) ? signedZero(x) : x;
}

function addSlow(a: number, b: number, single: boolean): number {
  const denormal = keepsDenormal(a, single) || keepsDenormal(b, single);
  a = dazOperand(a, single);
  b = dazOperand(b, single);
  const aInf = a === Infinity || a === -Infinity;
  const bInf = b === Infinity || b === -Infinity;
  if (aInf && bInf && a !== b) return invalid();
  if (denormal) fp.pre |= MX_DE;
  if (aInf) return a;
  if (bInf) return b;
  const s = a + b;
  if (s === 0) {
    if (a === 0 && b === 0 && sameSign(a, b)) return a;
    return fp.rc === RC_DOWN ? -0 : 0;
  }
  if (s !== Infinity && s !== -Infinity) return roundExact(s, sumError(a, b, s), 0, single);
  const a2 = a * 0.5, b2 = b * 0.5, s2 = a2 + b2;
  return roundExact(s2, sumError(a2, b2, s2), 1, single);
}

function mulSlow(a: number, b: number, single: boolean): number {
  const denormal = keepsDenormal(a, single) || keepsDenormal(b, single);
  a = dazOperand(a, single);
  b = dazOperand(b, single);
  const aInf = a === Infinity || a === -Infinity;
  const bInf = b === Infinity || b === -Infinity;
  if ((aInf && b === 0) || (bInf && a === 0)) return invalid();
  if (denormal) fp.pre |= MX_DE;
  const neg = !sameSign(a, b);
  if (aInf || bInf) return neg ? -Infinity : Infinity;
  if (a === 0 || b === 0) return neg ? -0 : 0;
  if (single) return roundExact(a * b, 0, 0, true); // 48-bit product: exact in a double
  const ma = Math.abs(a), mb = Math.abs(b);
  const ea = exponentOf(ma), eb = exponentOf(mb);
  const na = ldexp(ma, -ea), nb = ldexp(mb, -eb);
  const p = na * nb;
  const err = productError(na, nb, p);
  return roundExact(neg ? -p : p, neg ? -err : err, ea + eb, false);
}

function divSlow(a: number, b: number, single: boolean): number {
  const denormal = keepsDenormal(a, single) || keepsDenormal(b, single);
  a = dazOperand(a, single);
  b = dazOperand(b, single);
  const aInf = a === Infinity || a === -Infinity;
  const bInf = b === Infinity || b === -Infinity;
  if ((aInf && bInf) || (a === 0 && b === 0)) return invalid();
  const neg = !sameSign(a, b);
  if (aInf) {
    if (denormal) fp.pre |= MX_DE;
    return neg ? -Infinity : Infinity;
  }
  if (b === 0) {
    fp.pre |= MX_ZE; // divide-by-zero outranks the denormal operand
    return neg ? -Infinity : Infinity;
  }
  if (denormal) fp.pre |= MX_DE;
  if (bInf || a === 0) return neg ? -0 : 0;
  const ma = Math.abs(a), mb = Math.abs(b);
  const ea = exponentOf(ma), eb = exponentOf(mb);
  const na = ldexp(ma, -ea), nb = ldexp(mb, -eb);
  const q = na / nb;
  const ph = q * nb;
  const residual = (na - ph) - productError(q, nb, ph);
  const lo = remainderSign(q, residual);
  return roundExact(neg ? -q : q, neg ? -lo : lo, ea - eb, single);
}

function sqrtSlow(a: number, single: boolean): number {
  const denormal = keepsDenormal(a, single);
  a = dazOperand(a, single);
  if (a === 0) return a;
  if (a < 0) return invalid();
  if (denormal) fp.pre |= MX_DE;
  if (a === Infinity) return a;
  let e = exponentOf(a);
  if (e & 1) e--;
  const m = ldexp(a, -e);
  const s = Math.sqrt(m);
  const ph = s * s;
  const residual = (m - ph) - productError(s, s, ph);
  return roundExact(s, remainderSign(s, residual), e / 2, single);
}

// ---- binary32 ------------------------------------------------------------------------------

export function add32(a: number, b: number, aBits: number, bBits: number): number {
  const r64 = a + b;
  if (fp.rc === RC_NEAREST) {
    const r = Math.fround(r64);
    const m = Math.abs(r);
    if (
      m > MIN_NORMAL32 && m <= MAX32 && (a === 0 || Math.abs(a) >= MIN_NORMAL32) &&
      (b === 0 || Math.abs(b) >= MIN_NORMAL32)
    ) {
      if (fp.needPE && (r !== r64 || sumError(a, b, r64) !== 0)) fp.post |= MX_PE;
      return r;
    }
  }
  if (r64 !== r64 && (a !== a || b !== b)) return nan32(a, aBits, bBits);
  return addSlow(a, b, true);
}

export function sub32(a: number, b: number, aBits: number, bBits: number): number {
  const r64 = a - b;
  if (fp.rc === RC_NEAREST) {
    const r = Math.fround(r64);
    const m = Math.abs(r);
    if (
      m > MIN_NORMAL32 && m <= MAX32 && (a === 0 || Math.abs(a) >= MIN_NORMAL32) &&
      (b === 0 || Math.abs(b) >= MIN_NORMAL32)
    ) {
      if (fp.needPE && (r !== r64 || sumError(a, -b, r64) !== 0)) fp.post |= MX_PE;
      return r;
    }
  }
  if (r64 !== r64 && (a !== a || b !== b)) return nan32(a, aBits, bBits);
  return addSlow(a, -b, true);
}

export function mul32(a: number, b: number, aBits: number, bBits: number): number {
  const r64 = a * b;
  if (fp.rc === RC_NEAREST) {
    const r = Math.fround(r64);
    const m = Math.abs(r);
    if (
      m > MIN_NORMAL32 && m <= MAX32 && Math.abs(a) >= MIN_NORMAL32 &&
      Math.abs(b) >= MIN_NORMAL32
    ) {
      if (r !== r64) fp.post |= MX_PE;
      return r;
    }
  }
  if (r64 !== r64 && (a !== a || b !== b)) return nan32(a, aBits, bBits);
  return mulSlow(a, b, true);
}

export function div32(a: number, b: number, aBits: number, bBits: number): number {
  const r64 = a / b;
  if (fp.rc === RC_NEAREST) {
    const r = Math.fround(r64);
    const m = Math.abs(r);
    if (
      m > MIN_NORMAL32 && m <= MAX32 && Math.abs(a) >= MIN_NORMAL32 &&
      Math.abs(b) >= MIN_NORMAL32 && m !== Infinity
    ) {
      if (fp.needPE && (r !== r64 || r * b !== a)) fp.post |= MX_PE;
      return r;
    }
  }
  if (r64 !== r64 && (a !== a || b !== b)) return nan32(a, aBits, bBits);
  return divSlow(a, b, true);
}

/** SQRTSS/PS of b (the source); NaN results name the source as NAN_SECOND. */
export function sqrt32(b: number, bBits: number): number {
  if (fp.rc === RC_NEAREST && b >= MIN_NORMAL32 && b <= MAX32) {
    const r64 = Math.sqrt(b);
    const r = Math.fround(r64);
    if (fp.needPE && (r !== r64 || r * r !== b)) fp.post |= MX_PE;
    return r;
  }
  if (b !== b) {
    if (isSNaN32(bBits)) fp.pre |= MX_IE;
    fp.nanSel = NAN_SECOND;
    return NaN;
  }
  return sqrtSlow(b, true);
}

// ---- binary64 ------------------------------------------------------------------------------

export function add64(a: number, b: number, aHi: number, bHi: number): number {
  const r = a + b;
  if (fp.rc === RC_NEAREST) {
    const m = Math.abs(r);
    if (
      m > MIN_NORMAL64 && m <= MAX64 && (a === 0 || Math.abs(a) >= MIN_NORMAL64) &&
      (b === 0 || Math.abs(b) >= MIN_NORMAL64)
    ) {
      if (fp.needPE && sumError(a, b, r) !== 0) fp.post |= MX_PE;
      return r;
    }
  }
  if (a !== a || b !== b) return nan64(a, b, aHi, bHi);
  return addSlow(a, b, false);
}

export function sub64(a: number, b: number, aHi: number, bHi: number): number {
  const r = a - b;
  if (fp.rc === RC_NEAREST) {
    const m = Math.abs(r);
    if (
      m > MIN_NORMAL64 && m <= MAX64 && (a === 0 || Math.abs(a) >= MIN_NORMAL64) &&
      (b === 0 || Math.abs(b) >= MIN_NORMAL64)
    ) {
      if (fp.needPE && sumError(a, -b, r) !== 0) fp.post |= MX_PE;
      return r;
    }
  }
  if (a !== a || b !== b) return nan64(a, b, aHi, bHi);
  return addSlow(a, -b, false);
}

export function mul64(a: number, b: number, aHi: number, bHi: number): number {
  const r = a * b;
  if (fp.rc === RC_NEAREST) {
    const m = Math.abs(r);
    const ma = Math.abs(a), mb = Math.abs(b);
    if (m > MIN_NORMAL64 && m <= MAX64 && ma >= MIN_NORMAL64 && mb >= MIN_NORMAL64) {
      if (!fp.needPE) return r;
      if (ma < BIG && mb < BIG && m > SMALL && m < BIG) {
        if (productError(a, b, r) !== 0) fp.post |= MX_PE;
        return r;
      }
    }
  }
  if (a !== a || b !== b) return nan64(a, b, aHi, bHi);
  return mulSlow(a, b, false);
}

export function div64(a: number, b: number, aHi: number, bHi: number): number {
  const r = a / b;
  if (fp.rc === RC_NEAREST) {
    const m = Math.abs(r);
    const ma = Math.abs(a), mb = Math.abs(b);
    if (m > MIN_NORMAL64 && m <= MAX64 && ma >= MIN_NORMAL64 && mb >= MIN_NORMAL64) {
      if (!fp.needPE) return r;
      if (m < BIG && mb < BIG && ma > SMALL && ma < BIG) {
        const ph = r * b;
        if ((a - ph) - productError(r, b, ph) !== 0) fp.post |= MX_PE;
        return r;
      }
    }
  }
  if (a !== a || b !== b) return nan64(a, b, aHi, bHi);
  return divSlow(a, b, false);
}

export function sqrt64(b: number, bHi: number): number {
  if (fp.rc === RC_NEAREST && b > SMALL && b < BIG) {
    const r = Math.sqrt(b);
    if (fp.needPE) {
      const ph = r * r;
      if ((b - ph) - productError(r, r, ph) !== 0) fp.post |= MX_PE;
    }
    return r;
  }
  if (b !== b) {
    if (isSNaN64Hi(bHi)) fp.pre |= MX_IE;
    fp.nanSel = NAN_SECOND;
    return NaN;
  }
  return sqrtSlow(b, false);
}

// ---- min / max -----------------------------------------------------------------------------

/**
 * MIN/MAX: any NaN (quiet too) raises IE and the second source is returned unchanged; equal
 * values (+0 and -0 included) also return the second source. DAZ zeroes denormal operands.
 */
function minMax(a: number, b: number, single: boolean, max: boolean): number {
  if (a !== a || b !== b) {
    fp.pre |= MX_IE;
    fp.nanSel = NAN_SECOND_RAW;
    return dazOperand(b, single);
  }
  if (keepsDenormal(a, single) || keepsDenormal(b, single)) fp.pre |= MX_DE;
  a = dazOperand(a, single);
  b = dazOperand(b, single);
  if (max) return a > b ? a : b;
  return a < b ? a : b;
}

export function min32(a: number, b: number): number {
  return minMax(a, b, true, false);
}
export function max32(a: number, b: number): number {
  return minMax(a, b, true, true);
}
export function min64(a: number, b: number): number {
  return minMax(a, b, false, false);
}
export function max64(a: number, b: number): number {
  return minMax(a, b, false, true);
}

// ---- compares ------------------------------------------------------------------------------

/** Relation of two operands (the index RELATION_FLAGS and predicate tables use). */
const REL_GREATER = 0;
const REL_LESS = 1;
const REL_EQUAL = 2;
const REL_UNORDERED = 3;

/**
 * Compare two values of the given width. `signaling` raises IE on any NaN (otherwise only on
 * SNaN; `snan` says whether an operand is one). DE is raised for denormals unless DAZ.
 */
export function relation(
  a: number,
  b: number,
  single: boolean,
  signaling: boolean,
  snan: boolean,
): number {
  if (a !== a || b !== b) {
    if (signaling || snan) fp.pre |= MX_IE;
    return REL_UNORDERED;
  }
  if (keepsDenormal(a, single) || keepsDenormal(b, single)) fp.pre |= MX_DE;
  // DAZ turns denormals into zeros, which then compare equal to each other and to zero.
  a = dazOperand(a, single);
  b = dazOperand(b, single);
  return a < b ? REL_LESS : a > b ? REL_GREATER : REL_EQUAL;
}

/** CMPPS-style predicate 0-7 (EQ LT LE UNORD NEQ NLT NLE ORD) over a relation. */
const PREDICATE_TABLE = [
  // per predicate: bit r set = true for relation r (GREATER, LESS, EQUAL, UNORDERED)
  0b0100,
  0b0010,
  0b0110,
  0b1000,
  0b1011,
  0b1101,
  0b1001,
  0b0111,
];
export function predicateHolds(pred: number, rel: number): boolean {
  return ((PREDICATE_TABLE[pred] >> rel) & 1) !== 0;
}
/** LT, LE, NLT and NLE signal on quiet NaNs too. */
export function predicateSignals(pred: number): boolean {
  return pred === 1 || pred === 2 || pred === 5 || pred === 6;
}

export function snan32(aBits: number, bBits: number): boolean {
  return isSNaN32(aBits) || isSNaN32(bBits);
}
export function snan64(a: number, b: number, aHi: number, bHi: number): boolean {
  return (a !== a && isSNaN64Hi(aHi)) || (b !== b && isSNaN64Hi(bHi));
}
