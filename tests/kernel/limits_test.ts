// Tests for kernel/proc/limits.ts and the rlimit handlers in kernel/syscalls/system.ts: where a
// new soft limit takes effect (fd table, stack, address-space and data limits) for the caller
// and for another process through prlimit64 (by pid or by one of its threads' ids), limits the
// kernel only stores (RLIMIT_NPROC), and applyLimitsToAddressSpace for a fresh address space.

import assert from "node:assert/strict";
import { EPERM } from "../../kernel/errno.ts";
import { AddressSpace } from "../../kernel/mm/address-space.ts";
import {
  applyLimitsToAddressSpace,
  RLIMIT_AS,
  RLIMIT_DATA,
  RLIMIT_NOFILE,
  RLIMIT_NPROC,
  RLIMIT_STACK,
} from "../../kernel/proc/limits.ts";
import { rootCredentials } from "../../kernel/proc/process.ts";
import { systemSyscalls as s } from "../../kernel/syscalls/system.ts";
import { AREA, FakeMachine } from "./lib/fake-task.ts";

const NEW = AREA;
const OLD = AREA + 16;
const INF = (1n << 64n) - 1n;
const MiB = 1024 * 1024;

function writeLimit(m: FakeMachine, cur: bigint, max: bigint): void {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, cur, true);
  dv.setBigUint64(8, max, true);
  m.write(NEW, out);
}

function user(uid: number) {
  const ids = { uid, euid: uid, suid: uid, fsuid: uid, gid: uid, egid: uid, sgid: uid, fsgid: uid };
  return { ...rootCredentials(), ...ids, groups: [] };
}

Deno.test("prlimit64 on another process: its fd table and address space, not the caller's", () => {
  const m = new FakeMachine();
  const other = m.spawn();
  const pid = other.proc.pid;
  const cases: [number, bigint, () => number, () => number][] = [
    [RLIMIT_NOFILE, 64n, () => other.proc.fds.limit, () => m.proc.fds.limit],
    [RLIMIT_STACK, 1n << 20n, () => other.proc.mm.stackLimit, () => m.proc.mm.stackLimit],
    [RLIMIT_AS, 1n << 30n, () => other.proc.mm.addressLimit, () => m.proc.mm.addressLimit],
    [RLIMIT_DATA, 1n << 25n, () => other.proc.mm.dataLimit, () => m.proc.mm.dataLimit],
  ];
  for (const [resource, value, target, caller] of cases) {
    const before = caller();
    writeLimit(m, value, value);
    assert.equal(m.callSync(s.prlimit64, [pid, resource, NEW, OLD]), 0);
    assert.equal(target(), Number(value), `resource ${resource}`);
    assert.equal(caller(), before, `caller's resource ${resource}`);
  }
  // Through the id of one of its threads, as Linux's find_task_by_vpid allows.
  const thread = m.kernel.newTask(other.proc, m.kernel.allocatePid());
  writeLimit(m, 32n, 64n);
  assert.equal(m.callSync(s.prlimit64, [thread.tid, RLIMIT_NOFILE, NEW, 0]), 0);
  assert.equal(other.proc.fds.limit, 32);
});

Deno.test("RLIMIT_NPROC is stored for fork; unlimited values read back as RLIM_INFINITY", () => {
  const m = new FakeMachine();
  writeLimit(m, 7n, 9n);
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_NPROC, NEW]), 0);
  assert.deepEqual(m.proc.limits[RLIMIT_NPROC], { cur: 7, max: 9 });
  writeLimit(m, INF, INF);
  assert.equal(m.callSync(s.setrlimit, [RLIMIT_DATA, NEW]), 0);
  assert.equal(m.proc.mm.dataLimit, Infinity);
  assert.equal(m.callSync(s.getrlimit, [RLIMIT_DATA, OLD]), 0);
  assert.equal(m.u64big(OLD), INF);
});

Deno.test("prlimit64: lowering another user's limits needs matching ids or root", () => {
  const m = new FakeMachine();
  const other = m.spawn("other", user(1000));
  m.proc.creds = user(1000);
  writeLimit(m, 8n * BigInt(MiB), 8n * BigInt(MiB));
  assert.equal(m.callSync(s.prlimit64, [other.proc.pid, RLIMIT_STACK, NEW, 0]), 0);
  assert.equal(other.proc.mm.stackLimit, 8 * MiB);
  // Raising the hard limit back needs CAP_SYS_RESOURCE.
  writeLimit(m, 8n * BigInt(MiB), INF);
  assert.equal(m.callSync(s.prlimit64, [other.proc.pid, RLIMIT_STACK, NEW, 0]), -EPERM);
  // A set-uid target (saved uid differs) is out of reach.
  other.proc.creds = { ...user(1000), suid: 0 };
  writeLimit(m, BigInt(MiB), BigInt(MiB));
  assert.equal(m.callSync(s.prlimit64, [other.proc.pid, RLIMIT_STACK, NEW, 0]), -EPERM);
  assert.equal(other.proc.mm.stackLimit, 8 * MiB);
});

Deno.test("applyLimitsToAddressSpace: a new address space gets the process's limits", () => {
  const m = new FakeMachine();
  m.proc.limits[RLIMIT_STACK] = { cur: 2 * MiB, max: Infinity };
  m.proc.limits[RLIMIT_AS] = { cur: 512 * MiB, max: Infinity };
  m.proc.limits[RLIMIT_DATA] = { cur: 16 * MiB, max: 32 * MiB };
  const fresh = new AddressSpace(m.kernel.mem, m.kernel.frames);
  assert.equal(fresh.stackLimit, 8 * MiB);
  m.proc.setAddressSpace(fresh);
  applyLimitsToAddressSpace(m.proc);
  assert.deepEqual([fresh.stackLimit, fresh.addressLimit, fresh.dataLimit], [
    2 * MiB,
    512 * MiB,
    16 * MiB,
  ]);
  // RLIMIT_AS then refuses a mapping past it.
  assert.ok(fresh.mapAnonymous(0, 600 * MiB, 3, 0, "no") < 0);
  assert.ok(fresh.mapAnonymous(0, 100 * MiB, 3, 0, "no") > 0);
});
