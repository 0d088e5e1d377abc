// The scheduler's ready queues: round-robin within 40 priority classes (nice -20..19 map onto
// classes 0..39; a lower class always runs first). A task is queued when it becomes runnable and
// taken off when it is picked; tasks that died or blocked while queued are skipped when popped.
// When nothing is ready the kernel awaits idle(), which settles at the next makeReady(): an idle
// machine costs no host CPU.

import { type Task } from "../proc/process.ts";

const CLASSES = 40;

/** A FIFO of tasks with O(1) push and shift. */
class TaskQueue {
  private items: (Task | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(task: Task): void {
    this.items.push(task);
  }

  shift(): Task | undefined {
    if (this.head >= this.items.length) return undefined;
    const task = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return task;
  }
}

export class Scheduler {
  private readonly queues = Array.from({ length: CLASSES }, () => new TaskQueue());
  private readyCount = 0;
  private idleWaiter: PromiseWithResolvers<void> | null = null;

  /** Queue a runnable task at the back of its class (no-op when it is queued already). */
  makeReady(task: Task): void {
    if (task.queued) return;
    task.queued = true;
    this.queues[task.priorityClass].push(task);
    this.readyCount++;
    const waiter = this.idleWaiter;
    if (waiter !== null) {
      this.idleWaiter = null;
      waiter.resolve();
    }
  }

  /** The next task to run: the front of the highest non-empty class; null when none is ready. */
  next(): Task | null {
    while (this.readyCount > 0) {
      for (const queue of this.queues) {
        const task = queue.shift();
        if (task === undefined) continue;
        this.readyCount--;
        task.queued = false;
        if (task.state === "runnable") return task;
        break;
      }
    }
    return null;
  }

  /** Is a task of class `priorityClass` or better waiting (so the running one should yield)? */
  hasReady(priorityClass: number): boolean {
    if (this.readyCount === 0) return false;
    for (let c = 0; c <= priorityClass; c++) if (this.queues[c].size > 0) return true;
    return false;
  }

  /** Settles when a task next becomes ready. */
  idle(): Promise<void> {
    this.idleWaiter ??= Promise.withResolvers<void>();
    return this.idleWaiter.promise;
  }
}
