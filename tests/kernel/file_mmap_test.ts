// Tests for file mappings (kernel/mm/address-space.ts, kernel/syscalls/memory.ts) and in-kernel
// copies (kernel/syscalls/file-transfer.ts) on a tmpfs tree, looking where a guest program cannot:
// which frames the page tables hold (the cache's, or private copies), the file offsets of area
// pieces after mprotect/munmap/mremap, write-back on msync, fsync and exit, truncation reaching
// every address space, the counts that keep an inode alive, and that every frame comes back.
// tests/guest (file-mmap, file-transfer) compares the same behaviour with native Linux.

import assert from "node:assert/strict";
import { PAGE_SHIFT } from "../../core/memory.ts";
import { EACCES, EBUSY, EFAULT, ENODEV, EPERM, EXDEV } from "../../kernel/errno.ts";
import { O_CREAT, O_RDONLY, O_RDWR, OpenFile } from "../../kernel/files/open-file.ts";
import { truncateInode } from "../../kernel/fs/attributes.ts";
import { fileSystemType } from "../../kernel/fs/filesystem.ts";
import type { Inode } from "../../kernel/fs/inode.ts";
import { MS_NOEXEC } from "../../kernel/fs/mount.ts";
import { openFile } from "../../kernel/fs/open.ts";
import { pageCacheOf } from "../../kernel/fs/page-cache.ts";
import { makeDirectories, setUpFileSystems } from "../../kernel/fs/setup.ts";
import { AT_FDCWD } from "../../kernel/fs/vfs.ts";
import { BUS_ADRERR } from "../../kernel/mm/address-space.ts";
import { frameOf, PTE_COW, PTE_PRESENT, PTE_WRITE } from "../../kernel/mm/page-table.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE, type Vma } from "../../kernel/mm/vma.ts";
import type { Task } from "../../kernel/proc/process.ts";
import { fileIoSyscalls } from "../../kernel/syscalls/file-io.ts";
import { fileSyncSyscalls } from "../../kernel/syscalls/file-sync.ts";
import { fileTransferSyscalls } from "../../kernel/syscalls/file-transfer.ts";
import {
  MAP_FIXED,
  MAP_PRIVATE,
  MAP_SHARED,
  memorySyscalls,
  MS_SYNC,
} from "../../kernel/syscalls/memory.ts";
import { AREA, FakeMachine } from "./lib/fake-task.ts";

const PAGE = 4096;
const RW = PROT_READ | PROT_WRITE;
const { mmap, munmap, mprotect, mremap, msync } = memorySyscalls;
const { sendfile, copy_file_range } = fileTransferSyscalls;

function pattern(i: number): number {
  return (i * 7 + (i >> 8)) & 0xff;
}

/** A machine whose process sees an in-memory tree (tmpfs root, /tmp) as its root and cwd. */
function machine(): FakeMachine {
  const m = new FakeMachine();
  setUpFileSystems(m.kernel, {});
  m.proc.root = m.kernel.vfs.rootPath();
  m.proc.cwd = m.proc.root;
  return m;
}

function attach(m: FakeMachine, task: Task): void {
  task.proc.root = m.proc.root;
  task.proc.cwd = m.proc.cwd;
}

/** Open `path` as `task`; returns the fd. */
function open(m: FakeMachine, path: string, flags: number, task = m.task): number {
  const file = openFile(m.kernel, task, { dirfd: AT_FDCWD, path, flags, mode: 0o644 });
  return task.proc.fds.install(file, false);
}

function fileOf(task: Task, fd: number): OpenFile {
  return task.proc.fds.get(fd)!;
}

/** A file of `size` pattern bytes, open read-write as fd. */
function patternFile(m: FakeMachine, path: string, size: number, task = m.task) {
  const fd = open(m, path, O_RDWR | O_CREAT, task);
  const file = fileOf(task, fd);
  file.ops.write!(file, Uint8Array.from({ length: size }, (_, i) => pattern(i)), 0);
  return { fd, file, inode: file.inode! };
}

/** The inode's stored bytes, without the page cache. */
function stored(inode: Inode, offset: number, length: number): number[] {
  const buf = new Uint8Array(length);
  inode.read(offset, buf);
  return [...buf];
}

function pte(task: Task, addr: number): number {
  return task.proc.mm.pageTable.entryLow(addr);
}

function area(task: Task, addr: number): Vma {
  return task.proc.mm.vmas.find(addr)!;
}

Deno.test("file mmap: shared pages are the cache's frames and reach the file on munmap", () => {
  const m = machine();
  const { fd, file, inode } = patternFile(m, "/tmp/shared", 10000);
  const addr = m.callSync(mmap, [0, 3 * PAGE, RW, MAP_SHARED, fd, 0]);
  assert.ok(addr > 0);
  assert.equal(inode.users, 2, "the open file and the mapping's cache");
  assert.deepEqual([...m.read(addr + 9998, 4)], [pattern(9998), pattern(9999), 0, 0]);
  const cache = pageCacheOf(inode)!;
  assert.equal(frameOf(pte(m.task, addr + 2 * PAGE)), cache.pageFrame(2));
  assert.equal(pte(m.task, addr + 2 * PAGE) & PTE_WRITE, 0, "read-only until written");
  m.write(addr + PAGE + 1, new Uint8Array([0xee]));
  assert.ok(pte(m.task, addr + PAGE) & PTE_WRITE);
  assert.equal(stored(inode, PAGE + 1, 1)[0], pattern(PAGE + 1), "not written back yet");
  const viaRead = new Uint8Array(1);
  file.ops.read!(file, viaRead, PAGE + 1);
  assert.equal(viaRead[0], 0xee, "read(2) sees the mapping");
  assert.equal(m.callSync(munmap, [addr, 3 * PAGE]), 0);
  assert.equal(stored(inode, PAGE + 1, 1)[0], 0xee);
  assert.equal(pageCacheOf(inode), undefined, "the cache goes with the last mapping");
  assert.equal(inode.users, 1);
  assert.equal(inode.size, 10000);
});

Deno.test("file mmap: mapping and unmapping again returns every frame", () => {
  const m = machine();
  const { fd } = patternFile(m, "/tmp/cycle", 5 * PAGE);
  const cycle = () => {
    const shared = m.callSync(mmap, [0, 5 * PAGE, RW, MAP_SHARED, fd, 0]);
    const priv = m.callSync(mmap, [0, 5 * PAGE, RW, MAP_PRIVATE, fd, 0]);
    for (let i = 0; i < 5; i++) {
      m.write(shared + i * PAGE, new Uint8Array([i]));
      m.read(priv + i * PAGE, 1);
      if (i % 2) m.write(priv + i * PAGE + 1, new Uint8Array([i]));
    }
    m.callSync(munmap, [shared, 5 * PAGE]);
    m.callSync(munmap, [priv, 5 * PAGE]);
  };
  cycle(); // page tables for these addresses stay allocated after the first round
  const free = m.kernel.frames.freeFrames;
  cycle();
  assert.equal(m.kernel.frames.freeFrames, free);
});

Deno.test("file mmap: a private page is the cache's frame until written, then a copy", () => {
  const m = machine();
  const { fd, inode } = patternFile(m, "/tmp/private", 2 * PAGE);
  const addr = m.callSync(mmap, [0, 2 * PAGE, RW, MAP_PRIVATE, fd, 0]);
  assert.equal(m.read(addr + 5, 1)[0], pattern(5));
  const cacheFrame = pageCacheOf(inode)!.pageFrame(0);
  const refs = () => m.kernel.frames.refs[cacheFrame >>> PAGE_SHIFT];
  assert.equal(frameOf(pte(m.task, addr)), cacheFrame);
  assert.equal(pte(m.task, addr) & (PTE_COW | PTE_WRITE), PTE_COW);
  assert.equal(refs(), 2);
  m.write(addr + 5, new Uint8Array([1]));
  assert.notEqual(frameOf(pte(m.task, addr)), cacheFrame);
  assert.equal(pte(m.task, addr) & (PTE_COW | PTE_WRITE), PTE_WRITE);
  assert.equal(refs(), 1);
  assert.equal(stored(inode, 5, 1)[0], pattern(5));
  // A first touch that is a write copies at once.
  m.write(addr + PAGE, new Uint8Array([2]));
  assert.notEqual(frameOf(pte(m.task, addr + PAGE)), pageCacheOf(inode)!.pageFrame(1));
  // PROT_NONE and back keeps a copy-on-write page copy-on-write.
  const again = m.callSync(mmap, [0, PAGE, RW, MAP_PRIVATE, fd, 0]);
  m.read(again, 1);
  assert.equal(m.callSync(mprotect, [again, PAGE, 0]), 0);
  assert.equal(m.callSync(mprotect, [again, PAGE, RW]), 0);
  assert.equal(pte(m.task, again) & (PTE_COW | PTE_WRITE | PTE_PRESENT), PTE_COW | PTE_PRESENT);
  m.write(again, new Uint8Array([3]));
  assert.equal(stored(inode, 0, 1)[0], pattern(0));
  assert.equal(m.read(addr + 5, 1)[0], 1);
});

Deno.test("file mmap: pieces keep their file offsets through mprotect, munmap and mremap", () => {
  const m = machine();
  const { fd, inode } = patternFile(m, "/tmp/pieces", 12 * PAGE);
  const addr = 0x30000000;
  assert.equal(
    m.callSync(mmap, [addr, 4 * PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 2 * PAGE]),
    addr,
  );
  assert.equal(m.callSync(mprotect, [addr + PAGE, PAGE, RW]), 0);
  const offsets = () => m.proc.mm.vmas.within(addr, addr + 4 * PAGE).map((v) => v.file?.offset);
  assert.deepEqual(offsets(), [2 * PAGE, 3 * PAGE, 4 * PAGE]);
  assert.equal(m.callSync(mprotect, [addr + PAGE, PAGE, PROT_READ]), 0);
  assert.deepEqual(offsets(), [2 * PAGE], "contiguous pieces of one file merge back");
  assert.equal(m.callSync(munmap, [addr + PAGE, PAGE]), 0);
  assert.deepEqual(offsets(), [2 * PAGE, 4 * PAGE]);
  assert.equal(m.read(addr + 2 * PAGE + 3, 1)[0], pattern(4 * PAGE + 3));

  // Grow the last piece where it cannot grow in place: it moves, keeping its offset.
  const last = addr + 2 * PAGE;
  const blocker = m.proc.mm.mapAnonymous(last + 2 * PAGE, PAGE, RW, 0, "noreplace");
  assert.equal(blocker, last + 2 * PAGE);
  const moved = m.callSync(mremap, [last, 2 * PAGE, 3 * PAGE, 1, 0]);
  assert.ok(moved > 0 && moved !== last);
  assert.equal(area(m.task, moved).file?.offset, 4 * PAGE);
  assert.equal(m.read(moved + 2 * PAGE + 9, 1)[0], pattern(6 * PAGE + 9));
  assert.equal(area(m.task, moved).name, "/tmp/pieces");
  assert.equal(area(m.task, moved).file?.ino, inode.ino);
  assert.equal(area(m.task, moved).file?.dev, inode.fs.dev);
  m.callSync(munmap, [addr, 4 * PAGE]);
  assert.ok(pageCacheOf(inode) !== undefined, "the moved area still maps the file");
  m.callSync(munmap, [moved, 3 * PAGE]);
  assert.equal(pageCacheOf(inode), undefined);
  assert.equal(inode.users, 1);
});

Deno.test("file mmap: mremap moves the tail of an area, or a whole one, still coherent", () => {
  const m = machine();
  const { fd, file, inode } = patternFile(m, "/tmp/moving", 8 * PAGE);
  const addr = 0x30000000;
  assert.equal(m.callSync(mmap, [addr, 4 * PAGE, RW, MAP_SHARED | MAP_FIXED, fd, PAGE]), addr);
  m.proc.mm.mapAnonymous(addr + 4 * PAGE, PAGE, RW, 0, "noreplace");
  const tail = m.callSync(mremap, [addr + 2 * PAGE, 2 * PAGE, 3 * PAGE, 1, 0]);
  assert.ok(tail > 0 && tail !== addr + 2 * PAGE);
  assert.equal(area(m.task, tail).file?.offset, 3 * PAGE);
  assert.equal(m.read(tail + 4, 1)[0], pattern(3 * PAGE + 4));
  m.callSync(munmap, [addr, 2 * PAGE]);

  // The whole mapping moves: the cache must survive the move with its pages.
  m.write(tail + 1, new Uint8Array([0x31]));
  const whole = m.callSync(mremap, [tail, 3 * PAGE, 4 * PAGE, 3, addr + 8 * PAGE]);
  assert.equal(whole, addr + 8 * PAGE);
  file.ops.write!(file, new Uint8Array([0x32]), 3 * PAGE + 2);
  assert.deepEqual([...m.read(whole + 1, 2)], [0x31, 0x32]);
  const back = new Uint8Array(2);
  file.ops.read!(file, back, 3 * PAGE + 1);
  assert.deepEqual([...back], [0x31, 0x32]);
  m.callSync(munmap, [whole, 4 * PAGE]);
  assert.deepEqual(stored(inode, 3 * PAGE + 1, 2), [0x31, 0x32]);
});

Deno.test("file mmap: pages past EOF fault as SIGBUS and are EFAULT to the kernel", () => {
  const m = machine();
  const { fd } = patternFile(m, "/tmp/short", 100);
  const addr = m.callSync(mmap, [0, 2 * PAGE, RW, MAP_SHARED, fd, 0]);
  assert.deepEqual(m.proc.mm.handleFault(addr + 200, false, false), { ok: true, code: 0 });
  assert.deepEqual(m.proc.mm.handleFault(addr + PAGE, true, false), {
    ok: false,
    code: BUS_ADRERR,
    bus: true,
  });
  assert.throws(() => m.read(addr + PAGE, 1), (e: { errno?: number }) => e.errno === EFAULT);
});

Deno.test("file mmap: truncation unmaps pages past EOF in every address space", () => {
  const m = machine();
  const other = m.spawn();
  attach(m, other);
  const { fd, inode } = patternFile(m, "/tmp/truncated", 3 * PAGE);
  const fd2 = open(m, "/tmp/truncated", O_RDWR, other);
  const a = m.callSync(mmap, [0, 3 * PAGE, RW, MAP_SHARED, fd, 0]);
  const b = m.callSync(mmap, [0, 3 * PAGE, RW, MAP_PRIVATE, fd2, 0], other);
  m.read(a + 2 * PAGE, 1);
  m.write(b + 2 * PAGE, new Uint8Array([9]), other); // a private copy: dropped too
  m.write(a + PAGE, new Uint8Array([7]));
  assert.equal(m.read(b + PAGE, 1, other)[0], 7, "the private mapping sees the shared write");
  truncateInode(inode, PAGE + 10);
  assert.equal(pte(m.task, a + 2 * PAGE), 0);
  assert.equal(pte(other, b + 2 * PAGE), 0);
  assert.equal(m.proc.mm.handleFault(a + 2 * PAGE, false, false).bus, true);
  assert.equal(other.proc.mm.handleFault(b + 2 * PAGE, false, false).bus, true);
  assert.deepEqual([...m.read(a + PAGE + 9, 2)], [pattern(PAGE + 9), 0], "the tail is zeroed");
});

Deno.test("file mmap: msync and fsync write back and re-arm dirty tracking", () => {
  const m = machine();
  const { fd, inode } = patternFile(m, "/tmp/synced", 2 * PAGE);
  const addr = m.callSync(mmap, [0, 2 * PAGE, RW, MAP_SHARED, fd, 0]);
  m.write(addr + 1, new Uint8Array([0x41]));
  assert.equal(m.callSync(msync, [addr, PAGE, MS_SYNC]), 0);
  assert.equal(stored(inode, 1, 1)[0], 0x41);
  assert.equal(pte(m.task, addr) & PTE_WRITE, 0, "write-protected after write-back");
  m.write(addr + 2, new Uint8Array([0x42]));
  assert.equal(pageCacheOf(inode)!.dirtyPages, 1);
  assert.equal(stored(inode, 2, 1)[0], pattern(2));
  assert.equal(m.callSync(fileSyncSyscalls.fsync, [fd]), 0);
  assert.equal(stored(inode, 2, 1)[0], 0x42);
  m.write(addr + PAGE, new Uint8Array([0x43]));
  assert.equal(m.callSync(msync, [addr, PAGE, MS_SYNC]), 0);
  assert.equal(stored(inode, PAGE, 1)[0], pattern(PAGE), "msync writes back its range only");

  // Written back while PROT_NONE: the page must still catch its next write.
  m.write(addr + 4, new Uint8Array([0x44]));
  assert.equal(m.callSync(mprotect, [addr, PAGE, 0]), 0);
  assert.equal(m.callSync(msync, [addr, PAGE, MS_SYNC]), 0);
  assert.equal(m.callSync(mprotect, [addr, PAGE, RW]), 0);
  m.write(addr + 5, new Uint8Array([0x45]));
  m.callSync(munmap, [addr, 2 * PAGE]);
  assert.deepEqual(stored(inode, 4, 2), [0x44, 0x45]);
});

Deno.test("file mmap: sync(2) writes mapped changes back; a mapping keeps its mount busy", () => {
  const m = machine();
  const other = fileSystemType("tmpfs")!.factory({
    readOnly: false,
    options: "",
    source: "tmpfs",
    kernel: m.kernel,
  });
  m.kernel.vfs.mounts.mount(other, makeDirectories(m.kernel, "/mnt"), 0);
  const { fd, inode } = patternFile(m, "/mnt/busy", PAGE);
  const addr = m.callSync(mmap, [0, PAGE, RW, MAP_SHARED, fd, 0]);
  m.write(addr, new Uint8Array([0x5a]));
  assert.equal(m.callSync(fileSyncSyscalls.sync, []), 0);
  assert.equal(stored(inode, 0, 1)[0], 0x5a);
  m.write(addr + 1, new Uint8Array([0x5b]));
  assert.equal(m.callSync(fileSyncSyscalls.syncfs, [fd]), 0);
  assert.equal(stored(inode, 1, 1)[0], 0x5b);
  m.callSync(fileIoSyscalls.close, [fd]);
  m.write(AREA, new TextEncoder().encode("/mnt\0"));
  assert.equal(m.callSync(fileSyncSyscalls.umount2, [AREA, 0]), -EBUSY);
  m.callSync(munmap, [addr, PAGE]);
  assert.equal(m.callSync(fileSyncSyscalls.umount2, [AREA, 0]), 0);
});

Deno.test("file mmap: the end of a process writes back shared pages and lets go", () => {
  const m = machine();
  const { inode } = patternFile(m, "/tmp/exiting", PAGE);
  const addr = m.callSync(mmap, [0, PAGE, RW, MAP_SHARED, open(m, "/tmp/exiting", O_RDWR), 0]);
  m.write(addr + 3, new Uint8Array([0x99]));
  m.proc.fds.closeAll();
  assert.equal(inode.users, 1, "only the mapping holds the inode");
  m.proc.mm.destroy();
  assert.equal(stored(inode, 3, 1)[0], 0x99);
  assert.equal(inode.users, 0);
});

Deno.test("file mmap: access rules of the file and its mount", () => {
  const m = machine();
  patternFile(m, "/tmp/rules", PAGE);
  const ro = open(m, "/tmp/rules", O_RDONLY);
  const shared = m.callSync(mmap, [0, PAGE, PROT_READ, MAP_SHARED, ro, 0]);
  assert.equal(m.callSync(mprotect, [shared, PAGE, RW]), -EACCES);
  const priv = m.callSync(mmap, [0, PAGE, PROT_READ, MAP_PRIVATE, ro, 0]);
  assert.equal(m.callSync(mprotect, [priv, PAGE, RW]), 0);
  m.proc.root.mount.flags |= MS_NOEXEC;
  assert.equal(m.callSync(mmap, [0, PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, ro, 0]), -EPERM);
  const noexec = m.callSync(mmap, [0, PAGE, PROT_READ, MAP_PRIVATE, ro, 0]);
  assert.equal(m.callSync(mprotect, [noexec, PAGE, PROT_READ | PROT_EXEC]), -EACCES);
});

Deno.test("file mmap: files whose ops say mapsAnonymous map zero memory; others are ENODEV", () => {
  const m = machine();
  const stat = () => fileOf(m.task, 0).ops.stat(fileOf(m.task, 0));
  const device = (mapsAnonymous: boolean) =>
    m.proc.fds.install(new OpenFile({ stat, mapsAnonymous }, O_RDWR, "/dev/zero"), false);
  const fd = device(true);
  const addr = m.callSync(mmap, [0, 2 * PAGE, RW, MAP_PRIVATE, fd, 0]);
  assert.ok(addr > 0);
  assert.deepEqual([...m.read(addr + PAGE, 2)], [0, 0]);
  assert.equal(area(m.task, addr).file, undefined);
  assert.equal(m.callSync(mmap, [0, PAGE, RW, MAP_PRIVATE, device(false), 0]), -ENODEV);
});

Deno.test("copy_file_range: different filesystems are EXDEV", () => {
  const m = machine();
  const other = fileSystemType("tmpfs")!.factory({
    readOnly: false,
    options: "",
    source: "tmpfs",
    kernel: m.kernel,
  });
  m.kernel.vfs.mounts.mount(other, makeDirectories(m.kernel, "/mnt"), 0);
  const { fd } = patternFile(m, "/tmp/src", 100);
  const out = open(m, "/mnt/dst", O_RDWR | O_CREAT);
  assert.equal(m.callSync(copy_file_range, [fd, 0, out, 0, 10, 0]), -EXDEV);
  const same = open(m, "/tmp/dst", O_RDWR | O_CREAT);
  assert.equal(m.callSync(copy_file_range, [fd, 0, same, 0, 10, 0]), 10);
});

Deno.test("sendfile: an output that waits, and one that takes part of a chunk", async () => {
  const m = machine();
  const { fd, file } = patternFile(m, "/tmp/send", 3 * 1024 * 1024);
  const received: number[] = [];
  const stat = () => file.ops.stat(file);
  const slow = new OpenFile(
    {
      stat,
      write: (_f, data) => Promise.resolve(received.push(data.length)).then(() => data.length),
    },
    O_RDWR,
    "pipe:[9]",
  );
  file.offset = 0;
  const total = await m.call(sendfile, [m.proc.fds.install(slow, false), fd, 0, 3 * 1024 * 1024]);
  assert.equal(total, 3 * 1024 * 1024);
  assert.deepEqual(received, [1 << 20, 1 << 20, 1 << 20]);
  assert.equal(file.offset, 3 * 1024 * 1024);

  const half = new OpenFile({ stat, write: (_f, data) => data.length >> 1 }, O_RDWR, "pipe:[10]");
  const offsetAddr = AREA;
  m.writeI64(offsetAddr, 100);
  const sent = m.callSync(sendfile, [m.proc.fds.install(half, false), fd, offsetAddr, 1000]);
  assert.equal(sent, 500);
  assert.equal(m.i64(offsetAddr), 600, "the offset moves by what was written");
});
