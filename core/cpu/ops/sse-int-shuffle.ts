// Packed-integer lane rearrangement shared by the MMX and SSE forms: shifts, packs with
// saturation, unpacks (interleaves), PSHUFB, horizontal add/subtract, PSIGN/PABS, PALIGNR and
// the SSE4.1 blends and PHMINPOSUW. Kernels follow the contract in sse-int-lanes.ts.

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

// ---- shifts ------------------------------------------------------------------------------

/** Shift every lane of `d` (bytes [o, o+n)) by a 64-bit count given as halves. */
export type ShiftKernel = (
  d: Lanes,
  o: number,
  n: number,
  countLo: number,
  countHi: number,
) => void;

function wordShift(f: (v: number, c: number) => number, limit: number): ShiftKernel {
  return (d, o, n, lo, hi) => {
    const c = hi !== 0 || lo > 15 ? limit : lo;
    const w = d.w, p = o >> 1;
    for (let k = 0; k < n >> 1; k++) w[p + k] = f(w[p + k], c);
  };
}
function dwordShift(f: (v: number, c: number) => number, limit: number): ShiftKernel {
  return (d, o, n, lo, hi) => {
    const c = hi !== 0 || lo > 31 ? limit : lo;
    const x = d.d, p = o >> 2;
    for (let k = 0; k < n >> 2; k++) x[p + k] = f(x[p + k], c);
  };
}
// A count of `limit` (16 or 32) means "everything shifted out".
export const psllw = wordShift((v, c) => (c === 16 ? 0 : v << c), 16);
export const psrlw = wordShift((v, c) => (c === 16 ? 0 : v >>> c), 16);
export const psraw = wordShift((v, c) => s16(v) >> c, 15);
export const pslld = dwordShift((v, c) => (c === 32 ? 0 : v << c), 32);
export const psrld = dwordShift((v, c) => (c === 32 ? 0 : v >>> c), 32);
export const psrad = dwordShift((v, c) => v >> c, 31);

export const psllq: ShiftKernel = (d, o, n, lo, hi) => {
  const x = d.d, p = o >> 2;
  for (let k = p; k < p + (n >> 2); k += 2) {
    if (hi !== 0 || lo > 63) x[k] = x[k + 1] = 0;
    else if (lo >= 32) {
      x[k + 1] = x[k] << (lo - 32);
      x[k] = 0;
    } else if (lo > 0) {
      x[k + 1] = (x[k + 1] << lo) | (x[k] >>> (32 - lo));
      x[k] <<= lo;
    }
  }
};
export const psrlq: ShiftKernel = (d, o, n, lo, hi) => {
  const x = d.d, p = o >> 2;
  for (let k = p; k < p + (n >> 2); k += 2) {
    if (hi !== 0 || lo > 63) x[k] = x[k + 1] = 0;
    else if (lo >= 32) {
      x[k] = x[k + 1] >>> (lo - 32);
      x[k + 1] = 0;
    } else if (lo > 0) {
      x[k] = (x[k] >>> lo) | (x[k + 1] << (32 - lo));
      x[k + 1] >>>= lo;
    }
  }
};

/** PSLLDQ: the whole 16-byte register shifted left by `count` bytes. */
export function pslldq(d: Lanes, o: number, count: number): void {
  const b = d.b;
  for (let k = 15; k >= 0; k--) b[o + k] = k >= count ? b[o + k - count] : 0;
}
export function psrldq(d: Lanes, o: number, count: number): void {
  const b = d.b;
  for (let k = 0; k < 16; k++) b[o + k] = k + count < 16 ? b[o + k + count] : 0;
}

// ---- pack --------------------------------------------------------------------------------

/** Narrow words to bytes: the destination's lanes fill the low half, the source's the high. */
function packWords(sat: (v: number) => number): Kernel {
  return (d, o, s, n) => {
    saveDest(d, o);
    const t = TMP.w, sw = s.w, b = d.b, half = n >> 1;
    for (let k = 0; k < half; k++) b[o + k] = sat(s16(t[k]));
    for (let k = 0; k < half; k++) b[o + half + k] = sat(s16(sw[k]));
  };
}
function packDwords(sat: (v: number) => number): Kernel {
  return (d, o, s, n) => {
    saveDest(d, o);
    const t = TMP.d, sd = s.d, w = d.w, p = o >> 1, q = n >> 2;
    for (let k = 0; k < q; k++) w[p + k] = sat(t[k] | 0);
    for (let k = 0; k < q; k++) w[p + q + k] = sat(sd[k] | 0);
  };
}
export const packsswb = packWords(satS8);
export const packuswb = packWords(satU8);
export const packssdw = packDwords(satS16);
export const packusdw = packDwords(satU16);

// ---- unpack (interleave) -----------------------------------------------------------------

// Each interleaves the low (or high) halves of d and s: d0 s0 d1 s1 ...
function unpackBytes(high: boolean): Kernel {
  return (d, o, s, n) => {
    saveDest(d, o);
    const t = TMP.b, sb = s.b, b = d.b, half = n >> 1, base = high ? half : 0;
    for (let e = 0; e < half; e++) {
      b[o + 2 * e] = t[base + e];
      b[o + 2 * e + 1] = sb[base + e];
    }
  };
}
function unpackWords(high: boolean): Kernel {
  return (d, o, s, n) => {
    saveDest(d, o);
    const t = TMP.w, sw = s.w, w = d.w, p = o >> 1, half = n >> 2, base = high ? half : 0;
    for (let e = 0; e < half; e++) {
      w[p + 2 * e] = t[base + e];
      w[p + 2 * e + 1] = sw[base + e];
    }
  };
}
function unpackDwords(high: boolean): Kernel {
  return (d, o, s, n) => {
    saveDest(d, o);
    const t = TMP.d, sd = s.d, x = d.d, q = o >> 2, half = n >> 3, base = high ? half : 0;
    for (let e = 0; e < half; e++) {
      x[q + 2 * e] = t[base + e];
      x[q + 2 * e + 1] = sd[base + e];
    }
  };
}
/** PUNPCKLQDQ / PUNPCKHQDQ (XMM only). */
function unpackQwords(high: boolean): Kernel {
  const base = high ? 2 : 0;
  return (d, o, s) => {
    const sd = s.d, x = d.d, q = o >> 2;
    const lo = x[q + base], hi = x[q + base + 1];
    x[q + 2] = sd[base];
    x[q + 3] = sd[base + 1];
    x[q] = lo;
    x[q + 1] = hi;
  };
}
export const punpcklbw = unpackBytes(false);
export const punpcklwd = unpackWords(false);
export const punpckldq = unpackDwords(false);
export const punpcklqdq = unpackQwords(false);
export const punpckhbw = unpackBytes(true);
export const punpckhwd = unpackWords(true);
export const punpckhdq = unpackDwords(true);
export const punpckhqdq = unpackQwords(true);

// ---- SSSE3 -------------------------------------------------------------------------------

export const pshufb: Kernel = (d, o, s, n) => {
  saveDest(d, o);
  const t = TMP.b, sb = s.b, b = d.b, m = n - 1;
  for (let k = 0; k < n; k++) {
    const sel = sb[k];
    b[o + k] = sel & 0x80 ? 0 : t[sel & m];
  }
};

/** Horizontal word ops: adjacent pairs of d fill the low half, pairs of s the high half. */
function horizontalWords(f: (a: number, b: number) => number): Kernel {
  return (d, o, s, n) => {
    saveDest(d, o);
    const t = TMP.w, sw = s.w, w = d.w, p = o >> 1, q = n >> 2;
    for (let k = 0; k < q; k++) w[p + k] = f(t[2 * k], t[2 * k + 1]);
    for (let k = 0; k < q; k++) w[p + q + k] = f(sw[2 * k], sw[2 * k + 1]);
  };
}
function horizontalDwords(f: (a: number, b: number) => number): Kernel {
  return (d, o, s, n) => {
    saveDest(d, o);
    const t = TMP.d, sd = s.d, x = d.d, p = o >> 2, q = n >> 3;
    for (let k = 0; k < q; k++) x[p + k] = f(t[2 * k], t[2 * k + 1]);
    for (let k = 0; k < q; k++) x[p + q + k] = f(sd[2 * k], sd[2 * k + 1]);
  };
}
export const phaddw = horizontalWords((a, b) => a + b);
export const phsubw = horizontalWords((a, b) => a - b);
export const phaddsw = horizontalWords((a, b) => satS16(s16(a) + s16(b)));
export const phsubsw = horizontalWords((a, b) => satS16(s16(a) - s16(b)));
export const phaddd = horizontalDwords((a, b) => a + b);
export const phsubd = horizontalDwords((a, b) => a - b);

export const psignb: Kernel = (d, o, s, n) => {
  const b = d.b, sb = s.b;
  for (let k = 0; k < n; k++) {
    const c = sb[k];
    if (c === 0) b[o + k] = 0;
    else if (c & 0x80) b[o + k] = -b[o + k];
  }
};
export const psignw: Kernel = (d, o, s, n) => {
  const w = d.w, sw = s.w, p = o >> 1;
  for (let k = 0; k < n >> 1; k++) {
    const c = sw[k];
    if (c === 0) w[p + k] = 0;
    else if (c & 0x8000) w[p + k] = -w[p + k];
  }
};
export const psignd: Kernel = (d, o, s, n) => {
  const x = d.d, sd = s.d, p = o >> 2;
  for (let k = 0; k < n >> 2; k++) {
    const c = sd[k];
    if (c === 0) x[p + k] = 0;
    else if (c & 0x80000000) x[p + k] = -x[p + k];
  }
};
export const pabsb: Kernel = (d, o, s, n) => {
  const b = d.b, sb = s.b;
  for (let k = 0; k < n; k++) b[o + k] = Math.abs(s8(sb[k]));
};
export const pabsw: Kernel = (d, o, s, n) => {
  const w = d.w, sw = s.w, p = o >> 1;
  for (let k = 0; k < n >> 1; k++) w[p + k] = Math.abs(s16(sw[k]));
};
export const pabsd: Kernel = (d, o, s, n) => {
  const x = d.d, sd = s.d, p = o >> 2;
  for (let k = 0; k < n >> 2; k++) x[p + k] = Math.abs(sd[k] | 0);
};

/** PALIGNR: the 2n-byte concatenation d:s shifted right by `count` bytes, low n bytes kept. */
export function palignr(d: Lanes, o: number, s: Lanes, n: number, count: number): void {
  saveDest(d, o);
  const t = TMP.b, sb = s.b, b = d.b;
  for (let k = 0; k < n; k++) {
    const j = count + k;
    b[o + k] = j < n ? sb[j] : j < 2 * n ? t[j - n] : 0;
  }
}

// ---- SSE4.1 ------------------------------------------------------------------------------

export function pblendw(d: Lanes, o: number, s: Lanes, imm: number): void {
  const w = d.w, sw = s.w, p = o >> 1;
  for (let k = 0; k < 8; k++) if (imm & (1 << k)) w[p + k] = sw[k];
}

/** PBLENDVB: bytes of s where the matching byte of `mask` (XMM0) has its top bit set. */
export function pblendvb(d: Lanes, o: number, s: Lanes, mask: Uint8Array): void {
  const b = d.b, sb = s.b;
  for (let k = 0; k < 16; k++) if (mask[k] & 0x80) b[o + k] = sb[k];
}

/** PHMINPOSUW: the smallest unsigned word of s and its (lowest) index; the rest zeroed. */
export const phminposuw: Kernel = (d, o, s) => {
  const sw = s.w;
  let min = sw[0], at = 0;
  for (let k = 1; k < 8; k++) {
    if (sw[k] < min) {
      min = sw[k];
      at = k;
    }
  }
  const x = d.d, p = o >> 2;
  x[p] = min | (at << 16);
  x[p + 1] = x[p + 2] = x[p + 3] = 0;
};
