// Test helper: runs single x87/SSE-state instructions natively through tests/cpu/x87_oracle.c
// and in the emulator from the same starting state (an FNSAVE-format image, a memory operand at
// [rsi], RAX, RFLAGS, MXCSR), so tests can compare the two. Host runs need gcc; hostAvailable()
// says whether it is there.

import { TestMachine } from "../lib/machine.ts";
import { EXIT_EXCEPTION } from "../../core/cpu/cpu.ts";
import { getFlags, setFlags } from "../../core/cpu/flags.ts";
import { VEC_GP, VEC_MF, VEC_PF, VEC_UD, VEC_XM } from "../../core/cpu/exceptions.ts";
import { loadSaveImage, storeSaveImage } from "../../core/fpu/x87-state.ts";
import { storeFxsave } from "../../core/cpu/ops/sse-state.ts";
import { compileOracle, hex, unhex } from "./native_oracle.ts";

export interface X87Case {
  code: number[];
  /** FRSTOR-format (32-bit protected mode, 108 bytes) starting state. */
  image: Uint8Array;
  /** Bytes placed at RSI = data area + offset (a two-page area followed by an unmapped page). */
  mem?: Uint8Array;
  offset?: number;
  rax?: bigint;
  rflags?: number;
  mxcsr?: number;
  /** XMM0..XMM15 (256 bytes); zero when absent. */
  xmm?: Uint8Array;
}

export interface X87Outcome {
  /** FNSAVE image after the instruction (null when it faulted). */
  image: Uint8Array | null;
  /** FXSAVE image at the fault (host: the one the kernel saved; emulator: FXSAVE's). */
  faultImage: Uint8Array | null;
  mem: Uint8Array;
  rax: bigint;
  rflags: number;
  mxcsr: number;
  /** 0, or the signal the fault maps to (SIGFPE 8, SIGSEGV 11, SIGILL 4). */
  signal: number;
  /** For SIGSEGV: the faulting address relative to RSI (the #PF CR2), else null. */
  faultOffset: number | null;
  xmm: Uint8Array;
}

/** The compiled x87_oracle.c; null when there is no C compiler. */
export function oraclePath(): string | null {
  return compileOracle(new URL("./x87_oracle.c", import.meta.url));
}

export function hostAvailable(): boolean {
  return Deno.build.os === "linux" && Deno.build.arch === "x86_64" && oraclePath() !== null;
}

/** Run cases natively (one oracle process for the whole batch). */
export async function runHost(cases: X87Case[]): Promise<X87Outcome[]> {
  const path = oraclePath();
  if (!path) throw new Error("no host oracle");
  const input = cases.map((c) =>
    [
      hex(c.code),
      hex(c.image),
      c.mem && c.mem.length ? hex(c.mem) : "-",
      String(c.offset ?? 0),
      (c.rax ?? 0n).toString(16),
      (c.rflags ?? 0x202).toString(16),
      (c.mxcsr ?? 0x1f80).toString(16),
      hex(c.xmm ?? new Uint8Array(256)),
    ].join(" ")
  ).join("\n") + "\n";
  const child = new Deno.Command(path, { stdin: "piped", stdout: "piped" }).spawn();
  const output = child.output(); // read concurrently: the pipes are small
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(input));
  await writer.close();
  const { stdout, code } = await output;
  const results = parseOutput(new TextDecoder().decode(stdout));
  if (code !== 0 || results.length !== cases.length) {
    throw new Error(`oracle failed (exit ${code}) after ${results.length} of ${cases.length}`);
  }
  return results;
}

function parseOutput(out: string): X87Outcome[] {
  return out.trim().split("\n").map((line) => {
    const parts = line.split(" ");
    const [img, mem, rax, rflags, mxcsr, sig] = parts;
    const faultOffset = parts[6].startsWith("@") ? Number(parts[6].slice(1)) : null;
    const xmm = parts[faultOffset === null ? 6 : 7];
    const fault = img.startsWith("F");
    return {
      image: fault ? null : unhex(img),
      faultImage: fault ? unhex(img.slice(1)) : null,
      mem: mem === "-" ? new Uint8Array() : unhex(mem),
      rax: BigInt("0x" + rax),
      rflags: parseInt(rflags, 16),
      mxcsr: parseInt(mxcsr, 16),
      signal: Number(sig),
      faultOffset,
      xmm: unhex(xmm),
    };
  });
}

const CODE = 0x400000;
const DATA = 0x600000;
let machine: TestMachine | null = null;

/** Run one case in the emulator. */
export function runEmu(c: X87Case): X87Outcome {
  if (!machine) {
    machine = new TestMachine();
    machine.map(CODE, 0x1000);
    machine.map(DATA, 0x2000); // the page after it stays unmapped, as on the host side
  }
  const m = machine;
  const cpu = m.cpu;
  m.writeVirt(CODE, [...c.code, 0x90]);
  cpu.icache.invalidatePage(m.phys(CODE) >>> 12);
  const mem = c.mem ?? new Uint8Array();
  const rsi = DATA + (c.offset ?? 0);
  m.writeVirt(DATA, new Uint8Array(0x2000));
  if (mem.length) m.writeVirt(rsi, mem.subarray(0, DATA + 0x2000 - rsi));
  loadSaveImage(cpu.fpu, c.image);
  cpu.mxcsr = c.mxcsr ?? 0x1f80;
  cpu.xmm8.set(c.xmm ?? new Uint8Array(256));
  cpu.r.fill(0);
  const rax = c.rax ?? 0n;
  cpu.setReg64(0, Number(rax & 0xffffffffn), Number(rax >> 32n));
  cpu.setRegFromNumber(6, rsi);
  setFlags(cpu, c.rflags ?? 0x202);
  cpu.rip = CODE;
  const exit = cpu.step();
  let signal = 0;
  let faultOffset: number | null = null;
  if (exit === EXIT_EXCEPTION) {
    const e = cpu.exitException!;
    const v = e.vector;
    signal = v === VEC_MF || v === VEC_XM ? 8 : v === VEC_UD ? 4 : v === VEC_GP ? 11 : 99;
    if (v === VEC_PF) {
      signal = 11;
      faultOffset = e.address - rsi;
    }
  } else if (exit !== 0) throw new Error(`emulator exit ${exit}: ${cpu.exitError}`);
  let faultImage: Uint8Array | null = null;
  if (signal) storeFxsave(cpu, faultImage = new Uint8Array(512), false);
  return {
    image: signal ? null : storeSaveImage(cpu.fpu),
    faultImage,
    mem: mem.length ? m.readVirt(rsi, Math.min(mem.length, DATA + 0x2000 - rsi)) : new Uint8Array(),
    rax: (BigInt(cpu.r[1]) << 32n) | BigInt(cpu.r[0]),
    rflags: getFlags(cpu),
    mxcsr: cpu.mxcsr,
    signal,
    faultOffset,
    xmm: cpu.xmm8.slice(),
  };
}
