// Creating tasks (Linux's copy_process): a new process with a copy-on-write copy of the caller's
// memory (fork), one sharing it (vfork, CLONE_VM), or a new thread in the caller's process
// (CLONE_THREAD); fd table and signal handlers copied or shared per flag. The child starts with
// the caller's registers at the instruction after the syscall, returning 0.

import { saveContext } from "../../core/cpu/context.ts";
import { RAX, RSP } from "../../core/cpu/cpu.ts";
import { EAGAIN, EINVAL, ENOMEM } from "../errno.ts";
import { type Kernel, MAX_TASKS } from "../kernel.ts";
import { OutOfMemory } from "../mm/frames.ts";
import { SyscallError } from "../syscall-error.ts";
import { copyCredentials, Process, type Task } from "./process.ts";
import { RLIMIT_NPROC } from "./limits.ts";
import { inheritScheduling } from "./sched-policy.ts";
import { SIG_DFL, SIG_IGN } from "../signals/signals.ts";

export const CSIGNAL = 0xff;
export const CLONE_VM = 0x100;
export const CLONE_FS = 0x200;
export const CLONE_FILES = 0x400;
export const CLONE_SIGHAND = 0x800;
export const CLONE_PIDFD = 0x1000;
export const CLONE_PTRACE = 0x2000;
export const CLONE_VFORK = 0x4000;
export const CLONE_PARENT = 0x8000;
export const CLONE_THREAD = 0x10000;
export const CLONE_NEWNS = 0x20000;
export const CLONE_SYSVSEM = 0x40000;
export const CLONE_SETTLS = 0x80000;
export const CLONE_PARENT_SETTID = 0x100000;
export const CLONE_CHILD_CLEARTID = 0x200000;
export const CLONE_DETACHED = 0x400000;
export const CLONE_UNTRACED = 0x800000;
export const CLONE_CHILD_SETTID = 0x01000000;
export const CLONE_NEWCGROUP = 0x02000000;
export const CLONE_NEWUTS = 0x04000000;
export const CLONE_NEWIPC = 0x08000000;
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWPID = 0x20000000;
export const CLONE_NEWNET = 0x40000000;
export const CLONE_IO = 0x80000000;
/** clone3 only (Linux 5.7+, 5.19+). */
export const CLONE_CLEAR_SIGHAND = 0x100000000;
export const CLONE_INTO_CGROUP = 0x200000000;

const NAMESPACE_FLAGS = CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC |
  CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET;

export interface CloneRequest {
  /** The clone flags without the exit signal. */
  flags: number;
  exitSignal: number;
  /** New stack pointer (0: the caller's). */
  stack: number;
  parentTid: number;
  childTid: number;
  tls: number;
  /** clone3's CLONE_CLEAR_SIGHAND: handled signals go back to SIG_DFL in the child. */
  clearHandlers?: boolean;
}

/** The flag rules of copy_process(); throws EINVAL/EPERM. */
function checkFlags(kernel: Kernel, task: Task, flags: number): void {
  const has = (f: number) => (flags & f) !== 0;
  if (has(CLONE_NEWNS) && has(CLONE_FS)) throw new SyscallError(EINVAL);
  if (has(CLONE_THREAD) && !has(CLONE_SIGHAND)) throw new SyscallError(EINVAL);
  if (has(CLONE_SIGHAND) && !has(CLONE_VM)) throw new SyscallError(EINVAL);
  // The first process has no parent to give a sibling (SIGNAL_UNKILLABLE).
  if (has(CLONE_PARENT) && task.proc === kernel.init) throw new SyscallError(EINVAL);
  // Namespaces and pidfds are not offered.
  if ((flags & NAMESPACE_FLAGS) !== 0 || has(CLONE_PIDFD)) throw new SyscallError(EINVAL);
}

/** fork → EAGAIN: the kernel-wide task cap, or the real user's RLIMIT_NPROC (root is exempt). */
function checkLimits(kernel: Kernel, proc: Process): void {
  if (kernel.tasks.size >= MAX_TASKS) throw new SyscallError(EAGAIN);
  const limit = proc.limits[RLIMIT_NPROC].cur;
  if (proc.creds.uid === 0 || limit === Infinity) return;
  let owned = 0;
  for (const t of kernel.tasks.values()) {
    if (t.state !== "dead" && t.proc.creds.uid === proc.creds.uid) owned++;
  }
  if (owned >= limit) throw new SyscallError(EAGAIN);
}

/** A new process for clone without CLONE_THREAD. */
function newProcess(kernel: Kernel, caller: Process, request: CloneRequest): Process {
  const { flags, exitSignal, clearHandlers } = request;
  let mm = caller.mm;
  if (flags & CLONE_VM) mm.users++;
  else {
    try {
      mm = caller.mm.fork();
    } catch (e) {
      if (e instanceof OutOfMemory) throw new SyscallError(ENOMEM);
      throw e;
    }
  }
  const parent = flags & CLONE_PARENT ? caller.parent : caller;
  const child = new Process(kernel.allocatePid(), parent, mm, copyCredentials(caller.creds), "");
  child.name = caller.name;
  child.fsContext = flags & CLONE_FS ? caller.fsContext : { ...caller.fsContext };
  child.exePath = caller.exePath;
  child.exeLocation = caller.exeLocation;
  child.argv = caller.argv;
  child.envp = caller.envp;
  child.pgid = caller.pgid;
  child.sid = caller.sid;
  child.exitSignal = exitSignal;
  child.dumpable = caller.dumpable;
  child.noNewPrivs = caller.noNewPrivs;
  child.thpDisabled = caller.thpDisabled;
  child.timerSlackNs = caller.timerSlackNs;
  child.limits = caller.limits.map((l) => ({ ...l }));
  if (flags & CLONE_FILES) {
    child.fds = caller.fds;
    caller.fds.users++;
  } else child.fds = caller.fds.clone();
  child.sigactions = flags & CLONE_SIGHAND
    ? caller.sigactions
    : caller.sigactions.map((a) => ({ ...a }));
  if (clearHandlers) {
    for (const action of child.sigactions) if (action.handler !== SIG_IGN) action.handler = SIG_DFL;
  }
  parent?.children.add(child);
  return child;
}

/**
 * clone/clone3/fork/vfork: create the task and queue it to run. Returns the new task; the caller
 * returns its tid (and with CLONE_VFORK first waits for it to exec or exit).
 */
export function cloneTask(kernel: Kernel, task: Task, request: CloneRequest): Task {
  const { flags } = request;
  checkFlags(kernel, task, flags);
  const caller = task.proc;
  checkLimits(kernel, caller);
  let child: Task;
  if (flags & CLONE_THREAD) {
    child = kernel.newTask(caller, kernel.allocatePid());
  } else {
    child = kernel.newTask(newProcess(kernel, caller, request));
  }
  const cpu = kernel.cpu;
  const context = saveContext(cpu);
  context.gprs[RAX * 2] = 0;
  context.gprs[RAX * 2 + 1] = 0;
  if (request.stack !== 0) {
    const hi = Math.floor(request.stack / 2 ** 32);
    context.gprs[RSP * 2] = request.stack - hi * 2 ** 32;
    context.gprs[RSP * 2 + 1] = hi;
  }
  if (flags & CLONE_SETTLS) context.fsBase = request.tls;
  child.context = context;
  inheritScheduling(task, child);
  child.sigmaskLow = task.sigmaskLow;
  child.sigmaskHigh = task.sigmaskHigh;
  // A thread or CLONE_VM child has its own stack: the alternate stack is not inherited.
  child.altStack = (flags & (CLONE_VM | CLONE_VFORK)) === CLONE_VM
    ? { sp: 0, flags: 2, size: 0 }
    : { ...task.altStack };
  if (flags & CLONE_CHILD_CLEARTID) child.clearChildTid = request.childTid;
  // Linux ignores a bad address here: the task exists already.
  if (flags & CLONE_CHILD_SETTID) writeTidIgnoringFaults(child.proc, request.childTid, child.tid);
  if (flags & CLONE_PARENT_SETTID) writeTidIgnoringFaults(caller, request.parentTid, child.tid);
  if (flags & CLONE_VFORK) child.vforkDone = Promise.withResolvers<void>();
  kernel.wakeTask(child);
  return child;
}

function writeTidIgnoringFaults(proc: Process, addr: number, tid: number): void {
  try {
    proc.user.writeU32(addr, tid);
  } catch (e) {
    if (!(e instanceof SyscallError)) throw e;
  }
}
