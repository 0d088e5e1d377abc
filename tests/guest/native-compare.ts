// Running one command natively and under NexaOS with the same argv, environment and stdin, and
// describing how the two outcomes (stdout, stderr, exit status) differ. Shared by the tests that
// compare unmodified Debian binaries (busybox-static, bash-static) with the host.

import { lineDifferences } from "../lib/line-diff.ts";
import {
  bufferInput,
  collectOutput,
  runProgram,
  type RunRequest,
} from "../../kernel/run-program.ts";
import { parseElf } from "../../kernel/exec/elf.ts";

/** What a run produced; `status` is the exit code, or 128 + N when killed by signal N. */
export interface Outcome {
  status: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

/** The bytes of a static x86-64 ELF executable at `path`, or null when absent or not one. */
export function staticExecutable(path: string): Uint8Array | null {
  try {
    const image = Deno.readFileSync(path);
    parseElf(image);
    return image;
  } catch {
    return null;
  }
}

/** `KEY=value` strings as the object Deno.Command wants. */
function environment(env: string[]): Record<string, string> {
  return Object.fromEntries(env.map((entry) => {
    const eq = entry.indexOf("=");
    return [entry.slice(0, eq), entry.slice(eq + 1)];
  }));
}

/** Runs `program args…` on the host with exactly `env`; argv[0] is the program path. */
export async function runNative(
  program: string,
  args: string[],
  options: { env: string[]; stdin?: string; cwd?: string },
): Promise<Outcome> {
  const child = new Deno.Command(program, {
    args,
    env: environment(options.env),
    clearEnv: true,
    cwd: options.cwd,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  // A program that exits without reading its input closes the pipe first: not an error here.
  await writer.write(new TextEncoder().encode(options.stdin ?? "")).catch(() => {});
  await writer.close().catch(() => {});
  const out = await child.output();
  return { status: out.code, stdout: out.stdout, stderr: out.stderr };
}

/** Runs a program under NexaOS with the given request (stdio is collected). */
export async function runGuest(
  request: Omit<RunRequest, "stdin" | "stdout" | "stderr">,
  stdin = "",
): Promise<Outcome> {
  const stdout = collectOutput();
  const stderr = collectOutput();
  const result = await runProgram({
    ...request,
    stdin: bufferInput(stdin),
    stdout: stdout.sink,
    stderr: stderr.sink,
  });
  return { status: result.status, stdout: stdout.bytes(), stderr: stderr.bytes() };
}

const SHOWN_LINES = 30;

function lines(bytes: Uint8Array): string[] {
  const split = new TextDecoder().decode(bytes).split("\n");
  if (split.at(-1) === "") split.pop();
  return split;
}

/** The differing lines, as "- native line N" and "+ nexaos:" rows; at most `limit` of them. */
export function lineDiff(expected: string[], actual: string[], limit = SHOWN_LINES): string[] {
  return lineDifferences(expected, actual, limit, {
    removed: "- native line",
    added: "+ nexaos:        ",
  });
}

/** How two streams differ line by line, or null when their bytes are equal. */
export function streamDifference(
  stream: string,
  expected: Uint8Array,
  actual: Uint8Array,
): string | null {
  if (expected.length === actual.length && expected.every((byte, k) => byte === actual[k])) {
    return null;
  }
  const shown = lineDiff(lines(expected), lines(actual));
  return `${stream} differs:\n    ` +
    (shown.length ? shown.join("\n    ") : "(only the final newline differs)");
}

/** Every way `actual` (NexaOS) differs from `expected` (native); empty when they agree. */
export function outcomeDifferences(expected: Outcome, actual: Outcome): string[] {
  const found = [
    streamDifference("stdout", expected.stdout, actual.stdout),
    streamDifference("stderr", expected.stderr, actual.stderr),
  ].filter((difference) => difference !== null);
  if (expected.status !== actual.status) {
    found.push(`status: native ${expected.status}, nexaos ${actual.status}`);
  }
  return found;
}
