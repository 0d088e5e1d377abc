// Tests for kernel/syscalls/resources.ts: struct rusage's layout and sources (the process, its
// children, the calling thread), ru_maxrss from resident pages, the accounting helpers, struct
// tms in USER_HZ ticks and times()'s jiffies-based return value, and Linux's EINVAL/EFAULT rules.

import assert from "node:assert/strict";
import { EFAULT, EINVAL } from "../../kernel/errno.ts";
import {
  chargeCpuTime,
  clockTicksNow,
  countContextSwitch,
  countMinorFault,
  recordPeakRss,
  resourceSyscalls as s,
  RUSAGE_CHILDREN,
  RUSAGE_SELF,
  RUSAGE_THREAD,
} from "../../kernel/syscalls/resources.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const BUF = AREA;
const PAGE = 4096;

/** struct rusage as the 18 longs it is made of (utime and stime as sec, usec pairs). */
function readRusage(m: FakeMachine): number[] {
  return Array.from({ length: 18 }, (_, i) => m.i64(BUF + i * 8));
}

Deno.test("getrusage: who must be SELF, CHILDREN or THREAD; the buffer must be writable", () => {
  const m = new FakeMachine();
  for (const who of [2, -2, 99]) assert.equal(m.callSync(s.getrusage, [who, BUF]), -EINVAL);
  assert.equal(m.callSync(s.getrusage, [RUSAGE_SELF, 0]), -EFAULT);
  assert.equal(m.callSync(s.getrusage, [RUSAGE_SELF, UNMAPPED]), -EFAULT);
  assert.equal(m.callSync(s.getrusage, [2, UNMAPPED]), -EINVAL, "who is checked first");
});

Deno.test("getrusage: the 144-byte layout, from the process's counters", () => {
  const m = new FakeMachine();
  m.write(BUF, new Uint8Array(160).fill(0xaa));
  Object.assign(m.proc.usage, {
    userMs: 2345.6789,
    systemMs: 12.5,
    minorFaults: 77,
    voluntarySwitches: 5,
    involuntarySwitches: 9,
    maxRssKb: 1 << 20,
  });
  assert.equal(m.callSync(s.getrusage, [RUSAGE_SELF, BUF]), 0);
  const r = readRusage(m);
  assert.deepEqual(r.slice(0, 4), [2, 345678, 0, 12500], "ru_utime, ru_stime");
  assert.equal(r[4], 1 << 20, "ru_maxrss");
  assert.deepEqual(r.slice(5, 8), [0, 0, 0], "ixrss, idrss, isrss");
  assert.equal(r[8], 77, "ru_minflt");
  assert.deepEqual(r.slice(9, 16), [0, 0, 0, 0, 0, 0, 0], "majflt..nsignals");
  assert.deepEqual(r.slice(16, 18), [5, 9], "ru_nvcsw, ru_nivcsw");
  assert.equal(m.u32(BUF + 144), 0xaaaaaaaa, "nothing written past the struct");
});

Deno.test("getrusage: maxrss counts resident pages; RUSAGE_CHILDREN and RUSAGE_THREAD", () => {
  const m = new FakeMachine();
  for (let i = 0; i < 10; i++) m.write(AREA + i * PAGE, new Uint8Array([1]));
  const resident = m.proc.mm.residentPages() * 4;
  assert.ok(resident >= 40, `resident ${resident} KiB`);
  assert.equal(m.callSync(s.getrusage, [RUSAGE_SELF, BUF]), 0);
  assert.equal(readRusage(m)[4], resident);
  m.proc.childrenUsage.userMs = 1500;
  m.proc.childrenUsage.maxRssKb = 3;
  assert.equal(m.callSync(s.getrusage, [RUSAGE_CHILDREN, BUF]), 0);
  assert.deepEqual(readRusage(m).slice(0, 5), [1, 500000, 0, 0, 3]);
  const second = m.kernel.newTask(m.proc, m.kernel.allocatePid());
  chargeCpuTime(m.task, 30, 1);
  chargeCpuTime(second, 40, 2);
  assert.equal(m.callSync(s.getrusage, [RUSAGE_THREAD, BUF], second), 0);
  const thread = readRusage(m);
  assert.deepEqual(thread.slice(0, 4), [0, 40000, 0, 2000]);
  assert.equal(thread[4], resident, "a thread reports its process's maxrss");
  assert.equal(m.callSync(s.getrusage, [RUSAGE_SELF, BUF], second), 0);
  assert.deepEqual(readRusage(m).slice(0, 4), [0, 70000, 0, 3000]);
});

Deno.test("accounting helpers: a thread's counters and its process's move together", () => {
  const m = new FakeMachine();
  const second = m.kernel.newTask(m.proc, m.kernel.allocatePid());
  countMinorFault(m.task);
  countMinorFault(second);
  countContextSwitch(second, true);
  countContextSwitch(second, false);
  countContextSwitch(second, false);
  assert.equal(m.task.usage.minorFaults, 1);
  assert.equal(m.proc.usage.minorFaults, 2);
  assert.deepEqual([second.usage.voluntarySwitches, second.usage.involuntarySwitches], [1, 2]);
  assert.deepEqual([m.proc.usage.voluntarySwitches, m.proc.usage.involuntarySwitches], [1, 2]);
  // The peak survives the address space shrinking.
  const scratch = AREA + 16 * PAGE;
  m.write(scratch, new Uint8Array(8 * PAGE));
  recordPeakRss(m.proc);
  const peak = m.proc.usage.maxRssKb;
  assert.ok(peak >= 32);
  assert.equal(m.proc.mm.munmap(scratch, 8 * PAGE), 0);
  assert.ok(m.proc.mm.residentPages() * 4 < peak);
  assert.equal(m.callSync(s.getrusage, [RUSAGE_SELF, BUF]), 0);
  assert.equal(readRusage(m)[4], peak);
});

Deno.test("times: struct tms in 100 Hz ticks; the result is Linux's jiffies count", () => {
  const m = new FakeMachine();
  Object.assign(m.proc.usage, { userMs: 1234, systemMs: 56 });
  Object.assign(m.proc.childrenUsage, { userMs: 10_009, systemMs: 9.99 });
  const before = clockTicksNow(m.kernel);
  const result = m.callSync(s.times, [BUF]);
  const after = clockTicksNow(m.kernel);
  assert.ok(before <= result && result <= after, `${before} <= ${result} <= ${after}`);
  // Linux's jiffies start 5 minutes before 2^32 (HZ 250): about 1717956918 ticks at boot.
  assert.ok(result >= 1717956918 && result < 1717956918 + 100 * 60, `times() = ${result}`);
  assert.deepEqual([0, 1, 2, 3].map((i) => m.i64(BUF + i * 8)), [123, 5, 1000, 0]);
  assert.ok(m.callSync(s.times, [0]) >= result, "a NULL buffer is allowed");
  assert.equal(m.callSync(s.times, [UNMAPPED]), -EFAULT);
  assert.equal(m.callSync(s.times, [8]), -EFAULT);
});
