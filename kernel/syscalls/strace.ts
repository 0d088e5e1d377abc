// Formats one syscall as strace prints it:
//   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)
// with strace's column alignment of " = ", its quoting, symbolic flags and structures. Also the
// helpers that turn register values into signed or unsigned C integers.

import {
  ERESTART_RESTARTBLOCK,
  ERESTARTNOHAND,
  ERESTARTNOINTR,
  ERESTARTSYS,
  errnoMessage,
  errnoName,
  MAX_ERRNO,
} from "../errno.ts";
import { syscallByNumber, type SyscallRow } from "./table.ts";
import {
  type CallContext,
  formatArg,
  formatCloneArgs,
  formatFcntlResult,
  formatPrctlResult,
} from "./strace-args.ts";
import { GuestMemory, type ReadMemory } from "./strace-memory.ts";
import { isoTime } from "./strace-structs.ts";
import { hex } from "./strace-xlat.ts";

export type { ReadMemory } from "./strace-memory.ts";

/**
 * A 64-bit register as the kernel passes it: a number lo + hi * 2^32 (exact below 2^53), or a
 * bigint. Values at or above 2^53 are only exact as bigints; regValue() picks the right form.
 */
export type RegValue = number | bigint;

const TWO_POW_64 = 2n ** 64n;

/** The register halves as one value: a number when that is exact, else a bigint. */
export function regValue(lo: number, hi: number): RegValue {
  const high = hi >>> 0;
  if (high < 0x200000) return high * 0x100000000 + (lo >>> 0);
  return (BigInt(high) << 32n) | BigInt(lo >>> 0);
}

/** The value as an unsigned 64-bit integer (negative numbers wrap; too-large ones saturate). */
export function toUint64(value: RegValue): bigint {
  if (typeof value === "bigint") return BigInt.asUintN(64, value);
  if (!Number.isFinite(value)) return 0n;
  const whole = BigInt(Math.trunc(value));
  if (whole >= TWO_POW_64) return TWO_POW_64 - 1n;
  return BigInt.asUintN(64, whole);
}

/** The low 32 bits as a C int: how the kernel reads int arguments (fds, pids, flags). */
export function argInt32(value: RegValue): number {
  return Number(BigInt.asIntN(32, toUint64(value)));
}

export function argUint32(value: RegValue): number {
  return Number(BigInt.asUintN(32, toUint64(value)));
}

/** The full register as a signed 64-bit value (off_t, long), exact as a bigint. */
export function argBigInt64(value: RegValue): bigint {
  return BigInt.asIntN(64, toUint64(value));
}

/** The full register as a signed number (exact within +-2^53: offsets, lengths). */
export function argInt64(value: RegValue): number {
  return Number(argBigInt64(value));
}

/** A syscall result in -4095..-1 is -errno. */
export function isErrorResult(result: RegValue): boolean {
  const signed = toSigned(result);
  return signed < 0n && signed >= -BigInt(MAX_ERRNO);
}

function toSigned(value: RegValue): bigint {
  if (typeof value === "number" && value < 0) return BigInt(Math.trunc(value));
  return BigInt.asIntN(64, toUint64(value));
}

/** strace aligns " = result" at column 40 when the call is shorter. */
const RESULT_COLUMN = 40;

/**
 * One strace line (no newline) for a finished call. exit and exit_group always show "= ?" (print
 * them before they run), as does a null result (a call that never returned). `row` may be a
 * syscall number; numbers not in the table print like strace's syscall_0x1c8(...) with six hex
 * arguments.
 */
export function formatSyscall(
  row: SyscallRow | number,
  args: readonly RegValue[],
  result: RegValue | null,
  readMemory: ReadMemory,
): string {
  const known = typeof row === "number" ? syscallByNumber(row) : row;
  const raw = Array.from({ length: 6 }, (_, i) => toUint64(args[i] ?? 0));
  const signed = result === null ? 0n : toSigned(result);
  const failed = signed < 0n && signed >= -BigInt(MAX_ERRNO);
  if (known === undefined) {
    const nr = typeof row === "number" ? row : 0;
    const call = `syscall_${hex(nr)}(${raw.map((v) => hex(v)).join(", ")})`;
    if (result === null) return align(call, "?");
    return align(call, failed ? formatError(signed) : String(signed));
  }
  const context: CallContext = {
    row: known,
    args: raw,
    result: signed,
    failed,
    mem: new GuestMemory(readMemory),
  };
  const printed = known.name === "clone" ? formatCloneArgs(context) : formatArgs(context);
  const shown = result === null ? "?" : formatResult(context);
  return align(`${known.name}(${printed.join(", ")})`, shown);
}

function formatArgs(call: CallContext): string[] {
  const printed: string[] = [];
  for (let i = 0; i < call.row.args.length; i++) {
    const text = formatArg(call, i);
    if (text !== null) printed.push(text);
  }
  return printed;
}

function align(call: string, result: string): string {
  return `${call} `.padEnd(RESULT_COLUMN) + "= " + result;
}

/** Kernel-internal codes of a call a signal interrupted: strace shows them with "?". */
const RESTART_CODES = new Map<number, string>([
  [ERESTARTSYS, "ERESTARTSYS (To be restarted if SA_RESTART is set)"],
  [ERESTARTNOINTR, "ERESTARTNOINTR (To be restarted)"],
  [ERESTARTNOHAND, "ERESTARTNOHAND (To be restarted if no handler)"],
  [ERESTART_RESTARTBLOCK, "ERESTART_RESTARTBLOCK (Interrupted by signal)"],
]);

function formatError(signed: bigint): string {
  const errno = Number(-signed);
  const restart = RESTART_CODES.get(errno);
  if (restart !== undefined) return `? ${restart}`;
  return `-1 ${errnoName(errno) ?? errno} (${errnoMessage(errno)})`;
}

function formatResult(call: CallContext): string {
  const kind = call.row.ret ?? "int";
  if (kind === "noreturn") return "?";
  if (call.failed) return formatError(call.result);
  const result = call.result;
  switch (kind) {
    case "hex":
      return hex(BigInt.asUintN(64, result));
    case "octal":
      return result === 0n ? "0" : "0" + BigInt.asUintN(64, result).toString(8);
    case "time":
      return `${result} (${isoTime(result)})`;
    case "fcntl":
      return formatFcntlResult(call) ?? String(result);
    case "prctl":
      return formatPrctlResult(call) ?? String(result);
    case "int":
      return String(result);
  }
}
