// Writing through the Inode API, checked by e2fsprogs: after a workload of many files, deep
// directories, renames (across directories, replacing, exchanging), unlinks, hard links,
// symlinks, device nodes, sparse files, truncation and files needing double and triple
// indirection, `e2fsck -fn` must find nothing and debugfs must read back what was written.

import assert from "node:assert/strict";
import { join } from "node:path";
import { fsckExt2 } from "../../kernel/fs/ext2/fsck.ts";
import { RO_COMPAT_LARGE_FILE } from "../../kernel/fs/ext2/superblock.ts";
import { makedev, S_IFBLK, S_IFCHR, S_IFIFO, S_IFSOCK } from "../../kernel/fs/inode.ts";
import { HostImageDevice } from "../../kernel/host/image-file.ts";
import { rng } from "../lib/xorshift.ts";
import {
  assertFsckClean,
  debugfs,
  type ImageSpec,
  MIB,
  mke2fs,
  mountFile,
  mustLookup,
  randomBytes,
  readAll,
  sh,
} from "./ext2_helpers.ts";
import { Workload } from "./ext2_model.ts";

/** What e2fsck's summary line says: used/total inodes and blocks. */
function e2fsckCounts(output: string): number[] {
  const m = /(\d+)\/(\d+) files .* (\d+)\/(\d+) blocks/.exec(output);
  assert.ok(m, output);
  return m.slice(1).map(Number);
}

function ourFsck(img: string): number[] {
  const device = new HostImageDevice(img, true);
  const report = fsckExt2(device);
  device.close();
  assert.deepEqual(report.problems, []);
  return [report.inodesUsed, report.inodesCount, report.blocksUsed, report.blocksCount];
}

/** Read the bytes of `logical` block of `path` via debugfs bmap and the raw image. */
async function blockViaDebugfs(img: string, path: string, logical: number, bs: number) {
  const out = await debugfs(img, `bmap ${path} ${logical}`);
  const phys = Number(out.trim());
  assert.ok(phys > 0, `bmap ${path} ${logical}: ${out}`);
  const file = Deno.openSync(img);
  const data = new Uint8Array(bs);
  file.seekSync(phys * bs, Deno.SeekMode.Start);
  let done = 0;
  while (done < bs) done += file.readSync(data.subarray(done))!;
  file.close();
  return data;
}

function firstRound(w: Workload, bs: number, seed: number): void {
  const r = rng(seed);
  const p = bs / 4;
  w.mkdir("/work");
  w.mkdir("/work/many");
  w.mkdir("/work/sub1");
  w.mkdir("/work/sub2");
  w.mkdir("/deep");
  let chain = "/deep";
  for (let i = 1; i <= 12; i++) {
    chain += `/level${i}`;
    w.mkdir(chain);
    w.write(`${chain}/f`, randomBytes(i, r.below(2 * bs)));
  }
  for (let i = 0; i < 300; i++) {
    w.write(`/work/many/file-${i}`, randomBytes(seed + i, r.below(3 * bs)));
  }
  for (let i = 0; i < 300; i += 3) w.unlink(`/work/many/file-${i}`);
  for (let i = 0; i < 60; i++) {
    w.write(`/work/many/again-${i}-${"n".repeat(i)}`, randomBytes(i, 10));
  }
  // Renames: in place, across directories, over an existing file, a directory across
  // directories, a directory over an empty one, and an exchange of a file and a directory.
  w.rename("/work/many/file-1", "/work/many/renamed-1");
  w.rename("/work/many/file-2", "/work/sub1/moved");
  w.write("/work/sub2/existing", randomBytes(99, 5000));
  w.rename("/work/sub1/moved", "/work/sub2/existing");
  w.rename("/deep/level1/level2", "/work/sub2/level2-moved");
  w.mkdir("/work/empty-target");
  w.rename("/work/sub1", "/work/empty-target");
  w.write("/work/xfile", randomBytes(5, 123));
  w.rename("/work/sub2/level2-moved", "/work/xfile", true);
  // Hard links outliving their first name.
  w.write("/work/hl-a", randomBytes(42, 3 * bs + 1));
  w.link("/work/hl-a", "/deep/level1/hl-b");
  w.link("/work/hl-a", "/work/sub2/hl-c");
  w.unlink("/work/hl-a");
  // Symlinks: fast, the 59/60-byte boundary, and the longest allowed.
  w.mkdir("/work/links");
  w.symlink("/work/links/short", "../xfile");
  w.symlink("/work/links/len59", "a".repeat(59));
  w.symlink("/work/links/len60", "b".repeat(60));
  w.symlink("/work/links/longest", "c/".repeat((bs - 2) / 2) + "d");
  // Sparse files, truncation down into a block and back up, fallocate.
  w.write("/work/sparse", randomBytes(1, 100));
  w.write("/work/sparse", randomBytes(2, 300), 10 * bs + 5);
  w.write("/work/sparse", randomBytes(3, 50), MIB);
  w.write("/work/shrink", randomBytes(4, 5 * bs));
  w.truncate("/work/shrink", 2 * bs + 100);
  w.truncate("/work/shrink", 4 * bs);
  w.write("/work/grown", randomBytes(6, 10));
  w.truncate("/work/grown", 7 * bs + 3);
  w.write("/work/allocated", new Uint8Array(0));
  mustLookup(w.fs, "/work/allocated").allocate(0, 3 * bs);
  w.truncate("/work/allocated", 3 * bs);
  // Double indirection, written in odd-sized pieces, then rewritten in the middle.
  const double = randomBytes(77, (12 + p + 20) * bs + 7);
  for (let at = 0; at < double.length;) {
    const n = Math.min(double.length - at, 1 + r.below(5 * bs));
    w.write("/work/double", double.subarray(at, at + n), at);
    at += n;
  }
  w.write("/work/double", randomBytes(78, 3 * bs), 100 * bs - 10);
  // Directory churn: empty a directory, then fill the gaps again.
  w.mkdir("/work/churn");
  for (let i = 0; i < 200; i++) {
    w.write(`/work/churn/${"e".repeat(1 + (i % 40))}${i}`, new Uint8Array([i]));
  }
  for (let i = 0; i < 200; i += 2) w.unlink(`/work/churn/${"e".repeat(1 + (i % 40))}${i}`);
  for (let i = 0; i < 50; i++) w.write(`/work/churn/refill-${i}`, new Uint8Array([i, i]));
  w.mkdir("/work/gone");
  w.rmdir("/work/gone");
  // Device nodes, FIFO and socket (not dumped by debugfs; checked with stat).
  w.mkdir("/devs");
  w.special("/devs/null", S_IFCHR | 0o666, makedev(1, 3));
  w.special("/devs/sda1", S_IFBLK | 0o660, makedev(8, 1));
  w.special("/devs/big", S_IFCHR | 0o600, makedev(300, 70000));
  w.special("/devs/fifo", S_IFIFO | 0o644, 0);
  w.special("/devs/sock", S_IFSOCK | 0o755, 0);
  // Triple indirection: one block far out (past 4 GiB at 4 KiB blocks: large_file).
  w.mkdir("/huge");
  const far = (12 + p + p * p + 5) * bs + 3;
  mustLookup(w.fs, "/huge").create("triple", S_IFBLK ^ S_IFBLK | 0o100644, 0, 0, 0)
    .write(far, new TextEncoder().encode("TRIPLE"));
}

function secondRound(w: Workload): void {
  for (const key of [...w.tree.keys()]) {
    if (key.startsWith("/work/many/") && key.length % 2 === 0) w.unlink(key);
  }
  w.unlink("/huge/triple");
  w.rename("/work/xfile", "/deep/level1/xdir-back");
  w.rmdir("/work/empty-target");
  w.write("/work/after-remount", randomBytes(1234, 777));
  w.unlink("/deep/level1/hl-b");
}

async function workload(spec: ImageSpec, seed: number) {
  const tmp = await Deno.makeTempDir();
  try {
    const img = join(tmp, "img");
    await mke2fs(img, spec);
    const bs = spec.blockSize, p = bs / 4;
    let fs = mountFile(img);
    const w = new Workload(fs);
    firstRound(w, bs, seed);
    fs.unmount();

    const report = await assertFsckClean(img);
    assert.deepEqual(ourFsck(img), e2fsckCounts(report), "our fsck agrees with e2fsck");
    assert.ok(await w.compareDump(img, "work", tmp) > 250);
    await w.compareDump(img, "deep", tmp);
    const far = (12 + p + p * p + 5) * bs + 3;
    const block = await blockViaDebugfs(img, "/huge/triple", Math.floor(far / bs), bs);
    assert.equal(new TextDecoder().decode(block.subarray(far % bs, far % bs + 6)), "TRIPLE");
    assert.match(await debugfs(img, "stat /huge/triple"), new RegExp(`Size: ${far + 6}\\b`));
    assert.match(await debugfs(img, "stat /devs/null"), /Device major\/minor number: 01:03/);
    assert.match(await debugfs(img, "stat /devs/big"), /Device major\/minor number: 300:70000/);
    assert.match(await debugfs(img, "stat /devs/fifo"), /Type: FIFO/);
    const features = await debugfs(img, "features");
    assert.equal(/large_file/.test(features), far > 0x7fffffff || !spec.rev0, features);

    fs = mountFile(img);
    w.fs = fs;
    if (far > 0x7fffffff) assert.ok(fs.sb.featureRoCompat & RO_COMPAT_LARGE_FILE);
    w.verifyThroughApi((path) => path.startsWith("/devs") || path.startsWith("/huge"));
    secondRound(w);
    fs.unmount();
    const second = await assertFsckClean(img);
    assert.deepEqual(ourFsck(img), e2fsckCounts(second));
    await w.compareDump(img, "work", tmp);
    await w.compareDump(img, "deep", tmp);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

Deno.test("ext2 write: 1 KiB blocks, 256-byte inodes", () =>
  workload({ sizeBytes: 32 * MIB, blockSize: 1024, inodeSize: 256 }, 1));
Deno.test("ext2 write: 2 KiB blocks, 256-byte inodes", () =>
  workload({ sizeBytes: 32 * MIB, blockSize: 2048, inodeSize: 256 }, 2));
Deno.test("ext2 write: 4 KiB blocks, 128-byte inodes", () =>
  workload({ sizeBytes: 32 * MIB, blockSize: 4096, inodeSize: 128 }, 3));
Deno.test("ext2 write: revision 0 without filetype", () =>
  workload({ sizeBytes: 32 * MIB, blockSize: 1024, inodeSize: 128, rev0: true }, 4));

Deno.test("ext2 write: a file over 2 GiB on revision 0 upgrades it and sets large_file", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const img = join(tmp, "img");
    await mke2fs(img, { sizeBytes: 4 * MIB, blockSize: 1024, inodeSize: 128, rev0: true });
    const fs = mountFile(img);
    const big = fs.root.create("big", 0o100644, 0, 0, 0);
    big.write(2.5 * 1024 * MIB, new Uint8Array([7]));
    fs.unmount();
    await assertFsckClean(img);
    assert.match(await debugfs(img, "features"), /large_file/);
    assert.match(await sh("dumpe2fs", ["-h", img]).then((r) => r.stdout), /revision #:\s+1/);
    const again = mountFile(img, true);
    const inode = mustLookup(again, "big");
    assert.equal(inode.size, 2.5 * 1024 * MIB + 1);
    const buf = new Uint8Array(2);
    assert.equal(inode.read(2.5 * 1024 * MIB - 1, buf), 2);
    assert.deepEqual([...buf], [0, 7]);
    again.unmount();
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("ext2 write: truncating down zeroes the tail, and freed space is reused", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const img = join(tmp, "img");
    await mke2fs(img, { sizeBytes: 2 * MIB, blockSize: 1024, inodeSize: 256 });
    const fs = mountFile(img);
    const before = fs.statfs().bfree;
    const f = fs.root.create("f", 0o100644, 0, 0, 0);
    f.write(0, new Uint8Array(3000).fill(0xaa));
    f.truncate(1500);
    f.truncate(3000);
    const data = readAll(f);
    assert.ok(data.subarray(0, 1500).every((b) => b === 0xaa));
    assert.ok(data.subarray(1500).every((b) => b === 0), "bytes past the cut read as zeros");
    fs.root.unlink("f");
    f.evict();
    assert.equal(fs.statfs().bfree, before);
    // Fill the disk: ENOSPC, and what was written stays consistent.
    const fill = fs.root.create("fill", 0o100644, 0, 0, 0);
    let at = 0;
    const chunk = new Uint8Array(64 * 1024).fill(1);
    for (;;) {
      try {
        const n = fill.write(at, chunk);
        at += n;
        if (n < chunk.length) break;
      } catch (e) {
        assert.equal((e as { errno: number }).errno, 28);
        break;
      }
    }
    assert.equal(fs.statfs().bfree, 0);
    assert.equal(fill.size, at);
    fs.unmount();
    await assertFsckClean(img);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
