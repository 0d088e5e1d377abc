// Reading images made by mke2fs -d through the Inode API: every file, directory, symlink, hard
// link and FIFO of a generated tree must come back identical to the host source (contents,
// types, permissions, owners, mtimes, link counts), for 1/2/4 KiB blocks, 128/256-byte inodes,
// revision 0, without the filetype feature, and through an htree-indexed directory.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import type { Ext2FileSystem } from "../../kernel/fs/ext2/ext2-fs.ts";
import { INDEX_FL } from "../../kernel/fs/ext2/inode-record.ts";
import { DT_DIR, DT_UNKNOWN, type Inode, isDir, S_IFMT } from "../../kernel/fs/inode.ts";
import {
  assertFsckClean,
  debugfs,
  type ImageSpec,
  kname,
  makeSourceTree,
  MIB,
  mke2fs,
  mountFile,
  mustLookup,
  readAll,
  sh,
} from "./ext2_helpers.ts";

function hostType(st: Deno.FileInfo): number {
  if (st.isFile) return 0o100000;
  if (st.isDirectory) return 0o040000;
  if (st.isSymlink) return 0o120000;
  if (st.isFifo) return 0o010000;
  if (st.isCharDevice) return 0o020000;
  if (st.isBlockDevice) return 0o060000;
  return 0o140000;
}

/** Compare host directory `src` with image directory `dir`, recursively. */
function compareTree(src: string, dir: Inode, hardLinks: Map<string, number>, where = "/"): number {
  let checked = 0;
  const hostNames = [...Deno.readDirSync(src)].map((e) => e.name).sort();
  const imageNames = dir.readdir().map((e) => e.name).filter((n) => n !== "lost+found").sort();
  assert.deepEqual(imageNames, hostNames.map(kname).sort(), `entries of ${where}`);
  for (const name of hostNames) {
    const path = join(src, name);
    const st = Deno.lstatSync(path);
    const inode = dir.lookup(kname(name));
    assert.ok(inode, `${where}${name} missing`);
    const what = `${where}${name}`;
    assert.equal(inode.mode & S_IFMT, hostType(st), `${what}: type`);
    if (!st.isSymlink) assert.equal(inode.mode & 0o7777, st.mode! & 0o7777, `${what}: mode`);
    assert.equal(inode.uid, st.uid, `${what}: uid`);
    assert.equal(inode.gid, st.gid, `${what}: gid`);
    assert.equal(inode.mtime.sec, Math.floor(st.mtime!.getTime() / 1000), `${what}: mtime`);
    if (!st.isDirectory) assert.equal(inode.nlink, st.nlink, `${what}: nlink`);
    if (st.isFile) {
      assert.equal(inode.size, st.size, `${what}: size`);
      const ok = Buffer.compare(readAll(inode), Deno.readFileSync(path)) === 0;
      assert.ok(ok, `${what}: contents differ`);
      if (st.nlink! > 1) {
        const key = `${st.dev}:${st.ino}`;
        const seen = hardLinks.get(key);
        if (seen === undefined) hardLinks.set(key, inode.ino);
        else assert.equal(inode.ino, seen, `${what}: hard link to a different inode`);
      }
    } else if (st.isSymlink) {
      assert.equal(inode.readlink(), kname(Deno.readLinkSync(path)), `${what}: target`);
      assert.equal(inode.size, new TextEncoder().encode(Deno.readLinkSync(path)).length);
    } else if (st.isDirectory) {
      checked += compareTree(path, inode, hardLinks, `${what}/`);
    }
    checked++;
  }
  return checked;
}

async function readBack(spec: ImageSpec, manyFiles = 0) {
  const tmp = await Deno.makeTempDir();
  try {
    const src = join(tmp, "src");
    Deno.mkdirSync(src);
    await makeSourceTree(src, { blockSize: spec.blockSize, manyFiles, fifo: true });
    const img = join(tmp, "img");
    await mke2fs(img, { ...spec, from: src });
    const fs = mountFile(img, true);
    try {
      const count = compareTree(src, fs.root, new Map());
      assert.ok(count > 20 + manyFiles, `only ${count} entries compared`);
    } finally {
      fs.unmount();
    }
    await assertFsckClean(img);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test("ext2 read: 1 KiB blocks, 128-byte inodes", () =>
  readBack({ sizeBytes: 16 * MIB, blockSize: 1024, inodeSize: 128 }));
Deno.test("ext2 read: 2 KiB blocks, 256-byte inodes", () =>
  readBack({ sizeBytes: 16 * MIB, blockSize: 2048, inodeSize: 256 }));
Deno.test("ext2 read: 4 KiB blocks, 128-byte inodes", () =>
  readBack({ sizeBytes: 16 * MIB, blockSize: 4096, inodeSize: 128 }));
Deno.test("ext2 read: revision 0", () =>
  readBack({ sizeBytes: 16 * MIB, blockSize: 1024, inodeSize: 128, rev0: true }));
Deno.test("ext2 read: without the filetype feature", () =>
  readBack({ sizeBytes: 16 * MIB, blockSize: 4096, inodeSize: 256, extra: ["-O", "^filetype"] }));

Deno.test("ext2 read: without filetype, readdir types are DT_UNKNOWN as on Linux", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const img = join(tmp, "img");
    await mke2fs(img, {
      sizeBytes: 2 * MIB,
      blockSize: 1024,
      inodeSize: 256,
      extra: ["-O", "^filetype"],
    });
    const fs = mountFile(img, true);
    assert.deepEqual(fs.root.readdir().map((e) => e.type), [DT_UNKNOWN]);
    fs.unmount();
    await mke2fs(img, { sizeBytes: 2 * MIB, blockSize: 1024, inodeSize: 256 });
    const typed = mountFile(img, true);
    assert.deepEqual(typed.root.readdir().map((e) => e.type), [DT_DIR]);
    typed.unmount();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

function sparseChecks(fs: Ext2FileSystem, bs: number) {
  const sparse = mustLookup(fs, "sparse");
  const p = bs / 4;
  const far = (12 + p + p * p + 10) * bs + 123;
  assert.equal(sparse.size, far + 8);
  // 5000 bytes of data, a hole, then one block (plus its triple-indirect path).
  assert.equal(sparse.blocks, (Math.ceil(5000 / bs) + 1 + 3) * (bs / 512));
  assert.equal(sparse.nextData(0), 0);
  assert.equal(sparse.nextHole(0), Math.ceil(5000 / bs) * bs);
  assert.equal(sparse.nextData(6000), Math.floor(far / bs) * bs);
  const tail = new Uint8Array(20);
  assert.equal(sparse.read(far - 12, tail), 20);
  assert.deepEqual([...tail.subarray(12)], [...new TextEncoder().encode("far away")]);
  assert.ok(tail.subarray(0, 12).every((b) => b === 0));
  const middle = new Uint8Array(4096);
  assert.equal(sparse.read(far / 2, middle), 4096);
  assert.ok(middle.every((b) => b === 0), "holes read as zeros");
}

Deno.test("ext2 read: 1 KiB blocks, 256-byte inodes, htree directory and triple indirection", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const src = join(tmp, "src");
    Deno.mkdirSync(src);
    await makeSourceTree(src, { blockSize: 1024, manyFiles: 2000, fifo: true });
    const img = join(tmp, "img");
    await mke2fs(img, { sizeBytes: 16 * MIB, blockSize: 1024, inodeSize: 256, from: src });
    // e2fsck -D indexes directories: "many" becomes an htree.
    await sh("e2fsck", ["-fyD", img]);
    assert.match(await debugfs(img, "htree /many"), /Root node dump/);
    let fs = mountFile(img, true);
    assert.ok(mustLookup(fs, "many").flags & INDEX_FL, "many is hash-indexed");
    compareTree(src, fs.root, new Map());
    sparseChecks(fs, 1024);
    fs.unmount();

    // Changing the indexed directory turns it into a plain linear one.
    fs = mountFile(img);
    const many = mustLookup(fs, "many");
    many.create(kname("added-later"), 0o100644, 0, 0, 0).write(
      0,
      new TextEncoder().encode("new\n"),
    );
    many.unlink(kname("entry-00007"));
    mustLookup(fs, "").lookup(kname("many"));
    fs.unmount();
    await assertFsckClean(img);
    fs = mountFile(img, true);
    const again = mustLookup(fs, "many");
    assert.equal(again.flags & INDEX_FL, 0);
    assert.equal(again.readdir().length, 2000);
    assert.ok(again.lookup(kname("added-later")));
    assert.equal(again.lookup(kname("entry-00007")), null);
    assert.ok(isDir(again.mode));
    fs.unmount();
    assert.equal(await debugfs(img, "cat /many/added-later"), "new\n");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("ext2 read: 4 KiB blocks reach triple indirection past 4 GiB (large_file)", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const img = join(tmp, "img");
    await mke2fs(img, { sizeBytes: 8 * MIB, blockSize: 4096, inodeSize: 256 });
    const p = 1024, far = (12 + p + p * p + 3) * 4096 + 5;
    const host = join(tmp, "far");
    const f = Deno.openSync(host, { write: true, create: true });
    f.seekSync(far, Deno.SeekMode.Start);
    f.writeSync(new TextEncoder().encode("end"));
    f.close();
    const w = await sh("debugfs", ["-w", "-R", `write ${host} far`, img]);
    assert.equal(w.code, 0, w.stderr);
    const fs = mountFile(img, true);
    const inode = mustLookup(fs, "far");
    assert.equal(inode.size, far + 3);
    const buf = new Uint8Array(8);
    assert.equal(inode.read(far - 5, buf), 8);
    assert.deepEqual([...buf], [0, 0, 0, 0, 0, 0x65, 0x6e, 0x64]);
    fs.unmount();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
