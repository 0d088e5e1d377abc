// Wait queues: what a blocking call sleeps on (Linux's wait_queue_head). A waiter takes the
// promise of the next wake-up; whoever changes the object (a pipe written, a child exiting, a
// lock released) wakes everyone, and each waiter re-checks its own condition. Settling promises
// is how a blocked task costs no host CPU.

export class WaitQueue {
  private next: PromiseWithResolvers<void> | null = null;

  /** A promise that settles at the next wakeAll() (never rejects). */
  wait(): Promise<void> {
    this.next ??= Promise.withResolvers<void>();
    return this.next.promise;
  }

  /** Is anyone waiting for the next wake-up? */
  get hasWaiters(): boolean {
    return this.next !== null;
  }

  wakeAll(): void {
    const next = this.next;
    if (next === null) return;
    this.next = null;
    next.resolve();
  }
}
