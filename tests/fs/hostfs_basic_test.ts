// hostfs through the Inode API: every operation lands on the host directory (checked with Deno's
// own file APIs as the oracle), host changes show up, identity stays stable, mount errors.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  EEXIST,
  EINVAL,
  EISDIR,
  ENOENT,
  ENOTDIR,
  ENOTEMPTY,
  EPERM,
  ESTALE,
} from "../../kernel/errno.ts";
import { MountError } from "../../kernel/fs/filesystem.ts";
import {
  DT_DIR,
  DT_LNK,
  DT_REG,
  type Inode,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from "../../kernel/fs/inode.ts";
import { HostInode } from "../../kernel/fs/hostfs/host-inode.ts";
import { mountHostDirectory, parseHostRoot } from "../../kernel/fs/hostfs/hostfs.ts";
import { assertErrno, bytes, makeHostTree, text } from "./hostfs_fixture.ts";

function readAll(inode: Inode): string {
  const buf = new Uint8Array(inode.size + 16);
  return text(buf.subarray(0, inode.read(0, buf)));
}

function lookupOk(dir: Inode, name: string): HostInode {
  const found = dir.lookup(name);
  assert.ok(found instanceof HostInode, `${name} should exist`);
  return found;
}

Deno.test("hostfs: files are created, written and read on the host", async () => {
  const t = await makeHostTree();
  try {
    const root = t.fs.root;
    assert.equal(root.mode & S_IFMT, S_IFDIR);
    assert.equal(readAll(lookupOk(root, "hello.txt")), "hello from the host\n");
    assert.equal(root.lookup("missing"), null);

    const file = root.create("new.txt", S_IFREG | 0o640, 0, 0, 0);
    assert.equal(file.write(0, bytes("written by the guest")), 20);
    assert.equal(file.write(8, bytes("GUEST")), 5);
    assert.equal(Deno.readTextFileSync(join(t.dir, "new.txt")), "written GUESTe guest");
    assert.equal(
      Deno.statSync(join(t.dir, "new.txt")).mode! & 0o7777,
      0o640,
      "the host umask is undone",
    );
    assert.equal(file.size, 20);
    assert.equal(readAll(file), "written GUESTe guest");
    assertErrno(() => root.create("new.txt", S_IFREG | 0o600, 0, 0, 0), EEXIST);

    file.truncate(4);
    assert.equal(Deno.readTextFileSync(join(t.dir, "new.txt")), "writ");
    file.truncate(1 << 20);
    assert.equal(Deno.statSync(join(t.dir, "new.txt")).size, 1 << 20);
    assert.equal(file.nextData(0), 0);
    const hole = file.nextHole(0);
    assert.ok(hole >= 4 && hole <= 1 << 20, `hole at ${hole}`);
    assert.equal(file.nextData(1 << 20), -1);
    file.allocate(0, 2 << 20);
    assert.equal(Deno.statSync(join(t.dir, "new.txt")).size, 2 << 20);
    assert.ok(file.blocks >= (2 << 20) / 512);
    file.sync(false);
    file.sync(true);
    t.fs.sync();
  } finally {
    await t.cleanup();
  }
});

Deno.test("hostfs: directories, readdir, links, symlinks, unlink and rmdir map to the host", async () => {
  const t = await makeHostTree();
  try {
    const root = t.fs.root;
    const dir = root.mkdir("sub", 0o750, 0, 0);
    assert.equal(Deno.statSync(join(t.dir, "sub")).mode! & 0o7777, 0o750);
    assert.equal(lookupOk(root, "sub"), dir, "one object per host inode");
    const file = dir.create("a", S_IFREG | 0o644, 0, 0, 0);
    file.write(0, bytes("data"));

    dir.link("b", file);
    assert.equal(Deno.statSync(join(t.dir, "sub/b")).nlink, 2);
    assert.equal(file.nlink, 2);
    assert.equal(lookupOk(dir, "b"), file, "a hard link is the same inode");

    const link = root.symlink("abs", "/etc/passwd", 0, 0);
    assert.equal(link.mode & S_IFMT, S_IFLNK);
    assert.equal(Deno.readLinkSync(join(t.dir, "abs")), "/etc/passwd");
    assert.equal(lookupOk(root, "abs").readlink(), "/etc/passwd");
    assertErrno(() => link.read(0, new Uint8Array(4)), EINVAL);
    assertErrno(() => link.lookup("x"), ENOTDIR);

    const fifo = root.create("pipe", S_IFIFO | 0o600, 0, 0, 0);
    assert.ok(Deno.lstatSync(join(t.dir, "pipe")).isFifo);
    assertErrno(() => fifo.read(0, new Uint8Array(1)), EINVAL);
    assertErrno(() => root.create("disk", S_IFBLK | 0o600, 0, 0, 0x800), EPERM);
    assertErrno(() => root.create("null", S_IFCHR | 0o666, 0, 0, 0x103), EPERM);

    const listing = new Map(root.readdir().map((e) => [e.name, e]));
    assert.deepEqual([...listing.keys()].sort(), ["abs", "hello.txt", "pipe", "sub"]);
    assert.equal(listing.get("sub")!.type, DT_DIR);
    assert.equal(listing.get("sub")!.ino, dir.ino);
    assert.equal(listing.get("abs")!.type, DT_LNK);
    assert.equal(listing.get("hello.txt")!.type, DT_REG);
    assert.equal(dir.ino, Deno.statSync(join(t.dir, "sub")).ino);

    assertErrno(() => root.rmdir("sub"), ENOTEMPTY);
    assertErrno(() => root.unlink("sub"), EISDIR);
    assertErrno(() => dir.rmdir("a"), ENOTDIR);
    dir.unlink("a");
    assert.equal(file.nlink, 1);
    dir.unlink("b");
    assert.equal(file.nlink, 0);
    root.rmdir("sub");
    assert.equal(root.lookup("sub"), null);
    assert.throws(() => Deno.statSync(join(t.dir, "sub")), Deno.errors.NotFound);
  } finally {
    await t.cleanup();
  }
});

Deno.test("hostfs: rename and exchange move entries and the inodes follow", async () => {
  const t = await makeHostTree();
  try {
    const root = t.fs.root;
    const a = root.mkdir("a", 0o755, 0, 0);
    const b = root.mkdir("b", 0o755, 0, 0);
    const deep = a.mkdir("deep", 0o755, 0, 0);
    const file = deep.create("f", S_IFREG | 0o644, 0, 0, 0);
    file.write(0, bytes("one"));
    t.fs.fds.closeAll(); // later reads must find the file by its new path

    root.rename("a", b, "moved", false);
    assert.ok(Deno.statSync(join(t.dir, "b/moved/deep/f")).isFile);
    assert.equal(file.relPath(), "b/moved/deep/f");
    assert.equal(readAll(file), "one");

    const other = root.create("g", S_IFREG | 0o644, 0, 0, 0);
    other.write(0, bytes("two"));
    deep.rename("f", root, "g", false);
    assert.equal(Deno.readTextFileSync(join(t.dir, "g")), "one");
    assert.equal(lookupOk(root, "g"), file);
    assert.equal(other.nlink, 0);

    const third = root.create("h", S_IFREG | 0o644, 0, 0, 0);
    third.write(0, bytes("three"));
    root.rename("g", root, "h", true);
    assert.equal(Deno.readTextFileSync(join(t.dir, "g")), "three");
    assert.equal(Deno.readTextFileSync(join(t.dir, "h")), "one");
    assert.equal(lookupOk(root, "h"), file);
    assert.equal(lookupOk(root, "g"), third);
    assertErrno(() => root.rename("b", a, "x", false), EINVAL); // into its own subtree
  } finally {
    await t.cleanup();
  }
});

Deno.test("hostfs: chmod, chown and times are pushed to the host without following links", async () => {
  const t = await makeHostTree();
  try {
    const root = t.fs.root;
    const file = lookupOk(root, "hello.txt");
    file.mode = S_IFREG | 0o4711;
    file.markDirty();
    assert.equal(Deno.statSync(join(t.dir, "hello.txt")).mode! & 0o7777, 0o4711);

    file.mtime = { sec: 1_000_000_000, nsec: 123_456_789 };
    file.atime = { sec: 900_000_000, nsec: 0 };
    file.markDirty();
    const hostStat = Deno.statSync(join(t.dir, "hello.txt"));
    assert.equal(hostStat.mtime!.getTime(), 1_000_000_000_123);
    assert.equal(hostStat.atime!.getTime(), 900_000_000_000);
    assert.deepEqual(file.mtime, { sec: 1_000_000_000, nsec: 123_456_789 });

    root.symlink("link", "hello.txt", 0, 0);
    const link = lookupOk(root, "link");
    link.mtime = { sec: 12345, nsec: 0 };
    link.markDirty();
    assert.equal(Deno.lstatSync(join(t.dir, "link")).mtime!.getTime(), 12_345_000);
    assert.equal(Deno.statSync(join(t.dir, "hello.txt")).mtime!.getTime(), 1_000_000_000_123);

    // A file we created belongs to our uid (Deno.uid() would need --allow-sys).
    const ourUid = Deno.statSync(join(t.dir, "hello.txt")).uid;
    file.uid = 4321;
    file.gid = 8765;
    if (ourUid === 0) {
      file.markDirty();
      const owned = Deno.statSync(join(t.dir, "hello.txt"));
      assert.equal(owned.uid, 4321);
      assert.equal(owned.gid, 8765);
      const made = root.create("owned", S_IFREG | 0o600, 77, 88, 0);
      assert.equal(Deno.statSync(join(t.dir, "owned")).uid, 77);
      assert.equal(made.gid, 88);
    } else {
      assertErrno(() => file.markDirty(), EPERM);
      assert.equal(file.uid, ourUid, "attributes are the host's again after a refusal");
    }
  } finally {
    await t.cleanup();
  }
});

Deno.test("hostfs: host-side changes are seen and identity stays stable", async () => {
  const t = await makeHostTree();
  try {
    const root = t.fs.root;
    const dir = root.mkdir("d", 0o755, 0, 0);
    const file = dir.create("f", S_IFREG | 0o644, 0, 0, 0);
    Deno.writeTextFileSync(join(t.dir, "d/f"), "grown on the host");
    file.refresh();
    assert.equal(file.size, 17);
    assert.equal(readAll(file), "grown on the host");

    Deno.renameSync(join(t.dir, "d"), join(t.dir, "e"));
    assertErrno(() => dir.lookup("f"), ENOENT, ESTALE);
    assert.equal(lookupOk(root, "e"), dir);
    assert.equal(lookupOk(dir, "f"), file);
    assert.equal(file.relPath(), "e/f");

    Deno.mkdirSync(join(t.dir, "d"));
    Deno.writeTextFileSync(join(t.dir, "d/f"), "imposter");
    dir.location = { parent: root, name: "d" }; // a stale picture of where "e" is
    assertErrno(() => dir.readdir(), ESTALE);
    assertErrno(() => dir.create("x", S_IFREG | 0o644, 0, 0, 0), ESTALE);
    assert.throws(() => Deno.statSync(join(t.dir, "d/x")), Deno.errors.NotFound);
  } finally {
    await t.cleanup();
  }
});

Deno.test("hostfs: an open file keeps its data after its name goes; fds stay bounded", async () => {
  const t = await makeHostTree();
  try {
    const root = t.fs.root;
    const file = lookupOk(root, "hello.txt");
    file.users = 1;
    t.fs.fds.closeAll();
    root.unlink("hello.txt");
    assert.equal(file.nlink, 0);
    assert.equal(readAll(file), "hello from the host\n");
    file.users = 0;
    file.evict();

    for (let i = 0; i < 100; i++) {
      root.create(`f${i}`, S_IFREG | 0o644, 0, 0, 0).write(0, bytes(`${i}`));
    }
    assert.ok(t.fs.fds.size <= 64, `${t.fs.fds.size} descriptors open`);
    assert.equal(readAll(lookupOk(root, "f7")), "7");
    assert.equal(Deno.readTextFileSync(join(t.dir, "f99")), "99");

    const statfs = t.fs.statfs();
    assert.equal(statfs.namelen, 255);
    assert.ok(statfs.blocks > 0 && statfs.bsize > 0 && statfs.type !== 0);
    assert.equal(statfs.flags & 1, 0);
  } finally {
    await t.cleanup();
  }
});

Deno.test("hostfs: mount errors are one clear line", async () => {
  const base = await Deno.makeTempDir();
  try {
    const missing = join(base, "nope");
    assert.throws(() => mountHostDirectory(missing, false), (e: unknown) => {
      return e instanceof MountError && e.errno === ENOENT &&
        e.message === `${missing}: No such file or directory`;
    });
    Deno.writeTextFileSync(join(base, "file"), "");
    assert.throws(() => mountHostDirectory(join(base, "file"), true), (e: unknown) => {
      return e instanceof MountError && e.errno === ENOTDIR &&
        e.message === `${join(base, "file")}: Not a directory`;
    });
    assert.deepEqual(parseHostRoot("/srv/root:ro"), { dir: "/srv/root", readOnly: true });
    assert.deepEqual(parseHostRoot("/srv/root:rw"), { dir: "/srv/root", readOnly: false });
    assert.deepEqual(parseHostRoot("/srv/a:b"), { dir: "/srv/a:b", readOnly: false });
    assert.deepEqual(parseHostRoot(":ro"), { dir: ":ro", readOnly: false });
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
