// Compute benchmark (`deno task bench`): runs bench/compute (built from userland/compute/compute.c
// by `deno task build:compute`; five kernels, each timed inside the program) natively, under
// qemu-x86_64 when it is installed, and under NexaOS, keeps each kernel's best time over N runs and
// prints the times with the slowdown against native. Every platform must produce the same
// checksums; a difference fails the run. The CPU-only benchmark (no kernel, guest MIPS per
// instruction mix) stays `deno task bench:cpu`. The file benchmark (bench/files.ts) follows
// unless --no-files, then the OS benchmark (bench/os.ts) unless --no-os; --scale also scales the
// OS benchmark's time budget per item.
//
// Usage: deno task bench [--runs N] [--scale F] [--kernels a,b] [--markdown]
//                        [--no-qemu] [--no-nexaos] [--no-files] [--no-os]

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { bufferInput, collectOutput, runProgram } from "../kernel/run-program.ts";
import { runFileBenchmark } from "./files.ts";
import { runOsBenchmark } from "./os.ts";

/** One output line of bench/compute: `<name> <ns> <checksum>`. */
export interface KernelTiming {
  name: string;
  ns: number;
  checksum: string;
}

/** One platform's best-of-N result per kernel, in the program's order. */
export interface PlatformResult {
  label: string;
  kernels: KernelTiming[];
}

export interface Options {
  runs: number;
  scale: number;
  kernels: string;
  markdown: boolean;
  qemu: boolean;
  nexaos: boolean;
  files: boolean;
  os: boolean;
}

const BINARY = fileURLToPath(new URL("compute", import.meta.url));
/** The bar for NexaOS against native. */
const BAR = 100;

export function parseComputeOutput(text: string): KernelTiming[] {
  const lines = text.split("\n").filter((line) => line !== "");
  if (lines.length === 0) throw new Error("the program printed nothing");
  return lines.map((line) => {
    const m = line.match(/^([a-z]+) (\d+) ([0-9a-f]{16})$/);
    if (!m) throw new Error(`unexpected output line ${JSON.stringify(line)}`);
    return { name: m[1], ns: Number(m[2]), checksum: m[3] };
  });
}

/** Each kernel's fastest run; the runs must agree on the kernels and their checksums. */
export function bestOf(label: string, runs: KernelTiming[][]): PlatformResult {
  const [first, ...rest] = runs;
  const kernels = first.map((k) => ({ ...k }));
  for (const run of rest) {
    if (run.map((k) => k.name).join() !== first.map((k) => k.name).join()) {
      throw new Error(`${label}: runs printed different kernels`);
    }
    run.forEach((k, i) => {
      if (k.checksum !== kernels[i].checksum) {
        throw new Error(
          `${label}: ${k.name} checksum changed between runs (${
            kernels[i].checksum
          }, ${k.checksum})`,
        );
      }
      kernels[i].ns = Math.min(kernels[i].ns, k.ns);
    });
  }
  return { label, kernels };
}

/** Every difference from the reference platform's kernels and checksums, one line each. */
export function checksumMismatches(reference: PlatformResult, others: PlatformResult[]): string[] {
  const problems: string[] = [];
  for (const other of others) {
    for (const k of reference.kernels) {
      const theirs = other.kernels.find((o) => o.name === k.name);
      if (!theirs) problems.push(`${other.label} did not run ${k.name}`);
      else if (theirs.checksum !== k.checksum) {
        problems.push(
          `${k.name}: checksum ${theirs.checksum} under ${other.label}, ` +
            `${k.checksum} under ${reference.label}`,
        );
      }
    }
  }
  return problems;
}

export function parseOptions(args: string[]): Options {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      runs: { type: "string", default: "3" },
      scale: { type: "string", default: "1" },
      kernels: { type: "string", default: "all" },
      markdown: { type: "boolean", default: false },
      "no-qemu": { type: "boolean", default: false },
      "no-nexaos": { type: "boolean", default: false },
      "no-files": { type: "boolean", default: false },
      "no-os": { type: "boolean", default: false },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
    throw new Error(`--runs must be a whole number from 1 to 100, not ${values.runs}`);
  }
  const scale = Number(values.scale);
  if (!(scale > 0 && scale <= 10000)) {
    throw new Error(`--scale must be a number in (0, 10000], not ${values.scale}`);
  }
  if (!/^[a-z]+(,[a-z]+)*$/.test(values.kernels)) {
    throw new Error(`--kernels takes names separated by commas, not ${values.kernels}`);
  }
  return {
    runs,
    scale,
    kernels: values.kernels,
    markdown: values.markdown,
    qemu: !values["no-qemu"],
    nexaos: !values["no-nexaos"],
    files: !values["no-files"],
    os: !values["no-os"],
  };
}

async function runHost(cmd: string, args: string[]): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n")[0];
    throw new Error(`${cmd} ${args.join(" ")} exited with ${out.code}: ${stderr}`);
  }
  return new TextDecoder().decode(out.stdout);
}

async function hasCommand(cmd: string): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, { args: ["--version"], stdout: "null", stderr: "null" })
      .output()).success;
  } catch {
    return false;
  }
}

interface NexaosRun {
  kernels: KernelTiming[];
  instructions: number;
  syscalls: number;
  wallMs: number;
}

async function runNexaos(image: Uint8Array, args: string[]): Promise<NexaosRun> {
  const out = collectOutput(), err = collectOutput();
  const result = await runProgram({
    image,
    exePath: BINARY,
    argv: [BINARY, ...args],
    env: [],
    stdin: bufferInput(new Uint8Array()),
    stdout: out.sink,
    stderr: err.sink,
  });
  if (result.status !== 0) {
    const stderr = err.text().trim().split("\n")[0];
    throw new Error(`under NexaOS the program ended with status ${result.status}: ${stderr}`);
  }
  return {
    kernels: parseComputeOutput(out.text()),
    instructions: result.instructions,
    syscalls: result.syscalls,
    wallMs: result.wallMs,
  };
}

const ms = (ns: number) => (ns / 1e6).toFixed(ns < 1e8 ? 2 : 1);
const ratio = (x: number) => x.toFixed(x < 100 ? 1 : 0) + "x";

/** The results table: one row per kernel and a total row, as text columns or markdown. */
export function formatTable(
  native: PlatformResult,
  others: PlatformResult[],
  mismatches: string[],
  markdown: boolean,
  firstColumn = "kernel",
): string {
  const header = [firstColumn, "native ms"];
  for (const o of others) header.push(`${o.label} ms`, `${o.label} / native`);
  header.push("checksum");
  const rows: string[][] = [];
  const totals = [0, ...others.map(() => 0)];
  for (const k of native.kernels) {
    const row = [k.name, ms(k.ns)];
    totals[0] += k.ns;
    others.forEach((o, i) => {
      const theirs = o.kernels.find((t) => t.name === k.name);
      if (!theirs) return row.push("-", "-");
      totals[i + 1] += theirs.ns;
      row.push(ms(theirs.ns), ratio(theirs.ns / k.ns));
    });
    const bad = mismatches.some((m) => m.startsWith(`${k.name}:`));
    row.push(`${k.checksum} ${bad ? "MISMATCH" : "agree"}`);
    rows.push(row);
  }
  const total = ["total", ms(totals[0])];
  others.forEach((_, i) => total.push(ms(totals[i + 1]), ratio(totals[i + 1] / totals[0])));
  total.push("");
  rows.push(total);
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    const rule = header.map((_, i) => (i === 0 || i === header.length - 1 ? "---" : "---:"));
    return [line(header), line(rule), ...rows.map(line)].join("\n");
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const pad = (cells: string[]) =>
    cells.map((c, i) =>
      i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i])
    ).join("  ").trimEnd();
  return [pad(header), ...rows.map(pad)].join("\n");
}

async function main(options: Options) {
  const image = await Deno.readFile(BINARY).catch(() => {
    throw new Error("bench/compute is missing: run deno task build:compute");
  });
  const args = [options.kernels, String(options.scale)];
  const progress = (text: string) => console.error(text);
  const notes: string[] = [];

  progress(`native: ${options.runs} run(s) of bench/compute ${args.join(" ")}`);
  const nativeRuns: KernelTiming[][] = [];
  for (let i = 0; i < options.runs; i++) {
    nativeRuns.push(parseComputeOutput(await runHost(BINARY, args)));
  }
  const native = bestOf("native", nativeRuns);
  const others: PlatformResult[] = [];

  if (!options.qemu) notes.push("qemu: skipped (--no-qemu)");
  else if (!(await hasCommand("qemu-x86_64"))) {
    notes.push("qemu: skipped, qemu-x86_64 is not installed (apt-get install qemu-user)");
  } else {
    progress(`qemu-x86_64: ${options.runs} run(s)`);
    const runs: KernelTiming[][] = [];
    for (let i = 0; i < options.runs; i++) {
      runs.push(parseComputeOutput(await runHost("qemu-x86_64", [BINARY, ...args])));
    }
    others.push(bestOf("qemu", runs));
  }

  let nexaosFailure: string | undefined;
  if (!options.nexaos) notes.push("NexaOS: skipped (--no-nexaos)");
  else {
    const runs: NexaosRun[] = [];
    try {
      for (let i = 0; i < options.runs; i++) {
        progress(`NexaOS: run ${i + 1} of ${options.runs}`);
        runs.push(await runNexaos(image, args));
      }
      others.push(bestOf("NexaOS", runs.map((r) => r.kernels)));
      const best = runs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
      const mips = best.instructions / best.wallMs / 1000;
      notes.push(
        `NexaOS fastest whole run: ${best.instructions.toLocaleString("en-US")} guest ` +
          `instructions, ${best.syscalls} syscalls in ${best.wallMs.toFixed(0)} ms = ` +
          `${mips.toFixed(1)} MIPS (runs share this process: later ones see warmed-up V8 code)`,
      );
      const guestNs = best.kernels.reduce((sum, k) => sum + k.ns, 0);
      if (guestNs / 1e6 > best.wallMs * 1.05) {
        notes.push(
          `WARNING: the guest's clock measured ${ms(guestNs)} ms of kernels in a run that took ` +
            `${best.wallMs.toFixed(0)} ms: NexaOS's CLOCK_MONOTONIC runs fast`,
        );
      }
      const nexaos = others[others.length - 1];
      const over = nexaos.kernels.filter((k) => {
        const n = native.kernels.find((t) => t.name === k.name);
        return n !== undefined && k.ns / n.ns > BAR;
      });
      notes.push(
        `bar (within ${BAR}x of native): ${nexaos.kernels.length - over.length}/` +
          `${nexaos.kernels.length} kernels` + (over.length
            ? `; over: ${over.map((k) => k.name).join(", ")}`
            : ""),
      );
    } catch (e) {
      nexaosFailure = `NexaOS: ${e instanceof Error ? e.message : e}`;
    }
  }

  const mismatches = checksumMismatches(native, others);
  // Deno wants --allow-all to read /proc/cpuinfo itself; cat needs only --allow-run.
  const cpuinfo = await runHost("cat", ["/proc/cpuinfo"]).catch(() => "");
  const cpu = cpuinfo.match(/model name\s*:\s*(.*)/)?.[1] ?? "unknown CPU";
  console.log(
    `compute benchmark: bench/compute ${args.join(" ")}, best of ${options.runs} run(s), ` +
      `${cpu}, ${navigator.hardwareConcurrency} cores`,
  );
  if (options.markdown) console.log("");
  console.log(formatTable(native, others, mismatches, options.markdown));
  if (options.markdown) console.log("");
  for (const note of notes) console.log(note);
  console.log("CPU-only benchmark (guest MIPS per instruction mix): deno task bench:cpu");
  if (nexaosFailure) console.error(`FAILED ${nexaosFailure}`);
  for (const m of mismatches) console.error(`CHECKSUM MISMATCH ${m}`);
  if (nexaosFailure || mismatches.length) Deno.exitCode = 1;
  if (options.files && !(await runFileBenchmark(options))) Deno.exitCode = 1;
  if (options.os && !(await runOsBenchmark(options))) Deno.exitCode = 1;
}

if (import.meta.main) {
  try {
    await main(parseOptions(Deno.args));
  } catch (e) {
    console.error(`bench: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
