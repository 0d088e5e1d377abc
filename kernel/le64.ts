// 64-bit little-endian fields in the byte images of structs the kernel copies to and from user
// memory (stat, timespec, sigaction, the signal frame...), as JS numbers: exact below 2^53,
// which every address, size and time the kernel handles is.

const TWO32 = 2 ** 32;

/** An unsigned 64-bit field. */
export function getU64(dv: DataView, offset: number): number {
  return dv.getUint32(offset + 4, true) * TWO32 + dv.getUint32(offset, true);
}

/** A signed 64-bit field. */
export function getI64(dv: DataView, offset: number): number {
  return dv.getInt32(offset + 4, true) * TWO32 + dv.getUint32(offset, true);
}

/**
 * Store an integer: negative values in two's complement; a value that rounded up to 2^64 (an
 * all-ones field read back by getU64, such as a handler or RLIM_INFINITY) becomes all ones again.
 */
export function setI64(dv: DataView, offset: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  if (hi >= TWO32) {
    dv.setUint32(offset, 0xffffffff, true);
    dv.setUint32(offset + 4, 0xffffffff, true);
    return;
  }
  dv.setUint32(offset, v - hi * TWO32, true);
  dv.setUint32(offset + 4, hi >>> 0, true);
}
