// `nexaos run`: run one static x86-64 Linux program under the NexaOS kernel with the host's
// standard streams, like qemu-user or Blink. Exits with the program's status; a death by signal
// prints the shell's one-line description and exits 128+N.

import { isAbsolute, join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { ElfError } from "../kernel/exec/elf.ts";
import { InitialStackError } from "../kernel/exec/initial-stack.ts";
import { DEFAULT_MEMORY_BYTES } from "../kernel/kernel.ts";
import {
  hostStderr,
  hostStdin,
  hostStdout,
  ProgramError,
  runProgram,
  SetupError,
} from "../kernel/run-program.ts";
import type { DiskSpec } from "../kernel/fs/setup.ts";
import type { BlockDevice } from "../kernel/fs/block-device.ts";
import { HostImageDevice } from "../kernel/host/image-file.ts";
import { SIGINT, signalDescription, SIGPIPE } from "../kernel/signals/signals.ts";

const MIB = 1024 * 1024;
const MIN_MEMORY = 16 * MIB;
const MAX_MEMORY = 4096 * MIB - 65536;

/** "512M", "1G", "65536K" or plain bytes → bytes. */
export function parseMemorySize(text: string): number {
  const m = /^(\d+)\s*([kmg]?)(i?b)?$/i.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`"${text}" is not a size like 256M or 1G`);
  const unit =
    { "": 1, k: 1024, m: MIB, g: 1024 * MIB }[m[2].toLowerCase() as "" | "k" | "m" | "g"];
  const bytes = Number(m[1]) * unit;
  if (bytes < MIN_MEMORY || bytes > MAX_MEMORY) {
    throw new InvalidArgumentError(`memory must be between 16M and 4095M (got ${text})`);
  }
  return Math.floor(bytes / 65536) * 65536;
}

/** The environment a program starts with: a clean default plus --env settings. */
export function buildEnvironment(settings: string[], hostTerminal: boolean): string[] {
  const env = new Map<string, string>([
    ["PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
    ["HOME", "/root"],
  ]);
  if (hostTerminal) env.set("TERM", Deno.env.get("TERM") ?? "xterm");
  for (const setting of settings) {
    const eq = setting.indexOf("=");
    if (eq === 0) throw new InvalidArgumentError(`--env ${setting}: the name is empty`);
    if (eq < 0) {
      const value = Deno.env.get(setting);
      if (value !== undefined) env.set(setting, value);
    } else env.set(setting.slice(0, eq), setting.slice(eq + 1));
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

interface RunOptions {
  root?: { path: string; readOnly: boolean };
  initrd?: string;
  disk: DiskSpec[];
  cwd?: string;
  strace?: boolean;
  memory: number;
  env: string[];
  stats?: boolean;
  randomize: boolean;
}

function readProgram(path: string): Uint8Array {
  try {
    return Deno.readFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) fatal(`${path}: No such file or directory`, 127);
    if (e instanceof Deno.errors.PermissionDenied) fatal(`${path}: Permission denied`, 126);
    if (e instanceof Deno.errors.IsADirectory) fatal(`${path}: Is a directory`, 126);
    fatal(`${path}: ${e instanceof Error ? e.message : String(e)}`, 126);
  }
}

function readArchive(path: string): Uint8Array {
  try {
    return Deno.readFileSync(path);
  } catch (e) {
    const reason = e instanceof Deno.errors.NotFound
      ? "No such file or directory"
      : e instanceof Error
      ? e.message
      : String(e);
    fatal(`${path}: ${reason}`, 1);
  }
}

function fatal(message: string, status: number): never {
  console.error(`nexaos: ${message}`);
  Deno.exit(status);
}

/**
 * `deno task` runs in the project folder and says where it was started in INIT_CWD: a relative
 * program path means the user's folder, as it would for any command.
 */
export function resolveFromUser(path: string): string {
  const origin = Deno.env.get("INIT_CWD");
  return origin && !isAbsolute(path) ? join(origin, path) : path;
}

/** `DIR` or `DIR:ro`, relative to where the user started. */
export function parseRootOption(text: string): { path: string; readOnly: boolean } {
  const readOnly = text.endsWith(":ro");
  const path = readOnly ? text.slice(0, -3) : text;
  if (path === "") throw new InvalidArgumentError("the directory is empty");
  return { path: resolveFromUser(path), readOnly };
}

/** `IMAGE[:MOUNTPOINT][:ro]` (repeatable). */
export function parseDiskOption(text: string, previous: DiskSpec[]): DiskSpec[] {
  const parts = text.split(":");
  let readOnly = false;
  if (parts.length > 1 && parts[parts.length - 1] === "ro") {
    readOnly = true;
    parts.pop();
  }
  if (parts.length > 2) throw new InvalidArgumentError(`"${text}" is not IMAGE[:MOUNTPOINT][:ro]`);
  const [image, mountPoint = "/"] = parts;
  if (image === "") throw new InvalidArgumentError("the image path is empty");
  if (!mountPoint.startsWith("/")) {
    throw new InvalidArgumentError(`mount point "${mountPoint}" must be an absolute guest path`);
  }
  if (previous.some((d) => d.mountPoint === mountPoint)) {
    throw new InvalidArgumentError(`two disks mounted at ${mountPoint}`);
  }
  return [...previous, { image: resolveFromUser(image), mountPoint, readOnly }];
}

function openDisk(spec: DiskSpec): BlockDevice {
  try {
    return new HostImageDevice(spec.image, spec.readOnly);
  } catch (e) {
    fatal(`${spec.image}: ${e instanceof Error ? e.message : String(e)}`, 1);
  }
}

async function runCommand(program: string, args: string[], opts: RunOptions): Promise<void> {
  const inGuest = opts.root !== undefined || opts.initrd !== undefined ||
    opts.disk.some((d) => d.mountPoint === "/");
  const initramfs = opts.initrd === undefined ? undefined : readArchive(opts.initrd);
  const image = inGuest ? undefined : readProgram(resolveFromUser(program));
  const stdout = hostStdout();
  const stderr = hostStderr();
  const stdin = hostStdin();
  const encoder = new TextEncoder();
  const trace = opts.strace
    ? (line: string) => stderr.write(encoder.encode(line + "\n"))
    : undefined;
  let result;
  try {
    result = await runProgram({
      image,
      exePath: program,
      realPath: inGuest ? undefined : Deno.realPathSync(resolveFromUser(program)),
      files: { rootDir: opts.root, disks: opts.disk, openDisk, initramfs },
      cwd: opts.cwd,
      argv: [program, ...args],
      env: buildEnvironment(opts.env, stdin.isTerminal || stdout.isTerminal),
      memoryBytes: opts.memory,
      stdin,
      stdout,
      stderr,
      strace: trace,
      forwardSignals: true,
      noRandomize: !opts.randomize,
    });
  } catch (e) {
    if (e instanceof ElfError) fatal(`${program}: ${e.message}`, 126);
    if (e instanceof InitialStackError) fatal(`${program}: ${e.message}`, 126);
    if (e instanceof ProgramError) fatal(e.message, e.status);
    if (e instanceof SetupError) fatal(e.message, 1);
    throw e;
  }
  if (opts.stats) {
    const seconds = result.wallMs / 1000;
    const mips = result.instructions / 1e6 / Math.max(seconds, 1e-9);
    console.error(
      `nexaos: ${result.instructions.toLocaleString("en-US")} instructions, ` +
        `${result.syscalls.toLocaleString("en-US")} syscalls, ${seconds.toFixed(3)} s, ` +
        `${mips.toFixed(1)} MIPS`,
    );
  }
  if (result.signal !== null && result.signal !== SIGINT && result.signal !== SIGPIPE) {
    console.error(signalDescription(result.signal) + (result.coreDumped ? " (core dumped)" : ""));
  }
  Deno.exit(result.status);
}

export function addRunCommand(program: Command): void {
  program.command("run")
    .description("run a static x86-64 Linux program on the emulated CPU under the NexaOS kernel")
    .argument("<program>", "path of a static x86-64 Linux ELF executable")
    .argument("[args...]", "arguments passed to the program")
    .addOption(
      new Option(
        "--root <dir[:ro]>",
        "use a host directory as the guest's / (confined, like chroot)",
      )
        .argParser(parseRootOption),
    )
    .addOption(
      new Option(
        "--disk <image[:mountpoint][:ro]>",
        "mount an ext2 image (repeatable; at / by default, where the program is then looked up)",
      )
        .argParser(parseDiskOption)
        .default([], "none"),
    )
    .addOption(
      new Option("--initrd <archive>", "start from an in-memory root unpacked from a cpio archive")
        .argParser(resolveFromUser),
    )
    .option("--cwd <dir>", "the guest directory the program starts in (default /)")
    .option("--strace", "print each syscall on stderr, in strace's format")
    .addOption(
      new Option("--memory <size>", "guest RAM, e.g. 512M or 1G")
        .argParser(parseMemorySize)
        .default(DEFAULT_MEMORY_BYTES, `${DEFAULT_MEMORY_BYTES / MIB}M`),
    )
    .addOption(
      new Option(
        "--env <name=value>",
        "add to the clean default environment (repeatable; a bare name copies the host's value)",
      )
        .argParser((value: string, previous: string[]) => [...previous, value])
        .default([], "PATH and HOME only"),
    )
    .option("--stats", "print instructions, syscalls, wall time and MIPS on stderr at the end")
    .option("--no-randomize", "disable address-space layout randomisation")
    .passThroughOptions()
    .action((path: string, args: string[], opts: RunOptions) => runCommand(path, args, opts));
}
