// Running one static Linux program under a fresh kernel: what `deno task run`, the tests and
// the benchmarks call. Parses the ELF (ElfError for bad files), loads it, connects its standard
// streams, forwards host signals (Ctrl-C) and resolves to its exit status and statistics.

import { parseElf } from "./exec/elf.ts";
import { loadProgram } from "./exec/load.ts";
import { O_LARGEFILE, O_RDONLY, O_RDWR, O_WRONLY, OpenFile } from "./files/open-file.ts";
import { StdinOps, StdoutOps, Terminal } from "./files/stdio-file.ts";
import {
  bufferInput,
  collectOutput,
  hostStderr,
  hostStdin,
  hostStdout,
  type InputEndpoint,
  type OutputEndpoint,
} from "./host/stdio.ts";
import { Kernel } from "./kernel.ts";
import { SIGINT, SIGKILL } from "./signals/signals.ts";

export { bufferInput, collectOutput, hostStderr, hostStdin, hostStdout };

export interface RunRequest {
  /** The ELF file's bytes. */
  image: Uint8Array;
  /** The program's path as given (AT_EXECFN). */
  exePath: string;
  /** Its canonical absolute path (/proc/self/exe); by default the host's realpath of exePath. */
  realPath?: string;
  argv: string[];
  env: string[];
  memoryBytes?: number;
  stdin?: InputEndpoint;
  stdout?: OutputEndpoint;
  stderr?: OutputEndpoint;
  /** One strace-style line per syscall. */
  strace?: (line: string) => void;
  /** Forward the host's SIGINT (Ctrl-C) to the program. */
  forwardSignals?: boolean;
  noRandomize?: boolean;
  /** Kill the program with SIGXCPU after this many guest instructions. */
  instructionLimit?: number;
  /** Aborting kills the program with SIGKILL, even while it waits (an embedder's timeout). */
  signal?: AbortSignal;
}

export interface RunResult {
  /** Exit code 0-255, or 128+N when killed by signal N (as a shell reports it). */
  status: number;
  exitCode: number | null;
  signal: number | null;
  coreDumped: boolean;
  instructions: number;
  syscalls: number;
  wallMs: number;
}

function hostRealPath(path: string): string {
  try {
    return Deno.realPathSync(path);
  } catch {
    return path;
  }
}

export async function runProgram(request: RunRequest): Promise<RunResult> {
  const image = parseElf(request.image);
  const kernel = new Kernel({
    memoryBytes: request.memoryBytes,
    strace: request.strace,
    instructionLimit: request.instructionLimit,
  });
  const task = loadProgram(kernel, image, request.image, {
    argv: request.argv,
    envp: request.env,
    exePath: request.exePath,
    realPath: request.realPath ?? hostRealPath(request.exePath),
    noRandomize: request.noRandomize,
  });
  const proc = task.proc;
  const stdin = request.stdin ?? bufferInput();
  const stdout = request.stdout ?? collectOutput().sink;
  const stderr = request.stderr ?? collectOutput().sink;
  const anyTerminal = stdin.isTerminal || stdout.isTerminal || stderr.isTerminal;
  const size = () => (stdout.windowSize ?? stderr.windowSize)?.() ?? null;
  const terminal = anyTerminal ? new Terminal(stdin.isTerminal ? stdin : null, size) : null;
  const ttyFlags = O_RDWR | O_LARGEFILE;
  proc.fds.install(
    new OpenFile(
      new StdinOps(stdin, stdin.isTerminal ? terminal : null),
      stdin.isTerminal ? ttyFlags : O_RDONLY,
      "pipe:[0]",
    ),
    false,
  );
  [stdout, stderr].forEach((out, i) => {
    const ops = new StdoutOps(out, out.isTerminal ? terminal : null);
    proc.fds.install(
      new OpenFile(ops, out.isTerminal ? ttyFlags : O_WRONLY, `pipe:[${i + 1}]`),
      false,
    );
  });

  const onInterrupt = () => kernel.sendSignal(task, SIGINT);
  if (request.forwardSignals) Deno.addSignalListener("SIGINT", onInterrupt);
  const onAbort = () => kernel.sendSignal(task, SIGKILL);
  if (request.signal?.aborted) onAbort();
  request.signal?.addEventListener("abort", onAbort);
  const start = performance.now();
  const instructionsBefore = kernel.cpu.instructions;
  let status: number;
  try {
    status = await kernel.run(task);
  } finally {
    if (request.forwardSignals) Deno.removeSignalListener("SIGINT", onInterrupt);
    request.signal?.removeEventListener("abort", onAbort);
    terminal?.restore();
  }
  const wallMs = performance.now() - start;
  kernel.reap(proc);
  const signal = status & 0x7f;
  return {
    status: signal === 0 ? (status >> 8) & 0xff : 128 + signal,
    exitCode: signal === 0 ? (status >> 8) & 0xff : null,
    signal: signal === 0 ? null : signal,
    coreDumped: (status & 0x80) !== 0,
    instructions: kernel.cpu.instructions - instructionsBefore,
    syscalls: kernel.stats.syscalls,
    wallMs,
  };
}
