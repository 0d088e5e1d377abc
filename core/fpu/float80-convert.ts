// Conversions between the 80-bit format and memory formats: float32/float64 (exact widening
// with DE/IE, correctly rounded narrowing with every flag), signed 16/32/64-bit integers (FILD,
// FIST with RC or FISTTP truncation, integer indefinite on invalid) and 18-digit packed BCD.

import {
  BIAS,
  bitLength,
  classify,
  DOUBLE_FORMAT,
  EXP_INF,
  type F80,
  f80,
  FE_DE,
  FE_IE,
  FE_PE,
  type Format,
  FpEnv,
  infinity,
  INT_BIT,
  K_DENORMAL,
  K_INF,
  K_QNAN,
  K_SNAN,
  K_UNSUPPORTED,
  K_ZERO,
  QUIET_BIT,
  roundValue,
  SINGLE_FORMAT,
  ulpExponent,
  zero,
} from "./float80.ts";

/** A normalized finite F80 for (-1)^sign * m * 2^e, m exact (at most 64 significant bits). */
export function fromExact(sign: number, m: bigint, e: number): F80 {
  if (m === 0n) return zero(sign);
  const len = bitLength(m);
  const exp = e + len - 1 + BIAS;
  return f80(sign, exp, m << BigInt(64 - len));
}

/**
 * Unpack a float of format `f` (raw `bits`, `expBits` exponent bits) exactly, as an arithmetic
 * operand: NaNs keep their kind (an SNaN stays signalling) and a denormal source comes back
 * normalized with `denormalSource` set, so it still raises DE.
 */
function unpack(raw: bigint, f: Format, expBits: number): F80 {
  const fracBits = f.bits - 1;
  const sign = Number(raw >> BigInt(fracBits + expBits));
  const expField = Number((raw >> BigInt(fracBits)) & ((1n << BigInt(expBits)) - 1n));
  const frac = raw & ((1n << BigInt(fracBits)) - 1n);
  const expMax = (1 << expBits) - 1;
  if (expField === expMax) {
    if (frac === 0n) return infinity(sign);
    return f80(sign, EXP_INF, INT_BIT | (frac << BigInt(63 - fracBits)));
  }
  if (expField === 0) {
    if (frac === 0n) return zero(sign);
    const v = fromExact(sign, frac, f.emin - fracBits);
    v.denormalSource = true;
    return v;
  }
  return fromExact(sign, frac | (1n << BigInt(fracBits)), expField - (expMax >> 1) - fracBits);
}

/** A float32 memory operand of an arithmetic instruction. */
export function float32Operand(bits: number): F80 {
  return unpack(BigInt(bits >>> 0), SINGLE_FORMAT, 8);
}

/** A float64 memory operand of an arithmetic instruction. */
export function float64Operand(lo: number, hi: number): F80 {
  return unpack((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0), DOUBLE_FORMAT, 11);
}

/**
 * FLD m32/m64: an SNaN signals IE and is quieted (null: IE unmasked, nothing loaded); a
 * denormal signals DE but loads (normalized) even when DE is unmasked, as on the host.
 */
function load(env: FpEnv, v: F80): F80 | null {
  const k = classify(v);
  if (k === K_SNAN) return env.raise(FE_IE) ? null : f80(v.sign, v.exp, v.sig | QUIET_BIT);
  if (k === K_DENORMAL) {
    env.flags |= FE_DE;
    return f80(v.sign, v.exp, v.sig);
  }
  return v;
}

export function fromFloat32(env: FpEnv, bits: number): F80 | null {
  return load(env, float32Operand(bits));
}

export function fromFloat64(env: FpEnv, lo: number, hi: number): F80 | null {
  return load(env, float64Operand(lo, hi));
}

/**
 * Narrow to format `f` for a memory store. Returns the raw bits, or null when an unmasked
 * exception means nothing is stored.
 */
function narrow(env: FpEnv, a: F80, f: Format, expBits: number): bigint | null {
  const fracBits = f.bits - 1;
  const expMax = (1n << BigInt(expBits)) - 1n;
  const signBit = BigInt(a.sign) << BigInt(fracBits + expBits);
  const infBits = signBit | (expMax << BigInt(fracBits));
  const k = classify(a);
  const defaultNaN = (1n << BigInt(fracBits + expBits)) | (expMax << BigInt(fracBits)) |
    (1n << BigInt(fracBits - 1));
  switch (k) {
    case K_UNSUPPORTED:
      return env.raise(FE_IE) ? null : defaultNaN;
    case K_SNAN:
    case K_QNAN:
      if (k === K_SNAN && env.raise(FE_IE)) return null;
      return infBits | ((a.sig >> BigInt(63 - fracBits)) & ((1n << BigInt(fracBits)) - 1n)) |
        (1n << BigInt(fracBits - 1));
    case K_INF:
      return infBits;
    case K_ZERO:
      return signBit;
  }
  const r = roundValue(env, a.sign, a.sig, ulpExponent(a), false, f, f.bits);
  if (r.wrapped) {
    // Unmasked overflow/underflow on a store: nothing is written and only OE/UE are reported.
    env.flags &= ~FE_PE;
    env.roundedUp = false;
    return null;
  }
  if (r.inf) return infBits;
  if (r.m === 0n) return signBit;
  const len = bitLength(r.m);
  const e = r.q + len - 1;
  if (e < f.emin) return signBit | (r.m << BigInt(r.q - (f.emin - fracBits)));
  const frac = (r.m << BigInt(f.bits - len)) & ((1n << BigInt(fracBits)) - 1n);
  return signBit | (BigInt(e + Number(expMax >> 1n)) << BigInt(fracBits)) | frac;
}

/** FST m32: the float32 bits, or null when nothing is stored. */
export function toFloat32(env: FpEnv, a: F80): number | null {
  const r = narrow(env, a, SINGLE_FORMAT, 8);
  return r === null ? null : Number(r);
}

/** FST m64: the float64 bits as a BigInt, or null when nothing is stored. */
export function toFloat64(env: FpEnv, a: F80): bigint | null {
  return narrow(env, a, DOUBLE_FORMAT, 11);
}

/** FILD: a signed integer converts exactly. */
export function fromInt(v: bigint): F80 {
  return v < 0n ? fromExact(1, -v, 0) : fromExact(0, v, 0);
}

/**
 * FIST/FISTTP to a signed `bits`-bit integer: rounds per RC (or truncates), IE with the
 * integer indefinite (the most negative value) when NaN, infinite or out of range. Returns the
 * two's-complement value as an unsigned BigInt, or null when IE is unmasked.
 */
export function toInt(env: FpEnv, a: F80, bits: number, truncate: boolean): bigint | null {
  const mod = 1n << BigInt(bits);
  const indefinite = mod >> 1n;
  const k = classify(a);
  if (k === K_UNSUPPORTED || k === K_SNAN || k === K_QNAN || k === K_INF) {
    return env.raise(FE_IE) ? null : indefinite;
  }
  if (k === K_ZERO) return 0n;
  const rc = truncate ? 3 : env.rc;
  const { value, inexact, up } = roundToInteger(a, rc);
  const limit = a.sign ? indefinite : indefinite - 1n;
  if (value > limit) return env.raise(FE_IE) ? null : indefinite;
  if (inexact) env.flags |= FE_PE;
  env.roundedUp = up;
  const signed = a.sign ? -value : value;
  return ((signed % mod) + mod) % mod;
}

/** |a| rounded to an integer magnitude under `rc` (a finite, non-zero). */
export function roundToInteger(
  a: F80,
  rc: number,
): { value: bigint; inexact: boolean; up: boolean } {
  const e = ulpExponent(a);
  if (e >= 0) return { value: a.sig << BigInt(e), inexact: false, up: false };
  const shift = -e;
  if (shift > 66) {
    const up = rc === 1 ? a.sign === 1 : rc === 2 ? a.sign === 0 : false;
    return { value: up ? 1n : 0n, inexact: true, up };
  }
  const s = BigInt(shift);
  const kept = a.sig >> s;
  const rem = a.sig & ((1n << s) - 1n);
  if (rem === 0n) return { value: kept, inexact: false, up: false };
  const half = 1n << (s - 1n);
  let up: boolean;
  switch (rc) {
    case 0:
      up = rem > half || (rem === half && (kept & 1n) === 1n);
      break;
    case 1:
      up = a.sign === 1;
      break;
    case 2:
      up = a.sign === 0;
      break;
    default:
      up = false;
  }
  return { value: up ? kept + 1n : kept, inexact: true, up };
}

/** FBLD: 10 bytes of packed BCD (18 digits, sign in bit 7 of byte 9). Loads exactly. */
export function fromBcd(bytes: Uint8Array): F80 {
  let v = 0n;
  for (let k = 8; k >= 0; k--) {
    const b = bytes[k];
    v = v * 100n + BigInt((b >> 4) * 10 + (b & 15));
  }
  return fromExact(bytes[9] >> 7, v, 0);
}

/** The packed-BCD indefinite FBSTP stores for an invalid operand (never modified). */
export const BCD_INDEFINITE = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff);

/**
 * FBSTP: round per RC to an integer and encode 18 BCD digits. Invalid (NaN, infinity, out of
 * range) stores the BCD indefinite. Null when IE is unmasked.
 */
export function toBcd(env: FpEnv, a: F80): Uint8Array | null {
  const out = new Uint8Array(10);
  const k = classify(a);
  let value = 0n;
  if (k !== K_ZERO) {
    let ok = k !== K_UNSUPPORTED && k !== K_SNAN && k !== K_QNAN && k !== K_INF;
    if (ok) {
      const r = roundToInteger(a, env.rc);
      value = r.value;
      if (value > 999999999999999999n) ok = false;
      else {
        if (r.inexact) env.flags |= FE_PE;
        env.roundedUp = r.up;
      }
    }
    if (!ok) {
      if (env.raise(FE_IE)) return null;
      out.set(BCD_INDEFINITE);
      return out;
    }
  }
  for (let k2 = 0; k2 < 9; k2++) {
    const two = Number(value % 100n);
    value /= 100n;
    out[k2] = ((Math.floor(two / 10)) << 4) | (two % 10);
  }
  out[9] = a.sign << 7;
  return out;
}
