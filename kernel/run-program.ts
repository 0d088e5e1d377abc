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
import type { Path } from "./fs/dentry.ts";
import { isDir, isReg, readInodeStart } from "./fs/inode.ts";
import { pathString, resolve } from "./fs/path-walk.ts";
import { MAY_EXEC, permitted } from "./fs/permission.ts";
import { type FileSystemSetup, installFile, SetupError, setUpFileSystems } from "./fs/setup.ts";
import { rootCredentials } from "./proc/process.ts";
import { SyscallError } from "./syscall-error.ts";
import { ENOENT, errnoMessage } from "./errno.ts";

export { SetupError };
export type { FileSystemSetup };
import { SIGHUP, SIGINT, SIGKILL, SIGQUIT, SIGTERM, SIGTSTP } from "./signals/signals.ts";

export { bufferInput, collectOutput, hostStderr, hostStdin, hostStdout };

export interface RunRequest {
  /**
   * The ELF file's bytes, read from the host: the program is installed at `realPath` in the
   * in-memory root. Without it, `exePath` names the program inside the guest's tree (a --root
   * directory or a --disk image).
   */
  image?: Uint8Array;
  /** The program's path as given (AT_EXECFN). */
  exePath: string;
  /** Its canonical absolute host path; by default the host's realpath of exePath. */
  realPath?: string;
  /** The guest's filesystem tree (default: an in-memory root). */
  files?: FileSystemSetup;
  /** The working directory the program starts in (a guest path; default "/"). */
  cwd?: string;
  argv: string[];
  env: string[];
  memoryBytes?: number;
  stdin?: InputEndpoint;
  stdout?: OutputEndpoint;
  stderr?: OutputEndpoint;
  /** One strace-style line per syscall. */
  strace?: (line: string) => void;
  /** Kernel messages (default: the host's stderr). */
  log?: (line: string) => void;
  /**
   * Forward the host's SIGINT (Ctrl-C), SIGTERM and SIGHUP to the program, so that stopping the
   * emulator politely still ends the run normally: disks flushed and marked clean.
   */
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

/** The program cannot be started: `status` is the shell's 127 (not found) or 126. */
export class ProgramError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

/** Find the program in the guest's tree and read it, as execve would. */
function programInGuest(kernel: Kernel, path: string, cwd: Path): { at: Path; bytes: Uint8Array } {
  const root = kernel.vfs.rootPath();
  let at: Path;
  try {
    at = resolve({ mounts: kernel.vfs.mounts, root, creds: rootCredentials() }, cwd, path, {
      follow: true,
    });
  } catch (e) {
    if (e instanceof SyscallError) {
      throw new ProgramError(`${path}: ${errnoMessage(e.errno)}`, e.errno === ENOENT ? 127 : 126);
    }
    throw e;
  }
  const inode = at.dentry.inode;
  if (isDir(inode.mode)) throw new ProgramError(`${path}: Is a directory`, 126);
  if (!isReg(inode.mode) || !permitted(inode, rootCredentials(), MAY_EXEC)) {
    throw new ProgramError(`${path}: Permission denied`, 126);
  }
  if (inode.size > MAX_PROGRAM_BYTES) throw new ProgramError(`${path}: File too large`, 126);
  let bytes: Uint8Array;
  try {
    bytes = readInodeStart(inode, inode.size);
  } catch (e) {
    if (e instanceof SyscallError) {
      throw new ProgramError(`${path}: ${errnoMessage(e.errno)}`, 126);
    }
    throw e;
  }
  return { at, bytes };
}

const MAX_PROGRAM_BYTES = 1 << 30;

function directoryInGuest(kernel: Kernel, path: string): Path {
  const root = kernel.vfs.rootPath();
  try {
    return resolve({ mounts: kernel.vfs.mounts, root, creds: rootCredentials() }, root, path, {
      follow: true,
      directory: true,
    });
  } catch (e) {
    if (e instanceof SyscallError) {
      throw new SetupError(`working directory ${path}: ${errnoMessage(e.errno)}`);
    }
    throw e;
  }
}

export async function runProgram(request: RunRequest): Promise<RunResult> {
  const kernel = new Kernel({
    memoryBytes: request.memoryBytes,
    strace: request.strace,
    log: request.log,
    instructionLimit: request.instructionLimit,
  });
  try {
    return await runInKernel(kernel, request);
  } finally {
    for (const failure of kernel.shutdownFileSystems()) kernel.log(`unmount: ${failure}`);
  }
}

async function runInKernel(kernel: Kernel, request: RunRequest): Promise<RunResult> {
  const { programFromHost } = setUpFileSystems(kernel, request.files ?? {});
  const root = kernel.vfs.rootPath();
  const cwd = directoryInGuest(kernel, request.cwd ?? "/");
  let bytes: Uint8Array;
  let exeAt: Path;
  if (programFromHost) {
    if (request.image === undefined) throw new ProgramError(`${request.exePath}: no image`, 127);
    bytes = request.image;
    const hostPath = request.realPath ?? hostRealPath(request.exePath);
    const guestPath = hostPath.startsWith("/") ? hostPath : `/${hostPath}`;
    exeAt = installFile(kernel, guestPath, bytes, 0o755);
  } else {
    ({ at: exeAt, bytes } = programInGuest(kernel, request.exePath, cwd));
  }
  const image = parseElf(bytes);
  const task = loadProgram(kernel, image, bytes, {
    argv: request.argv,
    envp: request.env,
    exePath: request.exePath,
    realPath: pathString(exeAt, root),
    noRandomize: request.noRandomize,
    location: exeAt,
  });
  const proc = task.proc;
  proc.root = root;
  proc.cwd = cwd;
  proc.exeLocation = exeAt;
  const stdin = request.stdin ?? bufferInput();
  const stdout = request.stdout ?? collectOutput().sink;
  const stderr = request.stderr ?? collectOutput().sink;
  const anyTerminal = stdin.isTerminal || stdout.isTerminal || stderr.isTerminal;
  const size = () => (stdout.windowSize ?? stderr.windowSize)?.() ?? null;
  const terminal = anyTerminal ? new Terminal(stdin.isTerminal ? stdin : null, size) : null;
  if (terminal !== null && stdin.isTerminal) {
    kernel.terminal = { input: stdin, output: stdout.isTerminal ? stdout : stderr, tty: terminal };
  }
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

  // Ctrl-C, Ctrl-\ and Ctrl-Z go to the terminal's foreground process group, as the tty driver
  // sends them (so ^Z stops a guest shell's job, not the emulator; a lone program is an orphaned
  // group, for which Linux discards it); a polite stop of the emulator (SIGTERM, SIGHUP) goes to
  // the first process.
  const toForeground = (sig: number) => {
    const group = terminal?.foregroundGroup ?? proc.pgid;
    let sent = false;
    for (const p of kernel.processes.values()) {
      const thread = p.liveThreads()[0];
      if (p.pgid !== group || p.exitStatus !== null || thread === undefined) continue;
      kernel.sendSignal(thread, sig);
      sent = true;
    }
    if (!sent) kernel.sendSignal(task, sig);
  };
  const forwarded = [
    ["SIGINT", SIGINT],
    ["SIGQUIT", SIGQUIT],
    ["SIGTSTP", SIGTSTP],
    ["SIGTERM", SIGTERM],
    ["SIGHUP", SIGHUP],
  ] as const;
  const fromTerminal = new Set<number>([SIGINT, SIGQUIT, SIGTSTP]);
  const listeners = forwarded.map(([name, sig]) =>
    [name, () => fromTerminal.has(sig) ? toForeground(sig) : kernel.sendSignal(task, sig)] as const
  );
  if (request.forwardSignals) {
    for (const [name, listener] of listeners) Deno.addSignalListener(name, listener);
  }
  const onAbort = () => kernel.sendSignal(task, SIGKILL);
  if (request.signal?.aborted) onAbort();
  request.signal?.addEventListener("abort", onAbort);
  const start = performance.now();
  const instructionsBefore = kernel.cpu.instructions;
  let status: number;
  try {
    status = await kernel.run(task);
  } finally {
    if (request.forwardSignals) {
      for (const [name, listener] of listeners) Deno.removeSignalListener(name, listener);
    }
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
