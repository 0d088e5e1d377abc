// xorshift32: small reproducible random numbers for tests, so a failure replays from its seed.

export function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return { next, below: (n: number) => next() % n, pick: <T>(a: T[]) => a[next() % a.length] };
}

export type Rng = ReturnType<typeof rng>;

/** The four little-endian bytes of a 32-bit value. */
export const le32 = (
  v: number,
) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
