// tmpfs through the Inode API: files (sparse pages, truncate, fallocate, SEEK_DATA/SEEK_HOLE,
// checked against the host kernel's own tmpfs), directories (nlink, sizes, rename/exchange),
// links and eviction accounting, size=/nr_inodes= limits, statfs and mount options.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  EEXIST,
  EINVAL,
  EISDIR,
  ENAMETOOLONG,
  ENOSPC,
  ENOTEMPTY,
  EXDEV,
} from "../../kernel/errno.ts";
import { fileSystemType, MountError } from "../../kernel/fs/filesystem.ts";
import { type Inode, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFREG } from "../../kernel/fs/inode.ts";
import { makedev } from "../../kernel/fs/inode.ts";
import { mountTmpfs, TmpFileSystem, TMPFS_MAGIC } from "../../kernel/fs/tmpfs.ts";
import { SyscallError } from "../../kernel/syscall-error.ts";
import { rng } from "../lib/xorshift.ts";

const MiB = 1024 * 1024;

function mount(options = "", memoryBytes?: number): TmpFileSystem {
  return mountTmpfs({ readOnly: false, options, source: "none" }, memoryBytes);
}

function throwsErrno(fn: () => unknown, errno: number) {
  assert.throws(fn, (error) => error instanceof SyscallError && error.errno === errno);
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function readAll(inode: Inode): Uint8Array {
  const out = new Uint8Array(inode.size);
  assert.equal(inode.read(0, out), inode.size);
  return out;
}

/** A time stamp far in the past, so a change to "now" is visible without timing anything. */
const OLD = () => ({ sec: 1000, nsec: 5 });

Deno.test("tmpfs: a fresh mount has a sticky, world-writable root with Linux's numbers", () => {
  const fs = mount();
  const root = fs.root;
  assert.equal(root.mode, S_IFDIR | 0o1777);
  assert.equal(root.ino, 1);
  assert.equal(root.nlink, 2);
  assert.equal(root.size, 40);
  assert.equal(root.blocks, 0);
  assert.deepEqual(root.readdir(), []);
  assert.equal(fs.type, "tmpfs");
  assert.equal(fs.source, "none");
  assert.notEqual(fs.dev, mount().dev);
  const st = fs.statfs();
  assert.equal(st.type, TMPFS_MAGIC);
  assert.equal(st.bsize, 4096);
  assert.equal(st.frsize, 4096);
  assert.equal(st.namelen, 255);
  assert.equal(st.blocks, 128 * MiB / 2 / 4096);
  assert.equal(st.bfree, st.blocks);
  assert.equal(st.files, 128 * MiB / 2 / 4096);
  assert.equal(st.ffree, st.files - 1);
  assert.equal(st.flags, 0);
  assert.equal(mountTmpfs({ readOnly: true, options: "", source: "x" }).statfs().flags, 1);
});

Deno.test("tmpfs: registered as a nodev filesystem type", () => {
  const type = fileSystemType("tmpfs");
  assert.ok(type);
  assert.equal(type.needsDevice, false);
  const fs = type.factory({ readOnly: false, options: "size=1m", source: "tmp" });
  assert.ok(fs instanceof TmpFileSystem);
  assert.equal(fs.statfs().blocks, 256);
});

Deno.test("tmpfs: create, write, read, times and directory size", () => {
  const fs = mount();
  const root = fs.root;
  root.mtime = OLD();
  root.ctime = OLD();
  const file = root.create("hello.txt", S_IFREG | 0o640, 1000, 100, 0);
  assert.equal(file.mode, S_IFREG | 0o640);
  assert.deepEqual([file.uid, file.gid, file.nlink, file.size, file.blocks], [1000, 100, 1, 0, 0]);
  assert.ok(file.ino > root.ino);
  assert.ok(root.mtime.sec > 1000 && root.ctime.sec > 1000, "entry change touches the dir");
  assert.deepEqual(file.btime, file.mtime);
  assert.equal(root.size, 60);
  assert.equal(root.lookup("hello.txt"), file);
  assert.equal(root.lookup("missing"), null);

  file.mtime = OLD();
  file.ctime = OLD();
  file.atime = OLD();
  assert.equal(file.write(0, bytes("hello, world")), 12);
  assert.ok(file.mtime.sec > 1000 && file.ctime.sec > 1000);
  assert.equal(file.atime.sec, 1000, "write leaves atime alone");
  assert.equal(file.size, 12);
  assert.equal(file.blocks, 8);
  assert.equal(new TextDecoder().decode(readAll(file)), "hello, world");
  const part = new Uint8Array(100);
  assert.equal(file.read(7, part), 5);
  assert.equal(new TextDecoder().decode(part.subarray(0, 5)), "world");
  assert.equal(file.read(12, part), 0);
  assert.equal(file.read(1e15, part), 0);

  file.mtime = OLD();
  assert.equal(file.write(3, new Uint8Array(0)), 0);
  assert.equal(file.mtime.sec, 1000, "an empty write changes nothing");
  throwsErrno(() => file.write(-1, bytes("x")), EINVAL);
  throwsErrno(() => root.create("hello.txt", S_IFREG | 0o600, 0, 0, 0), EEXIST);
  throwsErrno(() => root.read(0, part), EISDIR);
  throwsErrno(() => file.lookup("x"), 20);
});

Deno.test("tmpfs: writes across page boundaries and a big sequential file", () => {
  const fs = mount();
  const file = fs.root.create("big", S_IFREG | 0o600, 0, 0, 0);
  const size = 8 * MiB + 123;
  const chunk = new Uint8Array(65536);
  for (let offset = 0; offset < size; offset += chunk.length) {
    for (let i = 0; i < chunk.length; i += 4096) chunk[i] = (offset + i) / 4096 & 0xff;
    chunk[1] = offset & 0xff;
    const piece = chunk.subarray(0, Math.min(chunk.length, size - offset));
    assert.equal(file.write(offset, piece), piece.length);
  }
  assert.equal(file.size, size);
  assert.equal(file.blocks, Math.ceil(size / 4096) * 8);
  assert.equal(fs.usedPages, Math.ceil(size / 4096));
  const back = new Uint8Array(65536);
  for (let offset = 0; offset < size; offset += back.length) {
    const count = file.read(offset, back);
    assert.equal(count, Math.min(back.length, size - offset));
    assert.equal(back[1], offset & 0xff);
    for (let i = 0; i < count; i += 4096) assert.equal(back[i], (offset + i) / 4096 & 0xff);
  }
  // An unaligned write straddling pages, read back unaligned.
  const pattern = Uint8Array.from({ length: 10000 }, (_, i) => (i * 7 + 3) & 0xff);
  file.write(4000, pattern);
  const check = new Uint8Array(10000);
  file.read(4000, check);
  assert.deepEqual(check, pattern);
});

Deno.test("tmpfs: sparse files cost nothing and holes read as zeros", () => {
  const fs = mount();
  const file = fs.root.create("sparse", S_IFREG | 0o600, 0, 0, 0);
  const far = 10 * MiB + 100;
  file.write(far, bytes("end"));
  assert.equal(file.size, far + 3);
  assert.equal(file.blocks, 8);
  assert.equal(fs.usedPages, 1);
  const head = new Uint8Array(9000);
  head.fill(0xee);
  assert.equal(file.read(0, head), 9000);
  assert.ok(head.every((b) => b === 0));
  assert.equal(file.nextData(0), 10 * MiB, "data starts at the page holding it");
  assert.equal(file.nextHole(0), 0);
  assert.equal(file.nextHole(far), far + 3, "EOF is a hole");
  assert.equal(file.nextData(far + 3), -1);
  file.write(5 * 4096 + 10, bytes("mid"));
  assert.equal(file.nextData(0), 5 * 4096);
  assert.equal(file.nextData(5 * 4096 + 100), 5 * 4096 + 100);
  assert.equal(file.nextHole(5 * 4096), 6 * 4096);
  assert.equal(file.nextData(6 * 4096), 10 * MiB);
  // Writing past EOF in a huge file needs no memory for the gap.
  file.write(2 ** 40, bytes("x"));
  assert.equal(file.blocks, 24);
  throwsErrno(() => file.write(2 ** 53, bytes("x")), 27);
});

Deno.test("tmpfs: truncate frees pages and a regrown tail reads as zeros", () => {
  const fs = mount();
  const file = fs.root.create("t", S_IFREG | 0o600, 0, 0, 0);
  file.write(0, new Uint8Array(5 * 4096).fill(0xab));
  assert.equal(fs.usedPages, 5);
  file.mtime = OLD();
  file.truncate(4096 + 10);
  assert.ok(file.mtime.sec > 1000);
  assert.equal(file.size, 4106);
  assert.equal(fs.usedPages, 2);
  assert.equal(file.blocks, 16);
  file.truncate(3 * 4096);
  assert.equal(fs.usedPages, 2, "growing leaves a hole");
  const data = readAll(file);
  assert.ok(data.subarray(0, 4106).every((b) => b === 0xab));
  assert.ok(data.subarray(4106).every((b) => b === 0), "bytes past the old size are zero");
  file.truncate(0);
  assert.equal(fs.usedPages, 0);
  assert.equal(file.blocks, 0);
  throwsErrno(() => file.truncate(-5), EINVAL);
});

Deno.test("tmpfs: fallocate allocates pages that stay holes until written (like Linux)", () => {
  const fs = mount("size=64k");
  const file = fs.root.create("f", S_IFREG | 0o600, 0, 0, 0);
  file.allocate(0, 3 * 4096);
  assert.equal(file.size, 3 * 4096);
  assert.equal(file.blocks, 24);
  assert.equal(file.nextData(0), -1);
  file.write(4096 + 5, bytes("x"));
  assert.equal(file.nextData(0), 4096);
  assert.equal(file.nextHole(4096), 8192);
  assert.equal(file.blocks, 24);
  throwsErrno(() => file.allocate(0, 100 * 4096), ENOSPC);
  assert.equal(fs.usedPages, 3, "a failed fallocate allocates nothing");
  throwsErrno(() => file.allocate(0, 0), EINVAL);
});

Deno.test("tmpfs: file contents, st_blocks and SEEK_DATA/SEEK_HOLE match the host's tmpfs", async () => {
  const shm = await hostTmpfs();
  if (shm === null) return;
  {
    for (let seed = 1; seed <= 6; seed++) {
      const random = rng(seed * 7919);
      const ops: [string, number, number][] = [];
      for (let i = 0; i < 25; i++) {
        const kind = random.below(10);
        const offset = random.below(24) * 1024 + random.below(3) * 4093;
        if (kind < 6) ops.push(["w", offset, 1 + random.below(9000)]);
        else if (kind < 8) ops.push(["t", random.below(30000), 0]);
        else ops.push(["a", offset, 1 + random.below(12000)]);
      }
      const fs = mount();
      const file = fs.root.create("f", S_IFREG | 0o600, 0, 0, 0);
      for (const [kind, a, b] of ops) {
        if (kind === "w") file.write(a, payload(a, b));
        else if (kind === "t") file.truncate(a);
        else file.allocate(a, b);
      }
      const ours = {
        size: file.size,
        blocks: file.blocks,
        sha: createHash("sha256").update(readAll(file)).digest("hex"),
        seeks: probes(file.size).map((o) => [file.nextData(o), file.nextHole(o)]),
      };
      const host = await hostRun(shm, ops);
      assert.deepEqual(ours, host, `seed ${seed}: ${JSON.stringify(ops)}`);
    }
  }
});

function payload(offset: number, length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => ((offset + i) * 31 + 7) % 251 + 1);
}

function probes(size: number): number[] {
  const list: number[] = [];
  for (let o = 0; o < size; o += 1536) list.push(o);
  return list;
}

/** /dev/shm when it is a tmpfs python3 can use (Deno itself may not touch it), else null. */
async function hostTmpfs(): Promise<string | null> {
  const output = await new Deno.Command("python3", {
    args: ["-c", "import os, sys; os.statvfs('/dev/shm'); sys.stdout.write('ok')"],
  }).output().catch(() => null);
  const type = await new Deno.Command("stat", { args: ["-f", "-c", "%T", "/dev/shm"] }).output()
    .then((out) => new TextDecoder().decode(out.stdout).trim(), () => "");
  if (output?.code !== 0 || type !== "tmpfs") {
    console.log("skipped: the host has no tmpfs at /dev/shm or no python3");
    return null;
  }
  return "/dev/shm";
}

/** Apply `ops` to a scratch file in the host tmpfs at `dir` (Deno may not touch /dev/shm). */
async function hostRun(dir: string, ops: [string, number, number][]) {
  const script = `
import hashlib, json, os, sys, tempfile
fd, path = tempfile.mkstemp(dir=sys.argv[1], prefix="nexaos-tmpfs-")
os.unlink(path)
ops = json.loads(sys.argv[2])
for kind, a, b in ops:
    if kind == "w":
        os.pwrite(fd, bytes(((a + i) * 31 + 7) % 251 + 1 for i in range(b)), a)
    elif kind == "t":
        os.ftruncate(fd, a)
    else:
        os.posix_fallocate(fd, a, b)
st = os.fstat(fd)
def seek(offset, whence):
    try:
        return os.lseek(fd, offset, whence)
    except OSError:
        return -1
data = os.pread(fd, st.st_size, 0)
print(json.dumps({"size": st.st_size, "blocks": st.st_blocks,
  "sha": hashlib.sha256(data).hexdigest(),
  "seeks": [[seek(o, os.SEEK_DATA), seek(o, os.SEEK_HOLE)] for o in range(0, st.st_size, 1536)]}))
`;
  const output = await new Deno.Command("python3", {
    args: ["-c", script, dir, JSON.stringify(ops)],
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

Deno.test("tmpfs: directories count subdirectories in nlink and entries in size", () => {
  const fs = mount();
  const root = fs.root;
  const a = root.mkdir("a", S_IFDIR | 0o755, 5, 6);
  assert.equal(a.mode, S_IFDIR | 0o755);
  assert.deepEqual([a.nlink, a.size, a.uid, a.gid], [2, 40, 5, 6]);
  assert.equal(root.nlink, 3);
  const b = a.mkdir("b", 0o700, 0, 0);
  assert.equal(b.mode, S_IFDIR | 0o700);
  assert.equal(a.nlink, 3);
  a.create("file", S_IFREG | 0o644, 0, 0, 0);
  assert.equal(a.nlink, 3, "files do not count");
  assert.equal(a.size, 80);
  throwsErrno(() => root.rmdir("a"), ENOTEMPTY);
  a.unlink("file");
  throwsErrno(() => a.unlink("b"), EISDIR);
  a.ctime = OLD();
  a.rmdir("b");
  assert.ok(a.ctime.sec > 1000);
  assert.equal(b.nlink, 0);
  assert.equal(a.nlink, 2);
  assert.equal(a.size, 40);
  root.rmdir("a");
  assert.equal(root.nlink, 2);
  assert.equal(a.nlink, 0);
});

Deno.test("tmpfs: readdir keeps creation order and reports types", () => {
  const fs = mount();
  const root = fs.root;
  const reg = root.create("zeta", S_IFREG | 0o644, 0, 0, 0);
  const dir = root.mkdir("alpha", 0o755, 0, 0);
  const fifo = root.create("mid", S_IFIFO | 0o600, 0, 0, 0);
  const chr = root.create("null", S_IFCHR | 0o666, 0, 0, makedev(1, 3));
  const link = root.symlink("link", "zeta", 0, 0);
  assert.deepEqual(root.readdir(), [
    { name: "zeta", ino: reg.ino, type: 8 },
    { name: "alpha", ino: dir.ino, type: 4 },
    { name: "mid", ino: fifo.ino, type: 1 },
    { name: "null", ino: chr.ino, type: 2 },
    { name: "link", ino: link.ino, type: 10 },
  ]);
  assert.equal(chr.rdev, makedev(1, 3));
  assert.equal(fifo.rdev, 0);
  assert.equal(new Set([reg.ino, dir.ino, fifo.ino, chr.ino, link.ino, root.ino]).size, 6);
  throwsErrno(() => root.create("d", S_IFDIR | 0o755, 0, 0, 0), 1);
  throwsErrno(() => root.create("l", S_IFLNK | 0o777, 0, 0, 0), EINVAL);
  assert.equal(root.create("plain", 0o644, 0, 0, 0).mode, S_IFREG | 0o644, "type 0 = regular");
});

Deno.test("tmpfs: names up to 255 bytes, longer is ENAMETOOLONG", () => {
  const fs = mount();
  const root = fs.root;
  root.create("n".repeat(255), S_IFREG | 0o644, 0, 0, 0);
  throwsErrno(() => root.create("n".repeat(256), S_IFREG | 0o644, 0, 0, 0), ENAMETOOLONG);
  throwsErrno(() => root.mkdir("d".repeat(256), 0o755, 0, 0), ENAMETOOLONG);
  throwsErrno(() => root.lookup("n".repeat(256)), ENAMETOOLONG);
  throwsErrno(() => root.symlink("s".repeat(256), "x", 0, 0), ENAMETOOLONG);
  // Names are byte strings: every byte value but "/" and NUL round-trips.
  const binary = "\xff\x80\x01é";
  root.create(binary, S_IFREG | 0o644, 0, 0, 0);
  assert.ok(root.lookup(binary));
});

Deno.test("tmpfs: symlinks, with long targets taking a page as in Linux", () => {
  const fs = mount();
  const short = fs.root.symlink("short", "target/file", 7, 8);
  assert.equal(short.mode, S_IFLNK | 0o777);
  assert.deepEqual([short.readlink(), short.size, short.blocks, short.uid], [
    "target/file",
    11,
    0,
    7,
  ]);
  assert.equal(fs.usedPages, 0);
  const long = fs.root.symlink("long", "x".repeat(200), 0, 0);
  assert.deepEqual([long.size, long.blocks], [200, 8]);
  assert.equal(fs.usedPages, 1);
  assert.equal(fs.root.symlink("edge", "y".repeat(127), 0, 0).blocks, 0);
  assert.equal(fs.root.symlink("edge2", "y".repeat(128), 0, 0).blocks, 8);
  throwsErrno(() => fs.root.symlink("huge", "z".repeat(4096), 0, 0), ENAMETOOLONG);
  fs.root.symlink("max", "z".repeat(4095), 0, 0);
  fs.root.unlink("long");
  long.evict();
  assert.equal(fs.usedPages, 2);
  throwsErrno(() => short.read(0, new Uint8Array(1)), EINVAL);
});

Deno.test("tmpfs: hard links share the inode, count nlink and set ctime", () => {
  const fs = mount();
  const root = fs.root;
  const dir = root.mkdir("d", 0o755, 0, 0);
  const file = root.create("f", S_IFREG | 0o644, 0, 0, 0);
  file.write(0, bytes("shared"));
  file.ctime = OLD();
  dir.mtime = OLD();
  dir.link("g", file);
  assert.ok(file.ctime.sec > 1000);
  assert.ok(dir.mtime.sec > 1000);
  assert.equal(file.nlink, 2);
  assert.equal(dir.lookup("g"), file);
  assert.equal(fs.usedInodes, 4, "root, d, f and the extra link");
  throwsErrno(() => root.link("dirlink", dir), 1);
  throwsErrno(() => root.link("x", mount().root.create("y", S_IFREG, 0, 0, 0)), EXDEV);
  root.unlink("f");
  assert.equal(file.nlink, 1);
  assert.equal(fs.usedInodes, 3);
  assert.equal(new TextDecoder().decode(readAll(dir.lookup("g")!)), "shared");
  file.evict();
  assert.equal(fs.usedPages, 1, "evict does nothing while links remain");
  dir.unlink("g");
  assert.equal(file.nlink, 0);
  assert.equal(fs.usedPages, 1, "unlink alone keeps the data for open files");
  file.evict();
  file.evict();
  assert.equal(fs.usedPages, 0);
  assert.equal(fs.usedInodes, 2);
  assert.equal(fs.statfs().ffree, fs.statfs().files - 2);
  const next = root.create("new", S_IFREG, 0, 0, 0);
  assert.ok(next.ino > file.ino, "inode numbers are not reused");
});

Deno.test("tmpfs: rename within and across directories keeps nlink exact", () => {
  const fs = mount();
  const root = fs.root;
  const a = root.mkdir("a", 0o755, 0, 0);
  const b = root.mkdir("b", 0o755, 0, 0);
  const sub = a.mkdir("sub", 0o755, 0, 0);
  const file = a.create("file", S_IFREG | 0o644, 0, 0, 0);
  // A file inside one directory.
  a.rename("file", a, "renamed", false);
  assert.equal(a.lookup("file"), null);
  assert.equal(a.lookup("renamed"), file);
  assert.equal(a.size, 80);
  // A directory across parents.
  a.mtime = OLD();
  b.mtime = OLD();
  sub.ctime = OLD();
  a.rename("sub", b, "moved", false);
  assert.deepEqual([a.nlink, b.nlink, root.nlink], [2, 3, 4]);
  assert.equal(b.lookup("moved"), sub);
  assert.ok(a.mtime.sec > 1000 && b.mtime.sec > 1000 && sub.ctime.sec > 1000);
  assert.equal(sub.parent, b, '".." follows');
  assert.deepEqual(b.readdir().map((e) => e.name), ["moved"]);
  // Into its own subtree: EINVAL.
  throwsErrno(() => root.rename("b", sub, "loop", false), EINVAL);
  throwsErrno(() => b.rename("moved", sub, "self", false), EINVAL);
  // Over an existing file: the victim loses its link.
  const victim = b.create("victim", S_IFREG | 0o644, 0, 0, 0);
  a.rename("renamed", b, "victim", false);
  assert.equal(victim.nlink, 0);
  assert.equal(b.lookup("victim"), file);
  assert.equal(a.entryCount, 0);
  assert.equal(fs.usedInodes, 6, "the victim's slot stays until evict");
  victim.evict();
  assert.equal(fs.usedInodes, 5);
  // A directory over an empty directory, across parents.
  const empty = a.mkdir("empty", 0o755, 0, 0);
  assert.equal(a.nlink, 3);
  b.rename("moved", a, "empty", false);
  assert.equal(empty.nlink, 0);
  assert.deepEqual([a.nlink, b.nlink], [3, 2]);
  // A directory over a non-empty directory, over a file, a file over a directory.
  const full = b.mkdir("full", 0o755, 0, 0);
  full.create("x", S_IFREG, 0, 0, 0);
  throwsErrno(() => a.rename("empty", b, "full", false), ENOTEMPTY);
  throwsErrno(() => a.rename("empty", b, "victim", false), 20);
  throwsErrno(() => b.rename("victim", b, "full", false), EISDIR);
  throwsErrno(() => a.rename("nothing", b, "x", false), 2);
  // Renaming a hard link onto another link of the same inode changes nothing.
  b.link("alias", file);
  b.rename("alias", b, "victim", false);
  assert.equal(file.nlink, 2);
  assert.ok(b.lookup("alias"));
  throwsErrno(() => b.rename("alias", mount().root, "x", false), EXDEV);
});

Deno.test("tmpfs: rename exchange swaps entries and fixes both parents' nlink", () => {
  const fs = mount();
  const root = fs.root;
  const a = root.mkdir("a", 0o755, 0, 0);
  const b = root.mkdir("b", 0o755, 0, 0);
  const dir = a.mkdir("dir", 0o755, 0, 0);
  a.create("first", S_IFREG, 0, 0, 0);
  const file = b.create("file", S_IFREG, 0, 0, 0);
  b.create("last", S_IFREG, 0, 0, 0);
  a.rename("dir", b, "file", true);
  assert.equal(a.lookup("dir"), file);
  assert.equal(b.lookup("file"), dir);
  assert.deepEqual([a.nlink, b.nlink], [2, 3]);
  assert.deepEqual(a.readdir().map((e) => e.name), ["dir", "first"], "positions are kept");
  assert.deepEqual(b.readdir().map((e) => e.name), ["file", "last"]);
  assert.equal(dir.parent, b);
  // Two directories: nlink unchanged.
  const other = a.mkdir("other", 0o755, 0, 0);
  a.rename("other", b, "file", true);
  assert.deepEqual([a.nlink, b.nlink], [3, 3]);
  assert.equal(a.lookup("other"), dir);
  assert.equal(b.lookup("file"), other);
  // Within one directory, and with a missing target.
  b.rename("file", b, "last", true);
  assert.equal(b.lookup("file")!.mode & S_IFREG, S_IFREG);
  throwsErrno(() => b.rename("file", b, "nope", true), 2);
  // Exchanging a directory with something inside it is a loop.
  const inner = dir.mkdir("inner", 0o755, 0, 0);
  throwsErrno(() => a.rename("other", dir, "inner", true), EINVAL);
  assert.equal(dir.lookup("inner"), inner);
});

Deno.test("tmpfs: size= limit gives partial writes, then ENOSPC; statfs counts usage", () => {
  const fs = mount("size=16k");
  assert.equal(fs.statfs().blocks, 4);
  const file = fs.root.create("f", S_IFREG | 0o600, 0, 0, 0);
  assert.equal(file.write(0, new Uint8Array(5 * 4096).fill(1)), 4 * 4096);
  assert.equal(file.size, 4 * 4096);
  throwsErrno(() => file.write(4 * 4096, bytes("more")), ENOSPC);
  file.write(100, bytes("rewrite in place needs no page"));
  assert.deepEqual([fs.statfs().bfree, fs.statfs().bavail], [0, 0]);
  const other = fs.root.create("g", S_IFREG | 0o600, 0, 0, 0);
  throwsErrno(() => other.write(0, bytes("x")), ENOSPC);
  assert.equal(other.size, 0);
  throwsErrno(() => fs.root.symlink("l", "t".repeat(300), 0, 0), ENOSPC);
  assert.equal(fs.root.lookup("l"), null);
  const inodesBefore = fs.usedInodes;
  fs.root.symlink("short", "fits inline", 0, 0);
  assert.equal(fs.usedInodes, inodesBefore + 1);
  file.truncate(4096);
  assert.equal(fs.statfs().bfree, 3);
  fs.root.unlink("f");
  file.evict();
  assert.equal(fs.statfs().bfree, 4);
  assert.equal(other.write(0, new Uint8Array(4 * 4096)), 4 * 4096);
});

Deno.test("tmpfs: nr_inodes= bounds inodes and hard links", () => {
  const fs = mount("nr_inodes=4");
  const root = fs.root;
  const file = root.create("a", S_IFREG, 0, 0, 0);
  root.mkdir("d", 0o755, 0, 0);
  root.link("b", file);
  assert.equal(fs.statfs().ffree, 0);
  throwsErrno(() => root.create("c", S_IFREG, 0, 0, 0), ENOSPC);
  throwsErrno(() => root.mkdir("e", 0o755, 0, 0), ENOSPC);
  throwsErrno(() => root.symlink("s", "x", 0, 0), ENOSPC);
  throwsErrno(() => root.link("c", file), ENOSPC);
  assert.equal(root.lookup("c"), null);
  root.unlink("b");
  root.create("c", S_IFREG, 0, 0, 0);
  assert.equal(fs.statfs().ffree, 0);
});

Deno.test("tmpfs: size=0 and nr_inodes=0 mean unlimited (statfs shows zeros)", () => {
  const fs = mount("size=0,nr_inodes=0", 64 * MiB);
  const st = fs.statfs();
  assert.deepEqual([st.blocks, st.bfree, st.bavail, st.files, st.ffree], [0, 0, 0, 0, 0]);
  const file = fs.root.create("f", S_IFREG, 0, 0, 0);
  // Still bounded by the machine's memory rather than the host's.
  throwsErrno(() => file.allocate(0, 65 * MiB), ENOSPC);
  file.allocate(0, 32 * MiB);
  assert.equal(fs.usedPages, 8192);
});

Deno.test("tmpfs: mount options parse like Linux's", () => {
  const limits = (options: string, memory?: number) => {
    const fs = mount(options, memory);
    return [fs.statfs().blocks, fs.statfs().files];
  };
  assert.deepEqual(limits("", 256 * MiB), [32768, 32768]);
  assert.deepEqual(limits("size=1m"), [256, 16384]);
  assert.deepEqual(limits("size=1M,nr_inodes=1k"), [256, 1024]);
  assert.deepEqual(limits("size=10000"), [3, 16384], "bytes round up to pages");
  assert.deepEqual(limits("size=50%", 64 * MiB), [8192, 8192]);
  assert.deepEqual(limits("size=0x10k"), [4, 16384]);
  assert.deepEqual(limits("size=010k"), [2, 16384], "a leading 0 is octal, as in C");
  assert.deepEqual(limits("size=1g"), [262144, 16384]);
  assert.deepEqual(limits("nr_blocks=100"), [100, 16384]);
  assert.deepEqual(limits(",size=8k,,"), [2, 16384]);
  const fs = mount("mode=0755,uid=1000,gid=0x64");
  assert.deepEqual([fs.root.mode, fs.root.uid, fs.root.gid], [S_IFDIR | 0o755, 1000, 100]);
  assert.equal(mount("mode=17777").root.mode, S_IFDIR | 0o7777);

  const fails = (options: string, message: string) => {
    assert.throws(
      () => mount(options),
      (error) => error instanceof MountError && error.errno === EINVAL && error.message === message,
      options,
    );
  };
  fails("foo=1", "tmpfs: Unknown parameter 'foo'");
  fails("size=64m,noexec", "tmpfs: Unknown parameter 'noexec'");
  fails("size=12q", "tmpfs: Bad value for 'size'");
  fails("size=", "tmpfs: Bad value for 'size'");
  fails("size", "tmpfs: Bad value for 'size'");
  fails("size=5%%", "tmpfs: Bad value for 'size'");
  fails("nr_inodes=1x", "tmpfs: Bad value for 'nr_inodes'");
  fails("mode=9", "tmpfs: Bad value for 'mode'");
  fails("mode=-1", "tmpfs: Bad value for 'mode'");
  fails("uid=-1", "tmpfs: Bad value for 'uid'");
  fails("uid=4294967295", "tmpfs: Bad value for 'uid'");
  fails("gid=12ab", "tmpfs: Bad value for 'gid'");
});

Deno.test("tmpfs: 10,000 files in one directory: create, look up, list, unlink", () => {
  const fs = mount();
  const root = fs.root;
  const count = 10_000;
  for (let i = 0; i < count; i++) root.create(`file${i}`, S_IFREG | 0o644, 0, 0, 0);
  assert.equal(root.size, 40 + 20 * count);
  const listed = root.readdir();
  assert.equal(listed.length, count);
  assert.equal(listed[4321].name, "file4321");
  for (let i = 0; i < count; i += 7) assert.equal(root.lookup(`file${i}`)!.ino, listed[i].ino);
  for (let i = 0; i < count; i++) {
    const inode = root.lookup(`file${i}`)!;
    root.unlink(`file${i}`);
    inode.evict();
  }
  assert.equal(root.readdir().length, 0);
  assert.equal(fs.usedInodes, 1);
});

Deno.test("tmpfs: random file operations agree with a flat byte-array model", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const random = rng(seed);
    const fs = mount("size=256k");
    const file = fs.root.create("f", S_IFREG | 0o600, 0, 0, 0);
    let model = new Uint8Array(0);
    for (let step = 0; step < 200; step++) {
      const kind = random.below(4);
      const offset = random.below(200_000);
      if (kind <= 1) {
        const data = Uint8Array.from({ length: random.below(6000) }, () => random.below(256));
        let written: number;
        try {
          written = file.write(offset, data);
        } catch (error) {
          assert.ok(error instanceof SyscallError && error.errno === ENOSPC);
          written = 0;
        }
        if (written > 0 && offset + written > model.length) {
          const grown = new Uint8Array(offset + written);
          grown.set(model);
          model = grown;
        }
        model.set(data.subarray(0, written), offset);
      } else if (kind === 2) {
        const size = random.below(150_000);
        file.truncate(size);
        const resized = new Uint8Array(size);
        resized.set(model.subarray(0, size));
        model = resized;
      } else {
        const probe = random.below(model.length + 1);
        const data = file.nextData(probe);
        const hole = file.nextHole(probe);
        const end = data < 0 ? model.length : data;
        assert.ok(model.subarray(probe, end).every((b) => b === 0), `seed ${seed}: data`);
        assert.ok(hole >= probe && hole <= model.length, `seed ${seed}: hole`);
        if (hole < model.length) {
          assert.ok(model.subarray(hole, hole + 1)[0] === 0, `seed ${seed}: hole byte`);
        }
      }
      assert.equal(file.size, model.length, `seed ${seed} step ${step}`);
      assert.equal(fs.usedPages * 8, file.blocks);
      assert.ok(fs.usedPages <= 64);
    }
    assert.deepEqual(readAll(file), model, `seed ${seed}`);
  }
});

Deno.test("tmpfs: directory sizes and link counts match the host's tmpfs", async () => {
  const ops: string[][] = [
    ["mkdir", "a"],
    ["mkdir", "b"],
    ["mkdir", "a/sub"],
    ["mkdir", "a/sub/deep"],
    ["create", "a/f"],
    ["create", "b/g"],
    ["link", "a/f", "b/f2"],
    ["symlink", "b/s"],
    ["rename", "a/sub", "b/sub"],
    ["rename", "a/f", "b/g"],
    ["mkdir", "a/empty"],
    ["rename", "b/sub/deep", "a/empty"],
    ["unlink", "b/f2"],
    ["rmdir", "a/empty"],
    ["mkdir", "a/x"],
  ];
  const paths = ["", "a", "b", "b/sub", "b/g", "a/x", "b/s"];
  const fs = mount();
  const walk = (path: string): Inode =>
    path.split("/").filter((p) => p).reduce<Inode>((dir, name) => dir.lookup(name)!, fs.root);
  const split = (path: string): [Inode, string] => {
    const at = path.lastIndexOf("/");
    return [walk(at < 0 ? "" : path.slice(0, at)), path.slice(at + 1)];
  };
  for (const [op, path, other] of ops) {
    const [dir, name] = split(path);
    if (op === "mkdir") dir.mkdir(name, 0o755, 0, 0);
    else if (op === "create") dir.create(name, S_IFREG | 0o644, 0, 0, 0);
    else if (op === "symlink") dir.symlink(name, "somewhere", 0, 0);
    else if (op === "link") split(other)[0].link(split(other)[1], walk(path));
    else if (op === "unlink") dir.unlink(name);
    else if (op === "rmdir") dir.rmdir(name);
    else dir.rename(name, split(other)[0], split(other)[1], false);
  }
  const ours = paths.map((p) => [walk(p).size, walk(p).nlink, walk(p).blocks]);
  const shm = await hostTmpfs();
  if (shm === null) return;
  const script = `
import json, os, sys, tempfile
root = tempfile.mkdtemp(dir=sys.argv[1], prefix="nexaos-tmpfs-")
try:
    for op, path, *other in json.loads(sys.argv[2]):
        p = os.path.join(root, path)
        q = os.path.join(root, other[0]) if other else None
        if op == "mkdir": os.mkdir(p)
        elif op == "create": open(p, "w").close()
        elif op == "symlink": os.symlink("somewhere", p)
        elif op == "link": os.link(p, q)
        elif op == "unlink": os.unlink(p)
        elif op == "rmdir": os.rmdir(p)
        else: os.rename(p, q)
    out = []
    for path in json.loads(sys.argv[3]):
        st = os.lstat(os.path.join(root, path))
        out.append([st.st_size, st.st_nlink, st.st_blocks])
    print(json.dumps(out))
finally:
    for top, dirs, files in os.walk(root, topdown=False):
        for f in files: os.unlink(os.path.join(top, f))
        for d in dirs: os.rmdir(os.path.join(top, d))
    os.rmdir(root)
`;
  const output = await new Deno.Command("python3", {
    args: ["-c", script, shm, JSON.stringify(ops), JSON.stringify(paths)],
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.deepEqual(ours, JSON.parse(new TextDecoder().decode(output.stdout)));
});
