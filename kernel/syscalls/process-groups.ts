// Process groups and sessions: setpgid, getpgid, getpgrp, setsid and getsid, with Linux's rules
// (a child that has exec'd cannot be moved, a session leader cannot change group, a group can
// only be joined within the caller's session).

import { EACCES, EINVAL, EPERM, ESRCH } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import type { Process, Task } from "../proc/process.ts";
import type { SyscallFamily } from "./args.ts";

function processById(kernel: Kernel, task: Task, pid: number): Process | undefined {
  if (pid === 0) return task.proc;
  const proc = kernel.processes.get(pid);
  return proc === undefined || proc.reaped ? undefined : proc;
}

function setpgid(kernel: Kernel, task: Task, pid: number, pgid: number): number {
  if (pid < 0 || pgid < 0) return -EINVAL;
  const caller = task.proc;
  const target = pid === 0 ? caller : kernel.processes.get(pid);
  if (target === undefined || target.reaped) return -ESRCH;
  if (target !== caller) {
    if (target.parent !== caller) return -ESRCH;
    if (target.sid !== caller.sid) return -EPERM;
    if (target.execed) return -EACCES;
  }
  if (target.sid === target.pid) return -EPERM; // a session leader
  const group = pgid === 0 ? target.pid : pgid;
  if (group !== target.pid) {
    const member = [...kernel.processes.values()].some((p) =>
      p.pgid === group && p.sid === caller.sid && p.exitStatus === null
    );
    if (!member) return -EPERM;
  }
  target.pgid = group;
  return 0;
}

export const processGroupSyscalls: SyscallFamily = {
  setpgid: (task, a, kernel) => setpgid(kernel, task, a.int(0), a.int(1)),

  getpgid(task, a, kernel) {
    const proc = processById(kernel, task, a.int(0));
    return proc === undefined ? -ESRCH : proc.pgid;
  },

  getpgrp: (task) => task.proc.pgid,

  setsid(task, _a, kernel) {
    const proc = task.proc;
    // A group leader, or anyone whose pid names a group, cannot start a session.
    for (const p of kernel.processes.values()) {
      if (p.pgid === proc.pid && p.exitStatus === null) return -EPERM;
    }
    proc.sid = proc.pid;
    proc.pgid = proc.pid;
    return proc.sid;
  },

  getsid(task, a, kernel) {
    const proc = processById(kernel, task, a.int(0));
    return proc === undefined ? -ESRCH : proc.sid;
  },
};
