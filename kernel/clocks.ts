// The kernel's clocks and timed waits: what each Linux clock id reads (REALTIME from the host's
// wall clock, MONOTONIC/BOOTTIME counting from kernel start, COARSE variants moving in 4 ms
// ticks, CPU-time clocks as host time since the process started), struct timespec copy-in/out,
// and waiting until a clock reaches a deadline through host timers (never spinning).

import { EINVAL } from "./errno.ts";
import type { Kernel } from "./kernel.ts";
import type { Process, Task } from "./proc/process.ts";
import { fail } from "./syscall-error.ts";
import type { UserMemory } from "./mm/uaccess.ts";
import { setI64 } from "./le64.ts";

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_PROCESS_CPUTIME_ID = 2;
export const CLOCK_THREAD_CPUTIME_ID = 3;
export const CLOCK_MONOTONIC_RAW = 4;
export const CLOCK_REALTIME_COARSE = 5;
export const CLOCK_MONOTONIC_COARSE = 6;
export const CLOCK_BOOTTIME = 7;
export const CLOCK_REALTIME_ALARM = 8;
export const CLOCK_BOOTTIME_ALARM = 9;
export const CLOCK_TAI = 11;

export const NSEC_PER_SEC = 1_000_000_000;
/** The scheduler tick (CONFIG_HZ=250, as Debian builds Linux): the coarse clocks' resolution. */
export const TICK_NS = 4_000_000;
const TICK_MS = TICK_NS / 1e6;
/** ktime_t saturates here (KTIME_SEC_MAX): longer durations mean "until the end of time". */
const KTIME_SEC_MAX = 9_223_372_036;
/** Longest single host timer: setTimeout wraps above 2^31-1 ms, so long waits are chained. */
const MAX_TIMER_MS = 24 * 3600 * 1000;
/** International Atomic Time minus UTC as Linux keeps it until adjtimex sets it: 0. */
const TAI_OFFSET_SEC = 0;

// Encoding of negative clock ids (CPU clocks of another pid, or a clock device fd).
const CPUCLOCK_PERTHREAD_MASK = 4;
const CPUCLOCK_CLOCK_MASK = 3;
const CPUCLOCK_SCHED = 2;
const CLOCKFD = 3;

export interface Timespec {
  sec: number;
  nsec: number;
}

/** One readable clock. Values are milliseconds as floats (exact to well under 1 µs). */
export interface Clock {
  /** The clock's current value as seconds + nanoseconds. */
  read(): Timespec;
  /** The clock's current value in milliseconds (for deadlines). */
  ms(): number;
  resolutionNs: number;
  /** Whether clock_nanosleep may sleep on it (else EOPNOTSUPP, as Linux says). */
  sleepable: boolean;
}

/** Milliseconds as a normalized timespec. */
export function timespecFromMs(ms: number): Timespec {
  let sec = Math.floor(ms / 1000);
  let nsec = Math.round((ms - sec * 1000) * 1e6);
  if (nsec >= NSEC_PER_SEC) {
    sec++;
    nsec -= NSEC_PER_SEC;
  }
  return { sec, nsec };
}

/**
 * Wall-clock time at host instant `sample` (a performance.now() value). timeOrigin is about
 * 1.7e12 ms, where a double keeps only 0.24 µs; splitting off its whole milliseconds first keeps
 * the sum exact to the nanosecond JS can see.
 */
function realtimeAt(sample: number): Timespec {
  const origin = performance.timeOrigin;
  const originWholeMs = Math.floor(origin);
  const rel = origin - originWholeMs + sample;
  const relWholeMs = Math.floor(rel);
  const totalMs = originWholeMs + relWholeMs;
  let sec = Math.floor(totalMs / 1000);
  let nsec = (totalMs - sec * 1000) * 1e6 + Math.round((rel - relWholeMs) * 1e6);
  if (nsec >= NSEC_PER_SEC) {
    sec++;
    nsec -= NSEC_PER_SEC;
  }
  return { sec, nsec };
}

function addSeconds(t: Timespec, sec: number): Timespec {
  return { sec: t.sec + sec, nsec: t.nsec };
}

/** CLOCK_MONOTONIC in ms: time since the kernel started (it never goes back). */
export function monotonicMs(kernel: Kernel): number {
  return performance.now() - kernel.bootTime;
}

export function realtime(): Timespec {
  return realtimeAt(performance.now());
}

/** How far the coarse clocks lag: they hold the value of the last 4 ms tick since boot. */
function coarseLagMs(kernel: Kernel, sample: number): number {
  return (sample - kernel.bootTime) % TICK_MS;
}

function wallClock(kernel: Kernel, coarse: boolean, taiOffset: number): Clock {
  return {
    read() {
      const sample = performance.now();
      const at = coarse ? sample - coarseLagMs(kernel, sample) : sample;
      return addSeconds(realtimeAt(at), taiOffset);
    },
    ms() {
      const sample = performance.now();
      const lag = coarse ? coarseLagMs(kernel, sample) : 0;
      return performance.timeOrigin + sample - lag + taiOffset * 1000;
    },
    resolutionNs: coarse ? TICK_NS : 1,
    sleepable: !coarse,
  };
}

function sinceBoot(kernel: Kernel, coarse: boolean, sleepable: boolean): Clock {
  const ms = () => {
    const sample = performance.now();
    return sample - kernel.bootTime - (coarse ? coarseLagMs(kernel, sample) : 0);
  };
  return {
    read: () => timespecFromMs(ms()),
    ms,
    resolutionNs: coarse ? TICK_NS : 1,
    sleepable,
  };
}

/** CPU time the process has used: virtual time, as the scheduler charges it. */
export function cpuTimeMs(proc: Process): number {
  return proc.usage.userMs + proc.usage.systemMs;
}

function cpuClock(proc: Process, resolutionNs: number, sleepable: boolean): Clock {
  const ms = () => cpuTimeMs(proc);
  return { read: () => timespecFromMs(ms()), ms, resolutionNs, sleepable };
}

/** One thread's CPU time (CLOCK_THREAD_CPUTIME_ID). */
function threadClock(task: Task): Clock {
  const ms = () => task.usage.userMs + task.usage.systemMs;
  return { read: () => timespecFromMs(ms()), ms, resolutionNs: 1, sleepable: false };
}

/**
 * The clock `id` names for `task`, or null when Linux answers EINVAL. `forRead` is true for
 * clock_gettime, which also accepts a process clock named by the caller's thread id.
 */
export function clockById(kernel: Kernel, task: Task, id: number, forRead = true): Clock | null {
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_ALARM:
      return wallClock(kernel, false, 0);
    case CLOCK_REALTIME_COARSE:
      return wallClock(kernel, true, 0);
    case CLOCK_TAI:
      return wallClock(kernel, false, TAI_OFFSET_SEC);
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME:
    case CLOCK_BOOTTIME_ALARM:
      return sinceBoot(kernel, false, true);
    case CLOCK_MONOTONIC_RAW:
      return sinceBoot(kernel, false, false);
    case CLOCK_MONOTONIC_COARSE:
      return sinceBoot(kernel, true, false);
    case CLOCK_PROCESS_CPUTIME_ID:
      return cpuClock(task.proc, 1, true);
    case CLOCK_THREAD_CPUTIME_ID:
      return threadClock(task);
  }
  if (id >= 0) return null;
  return cpuClockOfPid(kernel, task, id, forRead);
}

/** Negative ids: (~pid << 3) | perthread << 2 | which, or a clock device fd (which == 3). */
function cpuClockOfPid(kernel: Kernel, task: Task, id: number, forRead: boolean): Clock | null {
  const which = id & CPUCLOCK_CLOCK_MASK;
  if (which === CLOCKFD) return null; // no clock devices (and which 3 is no CPU clock either)
  const pid = ~(id >> 3);
  const resolutionNs = which === CPUCLOCK_SCHED ? 1 : TICK_NS;
  if (id & CPUCLOCK_PERTHREAD_MASK) {
    if (pid === 0) return cpuClock(task.proc, resolutionNs, false);
    const thread = task.proc.threads.find((t) => t.tid === pid);
    // Linux refuses to sleep on the caller's own thread clock, but not on a sibling's.
    return thread === undefined ? null : cpuClock(thread.proc, resolutionNs, thread !== task);
  }
  if (pid === 0 || (forRead && pid === task.tid)) return cpuClock(task.proc, resolutionNs, true);
  const proc = kernel.processes.get(pid);
  return proc === undefined ? null : cpuClock(proc, resolutionNs, true);
}

/**
 * What clock_nanosleep makes of `id` before reading the request: "ok", "invalid" (no such
 * clock: EINVAL) or "unsupported" (a clock Linux cannot sleep on: EOPNOTSUPP).
 */
export function sleepSupport(id: number): "ok" | "invalid" | "unsupported" {
  if (id < 0) return (id & 7) === CLOCKFD ? "unsupported" : "ok";
  switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_BOOTTIME:
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
    case CLOCK_TAI:
      return "ok";
    case CLOCK_THREAD_CPUTIME_ID:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE:
      return "unsupported";
  }
  return "invalid";
}

// ---- struct timespec ------------------------------------------------------------------------

/** Copy in a struct timespec (EFAULT), unvalidated. */
export function readTimespec(user: UserMemory, addr: number): Timespec {
  const bytes = user.read(addr, 16);
  const dv = new DataView(bytes.buffer);
  const sec = dv.getInt32(4, true) * 2 ** 32 + dv.getUint32(0, true);
  const nsec = dv.getInt32(12, true) * 2 ** 32 + dv.getUint32(8, true);
  return { sec, nsec };
}

/** timespec64_valid(): seconds not negative, nanoseconds in [0, 1e9). */
export function timespecValid(t: Timespec): boolean {
  return t.sec >= 0 && t.nsec >= 0 && t.nsec < NSEC_PER_SEC;
}

/** Copy in a struct timespec that must be valid (EFAULT, then EINVAL). */
export function readValidTimespec(user: UserMemory, addr: number): Timespec {
  const t = readTimespec(user, addr);
  if (!timespecValid(t)) fail(EINVAL);
  return t;
}

/** A valid timespec as milliseconds, saturating as ktime_t does. */
export function timespecToMs(t: Timespec): number {
  if (t.sec >= KTIME_SEC_MAX) return KTIME_SEC_MAX * 1000 + 854.775807;
  return t.sec * 1000 + t.nsec / 1e6;
}

export function writeTimespec(user: UserMemory, addr: number, t: Timespec): void {
  user.write(addr, encodePair(t.sec, t.nsec));
}

/** Two signed 64-bit fields (timespec, timeval). */
export function encodePair(a: number, b: number): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  setI64(dv, 0, a);
  setI64(dv, 8, b);
  return out;
}

// ---- waiting --------------------------------------------------------------------------------

export type WaitOutcome = "deadline" | "woken" | "interrupted";

/** True when `task` must stop waiting: a signal it will act on, or its process has ended. */
export function mustStopWaiting(kernel: Kernel, task: Task): boolean {
  return task.proc.exitStatus !== null || kernel.hasDeliverableSignal(task);
}

/**
 * Wait until `clock` reaches `deadlineMs` (null: no deadline), `woken` settles, or a signal for
 * `task` arrives. Without `woken` this is a chain of kernel.sleep() calls; long waits are chains
 * of host timers either way. A wake-up meant for another task's signal goes back to waiting, as
 * Linux's sleep loops do after a spurious wake-up.
 */
export async function waitUntil(
  kernel: Kernel,
  task: Task,
  clock: Clock,
  deadlineMs: number | null,
  woken: Promise<void> | null = null,
): Promise<WaitOutcome> {
  let isWoken = false;
  const wake = woken?.then(() => {
    isWoken = true;
  });
  for (;;) {
    if (isWoken) return "woken";
    const left = deadlineMs === null ? Infinity : deadlineMs - clock.ms();
    if (left <= 0) return "deadline";
    if (mustStopWaiting(kernel, task)) return "interrupted";
    const ms = Math.min(Math.ceil(left), MAX_TIMER_MS);
    if (wake === undefined) {
      await kernel.sleep(task, ms);
      continue;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const waits: Promise<unknown>[] = [wake];
    if (left !== Infinity) waits.push(new Promise((resolve) => timer = setTimeout(resolve, ms)));
    await kernel.interruptible(task, Promise.race(waits));
    clearTimeout(timer);
  }
}
