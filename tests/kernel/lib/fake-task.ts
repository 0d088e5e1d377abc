// A minimal machine for calling syscall handlers directly: a 16 MiB Kernel, a process with an
// address space holding one read-write area, its task, and `call()` to load the six argument
// registers and run a handler, with SyscallError turned into -errno as the dispatcher does.

import { Kernel } from "../../../kernel/kernel.ts";
import { AddressSpace } from "../../../kernel/mm/address-space.ts";
import { PROT_READ, PROT_WRITE } from "../../../kernel/mm/vma.ts";
import { type Credentials, Process, rootCredentials, Task } from "../../../kernel/proc/process.ts";
import { SyscallArgs, type SyscallHandler } from "../../../kernel/syscalls/args.ts";
import { SyscallError } from "../../../kernel/syscall-error.ts";

/** Where the read-write test area starts, and its size. */
export const AREA = 0x10000000;
export const AREA_SIZE = 256 * 1024;
/** An address nothing is mapped at. */
export const UNMAPPED = 0x20000000;

/** Argument registers in syscall order: RDI, RSI, RDX, R10, R8, R9. */
const ARG_REGS = [7, 6, 2, 10, 8, 9];

export type Arg = number | bigint;

export class FakeMachine {
  readonly kernel = new Kernel({ memoryBytes: 16 << 20 });
  readonly task: Task;

  constructor(name = "test") {
    this.task = this.spawn(name);
  }

  get proc(): Process {
    return this.task.proc;
  }

  /** Another process (own address space with the same test area) in the same kernel. */
  spawn(name = "other", creds: Credentials = rootCredentials()): Task {
    const mm = new AddressSpace(this.kernel.mem, this.kernel.frames);
    const at = mm.mapAnonymous(AREA, AREA_SIZE, PROT_READ | PROT_WRITE, 0, "replace");
    if (at !== AREA) throw new Error(`test area not mapped: ${at}`);
    const proc = new Process(this.kernel.allocatePid(), null, mm, creds, name);
    return this.kernel.newTask(proc);
  }

  /** A second thread of `proc` with a fresh thread id. */
  thread(proc: Process = this.proc): Task {
    return new Task(this.kernel.allocatePid(), proc);
  }

  /** Load the argument registers and run `handler` as `task`; errors come back as -errno. */
  call(handler: SyscallHandler, args: Arg[], task = this.task): number | Promise<number> {
    const cpu = this.kernel.cpu;
    ARG_REGS.forEach((reg, i) => {
      const v = args[i] ?? 0;
      if (typeof v === "bigint") {
        const u = BigInt.asUintN(64, v);
        cpu.r[reg * 2] = Number(u & 0xffffffffn);
        cpu.r[reg * 2 + 1] = Number(u >> 32n);
      } else cpu.setRegFromNumber(reg, v);
    });
    try {
      const result = handler(task, new SyscallArgs(cpu), this.kernel);
      if (typeof result === "number") return result;
      return result.catch(errnoOf);
    } catch (e) {
      return errnoOf(e);
    }
  }

  /** `call` for handlers that must not wait. */
  callSync(handler: SyscallHandler, args: Arg[], task = this.task): number {
    const result = this.call(handler, args, task);
    if (typeof result !== "number") throw new Error("handler unexpectedly waited");
    return result;
  }

  read(addr: number, len: number, task = this.task): Uint8Array {
    return task.proc.user.read(addr, len);
  }

  write(addr: number, bytes: Uint8Array, task = this.task): void {
    task.proc.user.write(addr, bytes);
  }

  u32(addr: number, task = this.task): number {
    return task.proc.user.u32(addr);
  }

  i64(addr: number, task = this.task): number {
    return task.proc.user.i64(addr);
  }

  u64big(addr: number, task = this.task): bigint {
    return new DataView(this.read(addr, 8, task).buffer).getBigUint64(0, true);
  }

  writeU32(addr: number, v: number, task = this.task): void {
    task.proc.user.writeU32(addr, v);
  }

  writeI64(addr: number, v: number | bigint, task = this.task): void {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, BigInt.asIntN(64, BigInt(v)), true);
    this.write(addr, out, task);
  }

  /** A struct timespec at `addr`. */
  writeTimespec(addr: number, sec: number | bigint, nsec: number | bigint, task = this.task) {
    this.writeI64(addr, sec, task);
    this.writeI64(addr + 8, nsec, task);
  }

  readTimespec(addr: number, task = this.task): { sec: number; nsec: number } {
    return { sec: this.i64(addr, task), nsec: this.i64(addr + 8, task) };
  }
}

function errnoOf(e: unknown): number {
  if (e instanceof SyscallError) return -e.errno;
  throw e;
}
