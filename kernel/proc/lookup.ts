// Finding tasks and processes by the ids syscalls name them with (find_task_by_vpid and
// friends): a thread id names one task, a process id the whole thread group.

import type { Kernel } from "../kernel.ts";
import type { Task } from "./process.ts";

/** The task with thread id `tid`, in any process. */
export function findTask(kernel: Kernel, tid: number): Task | undefined {
  const leader = kernel.processes.get(tid);
  const own = leader?.threads.find((t) => t.tid === tid);
  if (own !== undefined) return own;
  for (const proc of kernel.processes.values()) {
    const task = proc.threads.find((t) => t.tid === tid);
    if (task !== undefined) return task;
  }
  return undefined;
}

/** The task `pid` names for calls where 0 means the caller. */
export function taskOrSelf(kernel: Kernel, self: Task, pid: number): Task | undefined {
  return pid === 0 ? self : findTask(kernel, pid);
}
