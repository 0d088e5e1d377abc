// mkfs: images it makes must satisfy e2fsck -fn and dumpe2fs (revision 1, 256- or 128-byte
// inodes, sparse_super, filetype, large_file, lost+found as inode 11), for 1/2/4 KiB blocks
// and sizes from the minimum to several groups with a short last group.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Ext2FileSystem } from "../../kernel/fs/ext2/ext2-fs.ts";
import { fsckExt2 } from "../../kernel/fs/ext2/fsck.ts";
import { mkfs, MkfsError } from "../../kernel/fs/ext2/mkfs.ts";
import { HostImageDevice } from "../../kernel/host/image-file.ts";
import { assertFsckClean, MemoryDevice, MIB, sh } from "./ext2_helpers.ts";

const cases: [size: number, blockSize: number, inodeSize: number][] = [
  [64 * 1024, 1024, 256],
  [MIB, 1024, 128],
  [9 * MIB, 1024, 256],
  [64 * MIB, 1024, 256],
  [64 * MIB, 2048, 256],
  [64 * MIB, 4096, 128],
  [200 * MIB + 12345, 4096, 256],
];

for (const [size, blockSize, inodeSize] of cases) {
  Deno.test(`mkfs: ${size} bytes, ${blockSize}-byte blocks, ${inodeSize}-byte inodes`, async () => {
    const tmp = await Deno.makeTempDir();
    try {
      const img = join(tmp, "img");
      Deno.writeFileSync(img, new Uint8Array(0));
      Deno.truncateSync(img, size);
      const device = new HostImageDevice(img);
      mkfs(device, { blockSize, inodeSize, label: "nexa" });
      device.close();
      const summary = await assertFsckClean(img);
      const dump = (await sh("dumpe2fs", ["-h", img])).stdout;
      assert.match(dump, /Filesystem revision #:\s+1 \(dynamic\)/);
      assert.match(dump, /Filesystem features:\s+filetype sparse_super large_file/);
      assert.match(dump, new RegExp(`Block size:\\s+${blockSize}\\b`));
      assert.match(dump, new RegExp(`Inode size:\\s+${inodeSize}\\b`));
      assert.match(dump, /Filesystem volume name:\s+nexa/);
      assert.match(dump, /Filesystem state:\s+clean/);
      const ls = (await sh("debugfs", ["-R", "ls -l /", img])).stdout;
      assert.match(ls, /^\s+11\s+40700 .* lost\+found$/m);
      // Our own checker agrees with e2fsck's counts.
      const report = fsckExt2(new HostImageDevice(img, true));
      assert.deepEqual(report.problems, []);
      const m = /(\d+)\/(\d+) files .* (\d+)\/(\d+) blocks/.exec(summary)!;
      assert.deepEqual(
        [report.inodesUsed, report.inodesCount, report.blocksUsed, report.blocksCount],
        m.slice(1).map(Number),
      );
    } finally {
      await Deno.remove(tmp, { recursive: true });
    }
  });
}

Deno.test("mkfs: the new filesystem mounts and takes files", () => {
  const device = new MemoryDevice(new Uint8Array(4 * MIB));
  mkfs(device);
  const fs = new Ext2FileSystem(device, { readOnly: false, options: "", source: "mem" });
  assert.deepEqual(fs.root.readdir().map((e) => [e.name, e.ino]), [["lost+found", 11]]);
  assert.equal(fs.blockSize, 1024);
  assert.equal(fs.root.nlink, 3);
  const f = fs.root.create("hello", 0o100644, 0, 0, 0);
  assert.equal(f.write(0, new Uint8Array(5000).fill(1)), 5000);
  assert.equal(fs.statfs().namelen, 255);
  fs.unmount();
});

Deno.test("mkfs: bad requests are one-line MkfsErrors", () => {
  const tiny = new MemoryDevice(new Uint8Array(32 * 1024));
  assert.throws(() => mkfs(tiny), (e) => e instanceof MkfsError && /too small/.test(e.message));
  const ok = new MemoryDevice(new Uint8Array(MIB));
  assert.throws(() => mkfs(ok, { blockSize: 3000 }), MkfsError);
  assert.throws(() => mkfs(ok, { inodeSize: 512 }), MkfsError);
  const ro = new MemoryDevice(new Uint8Array(MIB), true);
  assert.throws(() => mkfs(ro), (e) => e instanceof MkfsError && /read-only/.test(e.message));
});
