// The futex syscall: WAIT/WAKE and their BITSET forms, REQUEUE, CMP_REQUEUE and WAKE_OP, with
// Linux's argument checks, keys and timeouts. Waiters block on the kernel's futex queue
// (kernel/futex-queue.ts) until woken, timed out or interrupted by a signal (with Linux's
// restart codes); blocking costs no host CPU. The priority-inheritance operations are not
// implemented (ENOSYS).

import {
  type Clock,
  CLOCK_MONOTONIC,
  CLOCK_REALTIME,
  clockById,
  readValidTimespec,
  timespecToMs,
  waitUntil,
} from "../clocks.ts";
import {
  EAGAIN,
  EFAULT,
  EINVAL,
  ENOSYS,
  ERESTART_RESTARTBLOCK,
  ERESTARTSYS,
  ETIMEDOUT,
} from "../errno.ts";
import { BITSET_MATCH_ANY, type FutexKey, futexQueueOf } from "../futex-queue.ts";
import type { Kernel } from "../kernel.ts";
import { TASK_SIZE } from "../mm/address-space.ts";
import { VMA_SHARED } from "../mm/vma.ts";
import type { Process, Task } from "../proc/process.ts";
import { setRestartBlock } from "../signals/delivery.ts";
import { fail } from "../syscall-error.ts";
import type { SyscallFamily } from "./args.ts";

export const FUTEX_WAIT = 0;
export const FUTEX_WAKE = 1;
export const FUTEX_REQUEUE = 3;
export const FUTEX_CMP_REQUEUE = 4;
export const FUTEX_WAKE_OP = 5;
export const FUTEX_LOCK_PI = 6;
export const FUTEX_WAIT_BITSET = 9;
export const FUTEX_WAKE_BITSET = 10;
export const FUTEX_WAIT_REQUEUE_PI = 11;
export const FUTEX_LOCK_PI2 = 13;
export const FUTEX_PRIVATE_FLAG = 128;
export const FUTEX_CLOCK_REALTIME = 256;
const FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);

// FUTEX_WAKE_OP's encoded operation: op << 28 | cmp << 24 | oparg << 12 | cmparg.
const FUTEX_OP_SET = 0, FUTEX_OP_ADD = 1, FUTEX_OP_OR = 2, FUTEX_OP_ANDN = 3, FUTEX_OP_XOR = 4;
const FUTEX_OP_OPARG_SHIFT = 8;

/** Commands that take a timeout in their fourth argument (futex_cmd_has_timeout). */
function hasTimeout(cmd: number): boolean {
  return cmd === FUTEX_WAIT || cmd === FUTEX_LOCK_PI || cmd === FUTEX_LOCK_PI2 ||
    cmd === FUTEX_WAIT_BITSET || cmd === FUTEX_WAIT_REQUEUE_PI;
}

/**
 * get_futex_key(): the 4-byte-aligned user word must lie in user space (EINVAL, EFAULT). A
 * private key is (address space, address). A shared-op key needs the page to exist (EFAULT);
 * in a MAP_SHARED mapping it is the physical address, so every mapper finds it.
 */
export function futexKey(proc: Process, uaddr: number, shared: boolean, write = false): FutexKey {
  if (uaddr % 4 !== 0) fail(EINVAL);
  if (!Number.isSafeInteger(uaddr) || uaddr + 4 > TASK_SIZE) fail(EFAULT);
  if (!shared) return { owner: proc.mm, addr: uaddr, sharedOp: false };
  const vma = proc.mm.vmas.find(uaddr);
  const phys = vma === undefined ? -1 : proc.mm.resolve(uaddr, write);
  if (phys < 0) fail(EFAULT);
  if (vma!.flags & VMA_SHARED) return { owner: proc.mm.mem, addr: phys, sharedOp: true };
  return { owner: proc.mm, addr: uaddr, sharedOp: true };
}

/**
 * Wake up to `count` tasks waiting on the futex at `uaddr` of `proc` (what a thread's exit
 * does for CLONE_CHILD_CLEARTID, with a shared key as Linux uses there). Returns how many.
 */
export function wakeFutex(
  kernel: Kernel,
  proc: Process,
  uaddr: number,
  count: number,
  shared = true,
): number {
  return futexQueueOf(kernel).wake(futexKey(proc, uaddr, shared), Math.max(1, count));
}

/**
 * FUTEX_WAIT: sleep while the word still holds `expected`. A signal ends the wait with
 * -ERESTARTSYS when there is no timeout (restarted under SA_RESTART or with no handler), else
 * with -ERESTART_RESTARTBLOCK and a restart that waits again for the same absolute deadline.
 */
async function futexWait(
  kernel: Kernel,
  task: Task,
  uaddr: number,
  shared: boolean,
  expected: number,
  bitset: number,
  clock: Clock,
  deadlineMs: number | null,
): Promise<number> {
  const key = futexKey(task.proc, uaddr, shared);
  if (task.proc.user.u32(uaddr) !== expected) return -EAGAIN;
  if (deadlineMs !== null && clock.ms() >= deadlineMs) return -ETIMEDOUT;
  const queue = futexQueueOf(kernel);
  const waiter = queue.add(key, bitset, task);
  const outcome = await waitUntil(kernel, task, clock, deadlineMs, waiter.promise);
  // A wake-up that raced with the timeout or the signal still counts as a wake-up.
  if (outcome === "woken" || !queue.remove(waiter)) return 0;
  if (outcome === "deadline") return -ETIMEDOUT;
  if (deadlineMs === null) return -ERESTARTSYS;
  setRestartBlock(
    task,
    (t, k) => futexWait(k, t, uaddr, shared, expected, bitset, clock, deadlineMs),
  );
  return -ERESTART_RESTARTBLOCK;
}

/** futex_atomic_op_inuser(): apply the op to *uaddr2; returns the comparison, or -ENOSYS. */
function atomicOp(proc: Process, uaddr: number, encoded: number): number {
  const op = (encoded >>> 28) & 7;
  const cmp = (encoded >>> 24) & 15;
  let oparg = ((encoded >>> 12) & 0xfff) << 20 >> 20;
  const cmparg = (encoded & 0xfff) << 20 >> 20;
  if ((encoded >>> 28) & FUTEX_OP_OPARG_SHIFT) oparg = 1 << (oparg & 31);
  if (op > FUTEX_OP_XOR) return -ENOSYS;
  // The read fails on an unmapped word; the write fails on a read-only one before any change.
  proc.user.checkWritable(uaddr, 4);
  const old = proc.user.i32(uaddr);
  const next = op === FUTEX_OP_SET
    ? oparg
    : op === FUTEX_OP_ADD
    ? old + oparg
    : op === FUTEX_OP_OR
    ? old | oparg
    : op === FUTEX_OP_ANDN
    ? old & ~oparg
    : old ^ oparg;
  proc.user.writeU32(uaddr, next >>> 0);
  switch (cmp) {
    case 0:
      return old === cmparg ? 1 : 0;
    case 1:
      return old !== cmparg ? 1 : 0;
    case 2:
      return old < cmparg ? 1 : 0;
    case 3:
      return old >= cmparg ? 1 : 0;
    case 4:
      return old <= cmparg ? 1 : 0;
    case 5:
      return old > cmparg ? 1 : 0;
  }
  return -ENOSYS;
}

export const futexSyscalls: SyscallFamily = {
  futex(task, a, kernel) {
    // Every argument is read now: a waiting call must not look at registers later.
    const uaddr = a.u64(0);
    const op = a.int(1);
    const val = a.uint(2);
    const utime = a.u64(3);
    const val2 = a.lo(3); // (u32)(unsigned long)utime for the commands that take a count
    const uaddr2 = a.u64(4);
    const val3 = a.uint(5);
    const cmd = op & FUTEX_CMD_MASK;
    const shared = (op & FUTEX_PRIVATE_FLAG) === 0;
    const proc = task.proc;

    const realtimeClock = (op & FUTEX_CLOCK_REALTIME) !== 0;
    const clock = clockById(kernel, task, realtimeClock ? CLOCK_REALTIME : CLOCK_MONOTONIC)!;
    let deadlineMs: number | null = null;
    if (utime !== 0 && hasTimeout(cmd)) {
      const timeout = timespecToMs(readValidTimespec(proc.user, utime));
      // FUTEX_WAIT's timeout is relative; the others are absolute on the chosen clock.
      deadlineMs = cmd === FUTEX_WAIT ? clock.ms() + timeout : timeout;
    }
    // Since Linux 5.13 FUTEX_WAIT itself no longer accepts FUTEX_CLOCK_REALTIME.
    const realtimeOk = cmd === FUTEX_WAIT_BITSET || cmd === FUTEX_WAIT_REQUEUE_PI ||
      cmd === FUTEX_LOCK_PI2;
    if (realtimeClock && !realtimeOk) return -ENOSYS;

    const queue = futexQueueOf(kernel);
    switch (cmd) {
      case FUTEX_WAIT:
      case FUTEX_WAIT_BITSET: {
        const bitset = cmd === FUTEX_WAIT ? BITSET_MATCH_ANY : val3;
        if (bitset === 0) return -EINVAL;
        return futexWait(kernel, task, uaddr, shared, val, bitset, clock, deadlineMs);
      }
      case FUTEX_WAKE:
      case FUTEX_WAKE_BITSET: {
        const bitset = cmd === FUTEX_WAKE ? BITSET_MATCH_ANY : val3;
        if (bitset === 0) return -EINVAL;
        const key = futexKey(proc, uaddr, shared);
        return queue.wake(key, Math.max(1, val | 0), bitset);
      }
      case FUTEX_REQUEUE:
      case FUTEX_CMP_REQUEUE: {
        const nrWake = val | 0;
        const nrRequeue = val2 | 0;
        if (nrWake < 0 || nrRequeue < 0) return -EINVAL;
        const from = futexKey(proc, uaddr, shared);
        const to = futexKey(proc, uaddr2, shared);
        if (cmd === FUTEX_CMP_REQUEUE && proc.user.u32(uaddr) !== val3) return -EAGAIN;
        return queue.requeue(from, to, nrWake, nrRequeue);
      }
      case FUTEX_WAKE_OP: {
        const key1 = futexKey(proc, uaddr, shared);
        const key2 = futexKey(proc, uaddr2, shared, true);
        const wakeSecond = atomicOp(proc, uaddr2, val3);
        if (wakeSecond < 0) return wakeSecond;
        let woken = queue.wake(key1, Math.max(1, val | 0));
        if (wakeSecond > 0) woken += queue.wake(key2, Math.max(1, val2 | 0));
        return woken;
      }
    }
    return -ENOSYS;
  },
};
