// Tests for epoll (kernel/files/epoll.ts, kernel/syscalls/epoll.ts): creation, epoll_ctl's errors
// in Linux's order (the errnos are native Linux 6.18 output for the same calls), level- and
// edge-triggered and one-shot reporting, items leaving with their file's last close, nesting
// and its loop check, waiting for another thread, timeouts, signals (EINTR, epoll_pwait's mask)
// and the epoll fd as a file.

import assert from "node:assert/strict";
import { EBADF, EEXIST, EFAULT, EINTR, EINVAL, ELOOP, ENOENT, EPERM } from "../../kernel/errno.ts";
import { ANON_INODE_DEV, anonInodeStat } from "../../kernel/files/anon-inode.ts";
import { O_RDWR, OpenFile } from "../../kernel/files/open-file.ts";
import { POLLERR, POLLHUP, POLLIN, POLLOUT, POLLPRI } from "../../kernel/files/poll-mask.ts";
import {
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  EPOLLET,
  EPOLLEXCLUSIVE,
  EPOLLONESHOT,
} from "../../kernel/files/epoll.ts";
import { SIGUSR1 } from "../../kernel/signals/signals.ts";
import { epollSyscalls } from "../../kernel/syscalls/epoll.ts";
import { eventFdSyscalls } from "../../kernel/syscalls/eventfd.ts";
import { fileIoSyscalls } from "../../kernel/syscalls/file-io.ts";
import { pipeSyscalls } from "../../kernel/syscalls/pipe.ts";
import { pollSyscalls } from "../../kernel/syscalls/poll.ts";
import { AREA, FakeMachine, UNMAPPED } from "./lib/fake-task.ts";

const { epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait, epoll_pwait2 } =
  epollSyscalls;
const { read, write, close, dup, fcntl, lseek } = fileIoSyscalls;
const FDS = AREA;
const EV = AREA + 0x100;
const OUT = AREA + 0x200;
const TS = AREA + 0x400;
const MASK = AREA + 0x500;
const BUF = AREA + 0x1000;
const O_CLOEXEC = 0o2000000;

function makePipe(m: FakeMachine): [number, number] {
  assert.equal(m.callSync(pipeSyscalls.pipe2, [FDS, 0]), 0);
  return [m.u32(FDS), m.u32(FDS + 4)];
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function ctl(m: FakeMachine, ep: number, op: number, fd: number, events = 0, data = 0n) {
  const raw = new Uint8Array(12);
  const dv = new DataView(raw.buffer);
  dv.setUint32(0, events >>> 0, true);
  dv.setBigUint64(4, data, true);
  m.write(EV, raw);
  return m.callSync(epoll_ctl, [ep, op, fd, EV]);
}

/** epoll_wait with a zero timeout; the events as [events, data] pairs. */
function collect(m: FakeMachine, ep: number, max = 8): [number, bigint][] {
  const n = m.callSync(epoll_wait, [ep, OUT, max, 0]);
  assert.ok(n >= 0, `epoll_wait: ${n}`);
  return events(m, n);
}

function events(m: FakeMachine, n: number): [number, bigint][] {
  const dv = new DataView(m.read(OUT, n * 12).buffer);
  return Array.from(
    { length: n },
    (_, i) => [dv.getUint32(i * 12, true), dv.getBigUint64(i * 12 + 4, true)],
  );
}

function eventfd(m: FakeMachine, initial: number, flags = 0): number {
  return m.callSync(eventFdSyscalls.eventfd2, [initial, flags]);
}

function put(m: FakeMachine, fd: number, count: number, task = m.task) {
  m.write(BUF, new Uint8Array(count).fill(0x61), task);
  return m.call(write, [fd, BUF, count], task);
}

Deno.test("epoll_create and epoll_create1: sizes, flags, the anonymous inode", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(epoll_create, [0]), -EINVAL);
  assert.equal(m.callSync(epoll_create, [-1]), -EINVAL);
  assert.equal(m.callSync(epoll_create1, [1]), -EINVAL);
  const ep = m.callSync(epoll_create, [1]);
  const ep2 = m.callSync(epoll_create1, [O_CLOEXEC]);
  assert.deepEqual([ep, ep2], [0, 1]);
  assert.equal(m.proc.fds.cloexec(ep2), true);
  assert.equal(m.callSync(fcntl, [ep2, 3]), O_RDWR, "F_GETFL: O_RDWR only");
  const file = m.proc.fds.get(ep)!;
  const st = file.ops.stat(file);
  assert.equal(st.mode, 0o600, "no file type bits");
  assert.equal(st.dev, ANON_INODE_DEV);
  assert.equal(file.path, "anon_inode:[eventpoll]");
  assert.equal(m.callSync(lseek, [ep, 0, 1]), 0, "noop_llseek");
  assert.equal(m.callSync(read, [ep, BUF, 8]), -EINVAL);
  assert.equal(m.callSync(write, [ep, BUF, 8]), -EINVAL);
});

Deno.test("epoll_ctl: errors in Linux's order", () => {
  const m = new FakeMachine();
  const ep = m.callSync(epoll_create1, [0]);
  const efd = eventfd(m, 0);
  const plain = m.proc.fds.install(new OpenFile({ stat: anonInodeStat }, O_RDWR, "plain"), false);
  assert.equal(ctl(m, 99, EPOLL_CTL_ADD, efd, POLLIN), -EBADF);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, 99, POLLIN), -EBADF);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, plain, POLLIN), -EPERM, "no poll operation");
  assert.equal(ctl(m, plain, EPOLL_CTL_ADD, plain, POLLIN), -EPERM, "EPERM before EINVAL");
  assert.equal(ctl(m, efd, EPOLL_CTL_ADD, ep, POLLIN), -EINVAL, "not an epoll fd");
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, ep, POLLIN), -EINVAL, "itself");
  assert.equal(ctl(m, ep, 9, efd, POLLIN), -EINVAL, "bad op");
  assert.equal(ctl(m, ep, EPOLL_CTL_MOD, efd, POLLIN), -ENOENT);
  assert.equal(ctl(m, ep, EPOLL_CTL_DEL, efd), -ENOENT);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, efd, POLLIN), 0);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, efd, POLLIN), -EEXIST);
  assert.equal(ctl(m, ep, EPOLL_CTL_MOD, efd, POLLIN | EPOLLEXCLUSIVE), -EINVAL);
  assert.equal(m.callSync(epoll_ctl, [ep, EPOLL_CTL_MOD, efd, UNMAPPED]), -EFAULT);
  assert.equal(m.callSync(epoll_ctl, [ep, EPOLL_CTL_DEL, efd, UNMAPPED]), 0, "DEL reads no event");
  const ep2 = m.callSync(epoll_create1, [0]);
  assert.equal(ctl(m, ep2, EPOLL_CTL_ADD, ep, POLLIN | EPOLLEXCLUSIVE), -EINVAL, "epoll target");
  assert.equal(ctl(m, ep2, EPOLL_CTL_ADD, efd, POLLIN | POLLPRI | EPOLLEXCLUSIVE), -EINVAL);
  assert.equal(ctl(m, ep2, EPOLL_CTL_ADD, efd, POLLIN | EPOLLEXCLUSIVE), 0);
  assert.equal(ctl(m, ep2, EPOLL_CTL_MOD, efd, POLLIN), -EINVAL, "an exclusive item stays");
});

Deno.test("epoll: level-triggered items report until drained, in order of readiness", () => {
  const m = new FakeMachine();
  const ep = m.callSync(epoll_create1, [0]);
  const [r, w] = makePipe(m);
  const efd = eventfd(m, 0);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, r, POLLIN, 1n), 0);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, efd, POLLIN, 2n), 0);
  assert.deepEqual(collect(m, ep), []);
  m.writeI64(BUF + 0x100, 1);
  assert.equal(m.callSync(write, [efd, BUF + 0x100, 8]), 8);
  assert.equal(put(m, w, 2), 2);
  assert.deepEqual(collect(m, ep), [[POLLIN, 2n], [POLLIN, 1n]]);
  assert.deepEqual(collect(m, ep), [[POLLIN, 2n], [POLLIN, 1n]], "still ready, still reported");
  assert.deepEqual(collect(m, ep, 1), [[POLLIN, 2n]]);
  assert.deepEqual(collect(m, ep, 1), [[POLLIN, 1n]], "maxevents rotates through the list");
  assert.equal(m.callSync(read, [r, BUF, 10]), 2);
  assert.deepEqual(collect(m, ep), [[POLLIN, 2n]]);
  assert.equal(m.callSync(close, [w]), 0);
  assert.deepEqual(collect(m, ep), [[POLLIN, 2n], [POLLHUP, 1n]], "hang-up is always reported");
});

Deno.test("epoll: edge-triggered and one-shot items", () => {
  const m = new FakeMachine();
  const ep = m.callSync(epoll_create1, [0]);
  const [r, w] = makePipe(m);
  const efd = eventfd(m, 5);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, r, POLLIN | EPOLLET, 1n), 0);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, efd, POLLIN | EPOLLONESHOT, 2n), 0);
  assert.deepEqual(collect(m, ep), [[POLLIN, 2n]]);
  assert.deepEqual(collect(m, ep), [], "one-shot: disabled after one report");
  assert.equal(put(m, w, 1), 1);
  assert.deepEqual(collect(m, ep), [[POLLIN, 1n]]);
  assert.deepEqual(collect(m, ep), [], "edge-triggered: reported once per event");
  assert.equal(put(m, w, 1), 1);
  assert.deepEqual(collect(m, ep), [[POLLIN, 1n]], "every write is an edge");
  assert.equal(ctl(m, ep, EPOLL_CTL_MOD, efd, POLLIN | EPOLLONESHOT, 3n), 0);
  assert.deepEqual(collect(m, ep), [[POLLIN, 3n]], "MOD re-arms the one-shot item");
  assert.equal(ctl(m, ep, EPOLL_CTL_MOD, efd, POLLOUT, 4n), 0);
  assert.deepEqual(collect(m, ep), [[POLLOUT, 4n]]);
  assert.equal(ctl(m, ep, EPOLL_CTL_DEL, efd), 0);
  assert.deepEqual(collect(m, ep), []);
});

Deno.test("epoll: an item lives as long as its open file, not its fd", () => {
  const m = new FakeMachine();
  const ep = m.callSync(epoll_create1, [0]);
  const efd = eventfd(m, 1);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, efd, POLLIN, 9n), 0);
  const copy = m.callSync(dup, [efd]);
  assert.equal(m.callSync(close, [efd]), 0);
  assert.deepEqual(collect(m, ep), [[POLLIN, 9n]], "the file is still open through the dup");
  assert.equal(ctl(m, ep, EPOLL_CTL_DEL, efd), -EBADF);
  assert.equal(m.callSync(close, [copy]), 0);
  assert.deepEqual(collect(m, ep), [], "the last close removed the item");
  const efd2 = eventfd(m, 1);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, efd2, POLLIN, 10n), 0, "a new file at the same fd");
  assert.deepEqual(collect(m, ep), [[POLLIN, 10n]]);
});

Deno.test("epoll: nesting, poll on an epoll fd, and the loop check (native ELOOP at depth 5)", () => {
  const m = new FakeMachine();
  const inner = m.callSync(epoll_create1, [0]);
  const outer = m.callSync(epoll_create1, [0]);
  const efd = eventfd(m, 0);
  assert.equal(ctl(m, inner, EPOLL_CTL_ADD, efd, POLLIN, 1n), 0);
  assert.equal(ctl(m, outer, EPOLL_CTL_ADD, inner, POLLIN, 2n), 0);
  assert.equal(ctl(m, inner, EPOLL_CTL_ADD, outer, POLLIN), -ELOOP, "a loop");
  assert.deepEqual(collect(m, outer), []);
  m.writeI64(BUF, 1);
  assert.equal(m.callSync(write, [efd, BUF, 8]), 8);
  assert.deepEqual(collect(m, outer), [[POLLIN, 2n]]);
  const PFD = AREA + 0x800;
  m.write(PFD, new Uint8Array([inner, 0, 0, 0, POLLIN, 0, 0, 0]));
  assert.equal(m.callSync(pollSyscalls.poll, [PFD, 1, 0]), 1);
  assert.equal(new DataView(m.read(PFD + 6, 2).buffer).getUint16(0, true), POLLIN);
  assert.deepEqual(collect(m, inner), [[POLLIN, 1n]], "polling the outer consumed nothing");
  const chain = Array.from({ length: 7 }, () => m.callSync(epoll_create1, [0]));
  const results = chain.slice(1).map((ep, i) => ctl(m, ep, EPOLL_CTL_ADD, chain[i], POLLIN));
  assert.deepEqual(results, [0, 0, 0, 0, -ELOOP, 0]);
});

Deno.test("epoll_wait: argument errors", () => {
  const m = new FakeMachine();
  const ep = m.callSync(epoll_create1, [0]);
  const efd = eventfd(m, 1);
  assert.equal(m.callSync(epoll_wait, [ep, OUT, 0, 0]), -EINVAL);
  assert.equal(m.callSync(epoll_wait, [ep, OUT, -1, 0]), -EINVAL);
  assert.equal(m.callSync(epoll_wait, [99, OUT, 1, 0]), -EBADF);
  assert.equal(m.callSync(epoll_wait, [efd, OUT, 1, 0]), -EINVAL, "not an epoll fd");
  assert.equal(m.callSync(epoll_wait, [ep, 0x7ffffffff000 - 12, 2, 0]), -EFAULT);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, efd, POLLIN), 0);
  assert.equal(m.callSync(epoll_wait, [ep, UNMAPPED, 1, 0]), -EFAULT);
  assert.equal(collect(m, ep).length, 1, "the item stayed ready after the fault");
});

Deno.test("epoll_wait: sleeps until another thread writes; timeouts; EINTR", async () => {
  const m = new FakeMachine();
  const other = m.thread();
  const ep = m.callSync(epoll_create1, [0]);
  const [r, w] = makePipe(m);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, r, POLLIN, 5n), 0);
  let result: number | null = null;
  const waiting = Promise.resolve(m.call(epoll_wait, [ep, OUT, 4, -1])).then((n) => result = n);
  await settle();
  assert.equal(result, null);
  assert.equal(put(m, w, 1, other), 1);
  await waiting;
  assert.equal(result, 1);
  assert.deepEqual(events(m, 1), [[POLLIN, 5n]]);
  assert.equal(m.callSync(read, [r, BUF, 1]), 1);
  assert.equal(await m.call(epoll_wait, [ep, OUT, 4, 5]), 0, "timed out");
  const interrupted = Promise.resolve(m.call(epoll_wait, [ep, OUT, 4, -1]));
  await settle();
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await interrupted, -EINTR);
});

Deno.test("epoll_pwait and epoll_pwait2: the signal mask, sigsetsize and the timespec", async () => {
  const m = new FakeMachine();
  const ep = m.callSync(epoll_create1, [0]);
  const usr1 = 1 << (SIGUSR1 - 1);
  m.writeU32(MASK, usr1);
  m.writeU32(MASK + 4, 0);
  assert.equal(m.callSync(epoll_pwait, [ep, OUT, 1, 0, MASK, 4]), -EINVAL);
  assert.equal(m.callSync(epoll_pwait, [ep, OUT, 0, 0, MASK, 4]), -EINVAL);
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await m.call(epoll_pwait, [ep, OUT, 1, 5, MASK, 8]), 0, "SIGUSR1 was blocked");
  assert.equal(m.task.sigmaskLow, 0, "mask restored");
  m.writeU32(MASK, 0);
  m.task.sigmaskLow = usr1;
  assert.equal(await m.call(epoll_pwait, [ep, OUT, 1, -1, MASK, 8]), -EINTR);
  assert.equal(m.task.sigmaskLow, 0, "kept for delivery after EINTR");
  m.task.pending.clear();
  m.writeTimespec(TS, 0, 1_000_000_000);
  assert.equal(m.callSync(epoll_pwait2, [ep, OUT, 1, TS, 0, 8]), -EINVAL);
  m.writeTimespec(TS, 0, 0);
  const efd = eventfd(m, 2);
  assert.equal(ctl(m, ep, EPOLL_CTL_ADD, efd, POLLIN | POLLOUT, 3n), 0);
  assert.equal(m.callSync(epoll_pwait2, [ep, OUT, 1, TS, 0, 8]), 1);
  assert.deepEqual(events(m, 1), [[POLLIN | POLLOUT, 3n]]);
  assert.equal(ctl(m, ep, EPOLL_CTL_MOD, efd, POLLERR, 4n), 0);
  assert.equal(m.callSync(epoll_pwait2, [ep, OUT, 1, TS, 0, 8]), 0, "nothing asked for is ready");
});
