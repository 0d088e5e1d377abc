// Readiness of open files, as poll, select and epoll see it: the POLL* bits (x86-64 values, the
// same as EPOLL*), the mask of a file without its own poll operation (Linux's DEFAULT_POLLMASK),
// and PollQueue, the wait-queue head a file wakes whenever its readiness may have changed. A
// PollQueue runs its watchers' callbacks synchronously from the code that changed the file (so an
// epoll ready list is current before the next syscall) and also settles a promise for tasks
// blocked in read or write.

import { WaitQueue } from "../sched/wait-queue.ts";
import type { OpenFile } from "./open-file.ts";

export const POLLIN = 0x1;
export const POLLPRI = 0x2;
export const POLLOUT = 0x4;
export const POLLERR = 0x8;
export const POLLHUP = 0x10;
export const POLLNVAL = 0x20;
export const POLLRDNORM = 0x40;
export const POLLRDBAND = 0x80;
export const POLLWRNORM = 0x100;
export const POLLWRBAND = 0x200;
export const POLLMSG = 0x400;
export const POLLRDHUP = 0x2000;

/** Readable and writable: what a file without a poll operation always reports. */
export const DEFAULT_POLLMASK = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

/** Called with the POLL* bits a change concerns (0: it may concern anything). */
export type PollWaker = (key: number) => void;

export class PollQueue {
  private readonly watchers = new Set<{ wake: PollWaker }>();
  private readonly blocked = new WaitQueue();

  /** Run `wake` at every wake-up until the returned function is called. */
  watch(wake: PollWaker): () => void {
    const entry = { wake };
    this.watchers.add(entry);
    return () => this.watchers.delete(entry);
  }

  /** A promise that settles at the next wake-up (for a blocking read, write or open). */
  wait(): Promise<void> {
    return this.blocked.wait();
  }

  get hasWatchers(): boolean {
    return this.watchers.size > 0;
  }

  /** Readiness may have changed in the ways `key` says (0: any). */
  wake(key = 0): void {
    this.blocked.wakeAll();
    if (this.watchers.size === 0) return;
    for (const entry of [...this.watchers]) {
      if (this.watchers.has(entry)) entry.wake(key);
    }
  }
}

/** The file's readiness now (vfs_poll): its own poll, or DEFAULT_POLLMASK. */
export function pollFile(file: OpenFile): number {
  return file.ops.poll?.(file) ?? DEFAULT_POLLMASK;
}

/** Watch `file` for changes of readiness; a file whose readiness never changes gives a no-op. */
export function watchFile(file: OpenFile, wake: PollWaker): () => void {
  return file.ops.pollWatch?.(file, wake) ?? (() => {});
}

/** epoll can only watch files with a poll operation (Linux's file_can_poll). */
export function canPoll(file: OpenFile): boolean {
  return file.ops.poll !== undefined;
}
