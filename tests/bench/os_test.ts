// Tests for the OS benchmark: the harness's parsing, best-of, table and PASS/FAIL verdicts
// (bench/os.ts), the committed guest program bench/os-bench run natively and under NexaOS, and
// that the committed benchmark binaries match their sources (`build:compute --check`).

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  bestOutcome,
  formatOsTable,
  type ItemOutcome,
  ITEMS,
  judge,
  parseOsOptions,
  parseOsOutput,
} from "../../bench/os.ts";
import { bufferInput, collectOutput, runProgram } from "../../kernel/run-program.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BINARY = fileURLToPath(new URL("../../bench/os-bench", import.meta.url));
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function runNative(args: string[]) {
  const out = await new Deno.Command(BINARY, { args, stdout: "piped", stderr: "piped" }).output();
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

const item = (name: string) => ITEMS.find((i) => i.name === name)!;
const measured = (name: string, value: number, unit = "ns", fields = {}): ItemOutcome => ({
  name,
  value,
  unit,
  fields,
});

Deno.test("parseOsOutput reads measurements with their fields, and item errors", () => {
  assert.deepEqual(
    parseOsOutput(
      "syscall 139.5 ns n=2187906\nfork error fork: Function not implemented\n" +
        "procs 2000 processes cap=2000 stop=cap fork_ms=484.6\n",
    ),
    [
      measured("syscall", 139.5, "ns", { n: "2187906" }),
      { name: "fork", error: "fork: Function not implemented" },
      measured("procs", 2000, "processes", { cap: "2000", stop: "cap", fork_ms: "484.6" }),
    ],
  );
  assert.throws(() => parseOsOutput("syscall fast ns\n"), /unexpected output line/);
});

Deno.test("bestOutcome keeps the lowest latency, the highest rate, and an error only alone", () => {
  const fork = item("fork"), bw = item("pipe_bw");
  assert.deepEqual(
    bestOutcome(fork, [measured("fork", 30), measured("fork", 20)]),
    measured("fork", 20),
  );
  assert.deepEqual(
    bestOutcome(bw, [measured("pipe_bw", 900, "MB/s"), measured("pipe_bw", 1200, "MB/s")]),
    measured("pipe_bw", 1200, "MB/s"),
  );
  const error = { name: "fork", error: "killed after the 1 s time limit" };
  assert.deepEqual(bestOutcome(fork, [error, measured("fork", 50)]), measured("fork", 50));
  assert.deepEqual(bestOutcome(fork, [error]), error);
});

Deno.test("judge gives PASS/FAIL against the bars and the floor, and FAIL for errors", () => {
  const native = {
    label: "native",
    items: new Map<string, ItemOutcome>([
      ["syscall", measured("syscall", 100)],
      ["pipe_rtt", measured("pipe_rtt", 40_000)],
      ["fork", measured("fork", 100_000)],
    ]),
  };
  const nexaos = {
    label: "NexaOS",
    items: new Map<string, ItemOutcome>([
      ["syscall", measured("syscall", 600)],
      ["pipe_rtt", measured("pipe_rtt", 30_000)],
      ["fork", { name: "fork", error: "fork: Function not implemented" }],
      ["pipe_bw", measured("pipe_bw", 1500, "MB/s")],
      ["procs", measured("procs", 5000, "processes", { stop: "ENOMEM" })],
    ]),
  };
  const oneCpu = {
    label: "1 CPU",
    items: new Map<string, ItemOutcome>([["pipe_rtt", measured("pipe_rtt", 5_000)]]),
  };
  const { bars, floor } = judge(native, nexaos, oneCpu);
  const line = (v: { pass: boolean; target: string; measured: string }) =>
    `${v.pass ? "PASS" : "FAIL"} ${v.target}: ${v.measured}`;
  assert.deepEqual(bars.map(line), [
    "FAIL null syscall within 5x native: 6.00x (0.60 µs)",
    "PASS pipe round trip no slower than native: 0.75x (30.0 µs; 6.00x native on one CPU)",
    "FAIL fork+exit+wait within 2x native: not measured: fork: Function not implemented",
    "PASS pipe bandwidth >= 1 GB/s: 1500 MB/s",
    "FAIL 10,000 processes alive at once: 5,000 processes",
  ]);
  assert.deepEqual(floor.map(line), [
    "FAIL fork < 1 ms: not measured: fork: Function not implemented",
    "PASS syscall < 5 µs: 0.60 µs",
    "FAIL context switch < 10 µs (pipe round trip / 2): 15.0 µs",
    "PASS pipe > 100 MB/s: 1500 MB/s",
    "PASS 1,000+ processes: 5,000 processes",
  ]);
  nexaos.items.set(
    "procs",
    measured("procs", 29123, "processes", { stop: "ENOMEM", killed: "2" }),
  );
  const procsRow = formatOsTable(ITEMS.slice(-1), native, [nexaos], true).split("\n")[2];
  assert.equal(
    procsRow,
    "| processes alive at once | processes | higher | - | 29,123 (ENOMEM, 2 OOM-killed) | - |",
  );
  const table = formatOsTable(ITEMS.slice(0, 3), native, [nexaos], true).split("\n");
  assert.equal(table[0], "| item | unit | better | native | NexaOS | NexaOS / native |");
  assert.equal(table[2], "| null syscall (raw getppid) | µs | lower | 0.10 | 0.60 | 6.00x |");
  assert.equal(table[4], "| fork + exit + wait | µs | lower | 100 | error | - |");
});

Deno.test("parseOsOptions validates its arguments", () => {
  const defaults = parseOsOptions([]);
  assert.equal(defaults.runs, 3);
  assert.deepEqual(defaults.items, []);
  assert.equal(defaults.hostCap, 2000);
  assert.equal(defaults.nexaosCap, 20000);
  assert.equal(defaults.oneCpu, true);
  assert.equal(parseOsOptions(["--no-one-cpu"]).oneCpu, false);
  assert.deepEqual(parseOsOptions(["--items", "fork,pipe_bw"]).items, ["fork", "pipe_bw"]);
  assert.throws(() => parseOsOptions(["--runs", "0"]), /--runs/);
  assert.throws(() => parseOsOptions(["--host-cap", "1.5"]), /--host-cap/);
  assert.throws(() => parseOsOptions(["--items", "a b"]), /--items/);
});

Deno.test("bench/os-bench natively measures the selected items and honours the process cap", async () => {
  const run = await runNative(["procs,syscall,fork", "0.01", "20"]);
  assert.equal(run.code, 0, run.stderr);
  const lines = parseOsOutput(run.stdout);
  assert.deepEqual(lines.map((l) => l.name), ["syscall", "fork", "procs"]);
  for (const line of lines) assert.ok("value" in line && line.value > 0, JSON.stringify(line));
  const procs = lines[2] as Extract<ItemOutcome, { value: number }>;
  assert.equal(procs.value, 20);
  assert.equal(procs.unit, "processes");
  assert.equal(procs.fields.cap, "20");
  assert.equal(procs.fields.stop, "cap");
});

Deno.test("bench/os-bench --exit exits at once; bad arguments exit 2", async () => {
  assert.deepEqual(await runNative(["--exit"]), { code: 0, stdout: "", stderr: "" });
  const unknown = await runNative(["fork,nope"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown item 'nope'/);
  assert.equal((await runNative(["all", "0"])).code, 2);
  assert.match((await runNative(["all", "1", "0"])).stderr, /PROCESS_CAP/);
});

Deno.test("bench/os-bench under NexaOS measures every item", async () => {
  const out = collectOutput(), err = collectOutput();
  const result = await runProgram({
    image: await Deno.readFile(BINARY),
    exePath: BINARY,
    argv: [BINARY, "all", "0.002", "10"],
    env: [],
    stdin: bufferInput(new Uint8Array()),
    stdout: out.sink,
    stderr: err.sink,
  });
  assert.equal(result.status, 0, err.text());
  const lines = parseOsOutput(out.text());
  assert.deepEqual(lines.map((l) => l.name), ITEMS.map((i) => i.name));
  for (const line of lines) assert.ok("value" in line, `measured: ${JSON.stringify(line)}`);
  assert.equal((lines.at(-1) as Extract<ItemOutcome, { value: number }>).value, 10);
});

Deno.test("the committed benchmark binaries match their sources (build:compute --check)", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "bench/build-compute.ts",
      "--check",
    ],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, decode(out.stderr));
  assert.match(decode(out.stdout), /bench\/os-bench is up to date/);
});
