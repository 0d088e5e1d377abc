// POSIX timers (timer_create and friends; Linux 6.13+'s kernel/time/posix-timers.c): per-process
// timers numbered from 0 on CLOCK_REALTIME, MONOTONIC, BOOTTIME, TAI and the CPU-time clocks,
// notifying by a signal to the process (SIGEV_SIGNAL) or to one thread (SIGEV_THREAD_ID, what
// musl's SIGEV_THREAD uses), or not at all (SIGEV_NONE). Each timer queues its one preallocated
// siginfo (SI_TIMER, si_timerid, si_value); a periodic timer waits for that signal to be
// dequeued before it starts its next period, and the periods it missed meanwhile become
// si_overrun. A signal queued before the timer was re-set or deleted is dropped when dequeued; a
// periodic timer whose signal is ignored parks until the signal is no longer ignored. Timers are
// deleted on execve and when the process ends; fork does not copy them.

import { type Clock, clockById } from "../clocks.ts";
import { EAGAIN, EINVAL, EOPNOTSUPP } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import type { Process, Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import { ClockAlarm, clockNs, forwardExpiry, ktimeAddSafe } from "./clock-alarm.ts";
import { isBlocked } from "./delivery.ts";
import type { ItimerSetting } from "./itimers.ts";
import {
  isQueued,
  type QueuedSignal,
  queuePreallocated,
  releaseSigqueue,
  reserveSigqueue,
  type SignalSource,
  signalTarget,
} from "./queue.ts";
import { SI_TIMER, type SigInfo } from "./sigframe.ts";
import { dispositionIgnores, NSIG, SIGALRM } from "./signals.ts";

export const SIGEV_SIGNAL = 0;
export const SIGEV_NONE = 1;
export const SIGEV_THREAD = 2;
export const SIGEV_THREAD_ID = 4;
export const TIMER_ABSTIME = 1;

const INT_MAX = 0x7fffffff;

/** struct sigevent as timer_create reads it. */
export interface SigEvent {
  /** union sigval, as its 64 bits. */
  value: bigint;
  signo: number;
  notify: number;
  /** sigev_notify_thread_id (SIGEV_THREAD_ID). */
  threadId: number;
}

/** disarmed; armed: counting down; requeue: expired, its signal queued, next period pending. */
type TimerStatus = "disarmed" | "armed" | "requeue";

class PosixTimer implements SignalSource {
  status: TimerStatus = "disarmed";
  private expires = 0n;
  private interval = 0n;
  /** Periods missed before the signal was delivered (it_overrun), and at the last delivery. */
  private overrun = -1n;
  private overrunLast = 0n;
  /** Bumped by timer_settime and each delivery: a signal queued under an older one is void. */
  private signalSeq = 0;
  private sigqueueSeq = 0;
  private entry: { task: Task; queued: QueuedSignal } | null = null;
  /** The last signal went out while ignored by a periodic timer (Linux's ignored list). */
  ignored = false;
  private periodicSignal = false;
  private deleted = false;
  private readonly alarm: ClockAlarm;

  constructor(
    private readonly kernel: Kernel,
    private readonly proc: Process,
    readonly id: number,
    private readonly clock: Clock,
    readonly event: SigEvent,
    /** The thread SIGEV_THREAD_ID names; null: the process. */
    private readonly thread: Task | null,
  ) {
    this.alarm = new ClockAlarm(() => clockNs(this.clock), () => this.expire());
  }

  private get sigNone(): boolean {
    return this.event.notify === SIGEV_NONE;
  }

  /** common_timer_get(): a signalling timer due now reads 1 ns, an expired SIGEV_NONE one 0. */
  get(): ItimerSetting {
    this.alarm.fireIfDue();
    if (this.interval === 0n && this.status === "disarmed" && !this.sigNone) {
      return { value: 0n, interval: 0n };
    }
    const now = clockNs(this.clock);
    if (this.interval !== 0n && this.status !== "armed") {
      const forward = forwardExpiry(this.expires, now, this.interval);
      this.expires = forward.expires;
      this.overrun += forward.overruns;
    }
    const remaining = this.expires - now;
    const value = remaining > 0n ? remaining : this.sigNone ? 0n : 1n;
    return { value, interval: this.interval };
  }

  /** do_timer_settime() and common_timer_set(); returns the old setting. */
  set(absolute: boolean, next: ItimerSetting): ItimerSetting {
    const old = this.get();
    this.alarm.cancel();
    this.status = "disarmed";
    this.signalSeq++;
    this.interval = next.value !== 0n ? next.interval : 0n;
    this.overrunLast = 0n;
    this.overrun = -1n;
    if (next.value === 0n) return old;
    this.expires = absolute ? next.value : ktimeAddSafe(next.value, clockNs(this.clock));
    if (!this.sigNone) {
      this.alarm.arm(this.expires);
      this.status = "armed";
    }
    return old;
  }

  /** timer_getoverrun(): the overruns reported with the last delivered signal. */
  getOverrun(): number {
    return Number(this.overrunLast > BigInt(INT_MAX) ? BigInt(INT_MAX) : this.overrunLast);
  }

  delete(): void {
    this.deleted = true;
    this.ignored = false;
    this.alarm.cancel();
    releaseSigqueue(this.proc);
  }

  /** posix_timer_fn(): the timer expired. */
  private expire(): void {
    if (this.proc.exitStatus !== null || this.deleted) return;
    this.status = this.interval !== 0n ? "requeue" : "disarmed";
    this.sendSignal();
  }

  private target(): Task | undefined {
    if (this.thread === null) return signalTarget(this.proc, this.event.signo);
    return this.thread.state === "dead" ? undefined : this.thread;
  }

  /** posixtimer_send_sigqueue(). */
  private sendSignal(): void {
    const task = this.target();
    if (task === undefined) return;
    const sig = this.event.signo;
    this.sigqueueSeq = this.signalSeq;
    this.periodicSignal = this.status === "requeue";
    if (this.entry !== null && isQueued(this.entry.task, this.entry.queued)) return;
    if (dispositionIgnores(this.proc.sigactions[sig], sig) && !isBlocked(task, sig)) {
      this.ignored = this.periodicSignal;
      return;
    }
    this.ignored = false;
    this.queue(task);
  }

  private queue(task: Task): void {
    const info: SigInfo = {
      signo: this.event.signo,
      code: SI_TIMER,
      kind: "timer",
      timerId: this.id,
      overrun: 0,
      value: this.event.value,
    };
    this.entry = { task, queued: queuePreallocated(task, info, this) };
    this.kernel.sendSignal(task, this.event.signo);
  }

  /** posixtimer_deliver_signal(): start the next period, reporting the periods missed. */
  dequeued(info: SigInfo): SigInfo | null {
    this.entry = null;
    if (this.deleted || this.signalSeq !== this.sigqueueSeq) return null;
    if (this.interval === 0n || this.status !== "requeue") return info;
    const forward = forwardExpiry(this.expires, clockNs(this.clock), this.interval);
    this.expires = forward.expires;
    this.overrun += forward.overruns;
    this.alarm.arm(this.expires);
    this.status = "armed";
    this.overrunLast = this.overrun;
    this.overrun = -1n;
    this.signalSeq++;
    return info.kind === "timer" ? { ...info, overrun: this.getOverrun() } : info;
  }

  /** posixtimer_sig_ignore(): a periodic timer's discarded signal parks it. */
  discarded(): void {
    this.entry = null;
    this.ignored = !this.deleted && this.periodicSignal;
  }

  /** posixtimer_sig_unignore(): the parked signal is queued after all. */
  unignore(): void {
    this.ignored = false;
    const task = this.target();
    if (task !== undefined) this.queue(task);
  }
}

interface ProcessTimers {
  readonly timers: Map<number, PosixTimer>;
  /** signal_struct.next_posix_timer_id: kept across execve, like the rest of signal_struct. */
  nextId: number;
}

const processTimers = new WeakMap<Process, ProcessTimers>();

function timersOf(proc: Process): ProcessTimers {
  let state = processTimers.get(proc);
  if (state === undefined) {
    const created: ProcessTimers = { timers: new Map(), nextId: 0 };
    const deleteAll = () => {
      for (const timer of created.timers.values()) timer.delete();
      created.timers.clear();
    };
    proc.onExit.add(deleteAll);
    proc.onExec.add(deleteAll);
    processTimers.set(proc, created);
    state = created;
  }
  return state;
}

function allocateId(state: ProcessTimers): number {
  for (;;) {
    const id = state.nextId;
    state.nextId = (state.nextId + 1) & INT_MAX;
    if (!state.timers.has(id)) return id;
  }
}

/** What timer_create can do with a clock before allocating the timer. */
function clockSupport(id: number): "invalid" | "unsupported" | "alarm" | "ok" {
  if (id < 0) return (id & 7) === 3 ? "unsupported" : "ok"; // a clock fd, or a CPU clock
  switch (id) {
    case 0: // CLOCK_REALTIME
    case 1: // CLOCK_MONOTONIC
    case 2: // CLOCK_PROCESS_CPUTIME_ID
    case 3: // CLOCK_THREAD_CPUTIME_ID
    case 7: // CLOCK_BOOTTIME
    case 11: // CLOCK_TAI
      return "ok";
    case 4: // CLOCK_MONOTONIC_RAW
    case 5: // CLOCK_REALTIME_COARSE
    case 6: // CLOCK_MONOTONIC_COARSE
      return "unsupported";
    case 8: // CLOCK_REALTIME_ALARM
    case 9: // CLOCK_BOOTTIME_ALARM
      return "alarm";
  }
  return "invalid";
}

/** good_sigevent(): the thread a SIGEV_THREAD_ID event names, null for the process, or EINVAL. */
function eventTarget(task: Task, event: SigEvent): Task | null {
  switch (event.notify) {
    case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
      const thread = task.proc.threads.find((t) => t.tid === event.threadId && t.state !== "dead");
      if (thread === undefined) throw new SyscallError(EINVAL);
      if (event.signo <= 0 || event.signo > NSIG) throw new SyscallError(EINVAL);
      return thread;
    }
    case SIGEV_SIGNAL:
    case SIGEV_THREAD:
      if (event.signo <= 0 || event.signo > NSIG) throw new SyscallError(EINVAL);
      return null;
    case SIGEV_NONE:
      return null;
  }
  throw new SyscallError(EINVAL);
}

/**
 * do_timer_create(): 0 with the new id handed to `storeId` (which may throw EFAULT), or -errno.
 * `event` null is Linux's default: SIGALRM to the process with the timer id as its value. As on
 * Linux, a failure after the id was allocated (a bad event, EFAULT, an alarm clock) uses it up.
 */
export function createTimer(
  kernel: Kernel,
  task: Task,
  clockId: number,
  event: SigEvent | null,
  storeId: (id: number) => void,
): number {
  const support = clockSupport(clockId);
  if (support === "invalid") return -EINVAL;
  if (support === "unsupported") return -EOPNOTSUPP;
  const proc = task.proc;
  if (!reserveSigqueue(kernel, proc)) return -EAGAIN;
  const state = timersOf(proc);
  const id = allocateId(state);
  try {
    const ev = event ?? { value: BigInt(id), signo: SIGALRM, notify: SIGEV_SIGNAL, threadId: 0 };
    const thread = eventTarget(task, ev);
    storeId(id);
    if (support === "alarm") throw new SyscallError(EOPNOTSUPP); // no RTC to wake the machine
    const clock = clockById(kernel, task, clockId, false);
    if (clock === null) throw new SyscallError(EINVAL);
    state.timers.set(id, new PosixTimer(kernel, proc, id, clock, ev, thread));
    return 0;
  } catch (e) {
    releaseSigqueue(proc);
    throw e;
  }
}

function timerById(proc: Process, id: number): PosixTimer {
  const timer = processTimers.get(proc)?.timers.get(id);
  if (timer === undefined) throw new SyscallError(EINVAL);
  return timer;
}

/** timer_settime(): the old setting; EINVAL for an unknown id. */
export function setTimer(
  proc: Process,
  id: number,
  flags: number,
  next: ItimerSetting,
): ItimerSetting {
  return timerById(proc, id).set((flags & TIMER_ABSTIME) !== 0, next);
}

export function getTimer(proc: Process, id: number): ItimerSetting {
  return timerById(proc, id).get();
}

export function getTimerOverrun(proc: Process, id: number): number {
  return timerById(proc, id).getOverrun();
}

export function deleteTimer(proc: Process, id: number): void {
  const timer = timerById(proc, id);
  timer.delete();
  processTimers.get(proc)!.timers.delete(id);
}

/** rt_sigaction took `sig` from SIG_IGN to something else: parked timers queue their signal. */
export function signalUnignored(proc: Process, sig: number): void {
  for (const timer of processTimers.get(proc)?.timers.values() ?? []) {
    if (timer.ignored && timer.event.signo === sig) timer.unignore();
  }
}
