// Creating processes and threads: fork, vfork, clone and clone3 (argument decoding and checks;
// kernel/proc/fork.ts does the work). A vfork child's parent waits until the child execs or exits.

import { E2BIG, EINVAL } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import {
  CLONE_CLEAR_SIGHAND,
  CLONE_INTO_CGROUP,
  CLONE_SIGHAND,
  CLONE_THREAD,
  CLONE_VFORK,
  CLONE_VM,
  type CloneRequest,
  cloneTask,
  CSIGNAL,
} from "../proc/fork.ts";
import type { Task } from "../proc/process.ts";
import { NSIG, SIGCHLD } from "../signals/signals.ts";
import type { SyscallFamily } from "./args.ts";
import { getU64 } from "../le64.ts";

/** sizeof(struct clone_args) in its first version, and the page that bounds later ones. */
const CLONE_ARGS_SIZE_VER0 = 64;
const CLONE_ARGS_MAX = 4096;

/** Run the clone; a vfork parent's result waits for the child to let go of its memory. */
function start(kernel: Kernel, task: Task, request: CloneRequest): number | Promise<number> {
  const child = cloneTask(kernel, task, request);
  const done = child.vforkDone;
  if (done === null) return child.tid;
  return done.promise.then(() => child.tid);
}

export const cloneSyscalls: SyscallFamily = {
  fork: (task, _a, kernel) =>
    start(kernel, task, {
      flags: 0,
      exitSignal: SIGCHLD,
      stack: 0,
      parentTid: 0,
      childTid: 0,
      tls: 0,
    }),

  vfork: (task, _a, kernel) =>
    start(kernel, task, {
      flags: CLONE_VM | CLONE_VFORK,
      exitSignal: SIGCHLD,
      stack: 0,
      parentTid: 0,
      childTid: 0,
      tls: 0,
    }),

  clone(task, a, kernel) {
    // x86-64 order: flags, stack, parent_tid, child_tid, tls.
    const raw = a.lo(0);
    const exitSignal = raw & CLONE_THREAD ? 0 : raw & CSIGNAL;
    if (exitSignal > NSIG) return -EINVAL;
    return start(kernel, task, {
      flags: (raw & ~CSIGNAL) >>> 0,
      exitSignal,
      stack: a.u64(1),
      parentTid: a.u64(2),
      childTid: a.u64(3),
      tls: a.u64(4),
    });
  },

  clone3(task, a, kernel) {
    const addr = a.u64(0);
    const size = a.u64(1);
    if (size < CLONE_ARGS_SIZE_VER0) return -EINVAL;
    if (size > CLONE_ARGS_MAX) return -E2BIG;
    const bytes = task.proc.user.read(addr, size);
    // Fields this kernel does not know must be zero.
    if (bytes.subarray(88).some((b) => b !== 0)) return -E2BIG;
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const field = (i: number) => (i * 8 + 8 <= size ? getU64(dv, i * 8) : 0);
    const flags = field(0), childTid = field(2), parentTid = field(3);
    const exitSignal = field(4), stack = field(5), stackSize = field(6), tls = field(7);
    const setTidSize = field(9);
    if (flags % 256 !== 0 || exitSignal > NSIG) return -EINVAL;
    if ((stack === 0) !== (stackSize === 0)) return -EINVAL;
    if (setTidSize !== 0 || flags >= CLONE_INTO_CGROUP) return -EINVAL;
    const low = flags % 2 ** 32;
    const clearHandlers = flags >= CLONE_CLEAR_SIGHAND;
    // CLONE_CLEAR_SIGHAND cannot be combined with CLONE_SIGHAND.
    if (clearHandlers && low & CLONE_SIGHAND) return -EINVAL;
    return start(kernel, task, {
      flags: low,
      exitSignal: low & CLONE_THREAD ? 0 : exitSignal,
      stack: stack === 0 ? 0 : stack + stackSize,
      parentTid,
      childTid,
      tls,
      clearHandlers,
    });
  },
};
