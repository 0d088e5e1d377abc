// The three interval timers of a process (Linux's kernel/time/itimer.c): ITIMER_REAL counts
// CLOCK_MONOTONIC and sends SIGALRM, re-armed when that SIGALRM is dequeued (so a blocked or
// ignored SIGALRM holds a periodic timer back, as on Linux); ITIMER_VIRTUAL (user CPU time,
// SIGVTALRM) and ITIMER_PROF (user and system CPU time, SIGPROF) count the process's CPU usage
// as the scheduler accounts it. They survive execve, are not inherited by fork, and their host
// timers go when the process ends.

import type { Kernel } from "../kernel.ts";
import { monotonicMs } from "../clocks.ts";
import type { Process } from "../proc/process.ts";
import { ClockAlarm, forwardExpiry, ktimeAddSafe, NSEC_PER_USEC } from "./clock-alarm.ts";
import { queueSignal, recordSignalInfo, type SignalSource, signalTarget } from "./queue.ts";
import { kernelSigInfo, type SigInfo } from "./sigframe.ts";
import { SIGALRM, SIGPROF, SIGVTALRM } from "./signals.ts";

export const ITIMER_REAL = 0;
export const ITIMER_VIRTUAL = 1;
export const ITIMER_PROF = 2;

/** The scheduler tick (HZ=250): CPU itimers start one tick late and report it when due. */
const TICK_NSEC = 4_000_000n;

/** struct itimerspec64 in nanoseconds. */
export interface ItimerSetting {
  value: bigint;
  interval: bigint;
}

const DISARMED: ItimerSetting = { value: 0n, interval: 0n };

/** ITIMER_REAL: an hrtimer on CLOCK_MONOTONIC. */
class RealItimer implements SignalSource {
  private expires = 0n;
  private interval = 0n;
  private readonly alarm: ClockAlarm;

  constructor(private readonly kernel: Kernel, private readonly proc: Process) {
    this.alarm = new ClockAlarm(() => this.now(), () => this.expire());
  }

  private now(): bigint {
    return BigInt(Math.round(monotonicMs(this.kernel) * 1e6));
  }

  /** itimer_get_remtime(): an active timer due now reads as 1 µs, never 0. */
  get(): ItimerSetting {
    this.alarm.fireIfDue();
    if (!this.alarm.armed) return { value: 0n, interval: this.interval };
    const left = this.expires - this.now();
    return { value: left > 0n ? left : NSEC_PER_USEC, interval: this.interval };
  }

  set(next: ItimerSetting): ItimerSetting {
    const old = this.get();
    this.alarm.cancel();
    if (next.value !== 0n) {
      this.interval = next.interval;
      this.expires = ktimeAddSafe(this.now(), next.value);
      this.alarm.arm(this.expires);
    } else this.interval = 0n;
    return old;
  }

  /** it_real_fn(): SIGALRM for the process, with the kernel's siginfo. */
  private expire(): void {
    if (this.proc.exitStatus !== null) return;
    const task = signalTarget(this.proc, SIGALRM);
    if (task === undefined) return;
    recordSignalInfo(task, kernelSigInfo(SIGALRM), this);
    this.kernel.sendSignal(task, SIGALRM);
  }

  /** dequeue_signal()'s SIGALRM step: a periodic timer starts its next period. */
  dequeued(info: SigInfo): SigInfo {
    if (this.alarm.armed || this.interval === 0n || this.proc.exitStatus !== null) return info;
    this.expires = forwardExpiry(this.expires, this.now(), this.interval).expires;
    this.alarm.arm(this.expires);
    return info;
  }

  discarded(): void {}

  stop(): void {
    this.alarm.cancel();
  }
}

/** ITIMER_VIRTUAL and ITIMER_PROF: deadlines on the process's CPU time. */
class CpuItimer {
  /** Absolute CPU time of the next expiry; 0 when disarmed. */
  private expires = 0n;
  private interval = 0n;
  private readonly alarm: ClockAlarm;

  constructor(
    private readonly kernel: Kernel,
    private readonly proc: Process,
    private readonly signal: number,
  ) {
    this.alarm = new ClockAlarm(() => this.now(), () => this.expire());
  }

  private now(): bigint {
    const usage = this.proc.usage;
    const ms = this.signal === SIGPROF ? usage.userMs + usage.systemMs : usage.userMs;
    return BigInt(Math.round(ms * 1e6));
  }

  /** get_cpu_itimer(). */
  get(): ItimerSetting {
    this.alarm.fireIfDue();
    if (this.expires === 0n) return { value: 0n, interval: this.interval };
    const now = this.now();
    return { value: this.expires < now ? TICK_NSEC : this.expires - now, interval: this.interval };
  }

  /** set_cpu_itimer(): the new value starts a tick later; the old one is relative. */
  set(next: ItimerSetting): ItimerSetting {
    const now = this.now();
    let old = this.expires;
    if (old !== 0n) old = old <= now ? TICK_NSEC : old - now;
    const oldInterval = this.interval;
    this.expires = next.value === 0n ? 0n : ktimeAddSafe(now, next.value + TICK_NSEC);
    this.interval = next.interval;
    if (this.expires === 0n) this.alarm.cancel();
    else this.alarm.arm(this.expires);
    return { value: old, interval: oldInterval };
  }

  /** check_cpu_itimer(): the next period starts from the expiry, not from now. */
  private expire(): void {
    if (this.proc.exitStatus !== null) return;
    this.expires = this.interval === 0n ? 0n : ktimeAddSafe(this.expires, this.interval);
    if (this.expires !== 0n) this.alarm.arm(this.expires);
    const task = signalTarget(this.proc, this.signal);
    if (task !== undefined) queueSignal(this.kernel, task, kernelSigInfo(this.signal));
  }

  stop(): void {
    this.alarm.cancel();
  }
}

interface ProcessItimers {
  real: RealItimer;
  virtual: CpuItimer;
  prof: CpuItimer;
}

const itimers = new WeakMap<Process, ProcessItimers>();

function itimersOf(kernel: Kernel, proc: Process): ProcessItimers {
  let timers = itimers.get(proc);
  if (timers === undefined) {
    const created = {
      real: new RealItimer(kernel, proc),
      virtual: new CpuItimer(kernel, proc, SIGVTALRM),
      prof: new CpuItimer(kernel, proc, SIGPROF),
    };
    proc.onExit.add(() => {
      created.real.stop();
      created.virtual.stop();
      created.prof.stop();
    });
    itimers.set(proc, created);
    timers = created;
  }
  return timers;
}

function timerFor(kernel: Kernel, proc: Process, which: number): RealItimer | CpuItimer | null {
  switch (which) {
    case ITIMER_REAL:
      return itimersOf(kernel, proc).real;
    case ITIMER_VIRTUAL:
      return itimersOf(kernel, proc).virtual;
    case ITIMER_PROF:
      return itimersOf(kernel, proc).prof;
  }
  return null;
}

/** do_getitimer(): null for an unknown `which` (EINVAL). */
export function getItimer(kernel: Kernel, proc: Process, which: number): ItimerSetting | null {
  if (which !== ITIMER_REAL && which !== ITIMER_VIRTUAL && which !== ITIMER_PROF) return null;
  return itimers.has(proc) ? timerFor(kernel, proc, which)!.get() : DISARMED;
}

/** do_setitimer(): the old setting, or null for an unknown `which` (EINVAL). */
export function setItimer(
  kernel: Kernel,
  proc: Process,
  which: number,
  next: ItimerSetting,
): ItimerSetting | null {
  return timerFor(kernel, proc, which)?.set(next) ?? null;
}
