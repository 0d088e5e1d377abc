// Guest-memory access and string quoting for the strace formatter: reads through the kernel's
// callback without ever throwing, and quotes bytes exactly as strace does (C escapes, octal for
// other non-printables, 32-byte limit with "..." after the closing quote).

/** Reads guest memory; null when any byte of the range is not readable. */
export type ReadMemory = (addr: number, len: number) => Uint8Array | null;

/** strace's default -s: how many bytes of a string or buffer it shows. */
export const MAX_STRLEN = 32;
/** Paths are shown whole, up to PATH_MAX - 1 bytes. */
export const MAX_PATHLEN = 4095;
const PAGE_SIZE = 4096;
/** Strings are read this many bytes at a time (never across a page boundary). */
const STRING_CHUNK = 256;
const MAX_ADDRESS = 2n ** 64n;

export class GuestMemory {
  constructor(private readonly read: ReadMemory) {}

  /** `len` bytes at `addr`, or null if unreadable. */
  bytes(addr: bigint, len: number): Uint8Array | null {
    if (len === 0) return new Uint8Array(0);
    if (addr === 0n || addr + BigInt(len) > MAX_ADDRESS || addr > BigInt(Number.MAX_SAFE_INTEGER)) {
      return null;
    }
    let data: Uint8Array | null;
    try {
      data = this.read(Number(addr), len);
    } catch {
      return null;
    }
    return data !== null && data.length >= len ? data.subarray(0, len) : null;
  }

  view(addr: bigint, len: number): DataView | null {
    const data = this.bytes(addr, len);
    return data === null ? null : new DataView(data.buffer, data.byteOffset, data.byteLength);
  }

  u64(addr: bigint): bigint | null {
    return this.view(addr, 8)?.getBigUint64(0, true) ?? null;
  }

  i32(addr: bigint): number | null {
    return this.view(addr, 4)?.getInt32(0, true) ?? null;
  }

  /**
   * A NUL-terminated string of at most `limit` bytes, read a page at a time so that a string
   * ending just before an unmapped page still reads. `terminated` is false when no NUL came
   * within limit + 1 bytes (the string is longer than shown).
   */
  cstring(addr: bigint, limit: number): { bytes: Uint8Array; terminated: boolean } | null {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let at = addr;
    while (total <= limit) {
      const pageLeft = PAGE_SIZE - Number(at % BigInt(PAGE_SIZE));
      const want = Math.min(pageLeft, limit + 1 - total, STRING_CHUNK);
      const chunk = this.bytes(at, want) ?? this.bytesUpToFault(at, want);
      if (chunk.length === 0) return null;
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        chunks.push(chunk.subarray(0, nul));
        return { bytes: concat(chunks, total + nul), terminated: true };
      }
      chunks.push(chunk);
      total += chunk.length;
      at += BigInt(chunk.length);
      if (chunk.length < want) return null;
    }
    return { bytes: concat(chunks, total).subarray(0, limit), terminated: false };
  }

  /** Byte by byte, for a reader that refuses a range running past the end of a mapping. */
  private bytesUpToFault(addr: bigint, len: number): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < len; i++) {
      const byte = this.bytes(addr + BigInt(i), 1);
      if (byte === null) break;
      out.push(byte[0]);
      if (byte[0] === 0) break;
    }
    return Uint8Array.from(out);
  }
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, length - offset);
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const ESCAPES: Record<number, string> = {
  0x22: '\\"',
  0x5c: "\\\\",
  0x0c: "\\f",
  0x0a: "\\n",
  0x0d: "\\r",
  0x09: "\\t",
  0x0b: "\\v",
};

/** Bytes in double quotes with strace's escapes: "\33[0m", "\0007" (3 digits before a digit). */
export function quoteBytes(bytes: Uint8Array): string {
  let out = '"';
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    const escape = ESCAPES[c];
    if (escape !== undefined) out += escape;
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else {
      const next = bytes[i + 1];
      const digitFollows = next !== undefined && next >= 0x30 && next <= 0x37;
      out += "\\" + (digitFollows ? c.toString(8).padStart(3, "0") : c.toString(8));
    }
  }
  return out + '"';
}

/** Every byte as \xNN (strace's style for getrandom's buffer). */
export function quoteBytesHex(bytes: Uint8Array): string {
  let out = '"';
  for (const c of bytes) out += "\\x" + c.toString(16).padStart(2, "0");
  return out + '"';
}

/** strace's printaddr: NULL or hex. */
export function printAddress(addr: bigint): string {
  return addr === 0n ? "NULL" : "0x" + addr.toString(16);
}

/** A buffer of `len` bytes: the first 32 quoted, "..." if longer, the address if unreadable. */
export function printBuffer(
  mem: GuestMemory,
  addr: bigint,
  len: number,
  forceHex = false,
): string {
  if (addr === 0n) return "NULL";
  const shown = mem.bytes(addr, Math.min(len, MAX_STRLEN));
  if (shown === null) return printAddress(addr);
  return (forceHex ? quoteBytesHex(shown) : quoteBytes(shown)) + (len > MAX_STRLEN ? "..." : "");
}

/** A NUL-terminated string cut at `limit` bytes (32 for strings, 4095 for paths). */
export function printCString(mem: GuestMemory, addr: bigint, limit = MAX_STRLEN): string {
  if (addr === 0n) return "NULL";
  const str = mem.cstring(addr, limit);
  if (str === null) return printAddress(addr);
  return quoteBytes(str.bytes) + (str.terminated ? "" : "...");
}

export function printPath(mem: GuestMemory, addr: bigint): string {
  return printCString(mem, addr, MAX_PATHLEN);
}

/** A fixed-size char array field (utsname): up to its first NUL, never more than its size. */
export function printCharArray(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return quoteBytes(nul >= 0 ? bytes.subarray(0, nul) : bytes);
}
