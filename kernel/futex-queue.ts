// The futex wait queue: tasks blocked in FUTEX_WAIT, keyed as Linux keys them. A private futex
// (or a shared one in a private mapping) is named by its address space and user address; a
// shared futex in a MAP_SHARED mapping by its physical address, so processes that map the same
// frames meet on it. Waking resolves the waiter's promise; the waiter itself owns its timeout
// and signal handling (kernel/syscalls/futex.ts). One queue per kernel: futexQueueOf(kernel).

import type { Task } from "./proc/process.ts";

/** Which futex: `owner` is an AddressSpace (private) or the PhysicalMemory (shared). */
export interface FutexKey {
  readonly owner: object;
  readonly addr: number;
  /**
   * Linux sets FUT_OFF_MMSHARED in the key of a shared-op futex in a private mapping, so it
   * never matches the same word waited on with FUTEX_PRIVATE_FLAG.
   */
  readonly sharedOp: boolean;
}

/** FUTEX_BITSET_MATCH_ANY. */
export const BITSET_MATCH_ANY = 0xffffffff;

export class FutexWaiter {
  woken = false;
  private readonly signal = Promise.withResolvers<void>();

  constructor(public key: FutexKey, readonly bitset: number, readonly task: Task | null) {}

  /** Settles when the waiter is woken (never rejects). */
  get promise(): Promise<void> {
    return this.signal.promise;
  }

  wake(): void {
    this.woken = true;
    this.signal.resolve();
  }
}

export class FutexQueue {
  /** owner -> word -> waiters in arrival order (Linux wakes FIFO among equal priorities). */
  private readonly buckets = new Map<object, Map<number, FutexWaiter[]>>();

  /** Two words per address so shared-op and private keys of one address stay apart. */
  private static word(key: FutexKey): number {
    return key.addr * 2 + (key.sharedOp ? 1 : 0);
  }

  private list(key: FutexKey, create: boolean): FutexWaiter[] | undefined {
    let byWord = this.buckets.get(key.owner);
    if (byWord === undefined) {
      if (!create) return undefined;
      byWord = new Map();
      this.buckets.set(key.owner, byWord);
    }
    const word = FutexQueue.word(key);
    let list = byWord.get(word);
    if (list === undefined && create) {
      list = [];
      byWord.set(word, list);
    }
    return list;
  }

  private prune(key: FutexKey): void {
    const byWord = this.buckets.get(key.owner);
    const word = FutexQueue.word(key);
    if (byWord?.get(word)?.length === 0) byWord.delete(word);
    if (byWord?.size === 0) this.buckets.delete(key.owner);
  }

  /** Queue a waiter on `key`. */
  add(key: FutexKey, bitset: number, task: Task | null): FutexWaiter {
    const waiter = new FutexWaiter(key, bitset, task);
    this.list(key, true)!.push(waiter);
    return waiter;
  }

  /** Take a waiter off its queue (timeout, signal); false when it was already woken. */
  remove(waiter: FutexWaiter): boolean {
    if (waiter.woken) return false;
    const list = this.list(waiter.key, false);
    const i = list?.indexOf(waiter) ?? -1;
    if (i >= 0) list!.splice(i, 1);
    this.prune(waiter.key);
    return i >= 0;
  }

  /** Number of tasks waiting on `key`. */
  count(key: FutexKey): number {
    return this.list(key, false)?.length ?? 0;
  }

  /**
   * Wake up to `max` waiters on `key` whose bitset shares a bit with `bitset`; returns how many.
   * `max` must be >= 1 (FUTEX_WAKE with 0 wakes one, as Linux's loop does).
   */
  wake(key: FutexKey, max: number, bitset = BITSET_MATCH_ANY): number {
    const list = this.list(key, false);
    if (list === undefined) return 0;
    let woken = 0;
    for (let i = 0; i < list.length && woken < max;) {
      const waiter = list[i];
      if ((waiter.bitset & bitset) === 0) {
        i++;
        continue;
      }
      list.splice(i, 1);
      waiter.wake();
      woken++;
    }
    this.prune(key);
    return woken;
  }

  /**
   * FUTEX_REQUEUE: wake up to `wakeMax` waiters on `from`, then move up to `requeueMax` of the
   * rest to `to`. Returns woken + moved.
   */
  requeue(from: FutexKey, to: FutexKey, wakeMax: number, requeueMax: number): number {
    const list = this.list(from, false);
    if (list === undefined) return 0;
    let woken = 0;
    let moved = 0;
    while (list.length > 0 && woken < wakeMax) {
      list.shift()!.wake();
      woken++;
    }
    const movers = list.splice(0, Math.min(requeueMax, list.length));
    this.prune(from);
    if (movers.length > 0) {
      const target = this.list(to, true)!;
      for (const waiter of movers) {
        waiter.key = to;
        target.push(waiter);
        moved++;
      }
    }
    return woken + moved;
  }
}

const queues = new WeakMap<object, FutexQueue>();

/** The futex queue of `kernel` (created on first use). */
export function futexQueueOf(kernel: object): FutexQueue {
  let queue = queues.get(kernel);
  if (queue === undefined) {
    queue = new FutexQueue();
    queues.set(kernel, queue);
  }
  return queue;
}
