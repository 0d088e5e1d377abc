// The scheduler's ready queues: round-robin within 40 priority classes (nice -20..19 map onto
// classes 0..39; a lower class runs first). A task is queued when it becomes runnable and taken
// off when it is picked; tasks that died or blocked while queued are skipped when popped. So that
// a busy better class cannot starve a worse one forever, a task that has waited STARVATION_PICKS
// picks runs next whatever its class (about the 1.5% share CFS gives nice 19 beside nice 0).
// When nothing is ready the kernel awaits idle(), which settles at the next makeReady(): an idle
// machine costs no host CPU.

import { type Task } from "../proc/process.ts";

const CLASSES = 40;
/** Picks a queued task may be passed over before it runs regardless of its class. */
export const STARVATION_PICKS = 64;

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

  peek(): Task | undefined {
    return this.items[this.head];
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
  /** Picks so far: the clock the starvation guard measures waiting in. */
  private picks = 0;
  private idleWaiter: PromiseWithResolvers<void> | null = null;

  /** Queue a runnable task at the back of its class (no-op when it is queued already). */
  makeReady(task: Task): void {
    if (task.queued) return;
    task.queued = true;
    task.readySince = this.picks;
    this.queues[task.priorityClass].push(task);
    this.readyCount++;
    const waiter = this.idleWaiter;
    if (waiter !== null) {
      this.idleWaiter = null;
      waiter.resolve();
    }
  }

  /** The next task to run: the front of the best non-empty class, or a starving one. */
  next(): Task | null {
    while (this.readyCount > 0) {
      this.picks++;
      const task = this.queues[this.classToRun()].shift()!;
      this.readyCount--;
      task.queued = false;
      if (task.state === "runnable") return task;
    }
    return null;
  }

  /** The best non-empty class, unless a worse class's front task has waited too long. */
  private classToRun(): number {
    let best = -1;
    for (let c = 0; c < CLASSES; c++) {
      const front = this.queues[c].peek();
      if (front === undefined) continue;
      if (best < 0) best = c;
      else if (this.picks - front.readySince > STARVATION_PICKS) return c;
    }
    return best;
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
