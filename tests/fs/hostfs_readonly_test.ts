// hostfs mounted read-only (`--root DIR:ro`): reads work, every mutation is EROFS and the host
// tree is left exactly as it was.

import assert from "node:assert/strict";
import { join } from "node:path";
import { EROFS } from "../../kernel/errno.ts";
import { S_IFDIR, S_IFIFO, S_IFREG } from "../../kernel/fs/inode.ts";
import { assertErrno, bytes, makeHostTree, text } from "./hostfs_fixture.ts";

function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string, prefix: string) => {
    for (const entry of [...Deno.readDirSync(path)].sort((a, b) => a.name < b.name ? -1 : 1)) {
      const full = join(path, entry.name);
      const stat = Deno.lstatSync(full);
      const content = entry.isFile
        ? Deno.readTextFileSync(full)
        : entry.isSymlink
        ? Deno.readLinkSync(full)
        : "";
      out.push(
        `${prefix}${entry.name} ${stat.mode} ${stat.uid} ${stat.mtime?.getTime()} ${content}`,
      );
      if (entry.isDirectory) walk(full, `${prefix}${entry.name}/`);
    }
  };
  walk(dir, "");
  return out;
}

Deno.test("hostfs read-only: reads work and every mutation is EROFS", async () => {
  const t = await makeHostTree(true);
  try {
    Deno.mkdirSync(join(t.dir, "sub"));
    Deno.mkdirSync(join(t.dir, "empty"));
    Deno.symlinkSync("hello.txt", join(t.dir, "link"));
    const before = snapshot(t.dir);
    const root = t.fs.root;
    assert.ok(t.fs.readOnly);
    assert.equal(t.fs.statfs().flags & 1, 1, "statfs reports ST_RDONLY");

    const file = root.lookup("hello.txt")!;
    const buf = new Uint8Array(64);
    assert.equal(text(buf.subarray(0, file.read(0, buf))), "hello from the host\n");
    assert.equal(root.lookup("link")!.readlink(), "hello.txt");
    assert.deepEqual(root.readdir().map((e) => e.name).sort(), [
      "empty",
      "hello.txt",
      "link",
      "sub",
    ]);
    const sub = root.lookup("sub")!;

    assertErrno(() => root.create("new", S_IFREG | 0o644, 0, 0, 0), EROFS);
    assertErrno(() => root.create("fifo", S_IFIFO | 0o644, 0, 0, 0), EROFS);
    assertErrno(() => root.mkdir("new", 0o755, 0, 0), EROFS);
    assertErrno(() => root.symlink("new", "x", 0, 0), EROFS);
    assertErrno(() => sub.link("new", file), EROFS);
    assertErrno(() => root.unlink("hello.txt"), EROFS);
    assertErrno(() => root.rmdir("empty"), EROFS);
    assertErrno(() => root.rename("hello.txt", sub, "moved", false), EROFS);
    assertErrno(() => root.rename("sub", root, "empty", true), EROFS);
    assertErrno(() => file.write(0, bytes("x")), EROFS);
    assertErrno(() => file.truncate(0), EROFS);
    assertErrno(() => file.allocate(0, 4096), EROFS);

    file.mode = S_IFREG | 0o777;
    assertErrno(() => file.markDirty(), EROFS);
    assert.equal(file.mode & 0o777, Deno.statSync(join(t.dir, "hello.txt")).mode! & 0o777);
    file.uid = 999;
    assertErrno(() => file.markDirty(), EROFS);
    file.mtime = { sec: 1, nsec: 0 };
    assertErrno(() => file.markDirty(), EROFS);
    root.mode = S_IFDIR | 0o700;
    assertErrno(() => root.markDirty(), EROFS);
    // A read's atime update is dropped, as on a read-only Linux mount, not an error.
    file.atime = { sec: 2, nsec: 0 };
    file.markDirty();
    assert.notEqual(file.atime.sec, 2);

    file.sync(false);
    t.fs.sync();
    assert.deepEqual(snapshot(t.dir), before);
  } finally {
    await t.cleanup();
  }
});
