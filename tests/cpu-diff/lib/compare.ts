// Compares an emulator outcome with the host's: exception (vector, #PF address and error code),
// RIP, every GPR, RFLAGS (minus the form's undefined bits), x87/MXCSR/XMM state from the FXSAVE
// image (minus FOP/FIP/FDP and reserved bytes) and every changed byte of the data region.

import { VECTOR_NAMES } from "../../../core/cpu/exceptions.ts";
import type { FormInfo } from "./forms.ts";
import { DATA_BASE } from "./layout.ts";
import { type CaseInput, type CaseResult, END_SIGNAL, END_TIMEOUT } from "./protocol.ts";
import { readU32 } from "./values.ts";

/** Status flags, DF, AC and ID: the RFLAGS bits user code can observe and change. */
export const RFLAGS_COMPARED = 0x240cd5;

export const GPR_NAMES = [
  "rax",
  "rcx",
  "rdx",
  "rbx",
  "rsp",
  "rbp",
  "rsi",
  "rdi",
  "r8",
  "r9",
  "r10",
  "r11",
  "r12",
  "r13",
  "r14",
  "r15",
];
const FLAG_NAMES: [number, string][] = [
  [0x1, "CF"],
  [0x4, "PF"],
  [0x10, "AF"],
  [0x40, "ZF"],
  [0x80, "SF"],
  [0x400, "DF"],
  [0x800, "OF"],
  [0x40000, "AC"],
  [0x200000, "ID"],
];
const SIGNALS: Record<number, string> = {
  4: "SIGILL",
  5: "SIGTRAP",
  7: "SIGBUS",
  8: "SIGFPE",
  11: "SIGSEGV",
  14: "SIGALRM",
};

export function hex(v: number, digits = 0): string {
  return "0x" + (v >>> 0).toString(16).padStart(digits, "0");
}
function hex64(lo: number, hi: number): string {
  return "0x" + (hi >>> 0).toString(16).padStart(8, "0") + (lo >>> 0).toString(16).padStart(8, "0");
}
/** A signed canonical address as 64-bit hex. */
function hexAddr(a: number): string {
  const hi = Math.floor(a / 4294967296);
  return hex64(a - hi * 4294967296, hi);
}
export function flagNames(v: number): string {
  const on = FLAG_NAMES.filter(([b]) => v & b).map(([, n]) => n);
  return on.length ? on.join("|") : "-";
}
function bytesHex(b: Uint8Array, from: number, to: number): string {
  let s = "";
  for (let k = to - 1; k >= from; k--) s += b[k].toString(16).padStart(2, "0");
  return "0x" + s;
}

export function outcomeName(r: CaseResult): string {
  if (r.internalError) return "internal error";
  if (r.end === END_TIMEOUT) return "timeout";
  if (r.end !== END_SIGNAL) return "completed";
  const sig = SIGNALS[r.signo] ?? `signal ${r.signo}`;
  const vec = VECTOR_NAMES[r.trapno] ?? `vector ${r.trapno}`;
  return r.trapno === 14 ? `${sig}(${vec} at ${hex64(r.addrLo, r.addrHi)})` : `${sig}(${vec})`;
}

/** Options from the form's test hints. */
export interface CompareOptions {
  undef: number;
  ulps: number;
  fswUndef: number;
  lanes: "f32" | "f64" | "";
}

export function compareOptions(info: FormInfo): CompareOptions {
  const spec = info.form.spec;
  const t = spec.test ?? {};
  const lanes = t.lanes === "f32" || t.lanes === "f64"
    ? t.lanes
    : /(ps|ss)$/.test(info.mnem)
    ? "f32"
    : /(pd|sd)$/.test(info.mnem)
    ? "f64"
    : "";
  return {
    undef: spec.undef ?? 0,
    ulps: typeof t.ulps === "number" ? t.ulps : 0,
    fswUndef: typeof t.fswUndef === "number" ? t.fswUndef : 0,
    lanes,
  };
}

/**
 * Distance between two 80-bit values in ulps of their 64-bit significand (Infinity when the
 * signs differ or the exponents are more than one binade apart). Exact: BigInt, off the hot path.
 */
function f80Ulps(a: Uint8Array, b: Uint8Array, at: number): number {
  const seA = a[at + 8] | (a[at + 9] << 8), seB = b[at + 8] | (b[at + 9] << 8);
  if ((seA & 0x8000) !== (seB & 0x8000)) return Infinity;
  const ea = seA & 0x7fff, eb = seB & 0x7fff;
  if (Math.abs(ea - eb) > 1) return Infinity;
  const sig = (x: Uint8Array) => (BigInt(readU32(x, at + 4)) << 32n) | BigInt(readU32(x, at));
  // Neighbouring binades: measure in ulps of the smaller exponent.
  const va = sig(a) << BigInt(ea > eb ? 1 : 0), vb = sig(b) << BigInt(eb > ea ? 1 : 0);
  const d = va > vb ? va - vb : vb - va;
  return d > 1000n ? Infinity : Number(d);
}

function laneUlps(a: Uint8Array, b: Uint8Array, at: number, size: number): number {
  if (size === 4) {
    const x = readU32(a, at), y = readU32(b, at);
    if ((x ^ y) & 0x80000000) return x === y ? 0 : Infinity;
    return Math.abs(x - y);
  }
  const xl = readU32(a, at), xh = readU32(a, at + 4), yl = readU32(b, at), yh = readU32(b, at + 4);
  if ((xh ^ yh) & 0x80000000) return Infinity;
  return Math.abs((xh - yh) * 4294967296 + (xl - yl));
}

/**
 * The differences between expected (host) and actual (emulator) outcomes of `input`, one
 * human-readable string each; empty when they agree.
 */
export function compareResults(
  input: CaseInput,
  expected: CaseResult,
  actual: CaseResult,
  opt: CompareOptions,
): string[] {
  const out: string[] = [];
  if (actual.internalError) {
    out.push(`emulator threw: ${actual.internalError.split("\n").slice(0, 3).join(" / ")}`);
    return out;
  }
  const expFault = expected.end === END_SIGNAL || expected.end === END_TIMEOUT;
  const actFault = actual.end === END_SIGNAL;
  if (expFault !== actFault || (expFault && expected.trapno !== actual.trapno)) {
    out.push(`outcome: expected ${outcomeName(expected)}, got ${outcomeName(actual)}`);
  } else if (expFault) {
    if (expected.signo !== actual.signo) {
      out.push(`signal: expected ${expected.signo}, got ${actual.signo}`);
    }
    if (expected.trapno === 14) {
      if (expected.addrLo !== actual.addrLo || expected.addrHi !== actual.addrHi) {
        out.push(
          `#PF address: expected ${hex64(expected.addrLo, expected.addrHi)}, got ${
            hex64(actual.addrLo, actual.addrHi)
          }`,
        );
      }
      // P depends on what the host maps: only user-half addresses are comparable.
      const errMask = expected.addrHi >= 0x8000 ? 0x1e : 0x1f;
      if ((expected.err & errMask) !== (actual.err & errMask)) {
        out.push(`#PF error code: expected ${hex(expected.err)}, got ${hex(actual.err)}`);
      }
    }
  }
  const trap = expFault &&
    (expected.trapno === 1 || expected.trapno === 3 || expected.trapno === 4);
  if (!trap && expFault === actFault && expected.rip !== actual.rip) {
    out.push(`rip: expected ${hexAddr(expected.rip)}, got ${hexAddr(actual.rip)}`);
  }
  for (let r = 0; r < 16; r++) {
    const el = expected.gpr[2 * r], eh = expected.gpr[2 * r + 1];
    const al = actual.gpr[2 * r], ah = actual.gpr[2 * r + 1];
    if (el !== al || eh !== ah) {
      out.push(
        `${GPR_NAMES[r]}: expected ${hex64(el, eh)}, got ${hex64(al, ah)} (input ${
          hex64(input.gpr[2 * r], input.gpr[2 * r + 1])
        })`,
      );
    }
  }
  const fmask = RFLAGS_COMPARED & ~opt.undef;
  if ((expected.rflags ^ actual.rflags) & fmask) {
    out.push(
      `rflags: expected ${flagNames(expected.rflags & fmask)}, got ${
        flagNames(actual.rflags & fmask)
      } (input ${flagNames(input.rflags)}, differ ${
        flagNames((expected.rflags ^ actual.rflags) & fmask)
      })`,
    );
  }
  compareFx(input.fx, expected.fx, actual.fx, opt, out);
  compareMemory(expected, actual, out);
  return out;
}

function compareFx(
  input: Uint8Array,
  e: Uint8Array,
  a: Uint8Array,
  opt: CompareOptions,
  out: string[],
): void {
  const word = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);
  if (word(e, 0) !== word(a, 0)) {
    out.push(`fcw: expected ${hex(word(e, 0), 4)}, got ${hex(word(a, 0), 4)}`);
  }
  const swMask = 0xffff & ~opt.fswUndef;
  if ((word(e, 2) ^ word(a, 2)) & swMask) {
    out.push(
      `fsw: expected ${hex(word(e, 2), 4)}, got ${hex(word(a, 2), 4)} (input ${
        hex(word(input, 2), 4)
      }, fcw ${hex(word(input, 0), 4)})`,
    );
  }
  if (e[4] !== a[4]) out.push(`ftw: expected ${hex(e[4], 2)}, got ${hex(a[4], 2)}`);
  if (readU32(e, 24) !== readU32(a, 24)) {
    out.push(
      `mxcsr: expected ${hex(readU32(e, 24), 4)}, got ${hex(readU32(a, 24), 4)} (input ${
        hex(readU32(input, 24), 4)
      })`,
    );
  }
  for (let i = 0; i < 8; i++) {
    const at = 32 + 16 * i;
    let same = true;
    for (let k = 0; k < 10; k++) if (e[at + k] !== a[at + k]) same = false;
    if (same || (opt.ulps && f80Ulps(e, a, at) <= opt.ulps)) continue;
    out.push(
      `st${i}: expected ${bytesHex(e, at, at + 10)}, got ${bytesHex(a, at, at + 10)} (input ${
        bytesHex(input, at, at + 10)
      })`,
    );
  }
  for (let x = 0; x < 16; x++) {
    const at = 160 + 16 * x;
    let same = true;
    for (let k = 0; k < 16; k++) if (e[at + k] !== a[at + k]) same = false;
    if (!same && opt.ulps && opt.lanes) {
      const size = opt.lanes === "f32" ? 4 : 8;
      same = true;
      for (let k = 0; k < 16; k += size) if (laneUlps(e, a, at + k, size) > opt.ulps) same = false;
    }
    if (same) continue;
    out.push(
      `xmm${x}: expected ${bytesHex(e, at, at + 16)}, got ${bytesHex(a, at, at + 16)} (input ${
        bytesHex(input, at, at + 16)
      })`,
    );
  }
}

function compareMemory(e: CaseResult, a: CaseResult, out: string[]): void {
  const diffs: string[] = [];
  const expected = new Map<number, number>();
  for (let k = 0; k < e.memOff.length; k++) expected.set(e.memOff[k], e.memVal[k]);
  const actual = new Map<number, number>();
  for (let k = 0; k < a.memOff.length; k++) actual.set(a.memOff[k], a.memVal[k]);
  const offsets = [...new Set([...expected.keys(), ...actual.keys()])].sort((x, y) => x - y);
  for (const off of offsets) {
    const ev = expected.get(off), av = actual.get(off);
    if (ev === av) continue;
    diffs.push(
      `${hex(DATA_BASE + off)}: ${ev === undefined ? "unchanged" : hex(ev, 2)} vs ${
        av === undefined ? "unchanged" : hex(av, 2)
      }`,
    );
  }
  if (diffs.length) {
    const shown = diffs.slice(0, 8).join(", ") +
      (diffs.length > 8 ? `, ... (${diffs.length})` : "");
    out.push(`memory (expected vs got): ${shown}`);
  }
}
