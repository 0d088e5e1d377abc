// The parent side of fuzzing, shared by the suite's fuzz test and `deno task fuzz`: runs cases in
// a sandboxed worker (read-only host access), replaces the worker when a case hangs it, tallies
// outcomes and writes failure reports with the commands that replay them.

import { SIGNAL_NAMES } from "../../kernel/syscalls/strace-xlat.ts";
import {
  type CaseReport,
  isFailure,
  type Outcome,
  replayPath,
  type RunSettings,
} from "./case-runner.ts";
import { type CorpusEntry, type FuzzKind, loadCorpus, makeCase } from "./lib.ts";
import type { CaseRequest } from "./worker.ts";

export interface CaseResult {
  kind: FuzzKind;
  seed: number;
  index: number;
  description: string;
  strace: boolean;
  report: CaseReport;
}

/** Extra time the worker gets beyond hangMs to report a hang itself before it is stopped. */
const WATCHDOG_GRACE_MS = 10_000;

/** Runs one case at a time in a worker thread that has no write, network, run or env access. */
export class FuzzWorker {
  private worker: Worker | null = null;
  private corpus: CorpusEntry[] | null = null;

  constructor(readonly settings: RunSettings) {}

  async run(kind: FuzzKind, seed: number, index: number): Promise<CaseResult> {
    const worker = this.worker ??= spawnWorker();
    const reply = Promise.withResolvers<CaseResult>();
    worker.onmessage = (event) => reply.resolve({ kind, seed, ...event.data });
    worker.onerror = (event) => {
      event.preventDefault();
      reply.reject(new Error(`fuzz worker failed on ${kind} case ${index}: ${event.message}`));
    };
    const request: CaseRequest = { kind, seed, index, settings: this.settings };
    worker.postMessage(request);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const watchdog = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.settings.hangMs + WATCHDOG_GRACE_MS);
    });
    try {
      const result = await Promise.race([reply.promise, watchdog]);
      if (result !== null) {
        // A blocked guest keeps its kernel alive in the worker: start the next case afresh.
        if (result.report.outcome.kind === "blocked" || isFailure(result.report.outcome)) {
          this.stopWorker();
        }
        return result;
      }
      this.stopWorker();
      const fuzzCase = makeCase(kind, seed, index, this.corpus ??= loadCorpus());
      const seconds = ((this.settings.hangMs + WATCHDOG_GRACE_MS) / 1000).toFixed(0);
      const outcome: Outcome = {
        kind: "hang",
        detail: `the worker did not answer for ${seconds} s (a synchronous loop in the kernel)`,
      };
      const report: CaseReport = {
        outcome,
        wallMs: 0,
        instructions: 0,
        syscalls: 0,
        logs: [],
        trace: [],
      };
      return {
        kind,
        seed,
        index,
        description: fuzzCase.description,
        strace: fuzzCase.strace,
        report,
      };
    } catch (error) {
      this.stopWorker();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.stopWorker();
  }

  private stopWorker(): void {
    this.worker?.terminate();
    this.worker = null;
  }
}

function spawnWorker(): Worker {
  const options = {
    type: "module" as const,
    // The guest's syscalls must not reach the host: only reading (the corpus) is allowed.
    deno: {
      permissions: {
        read: true,
        write: false,
        net: false,
        env: false,
        run: false,
        ffi: false,
        sys: false,
        import: false,
      },
    },
  };
  return new Worker(new URL("./worker.ts", import.meta.url), options);
}

/** A short name for an outcome, the key of the summary table. */
export function outcomeLabel(outcome: Outcome): string {
  switch (outcome.kind) {
    case "exit":
      return outcome.code === 0 ? "exit 0" : "exit 1-255";
    case "signal":
      return SIGNAL_NAMES[outcome.signal] ?? `signal ${outcome.signal}`;
    case "limit":
      return "instruction limit (SIGXCPU)";
    default:
      return outcome.kind;
  }
}

/** Outcome counts per kind, load-error messages and kernel log lines, and the failures in full. */
export class Summary {
  readonly counts = new Map<string, Map<FuzzKind, number>>();
  readonly elfMessages = new Map<string, number>();
  readonly failures: CaseResult[] = [];
  readonly logs = new Map<string, number>();
  readonly kinds = new Set<FuzzKind>();
  cases = 0;
  instructions = 0;
  slowest: CaseResult | null = null;

  add(result: CaseResult): void {
    this.cases++;
    this.kinds.add(result.kind);
    const { outcome } = result.report;
    const label = outcomeLabel(outcome);
    const byKind = this.counts.get(label) ?? new Map<FuzzKind, number>();
    byKind.set(result.kind, (byKind.get(result.kind) ?? 0) + 1);
    this.counts.set(label, byKind);
    if (outcome.kind === "elf-error" || outcome.kind === "stack-error") {
      // "segment 3 ends at 0x1234" and "segment 1 ends at 0x99" are the same kind of rejection.
      tally(this.elfMessages, shapeOf(outcome.message));
    }
    for (const line of result.report.logs) tally(this.logs, shapeOf(line));
    if (isFailure(outcome)) this.failures.push(result);
    this.instructions += result.report.instructions;
    if (this.slowest === null || result.report.wallMs > this.slowest.report.wallMs) {
      this.slowest = result;
    }
  }

  /** Cases that ended as `label`, of one kind or of all. */
  count(label: string, kind?: FuzzKind): number {
    const byKind = this.counts.get(label);
    if (byKind === undefined) return 0;
    if (kind !== undefined) return byKind.get(kind) ?? 0;
    return [...byKind.values()].reduce((a, b) => a + b, 0);
  }

  /** "SIGSEGV: 40, exit 0: 12, ..." most frequent first. */
  line(): string {
    return this.sortedLabels().map((label) => `${label}: ${this.count(label)}`).join(", ");
  }

  /** The full table, for the end of a run. */
  table(): string {
    const kinds = [...this.kinds];
    const lines = [
      `  ${"outcome".padEnd(30)}${kinds.map((k) => k.padStart(9)).join("")}${"total".padStart(9)}`,
    ];
    for (const label of this.sortedLabels()) {
      const cells = kinds.map((k) => String(this.count(label, k)).padStart(9)).join("");
      lines.push(`  ${label.padEnd(30)}${cells}${String(this.count(label)).padStart(9)}`);
    }
    if (this.elfMessages.size > 0) {
      lines.push("  load errors, by message:");
      for (const [message, n] of sortedByCount(this.elfMessages)) {
        lines.push(`  ${String(n).padStart(7)}  ${message}`);
      }
    }
    if (this.logs.size > 0) {
      lines.push("  kernel log lines:");
      for (const [line, n] of sortedByCount(this.logs)) {
        lines.push(`  ${String(n).padStart(7)}  ${line}`);
      }
    }
    return lines.join("\n");
  }

  private sortedLabels(): string[] {
    return [...this.counts.keys()].sort((a, b) => this.count(b) - this.count(a));
  }
}

function tally(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function sortedByCount(counts: Map<string, number>): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** A message with its numbers replaced by N, so messages differing only in values group. */
function shapeOf(message: string): string {
  return message.replace(/0x[0-9a-f]+|\d+/gi, "N");
}

/** Everything needed to reproduce a failure, as lines of text. */
export function describeFailure(
  result: CaseResult,
  savedTo: string | null,
  memoryBytes: number,
): string {
  const { outcome } = result.report;
  const what = outcome.kind === "exception"
    ? `${outcome.message}\n${outcome.stack}`
    : outcome.kind === "internal-error"
    ? outcome.line
    : outcome.kind === "unclear-error"
    ? JSON.stringify(outcome.message)
    : outcome.kind === "hang"
    ? outcome.detail
    : outcomeLabel(outcome);
  const memory = `--memory ${Math.round(memoryBytes / 2 ** 20)}M`;
  const lines = [
    `FAIL ${result.kind} seed ${result.seed} case ${result.index}: ${outcome.kind}: ${what}`,
    `  input: ${result.description}${result.strace ? " (run with strace)" : ""}`,
    `  rebuild and rerun: deno task fuzz --seed ${result.seed} --kind ${result.kind} --case ${result.index}`,
  ];
  if (savedTo !== null) {
    const strace = result.strace ? "--strace " : "";
    lines.push(`  saved: ${savedTo}; replay: deno task run ${memory} ${strace}${savedTo}`);
  }
  return lines.join("\n");
}

/** Write the failing input to /tmp/nexaos-fuzz-<seed>-<index>.bin; returns the path. */
export function saveFailure(result: CaseResult, corpus: readonly CorpusEntry[]): string {
  const fuzzCase = makeCase(result.kind, result.seed, result.index, corpus);
  const path = replayPath(result.seed, result.index);
  Deno.writeFileSync(path, fuzzCase.image);
  return path;
}
