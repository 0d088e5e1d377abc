// Deterministic pseudo-random numbers and hashes for the differential tests. Every input is
// derived from a seed, so committed vectors need not store inputs; the same code regenerates them.

/** FNV-1a over a string (form keys to seeds). */
export function hashString(s: string, h = 0x811c9dc5): number {
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 16777619);
  return h >>> 0;
}

/** FNV-1a over bytes, continuing from `h`. */
export function hashBytes(b: Uint8Array, h = 0x811c9dc5): number {
  for (let k = 0; k < b.length; k++) h = Math.imul(h ^ b[k], 16777619);
  return h >>> 0;
}

/** Mix several 32-bit numbers into one seed. */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
  }
  return h >>> 0;
}

/** sfc32: small, fast, good enough for test inputs. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = seed >>> 0;
    for (let k = 0; k < 12; k++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() < p * 4294967296;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let k = 0; k < n; k++) out[k] = this.u32() & 0xff;
    return out;
  }
}

/** Fill `out` (a multiple of 4 bytes) with xorshift32 words; mirrored by the native harness. */
export function xorshiftFill(out: Uint32Array, seed: number): void {
  let x = seed >>> 0 || 0x9e3779b9;
  for (let k = 0; k < out.length; k++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[k] = x;
  }
}

/** FNV-1a over 32-bit words (the harness's check that both sides built the same data). */
export function hashWords(w: Uint32Array): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < w.length; k++) h = Math.imul(h ^ w[k], 16777619);
  return h >>> 0;
}
