// CPU benchmark (`deno task bench:cpu`): runs the guest kernels of bench/guest.bin (built from
// userland/bench by `deno task build:bench`) through the interpreter and prints guest MIPS per
// kernel and overall, next to the native time recorded at build time. A kernel that hits an
// instruction the CPU lacks is reported (#UD at RIP, bytes, function) instead of crashing.
//
// Usage: deno task bench:cpu [kernel...] [--scale=F] [--no-warmup] [--json]

import { TestMachine } from "../tests/lib/machine.ts";
import {
  EXIT_BUDGET,
  EXIT_EXCEPTION,
  EXIT_INTERNAL,
  EXIT_SYSCALL,
  RAX,
  RDI,
  RSI,
  RSP,
} from "../core/cpu/cpu.ts";
import { VECTOR_NAMES } from "../core/cpu/exceptions.ts";

interface Kernel {
  name: string;
  index: number;
  iterations: number;
  mix: string;
  checksum: string;
}
interface Manifest {
  compiler: string;
  base: number;
  entry: number;
  imageEnd: number;
  memEnd: number;
  kernels: Kernel[];
  functions: [number, string][];
}
interface Result {
  name: string;
  ok: boolean;
  instructions: number;
  ms: number;
  mips: number;
  nativeMs?: number;
  problem?: string;
}

const STACK_TOP = 0x7fff_f000_0000;
const STACK_SIZE = 256 * 1024;
/** Give up on a kernel after this many guest instructions (a hang in the emulator). */
const INSTRUCTION_LIMIT = 2_000_000_000;

const here = (name: string) => new URL(name, import.meta.url);
const manifest: Manifest = JSON.parse(await Deno.readTextFile(here("guest.json")));
const image = await Deno.readFile(here("guest.bin"));
const nativeMs = new Map<string, number>();
try {
  const native = JSON.parse(await Deno.readTextFile(here("native.json")));
  for (const k of native.kernels) nativeMs.set(k.name, k.ns / 1e6);
} catch {
  // No native reference recorded: the column stays empty.
}

const hex = (n: number) => (n < 0 ? "-0x" + (-n).toString(16) : "0x" + n.toString(16));

function symbolize(addr: number): string {
  let best: [number, string] | undefined;
  for (const f of manifest.functions) if (f[0] <= addr && (!best || f[0] > best[0])) best = f;
  return best ? `${best[1]}+${hex(addr - best[0])}` : "?";
}

function newMachine(): TestMachine {
  const m = new TestMachine(64 * 1024 * 1024);
  const span = manifest.memEnd - manifest.base;
  m.map(manifest.base, Math.ceil(span / 4096) * 4096);
  m.map(STACK_TOP - STACK_SIZE, STACK_SIZE);
  return m;
}

/** Describe why a kernel stopped with something other than its final syscall. */
function describeExit(m: TestMachine, exit: number): string {
  const cpu = m.cpu;
  if (exit === EXIT_EXCEPTION) {
    const e = cpu.exitException!;
    let bytes = "";
    try {
      bytes = [...m.readVirt(cpu.rip, 15)].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    } catch {
      bytes = "(unmapped)";
    }
    const name = VECTOR_NAMES[e.vector] ?? `vector ${e.vector}`;
    const extra = e.vector === 14 ? ` cr2=${hex(e.address)} error=${hex(e.errorCode)}` : "";
    return `${name} at RIP ${hex(cpu.rip)} (${symbolize(cpu.rip)})${extra}, bytes ${bytes}`;
  }
  if (exit === EXIT_INTERNAL) {
    const err = cpu.exitError;
    const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
    return `internal error at RIP ${hex(cpu.rip)} (${symbolize(cpu.rip)}): ${text}`;
  }
  return `exit reason ${exit} at RIP ${hex(cpu.rip)}`;
}

function runKernel(m: TestMachine, k: Kernel, iterations: number): Result {
  const cpu = m.cpu;
  m.mem.writeBytes(m.phys(manifest.base), image);
  cpu.r.fill(0);
  cpu.setRegFromNumber(RDI, k.index);
  cpu.setRegFromNumber(RSI, iterations);
  cpu.setRegFromNumber(RSP, STACK_TOP);
  cpu.rip = manifest.entry;
  cpu.flagsBase = 0x202;
  cpu.resetLazyFlags();
  const before = cpu.instructions;
  let exit = EXIT_BUDGET;
  const t0 = performance.now();
  while (exit === EXIT_BUDGET && cpu.instructions - before < INSTRUCTION_LIMIT) {
    exit = cpu.run(1_000_000);
  }
  const ms = performance.now() - t0;
  const instructions = cpu.instructions - before;
  const result: Result = {
    name: k.name,
    ok: false,
    instructions,
    ms,
    mips: instructions / ms / 1000,
  };
  if (exit === EXIT_SYSCALL) {
    const checksum = cpu.r[RAX * 2 + 1].toString(16).padStart(8, "0") +
      cpu.r[RAX * 2].toString(16).padStart(8, "0");
    if (checksum === k.checksum) result.ok = true;
    else result.problem = `wrong checksum ${checksum}, native ${k.checksum}`;
  } else if (exit === EXIT_BUDGET) {
    result.problem = `no exit after ${instructions} instructions (RIP ${symbolize(cpu.rip)})`;
  } else result.problem = describeExit(m, exit);
  return result;
}

function parseArgs() {
  const names: string[] = [];
  let scale = 1, warmup = true, json = false;
  for (const a of Deno.args) {
    if (a.startsWith("--scale=")) scale = Number(a.slice(8));
    else if (a === "--no-warmup") warmup = false;
    else if (a === "--json") json = true;
    else names.push(a);
  }
  const kernels = names.length
    ? names.map((n) => {
      const k = manifest.kernels.find((k) => k.name === n);
      if (!k) throw new Error(`unknown kernel ${n}; have ${manifest.kernels.map((k) => k.name)}`);
      return k;
    })
    : manifest.kernels;
  return { kernels, scale, warmup, json };
}

function main() {
  const { kernels, scale, warmup, json } = parseArgs();
  const m = newMachine();
  if (warmup) {
    for (const k of kernels) runKernel(m, k, Math.max(1, Math.round(k.iterations / 10)));
  }
  const results: Result[] = [];
  for (const k of kernels) {
    const iterations = Math.max(1, Math.round(k.iterations * scale));
    const r = runKernel(m, k, iterations);
    const native = nativeMs.get(k.name);
    if (native !== undefined && scale === 1) r.nativeMs = native;
    results.push(r);
  }
  const ok = results.filter((r) => r.ok);
  const totalInsns = ok.reduce((s, r) => s + r.instructions, 0);
  const totalMs = ok.reduce((s, r) => s + r.ms, 0);
  const mips = totalMs > 0 ? totalInsns / totalMs / 1000 : 0;
  if (json) {
    console.log(JSON.stringify({ mips, instructions: totalInsns, ms: totalMs, results }, null, 2));
  } else {
    console.log(`NexaOS CPU benchmark: interpreter, guest bench/guest.bin (${manifest.compiler})`);
    console.log(
      "kernel   " + "instructions".padStart(14) + "time ms".padStart(10) + "MIPS".padStart(8) +
        "native ms".padStart(11) + "slowdown".padStart(10) + "  mix",
    );
    for (const r of results) {
      const k = manifest.kernels.find((k) => k.name === r.name)!;
      const native = r.nativeMs === undefined ? "" : r.nativeMs.toFixed(3);
      const slow = r.nativeMs === undefined || !r.ok ? "" : (r.ms / r.nativeMs).toFixed(0) + "x";
      console.log(
        r.name.padEnd(9) + r.instructions.toLocaleString("en-US").padStart(14) +
          r.ms.toFixed(1).padStart(10) + r.mips.toFixed(2).padStart(8) + native.padStart(11) +
          slow.padStart(10) + "  " + (r.ok ? k.mix : `FAILED: ${r.problem}`),
      );
    }
    console.log(
      `total    ${totalInsns.toLocaleString("en-US").padStart(14)}${
        totalMs.toFixed(1).padStart(10)
      }` +
        `  (${ok.length}/${results.length} kernels ran to completion)`,
    );
    console.log(`${mips.toFixed(2)} MIPS`);
  }
  if (ok.length !== results.length) Deno.exitCode = 1;
}

main();
