// Priority and scheduling-policy syscalls: getpriority/setpriority (nice values of one thread,
// a process group or a user's tasks) and the sched_* family (policy, real-time priority, the
// priority range of a policy, the round-robin interval), with Linux's permission rules: raising
// a priority needs CAP_SYS_NICE (an effective uid of 0) or room under RLIMIT_NICE/RLIMIT_RTPRIO,
// and another user's tasks need CAP_SYS_NICE. SCHED_FIFO and SCHED_RR are accepted (priorities
// 1..99) and run in the scheduler's top class (kernel/proc/sched-policy.ts); sched_yield lives
// with the scheduler (system.ts).

import { EACCES, EINVAL, EPERM, ESRCH } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { RLIMIT_NICE, RLIMIT_RTPRIO } from "../proc/limits.ts";
import { taskOrSelf } from "../proc/lookup.ts";
import { NICE_MAX, NICE_MIN, type Process, type Task } from "../proc/process.ts";
import {
  isRealtimePolicy,
  RT_PRIORITY_MAX,
  SCHED_BATCH,
  SCHED_DEADLINE,
  SCHED_EXT,
  SCHED_FIFO,
  SCHED_IDLE,
  SCHED_OTHER,
  SCHED_RESET_ON_FORK,
  SCHED_RR,
} from "../proc/sched-policy.ts";
import { timespecFromMs, writeTimespec } from "../clocks.ts";
import type { SyscallFamily } from "./args.ts";

export const PRIO_PROCESS = 0;
export const PRIO_PGRP = 1;
export const PRIO_USER = 2;

/** The scheduler's quantum (kernel.ts QUANTUM_INSTRUCTIONS: 10 ms of virtual time). */
export const QUANTUM_MS = 10;
/** sched_setparam passes this in place of a policy: keep the current one. */
const SETPARAM_POLICY = -1;

/** nice_to_rlimit(): nice 19..-20 as 1..40, the scale of RLIMIT_NICE and getpriority's result. */
function niceToRlimit(nice: number): number {
  return NICE_MAX - nice + 1;
}

/** CAP_SYS_NICE in the traditional root model. */
function maySysNice(caller: Task): boolean {
  return caller.proc.creds.euid === 0;
}

/** is_nice_reduction(): may `target` go to `nice` within its own RLIMIT_NICE? */
function niceWithinLimit(target: Task, nice: number): boolean {
  return niceToRlimit(nice) <= target.proc.limits[RLIMIT_NICE].cur;
}

/**
 * The tasks a process group's pid names (do_each_pid_thread over PIDTYPE_PGID): every live thread
 * of every member, and the leader of a zombie until it is reaped.
 */
function visibleThreads(proc: Process): Task[] {
  return proc.threads.filter((t) => t.state !== "dead" || t.tid === proc.pid);
}

/** The tasks `which`/`who` name for getpriority/setpriority (empty: ESRCH). */
function prioTargets(kernel: Kernel, caller: Task, which: number, who: number): Task[] {
  if (which === PRIO_PROCESS) {
    const task = taskOrSelf(kernel, caller, who);
    return task === undefined ? [] : [task];
  }
  const targets: Task[] = [];
  if (which === PRIO_PGRP) {
    const pgid = who === 0 ? caller.proc.pgid : who;
    for (const proc of kernel.processes.values()) {
      if (proc.pgid === pgid) targets.push(...visibleThreads(proc));
    }
  } else {
    const uid = who === 0 ? caller.proc.creds.uid : who >>> 0;
    for (const proc of kernel.processes.values()) {
      if (proc.creds.uid === uid) targets.push(...visibleThreads(proc));
    }
  }
  return targets;
}

/** set_one_prio(): 0, or the errno this target refuses the new nice value with. */
function setOnePriority(caller: Task, target: Task, nice: number): number {
  const c = caller.proc.creds;
  const t = target.proc.creds;
  if (t.uid !== c.euid && t.euid !== c.euid && !maySysNice(caller)) return EPERM;
  if (nice < target.nice && !niceWithinLimit(target, nice) && !maySysNice(caller)) return EACCES;
  target.nice = nice;
  return 0;
}

/** check_same_owner(): the caller's effective uid is the target's real or effective uid. */
function sameOwner(caller: Task, target: Task): boolean {
  const c = caller.proc.creds;
  const t = target.proc.creds;
  return c.euid === t.euid || c.euid === t.uid;
}

/**
 * valid_policy(): the policies sched_setscheduler knows. SCHED_EXT is not one of them: it needs
 * a BPF scheduler, and Linux refuses it without one.
 */
function knownPolicy(policy: number): boolean {
  return policy === SCHED_OTHER || policy === SCHED_FIFO || policy === SCHED_RR ||
    policy === SCHED_BATCH || policy === SCHED_IDLE || policy === SCHED_DEADLINE;
}

/**
 * user_check_sched_setscheduler(): an unprivileged caller may not start or raise a real-time
 * priority beyond RLIMIT_RTPRIO, leave SCHED_IDLE unless RLIMIT_NICE allows its nice value,
 * touch another user's task, or drop SCHED_RESET_ON_FORK.
 */
function mayChangeScheduling(
  caller: Task,
  target: Task,
  policy: number,
  priority: number,
  resetOnFork: boolean,
): boolean {
  if (maySysNice(caller)) return true;
  if (isRealtimePolicy(policy)) {
    const rtLimit = target.proc.limits[RLIMIT_RTPRIO].cur;
    if (policy !== target.policy && rtLimit === 0) return false;
    if (priority > target.rtPriority && priority > rtLimit) return false;
  }
  if (target.policy === SCHED_IDLE && policy !== SCHED_IDLE) {
    if (!niceWithinLimit(target, target.nice)) return false;
  }
  if (!sameOwner(caller, target)) return false;
  if (target.resetOnFork && !resetOnFork) return false;
  return true;
}

/**
 * __sched_setscheduler() for sched_setscheduler and sched_setparam (`requested` is
 * SETPARAM_POLICY there): EINVAL for an unknown policy or a priority outside the policy's range,
 * EPERM per mayChangeScheduling.
 */
function setScheduler(caller: Task, target: Task, requested: number, priority: number): number {
  let policy = requested;
  let resetOnFork: boolean;
  if (requested === SETPARAM_POLICY) {
    policy = target.policy;
    resetOnFork = target.resetOnFork;
  } else {
    resetOnFork = (requested & SCHED_RESET_ON_FORK) !== 0;
    policy = requested & ~SCHED_RESET_ON_FORK;
    if (!knownPolicy(policy)) return -EINVAL;
  }
  // sched_priority is compared as an unsigned value: a negative one is out of range.
  const unsigned = priority >>> 0;
  if (unsigned > RT_PRIORITY_MAX) return -EINVAL;
  // SCHED_DEADLINE needs sched_setattr's runtime and deadline, which this call cannot pass.
  if (policy === SCHED_DEADLINE) return -EINVAL;
  if (isRealtimePolicy(policy) !== (unsigned !== 0)) return -EINVAL;
  if (!mayChangeScheduling(caller, target, policy, unsigned, resetOnFork)) return -EPERM;
  target.policy = policy;
  target.rtPriority = unsigned;
  target.resetOnFork = resetOnFork;
  return 0;
}

/** The task sched_* calls name: EINVAL for a negative pid, ESRCH when there is none. */
function schedTarget(kernel: Kernel, caller: Task, pid: number): Task | number {
  if (pid < 0) return -EINVAL;
  return taskOrSelf(kernel, caller, pid) ?? -ESRCH;
}

function priorityRange(policy: number): { min: number; max: number } | null {
  if (isRealtimePolicy(policy)) return { min: 1, max: RT_PRIORITY_MAX };
  const fair = policy === SCHED_OTHER || policy === SCHED_BATCH || policy === SCHED_IDLE;
  return fair || policy === SCHED_DEADLINE || policy === SCHED_EXT ? { min: 0, max: 0 } : null;
}

/** The time slice sched_rr_get_interval reports: none for SCHED_FIFO, else the quantum. */
function timeSliceMs(task: Task): number {
  return task.policy === SCHED_FIFO ? 0 : QUANTUM_MS;
}

export const schedSyscalls: SyscallFamily = {
  /** The raw call returns 20 - nice (1..40) of the highest-priority match; libc converts. */
  getpriority(task, a, kernel) {
    const which = a.int(0);
    const who = a.int(1);
    if (which < PRIO_PROCESS || which > PRIO_USER) return -EINVAL;
    let best = -ESRCH;
    for (const target of prioTargets(kernel, task, which, who)) {
      best = Math.max(best, niceToRlimit(target.nice));
    }
    return best;
  },

  setpriority(task, a, kernel) {
    const which = a.int(0);
    const who = a.int(1);
    const nice = Math.min(NICE_MAX, Math.max(NICE_MIN, a.int(2)));
    if (which < PRIO_PROCESS || which > PRIO_USER) return -EINVAL;
    // Linux's accumulation: ESRCH until a target is found, then the last refusal, if any.
    let error = ESRCH;
    for (const target of prioTargets(kernel, task, which, who)) {
      const refused = setOnePriority(task, target, nice);
      if (refused !== 0) error = refused;
      else if (error === ESRCH) error = 0;
    }
    return error === 0 ? 0 : -error;
  },

  sched_setscheduler(task, a, kernel) {
    const pid = a.int(0);
    const policy = a.int(1);
    const param = a.u64(2);
    if (policy < 0 || param === 0 || pid < 0) return -EINVAL;
    const priority = task.proc.user.i32(param);
    const target = schedTarget(kernel, task, pid);
    if (typeof target === "number") return target;
    return setScheduler(task, target, policy, priority);
  },

  sched_setparam(task, a, kernel) {
    const pid = a.int(0);
    const param = a.u64(1);
    if (param === 0 || pid < 0) return -EINVAL;
    const priority = task.proc.user.i32(param);
    const target = schedTarget(kernel, task, pid);
    if (typeof target === "number") return target;
    return setScheduler(task, target, SETPARAM_POLICY, priority);
  },

  sched_getscheduler(task, a, kernel) {
    const target = schedTarget(kernel, task, a.int(0));
    if (typeof target === "number") return target;
    return target.policy | (target.resetOnFork ? SCHED_RESET_ON_FORK : 0);
  },

  sched_getparam(task, a, kernel) {
    const pid = a.int(0);
    const param = a.u64(1);
    if (param === 0 || pid < 0) return -EINVAL;
    const target = schedTarget(kernel, task, pid);
    if (typeof target === "number") return target;
    task.proc.user.writeU32(param, isRealtimePolicy(target.policy) ? target.rtPriority : 0);
    return 0;
  },

  sched_get_priority_max(_task, a) {
    return priorityRange(a.int(0))?.max ?? -EINVAL;
  },

  sched_get_priority_min(_task, a) {
    return priorityRange(a.int(0))?.min ?? -EINVAL;
  },

  sched_rr_get_interval(task, a, kernel) {
    const interval = a.u64(1);
    const target = schedTarget(kernel, task, a.int(0));
    if (typeof target === "number") return target;
    writeTimespec(task.proc.user, interval, timespecFromMs(timeSliceMs(target)));
    return 0;
  },
};
