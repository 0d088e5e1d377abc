// The ready queues: the best priority class runs first, round-robin within a class, tasks that
// blocked or died while queued are skipped, a starving worse class still gets its turn, and
// idle() settles only when something becomes ready.

import assert from "node:assert/strict";
import { Scheduler, STARVATION_PICKS } from "../../kernel/sched/scheduler.ts";
import type { Task } from "../../kernel/proc/process.ts";
import { FakeMachine } from "./lib/fake-task.ts";

function tasks(m: FakeMachine, nices: number[]): Task[] {
  return nices.map((nice) => {
    const t = m.thread();
    t.nice = nice;
    return t;
  });
}

Deno.test("scheduler: better classes first, round-robin within a class", () => {
  const m = new FakeMachine();
  const s = new Scheduler();
  const [a, b, c, low] = tasks(m, [0, 0, -5, 10]);
  for (const t of [low, a, b, c]) s.makeReady(t);
  s.makeReady(a); // already queued: no second entry
  assert.equal(s.next(), c);
  assert.equal(s.next(), a);
  s.makeReady(a); // a used its quantum: to the back of class 20
  assert.equal(s.next(), b);
  assert.equal(s.next(), a);
  assert.equal(s.next(), low);
  assert.equal(s.next(), null);
});

Deno.test("scheduler: tasks that blocked or died while queued are skipped", () => {
  const m = new FakeMachine();
  const s = new Scheduler();
  const [a, b, c] = tasks(m, [0, 0, 0]);
  for (const t of [a, b, c]) s.makeReady(t);
  a.state = "blocked";
  b.state = "dead";
  assert.equal(s.next(), c);
  assert.equal(s.next(), null);
  assert.equal(s.hasReady(39), false);
});

Deno.test("scheduler: a busy better class cannot starve a worse one", () => {
  const m = new FakeMachine();
  const s = new Scheduler();
  const [busy, other, starving] = tasks(m, [0, 0, 19]);
  s.makeReady(starving);
  s.makeReady(busy);
  s.makeReady(other);
  let picks = 0;
  for (;;) {
    const t = s.next()!;
    picks++;
    if (t === starving) break;
    assert.ok(picks <= STARVATION_PICKS + 1, "the nice 19 task waited too long");
    s.makeReady(t); // the nice 0 tasks never stop wanting the CPU
  }
  assert.ok(picks > STARVATION_PICKS / 2, `strict priority until the guard (${picks} picks)`);
});

Deno.test("scheduler: idle() settles at the next makeReady, not before", async () => {
  const m = new FakeMachine();
  const s = new Scheduler();
  let settled = false;
  const idle = s.idle().then(() => settled = true);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(settled, false);
  const [t] = tasks(m, [0]);
  s.makeReady(t);
  await idle;
  assert.equal(s.next(), t);
});
