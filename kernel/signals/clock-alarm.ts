// Deadlines on a clock for the kernel's timers (alarm, itimers, POSIX timers): nanosecond times
// as ktime_t keeps them (bigint, saturating at KTIME_MAX), and ClockAlarm, which runs a callback
// once a clock reaches a deadline. Host timers only wake it to look at the clock again, so it
// also works for clocks that advance slower than the host's (CPU time) and never fires early.
// The host timers are unref'd: a guest timer never keeps the emulator alive by itself (the
// kernel's own idle wait does while a task sleeps), even if a run ends without its exit hooks.

import type { Clock, Timespec } from "../clocks.ts";

export const NSEC_PER_SEC = 1_000_000_000n;
export const NSEC_PER_USEC = 1000n;
/** ktime_t's largest value: "never". */
export const KTIME_MAX = 2n ** 63n - 1n;
/** Seconds at which timespec64_to_ktime() saturates. */
const KTIME_SEC_MAX = KTIME_MAX / NSEC_PER_SEC;
/** Longest single host timer (setTimeout wraps above 2^31-1 ms): longer waits are chained. */
const MAX_HOST_TIMER_MS = 24 * 3600 * 1000;

/** timespec64_to_ktime(): a valid timespec as nanoseconds, saturating at KTIME_MAX. */
export function ktimeFromTimespec(t: Timespec): bigint {
  const sec = BigInt(t.sec);
  if (sec >= KTIME_SEC_MAX) return KTIME_MAX;
  return sec * NSEC_PER_SEC + BigInt(t.nsec);
}

/** ktime_to_timespec64(). */
export function ktimeToTimespec(ns: bigint): Timespec {
  return { sec: Number(ns / NSEC_PER_SEC), nsec: Number(ns % NSEC_PER_SEC) };
}

/** ktime_add_safe(): a sum that saturates at KTIME_MAX. */
export function ktimeAddSafe(a: bigint, b: bigint): bigint {
  const sum = a + b;
  return sum > KTIME_MAX ? KTIME_MAX : sum;
}

/** A clock's current value in nanoseconds. */
export function clockNs(clock: Clock): bigint {
  const t = clock.read();
  return BigInt(t.sec) * NSEC_PER_SEC + BigInt(t.nsec);
}

/**
 * hrtimer_forward(): move `expires` forward by whole `interval`s until it is after `now`.
 * Returns the new expiry and how many intervals were added (0 when it already was after `now`).
 */
export function forwardExpiry(
  expires: bigint,
  now: bigint,
  interval: bigint,
): { expires: bigint; overruns: bigint } {
  const delta = now - expires;
  if (delta < 0n) return { expires, overruns: 0n };
  const step = interval < 1n ? 1n : interval;
  const overruns = delta / step + 1n;
  return { expires: ktimeAddSafe(expires, overruns * step), overruns };
}

/** Host timers ClockAlarms are waiting on, in every kernel (a run ends with none). */
let hostTimers = 0;

export function pendingHostTimers(): number {
  return hostTimers;
}

/** Runs `fire` once the clock `now` reads reaches an armed deadline. */
export class ClockAlarm {
  private deadline: bigint | null = null;
  private handle: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly now: () => bigint, private readonly fire: () => void) {}

  /** Is a deadline set that has not fired yet? */
  get armed(): boolean {
    return this.deadline !== null;
  }

  /** Fire at `deadline` (at once, from the host event loop, when it has passed). */
  arm(deadline: bigint): void {
    this.cancel();
    this.deadline = deadline;
    this.schedule();
  }

  /**
   * Fire now if the deadline has passed but the host timer has not run yet: a kernel looking at
   * a timer sees it expire as promptly as Linux's timer interrupt would have made it.
   */
  fireIfDue(): void {
    if (this.deadline !== null && this.deadline - this.now() <= 0n) {
      this.cancel();
      this.fire();
    }
  }

  cancel(): void {
    if (this.handle !== null) {
      clearTimeout(this.handle);
      hostTimers--;
    }
    this.handle = null;
    this.deadline = null;
  }

  private schedule(): void {
    const left = this.deadline! - this.now();
    const ms = left <= 0n ? 0 : Math.min(Math.ceil(Number(left) / 1e6), MAX_HOST_TIMER_MS);
    this.handle = setTimeout(() => this.check(), ms);
    Deno.unrefTimer(this.handle);
    hostTimers++;
  }

  private check(): void {
    this.handle = null;
    hostTimers--;
    if (this.deadline === null) return;
    if (this.deadline - this.now() > 0n) return this.schedule();
    this.deadline = null;
    this.fire();
  }
}
