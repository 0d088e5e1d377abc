// OS benchmark, the third part of `deno task bench`: runs bench/os-bench (built from
// userland/os/os-bench.c by `deno task build:compute`; null syscall, pipe round trip, fork, exec,
// pipe bandwidth, thread create+join and the most processes alive at once, each timed inside the
// program) natively, natively pinned to one CPU (taskset; NexaOS runs every guest task on one host
// thread), under qemu-x86_64 and under NexaOS, one program run per item so that an item that
// fails or hangs costs only itself. Keeps each item's best of N runs, prints the values with
// their ratio to native and judges NexaOS against the issue's bars and the seeds' floor as
// PASS/FAIL text.
//
// Usage: deno run --allow-read --allow-write --allow-run --allow-env bench/os.ts
//          [--runs N] [--scale F] [--items a,b] [--markdown] [--no-qemu] [--no-nexaos]
//          [--no-one-cpu] [--host-cap N] [--nexaos-cap N] [--timeout S]

import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { bufferInput, collectOutput, runProgram } from "../kernel/run-program.ts";

const BINARY = fileURLToPath(new URL("os-bench", import.meta.url));

/** One item of bench/os-bench, in the program's order. */
export interface OsItem {
  name: string;
  title: string;
  /** The program's unit; latencies are shown in µs. */
  unit: "ns" | "MB/s" | "processes";
  better: "lower" | "higher";
}

export const ITEMS: OsItem[] = [
  { name: "syscall", title: "null syscall (raw getppid)", unit: "ns", better: "lower" },
  { name: "pipe_rtt", title: "pipe round trip, 1 byte", unit: "ns", better: "lower" },
  { name: "fork", title: "fork + exit + wait", unit: "ns", better: "lower" },
  { name: "exec", title: "fork + exec + wait", unit: "ns", better: "lower" },
  { name: "pipe_bw", title: "pipe bandwidth, 64 KiB writes", unit: "MB/s", better: "higher" },
  { name: "thread", title: "thread create + join", unit: "ns", better: "lower" },
  { name: "procs", title: "processes alive at once", unit: "processes", better: "higher" },
];

/** One item's line: a measurement (with the program's key=value fields) or why it failed. */
export type ItemOutcome =
  | { name: string; value: number; unit: string; fields: Record<string, string> }
  | { name: string; error: string };

export const isMeasured = (
  o: ItemOutcome | undefined,
): o is Extract<ItemOutcome, { value: number }> => o !== undefined && "value" in o;

/** One platform's best outcome per item (absent: not run). */
export interface OsPlatformResult {
  label: string;
  items: Map<string, ItemOutcome>;
}

export interface OsBenchOptions {
  runs: number;
  scale: number;
  markdown: boolean;
  qemu: boolean;
  nexaos: boolean;
  /** Item names to run; all when empty. */
  items?: string[];
  /** The process cap natively and under qemu (the host's processes). */
  hostCap?: number;
  /** The process cap under NexaOS. */
  nexaosCap?: number;
  /** Seconds one program run may take before it is killed and its item reported as failed. */
  timeoutSeconds?: number;
  /** Also run natively on one CPU (taskset -c 0); default true. */
  oneCpu?: boolean;
}

/** The label of the native runs pinned to one CPU. */
export const ONE_CPU = "1 CPU";
export const DEFAULT_HOST_CAP = 2000;
export const DEFAULT_NEXAOS_CAP = 20000;
const DEFAULT_TIMEOUT_SECONDS = 300;

/** Parses bench/os-bench's output: `<item> <value> <unit> <key=value>...` or `<item> error <text>`. */
export function parseOsOutput(text: string): ItemOutcome[] {
  return text.split("\n").filter((line) => line !== "").map((line) => {
    const error = line.match(/^([a-z_]+) error (.*)$/);
    if (error) return { name: error[1], error: error[2] };
    const m = line.match(/^([a-z_]+) (\d+(?:\.\d+)?) (\S+)((?: [a-z_]+=\S*)*)$/);
    if (!m) throw new Error(`unexpected output line ${JSON.stringify(line)}`);
    const fields: Record<string, string> = {};
    for (const pair of m[4].trim().split(" ").filter((p) => p !== "")) {
      const at = pair.indexOf("=");
      fields[pair.slice(0, at)] = pair.slice(at + 1);
    }
    return { name: m[1], value: Number(m[2]), unit: m[3], fields };
  });
}

/** The best measured outcome of several runs of one item; the first error when none measured. */
export function bestOutcome(item: OsItem, outcomes: ItemOutcome[]): ItemOutcome {
  const measured = outcomes.filter(isMeasured);
  if (measured.length === 0) return outcomes[0];
  return measured.reduce((a, b) =>
    (item.better === "lower" ? b.value < a.value : b.value > a.value) ? b : a
  );
}

/** How one program run of one item went, as an outcome of that item. */
function outcomeOf(item: OsItem, stdout: string, failure: string | undefined): ItemOutcome {
  let lines: ItemOutcome[];
  try {
    lines = parseOsOutput(stdout);
  } catch (e) {
    return { name: item.name, error: e instanceof Error ? e.message : String(e) };
  }
  const line = lines.find((o) => o.name === item.name);
  if (failure !== undefined) return { name: item.name, error: failure };
  return line ?? { name: item.name, error: "the program printed no line for it" };
}

const firstLine = (text: string) => text.trim().split("\n")[0] ?? "";

async function runOnHost(
  cmd: string,
  args: string[],
  item: OsItem,
  timeoutSeconds: number,
): Promise<ItemOutcome> {
  const signal = AbortSignal.timeout(timeoutSeconds * 1000);
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped", signal }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { name: item.name, error: `${cmd} not found` };
    throw e;
  }
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  const failure = signal.aborted
    ? `killed after the ${timeoutSeconds} s time limit`
    : out.success
    ? undefined
    : `exited with ${out.code}${out.signal ? ` (${out.signal})` : ""}: ${
      firstLine(decode(out.stderr))
    }`;
  return outcomeOf(item, decode(out.stdout), failure);
}

async function runOnNexaos(
  image: Uint8Array,
  args: string[],
  item: OsItem,
  timeoutSeconds: number,
): Promise<ItemOutcome> {
  const out = collectOutput(), err = collectOutput();
  const signal = AbortSignal.timeout(timeoutSeconds * 1000);
  try {
    const result = await runProgram({
      image,
      exePath: BINARY,
      argv: [BINARY, ...args],
      env: [],
      stdin: bufferInput(new Uint8Array()),
      stdout: out.sink,
      stderr: err.sink,
      signal,
    });
    const failure = signal.aborted
      ? `killed after the ${timeoutSeconds} s time limit`
      : result.status === 0
      ? undefined
      : `ended with status ${result.status}: ${firstLine(err.text())}`;
    return outcomeOf(item, out.text(), failure);
  } catch (e) {
    return { name: item.name, error: `the kernel threw ${e instanceof Error ? e.message : e}` };
  }
}

// ---- the report ------------------------------------------------------------------------------

/** Latencies in µs, rates and counts as they are. */
function formatValue(item: OsItem, outcome: ItemOutcome | undefined): string {
  if (outcome === undefined) return "-";
  if (!isMeasured(outcome)) return "error";
  if (item.unit === "processes") {
    const count = Math.round(outcome.value).toLocaleString("en-US");
    const notes = [outcome.fields.stop ?? ""];
    const killed = Number(outcome.fields.killed ?? 0);
    if (killed > 0) notes.push(`${killed} OOM-killed`);
    const note = notes.filter((n) => n !== "").join(", ");
    return note ? `${count} (${note})` : count;
  }
  const v = item.unit === "ns" ? outcome.value / 1000 : outcome.value;
  return v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0);
}

const shownUnit = (item: OsItem) => (item.unit === "ns" ? "µs" : item.unit);

/** Platform value over native value (time ratio for latencies, rate ratio for the others). */
export function ratioToNative(
  native: ItemOutcome | undefined,
  other: ItemOutcome | undefined,
): number | undefined {
  if (!isMeasured(native) || !isMeasured(other) || native.value === 0) return undefined;
  return other.value / native.value;
}

const formatRatio = (r: number | undefined) =>
  r === undefined ? "-" : `${r.toFixed(r < 10 ? 2 : r < 100 ? 1 : 0)}x`;

/** The results table: one row per item, as aligned text columns or markdown. */
export function formatOsTable(
  items: OsItem[],
  native: OsPlatformResult,
  others: OsPlatformResult[],
  markdown: boolean,
): string {
  const header = ["item", "unit", "better", "native"];
  for (const o of others) header.push(o.label, `${o.label} / native`);
  const rows = items.map((item) => {
    const mine = native.items.get(item.name);
    const row = [item.title, shownUnit(item), item.better, formatValue(item, mine)];
    for (const o of others) {
      const theirs = o.items.get(item.name);
      row.push(formatValue(item, theirs), formatRatio(ratioToNative(mine, theirs)));
    }
    return row;
  });
  if (markdown) {
    const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
    const rule = header.map((_, i) => (i < 3 ? "---" : "---:"));
    return [line(header), line(rule), ...rows.map(line)].join("\n");
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const pad = (cells: string[]) =>
    cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")
      .trimEnd();
  return [pad(header), ...rows.map(pad)].join("\n");
}

/** One PASS/FAIL line: a target and, when it was measured, what was measured. */
export interface Verdict {
  /** The item it judges. */
  item: string;
  pass: boolean;
  target: string;
  measured: string;
}

const us = (ns: number) => {
  const v = ns / 1000;
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} µs`;
};

/**
 * NexaOS against the issue's bars (relative to native, or absolute) and the seeds' floor
 * (absolute). An item that did not run fails its bar with the reason. A relative bar is judged
 * against `native`; the ratio to `oneCpu` (native pinned to one CPU), when given, is shown too.
 */
export function judge(
  native: OsPlatformResult,
  nexaos: OsPlatformResult,
  oneCpu?: OsPlatformResult,
): { bars: Verdict[]; floor: Verdict[] } {
  const n = (name: string) => nexaos.items.get(name);
  const relative = (name: string, target: string, limit: number): Verdict => {
    const r = ratioToNative(native.items.get(name), n(name));
    if (r === undefined) return { item: name, pass: false, target, measured: notMeasured(name) };
    const ours = n(name) as Extract<ItemOutcome, { value: number }>;
    const pinned = ratioToNative(oneCpu?.items.get(name), ours);
    const measured = `${formatRatio(r)} (${us(ours.value)}` +
      (pinned === undefined ? ")" : `; ${formatRatio(pinned)} native on one CPU)`);
    return { item: name, pass: r <= limit, target, measured };
  };
  const absolute = (
    name: string,
    target: string,
    pass: (v: number) => boolean,
    show: (v: number) => string,
  ): Verdict => {
    const o = n(name);
    if (!isMeasured(o)) return { item: name, pass: false, target, measured: notMeasured(name) };
    return { item: name, pass: pass(o.value), target, measured: show(o.value) };
  };
  const notMeasured = (name: string) => {
    const o = n(name);
    return o === undefined ? "not run" : `not measured: ${"error" in o ? o.error : ""}`;
  };
  const mbs = (v: number) => `${v.toFixed(0)} MB/s`;
  const count = (v: number) => `${Math.round(v).toLocaleString("en-US")} processes`;
  return {
    bars: [
      relative("syscall", "null syscall within 5x native", 5),
      relative("pipe_rtt", "pipe round trip no slower than native", 1),
      relative("fork", "fork+exit+wait within 2x native", 2),
      absolute("pipe_bw", "pipe bandwidth >= 1 GB/s", (v) => v >= 1000, mbs),
      absolute("procs", "10,000 processes alive at once", (v) => v >= 10_000, count),
    ],
    floor: [
      absolute("fork", "fork < 1 ms", (v) => v < 1e6, us),
      absolute("syscall", "syscall < 5 µs", (v) => v < 5000, us),
      absolute(
        "pipe_rtt",
        "context switch < 10 µs (pipe round trip / 2)",
        (v) => v / 2 < 10_000,
        (v) => us(v / 2),
      ),
      absolute("pipe_bw", "pipe > 100 MB/s", (v) => v > 100, mbs),
      absolute("procs", "1,000+ processes", (v) => v >= 1000, count),
    ],
  };
}

const verdictLine = (v: Verdict) => `  ${v.pass ? "PASS" : "FAIL"}  ${v.target}: ${v.measured}`;

// ---- running ---------------------------------------------------------------------------------

async function hasCommand(cmd: string): Promise<boolean> {
  try {
    return (await new Deno.Command(cmd, {
      args: ["--version"],
      stdout: "null",
      stderr: "null",
    }).output()).success;
  } catch {
    return false;
  }
}

/** Runs every item `runs` times on one platform and keeps each item's best outcome. */
async function measure(
  label: string,
  items: OsItem[],
  runs: number,
  once: (item: OsItem) => Promise<ItemOutcome>,
): Promise<OsPlatformResult> {
  const best = new Map<string, ItemOutcome>();
  for (const item of items) {
    console.error(`${label}: ${item.name}, ${runs} run(s)`);
    const outcomes: ItemOutcome[] = [];
    for (let i = 0; i < runs; i++) {
      const outcome = await once(item);
      outcomes.push(outcome);
      // A failure that is not about time repeats itself: one run says it.
      if (!isMeasured(outcome) && !outcome.error.includes("time limit")) break;
    }
    best.set(item.name, bestOutcome(item, outcomes));
  }
  return { label, items: best };
}

/** Run the OS benchmark and print its report; false when an item could not be measured. */
export async function runOsBenchmark(options: OsBenchOptions): Promise<boolean> {
  const image = await Deno.readFile(BINARY).catch(() => {
    throw new Error("bench/os-bench is missing: run deno task build:compute");
  });
  const wanted = options.items ?? [];
  const unknown = wanted.filter((name) => !ITEMS.some((i) => i.name === name));
  if (unknown.length) {
    throw new Error(
      `unknown item ${unknown[0]}; items: ${ITEMS.map((i) => i.name).join(", ")}`,
    );
  }
  const items = wanted.length ? ITEMS.filter((i) => wanted.includes(i.name)) : ITEMS;
  const hostCap = options.hostCap ?? DEFAULT_HOST_CAP;
  const nexaosCap = options.nexaosCap ?? DEFAULT_NEXAOS_CAP;
  const timeout = options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
  const scale = String(options.scale);
  const args = (item: OsItem, cap: number) => [item.name, scale, String(cap)];
  const notes: string[] = [];

  const native = await measure(
    "native",
    items,
    options.runs,
    (item) => runOnHost(BINARY, args(item, hostCap), item, timeout),
  );
  const others: OsPlatformResult[] = [];
  let oneCpu: OsPlatformResult | undefined;
  if (options.oneCpu === false) notes.push("1 CPU: skipped (--no-one-cpu)");
  else if (!(await hasCommand("taskset"))) {
    notes.push("1 CPU: skipped, taskset is not installed (apt-get install util-linux)");
  } else {
    oneCpu = await measure(
      ONE_CPU,
      items,
      options.runs,
      (item) => runOnHost("taskset", ["-c", "0", BINARY, ...args(item, hostCap)], item, timeout),
    );
    others.push(oneCpu);
  }
  if (!options.qemu) notes.push("qemu: skipped (--no-qemu)");
  else if (!(await hasCommand("qemu-x86_64"))) {
    notes.push("qemu: skipped, qemu-x86_64 is not installed (apt-get install qemu-user)");
  } else {
    others.push(
      await measure(
        "qemu",
        items,
        options.runs,
        (item) => runOnHost("qemu-x86_64", [BINARY, ...args(item, hostCap)], item, timeout),
      ),
    );
  }
  let nexaos: OsPlatformResult | undefined;
  if (!options.nexaos) notes.push("NexaOS: skipped (--no-nexaos)");
  else {
    nexaos = await measure(
      "NexaOS",
      items,
      options.runs,
      (item) => runOnNexaos(image, args(item, nexaosCap), item, timeout),
    );
    others.push(nexaos);
  }

  console.log("");
  console.log(
    `OS benchmark: bench/os-bench ITEM ${scale} CAP, one run per item, best of ${options.runs} ` +
      `run(s); process cap ${hostCap.toLocaleString("en-US")} natively and under qemu (the ` +
      `host's processes), ${nexaosCap.toLocaleString("en-US")} under NexaOS (its default memory)`,
  );
  if (options.markdown) console.log("");
  console.log(formatOsTable(items, native, others, options.markdown));
  if (options.markdown) console.log("");
  console.log(
    "ratio = platform value / native value: for µs rows lower is better, for MB/s and " +
      "processes higher is better",
  );
  if (oneCpu) {
    console.log(
      `${ONE_CPU}: native pinned to CPU 0 with taskset; NexaOS, too, runs every guest task on ` +
        "one host thread",
    );
  }
  if (items.some((i) => i.name === "exec") && others.some((o) => o.label === "qemu")) {
    console.log(
      "qemu-user does not follow execve: under qemu the exec'd program runs natively",
    );
  }
  for (const note of notes) console.log(note);
  if (nexaos) {
    const { bars, floor } = judge(native, nexaos, oneCpu);
    const shown = (v: Verdict[]) => v.filter((x) => items.some((i) => i.name === x.item));
    console.log("NexaOS against the issue's bars:");
    for (const v of shown(bars)) console.log(verdictLine(v));
    console.log("NexaOS against the seeds' floor:");
    for (const v of shown(floor)) console.log(verdictLine(v));
  }
  let complete = true;
  for (const platform of [native, ...others]) {
    for (const item of items) {
      const o = platform.items.get(item.name);
      if (o !== undefined && !isMeasured(o)) {
        console.error(`ERROR ${platform.label} ${item.name}: ${o.error}`);
        complete = false;
      }
    }
  }
  return complete;
}

export function parseOsOptions(args: string[]): OsBenchOptions {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      runs: { type: "string", default: "3" },
      scale: { type: "string", default: "1" },
      items: { type: "string", default: "" },
      markdown: { type: "boolean", default: false },
      "no-qemu": { type: "boolean", default: false },
      "no-nexaos": { type: "boolean", default: false },
      "no-one-cpu": { type: "boolean", default: false },
      "host-cap": { type: "string", default: String(DEFAULT_HOST_CAP) },
      "nexaos-cap": { type: "string", default: String(DEFAULT_NEXAOS_CAP) },
      timeout: { type: "string", default: String(DEFAULT_TIMEOUT_SECONDS) },
    },
  });
  const whole = (name: string, text: string, max: number) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new Error(`--${name} must be a whole number from 1 to ${max}, not ${text}`);
    }
    return n;
  };
  const scale = Number(values.scale);
  if (!(scale > 0 && scale <= 10000)) {
    throw new Error(`--scale must be a number in (0, 10000], not ${values.scale}`);
  }
  if (values.items !== "" && !/^[a-z_]+(,[a-z_]+)*$/.test(values.items)) {
    throw new Error(`--items takes names separated by commas, not ${values.items}`);
  }
  return {
    runs: whole("runs", values.runs, 100),
    scale,
    markdown: values.markdown,
    qemu: !values["no-qemu"],
    nexaos: !values["no-nexaos"],
    oneCpu: !values["no-one-cpu"],
    items: values.items === "" ? [] : values.items.split(","),
    hostCap: whole("host-cap", values["host-cap"], 1_000_000),
    nexaosCap: whole("nexaos-cap", values["nexaos-cap"], 1_000_000),
    timeoutSeconds: whole("timeout", values.timeout, 86_400),
  };
}

if (import.meta.main) {
  try {
    if (!(await runOsBenchmark(parseOsOptions(Deno.args)))) Deno.exitCode = 1;
  } catch (e) {
    console.error(`bench/os: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
