// x87 transcendental functions on 80-bit values: FSIN, FCOS, FSINCOS, FPTAN (with the host's
// argument reduction by a 68-bit approximation of pi, |x| < 2^63), FPATAN, F2XM1, FYL2X,
// FYL2XP1, and the constants FLDPI & co. rounded per RC. Values are evaluated with the
// bigfloat module far beyond 64 bits and rounded once; every non-trivial result is inexact.

import * as B from "./bigfloat.ts";
import {
  BIAS,
  classify,
  CMP_GT,
  compareOrdered,
  DEFAULT_NAN,
  type F80,
  f80,
  FE_DE,
  FE_IE,
  FE_PE,
  FE_UE,
  FE_ZE,
  type FpEnv,
  infinity,
  INT_BIT,
  isNaNKind,
  K_DENORMAL,
  K_INF,
  K_NORMAL,
  K_UNSUPPORTED,
  K_ZERO,
  ONE,
  propagateNaN1,
  propagateNaN2,
  roundPack,
  ulpExponent,
  zero,
} from "./float80.ts";

function toBig(a: F80): B.BigFloat {
  return { m: a.sign ? -a.sig : a.sig, e: ulpExponent(a) };
}

/** Round a computed value to 64 bits; the result is reported inexact whatever its bits. */
function fromBig(env: FpEnv, x: B.BigFloat): F80 {
  const negative = x.m < 0n;
  const r = roundPack(env, negative ? 1 : 0, negative ? -x.m : x.m, x.e, false, 64);
  // Transcendental results are inexact by definition (PE), so a tiny one also underflows (UE),
  // even when the high-precision value happened to fit (y * log2(2) with a denormal y).
  env.flags |= FE_PE;
  if (r.exp === 0 && x.m !== 0n && env.masked(FE_UE)) env.flags |= FE_UE;
  return r;
}

/** pi/2 as the host's argument reduction knows it: 0xC90FDAA22168C234C * 2^-67. */
const HALF_PI_68 = 0xc90fdaa22168c234cn;
const HALF_PI_68_EXP = -67;

/** FSIN & co. reduce only |x| < 2^63; beyond it C2 is set and ST(0) is left alone. */
export function trigInRange(a: F80): boolean {
  const k = classify(a);
  if (k !== K_NORMAL && k !== K_DENORMAL) return true;
  return a.exp < BIAS + 63;
}

/** x = k * pi/2 + r with |r| <= ~pi/4 (exact remainder); returns r and k mod 4. */
function reduce(a: F80): { r: B.BigFloat; quadrant: number } {
  const e = ulpExponent(a);
  const s = e - HALF_PI_68_EXP;
  // k = round(sig * 2^s / HALF_PI_68)
  let num = a.sig, den = HALF_PI_68;
  if (s >= 0) num <<= BigInt(s);
  else den <<= BigInt(-s);
  const k = (2n * num + den) / (2n * den);
  if (k === 0n) return { r: toBig(a), quadrant: 0 };
  const c = Math.min(e, HALF_PI_68_EXP);
  const rm = (a.sig << BigInt(e - c)) - ((k * HALF_PI_68) << BigInt(HALF_PI_68_EXP - c));
  const r = B.bf(a.sign ? -rm : rm, c);
  const quadrant = Number(k & 3n);
  return { r, quadrant: a.sign ? (4 - quadrant) & 3 : quadrant };
}

/** Screening shared by the trig instructions: a finished result, or null to compute. */
function trigSpecial(env: FpEnv, a: F80, k: number): { done: boolean; value: F80 | null } {
  if (k === K_UNSUPPORTED || k === K_INF) {
    return { done: true, value: env.raise(FE_IE) ? null : DEFAULT_NAN };
  }
  if (isNaNKind(k)) return { done: true, value: propagateNaN1(env, a, k) };
  if (k === K_DENORMAL && env.raise(FE_DE)) return { done: true, value: null };
  return { done: false, value: null };
}

/**
 * sin and cos of ST(0) (for FSIN, FCOS, FSINCOS). `null` entries mean the instruction aborts
 * on an unmasked exception. Call only when trigInRange().
 */
export function sinCos(env: FpEnv, a: F80, wantSin: boolean, wantCos: boolean): {
  sin: F80 | null;
  cos: F80 | null;
} {
  const k = classify(a);
  const s = trigSpecial(env, a, k);
  if (s.done) return { sin: s.value, cos: s.value };
  if (k === K_ZERO) return { sin: a, cos: ONE };
  const { r, quadrant } = reduce(a);
  let sin: F80 | null = null, cos: F80 | null = null;
  const sr = B.sinSeries(r), cr = B.cosSeries(r);
  const sinValue = [sr, cr, B.neg(sr), B.neg(cr)][quadrant];
  const cosValue = [cr, B.neg(sr), B.neg(cr), sr][quadrant];
  // Each result is rounded on its own; like the host's FSINCOS, C1 reports the sine's rounding.
  if (wantCos) cos = fromBig(env, cosValue);
  if (wantSin) sin = fromBig(env, sinValue);
  return { sin, cos };
}

/** FPTAN's tangent (the instruction then pushes 1.0). */
export function tan(env: FpEnv, a: F80): F80 | null {
  const k = classify(a);
  const s = trigSpecial(env, a, k);
  if (s.done) return s.value;
  if (k === K_ZERO) return a;
  const { r, quadrant } = reduce(a);
  const sr = B.sinSeries(r), cr = B.cosSeries(r);
  return fromBig(env, quadrant & 1 ? B.neg(B.div(cr, sr)) : B.div(sr, cr));
}

/** FPATAN: atan2(y, x) = arctan(ST(1) / ST(0)) with the quadrant from both signs. */
export function atan2(env: FpEnv, y: F80, x: F80): F80 | null {
  const ky = classify(y), kx = classify(x);
  if (ky === K_UNSUPPORTED || kx === K_UNSUPPORTED) return env.raise(FE_IE) ? null : DEFAULT_NAN;
  if (isNaNKind(ky) || isNaNKind(kx)) return propagateNaN2(env, y, ky, x, kx);
  if ((ky === K_DENORMAL || kx === K_DENORMAL) && env.raise(FE_DE)) return null;
  const pi = B.pi();
  const signed = (v: B.BigFloat) => fromBig(env, y.sign ? B.neg(v) : v);
  if (ky === K_ZERO) {
    if (x.sign === 0) return zero(y.sign);
    return signed(pi);
  }
  if (ky === K_INF) {
    if (kx === K_INF) return signed(B.mulPow2(x.sign ? B.mul(pi, B.bf(3n)) : pi, -2));
    return signed(B.mulPow2(pi, -1));
  }
  if (kx === K_INF) return x.sign ? signed(pi) : zero(y.sign);
  if (kx === K_ZERO) return signed(B.mulPow2(pi, -1));
  const t = B.atan(B.div(toBig(y), toBig(x)));
  if (x.sign === 0) return fromBig(env, t);
  return fromBig(env, y.sign ? B.sub(t, pi) : B.add(t, pi));
}

/** F2XM1: 2^x - 1, defined for -1 <= x <= 1; larger finite x come back unchanged (host). */
export function f2xm1(env: FpEnv, a: F80): F80 | null {
  const k = classify(a);
  if (k === K_UNSUPPORTED) return env.raise(FE_IE) ? null : DEFAULT_NAN;
  if (isNaNKind(k)) return propagateNaN1(env, a, k);
  if (k === K_ZERO) return a;
  if (k === K_INF) return a.sign ? f80(1, BIAS, INT_BIT) : a;
  if (k === K_DENORMAL && env.raise(FE_DE)) return null;
  if (compareOrdered(f80(0, a.exp, a.sig), k, ONE, K_NORMAL) === CMP_GT) {
    env.flags |= FE_PE;
    return a;
  }
  return fromBig(env, B.expm1(B.mul(toBig(a), B.ln2())));
}

/** log2 of a positive finite value. */
function log2(x: B.BigFloat): B.BigFloat {
  return B.div(B.ln(x), B.ln2());
}

/** FYL2X: y * log2(x). */
export function yl2x(env: FpEnv, x: F80, y: F80): F80 | null {
  const kx = classify(x), ky = classify(y);
  if (kx === K_UNSUPPORTED || ky === K_UNSUPPORTED) return env.raise(FE_IE) ? null : DEFAULT_NAN;
  if (isNaNKind(kx) || isNaNKind(ky)) return propagateNaN2(env, x, kx, y, ky);
  // Invalid operands first, then division by zero, then denormals (the host's order).
  const invalid = () => env.raise(FE_IE) ? null : DEFAULT_NAN;
  const isOne = x.sig === INT_BIT && x.exp === BIAS;
  if (x.sign === 1 && kx !== K_ZERO) return invalid();
  if (kx === K_ZERO && ky === K_ZERO) return invalid();
  if (kx === K_INF && ky === K_ZERO) return invalid();
  if (isOne && ky === K_INF) return invalid();
  if (kx === K_ZERO) {
    if (ky !== K_INF && env.raise(FE_ZE)) return null;
    return infinity(y.sign ^ 1);
  }
  if ((kx === K_DENORMAL || ky === K_DENORMAL) && env.raise(FE_DE)) return null;
  if (kx === K_INF) return infinity(y.sign);
  if (isOne) return zero(y.sign);
  const below1 = x.exp < BIAS;
  if (ky === K_INF) return infinity(y.sign ^ (below1 ? 1 : 0));
  if (ky === K_ZERO) return zero(y.sign ^ (below1 ? 1 : 0));
  return fromBig(env, B.mul(toBig(y), log2(toBig(x))));
}

/** FYL2XP1: y * log2(x + 1), defined for |x| < 1 - sqrt(2)/2. */
export function yl2xp1(env: FpEnv, x: F80, y: F80): F80 | null {
  const kx = classify(x), ky = classify(y);
  if (kx === K_UNSUPPORTED || ky === K_UNSUPPORTED) return env.raise(FE_IE) ? null : DEFAULT_NAN;
  if (isNaNKind(kx) || isNaNKind(ky)) return propagateNaN2(env, x, kx, y, ky);
  const invalid = () => env.raise(FE_IE) ? null : DEFAULT_NAN;
  if (kx === K_ZERO && ky === K_INF) return invalid();
  if (kx === K_INF && (x.sign || ky === K_ZERO)) return invalid();
  if ((kx === K_DENORMAL || ky === K_DENORMAL) && env.raise(FE_DE)) return null;
  if (kx === K_ZERO) return zero(x.sign ^ y.sign);
  if (kx === K_INF) return infinity(y.sign);
  if (ky === K_INF) return infinity(y.sign ^ x.sign);
  if (ky === K_ZERO) return zero(y.sign ^ x.sign);
  const xb = toBig(x);
  const onePlus = B.add(B.ONE_BF, xb);
  if (onePlus.m <= 0n) {
    // x <= -1 is outside the domain: the host returns x.
    env.flags |= FE_PE;
    return x;
  }
  const l = B.magnitude(xb) < -1 ? B.ln1p(xb) : B.ln(onePlus);
  return fromBig(env, B.mul(toBig(y), B.div(l, B.ln2())));
}

// ---- constants --------------------------------------------------------------------------------

/** FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2 (by the low 3 bits of D9 E9..ED), rounded per RC. */
export function constant(env: FpEnv, which: number): F80 {
  let v: B.BigFloat;
  switch (which) {
    case 1:
      v = B.div(B.ln10(), B.ln2());
      break;
    case 2:
      v = B.div(B.ONE_BF, B.ln2());
      break;
    case 3:
      v = B.pi();
      break;
    case 4:
      v = B.div(B.ln2(), B.ln10());
      break;
    default:
      v = B.ln2();
  }
  // Rounded per RC, but neither PE nor C1 is reported.
  const saved = env.flags;
  const r = roundPack(env, 0, v.m, v.e, false, 64);
  env.flags = saved;
  env.roundedUp = false;
  return r;
}
