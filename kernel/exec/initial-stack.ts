// The initial process stack of a new program, laid out byte for byte as Linux does it
// (fs/exec.c do_execveat_common + fs/binfmt_elf.c create_elf_tables). Pure: it returns the bytes
// to copy into the top of the new stack mapping and the initial stack pointer.
//
// Layout, from the top of the stack mapping (stackTop) downwards:
//   stackTop - 8           8 zero bytes (Linux starts bprm->p one pointer below the top)
//   execFn string          AT_EXECFN points here
//   envp strings           envp[0] lowest, each NUL-terminated       (mm->env_start..env_end)
//   argv strings           argv[0] lowest; argStart = argv[0]        (mm->arg_start..arg_end)
//   (arch_align_stack: subtract randomOffset, round down to 16)
//   platform string        "x86_64\0"; AT_PLATFORM points here
//   16 random bytes        AT_RANDOM points here
//   0-15 zero bytes        so that sp below is 16-byte aligned
//   auxv pairs             (type, value) as given, then AT_NULL (0, 0)
//   NULL, envp pointers
//   NULL, argv pointers
//   sp ->  argc
// An empty argv becomes [""] as in Linux 5.18+: the empty string is placed below the argv strings
// and argc is 1. Strings are UTF-8 (string) or raw bytes (Uint8Array, as execve receives them);
// neither may contain a NUL byte.
//
// Limits, as Linux (E2BIG): each string including its NUL at most MAX_ARG_STRLEN (131072 bytes);
// execFn + envp + argv strings plus 8 bytes per argv/envp pointer at most a quarter of the stack
// rlimit, capped at 6 MiB and never below 128 KiB (2 MiB with the default 8 MiB rlimit).
//
// Checked against real Linux (6.18) with userland/probe/stack-layout.c, which dumps [sp, top) of
// its own initial stack: given the same strings, random bytes, auxv and arch_align_stack offset,
// buildInitialStack produces identical bytes (tests/kernel/initial_stack_test.ts runs this).

export const AT_NULL = 0;
export const AT_PHDR = 3;
export const AT_PHENT = 4;
export const AT_PHNUM = 5;
export const AT_PAGESZ = 6;
export const AT_BASE = 7;
export const AT_FLAGS = 8;
export const AT_ENTRY = 9;
export const AT_UID = 11;
export const AT_EUID = 12;
export const AT_GID = 13;
export const AT_EGID = 14;
export const AT_PLATFORM = 15;
export const AT_HWCAP = 16;
export const AT_CLKTCK = 17;
export const AT_SECURE = 23;
export const AT_RANDOM = 25;
export const AT_HWCAP2 = 26;
export const AT_RSEQ_FEATURE_SIZE = 27;
export const AT_RSEQ_ALIGN = 28;
export const AT_EXECFN = 31;
export const AT_SYSINFO_EHDR = 33;
export const AT_MINSIGSTKSZ = 51;

/** Linux's per-string limit (32 pages), counting the terminating NUL. */
export const MAX_ARG_STRLEN = 131072;
export const DEFAULT_STACK_RLIMIT = 8 * 1024 * 1024;
const ARG_MAX = 131072;
const STRINGS_CAP = 6 * 1024 * 1024;
const USER_ADDRESS_LIMIT = 0x7ffffffff000;
const PAGE_SIZE = 4096;

export type AuxvEntry = [type: number, value: number];

/** An argument the caller got wrong (errno "EINVAL") or a Linux E2BIG limit (errno "E2BIG"). */
export class InitialStackError extends Error {
  override name = "InitialStackError";
  constructor(message: string, readonly errno: "E2BIG" | "EINVAL") {
    super(message);
  }
}

export interface InitialStackOptions {
  /** One past the highest stack byte: the end of the stack mapping, page aligned. */
  stackTop: number;
  argv: readonly (string | Uint8Array)[];
  envp: readonly (string | Uint8Array)[];
  /** The path execve was given (AT_EXECFN). */
  execFn: string | Uint8Array;
  /** AT_PLATFORM string; default "x86_64". */
  platform?: string;
  /** The 16 bytes AT_RANDOM points at (libc seeds stack protector and pointer guard from them). */
  random16: Uint8Array;
  /**
   * auxv entries in order, without AT_NULL (appended here). The values of AT_PLATFORM, AT_RANDOM
   * and AT_EXECFN are replaced by the addresses of what this function places; auxvFor() returns
   * Linux's list with those three in Linux's positions.
   */
  auxv: readonly AuxvEntry[];
  /** RLIMIT_STACK soft limit for the E2BIG check; default 8 MiB (Infinity = unlimited). */
  stackRlimit?: number;
  /** arch_align_stack's random shift below the strings (Linux with ASLR: 0-8191); default 0. */
  randomOffset?: number;
}

export interface InitialStack {
  /** The image of [sp, stackTop). */
  bytes: Uint8Array;
  /** Initial RSP: 16-byte aligned, pointing at argc. */
  sp: number;
  /** Address range of the argv strings (/proc/PID/cmdline) and the envp strings (environ). */
  argStart: number;
  argEnd: number;
  envStart: number;
  envEnd: number;
  execFnAddress: number;
  platformAddress: number;
  randomAddress: number;
  /** The auxv as written, ending with AT_NULL (what /proc/PID/auxv shows). */
  auxv: AuxvEntry[];
}

const encoder = new TextEncoder();

function encodeString(value: string | Uint8Array, what: string): Uint8Array {
  const bytes = typeof value === "string" ? encoder.encode(value) : value;
  if (bytes.includes(0)) throw new InitialStackError(`${what} contains a NUL byte`, "EINVAL");
  if (bytes.length + 1 > MAX_ARG_STRLEN) {
    throw new InitialStackError(
      `argument list too long (E2BIG): ${what} is ${bytes.length + 1} bytes with its NUL; ` +
        `Linux allows ${MAX_ARG_STRLEN} (MAX_ARG_STRLEN)`,
      "E2BIG",
    );
  }
  return bytes;
}

function checkAddress(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InitialStackError(`${what} ${value} is not a non-negative safe integer`, "EINVAL");
  }
}

function floor16(value: number): number {
  return value - (value % 16);
}

function totalLength(strings: Uint8Array[]): number {
  let total = 0;
  for (const s of strings) total += s.length + 1;
  return total;
}

/** Linux's bprm_stack_limits + copy_strings check: throws E2BIG when the strings do not fit. */
function checkArgumentSpace(
  argc: number,
  envc: number,
  stringBytes: number,
  stackRlimit: number,
): void {
  const limit = Math.max(Math.min(STRINGS_CAP, stackRlimit / 4), ARG_MAX);
  const pointerBytes = (Math.max(argc, 1) + envc) * 8;
  if (pointerBytes + stringBytes > limit) {
    throw new InitialStackError(
      `argument list too long (E2BIG): argv and envp need ${pointerBytes + stringBytes} bytes ` +
        `(strings plus 8 per pointer); Linux allows ${Math.floor(limit)}, a quarter of the ` +
        `stack rlimit capped at 6 MiB (2 MiB for the default 8 MiB), and ${MAX_ARG_STRLEN} ` +
        `per string`,
      "E2BIG",
    );
  }
}

class StackWriter {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array, private readonly base: number) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u64(address: number, value: number): void {
    const at = address - this.base;
    this.view.setUint32(at, value % 2 ** 32, true);
    this.view.setUint32(at + 4, Math.floor(value / 2 ** 32), true);
  }

  cString(address: number, value: Uint8Array): void {
    this.bytes.set(value, address - this.base);
    this.bytes[address - this.base + value.length] = 0;
  }

  raw(address: number, value: Uint8Array): void {
    this.bytes.set(value, address - this.base);
  }
}

/** Builds the initial stack image; throws InitialStackError on bad options or E2BIG. */
export function buildInitialStack(options: InitialStackOptions): InitialStack {
  const { stackTop, random16 } = options;
  if (
    !Number.isSafeInteger(stackTop) || stackTop <= 0 || stackTop % PAGE_SIZE !== 0 ||
    stackTop > USER_ADDRESS_LIMIT
  ) {
    throw new InitialStackError(
      `stack top ${stackTop} must be a page-aligned user address`,
      "EINVAL",
    );
  }
  if (random16.length !== 16) {
    throw new InitialStackError(`random16 has ${random16.length} bytes, not 16`, "EINVAL");
  }
  const randomOffset = options.randomOffset ?? 0;
  checkAddress(randomOffset, "randomOffset");
  for (const [type, value] of options.auxv) {
    checkAddress(type, "auxv type");
    checkAddress(value, `auxv value for type ${type}`);
    if (type === AT_NULL) {
      throw new InitialStackError("auxv must not contain AT_NULL; it is appended", "EINVAL");
    }
  }

  const argv = options.argv.map((s, i) => encodeString(s, `argv[${i}]`));
  if (argv.length === 0) argv.push(new Uint8Array(0));
  const envp = options.envp.map((s, i) => encodeString(s, `envp[${i}]`));
  const execFn = encodeString(options.execFn, "execFn");
  const platform = encodeString(options.platform ?? "x86_64", "platform");
  const argBytes = totalLength(argv), envBytes = totalLength(envp);
  checkArgumentSpace(
    options.argv.length,
    envp.length,
    execFn.length + 1 + envBytes + argBytes,
    options.stackRlimit ?? DEFAULT_STACK_RLIMIT,
  );

  const execFnAddress = stackTop - 8 - (execFn.length + 1);
  const envEnd = execFnAddress;
  const envStart = envEnd - envBytes;
  const argEnd = envStart;
  const argStart = argEnd - argBytes;
  const platformAddress = floor16(argStart - randomOffset) - (platform.length + 1);
  const randomAddress = platformAddress - 16;

  const auxv: AuxvEntry[] = options.auxv.map(([type, value]): AuxvEntry => {
    if (type === AT_PLATFORM) return [type, platformAddress];
    if (type === AT_RANDOM) return [type, randomAddress];
    if (type === AT_EXECFN) return [type, execFnAddress];
    return [type, value];
  });
  auxv.push([AT_NULL, 0]);
  const pointerWords = 1 + (argv.length + 1) + (envp.length + 1);
  const sp = floor16(randomAddress - auxv.length * 16 - pointerWords * 8);
  if (sp <= 0) throw new InitialStackError("the initial stack does not fit below its top", "E2BIG");

  const out = new StackWriter(new Uint8Array(stackTop - sp), sp);
  out.cString(execFnAddress, execFn);
  out.cString(platformAddress, platform);
  out.raw(randomAddress, random16);
  let cursor = sp;
  out.u64(cursor, argv.length);
  cursor += 8;
  let stringAddress = argStart;
  for (const list of [argv, envp]) {
    for (const s of list) {
      out.u64(cursor, stringAddress);
      out.cString(stringAddress, s);
      cursor += 8;
      stringAddress += s.length + 1;
    }
    out.u64(cursor, 0);
    cursor += 8;
  }
  for (const [type, value] of auxv) {
    out.u64(cursor, type);
    out.u64(cursor + 8, value);
    cursor += 16;
  }

  return {
    bytes: out.bytes,
    sp,
    argStart,
    argEnd,
    envStart,
    envEnd,
    execFnAddress,
    platformAddress,
    randomAddress,
    auxv,
  };
}

export interface AuxvParams {
  /** Address of the program headers in memory, load base included (AT_PHDR). */
  phdr: number;
  phnum: number;
  /** Entry point, load base included (AT_ENTRY). */
  entry: number;
  /** CPUID.1:EDX of the CPU the program runs on, which is what Linux reports (AT_HWCAP). */
  hwcap: number;
  /** Linux reports the size of a signal frame with this CPU's FPU state (AT_MINSIGSTKSZ). */
  minSigStackSize: number;
  /** AT_HWCAP2 bits (x86: 1 = ring-3 MWAIT, 2 = FSGSBASE); default 0. */
  hwcap2?: number;
  phent?: number;
  /** Interpreter load address (AT_BASE); 0 for static programs, the default. */
  base?: number;
  uid?: number;
  euid?: number;
  gid?: number;
  egid?: number;
  secure?: boolean;
  /** AT_CLKTCK, sysconf(_SC_CLK_TCK); Linux's USER_HZ is 100. */
  clockTicks?: number;
  /** Address of the vDSO ELF image (AT_SYSINFO_EHDR); omitted when absent, as Linux does. */
  vdso?: number | null;
  /** AT_RSEQ_FEATURE_SIZE/AT_RSEQ_ALIGN (Linux 6.3+); omitted when absent. */
  rseq?: { featureSize: number; align: number } | null;
}

/**
 * The auxv create_elf_tables writes on x86-64, in its order. AT_RANDOM, AT_EXECFN and AT_PLATFORM
 * hold 0 here; buildInitialStack fills them in.
 */
export function auxvFor(params: AuxvParams): AuxvEntry[] {
  const entries: AuxvEntry[] = [];
  if (params.vdso != null) entries.push([AT_SYSINFO_EHDR, params.vdso]);
  entries.push(
    [AT_MINSIGSTKSZ, params.minSigStackSize],
    [AT_HWCAP, params.hwcap],
    [AT_PAGESZ, PAGE_SIZE],
    [AT_CLKTCK, params.clockTicks ?? 100],
    [AT_PHDR, params.phdr],
    [AT_PHENT, params.phent ?? 56],
    [AT_PHNUM, params.phnum],
    [AT_BASE, params.base ?? 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, params.entry],
    [AT_UID, params.uid ?? 0],
    [AT_EUID, params.euid ?? 0],
    [AT_GID, params.gid ?? 0],
    [AT_EGID, params.egid ?? 0],
    [AT_SECURE, params.secure ? 1 : 0],
    [AT_RANDOM, 0],
    [AT_HWCAP2, params.hwcap2 ?? 0],
    [AT_EXECFN, 0],
    [AT_PLATFORM, 0],
  );
  if (params.rseq) {
    entries.push([AT_RSEQ_FEATURE_SIZE, params.rseq.featureSize]);
    entries.push([AT_RSEQ_ALIGN, params.rseq.align]);
  }
  return entries;
}
