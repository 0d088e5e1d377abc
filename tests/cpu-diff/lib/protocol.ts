// The binary protocol between the generator and the native harness (userland/cpudiff/harness.c),
// and the in-memory shapes of a test case and of its outcome. All integers little-endian.
//
// Batch:  u32 count, then `count` cases.
// Case:   u32 "CASE", u8 len, u8[15] instruction, u64 gpr[16] (RAX..R15), u64 rflags,
//         u8[512] FXSAVE image, u32 data seed, u16 patch count, patches (u16 offset, u16 length,
//         bytes). The data region is xorshift32(seed) words with the patches applied.
// Result: u32 "RSLT", u8 end, u8 signo, u8 trapno, u8 0, u32 error code, i32 si_code,
//         u32 hash of the input data region, u64 si_addr, u64 rip, u64 gpr[16], u64 rflags,
//         u8[512] FXSAVE image, u16 changed-byte count, (u16 offset, u8 value) per byte.

export const CASE_MAGIC = 0x45534143;
export const RESULT_MAGIC = 0x544c5352;

export const END_FALLTHROUGH = 1;
export const END_LANDING = 2;
export const END_SIGNAL = 3;
export const END_TIMEOUT = 4;

export interface Patch {
  off: number;
  bytes: Uint8Array;
}

/** One test case: the instruction and the complete machine state before it. */
export interface CaseInput {
  insn: Uint8Array;
  /** RAX..R15 as 32-bit halves (low, high), the layout of cpu.r. */
  gpr: Uint32Array;
  rflags: number;
  fx: Uint8Array;
  dataSeed: number;
  patches: Patch[];
}

/** What running a case did, natively or in the emulator. */
export interface CaseResult {
  end: number;
  signo: number;
  trapno: number;
  err: number;
  code: number;
  /** si_addr as halves. */
  addrLo: number;
  addrHi: number;
  /** Signed canonical value, as the emulator keeps RIP. */
  rip: number;
  gpr: Uint32Array;
  rflags: number;
  fx: Uint8Array;
  /** Bytes of the data region that differ from the input, ascending offsets. */
  memOff: Uint16Array;
  memVal: Uint8Array;
  /** Native only: hash of the data region the harness built (must match ours). */
  dataHash: number;
  /** Emulator only: a JavaScript error thrown inside core/. */
  internalError?: string;
}

export function caseSize(c: CaseInput): number {
  let n = 4 + 16 + 128 + 8 + 512 + 4 + 2;
  for (const p of c.patches) n += 4 + p.bytes.length;
  return n;
}

/** Serialize a case into `out` at `at`; returns the new offset. */
export function writeCase(c: CaseInput, out: Uint8Array, dv: DataView, at: number): number {
  dv.setUint32(at, CASE_MAGIC, true);
  out[at + 4] = c.insn.length;
  out.fill(0, at + 5, at + 20);
  out.set(c.insn, at + 5);
  at += 20;
  for (let k = 0; k < 32; k++) dv.setUint32(at + 4 * k, c.gpr[k], true);
  at += 128;
  dv.setUint32(at, c.rflags, true);
  dv.setUint32(at + 4, 0, true);
  at += 8;
  out.set(c.fx, at);
  at += 512;
  dv.setUint32(at, c.dataSeed, true);
  dv.setUint16(at + 4, c.patches.length, true);
  at += 6;
  for (const p of c.patches) {
    dv.setUint16(at, p.off, true);
    dv.setUint16(at + 2, p.bytes.length, true);
    out.set(p.bytes, at + 4);
    at += 4 + p.bytes.length;
  }
  return at;
}

export function serializeCases(cases: CaseInput[]): Uint8Array {
  let n = 4;
  for (const c of cases) n += caseSize(c);
  const out = new Uint8Array(n);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, cases.length, true);
  let at = 4;
  for (const c of cases) at = writeCase(c, out, dv, at);
  return out;
}

/** Parse one result at `at`; returns [result, next offset] or null if the bytes run out. */
export function readResult(buf: Uint8Array, dv: DataView, at: number): [CaseResult, number] | null {
  const fixed = 4 + 4 + 4 + 4 + 4 + 8 + 8 + 128 + 8 + 512 + 2;
  if (at + fixed > buf.length) return null;
  if (dv.getUint32(at, true) !== RESULT_MAGIC) throw new Error("cpu-diff: bad result magic");
  const count = dv.getUint16(at + fixed - 2, true);
  if (at + fixed + 3 * count > buf.length) return null;
  const gpr = new Uint32Array(32);
  for (let k = 0; k < 32; k++) gpr[k] = dv.getUint32(at + 36 + 4 * k, true);
  const memOff = new Uint16Array(count);
  const memVal = new Uint8Array(count);
  let p = at + fixed;
  for (let k = 0; k < count; k++, p += 3) {
    memOff[k] = dv.getUint16(p, true);
    memVal[k] = buf[p + 2];
  }
  const result: CaseResult = {
    end: buf[at + 4],
    signo: buf[at + 5],
    trapno: buf[at + 6],
    err: dv.getUint32(at + 8, true),
    code: dv.getInt32(at + 12, true),
    dataHash: dv.getUint32(at + 16, true),
    addrLo: dv.getUint32(at + 20, true),
    addrHi: dv.getUint32(at + 24, true),
    rip: dv.getUint32(at + 28, true) + dv.getInt32(at + 32, true) * 4294967296,
    gpr,
    rflags: dv.getUint32(at + 164, true),
    fx: buf.slice(at + 172, at + 684),
    memOff,
    memVal,
  };
  return [result, p];
}
