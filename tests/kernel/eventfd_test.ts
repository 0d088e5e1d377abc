// Tests for eventfd and eventfd2 (kernel/files/eventfd.ts, kernel/syscalls/eventfd.ts): flags,
// the anonymous inode, 8-byte reads and writes (EINVAL for other sizes and for 2^64-1),
// semaphore mode, the overflow limit, readiness bits, and blocking reads and writes between two
// threads.

import assert from "node:assert/strict";
import { EAGAIN, EINVAL, ERESTARTSYS, ESPIPE } from "../../kernel/errno.ts";
import { O_NONBLOCK, O_RDWR } from "../../kernel/files/open-file.ts";
import { POLLIN, POLLOUT } from "../../kernel/files/poll-mask.ts";
import { SIGUSR1 } from "../../kernel/signals/signals.ts";
import { eventFdSyscalls } from "../../kernel/syscalls/eventfd.ts";
import { fileIoSyscalls } from "../../kernel/syscalls/file-io.ts";
import { AREA, FakeMachine } from "./lib/fake-task.ts";

const { eventfd, eventfd2 } = eventFdSyscalls;
const { read, write, fcntl, lseek, pread64 } = fileIoSyscalls;
const BUF = AREA + 0x100;
const EFD_SEMAPHORE = 1, EFD_CLOEXEC = 0o2000000;
const MAX = 0xffffffffffffffffn;

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function add(m: FakeMachine, fd: number, value: bigint, task = m.task) {
  m.writeI64(BUF, value, task);
  return m.call(write, [fd, BUF, 8], task);
}

function take(m: FakeMachine, fd: number, task = m.task): number | Promise<number> {
  return m.call(read, [fd, BUF + 64, 8], task);
}

function taken(m: FakeMachine): bigint {
  return m.u64big(BUF + 64);
}

function pollMask(m: FakeMachine, fd: number): number {
  const file = m.proc.fds.get(fd)!;
  return file.ops.poll!(file);
}

Deno.test("eventfd2: flags, F_GETFL, the anonymous inode", () => {
  const m = new FakeMachine();
  assert.equal(m.callSync(eventfd2, [0, 2]), -EINVAL);
  const fd = m.callSync(eventfd2, [3, O_NONBLOCK | EFD_CLOEXEC]);
  assert.equal(fd, 0);
  assert.equal(m.proc.fds.cloexec(fd), true);
  assert.equal(m.callSync(fcntl, [fd, 3]), O_RDWR | O_NONBLOCK);
  const plain = m.callSync(eventfd, [3]);
  assert.equal(m.callSync(fcntl, [plain, 3]), O_RDWR);
  const file = m.proc.fds.get(fd)!;
  assert.equal(file.ops.stat(file).mode, 0o600);
  assert.equal(file.path, "anon_inode:[eventfd]");
  assert.equal(m.callSync(lseek, [fd, 0, 1]), 0);
  assert.equal(m.callSync(pread64, [fd, BUF, 8, 0]), -ESPIPE);
});

Deno.test("eventfd: reads take the count; wrong sizes and 2^64-1 are EINVAL", () => {
  const m = new FakeMachine();
  const fd = m.callSync(eventfd2, [0, O_NONBLOCK]);
  assert.equal(m.callSync(read, [fd, BUF, 4]), -EINVAL);
  assert.equal(m.callSync(write, [fd, BUF, 7]), -EINVAL);
  assert.equal(take(m, fd), -EAGAIN);
  assert.equal(pollMask(m, fd), POLLOUT);
  assert.equal(add(m, fd, MAX), -EINVAL);
  assert.equal(add(m, fd, 5n), 8);
  assert.equal(add(m, fd, 0n), 8);
  m.writeI64(BUF, 2);
  assert.equal(m.callSync(write, [fd, BUF, 16]), -EINVAL, "writes are exactly 8 bytes");
  assert.equal(m.callSync(write, [fd, BUF, 8]), 8);
  assert.equal(pollMask(m, fd), POLLIN | POLLOUT);
  assert.equal(m.callSync(read, [fd, BUF + 64, 16]), 8, "reads are at least 8 bytes");
  assert.equal(taken(m), 7n);
  assert.equal(take(m, fd), -EAGAIN);
});

Deno.test("eventfd: the counter stops below 2^64-1", () => {
  const m = new FakeMachine();
  const fd = m.callSync(eventfd2, [0, O_NONBLOCK]);
  assert.equal(add(m, fd, MAX - 1n), 8);
  assert.equal(pollMask(m, fd), POLLIN, "full: not writable");
  assert.equal(add(m, fd, 1n), -EAGAIN);
  assert.equal(take(m, fd), 8);
  assert.equal(taken(m), MAX - 1n);
});

Deno.test("eventfd: semaphore mode hands out one at a time", () => {
  const m = new FakeMachine();
  const fd = m.callSync(eventfd2, [3, O_NONBLOCK | EFD_SEMAPHORE]);
  for (let i = 0; i < 3; i++) {
    assert.equal(take(m, fd), 8);
    assert.equal(taken(m), 1n);
  }
  assert.equal(take(m, fd), -EAGAIN);
});

Deno.test("eventfd: a blocking read waits for a write, a blocking write for room", async () => {
  const m = new FakeMachine();
  const other = m.thread();
  const fd = m.callSync(eventfd2, [0, 0]);
  let result: number | null = null;
  const reading = Promise.resolve(take(m, fd)).then((n) => result = n);
  await settle();
  assert.equal(result, null);
  assert.equal(add(m, fd, 4n, other), 8);
  await reading;
  assert.equal(result, 8);
  assert.equal(taken(m), 4n);
  assert.equal(add(m, fd, MAX - 1n), 8);
  result = null;
  const writing = Promise.resolve(add(m, fd, 1n)).then((n) => result = n);
  await settle();
  assert.equal(result, null, "the sum would reach 2^64-1: wait");
  assert.equal(m.callSync(read, [fd, BUF + 128, 8], other), 8);
  await writing;
  assert.equal(result, 8);
  assert.equal(pollMask(m, fd), POLLIN | POLLOUT);
  assert.equal(m.callSync(read, [fd, BUF + 64, 8]), 8);
  assert.equal(taken(m), 1n);
  assert.equal(m.callSync(read, [fd, BUF, 3]), -EINVAL, "short buffers never wait");
  const interrupted = Promise.resolve(take(m, fd));
  await settle();
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await interrupted, -ERESTARTSYS);
});
