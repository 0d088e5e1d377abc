// Signal syscalls: rt_sigaction, rt_sigprocmask, rt_sigpending, sigaltstack; sending with
// kill, tkill and tgkill (permission checks, process groups, kill(-1)) and with a caller's
// siginfo (rt_sigqueueinfo, rt_tgsigqueueinfo); and waiting for signals (pause, rt_sigsuspend,
// rt_sigtimedwait). Queued signals reach the task through signals/queue.ts and
// kernel.sendSignal; delivery (handlers, frames) is the kernel loop's.

import { RSP } from "../../core/cpu/cpu.ts";
import { readTimespec, timespecToMs, timespecValid } from "../clocks.ts";
import { E2BIG, EAGAIN, EINTR, EINVAL, ENOMEM, EPERM, ERESTARTNOHAND, ESRCH } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { findTask } from "../proc/lookup.ts";
import type { Process, Task } from "../proc/process.ts";
import {
  altStackFlags,
  isBlocked,
  MINSIGSTKSZ,
  onSigStack,
  replaceSigmaskUntilDelivery,
  setBlocked,
  SS_AUTODISARM,
  SS_DISABLE,
  SS_ONSTACK,
} from "../signals/delivery.ts";
import { signalUnignored } from "../signals/posix-timers.ts";
import {
  claimParkedSignals,
  discardSignal,
  queueSignal,
  signalTarget,
  takeSignal,
} from "../signals/queue.ts";
import {
  decodeUserSigInfo,
  encodeSigInfo,
  KERNEL_SIGINFO_SIZE,
  SI_KERNEL,
  SI_TKILL,
  SI_USER,
  type SigInfo,
  SIGINFO_SIZE,
} from "../signals/sigframe.ts";
import {
  dispositionIgnores,
  NSIG,
  SIG_IGN,
  type SigAction,
  sigBit,
  SIGBUS,
  SIGCHLD,
  SIGCONT,
  SIGFPE,
  SIGILL,
  SIGKILL,
  SIGSEGV,
  SIGSTOP,
  SIGSYS,
  SIGTRAP,
} from "../signals/signals.ts";
import { fail } from "../syscall-error.ts";
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
/** Fault signals, dequeued before any other (SYNCHRONOUS_MASK). */
const SYNCHRONOUS = new Set([SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS]);
/** Longest single host timer while sigtimedwait sleeps; longer timeouts wake to re-check. */
const MAX_SLEEP_MS = 24 * 3600 * 1000;

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
 * Returns 0, or -EAGAIN for a real-time tkill past RLIMIT_SIGPENDING.
 */
export function signalTask(
  kernel: Kernel,
  sender: Task,
  task: Task,
  sig: number,
  code: number,
): number {
  if (task.proc.exitStatus !== null) return 0;
  const info: SigInfo = {
    signo: sig,
    code,
    kind: "kill",
    pid: sender.proc.pid,
    uid: sender.proc.creds.uid,
  };
  return queueSignal(kernel, task, info);
}

/** A process-directed signal goes to the first live thread not blocking it (else the first). */
function signalProcess(kernel: Kernel, sender: Task, proc: Process, sig: number): void {
  const thread = signalTarget(proc, sig);
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
  if (err === 0 && sig !== 0) return signalTask(kernel, task, target, sig, SI_TKILL);
  return err;
}

// ---- sending with the caller's siginfo ------------------------------------------------------

/** The highest si_code of each signal with codes of its own (sig_sicodes); NSIGPOLL for others. */
const SIGNAL_CODE_LIMITS: Record<number, number> = {
  [SIGILL]: 11,
  [SIGFPE]: 15,
  [SIGSEGV]: 10,
  [SIGBUS]: 5,
  [SIGTRAP]: 6,
  [SIGCHLD]: 6,
  [SIGSYS]: 2,
};
const NSIGPOLL = 6;
const SI_DETHREAD = -7;
const SI_ASYNCNL = -60;

/** known_siginfo_layout(): does the kernel know how much of such a siginfo matters? */
function knownLayout(sig: number, code: number): boolean {
  if (code === SI_KERNEL) return true;
  if (code > SI_USER) return code <= (SIGNAL_CODE_LIMITS[sig] ?? NSIGPOLL);
  return code >= SI_DETHREAD || code === SI_ASYNCNL;
}

/**
 * __copy_siginfo_from_user(): the caller's siginfo, with si_signo set to `sig` (EFAULT; E2BIG
 * when a layout the kernel does not know has bytes beyond the part it keeps).
 */
function readUserSigInfo(task: Task, addr: number, sig: number): SigInfo {
  const user = task.proc.user;
  const info = decodeUserSigInfo(user.read(addr, KERNEL_SIGINFO_SIZE), sig);
  if (!knownLayout(sig, info.code)) {
    const rest = user.read(addr + KERNEL_SIGINFO_SIZE, SIGINFO_SIZE - KERNEL_SIGINFO_SIZE);
    if (rest.some((b) => b !== 0)) return fail(E2BIG);
  }
  return info;
}

/** Not even root may pass off a signal to another thread as the kernel's or kill()'s. */
function forgesSender(task: Task, info: SigInfo, tid: number): boolean {
  return (info.code >= 0 || info.code === SI_TKILL) && task.tid !== tid;
}

// ---- waiting for signals --------------------------------------------------------------------

/** pause and sigsuspend: sleep until a signal that will be acted on is pending. */
async function waitForSignal(kernel: Kernel, task: Task): Promise<number> {
  const never = new Promise<void>(() => {});
  while (await kernel.waitUnlessSignalled(task, never)) {
    // `never` does not settle: only a signal (or the process ending) ends the wait.
  }
  return -ERESTARTNOHAND;
}

/** next_signal() among the pending signals in the set: fault signals first, then the lowest. */
function nextPendingIn(task: Task, low: number, high: number): number {
  let lowest = 0;
  let lowestSynchronous = 0;
  for (const sig of task.pending) {
    const [word, bit] = sigBit(sig);
    if (((word === 0 ? low : high) & bit) === 0) continue;
    if (SYNCHRONOUS.has(sig)) {
      if (lowestSynchronous === 0 || sig < lowestSynchronous) lowestSynchronous = sig;
    } else if (lowest === 0 || sig < lowest) lowest = sig;
  }
  return lowestSynchronous || lowest;
}

/** dequeue_signal() restricted to a set: the next instance's siginfo, or null. */
function dequeueFrom(task: Task, low: number, high: number): SigInfo | null {
  for (;;) {
    const sig = nextPendingIn(task, low, high);
    if (sig === 0) return null;
    const info = takeSignal(task, sig);
    if (info !== null) return info;
  }
}

/**
 * do_sigtimedwait()'s sleep: the signals of the set wake it even while blocked; any other signal
 * that would be acted on ends it with EINTR; the timeout (milliseconds, null for none) with
 * EAGAIN.
 */
async function waitInSet(
  kernel: Kernel,
  task: Task,
  low: number,
  high: number,
  timeoutMs: number | null,
): Promise<SigInfo | number> {
  const deadline = timeoutMs === null ? Infinity : performance.now() + timeoutMs;
  // Process-directed signals of the set find this thread while it waits (signalTarget).
  task.sigwaitSet = [low, high];
  try {
    for (;;) {
      claimParkedSignals(task, low, high);
      const info = dequeueFrom(task, low, high);
      if (info !== null) return info;
      if (task.proc.exitStatus !== null || kernel.hasDeliverableSignal(task)) return -EINTR;
      const left = deadline - performance.now();
      if (left <= 0) return -EAGAIN;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const sleep = new Promise<void>((resolve) => {
        if (left !== Infinity) timer = setTimeout(resolve, Math.min(Math.ceil(left), MAX_SLEEP_MS));
      });
      await kernel.interruptible(task, sleep);
      clearTimeout(timer);
    }
  } finally {
    task.sigwaitSet = null;
  }
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
      if (dispositionIgnores(next, sig)) discardSignal(task.proc, sig);
      else if (old.handler === SIG_IGN) signalUnignored(task.proc, sig);
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

  pause: (task, _a, kernel) => waitForSignal(kernel, task),

  rt_sigsuspend(task, a, kernel) {
    const setAddr = a.u64(0);
    if (a.u64(1) !== SIGSET_SIZE) return -EINVAL;
    const [low, high] = readSigset(task, setAddr);
    replaceSigmaskUntilDelivery(task, low, high);
    return waitForSignal(kernel, task);
  },

  rt_sigtimedwait(task, a, kernel) {
    const setAddr = a.u64(0);
    const infoAddr = a.u64(1);
    const timeoutAddr = a.u64(2);
    if (a.u64(3) !== SIGSET_SIZE) return -EINVAL;
    const [low, high] = readSigset(task, setAddr);
    const timeout = timeoutAddr === 0 ? null : readTimespec(task.proc.user, timeoutAddr);
    if (timeout !== null && !timespecValid(timeout)) return -EINVAL;
    const waitLow = (low & ~UNBLOCKABLE_LOW) >>> 0;
    // The signal is dequeued even when its siginfo cannot be written (EFAULT), as on Linux.
    const finish = (result: SigInfo | number): number => {
      if (typeof result === "number") return result;
      if (infoAddr !== 0) task.proc.user.write(infoAddr, encodeSigInfo(result));
      return result.signo;
    };
    claimParkedSignals(task, waitLow, high);
    const ready = dequeueFrom(task, waitLow, high);
    if (ready !== null) return finish(ready);
    if (timeout !== null && timeout.sec === 0 && timeout.nsec === 0) return -EAGAIN;
    const ms = timeout === null ? null : timespecToMs(timeout);
    return waitInSet(kernel, task, waitLow, high, ms).then(finish);
  },

  rt_sigqueueinfo(task, a, kernel) {
    const pid = a.int(0);
    const sig = a.int(1);
    const info = readUserSigInfo(task, a.u64(2), sig);
    if (forgesSender(task, info, pid)) return -EPERM;
    const target = pid > 0 ? findTask(kernel, pid) : undefined;
    if (target === undefined) return -ESRCH;
    const err = killPermission(task, target.proc, sig);
    if (err !== 0 || sig === 0 || target.proc.exitStatus !== null) return err;
    const thread = signalTarget(target.proc, sig);
    return thread === undefined ? 0 : queueSignal(kernel, thread, info);
  },

  rt_tgsigqueueinfo(task, a, kernel) {
    const tgid = a.int(0);
    const tid = a.int(1);
    const sig = a.int(2);
    const info = readUserSigInfo(task, a.u64(3), sig);
    if (tid <= 0 || tgid <= 0) return -EINVAL;
    if (forgesSender(task, info, tid)) return -EPERM;
    const target = findTask(kernel, tid);
    if (target === undefined || target.proc.pid !== tgid) return -ESRCH;
    const err = killPermission(task, target.proc, sig);
    if (err !== 0 || sig === 0 || target.state === "dead") return err;
    return queueSignal(kernel, target, info);
  },
};
