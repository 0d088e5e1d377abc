// Packed-integer lane arithmetic shared by the MMX and SSE forms: wrapping and saturating
// add/subtract, multiplies, averages, min/max, compares, logic and sums of absolute
// differences. Each export is a Kernel (see sse-int-lanes.ts).

import {
  type Kernel,
  type Lanes,
  s16,
  s8,
  satS16,
  satS8,
  satU16,
  satU8,
  saveDest,
  TMP,
} from "./sse-int-lanes.ts";

/** A kernel applying `f` to each pair of bytes. */
function byteWise(f: (a: number, b: number) => number): Kernel {
  return (d, o, s, n) => {
    const db = d.b, sb = s.b;
    for (let k = 0; k < n; k++) db[o + k] = f(db[o + k], sb[k]);
  };
}
function wordWise(f: (a: number, b: number) => number): Kernel {
  return (d, o, s, n) => {
    const dw = d.w, sw = s.w, p = o >> 1;
    for (let k = 0; k < n >> 1; k++) dw[p + k] = f(dw[p + k], sw[k]);
  };
}
function dwordWise(f: (a: number, b: number) => number): Kernel {
  return (d, o, s, n) => {
    const dd = d.d, sd = s.d, p = o >> 2;
    for (let k = 0; k < n >> 2; k++) dd[p + k] = f(dd[p + k], sd[k]);
  };
}
/** Qword lanes as halves: f returns the low half and leaves the high half in `qHi`. */
let qHi = 0;
function qwordWise(f: (aLo: number, aHi: number, bLo: number, bHi: number) => number): Kernel {
  return (d, o, s, n) => {
    const dd = d.d, sd = s.d, p = o >> 2;
    for (let k = 0; k < n >> 2; k += 2) {
      dd[p + k] = f(dd[p + k], dd[p + k + 1], sd[k], sd[k + 1]);
      dd[p + k + 1] = qHi;
    }
  };
}

// ---- add / subtract ----------------------------------------------------------------------

export const paddb: Kernel = (d, o, s, n) => {
  const db = d.b, sb = s.b;
  for (let k = 0; k < n; k++) db[o + k] += sb[k];
};
export const paddw: Kernel = wordWise((a, b) => a + b);
export const paddd: Kernel = dwordWise((a, b) => a + b);
export const paddq: Kernel = qwordWise((aLo, aHi, bLo, bHi) => {
  const lo = aLo + bLo;
  qHi = aHi + bHi + (lo > 0xffffffff ? 1 : 0);
  return lo;
});
export const psubb: Kernel = (d, o, s, n) => {
  const db = d.b, sb = s.b;
  for (let k = 0; k < n; k++) db[o + k] -= sb[k];
};
export const psubw: Kernel = wordWise((a, b) => a - b);
export const psubd: Kernel = dwordWise((a, b) => a - b);
export const psubq: Kernel = qwordWise((aLo, aHi, bLo, bHi) => {
  qHi = aHi - bHi - (aLo < bLo ? 1 : 0);
  return aLo - bLo;
});
export const paddsb: Kernel = byteWise((a, b) => satS8(s8(a) + s8(b)));
export const paddsw: Kernel = wordWise((a, b) => satS16(s16(a) + s16(b)));
export const paddusb: Kernel = byteWise((a, b) => satU8(a + b));
export const paddusw: Kernel = wordWise((a, b) => satU16(a + b));
export const psubsb: Kernel = byteWise((a, b) => satS8(s8(a) - s8(b)));
export const psubsw: Kernel = wordWise((a, b) => satS16(s16(a) - s16(b)));
export const psubusb: Kernel = byteWise((a, b) => satU8(a - b));
export const psubusw: Kernel = wordWise((a, b) => satU16(a - b));

// ---- multiply ----------------------------------------------------------------------------

export const pmullw: Kernel = wordWise((a, b) => Math.imul(a, b));
export const pmulhw: Kernel = wordWise((a, b) => (s16(a) * s16(b)) >> 16);
export const pmulhuw: Kernel = wordWise((a, b) => (a * b) >>> 16);
export const pmulhrsw: Kernel = wordWise((a, b) => (((s16(a) * s16(b)) >> 14) + 1) >> 1);
export const pmulld: Kernel = dwordWise((a, b) => Math.imul(a, b));

/** Unsigned 32x32 -> 64 product: returns the low half, high half in mulHi. */
let mulHi = 0;
function mulU32(a: number, b: number): number {
  const aL = a & 0xffff, aH = a >>> 16, bL = b & 0xffff, bH = b >>> 16;
  const ll = aL * bL, lh = aL * bH, hl = aH * bL;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  mulHi = (aH * bH + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
  return ((mid << 16) | (ll & 0xffff)) >>> 0;
}
export const pmuludq: Kernel = qwordWise((aLo, _aHi, bLo) => {
  const lo = mulU32(aLo, bLo);
  qHi = mulHi;
  return lo;
});
export const pmuldq: Kernel = qwordWise((aLo, _aHi, bLo) => {
  const lo = mulU32(aLo, bLo);
  // Signed high half = unsigned high half minus the other operand for each negative one.
  qHi = mulHi - ((aLo | 0) < 0 ? bLo : 0) - ((bLo | 0) < 0 ? aLo : 0);
  return lo;
});

export const pmaddwd: Kernel = (d, o, s, n) => {
  const dw = d.w, sw = s.w, dd = d.d, p = o >> 1;
  for (let k = 0; k < n >> 1; k += 2) {
    const sum = s16(dw[p + k]) * s16(sw[k]) + s16(dw[p + k + 1]) * s16(sw[k + 1]);
    dd[(p + k) >> 1] = sum;
  }
};

/** Unsigned destination bytes times signed source bytes, adjacent pairs summed with saturation. */
export const pmaddubsw: Kernel = (d, o, s, n) => {
  const db = d.b, sb = s.b, dw = d.w;
  for (let k = 0; k < n; k += 2) {
    const sum = db[o + k] * s8(sb[k]) + db[o + k + 1] * s8(sb[k + 1]);
    dw[(o + k) >> 1] = satS16(sum);
  }
};

// ---- average, min, max -------------------------------------------------------------------

export const pavgb: Kernel = byteWise((a, b) => (a + b + 1) >> 1);
export const pavgw: Kernel = wordWise((a, b) => (a + b + 1) >> 1);
export const pminub: Kernel = (d, o, s, n) => {
  const db = d.b, sb = s.b;
  for (let k = 0; k < n; k++) if (sb[k] < db[o + k]) db[o + k] = sb[k];
};
export const pmaxub: Kernel = byteWise((a, b) => (a > b ? a : b));
export const pminsb: Kernel = byteWise((a, b) => (s8(a) < s8(b) ? a : b));
export const pmaxsb: Kernel = byteWise((a, b) => (s8(a) > s8(b) ? a : b));
export const pminuw: Kernel = wordWise((a, b) => (a < b ? a : b));
export const pmaxuw: Kernel = wordWise((a, b) => (a > b ? a : b));
export const pminsw: Kernel = wordWise((a, b) => (s16(a) < s16(b) ? a : b));
export const pmaxsw: Kernel = wordWise((a, b) => (s16(a) > s16(b) ? a : b));
export const pminud: Kernel = dwordWise((a, b) => (a < b ? a : b));
export const pmaxud: Kernel = dwordWise((a, b) => (a > b ? a : b));
export const pminsd: Kernel = dwordWise((a, b) => ((a | 0) < (b | 0) ? a : b));
export const pmaxsd: Kernel = dwordWise((a, b) => ((a | 0) > (b | 0) ? a : b));

// ---- compare -----------------------------------------------------------------------------

export const pcmpeqb: Kernel = (d, o, s, n) => {
  const dd = d.d, sd = s.d, p = o >> 2;
  for (let k = 0; k < n >> 2; k++) {
    // Bytes of x are zero exactly where the inputs are equal; t has bit 7 set in the others.
    const x = dd[p + k] ^ sd[k];
    const t = ((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x;
    dd[p + k] = ((~t & 0x80808080) >>> 7) * 0xff;
  }
};
export const pcmpeqw: Kernel = wordWise((a, b) => (a === b ? 0xffff : 0));
export const pcmpeqd: Kernel = dwordWise((a, b) => (a === b ? 0xffffffff : 0));
export const pcmpeqq: Kernel = qwordWise((aLo, aHi, bLo, bHi) => {
  qHi = aLo === bLo && aHi === bHi ? 0xffffffff : 0;
  return qHi;
});
export const pcmpgtb: Kernel = byteWise((a, b) => (s8(a) > s8(b) ? 0xff : 0));
export const pcmpgtw: Kernel = wordWise((a, b) => (s16(a) > s16(b) ? 0xffff : 0));
export const pcmpgtd: Kernel = dwordWise((a, b) => ((a | 0) > (b | 0) ? 0xffffffff : 0));
export const pcmpgtq: Kernel = qwordWise((aLo, aHi, bLo, bHi) => {
  const gt = (aHi | 0) > (bHi | 0) || (aHi === bHi && aLo > bLo);
  qHi = gt ? 0xffffffff : 0;
  return qHi;
});

// ---- logic -------------------------------------------------------------------------------

export const pand: Kernel = (d, o, s, n) => {
  const dd = d.d, sd = s.d, p = o >> 2;
  for (let k = 0; k < n >> 2; k++) dd[p + k] &= sd[k];
};
export const pandn: Kernel = (d, o, s, n) => {
  const dd = d.d, sd = s.d, p = o >> 2;
  for (let k = 0; k < n >> 2; k++) dd[p + k] = ~dd[p + k] & sd[k];
};
export const por: Kernel = (d, o, s, n) => {
  const dd = d.d, sd = s.d, p = o >> 2;
  for (let k = 0; k < n >> 2; k++) dd[p + k] |= sd[k];
};
export const pxor: Kernel = (d, o, s, n) => {
  const dd = d.d, sd = s.d, p = o >> 2;
  for (let k = 0; k < n >> 2; k++) dd[p + k] ^= sd[k];
};

// ---- sums of absolute differences --------------------------------------------------------

/** Each 8-byte group: the sum of |d - s| in the low word, the other words zeroed. */
export const psadbw: Kernel = (d, o, s, n) => {
  const db = d.b, sb = s.b, dw = d.w;
  for (let g = 0; g < n; g += 8) {
    let sum = 0;
    for (let k = g; k < g + 8; k++) sum += Math.abs(db[o + k] - sb[k]);
    const w = (o + g) >> 1;
    dw[w] = sum;
    dw[w + 1] = dw[w + 2] = dw[w + 3] = 0;
  }
};

/** MPSADBW: eight sums of |d[blk1 + j + k] - s[blk2 + k]| over k < 4 (offsets from imm8). */
export function mpsadbw(d: Lanes, o: number, s: Lanes, imm: number): void {
  saveDest(d, o);
  const t = TMP.b, blk1 = imm & 4, blk2 = (imm & 3) * 4, sb = s.b, dw = d.w, p = o >> 1;
  for (let j = 0; j < 8; j++) {
    let sum = 0;
    for (let k = 0; k < 4; k++) sum += Math.abs(t[blk1 + j + k] - sb[blk2 + k]);
    dw[p + j] = sum;
  }
}
