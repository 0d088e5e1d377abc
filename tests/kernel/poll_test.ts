// Tests for poll, ppoll, select and pselect6 (kernel/syscalls/poll.ts) over pipes, eventfds, epoll
// fds, host stdin and files without a poll operation: revents and fd sets as native Linux reports
// them, POLLNVAL and EBADF, waiting for another thread, timeouts written back, signals
// (poll's restart block, ppoll's temporary signal mask) and argument errors in Linux's order.

import assert from "node:assert/strict";
import {
  EBADF,
  EFAULT,
  EINVAL,
  ERESTART_RESTARTBLOCK,
  ERESTARTNOHAND,
} from "../../kernel/errno.ts";
import { anonInodeStat } from "../../kernel/files/anon-inode.ts";
import { O_NONBLOCK, O_RDONLY, O_RDWR, OpenFile } from "../../kernel/files/open-file.ts";
import {
  DEFAULT_POLLMASK,
  POLLERR,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLRDNORM,
} from "../../kernel/files/poll-mask.ts";
import { StdinOps } from "../../kernel/files/stdio-file.ts";
import { bufferInput, type InputEndpoint } from "../../kernel/host/stdio.ts";
import { signalState } from "../../kernel/signals/delivery.ts";
import { SIGUSR1 } from "../../kernel/signals/signals.ts";
import { epollSyscalls } from "../../kernel/syscalls/epoll.ts";
import { eventFdSyscalls } from "../../kernel/syscalls/eventfd.ts";
import { fileIoSyscalls } from "../../kernel/syscalls/file-io.ts";
import { pipeSyscalls } from "../../kernel/syscalls/pipe.ts";
import { pollSyscalls } from "../../kernel/syscalls/poll.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const { poll, ppoll, select, pselect6 } = pollSyscalls;
const { read, write, close } = fileIoSyscalls;
const FDS = AREA;
const PFDS = AREA + 0x100;
const TS = AREA + 0x400;
const MASK = AREA + 0x500;
const SETS = AREA + 0x600; // in, out, ex: 128 bytes each
const BUF = AREA + 0x1000;
const USR1_BIT = 1 << (SIGUSR1 - 1);

function makePipe(m: FakeMachine, flags = 0): [number, number] {
  assert.equal(m.callSync(pipeSyscalls.pipe2, [FDS, flags]), 0);
  return [m.u32(FDS), m.u32(FDS + 4)];
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** Lay out pollfds at PFDS. */
function pollfds(m: FakeMachine, entries: [number, number][]): void {
  const raw = new Uint8Array(entries.length * 8);
  const dv = new DataView(raw.buffer);
  entries.forEach(([fd, events], i) => {
    dv.setInt32(i * 8, fd, true);
    dv.setUint16(i * 8 + 4, events, true);
    dv.setUint16(i * 8 + 6, 0xdead, true);
  });
  m.write(PFDS, raw);
}

function revents(m: FakeMachine, count: number): number[] {
  const dv = new DataView(m.read(PFDS, count * 8).buffer);
  return Array.from({ length: count }, (_, i) => dv.getUint16(i * 8 + 6, true));
}

function put(m: FakeMachine, fd: number, count: number, task = m.task) {
  m.write(BUF, new Uint8Array(count).fill(0x61), task);
  return m.call(write, [fd, BUF, count], task);
}

/** fd sets at SETS (in), SETS+128 (out), SETS+256 (ex); null leaves a set out. */
function fdSets(m: FakeMachine, sets: (number[] | null)[]): number[] {
  return sets.map((fds, i) => {
    if (fds === null) return 0;
    const bytes = new Uint8Array(128);
    for (const fd of fds) bytes[fd >> 3] |= 1 << (fd & 7);
    m.write(SETS + i * 128, bytes);
    return SETS + i * 128;
  });
}

function setMembers(m: FakeMachine, which: number, n: number): number[] {
  const bytes = m.read(SETS + which * 128, 128);
  return Array.from({ length: n }, (_, fd) => fd).filter((fd) =>
    (bytes[fd >> 3] & (1 << (fd & 7))) !== 0
  );
}

Deno.test("poll: pipe ends, an eventfd and an epoll fd report as on Linux", () => {
  const m = new FakeMachine();
  const [r, w] = makePipe(m, O_NONBLOCK);
  while (put(m, w, 4096) === 4096);
  const efd = m.callSync(eventFdSyscalls.eventfd2, [3, 0]);
  const ep = m.callSync(epollSyscalls.epoll_create1, [0]);
  // Native: poll=2 1 0 5 0 for a full pipe's ends (IN|OUT asked), an eventfd and an empty epoll.
  pollfds(m, [[r, POLLIN | POLLOUT], [w, POLLIN | POLLOUT], [efd, 0xffff], [ep, 0xffff]]);
  assert.equal(m.callSync(poll, [PFDS, 4, 0]), 2);
  assert.deepEqual(revents(m, 4), [POLLIN, 0, POLLIN | POLLOUT, 0]);
  // The read end alone reports POLLIN|POLLRDNORM when asked for everything.
  pollfds(m, [[r, 0xffff]]);
  assert.equal(m.callSync(poll, [PFDS, 1, 0]), 1);
  assert.deepEqual(revents(m, 1), [POLLIN | POLLRDNORM]);
});

Deno.test("poll: hang-up, error, POLLNVAL and negative fds", () => {
  const m = new FakeMachine();
  const [r, w] = makePipe(m);
  const [r2, w2] = makePipe(m);
  assert.equal(put(m, w, 1), 1);
  assert.equal(m.callSync(close, [w]), 0);
  assert.equal(m.callSync(close, [r2]), 0);
  pollfds(m, [[r, POLLIN], [w2, 0], [99, POLLIN], [-1, POLLIN], [r, POLLOUT]]);
  assert.equal(m.callSync(poll, [PFDS, 5, 0]), 4);
  // Native: data and no writer 0x11, a write end without a reader 0x8 even unasked, 0x20.
  assert.deepEqual(revents(m, 5), [POLLIN | POLLHUP, POLLERR, POLLNVAL, 0, POLLHUP]);
});

Deno.test("poll: files without a poll operation are always ready", () => {
  const m = new FakeMachine();
  const fd = m.proc.fds.install(new OpenFile({ stat: anonInodeStat }, O_RDWR, "plain"), false);
  pollfds(m, [[fd, 0xffff]]);
  assert.equal(m.callSync(poll, [PFDS, 1, -1]), 1);
  assert.deepEqual(revents(m, 1), [DEFAULT_POLLMASK]);
});

Deno.test("poll: host stdin is readable with data and hangs up at its end", () => {
  const m = new FakeMachine();
  const stdin = m.proc.fds.install(
    new OpenFile(new StdinOps(bufferInput("ab"), null), O_RDONLY, "pipe:[0]"),
    false,
  );
  pollfds(m, [[stdin, POLLIN]]);
  assert.equal(m.callSync(poll, [PFDS, 1, 0]), 1);
  assert.deepEqual(revents(m, 1), [POLLIN]);
  assert.equal(m.callSync(read, [stdin, BUF, 10]), 2);
  assert.equal(m.callSync(poll, [PFDS, 1, 0]), 1);
  assert.deepEqual(revents(m, 1), [POLLHUP]);
});

Deno.test("poll: waits for host input that arrives later", async () => {
  const m = new FakeMachine();
  let data = new Uint8Array();
  const arrived = Promise.withResolvers<void>();
  const input: InputEndpoint = {
    isTerminal: false,
    read(max) {
      const chunk = data.subarray(0, max);
      data = data.subarray(chunk.length);
      return chunk;
    },
    buffered: () => data.length,
    ready: () => data.length > 0,
    waitReady: () => arrived.promise,
  };
  const fd = m.proc.fds.install(new OpenFile(new StdinOps(input, null), O_RDONLY, "in"), false);
  pollfds(m, [[fd, POLLIN]]);
  let result: number | null = null;
  const polling = Promise.resolve(m.call(poll, [PFDS, 1, -1])).then((n) => result = n);
  await settle();
  assert.equal(result, null);
  data = new TextEncoder().encode("x");
  arrived.resolve();
  await polling;
  assert.equal(result, 1);
  assert.deepEqual(revents(m, 1), [POLLIN]);
});

Deno.test("poll: argument errors", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(poll, [PFDS, 1025, 0]), -EINVAL, "more than RLIMIT_NOFILE");
  assert.equal(m.callSync(poll, [UNMAPPED, 1, 0]), -EFAULT);
  assert.equal(m.callSync(poll, [0, 0, 0]), 0, "nothing to poll, no timeout");
});

Deno.test("poll: sleeps until another thread writes", async () => {
  const m = new FakeMachine();
  const other = m.thread();
  const [r, w] = makePipe(m);
  pollfds(m, [[r, POLLIN], [w, POLLIN]]);
  let result: number | null = null;
  const polling = Promise.resolve(m.call(poll, [PFDS, 2, -1])).then((n) => result = n);
  await settle();
  assert.equal(result, null);
  assert.equal(put(m, w, 3, other), 3);
  await polling;
  assert.equal(result, 1);
  assert.deepEqual(revents(m, 2), [POLLIN, 0]);
});

Deno.test("poll: a timeout ends the wait with 0", async () => {
  const m = new FakeMachine();
  const [r] = makePipe(m);
  pollfds(m, [[r, POLLIN]]);
  assert.equal(await m.call(poll, [PFDS, 1, 5]), 0);
  assert.deepEqual(revents(m, 1), [0]);
});

Deno.test("poll: a signal gives a restart block that polls again", async () => {
  const m = new FakeMachine();
  const [r, w] = makePipe(m);
  pollfds(m, [[r, POLLIN]]);
  const polling = Promise.resolve(m.call(poll, [PFDS, 1, 60_000]));
  await settle();
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await polling, -ERESTART_RESTARTBLOCK);
  const restart = signalState(m.task).restart!;
  assert.ok(restart !== null);
  m.task.pending.clear();
  assert.equal(put(m, w, 1), 1);
  assert.equal(await restart(m.task, m.kernel), 1);
});

Deno.test("ppoll: the mask applies during the wait and is put back after", async () => {
  const m = new FakeMachine();
  const [r] = makePipe(m);
  pollfds(m, [[r, POLLIN]]);
  m.writeU32(MASK, USR1_BIT);
  m.writeU32(MASK + 4, 0);
  m.kernel.sendSignal(m.task, SIGUSR1); // pending, but blocked while ppoll waits
  m.writeTimespec(TS, 0, 5_000_000);
  assert.equal(await m.call(ppoll, [PFDS, 1, TS, MASK, 8]), 0);
  assert.equal(m.task.sigmaskLow, 0, "the old mask is back");
  const left = m.readTimespec(TS);
  assert.deepEqual(left, { sec: 0, nsec: 0 }, "the time left is written back");
  // Unblocked by the mask, the pending signal interrupts at once and the mask stays for delivery.
  m.task.sigmaskLow = USR1_BIT;
  m.writeU32(MASK, 0);
  m.writeTimespec(TS, 5, 0);
  assert.equal(await m.call(ppoll, [PFDS, 1, TS, MASK, 8]), -ERESTARTNOHAND);
  assert.equal(m.task.sigmaskLow, 0);
  assert.deepEqual(signalState(m.task).savedMask, [USR1_BIT, 0]);
  const left2 = m.readTimespec(TS);
  assert.ok(left2.sec === 4 || left2.sec === 5, `left ${left2.sec}`);
});

Deno.test("ppoll: errors in Linux's order; a zero timeout polls once", () => {
  const m = new FakeMachine();
  const [r] = makePipe(m);
  pollfds(m, [[r, POLLIN]]);
  m.writeTimespec(TS, 0, 1_000_000_000);
  assert.equal(m.callSync(ppoll, [PFDS, 1, TS, MASK, 8]), -EINVAL);
  assert.equal(m.callSync(ppoll, [PFDS, 1, UNMAPPED, MASK, 8]), -EFAULT);
  m.writeTimespec(TS, 0, 0);
  assert.equal(m.callSync(ppoll, [PFDS, 1, TS, MASK, 4]), -EINVAL, "sigsetsize must be 8");
  assert.equal(m.callSync(ppoll, [PFDS, 1, TS, UNMAPPED, 8]), -EFAULT);
  m.writeTimespec(TS, 0, 0);
  assert.equal(m.callSync(ppoll, [PFDS, 1, TS, 0, 0]), 0);
  assert.deepEqual(m.readTimespec(TS), { sec: 0, nsec: 0 });
});

Deno.test("select: readable and writable sets, counted per bit", () => {
  const m = new FakeMachine();
  const [r, w] = makePipe(m);
  assert.equal(put(m, w, 3), 3);
  const addrs = fdSets(m, [[r, w], [r, w], []]);
  m.writeTimespec(TS, 0, 20_000); // a struct timeval: 20 ms
  assert.equal(m.callSync(select, [w + 1, ...addrs, TS]), 2);
  assert.deepEqual(setMembers(m, 0, 8), [r]);
  assert.deepEqual(setMembers(m, 1, 8), [w]);
  assert.deepEqual(setMembers(m, 2, 8), []);
  const tv = m.readTimespec(TS);
  assert.equal(tv.sec, 0);
  assert.ok(tv.nsec <= 20_000 && tv.nsec > 0, "microseconds left, written back");
});

Deno.test("select: EBADF for a closed fd in a set (timeval still written back)", () => {
  const m = new FakeMachine();
  const [r] = makePipe(m);
  const addrs = fdSets(m, [[r, 20], null, null]);
  m.writeTimespec(TS, 1, 500_000);
  assert.equal(m.callSync(select, [21, ...addrs, TS]), -EBADF);
  const tv = m.readTimespec(TS);
  assert.ok(tv.sec === 1 && tv.nsec > 400_000, `left ${tv.sec}.${tv.nsec}`);
  // Bits past the fd table's size (64 here) are not looked at.
  fdSets(m, [[r, 100], null, null]);
  m.writeTimespec(TS, 0, 0);
  assert.equal(m.callSync(select, [101, ...addrs, TS]), 0);
});

Deno.test("select: argument errors and timeval rules", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(select, [-1, 0, 0, 0, 0]), -EINVAL);
  m.writeTimespec(TS, -1, 0);
  assert.equal(m.callSync(select, [1, 0, 0, 0, TS]), -EINVAL);
  m.writeTimespec(TS, 0, -1);
  assert.equal(m.callSync(select, [1, 0, 0, 0, TS]), -EINVAL);
  assert.equal(m.callSync(select, [1, 0, 0, 0, UNMAPPED]), -EFAULT);
  assert.equal(m.callSync(select, [1, UNMAPPED, 0, 0, 0]), -EFAULT);
  m.writeTimespec(TS, 0, 0);
  assert.equal(m.callSync(select, [0, 0, 0, 0, TS]), 0);
});

Deno.test("select: waits for a write; a signal is -ERESTARTNOHAND", async () => {
  const m = new FakeMachine();
  const other = m.thread();
  const [r, w] = makePipe(m);
  let addrs = fdSets(m, [[r], null, null]);
  let result: number | null = null;
  const selecting = Promise.resolve(m.call(select, [r + 1, ...addrs, 0])).then((n) => result = n);
  await settle();
  assert.equal(result, null);
  assert.equal(put(m, w, 1, other), 1);
  await selecting;
  assert.equal(result, 1);
  assert.equal(m.callSync(read, [r, BUF, 1]), 1);
  addrs = fdSets(m, [[r], null, null]);
  const interrupted = Promise.resolve(m.call(select, [r + 1, ...addrs, 0]));
  await settle();
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await interrupted, -ERESTARTNOHAND);
});

Deno.test("pselect6: the sigset argument pack and the timespec written back", async () => {
  const m = new FakeMachine();
  const [r] = makePipe(m);
  const addrs = fdSets(m, [[r], null, null]);
  const PACK = AREA + 0x580;
  m.writeI64(PACK, MASK);
  m.writeI64(PACK + 8, 4);
  m.writeTimespec(TS, 0, 1_000_000);
  assert.equal(m.callSync(pselect6, [r + 1, ...addrs, TS, PACK]), -EINVAL, "ss_len 4");
  m.writeI64(PACK + 8, 8);
  m.writeU32(MASK, USR1_BIT);
  m.writeU32(MASK + 4, 0);
  assert.equal(await m.call(pselect6, [r + 1, ...addrs, TS, PACK]), 0);
  assert.deepEqual(m.readTimespec(TS), { sec: 0, nsec: 0 });
  assert.equal(m.task.sigmaskLow, 0);
  assert.equal(m.callSync(pselect6, [r + 1, ...addrs, TS, UNMAPPED]), -EFAULT);
});
