// Time syscalls: clock_gettime, clock_getres, gettimeofday, time, nanosleep and
// clock_nanosleep. What each clock reads is in kernel/clocks.ts; sleeping awaits host timers.

import {
  type Clock,
  CLOCK_BOOTTIME_ALARM,
  CLOCK_MONOTONIC,
  CLOCK_REALTIME_ALARM,
  clockById,
  encodePair,
  readValidTimespec,
  realtime,
  sleepSupport,
  timespecFromMs,
  timespecToMs,
  waitUntil,
  writeTimespec,
} from "../clocks.ts";
import { EINVAL, EOPNOTSUPP, EPERM, ERESTART_RESTARTBLOCK, ERESTARTNOHAND } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
import { setRestartBlock } from "../signals/delivery.ts";
import type { SyscallFamily } from "./args.ts";

export const TIMER_ABSTIME = 1;

/**
 * Sleep on `clock` until `deadlineMs`; 0 when the time is reached. A signal ends an absolute
 * sleep with -ERESTARTNOHAND (EINTR under a handler, else the call is issued again). A relative
 * one stores the time left in `rem` (if given; with none left the sleep counts as done) and
 * returns -ERESTART_RESTARTBLOCK: restart_syscall then sleeps on to the same deadline.
 */
async function sleepOn(
  kernel: Kernel,
  task: Task,
  clock: Clock,
  deadlineMs: number,
  absolute: boolean,
  rem: number,
): Promise<number> {
  const outcome = await waitUntil(kernel, task, clock, deadlineMs);
  if (outcome !== "interrupted") return 0;
  if (absolute) return -ERESTARTNOHAND;
  if (rem !== 0) {
    const left = deadlineMs - clock.ms();
    if (left <= 0) return 0;
    writeTimespec(task.proc.user, rem, timespecFromMs(left));
  }
  setRestartBlock(task, (t, k) => sleepOn(k, t, clock, deadlineMs, false, rem));
  return -ERESTART_RESTARTBLOCK;
}

export const timeSyscalls: SyscallFamily = {
  clock_gettime(task, a, kernel) {
    const clock = clockById(kernel, task, a.int(0));
    if (clock === null) return -EINVAL;
    writeTimespec(task.proc.user, a.u64(1), clock.read());
    return 0;
  },

  clock_getres(task, a, kernel) {
    const clock = clockById(kernel, task, a.int(0), false);
    if (clock === null) return -EINVAL;
    const res = a.u64(1);
    if (res !== 0) writeTimespec(task.proc.user, res, timespecFromMs(clock.resolutionNs / 1e6));
    return 0;
  },

  gettimeofday(task, a) {
    const tv = a.u64(0);
    const tz = a.u64(1);
    if (tv !== 0) {
      const now = realtime();
      task.proc.user.write(tv, encodePair(now.sec, Math.floor(now.nsec / 1000)));
    }
    // struct timezone {tz_minuteswest, tz_dsttime}: Linux's sys_tz is zero until settimeofday.
    if (tz !== 0) task.proc.user.write(tz, new Uint8Array(8));
    return 0;
  },

  time(task, a) {
    const seconds = realtime().sec;
    const tloc = a.u64(0);
    if (tloc !== 0) task.proc.user.writeI64(tloc, seconds);
    return seconds;
  },

  nanosleep(task, a, kernel) {
    const request = readValidTimespec(task.proc.user, a.u64(0));
    const rem = a.u64(1);
    const clock = clockById(kernel, task, CLOCK_MONOTONIC)!;
    return sleepOn(kernel, task, clock, clock.ms() + timespecToMs(request), false, rem);
  },

  clock_nanosleep(task, a, kernel) {
    const id = a.int(0);
    const flags = a.int(1);
    const support = sleepSupport(id);
    if (support === "invalid") return -EINVAL;
    if (support === "unsupported") return -EOPNOTSUPP;
    const request = readValidTimespec(task.proc.user, a.u64(2));
    if (id === CLOCK_REALTIME_ALARM || id === CLOCK_BOOTTIME_ALARM) {
      // Alarm clocks take no other flag and need CAP_WAKE_ALARM (root).
      if (flags & ~TIMER_ABSTIME) return -EINVAL;
      if (task.proc.creds.euid !== 0) return -EPERM;
    }
    const clock = clockById(kernel, task, id, false);
    if (clock === null || !clock.sleepable) return -EINVAL;
    const absolute = (flags & TIMER_ABSTIME) !== 0;
    const deadline = absolute ? timespecToMs(request) : clock.ms() + timespecToMs(request);
    return sleepOn(kernel, task, clock, deadline, absolute, absolute ? 0 : a.u64(3));
  },
};
