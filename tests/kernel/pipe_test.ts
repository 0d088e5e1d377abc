// Tests for pipes (kernel/files/pipe.ts, kernel/syscalls/pipe.ts and the pipe paths of
// file-io.ts): pipe2's flags, fstat and /proc names, Linux's page-ring capacity (the numbers are
// native Linux 6.18 output for the same write patterns), FIONREAD, F_GETPIPE_SZ/F_SETPIPE_SZ, EOF,
// EPIPE with SIGPIPE, packet mode, reference counting through dup, and blocking reads and writes
// between two threads, including partial writes cut short by a signal.

import assert from "node:assert/strict";
import {
  EAGAIN,
  EBADF,
  EBUSY,
  EFAULT,
  EINVAL,
  EPERM,
  EPIPE,
  ERESTARTSYS,
  ESPIPE,
} from "../../kernel/errno.ts";
import { anonInodeStat } from "../../kernel/files/anon-inode.ts";
import {
  O_CLOEXEC,
  O_DIRECT,
  O_NONBLOCK,
  O_RDWR,
  OpenFile,
  S_IFIFO,
} from "../../kernel/files/open-file.ts";
import { PIPEFS_DEV } from "../../kernel/fs/pipefs.ts";
import { FIONREAD } from "../../kernel/files/stdio-file.ts";
import { SIGPIPE, SIGUSR1 } from "../../kernel/signals/signals.ts";
import { fileIoSyscalls } from "../../kernel/syscalls/file-io.ts";
import { pipeSyscalls } from "../../kernel/syscalls/pipe.ts";
import { rootCredentials } from "../../kernel/proc/process.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const { read, write, close, dup, fcntl, ioctl, lseek, pread64 } = fileIoSyscalls;
const FDS = AREA;
const BUF = AREA + 0x1000;
const F_GETFL = 3, F_SETFL = 4, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;

/** A new pipe's [read fd, write fd]. */
function makePipe(m: FakeMachine, flags = 0): [number, number] {
  assert.equal(m.callSync(pipeSyscalls.pipe2, [FDS, flags]), 0);
  return [m.u32(FDS), m.u32(FDS + 4)];
}

/** Let pending promise callbacks run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Write `count` bytes of `byte` from the test area. */
function put(m: FakeMachine, fd: number, count: number, byte = 0x61, task = m.task) {
  m.write(BUF, new Uint8Array(count).fill(byte), task);
  return m.call(write, [fd, BUF, count], task);
}

/** Fill a non-blocking write end with writes of `size` bytes; returns the bytes taken. */
function fill(m: FakeMachine, fd: number, size: number): number {
  let total = 0;
  for (;;) {
    const n = put(m, fd, size);
    if (n === -EAGAIN) return total;
    assert.ok(typeof n === "number" && n > 0, `write returned ${n}`);
    total += n;
  }
}

Deno.test("pipe2: flags, fds, F_GETFL and fstat as on Linux", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(pipeSyscalls.pipe2, [FDS, 0o100]), -EINVAL); // O_CREAT
  assert.equal(m.callSync(pipeSyscalls.pipe2, [UNMAPPED, 0]), -EFAULT);
  assert.deepEqual(m.proc.fds.openFds(), [], "nothing installed after EFAULT");
  const [r, w] = makePipe(m);
  assert.deepEqual([r, w], [0, 1]);
  assert.equal(m.callSync(fcntl, [r, F_GETFL]), 0);
  assert.equal(m.callSync(fcntl, [w, F_GETFL]), 1);
  const [r2, w2] = makePipe(m, O_NONBLOCK | O_CLOEXEC | O_DIRECT);
  assert.equal(m.callSync(fcntl, [r2, F_GETFL]), O_NONBLOCK, "O_DIRECT only on the write end");
  assert.equal(m.callSync(fcntl, [w2, F_GETFL]), 1 | O_NONBLOCK | O_DIRECT);
  assert.equal(m.proc.fds.cloexec(r2), true);
  const rf = m.proc.fds.get(r)!, wf = m.proc.fds.get(w)!;
  const st = rf.ops.stat(rf);
  assert.equal(st.mode, S_IFIFO | 0o600);
  assert.equal(st.dev, PIPEFS_DEV);
  assert.equal(st.blksize, 4096);
  assert.equal(st.size, 0);
  assert.equal(wf.ops.stat(wf).ino, st.ino, "both ends are one inode");
  assert.notEqual(m.proc.fds.get(r2)!.ops.stat(m.proc.fds.get(r2)!).ino, st.ino);
  assert.equal(rf.path, `pipe:[${st.ino}]`, "/proc/<pid>/fd shows pipe:[ino]");
  assert.equal(m.callSync(lseek, [r, 0, 1]), -ESPIPE);
  assert.equal(m.callSync(pread64, [r, BUF, 1, 0]), -ESPIPE);
  assert.equal(m.callSync(read, [w, BUF, 1]), -EBADF);
  assert.equal(m.callSync(write, [r, BUF, 1]), -EBADF);
});

Deno.test("pipe: the owner is the creator's fsuid and fsgid", () => {
  const m = new FakeMachine();
  const t = m.spawn("user", { ...rootCredentials(), fsuid: 1000, fsgid: 100 });
  assert.equal(m.callSync(pipeSyscalls.pipe, [FDS], t), 0);
  const f = t.proc.fds.get(t.proc.user.u32(FDS))!;
  const st = f.ops.stat(f);
  assert.deepEqual([st.uid, st.gid], [1000, 100]);
});

Deno.test("pipe capacity: Linux's ring of sixteen pages (native numbers)", () => {
  const m = new FakeMachine();
  const [, w1] = makePipe(m, O_NONBLOCK);
  assert.equal(fill(m, w1, 1), 65536, "1-byte writes merge into pages");
  const [r2, w2] = makePipe(m, O_NONBLOCK);
  assert.equal(put(m, w2, 100), 100);
  assert.equal(100 + fill(m, w2, 4096), 61540, "page-sized writes do not merge");
  assert.equal(put(m, w2, 10), -EAGAIN, "full: nothing fits");
  m.writeU32(BUF, 0xffffffff);
  assert.equal(m.callSync(ioctl, [r2, FIONREAD, BUF]), 0);
  assert.equal(m.u32(BUF), 61540);
  const [, w3] = makePipe(m, O_NONBLOCK);
  assert.equal(fill(m, w3, 3000), 48000, "3000-byte writes take a page each");
  const [, w4] = makePipe(m, O_NONBLOCK);
  assert.equal(put(m, w4, 70000), 65536, "a large non-blocking write is cut at the capacity");
});

Deno.test("pipe: writes up to PIPE_BUF are all or nothing", () => {
  const m = new FakeMachine();
  const [r, w] = makePipe(m, O_NONBLOCK);
  assert.equal(fill(m, w, 4000), 64000);
  // 96 bytes of room are left in the last page, but 4000 more would not fit there.
  assert.equal(put(m, w, 4000), -EAGAIN);
  assert.equal(put(m, w, 96), 96, "a write that fits the last page merges");
  assert.equal(m.callSync(read, [r, BUF, 100]), 100);
  assert.equal(put(m, w, 4000), -EAGAIN, "a partly read page frees no page");
});

Deno.test("pipe: data comes out in order, EOF after the last writer closes", () => {
  const m = new FakeMachine();
  const [r, w] = makePipe(m);
  m.write(BUF, new TextEncoder().encode("hello, pipe"));
  assert.equal(m.callSync(write, [w, BUF, 11]), 11);
  assert.equal(m.callSync(read, [r, BUF + 100, 5]), 5);
  assert.equal(new TextDecoder().decode(m.read(BUF + 100, 5)), "hello");
  const w2 = m.callSync(dup, [w]);
  assert.equal(m.callSync(close, [w]), 0);
  assert.equal(m.callSync(read, [r, BUF + 100, 100]), 6, "what is there is read at once");
  const pending = m.call(read, [r, BUF, 1]);
  assert.equal(typeof pending, "object", "a writer is left: the read waits");
  assert.equal(m.callSync(close, [w2]), 0);
  return Promise.resolve(pending).then((n) => {
    assert.equal(n, 0, "the last writer's close is EOF");
    assert.equal(m.callSync(read, [r, BUF, 1]), 0);
  });
});

Deno.test("pipe: EPIPE and SIGPIPE once the last reader is gone; empty writes succeed", () => {
  const m = new FakeMachine();
  const [r, w] = makePipe(m);
  assert.equal(m.callSync(close, [r]), 0);
  assert.equal(m.callSync(write, [w, BUF, 0]), 0);
  assert.equal(m.task.pending.has(SIGPIPE), false);
  assert.equal(m.callSync(write, [w, BUF, 1]), -EPIPE);
  assert.equal(m.task.pending.has(SIGPIPE), true);
});

Deno.test("pipe: reading zero bytes never waits", () => {
  const m = new FakeMachine();
  const [r] = makePipe(m);
  assert.equal(m.callSync(read, [r, BUF, 0]), 0);
});

Deno.test("pipe: O_NONBLOCK reads say EAGAIN, and F_SETFL switches modes", async () => {
  const m = new FakeMachine();
  const [r] = makePipe(m, O_NONBLOCK);
  assert.equal(m.callSync(read, [r, BUF, 10]), -EAGAIN);
  assert.equal(m.callSync(fcntl, [r, F_SETFL, 0]), 0);
  const reading = m.call(read, [r, BUF, 10]);
  assert.equal(typeof reading, "object", "blocking now");
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await reading, -ERESTARTSYS);
});

Deno.test("pipe: packet mode (O_DIRECT) keeps write boundaries", () => {
  const m = new FakeMachine();
  const [r, w] = makePipe(m, O_DIRECT);
  assert.equal(put(m, w, 5, 0x31), 5);
  assert.equal(put(m, w, 7, 0x32), 7);
  assert.equal(m.callSync(read, [r, BUF + 100, 100]), 5);
  assert.equal(m.callSync(read, [r, BUF + 100, 3]), 3, "a short read drops the rest");
  m.writeU32(BUF, 99);
  assert.equal(m.callSync(ioctl, [r, FIONREAD, BUF]), 0);
  assert.equal(m.u32(BUF), 0);
});

Deno.test("F_GETPIPE_SZ and F_SETPIPE_SZ: rounding, EBUSY, EPERM, EINVAL, EBADF", () => {
  const m = new FakeMachine();
  const [r, w] = makePipe(m, O_NONBLOCK);
  assert.equal(m.callSync(fcntl, [w, F_GETPIPE_SZ]), 65536);
  assert.equal(m.callSync(fcntl, [r, F_SETPIPE_SZ, 5000]), 8192, "a power of two of pages");
  assert.equal(m.callSync(fcntl, [w, F_GETPIPE_SZ]), 8192, "one pipe behind both ends");
  assert.equal(m.callSync(fcntl, [r, F_SETPIPE_SZ, 0]), 4096, "at least one page");
  assert.equal(m.callSync(fcntl, [r, F_SETPIPE_SZ, 2 ** 31 + 1]), -EINVAL);
  assert.equal(fill(m, w, 1000), 4000, "one page: the fifth 1000 bytes do not fit");
  assert.equal(m.callSync(fcntl, [r, F_SETPIPE_SZ, 16384]), 16384, "growing keeps the data");
  assert.equal(fill(m, w, 4096), 12288);
  assert.equal(m.callSync(fcntl, [r, F_SETPIPE_SZ, 4096]), -EBUSY, "four pages are in use");
  assert.equal(m.callSync(fcntl, [r, F_SETPIPE_SZ, 2 << 20]), 2 << 20, "root may pass the max");
  const user = m.spawn("user", { ...rootCredentials(), uid: 1000, euid: 1000, fsuid: 1000 });
  assert.equal(m.callSync(pipeSyscalls.pipe, [FDS], user), 0);
  const ur = user.proc.user.u32(FDS);
  assert.equal(m.callSync(fcntl, [ur, F_SETPIPE_SZ, 1 << 20], user), 1 << 20);
  assert.equal(m.callSync(fcntl, [ur, F_SETPIPE_SZ, (1 << 20) + 1], user), -EPERM);
  assert.equal(m.callSync(fcntl, [ur, F_SETPIPE_SZ, 4096], user), 4096, "shrinking is allowed");
  const notPipe = m.proc.fds.install(new OpenFile({ stat: anonInodeStat }, O_RDWR, "x"), false);
  assert.equal(m.callSync(fcntl, [notPipe, F_GETPIPE_SZ]), -EBADF);
  assert.equal(m.callSync(fcntl, [notPipe, F_SETPIPE_SZ, 4096]), -EBADF);
});

Deno.test("pipe: a blocking read waits for another thread's write", async () => {
  const m = new FakeMachine();
  const other = m.thread();
  const [r, w] = makePipe(m);
  let result: number | null = null;
  const reading = Promise.resolve(m.call(read, [r, BUF + 100, 64])).then((n) => result = n);
  await settle();
  assert.equal(result, null, "still waiting");
  m.write(BUF, new TextEncoder().encode("wake"), other);
  assert.equal(m.callSync(write, [w, BUF, 4], other), 4);
  await reading;
  assert.equal(result, 4);
  assert.equal(new TextDecoder().decode(m.read(BUF + 100, 4)), "wake");
});

Deno.test("pipe: a blocking read cut short by a signal is -ERESTARTSYS", async () => {
  const m = new FakeMachine();
  const [r] = makePipe(m);
  const reading = Promise.resolve(m.call(read, [r, BUF, 64]));
  await settle();
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await reading, -ERESTARTSYS);
});

Deno.test("pipe: a large blocking write goes in piece by piece as the reader drains", async () => {
  const m = new FakeMachine();
  const reader = m.thread();
  const [r, w] = makePipe(m);
  const data = new Uint8Array(100_000).map((_, i) => i * 7);
  m.write(BUF, data);
  let result: number | null = null;
  const writing = Promise.resolve(m.call(write, [w, BUF, data.length])).then((n) => result = n);
  await settle();
  assert.equal(result, null, "the pipe is full: the writer waits");
  const got: Uint8Array[] = [];
  let total = 0;
  while (total < data.length) {
    const n = await m.call(read, [r, BUF + 0x20000, 30000], reader);
    assert.ok(n > 0);
    got.push(m.read(BUF + 0x20000, n, reader));
    total += n;
    await settle();
  }
  await writing;
  assert.equal(result, data.length);
  const all = new Uint8Array(total);
  let at = 0;
  for (const g of got) {
    all.set(g, at);
    at += g.length;
  }
  assert.deepEqual(all, data);
});

Deno.test("pipe: a signal ends a blocking write with the count written so far", async () => {
  const m = new FakeMachine();
  const [, w] = makePipe(m);
  const partial = Promise.resolve(put(m, w, 70000));
  await settle();
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await partial, 65536);
  m.task.pending.clear();
  const nothing = Promise.resolve(put(m, w, 10));
  await settle();
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await nothing, -ERESTARTSYS);
});

Deno.test("pipe: a writer waiting for room gets EPIPE and SIGPIPE when the reader closes", async () => {
  const m = new FakeMachine();
  const [r, w] = makePipe(m);
  const writing = Promise.resolve(put(m, w, 70000));
  await settle();
  assert.equal(m.callSync(close, [r]), 0);
  assert.equal(await writing, 65536, "the bytes that went in are reported");
  assert.equal(m.task.pending.has(SIGPIPE), true);
});
