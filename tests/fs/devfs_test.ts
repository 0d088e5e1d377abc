// devtmpfs and its devices: the populated tree (nodes, links, directories with Linux's modes and
// numbers), mknod and files inside /dev, and each device's behaviour through open(2)'s path —
// null, zero, full, random/urandom with their ioctls, /dev/tty and /dev/console on a terminal
// (and ENXIO without one), /dev/stdin through /proc/self/fd/0.

import assert from "node:assert/strict";
import { EINVAL, ENOENT, ENOSPC, ENOTTY, ENXIO, EPERM, ESPIPE } from "../../kernel/errno.ts";
import { O_RDONLY, O_RDWR, O_WRONLY, OpenFile } from "../../kernel/files/open-file.ts";
import { FIONREAD, StdinOps, TCGETS, Terminal } from "../../kernel/files/stdio-file.ts";
import { createDevfs, mountDevfs } from "../../kernel/fs/devfs/devfs.ts";
import {
  RNDADDTOENTCNT,
  RNDCLEARPOOL,
  RNDGETENTCNT,
} from "../../kernel/fs/devfs/memory-devices.ts";
import type { Path } from "../../kernel/fs/dentry.ts";
import { MountError } from "../../kernel/fs/filesystem.ts";
import {
  devMajor,
  devMinor,
  makedev,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from "../../kernel/fs/inode.ts";
import { makeNode } from "../../kernel/fs/namespace.ts";
import { openFile } from "../../kernel/fs/open.ts";
import { resolve } from "../../kernel/fs/path-walk.ts";
import { mountProc } from "../../kernel/fs/procfs/procfs.ts";
import { mountTmpfs, TMPFS_MAGIC } from "../../kernel/fs/tmpfs.ts";
import { AT_FDCWD, parentAt, walkContext } from "../../kernel/fs/vfs.ts";
import { bufferInput, collectOutput } from "../../kernel/host/stdio.ts";
import { rootCredentials } from "../../kernel/proc/process.ts";
import { SyscallError } from "../../kernel/syscall-error.ts";
import { AREA, FakeMachine } from "../kernel/lib/fake-task.ts";

function errnoOf(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof SyscallError) return e.errno;
    throw e;
  }
  return 0;
}

/** A kernel with a tmpfs root, devtmpfs on /dev and procfs on /proc; the test task is current. */
function boot(): FakeMachine {
  const m = new FakeMachine();
  const kernel = m.kernel;
  const rootFs = mountTmpfs({ readOnly: false, options: "mode=755", source: "rootfs" });
  kernel.vfs.mounts.mountRoot(rootFs);
  const root = kernel.vfs.rootPath();
  for (const dir of ["dev", "proc"]) rootFs.root.mkdir(dir, S_IFDIR | 0o755, 0, 0);
  const ctx = { mounts: kernel.vfs.mounts, root, creds: rootCredentials() };
  const at = (path: string) => resolve(ctx, root, path, { follow: true });
  const request = { readOnly: false, options: "", source: "devtmpfs", kernel };
  kernel.vfs.mounts.mount(mountDevfs(request), at("/dev"), 0);
  kernel.vfs.mounts.mount(mountProc({ ...request, source: "proc" }), at("/proc"), 0);
  m.proc.root = root;
  m.proc.cwd = root;
  kernel.current = m.task;
  return m;
}

function open(m: FakeMachine, path: string, flags = O_RDWR): OpenFile {
  return openFile(m.kernel, m.task, { dirfd: AT_FDCWD, path, flags, mode: 0o644 });
}

function lookup(m: FakeMachine, path: string, follow = true): Path {
  return resolve(walkContext(m.task, m.kernel.vfs), m.proc.cwd, path, { follow });
}

function ioctl(m: FakeMachine, file: OpenFile, request: number, arg = AREA) {
  return file.ops.ioctl!(file, request, arg, m.proc.user);
}

Deno.test("createDevfs: Linux's nodes, links and directories", () => {
  const fs = createDevfs();
  assert.equal(fs.type, "devtmpfs");
  assert.equal(fs.statfs().type, TMPFS_MAGIC);
  assert.equal(fs.root.mode, S_IFDIR | 0o755);
  const expected: [string, number, number, number][] = [
    ["null", 1, 3, 0o666],
    ["zero", 1, 5, 0o666],
    ["full", 1, 7, 0o666],
    ["random", 1, 8, 0o666],
    ["urandom", 1, 9, 0o666],
    ["tty", 5, 0, 0o666],
    ["console", 5, 1, 0o600],
  ];
  for (const [name, major, minor, perm] of expected) {
    const node = fs.root.lookup(name)!;
    assert.equal(node.mode, S_IFCHR | perm, name);
    assert.equal([devMajor(node.rdev), devMinor(node.rdev)].join(":"), `${major}:${minor}`);
    assert.equal(node.uid, 0);
  }
  const links = { fd: "/proc/self/fd", stdin: "/proc/self/fd/0", stdout: "/proc/self/fd/1" };
  for (const [name, target] of Object.entries(links)) {
    const link = fs.root.lookup(name)!;
    assert.equal(link.mode & S_IFMT, S_IFLNK);
    assert.equal(link.readlink(), target);
  }
  assert.equal(fs.root.lookup("stderr")!.readlink(), "/proc/self/fd/2");
  assert.equal(fs.root.lookup("shm")!.mode, S_IFDIR | 0o1777);
  assert.equal(fs.root.lookup("pts")!.mode, S_IFDIR | 0o755);
  assert.equal(fs.root.lookup("pts")!.readdir().length, 0);
  assert.equal(createDevfs("mode=700").root.mode, S_IFDIR | 0o700);
});

Deno.test("mountDevfs: one tree per kernel; bad options are a MountError", () => {
  const m = boot();
  const request = { readOnly: false, options: "", source: "devtmpfs", kernel: m.kernel };
  assert.equal(mountDevfs(request), mountDevfs(request));
  assert.notEqual(mountDevfs({ ...request, kernel: undefined }), mountDevfs(request));
  assert.throws(
    () => mountDevfs({ ...request, kernel: undefined, options: "bogus=1" }),
    (e) => e instanceof MountError && e.errno === EINVAL && /^devtmpfs:/.test(e.message),
  );
});

Deno.test("mknod and new files work in /dev, as on devtmpfs", () => {
  const m = boot();
  const creds = m.proc.creds;
  makeNode(
    parentAt(m.task, m.kernel.vfs, AT_FDCWD, "/dev/null2"),
    S_IFCHR | 0o600,
    makedev(1, 3),
    0,
    creds,
  );
  const copy = open(m, "/dev/null2", O_WRONLY);
  assert.equal(copy.ops.write!(copy, new Uint8Array(5), null), 5, "a second node, same driver");
  makeNode(parentAt(m.task, m.kernel.vfs, AT_FDCWD, "/dev/initctl"), S_IFIFO | 0o600, 0, 0, creds);
  assert.equal(lookup(m, "/dev/initctl").dentry.inode.mode & S_IFMT, S_IFIFO);
  const file = open(m, "/dev/shm/segment", O_RDWR | 0o100 /* O_CREAT */);
  assert.equal(file.ops.write!(file, new Uint8Array([1, 2, 3]), 0), 3);
  assert.equal(lookup(m, "/dev/shm/segment").dentry.inode.mode & S_IFMT, S_IFREG);
});

Deno.test("null, zero and full read and write as Linux's", () => {
  const m = boot();
  const buf = new Uint8Array(64).fill(7);
  const nul = open(m, "/dev/null");
  assert.equal(nul.ops.read!(nul, buf, null), 0);
  assert.equal(nul.ops.write!(nul, new Uint8Array(1000), null), 1000);
  assert.equal(nul.ops.write!(nul, new Uint8Array(3), 12), 3, "pwrite");
  assert.equal(nul.ops.seekableSize!(nul), 0);
  // Linux's null_lseek: any lseek (even past the end or with a bad whence) lands on 0.
  nul.offset = 7;
  assert.equal(nul.ops.llseek!(nul, 100, 0 /* SEEK_SET */), 0);
  assert.equal(nul.offset, 0);
  assert.equal(nul.ops.llseek!(nul, 5, 9), 0);
  assert.equal(ioctl(m, nul, FIONREAD), -ENOTTY);
  const stat = nul.ops.stat(nul);
  assert.equal(stat.mode, S_IFCHR | 0o666);
  assert.equal(stat.rdev, makedev(1, 3));
  const zero = open(m, "/dev/zero");
  assert.equal(zero.ops.read!(zero, buf, null), 64);
  assert.ok(buf.every((b) => b === 0));
  assert.equal(zero.ops.write!(zero, new Uint8Array(9), null), 9);
  const full = open(m, "/dev/full");
  buf.fill(7);
  assert.equal(full.ops.read!(full, buf, null), 64);
  assert.ok(buf.every((b) => b === 0));
  assert.equal(full.ops.write!(full, new Uint8Array(1), null), -ENOSPC);
});

Deno.test("random and urandom: random bytes of any length, entropy ioctls", () => {
  const m = boot();
  for (const name of ["/dev/random", "/dev/urandom"]) {
    const file = open(m, name);
    const big = new Uint8Array(200_000);
    assert.equal(file.ops.read!(file, big, null), big.length);
    // 200 KB of random bytes: every byte value appears, no long run of zeros (unlike /dev/zero).
    assert.equal(new Set(big).size, 256);
    assert.ok(big.subarray(big.length - 65536).some((b) => b !== 0), "the tail is filled too");
    const a = new Uint8Array(32), b = new Uint8Array(32);
    file.ops.read!(file, a, null);
    file.ops.read!(file, b, null);
    assert.notDeepEqual(a, b);
    assert.equal(file.ops.write!(file, new Uint8Array(10), null), 10);
    assert.equal(ioctl(m, file, RNDGETENTCNT), 0);
    assert.equal(m.u32(AREA), 256);
    assert.equal(ioctl(m, file, FIONREAD), -EINVAL);
    m.writeU32(AREA, 8);
    assert.equal(ioctl(m, file, RNDADDTOENTCNT), 0, "root may credit entropy");
    assert.equal(ioctl(m, file, RNDCLEARPOOL), 0);
  }
  const user = m.spawn("user", { ...rootCredentials(), uid: 9, euid: 9, suid: 9, fsuid: 9 });
  const file = open(m, "/dev/urandom");
  m.kernel.current = user;
  assert.equal(ioctl(m, file, RNDCLEARPOOL), -EPERM);
  assert.equal(ioctl(m, file, RNDGETENTCNT), 0, "anyone may ask the count");
});

Deno.test("/dev/tty and /dev/console: the host terminal, ENXIO without one", async () => {
  const m = boot();
  assert.equal(errnoOf(() => open(m, "/dev/tty")), ENXIO);
  assert.equal(errnoOf(() => open(m, "/dev/console")), ENXIO);
  const input = { ...bufferInput("typed\n"), isTerminal: true };
  const output = collectOutput();
  const tty = new Terminal(input, () => ({ columns: 80, rows: 24 }));
  m.kernel.terminal = { input, output: output.sink, tty };
  const file = open(m, "/dev/tty");
  const buf = new Uint8Array(16);
  assert.equal(file.ops.readWait!(file), null, "input is there");
  const n = await file.ops.read!(file, buf, null);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n as number)), "typed\n");
  assert.equal(await file.ops.write!(file, new TextEncoder().encode("shown"), null), 5);
  assert.equal(output.text(), "shown");
  assert.equal(file.ops.write!(file, new Uint8Array(1), 0), -ESPIPE, "no pwrite on a tty");
  assert.equal(file.seekable, false);
  assert.equal(ioctl(m, file, TCGETS), 0);
  assert.deepEqual(m.read(AREA, 36), tty.termios, "the terminal's own termios");
  const stat = file.ops.stat(file);
  assert.equal(stat.mode, S_IFCHR | 0o666);
  assert.equal(stat.rdev, makedev(5, 0));
  const console = open(m, "/dev/console", O_WRONLY);
  assert.equal(console.ops.stat(console).rdev, makedev(5, 1));
  assert.equal(console.ops.stat(console).mode & 0o777, 0o600);
});

Deno.test("/dev/stdin and /dev/fd reach the process's own files through procfs", () => {
  const m = boot();
  const file = open(m, "/dev/shm/input", O_RDWR | 0o100 /* O_CREAT */);
  assert.equal(m.proc.fds.install(file, false), 0);
  const pipe = new OpenFile(new StdinOps(bufferInput(), null), O_RDONLY, "pipe:[3]");
  assert.equal(m.proc.fds.install(pipe, false), 1);
  assert.equal(lookup(m, "/dev/stdin").dentry.inode, file.location!.dentry.inode);
  assert.equal(lookup(m, "/dev/fd/0").dentry.inode, file.location!.dentry.inode);
  assert.equal(lookup(m, "/dev/stdout", false).dentry.inode.readlink(), "/proc/self/fd/1");
  assert.equal(lookup(m, "/proc/self/fd/1", false).dentry.inode.readlink(), "pipe:[3]");
  // As on Linux, the link of a pipe leads to the pipe itself (pipefs), so opening it reopens it.
  const reached = lookup(m, "/dev/stdout").dentry.inode;
  assert.equal(reached.mode, 0o010600, "a FIFO inode");
  assert.equal(reached.fs.type, "pipefs");
  assert.equal(errnoOf(() => lookup(m, "/dev/stderr")), ENOENT, "fd 2 is not open");
  const names = lookup(m, "/dev/fd").dentry.inode.readdir().map((e) => e.name);
  assert.deepEqual(names, ["0", "1"]);
});
