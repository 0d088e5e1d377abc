// Wide integer helpers for MUL/IMUL/DIV/IDIV on 32-bit halves held in Numbers: 32x32 and
// 64x64 products (Math.imul for the low halves, a rounded double product for the high ones)
// and 64/32 and 128/64 unsigned division.
// Results land in the shared `wide` scratch words; only a 128/64 division whose divisor does
// not fit in 32 bits and whose dividend exceeds 2^53 falls back to BigInt.

const TWO16 = 65536;
const TWO32 = 4294967296;

/**
 * Scratch results. Products: w0..w3, least significant first. Divisions: w0/w1 quotient
 * (low/high), w2/w3 remainder (low/high).
 */
export const wide = new Uint32Array(4);

const INV32 = 1 / TWO32;

/**
 * High 32 bits of the product of unsigned 32-bit a and b. The double product is within 2^10
 * of the exact one, so removing the exact low half (Math.imul) and rounding recovers it.
 */
function mulHigh32(a: number, b: number): number {
  return Math.round((a * b - (Math.imul(a, b) >>> 0)) * INV32);
}

/** Unsigned 32x32 product: low 32 bits in wide[0], high in wide[1]. */
export function mulU32(a: number, b: number): void {
  wide[0] = Math.imul(a, b);
  wide[1] = mulHigh32(a, b);
}

/** Signed 32x32 product (inputs as int32 or uint32 bit patterns): wide[0] low, wide[1] high. */
export function mulS32(a: number, b: number): void {
  wide[0] = Math.imul(a, b);
  const p = (a | 0) * (b | 0); // exact below 2^53 in magnitude, within 2^10 otherwise
  wide[1] = Math.round((p - (Math.imul(a, b) >>> 0)) * INV32);
}

/** Unsigned 64x64 -> 128-bit product into wide[0..3]. */
export function mulU64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  const lowHigh = mulHigh32(aLo, bLo);
  const cross1Lo = Math.imul(aLo, bHi) >>> 0, cross1Hi = mulHigh32(aLo, bHi);
  const cross2Lo = Math.imul(aHi, bLo) >>> 0, cross2Hi = mulHigh32(aHi, bLo);
  // Column sums stay below 2^35: the carries are exact small integers.
  const sum1 = lowHigh + cross1Lo + cross2Lo;
  const w1 = sum1 >>> 0;
  const sum2 = cross1Hi + cross2Hi + (Math.imul(aHi, bHi) >>> 0) + (sum1 - w1) * INV32;
  const w2 = sum2 >>> 0;
  wide[0] = Math.imul(aLo, bLo);
  wide[1] = w1;
  wide[2] = w2;
  wide[3] = mulHigh32(aHi, bHi) + (sum2 - w2) * INV32;
}

/** Signed 64x64 -> 128-bit product (two's complement halves) into wide[0..3]. */
export function mulS64(aLo: number, aHi: number, bLo: number, bHi: number): void {
  if ((aHi | 0) === (aLo | 0) >> 31 && (bHi | 0) === (bLo | 0) >> 31) {
    // Both fit in int32 (the common case): a 32x32 signed product, sign-extended.
    mulS32(aLo, bLo);
    wide[2] = wide[3] = (wide[1] | 0) >> 31;
    return;
  }
  mulU64(aLo, aHi, bLo, bHi);
  // Signed high half = unsigned high half - (a < 0 ? b : 0) - (b < 0 ? a : 0), mod 2^64.
  if (aHi & 0x80000000) subHigh(bLo, bHi);
  if (bHi & 0x80000000) subHigh(aLo, aHi);
}

function subHigh(lo: number, hi: number): void {
  const diff = wide[2] - lo;
  wide[2] = diff;
  wide[3] = wide[3] - hi - (diff < 0 ? 1 : 0);
}

/**
 * Unsigned (hi:lo) / d with 32-bit words and 0 < d < 2^32. Returns false when the quotient
 * does not fit in 32 bits (hi >= d); otherwise quotient in wide[0], remainder in wide[2].
 */
export function divU64by32(hi: number, lo: number, d: number): boolean {
  if (hi >= d) return false;
  if (hi === 0) {
    const q = Math.floor(lo / d);
    wide[0] = q;
    wide[2] = lo - q * d;
    return true;
  }
  // Two 16-bit quotient digits; every partial dividend stays below 2^48.
  let t = hi * TWO16 + (lo >>> 16);
  const q1 = Math.floor(t / d);
  t = (t - q1 * d) * TWO16 + (lo & 0xffff);
  const q0 = Math.floor(t / d);
  wide[0] = q1 * TWO16 + q0;
  wide[2] = t - q0 * d;
  return true;
}

/**
 * Unsigned 128/64 division of n3:n2:n1:n0 (32-bit words, most significant first) by dHi:dLo
 * (non-zero). Returns false when the quotient does not fit in 64 bits; otherwise quotient in
 * wide[0..1], remainder in wide[2..3].
 */
export function divU128by64(
  n3: number,
  n2: number,
  n1: number,
  n0: number,
  dLo: number,
  dHi: number,
): boolean {
  if (n3 > dHi || (n3 === dHi && n2 >= dLo)) return false;
  if (dHi === 0) {
    // n3 is 0 and n2 < d: four 16-bit quotient digits.
    let r = n2;
    let q = 0;
    let qHi = 0;
    for (let k = 0; k < 4; k++) {
      const digit = k === 0 ? n1 >>> 16 : k === 1 ? n1 & 0xffff : k === 2 ? n0 >>> 16 : n0 & 0xffff;
      const t = r * TWO16 + digit;
      const qd = Math.floor(t / dLo);
      r = t - qd * dLo;
      if (k < 2) qHi = qHi * TWO16 + qd;
      else q = q * TWO16 + qd;
    }
    wide[0] = q;
    wide[1] = qHi;
    wide[2] = r;
    wide[3] = 0;
    return true;
  }
  if (n3 === 0 && n2 === 0 && n1 < 0x200000) {
    // Dividend below 2^53: double division is exact (floor(t/d) is exact for t < 2^53).
    const n = n1 * TWO32 + n0;
    const d = dHi * TWO32 + dLo;
    const q = Math.floor(n / d);
    const r = n - q * d;
    wide[0] = q;
    wide[1] = 0;
    wide[2] = r % TWO32;
    wide[3] = Math.floor(r / TWO32);
    return true;
  }
  const n = (BigInt(n3) << 96n) | (BigInt(n2) << 64n) | (BigInt(n1) << 32n) | BigInt(n0);
  const d = (BigInt(dHi) << 32n) | BigInt(dLo);
  const q = n / d;
  const r = n % d;
  wide[0] = Number(q & 0xffffffffn);
  wide[1] = Number(q >> 32n);
  wide[2] = Number(r & 0xffffffffn);
  wide[3] = Number(r >> 32n);
  return true;
}
