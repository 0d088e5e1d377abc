// Scheduling policies (sched_setscheduler) and what a task's policy, real-time priority and nice
// value mean for the scheduler's 40 priority classes: SCHED_OTHER and SCHED_BATCH run at their
// nice level, SCHED_IDLE with nice 19, and SCHED_FIFO/SCHED_RR (priorities 1..99) in the top
// class, round-robin with the nice -20 tasks. Also what a child inherits at fork.

import type { Task } from "./process.ts";

export const SCHED_OTHER = 0;
export const SCHED_FIFO = 1;
export const SCHED_RR = 2;
export const SCHED_BATCH = 3;
export const SCHED_IDLE = 5;
export const SCHED_DEADLINE = 6;
export const SCHED_EXT = 7;
/** Or'ed into a policy: a forked child goes back to SCHED_OTHER and a nice of at least 0. */
export const SCHED_RESET_ON_FORK = 0x40000000;

/** The highest SCHED_FIFO/SCHED_RR priority (MAX_RT_PRIO - 1). */
export const RT_PRIORITY_MAX = 99;

export function isRealtimePolicy(policy: number): boolean {
  return policy === SCHED_FIFO || policy === SCHED_RR;
}

/** The ready-queue class of a task (0 runs first): nice + 20, with the policy's adjustments. */
export function priorityClassOf(policy: number, nice: number): number {
  if (isRealtimePolicy(policy)) return 0;
  if (policy === SCHED_IDLE) return 39;
  return nice + 20;
}

/**
 * sched_fork(): a new task keeps its creator's nice, policy and real-time priority, unless the
 * creator asked for SCHED_RESET_ON_FORK: then a real-time policy becomes SCHED_OTHER with nice 0,
 * a negative nice becomes 0, and the child does not carry the flag on.
 */
export function inheritScheduling(parent: Task, child: Task): void {
  child.nice = parent.nice;
  child.policy = parent.policy;
  child.rtPriority = parent.rtPriority;
  child.resetOnFork = false;
  if (!parent.resetOnFork) return;
  if (isRealtimePolicy(parent.policy)) {
    child.policy = SCHED_OTHER;
    child.rtPriority = 0;
    child.nice = 0;
  } else if (child.nice < 0) child.nice = 0;
}
