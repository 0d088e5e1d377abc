// Signal syscalls: rt_sigaction, rt_sigprocmask, rt_sigpending, sigaltstack, and sending with
// kill, tkill and tgkill (permission checks, process groups, kill(-1)). Queued signals reach
// the task through kernel.sendSignal; delivery (handlers, frames) is the kernel loop's.

import { RSP } from "../../core/cpu/cpu.ts";
import { EINVAL, ENOMEM, EPERM, ESRCH } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { findTask } from "../proc/lookup.ts";
import type { Process, Task } from "../proc/process.ts";
import {
  altStackFlags,
  isBlocked,
  MINSIGSTKSZ,
  onSigStack,
  recordSignalInfo,
  setBlocked,
  SS_AUTODISARM,
  SS_DISABLE,
  SS_ONSTACK,
} from "../signals/delivery.ts";
import { SI_TKILL, SI_USER } from "../signals/sigframe.ts";
import {
  dispositionIgnores,
  NSIG,
  type SigAction,
  sigBit,
  SIGCONT,
  SIGKILL,
  SIGSTOP,
} from "../signals/signals.ts";
import type { SyscallFamily } from "./args.ts";
import { getU64, setI64 } from "../le64.ts";

const SIGSET_SIZE = 8;
export const SIG_BLOCK = 0;
export const SIG_UNBLOCK = 1;
export const SIG_SETMASK = 2;

/** The sa_flags bits Linux keeps (UAPI_SA_FLAGS); others read back as 0. */
const UAPI_SA_FLAGS = 0x1 | 0x2 | 0x4 | 0x800 | 0x04000000 | 0x08000000 | 0x10000000 |
  0x40000000 | 0x80000000;

/** SIGKILL and SIGSTOP bits (both in the low word): never blocked, never caught. */
const UNBLOCKABLE_LOW = sigBit(SIGKILL)[1] | sigBit(SIGSTOP)[1];

// ---- helpers --------------------------------------------------------------------------------

function readSigset(task: Task, addr: number): [number, number] {
  const dv = new DataView(task.proc.user.read(addr, SIGSET_SIZE).buffer);
  return [dv.getUint32(0, true), dv.getUint32(4, true)];
}

function sigsetBytes(low: number, high: number): Uint8Array {
  const out = new Uint8Array(SIGSET_SIZE);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, low >>> 0, true);
  dv.setUint32(4, high >>> 0, true);
  return out;
}

// ---- sending --------------------------------------------------------------------------------

/**
 * Queue `sig` for one task with the siginfo a user-sent signal carries (si_pid and si_uid of
 * the sender). kernel.sendSignal drops it if the task ignores it and does not block it.
 */
export function signalTask(
  kernel: Kernel,
  sender: Task,
  task: Task,
  sig: number,
  code: number,
): void {
  if (task.proc.exitStatus !== null) return;
  recordSignalInfo(task, {
    signo: sig,
    code,
    kind: "kill",
    pid: sender.proc.pid,
    uid: sender.proc.creds.uid,
  });
  kernel.sendSignal(task, sig);
}

/** A process-directed signal goes to the first thread not blocking it (else the first one). */
function signalProcess(kernel: Kernel, sender: Task, proc: Process, sig: number): void {
  const thread = proc.threads.find((t) => !isBlocked(t, sig)) ?? proc.threads[0];
  if (thread !== undefined) signalTask(kernel, sender, thread, sig, SI_USER);
}

/** check_kill_permission(): 0, -EINVAL for a bad signal, or -EPERM. */
function killPermission(sender: Task, target: Process, sig: number): number {
  if (sig < 0 || sig > NSIG) return -EINVAL;
  if (target === sender.proc) return 0;
  const c = sender.proc.creds;
  const t = target.creds;
  if (c.euid === 0) return 0; // CAP_KILL
  if (c.euid === t.suid || c.euid === t.uid || c.uid === t.suid || c.uid === t.uid) return 0;
  if (sig === SIGCONT && target.sid === sender.proc.sid) return 0;
  return -EPERM;
}

/** group_send_sig_info(): check, then queue unless `sig` is 0 (a probe). */
function sendToProcess(kernel: Kernel, sender: Task, target: Process, sig: number): number {
  const err = killPermission(sender, target, sig);
  if (err === 0 && sig !== 0) signalProcess(kernel, sender, target, sig);
  return err;
}

function kill(kernel: Kernel, task: Task, pid: number, sig: number): number {
  if (pid > 0) {
    const target = findTask(kernel, pid);
    return target === undefined ? -ESRCH : sendToProcess(kernel, task, target.proc, sig);
  }
  if (pid === -(2 ** 31)) return -ESRCH;
  if (pid === -1) {
    // Everyone but init and the caller's own thread group.
    let count = 0;
    let result = 0;
    for (const proc of [...kernel.processes.values()]) {
      if (proc.pid <= 1 || proc === task.proc) continue;
      const err = sendToProcess(kernel, task, proc, sig);
      count++;
      if (err !== -EPERM) result = err;
    }
    return count > 0 ? result : -ESRCH;
  }
  const pgid = pid === 0 ? task.proc.pgid : -pid;
  let result = -ESRCH;
  let success = false;
  for (const proc of [...kernel.processes.values()]) {
    if (proc.pgid !== pgid) continue;
    result = sendToProcess(kernel, task, proc, sig);
    success ||= result === 0;
  }
  return success ? 0 : result;
}

/** do_send_specific(): a signal for one thread, optionally checked against its process. */
function tkill(kernel: Kernel, task: Task, tgid: number, tid: number, sig: number): number {
  const target = findTask(kernel, tid);
  if (target === undefined || (tgid > 0 && target.proc.pid !== tgid)) return -ESRCH;
  const err = killPermission(task, target.proc, sig);
  if (err === 0 && sig !== 0) signalTask(kernel, task, target, sig, SI_TKILL);
  return err;
}

// ---- the family -----------------------------------------------------------------------------

export const signalSyscalls: SyscallFamily = {
  rt_sigaction(task, a) {
    const sig = a.int(0);
    const act = a.u64(1);
    const oldact = a.u64(2);
    if (a.u64(3) !== SIGSET_SIZE) return -EINVAL;
    const user = task.proc.user;
    let next: SigAction | null = null;
    if (act !== 0) {
      const dv = new DataView(user.read(act, 32).buffer);
      next = {
        handler: getU64(dv, 0),
        flags: (dv.getUint32(8, true) & UAPI_SA_FLAGS) >>> 0,
        restorer: getU64(dv, 16),
        maskLow: (dv.getUint32(24, true) & ~UNBLOCKABLE_LOW) >>> 0,
        maskHigh: dv.getUint32(28, true),
      };
    }
    if (sig < 1 || sig > NSIG) return -EINVAL;
    if (next !== null && (sig === SIGKILL || sig === SIGSTOP)) return -EINVAL;
    const old = { ...task.proc.sigactions[sig] };
    if (next !== null) {
      task.proc.sigactions[sig] = next;
      // POSIX: setting a disposition that ignores the signal discards it where pending.
      if (dispositionIgnores(next, sig)) {
        for (const t of task.proc.threads) t.pending.delete(sig);
      }
    }
    if (oldact !== 0) {
      const out = new Uint8Array(32);
      const dv = new DataView(out.buffer);
      setI64(dv, 0, old.handler);
      dv.setUint32(8, old.flags >>> 0, true);
      setI64(dv, 16, old.restorer);
      dv.setUint32(24, old.maskLow >>> 0, true);
      dv.setUint32(28, old.maskHigh >>> 0, true);
      user.write(oldact, out);
    }
    return 0;
  },

  rt_sigprocmask(task, a) {
    const how = a.int(0);
    const set = a.u64(1);
    const oldset = a.u64(2);
    if (a.u64(3) !== SIGSET_SIZE) return -EINVAL;
    const oldLow = task.sigmaskLow;
    const oldHigh = task.sigmaskHigh;
    if (set !== 0) {
      let [low, high] = readSigset(task, set);
      low &= ~UNBLOCKABLE_LOW;
      if (how === SIG_BLOCK) {
        low |= oldLow;
        high |= oldHigh;
      } else if (how === SIG_UNBLOCK) {
        low = oldLow & ~low;
        high = oldHigh & ~high;
      } else if (how !== SIG_SETMASK) return -EINVAL;
      setBlocked(task, low, high);
    }
    if (oldset !== 0) task.proc.user.write(oldset, sigsetBytes(oldLow, oldHigh));
    return 0;
  },

  rt_sigpending(task, a) {
    const size = a.u64(1);
    if (size > SIGSET_SIZE) return -EINVAL;
    // Pending and blocked: an unblocked pending signal is delivered, not reported.
    let low = 0, high = 0;
    for (const sig of task.pending) {
      if (!isBlocked(task, sig)) continue;
      const [word, bit] = sigBit(sig);
      if (word === 0) low |= bit;
      else high |= bit;
    }
    task.proc.user.write(a.u64(0), sigsetBytes(low, high).subarray(0, size));
    return 0;
  },

  sigaltstack(task, a, kernel) {
    const ss = a.u64(0);
    const oldss = a.u64(1);
    const user = task.proc.user;
    let next: { sp: number; flags: number; size: number } | null = null;
    if (ss !== 0) {
      const dv = new DataView(user.read(ss, 24).buffer);
      next = { sp: getU64(dv, 0), flags: dv.getUint32(8, true), size: getU64(dv, 16) };
    }
    const cur = task.altStack;
    const sp = kernel.cpu.regNumber(RSP);
    const oldFlags = altStackFlags(cur, sp) | (cur.flags & SS_AUTODISARM);
    const old = { sp: cur.sp, size: cur.size, flags: oldFlags >>> 0 };
    if (next !== null) {
      if (onSigStack(cur, sp)) return -EPERM;
      const mode = (next.flags & ~SS_AUTODISARM) >>> 0;
      if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return -EINVAL;
      const unchanged = next.sp === cur.sp && next.size === cur.size && next.flags === cur.flags;
      if (!unchanged) {
        if (mode === SS_DISABLE) {
          next.sp = 0;
          next.size = 0;
        } else if (next.size < MINSIGSTKSZ) return -ENOMEM;
        task.altStack = next;
      }
    }
    if (oldss !== 0) {
      const out = new Uint8Array(24);
      const dv = new DataView(out.buffer);
      setI64(dv, 0, old.sp);
      dv.setUint32(8, old.flags, true);
      setI64(dv, 16, old.size);
      user.write(oldss, out);
    }
    return 0;
  },

  kill: (task, a, kernel) => kill(kernel, task, a.int(0), a.int(1)),

  tkill(task, a, kernel) {
    const tid = a.int(0);
    return tid <= 0 ? -EINVAL : tkill(kernel, task, 0, tid, a.int(1));
  },

  tgkill(task, a, kernel) {
    const tgid = a.int(0);
    const tid = a.int(1);
    return tid <= 0 || tgid <= 0 ? -EINVAL : tkill(kernel, task, tgid, tid, a.int(2));
  },
};
