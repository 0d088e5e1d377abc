// A minimal arbitrary-precision binary float (BigInt significand, PREC bits kept, rounding to
// odd so that the one final rounding to 64 bits stays correct and sees inexactness) for
// evaluating the x87 transcendental functions far beyond 64-bit accuracy before the single
// final rounding: the elementary series (atanh, exp, sin/cos, atan), logarithms, and the
// constants pi, ln 2 and ln 10.

import { bitLength } from "./float80.ts";

/** value = m * 2^e, m a signed BigInt with at most PREC significant bits. */
export interface BigFloat {
  m: bigint;
  e: number;
}

export const PREC = 200;

export function bf(m: bigint, e = 0): BigFloat {
  return normalize(m, e);
}

/** Keep PREC bits, truncating and jamming any lost bits into the lowest kept bit. */
function normalize(m: bigint, e: number, sticky = false): BigFloat {
  const neg = m < 0n;
  const mag = neg ? -m : m;
  const extra = bitLength(mag) - PREC;
  if (extra <= 0) {
    if (!sticky) return { m, e };
    // Make room for the sticky bit below the value.
    const t = (mag << 2n) | 1n;
    return normalize(neg ? -t : t, e - 2);
  }
  let t = mag >> BigInt(extra);
  if (sticky || (mag & ((1n << BigInt(extra)) - 1n)) !== 0n) t |= 1n;
  return { m: neg ? -t : t, e: e + extra };
}

const ZERO_BF: BigFloat = { m: 0n, e: 0 };
export const ONE_BF: BigFloat = { m: 1n, e: 0 };

export function neg(a: BigFloat): BigFloat {
  return { m: -a.m, e: a.e };
}

export function abs(a: BigFloat): BigFloat {
  return a.m < 0n ? neg(a) : a;
}

/** Binary exponent of the leading bit (|a| in [2^k, 2^(k+1))); -Infinity for zero. */
export function magnitude(a: BigFloat): number {
  if (a.m === 0n) return -Infinity;
  return a.e + bitLength(a.m < 0n ? -a.m : a.m) - 1;
}

export function add(a: BigFloat, b: BigFloat): BigFloat {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  // An addend entirely below the other's precision only nudges it (its sign matters).
  if (magnitude(a) - magnitude(b) > PREC + 8) return nudge(a, b.m < 0n ? -1n : 1n);
  if (magnitude(b) - magnitude(a) > PREC + 8) return nudge(b, a.m < 0n ? -1n : 1n);
  const e = Math.min(a.e, b.e);
  return normalize((a.m << BigInt(a.e - e)) + (b.m << BigInt(b.e - e)), e);
}

/** a moved by far less than its last bit in `direction`: below PREC bits, then jammed. */
function nudge(a: BigFloat, direction: bigint): BigFloat {
  const s = Math.max(PREC + 4 - bitLength(a.m < 0n ? -a.m : a.m), 4);
  return normalize((a.m << BigInt(s)) + direction, a.e - s);
}

export function sub(a: BigFloat, b: BigFloat): BigFloat {
  return add(a, neg(b));
}

export function mul(a: BigFloat, b: BigFloat): BigFloat {
  return normalize(a.m * b.m, a.e + b.e);
}

export function mulPow2(a: BigFloat, k: number): BigFloat {
  return { m: a.m, e: a.e + k };
}

export function div(a: BigFloat, b: BigFloat): BigFloat {
  if (b.m === 0n) throw new RangeError("bigfloat division by zero");
  const bl = bitLength(b.m < 0n ? -b.m : b.m);
  const al = bitLength(a.m < 0n ? -a.m : a.m);
  const shift = PREC + 2 + bl - al;
  const num = a.m << BigInt(Math.max(shift, 0));
  const q = num / b.m;
  return normalize(q, a.e - b.e - Math.max(shift, 0), q * b.m !== num);
}

function divInt(a: BigFloat, n: number): BigFloat {
  return div(a, { m: BigInt(n), e: 0 });
}

export function sqrt(a: BigFloat): BigFloat {
  if (a.m <= 0n) return ZERO_BF;
  let shift = Math.max(2 * PREC + 4 - bitLength(a.m), 0);
  if ((a.e - shift) & 1) shift++;
  const m = a.m << BigInt(shift);
  let x = 1n << BigInt((bitLength(m) + 1) >> 1);
  for (;;) {
    const y = (x + m / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return normalize(x, (a.e - shift) / 2, x * x !== m);
}

export function cmp(a: BigFloat, b: BigFloat): number {
  const d = sub(a, b).m;
  return d === 0n ? 0 : d > 0n ? 1 : -1;
}

/** Sum a power series term by term until terms fall below the precision of the sum. */
function series(first: BigFloat, next: (term: BigFloat, k: number) => BigFloat): BigFloat {
  let sum = first;
  let term = first;
  for (let k = 1; k < 1000; k++) {
    term = next(term, k);
    if (term.m === 0n) break;
    sum = add(sum, term); // a term below the precision still nudges the sum (round to odd)
    if (magnitude(term) < magnitude(sum) - PREC - 4) break;
  }
  return sum;
}

/** atanh(z) = z + z^3/3 + z^5/5 + ... for |z| well below 1. */
export function atanh(z: BigFloat): BigFloat {
  if (z.m === 0n) return z;
  const z2 = mul(z, z);
  let power = z;
  return series(z, (_t, k) => {
    power = mul(power, z2);
    return divInt(power, 2 * k + 1);
  });
}

/** atan(z) = z - z^3/3 + ... for small |z|. */
function atanSeries(z: BigFloat): BigFloat {
  if (z.m === 0n) return z;
  const z2 = neg(mul(z, z));
  let power = z;
  return series(z, (_t, k) => {
    power = mul(power, z2);
    return divInt(power, 2 * k + 1);
  });
}

let piCache: BigFloat | null = null;
let ln2Cache: BigFloat | null = null;
let ln10Cache: BigFloat | null = null;

/** pi = 16 atan(1/5) - 4 atan(1/239) (Machin). */
export function pi(): BigFloat {
  if (!piCache) {
    const a = atanSeries(div(ONE_BF, bf(5n)));
    const b = atanSeries(div(ONE_BF, bf(239n)));
    piCache = sub(mulPow2(a, 4), mulPow2(b, 2));
  }
  return piCache;
}

/** ln 2 = 2 atanh(1/3). */
export function ln2(): BigFloat {
  return ln2Cache ??= mulPow2(atanh(div(ONE_BF, bf(3n))), 1);
}

/** ln 10 = 3 ln 2 + 2 atanh(1/9). */
export function ln10(): BigFloat {
  return ln10Cache ??= add(mul(ln2(), bf(3n)), mulPow2(atanh(div(ONE_BF, bf(9n))), 1));
}

/** Natural logarithm of a positive value. */
export function ln(x: BigFloat): BigFloat {
  // x = y * 2^k with y in [sqrt(1/2), sqrt(2)): ln x = k ln 2 + 2 atanh((y - 1) / (y + 1)).
  let k = magnitude(x);
  let y = mulPow2(x, -k);
  if (cmp(mul(y, y), bf(2n)) > 0) {
    y = mulPow2(y, -1);
    k++;
  }
  const z = div(sub(y, ONE_BF), add(y, ONE_BF));
  return add(mul(bf(BigInt(k)), ln2()), mulPow2(atanh(z), 1));
}

/** ln(1 + x) for |x| < 1 without cancellation: 2 atanh(x / (2 + x)). */
export function ln1p(x: BigFloat): BigFloat {
  return mulPow2(atanh(div(x, add(bf(2n), x))), 1);
}

/** e^y - 1 for |y| below about 1, by its Taylor series (no cancellation for small y). */
export function expm1(y: BigFloat): BigFloat {
  return series(y, (t, k) => divInt(mul(t, y), k + 1));
}

/** sin(r) for |r| <= pi/4. */
export function sinSeries(r: BigFloat): BigFloat {
  const r2 = neg(mul(r, r));
  return series(r, (t, k) => divInt(mul(t, r2), 2 * k * (2 * k + 1)));
}

/** cos(r) for |r| <= pi/4. */
export function cosSeries(r: BigFloat): BigFloat {
  const r2 = neg(mul(r, r));
  return series(ONE_BF, (t, k) => divInt(mul(t, r2), (2 * k - 1) * 2 * k));
}

/** atan(z) for any z. */
export function atan(z: BigFloat): BigFloat {
  if (z.m === 0n) return z;
  if (z.m < 0n) return neg(atan(neg(z)));
  if (magnitude(z) >= 0 && cmp(z, ONE_BF) > 0) {
    return sub(mulPow2(pi(), -1), atan(div(ONE_BF, z)));
  }
  // Halve the angle twice: atan z = 2 atan(z / (1 + sqrt(1 + z^2))).
  let w = z;
  for (let k = 0; k < 2; k++) w = div(w, add(ONE_BF, sqrt(add(ONE_BF, mul(w, w)))));
  return mulPow2(atanSeries(w), 2);
}
