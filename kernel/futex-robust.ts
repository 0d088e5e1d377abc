// What a thread leaves behind in user memory when it exits or execs (Linux's mm_release): its
// robust futex list is walked, so locks it still held are marked FUTEX_OWNER_DIED and a waiter
// is woken to recover them (exit_robust_list), and its CLONE_CHILD_CLEARTID word is zeroed and
// futex-woken (what pthread_join waits on). A bad pointer in user memory only ends the walk.

import type { Kernel } from "./kernel.ts";
import type { Task } from "./proc/process.ts";
import { wakeFutex } from "./syscalls/futex.ts";
import { SyscallError } from "./syscall-error.ts";

/** The futex word's bits for robust and PI locks: owner tid, owner died, waiters queued. */
export const FUTEX_WAITERS = 0x80000000;
export const FUTEX_OWNER_DIED = 0x40000000;
export const FUTEX_TID_MASK = 0x3fffffff;
/** Entries walked at most, so a long or circular list cannot hold the kernel up. */
export const ROBUST_LIST_LIMIT = 2048;

/** struct robust_list_head: list.next, futex_offset, list_op_pending (8 bytes each). */
const HEAD_NEXT = 0;
const HEAD_FUTEX_OFFSET = 8;
const HEAD_OP_PENDING = 16;

/** Run `read`; null when user memory faulted (EFAULT). */
function tryUser<T>(read: () => T): T | null {
  try {
    return read();
  } catch (e) {
    if (e instanceof SyscallError) return null;
    throw e;
  }
}

/** A list pointer: bit 0 flags a PI futex, the rest is the entry's address. */
interface RobustEntry {
  addr: number;
  pi: boolean;
}

/** fetch_robust_entry(): the pointer stored at `at`, or null on a fault. */
function fetchEntry(task: Task, at: number): RobustEntry | null {
  const raw = tryUser(() => task.proc.user.u64(at));
  if (raw === null) return null;
  const pi = raw % 2 === 1;
  return { addr: pi ? raw - 1 : raw, pi };
}

/** Wake one waiter with the shared key Linux uses for exit wake-ups; a bad word is ignored. */
function wakeOne(kernel: Kernel, task: Task, uaddr: number): void {
  tryUser(() => wakeFutex(kernel, task.proc, uaddr, 1, true));
}

/**
 * handle_futex_death(): if the word at `uaddr` names `task` as owner, keep only its waiters bit
 * and set FUTEX_OWNER_DIED, waking a waiter of a non-PI lock. A pending operation on a non-PI
 * futex with no owner (the thread died between unlock and wake) just wakes a waiter. Returns
 * false when the word is misaligned or unreadable or unwritable: the walk stops there.
 */
function handleFutexDeath(
  kernel: Kernel,
  task: Task,
  uaddr: number,
  pi: boolean,
  pendingOp: boolean,
): boolean {
  if (uaddr % 4 !== 0) return false;
  const user = task.proc.user;
  const value = tryUser(() => user.u32(uaddr));
  if (value === null) return false;
  const owner = value & FUTEX_TID_MASK;
  if (pendingOp && !pi && owner === 0) {
    wakeOne(kernel, task, uaddr);
    return true;
  }
  if (owner !== task.tid) return true;
  const died = ((value & FUTEX_WAITERS) | FUTEX_OWNER_DIED) >>> 0;
  const written = tryUser(() => {
    user.writeU32(uaddr, died);
    return true;
  });
  if (written === null) return false;
  // PI futexes are woken by the PI-state cleanup, which NexaOS has no PI futexes for.
  if (!pi && (value & FUTEX_WAITERS) !== 0) wakeOne(kernel, task, uaddr);
  return true;
}

/**
 * exit_robust_list(): walk the list `task` registered with set_robust_list, at most
 * ROBUST_LIST_LIMIT entries, then the pending entry (unless the walk stopped on a bad one);
 * the registration is gone afterwards.
 */
export function exitRobustList(kernel: Kernel, task: Task): void {
  const head = task.robustList.head;
  if (head === 0) return;
  task.robustList = { ...task.robustList, head: 0 };
  let entry = fetchEntry(task, head + HEAD_NEXT);
  if (entry === null) return;
  const futexOffset = tryUser(() => task.proc.user.i64(head + HEAD_FUTEX_OFFSET));
  if (futexOffset === null) return;
  const pending = fetchEntry(task, head + HEAD_OP_PENDING);
  if (pending === null) return;
  for (let limit = ROBUST_LIST_LIMIT; entry.addr !== head;) {
    // The next pointer is read before the lock is released, as the lock may free the entry.
    const next = fetchEntry(task, entry.addr);
    // A pending lock may already be on the list: it is handled once, below.
    if (entry.addr !== pending.addr) {
      if (!handleFutexDeath(kernel, task, entry.addr + futexOffset, entry.pi, false)) return;
    }
    if (next === null) return;
    entry = next;
    if (--limit === 0) break;
  }
  if (pending.addr !== 0) {
    handleFutexDeath(kernel, task, pending.addr + futexOffset, pending.pi, true);
  }
}

/** Does another live task use `task`'s address space (Linux's mm_users > 1)? */
function addressSpaceShared(kernel: Kernel, task: Task): boolean {
  const mm = task.proc.mm;
  for (const proc of kernel.processes.values()) {
    if (proc.mm !== mm) continue;
    if (proc.threads.some((t) => t !== task && t.state !== "dead")) return true;
  }
  return false;
}

/**
 * CLONE_CHILD_CLEARTID / set_tid_address at exit or exec: store 0 at the registered address and
 * wake one waiter (a shared-key FUTEX_WAKE, as Linux's do_futex call). Like Linux this happens
 * only while some other task still uses the address space, and faults are ignored.
 */
export function clearChildTidOnExit(kernel: Kernel, task: Task): void {
  const addr = task.clearChildTid;
  if (addr === 0) return;
  task.clearChildTid = 0;
  if (!addressSpaceShared(kernel, task)) return;
  tryUser(() => task.proc.user.writeU32(addr, 0));
  wakeOne(kernel, task, addr);
}
