// Tests for kernel/syscalls/time.ts and kernel/clocks.ts: what each clock id reads and rejects,
// resolutions, gettimeofday/time, and nanosleep/clock_nanosleep (validation, completion,
// interruption with the remaining time and Linux's restart codes, absolute deadlines).

import assert from "node:assert/strict";
import {
  EFAULT,
  EINVAL,
  EOPNOTSUPP,
  EPERM,
  ERESTART_RESTARTBLOCK,
  ERESTARTNOHAND,
} from "../../kernel/errno.ts";
import { signalState } from "../../kernel/signals/delivery.ts";
import { SIGUSR1 } from "../../kernel/signals/signals.ts";
import { TIMER_ABSTIME, timeSyscalls as t } from "../../kernel/syscalls/time.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const NS = 1_000_000_000;
const TS = AREA;
const TS2 = AREA + 64;
/** Where readClock() puts its reading, away from the requests the tests build. */
const NOW = AREA + 256;

function nanos(ts: { sec: number; nsec: number }): number {
  return ts.sec * NS + ts.nsec;
}

function readClock(m: FakeMachine, id: number): { sec: number; nsec: number } {
  assert.equal(m.callSync(t.clock_gettime, [id, NOW]), 0, `clock ${id}`);
  return m.readTimespec(NOW);
}

/** CPU clock ids as glibc builds them (make_process_cpuclock / make_thread_cpuclock). */
const processClock = (pid: number, which = 2) => (~pid << 3) | which;
const threadClock = (tid: number, which = 2) => (~tid << 3) | 4 | which;
/** A dynamic POSIX clock device open as `fd` (FD_TO_CLOCKID). */
const fdClock = (fd: number) => (~fd << 3) | 3;

Deno.test("clock_gettime: realtime is wall-clock time, monotonic counts from boot", () => {
  const m = new FakeMachine();
  const real = readClock(m, 0);
  assert.ok(Math.abs(real.sec - Date.now() / 1000) < 60, `realtime ${real.sec}`);
  const mono = readClock(m, 1);
  assert.ok(mono.sec >= 0 && mono.sec < 3600, `monotonic ${mono.sec}`);
  for (const id of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]) {
    const ts = readClock(m, id);
    assert.ok(ts.nsec >= 0 && ts.nsec < NS, `clock ${id} nsec ${ts.nsec}`);
  }
  // Boottime, raw and alarm variants agree with their base clock's order of magnitude.
  assert.ok(Math.abs(readClock(m, 7).sec - mono.sec) <= 1);
  assert.ok(Math.abs(readClock(m, 11).sec - real.sec) <= 1);
});

Deno.test("clock_gettime: monotonic and coarse clocks never go back", () => {
  const m = new FakeMachine();
  for (const id of [1, 4, 6, 7, 2]) {
    let last = nanos(readClock(m, id));
    for (let i = 0; i < 300; i++) {
      const now = nanos(readClock(m, id));
      assert.ok(now >= last, `clock ${id} went back: ${last} -> ${now}`);
      last = now;
    }
  }
});

Deno.test("clock_gettime: coarse clocks trail the precise ones by less than a tick", () => {
  const m = new FakeMachine();
  const coarse = nanos(readClock(m, 6));
  const fine = nanos(readClock(m, 1));
  assert.ok(coarse <= fine && fine - coarse < 4_000_000 + 50_000_000, `${coarse} ${fine}`);
  const coarseReal = nanos(readClock(m, 5));
  const real = nanos(readClock(m, 0));
  assert.ok(coarseReal <= real, `${coarseReal} ${real}`);
});

Deno.test("clock_gettime: unknown clocks are EINVAL, a bad pointer EFAULT", () => {
  const m = new FakeMachine();
  for (const id of [10, 12, 1000, -1, fdClock(0)]) {
    assert.equal(m.callSync(t.clock_gettime, [id, TS]), -EINVAL, `clock ${id}`);
  }
  assert.equal(m.callSync(t.clock_gettime, [1, UNMAPPED]), -EFAULT);
  assert.equal(m.callSync(t.clock_gettime, [1, 0]), -EFAULT);
});

Deno.test("clock_gettime: CPU clocks of the caller, by id and by pid, and of unknown pids", () => {
  const m = new FakeMachine();
  const pid = m.proc.pid;
  for (const id of [2, 3, processClock(0), processClock(pid), threadClock(0), threadClock(pid)]) {
    const ts = readClock(m, id);
    assert.ok(ts.sec >= 0 && ts.sec < 3600, `clock ${id}`);
  }
  const other = m.spawn();
  assert.equal(m.callSync(t.clock_gettime, [processClock(other.proc.pid), TS]), 0);
  // A thread clock must name a thread of the caller's own process.
  assert.equal(m.callSync(t.clock_gettime, [threadClock(other.tid), TS]), -EINVAL);
  assert.equal(m.callSync(t.clock_gettime, [processClock(999), TS]), -EINVAL);
  assert.equal(m.callSync(t.clock_gettime, [(~pid << 3) | 7, TS]), -EINVAL);
});

Deno.test("clock_getres: 1 ns for precise clocks, a 4 ms tick for coarse ones", () => {
  const m = new FakeMachine();
  for (const [id, ns] of [[0, 1], [1, 1], [2, 1], [3, 1], [5, 4_000_000], [6, 4_000_000]]) {
    m.writeTimespec(TS, -1, -1);
    assert.equal(m.callSync(t.clock_getres, [id, TS]), 0);
    assert.deepEqual(m.readTimespec(TS), { sec: 0, nsec: ns }, `clock ${id}`);
  }
  // CPUCLOCK_PROF (which 0) has tick resolution; CPUCLOCK_SCHED 1 ns.
  assert.equal(m.callSync(t.clock_getres, [processClock(0, 0), TS]), 0);
  assert.equal(m.readTimespec(TS).nsec, 4_000_000);
  assert.equal(m.callSync(t.clock_getres, [1, 0]), 0, "NULL res is allowed");
  assert.equal(m.callSync(t.clock_getres, [10, TS]), -EINVAL);
  assert.equal(m.callSync(t.clock_getres, [1, UNMAPPED]), -EFAULT);
});

Deno.test("gettimeofday: timeval in microseconds, zeroed timezone, NULLs allowed", () => {
  const m = new FakeMachine();
  m.write(TS2, new Uint8Array(8).fill(0xff));
  assert.equal(m.callSync(t.gettimeofday, [TS, TS2]), 0);
  const tv = m.readTimespec(TS);
  assert.ok(Math.abs(tv.sec - Date.now() / 1000) < 60);
  assert.ok(tv.nsec >= 0 && tv.nsec < 1_000_000, `usec ${tv.nsec}`);
  assert.deepEqual([...m.read(TS2, 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(m.callSync(t.gettimeofday, [0, 0]), 0);
  assert.equal(m.callSync(t.gettimeofday, [UNMAPPED, 0]), -EFAULT);
  assert.equal(m.callSync(t.gettimeofday, [TS, UNMAPPED]), -EFAULT);
});

Deno.test("time: returns the seconds and stores them when asked", () => {
  const m = new FakeMachine();
  const seconds = m.callSync(t.time, [0]);
  assert.ok(Math.abs(seconds - Date.now() / 1000) < 60);
  const stored = m.callSync(t.time, [TS]);
  assert.equal(m.i64(TS), stored);
  assert.ok(stored >= seconds);
  assert.equal(m.callSync(t.time, [UNMAPPED]), -EFAULT);
});

Deno.test("nanosleep: rejects bad timespecs before sleeping", async () => {
  const m = new FakeMachine();
  for (const [sec, nsec] of [[0, NS], [0, -1], [-1, 0], [0, 2n ** 40n]]) {
    m.writeTimespec(TS, sec, nsec);
    assert.equal(await m.call(t.nanosleep, [TS, 0]), -EINVAL, `${sec}.${nsec}`);
  }
  assert.equal(await m.call(t.nanosleep, [UNMAPPED, 0]), -EFAULT);
});

Deno.test("nanosleep: sleeps at least the requested time", async () => {
  const m = new FakeMachine();
  m.writeTimespec(TS, 0, 3_000_000);
  const before = nanos(readClock(m, 1));
  assert.equal(await m.call(t.nanosleep, [TS, 0]), 0);
  const after = nanos(readClock(m, 1));
  assert.ok(after - before >= 3_000_000, `slept ${after - before} ns`);
  m.writeTimespec(TS, 0, 0);
  assert.equal(await m.call(t.nanosleep, [TS, 0]), 0);
});

Deno.test("nanosleep: a signal ends it with the time left and a restart block", async () => {
  const m = new FakeMachine();
  m.writeTimespec(TS, 60, 0);
  m.writeTimespec(TS2, -1, -1);
  const pending = m.call(t.nanosleep, [TS, TS2]);
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await pending, -ERESTART_RESTARTBLOCK);
  const rem = m.readTimespec(TS2);
  assert.ok(rem.sec >= 0 && rem.sec <= 60 && nanos(rem) > 0, JSON.stringify(rem));
  assert.ok(rem.nsec >= 0 && rem.nsec < NS);
  assert.notEqual(signalState(m.task).restart, null);
});

Deno.test("nanosleep: restart_syscall sleeps on to the original deadline", async () => {
  const m = new FakeMachine();
  const start = nanos(readClock(m, 1));
  m.writeTimespec(TS, 0, 20_000_000);
  const pending = m.call(t.nanosleep, [TS, TS2]);
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await pending, -ERESTART_RESTARTBLOCK);
  const restart = signalState(m.task).restart!;
  m.task.pending.clear();
  assert.equal(await restart(m.task, m.kernel), 0);
  assert.ok(nanos(readClock(m, 1)) - start >= 20_000_000);
});

Deno.test("nanosleep: a blocked signal does not interrupt", async () => {
  const m = new FakeMachine();
  m.task.sigmaskLow = 1 << (SIGUSR1 - 1);
  m.task.pending.add(SIGUSR1);
  m.writeTimespec(TS, 0, 1_000_000);
  assert.equal(await m.call(t.nanosleep, [TS, 0]), 0);
});

Deno.test("clock_nanosleep: clocks it cannot sleep on, and bad requests", async () => {
  const m = new FakeMachine();
  m.writeTimespec(TS, 0, 1000);
  for (const id of [3, 4, 5, 6, fdClock(3)]) {
    assert.equal(await m.call(t.clock_nanosleep, [id, 0, TS, 0]), -EOPNOTSUPP, `clock ${id}`);
  }
  assert.equal(await m.call(t.clock_nanosleep, [10, 0, TS, 0]), -EINVAL);
  assert.equal(await m.call(t.clock_nanosleep, [-1, 0, TS, 0]), -EINVAL);
  // The caller's own thread CPU clock is refused after the request is read.
  assert.equal(await m.call(t.clock_nanosleep, [threadClock(0), 0, TS, 0]), -EINVAL);
  assert.equal(await m.call(t.clock_nanosleep, [processClock(999), 0, TS, 0]), -EINVAL);
  assert.equal(await m.call(t.clock_nanosleep, [threadClock(0), 0, UNMAPPED, 0]), -EFAULT);
  // Alarm clocks: no flags but TIMER_ABSTIME, and root only.
  assert.equal(await m.call(t.clock_nanosleep, [8, 2, TS, 0]), -EINVAL);
  assert.equal(await m.call(t.clock_nanosleep, [9, 0, TS, 0]), 0);
  m.proc.creds = { ...m.proc.creds, euid: 1000 };
  assert.equal(await m.call(t.clock_nanosleep, [9, 0, TS, 0]), -EPERM);
  m.writeTimespec(TS, 0, NS);
  assert.equal(await m.call(t.clock_nanosleep, [1, 0, TS, 0]), -EINVAL);
  assert.equal(await m.call(t.clock_nanosleep, [4, 0, TS, 0]), -EOPNOTSUPP);
});

Deno.test("clock_nanosleep: relative and absolute sleeps end at the deadline", async () => {
  const m = new FakeMachine();
  for (const id of [0, 1, 7]) {
    const start = nanos(readClock(m, id));
    m.writeTimespec(TS, 0, 2_000_000);
    assert.equal(await m.call(t.clock_nanosleep, [id, 0, TS, 0]), 0);
    assert.ok(nanos(readClock(m, id)) - start >= 2_000_000, `relative on clock ${id}`);
  }
  const now = readClock(m, 1);
  const deadline = nanos(now) + 2_000_000;
  m.writeTimespec(TS, Math.floor(deadline / NS), deadline % NS);
  assert.equal(await m.call(t.clock_nanosleep, [1, TIMER_ABSTIME, TS, 0]), 0);
  assert.ok(nanos(readClock(m, 1)) >= deadline);
  // A deadline already passed returns at once.
  m.writeTimespec(TS, 0, 0);
  assert.equal(await m.call(t.clock_nanosleep, [0, TIMER_ABSTIME, TS, 0]), 0);
});

Deno.test("clock_nanosleep: the process CPU clock advances only while the process runs", async () => {
  const m = new FakeMachine();
  m.writeTimespec(TS, 0, 2_000_000);
  let done = false;
  const pending = Promise.resolve(m.call(t.clock_nanosleep, [2, 0, TS, 0])).then((r) => {
    done = true;
    return r;
  });
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.equal(done, false, "no CPU time was used: still asleep");
  m.proc.usage.userMs += 3; // another thread ran for 3 ms
  assert.equal(await pending, 0);
});

Deno.test("clock_nanosleep: an interrupted absolute sleep leaves rem alone", async () => {
  const m = new FakeMachine();
  const real = readClock(m, 0);
  m.writeTimespec(TS, real.sec + 60, 0);
  m.writeTimespec(TS2, 7, 7);
  const pending = m.call(t.clock_nanosleep, [0, TIMER_ABSTIME, TS, TS2]);
  m.kernel.sendSignal(m.task, SIGUSR1);
  // Restarted as the same call when no handler runs; EINTR under a handler.
  assert.equal(await pending, -ERESTARTNOHAND);
  assert.deepEqual(m.readTimespec(TS2), { sec: 7, nsec: 7 });
  assert.equal(signalState(m.task).restart, null);
  // Relative: rem is written.
  m.task.pending.clear();
  m.writeTimespec(TS, 30, 0);
  const relative = m.call(t.clock_nanosleep, [1, 0, TS, TS2]);
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await relative, -ERESTART_RESTARTBLOCK);
  const rem = m.readTimespec(TS2);
  assert.ok(nanos(rem) > 0 && rem.sec <= 30, JSON.stringify(rem));
});
