// Tests for kernel/fs/locks.ts and kernel/syscalls/file-locks.ts: struct flock ranges and their
// errors, splitting/merging/upgrading/downgrading against a byte-by-byte model, conflicts and
// list order, waiting (wake-up, signals, EDEADLK between processes), flock conversions and the
// release rules (any fd of the inode for POSIX locks, the last reference for OFD and flock).
// tests/guest/golden (file-locks) compares the same calls with native Linux.

import assert from "node:assert/strict";
import {
  EAGAIN,
  EBADF,
  EDEADLK,
  EFAULT,
  EINVAL,
  EOVERFLOW,
  ERESTARTSYS,
} from "../../kernel/errno.ts";
import { FdTable } from "../../kernel/files/fd-table.ts";
import { O_PATH, O_RDONLY, O_RDWR, O_WRONLY, OpenFile } from "../../kernel/files/open-file.ts";
import type { Dentry, Path } from "../../kernel/fs/dentry.ts";
import type { Inode } from "../../kernel/fs/inode.ts";
import {
  applyRecordLock,
  F_RDLCK,
  F_UNLCK,
  F_WRLCK,
  listFileLocks,
  OFFSET_MAX,
  rangeOf,
  type RecordLock,
  setFlock,
  setRecordLock,
  testRecordLock,
  testRecordLocks,
} from "../../kernel/fs/locks.ts";
import type { Mount } from "../../kernel/fs/mount.ts";
import { SIGUSR1 } from "../../kernel/signals/signals.ts";
import { SyscallError } from "../../kernel/syscall-error.ts";
import { fileIoSyscalls } from "../../kernel/syscalls/file-io.ts";
import {
  F_GETLK,
  F_OFD_GETLK,
  F_OFD_SETLK,
  F_SETLK,
  F_SETLKW,
  fileLockSyscalls,
} from "../../kernel/syscalls/file-locks.ts";
import type { Task } from "../../kernel/proc/process.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const MAX = OFFSET_MAX;

function errnoOf(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof SyscallError) return e.errno;
    throw e;
  }
  return 0;
}

/** Let woken waiters run their retries. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

let nextIno = 1;
const fakeFs = {};

/** A stand-in inode: the lock code only reads its filesystem, number and size. */
function fakeInode(size = 100): Inode {
  return { fs: fakeFs, ino: nextIno++, size } as unknown as Inode;
}

function openOn(inode: Inode, flags = O_RDWR): OpenFile {
  const file = new OpenFile({ stat: () => assert.fail("no stat") }, flags, "/locked");
  file.location = { mount: {} as Mount, dentry: { inode } as Dentry } as Path;
  return file;
}

function lock(owner: object, type: number, start: bigint, end: bigint, ofd = false): RecordLock {
  return { owner, ofd, type, start, end, pid: 7 };
}

function spans(locks: readonly RecordLock[], owner?: object): string[] {
  return locks.filter((l) => owner === undefined || l.owner === owner).map((l) =>
    `${l.type === F_RDLCK ? "R" : "W"}${l.start}-${l.end === MAX ? "max" : l.end}`
  );
}

// ---- ranges -----------------------------------------------------------------------------------

Deno.test("locks: struct flock ranges from whence, start and length", () => {
  assert.deepEqual(rangeOf(0, 10n, 5n, 0, 0), { start: 10n, end: 14n });
  assert.deepEqual(rangeOf(0, 10n, 0n, 0, 0), { start: 10n, end: MAX });
  assert.deepEqual(rangeOf(0, 50n, -10n, 0, 0), { start: 40n, end: 49n });
  assert.deepEqual(rangeOf(1, -5n, 10n, 30, 0), { start: 25n, end: 34n });
  assert.deepEqual(rangeOf(2, -10n, 0n, 0, 100), { start: 90n, end: MAX });
  assert.deepEqual(rangeOf(2, 10n, -10n, 0, 100), { start: 100n, end: 109n });
  assert.deepEqual(rangeOf(0, 5n, -5n, 0, 0), { start: 0n, end: 4n });
  assert.deepEqual(rangeOf(0, MAX, 1n, 0, 0), { start: MAX, end: MAX });
  assert.deepEqual(rangeOf(0, 1n, MAX, 0, 0), { start: 1n, end: MAX });
  assert.deepEqual(rangeOf(0, MAX, -MAX, 0, 0), { start: 0n, end: MAX - 1n });
});

Deno.test("locks: bad ranges give Linux's EINVAL or EOVERFLOW", () => {
  const MIN = -(1n << 63n);
  assert.equal(errnoOf(() => rangeOf(3, 0n, 0n, 0, 0)), EINVAL);
  assert.equal(errnoOf(() => rangeOf(-1, 0n, 0n, 0, 0)), EINVAL);
  assert.equal(errnoOf(() => rangeOf(0, -1n, 0n, 0, 0)), EINVAL);
  assert.equal(errnoOf(() => rangeOf(0, 5n, -6n, 0, 0)), EINVAL);
  assert.equal(errnoOf(() => rangeOf(0, MAX, 2n, 0, 0)), EOVERFLOW);
  assert.equal(errnoOf(() => rangeOf(0, 2n, MAX, 0, 0)), EOVERFLOW);
  assert.equal(errnoOf(() => rangeOf(2, MAX, 0n, 0, 100)), EOVERFLOW);
  assert.equal(errnoOf(() => rangeOf(2, MIN, 0n, 0, 100)), EINVAL);
  assert.equal(errnoOf(() => rangeOf(0, 10n, MIN, 0, 0)), EINVAL);
  assert.equal(errnoOf(() => rangeOf(1, -31n, 1n, 30, 0)), EINVAL);
});

// ---- splitting and merging --------------------------------------------------------------------

Deno.test("locks: unlocking the middle splits, relocking merges", () => {
  const me = {};
  let list = applyRecordLock([], lock(me, F_WRLCK, 0n, 99n));
  list = applyRecordLock(list, lock(me, F_UNLCK, 40n, 59n));
  assert.deepEqual(spans(list), ["W0-39", "W60-99"]);
  list = applyRecordLock(list, lock(me, F_WRLCK, 40n, 59n));
  assert.deepEqual(spans(list), ["W0-99"]);
  list = applyRecordLock(list, lock(me, F_UNLCK, 0n, MAX));
  assert.deepEqual(list, []);
});

Deno.test("locks: downgrading and upgrading a middle piece", () => {
  const me = {};
  let list = applyRecordLock([], lock(me, F_WRLCK, 0n, 39n));
  list = applyRecordLock(list, lock(me, F_RDLCK, 10n, 19n));
  assert.deepEqual(spans(list), ["W0-9", "R10-19", "W20-39"]);
  list = applyRecordLock(list, lock(me, F_WRLCK, 10n, 19n));
  assert.deepEqual(spans(list), ["W0-39"]);
  list = applyRecordLock(list, lock(me, F_RDLCK, 30n, MAX));
  assert.deepEqual(spans(list), ["W0-29", "R30-max"]);
});

Deno.test("locks: same-type neighbours merge, other types are trimmed", () => {
  const me = {};
  let list = applyRecordLock([], lock(me, F_RDLCK, 45n, 49n));
  list = applyRecordLock(list, lock(me, F_WRLCK, 0n, 39n));
  list = applyRecordLock(list, lock(me, F_RDLCK, 40n, 44n));
  list = applyRecordLock(list, lock(me, F_RDLCK, 50n, 54n));
  assert.deepEqual(spans(list), ["W0-39", "R40-54"]);
  list = applyRecordLock(list, lock(me, F_RDLCK, 30n, 69n));
  assert.deepEqual(spans(list), ["W0-29", "R30-69"]);
  list = applyRecordLock(list, lock(me, F_WRLCK, MAX, MAX));
  list = applyRecordLock(list, lock(me, F_WRLCK, 70n, MAX - 1n));
  assert.deepEqual(spans(list), ["W0-29", "R30-69", "W70-max"]);
});

/** A deterministic xorshift32 stream. */
function randoms(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

Deno.test("locks: random lock/unlock sequences match a byte-by-byte model", () => {
  // Bytes 0..63 model the file; byte 63 also stands for everything up to OFFSET_MAX, so a
  // request either ends before 60 or runs to OFFSET_MAX.
  const BYTES = 64;
  const random = randoms(0x5eed1234);
  const owners = [{}, {}, {}];
  const model = owners.map(() => new Array<number>(BYTES).fill(F_UNLCK));
  let list: RecordLock[] = [];
  for (let step = 0; step < 3000; step++) {
    const who = Math.floor(random() * owners.length);
    const type = [F_RDLCK, F_WRLCK, F_UNLCK][Math.floor(random() * 3)];
    const start = Math.floor(random() * 60);
    const toEof = random() < 0.15;
    const end = toEof ? BYTES - 1 : Math.min(59, start + Math.floor(random() * 12));
    const request = lock(owners[who], type, BigInt(start), toEof ? MAX : BigInt(end));
    // The model refuses what conflicts with another owner's bytes, as F_SETLK would.
    const conflict = type !== F_UNLCK &&
      model.some((bytes, other) =>
        other !== who &&
        bytes.slice(start, end + 1).some((held) =>
          held !== F_UNLCK && (held === F_WRLCK || type === F_WRLCK)
        )
      );
    assert.equal(
      testRecordLocks(list, request) !== null && type !== F_UNLCK,
      conflict,
      `step ${step}: conflict`,
    );
    if (conflict) continue;
    model[who].fill(type, start, end + 1);
    list = applyRecordLock(list, request);
    owners.forEach((owner, k) => {
      const expected: string[] = [];
      let runStart = 0;
      for (let b = 1; b <= BYTES; b++) {
        if (b < BYTES && model[k][b] === model[k][runStart]) continue;
        if (model[k][runStart] !== F_UNLCK) {
          const endText = b === BYTES ? "max" : `${b - 1}`;
          expected.push(`${model[k][runStart] === F_RDLCK ? "R" : "W"}${runStart}-${endText}`);
        }
        runStart = b;
      }
      assert.deepEqual(spans(list, owner), expected, `step ${step}, owner ${k}`);
    });
    // Each owner's locks stay together in the list.
    const order = list.map((l) => owners.indexOf(l.owner));
    assert.deepEqual(order, [...order].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
  }
});

// ---- conflicts and what F_GETLK reports -------------------------------------------------------

Deno.test("locks: conflicts need two owners, an overlap and a write lock", () => {
  const a = {}, b = {};
  const list = [lock(a, F_RDLCK, 0n, 9n), lock(b, F_WRLCK, 20n, 29n, true)];
  assert.equal(testRecordLocks(list, lock(b, F_RDLCK, 0n, 9n)), null);
  assert.equal(testRecordLocks(list, lock(b, F_WRLCK, 10n, 19n)), null);
  assert.equal(testRecordLocks(list, lock(a, F_WRLCK, 0n, 9n)), null);
  assert.equal(testRecordLocks(list, lock(b, F_WRLCK, 9n, 9n)), list[0]);
  assert.equal(testRecordLocks(list, lock(a, F_RDLCK, 25n, MAX)), list[1]);
  // F_OFD_GETLK with F_UNLCK lists the caller's own locks.
  assert.equal(testRecordLocks(list, lock(b, F_UNLCK, 0n, MAX)), list[1]);
  assert.equal(testRecordLocks(list, lock(a, F_UNLCK, 10n, MAX)), null);
});

Deno.test("locks: owners keep their place in the list; F_GETLK reports the first conflict", () => {
  const a = {}, b = {}, c = {};
  let list = applyRecordLock([], lock(a, F_RDLCK, 50n, 59n));
  list = applyRecordLock(list, lock(b, F_RDLCK, 0n, 9n));
  list = applyRecordLock(list, lock(a, F_RDLCK, 0n, 9n));
  assert.deepEqual(list.map((l) => l.owner === a ? "a" : "b"), ["a", "a", "b"]);
  assert.equal(testRecordLocks(list, lock(c, F_WRLCK, 0n, MAX))?.owner, a);
  list = applyRecordLock(list, lock(a, F_UNLCK, 0n, MAX));
  list = applyRecordLock(list, lock(a, F_RDLCK, 0n, 9n));
  assert.deepEqual(list.map((l) => l.owner === a ? "a" : "b"), ["b", "a"]);
  assert.equal(testRecordLocks(list, lock(c, F_WRLCK, 0n, MAX))?.owner, b);
});

// ---- waiting ----------------------------------------------------------------------------------

const untilWoken = (wake: Promise<void>) => wake.then(() => true);

Deno.test("locks: a blocked OFD lock waits until the holder unlocks", async () => {
  const inode = fakeInode();
  const fa = openOn(inode), fb = openOn(inode);
  assert.equal(setRecordLock(fa, lock(fa, F_WRLCK, 0n, 9n, true), null), 0);
  assert.equal(setRecordLock(fb, lock(fb, F_RDLCK, 5n, 5n, true), null), -EAGAIN);
  let result: number | null = null;
  const pending = setRecordLock(fb, lock(fb, F_RDLCK, 5n, 5n, true), untilWoken);
  assert.ok(pending instanceof Promise);
  pending.then((r) => result = r);
  await settle();
  assert.equal(result, null);
  assert.equal(setRecordLock(fa, lock(fa, F_RDLCK, 0n, 9n, true), null), 0); // downgrade: shares
  await settle();
  assert.equal(result, 0);
  assert.deepEqual(testRecordLock(fb, lock(fb, F_UNLCK, 0n, MAX))?.start, 5n);
  fa.put();
  fb.put();
  assert.equal(testRecordLock(fa, lock({}, F_WRLCK, 0n, MAX)), null);
});

Deno.test("locks: a signal ends the wait with ERESTARTSYS and leaves no waiter", async () => {
  const inode = fakeInode();
  const fa = openOn(inode), fb = openOn(inode);
  assert.equal(setFlock(fa, F_WRLCK, 1, null), 0);
  const interrupted = Promise.withResolvers<boolean>();
  const pending = setFlock(fb, F_RDLCK, 1, () => interrupted.promise);
  interrupted.resolve(false);
  assert.equal(await pending, -ERESTARTSYS);
  assert.equal(setFlock(fb, F_RDLCK, 1, null), -EAGAIN);
  fa.put();
  assert.equal(setFlock(fb, F_RDLCK, 1, null), 0);
  fb.put();
  assert.equal(listFileLocks().filter((l) => l.inode === inode).length, 0);
});

Deno.test("locks: EDEADLK when POSIX owners would wait for each other", async () => {
  const inode = fakeInode();
  const file = openOn(inode);
  const p1 = {}, p2 = {}, p3 = {};
  assert.equal(setRecordLock(file, lock(p1, F_WRLCK, 0n, 9n), null), 0);
  assert.equal(setRecordLock(file, lock(p2, F_WRLCK, 10n, 19n), null), 0);
  assert.equal(setRecordLock(file, lock(p3, F_WRLCK, 20n, 29n), null), 0);
  const first = setRecordLock(file, lock(p1, F_WRLCK, 10n, 10n), untilWoken); // p1 waits for p2
  const second = setRecordLock(file, lock(p2, F_WRLCK, 20n, 20n), untilWoken); // p2 for p3
  assert.ok(first instanceof Promise && second instanceof Promise);
  assert.equal(setRecordLock(file, lock(p3, F_WRLCK, 0n, 0n), untilWoken), -EDEADLK);
  // Without a cycle it just waits; OFD requests are never checked.
  const ofd = openOn(inode);
  const ofdWait = setRecordLock(ofd, lock(ofd, F_WRLCK, 0n, 0n, true), untilWoken);
  assert.ok(ofdWait instanceof Promise);
  // p3 lets go: p2 gets 20, then nothing else changes for p1 until p2 unlocks.
  assert.equal(setRecordLock(file, lock(p3, F_UNLCK, 0n, MAX), null), 0);
  assert.equal(await second, 0);
  assert.equal(setRecordLock(file, lock(p2, F_UNLCK, 0n, MAX), null), 0);
  assert.equal(await first, 0);
  assert.equal(setRecordLock(file, lock(p1, F_UNLCK, 0n, MAX), null), 0);
  assert.equal(await ofdWait, 0);
  ofd.put();
});

// ---- flock ------------------------------------------------------------------------------------

Deno.test("flock: conversions drop the old lock first; dups share; last close releases", () => {
  const inode = fakeInode();
  const fa = openOn(inode), fb = openOn(inode, O_RDONLY);
  assert.equal(setFlock(fa, F_WRLCK, 1, null), 0);
  assert.equal(setFlock(fa, F_WRLCK, 1, null), 0);
  assert.equal(setFlock(fb, F_RDLCK, 1, null), -EAGAIN);
  assert.equal(setFlock(fa, F_RDLCK, 1, null), 0);
  assert.equal(setFlock(fb, F_RDLCK, 1, null), 0);
  assert.equal(setFlock(fa, F_WRLCK, 1, null), -EAGAIN);
  assert.equal(setFlock(fb, F_WRLCK, 1, null), 0, "fa's failed conversion left it no lock");
  assert.equal(setFlock(fb, F_UNLCK, 1, null), 0);
  assert.equal(setFlock(fb, F_UNLCK, 1, null), 0);
  const dup = fa.hold();
  assert.equal(setFlock(dup, F_WRLCK, 1, null), 0);
  assert.equal(setFlock(fa, F_RDLCK, 1, null), 0);
  assert.equal(setFlock(fb, F_WRLCK, 1, null), -EAGAIN);
  fa.put();
  assert.equal(setFlock(fb, F_WRLCK, 1, null), -EAGAIN);
  dup.put();
  assert.equal(setFlock(fb, F_WRLCK, 1, null), 0);
  fb.put();
});

Deno.test("flock: a blocked request is granted when the holder unlocks", async () => {
  const inode = fakeInode();
  const fa = openOn(inode), fb = openOn(inode);
  assert.equal(setFlock(fa, F_RDLCK, 1, null), 0);
  const pending = setFlock(fb, F_WRLCK, 1, untilWoken);
  assert.ok(pending instanceof Promise);
  assert.equal(setFlock(fa, F_UNLCK, 1, null), 0);
  assert.equal(await pending, 0);
  assert.equal(setFlock(fa, F_RDLCK, 1, null), -EAGAIN);
  fa.put();
  fb.put();
});

// ---- release rules ----------------------------------------------------------------------------

Deno.test("locks: closing any fd of the inode drops the table's POSIX locks", () => {
  const inode = fakeInode();
  const table = new FdTable();
  const f1 = openOn(inode), f2 = openOn(inode, O_RDONLY), pathOnly = openOn(inode, O_PATH);
  const fd1 = table.install(f1, false), fd2 = table.install(f2, false);
  const fd3 = table.install(pathOnly, false);
  const probe = () => testRecordLock(f1, lock({}, F_WRLCK, 0n, MAX));
  assert.equal(setRecordLock(f1, lock(table, F_WRLCK, 0n, 9n), null), 0);
  assert.equal(table.close(fd3), 0);
  assert.notEqual(probe(), null, "an O_PATH fd does not count");
  assert.equal(table.close(fd2), 0);
  assert.equal(probe(), null);
  assert.equal(setRecordLock(f1, lock(table, F_WRLCK, 0n, 9n), null), 0);
  table.installAt(fd1, openOn(fakeInode()), false);
  assert.equal(probe(), null, "dup2 over an fd closes it");
  table.closeAll();
});

Deno.test("locks: OFD locks live until the open file's last reference goes", () => {
  const inode = fakeInode();
  const table = new FdTable();
  const file = openOn(inode);
  const fd = table.install(file, false);
  const dupFd = table.install(file.hold(), false);
  assert.equal(setRecordLock(file, lock(file, F_WRLCK, 0n, 9n, true), null), 0);
  assert.equal(table.close(dupFd), 0);
  const probe = () => testRecordLock(file, lock(table, F_WRLCK, 0n, MAX));
  assert.equal(probe()?.owner, file);
  assert.equal(table.close(fd), 0);
  assert.equal(probe(), null);
});

// ---- the syscalls -----------------------------------------------------------------------------

const FL = AREA + 256;

function writeFlock(
  m: FakeMachine,
  task: Task,
  type: number,
  whence: number,
  start: bigint,
  len: bigint,
  pid = 0,
) {
  const bytes = new Uint8Array(32);
  const view = new DataView(bytes.buffer);
  view.setInt16(0, type, true);
  view.setInt16(2, whence, true);
  view.setBigInt64(8, start, true);
  view.setBigInt64(16, len, true);
  view.setInt32(24, pid, true);
  m.write(FL, bytes, task);
}

function readFlock(m: FakeMachine, task: Task) {
  const view = new DataView(m.read(FL, 32, task).buffer);
  return {
    type: view.getInt16(0, true),
    whence: view.getInt16(2, true),
    start: view.getBigInt64(8, true),
    len: view.getBigInt64(16, true),
    pid: view.getInt32(24, true),
  };
}

/** fcntl(fd, cmd, &flock) as `task`, with the struct flock written first. */
function fcntlLock(
  m: FakeMachine,
  task: Task,
  fd: number,
  cmd: number,
  ...flock: [type: number, whence: number, start: bigint, len: bigint, pid?: number]
) {
  writeFlock(m, task, ...flock);
  return m.call(fileIoSyscalls.fcntl, [fd, cmd, FL], task);
}

Deno.test("fcntl locks: two processes see each other's POSIX locks with their pids", () => {
  const m = new FakeMachine();
  const other = m.spawn();
  const inode = fakeInode();
  const fd = m.proc.fds.install(openOn(inode), false);
  const ofd = other.proc.fds.install(openOn(inode), false);
  assert.equal(fcntlLock(m, m.task, fd, F_SETLK, F_WRLCK, 0, 10n, 0n), 0);
  assert.equal(fcntlLock(m, other, ofd, F_SETLK, F_RDLCK, 0, 0n, 20n), -EAGAIN);
  assert.equal(fcntlLock(m, other, ofd, F_GETLK, F_RDLCK, 1, 5n, 0n), 0);
  assert.deepEqual(readFlock(m, other), {
    type: F_WRLCK,
    whence: 0,
    start: 10n,
    len: 0n,
    pid: m.proc.pid,
  });
  assert.equal(fcntlLock(m, m.task, fd, F_GETLK, F_WRLCK, 1, 3n, -2n, 99), 0);
  assert.deepEqual(readFlock(m, m.task), {
    type: F_UNLCK,
    whence: 1,
    start: 3n,
    len: -2n,
    pid: 99,
  });
  assert.equal(fcntlLock(m, other, ofd, F_OFD_SETLK, F_RDLCK, 0, 0n, 5n), 0);
  assert.equal(fcntlLock(m, m.task, fd, F_GETLK, F_WRLCK, 0, 0n, 0n), 0);
  assert.equal(readFlock(m, m.task).pid, -1);
  assert.equal(fcntlLock(m, other, ofd, F_OFD_GETLK, F_UNLCK, 0, 0n, 0n), 0);
  assert.deepEqual(readFlock(m, other), { type: F_RDLCK, whence: 0, start: 0n, len: 5n, pid: -1 });
  m.kernel.exitProcess(m.proc, 0);
  assert.equal(fcntlLock(m, other, ofd, F_SETLK, F_WRLCK, 0, 10n, 0n), 0, "exit drops locks");
});

Deno.test("fcntl locks: argument checks in Linux's order", () => {
  const m = new FakeMachine();
  const inode = fakeInode();
  const rd = m.proc.fds.install(openOn(inode, O_RDONLY), false);
  const wr = m.proc.fds.install(openOn(inode, O_WRONLY), false);
  const path = m.proc.fds.install(openOn(inode, O_PATH), false);
  const t = m.task;
  assert.equal(fcntlLock(m, t, rd, F_SETLK, F_WRLCK, 0, 0n, 0n), -EBADF);
  assert.equal(fcntlLock(m, t, wr, F_SETLK, F_RDLCK, 0, 0n, 0n), -EBADF);
  assert.equal(fcntlLock(m, t, rd, F_SETLK, F_UNLCK, 0, 0n, 0n), 0);
  assert.equal(fcntlLock(m, t, rd, F_SETLK, F_WRLCK, 7, 0n, 0n), -EINVAL);
  assert.equal(fcntlLock(m, t, rd, F_SETLK, 3, 0, 0n, 0n), -EINVAL);
  assert.equal(fcntlLock(m, t, rd, F_SETLK, F_RDLCK, 0, (1n << 63n) - 1n, 2n), -EOVERFLOW);
  assert.equal(fcntlLock(m, t, rd, F_GETLK, F_UNLCK, 0, 0n, 0n), -EINVAL);
  assert.equal(fcntlLock(m, t, rd, F_OFD_GETLK, 5, 0, 0n, 0n), -EINVAL);
  assert.equal(fcntlLock(m, t, rd, F_OFD_SETLK, F_RDLCK, 0, 0n, 0n, 1), -EINVAL);
  assert.equal(fcntlLock(m, t, rd, F_OFD_SETLK, F_WRLCK, 0, 0n, 0n, 1), -EBADF);
  assert.equal(fcntlLock(m, t, path, F_SETLK, F_RDLCK, 0, 0n, 0n), -EBADF);
  assert.equal(m.call(fileIoSyscalls.fcntl, [rd, F_GETLK, UNMAPPED]), -EFAULT);
  assert.equal(m.call(fileIoSyscalls.fcntl, [path, F_GETLK, UNMAPPED]), -EBADF);
});

Deno.test("fcntl locks: F_SETLKW waits, a signal interrupts it, EDEADLK across processes", async () => {
  const m = new FakeMachine();
  const other = m.spawn();
  const inode = fakeInode();
  const fd = m.proc.fds.install(openOn(inode), false);
  const ofd = other.proc.fds.install(openOn(inode), false);
  assert.equal(fcntlLock(m, m.task, fd, F_SETLK, F_WRLCK, 0, 0n, 10n), 0);
  assert.equal(fcntlLock(m, other, ofd, F_SETLK, F_WRLCK, 0, 10n, 10n), 0);
  const waiting = fcntlLock(m, other, ofd, F_SETLKW, F_WRLCK, 0, 0n, 1n);
  assert.ok(waiting instanceof Promise);
  assert.equal(fcntlLock(m, m.task, fd, F_SETLKW, F_WRLCK, 0, 10n, 1n), -EDEADLK);
  m.kernel.sendSignal(other, SIGUSR1);
  assert.equal(await waiting, -ERESTARTSYS);
  const again = fcntlLock(m, other, ofd, F_SETLKW, F_RDLCK, 0, 5n, 1n);
  assert.ok(again instanceof Promise);
  assert.equal(fcntlLock(m, m.task, fd, F_SETLK, F_UNLCK, 0, 0n, 0n), 0);
  assert.equal(await again, -ERESTARTSYS, "the earlier signal is still pending");
  other.pending.clear();
  assert.equal(fcntlLock(m, other, ofd, F_SETLKW, F_RDLCK, 0, 5n, 1n), 0);
});

Deno.test("flock syscall: op checks before the fd, LOCK_MAND ignored, O_PATH is EBADF", () => {
  const m = new FakeMachine();
  const inode = fakeInode();
  const fa = m.proc.fds.install(openOn(inode), false);
  const fb = m.proc.fds.install(openOn(inode, O_RDONLY), false);
  const path = m.proc.fds.install(openOn(inode, O_PATH), false);
  const flock = fileLockSyscalls.flock;
  assert.equal(m.callSync(flock, [999, 0]), -EINVAL);
  assert.equal(m.callSync(flock, [999, 1]), -EBADF);
  assert.equal(m.callSync(flock, [999, 32 | 1]), 0);
  assert.equal(m.callSync(flock, [fa, 3]), -EINVAL);
  assert.equal(m.callSync(flock, [fa, 4]), -EINVAL);
  assert.equal(m.callSync(flock, [fa, 0xffffffff]), 0);
  assert.equal(m.callSync(flock, [path, 8]), -EBADF);
  assert.equal(m.callSync(flock, [fa, 2]), 0);
  assert.equal(m.callSync(flock, [fb, 1 | 4]), -EAGAIN);
  const waiting = m.call(flock, [fb, 1]);
  assert.ok(waiting instanceof Promise);
  assert.equal(m.callSync(fileIoSyscalls.close, [fa]), 0);
  return waiting.then((r) => assert.equal(r, 0));
});
