// Tests for kernel/syscalls/futex.ts and kernel/futex-queue.ts: argument checks in Linux's
// order, WAIT/WAKE between threads, bitsets, timeouts (relative and absolute), signals, keys
// (private vs shared, per address space), REQUEUE/CMP_REQUEUE and WAKE_OP.

import assert from "node:assert/strict";
import {
  EAGAIN,
  EFAULT,
  EINVAL,
  ENOSYS,
  ERESTART_RESTARTBLOCK,
  ERESTARTSYS,
  ETIMEDOUT,
} from "../../kernel/errno.ts";
import { signalState } from "../../kernel/signals/delivery.ts";
import { futexQueueOf } from "../../kernel/futex-queue.ts";
import { SIGUSR1 } from "../../kernel/signals/signals.ts";
import { futexSyscalls, wakeFutex } from "../../kernel/syscalls/futex.ts";
import { timeSyscalls } from "../../kernel/syscalls/time.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const futex = futexSyscalls.futex;
const WORD = AREA;
const WORD2 = AREA + 64;
const TS = AREA + 128;
const NOW = AREA + 192;

const WAIT = 0, WAKE = 1, REQUEUE = 3, CMP_REQUEUE = 4, WAKE_OP = 5, WAIT_BITSET = 9;
const WAKE_BITSET = 10, PRIVATE = 128, CLOCK_REALTIME = 256;
const ANY = 0xffffffff;

/** Let pending promise callbacks run (a woken waiter finishes in a few microtask turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function monotonicNs(m: FakeMachine, clock = 1): number {
  assert.equal(m.callSync(timeSyscalls.clock_gettime, [clock, NOW]), 0);
  const ts = m.readTimespec(NOW);
  return ts.sec * 1e9 + ts.nsec;
}

Deno.test("futex: argument errors in Linux's order", async () => {
  const m = new FakeMachine();
  m.writeU32(WORD, 7);
  assert.equal(await m.call(futex, [WORD, WAIT | PRIVATE, 8, 0]), -EAGAIN);
  assert.equal(await m.call(futex, [WORD + 2, WAIT | PRIVATE, 7, 0]), -EINVAL);
  assert.equal(await m.call(futex, [UNMAPPED, WAIT | PRIVATE, 7, 0]), -EFAULT);
  assert.equal(await m.call(futex, [0x7ffffffff000, WAKE | PRIVATE, 1]), -EFAULT);
  assert.equal(await m.call(futex, [WORD, WAIT_BITSET | PRIVATE, 7, 0, 0, 0]), -EINVAL);
  assert.equal(await m.call(futex, [WORD, WAKE_BITSET | PRIVATE, 1, 0, 0, 0]), -EINVAL);
  // A private WAKE needs no mapping; a shared one must find the page.
  assert.equal(await m.call(futex, [UNMAPPED, WAKE | PRIVATE, 1]), 0);
  assert.equal(await m.call(futex, [UNMAPPED, WAKE, 1]), -EFAULT);
  // The timeout is read and checked before anything else.
  m.writeTimespec(TS, 0, 1e9);
  assert.equal(await m.call(futex, [WORD + 1, WAIT, 7, TS]), -EINVAL);
  assert.equal(await m.call(futex, [WORD, WAIT, 7, UNMAPPED]), -EFAULT);
  m.writeTimespec(TS, 1, 0);
  assert.equal(await m.call(futex, [WORD, WAIT | CLOCK_REALTIME, 7, TS]), -ENOSYS);
  assert.equal(await m.call(futex, [WORD, WAKE | CLOCK_REALTIME, 1]), -ENOSYS);
  for (const op of [2, 6, 7, 8, 11, 12, 13, 14, 99]) {
    assert.equal(await m.call(futex, [WORD, op | PRIVATE, 0, 0]), -ENOSYS, `op ${op}`);
  }
});

Deno.test("futex: WAIT blocks until another thread's WAKE", async () => {
  const m = new FakeMachine();
  const t2 = m.thread();
  m.writeU32(WORD, 1);
  let result: number | null = null;
  const waiting = Promise.resolve(m.call(futex, [WORD, WAIT | PRIVATE, 1, 0])).then((r) =>
    result = r
  );
  await settle();
  assert.equal(result, null, "still waiting");
  assert.equal(m.callSync(futex, [WORD, WAKE | PRIVATE, 1], t2), 1);
  await waiting;
  assert.equal(result, 0);
  assert.equal(m.callSync(futex, [WORD, WAKE | PRIVATE, 1], t2), 0, "nobody left");
});

Deno.test("futex: WAKE counts, and a count of 0 still wakes one", async () => {
  const m = new FakeMachine();
  const waiters = [m.thread(), m.thread(), m.thread()].map((t) =>
    m.call(futex, [WORD, WAIT | PRIVATE, 0, 0], t)
  );
  const queue = futexQueueOf(m.kernel);
  const key = { owner: m.proc.mm, addr: WORD, sharedOp: false };
  assert.equal(queue.count(key), 3);
  assert.equal(m.callSync(futex, [WORD, WAKE | PRIVATE, 0]), 1);
  assert.equal(m.callSync(futex, [WORD, WAKE | PRIVATE, 0x7fffffff]), 2);
  assert.deepEqual(await Promise.all(waiters), [0, 0, 0]);
  assert.equal(queue.count(key), 0);
});

Deno.test("futex: bitsets select which waiters wake", async () => {
  const m = new FakeMachine();
  const t2 = m.thread();
  const waiting = m.call(futex, [WORD, WAIT_BITSET | PRIVATE, 0, 0, 0, 0b01], t2);
  assert.equal(m.callSync(futex, [WORD, WAKE_BITSET | PRIVATE, 1, 0, 0, 0b10]), 0);
  assert.equal(m.callSync(futex, [WORD, WAKE_BITSET | PRIVATE, 1, 0, 0, 0b11]), 1);
  assert.equal(await waiting, 0);
  // Plain WAIT waits with every bit set.
  const plain = m.call(futex, [WORD, WAIT | PRIVATE, 0, 0], t2);
  assert.equal(m.callSync(futex, [WORD, WAKE_BITSET | PRIVATE, 1, 0, 0, 0x80000000]), 1);
  assert.equal(await plain, 0);
});

Deno.test("futex: relative WAIT timeout and absolute WAIT_BITSET deadlines", async () => {
  const m = new FakeMachine();
  m.writeTimespec(TS, 0, 2_000_000);
  const before = monotonicNs(m);
  assert.equal(await m.call(futex, [WORD, WAIT | PRIVATE, 0, TS]), -ETIMEDOUT);
  assert.ok(monotonicNs(m) - before >= 2_000_000);
  // Absolute on CLOCK_MONOTONIC.
  const deadline = monotonicNs(m) + 2_000_000;
  m.writeTimespec(TS, Math.floor(deadline / 1e9), deadline % 1e9);
  assert.equal(await m.call(futex, [WORD, WAIT_BITSET | PRIVATE, 0, TS, 0, ANY]), -ETIMEDOUT);
  assert.ok(monotonicNs(m) >= deadline);
  // Already past: ETIMEDOUT at once (after the value check).
  m.writeTimespec(TS, 0, 0);
  assert.equal(await m.call(futex, [WORD, WAIT_BITSET | PRIVATE, 0, TS, 0, ANY]), -ETIMEDOUT);
  assert.equal(await m.call(futex, [WORD, WAIT_BITSET | PRIVATE, 5, TS, 0, ANY]), -EAGAIN);
  // Absolute on CLOCK_REALTIME: "0" is long past.
  const rt = WAIT_BITSET | PRIVATE | CLOCK_REALTIME;
  assert.equal(await m.call(futex, [WORD, rt, 0, TS, 0, ANY]), -ETIMEDOUT);
  const realDeadline = monotonicNs(m, 0) + 2_000_000;
  m.writeTimespec(TS, Math.floor(realDeadline / 1e9), realDeadline % 1e9);
  assert.equal(await m.call(futex, [WORD, rt, 0, TS, 0, ANY]), -ETIMEDOUT);
  assert.equal(futexQueueOf(m.kernel).count({ owner: m.proc.mm, addr: WORD, sharedOp: false }), 0);
});

Deno.test("futex: a signal ends WAIT with ERESTARTSYS and leaves the queue", async () => {
  const m = new FakeMachine();
  const waiting = m.call(futex, [WORD, WAIT | PRIVATE, 0, 0]);
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await waiting, -ERESTARTSYS);
  assert.equal(m.callSync(futex, [WORD, WAKE | PRIVATE, 1]), 0);
  // A signal already pending interrupts at once; a blocked one does not.
  assert.equal(await m.call(futex, [WORD, WAIT | PRIVATE, 0, 0]), -ERESTARTSYS);
  m.task.sigmaskLow = 1 << (SIGUSR1 - 1);
  m.writeTimespec(TS, 0, 1_000_000);
  assert.equal(await m.call(futex, [WORD, WAIT | PRIVATE, 0, TS]), -ETIMEDOUT);
});

Deno.test("futex: a timed WAIT cut short restarts with its deadline and a fresh value check", async () => {
  const m = new FakeMachine();
  m.writeTimespec(TS, 0, 20_000_000);
  const start = monotonicNs(m);
  const waiting = m.call(futex, [WORD, WAIT | PRIVATE, 0, TS]);
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await waiting, -ERESTART_RESTARTBLOCK);
  const restart = signalState(m.task).restart!;
  m.task.pending.clear();
  assert.equal(await restart(m.task, m.kernel), -ETIMEDOUT);
  assert.ok(monotonicNs(m) - start >= 20_000_000);
  m.writeU32(WORD, 9);
  assert.equal(await restart(m.task, m.kernel), -EAGAIN);
});

Deno.test("futex: a signal for another task does not end the wait", async () => {
  const m = new FakeMachine();
  const t2 = m.thread();
  let result: number | null = null;
  const waiting = Promise.resolve(m.call(futex, [WORD, WAIT | PRIVATE, 0, 0])).then((r) =>
    result = r
  );
  m.kernel.sendSignal(t2, SIGUSR1);
  await settle();
  assert.equal(result, null);
  assert.equal(m.callSync(futex, [WORD, WAKE | PRIVATE, 1], t2), 1);
  await waiting;
  assert.equal(result, 0);
});

Deno.test("futex: private and shared keys of one word are different futexes", async () => {
  const m = new FakeMachine();
  const t2 = m.thread();
  const shared = m.call(futex, [WORD, WAIT, 0, 0], t2);
  assert.equal(m.callSync(futex, [WORD, WAKE | PRIVATE, 1]), 0);
  assert.equal(m.callSync(futex, [WORD, WAKE, 1]), 1);
  assert.equal(await shared, 0);
  // The same address in another process's private memory is another futex too.
  const other = m.spawn();
  const elsewhere = m.call(futex, [WORD, WAIT, 0, 0], other);
  assert.equal(m.callSync(futex, [WORD, WAKE, 1]), 0);
  assert.equal(wakeFutex(m.kernel, other.proc, WORD, 1), 1);
  assert.equal(await elsewhere, 0);
});

Deno.test("futex: CMP_REQUEUE wakes some and moves the rest", async () => {
  const m = new FakeMachine();
  m.writeU32(WORD, 3);
  const threads = [m.thread(), m.thread(), m.thread()];
  const results: (number | null)[] = [null, null, null];
  const waits = threads.map((t, i) =>
    Promise.resolve(m.call(futex, [WORD, WAIT | PRIVATE, 3, 0], t)).then((r) => results[i] = r)
  );
  assert.equal(m.callSync(futex, [WORD, CMP_REQUEUE | PRIVATE, 1, 1, WORD2, 4]), -EAGAIN);
  assert.equal(m.callSync(futex, [WORD, CMP_REQUEUE | PRIVATE, -1, 1, WORD2, 3]), -EINVAL);
  assert.equal(m.callSync(futex, [WORD, CMP_REQUEUE | PRIVATE, 1, 1, WORD2, 3]), 2);
  await settle();
  assert.deepEqual(results, [0, null, null]);
  assert.equal(m.callSync(futex, [WORD2, WAKE | PRIVATE, 5]), 1, "the requeued one");
  assert.equal(m.callSync(futex, [WORD, REQUEUE | PRIVATE, 0, 5, WORD2]), 1);
  assert.equal(m.callSync(futex, [WORD2, WAKE | PRIVATE, 5]), 1);
  await Promise.all(waits);
  assert.deepEqual(results, [0, 0, 0]);
});

Deno.test("futex: WAKE_OP changes the second word and wakes by its old value", async () => {
  const m = new FakeMachine();
  const op = (kind: number, cmp: number, oparg: number, cmparg: number) =>
    (kind << 28) | (cmp << 24) | ((oparg & 0xfff) << 12) | (cmparg & 0xfff);
  const t2 = m.thread();
  const t3 = m.thread();
  m.writeU32(WORD2, 5);
  const first = m.call(futex, [WORD, WAIT | PRIVATE, 0, 0], t2);
  const second = m.call(futex, [WORD2, WAIT | PRIVATE, 5, 0], t3);
  // ADD 1, wake the second futex if the old value == 5.
  assert.equal(m.callSync(futex, [WORD, WAKE_OP | PRIVATE, 1, 1, WORD2, op(1, 0, 1, 5)]), 2);
  assert.equal(m.u32(WORD2), 6);
  assert.deepEqual(await Promise.all([first, second]), [0, 0]);
  // SET with OPARG_SHIFT (1 << 4), compare GT: old 6 > 7 is false.
  assert.equal(m.callSync(futex, [WORD, WAKE_OP | PRIVATE, 1, 1, WORD2, op(8, 5, 4, 7)]), 0);
  assert.equal(m.u32(WORD2), 16);
  // ANDN, then XOR with a negative operand (sign-extended 12 bits).
  assert.equal(m.callSync(futex, [WORD, WAKE_OP | PRIVATE, 1, 1, WORD2, op(3, 0, 16, 0)]), 0);
  assert.equal(m.u32(WORD2), 0);
  assert.equal(m.callSync(futex, [WORD, WAKE_OP | PRIVATE, 1, 1, WORD2, op(4, 0, -1, 0)]), 0);
  assert.equal(m.u32(WORD2), 0xffffffff);
  // An unknown op changes nothing; an unknown comparison runs the op, then fails.
  assert.equal(m.callSync(futex, [WORD, WAKE_OP | PRIVATE, 1, 1, WORD2, op(5, 0, 1, 0)]), -ENOSYS);
  assert.equal(m.u32(WORD2), 0xffffffff);
  assert.equal(m.callSync(futex, [WORD, WAKE_OP | PRIVATE, 1, 1, WORD2, op(0, 9, 1, 0)]), -ENOSYS);
  assert.equal(m.u32(WORD2), 1);
  assert.equal(
    m.callSync(futex, [WORD, WAKE_OP | PRIVATE, 1, 1, UNMAPPED, op(0, 0, 1, 0)]),
    -EFAULT,
  );
});
