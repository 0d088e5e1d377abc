// Committed expected results: one gzip file per mnemonic in tests/cpu-diff/vectors/. Inputs
// are not stored (they are regenerated from per-form seeds); each form records a hash of its
// inputs so a changed generator or table row reads as stale, and each case stores only what the
// instruction changed relative to its input.
//
// File (before gzip): "CPUDIFF1", u32 form count, then per form: u16 key length, key (UTF-8),
// u32 input hash, u32 case count, u32 payload length, payload. Case record:
//   u8 end (1 fall-through, 2 landing pad, 3 signal, 4 timeout, 5 harness crash)
//   end >= 3: u8 signo, u8 trapno, u32 error code, i32 si_code, u32 addr lo, u32 addr hi,
//             u32 rip lo, u32 rip hi
//   u32 rflags
//   u16 GPR mask, then u32 lo, u32 hi per changed register
//   u32 FXSAVE chunk mask (32 chunks of 16 bytes), then 16 bytes per changed chunk
//   u16 memory run count, then per run u16 offset, u16 length, bytes

import { gunzipSync, gzipSync } from "node:zlib";
import { INSN_ADDR, LANDING } from "./layout.ts";
import {
  type CaseInput,
  type CaseResult,
  END_FALLTHROUGH,
  END_LANDING,
  END_SIGNAL,
} from "./protocol.ts";

export const END_CRASH = 5;
const MAGIC = "CPUDIFF1";

export interface FormVectors {
  key: string;
  inputHash: number;
  count: number;
  payload: Uint8Array;
}

class Writer {
  private buf = new Uint8Array(1 << 16);
  private dv = new DataView(this.buf.buffer);
  n = 0;
  private room(k: number) {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
    this.dv = new DataView(next.buffer);
  }
  u8(v: number) {
    this.room(1);
    this.buf[this.n++] = v;
  }
  u16(v: number) {
    this.room(2);
    this.dv.setUint16(this.n, v, true);
    this.n += 2;
  }
  u32(v: number) {
    this.room(4);
    this.dv.setUint32(this.n, v >>> 0, true);
    this.n += 4;
  }
  bytes(b: Uint8Array) {
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

/** Append the record of one case's outcome (relative to its input). */
export function encodeOutcome(w: Writer, input: CaseInput, r: CaseResult | null): void {
  if (!r) {
    w.u8(END_CRASH);
    return;
  }
  w.u8(r.end);
  if (r.end >= END_SIGNAL) {
    w.u8(r.signo);
    w.u8(r.trapno);
    w.u32(r.err);
    w.u32(r.code);
    w.u32(r.addrLo);
    w.u32(r.addrHi);
    w.u32(r.rip >>> 0);
    w.u32(Math.floor(r.rip / 4294967296) >>> 0);
  }
  w.u32(r.rflags);
  let gmask = 0;
  for (let k = 0; k < 16; k++) {
    if (r.gpr[2 * k] !== input.gpr[2 * k] || r.gpr[2 * k + 1] !== input.gpr[2 * k + 1]) {
      gmask |= 1 << k;
    }
  }
  w.u16(gmask);
  for (let k = 0; k < 16; k++) {
    if (gmask & (1 << k)) {
      w.u32(r.gpr[2 * k]);
      w.u32(r.gpr[2 * k + 1]);
    }
  }
  let fmask = 0;
  for (let c = 0; c < 32; c++) {
    for (let k = 16 * c; k < 16 * c + 16; k++) {
      if (r.fx[k] !== input.fx[k]) {
        fmask |= 1 << c;
        break;
      }
    }
  }
  w.u32(fmask);
  for (let c = 0; c < 32; c++) if (fmask & (1 << c)) w.bytes(r.fx.subarray(16 * c, 16 * c + 16));
  const runs: [number, number][] = [];
  for (let k = 0; k < r.memOff.length; k++) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === r.memOff[k]) last[1]++;
    else runs.push([r.memOff[k], 1]);
  }
  w.u16(runs.length);
  let j = 0;
  for (const [off, len] of runs) {
    w.u16(off);
    w.u16(len);
    w.bytes(r.memVal.subarray(j, j + len));
    j += len;
  }
}

export function newWriter(): Writer {
  return new Writer();
}
export type { Writer };

/** Reads case records back, one at a time, rebuilding full results against their inputs. */
export class OutcomeReader {
  private at = 0;
  private readonly dv: DataView;
  constructor(private readonly payload: Uint8Array) {
    this.dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  }

  /** The next case's expected result, or null for a case the harness crashed on. */
  next(input: CaseInput): CaseResult | null {
    const p = this.payload, dv = this.dv;
    const end = p[this.at++];
    if (end === END_CRASH) return null;
    const r: CaseResult = {
      end,
      signo: 0,
      trapno: 0,
      err: 0,
      code: 0,
      addrLo: 0,
      addrHi: 0,
      rip: end === END_LANDING ? LANDING : INSN_ADDR + input.insn.length,
      gpr: input.gpr.slice(),
      rflags: 0,
      fx: input.fx.slice(),
      memOff: new Uint16Array(0),
      memVal: new Uint8Array(0),
      dataHash: 0,
    };
    if (end >= END_SIGNAL) {
      r.signo = p[this.at];
      r.trapno = p[this.at + 1];
      r.err = dv.getUint32(this.at + 2, true);
      r.code = dv.getInt32(this.at + 6, true);
      r.addrLo = dv.getUint32(this.at + 10, true);
      r.addrHi = dv.getUint32(this.at + 14, true);
      r.rip = dv.getUint32(this.at + 18, true) + dv.getInt32(this.at + 22, true) * 4294967296;
      this.at += 26;
    } else if (end !== END_FALLTHROUGH && end !== END_LANDING) {
      throw new Error(`cpu-diff: corrupt vector record (end ${end})`);
    }
    r.rflags = dv.getUint32(this.at, true);
    const gmask = dv.getUint16(this.at + 4, true);
    this.at += 6;
    for (let k = 0; k < 16; k++) {
      if (gmask & (1 << k)) {
        r.gpr[2 * k] = dv.getUint32(this.at, true);
        r.gpr[2 * k + 1] = dv.getUint32(this.at + 4, true);
        this.at += 8;
      }
    }
    const fmask = dv.getUint32(this.at, true);
    this.at += 4;
    for (let c = 0; c < 32; c++) {
      if (fmask & (1 << c)) {
        r.fx.set(p.subarray(this.at, this.at + 16), 16 * c);
        this.at += 16;
      }
    }
    const nruns = dv.getUint16(this.at, true);
    this.at += 2;
    const offs: number[] = [], vals: number[] = [];
    for (let k = 0; k < nruns; k++) {
      const off = dv.getUint16(this.at, true), len = dv.getUint16(this.at + 2, true);
      this.at += 4;
      for (let j = 0; j < len; j++) {
        offs.push(off + j);
        vals.push(p[this.at + j]);
      }
      this.at += len;
    }
    r.memOff = Uint16Array.from(offs);
    r.memVal = Uint8Array.from(vals);
    return r;
  }

  get done(): boolean {
    return this.at >= this.payload.length;
  }
}

export function encodeFile(forms: FormVectors[]): Uint8Array {
  const w = new Writer();
  w.bytes(new TextEncoder().encode(MAGIC));
  w.u32(forms.length);
  for (const f of forms) {
    const key = new TextEncoder().encode(f.key);
    w.u16(key.length);
    w.bytes(key);
    w.u32(f.inputHash);
    w.u32(f.count);
    w.u32(f.payload.length);
    w.bytes(f.payload);
  }
  return w.done();
}

export function decodeFile(raw: Uint8Array): FormVectors[] {
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (new TextDecoder().decode(raw.subarray(0, 8)) !== MAGIC) {
    throw new Error("cpu-diff: not a vector file");
  }
  const n = dv.getUint32(8, true);
  let at = 12;
  const out: FormVectors[] = [];
  for (let k = 0; k < n; k++) {
    const klen = dv.getUint16(at, true);
    const key = new TextDecoder().decode(raw.subarray(at + 2, at + 2 + klen));
    at += 2 + klen;
    const inputHash = dv.getUint32(at, true);
    const count = dv.getUint32(at + 4, true);
    const len = dv.getUint32(at + 8, true);
    at += 12;
    out.push({ key, inputHash, count, payload: raw.subarray(at, at + len) });
    at += len;
  }
  return out;
}

export function gzip(raw: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(raw, { level: 9 }));
}
export function gunzip(packed: Uint8Array): Uint8Array {
  return new Uint8Array(gunzipSync(packed));
}

/** File name for a mnemonic's vectors. */
export function vectorFileName(mnem: string): string {
  return `${mnem.toLowerCase().replace(/[^a-z0-9_]/g, "_")}.bin.gz`;
}

export const VECTOR_DIR = new URL("../vectors/", import.meta.url);
