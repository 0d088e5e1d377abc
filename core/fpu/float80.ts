// The 80-bit extended-precision soft-float core: the value type (sign, 15-bit biased exponent,
// 64-bit significand with explicit integer bit), operand classification, the exception/rounding
// environment, the one rounding routine every result goes through (precision control, the four
// rounding modes, denormals, overflow/underflow with the x87 masked and unmasked responses, C1),
// x87 NaN propagation, and the basic arithmetic: add, sub, mul, div, sqrt, compare.
// Significands are BigInt: x87 is not on the emulator's hot path.

export const BIAS = 16383;
export const EXP_INF = 0x7fff;
export const INT_BIT = 1n << 63n;
export const QUIET_BIT = 1n << 62n;
export const SIG_MASK = (1n << 64n) - 1n;
/** Exponent bias adjustment applied to results when OE/UE are unmasked. */
export const WRAP_BIAS = 24576;

// Status-word exception bits (also the masks' positions in the control word).
export const FE_IE = 0x01;
export const FE_DE = 0x02;
export const FE_ZE = 0x04;
export const FE_OE = 0x08;
export const FE_UE = 0x10;
export const FE_PE = 0x20;
export const FE_ALL = 0x3f;

/** An 80-bit value by its raw fields. */
export interface F80 {
  /** 0 or 1. */
  sign: number;
  /** Biased exponent 0..0x7fff. */
  exp: number;
  /** 64-bit significand, bit 63 the explicit integer bit. */
  sig: bigint;
  /** A float32/float64 denormal memory operand, normalized: classifies as K_DENORMAL (DE). */
  denormalSource?: boolean;
}

export function f80(sign: number, exp: number, sig: bigint): F80 {
  return { sign, exp, sig };
}

/** The "real indefinite" default QNaN. */
export const DEFAULT_NAN: F80 = f80(1, EXP_INF, 0xc000000000000000n);
export const ZERO: F80 = f80(0, 0, 0n);
export const ONE: F80 = f80(0, BIAS, INT_BIT);

export function infinity(sign: number): F80 {
  return f80(sign, EXP_INF, INT_BIT);
}
export function zero(sign: number): F80 {
  return f80(sign, 0, 0n);
}

// Operand classes.
export const K_ZERO = 0;
/** Denormal or pseudo-denormal (exponent field 0, significand not 0). */
export const K_DENORMAL = 1;
export const K_NORMAL = 2;
export const K_INF = 3;
export const K_QNAN = 4;
export const K_SNAN = 5;
/** Unnormal, pseudo-infinity, pseudo-NaN: invalid operands for arithmetic. */
export const K_UNSUPPORTED = 6;

export function classify(a: F80): number {
  if (a.denormalSource) return K_DENORMAL;
  const j = (a.sig & INT_BIT) !== 0n;
  if (a.exp === 0) return a.sig === 0n ? K_ZERO : K_DENORMAL;
  if (!j) return K_UNSUPPORTED;
  if (a.exp === EXP_INF) {
    if (a.sig === INT_BIT) return K_INF;
    return (a.sig & QUIET_BIT) ? K_QNAN : K_SNAN;
  }
  return K_NORMAL;
}

export function isNaNKind(k: number): boolean {
  return k === K_QNAN || k === K_SNAN;
}

/** Unbiased exponent of the significand's bit 0 for a finite value: value = sig * 2^this. */
export function ulpExponent(a: F80): number {
  return (a.exp || 1) - BIAS - 63;
}

export function bitLength(m: bigint): number {
  if (m === 0n) return 0;
  const hex = m.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0], 16)));
}

/**
 * The rounding and exception environment of one x87 operation: the control word it runs under
 * and the exception flags and C1 (rounded up) it produces.
 */
export class FpEnv {
  cw: number;
  flags = 0;
  roundedUp = false;

  constructor(cw = 0x037f) {
    this.cw = cw;
  }

  /** Rounding control: 0 nearest, 1 down, 2 up, 3 toward zero. */
  get rc(): number {
    return (this.cw >> 10) & 3;
  }

  /** Significand precision selected by PC: 24, 53 or 64 bits (the reserved value 1 acts as 64). */
  get precision(): number {
    const pc = (this.cw >> 8) & 3;
    return pc === 0 ? 24 : pc === 2 ? 53 : 64;
  }

  /** Record an exception found before the result exists; true when it is unmasked (abort). */
  raise(flag: number): boolean {
    this.flags |= flag;
    return (this.cw & flag) === 0;
  }

  masked(flag: number): boolean {
    return (this.cw & flag) !== 0;
  }
}

/** A floating-point format's parameters for rounding. */
export interface Format {
  /** Significand bits including the integer bit. */
  bits: number;
  /** Smallest normal unbiased exponent. */
  emin: number;
  /** Largest finite unbiased exponent. */
  emax: number;
}

export const EXT_FORMAT: Format = { bits: 64, emin: 1 - BIAS, emax: BIAS };
export const DOUBLE_FORMAT: Format = { bits: 53, emin: -1022, emax: 1023 };
export const SINGLE_FORMAT: Format = { bits: 24, emin: -126, emax: 127 };

/** Result of rounding: `m * 2^q`, or an infinity, plus how it relates to the exact value. */
export interface Rounded {
  sign: number;
  /** Rounded significand (0 for a zero result); unused for infinities. */
  m: bigint;
  q: number;
  inf: boolean;
  /** The exponent was wrapped by WRAP_BIAS (unmasked OE/UE response): `q` is already adjusted. */
  wrapped: boolean;
}

function roundAt(
  m: bigint,
  e: number,
  sticky: boolean,
  q: number,
  rc: number,
  sign: number,
): { kept: bigint; inexact: boolean; up: boolean } {
  const shift = q - e;
  if (shift <= 0) return { kept: m << BigInt(-shift), inexact: sticky, up: false };
  let kept: bigint, rem: bigint, half: bigint;
  if (shift > bitLength(m) + 1) {
    kept = 0n;
    rem = m === 0n ? 0n : 1n; // strictly below half
    half = 2n;
  } else {
    const s = BigInt(shift);
    kept = m >> s;
    rem = m & ((1n << s) - 1n);
    half = 1n << (s - 1n);
  }
  const inexact = rem !== 0n || sticky;
  let up = false;
  if (inexact) {
    switch (rc) {
      case 0:
        up = rem > half || (rem === half && (sticky || (kept & 1n) === 1n));
        break;
      case 1:
        up = sign === 1;
        break;
      case 2:
        up = sign === 0;
        break;
    }
  }
  return { kept: up ? kept + 1n : kept, inexact, up };
}

/**
 * Round the exact value (-1)^sign * (m + sticky) * 2^e (sticky: bits below m were lost and not
 * all zero) to format `f` with precision `bits` under `env`, flagging PE/UE/OE and C1. Tininess
 * is detected after rounding. With OE/UE unmasked the result is re-biased by WRAP_BIAS
 * (`wrapped`): register destinations store it, memory stores must store nothing.
 */
export function roundValue(
  env: FpEnv,
  sign: number,
  m: bigint,
  e: number,
  sticky: boolean,
  f: Format,
  bits: number,
): Rounded {
  const out: Rounded = { sign, m: 0n, q: 0, inf: false, wrapped: false };
  if (m === 0n) return out;
  const rc = env.rc;
  const exponent = e + bitLength(m) - 1;
  const q = Math.max(exponent, f.emin) - (bits - 1);
  const r = roundAt(m, e, sticky, q, rc, sign);
  if (exponent < f.emin) {
    // Tininess is detected after rounding: rounding with an unbounded exponent range.
    const qu = exponent - (bits - 1);
    const unbounded = roundAt(m, e, sticky, qu, rc, sign);
    const tiny = bitLength(unbounded.kept) + qu - 1 < f.emin;
    if (tiny) {
      if (!env.masked(FE_UE)) {
        env.flags |= FE_UE;
        if (unbounded.inexact) env.flags |= FE_PE;
        env.roundedUp = unbounded.up;
        out.wrapped = true;
        out.m = unbounded.kept;
        out.q = qu + WRAP_BIAS;
        if (bitLength(out.m) + out.q - 1 < f.emin) {
          // Too tiny even for the re-biased exponent (FSCALE): a zero, inexact.
          env.flags |= FE_PE;
          env.roundedUp = false;
          out.m = 0n;
        }
        return out;
      }
      if (r.inexact) env.flags |= FE_UE;
    }
  }
  const resultExp = r.kept === 0n ? -Infinity : q + bitLength(r.kept) - 1;
  if (resultExp > f.emax) {
    env.flags |= FE_OE;
    if (!env.masked(FE_OE)) {
      if (r.inexact) env.flags |= FE_PE;
      env.roundedUp = r.up;
      out.wrapped = true;
      out.m = r.kept;
      out.q = q - WRAP_BIAS;
      if (bitLength(out.m) + out.q - 1 > f.emax) {
        env.flags |= FE_PE;
        env.roundedUp = true;
        out.inf = true;
      }
      return out;
    }
    env.flags |= FE_PE;
    const toInf = rc === 0 || (rc === 1 && sign === 1) || (rc === 2 && sign === 0);
    env.roundedUp = toInf;
    if (toInf) out.inf = true;
    else {
      out.m = (1n << BigInt(bits)) - 1n;
      out.q = f.emax - (bits - 1);
    }
    return out;
  }
  if (r.inexact) env.flags |= FE_PE;
  env.roundedUp = r.up;
  out.m = r.kept;
  out.q = q;
  return out;
}

/** Pack a rounded extended-format result into its raw fields. */
function packExt(r: Rounded): F80 {
  if (r.inf) return infinity(r.sign);
  if (r.m === 0n) return zero(r.sign);
  const len = bitLength(r.m);
  let exp = r.q + len - 1 + BIAS;
  let shift: number;
  if (exp >= 1 || r.wrapped) shift = 63 - (len - 1);
  else {
    shift = r.q - (1 - BIAS - 63);
    exp = 0;
  }
  const sig = shift >= 0 ? r.m << BigInt(shift) : r.m >> BigInt(-shift);
  return f80(r.sign, exp, sig & SIG_MASK);
}

/** Round an exact value to the extended format at the PC precision (or `bits`) and pack it. */
export function roundPack(
  env: FpEnv,
  sign: number,
  m: bigint,
  e: number,
  sticky = false,
  bits = 64,
): F80 {
  return packExt(roundValue(env, sign, m, e, sticky, EXT_FORMAT, bits));
}

/** The quiet version of a NaN. */
export function quiet(a: F80): F80 {
  return f80(a.sign, a.exp, a.sig | QUIET_BIT);
}

/** x87 rule for one NaN operand: SNaN signals IE and is quieted. Null when IE is unmasked. */
export function propagateNaN1(env: FpEnv, a: F80, k: number): F80 | null {
  if (k === K_SNAN && env.raise(FE_IE)) return null;
  return quiet(a);
}

/**
 * x87 rules for two operands, at least one a NaN: an SNaN signals IE; a QNaN beats an SNaN;
 * between two of the same kind the larger significand wins, the positive one on a tie.
 */
export function propagateNaN2(env: FpEnv, a: F80, ka: number, b: F80, kb: number): F80 | null {
  if ((ka === K_SNAN || kb === K_SNAN) && env.raise(FE_IE)) return null;
  const aNaN = isNaNKind(ka), bNaN = isNaNKind(kb);
  if (!bNaN) return quiet(a);
  if (!aNaN) return quiet(b);
  if (ka === K_SNAN && kb === K_QNAN) return b;
  if (kb === K_SNAN && ka === K_QNAN) return a;
  const ma = a.sig & ~QUIET_BIT, mb = b.sig & ~QUIET_BIT;
  if (ma > mb) return quiet(a);
  if (mb > ma) return quiet(b);
  return quiet(a.sign <= b.sign ? a : b);
}

/**
 * Common operand screening for a two-operand operation: unsupported operands (IE, the default
 * NaN) and NaN propagation. `done` when that settles the result; `result` null then means an
 * unmasked IE aborts the instruction.
 */
export function screen2(
  env: FpEnv,
  a: F80,
  ka: number,
  b: F80,
  kb: number,
): { done: boolean; result: F80 | null } {
  if (ka === K_UNSUPPORTED || kb === K_UNSUPPORTED) {
    return { done: true, result: env.raise(FE_IE) ? null : DEFAULT_NAN };
  }
  if (isNaNKind(ka) || isNaNKind(kb)) {
    return { done: true, result: propagateNaN2(env, a, ka, b, kb) };
  }
  return { done: false, result: null };
}

function invalid(env: FpEnv): F80 | null {
  return env.raise(FE_IE) ? null : DEFAULT_NAN;
}

/** DE for denormal operands; true when unmasked (the instruction aborts). */
export function denormalCheck(env: FpEnv, ka: number, kb = K_NORMAL): boolean {
  if (ka === K_DENORMAL || kb === K_DENORMAL) return env.raise(FE_DE);
  return false;
}

/** a + b (subtract: a - b), rounded at the PC precision. Null: aborted by an unmasked exception. */
export function add(
  env: FpEnv,
  a: F80,
  b: F80,
  subtract = false,
  bits = env.precision,
): F80 | null {
  const ka = classify(a), kb = classify(b);
  const s = screen2(env, a, ka, b, kb);
  if (s.done) return s.result;
  const signB = b.sign ^ (subtract ? 1 : 0);
  if (ka === K_INF || kb === K_INF) {
    if (ka === K_INF && kb === K_INF && a.sign !== signB) return invalid(env);
    if (denormalCheck(env, ka, kb)) return null;
    return ka === K_INF ? a : infinity(signB);
  }
  if (denormalCheck(env, ka, kb)) return null;
  if (ka === K_ZERO && kb === K_ZERO) {
    const sign = a.sign === signB ? a.sign : env.rc === 1 ? 1 : 0;
    return zero(sign);
  }
  if (ka === K_ZERO) return roundPack(env, signB, b.sig, ulpExponent(b), false, bits);
  if (kb === K_ZERO) return roundPack(env, a.sign, a.sig, ulpExponent(a), false, bits);
  let ea = ulpExponent(a), eb = ulpExponent(b);
  let ma = a.sig, mb = b.sig;
  // Far-apart operands: the smaller one only matters as a sticky contribution.
  const FAR = 200;
  if (ea - eb > FAR) {
    mb = 1n;
    eb = ea - FAR;
  } else if (eb - ea > FAR) {
    ma = 1n;
    ea = eb - FAR;
  }
  const e = Math.min(ea, eb);
  const va = ma << BigInt(ea - e), vb = mb << BigInt(eb - e);
  const sum = a.sign === signB ? va + vb : va - vb;
  if (sum === 0n) return zero(env.rc === 1 ? 1 : 0);
  let sign = a.sign;
  let m = sum;
  if (m < 0n) {
    m = -m;
    sign ^= 1;
  }
  return roundPack(env, sign, m, e, false, bits);
}

export function sub(env: FpEnv, a: F80, b: F80): F80 | null {
  return add(env, a, b, true);
}

/** a * b rounded at the PC precision. */
export function mul(env: FpEnv, a: F80, b: F80, bits = env.precision): F80 | null {
  const ka = classify(a), kb = classify(b);
  const s = screen2(env, a, ka, b, kb);
  if (s.done) return s.result;
  const sign = a.sign ^ b.sign;
  if (ka === K_INF || kb === K_INF) {
    if (ka === K_ZERO || kb === K_ZERO) return invalid(env);
    if (denormalCheck(env, ka, kb)) return null;
    return infinity(sign);
  }
  if (denormalCheck(env, ka, kb)) return null;
  if (ka === K_ZERO || kb === K_ZERO) return zero(sign);
  return roundPack(env, sign, a.sig * b.sig, ulpExponent(a) + ulpExponent(b), false, bits);
}

/** a / b rounded at the PC precision. */
export function div(env: FpEnv, a: F80, b: F80, bits = env.precision): F80 | null {
  const ka = classify(a), kb = classify(b);
  const s = screen2(env, a, ka, b, kb);
  if (s.done) return s.result;
  const sign = a.sign ^ b.sign;
  if (ka === K_INF) {
    if (kb === K_INF) return invalid(env);
    if (denormalCheck(env, kb)) return null;
    return infinity(sign);
  }
  if (kb === K_INF) {
    if (denormalCheck(env, ka)) return null;
    return zero(sign);
  }
  if (kb === K_ZERO) {
    if (ka === K_ZERO) return invalid(env);
    if (env.raise(FE_ZE)) return null;
    return infinity(sign);
  }
  if (denormalCheck(env, ka, kb)) return null;
  if (ka === K_ZERO) return zero(sign);
  // Enough quotient bits for any rounding precision, plus a sticky remainder.
  const shift = 66 + bitLength(b.sig) - bitLength(a.sig) + 1;
  const num = a.sig << BigInt(shift);
  const quotient = num / b.sig;
  const sticky = quotient * b.sig !== num;
  return roundPack(env, sign, quotient, ulpExponent(a) - ulpExponent(b) - shift, sticky, bits);
}

/** Integer square root (floor) of a non-negative BigInt. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << BigInt((bitLength(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** sqrt(a) rounded at the PC precision. */
export function sqrt(env: FpEnv, a: F80, bits = env.precision): F80 | null {
  const ka = classify(a);
  if (ka === K_UNSUPPORTED) return invalid(env);
  if (isNaNKind(ka)) return propagateNaN1(env, a, ka);
  if (ka === K_ZERO) return a;
  if (a.sign === 1) return invalid(env);
  if (ka === K_INF) return a;
  if (denormalCheck(env, ka)) return null;
  let e = ulpExponent(a);
  let m = a.sig;
  // Scale so that the root has at least 68 bits and the exponent is even.
  let shift = 140 - bitLength(m);
  if ((e - shift) & 1) shift++;
  m <<= BigInt(shift);
  e -= shift;
  const root = isqrt(m);
  return roundPack(env, 0, root, e / 2, root * root !== m, bits);
}

// Comparison results (as C3 C2 C0 would encode them).
export const CMP_GT = 0;
export const CMP_LT = 1;
export const CMP_EQ = 2;
export const CMP_UN = 3;

/**
 * Compare a with b. `quietNaNsOk` (FUCOM*): only SNaNs raise IE; otherwise (FCOM*) any NaN
 * does. Returns a CMP_* value; the relation is reported even when the exception it raises is
 * unmasked (the caller then skips its pops).
 */
export function compare(env: FpEnv, a: F80, b: F80, quietNaNsOk: boolean): number {
  const ka = classify(a), kb = classify(b);
  if (ka === K_UNSUPPORTED || kb === K_UNSUPPORTED) {
    env.flags |= FE_IE;
    return CMP_UN;
  }
  if (isNaNKind(ka) || isNaNKind(kb)) {
    if (!quietNaNsOk || ka === K_SNAN || kb === K_SNAN) env.flags |= FE_IE;
    return CMP_UN;
  }
  if (ka === K_DENORMAL || kb === K_DENORMAL) env.flags |= FE_DE;
  return compareOrdered(a, ka, b, kb);
}

/** An exception in env.flags is unmasked: the instruction must not complete. */
export function unmaskedRaised(env: FpEnv): boolean {
  return (env.flags & ~env.cw & FE_ALL) !== 0;
}

/** Compare two non-NaN supported values. */
export function compareOrdered(a: F80, ka: number, b: F80, kb: number): number {
  const za = ka === K_ZERO, zb = kb === K_ZERO;
  if (za && zb) return CMP_EQ;
  if (a.sign !== b.sign) {
    if (za) return b.sign ? CMP_GT : CMP_LT;
    if (zb) return a.sign ? CMP_LT : CMP_GT;
    return a.sign ? CMP_LT : CMP_GT;
  }
  const mag = compareMagnitude(a, ka, b, kb);
  if (mag === 0) return CMP_EQ;
  return (mag > 0) !== (a.sign === 1) ? CMP_GT : CMP_LT;
}

/** Sign of |a| - |b| for supported non-NaN values (pseudo-denormals compare by value). */
function compareMagnitude(a: F80, ka: number, b: F80, kb: number): number {
  if (ka === K_INF || kb === K_INF) return ka === kb ? 0 : ka === K_INF ? 1 : -1;
  const ea = a.exp || 1, eb = b.exp || 1;
  const va = a.sig, vb = b.sig;
  // Normalize the comparison: value = sig * 2^(exp - ...).
  if (ea === eb) return va === vb ? 0 : va > vb ? 1 : -1;
  const la = bitLength(va) + ea, lb = bitLength(vb) + eb;
  if (la !== lb) return la > lb ? 1 : -1;
  const e = Math.min(ea, eb);
  const xa = va << BigInt(ea - e), xb = vb << BigInt(eb - e);
  return xa === xb ? 0 : xa > xb ? 1 : -1;
}
