// Tests for kernel/syscalls/signal.ts: rt_sigaction's layout and rules, masks, pending sets,
// sigaltstack's states and errors, and kill/tkill/tgkill targeting, permissions and ignoring.

import assert from "node:assert/strict";
import { RSP } from "../../core/cpu/cpu.ts";
import { EFAULT, EINVAL, ENOMEM, EPERM, ESRCH } from "../../kernel/errno.ts";
import { rootCredentials } from "../../kernel/proc/process.ts";
import { queuedSignals } from "../../kernel/signals/queue.ts";
import { SI_TKILL, SI_USER } from "../../kernel/signals/sigframe.ts";
import {
  SIGCHLD,
  SIGKILL,
  SIGRTMIN,
  SIGSTOP,
  SIGTERM,
  SIGUSR1,
  SIGUSR2,
} from "../../kernel/signals/signals.ts";
import { signalSyscalls as s } from "../../kernel/syscalls/signal.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const ACT = AREA;
const OLD = AREA + 64;
const SET = AREA + 128;
const bit = (sig: number) => 1n << BigInt(sig - 1);

function sigaction(handler: bigint, flags: bigint, restorer: bigint, mask: bigint): Uint8Array {
  const out = new Uint8Array(32);
  const dv = new DataView(out.buffer);
  [handler, flags, restorer, mask].forEach((v, i) => dv.setBigUint64(i * 8, v, true));
  return out;
}

function readSigaction(m: FakeMachine, addr: number): bigint[] {
  return [0, 8, 16, 24].map((o) => m.u64big(addr + o));
}

function writeSet(m: FakeMachine, addr: number, set: bigint) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, set, true);
  m.write(addr, out);
}

function mask(m: FakeMachine): bigint {
  return (BigInt(m.task.sigmaskHigh) << 32n) | BigInt(m.task.sigmaskLow);
}

Deno.test("rt_sigaction: stores and returns struct kernel_sigaction", () => {
  const m = new FakeMachine();
  m.write(ACT, sigaction(0x401000n, 0x04000004n | 0x400n, 0x402000n, bit(SIGUSR2) | bit(SIGKILL)));
  m.write(OLD, new Uint8Array(32).fill(0xff));
  assert.equal(m.callSync(s.rt_sigaction, [SIGUSR1, ACT, OLD, 8]), 0);
  assert.deepEqual(readSigaction(m, OLD), [0n, 0n, 0n, 0n], "the default action");
  assert.equal(m.callSync(s.rt_sigaction, [SIGUSR1, 0, OLD, 8]), 0);
  // SA_UNSUPPORTED (0x400) reads back clear; SIGKILL never enters a handler mask.
  assert.deepEqual(readSigaction(m, OLD), [0x401000n, 0x04000004n, 0x402000n, bit(SIGUSR2)]);
  assert.equal(m.proc.sigactions[SIGUSR1].handler, 0x401000);
  m.write(ACT, sigaction((1n << 64n) - 1n, 0n, 0n, 0n));
  assert.equal(m.callSync(s.rt_sigaction, [SIGRTMIN + 3, ACT, 0, 8]), 0);
  assert.equal(m.callSync(s.rt_sigaction, [SIGRTMIN + 3, 0, OLD, 8]), 0);
  assert.equal(m.u64big(OLD), (1n << 64n) - 1n);
});

Deno.test("rt_sigaction: errors", () => {
  const m = new FakeMachine();
  m.write(ACT, sigaction(1n, 0n, 0n, 0n));
  assert.equal(m.callSync(s.rt_sigaction, [SIGUSR1, ACT, 0, 4]), -EINVAL);
  assert.equal(m.callSync(s.rt_sigaction, [SIGUSR1, ACT, 0, 16]), -EINVAL);
  for (const sig of [0, 65, -1]) {
    assert.equal(m.callSync(s.rt_sigaction, [sig, ACT, 0, 8]), -EINVAL, `sig ${sig}`);
  }
  assert.equal(m.callSync(s.rt_sigaction, [SIGKILL, ACT, 0, 8]), -EINVAL);
  assert.equal(m.callSync(s.rt_sigaction, [SIGSTOP, ACT, 0, 8]), -EINVAL);
  assert.equal(m.callSync(s.rt_sigaction, [SIGKILL, 0, OLD, 8]), 0, "reading is allowed");
  assert.equal(m.callSync(s.rt_sigaction, [SIGUSR1, UNMAPPED, 0, 8]), -EFAULT);
  assert.equal(m.callSync(s.rt_sigaction, [SIGUSR1, 0, UNMAPPED, 8]), -EFAULT);
});

Deno.test("rt_sigaction: ignoring a signal discards it where pending", () => {
  const m = new FakeMachine();
  const t2 = m.thread();
  m.task.pending.add(SIGUSR1);
  t2.pending.add(SIGUSR1);
  m.task.pending.add(SIGCHLD);
  m.write(ACT, sigaction(1n, /* SIG_IGN */ 0n, 0n, 0n));
  assert.equal(m.callSync(s.rt_sigaction, [SIGUSR1, ACT, 0, 8]), 0);
  assert.ok(!m.task.pending.has(SIGUSR1) && !t2.pending.has(SIGUSR1));
  // SIG_DFL for a signal whose default is to ignore also discards it.
  m.write(ACT, sigaction(0n, 0n, 0n, 0n));
  assert.equal(m.callSync(s.rt_sigaction, [SIGCHLD, ACT, 0, 8]), 0);
  assert.ok(!m.task.pending.has(SIGCHLD));
});

Deno.test("rt_sigprocmask: block, unblock, setmask; SIGKILL and SIGSTOP stay unblocked", () => {
  const m = new FakeMachine();
  writeSet(m, SET, bit(SIGUSR1) | bit(SIGKILL) | bit(SIGSTOP) | bit(40));
  assert.equal(m.callSync(s.rt_sigprocmask, [0, SET, OLD, 8]), 0);
  assert.equal(mask(m), bit(SIGUSR1) | bit(40));
  assert.equal(m.u64big(OLD), 0n);
  writeSet(m, SET, bit(SIGUSR2));
  assert.equal(m.callSync(s.rt_sigprocmask, [0, SET, 0, 8]), 0);
  writeSet(m, SET, bit(SIGUSR1));
  assert.equal(m.callSync(s.rt_sigprocmask, [1, SET, OLD, 8]), 0);
  assert.equal(m.u64big(OLD), bit(SIGUSR1) | bit(SIGUSR2) | bit(40));
  assert.equal(mask(m), bit(SIGUSR2) | bit(40));
  writeSet(m, SET, bit(SIGTERM));
  assert.equal(m.callSync(s.rt_sigprocmask, [2, SET, 0, 8]), 0);
  assert.equal(mask(m), bit(SIGTERM));
});

Deno.test("rt_sigprocmask: errors, and `how` unchecked without a new set", () => {
  const m = new FakeMachine();
  writeSet(m, SET, bit(SIGUSR1));
  assert.equal(m.callSync(s.rt_sigprocmask, [3, SET, 0, 8]), -EINVAL);
  assert.equal(mask(m), 0n);
  assert.equal(m.callSync(s.rt_sigprocmask, [99, 0, OLD, 8]), 0);
  assert.equal(m.callSync(s.rt_sigprocmask, [0, SET, 0, 16]), -EINVAL);
  assert.equal(m.callSync(s.rt_sigprocmask, [0, UNMAPPED, 0, 8]), -EFAULT);
  // The new mask is in place even when storing the old one faults.
  assert.equal(m.callSync(s.rt_sigprocmask, [0, SET, UNMAPPED, 8]), -EFAULT);
  assert.equal(mask(m), bit(SIGUSR1));
});

Deno.test("rt_sigpending: pending signals that are blocked", () => {
  const m = new FakeMachine();
  m.task.pending.add(SIGUSR1);
  m.task.pending.add(SIGUSR2);
  m.task.pending.add(40);
  m.task.sigmaskLow = Number(bit(SIGUSR1));
  m.task.sigmaskHigh = Number(bit(40) >> 32n);
  m.write(SET, new Uint8Array(8).fill(0xff));
  assert.equal(m.callSync(s.rt_sigpending, [SET, 8]), 0);
  assert.equal(m.u64big(SET), bit(SIGUSR1) | bit(40));
  m.write(SET, new Uint8Array(8).fill(0xff));
  assert.equal(m.callSync(s.rt_sigpending, [SET, 4]), 0);
  assert.equal(m.u64big(SET), (0xffffffffn << 32n) | bit(SIGUSR1));
  assert.equal(m.callSync(s.rt_sigpending, [SET, 9]), -EINVAL);
  assert.equal(m.callSync(s.rt_sigpending, [UNMAPPED, 8]), -EFAULT);
});

function stack(sp: bigint, flags: number, size: bigint): Uint8Array {
  const out = new Uint8Array(24);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, sp, true);
  dv.setInt32(8, flags, true);
  dv.setBigUint64(16, size, true);
  return out;
}

function readStack(m: FakeMachine, addr: number): [bigint, number, bigint] {
  return [m.u64big(addr), m.u32(addr + 8), m.u64big(addr + 16)];
}

Deno.test("sigaltstack: disabled at first, then set, queried and disabled", () => {
  const m = new FakeMachine();
  m.kernel.cpu.setRegFromNumber(RSP, 0x7ff000000000);
  assert.equal(m.callSync(s.sigaltstack, [0, OLD]), 0);
  assert.deepEqual(readStack(m, OLD), [0n, 2, 0n]);
  m.write(ACT, stack(0x20000000n, 0, 8192n));
  assert.equal(m.callSync(s.sigaltstack, [ACT, OLD]), 0);
  assert.deepEqual(readStack(m, OLD), [0n, 2, 0n], "old is the state before the call");
  assert.equal(m.callSync(s.sigaltstack, [0, OLD]), 0);
  assert.deepEqual(readStack(m, OLD), [0x20000000n, 0, 8192n]);
  m.write(ACT, stack(0x1234n, 2, /* SS_DISABLE */ 99n));
  assert.equal(m.callSync(s.sigaltstack, [ACT, 0]), 0);
  assert.equal(m.callSync(s.sigaltstack, [0, OLD]), 0);
  assert.deepEqual(readStack(m, OLD), [0n, 2, 0n]);
});

Deno.test("sigaltstack: ENOMEM below MINSIGSTKSZ, EINVAL for unknown flags, EFAULT", () => {
  const m = new FakeMachine();
  m.write(ACT, stack(0x20000000n, 0, 2047n));
  assert.equal(m.callSync(s.sigaltstack, [ACT, 0]), -ENOMEM);
  m.write(ACT, stack(0x20000000n, 4, 8192n));
  assert.equal(m.callSync(s.sigaltstack, [ACT, 0]), -EINVAL);
  m.write(ACT, stack(0x20000000n, 1, /* SS_ONSTACK is accepted as 0 */ 2048n));
  assert.equal(m.callSync(s.sigaltstack, [ACT, 0]), 0);
  assert.equal(m.callSync(s.sigaltstack, [UNMAPPED, 0]), -EFAULT);
  assert.equal(m.callSync(s.sigaltstack, [0, UNMAPPED]), -EFAULT);
});

Deno.test("sigaltstack: running on the stack reports SS_ONSTACK and refuses changes", () => {
  const m = new FakeMachine();
  m.write(ACT, stack(0x20000000n, 0, 8192n));
  assert.equal(m.callSync(s.sigaltstack, [ACT, 0]), 0);
  m.kernel.cpu.setRegFromNumber(RSP, 0x20001000);
  assert.equal(m.callSync(s.sigaltstack, [0, OLD]), 0);
  assert.equal(m.u32(OLD + 8), 1);
  assert.equal(m.callSync(s.sigaltstack, [ACT, 0]), -EPERM);
  // With SS_AUTODISARM the kernel no longer treats the stack as in use.
  m.kernel.cpu.setRegFromNumber(RSP, 0x7ff000000000);
  m.write(ACT, stack(0x20000000n, 0x80000000 | 0, 8192n));
  assert.equal(m.callSync(s.sigaltstack, [ACT, 0]), 0);
  m.kernel.cpu.setRegFromNumber(RSP, 0x20001000);
  assert.equal(m.callSync(s.sigaltstack, [0, OLD]), 0);
  assert.equal(m.u32(OLD + 8), 0x80000000);
  assert.equal(m.callSync(s.sigaltstack, [ACT, 0]), 0);
});

Deno.test("kill: self by pid, probes, bad signals, unknown pids", () => {
  const m = new FakeMachine();
  const pid = m.proc.pid;
  assert.equal(m.callSync(s.kill, [pid, 0]), 0);
  assert.equal(m.task.pending.size, 0, "signal 0 only probes");
  assert.equal(m.callSync(s.kill, [pid, SIGUSR1]), 0);
  assert.ok(m.task.pending.has(SIGUSR1));
  assert.equal(m.callSync(s.kill, [pid, 65]), -EINVAL);
  assert.equal(m.callSync(s.kill, [pid, -1]), -EINVAL);
  assert.equal(m.callSync(s.kill, [4321, SIGUSR1]), -ESRCH);
  assert.equal(m.callSync(s.kill, [4321, 65]), -ESRCH, "ESRCH before the signal check");
  assert.equal(m.callSync(s.kill, [-(2 ** 31), SIGUSR1]), -ESRCH);
});

Deno.test("kill: process groups, and -1 means everyone but init and the caller", () => {
  const m = new FakeMachine();
  assert.equal(m.proc.pid, 1);
  assert.equal(m.callSync(s.kill, [-1, SIGUSR1]), -ESRCH, "nobody else to signal");
  const a = m.spawn();
  const b = m.spawn();
  assert.equal(m.callSync(s.kill, [-1, SIGUSR2]), 0);
  assert.ok(a.pending.has(SIGUSR2) && b.pending.has(SIGUSR2));
  assert.ok(!m.task.pending.has(SIGUSR2));
  b.proc.pgid = a.proc.pgid;
  assert.equal(m.callSync(s.kill, [-a.proc.pgid, SIGTERM]), 0);
  assert.ok(a.pending.has(SIGTERM) && b.pending.has(SIGTERM));
  assert.equal(m.callSync(s.kill, [0, SIGUSR1]), 0);
  assert.ok(m.task.pending.has(SIGUSR1) && !a.pending.has(SIGUSR1));
  assert.equal(m.callSync(s.kill, [-999, SIGUSR1]), -ESRCH);
  assert.equal(m.callSync(s.kill, [-a.proc.pgid, 99]), -EINVAL);
});

Deno.test("kill: a process-directed signal reaches a thread that does not block it", () => {
  const m = new FakeMachine();
  const t2 = m.thread();
  m.task.sigmaskLow = Number(bit(SIGUSR1));
  assert.equal(m.callSync(s.kill, [m.proc.pid, SIGUSR1]), 0);
  assert.ok(t2.pending.has(SIGUSR1) && !m.task.pending.has(SIGUSR1));
  // Naming a non-leader thread's id with kill still signals its process.
  assert.equal(m.callSync(s.kill, [t2.tid, SIGUSR2]), 0);
  assert.ok(m.task.pending.has(SIGUSR2));
});

Deno.test("kill: ignored signals are dropped unless blocked", () => {
  const m = new FakeMachine();
  m.write(ACT, sigaction(1n, 0n, 0n, 0n));
  assert.equal(m.callSync(s.rt_sigaction, [SIGUSR1, ACT, 0, 8]), 0);
  assert.equal(m.callSync(s.kill, [m.proc.pid, SIGUSR1]), 0);
  assert.equal(m.callSync(s.kill, [m.proc.pid, SIGCHLD]), 0);
  assert.equal(m.task.pending.size, 0);
  m.task.sigmaskLow = Number(bit(SIGUSR1));
  assert.equal(m.callSync(s.kill, [m.proc.pid, SIGUSR1]), 0);
  assert.ok(m.task.pending.has(SIGUSR1));
});

Deno.test("kill: an ordinary user may signal only its own uid's processes", () => {
  const m = new FakeMachine();
  const root = m.spawn("root");
  const mine = m.spawn("mine", { ...rootCredentials(), uid: 1000, euid: 1000, suid: 1000 });
  m.proc.creds = { ...rootCredentials(), uid: 1000, euid: 1000, suid: 1000 };
  assert.equal(m.callSync(s.kill, [root.proc.pid, SIGUSR1]), -EPERM);
  assert.equal(m.callSync(s.kill, [root.proc.pid, 0]), -EPERM);
  assert.equal(m.callSync(s.kill, [mine.proc.pid, SIGUSR1]), 0);
  // kill(-1): EPERM from some targets does not make the call fail.
  assert.equal(m.callSync(s.kill, [-1, SIGUSR2]), 0);
  assert.ok(mine.pending.has(SIGUSR2) && !root.pending.has(SIGUSR2));
  // SIGCONT is allowed within the session.
  root.proc.sid = m.proc.sid;
  assert.equal(m.callSync(s.kill, [root.proc.pid, 18]), 0);
});

Deno.test("tkill and tgkill: one thread, checked against its process", () => {
  const m = new FakeMachine();
  const t2 = m.thread();
  assert.equal(m.callSync(s.tkill, [t2.tid, SIGUSR1]), 0);
  assert.ok(t2.pending.has(SIGUSR1) && !m.task.pending.has(SIGUSR1));
  assert.equal(m.callSync(s.tgkill, [m.proc.pid, m.task.tid, SIGUSR2]), 0);
  assert.ok(m.task.pending.has(SIGUSR2));
  assert.equal(m.callSync(s.tgkill, [m.proc.pid, t2.tid, 0]), 0);
  assert.equal(m.callSync(s.tgkill, [999, t2.tid, SIGUSR1]), -ESRCH);
  assert.equal(m.callSync(s.tkill, [999, SIGUSR1]), -ESRCH);
  assert.equal(m.callSync(s.tkill, [0, SIGUSR1]), -EINVAL);
  assert.equal(m.callSync(s.tgkill, [0, t2.tid, SIGUSR1]), -EINVAL);
  assert.equal(m.callSync(s.tgkill, [m.proc.pid, -3, SIGUSR1]), -EINVAL);
  assert.equal(m.callSync(s.tkill, [t2.tid, 65]), -EINVAL);
});

Deno.test("kill and tkill record the sender in the siginfo", () => {
  const m = new FakeMachine();
  const other = m.spawn("other", { ...rootCredentials(), uid: 7 });
  assert.equal(m.callSync(s.kill, [m.proc.pid, SIGUSR1], other), 0);
  assert.deepEqual(queuedSignals(m.task, SIGUSR1)[0]?.info, {
    signo: SIGUSR1,
    code: SI_USER,
    kind: "kill",
    pid: other.proc.pid,
    uid: 7,
  });
  assert.equal(m.callSync(s.tkill, [m.task.tid, SIGUSR2]), 0);
  const info = queuedSignals(m.task, SIGUSR2)[0]?.info;
  assert.equal(info?.code, SI_TKILL);
});
