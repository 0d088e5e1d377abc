// Tests for kernel/syscalls/sched.ts and kernel/proc/sched-policy.ts: getpriority's 20 - nice
// encoding and targets (one thread, a process group, a user), setpriority's clamping, permission
// rules (EPERM for another user, EACCES for lowering nice without CAP_SYS_NICE or RLIMIT_NICE)
// and error accumulation; the sched_* calls' argument checks in Linux's order, real-time
// policies with RLIMIT_RTPRIO, SCHED_RESET_ON_FORK, priority classes and fork inheritance.

import assert from "node:assert/strict";
import { EACCES, EFAULT, EINVAL, EPERM, ESRCH } from "../../kernel/errno.ts";
import { RLIMIT_NICE, RLIMIT_RTPRIO } from "../../kernel/proc/limits.ts";
import { rootCredentials, type Task } from "../../kernel/proc/process.ts";
import {
  inheritScheduling,
  SCHED_BATCH,
  SCHED_FIFO,
  SCHED_IDLE,
  SCHED_OTHER,
  SCHED_RESET_ON_FORK,
  SCHED_RR,
} from "../../kernel/proc/sched-policy.ts";
import {
  PRIO_PGRP,
  PRIO_PROCESS,
  PRIO_USER,
  schedSyscalls as s,
} from "../../kernel/syscalls/sched.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const PARAM = AREA;
const TS = AREA + 64;

function user(uid: number) {
  return { ...rootCredentials(), uid, euid: uid, suid: uid, fsuid: uid, groups: [] };
}

/** A registered second thread of `task`'s process. */
function threadOf(m: FakeMachine, task: Task): Task {
  return m.kernel.newTask(task.proc, m.kernel.allocatePid());
}

function setScheduler(
  m: FakeMachine,
  pid: number,
  policy: number,
  priority: number,
  task = m.task,
) {
  m.writeU32(PARAM, priority, task);
  return m.callSync(s.sched_setscheduler, [pid, policy, PARAM], task);
}

Deno.test("getpriority: 20 - nice from the raw call; bad which EINVAL; no match ESRCH", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(s.getpriority, [PRIO_PROCESS, 0]), 20);
  m.task.nice = 5;
  assert.equal(m.callSync(s.getpriority, [PRIO_PROCESS, 0]), 15);
  m.task.nice = -20;
  assert.equal(m.callSync(s.getpriority, [PRIO_PROCESS, m.task.tid]), 40);
  assert.equal(m.callSync(s.getpriority, [3, 0]), -EINVAL);
  assert.equal(m.callSync(s.getpriority, [-1, 0]), -EINVAL);
  assert.equal(m.callSync(s.getpriority, [PRIO_PROCESS, 99999]), -ESRCH);
  assert.equal(m.callSync(s.getpriority, [PRIO_PROCESS, -4]), -ESRCH);
  assert.equal(m.callSync(s.getpriority, [PRIO_PGRP, 99999]), -ESRCH);
  assert.equal(m.callSync(s.getpriority, [PRIO_USER, 54321]), -ESRCH);
});

Deno.test("setpriority: clamps to -20..19 and changes only the named thread", () => {
  const m = new FakeMachine();
  const second = threadOf(m, m.task);
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, 0, 100]), 0);
  assert.equal(m.task.nice, 19);
  assert.equal(m.callSync(s.getpriority, [PRIO_PROCESS, 0]), 1);
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, 0, -100]), 0);
  assert.equal(m.task.nice, -20);
  // Linux's PRIO_PROCESS names one task even when it is a thread group leader.
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, m.proc.pid, 7]), 0);
  assert.equal(m.task.nice, 7);
  assert.equal(second.nice, 0);
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, second.tid, 3]), 0);
  assert.equal(second.nice, 3);
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, 99999, 3]), -ESRCH);
  assert.equal(m.callSync(s.setpriority, [5, 0, 3]), -EINVAL);
});

Deno.test("PRIO_PGRP and PRIO_USER: every thread of every match; getpriority takes the best", () => {
  const m = new FakeMachine();
  const sibling = m.spawn("sibling", user(1000));
  const stranger = m.spawn("stranger", user(1000));
  sibling.proc.pgid = m.proc.pgid;
  const siblingThread = threadOf(m, sibling);
  assert.equal(m.callSync(s.setpriority, [PRIO_PGRP, 0, 4]), 0);
  assert.deepEqual([m.task.nice, sibling.nice, siblingThread.nice, stranger.nice], [4, 4, 4, 0]);
  siblingThread.nice = -3;
  assert.equal(m.callSync(s.getpriority, [PRIO_PGRP, m.proc.pgid]), 23);
  assert.equal(m.callSync(s.setpriority, [PRIO_USER, 1000, 9]), 0);
  assert.deepEqual([m.task.nice, sibling.nice, siblingThread.nice, stranger.nice], [4, 9, 9, 9]);
  assert.equal(m.callSync(s.getpriority, [PRIO_USER, 1000]), 11);
  // who 0 is the caller's real uid.
  assert.equal(m.callSync(s.getpriority, [PRIO_USER, 0]), 16);
  // A dead thread other than the leader is gone.
  siblingThread.state = "dead";
  sibling.nice = 12;
  assert.equal(m.callSync(s.getpriority, [PRIO_USER, 1000]), 11);
});

Deno.test("setpriority: another user's task is EPERM, lowering nice EACCES, RLIMIT_NICE allows", () => {
  const m = new FakeMachine();
  m.proc.creds = user(1000);
  const other = m.spawn("other", user(2000));
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, other.tid, 5]), -EPERM);
  assert.equal(other.nice, 0);
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, 0, 5]), 0);
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, 0, 4]), -EACCES);
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, 0, 5]), 0, "the same value is no raise");
  // RLIMIT_NICE 25 allows nice values down to 20 - 25 = -5.
  m.proc.limits[RLIMIT_NICE] = { cur: 25, max: 25 };
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, 0, -5]), 0);
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, 0, -6]), -EACCES);
  assert.equal(m.task.nice, -5);
  // A task whose real uid is the caller's effective uid is the caller's to change.
  other.proc.creds = { ...user(2000), uid: 1000 };
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, other.tid, 6]), 0);
  // Root may do anything.
  m.proc.creds = rootCredentials();
  assert.equal(m.callSync(s.setpriority, [PRIO_PROCESS, other.tid, -20]), 0);
  assert.equal(other.nice, -20);
});

Deno.test("setpriority over a group: the last refusal wins, allowed members still change", () => {
  const m = new FakeMachine();
  m.proc.creds = user(1000);
  const foreign = m.spawn("foreign", user(2000));
  const mine = m.spawn("mine", user(1000));
  foreign.proc.pgid = m.proc.pgid;
  mine.proc.pgid = m.proc.pgid;
  assert.equal(m.callSync(s.setpriority, [PRIO_PGRP, 0, 8]), -EPERM);
  assert.deepEqual([m.task.nice, foreign.nice, mine.nice], [8, 0, 8]);
});

Deno.test("sched_get_priority_max/min: Linux's ranges per policy", () => {
  const m = new FakeMachine();
  // Natively (Linux 6.18): -1 and 4 and 8 are EINVAL; FIFO and RR 1..99; the rest 0..0.
  const expected: Record<number, [number, number]> = {
    [-1]: [-EINVAL, -EINVAL],
    0: [0, 0],
    1: [99, 1],
    2: [99, 1],
    3: [0, 0],
    4: [-EINVAL, -EINVAL],
    5: [0, 0],
    6: [0, 0],
    7: [0, 0],
    8: [-EINVAL, -EINVAL],
  };
  for (const [policy, [max, min]] of Object.entries(expected)) {
    assert.equal(m.callSync(s.sched_get_priority_max, [Number(policy)]), max, `max ${policy}`);
    assert.equal(m.callSync(s.sched_get_priority_min, [Number(policy)]), min, `min ${policy}`);
  }
});

Deno.test("sched_setscheduler: argument errors in Linux's order", () => {
  const m = new FakeMachine();
  m.writeU32(PARAM, 0);
  assert.equal(m.callSync(s.sched_setscheduler, [0, -1, PARAM]), -EINVAL);
  assert.equal(m.callSync(s.sched_setscheduler, [0, SCHED_OTHER, 0]), -EINVAL);
  assert.equal(m.callSync(s.sched_setscheduler, [-1, SCHED_OTHER, PARAM]), -EINVAL);
  assert.equal(m.callSync(s.sched_setscheduler, [0, SCHED_OTHER, UNMAPPED]), -EFAULT);
  assert.equal(m.callSync(s.sched_setscheduler, [99999, SCHED_OTHER, UNMAPPED]), -EFAULT);
  assert.equal(m.callSync(s.sched_setscheduler, [99999, SCHED_OTHER, PARAM]), -ESRCH);
  for (const policy of [4, 6, 7, 8, 0x20000000]) {
    assert.equal(setScheduler(m, 0, policy, 0), -EINVAL, `policy ${policy}`);
  }
  assert.equal(setScheduler(m, 0, SCHED_OTHER, 1), -EINVAL);
  assert.equal(setScheduler(m, 0, SCHED_FIFO, 0), -EINVAL);
  assert.equal(setScheduler(m, 0, SCHED_FIFO, 100), -EINVAL);
  assert.equal(setScheduler(m, 0, SCHED_FIFO, -1), -EINVAL);
  assert.equal(m.callSync(s.sched_getscheduler, [0]), SCHED_OTHER, "unchanged");
});

Deno.test("sched_setscheduler: real-time policies for root, their priority and class", () => {
  const m = new FakeMachine();
  m.task.nice = 5;
  assert.equal(m.task.priorityClass, 25);
  assert.equal(setScheduler(m, 0, SCHED_FIFO, 10), 0);
  assert.equal(m.callSync(s.sched_getscheduler, [0]), SCHED_FIFO);
  assert.equal(m.callSync(s.sched_getparam, [0, PARAM]), 0);
  assert.equal(m.u32(PARAM), 10);
  assert.equal(m.task.priorityClass, 0);
  // The nice value is kept, as Linux keeps it for a real-time task.
  assert.equal(m.callSync(s.getpriority, [PRIO_PROCESS, 0]), 15);
  assert.equal(m.callSync(s.sched_rr_get_interval, [0, TS]), 0);
  assert.deepEqual(m.readTimespec(TS), { sec: 0, nsec: 0 });
  m.writeU32(PARAM, 20);
  assert.equal(m.callSync(s.sched_setparam, [0, PARAM]), 0);
  assert.equal(m.callSync(s.sched_getparam, [0, PARAM]), 0);
  assert.equal(m.u32(PARAM), 20);
  m.writeU32(PARAM, 0);
  assert.equal(m.callSync(s.sched_setparam, [0, PARAM]), -EINVAL);
  assert.equal(setScheduler(m, 0, SCHED_RR | SCHED_RESET_ON_FORK, 20), 0);
  assert.equal(m.callSync(s.sched_getscheduler, [0]), 0x40000002);
  assert.equal(m.callSync(s.sched_rr_get_interval, [0, TS]), 0);
  assert.deepEqual(m.readTimespec(TS), { sec: 0, nsec: 10_000_000 });
  // Back to SCHED_OTHER: the real-time priority reads 0 again and the nice class returns.
  assert.equal(setScheduler(m, 0, SCHED_OTHER, 0), 0);
  assert.equal(m.callSync(s.sched_getparam, [0, PARAM]), 0);
  assert.equal(m.u32(PARAM), 0);
  assert.equal(m.task.priorityClass, 25);
  assert.equal(setScheduler(m, 0, SCHED_IDLE, 0), 0);
  assert.equal(m.task.priorityClass, 39);
  assert.equal(setScheduler(m, 0, SCHED_BATCH, 0), 0);
  assert.equal(m.task.priorityClass, 25);
  assert.equal(m.callSync(s.sched_getscheduler, [0]), SCHED_BATCH);
});

Deno.test("sched_*: pid checks, EFAULT on output", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(s.sched_getscheduler, [-1]), -EINVAL);
  assert.equal(m.callSync(s.sched_getscheduler, [99999]), -ESRCH);
  assert.equal(m.callSync(s.sched_getparam, [0, 0]), -EINVAL);
  assert.equal(m.callSync(s.sched_getparam, [99999, 0]), -EINVAL);
  assert.equal(m.callSync(s.sched_getparam, [99999, PARAM]), -ESRCH);
  assert.equal(m.callSync(s.sched_getparam, [0, UNMAPPED]), -EFAULT);
  assert.equal(m.callSync(s.sched_setparam, [0, 0]), -EINVAL);
  assert.equal(m.callSync(s.sched_rr_get_interval, [-1, TS]), -EINVAL);
  assert.equal(m.callSync(s.sched_rr_get_interval, [99999, TS]), -ESRCH);
  assert.equal(m.callSync(s.sched_rr_get_interval, [0, 8]), -EFAULT);
  const other = m.spawn();
  assert.equal(setScheduler(m, other.tid, SCHED_RR, 5), 0);
  assert.equal(m.callSync(s.sched_getscheduler, [other.tid]), SCHED_RR);
  assert.equal(m.callSync(s.sched_getscheduler, [0]), SCHED_OTHER);
});

Deno.test("sched_setscheduler unprivileged: RLIMIT_RTPRIO, owners, SCHED_IDLE, reset-on-fork", () => {
  const m = new FakeMachine();
  m.proc.creds = user(1000);
  assert.equal(setScheduler(m, 0, SCHED_FIFO, 1), -EPERM);
  m.proc.limits[RLIMIT_RTPRIO] = { cur: 10, max: 10 };
  assert.equal(setScheduler(m, 0, SCHED_FIFO, 11), -EPERM);
  assert.equal(setScheduler(m, 0, SCHED_FIFO, 10), 0);
  assert.equal(setScheduler(m, 0, SCHED_RR, 5), 0);
  assert.equal(setScheduler(m, 0, SCHED_OTHER, 0), 0);
  // Another user's task, even for a harmless change.
  const other = m.spawn("other", user(2000));
  assert.equal(setScheduler(m, other.tid, SCHED_BATCH, 0), -EPERM);
  // Leaving SCHED_IDLE needs RLIMIT_NICE room for the task's nice value (20 - 0 = 20).
  assert.equal(setScheduler(m, 0, SCHED_IDLE, 0), 0);
  assert.equal(setScheduler(m, 0, SCHED_OTHER, 0), -EPERM);
  m.proc.limits[RLIMIT_NICE] = { cur: 20, max: 20 };
  assert.equal(setScheduler(m, 0, SCHED_OTHER, 0), 0);
  // Once set, SCHED_RESET_ON_FORK can only be dropped with CAP_SYS_NICE.
  assert.equal(setScheduler(m, 0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0), 0);
  assert.equal(setScheduler(m, 0, SCHED_OTHER, 0), -EPERM);
  m.writeU32(PARAM, 0);
  assert.equal(m.callSync(s.sched_setparam, [0, PARAM]), 0, "setparam keeps the flag");
  m.proc.creds = rootCredentials();
  assert.equal(setScheduler(m, 0, SCHED_OTHER, 0), 0);
  assert.equal(m.callSync(s.sched_getscheduler, [0]), SCHED_OTHER);
});

Deno.test("fork inheritance: policy, priority and nice, unless SCHED_RESET_ON_FORK", () => {
  const m = new FakeMachine();
  const child = () => m.spawn("child");
  m.task.nice = -4;
  m.task.policy = SCHED_RR;
  m.task.rtPriority = 30;
  const plain = child();
  inheritScheduling(m.task, plain);
  assert.deepEqual([plain.policy, plain.rtPriority, plain.nice, plain.resetOnFork], [
    SCHED_RR,
    30,
    -4,
    false,
  ]);
  m.task.resetOnFork = true;
  const reset = child();
  inheritScheduling(m.task, reset);
  assert.deepEqual([reset.policy, reset.rtPriority, reset.nice, reset.resetOnFork], [
    SCHED_OTHER,
    0,
    0,
    false,
  ]);
  m.task.policy = SCHED_BATCH;
  m.task.rtPriority = 0;
  const batch = child();
  inheritScheduling(m.task, batch);
  assert.deepEqual([batch.policy, batch.nice], [SCHED_BATCH, 0]);
  m.task.nice = 6;
  const positive = child();
  inheritScheduling(m.task, positive);
  assert.equal(positive.nice, 6, "a positive nice survives the reset");
});
