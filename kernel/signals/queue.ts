// Pending signal queues (Linux's struct sigpending: a list of struct sigqueue per task): every
// pending instance of a signal with its own siginfo. A legacy signal (1-31) is pending once; a
// real-time signal queues every instance, oldest first. A POSIX timer queues its own
// preallocated siginfo, even behind a pending legacy signal, and decides at dequeue time what it
// reports (si_overrun) or whether it still counts. Queued siginfos count against the receiving
// user's RLIMIT_SIGPENDING, as each existing POSIX timer does.
//
// Task.pending holds the numbers of the pending signals; the queues here hold their siginfos.

import type { Kernel } from "../kernel.ts";
import { RLIMIT_SIGPENDING } from "../proc/limits.ts";
import type { Process, Task } from "../proc/process.ts";
import { kernelSigInfo, SI_USER, type SigInfo } from "./sigframe.ts";
import { sigBit, SIGKILL, SIGRTMIN } from "./signals.ts";
import { EAGAIN } from "../errno.ts";

/** What queued a preallocated signal (a POSIX timer, the ITIMER_REAL timer). */
export interface SignalSource {
  /** The instance is being dequeued: the siginfo to report, or null to drop the instance. */
  dequeued(info: SigInfo): SigInfo | null;
  /** The instance was discarded because its signal became ignored. */
  discarded(): void;
}

/** One queued instance of a pending signal. */
export interface QueuedSignal {
  readonly info: SigInfo;
  source: SignalSource | null;
  /** Counts against RLIMIT_SIGPENDING (a timer's siginfo is counted through the timer). */
  readonly counted: boolean;
}

const queues = new WeakMap<Task, Map<number, QueuedSignal[]>>();
/** Preallocated siginfos (one per POSIX timer) counted against RLIMIT_SIGPENDING, by process. */
const reserved = new WeakMap<Process, number>();

/**
 * The task's queues, without those of signals no longer pending: whoever took a signal out of
 * Task.pending directly (SIGCONT clearing stop signals, say) discarded its instances.
 */
function queuesOf(task: Task): Map<number, QueuedSignal[]> {
  let map = queues.get(task);
  if (map === undefined) {
    map = new Map();
    queues.set(task, map);
  }
  for (const [sig, queue] of map) {
    if (task.pending.has(sig)) continue;
    map.delete(sig);
    for (const entry of queue) entry.source?.discarded();
  }
  return map;
}

/** The queued instances of `sig` for `task`, oldest first (none when it is not pending). */
export function queuedSignals(task: Task, sig: number): readonly QueuedSignal[] {
  if (!task.pending.has(sig)) return [];
  return queues.get(task)?.get(sig) ?? [];
}

/** Is `entry` still waiting in `task`'s queue? */
export function isQueued(task: Task, entry: QueuedSignal): boolean {
  return queuedSignals(task, entry.info.signo).includes(entry);
}

/**
 * Attach siginfo to a signal about to be queued (then kernel.sendSignal sets it pending). A
 * legacy signal already pending keeps its one instance and siginfo (a `source` is attached to
 * it when it has none, so an ITIMER_REAL expiry still re-arms the timer); a real-time signal
 * queues one more instance. Returns the new instance, or null when none was queued.
 */
export function recordSignalInfo(
  task: Task,
  info: SigInfo,
  source: SignalSource | null = null,
  counted = true,
): QueuedSignal | null {
  const sig = info.signo;
  const map = queuesOf(task);
  const entry: QueuedSignal = { info, source, counted };
  const queue = map.get(sig);
  if (queue === undefined) {
    map.set(sig, [entry]);
    return entry;
  }
  if (sig >= SIGRTMIN) {
    queue.push(entry);
    return entry;
  }
  if (source !== null && queue.length > 0) queue[0].source ??= source;
  return null;
}

/** Queue a POSIX timer's own siginfo: always a new instance, not counted (the timer is). */
export function queuePreallocated(task: Task, info: SigInfo, source: SignalSource): QueuedSignal {
  const map = queuesOf(task);
  const entry: QueuedSignal = { info, source, counted: false };
  const queue = map.get(info.signo);
  if (queue !== undefined) queue.push(entry);
  else map.set(info.signo, [entry]);
  return entry;
}

/**
 * Dequeue one instance of pending `sig` (delivery, sigtimedwait) and return its siginfo; the
 * signal stays pending while more instances wait. Null when every instance was dropped by its
 * source (a POSIX timer deleted or re-set since it queued it).
 */
export function takeSignal(task: Task, sig: number): SigInfo | null {
  const map = queuesOf(task);
  const queue = map.get(sig);
  if (queue === undefined || queue.length === 0) {
    task.pending.delete(sig);
    map.delete(sig);
    return kernelSigInfo(sig);
  }
  for (;;) {
    const entry = queue.shift()!;
    if (queue.length === 0) {
      task.pending.delete(sig);
      map.delete(sig);
    }
    const info = entry.source === null ? entry.info : entry.source.dequeued(entry.info);
    if (info !== null) return info;
    if (queue.length === 0) return null;
  }
}

/** flush_sigqueue_mask(): `sig` is discarded everywhere in `proc` (it became ignored). */
export function discardSignal(proc: Process, sig: number): void {
  for (const task of proc.threads) {
    const dropped = queuedSignals(task, sig);
    task.pending.delete(sig);
    queues.get(task)?.delete(sig);
    for (const entry of dropped) entry.source?.discarded();
  }
}

/**
 * The thread a process-directed signal goes to (complete_signal's choice): the first live one
 * not blocking it, else one waiting for it in sigtimedwait, else the first. A signal every thread
 * blocks is "parked" (Linux keeps it in the shared queue): the first thread to unblock or
 * sigwait for it takes it over (claimParkedSignals).
 */
export function signalTarget(proc: Process, sig: number): Task | undefined {
  const [word, bit] = sigBit(sig);
  const live = proc.threads.filter((t) => t.state !== "dead");
  const has = (low: number, high: number) => ((word === 0 ? low : high) & bit) !== 0;
  const open = live.find((t) => !has(t.sigmaskLow, t.sigmaskHigh));
  if (open !== undefined) return open;
  const waiting = live.find((t) => t.sigwaitSet !== null && has(...t.sigwaitSet));
  if (waiting !== undefined) return waiting;
  proc.parkedSignals.add(sig);
  return live[0];
}

/**
 * A thread that no longer blocks a parked process-directed signal, or now waits for it in
 * sigtimedwait (the set `waitLow`/`waitHigh`), takes it over from the thread it waited on.
 */
export function claimParkedSignals(task: Task, waitLow = 0, waitHigh = 0): void {
  const proc = task.proc;
  // Deleting the current element while iterating a Set is safe in JavaScript.
  for (const sig of proc.parkedSignals) {
    const holder = proc.threads.find((t) => t.state !== "dead" && t.pending.has(sig));
    if (holder === undefined) {
      proc.parkedSignals.delete(sig);
      continue;
    }
    const [word, bit] = sigBit(sig);
    const blocks = ((word === 0 ? task.sigmaskLow : task.sigmaskHigh) & bit) !== 0;
    const waits = ((word === 0 ? waitLow : waitHigh) & bit) !== 0;
    if (blocks && !waits) continue;
    if (holder !== task) moveSignal(holder, task, sig);
    proc.parkedSignals.delete(sig);
  }
}

/** A thread that exits hands its parked process-directed signals to a sibling. */
export function handOnParkedSignals(task: Task): void {
  const heir = task.proc.threads.find((t) => t !== task && t.state !== "dead");
  if (heir === undefined) return;
  for (const sig of task.proc.parkedSignals) if (task.pending.has(sig)) moveSignal(task, heir, sig);
}

/** Move every pending instance of `sig` from one thread of a process to another. */
export function moveSignal(from: Task, to: Task, sig: number): void {
  const fromQueues = queuesOf(from);
  const entries = from.pending.has(sig) ? fromQueues.get(sig) ?? [] : [];
  fromQueues.delete(sig);
  from.pending.delete(sig);
  const toQueues = queuesOf(to);
  const queue = toQueues.get(sig);
  if (queue === undefined) toQueues.set(sig, entries);
  else if (sig >= SIGRTMIN || queue.length === 0) queue.push(...entries);
  else for (const entry of entries) entry.source?.discarded(); // a legacy signal: one instance
  to.pending.add(sig);
}

// ---- RLIMIT_SIGPENDING --------------------------------------------------------------------------

/** Queued siginfos and POSIX timers of every process whose real uid is `uid`. */
export function sigpendingInUse(kernel: Kernel, uid: number): number {
  let count = 0;
  for (const proc of kernel.processes.values()) {
    if (proc.creds.uid !== uid) continue;
    count += reserved.get(proc) ?? 0;
    for (const task of proc.threads) {
      for (const [sig, queue] of queues.get(task) ?? []) {
        if (!task.pending.has(sig)) continue;
        for (const entry of queue) if (entry.counted) count++;
      }
    }
  }
  return count;
}

/** Room for one more siginfo for `proc`'s user under its RLIMIT_SIGPENDING? */
function sigpendingAvailable(kernel: Kernel, proc: Process): boolean {
  return sigpendingInUse(kernel, proc.creds.uid) < proc.limits[RLIMIT_SIGPENDING].cur;
}

/** A POSIX timer preallocates its siginfo: false (EAGAIN) when the limit is reached. */
export function reserveSigqueue(kernel: Kernel, proc: Process): boolean {
  if (!sigpendingAvailable(kernel, proc)) return false;
  reserved.set(proc, (reserved.get(proc) ?? 0) + 1);
  return true;
}

export function releaseSigqueue(proc: Process): void {
  reserved.set(proc, Math.max(0, (reserved.get(proc) ?? 0) - 1));
}

/**
 * Linux's __send_signal_locked() queueing `info` for `task`, then kernel.sendSignal. Past the
 * user's RLIMIT_SIGPENDING a real-time signal sent by anything but kill() fails with EAGAIN;
 * otherwise the signal still goes, its siginfo lost (it then reads as SI_USER from pid 0).
 * Legacy signals the kernel or kill() sends are never refused. Returns 0 or -EAGAIN.
 */
export function queueSignal(kernel: Kernel, task: Task, info: SigInfo): number {
  const sig = info.signo;
  const alreadyPendingLegacy = sig < SIGRTMIN && task.pending.has(sig);
  if (!alreadyPendingLegacy && sig !== SIGKILL) {
    const override = sig < SIGRTMIN && info.code >= 0;
    if (override || sigpendingAvailable(kernel, task.proc)) recordSignalInfo(task, info);
    else if (sig >= SIGRTMIN && info.code !== SI_USER) return -EAGAIN;
    else if (!task.pending.has(sig)) {
      recordSignalInfo(
        task,
        { signo: sig, code: SI_USER, kind: "kill", pid: 0, uid: 0 },
        null,
        false,
      );
    }
  }
  kernel.sendSignal(task, sig);
  return 0;
}
