// Waiting for children: wait4 and waitid (Linux's do_wait). A child is eligible by pid, process
// group or any; zombies are reported (and reaped unless WNOWAIT), stops with WUNTRACED/WSTOPPED,
// continues with WCONTINUED. With nothing to report the caller sleeps on its process's
// childEvents queue until a child changes state or a signal interrupts (ERESTARTSYS).

import { ECHILD, EINVAL, ERESTARTSYS, ESRCH } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { reapChild } from "../proc/exit.ts";
import { childCode, CLD_CONTINUED, CLD_STOPPED } from "../proc/notify-parent.ts";
import type { Process, Task, Usage } from "../proc/process.ts";
import { addUsage, emptyUsage } from "../proc/process.ts";
import { SIGCHLD, SIGCONT } from "../signals/signals.ts";
import type { SyscallFamily } from "./args.ts";
import { encodeRusage } from "./rusage.ts";

export const WNOHANG = 0x1;
export const WUNTRACED = 0x2;
export const WSTOPPED = WUNTRACED;
export const WEXITED = 0x4;
export const WCONTINUED = 0x8;
export const WNOWAIT = 0x01000000;
export const __WNOTHREAD = 0x20000000;
export const __WALL = 0x40000000;
export const __WCLONE = 0x80000000;

const P_ALL = 0, P_PID = 1, P_PGID = 2, P_PIDFD = 3;

/** Which children a wait is about. */
type Selector = { kind: "any" } | { kind: "pid"; pid: number } | { kind: "pgid"; pgid: number };

interface Report {
  child: Process;
  /** wait4's status word. */
  status: number;
  /** waitid's si_code and si_status. */
  code: number;
  siStatus: number;
}

function selects(selector: Selector, child: Process, options: number): boolean {
  if (selector.kind === "pid" && child.pid !== selector.pid) return false;
  if (selector.kind === "pgid" && child.pgid !== selector.pgid) return false;
  // A "clone" child signals something other than SIGCHLD; __WALL waits for both kinds.
  if (options & __WALL) return true;
  return (child.exitSignal === SIGCHLD) !== ((options & __WCLONE) !== 0);
}

/** One pass over the children: a report, "none" (no eligible child: ECHILD) or "wait". */
function scan(parent: Process, selector: Selector, options: number): Report | "none" | "wait" {
  let eligible = false;
  for (const child of parent.children) {
    if (child.reaped || !selects(selector, child, options)) continue;
    eligible = true;
    if (child.exitStatus !== null) {
      if (!(options & WEXITED)) continue;
      const { code, status } = childCode(child.exitStatus);
      return { child, status: child.exitStatus, code, siStatus: status };
    }
    const notice = child.jobNotice;
    if (notice?.kind === "stopped" && options & WSTOPPED && child.stopped) {
      return { child, status: (notice.sig << 8) | 0x7f, code: CLD_STOPPED, siStatus: notice.sig };
    }
    if (notice?.kind === "continued" && options & WCONTINUED) {
      return { child, status: 0xffff, code: CLD_CONTINUED, siStatus: SIGCONT };
    }
  }
  return eligible ? "wait" : "none";
}

/** Consume what was reported: reap a zombie, clear a stop/continue notice (unless WNOWAIT). */
function consume(kernel: Kernel, parent: Process, report: Report, options: number): Usage {
  const child = report.child;
  const usage = emptyUsage();
  addUsage(usage, child.usage);
  if (child.exitStatus !== null) addUsage(usage, child.childrenUsage);
  if (options & WNOWAIT) return usage;
  if (child.exitStatus !== null) reapChild(kernel, parent, child);
  else child.jobNotice = null;
  return usage;
}

/** Report a child (or -ECHILD, or 0 for WNOHANG), sleeping until one changes state. */
async function waitForChild(
  kernel: Kernel,
  task: Task,
  selector: Selector,
  options: number,
  deliver: (report: Report | null, usage: Usage | null) => number,
): Promise<number> {
  const parent = task.proc;
  for (;;) {
    const changed = parent.childEvents.wait();
    const found = scan(parent, selector, options);
    if (found === "none") return -ECHILD;
    if (found !== "wait") return deliver(found, consume(kernel, parent, found, options));
    if (options & WNOHANG) return deliver(null, null);
    if (!await kernel.waitUnlessSignalled(task, changed)) return -ERESTARTSYS;
  }
}

/** Run the wait now when it need not sleep (no promise for the common WNOHANG/zombie cases). */
function waitNowOrLater(
  kernel: Kernel,
  task: Task,
  selector: Selector,
  options: number,
  deliver: (report: Report | null, usage: Usage | null) => number,
): number | Promise<number> {
  const found = scan(task.proc, selector, options);
  if (found === "none") return -ECHILD;
  if (found !== "wait") return deliver(found, consume(kernel, task.proc, found, options));
  if (options & WNOHANG) return deliver(null, null);
  return waitForChild(kernel, task, selector, options, deliver);
}

function selectorFor(task: Task, pid: number): Selector {
  if (pid === -1) return { kind: "any" };
  if (pid === 0) return { kind: "pgid", pgid: task.proc.pgid };
  if (pid < 0) return { kind: "pgid", pgid: -pid };
  return { kind: "pid", pid };
}

export const waitSyscalls: SyscallFamily = {
  wait4(task, a, kernel) {
    const pid = a.int(0);
    const statusAddr = a.u64(1);
    const options = a.uint(2);
    const rusageAddr = a.u64(3);
    if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)) {
      return -EINVAL;
    }
    // INT_MIN names no process group.
    if (pid === -(2 ** 31)) return -ESRCH;
    const user = task.proc.user;
    return waitNowOrLater(kernel, task, selectorFor(task, pid), options | WEXITED, (r, usage) => {
      if (r === null) return 0;
      if (statusAddr !== 0) user.writeU32(statusAddr, r.status);
      if (rusageAddr !== 0) user.write(rusageAddr, encodeRusage(usage!));
      return r.child.pid;
    });
  },

  waitid(task, a, kernel) {
    const idType = a.int(0);
    const id = a.int(1);
    const infoAddr = a.u64(2);
    const options = a.uint(3);
    const rusageAddr = a.u64(4);
    if (
      options &
      ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL)
    ) {
      return -EINVAL;
    }
    if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return -EINVAL;
    let selector: Selector;
    switch (idType) {
      case P_ALL:
        selector = { kind: "any" };
        break;
      case P_PID:
        if (id <= 0) return -EINVAL;
        selector = { kind: "pid", pid: id };
        break;
      case P_PGID:
        if (id < 0) return -EINVAL;
        selector = { kind: "pgid", pgid: id === 0 ? task.proc.pgid : id };
        break;
      case P_PIDFD:
        return -EINVAL; // no pidfds here
      default:
        return -EINVAL;
    }
    const user = task.proc.user;
    return waitNowOrLater(kernel, task, selector, options, (r, usage) => {
      if (infoAddr !== 0) {
        const info = new Uint8Array(128);
        const dv = new DataView(info.buffer);
        if (r !== null) {
          dv.setInt32(0, SIGCHLD, true);
          dv.setInt32(8, r.code, true);
          dv.setInt32(16, r.child.pid, true);
          dv.setUint32(20, r.child.creds.uid, true);
          dv.setInt32(24, r.siStatus, true);
        }
        // Linux writes si_signo, si_errno, si_code, si_pid, si_uid and si_status only.
        user.write(infoAddr, info.subarray(0, 28));
      }
      if (rusageAddr !== 0 && usage !== null) user.write(rusageAddr, encodeRusage(usage));
      return 0;
    });
  },
};
