// Tests for FIFOs (kernel/fs/fifo.ts through open(2) and file-open.ts) on tmpfs, hostfs and ext2:
// Linux's open rules (O_RDONLY waits for a writer, O_WRONLY for a reader or ENXIO with
// O_NONBLOCK, O_RDWR never waits; interruptible), one pipe per inode while anyone has it open,
// POLLHUP held back for a non-blocking reader until a writer came, and data that never reaches
// the filesystem.

import assert from "node:assert/strict";
import { join } from "node:path";
import { EINVAL, ENXIO, ERESTARTSYS } from "../../kernel/errno.ts";
import { O_NONBLOCK, O_RDONLY, O_RDWR, O_WRONLY, S_IFIFO } from "../../kernel/files/open-file.ts";
import { POLLHUP, POLLIN, POLLOUT } from "../../kernel/files/poll-mask.ts";
import { PIPEFS_DEV } from "../../kernel/fs/pipefs.ts";
import { S_IFDIR } from "../../kernel/fs/inode.ts";
import { mountHostDirectory } from "../../kernel/fs/hostfs/hostfs.ts";
import { resolve } from "../../kernel/fs/path-walk.ts";
import { mountProc } from "../../kernel/fs/procfs/procfs.ts";
import { mountTmpfs } from "../../kernel/fs/tmpfs.ts";
import { pipeSyscalls } from "../../kernel/syscalls/pipe.ts";
import type { FileSystem } from "../../kernel/fs/filesystem.ts";
import { rootCredentials } from "../../kernel/proc/process.ts";
import { SIGUSR1 } from "../../kernel/signals/signals.ts";
import { fileIoSyscalls } from "../../kernel/syscalls/file-io.ts";
import { fileInfoSyscalls } from "../../kernel/syscalls/file-info.ts";
import { fileNameSyscalls } from "../../kernel/syscalls/file-names.ts";
import { fileOpenSyscalls } from "../../kernel/syscalls/file-open.ts";
import { MIB, mke2fs, mountFile } from "../fs/ext2_helpers.ts";
import { AREA, FakeMachine } from "./lib/fake-task.ts";

const { read, write, close, fcntl } = fileIoSyscalls;
const PATH = AREA;
const BUF = AREA + 0x1000;
const F_GETPIPE_SZ = 1032;

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/**
 * A kernel with a tmpfs root holding /tmp, procfs on /proc and `extra` mounted at /mnt; the test
 * task is current.
 */
function boot(extra: FileSystem | null): FakeMachine {
  const m = new FakeMachine();
  const kernel = m.kernel;
  const rootFs = mountTmpfs({ readOnly: false, options: "mode=755", source: "rootfs" });
  kernel.vfs.mounts.mountRoot(rootFs);
  const root = kernel.vfs.rootPath();
  for (const dir of ["tmp", "mnt", "proc"]) rootFs.root.mkdir(dir, S_IFDIR | 0o777, 0, 0);
  const ctx = { mounts: kernel.vfs.mounts, root, creds: rootCredentials() };
  const at = (p: string) => resolve(ctx, root, p, { follow: true });
  const proc = mountProc({ readOnly: false, options: "", source: "proc", kernel });
  kernel.vfs.mounts.mount(proc, at("/proc"), 0);
  if (extra !== null) kernel.vfs.mounts.mount(extra, at("/mnt"), 0);
  m.proc.root = root;
  m.proc.cwd = root;
  kernel.current = m.task;
  return m;
}

function path(m: FakeMachine, p: string, task = m.task): number {
  m.write(PATH, new TextEncoder().encode(p + "\0"), task);
  return PATH;
}

function open(m: FakeMachine, p: string, flags: number, task = m.task) {
  return m.call(fileOpenSyscalls.open, [path(m, p, task), flags, 0], task);
}

function openSync(m: FakeMachine, p: string, flags: number): number {
  const fd = open(m, p, flags);
  assert.equal(typeof fd, "number", `open ${p} waited`);
  return fd as number;
}

function pollMask(m: FakeMachine, fd: number): number {
  const file = m.proc.fds.get(fd)!;
  return file.ops.poll!(file);
}

/** The FIFO checks every filesystem must pass; `dir` is where the FIFO is made. */
async function fifoRules(m: FakeMachine, dir: string): Promise<void> {
  const fifo = `${dir}/fifo`;
  assert.equal(m.callSync(fileNameSyscalls.mknod, [path(m, fifo), S_IFIFO | 0o644, 0]), 0);
  assert.equal(open(m, fifo, O_WRONLY | O_NONBLOCK), -ENXIO, "no reader yet");
  assert.equal(open(m, fifo, 3), -EINVAL, "O_ACCMODE 3");
  const r = openSync(m, fifo, O_RDONLY | O_NONBLOCK);
  assert.equal(pollMask(m, r), 0, "no hang-up before any writer came");
  const w = openSync(m, fifo, O_WRONLY | O_NONBLOCK);
  const file = m.proc.fds.get(w)!;
  const st = file.ops.stat(file);
  assert.equal(st.mode, S_IFIFO | 0o644, "fstat shows the FIFO's inode");
  assert.notEqual(st.dev, PIPEFS_DEV);
  assert.equal(file.path, fifo);
  assert.equal(m.callSync(fcntl, [w, F_GETPIPE_SZ]), 65536);
  m.write(BUF, new TextEncoder().encode("through"));
  assert.equal(m.callSync(write, [w, BUF, 7]), 7);
  assert.equal(file.inode!.size, 0, "the data never reaches the filesystem");
  assert.equal(m.callSync(close, [w]), 0);
  assert.equal(pollMask(m, r), POLLIN | 0x40 | POLLHUP);
  assert.equal(m.callSync(read, [r, BUF + 100, 100]), 7);
  assert.equal(new TextDecoder().decode(m.read(BUF + 100, 7)), "through");
  assert.equal(m.callSync(read, [r, BUF + 100, 100]), 0, "EOF: no writer");
  const rw = openSync(m, fifo, O_RDWR);
  assert.equal(pollMask(m, rw) & (POLLOUT | POLLHUP), POLLOUT, "O_RDWR is its own partner");
  // The second reader shares the pipe: what goes in through one fd comes out of the other.
  m.write(BUF, new TextEncoder().encode("ab"));
  assert.equal(m.callSync(write, [rw, BUF, 2]), 2);
  assert.equal(m.callSync(read, [r, BUF + 100, 100]), 2);
  assert.equal(m.callSync(close, [rw]), 0);
  assert.equal(m.callSync(close, [r]), 0);
  // Blocking opens wait for the other side (another thread of the same process opens it).
  const other = m.thread();
  let reader: number | null = null;
  const opening = Promise.resolve(open(m, fifo, O_RDONLY)).then((fd) => reader = fd);
  await settle();
  assert.equal(reader, null, "O_RDONLY waits for a writer");
  const writer = await open(m, fifo, O_WRONLY, other);
  await opening;
  assert.ok(reader! >= 0 && writer >= 0, `${reader} ${writer}`);
  m.write(BUF, new TextEncoder().encode("left"));
  assert.equal(m.callSync(write, [writer, BUF, 4]), 4);
  assert.equal(m.callSync(close, [writer]), 0);
  assert.equal(m.callSync(read, [reader!, BUF + 100, 2]), 2, "the pipe lives while anyone has it");
  assert.equal(m.callSync(close, [reader!]), 0);
  const again = openSync(m, fifo, O_RDWR);
  assert.equal(m.callSync(read, [again, BUF, 0]), 0);
  const nonblocking = m.callSync(fcntl, [again, 4, O_NONBLOCK]);
  assert.equal(nonblocking, 0);
  assert.equal(m.callSync(read, [again, BUF, 10]), -11, "the last close dropped the old data");
  assert.equal(m.callSync(close, [again]), 0);
}

Deno.test("FIFO on tmpfs: Linux's open rules, one pipe per inode", async () => {
  const m = boot(null);
  await fifoRules(m, "/tmp");
});

Deno.test("FIFO on hostfs: the host FIFO is never opened", async () => {
  const base = await Deno.makeTempDir({ prefix: "fifo-hostfs-" });
  try {
    const fs = mountHostDirectory(base, false);
    const m = boot(fs);
    await fifoRules(m, "/mnt");
    const info = Deno.lstatSync(join(base, "fifo"));
    assert.equal(info.isFifo, true, "mknod made a host FIFO");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("FIFO on ext2", async () => {
  const dir = await Deno.makeTempDir({ prefix: "fifo-ext2-" });
  try {
    const image = join(dir, "disk.img");
    await mke2fs(image, { sizeBytes: 4 * MIB, blockSize: 1024, inodeSize: 128 });
    const fs = mountFile(image);
    const m = boot(fs);
    await fifoRules(m, "/mnt");
    fs.unmount();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("FIFO: a blocking open cut short by a signal is -ERESTARTSYS and counts no reader", async () => {
  const m = boot(null);
  assert.equal(m.callSync(fileNameSyscalls.mknod, [path(m, "/tmp/f"), S_IFIFO | 0o600, 0]), 0);
  const before = m.proc.fds.openFds().length;
  const opening = Promise.resolve(open(m, "/tmp/f", O_RDONLY));
  await settle();
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await opening, -ERESTARTSYS);
  assert.equal(m.proc.fds.openFds().length, before, "no fd installed");
  m.task.pending.clear();
  assert.equal(open(m, "/tmp/f", O_WRONLY | O_NONBLOCK), -ENXIO, "the reader was released");
  const writing = Promise.resolve(open(m, "/tmp/f", O_WRONLY));
  await settle();
  m.kernel.sendSignal(m.task, SIGUSR1);
  assert.equal(await writing, -ERESTARTSYS);
});

Deno.test("a pipe reopened through /proc/self/fd is the same pipe, and never waits", async () => {
  const m = boot(null);
  const FDS = AREA + 0x800;
  assert.equal(m.callSync(pipeSyscalls.pipe, [FDS]), 0);
  const [r, w] = [m.u32(FDS), m.u32(FDS + 4)];
  const link = m.callSync(fileInfoSyscalls.readlink, [path(m, `/proc/self/fd/${w}`), BUF, 64]);
  const original = m.proc.fds.get(r)!;
  const ino = original.ops.stat(original).ino;
  assert.equal(new TextDecoder().decode(m.read(BUF, link)), `pipe:[${ino}]`);
  const writer = openSync(m, `/proc/self/fd/${w}`, O_WRONLY);
  const reopened = m.proc.fds.get(writer)!;
  const st = reopened.ops.stat(reopened);
  assert.deepEqual([st.ino, st.dev, st.mode], [ino, PIPEFS_DEV, S_IFIFO | 0o600]);
  assert.equal(reopened.path, `pipe:[${ino}]`);
  assert.equal(m.callSync(close, [w]), 0);
  m.write(BUF, new TextEncoder().encode("again"));
  assert.equal(m.callSync(write, [writer, BUF, 5]), 5);
  assert.equal(m.callSync(read, [r, BUF + 100, 100]), 5);
  assert.equal(new TextDecoder().decode(m.read(BUF + 100, 5)), "again");
  assert.equal(m.callSync(close, [writer]), 0);
  assert.equal(await m.call(read, [r, BUF, 10]), 0, "the reopened writer was the last");
  const reader = openSync(m, `/proc/self/fd/${r}`, O_RDONLY);
  assert.equal(m.callSync(read, [reader, BUF, 10]), 0, "no writer: EOF, and the open did not wait");
  assert.equal(open(m, `/proc/self/fd/${r}`, 3), -EINVAL);
});
