// Tests for the signal-waiting and siginfo-queueing calls of kernel/syscalls/signal.ts (pause,
// rt_sigsuspend, rt_sigtimedwait, rt_sigqueueinfo, rt_tgsigqueueinfo) and the queues behind
// them (kernel/signals/queue.ts): real-time signals queue every instance with its own siginfo,
// legacy signals one; dequeue order; Linux's permission and layout rules for caller siginfo.

import assert from "node:assert/strict";
import {
  E2BIG,
  EAGAIN,
  EFAULT,
  EINTR,
  EINVAL,
  EPERM,
  ERESTARTNOHAND,
  ESRCH,
} from "../../kernel/errno.ts";
import { rootCredentials, type Task } from "../../kernel/proc/process.ts";
import { setBlocked, signalState } from "../../kernel/signals/delivery.ts";
import { queuedSignals, recordSignalInfo, takeSignal } from "../../kernel/signals/queue.ts";
import {
  kernelSigInfo,
  SI_KERNEL,
  SI_QUEUE,
  SI_TKILL,
  SI_USER,
} from "../../kernel/signals/sigframe.ts";
import {
  SIGCHLD,
  SIGCONT,
  SIGKILL,
  SIGRTMIN,
  SIGSEGV,
  SIGTERM,
  SIGUSR1,
  SIGUSR2,
} from "../../kernel/signals/signals.ts";
import { signalSyscalls as s } from "../../kernel/syscalls/signal.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const SET = AREA;
const INFO = AREA + 64; // siginfo in
const OUT = AREA + 256; // siginfo out
const TS = AREA + 512;
const ACT = AREA + 576;

function mask(...sigs: number[]): bigint {
  return sigs.reduce((m, sig) => m | (1n << BigInt(sig - 1)), 0n);
}

function writeSet(m: FakeMachine, set: bigint, addr = SET) {
  m.writeI64(addr, BigInt.asIntN(64, set));
}

function block(task: Task, ...sigs: number[]) {
  const set = mask(...sigs) | (BigInt(task.sigmaskHigh) << 32n) | BigInt(task.sigmaskLow);
  setBlocked(task, Number(set & 0xffffffffn), Number(set >> 32n));
}

function blockedSet(task: Task): bigint {
  return (BigInt(task.sigmaskHigh) << 32n) | BigInt(task.sigmaskLow);
}

/** A struct siginfo at INFO with si_code `code`, si_pid/si_uid and an int value. */
function writeInfo(m: FakeMachine, code: number, value: number, extra: [number, number][] = []) {
  m.write(INFO, new Uint8Array(128));
  m.writeU32(INFO + 8, code >>> 0);
  m.writeU32(INFO + 16, m.proc.pid);
  m.writeU32(INFO + 24, value >>> 0);
  for (const [offset, byte] of extra) m.write(INFO + offset, Uint8Array.of(byte));
}

function sigqueue(
  m: FakeMachine,
  pid: number,
  sig: number,
  value: number,
  code = SI_QUEUE,
  caller = m.task,
) {
  writeInfo(m, code, value);
  return m.callSync(s.rt_sigqueueinfo, [pid, sig, INFO], caller);
}

function installHandler(m: FakeMachine, sig: number, handler = 0x401000) {
  m.write(ACT, new Uint8Array(32));
  m.writeI64(ACT, handler);
  assert.equal(m.callSync(s.rt_sigaction, [sig, ACT, 0, 8]), 0);
}

/** Settles to "pending" if `p` has not settled by the time a short host timer runs. */
function stillPending<T>(p: T | Promise<T>): Promise<T | "pending"> {
  return Promise.race([p, new Promise<"pending">((r) => setTimeout(() => r("pending"), 20))]);
}

// ---- queues -----------------------------------------------------------------------------------

Deno.test("queue: real-time signals keep every instance in order, legacy signals the first", () => {
  const m = new FakeMachine();
  const task = m.task;
  block(task, SIGRTMIN, SIGUSR1);
  for (const value of [1n, 2n, 3n]) {
    recordSignalInfo(task, { signo: SIGRTMIN, code: SI_QUEUE, kind: "rt", pid: 1, uid: 0, value });
    m.kernel.sendSignal(task, SIGRTMIN);
  }
  for (const pid of [5, 6]) {
    recordSignalInfo(task, { signo: SIGUSR1, code: SI_USER, kind: "kill", pid, uid: 0 });
    m.kernel.sendSignal(task, SIGUSR1);
  }
  assert.equal(queuedSignals(task, SIGUSR1).length, 1);
  const usr1 = takeSignal(task, SIGUSR1);
  assert.ok(usr1?.kind === "kill" && usr1.pid === 5);
  assert.ok(!task.pending.has(SIGUSR1));
  for (const value of [1n, 2n, 3n]) {
    assert.ok(task.pending.has(SIGRTMIN), "pending while instances remain");
    const info = takeSignal(task, SIGRTMIN);
    assert.ok(info?.kind === "rt" && info.value === value);
  }
  assert.ok(!task.pending.has(SIGRTMIN));
  m.kernel.sendSignal(task, SIGUSR1);
  assert.deepEqual(takeSignal(task, SIGUSR1), kernelSigInfo(SIGUSR1), "no siginfo: SI_KERNEL");
});

Deno.test("queue: an instance discarded without being dequeued leaves nothing behind", () => {
  const m = new FakeMachine();
  block(m.task, SIGRTMIN);
  assert.equal(sigqueue(m, m.proc.pid, SIGRTMIN, 1), 0);
  installHandler(m, SIGRTMIN, 1); // SIG_IGN discards it
  assert.ok(!m.task.pending.has(SIGRTMIN));
  installHandler(m, SIGRTMIN);
  assert.equal(sigqueue(m, m.proc.pid, SIGRTMIN, 2), 0);
  assert.equal(queuedSignals(m.task, SIGRTMIN).length, 1);
  const info = takeSignal(m.task, SIGRTMIN);
  assert.ok(info?.kind === "raw");
  assert.equal(new DataView(info.fields.buffer).getInt32(8, true), 2);

  // Taken out of Task.pending directly (as SIGCONT does to stop signals): its siginfo goes at
  // the next look at the queues (here, SIGCONT's own delivery).
  block(m.task, SIGUSR1, SIGCONT);
  assert.equal(m.callSync(s.kill, [m.proc.pid, SIGUSR1]), 0);
  m.task.pending.delete(SIGUSR1);
  m.kernel.sendSignal(m.task, SIGCONT);
  takeSignal(m.task, SIGCONT);
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.deepEqual(takeSignal(m.task, SIGUSR1), kernelSigInfo(SIGUSR1));
});

// ---- rt_sigqueueinfo, rt_tgsigqueueinfo -------------------------------------------------------

Deno.test("rt_sigqueueinfo: the caller's siginfo arrives as given, si_signo set", () => {
  const m = new FakeMachine();
  block(m.task, SIGRTMIN);
  writeInfo(m, SI_QUEUE, 7, [[0, 99], [44, 0xab]]);
  assert.equal(m.callSync(s.rt_sigqueueinfo, [m.proc.pid, SIGRTMIN, INFO]), 0);
  writeSet(m, mask(SIGRTMIN));
  m.write(OUT, new Uint8Array(128).fill(0xee));
  assert.equal(m.callSync(s.rt_sigtimedwait, [SET, OUT, 0, 8]), SIGRTMIN);
  const out = m.read(OUT, 128);
  const dv = new DataView(out.buffer);
  assert.equal(dv.getInt32(0, true), SIGRTMIN);
  assert.equal(dv.getInt32(8, true), SI_QUEUE);
  assert.equal(dv.getInt32(16, true), m.proc.pid);
  assert.equal(dv.getInt32(24, true), 7);
  assert.equal(out[44], 0xab, "all 48 bytes the kernel keeps");
  assert.ok(out.subarray(48).every((b) => b === 0), "the rest reads as zeros");
});

Deno.test("rt_sigqueueinfo and rt_tgsigqueueinfo: Linux's checks in Linux's order", () => {
  const m = new FakeMachine();
  const other = m.spawn("other", { ...rootCredentials(), uid: 5, euid: 5 });
  const pid = m.proc.pid;
  block(m.task, SIGUSR1, SIGUSR2, SIGRTMIN);
  assert.equal(sigqueue(m, pid, SIGUSR1, 1, SI_USER), 0, "to itself anything goes");
  assert.equal(sigqueue(m, pid, SIGUSR2, 1, SI_KERNEL), 0);
  assert.equal(sigqueue(m, other.proc.pid, SIGUSR1, 1, SI_USER), -EPERM);
  assert.equal(sigqueue(m, other.proc.pid, SIGUSR1, 1, SI_TKILL), -EPERM);
  assert.equal(sigqueue(m, 0, SIGUSR1, 1, SI_USER), -EPERM, "EPERM before ESRCH");
  assert.equal(sigqueue(m, 0, SIGUSR1, 1), -ESRCH);
  assert.equal(sigqueue(m, 99999, SIGUSR1, 1), -ESRCH);
  assert.equal(sigqueue(m, pid, 65, 1), -EINVAL);
  assert.equal(sigqueue(m, pid, -1, 1), -EINVAL);
  assert.equal(sigqueue(m, pid, 0, 1), 0, "a probe");
  assert.equal(sigqueue(m, pid, SIGRTMIN, 1, SI_QUEUE, other), -EPERM, "uid 5 may not signal root");
  assert.equal(sigqueue(m, other.proc.pid, SIGRTMIN, 3), 0, "root may");
  assert.ok(other.pending.has(SIGRTMIN));
  assert.equal(m.callSync(s.rt_sigqueueinfo, [pid, SIGUSR1, UNMAPPED]), -EFAULT);

  // A layout the kernel does not know may not carry bytes past the 48 it keeps.
  writeInfo(m, -50, 0, [[100, 1]]);
  assert.equal(m.callSync(s.rt_sigqueueinfo, [pid, SIGRTMIN, INFO]), -E2BIG);
  writeInfo(m, 40, 0, [[100, 1]]);
  assert.equal(m.callSync(s.rt_sigqueueinfo, [pid, SIGSEGV, INFO]), -E2BIG, "SEGV codes end at 10");
  writeInfo(m, 10, 0, [[100, 1]]);
  assert.equal(m.callSync(s.rt_sigqueueinfo, [pid, SIGSEGV, INFO]), 0);
  writeInfo(m, -50, 0, [[40, 1]]);
  assert.equal(m.callSync(s.rt_sigqueueinfo, [pid, SIGRTMIN, INFO]), 0);

  const tg = (tgid: number, tid: number, sig: number, code = SI_QUEUE, caller = m.task) => {
    writeInfo(m, code, 1);
    return m.callSync(s.rt_tgsigqueueinfo, [tgid, tid, sig, INFO], caller);
  };
  const thread = m.thread();
  assert.equal(tg(pid, thread.tid, SIGUSR2), 0);
  assert.ok(thread.pending.has(SIGUSR2), "to that thread");
  assert.equal(tg(pid, thread.tid, SIGUSR2, SI_USER), -EPERM, "another thread: no SI_USER");
  assert.equal(tg(pid, thread.tid, SIGUSR2, SI_USER, thread), 0, "itself: yes");
  assert.equal(tg(0, thread.tid, SIGUSR2), -EINVAL);
  assert.equal(tg(pid, -1, SIGUSR2), -EINVAL);
  assert.equal(tg(other.proc.pid, thread.tid, SIGUSR2), -ESRCH);
  assert.equal(tg(pid, thread.tid, 65), -EINVAL);
});

// ---- rt_sigtimedwait --------------------------------------------------------------------------

Deno.test("rt_sigtimedwait: takes pending signals of the set in Linux's order", () => {
  const m = new FakeMachine();
  block(m.task, SIGUSR1, SIGUSR2, SIGSEGV, SIGTERM, SIGRTMIN);
  for (const sig of [SIGRTMIN, SIGUSR2, SIGTERM, SIGSEGV, SIGUSR1]) {
    m.kernel.sendSignal(m.task, sig);
  }
  writeSet(m, mask(SIGUSR1, SIGUSR2, SIGSEGV, SIGRTMIN));
  m.writeTimespec(TS, 0, 0);
  const order: number[] = [];
  for (let i = 0; i < 4; i++) order.push(m.callSync(s.rt_sigtimedwait, [SET, 0, TS, 8]));
  assert.deepEqual(order, [SIGSEGV, SIGUSR1, SIGUSR2, SIGRTMIN], "faults first, then the lowest");
  assert.ok(m.task.pending.has(SIGTERM), "outside the set: left alone");
  assert.equal(m.callSync(s.rt_sigtimedwait, [SET, 0, TS, 8]), -EAGAIN, "zero timeout");
});

Deno.test("rt_sigtimedwait: argument checks", () => {
  const m = new FakeMachine();
  writeSet(m, mask(SIGUSR1));
  m.writeTimespec(TS, 0, 1_000_000_000);
  assert.equal(m.callSync(s.rt_sigtimedwait, [SET, 0, TS, 4]), -EINVAL);
  assert.equal(m.callSync(s.rt_sigtimedwait, [UNMAPPED, 0, TS, 8]), -EFAULT);
  assert.equal(m.callSync(s.rt_sigtimedwait, [SET, 0, UNMAPPED, 8]), -EFAULT);
  assert.equal(m.callSync(s.rt_sigtimedwait, [SET, 0, TS, 8]), -EINVAL);
  m.writeTimespec(TS, -1, 0);
  assert.equal(m.callSync(s.rt_sigtimedwait, [SET, 0, TS, 8]), -EINVAL);
  block(m.task, SIGUSR1);
  m.kernel.sendSignal(m.task, SIGUSR1);
  m.writeTimespec(TS, 0, 0);
  assert.equal(m.callSync(s.rt_sigtimedwait, [SET, UNMAPPED, TS, 8]), -EFAULT);
  assert.ok(!m.task.pending.has(SIGUSR1), "the signal is taken all the same");
  writeSet(m, mask(SIGKILL));
  m.kernel.sendSignal(m.task, SIGKILL);
  assert.equal(m.callSync(s.rt_sigtimedwait, [SET, 0, TS, 8]), -EAGAIN, "SIGKILL is never taken");
});

Deno.test("rt_sigtimedwait: a signal of the set wakes it even while blocked", async () => {
  const m = new FakeMachine();
  block(m.task, SIGUSR2);
  const before = blockedSet(m.task);
  writeSet(m, mask(SIGUSR2));
  const waiting = m.call(s.rt_sigtimedwait, [SET, OUT, 0, 8]);
  assert.ok(waiting instanceof Promise);
  assert.equal(await stillPending(waiting), "pending");
  assert.equal(blockedSet(m.task), before, "the mask is not touched");
  assert.equal(m.callSync(s.kill, [m.proc.pid, SIGUSR2]), 0);
  assert.equal(await waiting, SIGUSR2);
  const out = new DataView(m.read(OUT, 16).buffer);
  assert.equal(out.getInt32(8, true), SI_USER);
});

Deno.test("rt_sigtimedwait: another caught signal ends it with EINTR, the timeout with EAGAIN", async () => {
  const m = new FakeMachine();
  installHandler(m, SIGUSR1);
  writeSet(m, mask(SIGUSR2));
  m.writeTimespec(TS, 100, 0);
  const waiting = m.call(s.rt_sigtimedwait, [SET, OUT, TS, 8]);
  m.kernel.sendSignal(m.task, SIGCHLD); // ignored by default: dropped, does not wake it
  assert.equal(await stillPending(waiting), "pending");
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await waiting, -EINTR);
  assert.ok(m.task.pending.has(SIGUSR1), "left for delivery");
  m.task.pending.clear();
  m.writeTimespec(TS, 0, 2_000_000);
  assert.equal(await m.call(s.rt_sigtimedwait, [SET, OUT, TS, 8]), -EAGAIN);
});

// ---- pause, rt_sigsuspend ---------------------------------------------------------------------

Deno.test("pause: sleeps until a signal that is acted on, then ERESTARTNOHAND", async () => {
  const m = new FakeMachine();
  installHandler(m, SIGUSR1);
  block(m.task, SIGUSR2);
  const waiting = m.call(s.pause, []);
  m.kernel.sendSignal(m.task, SIGUSR2); // blocked
  m.kernel.sendSignal(m.task, SIGCHLD); // ignored
  assert.equal(await stillPending(waiting), "pending");
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await waiting, -ERESTARTNOHAND);
});

Deno.test("rt_sigsuspend: the given mask while waiting, the old one saved for after delivery", async () => {
  const m = new FakeMachine();
  installHandler(m, SIGUSR1);
  installHandler(m, SIGUSR2);
  block(m.task, SIGUSR1);
  const old = blockedSet(m.task);
  writeSet(m, mask(SIGUSR2, SIGKILL));
  const waiting = m.call(s.rt_sigsuspend, [SET, 8]);
  assert.equal(blockedSet(m.task), mask(SIGUSR2), "SIGKILL cannot be blocked");
  m.kernel.sendSignal(m.task, SIGUSR2);
  assert.equal(await stillPending(waiting), "pending");
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await waiting, -ERESTARTNOHAND);
  const saved = signalState(m.task).savedMask!;
  assert.equal((BigInt(saved[1]) << 32n) | BigInt(saved[0]), old);

  const n = new FakeMachine();
  installHandler(n, SIGUSR1);
  block(n.task, SIGUSR1);
  n.kernel.sendSignal(n.task, SIGUSR1);
  writeSet(n, 0n);
  assert.equal(await n.call(s.rt_sigsuspend, [SET, 8]), -ERESTARTNOHAND, "already pending");
  assert.equal(n.callSync(s.rt_sigsuspend, [SET, 4]), -EINVAL);
  assert.equal(n.callSync(s.rt_sigsuspend, [UNMAPPED, 8]), -EFAULT);
});
