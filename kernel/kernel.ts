// The kernel: owns guest RAM, the CPU, the frame allocator and the tasks, and runs the scheduler
// loop: pick a ready task, switch the CPU to its registers and address space, run it for a
// quantum of virtual time, take its syscalls and exceptions, deliver its signals. A syscall that
// must wait returns a promise: the task blocks and another one runs; when the promise settles the
// result goes into the task's saved registers and it is ready again. With nothing ready the loop
// awaits the next wake-up, so an idle guest costs no host CPU; every 10 ms of host time the loop
// yields to the host event loop so input, timers and Ctrl-C stay responsive.

import { BlockDeviceTable } from "./fs/block-device.ts";
import type { InputEndpoint, OutputEndpoint } from "./host/stdio.ts";
import type { Terminal } from "./files/stdio-file.ts";
import { Vfs } from "./fs/vfs.ts";
import type { Inode } from "./fs/inode.ts";
import { setImmediate } from "node:timers";
import { type CpuContext, loadContext, saveContext } from "../core/cpu/context.ts";
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
import { Scheduler } from "./sched/scheduler.ts";
import { continueProcess, stopProcess } from "./signals/job-control.ts";
import { exitGroup, killForOutOfMemory } from "./proc/exit.ts";
import { FrameAllocator, OutOfMemory } from "./mm/frames.ts";
import { RLIMIT_CORE } from "./proc/limits.ts";
import { type Process, Task } from "./proc/process.ts";
import { SIGCONT, SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU } from "./signals/signals.ts";

/** The signals whose default action stops a process (and which SIGCONT cancels). */
const STOP_SIGNALS = [SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU];
import {
  deliverSignals as deliverPendingSignals,
  forceSignal as forceSignalOn,
  isBlocked,
  recordSyscallNumber,
  userFaultInfo,
} from "./signals/delivery.ts";
import { kernelSigInfo, type SigInfo } from "./signals/sigframe.ts";
import { claimParkedSignals } from "./signals/queue.ts";
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
import { chargeCpuTime, countContextSwitch, countMinorFault } from "./syscalls/resources.ts";
import { SyscallError } from "./syscall-error.ts";

/** Guest instructions between checks of the clock (about 1-2 ms of guest time). */
const RUN_BUDGET = 300_000;
/** Virtual time: guest instructions per millisecond (a nominal 200 MIPS machine). */
export const INSTRUCTIONS_PER_MS = 200_000;
/** A task's quantum: 10 ms of virtual time. */
export const QUANTUM_INSTRUCTIONS = 10 * INSTRUCTIONS_PER_MS;
/** Linux's pid_max on 64-bit machines: ids wrap around below it. */
export const PID_MAX = 4_194_304;
/** Guest RAM unless the caller says otherwise: room for well over 10,000 small processes. */
export const DEFAULT_MEMORY_BYTES = 1024 * 1024 * 1024;
/** The kernel-wide cap on tasks (Linux's threads-max): fork and clone fail with EAGAIN past it. */
export const MAX_TASKS = 32_768;
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
  /** Where kernel messages go (the OOM killer's lines...); the host's stderr by default. */
  log?: (line: string) => void;
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
  /** Every process not yet reaped, by pid. */
  readonly processes = new Map<number, Process>();
  /** Every task not yet released, by tid. */
  readonly tasks = new Map<number, Task>();
  readonly scheduler = new Scheduler();
  /** The mount namespace: every process sees this one tree. */
  readonly vfs = new Vfs();
  readonly blockDevices = new BlockDeviceTable();
  /** The task being run (procfs's "self", /dev/tty). */
  current: Task | null = null;
  /** The first process: orphans are reparented to it, and the machine stops when it ends. */
  init: Process | null = null;
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
  private lastPid = 0;
  private readonly logLine: (line: string) => void;
  private readonly args: SyscallArgs;
  private readonly handlers: (SyscallHandler | undefined)[];
  /** The task whose registers are in the CPU (it may have blocked or died since). */
  private onCpu: Task | null = null;
  /** Set by sched_yield: the running task goes to the back of its queue after the call. */
  private yieldRequested = false;

  constructor(options: KernelOptions = {}) {
    this.mem = new PhysicalMemory(options.memoryBytes ?? DEFAULT_MEMORY_BYTES);
    this.cpu = new Cpu(this.mem);
    this.frames = new FrameAllocator(this.mem);
    this.strace = options.strace ?? null;
    this.instructionLimit = options.instructionLimit ?? Infinity;
    this.logLine = options.log ?? ((line) => console.error(line));
    this.args = new SyscallArgs(this.cpu);
    this.handlers = syscallHandlers();
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

  /** The next free id (pids and tids share one space), wrapping below PID_MAX like Linux. */
  allocatePid(): number {
    for (let tries = 0; tries < PID_MAX; tries++) {
      this.lastPid = this.lastPid >= PID_MAX - 1 ? 300 : this.lastPid + 1;
      const id = this.lastPid;
      if (!this.tasks.has(id) && !this.processes.has(id)) return id;
    }
    throw new Error("no free pid");
  }

  /** Register the first task of a new process (or a new thread of an existing one). */
  newTask(proc: Process, tid = proc.pid): Task {
    this.processes.set(proc.pid, proc);
    const task = new Task(tid, proc);
    this.tasks.set(tid, task);
    return task;
  }

  // ---- running --------------------------------------------------------------------------------

  /**
   * Run the machine with `task` (whose registers are in the CPU) as its first process until that
   * process ends; the rest are then killed. Resolves to the first process's wait status.
   */
  async run(task: Task): Promise<number> {
    const init = task.proc;
    this.init ??= init;
    const cpu = this.cpu;
    cpu.mmu.cr3 = init.mm.root;
    // fork and execve hand this on to every address space that follows.
    init.mm.onInvalidate = () => cpu.mmu.flush();
    this.onCpu = task;
    task.state = "runnable";
    this.scheduler.makeReady(task);
    let sliceStart = performance.now();
    // The host process stays alive while every task waits (a guest may wait for a long time).
    const keepAlive = setInterval(() => {}, 1 << 30);
    try {
      while (init.exitStatus === null) {
        const next = this.scheduler.next();
        if (next === null) {
          await this.scheduler.idle();
          sliceStart = performance.now();
          continue;
        }
        this.switchTo(next);
        await this.runTask(next, () => {
          // Reading the clock costs as much as a short syscall: done every few exits only.
          if (performance.now() - sliceStart <= SLICE_MS) return null;
          sliceStart = performance.now();
          return yieldToHost();
        });
      }
    } finally {
      clearInterval(keepAlive);
    }
    this.killEveryone();
    return init.exitStatus;
  }

  /** Put `task`'s registers and address space on the CPU. */
  private switchTo(task: Task): void {
    const cpu = this.cpu;
    this.current = task;
    if (this.onCpu === task) return;
    const previous = this.onCpu;
    if (previous !== null && previous.state !== "dead") {
      previous.context = saveContext(cpu, previous.context ?? undefined);
    }
    loadContext(cpu, task.context!);
    if (cpu.mmu.cr3 !== task.proc.mm.root) cpu.mmu.cr3 = task.proc.mm.root;
    this.onCpu = task;
  }

  /** Run `task` until its quantum ends, it blocks, stops or dies. */
  private async runTask(task: Task, hostTurn: () => Promise<void> | null): Promise<void> {
    const cpu = this.cpu;
    const proc = task.proc;
    if (proc.parkedSignals.size > 0) claimParkedSignals(task);
    if (task.returningFromSyscall) {
      task.returningFromSyscall = false;
      this.deliverSignals(task, true);
    } else if (task.pending.size > 0) this.deliverSignals(task, false);
    let quantumEnd = cpu.instructions + QUANTUM_INSTRUCTIONS;
    let exitsSinceClock = 0;
    while (task.state === "runnable") {
      const before = cpu.instructions;
      const reason = cpu.run(Math.max(1, Math.min(RUN_BUDGET, quantumEnd - before)));
      // CPU time is virtual time: instructions at the nominal rate the quantum is counted in.
      chargeCpuTime(task, (cpu.instructions - before) / INSTRUCTIONS_PER_MS, 0);
      try {
        if (reason === EXIT_SYSCALL) {
          const pending = this.syscall(task);
          if (pending !== null) {
            this.block(task, pending);
            return;
          }
        } else if (reason === EXIT_EXCEPTION) {
          this.exception(task, cpu.exitException!);
        } else if (reason === EXIT_INTERNAL) {
          this.internalError(task, cpu.exitError);
        } else if (reason === EXIT_HALT) {
          this.forceSignal(task, SIGSEGV);
        }
        if (cpu.instructions > this.instructionLimit) this.terminate(proc, SIGXCPU, false);
        if (proc.parkedSignals.size > 0) claimParkedSignals(task);
        if (task.pending.size > 0 && task.state === "runnable") {
          this.deliverSignals(task, reason === EXIT_SYSCALL);
        }
      } catch (e) {
        // Out of frames while building a signal frame or the like: the OOM killer decides.
        if (!(e instanceof OutOfMemory)) throw e;
        killForOutOfMemory(this, task);
      }
      if (task.state !== "runnable") return;
      if (this.yieldRequested) {
        this.yieldRequested = false;
        this.scheduler.makeReady(task);
        return;
      }
      if (cpu.instructions >= quantumEnd) {
        if (this.scheduler.hasReady(task.priorityClass)) {
          countContextSwitch(task, false);
          this.scheduler.makeReady(task);
          return;
        }
        quantumEnd = cpu.instructions + QUANTUM_INSTRUCTIONS;
      }
      if (++exitsSinceClock >= CLOCK_CHECK_EXITS || reason !== EXIT_SYSCALL) {
        exitsSinceClock = 0;
        const turn = hostTurn();
        if (turn !== null) {
          // Others may have become ready meanwhile: take turns with them.
          this.scheduler.makeReady(task);
          await turn;
          return;
        }
      }
    }
  }

  /** The task waits in a syscall: it runs again once `pending` has stored the result. */
  private block(task: Task, pending: Promise<void>): void {
    task.state = "blocked";
    countContextSwitch(task, true);
    pending.then(() => {
      if (task.state !== "blocked") return;
      task.returningFromSyscall = true;
      this.wakeTask(task);
    });
  }

  /** A blocked or stopped task may run again (it stays stopped while its process is). */
  wakeTask(task: Task): void {
    if (task.state === "dead") return;
    if (task.proc.stopped && !task.pending.has(SIGKILL)) {
      task.state = "stopped";
      return;
    }
    task.state = "runnable";
    this.scheduler.makeReady(task);
  }

  /** sched_yield: the caller goes to the back of its priority class. */
  yieldCpu(): void {
    this.yieldRequested = true;
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
    const dead = task.state === "dead" || task.proc.exitStatus !== null;
    if (rawArgs !== null) {
      // rt_sigreturn's result is the restored RAX, as strace shows it.
      const shown = result === RESULT_IN_REGISTERS ? BigInt.asIntN(64, this.cpu.r64[RAX]) : result;
      const line = traceSyscall(task, nr, rawArgs, shown, dead);
      this.strace!(this.processes.size > 1 ? `[pid ${task.tid}] ${line}` : line);
    }
    if (dead || result === RESULT_IN_REGISTERS) return;
    if (this.onCpu === task) this.cpu.setRegFromNumber(RAX, result);
    else setContextRegister(task.context!, RAX, result);
  }

  private exception(task: Task, e: CpuException): void {
    this.stats.faults++;
    let pageFaultCode = 0;
    let busError = false;
    if (e.vector === 14) {
      const write = (e.errorCode & 2) !== 0;
      const fetch = (e.errorCode & 16) !== 0;
      let ok = false;
      // Out of frames: OutOfMemory goes to runTask's OOM killer; the instruction runs again.
      const result = task.proc.mm.handleFault(e.address, write, fetch);
      ok = result.ok;
      pageFaultCode = result.code;
      busError = result.bus === true;
      if (ok) return countMinorFault(task);
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
    this.logLine(`nexaos: ${message}`);
  }

  // ---- signals --------------------------------------------------------------------------------

  /** Queue `sig` for `task` and interrupt what it waits on. */
  sendSignal(task: Task, sig: number): void {
    if (task.state === "dead") return;
    const proc = task.proc;
    // prepare_signal(): stop and continue signals cancel each other, and SIGCONT resumes now.
    if (defaultAction(sig) === "stop") {
      for (const t of proc.threads) t.pending.delete(SIGCONT);
    } else if (sig === SIGCONT) {
      for (const t of proc.threads) {
        for (const stop of STOP_SIGNALS) t.pending.delete(stop);
      }
      continueProcess(this, proc);
    }
    // Linux drops a signal at generation when it is ignored and not blocked (prepare_signal).
    if (dispositionIgnores(proc.sigactions[sig], sig) && !isBlocked(task, sig)) return;
    task.pending.add(sig);
    if (sig === SIGKILL && task.state === "stopped") this.wakeTask(task);
    if (this.onCpu === task) this.cpu.exitRequested = true;
    const wake = task.signalWake;
    task.signalWake = Promise.withResolvers<void>();
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
  private deliverSignals(task: Task, fromSyscall: boolean): void {
    deliverPendingSignals(
      this,
      task,
      fromSyscall,
      (sig) => this.terminate(task.proc, sig, this.dumpsCore(task.proc, sig)),
      (sig) => {
        if (!stopProcess(this, task.proc, sig)) return false;
        // After SIGCONT the interrupted syscall's restart is still to be decided.
        task.returningFromSyscall = fromSyscall;
        return true;
      },
    );
  }

  /** Wait for `promise`, or resolve to INTERRUPTED when a signal for `task` arrives first. */
  interruptible<T>(task: Task, promise: Promise<T>): Promise<T | typeof INTERRUPTED> {
    const interrupted = task.signalWake.promise.then((): typeof INTERRUPTED => INTERRUPTED);
    return Promise.race([promise, interrupted]);
  }

  /**
   * Wait for `promise` unless a signal that would be delivered arrives first (false then: the
   * caller returns -ERESTARTSYS and delivery decides between restart, EINTR and death).
   */
  async waitUnlessSignalled(task: Task, promise: Promise<unknown>): Promise<boolean> {
    for (;;) {
      if (this.hasDeliverableSignal(task) || task.proc.exitStatus !== null) return false;
      if (await this.interruptible(task, promise) !== INTERRUPTED) return true;
    }
  }

  /** Sleep for `ms` milliseconds of host time; 0, or -EINTR when a signal cut it short. */
  async sleep(task: Task, ms: number): Promise<number> {
    const deadline = performance.now() + Math.max(0, ms);
    for (;;) {
      if (this.hasDeliverableSignal(task) || task.proc.exitStatus !== null) return -EINTR;
      const left = deadline - performance.now();
      if (left <= 0) return 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = new Promise<void>((resolve) => timer = setTimeout(resolve, left));
      const outcome = await this.interruptible(task, done);
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
    exitGroup(this, proc, (code & 0xff) << 8);
  }

  /** End `proc` killed by `sig`. */
  terminate(proc: Process, sig: number, core: boolean): void {
    exitGroup(this, proc, sig | (core ? 0x80 : 0));
  }

  /** Take a waited-for zombie out of the tables (its memory went when it exited). */
  reap(proc: Process): void {
    proc.reaped = true;
    proc.parent?.children.delete(proc);
    this.processes.delete(proc.pid);
    for (const t of proc.threads) if (this.tasks.get(t.tid) === t) this.tasks.delete(t.tid);
    if (this.onCpu?.proc === proc) this.onCpu = null;
  }

  /** The first process ended: everything else dies with it, as in a PID namespace. */
  private killEveryone(): void {
    for (const proc of [...this.processes.values()]) {
      if (proc.exitStatus === null) exitGroup(this, proc, SIGKILL);
    }
  }
}

/** Store a signed result into a saved register (the task is off the CPU). */
function setContextRegister(context: CpuContext, n: number, v: number): void {
  const hi = Math.floor(v / 2 ** 32);
  context.gprs[n * 2] = v - hi * 2 ** 32;
  context.gprs[n * 2 + 1] = hi;
}

function errnoOf(e: unknown): number {
  if (e instanceof SyscallError) return -e.errno;
  if (e instanceof OutOfMemory) return -ENOMEM;
  throw e;
}

function yieldToHost(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
