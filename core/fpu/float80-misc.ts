// Exact x87 operations on 80-bit values: FPREM/FPREM1 partial remainders (quotient bits and
// incomplete reduction), FRNDINT, FSCALE and FXTRACT.

import {
  BIAS,
  bitLength,
  classify,
  DEFAULT_NAN,
  denormalCheck,
  type F80,
  f80,
  FE_IE,
  FE_PE,
  FE_ZE,
  type FpEnv,
  infinity,
  isNaNKind,
  K_DENORMAL,
  K_INF,
  K_UNSUPPORTED,
  K_ZERO,
  propagateNaN1,
  roundPack,
  screen2,
  ulpExponent,
  zero,
} from "./float80.ts";
import { fromExact, fromInt, roundToInteger } from "./float80-convert.ts";

export interface Remainder {
  /** The new ST(0), or null when an unmasked exception aborts the instruction. */
  value: F80 | null;
  /** Low three quotient bits (Q2 Q1 Q0) when complete; -1 for special operands (no quotient). */
  quotient: number;
  /** Reduction incomplete (C2). */
  partial: boolean;
}

/** Exponent of the leading bit of a finite non-zero value. */
function leadExponent(a: F80): number {
  return ulpExponent(a) + bitLength(a.sig) - 1;
}

/**
 * FPREM (truncating quotient) / FPREM1 (nearest quotient, IEEE remainder) of ST(0) by ST(1).
 * An exponent difference of 64 or more only reduces partially, by a quotient chunk that
 * brings the difference to `partialBits` or below.
 */
export function remainder(env: FpEnv, x: F80, y: F80, nearest: boolean): Remainder {
  const out: Remainder = { value: null, quotient: -1, partial: false };
  const kx = classify(x), ky = classify(y);
  const s = screen2(env, x, kx, y, ky);
  if (s.done) {
    out.value = s.result;
    return out;
  }
  if (kx === K_INF || ky === K_ZERO) {
    out.value = env.raise(FE_IE) ? null : DEFAULT_NAN;
    return out;
  }
  if (denormalCheck(env, kx, ky)) return out;
  if (kx === K_ZERO || ky === K_INF) {
    out.quotient = 0;
    out.value = kx === K_DENORMAL ? roundPack(env, x.sign, x.sig, ulpExponent(x)) : x;
    return out;
  }
  const ex = ulpExponent(x), ey = ulpExponent(y);
  const d = leadExponent(x) - leadExponent(y);
  let scale = 0;
  if (d >= 64) {
    out.partial = true;
    scale = d - partialBits(d);
  }
  // x = mx * 2^ex; divisor = my * 2^(ey + scale). Work at the smaller exponent.
  const dy = ey + scale;
  const e = Math.min(ex, dy);
  const mx = x.sig << BigInt(ex - e), my = y.sig << BigInt(dy - e);
  let q = mx / my;
  let r = mx - q * my;
  let sign = x.sign;
  if (nearest && !out.partial) {
    const twice = r << 1n;
    if (twice > my || (twice === my && (q & 1n) === 1n)) {
      q += 1n;
      r = my - r;
      sign ^= 1;
    }
  }
  out.quotient = out.partial ? 0 : Number(q & 7n);
  out.value = r === 0n ? zero(x.sign) : roundPack(env, sign, r, e);
  return out;
}

/** How many exponent bits a partial FPREM step leaves (the host reduces by up to 2^(d-32)). */
function partialBits(d: number): number {
  return 32 + ((d - 32) % 32);
}

/** FRNDINT: round ST(0) to an integer per RC. */
export function roundInt(env: FpEnv, a: F80): F80 | null {
  const k = classify(a);
  if (k === K_UNSUPPORTED) return env.raise(FE_IE) ? null : DEFAULT_NAN;
  if (isNaNKind(k)) return propagateNaN1(env, a, k);
  if (k === K_ZERO || k === K_INF) return a;
  if (denormalCheck(env, k)) return null;
  const r = roundToInteger(a, env.rc);
  if (r.inexact) env.flags |= FE_PE;
  env.roundedUp = r.up;
  if (!r.inexact) return k === K_DENORMAL ? fromExact(a.sign, a.sig, ulpExponent(a)) : a;
  return fromExact(a.sign, r.value, 0);
}

/** FSCALE: ST(0) * 2^trunc(ST(1)). */
export function scale(env: FpEnv, a: F80, b: F80): F80 | null {
  const ka = classify(a), kb = classify(b);
  const s = screen2(env, a, ka, b, kb);
  if (s.done) return s.result;
  if (kb === K_INF) {
    if (b.sign === 0) {
      if (ka === K_ZERO) return env.raise(FE_IE) ? null : DEFAULT_NAN;
      if (denormalCheck(env, ka)) return null;
      return infinity(a.sign);
    }
    if (ka === K_INF) return env.raise(FE_IE) ? null : DEFAULT_NAN;
    if (denormalCheck(env, ka)) return null;
    return zero(a.sign);
  }
  if (denormalCheck(env, ka, kb)) return null;
  if (ka === K_ZERO || ka === K_INF) return a;
  let n = 0;
  if (kb !== K_ZERO) {
    const t = roundToInteger(b, 3).value;
    n = t > 100000n ? 100000 : Number(t);
    if (b.sign) n = -n;
  }
  return roundPack(env, a.sign, a.sig, ulpExponent(a) + n, false, 64);
}

/**
 * FXTRACT: the exponent (as a value) and the significand (exponent 0x3fff). Returns
 * [exponent, significand]; null when an unmasked exception aborts.
 */
export function extract(env: FpEnv, a: F80): [F80, F80] | null {
  const k = classify(a);
  if (k === K_UNSUPPORTED) return env.raise(FE_IE) ? null : [DEFAULT_NAN, DEFAULT_NAN];
  if (isNaNKind(k)) {
    const v = propagateNaN1(env, a, k);
    return v ? [v, v] : null;
  }
  if (k === K_ZERO) {
    if (env.raise(FE_ZE)) return null;
    return [infinity(1), a];
  }
  if (k === K_INF) return [infinity(0), a];
  if (denormalCheck(env, k)) return null;
  const e = leadExponent(a);
  const sig = a.sig << BigInt(64 - bitLength(a.sig));
  return [fromInt(BigInt(e)), f80(a.sign, BIAS, sig)];
}
