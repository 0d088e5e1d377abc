// Running one fuzz case under the kernel and naming how it ended. Acceptable endings: a normal
// exit, a signal, the instruction limit (SIGXCPU), a one-line ElfError/InitialStackError, or the
// guest waiting in a syscall with the host idle (a long sleep or a futex nobody wakes: Linux would
// wait too). Failures: any other exception, a "nexaos: internal error" log line, an error message
// that is not one clear line, or a run still using the host CPU after the hang budget.

import process from "node:process";
import { buildEnvironment } from "../../cli/run.ts";
import { ElfError } from "../../kernel/exec/elf.ts";
import { InitialStackError } from "../../kernel/exec/initial-stack.ts";
import type { OutputEndpoint } from "../../kernel/host/stdio.ts";
import { bufferInput, runProgram } from "../../kernel/run-program.ts";
import { SIGXCPU } from "../../kernel/signals/signals.ts";
import type { FuzzCase } from "./lib.ts";

export interface RunSettings {
  instructionLimit: number;
  memoryBytes: number;
  /** A run still using the host CPU this long is a hang. */
  hangMs: number;
  /** A run whose host thread has been idle this long is a guest waiting in a syscall. */
  blockedAfterMs: number;
  /** Trace every case and keep its last this many strace lines (for looking at one case). */
  traceTail?: number;
}

export type Outcome =
  | { kind: "exit"; code: number }
  | { kind: "signal"; signal: number }
  | { kind: "limit" }
  | { kind: "elf-error"; message: string }
  | { kind: "stack-error"; message: string }
  | { kind: "blocked" }
  | { kind: "exception"; message: string; stack: string }
  | { kind: "internal-error"; line: string }
  | { kind: "unclear-error"; message: string }
  | { kind: "hang"; detail: string };

export const FAILURE_KINDS: ReadonlySet<Outcome["kind"]> = new Set([
  "exception",
  "internal-error",
  "unclear-error",
  "hang",
]);

export function isFailure(outcome: Outcome): boolean {
  return FAILURE_KINDS.has(outcome.kind);
}

export interface CaseReport {
  outcome: Outcome;
  wallMs: number;
  instructions: number;
  syscalls: number;
  /** Kernel log lines (console.error) other than internal errors, e.g. out-of-memory kills. */
  logs: string[];
  /** The last strace lines, when RunSettings.traceTail asked for them. */
  trace: string[];
}

/** The guest's view of where it was started from: what `deno task run <file>` would give it. */
export function replayPath(seed: number, index: number): string {
  return `/tmp/nexaos-fuzz-${seed}-${index}.bin`;
}

const OUTPUT_KEEP = 4096;
const POLL_MS = 200;
const IDLE_SHARE = 0.1;

/** Keeps the first bytes written; a runaway writer cannot exhaust host memory. */
function boundedOutput(): OutputEndpoint {
  let kept = 0;
  return {
    isTerminal: false,
    write(data) {
      kept = Math.min(OUTPUT_KEEP, kept + data.length);
      return true;
    },
  };
}

/** Milliseconds of CPU this thread has used. */
function threadCpuMs(): number {
  const usage = (process as unknown as { threadCpuUsage(): { user: number; system: number } })
    .threadCpuUsage();
  return (usage.user + usage.system) / 1000;
}

let currentLogs: string[] = [];
let consoleCaptured = false;

/** kernel.log() writes with console.error; from now on those lines go to the current case. */
function captureConsole(): void {
  if (consoleCaptured) return;
  consoleCaptured = true;
  console.error = (...args: unknown[]) => void currentLogs.push(args.map(String).join(" "));
}

/** Not empty, and no control characters (C0, DEL, C1) or line and paragraph separators. */
function isOneClearLine(message: string): boolean {
  // deno-lint-ignore no-control-regex
  return message.trim() !== "" && !/[\x00-\x1f\x7f-\x9f\u2028\u2029]/.test(message);
}

function describeError(error: unknown): Outcome {
  if (error instanceof ElfError || error instanceof InitialStackError) {
    const message = error.message;
    if (!isOneClearLine(message)) return { kind: "unclear-error", message };
    return error instanceof ElfError
      ? { kind: "elf-error", message }
      : { kind: "stack-error", message };
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const stack = error instanceof Error ? error.stack ?? message : message;
  return { kind: "exception", message, stack };
}

/**
 * Wait for `run`, watching this thread's CPU use: idle for blockedAfterMs means the guest waits in
 * a syscall; busy beyond hangMs means the kernel does not return. (A synchronous hang never lets
 * this code run at all; the worker's parent catches that one.)
 */
async function guard<T>(
  run: Promise<T>,
  settings: RunSettings,
): Promise<T | "blocked" | "hang"> {
  const settled = run.then((value) => ({ value }));
  const start = performance.now();
  let last = start;
  let lastCpu = threadCpuMs();
  let idleMs = 0;
  for (;;) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), POLL_MS));
    const done = await Promise.race([settled, tick]);
    clearTimeout(timer);
    if (done !== null) return done.value;
    const now = performance.now();
    const cpu = threadCpuMs();
    idleMs = cpu - lastCpu < (now - last) * IDLE_SHARE ? idleMs + (now - last) : 0;
    last = now;
    lastCpu = cpu;
    if (idleMs >= settings.blockedAfterMs) return "blocked";
    if (now - start >= settings.hangMs) return "hang";
  }
}

/** Run `fuzzCase` to its end (or until it is classified as blocked or hung). */
export async function runCase(fuzzCase: FuzzCase, settings: RunSettings): Promise<CaseReport> {
  captureConsole();
  const logs: string[] = [];
  currentLogs = logs;
  const start = performance.now();
  const trace: string[] = [];
  const tail = settings.traceTail ?? 0;
  const keepTrace = (line: string) => {
    trace.push(line);
    if (trace.length > tail) trace.shift();
  };
  const run = runProgram({
    image: fuzzCase.image,
    exePath: replayPath(fuzzCase.seed, fuzzCase.index),
    argv: [replayPath(fuzzCase.seed, fuzzCase.index)],
    env: buildEnvironment([], false),
    memoryBytes: settings.memoryBytes,
    stdin: bufferInput(),
    stdout: boundedOutput(),
    stderr: boundedOutput(),
    strace: tail > 0 ? keepTrace : fuzzCase.strace ? () => {} : undefined,
    noRandomize: true,
    instructionLimit: settings.instructionLimit,
  }).then(
    (result) => ({ result, error: null }),
    (error: unknown) => ({ result: null, error }),
  );
  const ended = await guard(run, settings);
  const wallMs = performance.now() - start;
  const report: CaseReport = {
    outcome: { kind: "blocked" },
    wallMs,
    instructions: 0,
    syscalls: 0,
    logs,
    trace,
  };
  if (ended === "hang") {
    const seconds = (settings.hangMs / 1000).toFixed(0);
    report.outcome = { kind: "hang", detail: `still using the host CPU after ${seconds} s` };
  } else if (ended !== "blocked") {
    if (ended.error !== null) report.outcome = describeError(ended.error);
    else {
      const result = ended.result!;
      report.instructions = result.instructions;
      report.syscalls = result.syscalls;
      if (result.signal === SIGXCPU && result.instructions >= settings.instructionLimit) {
        report.outcome = { kind: "limit" };
      } else if (result.signal !== null) {
        report.outcome = { kind: "signal", signal: result.signal };
      } else report.outcome = { kind: "exit", code: result.exitCode ?? result.status };
    }
  }
  const internal = logs.find((line) => line.startsWith("nexaos: internal error"));
  if (internal !== undefined && !isFailure(report.outcome)) {
    report.outcome = { kind: "internal-error", line: internal };
  }
  report.logs = logs.filter((line) => line !== internal);
  if (currentLogs === logs) currentLogs = [];
  return report;
}
