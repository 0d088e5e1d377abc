// The kernel: owns guest RAM, the CPU, the frame allocator and the processes, and runs the loop
// that puts a task on the CPU, takes its syscalls and exceptions, delivers signals and yields to
// the host event loop so input, timers and Ctrl-C stay responsive. Waiting (a terminal read, a
// sleep) is awaiting a promise, so an idle guest costs no host CPU.

import { BlockDeviceTable } from "./fs/block-device.ts";
import type { InputEndpoint, OutputEndpoint } from "./host/stdio.ts";
import type { Terminal } from "./files/stdio-file.ts";
import { Vfs } from "./fs/vfs.ts";
import type { Inode } from "./fs/inode.ts";
import { setImmediate } from "node:timers";
import {
  Cpu,
  EXIT_EXCEPTION,
  EXIT_HALT,
  EXIT_INTERNAL,
  EXIT_SYSCALL,
  RAX,
} from "../core/cpu/cpu.ts";
import type { CpuException } from "../core/cpu/exceptions.ts";
import { PhysicalMemory } from "../core/memory.ts";
import { EINTR, ENOMEM, ENOSYS } from "./errno.ts";
import { FrameAllocator, OutOfMemory } from "./mm/frames.ts";
import { RLIMIT_CORE } from "./proc/limits.ts";
import { type Process, Task } from "./proc/process.ts";
import {
  deliverSignals as deliverPendingSignals,
  forceSignal as forceSignalOn,
  isBlocked,
  recordSyscallNumber,
  userFaultInfo,
} from "./signals/delivery.ts";
import { kernelSigInfo, type SigInfo } from "./signals/sigframe.ts";
import {
  defaultAction,
  dispositionIgnores,
  SIGBUS,
  SIGILL,
  SIGKILL,
  SIGSEGV,
  SIGXCPU,
} from "./signals/signals.ts";
import { RESULT_IN_REGISTERS, SyscallArgs, type SyscallHandler } from "./syscalls/args.ts";
import { syscallHandlers, traceSyscall } from "./syscalls/dispatch.ts";
import { SyscallError } from "./syscall-error.ts";

/** Guest instructions between checks of the clock (about 3-6 ms of guest time). */
const RUN_BUDGET = 300_000;
/** Longest stretch of guest execution before the host event loop gets a turn. */
const SLICE_MS = 10;
/** Syscall exits between clock readings (a syscall takes about 1 µs, so ~0.1 ms apart). */
const CLOCK_CHECK_EXITS = 64;

export interface KernelOptions {
  memoryBytes?: number;
  /** Receives one strace-style line per syscall when set. */
  strace?: ((line: string) => void) | null;
  /** Kill the program with SIGXCPU after this many guest instructions (tests, fuzzing). */
  instructionLimit?: number;
}

export interface KernelStats {
  syscalls: number;
  faults: number;
}

export const INTERRUPTED: unique symbol = Symbol("interrupted");

export class Kernel {
  readonly mem: PhysicalMemory;
  readonly cpu: Cpu;
  readonly frames: FrameAllocator;
  readonly processes = new Map<number, Process>();
  /** The mount namespace: every process sees this one tree. */
  readonly vfs = new Vfs();
  readonly blockDevices = new BlockDeviceTable();
  /** The task on the CPU (procfs's "self", /dev/tty). */
  current: Task | null = null;
  /**
   * The controlling terminal's endpoints when the program runs on a host terminal (for /dev/tty
   * and /dev/console); null when it has none (/dev/tty is then ENXIO).
   */
  terminal: { input: InputEndpoint; output: OutputEndpoint; tty: Terminal } | null = null;
  readonly stats: KernelStats = { syscalls: 0, faults: 0 };
  readonly strace: ((line: string) => void) | null;
  readonly instructionLimit: number;
  hostname = "nexaos";
  /** performance.now() when the kernel started: uptime and CLOCK_BOOTTIME count from here. */
  readonly bootTime = performance.now();
  private nextPid = 1;
  private readonly args: SyscallArgs;
  private readonly handlers: (SyscallHandler | undefined)[];
  /** Resolved (and replaced) whenever a signal arrives, to interrupt waits. */
  private signalWake: PromiseWithResolvers<void>;

  constructor(options: KernelOptions = {}) {
    this.mem = new PhysicalMemory(options.memoryBytes ?? 256 * 1024 * 1024);
    this.cpu = new Cpu(this.mem);
    this.frames = new FrameAllocator(this.mem);
    this.strace = options.strace ?? null;
    this.instructionLimit = options.instructionLimit ?? Infinity;
    this.args = new SyscallArgs(this.cpu);
    this.handlers = syscallHandlers();
    this.signalWake = Promise.withResolvers<void>();
  }

  /** sync(2): flush every mounted filesystem. */
  syncAll(): void {
    for (const p of this.processes.values()) p.mm.writeBackSharedFiles();
    for (const m of this.vfs.mounts.all()) m.fs.sync();
  }

  /** Flush and unmount everything (the end of a run); returns failures as messages. */
  shutdownFileSystems(): string[] {
    const failures = this.vfs.mounts.unmountAll();
    try {
      this.blockDevices.closeAll();
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
    return failures;
  }

  /** ETXTBSY: is `inode` the executable of a live process? */
  isExecutableInUse(inode: Inode): boolean {
    for (const p of this.processes.values()) {
      if (p.exitStatus === null && p.exeLocation?.dentry.inode === inode) return true;
    }
    return false;
  }

  allocatePid(): number {
    return this.nextPid++;
  }

  // ---- running --------------------------------------------------------------------------------

  /** Run `task` until its process ends; resolves to the process's wait status. */
  async run(task: Task): Promise<number> {
    const proc = task.proc;
    const cpu = this.cpu;
    cpu.mmu.cr3 = proc.mm.root;
    proc.mm.onInvalidate = () => cpu.mmu.flush();
    this.current = task;
    let sliceStart = performance.now();
    let exitsSinceClock = 0;
    while (proc.exitStatus === null) {
      const reason = cpu.run(RUN_BUDGET);
      if (reason === EXIT_SYSCALL) {
        const pending = this.syscall(task);
        if (pending !== null) await pending;
      } else if (reason === EXIT_EXCEPTION) {
        this.exception(task, cpu.exitException!);
      } else if (reason === EXIT_INTERNAL) {
        this.internalError(task, cpu.exitError);
      } else if (reason === EXIT_HALT) {
        this.forceSignal(task, SIGSEGV);
      }
      if (cpu.instructions > this.instructionLimit) this.terminate(proc, SIGXCPU, false);
      if (task.pending.size > 0) this.deliverSignals(task);
      // Reading the clock costs as much as a short syscall: look at it every few exits only.
      if (++exitsSinceClock >= CLOCK_CHECK_EXITS || reason !== EXIT_SYSCALL) {
        exitsSinceClock = 0;
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToHost();
          sliceStart = performance.now();
        }
      }
    }
    return proc.exitStatus;
  }

  /** Handle the syscall the CPU stopped at; returns a promise only when the call waits. */
  private syscall(task: Task): Promise<void> | null {
    const cpu = this.cpu;
    const rawNr = cpu.r[RAX * 2 + 1] * 2 ** 32 + cpu.r[RAX * 2];
    this.stats.syscalls++;
    const handler = rawNr < this.handlers.length ? this.handlers[rawNr] : undefined;
    const rawArgs = this.strace !== null ? this.args.raw() : null;
    recordSyscallNumber(task, rawNr);
    let result: number | Promise<number>;
    if (handler === undefined) result = -ENOSYS;
    else {
      try {
        result = handler(task, this.args, this);
      } catch (e) {
        result = errnoOf(e);
      }
    }
    if (typeof result === "number") {
      this.finishSyscall(task, rawNr, rawArgs, result);
      return null;
    }
    return result.then(
      (value) => this.finishSyscall(task, rawNr, rawArgs, value),
      (e) => this.finishSyscall(task, rawNr, rawArgs, errnoOf(e)),
    );
  }

  private finishSyscall(task: Task, nr: number, rawArgs: bigint[] | null, result: number): void {
    if (rawArgs !== null) {
      // rt_sigreturn's result is the restored RAX, as strace shows it.
      const shown = result === RESULT_IN_REGISTERS ? BigInt.asIntN(64, this.cpu.r64[RAX]) : result;
      this.strace!(traceSyscall(task, nr, rawArgs, shown, task.proc.exitStatus !== null));
    }
    if (task.proc.exitStatus === null && result !== RESULT_IN_REGISTERS) {
      this.cpu.setRegFromNumber(RAX, result);
    }
  }

  private exception(task: Task, e: CpuException): void {
    this.stats.faults++;
    let pageFaultCode = 0;
    let busError = false;
    if (e.vector === 14) {
      const write = (e.errorCode & 2) !== 0;
      const fetch = (e.errorCode & 16) !== 0;
      let ok = false;
      try {
        const result = task.proc.mm.handleFault(e.address, write, fetch);
        ok = result.ok;
        pageFaultCode = result.code;
        busError = result.bus === true;
      } catch (err) {
        if (!(err instanceof OutOfMemory)) throw err;
        this.log(`out of memory: killed process ${task.proc.pid} (${task.proc.name})`);
        return this.forceSignal(task, SIGKILL);
      }
      if (ok) return;
    }
    const fault = userFaultInfo(task, this.cpu, e, pageFaultCode);
    // A file page past the end of file: SIGBUS (BUS_ADRERR) at the faulting address.
    const info = busError ? { ...fault, signo: SIGBUS } : fault;
    this.forceSignal(task, info.signo, info);
  }

  private internalError(task: Task, error: unknown): void {
    const what = error instanceof Error ? error.message : String(error);
    this.log(`internal error at rip=0x${this.cpu.rip.toString(16)}: ${what}`);
    this.forceSignal(task, SIGILL);
  }

  /** A kernel message on the host's stderr (Linux's printk to the console). */
  log(message: string): void {
    console.error(`nexaos: ${message}`);
  }

  // ---- signals --------------------------------------------------------------------------------

  /** Queue `sig` for `task` and interrupt what it waits on. */
  sendSignal(task: Task, sig: number): void {
    // Linux drops a signal at generation when it is ignored and not blocked (prepare_signal).
    if (dispositionIgnores(task.proc.sigactions[sig], sig) && !isBlocked(task, sig)) return;
    task.pending.add(sig);
    this.cpu.exitRequested = true;
    const wake = this.signalWake;
    this.signalWake = Promise.withResolvers<void>();
    wake.resolve();
  }

  /** A signal the task cannot block or ignore (a fault): Linux's force_sig_info. */
  forceSignal(task: Task, sig: number, info: SigInfo = kernelSigInfo(sig)): void {
    forceSignalOn(this, task, info);
  }

  /** Linux sets the core bit only when a dump was written, which RLIMIT_CORE 0 prevents. */
  private dumpsCore(proc: Process, sig: number): boolean {
    return defaultAction(sig) === "core" && proc.limits[RLIMIT_CORE].cur > 0 && proc.dumpable > 0;
  }

  /** Deliver pending, unblocked signals: handlers, default actions, syscall restarts. */
  private deliverSignals(task: Task): void {
    const fromSyscall = this.cpu.exitReason === EXIT_SYSCALL;
    deliverPendingSignals(this, task, fromSyscall, (sig) => {
      this.terminate(task.proc, sig, this.dumpsCore(task.proc, sig));
    });
  }

  /** Wait for `promise`, or resolve to INTERRUPTED when a signal arrives first. */
  interruptible<T>(promise: Promise<T>): Promise<T | typeof INTERRUPTED> {
    const interrupted = this.signalWake.promise.then((): typeof INTERRUPTED => INTERRUPTED);
    return Promise.race([promise, interrupted]);
  }

  /**
   * Wait for `promise` unless a signal that would be delivered arrives first (false then: the
   * caller returns -ERESTARTSYS and delivery decides between restart, EINTR and death).
   */
  async waitUnlessSignalled(task: Task, promise: Promise<unknown>): Promise<boolean> {
    for (;;) {
      if (this.hasDeliverableSignal(task) || task.proc.exitStatus !== null) return false;
      if (await this.interruptible(promise) !== INTERRUPTED) return true;
    }
  }

  /** Sleep for `ms` milliseconds of host time; 0, or -EINTR when a signal cut it short. */
  async sleep(task: Task, ms: number): Promise<number> {
    const deadline = performance.now() + Math.max(0, ms);
    for (;;) {
      if (this.hasDeliverableSignal(task)) return -EINTR;
      const left = deadline - performance.now();
      if (left <= 0) return 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = new Promise<void>((resolve) => timer = setTimeout(resolve, left));
      const outcome = await this.interruptible(done);
      clearTimeout(timer);
      if (outcome !== INTERRUPTED) return 0;
    }
  }

  /** A pending signal that is neither blocked nor ignored: it would interrupt a wait. */
  hasDeliverableSignal(task: Task): boolean {
    for (const sig of task.pending) {
      if (!isBlocked(task, sig) && !dispositionIgnores(task.proc.sigactions[sig], sig)) return true;
    }
    return false;
  }

  // ---- process lifetime -----------------------------------------------------------------------

  /** End `proc` with exit code `code` (exit_group). */
  exitProcess(proc: Process, code: number): void {
    this.finish(proc, (code & 0xff) << 8);
  }

  /** End `proc` killed by `sig`. */
  terminate(proc: Process, sig: number, core: boolean): void {
    this.finish(proc, sig | (core ? 0x80 : 0));
  }

  private finish(proc: Process, status: number): void {
    if (proc.exitStatus !== null) return;
    proc.exitStatus = status;
    proc.fds.closeAll();
  }

  /** Free what an ended process still holds. */
  reap(proc: Process): void {
    proc.mm.destroy();
    this.processes.delete(proc.pid);
  }

  newTask(proc: Process): Task {
    this.processes.set(proc.pid, proc);
    return new Task(proc.pid, proc);
  }
}

function errnoOf(e: unknown): number {
  if (e instanceof SyscallError) return -e.errno;
  if (e instanceof OutOfMemory) return -ENOMEM;
  throw e;
}

function yieldToHost(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
