// How a syscall handler sees its arguments: the six argument registers (RDI, RSI, RDX, R10, R8,
// R9) read straight from the CPU, with accessors for the C type each parameter has. Linux
// truncates `int` parameters to 32 bits and treats pointers and sizes as unsigned 64-bit values.

import type { Cpu } from "../../core/cpu/cpu.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";

const ARG_REGS = [7, 6, 2, 10, 8, 9];
const TWO32 = 2 ** 32;

export class SyscallArgs {
  constructor(private readonly cpu: Cpu) {}

  lo(i: number): number {
    return this.cpu.r[ARG_REGS[i] * 2];
  }
  hi(i: number): number {
    return this.cpu.r[ARG_REGS[i] * 2 + 1];
  }
  /** C `int` (fds, flags, signal numbers): the low 32 bits, signed. */
  int(i: number): number {
    return this.lo(i) | 0;
  }
  /** C `unsigned int`. */
  uint(i: number): number {
    return this.lo(i);
  }
  /** Unsigned 64-bit (sizes, pointers). Exact below 2^53; larger values are never valid. */
  u64(i: number): number {
    return this.hi(i) * TWO32 + this.lo(i);
  }
  /** Signed 64-bit (offsets, timeouts). Exact when |v| < 2^53. */
  s64(i: number): number {
    return (this.hi(i) | 0) * TWO32 + this.lo(i);
  }
  /** All six as BigInt values (for strace, which prints the raw registers). */
  raw(): bigint[] {
    return ARG_REGS.map((_, i) => (BigInt(this.hi(i)) << 32n) | BigInt(this.lo(i)));
  }
}

/**
 * What a handler returns when it has set every register itself (rt_sigreturn restores the
 * interrupted RAX, which need not fit a JS number): the dispatcher leaves RAX alone.
 */
export const RESULT_IN_REGISTERS = Number.MIN_SAFE_INTEGER;

/** A syscall implementation: returns the result (>= 0) or -errno, possibly after waiting. */
export type SyscallHandler = (
  task: Task,
  args: SyscallArgs,
  kernel: Kernel,
) => number | Promise<number>;

/** What each family file exports: handlers keyed by the syscall's name in the table. */
export type SyscallFamily = Record<string, SyscallHandler>;
