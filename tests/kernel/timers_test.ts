// Tests for kernel/syscalls/timers.ts and the timers behind it (signals/itimers.ts,
// signals/posix-timers.ts): alarm's rounding, setitimer/getitimer layouts, checks and re-arming
// on dequeue, the CPU itimers, POSIX timer ids, events, siginfo, overruns, dropped signals of
// re-set and deleted timers, parking while ignored, execve and exit, and RLIMIT_SIGPENDING.
// Timers run on real host timers: tests wait for the signal to arrive, never for a duration.

import assert from "node:assert/strict";
import { EAGAIN, EFAULT, EINVAL, EOPNOTSUPP } from "../../kernel/errno.ts";
import { RLIMIT_SIGPENDING } from "../../kernel/proc/limits.ts";
import type { Task } from "../../kernel/proc/process.ts";
import { pendingHostTimers } from "../../kernel/signals/clock-alarm.ts";
import { setBlocked } from "../../kernel/signals/delivery.ts";
import { queuedSignals, takeSignal } from "../../kernel/signals/queue.ts";
import { SI_KERNEL, SI_QUEUE, SI_TIMER, SI_USER } from "../../kernel/signals/sigframe.ts";
import {
  SIGALRM,
  sigBit,
  SIGPROF,
  SIGRTMIN,
  SIGUSR1,
  SIGUSR2,
  SIGVTALRM,
} from "../../kernel/signals/signals.ts";
import { signalSyscalls as sig } from "../../kernel/syscalls/signal.ts";
import { timerSyscalls as t } from "../../kernel/syscalls/timers.ts";
import { traceSyscall } from "../../kernel/syscalls/dispatch.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const VAL = AREA; // struct itimerval / itimerspec in
const OLD = AREA + 64; // and out
const EVENT = AREA + 128; // struct sigevent
const ID = AREA + 256; // timer_t out
const INFO = AREA + 512; // siginfo / sigaction
const ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_ALARM = 8;
const SIGEV_SIGNAL = 0, SIGEV_NONE = 1, SIGEV_THREAD_ID = 4;
const TIMER_ABSTIME = 1;

function block(task: Task, ...sigs: number[]) {
  let low = task.sigmaskLow, high = task.sigmaskHigh;
  for (const s of sigs) {
    const [word, bit] = sigBit(s);
    if (word === 0) low |= bit;
    else high |= bit;
  }
  setBlocked(task, low, high);
}

/**
 * Resolves at the next signal sent to `task`. The kernel's host timers do not keep the event
 * loop alive (its idle wait does): the test holds it open meanwhile.
 */
async function nextSignal(task: Task): Promise<void> {
  const hold = setInterval(() => {}, 1000);
  try {
    await task.signalWake.promise;
  } finally {
    clearInterval(hold);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function writeQuad(m: FakeMachine, addr: number, values: (number | bigint)[]) {
  values.forEach((v, i) => m.writeI64(addr + 8 * i, v));
}

function readQuad(m: FakeMachine, addr: number): number[] {
  return [0, 8, 16, 24].map((o) => m.i64(addr + o));
}

function setitimer(m: FakeMachine, which: number, value: number[], old = 0): number {
  writeQuad(m, VAL, value);
  return m.callSync(t.setitimer, [which, VAL, old]);
}

function sigevent(m: FakeMachine, notify: number, signo: number, value: bigint, tid = 0): number {
  m.write(EVENT, new Uint8Array(64));
  m.writeI64(EVENT, value);
  m.writeU32(EVENT + 8, signo);
  m.writeU32(EVENT + 12, notify);
  m.writeU32(EVENT + 16, tid);
  return EVENT;
}

/** timer_create: the new id, or the error. */
function create(m: FakeMachine, clock: number, event: number): number {
  const r = m.callSync(t.timer_create, [clock, event, ID]);
  return r === 0 ? m.u32(ID) : r;
}

function settime(m: FakeMachine, id: number, value: bigint[], flags = 0, old = 0): number {
  writeQuad(m, VAL, value);
  return m.callSync(t.timer_settime, [id, flags, VAL, old]);
}

function gettime(m: FakeMachine, id: number): number[] {
  assert.equal(m.callSync(t.timer_gettime, [id, OLD]), 0);
  return readQuad(m, OLD);
}

function end(m: FakeMachine) {
  m.kernel.exitProcess(m.proc, 0);
}

// ---- alarm and itimers ----------------------------------------------------------------------

Deno.test("alarm: returns the previous alarm's seconds, rounded as Linux rounds them", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(t.alarm, [10]), 0);
  assert.equal(m.callSync(t.alarm, [0]), 10, "9.99... s left reads as 10");
  assert.equal(m.callSync(t.alarm, [0]), 0);
  for (const [sec, usec, expected] of [[1, 400000, 1], [1, 600000, 2], [0, 300000, 1]]) {
    assert.equal(setitimer(m, ITIMER_REAL, [0, 0, sec, usec]), 0);
    assert.equal(m.callSync(t.alarm, [0]), expected, `${sec}.${usec}`);
  }
  assert.equal(m.callSync(t.alarm, [0xffffffff]), 0);
  assert.equal(m.callSync(t.alarm, [0]), 0xffffffff, "unsigned seconds");
  end(m);
});

Deno.test("setitimer and getitimer: struct itimerval, checks and the old value", () => {
  const m = new FakeMachine();
  assert.equal(setitimer(m, ITIMER_REAL, [2, 500000, 5, 0]), 0);
  assert.equal(m.callSync(t.getitimer, [ITIMER_REAL, OLD]), 0);
  const [isec, iusec, sec, usec] = readQuad(m, OLD);
  assert.deepEqual([isec, iusec], [2, 500000], "the interval reads back exactly");
  assert.ok(sec === 4 || (sec === 5 && usec === 0), `value ${sec}.${usec}`);
  assert.equal(setitimer(m, ITIMER_REAL, [0, 0, 0, 0], OLD), 0);
  assert.deepEqual(readQuad(m, OLD).slice(0, 2), [2, 500000]);
  assert.equal(m.callSync(t.getitimer, [ITIMER_REAL, OLD]), 0);
  assert.deepEqual(readQuad(m, OLD), [0, 0, 0, 0], "disarming clears the interval too");

  // Linux reads the new value before it looks at `which`; getitimer checks `which` first.
  assert.equal(setitimer(m, 3, [0, 0, 1, 0]), -EINVAL);
  assert.equal(m.callSync(t.setitimer, [3, UNMAPPED, 0]), -EFAULT);
  assert.equal(m.callSync(t.setitimer, [3, 0, 0]), -EINVAL);
  assert.equal(m.callSync(t.getitimer, [3, UNMAPPED]), -EINVAL);
  assert.equal(m.callSync(t.getitimer, [ITIMER_REAL, UNMAPPED]), -EFAULT);
  assert.equal(setitimer(m, ITIMER_REAL, [0, 0, 0, 1000000]), -EINVAL);
  assert.equal(setitimer(m, ITIMER_REAL, [0, -1, 1, 0]), -EINVAL);
  assert.equal(setitimer(m, ITIMER_REAL, [-1, 0, 1, 0]), -EINVAL);
  assert.equal(m.callSync(t.setitimer, [ITIMER_REAL, 0, UNMAPPED]), -EFAULT);
  assert.equal(m.callSync(t.setitimer, [ITIMER_REAL, 0, OLD]), 0, "a null value disarms");
  end(m);
});

Deno.test("ITIMER_REAL: SIGALRM from the kernel; a periodic timer re-arms when it is taken", async () => {
  const m = new FakeMachine();
  block(m.task, SIGALRM);
  const arrived = nextSignal(m.task);
  assert.equal(setitimer(m, ITIMER_REAL, [0, 200000, 0, 1000]), 0);
  await arrived;
  assert.ok(m.task.pending.has(SIGALRM));
  assert.equal(m.callSync(t.getitimer, [ITIMER_REAL, OLD]), 0);
  assert.deepEqual(readQuad(m, OLD), [0, 200000, 0, 0], "expired, waiting for the dequeue");
  const info = takeSignal(m.task, SIGALRM);
  assert.deepEqual(info, { signo: SIGALRM, code: SI_KERNEL, kind: "kill", pid: 0, uid: 0 });
  m.callSync(t.getitimer, [ITIMER_REAL, OLD]);
  const [, , sec, usec] = readQuad(m, OLD);
  assert.ok(sec === 0 && usec > 0 && usec <= 200000, `re-armed: ${sec}.${usec}`);
  end(m);
});

Deno.test("ITIMER_REAL: a SIGALRM already pending (from kill) still re-arms the timer", async () => {
  const m = new FakeMachine();
  block(m.task, SIGALRM);
  assert.equal(m.callSync(sig.kill, [m.proc.pid, SIGALRM]), 0);
  const arrived = nextSignal(m.task);
  setitimer(m, ITIMER_REAL, [0, 200000, 0, 1000]);
  await arrived;
  assert.equal(queuedSignals(m.task, SIGALRM).length, 1, "a legacy signal is pending once");
  assert.equal(takeSignal(m.task, SIGALRM)?.code, SI_USER, "with the first sender's siginfo");
  m.callSync(t.getitimer, [ITIMER_REAL, OLD]);
  assert.ok(readQuad(m, OLD)[3] > 0, "re-armed");
  end(m);
});

Deno.test("ITIMER_VIRTUAL and ITIMER_PROF: a tick late, counted in the process's run time", async () => {
  const m = new FakeMachine();
  assert.equal(setitimer(m, ITIMER_VIRTUAL, [0, 0, 1, 0]), 0);
  m.callSync(t.getitimer, [ITIMER_VIRTUAL, OLD]);
  assert.deepEqual(readQuad(m, OLD), [0, 0, 1, 4000], "set_cpu_itimer adds TICK_NSEC");
  m.proc.usage.userMs += 500;
  m.callSync(t.getitimer, [ITIMER_VIRTUAL, OLD]);
  assert.deepEqual(readQuad(m, OLD), [0, 0, 0, 504000]);
  assert.equal(setitimer(m, ITIMER_VIRTUAL, [0, 0, 0, 0], OLD), 0);
  assert.deepEqual(readQuad(m, OLD), [0, 0, 0, 504000]);

  // Time passing without the process running does not count.
  block(m.task, SIGVTALRM, SIGPROF);
  setitimer(m, ITIMER_PROF, [0, 0, 0, 1000]);
  await sleep(10);
  assert.ok(!m.task.pending.has(SIGPROF));
  const arrived = nextSignal(m.task);
  m.proc.usage.systemMs += 6;
  await arrived;
  assert.ok(m.task.pending.has(SIGPROF));
  assert.equal(takeSignal(m.task, SIGPROF)?.code, SI_KERNEL);
  end(m);
});

Deno.test("itimers: host timers end with the process and nothing fires into it", async () => {
  const before = pendingHostTimers();
  const m = new FakeMachine();
  setitimer(m, ITIMER_REAL, [0, 0, 100, 0]);
  setitimer(m, ITIMER_VIRTUAL, [0, 0, 100, 0]);
  setitimer(m, ITIMER_PROF, [0, 0, 100, 0]);
  assert.equal(settime(m, create(m, CLOCK_MONOTONIC, 0), [0n, 0n, 100n, 0n]), 0);
  assert.equal(pendingHostTimers(), before + 4);
  end(m);
  assert.equal(pendingHostTimers(), before, "every host timer cleared");
  const other = new FakeMachine();
  setitimer(other, ITIMER_REAL, [0, 0, 0, 1000]);
  other.proc.exitStatus = 0; // ended without running the exit hooks: the expiry must see it
  await sleep(5);
  assert.ok(!other.task.pending.has(SIGALRM));
});

// ---- POSIX timers ---------------------------------------------------------------------------

Deno.test("timer_create: ids from 0, failures after allocation use one up, Linux's errors", () => {
  const m = new FakeMachine();
  const ev = sigevent(m, SIGEV_SIGNAL, SIGRTMIN, 42n);
  assert.equal(create(m, CLOCK_MONOTONIC, ev), 0);
  assert.equal(create(m, CLOCK_REALTIME, 0), 1);
  sigevent(m, SIGEV_SIGNAL, 0, 0n);
  assert.equal(create(m, CLOCK_MONOTONIC, ev), -EINVAL, "signo 0 (id 2 used up)");
  sigevent(m, 99, SIGUSR1, 0n);
  assert.equal(create(m, CLOCK_MONOTONIC, ev), -EINVAL, "notify 99 (id 3 used up)");
  sigevent(m, SIGEV_THREAD_ID, SIGUSR1, 0n, 0x3fffffff);
  assert.equal(create(m, CLOCK_MONOTONIC, ev), -EINVAL, "no such thread (id 4 used up)");
  sigevent(m, SIGEV_SIGNAL, SIGUSR1, 0n);
  assert.equal(create(m, CLOCK_REALTIME_ALARM, ev), -EOPNOTSUPP, "no RTC (id 5 used up)");
  assert.equal(create(m, CLOCK_MONOTONIC_RAW, ev), -EOPNOTSUPP, "before allocation");
  assert.equal(create(m, 10, ev), -EINVAL);
  assert.equal(create(m, 16, ev), -EINVAL);
  assert.equal(m.callSync(t.timer_create, [CLOCK_MONOTONIC, UNMAPPED, ID]), -EFAULT);
  assert.equal(m.callSync(t.timer_create, [CLOCK_MONOTONIC, ev, UNMAPPED]), -EFAULT, "id 6");
  assert.equal(create(m, CLOCK_MONOTONIC, ev), 7);
  assert.equal(m.callSync(t.timer_settime, [6, 0, VAL, 0]), -EINVAL, "6 was never created");
  end(m);
});

Deno.test("timer_settime, timer_gettime, timer_getoverrun, timer_delete: layouts and errors", () => {
  const m = new FakeMachine();
  const id = create(m, CLOCK_MONOTONIC, sigevent(m, SIGEV_SIGNAL, SIGUSR1, 0n));
  assert.equal(settime(m, id, [1n, 250n, 5n, 0n]), 0);
  const [isec, insec, sec] = gettime(m, id);
  assert.deepEqual([isec, insec], [1, 250]);
  assert.ok(sec === 4 || sec === 5);
  assert.equal(settime(m, id, [0n, 0n, 0n, 0n], 0, OLD), 0);
  assert.deepEqual(readQuad(m, OLD).slice(0, 2), [1, 250]);
  assert.deepEqual(gettime(m, id), [0, 0, 0, 0]);
  assert.equal(settime(m, id, [3n, 0n, 0n, 0n]), 0);
  assert.deepEqual(gettime(m, id), [0, 0, 0, 0], "an interval without a value is dropped");

  assert.equal(m.callSync(t.timer_settime, [id, 0, 0, 0]), -EINVAL);
  assert.equal(m.callSync(t.timer_settime, [id, 0, UNMAPPED, 0]), -EFAULT);
  assert.equal(settime(m, id, [0n, 0n, 0n, 1_000_000_000n]), -EINVAL);
  assert.equal(settime(m, id, [0n, -1n, 1n, 0n]), -EINVAL);
  assert.equal(settime(m, 99, [0n, 0n, 1n, 0n]), -EINVAL);
  assert.equal(settime(m, id, [0n, 0n, 1n, 0n], 0, UNMAPPED), -EFAULT, "set, then EFAULT");
  assert.ok(gettime(m, id)[2] === 0 && gettime(m, id)[3] > 0);
  assert.equal(m.callSync(t.timer_gettime, [99, OLD]), -EINVAL);
  assert.equal(m.callSync(t.timer_gettime, [id, UNMAPPED]), -EFAULT);
  assert.equal(m.callSync(t.timer_getoverrun, [id]), 0);
  assert.equal(m.callSync(t.timer_getoverrun, [-1]), -EINVAL);
  assert.equal(m.callSync(t.timer_delete, [id]), 0);
  assert.equal(m.callSync(t.timer_delete, [id]), -EINVAL);
  end(m);
});

Deno.test("SIGEV_SIGNAL: SI_TIMER with the timer id and the event's value", async () => {
  const m = new FakeMachine();
  block(m.task, SIGRTMIN);
  const value = 0xfedcba9876543210n;
  const id = create(m, CLOCK_MONOTONIC, sigevent(m, SIGEV_SIGNAL, SIGRTMIN, value));
  const arrived = nextSignal(m.task);
  settime(m, id, [0n, 0n, 0n, 1_000_000n]);
  await arrived;
  assert.deepEqual(gettime(m, id), [0, 0, 0, 0], "a fired one-shot is disarmed");
  assert.deepEqual(takeSignal(m.task, SIGRTMIN), {
    signo: SIGRTMIN,
    code: SI_TIMER,
    kind: "timer",
    timerId: id,
    overrun: 0,
    value,
  });
  end(m);
});

Deno.test("the default event: SIGALRM with the timer id as value; TIMER_ABSTIME in the past", async () => {
  const m = new FakeMachine();
  block(m.task, SIGALRM);
  create(m, CLOCK_MONOTONIC, 0);
  const id = create(m, CLOCK_REALTIME, 0);
  const arrived = nextSignal(m.task);
  assert.equal(settime(m, id, [0n, 0n, 1n, 0n], TIMER_ABSTIME), 0);
  await arrived;
  const info = takeSignal(m.task, SIGALRM);
  assert.ok(info?.kind === "timer");
  assert.equal(info.code, SI_TIMER);
  assert.equal(info.timerId, 1);
  assert.equal(info.value, 1n);
  end(m);
});

Deno.test("SIGEV_THREAD_ID goes to that thread; SIGEV_NONE only counts", async () => {
  const m = new FakeMachine();
  const other = m.thread();
  block(m.task, SIGUSR2);
  block(other, SIGUSR2);
  const id = create(m, CLOCK_MONOTONIC, sigevent(m, SIGEV_THREAD_ID, SIGUSR2, 5n, other.tid));
  const arrived = nextSignal(other);
  settime(m, id, [0n, 0n, 0n, 1_000_000n]);
  await arrived;
  assert.ok(other.pending.has(SIGUSR2) && !m.task.pending.has(SIGUSR2));

  const none = create(m, CLOCK_MONOTONIC, sigevent(m, SIGEV_NONE, 0, 0n));
  settime(m, none, [0n, 0n, 0n, 1_000_000n]);
  await sleep(5);
  assert.deepEqual(gettime(m, none), [0, 0, 0, 0], "an expired SIGEV_NONE one-shot reads 0");
  settime(m, none, [0n, 1_000_000n, 0n, 1_000_000n]);
  await sleep(5);
  const [, interval, sec, nsec] = gettime(m, none);
  assert.ok(interval === 1_000_000 && sec === 0 && nsec > 0 && nsec <= 1_000_000);
  assert.equal(m.callSync(t.timer_getoverrun, [none]), 0, "no signal, no overrun reported");
  assert.equal(m.task.pending.size, 0);
  end(m);
});

Deno.test("a periodic timer waits for its signal's dequeue; the missed periods are the overrun", async () => {
  const m = new FakeMachine();
  block(m.task, SIGRTMIN);
  const id = create(m, CLOCK_MONOTONIC, sigevent(m, SIGEV_SIGNAL, SIGRTMIN, 1n));
  const arrived = nextSignal(m.task);
  settime(m, id, [0n, 1_000_000n, 0n, 1_000_000n]);
  await arrived;
  await sleep(10);
  assert.equal(queuedSignals(m.task, SIGRTMIN).length, 1, "queued once, not once a period");
  const [, , sec, nsec] = gettime(m, id);
  assert.ok(sec === 0 && nsec > 0 && nsec <= 1_000_000, "timer_gettime moves the expiry on");
  const info = takeSignal(m.task, SIGRTMIN);
  assert.ok(info?.kind === "timer");
  assert.ok(info.overrun >= 5, `overrun ${info.overrun}`);
  assert.equal(m.callSync(t.timer_getoverrun, [id]), info.overrun);
  const again = nextSignal(m.task);
  await again;
  assert.ok(m.task.pending.has(SIGRTMIN), "re-armed by the dequeue");
  end(m);
});

Deno.test("a signal queued before timer_settime or timer_delete is dropped when dequeued", async () => {
  const m = new FakeMachine();
  block(m.task, SIGRTMIN, SIGUSR1);
  const a = create(m, CLOCK_MONOTONIC, sigevent(m, SIGEV_SIGNAL, SIGRTMIN, 1n));
  const b = create(m, CLOCK_MONOTONIC, sigevent(m, SIGEV_SIGNAL, SIGRTMIN, 2n));
  for (const id of [a, b]) {
    const arrived = nextSignal(m.task);
    settime(m, id, [0n, 0n, 0n, 1_000_000n]);
    await arrived;
  }
  assert.equal(queuedSignals(m.task, SIGRTMIN).length, 2);
  assert.equal(m.callSync(t.timer_delete, [a]), 0);
  assert.equal(settime(m, b, [0n, 0n, 100n, 0n]), 0);
  assert.ok(m.task.pending.has(SIGRTMIN), "still pending until taken, as on Linux 6.13+");
  assert.equal(takeSignal(m.task, SIGRTMIN), null);
  assert.ok(!m.task.pending.has(SIGRTMIN));

  // A POSIX timer's own siginfo queues even behind a pending legacy signal.
  const c = create(m, CLOCK_MONOTONIC, sigevent(m, SIGEV_SIGNAL, SIGUSR1, 3n));
  m.callSync(sig.kill, [m.proc.pid, SIGUSR1]);
  const arrived = nextSignal(m.task);
  settime(m, c, [0n, 0n, 0n, 1_000_000n]);
  await arrived;
  assert.deepEqual(queuedSignals(m.task, SIGUSR1).map((q) => q.info.code), [SI_USER, SI_TIMER]);
  end(m);
});

Deno.test("a periodic timer's ignored signal parks it until the signal is caught again", async () => {
  const m = new FakeMachine();
  // SIG_IGN, then a handler: the parked signal is queued at once.
  const act = (handler: number) => {
    m.write(INFO, new Uint8Array(32));
    m.writeI64(INFO, handler);
    return m.callSync(sig.rt_sigaction, [SIGUSR2, INFO, 0, 8]);
  };
  assert.equal(act(1), 0);
  const id = create(m, CLOCK_MONOTONIC, sigevent(m, SIGEV_SIGNAL, SIGUSR2, 0n));
  settime(m, id, [0n, 1_000_000n, 0n, 1_000_000n]);
  await sleep(10);
  assert.ok(!m.task.pending.has(SIGUSR2));
  block(m.task, SIGUSR2);
  const arrived = nextSignal(m.task);
  assert.equal(act(0x401000), 0);
  await arrived;
  const info = takeSignal(m.task, SIGUSR2);
  assert.ok(info?.kind === "timer" && info.overrun >= 1, "the parked periods are the overrun");
  end(m);
});

Deno.test("execve deletes POSIX timers but keeps the id counter and the itimers", () => {
  const m = new FakeMachine();
  assert.equal(create(m, CLOCK_MONOTONIC, 0), 0);
  setitimer(m, ITIMER_REAL, [0, 0, 50, 0]);
  for (const hook of m.proc.onExec) hook();
  assert.equal(m.callSync(t.timer_gettime, [0, OLD]), -EINVAL);
  assert.equal(create(m, CLOCK_MONOTONIC, 0), 1);
  assert.ok(m.callSync(t.alarm, [0]) === 50, "the alarm survives");
  end(m);
});

Deno.test("RLIMIT_SIGPENDING: timers and queued siginfos count; sigqueue fails, kill loses the info", () => {
  const m = new FakeMachine();
  m.proc.limits[RLIMIT_SIGPENDING] = { cur: 3, max: 3 };
  block(m.task, SIGRTMIN, SIGRTMIN + 1, SIGUSR1);
  assert.equal(create(m, CLOCK_MONOTONIC, 0), 0);
  const queue = (signo: number, value: number) => {
    m.write(INFO, new Uint8Array(128));
    m.writeU32(INFO + 8, SI_QUEUE >>> 0);
    m.writeU32(INFO + 24, value);
    return m.callSync(sig.rt_sigqueueinfo, [m.proc.pid, signo, INFO]);
  };
  assert.equal(queue(SIGRTMIN, 1), 0);
  assert.equal(queue(SIGRTMIN, 2), 0);
  assert.equal(queue(SIGRTMIN, 3), -EAGAIN);
  assert.equal(create(m, CLOCK_MONOTONIC, 0), -EAGAIN);
  assert.equal(m.callSync(sig.kill, [m.proc.pid, SIGRTMIN + 1]), 0, "kill never fails");
  assert.deepEqual(takeSignal(m.task, SIGRTMIN + 1), {
    signo: SIGRTMIN + 1,
    code: SI_USER,
    kind: "kill",
    pid: 0,
    uid: 0,
  });
  assert.equal(queue(SIGUSR1, 4), 0, "a legacy signal goes, without its siginfo");
  assert.equal(takeSignal(m.task, SIGUSR1)?.code, SI_USER);
  assert.equal(m.callSync(sig.tkill, [m.task.tid, SIGRTMIN + 1]), -EAGAIN);
  takeSignal(m.task, SIGRTMIN);
  assert.equal(queue(SIGRTMIN, 3), 0, "room again");
  end(m);
});

// ---- strace -----------------------------------------------------------------------------------

Deno.test("strace: itimerval, itimerspec, sigevent and siginfo as strace prints them", () => {
  const m = new FakeMachine();
  const line = (nr: number, args: number[], result = 0) =>
    traceSyscall(m.task, nr, args.map(BigInt), result, false);
  writeQuad(m, VAL, [0, 5, 1, 250000]);
  assert.equal(
    line(38, [ITIMER_PROF, VAL, 0]),
    "setitimer(ITIMER_PROF, {it_interval={tv_sec=0, tv_usec=5}, " +
      "it_value={tv_sec=1, tv_usec=250000}}, NULL) = 0",
  );
  sigevent(m, SIGEV_THREAD_ID, SIGUSR2, 42n, 77);
  m.writeU32(ID, 3);
  assert.equal(
    line(222, [CLOCK_MONOTONIC, EVENT, ID]),
    "timer_create(CLOCK_MONOTONIC, {sigev_value={sival_int=42, sival_ptr=0x2a}, " +
      "sigev_signo=SIGUSR2, sigev_notify=SIGEV_THREAD_ID, sigev_notify_thread_id=77}, [3]) = 0",
  );
  assert.equal(
    line(223, [3, TIMER_ABSTIME, VAL, OLD], -EINVAL),
    "timer_settime(3, TIMER_ABSTIME, {it_interval={tv_sec=0, tv_nsec=5}, " +
      "it_value={tv_sec=1, tv_nsec=250000}}, 0x10000040) = -1 EINVAL (Invalid argument)",
  );
  m.write(INFO, new Uint8Array(128));
  m.writeU32(INFO, SIGRTMIN + 1);
  m.writeU32(INFO + 8, SI_TIMER >>> 0);
  m.writeU32(INFO + 16, 3);
  m.writeU32(INFO + 20, 2);
  m.writeU32(INFO + 24, 0xffffffff);
  assert.equal(
    line(128, [INFO + 200, INFO, 0, 8], SIGRTMIN + 1),
    "rt_sigtimedwait([], {si_signo=SIGRT_1, si_code=SI_TIMER, " +
      "si_timerid=3, si_overrun=2, si_int=-1, si_ptr=0xffffffff}, NULL, 8) = 33",
  );
});
