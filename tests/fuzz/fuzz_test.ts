// The bounded fuzz run of the suite: random code, syscall streams with garbage arguments and
// mutated ELF files under the kernel, each of which must end in an exit, a signal, the
// instruction limit or a one-line load error; never an exception, an internal error or a hang.
// Also checks the generators themselves. `deno task fuzz` is the long version.
//
// The seed is fixed so the suite is repeatable; NEXAOS_FUZZ_SEED=<n> tries another one.

import assert from "node:assert/strict";
import { parseElf } from "../../kernel/exec/elf.ts";
import { bufferInput, collectOutput, runProgram } from "../../kernel/run-program.ts";
import type { RunSettings } from "./case-runner.ts";
import {
  buildElf,
  CODE_ADDRESS,
  DATA_ADDRESS,
  faultHandlerPrologue,
  type FuzzKind,
  loadCorpus,
  makeCase,
  mutateElf,
  Rng,
} from "./lib.ts";
import { describeFailure, FuzzWorker, saveFailure, Summary } from "./runner.ts";

const SUITE_SETTINGS: RunSettings = {
  instructionLimit: 2_000_000,
  memoryBytes: 32 * 1024 * 1024,
  hangMs: 20_000,
  blockedAfterMs: 1_000,
};
/** Case i is of kind SCHEDULE[i % 4]: 200 random-code, 200 syscall-stream, 400 mutated ELFs. */
const SCHEDULE: readonly FuzzKind[] = ["code", "elf", "syscall", "elf"];
const CASES = 800;

function suiteSeed(): number {
  const name = "NEXAOS_FUZZ_SEED";
  const allowed = Deno.permissions.querySync({ name: "env", variable: name }).state === "granted";
  const text = allowed ? Deno.env.get(name) : undefined;
  if (text === undefined) return 20240601;
  if (!/^\d+$/.test(text) || Number(text) >= 2 ** 32) throw new Error(`${name} must be a u32`);
  return Number(text);
}

/** mov eax, 60; mov edi, 42; syscall: exit(42). */
const EXIT_42 = Uint8Array.of(0xb8, 60, 0, 0, 0, 0xbf, 42, 0, 0, 0, 0x0f, 0x05);

Deno.test("fuzz generators: the minimal ELF parses and runs, cases rebuild from their seed", async () => {
  const image = buildElf({ code: EXIT_42, data: new Uint8Array(16), stack: "nx" });
  const parsed = parseElf(image);
  assert.equal(parsed.entry, CODE_ADDRESS);
  assert.deepEqual(parsed.loads.map((s) => [s.vaddr, s.executable, s.writable]), [
    [CODE_ADDRESS, true, false],
    [DATA_ADDRESS, false, true],
  ]);
  const out = collectOutput();
  const result = await runProgram({
    image,
    exePath: "/fuzz/exit42",
    argv: ["exit42"],
    env: [],
    memoryBytes: SUITE_SETTINGS.memoryBytes,
    stdin: bufferInput(),
    stdout: out.sink,
    stderr: out.sink,
    instructionLimit: 1000,
  });
  assert.equal(result.exitCode, 42);
  assert.equal(result.instructions, 3);

  // 200 ud2 after a garbage RSP: the handler (on its own stack) skips 99 of them and
  // exits 99 at the 100th.
  const ud2s = new Uint8Array(400).map((_, i) => i % 2 === 0 ? 0x0f : 0x0b);
  const garbageRsp = [0x48, 0xc7, 0xc4, 0x10, 0, 0, 0]; // mov rsp, 16
  const code = Uint8Array.from([...faultHandlerPrologue(2), ...garbageRsp, ...ud2s]);
  const survivor = await runProgram({
    image: buildElf({ code, scratch: true }),
    exePath: "/fuzz/ud2",
    argv: ["ud2"],
    env: [],
    memoryBytes: SUITE_SETTINGS.memoryBytes,
    instructionLimit: 100_000,
  });
  assert.equal(survivor.exitCode, 99);
  assert.equal(
    survivor.syscalls,
    1 + 5 + 99 + 1,
    "sigaltstack, 5 rt_sigaction, 99 sigreturns, exit at the 100th fault",
  );

  const corpus = loadCorpus();
  assert.ok(corpus.length > 0, "the committed guest binaries are the mutation corpus");
  for (const kind of ["code", "syscall", "elf"] as const) {
    const a = makeCase(kind, 5, 17, corpus), b = makeCase(kind, 5, 17, corpus);
    assert.deepEqual(a, b, `${kind} case 17 of seed 5 is the same every time`);
    assert.notDeepEqual(makeCase(kind, 5, 18, corpus).image, a.image);
  }
  const base = corpus[0].bytes;
  const mutated = mutateElf(new Rng(1), base);
  assert.notDeepEqual(mutated.image, base, mutated.changes);
  assert.ok(base.every((byte, i) => byte === corpus[0].bytes[i]), "the corpus is not modified");
});

Deno.test("fuzz: random code, syscall streams and mutated ELFs end in an exit, a signal or a clear error", async () => {
  const seed = suiteSeed();
  const worker = new FuzzWorker(SUITE_SETTINGS);
  const summary = new Summary();
  try {
    for (let index = 0; index < CASES; index++) {
      summary.add(await worker.run(SCHEDULE[index % SCHEDULE.length], seed, index));
    }
  } finally {
    worker.close();
  }
  const corpus = loadCorpus();
  const reports = summary.failures.map((failure) =>
    describeFailure(failure, saveFailure(failure, corpus), SUITE_SETTINGS.memoryBytes)
  );
  assert.deepEqual(reports, [], `fuzz failures (seed ${seed}):\n${reports.join("\n")}`);

  // The harness reaches past the loader and into the kernel: otherwise it tests nothing.
  const table = `\n${summary.table()}`;
  const faults = (kind: FuzzKind) => summary.count("SIGSEGV", kind) + summary.count("SIGILL", kind);
  assert.ok(faults("code") > 0, `random code raises faults${table}`);
  const exits = summary.count("exit 0", "syscall") + summary.count("exit 1-255", "syscall");
  assert.ok(exits > 0, `syscall streams reach their exit_group${table}`);
  assert.ok(summary.count("elf-error", "elf") > 0, `some mutated files are rejected${table}`);
  const elfCases = CASES / 2;
  assert.ok(
    summary.count("elf-error", "elf") < elfCases,
    `some mutated files load and run${table}`,
  );
});
