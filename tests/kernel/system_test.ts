// Tests for kernel/syscalls/system.ts: uname's fields, sysinfo's layout and numbers, the rlimit
// calls (encoding of RLIM_INFINITY, Linux's EINVAL/EPERM/ESRCH rules, limits taking effect),
// getrandom's flags and partial copies, and the one-CPU scheduler answers.

import assert from "node:assert/strict";
import { EFAULT, EINVAL, EPERM, ESRCH } from "../../kernel/errno.ts";
import { RLIMIT_AS, RLIMIT_DATA, RLIMIT_NOFILE, RLIMIT_STACK } from "../../kernel/proc/limits.ts";
import { rootCredentials } from "../../kernel/proc/process.ts";
import { SIGUSR1 } from "../../kernel/signals/signals.ts";
import { systemSyscalls as s } from "../../kernel/syscalls/system.ts";
import { AREA, AREA_SIZE, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const BUF = AREA;
const INF = (1n << 64n) - 1n;
const decoder = new TextDecoder();

function field(bytes: Uint8Array, i: number): string {
  const f = bytes.subarray(i * 65, (i + 1) * 65);
  return decoder.decode(f.subarray(0, f.indexOf(0)));
}

function rlimitBytes(cur: bigint, max: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, cur, true);
  dv.setBigUint64(8, max, true);
  return out;
}

function readRlimit(m: FakeMachine, addr: number): [bigint, bigint] {
  return [m.u64big(addr), m.u64big(addr + 8)];
}

function user(uid: number) {
  return { ...rootCredentials(), uid, euid: uid, suid: uid, fsuid: uid, groups: [] };
}

Deno.test("uname: Linux identity in NUL-padded 65-byte fields", () => {
  const m = new FakeMachine();
  m.kernel.hostname = "box";
  m.write(BUF, new Uint8Array(390).fill(0xff));
  assert.equal(m.callSync(s.uname, [BUF]), 0);
  const u = m.read(BUF, 390);
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((i) => field(u, i)),
    ["Linux", "box", "6.1.0-nexaos", "#1 SMP NexaOS", "x86_64", "(none)"],
  );
  assert.ok(u.subarray(5, 65).every((b) => b === 0), "sysname padding");
  assert.equal(m.callSync(s.uname, [UNMAPPED]), -EFAULT);
});

Deno.test("uname: a hostname longer than 64 bytes is cut, keeping the NUL", () => {
  const m = new FakeMachine();
  m.kernel.hostname = "h".repeat(100);
  assert.equal(m.callSync(s.uname, [BUF]), 0);
  assert.equal(field(m.read(BUF, 390), 1), "h".repeat(64));
});

Deno.test("sysinfo: memory in bytes from the frame allocator, tasks, uptime", () => {
  const m = new FakeMachine();
  m.write(BUF, new Uint8Array(112).fill(0xff));
  assert.equal(m.callSync(s.sysinfo, [BUF]), 0);
  const dv = new DataView(m.read(BUF, 112).buffer);
  const uptime = dv.getBigInt64(0, true);
  assert.ok(uptime >= 0n && uptime < 3600n, `uptime ${uptime}`);
  assert.deepEqual([1, 2, 3].map((i) => dv.getBigUint64(i * 8, true)), [0n, 0n, 0n]);
  assert.equal(dv.getBigUint64(32, true), 16n << 20n);
  assert.equal(dv.getBigUint64(40, true), BigInt(m.kernel.frames.freeFrames * 4096));
  assert.ok(dv.getBigUint64(40, true) < 16n << 20n);
  assert.equal(dv.getUint16(80, true), 1);
  assert.equal(dv.getUint32(104, true), 1, "mem_unit");
  m.spawn();
  m.thread();
  assert.equal(m.callSync(s.sysinfo, [BUF]), 0);
  assert.equal(new DataView(m.read(BUF, 112).buffer).getUint16(80, true), 3);
  assert.equal(m.callSync(s.sysinfo, [UNMAPPED]), -EFAULT);
});

Deno.test("getrlimit: Linux's defaults, RLIM_INFINITY as all ones", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(s.getrlimit, [RLIMIT_NOFILE, BUF]), 0);
  assert.deepEqual(readRlimit(m, BUF), [1024n, 1048576n]);
  assert.equal(m.callSync(s.getrlimit, [RLIMIT_STACK, BUF]), 0);
  assert.deepEqual(readRlimit(m, BUF), [8n << 20n, INF]);
  assert.equal(m.callSync(s.getrlimit, [16, BUF]), -EINVAL);
  assert.equal(m.callSync(s.getrlimit, [-1, BUF]), -EINVAL);
  assert.equal(m.callSync(s.getrlimit, [RLIMIT_NOFILE, UNMAPPED]), -EFAULT);
});

Deno.test("setrlimit: new limits take effect where the kernel enforces them", () => {
  const m = new FakeMachine();
  m.write(BUF, rlimitBytes(100n, 200n));
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_NOFILE, BUF]), 0);
  assert.equal(m.proc.fds.limit, 100);
  m.write(BUF, rlimitBytes(INF, INF));
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_STACK, BUF]), 0);
  assert.equal(m.proc.mm.stackLimit, Infinity);
  m.write(BUF, rlimitBytes(1n << 30n, INF));
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_AS, BUF]), 0);
  assert.equal(m.proc.mm.addressLimit, 1 << 30);
  m.write(BUF, rlimitBytes(1n << 20n, 1n << 21n));
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_DATA, BUF]), 0);
  assert.equal(m.proc.mm.dataLimit, 1 << 20);
  assert.equal(m.callSync(s.getrlimit, [RLIMIT_DATA, BUF + 32]), 0);
  assert.deepEqual(readRlimit(m, BUF + 32), [1n << 20n, 1n << 21n]);
});

Deno.test("setrlimit: cur above max is EINVAL; NOFILE above nr_open is EPERM even for root", () => {
  const m = new FakeMachine();
  m.write(BUF, rlimitBytes(300n, 200n));
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_NOFILE, BUF]), -EINVAL);
  m.write(BUF, rlimitBytes(1024n, INF));
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_NOFILE, BUF]), -EPERM);
  m.write(BUF, rlimitBytes(1024n, 1048577n));
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_NOFILE, BUF]), -EPERM);
  assert.equal(m.proc.limits[RLIMIT_NOFILE].max, 1048576, "unchanged");
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_NOFILE, UNMAPPED]), -EFAULT);
  m.write(BUF, rlimitBytes(1n, 1n));
  assert.equal(m.callSync(s.setrlimit, [99, BUF]), -EINVAL);
});

Deno.test("setrlimit: only root may raise a hard limit", () => {
  const m = new FakeMachine();
  m.proc.creds = user(1000);
  m.write(BUF, rlimitBytes(64n, 512n));
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_NOFILE, BUF]), 0);
  m.write(BUF, rlimitBytes(64n, 513n));
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_NOFILE, BUF]), -EPERM);
  m.proc.creds = rootCredentials();
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_NOFILE, BUF]), 0);
  assert.equal(m.proc.limits[RLIMIT_NOFILE].max, 513);
});

Deno.test("prlimit64: self by 0 or pid, old value returned, unknown pids ESRCH", () => {
  const m = new FakeMachine();
  m.write(BUF, rlimitBytes(50n, 60n));
  assert.equal(m.callSync(s.prlimit64, [0, RLIMIT_NOFILE, BUF, BUF + 16]), 0);
  assert.deepEqual(readRlimit(m, BUF + 16), [1024n, 1048576n]);
  assert.equal(m.callSync(s.prlimit64, [m.proc.pid, RLIMIT_NOFILE, 0, BUF + 16]), 0);
  assert.deepEqual(readRlimit(m, BUF + 16), [50n, 60n]);
  assert.equal(m.callSync(s.prlimit64, [0, RLIMIT_NOFILE, 0, 0]), 0);
  assert.equal(m.callSync(s.prlimit64, [4242, RLIMIT_NOFILE, 0, BUF]), -ESRCH);
  assert.equal(m.callSync(s.prlimit64, [-5, RLIMIT_NOFILE, 0, BUF]), -ESRCH);
  // The new value is read (EFAULT) before the pid is looked up.
  assert.equal(m.callSync(s.prlimit64, [4242, RLIMIT_NOFILE, UNMAPPED, 0]), -EFAULT);
  assert.equal(m.callSync(s.prlimit64, [0, 77, 0, BUF]), -EINVAL);
});

Deno.test("prlimit64: another process's limits, with Linux's permission rule", () => {
  const m = new FakeMachine();
  const other = m.spawn();
  m.write(BUF, rlimitBytes(10n, 20n));
  assert.equal(m.callSync(s.prlimit64, [other.proc.pid, RLIMIT_NOFILE, BUF, 0]), 0);
  assert.equal(other.proc.fds.limit, 10);
  assert.equal(m.proc.fds.limit, 1024);
  m.proc.creds = user(1000);
  assert.equal(m.callSync(s.prlimit64, [other.proc.pid, RLIMIT_NOFILE, 0, BUF]), -EPERM);
  other.proc.creds = { ...user(1000), gid: 0, egid: 0, sgid: 0 };
  assert.equal(m.callSync(s.prlimit64, [other.proc.pid, RLIMIT_NOFILE, 0, BUF]), 0);
  assert.deepEqual(readRlimit(m, BUF), [10n, 20n]);
});

Deno.test("getrandom: fills the buffer and returns the count", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(s.getrandom, [BUF, 256, 0]), 256);
  const first = m.read(BUF, 256);
  assert.equal(m.callSync(s.getrandom, [BUF, 256, 1 /* GRND_NONBLOCK */]), 256);
  const second = m.read(BUF, 256);
  assert.notDeepEqual(first, second);
  assert.ok(new Set(first).size > 64, "bytes look random");
  assert.equal(m.callSync(s.getrandom, [BUF, 70000, 2 /* GRND_RANDOM */]), 70000);
  assert.equal(m.callSync(s.getrandom, [BUF, 0, 4 /* GRND_INSECURE */]), 0);
});

Deno.test("getrandom: flag errors, faults, and short copies at the end of a mapping", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(s.getrandom, [BUF, 16, 8]), -EINVAL);
  assert.equal(m.callSync(s.getrandom, [BUF, 16, 2 | 4]), -EINVAL);
  assert.equal(m.callSync(s.getrandom, [UNMAPPED, 16, 0]), -EFAULT);
  assert.equal(m.callSync(s.getrandom, [0x7ffffffff000, 16, 0]), -EFAULT);
  assert.equal(m.callSync(s.getrandom, [AREA + AREA_SIZE - 100, 4096, 0]), 100);
  // A pending signal stops a long request at a page boundary.
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(m.callSync(s.getrandom, [AREA, 3 * 4096, 0]), 4096);
});

Deno.test("sched_getaffinity: one CPU, Linux's length rules", () => {
  const m = new FakeMachine();
  m.write(BUF, new Uint8Array(16).fill(0xff));
  assert.equal(m.callSync(s.sched_getaffinity, [0, 128, BUF]), 8);
  assert.deepEqual([...m.read(BUF, 16)], [1, 0, 0, 0, 0, 0, 0, 0, ...new Array(8).fill(0xff)]);
  assert.equal(m.callSync(s.sched_getaffinity, [m.proc.pid, 8, BUF]), 8);
  for (const len of [0, 4, 12, 0x20000000]) {
    assert.equal(m.callSync(s.sched_getaffinity, [0, len, BUF]), -EINVAL, `len ${len}`);
  }
  assert.equal(m.callSync(s.sched_getaffinity, [999, 8, BUF]), -ESRCH);
  assert.equal(m.callSync(s.sched_getaffinity, [0, 8, UNMAPPED]), -EFAULT);
});

Deno.test("sched_setaffinity: the mask must include CPU 0", () => {
  const m = new FakeMachine();
  m.write(BUF, new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0]));
  assert.equal(m.callSync(s.sched_setaffinity, [0, 8, BUF]), 0);
  assert.equal(m.callSync(s.sched_setaffinity, [0, 1, BUF]), 0);
  m.write(BUF, new Uint8Array([2]));
  assert.equal(m.callSync(s.sched_setaffinity, [0, 8, BUF]), -EINVAL);
  assert.equal(m.callSync(s.sched_setaffinity, [0, 0, BUF]), -EINVAL);
  assert.equal(m.callSync(s.sched_setaffinity, [999, 8, BUF]), -ESRCH);
  assert.equal(m.callSync(s.sched_setaffinity, [0, 8, UNMAPPED]), -EFAULT);
});

Deno.test("getcpu and sched_yield", () => {
  const m = new FakeMachine();
  m.write(BUF, new Uint8Array(8).fill(0xff));
  assert.equal(m.callSync(s.getcpu, [BUF, BUF + 4, 0]), 0);
  assert.deepEqual([...m.read(BUF, 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(m.callSync(s.getcpu, [0, 0, 0]), 0);
  assert.equal(m.callSync(s.getcpu, [UNMAPPED, BUF, 0]), -EFAULT);
  assert.equal(m.callSync(s.sched_yield, []), 0);
});
