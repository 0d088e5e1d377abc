// Corrupt images: seeded random damage to the superblock, group descriptors, bitmaps, inode
// table, directories and indirect blocks of a small mke2fs image. Mounting, walking, reading,
// writing, unmounting and fsck must end in a MountError or a SyscallError (EIO and friends),
// never another exception, a hang or a huge allocation.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Ext2FileSystem } from "../../kernel/fs/ext2/ext2-fs.ts";
import { fsckExt2 } from "../../kernel/fs/ext2/fsck.ts";
import { MountError } from "../../kernel/fs/filesystem.ts";
import { type Inode, isDir, isLnk, isReg, S_IFREG } from "../../kernel/fs/inode.ts";
import { SyscallError } from "../../kernel/syscall-error.ts";
import { type Rng, rng } from "../lib/xorshift.ts";
import { makeSourceTree, MemoryDevice, mke2fs, sh } from "./ext2_helpers.ts";

const CASES = Number(Deno.env.get("EXT2_CORRUPT_CASES") ?? 200);
const MAX_READ = 256 * 1024;

/** Run `step`; a SyscallError is an acceptable outcome, anything else fails the case. */
function tolerate<T>(step: () => T): T | undefined {
  try {
    return step();
  } catch (e) {
    if (e instanceof SyscallError) return undefined;
    throw e;
  }
}

function walk(dir: Inode, seen: Set<number>, depth: number, found: Inode[]): void {
  if (depth > 12 || seen.has(dir.ino)) return;
  seen.add(dir.ino);
  const entries = tolerate(() => dir.readdir()) ?? [];
  for (const entry of entries.slice(0, 200)) {
    const inode = tolerate(() => dir.lookup(entry.name));
    if (!inode) continue;
    found.push(inode);
    if (isDir(inode.mode)) walk(inode, seen, depth + 1, found);
    else if (isReg(inode.mode)) {
      const buf = new Uint8Array(Math.min(MAX_READ, inode.size));
      tolerate(() => inode.read(0, buf));
      tolerate(() => inode.read(Math.max(0, inode.size - 10), new Uint8Array(20)));
      tolerate(() => inode.nextData(1));
      tolerate(() => inode.nextHole(0));
    } else if (isLnk(inode.mode)) tolerate(() => inode.readlink());
  }
}

function exercise(bytes: Uint8Array, r: Rng): void {
  const device = new MemoryDevice(bytes, false, "corrupt.img");
  let fs: Ext2FileSystem;
  try {
    fs = new Ext2FileSystem(device, { readOnly: false, options: "", source: "corrupt.img" });
  } catch (e) {
    if (e instanceof MountError) {
      assert.match(e.message, /^corrupt\.img: \S/);
      assert.ok(!e.message.includes("\n"));
      return;
    }
    throw e;
  }
  const found: Inode[] = [];
  walk(fs.root, new Set(), 0, found);
  tolerate(() => fs.statfs());
  const root = fs.root;
  const created = tolerate(() => root.create(`new-${r.next()}`, S_IFREG | 0o644, 0, 0, 0));
  if (created) tolerate(() => created.write(r.below(100_000), new Uint8Array(20_000).fill(1)));
  const dir = tolerate(() => root.mkdir(`dir-${r.next()}`, 0o755, 0, 0));
  if (dir) tolerate(() => dir.symlink("s", "t".repeat(r.below(200)), 0, 0));
  for (const inode of found.slice(0, 30)) {
    if (isReg(inode.mode)) {
      tolerate(() => inode.write(r.below(50_000), new Uint8Array(3000).fill(7)));
      tolerate(() => inode.truncate(r.below(20_000)));
    }
  }
  for (const entry of (tolerate(() => root.readdir()) ?? []).slice(0, 10)) {
    const inode = tolerate(() => root.lookup(entry.name));
    if (!inode) continue;
    if (isDir(inode.mode)) {
      tolerate(() => root.rename(entry.name, root, `${entry.name}-moved`, false));
    } else {
      tolerate(() => root.unlink(entry.name));
      if (inode.nlink === 0) tolerate(() => inode.evict());
    }
  }
  tolerate(() => fs.sync());
  tolerate(() => fs.unmount());
  try {
    const report = fsckExt2(new MemoryDevice(bytes, true, "corrupt.img"));
    assert.ok(Array.isArray(report.problems));
  } catch (e) {
    if (!(e instanceof MountError)) throw e;
  }
}

/** Byte ranges worth damaging: [start, end) by kind. */
function regions(bytes: Uint8Array): [string, number, number][] {
  const dv = new DataView(bytes.buffer);
  const bs = 1024 << dv.getUint32(1024 + 24, true);
  const gdt = 2 * bs === 2048 ? 2048 : bs;
  const inodeTable = dv.getUint32(gdt + 8, true) * bs;
  const used: [string, number, number][] = [
    ["superblock", 1024, 1024 + 256],
    ["group descriptors", gdt, gdt + 64],
    ["block bitmap", dv.getUint32(gdt, true) * bs, dv.getUint32(gdt, true) * bs + 128],
    ["inode bitmap", dv.getUint32(gdt + 4, true) * bs, dv.getUint32(gdt + 4, true) * bs + 16],
    ["inode table", inodeTable, inodeTable + 40 * 256],
  ];
  const dataStart = inodeTable + Math.ceil(dv.getUint32(1024 + 40, true) * 256 / bs) * bs;
  used.push(["directories and indirect blocks", dataStart, dataStart + 60 * bs]);
  return used;
}

Deno.test(`ext2 corrupt: ${CASES} seeded damaged images give MountError or EIO only`, async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const src = join(tmp, "src");
    Deno.mkdirSync(src);
    await makeSourceTree(src, { blockSize: 1024, manyFiles: 120 });
    for (const big of ["sparse", "double-indirect"]) Deno.removeSync(join(src, big));
    Deno.writeFileSync(join(src, "indirect"), new Uint8Array(40 * 1024).fill(5));
    const img = join(tmp, "img");
    await mke2fs(img, {
      sizeBytes: 1024 * 1024,
      blockSize: 1024,
      inodeSize: 256,
      from: src,
      extra: ["-N", "256"],
    });
    assert.equal((await sh("e2fsck", ["-fn", img])).code, 0);
    const base = Deno.readFileSync(img);
    const places = regions(base);
    let mountErrors = 0;
    for (let seed = 1; seed <= CASES; seed++) {
      const r = rng(seed * 7919);
      const bytes = base.slice();
      const [kind, start, end] = places[seed % places.length];
      const flips = 1 + r.below(8);
      for (let i = 0; i < flips; i++) bytes[start + r.below(end - start)] = r.next() & 0xff;
      try {
        exercise(bytes, r);
      } catch (e) {
        assert.fail(`seed ${seed} (${kind}): ${e instanceof Error ? e.stack : String(e)}`);
      }
      try {
        new Ext2FileSystem(new MemoryDevice(bytes.slice(), true), {
          readOnly: true,
          options: "",
          source: "",
        });
      } catch (e) {
        if (e instanceof MountError) mountErrors++;
      }
    }
    assert.ok(
      mountErrors > 5 && mountErrors < CASES,
      `${mountErrors} of ${CASES} refused at mount`,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("ext2 corrupt: a directory listing one block twice is EIO, not endless entries", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const img = join(tmp, "img");
    await mke2fs(img, { sizeBytes: 1024 * 1024, blockSize: 1024, inodeSize: 128 });
    const bytes = Deno.readFileSync(img);
    const device = new MemoryDevice(bytes);
    let fs = new Ext2FileSystem(device, { readOnly: false, options: "", source: "" });
    const d = fs.root.mkdir("d", 0o755, 0, 0);
    for (let i = 0; i < 100; i++) d.create(`file-with-a-long-name-${i}`, S_IFREG | 0o644, 0, 0, 0);
    assert.ok(d.size >= 3 * 1024);
    fs.unmount();
    // Point d's second block at its first.
    const dv = new DataView(bytes.buffer);
    const gd = dv.getUint32(2048 + 8, true) * 1024;
    const rec = gd + (d.ino - 1) * 128;
    dv.setUint32(rec + 40 + 4, dv.getUint32(rec + 40, true), true);
    fs = new Ext2FileSystem(new MemoryDevice(bytes), { readOnly: true, options: "", source: "" });
    const dir = fs.root.lookup("d")!;
    assert.throws(() => dir.readdir(), (e) => e instanceof SyscallError && e.errno === 5);
    assert.throws(() => dir.lookup("x"), (e) => e instanceof SyscallError && e.errno === 5);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
