// Tests for kernel/futex-robust.ts: the robust-list walk at thread exit (FUTEX_OWNER_DIED on
// words the thread owned, waiters woken with a shared key, list_op_pending, PI entries, the
// 2048-entry limit, a bad list ending the walk) and CLONE_CHILD_CLEARTID's zero-and-wake.

import assert from "node:assert/strict";
import {
  clearChildTidOnExit,
  exitRobustList,
  FUTEX_OWNER_DIED,
  FUTEX_WAITERS,
  ROBUST_LIST_LIMIT,
} from "../../kernel/futex-robust.ts";
import type { Task } from "../../kernel/proc/process.ts";
import { futexSyscalls } from "../../kernel/syscalls/futex.ts";
import { AREA, AREA_SIZE, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const futex = futexSyscalls.futex;
const FUTEX_WAIT = 0;
const FUTEX_PRIVATE = 128;
const HEAD = AREA;
/** Entries are 16 bytes apart: the next pointer, then the lock word (futex_offset 8). */
const ENTRIES = AREA + 64;
const OFFSET = 8;

/** Let pending promise callbacks run (a woken waiter finishes in a few microtask turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

function entry(i: number): number {
  return ENTRIES + i * 16;
}

/**
 * Lay out a robust list: head -> entry(0) -> ... -> head, lock words as given, then register it.
 * `pending` is list_op_pending (0 for none).
 */
function buildList(m: FakeMachine, task: Task, words: number[], pending = 0, offset = OFFSET) {
  m.writeI64(HEAD, words.length > 0 ? entry(0) : HEAD);
  m.writeI64(HEAD + 8, offset);
  m.writeI64(HEAD + 16, pending);
  words.forEach((word, i) => {
    m.writeI64(entry(i), i + 1 < words.length ? entry(i + 1) : HEAD);
    m.writeU32(entry(i) + OFFSET, word);
  });
  task.robustList = { head: HEAD, length: 24 };
}

/** A waiter on the word at `addr`, as glibc's robust mutexes wait: without FUTEX_PRIVATE_FLAG. */
function waitOn(m: FakeMachine, task: Task, addr: number, flags = 0) {
  const state = { result: null as number | null };
  const done = Promise.resolve(
    m.call(futex, [addr, FUTEX_WAIT | flags, m.u32(addr), 0], task),
  ).then((r) => state.result = r);
  return { state, done };
}

Deno.test("robust list: owned words get OWNER_DIED, waiters kept and one woken", async () => {
  const m = new FakeMachine();
  const dying = m.kernel.newTask(m.proc, m.kernel.allocatePid());
  const other = m.task;
  const tid = dying.tid;
  buildList(m, dying, [tid | FUTEX_WAITERS, tid, other.tid | FUTEX_WAITERS, 0]);
  const first = waitOn(m, other, entry(0) + OFFSET);
  const second = waitOn(m, other, entry(0) + OFFSET);
  const foreign = waitOn(m, other, entry(2) + OFFSET);
  await settle();
  exitRobustList(m.kernel, dying);
  await settle();
  assert.equal(m.u32(entry(0) + OFFSET), (FUTEX_WAITERS | FUTEX_OWNER_DIED) >>> 0);
  assert.equal(m.u32(entry(1) + OFFSET), FUTEX_OWNER_DIED, "the owner tid is cleared");
  assert.equal(m.u32(entry(2) + OFFSET), (other.tid | FUTEX_WAITERS) >>> 0, "not the dying one's");
  assert.equal(m.u32(entry(3) + OFFSET), 0);
  assert.equal(first.state.result, 0, "one waiter woken");
  assert.equal(second.state.result, null, "only one");
  assert.equal(foreign.state.result, null);
  assert.equal(dying.robustList.head, 0, "the registration is gone");
  // Clean up the waiters still queued.
  m.writeU32(entry(0) + OFFSET, 0);
  m.callSync(futex, [entry(0) + OFFSET, 1, 10], other);
  m.callSync(futex, [entry(2) + OFFSET, 1, 10], other);
  await Promise.all([second.done, foreign.done]);
});

Deno.test("robust list: the wake uses a shared key, so a private waiter is not woken", async () => {
  const m = new FakeMachine();
  const dying = m.kernel.newTask(m.proc, m.kernel.allocatePid());
  buildList(m, dying, [dying.tid | FUTEX_WAITERS]);
  const privateWaiter = waitOn(m, m.task, entry(0) + OFFSET, FUTEX_PRIVATE);
  await settle();
  exitRobustList(m.kernel, dying);
  await settle();
  assert.equal(privateWaiter.state.result, null);
  m.callSync(futex, [entry(0) + OFFSET, 1 | FUTEX_PRIVATE, 1]);
  await privateWaiter.done;
});

Deno.test("robust list: list_op_pending is handled once, after the list", async () => {
  const m = new FakeMachine();
  const dying = m.kernel.newTask(m.proc, m.kernel.allocatePid());
  const tid = dying.tid;
  // Pending and on the list: handled once (a second pass would wake a second waiter).
  buildList(m, dying, [tid | FUTEX_WAITERS], entry(0));
  const a = waitOn(m, m.task, entry(0) + OFFSET);
  const b = waitOn(m, m.task, entry(0) + OFFSET);
  await settle();
  exitRobustList(m.kernel, dying);
  await settle();
  assert.equal(m.u32(entry(0) + OFFSET), (FUTEX_WAITERS | FUTEX_OWNER_DIED) >>> 0);
  assert.deepEqual([a.state.result, b.state.result], [0, null]);
  m.callSync(futex, [entry(0) + OFFSET, 1, 1]);
  await b.done;

  // Pending, not on the list, unlocked (owner 0): the waiter is woken, the word left alone.
  buildList(m, dying, [], entry(5));
  m.writeU32(entry(5) + OFFSET, 0);
  const c = waitOn(m, m.task, entry(5) + OFFSET);
  await settle();
  exitRobustList(m.kernel, dying);
  await settle();
  assert.equal(m.u32(entry(5) + OFFSET), 0);
  assert.equal(c.state.result, 0);

  // The pending pointer's bit 0 marks a PI futex: OWNER_DIED is set but nobody is woken here.
  buildList(m, dying, [], entry(6) + 1);
  m.writeU32(entry(6) + OFFSET, tid | FUTEX_WAITERS);
  const d = waitOn(m, m.task, entry(6) + OFFSET);
  await settle();
  exitRobustList(m.kernel, dying);
  await settle();
  assert.equal(m.u32(entry(6) + OFFSET), (FUTEX_WAITERS | FUTEX_OWNER_DIED) >>> 0);
  assert.equal(d.state.result, null);
  m.callSync(futex, [entry(6) + OFFSET, 1, 1]);
  await d.done;
});

Deno.test("robust list: a negative futex_offset, PI list entries, no list at all", () => {
  const m = new FakeMachine();
  const dying = m.kernel.newTask(m.proc, m.kernel.allocatePid());
  // Lock word 8 bytes before the list node.
  m.writeI64(HEAD, entry(1) + 1); // PI bit on the first pointer
  m.writeI64(HEAD + 8, -8);
  m.writeI64(HEAD + 16, 0);
  m.writeI64(entry(1), HEAD);
  m.writeU32(entry(1) - 8, dying.tid);
  dying.robustList = { head: HEAD, length: 24 };
  exitRobustList(m.kernel, dying);
  assert.equal(m.u32(entry(1) - 8), FUTEX_OWNER_DIED);
  // Nothing registered: nothing read.
  dying.robustList = { head: 0, length: 24 };
  exitRobustList(m.kernel, dying);
});

Deno.test("robust list: at most 2048 entries, so a circular list ends", () => {
  const m = new FakeMachine();
  const dying = m.kernel.newTask(m.proc, m.kernel.allocatePid());
  const count = ROBUST_LIST_LIMIT + 2;
  assert.ok(entry(count) < AREA + AREA_SIZE);
  buildList(m, dying, new Array(count).fill(dying.tid));
  exitRobustList(m.kernel, dying);
  assert.equal(m.u32(entry(ROBUST_LIST_LIMIT - 1) + OFFSET), FUTEX_OWNER_DIED);
  assert.equal(m.u32(entry(ROBUST_LIST_LIMIT) + OFFSET), dying.tid, "past the limit");
  // A list that points back into itself.
  buildList(m, dying, [dying.tid, dying.tid]);
  m.writeI64(entry(1), entry(0));
  exitRobustList(m.kernel, dying);
  assert.equal(m.u32(entry(1) + OFFSET), FUTEX_OWNER_DIED);
});

Deno.test("robust list: a bad pointer or word stops the walk, pending included", () => {
  const m = new FakeMachine();
  const dying = m.kernel.newTask(m.proc, m.kernel.allocatePid());
  const tid = dying.tid;
  // entry(0)'s next pointer is unmapped: entry(0) is still handled, then the walk ends.
  buildList(m, dying, [tid, tid], entry(4));
  m.writeI64(entry(0), UNMAPPED);
  m.writeU32(entry(4) + OFFSET, tid);
  exitRobustList(m.kernel, dying);
  assert.equal(m.u32(entry(0) + OFFSET), FUTEX_OWNER_DIED);
  assert.equal(m.u32(entry(1) + OFFSET), tid);
  assert.equal(m.u32(entry(4) + OFFSET), tid, "pending is skipped after a bad list");
  // A misaligned lock word ends it before that entry.
  buildList(m, dying, [tid, tid], 0, OFFSET + 1);
  exitRobustList(m.kernel, dying);
  assert.equal(m.u32(entry(0) + OFFSET), tid);
  // An unreadable head: nothing happens (and nothing throws).
  dying.robustList = { head: UNMAPPED, length: 24 };
  exitRobustList(m.kernel, dying);
  assert.equal(dying.robustList.head, 0);
});

Deno.test("clear_child_tid: zeroed and one waiter woken while the memory is shared", async () => {
  const m = new FakeMachine();
  const dying = m.kernel.newTask(m.proc, m.kernel.allocatePid());
  const word = AREA + 512;
  m.writeU32(word, dying.tid);
  dying.clearChildTid = word;
  const joiner = waitOn(m, m.task, word);
  const second = waitOn(m, m.task, word);
  await settle();
  clearChildTidOnExit(m.kernel, dying);
  await settle();
  assert.equal(m.u32(word), 0);
  assert.deepEqual([joiner.state.result, second.state.result], [0, null]);
  assert.equal(dying.clearChildTid, 0);
  m.callSync(futex, [word, 1, 1]);
  await second.done;
  // A bad address is ignored.
  dying.clearChildTid = UNMAPPED;
  clearChildTidOnExit(m.kernel, dying);
  dying.clearChildTid = word + 2;
  clearChildTidOnExit(m.kernel, dying);
});

Deno.test("clear_child_tid: the last user of the address space writes nothing", () => {
  const m = new FakeMachine();
  const word = AREA + 512;
  m.writeU32(word, m.task.tid);
  m.task.clearChildTid = word;
  clearChildTidOnExit(m.kernel, m.task);
  assert.equal(m.u32(word), m.task.tid);
  assert.equal(m.task.clearChildTid, 0);
  // A dead thread does not count as a user.
  const gone = m.kernel.newTask(m.proc, m.kernel.allocatePid());
  gone.state = "dead";
  m.task.clearChildTid = word;
  clearChildTidOnExit(m.kernel, m.task);
  assert.equal(m.u32(word), m.task.tid);
});
