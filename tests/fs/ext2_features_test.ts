// Mount-time behaviour and on-disk details checked against e2fsprogs: refused and read-only
// features, the superblock state while mounted, sync() writing through, orphans freed at
// unmount, nanosecond times on large inodes, fast/slow symlinks, i_blocks, statfs.

import assert from "node:assert/strict";
import { join } from "node:path";
import { Ext2FileSystem, mountExt2 } from "../../kernel/fs/ext2/ext2-fs.ts";
import { fileSystemType, MountError } from "../../kernel/fs/filesystem.ts";
import { HostImageDevice, ImageOpenError } from "../../kernel/host/image-file.ts";
import { EROFS } from "../../kernel/errno.ts";
import { SyscallError } from "../../kernel/syscall-error.ts";
import {
  assertFsckClean,
  debugfs,
  kname,
  MemoryDevice,
  MIB,
  mke2fs,
  mountFile,
  mustLookup,
  sh,
} from "./ext2_helpers.ts";

async function withImage(
  spec: { blockSize: number; inodeSize: number; extra?: string[]; type?: string },
  body: (img: string, tmp: string) => Promise<void> | void,
) {
  const tmp = await Deno.makeTempDir();
  try {
    const img = join(tmp, "img");
    await mke2fs(img, { sizeBytes: 4 * MIB, ...spec });
    await body(img, tmp);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

function mountError(body: () => unknown): MountError {
  try {
    body();
  } catch (e) {
    assert.ok(e instanceof MountError, `expected a MountError, got ${e}`);
    return e;
  }
  assert.fail("mounted");
}

Deno.test("ext2 mount: the type is registered and needs a device", () => {
  assert.equal(fileSystemType("ext2")?.needsDevice, true);
  assert.equal(fileSystemType("ext2")?.factory, mountExt2);
  const e = mountError(() => mountExt2({ readOnly: false, options: "", source: "none" }));
  assert.match(e.message, /needs a block device/);
});

Deno.test("ext2 mount: not ext2, ext4 and journal recovery are refused with one clear line", async () => {
  const zeros = new MemoryDevice(new Uint8Array(MIB), false, "/dev/zero-disk");
  const notExt2 = mountError(() =>
    mountExt2({ device: zeros, readOnly: false, options: "", source: "" })
  );
  assert.equal(
    notExt2.message,
    "/dev/zero-disk: not an ext2 filesystem (bad magic number in superblock)",
  );
  const tmp = await Deno.makeTempDir();
  try {
    const img = join(tmp, "ext4");
    Deno.writeFileSync(img, new Uint8Array(0));
    Deno.truncateSync(img, 8 * MIB);
    assert.equal((await sh("mke2fs", ["-q", "-t", "ext4", "-F", img])).code, 0);
    const e = mountError(() => mountFile(img));
    assert.match(e.message, /^.*ext4: unsupported filesystem features: .*extent/);
    assert.ok(!e.message.includes("\n"));
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  await withImage({ blockSize: 1024, inodeSize: 256 }, async (img) => {
    assert.equal((await sh("debugfs", ["-w", "-R", "feature needs_recovery", img])).code, 0);
    assert.match(mountError(() => mountFile(img)).message, /needs_recovery/);
  });
});

Deno.test("ext2 mount: an unknown read-only-compatible feature mounts read-only", async () => {
  await withImage({ blockSize: 1024, inodeSize: 256 }, async (img) => {
    assert.equal((await sh("debugfs", ["-w", "-R", "feature huge_file", img])).code, 0);
    const fs = mountFile(img);
    assert.equal(fs.readOnly, true);
    assert.match(fs.readOnlyReason ?? "", /ro_compat 0x8/);
    assert.equal(fs.statfs().flags & 1, 1);
    assert.throws(
      () => fs.root.create("x", 0o100644, 0, 0, 0),
      (e) => e instanceof SyscallError && e.errno === EROFS,
    );
    assert.ok(fs.root.lookup("lost+found"));
    fs.unmount();
  });
});

Deno.test("ext2 mount: state is not-clean while mounted, clean after; counts bumped", async () => {
  await withImage({ blockSize: 1024, inodeSize: 256 }, async (img) => {
    const bytes = Deno.readFileSync(img);
    const sb = () => new DataView(bytes.buffer, 1024, 1024);
    const countBefore = sb().getUint16(52, true);
    assert.equal(sb().getUint16(58, true), 1);
    const device = new MemoryDevice(bytes);
    const fs = mountExt2({ device, readOnly: false, options: "", source: "mem" });
    assert.equal(sb().getUint16(58, true) & 1, 0, "not clean while mounted");
    assert.equal(sb().getUint16(52, true), countBefore + 1);
    assert.ok(Math.abs(sb().getUint32(44, true) - Date.now() / 1000) < 60, "s_mtime is now");
    const f = fs.root.create("f", 0o100644, 0, 0, 0);
    f.write(0, new TextEncoder().encode("synced"));
    const flushes = device.flushes;
    fs.sync();
    assert.ok(device.flushes > flushes, "sync flushes the device");
    Deno.writeFileSync(img, bytes);
    await assertFsckClean(img);
    assert.equal(await debugfs(img, "cat /f"), "synced");
    fs.unmount();
    assert.ok(device.closed);
    assert.equal(sb().getUint16(58, true), 1, "clean after unmount");
  });
});

Deno.test("ext2: an unlinked inode nobody evicted is freed at unmount", async () => {
  await withImage({ blockSize: 2048, inodeSize: 128 }, async (img) => {
    const fs = mountFile(img);
    const free = fs.statfs().bfree;
    const f = fs.root.create("open-then-unlinked", 0o100644, 0, 0, 0);
    f.write(0, new Uint8Array(100_000).fill(3));
    fs.root.unlink("open-then-unlinked");
    assert.equal(f.nlink, 0);
    const buf = new Uint8Array(10);
    assert.equal(f.read(99_995, buf), 5, "still readable while open");
    fs.unmount();
    await assertFsckClean(img);
    const again = mountFile(img, true);
    assert.equal(again.statfs().bfree, free);
    again.unmount();
  });
});

Deno.test("ext2: nanosecond times on 256-byte inodes, seconds on 128-byte ones", async () => {
  for (const inodeSize of [256, 128]) {
    await withImage({ blockSize: 1024, inodeSize }, async (img) => {
      let fs = mountFile(img);
      const f = fs.root.create("t", 0o100644, 0, 0, 0);
      f.mtime = { sec: 1_700_000_000, nsec: 123_456_789 };
      f.atime = { sec: 5_000_000_000, nsec: 42 };
      f.markDirty();
      fs.unmount();
      await assertFsckClean(img);
      fs = mountFile(img, true);
      const t = mustLookup(fs, "t");
      if (inodeSize === 256) {
        assert.deepEqual(t.mtime, { sec: 1_700_000_000, nsec: 123_456_789 });
        assert.deepEqual(t.atime, { sec: 5_000_000_000, nsec: 42 }, "epoch bits past 2038");
        assert.ok(t.btime && t.btime.sec > 1_700_000_000);
        assert.match(await debugfs(img, "stat /t"), /mtime: 0x6553f100:1d6f3454/);
      } else {
        assert.deepEqual(t.mtime, { sec: 1_700_000_000, nsec: 0 });
        assert.equal(t.btime, null);
      }
      fs.unmount();
    });
  }
});

Deno.test("ext2: fast and slow symlinks, i_blocks with indirect blocks, generations", async () => {
  await withImage({ blockSize: 1024, inodeSize: 256 }, async (img) => {
    const fs = mountFile(img);
    fs.root.symlink("fast", "f".repeat(59), 0, 0);
    fs.root.symlink("slow", "s".repeat(60), 0, 0);
    const file = fs.root.create("thirteen", 0o100644, 0, 0, 0);
    file.write(0, new Uint8Array(13 * 1024).fill(9));
    assert.equal(file.blocks, 14 * 2, "13 data blocks and one indirect block");
    const other = fs.root.create("other", 0o100644, 0, 0, 0) as unknown as { generation: number };
    assert.notEqual((file as unknown as { generation: number }).generation, other.generation);
    fs.unmount();
    await assertFsckClean(img);
    assert.match(await debugfs(img, "stat /fast"), /Fast link dest: "f{59}"/);
    const slow = await debugfs(img, "stat /slow");
    assert.doesNotMatch(slow, /Fast link/);
    assert.match(slow, /Blockcount: 2\b/);
    assert.match(await debugfs(img, "stat /thirteen"), /Blockcount: 28\b/);
  });
});

Deno.test("ext2: statfs matches dumpe2fs", async () => {
  await withImage({ blockSize: 4096, inodeSize: 256 }, async (img) => {
    const dump = (await sh("dumpe2fs", ["-h", img])).stdout;
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(dump)![1]);
    const fs = mountFile(img, true);
    const st = fs.statfs();
    assert.equal(st.type, 0xef53);
    assert.equal(st.bsize, 4096);
    assert.equal(st.bfree, field("Free blocks"));
    assert.equal(st.bavail, field("Free blocks") - field("Reserved block count"));
    assert.equal(st.files, field("Inode count"));
    assert.equal(st.ffree, field("Free inodes"));
    assert.equal(st.namelen, 255);
    assert.ok(st.blocks < field("Block count") && st.blocks > field("Block count") * 0.9);
    assert.equal(st.flags & 1, 1);
    fs.unmount();
  });
});

Deno.test("host image device: read-only files, missing files, bounds", async () => {
  await withImage({ blockSize: 1024, inodeSize: 128 }, (img, tmp) => {
    Deno.chmodSync(img, 0o444);
    const device = new HostImageDevice(img);
    assert.equal(device.readOnly, true);
    const fs = new Ext2FileSystem(device, { readOnly: false, options: "", source: img });
    assert.equal(fs.readOnly, true);
    assert.equal(fs.readOnlyReason, "the device is read-only");
    assert.throws(() => device.write(0, new Uint8Array(512)), (e) => e instanceof SyscallError);
    fs.unmount();
    assert.throws(
      () => new HostImageDevice(join(tmp, "missing")),
      (e) => e instanceof ImageOpenError && e.message === "No such file or directory",
    );
    assert.throws(
      () => new HostImageDevice(tmp),
      (e) => e instanceof ImageOpenError && e.message === "Is a directory",
    );
    Deno.chmodSync(img, 0o644);
    const rw = new HostImageDevice(img);
    assert.equal(rw.readOnly, false);
    assert.equal(rw.sizeBytes, 4 * MIB);
    assert.throws(
      () => rw.read(4 * MIB - 512, new Uint8Array(1024)),
      (e) => e instanceof SyscallError,
    );
    rw.close();
  });
});

Deno.test("ext2: names are latin1 byte strings and round-trip any bytes", async () => {
  await withImage({ blockSize: 1024, inodeSize: 256 }, async (img) => {
    const fs = mountFile(img);
    const raw = String.fromCharCode(0xff, 0xfe, 0x80, 0x41);
    fs.root.create(raw, 0o100644, 0, 0, 0);
    fs.root.mkdir(kname("ü"), 0o755, 0, 0);
    fs.unmount();
    await assertFsckClean(img);
    const ls = await debugfs(img, "ls -l /");
    assert.match(ls, / \\xc3\\xbc\n/, "ü stored as its UTF-8 bytes");
    assert.match(ls, / \\xff\\xfe\\x80A\n/, "arbitrary bytes stored as given");
    const again = mountFile(img, true);
    assert.ok(again.root.lookup(raw));
    assert.ok(again.root.lookup(kname("ü")));
    again.unmount();
  });
});
