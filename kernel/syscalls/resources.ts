// Resource usage: getrusage (struct rusage for the process, its waited-for children or the
// calling thread) and times (struct tms in USER_HZ ticks, returning Linux's jiffies-based tick
// count), read from the Usage counters of kernel/proc/process.ts. Also the accounting helpers
// the kernel charges those counters through, so a thread's own usage and its process's agree.

import { monotonicMs } from "../clocks.ts";
import { EINVAL } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { CLOCK_TICKS_PER_SECOND } from "../proc/notify-parent.ts";
import type { Process, Task, Usage } from "../proc/process.ts";
import type { SyscallFamily } from "./args.ts";
import { encodeRusage } from "./rusage.ts";

export const RUSAGE_SELF = 0;
export const RUSAGE_CHILDREN = -1;
export const RUSAGE_THREAD = 1;

const TMS_SIZE = 32;
const PAGE_KB = 4;

/** CONFIG_HZ (Debian's 250) and the jiffies counter's start, 5 minutes before it wraps 32 bits. */
const HZ = 250;
const INITIAL_JIFFIES = 2 ** 32 - 300 * HZ;

// ---- accounting (called by the scheduler and the fault handler) -----------------------------

/** Charge CPU time to `task` and its process. */
export function chargeCpuTime(task: Task, userMs: number, systemMs: number): void {
  // Called after every run of guest code: two plain updates, no array to iterate.
  const own = task.usage, all = task.proc.usage;
  own.userMs += userMs;
  own.systemMs += systemMs;
  all.userMs += userMs;
  all.systemMs += systemMs;
}

/** A page fault that was resolved without I/O (all of NexaOS's: memory is never swapped). */
export function countMinorFault(task: Task): void {
  task.usage.minorFaults++;
  task.proc.usage.minorFaults++;
}

/** `task` left the CPU: it blocked (voluntary) or its quantum ended (involuntary). */
export function countContextSwitch(task: Task, voluntary: boolean): void {
  if (voluntary) {
    task.usage.voluntarySwitches++;
    task.proc.usage.voluntarySwitches++;
  } else {
    task.usage.involuntarySwitches++;
    task.proc.usage.involuntarySwitches++;
  }
}

/** KiB resident now in `proc`'s address space. */
function residentKb(proc: Process): number {
  return proc.mm.residentPages() * PAGE_KB;
}

/**
 * Keep the peak resident set before an address space goes away (exit, or execve replacing it):
 * Linux's setmax_mm_hiwater_rss into signal->maxrss.
 */
export function recordPeakRss(proc: Process): void {
  proc.usage.maxRssKb = Math.max(proc.usage.maxRssKb, residentKb(proc));
}

// ---- the structs ----------------------------------------------------------------------------

/** The counters `who` names, with ru_maxrss as Linux computes it. */
function usageFor(task: Task, who: number): Usage {
  const proc = task.proc;
  if (who === RUSAGE_CHILDREN) return proc.childrenUsage;
  const own = who === RUSAGE_THREAD ? task.usage : proc.usage;
  // The process's peak, or what is resident now if that is more (the thread's too: Linux shares it).
  return { ...own, maxRssKb: Math.max(proc.usage.maxRssKb, residentKb(proc)) };
}

function ticks(ms: number): number {
  return Math.floor(ms * CLOCK_TICKS_PER_SECOND / 1000);
}

/** struct tms: tms_utime, tms_stime, tms_cutime, tms_cstime as clock_t ticks. */
function encodeTms(proc: Process): Uint8Array {
  const out = new Uint8Array(TMS_SIZE);
  const dv = new DataView(out.buffer);
  const values = [
    proc.usage.userMs,
    proc.usage.systemMs,
    proc.childrenUsage.userMs,
    proc.childrenUsage.systemMs,
  ];
  values.forEach((ms, i) => dv.setBigInt64(i * 8, BigInt(ticks(ms)), true));
  return out;
}

/**
 * times()'s result: jiffies_64 in USER_HZ ticks. Linux starts jiffies at INITIAL_JIFFIES, so the
 * count is about 1.7e9 at boot on a 64-bit machine, not 0.
 */
export function clockTicksNow(kernel: Kernel): number {
  const jiffies = INITIAL_JIFFIES + Math.floor(monotonicMs(kernel) * HZ / 1000);
  return Math.floor(jiffies * CLOCK_TICKS_PER_SECOND / HZ);
}

export const resourceSyscalls: SyscallFamily = {
  getrusage(task, a) {
    const who = a.int(0);
    const buf = a.u64(1);
    if (who !== RUSAGE_SELF && who !== RUSAGE_CHILDREN && who !== RUSAGE_THREAD) return -EINVAL;
    task.proc.user.write(buf, encodeRusage(usageFor(task, who)));
    return 0;
  },

  times(task, a, kernel) {
    const buf = a.u64(0);
    if (buf !== 0) task.proc.user.write(buf, encodeTms(task.proc));
    return clockTicksNow(kernel);
  },
};
