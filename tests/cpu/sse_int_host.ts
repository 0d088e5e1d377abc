// Test helper for the SSE/MMX families: runs single instructions natively through
// tests/cpu/sse_int_oracle.c and in the emulator from the same state (GPRs, status flags, an FXSAVE
// image holding x87/MMX, XMM and MXCSR, and a data window at DATA_BASE), and compares the
// results. Also a tiny encoder for ModRM forms and a seeded generator of edge-heavy inputs.

import { TestMachine } from "../lib/machine.ts";
import { EXIT_EXCEPTION, RSP } from "../../core/cpu/cpu.ts";
import { getFlags, setFlags } from "../../core/cpu/flags.ts";
import {
  VEC_AC,
  VEC_DE,
  VEC_GP,
  VEC_MF,
  VEC_PF,
  VEC_SS,
  VEC_UD,
  VEC_XM,
} from "../../core/cpu/exceptions.ts";
import { compileOracle, hex, unhex } from "./native_oracle.ts";

export const DATA_BASE = 0x10000000;
export const CODE_BASE = 0x20000000;
const STACK_TOP = 0x30000000;
/** Status flags plus DF: what the comparison looks at. */
const FLAG_MASK = 0x8d5 | 0x400;

export interface Case {
  code: number[];
  rflags: number;
  gpr: bigint[];
  /** FXSAVE image (512 bytes): FCW, FSW (TOP), abridged FTW, ST0-7, MXCSR, XMM0-15. */
  fx: Uint8Array;
  /** Offset of `data` inside the two-page window at DATA_BASE. */
  dataOffset: number;
  data: Uint8Array;
}

export interface Outcome {
  /** 0, or the signal the instruction raised (SIGILL 4, SIGBUS 7, SIGFPE 8, SIGSEGV 11). */
  signal: number;
  rflags: number;
  gpr: bigint[];
  fx: Uint8Array;
  data: Uint8Array;
}

/** The compiled sse_int_oracle.c; null when no C compiler is available. */
export function oraclePath(): string | null {
  return compileOracle(new URL("./sse_int_oracle.c", import.meta.url));
}

/** Run every case natively (one oracle process for the batch). */
export function runHost(cases: Case[]): Outcome[] {
  const path = oraclePath();
  if (!path) throw new Error("no host oracle (gcc missing)");
  const input = cases.map((c) =>
    [
      hex(c.code),
      c.rflags.toString(16),
      ...c.gpr.map((g) => BigInt.asUintN(64, g).toString(16)),
      hex(c.fx),
      c.dataOffset.toString(16),
      c.data.length ? hex(c.data) : "-",
    ].join(" ")
  ).join("\n") + "\n";
  const inFile = Deno.makeTempFileSync({ prefix: "sse-in" });
  Deno.writeTextFileSync(inFile, input);
  const r = new Deno.Command("sh", {
    args: ["-c", `"${path}" < "${inFile}"`],
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  Deno.removeSync(inFile);
  if (!r.success) throw new Error(new TextDecoder().decode(r.stderr));
  const lines = new TextDecoder().decode(r.stdout).trim().split("\n");
  return lines.map((line) => {
    const f = line.split(" ");
    return {
      signal: Number(f[0]),
      rflags: parseInt(f[1], 16) & FLAG_MASK,
      gpr: f.slice(2, 18).map((g) => BigInt("0x" + g)),
      fx: normalizeFx(unhex(f[18])),
      data: f[19] === "-" ? new Uint8Array(0) : unhex(f[19]),
    };
  });
}

/** Keep the compared FXSAVE fields: FCW, FSW, FTW, ST0-7 (10 bytes each), MXCSR, XMM0-15. */
function normalizeFx(fx: Uint8Array): Uint8Array {
  const out = new Uint8Array(512);
  out.set(fx.subarray(0, 5), 0);
  out.set(fx.subarray(24, 28), 24);
  for (let i = 0; i < 8; i++) out.set(fx.subarray(32 + 16 * i, 42 + 16 * i), 32 + 16 * i);
  out.set(fx.subarray(160, 416), 160);
  return out;
}

let shared: TestMachine | undefined;
let dataPages: number[] = [];
function machine(): TestMachine {
  if (shared) return shared;
  const m = new TestMachine();
  m.map(DATA_BASE, 8192);
  m.map(CODE_BASE, 4096);
  m.map(STACK_TOP - 4096, 4096);
  dataPages = [m.phys(DATA_BASE), m.phys(DATA_BASE + 4096)];
  return shared = m;
}
/** Physical address of byte `offset` of the data window. */
function dataPhys(offset: number): number {
  return dataPages[offset >> 12] + (offset & 4095);
}

const SIGNALS: Record<number, number> = {
  [VEC_UD]: 4,
  [VEC_AC]: 7,
  [VEC_DE]: 8,
  [VEC_MF]: 8,
  [VEC_XM]: 8,
  [VEC_GP]: 11,
  [VEC_SS]: 11,
  [VEC_PF]: 11,
};

/** Run one case in the emulator. */
export function runEmu(c: Case): Outcome {
  const m = machine();
  const cpu = m.cpu;
  const u8 = m.mem.u8;
  u8.fill(0, dataPages[0], dataPages[0] + 4096);
  u8.fill(0, dataPages[1], dataPages[1] + 4096);
  for (let k = 0; k < c.data.length; k++) u8[dataPhys(c.dataOffset + k)] = c.data[k];
  m.writeVirt(CODE_BASE, c.code);
  for (let r = 0; r < 16; r++) cpu.r64[r] = BigInt.asUintN(64, c.gpr[r]);
  cpu.setRegFromNumber(RSP, STACK_TOP - 64);
  setFlags(cpu, (c.rflags & FLAG_MASK) | 0x202);
  loadFx(m, c.fx);
  cpu.rip = CODE_BASE;
  const exit = cpu.step();
  let signal = 0;
  if (exit === EXIT_EXCEPTION) signal = SIGNALS[cpu.exitException!.vector] ?? 99;
  else if (exit !== 0) throw cpu.exitError ?? new Error(`exit ${exit}`);
  const gpr = Array.from(cpu.r64);
  gpr[RSP] = c.gpr[RSP];
  return {
    signal,
    rflags: getFlags(cpu) & FLAG_MASK,
    gpr,
    fx: storeFx(m),
    data: c.data.map((_, k) => u8[dataPhys(c.dataOffset + k)]),
  };
}

function loadFx(m: TestMachine, fx: Uint8Array): void {
  const cpu = m.cpu, f = cpu.fpu;
  const dv = new DataView(fx.buffer, fx.byteOffset);
  f.setControlWord(dv.getUint16(0, true));
  f.setStatusWord(dv.getUint16(2, true));
  f.tags = fx[4];
  for (let i = 0; i < 8; i++) f.setRegBytes((f.top + i) & 7, fx, 32 + 16 * i);
  cpu.mxcsr = dv.getUint32(24, true);
  cpu.xmm8.set(fx.subarray(160, 416));
}

function storeFx(m: TestMachine): Uint8Array {
  const cpu = m.cpu, f = cpu.fpu;
  const out = new Uint8Array(512);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, f.cw, true);
  dv.setUint16(2, f.statusWord, true);
  out[4] = f.tags;
  for (let i = 0; i < 8; i++) out.set(f.regBytes((f.top + i) & 7), 32 + 16 * i);
  dv.setUint32(24, cpu.mxcsr, true);
  out.set(cpu.xmm8, 160);
  return out;
}

/** Differences between two outcomes as readable strings (empty when they agree). */
export function diff(host: Outcome, emu: Outcome): string[] {
  const out: string[] = [];
  if (host.signal !== emu.signal) out.push(`signal host ${host.signal} emu ${emu.signal}`);
  if (host.signal) return out;
  if (host.rflags !== emu.rflags) {
    out.push(`rflags host ${host.rflags.toString(16)} emu ${emu.rflags.toString(16)}`);
  }
  for (let r = 0; r < 16; r++) {
    if (host.gpr[r] !== emu.gpr[r]) {
      out.push(`r${r} host ${host.gpr[r].toString(16)} emu ${emu.gpr[r].toString(16)}`);
    }
  }
  const field = (name: string, a: number, n: number) => {
    const h = hex(host.fx.subarray(a, a + n)), e = hex(emu.fx.subarray(a, a + n));
    if (h !== e) out.push(`${name} host ${h} emu ${e}`);
  };
  field("fcw", 0, 2);
  field("fsw", 2, 2);
  field("ftw", 4, 1);
  field("mxcsr", 24, 4);
  for (let i = 0; i < 8; i++) field(`st${i}`, 32 + 16 * i, 10);
  for (let n = 0; n < 16; n++) field(`xmm${n}`, 160 + 16 * n, 16);
  if (hex(host.data) !== hex(emu.data)) {
    out.push(`data host ${hex(host.data)} emu ${hex(emu.data)}`);
  }
  return out;
}

/** Run cases on both sides; returns a description of each mismatch (at most `limit`). */
export function compareAll(cases: Case[], limit = 10): string[] {
  const host = runHost(cases);
  const problems: string[] = [];
  for (let k = 0; k < cases.length && problems.length < limit; k++) {
    const d = diff(host[k], runEmu(cases[k]));
    if (d.length) problems.push(`${hex(cases[k].code)}: ${d.join("; ")}`);
  }
  return problems;
}

// ---- inputs ------------------------------------------------------------------------------

/** Seeded xorshift32 generator. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return this.s = x >>> 0;
  }
  below(n: number): number {
    return this.u32() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)];
  }
  /** Bytes with many edge values: 0, 1, 7F, 80, FF, repeated bytes and runs of zeros. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    const style = this.below(6);
    for (let k = 0; k < n; k++) {
      if (style === 0) out[k] = this.u32();
      else if (style === 1) out[k] = this.pick([0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81]);
      else if (style === 2) out[k] = this.below(4) === 0 ? 0 : this.u32();
      else if (style === 3) out[k] = this.pick([0x61, 0x62, 0x63, 0x41, 0x00]);
      else if (style === 4) out[k] = k & 1 ? this.pick([0, 0xff, 0x80, 0x7f]) : this.u32();
      else out[k] = this.below(8) === 0 ? this.u32() : k > 0 ? out[k - 1] : this.u32();
    }
    return out;
  }
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }
}

/** A random FXSAVE image: x87 registers and TOP/tags random (no pending exception). */
export function randomFx(rng: Rng): Uint8Array {
  const fx = new Uint8Array(512);
  const dv = new DataView(fx.buffer);
  dv.setUint16(0, 0x037f, true);
  dv.setUint16(2, rng.below(8) << 11, true);
  fx[4] = rng.u32() & 0xff;
  for (let i = 0; i < 8; i++) fx.set(rng.bytes(10), 32 + 16 * i);
  dv.setUint32(24, 0x1f80, true);
  for (let n = 0; n < 16; n++) fx.set(rng.bytes(16), 160 + 16 * n);
  return fx;
}

/** A random register file; RSI and RDI point into the data window. */
export function randomGprs(rng: Rng): bigint[] {
  const g: bigint[] = [];
  for (let r = 0; r < 16; r++) {
    const style = rng.below(4);
    g.push(
      style === 0 ? BigInt(rng.u32()) : style === 1 ? BigInt(rng.below(40)) : rng.u64(),
    );
  }
  return g;
}

// ---- encoding ----------------------------------------------------------------------------

export interface Operands {
  /** ModRM.reg (0-15; bit 3 goes to REX.R). */
  reg: number;
  /** Register in ModRM.rm (0-15), or -1 for the memory operand [rsi]. */
  rm: number;
  /** REX.W. */
  w?: boolean;
  /** Force a REX prefix even when no bit is needed. */
  rex?: boolean;
}

/**
 * Encode: legacy prefixes, optional REX, the opcode bytes (including 0F/38/3A), ModRM for
 * reg/rm (memory = [rsi]), then immediate bytes.
 */
export function encode(prefixes: number[], opcode: number[], ops: Operands, imm: number[] = []) {
  let rex = 0;
  if (ops.w) rex |= 8;
  if (ops.reg & 8) rex |= 4;
  if (ops.rm >= 8) rex |= 1;
  const modrm = ops.rm < 0
    ? 0x06 | ((ops.reg & 7) << 3)
    : 0xc0 | ((ops.reg & 7) << 3) | (ops.rm & 7);
  return [...prefixes, ...(rex || ops.rex ? [0x40 | rex] : []), ...opcode, modrm, ...imm];
}

// ---- cases from table rows ---------------------------------------------------------------

const PREFIX_BYTES: Record<string, number[]> = { NP: [], "66": [0x66], F2: [0xf2], F3: [0xf3] };

/** Shape of one FormSpec row: what it takes to encode it. */
interface Shape {
  prefix: number[];
  opcode: number[];
  ext: number;
  imm: number;
  memOnly: boolean;
  regOnly: boolean;
  /** ModRM.reg / ModRM.rm name a general register (so RSP must be avoided there). */
  gprReg: boolean;
  gprRm: boolean;
  aligned: boolean;
}

export interface RowLike {
  op: string;
  mnem: string;
  args: string;
  attrs?: string;
  test?: { mem?: string; skip?: string };
}

function shapeOf(row: RowLike): Shape {
  const t = row.op.split(/\s+/);
  let k = 0;
  const prefix = PREFIX_BYTES[t[0]] ?? [];
  if (t[0] in PREFIX_BYTES) k++;
  const opcode: number[] = [];
  let ext = -1;
  for (; k < t.length; k++) {
    if (t[k] === "/r") continue;
    if (t[k].startsWith("/")) ext = Number(t[k][1]);
    else opcode.push(parseInt(t[k], 16));
  }
  const args = row.args.split(",");
  const attrs = row.attrs ?? "";
  return {
    prefix,
    opcode,
    ext,
    imm: args.filter((a) => a === "Ib").length,
    memOnly: /\bmem\b/.test(attrs),
    regOnly: /\breg\b/.test(attrs),
    gprReg: args.some((a) => /^G/.test(a)),
    gprRm: args.some((a) => /^(E|R|M[dqy]?\/|Ry)/.test(a) || /^R/.test(a)),
    aligned: row.test?.mem === "aligned16",
  };
}

/** `n` random cases for one table row (register and memory forms, random immediates). */
export function casesFor(row: RowLike, rng: Rng, n: number, extraPrefixes: number[][] = [[]]) {
  const s = shapeOf(row);
  const cases: Case[] = [];
  for (let c = 0; c < n; c++) {
    const mem = s.memOnly || (!s.regOnly && rng.below(2) === 0);
    let reg = s.ext >= 0 ? s.ext | (rng.below(2) << 3) : rng.below(16);
    if (s.gprReg && reg === 4) reg = 12;
    let rm = mem ? -1 : rng.below(16);
    if (s.gprRm && rm === 4) rm = 12;
    const imm = s.imm
      ? [
        rng.below(3) === 0
          ? rng.pick([0, 1, 7, 8, 15, 16, 31, 32, 63, 64, 0xff])
          : rng.u32() & 0xff,
      ]
      : [];
    const prefixes = [...rng.pick(extraPrefixes), ...s.prefix];
    const code = encode(prefixes, s.opcode, { reg, rm, w: rng.below(2) === 0 }, imm);
    let offset = rng.below(8192 - 32);
    if (s.aligned && rng.below(8) !== 0) offset &= ~15;
    if (rng.below(8) === 0) offset = 4096 - 1 - rng.below(16);
    const windowStart = Math.max(0, Math.min(offset - 16, 8192 - 64));
    const gpr = randomGprs(rng);
    gpr[6] = BigInt(DATA_BASE + offset);
    gpr[7] = BigInt(DATA_BASE + windowStart + rng.below(48));
    if (rng.below(4) === 0) gpr[0] = BigInt(rng.below(20)) - 3n;
    if (rng.below(4) === 0) gpr[2] = BigInt(rng.below(20)) - 3n;
    cases.push({
      code,
      rflags: rng.u32() & 0xcd5,
      gpr,
      fx: randomFx(rng),
      dataOffset: windowStart,
      data: rng.bytes(64),
    });
  }
  return cases;
}

/** Mismatches against the host over `perRow` random cases of each row (two shown per row). */
export function compareRows(rows: RowLike[], rng: Rng, perRow = 40): string[] {
  const problems: string[] = [];
  for (const row of rows) {
    for (const p of compareAll(casesFor(row, rng, perRow), 2)) {
      problems.push(`${row.mnem} ${row.op}: ${p}`);
    }
  }
  return problems;
}

// ---- hand-written cases ------------------------------------------------------------------

/** A readable starting state; 128/64-bit values are written most significant digit first. */
export interface Setup {
  code: number[];
  xmm?: Record<number, string>;
  mm?: Record<number, string>;
  gpr?: Record<number, bigint>;
  /** Bytes at DATA_BASE + dataOffset (RSI points there); RDI = DATA_BASE + 0x1000. */
  data?: number[];
  dataOffset?: number;
  rflags?: number;
  /** x87 status word (TOP in bits 11-13) and abridged tag byte. */
  fsw?: number;
  ftw?: number;
}

function valueBytes(v: string, n: number): Uint8Array {
  const digits = v.replace(/[_ ]/g, "").padStart(2 * n, "0");
  const out = new Uint8Array(n);
  for (let k = 0; k < n; k++) out[n - 1 - k] = parseInt(digits.slice(2 * k, 2 * k + 2), 16);
  return out;
}
function valueHex(b: Uint8Array): string {
  return Array.from(b).reverse().map((x) => x.toString(16).padStart(2, "0")).join("");
}

export function makeCase(s: Setup): Case {
  const fx = new Uint8Array(512);
  const dv = new DataView(fx.buffer);
  dv.setUint16(0, 0x037f, true);
  dv.setUint16(2, s.fsw ?? 0, true);
  fx[4] = s.ftw ?? 0;
  dv.setUint32(24, 0x1f80, true);
  for (const [n, v] of Object.entries(s.xmm ?? {})) fx.set(valueBytes(v, 16), 160 + 16 * +n);
  // MMn is physical register n; FXSAVE lists ST(i) = physical (TOP + i) & 7.
  const top = ((s.fsw ?? 0) >> 11) & 7;
  for (const [n, v] of Object.entries(s.mm ?? {})) {
    fx.set(valueBytes(v, 8), 32 + 16 * ((+n - top) & 7));
  }
  const gpr: bigint[] = new Array(16).fill(0n);
  const dataOffset = s.dataOffset ?? 0x100;
  gpr[6] = BigInt(DATA_BASE + dataOffset);
  gpr[7] = BigInt(DATA_BASE + 0x1000);
  for (const [n, v] of Object.entries(s.gpr ?? {})) gpr[+n] = v;
  return {
    code: s.code,
    rflags: s.rflags ?? 0,
    gpr,
    fx,
    dataOffset,
    data: Uint8Array.from(s.data ?? new Array(32).fill(0)),
  };
}

/** XMM register n after the run, most significant digit first. */
export function xmmOf(o: Outcome, n: number): string {
  return valueHex(o.fx.subarray(160 + 16 * n, 176 + 16 * n));
}
/** MMX register n (physical register n: the run leaves TOP = 0 after any MMX instruction). */
export function mmOf(o: Outcome, n: number): string {
  return valueHex(o.fx.subarray(32 + 16 * n, 40 + 16 * n));
}
/** The sign/exponent word of ST(n). */
export function exponentOf(o: Outcome, n: number): number {
  return o.fx[40 + 16 * n] | (o.fx[41 + 16 * n] << 8);
}
export function fswOf(o: Outcome): number {
  return o.fx[2] | (o.fx[3] << 8);
}
export function ftwOf(o: Outcome): number {
  return o.fx[4];
}
