// `deno task fuzz`: the long fuzzer. Runs random code, syscall streams and mutated ELF files
// under the kernel until the time is up, prints a progress line every few seconds and a summary by
// outcome, and saves every failing input to /tmp with the command that replays it.
//
//   deno task fuzz [--seconds N] [--seed S] [--kind code|syscall|elf] [--case I]
//
// Cases alternate between the selected kinds (case i is of kind kinds[i % kinds.length]); each is
// rebuilt from (seed, kind, i) alone, so `--kind K --case I` reruns exactly one of them.

import process from "node:process";
import { parseArgs } from "node:util";
import { isFailure, type RunSettings } from "./case-runner.ts";
import { FUZZ_KINDS, type FuzzKind, loadCorpus } from "./lib.ts";
import { describeFailure, FuzzWorker, outcomeLabel, saveFailure, Summary } from "./runner.ts";

const USAGE = "usage: deno task fuzz [--seconds N] [--seed S] [--kind code|syscall|elf] [--case I]";
const PROGRESS_EVERY_MS = 5000;

export const LONG_RUN_SETTINGS: RunSettings = {
  instructionLimit: 5_000_000,
  memoryBytes: 32 * 1024 * 1024,
  hangMs: 30_000,
  blockedAfterMs: 1_000,
};

interface Options {
  seconds: number;
  seed: number;
  kinds: FuzzKind[];
  only: number | null;
}

function fail(message: string): never {
  console.error(`fuzz: ${message}\n${USAGE}`);
  Deno.exit(2);
}

function wholeNumber(text: string, what: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) {
    fail(`${what} must be a whole number up to ${max}`);
  }
  return Number(text);
}

function parseOptions(args: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        seconds: { type: "string" },
        seed: { type: "string" },
        kind: { type: "string" },
        case: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (parsed.help) {
    console.log(USAGE);
    Deno.exit(0);
  }
  const kind = parsed.kind;
  if (kind !== undefined && !FUZZ_KINDS.includes(kind as FuzzKind)) {
    fail(`--kind must be one of ${FUZZ_KINDS.join(", ")} (got "${kind}")`);
  }
  const randomSeed = crypto.getRandomValues(new Uint32Array(1))[0];
  return {
    seconds: parsed.seconds === undefined ? 60 : wholeNumber(parsed.seconds, "--seconds", 1e7),
    seed: parsed.seed === undefined ? randomSeed : wholeNumber(parsed.seed, "--seed", 2 ** 32 - 1),
    kinds: kind === undefined ? [...FUZZ_KINDS] : [kind as FuzzKind],
    only: parsed.case === undefined ? null : wholeNumber(parsed.case, "--case", 2 ** 32 - 1),
  };
}

function elapsed(startMs: number): string {
  return `${((performance.now() - startMs) / 1000).toFixed(0).padStart(5)}s`;
}

async function main(): Promise<number> {
  const options = parseOptions(Deno.args);
  const corpus = loadCorpus();
  const settings: RunSettings = options.only === null
    ? LONG_RUN_SETTINGS
    : { ...LONG_RUN_SETTINGS, traceTail: 20 };
  const worker = new FuzzWorker(settings);
  const summary = new Summary();
  const start = performance.now();
  const deadline = start + options.seconds * 1000;
  console.log(
    `fuzz: seed ${options.seed}, kinds ${options.kinds.join(",")}, ` +
      (options.only === null ? `${options.seconds} s` : `case ${options.only}`) +
      `, limit ${settings.instructionLimit.toLocaleString("en-US")} instructions, ` +
      `${settings.memoryBytes / 2 ** 20} MiB, corpus: ${corpus.map((c) => c.name).join(" ")}`,
  );
  let stopping = false;
  const onInterrupt = () => stopping = true;
  Deno.addSignalListener("SIGINT", onInterrupt);
  let nextProgress = start + PROGRESS_EVERY_MS;
  try {
    const first = options.only ?? 0;
    for (let index = first; !stopping; index++) {
      if (options.only !== null && index > options.only) break;
      if (options.only === null && performance.now() >= deadline) break;
      const kind = options.kinds[index % options.kinds.length];
      const result = await worker.run(kind, options.seed, index);
      summary.add(result);
      if (options.only !== null) {
        const { report } = result;
        console.log(`case ${index} (${kind}): ${result.description}`);
        console.log(
          `  ${outcomeLabel(report.outcome)} after ${report.instructions} instructions, ` +
            `${report.syscalls} syscalls, ${report.wallMs.toFixed(0)} ms`,
        );
        if (report.trace.length > 0) {
          console.log(`  last syscalls:\n    ${report.trace.join("\n    ")}`);
        }
        for (const line of report.logs) console.log(`  kernel: ${line}`);
      }
      if (isFailure(result.report.outcome)) {
        console.log(describeFailure(result, saveFailure(result, corpus), settings.memoryBytes));
      }
      if (performance.now() >= nextProgress) {
        nextProgress += PROGRESS_EVERY_MS;
        const rate = summary.cases / ((performance.now() - start) / 1000);
        const rss = (process.memoryUsage().rss / 2 ** 20).toFixed(0);
        console.log(
          `[${elapsed(start)}] ${summary.cases} cases (${rate.toFixed(1)}/s, ${rss} MiB), ` +
            `${summary.failures.length} failures | ${summary.line()}`,
        );
      }
    }
  } finally {
    worker.close();
    Deno.removeSignalListener("SIGINT", onInterrupt);
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(
    `fuzz: ${summary.cases} cases in ${seconds.toFixed(1)} s, ` +
      `${(summary.instructions / 1e6).toFixed(0)} M guest instructions, ` +
      `${summary.failures.length} failures (seed ${options.seed})`,
  );
  console.log(summary.table());
  if (summary.slowest !== null) {
    const s = summary.slowest;
    console.log(
      `slowest: ${s.kind} case ${s.index} (${outcomeLabel(s.report.outcome)}), ` +
        `${s.report.wallMs.toFixed(0)} ms: ${s.description}`,
    );
  }
  return summary.failures.length === 0 ? 0 : 1;
}

if (import.meta.main) {
  try {
    Deno.exit(await main());
  } catch (error) {
    // A broken harness (the worker failed to load, a generator threw), not a kernel finding.
    console.error(`fuzz: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(2);
  }
}
