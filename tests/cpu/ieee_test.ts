// The IEEE-754 engine (core/fpu/ieee*.ts) against an exact BigInt reference: random binary32 and
// binary64 operands (normals, subnormals, and operands whose results land next to the underflow
// and overflow thresholds) in every rounding mode, with FTZ and DAZ, comparing results and the
// exception flags bit for bit. The reference encodes the host facts the engine follows:
// tininess before rounding, FTZ flushing every tiny result with UE|PE, masked overflow to
// infinity or the largest finite value by rounding direction.

import assert from "node:assert/strict";
import { fp, fpBegin, MX_DE, MX_IE, MX_OE, MX_PE, MX_UE, MX_ZE } from "../../core/fpu/ieee.ts";
import {
  add32,
  add64,
  div32,
  div64,
  mul32,
  mul64,
  sqrt32,
  sqrt64,
  sub64,
} from "../../core/fpu/ieee-arith.ts";
import { intToFloat, narrow, roundIntegral, toInteger } from "../../core/fpu/ieee-convert.ts";

// ---- exact values: sign * num / den * 2^exp ------------------------------------------------

interface Exact {
  neg: boolean;
  num: bigint;
  den: bigint;
  exp: number;
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);

/** A finite double as sign * m * 2^e with an integer m. */
function decompose(x: number): { neg: boolean; m: bigint; e: number } {
  f64[0] = x;
  const bits = u64[0];
  const neg = bits >> 63n === 1n;
  const be = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  if (be === 0) return { neg, m: frac, e: -1074 };
  return { neg, m: frac | (1n << 52n), e: be - 1075 };
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

interface Format {
  p: number;
  emin: number;
  emax: number;
}
const F32: Format = { p: 24, emin: -126, emax: 127 };
const F64: Format = { p: 53, emin: -1022, emax: 1023 };

interface Rounded {
  value: number;
  flags: number;
}

/** Round a nonzero exact value to `fmt` in mode rc with masked exceptions (and FTZ). */
function roundRef(x: Exact, fmt: Format, rc: number, ftz: boolean): Rounded {
  // floor(log2(num/den)) + exp
  let ex = bitLength(x.num) - bitLength(x.den);
  // adjust: num/den in [2^ex, 2^(ex+1))
  const ge = (k: number) => (k >= 0 ? x.num >= x.den << BigInt(k) : x.num << BigInt(-k) >= x.den);
  if (!ge(ex)) ex--;
  ex += x.exp;
  const tiny = ex < fmt.emin;
  const qe = Math.max(ex, fmt.emin) - (fmt.p - 1);
  // n = floor(X / 2^qe), remainder classification
  const shift = x.exp - qe;
  let num = x.num, den = x.den;
  if (shift >= 0) num <<= BigInt(shift);
  else den <<= BigInt(-shift);
  let n = num / den;
  const rem = num - n * den;
  const twice = rem * 2n;
  const cls = rem === 0n ? 0 : twice < den ? 1 : twice === den ? 2 : 3;
  let up = false;
  if (rc === 0) up = cls === 3 || (cls === 2 && (n & 1n) === 1n);
  else if (rc === 2) up = !x.neg && cls !== 0;
  else if (rc === 1) up = x.neg && cls !== 0;
  if (up) n += 1n;
  let flags = cls !== 0 ? MX_PE : 0;
  let value = Number(n) * 2 ** qe; // n < 2^54: exact, then an exact power-of-two scaling
  if (qe < -1000) value = Number(n) * 2 ** (qe + 200) * 2 ** -200;
  const max = (2 - 2 ** (1 - fmt.p)) * 2 ** fmt.emax;
  if (value > max) {
    flags = MX_OE | MX_PE;
    const toInf = rc === 0 || (rc === 2 && !x.neg) || (rc === 1 && x.neg);
    value = toInf ? Infinity : max;
  } else if (tiny) {
    if (ftz) {
      value = 0;
      flags = MX_UE | MX_PE;
    } else if (cls !== 0) flags |= MX_UE;
  }
  return { value: x.neg ? -value : value, flags };
}

function refMul(a: number, b: number): Exact {
  const x = decompose(a), y = decompose(b);
  return { neg: x.neg !== y.neg, num: x.m * y.m, den: 1n, exp: x.e + y.e };
}
function refDiv(a: number, b: number): Exact {
  const x = decompose(a), y = decompose(b);
  return { neg: x.neg !== y.neg, num: x.m, den: y.m, exp: x.e - y.e };
}
function refAdd(a: number, b: number): Exact | null {
  const x = decompose(a), y = decompose(b);
  const e = Math.min(x.e, y.e);
  const sx = (x.neg ? -x.m : x.m) << BigInt(x.e - e);
  const sy = (y.neg ? -y.m : y.m) << BigInt(y.e - e);
  const s = sx + sy;
  if (s === 0n) return null;
  return { neg: s < 0n, num: s < 0n ? -s : s, den: 1n, exp: e };
}
/** sqrt as a rational good to 200 extra bits (enough to classify the rounding exactly). */
function refSqrt(a: number): Exact {
  const x = decompose(a);
  let m = x.m, e = x.e;
  if (e & 1) {
    m <<= 1n;
    e -= 1;
  }
  const scaled = m << 400n;
  let r = BigInt(Math.floor(Math.sqrt(Number(m)) * 2 ** 200));
  for (let k = 0; k < 8; k++) r = (r + scaled / r) >> 1n; // Newton on the integer square root
  while (r * r > scaled) r--;
  while ((r + 1n) * (r + 1n) <= scaled) r++;
  // Inexact square roots get a sticky bit so the remainder is never mistaken for zero or a tie.
  const num = r * r === scaled ? r : (r << 1n) | 1n;
  const extra = r * r === scaled ? 0 : 1;
  return { neg: false, num, den: 1n, exp: e / 2 - 200 - extra };
}

// ---- random operands -----------------------------------------------------------------------

let seed = 12345;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
function randomDouble(single: boolean): number {
  const c = rnd();
  const mant = rnd() * 2 - 1;
  if (single) {
    if (c < 0.15) return Math.fround(mant * 2 ** -126 * 0.999); // subnormal
    return Math.fround(mant * 2 ** Math.floor(rnd() * 250 - 125));
  }
  if (c < 0.15) return mant * 2 ** -1022; // subnormal
  return (mant + (rnd() < 0.5 ? 0 : mant * 2 ** -30)) * 2 ** Math.floor(rnd() * 2040 - 1020);
}
/** b such that a*b (or a/b) lands near the underflow or overflow threshold. */
function partnerNear(a: number, single: boolean, div: boolean): number {
  const fmt = single ? F32 : F64;
  const target = rnd() < 0.5 ? fmt.emin + Math.floor(rnd() * 40) - 30 : fmt.emax - 1;
  const ea = Math.floor(Math.log2(Math.abs(a)));
  const eb = div ? ea - target : target - ea;
  const b = (1 + rnd()) * 2 ** Math.max(Math.min(eb, fmt.emax), fmt.emin);
  return single ? Math.fround(b) : b;
}

const MODES = [0, 1, 2, 3];

function check(
  what: string,
  got: number,
  gotFlags: number,
  want: Rounded,
  a: number,
  b: number,
  mx: number,
) {
  const ok = Object.is(got, want.value) && gotFlags === want.flags;
  if (!ok) {
    assert.fail(
      `${what}(${a}, ${b}) mxcsr=${mx.toString(16)}: got ${got} flags ${gotFlags.toString(16)}, ` +
        `want ${want.value} flags ${want.flags.toString(16)}`,
    );
  }
}

function mxcsrFor(rc: number, ftz: boolean, daz: boolean): number {
  return 0x1f80 | (rc << 13) | (ftz ? 0x8000 : 0) | (daz ? 0x40 : 0);
}

for (const single of [false, true]) {
  const name = single ? "binary32" : "binary64";
  const fmt = single ? F32 : F64;
  Deno.test(`ieee ${name}: mul, div, add, sqrt match the exact reference in every mode`, () => {
    for (let iter = 0; iter < 20000; iter++) {
      const rc = MODES[iter & 3];
      const ftz = (iter & 12) === 12;
      const daz = (iter & 48) === 48;
      const mx = mxcsrFor(rc, ftz, daz);
      const den = (x: number) => Math.abs(x) < 2 ** fmt.emin;
      let a = randomDouble(single);
      const kind = iter % 5;
      let b = kind < 2 ? partnerNear(a, single, kind === 1) : randomDouble(single);
      const inFlags = !daz && (den(a) || den(b)) ? MX_DE : 0;
      if (daz) {
        // DAZ: denormal operands are zeros and raise nothing.
        if (den(a)) a = 0;
        if (den(b)) b = 0;
      }
      if (a === 0 || b === 0) continue;
      // multiply
      fpBegin(mx);
      let r = single ? mul32(a, b, 0, 0) : mul64(a, b, 0, 0);
      check(
        "mul",
        r,
        fp.pre | fp.post,
        withDE(roundRef(refMul(a, b), fmt, rc, ftz), inFlags),
        a,
        b,
        mx,
      );
      // divide
      fpBegin(mx);
      r = single ? div32(a, b, 0, 0) : div64(a, b, 0, 0);
      check(
        "div",
        r,
        fp.pre | fp.post,
        withDE(roundRef(refDiv(a, b), fmt, rc, ftz), inFlags),
        a,
        b,
        mx,
      );
      // add (exact zero sums are checked separately)
      const sum = refAdd(a, b);
      if (sum) {
        fpBegin(mx);
        r = single ? add32(a, b, 0, 0) : add64(a, b, 0, 0);
        check("add", r, fp.pre | fp.post, withDE(roundRef(sum, fmt, rc, ftz), inFlags), a, b, mx);
      }
      // square root
      const m = Math.abs(a);
      fpBegin(mx);
      r = single ? sqrt32(m, 0) : sqrt64(m, 0);
      const sqrtRef = withDE(roundRef(refSqrt(m), fmt, rc, ftz), den(m) && !daz ? MX_DE : 0);
      check("sqrt", r, fp.pre | fp.post, sqrtRef, m, 0, mx);
    }
  });
}

function withDE(r: Rounded, de: number): Rounded {
  return { value: r.value, flags: r.flags | de };
}

Deno.test("ieee: special operands (NaN rules, invalid, divide by zero, signed zeros)", () => {
  fpBegin(0x1f80);
  assert.ok(Number.isNaN(mul64(0, Infinity, 0, 0)));
  assert.equal(fp.pre, MX_IE);
  assert.equal(fp.nanSel, 0, "invalid operations return the default NaN");
  fpBegin(0x1f80);
  assert.equal(div64(-1, 0, 0, 0), -Infinity);
  assert.equal(fp.pre, MX_ZE);
  fpBegin(0x1f80);
  assert.equal(div64(2 ** -1070, 0, 0, 0), Infinity);
  assert.equal(fp.pre, MX_ZE, "divide-by-zero outranks the denormal operand");
  fpBegin(0x1f80);
  assert.equal(div64(Infinity, 0, 0, 0), Infinity);
  assert.equal(fp.pre | fp.post, 0, "infinity / 0 is exact");
  fpBegin(0x1f80 | (1 << 13));
  assert.ok(Object.is(sub64(1.5, 1.5, 0, 0), -0), "x - x is -0 when rounding down");
  fpBegin(0x1f80);
  assert.ok(Object.is(sub64(1.5, 1.5, 0, 0), 0));
  // SNaN second operand, QNaN first: the first NaN propagates, IE for the SNaN.
  fpBegin(0x1f80);
  assert.ok(Number.isNaN(add32(NaN, NaN, 0x7fc00001, 0x7f800002)));
  assert.equal(fp.pre, MX_IE);
  assert.equal(fp.nanSel, 1);
  fpBegin(0x1f80);
  assert.ok(Number.isNaN(sqrt64(-1, 0xbff00000)));
  assert.equal(fp.pre, MX_IE);
});

Deno.test("ieee: tininess is detected before rounding (reference host behaviour)", () => {
  // (1 - 2^-24) * 2^-126 rounds up to 2^-126 but is tiny before rounding: UE and PE.
  fpBegin(0x1f80);
  assert.equal(mul32(1 - 2 ** -24, 2 ** -126, 0, 0), 2 ** -126);
  assert.equal(fp.post, MX_UE | MX_PE);
  // Exact tiny results raise nothing when UE is masked, UE alone when it is not.
  fpBegin(0x1f80);
  assert.equal(add32(1.5 * 2 ** -126, -(2 ** -126), 0, 0), 2 ** -127);
  assert.equal(fp.post, 0);
  fpBegin(0x1f80 & ~0x800);
  add32(1.5 * 2 ** -126, -(2 ** -126), 0, 0);
  assert.equal(fp.post, MX_UE);
  // FTZ flushes even the exact tiny result and reports UE|PE.
  fpBegin(0x9f80);
  assert.ok(Object.is(add32(1.5 * 2 ** -126, -(2 ** -126), 0, 0), 0));
  assert.equal(fp.post, MX_UE | MX_PE);
});

Deno.test("ieee: unmasked overflow sets PE only when the result is inexact", () => {
  fpBegin(0x1f80 & ~0x400);
  mul32(2 ** 127, 2, 0, 0);
  assert.equal(fp.post, MX_OE);
  fpBegin(0x1f80 & ~0x400);
  mul32(1e38, 1e38, 0, 0);
  assert.equal(fp.post, MX_OE | MX_PE);
  // RZ: MAX + ulp/2 rounds to MAX without overflow.
  fpBegin(0x7f80);
  assert.equal(add32(3.4028234663852886e38, 2 ** 103, 0, 0), 3.4028234663852886e38);
  assert.equal(fp.post, MX_PE);
});

Deno.test("ieee: conversions round in every mode", () => {
  // int64 2^53 + 1 -> binary64: a tie below, RN/RD/RZ give 2^53, RU gives 2^53 + 2.
  const want = [2 ** 53, 2 ** 53, 2 ** 53 + 2, 2 ** 53];
  for (const rc of MODES) {
    fpBegin(0x1f80 | (rc << 13));
    assert.equal(intToFloat(1, 0x200000, false), want[rc]);
    assert.equal(fp.post, MX_PE);
  }
  // -(2^63) converts exactly; 2^63 - 1 -> binary32 rounds up to 2^63 in RN.
  fpBegin(0x1f80);
  assert.equal(intToFloat(0, 0x80000000, false), -(2 ** 63));
  assert.equal(fp.post, 0);
  assert.equal(intToFloat(0xffffffff, 0x7fffffff, true), 2 ** 63);
  // Float -> int: out of range and NaN are invalid; -0.5 truncates to 0 with PE.
  fpBegin(0x1f80);
  assert.ok(Number.isNaN(toInteger(2147483648, 0, 32, false)));
  assert.equal(fp.pre, MX_IE);
  fpBegin(0x1f80);
  assert.equal(toInteger(-2147483648.9, 3, 32, false), -2147483648);
  assert.equal(fp.post, MX_PE);
  assert.equal(roundIntegral(2.5, 0), 2);
  assert.equal(roundIntegral(-2.5, 0), -2);
  assert.ok(Object.is(roundIntegral(-0.25, 0), -0));
  assert.equal(roundIntegral(-2.5, 1), -3);
  // binary64 -> binary32 narrowing just below the smallest normal: tiny before rounding.
  fpBegin(0x1f80);
  assert.equal(narrow(2 ** -126 * (1 - 2 ** -30)), 2 ** -126);
  assert.equal(fp.post, MX_UE | MX_PE);
});
