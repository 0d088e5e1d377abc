// Timer syscalls: alarm, getitimer and setitimer (struct itimerval, microseconds), and the POSIX
// timers timer_create, timer_settime, timer_gettime, timer_getoverrun and timer_delete (struct
// itimerspec, nanoseconds; struct sigevent). The timers themselves are signals/itimers.ts and
// signals/posix-timers.ts; this file copies structs in and out in Linux's order of checks.

import { readTimespec, type Timespec, timespecValid } from "../clocks.ts";
import { EINVAL } from "../errno.ts";
import type { UserMemory } from "../mm/uaccess.ts";
import { ktimeFromTimespec, ktimeToTimespec, NSEC_PER_SEC } from "../signals/clock-alarm.ts";
import { getItimer, ITIMER_REAL, type ItimerSetting, setItimer } from "../signals/itimers.ts";
import {
  createTimer,
  deleteTimer,
  getTimer,
  getTimerOverrun,
  setTimer,
  type SigEvent,
} from "../signals/posix-timers.ts";
import { fail } from "../syscall-error.ts";
import type { SyscallFamily } from "./args.ts";

/** sizeof(struct sigevent) on x86-64. */
const SIGEVENT_SIZE = 64;

/** Two timespec/timeval-shaped fields: it_interval, then it_value. */
function readIntervalPair(user: UserMemory, addr: number): [Timespec, Timespec] {
  return [readTimespec(user, addr), readTimespec(user, addr + 16)];
}

function writeIntervalPair(user: UserMemory, addr: number, interval: Timespec, value: Timespec) {
  const out = new Uint8Array(32);
  const dv = new DataView(out.buffer);
  dv.setBigInt64(0, BigInt(interval.sec), true);
  dv.setBigInt64(8, BigInt(interval.nsec), true);
  dv.setBigInt64(16, BigInt(value.sec), true);
  dv.setBigInt64(24, BigInt(value.nsec), true);
  user.write(addr, out);
}

/** get_itimerval(): a struct itimerval with valid timevals (EFAULT, then EINVAL). */
function readItimerval(user: UserMemory, addr: number): ItimerSetting {
  const [interval, value] = readIntervalPair(user, addr);
  const valid = (t: Timespec) => t.sec >= 0 && t.nsec >= 0 && t.nsec < 1_000_000;
  if (!valid(interval) || !valid(value)) fail(EINVAL);
  const ns = (t: Timespec) => ktimeFromTimespec({ sec: t.sec, nsec: t.nsec * 1000 });
  return { interval: ns(interval), value: ns(value) };
}

/** put_itimerval(): nanoseconds truncated to microseconds. */
function writeItimerval(user: UserMemory, addr: number, setting: ItimerSetting): void {
  const usec = (ns: bigint) => {
    const t = ktimeToTimespec(ns);
    return { sec: t.sec, nsec: Math.floor(t.nsec / 1000) };
  };
  writeIntervalPair(user, addr, usec(setting.interval), usec(setting.value));
}

/** get_itimerspec64() and the validity check of do_timer_settime() (EFAULT, then EINVAL). */
function readItimerspec(user: UserMemory, addr: number): ItimerSetting {
  const [interval, value] = readIntervalPair(user, addr);
  if (!timespecValid(interval) || !timespecValid(value)) fail(EINVAL);
  return { interval: ktimeFromTimespec(interval), value: ktimeFromTimespec(value) };
}

function writeItimerspec(user: UserMemory, addr: number, setting: ItimerSetting): void {
  writeIntervalPair(user, addr, ktimeToTimespec(setting.interval), ktimeToTimespec(setting.value));
}

function readSigEvent(user: UserMemory, addr: number): SigEvent {
  const dv = new DataView(user.read(addr, SIGEVENT_SIZE).buffer);
  return {
    value: dv.getBigUint64(0, true),
    signo: dv.getInt32(8, true),
    notify: dv.getInt32(12, true),
    threadId: dv.getInt32(16, true),
  };
}

/**
 * alarm_setitimer(): the seconds the previous alarm had left, rounded to nearest, but never 0
 * while one was pending.
 */
function alarmSecondsLeft(old: ItimerSetting): number {
  let sec = old.value / NSEC_PER_SEC;
  const nsec = old.value % NSEC_PER_SEC;
  if ((sec === 0n && nsec !== 0n) || nsec >= NSEC_PER_SEC / 2n) sec++;
  return Number(BigInt.asUintN(32, sec));
}

export const timerSyscalls: SyscallFamily = {
  alarm(task, a, kernel) {
    const seconds = BigInt(a.uint(0));
    const next = { value: seconds * NSEC_PER_SEC, interval: 0n };
    return alarmSecondsLeft(setItimer(kernel, task.proc, ITIMER_REAL, next)!);
  },

  getitimer(task, a, kernel) {
    const which = a.int(0);
    const out = a.u64(1);
    const setting = getItimer(kernel, task.proc, which);
    if (setting === null) return -EINVAL;
    writeItimerval(task.proc.user, out, setting);
    return 0;
  },

  setitimer(task, a, kernel) {
    const which = a.int(0);
    const value = a.u64(1);
    const oldValue = a.u64(2);
    const user = task.proc.user;
    // A null value disarms (a misfeature Linux still supports).
    const next = value === 0 ? { value: 0n, interval: 0n } : readItimerval(user, value);
    const old = setItimer(kernel, task.proc, which, next);
    if (old === null) return -EINVAL;
    if (oldValue !== 0) writeItimerval(user, oldValue, old);
    return 0;
  },

  timer_create(task, a, kernel) {
    const clockId = a.int(0);
    const eventAddr = a.u64(1);
    const idAddr = a.u64(2);
    const user = task.proc.user;
    const event = eventAddr === 0 ? null : readSigEvent(user, eventAddr);
    return createTimer(kernel, task, clockId, event, (id) => user.writeU32(idAddr, id));
  },

  timer_settime(task, a) {
    const id = a.int(0);
    const flags = a.int(1);
    const next = a.u64(2);
    const oldAddr = a.u64(3);
    if (next === 0) return -EINVAL;
    const user = task.proc.user;
    const old = setTimer(task.proc, id, flags, readItimerspec(user, next));
    if (oldAddr !== 0) writeItimerspec(user, oldAddr, old);
    return 0;
  },

  timer_gettime(task, a) {
    const id = a.int(0);
    const out = a.u64(1);
    writeItimerspec(task.proc.user, out, getTimer(task.proc, id));
    return 0;
  },

  timer_getoverrun: (task, a) => getTimerOverrun(task.proc, a.int(0)),

  timer_delete(task, a) {
    deleteTimer(task.proc, a.int(0));
    return 0;
  },
};
