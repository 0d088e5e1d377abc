// Tests for kernel/syscalls/credentials.ts: the getters, getgroups' size rules, and the set*id
// rules for root and for ordinary users (saved ids, "unchanged" -1, dumpable reset).

import assert from "node:assert/strict";
import { EFAULT, EINVAL, EPERM } from "../../kernel/errno.ts";
import { type Credentials, rootCredentials } from "../../kernel/proc/process.ts";
import { credentialSyscalls as c } from "../../kernel/syscalls/credentials.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const BUF = AREA;
const NONE = 0xffffffff;

function ids(creds: Credentials) {
  const { uid, euid, suid, fsuid, gid, egid, sgid, fsgid } = creds;
  return { uid, euid, suid, fsuid, gid, egid, sgid, fsgid };
}

function setUids(m: FakeMachine, uid: number, euid: number, suid: number) {
  m.proc.creds = { ...m.proc.creds, uid, euid, suid, fsuid: euid };
}

Deno.test("getters report the process's ids", () => {
  const m = new FakeMachine();
  m.proc.creds = { ...rootCredentials(), uid: 1, euid: 2, suid: 3, gid: 4, egid: 5, sgid: 6 };
  assert.deepEqual(
    [c.getuid, c.geteuid, c.getgid, c.getegid].map((h) => m.callSync(h, [])),
    [1, 2, 4, 5],
  );
  assert.equal(m.callSync(c.getresuid, [BUF, BUF + 4, BUF + 8]), 0);
  assert.deepEqual([0, 4, 8].map((o) => m.u32(BUF + o)), [1, 2, 3]);
  assert.equal(m.callSync(c.getresgid, [BUF, BUF + 4, BUF + 8]), 0);
  assert.deepEqual([0, 4, 8].map((o) => m.u32(BUF + o)), [4, 5, 6]);
  assert.equal(m.callSync(c.getresuid, [BUF, UNMAPPED, BUF + 8]), -EFAULT);
});

Deno.test("getgroups: size 0 counts, a small size is EINVAL", () => {
  const m = new FakeMachine();
  m.proc.creds = { ...m.proc.creds, groups: [0, 10, 20] };
  assert.equal(m.callSync(c.getgroups, [0, 0]), 3);
  assert.equal(m.callSync(c.getgroups, [2, BUF]), -EINVAL);
  assert.equal(m.callSync(c.getgroups, [-1, BUF]), -EINVAL);
  assert.equal(m.callSync(c.getgroups, [8, BUF]), 3);
  assert.deepEqual([0, 4, 8].map((o) => m.u32(BUF + o)), [0, 10, 20]);
  assert.equal(m.callSync(c.getgroups, [3, UNMAPPED]), -EFAULT);
});

Deno.test("setgroups: root sets a sorted list; limits and invalid gids", () => {
  const m = new FakeMachine();
  [30, 5, 5, 17].forEach((g, i) => m.writeU32(BUF + i * 4, g));
  assert.equal(m.callSync(c.setgroups, [4, BUF]), 0);
  assert.deepEqual(m.proc.creds.groups, [5, 5, 17, 30]);
  assert.equal(m.callSync(c.setgroups, [0, 0]), 0);
  assert.deepEqual(m.proc.creds.groups, []);
  assert.equal(m.callSync(c.setgroups, [65537, BUF]), -EINVAL);
  assert.equal(m.callSync(c.setgroups, [-1, BUF]), -EINVAL);
  m.writeU32(BUF, NONE);
  assert.equal(m.callSync(c.setgroups, [1, BUF]), -EINVAL);
  assert.equal(m.callSync(c.setgroups, [1, UNMAPPED]), -EFAULT);
  setUids(m, 1000, 1000, 1000);
  assert.equal(m.callSync(c.setgroups, [0, 0]), -EPERM);
});

Deno.test("setuid: root sets all ids; a user may only return to its real or saved uid", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(c.setuid, [NONE]), -EINVAL);
  assert.equal(m.callSync(c.setuid, [1000]), 0);
  assert.deepEqual(ids(m.proc.creds), {
    ...ids(rootCredentials()),
    uid: 1000,
    euid: 1000,
    suid: 1000,
    fsuid: 1000,
  });
  assert.equal(m.proc.dumpable, 0, "an euid change makes the process non-dumpable");
  assert.equal(m.callSync(c.setuid, [0]), -EPERM);
  setUids(m, 1000, 1001, 1002);
  assert.equal(m.callSync(c.setuid, [1002]), 0);
  assert.deepEqual([m.proc.creds.uid, m.proc.creds.euid, m.proc.creds.suid], [1000, 1002, 1002]);
  assert.equal(m.callSync(c.setuid, [1001]), -EPERM);
});

Deno.test("setgid: root or a user's real/saved gid", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(c.setgid, [50]), 0);
  assert.deepEqual(
    [m.proc.creds.gid, m.proc.creds.egid, m.proc.creds.sgid, m.proc.creds.fsgid],
    [50, 50, 50, 50],
  );
  setUids(m, 1000, 1000, 1000);
  assert.equal(m.callSync(c.setgid, [51]), -EPERM);
  assert.equal(m.callSync(c.setgid, [50]), 0);
  assert.equal(m.callSync(c.setgid, [NONE]), -EINVAL);
});

Deno.test("setresuid: -1 keeps a field; a user may shuffle its three ids only", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(c.setresuid, [NONE, 1000, NONE]), 0);
  assert.deepEqual([m.proc.creds.uid, m.proc.creds.euid, m.proc.creds.suid], [0, 1000, 0]);
  assert.equal(m.proc.creds.fsuid, 1000);
  // Effective uid 1000: privilege is gone, but 0 is still the real and saved uid.
  assert.equal(m.callSync(c.setresuid, [NONE, 5, NONE]), -EPERM);
  assert.equal(m.callSync(c.setresuid, [NONE, 0, NONE]), 0);
  assert.equal(m.proc.creds.euid, 0);
  assert.equal(m.callSync(c.setresuid, [5, 6, 7]), 0);
  assert.deepEqual([m.proc.creds.uid, m.proc.creds.euid, m.proc.creds.suid], [5, 6, 7]);
  assert.equal(m.callSync(c.setresuid, [7, 5, 6]), 0);
  assert.equal(m.callSync(c.setresuid, [8, NONE, NONE]), -EPERM);
  assert.deepEqual([m.proc.creds.uid, m.proc.creds.euid, m.proc.creds.suid], [7, 5, 6]);
});

Deno.test("setresgid: needs root for a new gid", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(c.setresgid, [1, 2, 3]), 0);
  assert.deepEqual([m.proc.creds.gid, m.proc.creds.egid, m.proc.creds.sgid], [1, 2, 3]);
  assert.equal(m.proc.creds.fsgid, 2);
  setUids(m, 9, 9, 9);
  assert.equal(m.callSync(c.setresgid, [3, 1, NONE]), 0);
  assert.equal(m.callSync(c.setresgid, [NONE, 4, NONE]), -EPERM);
});

Deno.test("setreuid: the saved uid follows the effective one when Linux says so", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(c.setreuid, [1000, 2000]), 0);
  assert.deepEqual([m.proc.creds.uid, m.proc.creds.euid, m.proc.creds.suid], [1000, 2000, 2000]);
  // Swapping real and effective is allowed without privilege.
  assert.equal(m.callSync(c.setreuid, [2000, 1000]), 0);
  assert.deepEqual([m.proc.creds.uid, m.proc.creds.euid, m.proc.creds.suid], [2000, 1000, 1000]);
  // Setting only the effective uid back to the real one leaves the saved uid alone.
  assert.equal(m.callSync(c.setreuid, [NONE, 2000]), 0);
  assert.deepEqual([m.proc.creds.uid, m.proc.creds.euid, m.proc.creds.suid], [2000, 2000, 1000]);
  assert.equal(m.callSync(c.setreuid, [3000, NONE]), -EPERM);
  assert.equal(m.callSync(c.setregid, [NONE, 77]), -EPERM);
});

Deno.test("setfsuid/setfsgid return the old value and change only when allowed", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(c.setfsuid, [123]), 0);
  assert.equal(m.proc.creds.fsuid, 123);
  assert.equal(m.callSync(c.setfsuid, [NONE]), 123);
  assert.equal(m.proc.creds.fsuid, 123);
  assert.equal(m.callSync(c.setfsgid, [9]), 0);
  assert.equal(m.proc.creds.fsgid, 9);
  setUids(m, 1000, 1000, 1000);
  assert.equal(m.callSync(c.setfsuid, [0]), 1000);
  assert.equal(m.proc.creds.fsuid, 1000);
});
