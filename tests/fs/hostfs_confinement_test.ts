// hostfs confinement: no name, host symlink (absolute or relative, final or intermediate) or
// concurrent host rename lets the Inode API read or write outside the mounted directory. The
// oracle is the host itself: the secret file next to the root never changes, is never returned,
// and nothing new appears beside it.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  EEXIST,
  EINVAL,
  ELOOP,
  ENAMETOOLONG,
  ENOENT,
  ENOTDIR,
  ESTALE,
  EXDEV,
} from "../../kernel/errno.ts";
import { type Inode, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from "../../kernel/fs/inode.ts";
import { O_RDONLY, RESOLVE_CONFINED } from "../../kernel/fs/hostfs/host-calls.ts";
import { SyscallError } from "../../kernel/syscall-error.ts";
import { assertErrno, bytes, makeHostTree, SECRET, text } from "./hostfs_fixture.ts";

const ESCAPE_ERRNOS = [ELOOP, ESTALE, EXDEV, ENOTDIR];

function readAll(inode: Inode): string {
  const buf = new Uint8Array(4096);
  return text(buf.subarray(0, inode.read(0, buf)));
}

Deno.test("hostfs: the openat2 layer refuses every path out of the root", async () => {
  const t = await makeHostTree();
  try {
    Deno.symlinkSync("/etc", join(t.dir, "etc"));
    Deno.symlinkSync("../outside", join(t.dir, "up"));
    Deno.symlinkSync(t.secretPath, join(t.dir, "secret-link"));
    Deno.mkdirSync(join(t.dir, "sub"));
    const open = (path: string) => () =>
      t.fs.calls.openat2(t.fs.rootFd, path, O_RDONLY, 0, RESOLVE_CONFINED);
    assertErrno(open("../outside/secret.txt"), EXDEV);
    assertErrno(open("sub/../../outside/secret.txt"), EXDEV);
    assertErrno(open(t.secretPath), EXDEV);
    assertErrno(open("/etc/passwd"), EXDEV);
    assertErrno(open("/proc/self/root/etc/passwd"), EXDEV);
    assertErrno(open("etc/passwd"), ELOOP);
    assertErrno(open("up/secret.txt"), ELOOP);
    assertErrno(open("secret-link"), ELOOP);
    assertErrno(open("hello.txt\0/../../outside/secret.txt"), EINVAL);
    const fd = t.fs.calls.openat2(t.fs.rootFd, "sub/../hello.txt", O_RDONLY, 0, RESOLVE_CONFINED);
    t.fs.calls.closeFd(fd);
  } finally {
    await t.cleanup();
  }
});

Deno.test("hostfs: host symlinks are links to the guest, never followed by the host", async () => {
  const t = await makeHostTree();
  try {
    Deno.symlinkSync("/etc", join(t.dir, "etc"));
    Deno.symlinkSync("../outside", join(t.dir, "up"));
    Deno.symlinkSync(t.secretPath, join(t.dir, "secret-link"));
    const root = t.fs.root;
    for (const name of ["etc", "up", "secret-link"]) {
      const link = root.lookup(name)!;
      assert.equal(link.mode & S_IFMT, S_IFLNK);
      assert.equal(link.readlink(), Deno.readLinkSync(join(t.dir, name)));
      assertErrno(() => link.lookup("passwd"), ENOTDIR);
      assertErrno(() => link.readdir(), ENOTDIR);
      assertErrno(() => link.create("planted", S_IFREG | 0o644, 0, 0, 0), ENOTDIR);
      assertErrno(() => link.read(0, new Uint8Array(64)), EINVAL);
      assertErrno(() => link.write(0, bytes("x")), EINVAL);
    }
    assert.equal(Deno.readTextFileSync(t.secretPath), SECRET);
    assert.deepEqual(t.outsideNames(), ["secret.txt"]);
  } finally {
    await t.cleanup();
  }
});

Deno.test("hostfs: a directory swapped for a symlink after lookup leads nowhere outside", async () => {
  for (const target of ["../outside", "ABSOLUTE"]) {
    const t = await makeHostTree();
    try {
      const root = t.fs.root;
      Deno.mkdirSync(join(t.dir, "d"));
      Deno.writeTextFileSync(join(t.dir, "d/secret.txt"), "inside\n");
      const dir = root.lookup("d")!;
      const file = dir.lookup("secret.txt")!;
      const victim = root.create("victim", S_IFREG | 0o644, 0, 0, 0);
      assert.equal(dir.mode & S_IFMT, S_IFDIR);
      t.fs.fds.closeAll();
      const secretMode = Deno.statSync(t.secretPath).mode;

      Deno.renameSync(join(t.dir, "d"), join(t.dir, "d.real"));
      Deno.symlinkSync(target === "ABSOLUTE" ? t.outside : target, join(t.dir, "d"));

      assertErrno(() => readAll(file), ...ESCAPE_ERRNOS);
      assertErrno(() => file.write(0, bytes("pwned")), ...ESCAPE_ERRNOS);
      assertErrno(() => file.truncate(0), ...ESCAPE_ERRNOS);
      assertErrno(() => file.refresh(), ...ESCAPE_ERRNOS);
      file.mode = S_IFREG | 0o777;
      assertErrno(() => file.markDirty(), ...ESCAPE_ERRNOS);
      assertErrno(() => dir.lookup("secret.txt"), ...ESCAPE_ERRNOS);
      assertErrno(() => dir.readdir(), ...ESCAPE_ERRNOS);
      assertErrno(() => dir.create("planted", S_IFREG | 0o644, 0, 0, 0), ...ESCAPE_ERRNOS);
      assertErrno(() => dir.mkdir("planted", 0o755, 0, 0), ...ESCAPE_ERRNOS);
      assertErrno(() => dir.symlink("planted", "x", 0, 0), ...ESCAPE_ERRNOS);
      assertErrno(() => dir.link("planted", victim), ...ESCAPE_ERRNOS);
      assertErrno(() => dir.unlink("secret.txt"), ...ESCAPE_ERRNOS);
      assertErrno(() => dir.rename("secret.txt", root, "stolen", false), ...ESCAPE_ERRNOS);
      assertErrno(() => root.rename("victim", dir, "secret.txt", false), ...ESCAPE_ERRNOS);

      assert.equal(Deno.readTextFileSync(t.secretPath), SECRET);
      assert.deepEqual(t.outsideNames(), ["secret.txt"]);
      assert.equal(Deno.statSync(t.secretPath).mode, secretMode, "chmod did not reach it");
      assert.equal(root.lookup("stolen"), null);
      // The moved directory is still reachable by its new name, as the same inode.
      assert.equal(root.lookup("d.real"), dir);
      assert.equal(readAll(dir.lookup("secret.txt")!), "inside\n");
    } finally {
      await t.cleanup();
    }
  }
});

Deno.test("hostfs: hostile names are refused before the host sees them", async () => {
  const t = await makeHostTree();
  try {
    const root = t.fs.root;
    const hello = root.lookup("hello.txt")!;
    const hostile = [
      "..",
      ".",
      "a/b",
      "../outside",
      "../outside/secret.txt",
      "/etc",
      "x\0y",
      "\u0100",
    ];
    for (const name of hostile) {
      const refused = [EINVAL, ENOENT];
      assertErrno(() => root.lookup(name), ...refused);
      assertErrno(() => root.create(name, S_IFREG | 0o644, 0, 0, 0), ...refused);
      assertErrno(() => root.mkdir(name, 0o755, 0, 0), ...refused);
      assertErrno(() => root.symlink(name, "x", 0, 0), ...refused);
      assertErrno(() => root.link(name, hello), ...refused);
      assertErrno(() => root.unlink(name), ...refused);
      assertErrno(() => root.rmdir(name), ...refused);
      assertErrno(() => root.rename("hello.txt", root, name, false), ...refused);
      assertErrno(() => root.rename(name, root, "x", false), ...refused);
    }
    assertErrno(() => root.lookup(""), ENOENT);
    assertErrno(() => root.create("n".repeat(256), S_IFREG | 0o644, 0, 0, 0), ENAMETOOLONG);
    assertErrno(() => root.symlink("bad", "a\0b", 0, 0), EINVAL);
    assert.deepEqual([...Deno.readDirSync(t.dir)].map((e) => e.name), ["hello.txt"]);
    assert.deepEqual(t.outsideNames(), ["secret.txt"]);
  } finally {
    await t.cleanup();
  }
});

Deno.test("hostfs: racing a directory/symlink swap never touches the outside", async () => {
  const t = await makeHostTree();
  // The guest works in d/inner (as a process whose cwd it is would); the host keeps swapping d
  // with a symlink to the outside, which has an inner/data of its own.
  const outsideInner = join(t.outside, "inner");
  Deno.mkdirSync(outsideInner);
  Deno.writeTextFileSync(join(outsideInner, "data"), SECRET);
  Deno.mkdirSync(join(t.dir, "d/inner"), { recursive: true });
  Deno.writeTextFileSync(join(t.dir, "d/inner/data"), "inside\n");
  Deno.symlinkSync("../outside", join(t.dir, "l"));
  const root = t.fs.root;
  const inner = root.lookup("d")!.lookup("inner")!;
  const control = new SharedArrayBuffer(8);
  const flags = new Int32Array(control);
  const worker = new Worker(new URL("./hostfs_race_worker.ts", import.meta.url).href, {
    type: "module",
  });
  const messages: string[] = [];
  let notify = () => {};
  worker.onmessage = (event: MessageEvent<string>) => {
    messages.push(event.data);
    notify();
  };
  const next = (what: string) =>
    new Promise<void>((resolve) => {
      if (messages.includes(what)) return resolve();
      notify = () => messages.includes(what) && resolve();
    });
  try {
    worker.postMessage({ dir: t.dir, control });
    await next("started");
    const allowed = new Set([ELOOP, ESTALE, EXDEV, ENOTDIR, ENOENT, EEXIST]);
    for (let i = 0; i < 3000; i++) {
      if (i % 16 === 0) t.fs.fds.closeAll();
      try {
        const dir = i % 7 === 0 ? root.lookup("d")?.lookup("inner") : inner;
        if (!dir) continue;
        switch (i % 6) {
          case 0: {
            const data = dir.lookup("data");
            if (data) assert.equal(readAll(data), "inside\n");
            break;
          }
          case 1:
            dir.readdir();
            break;
          case 2:
            dir.create(`n${i}`, S_IFREG | 0o644, 0, 0, 0).write(0, bytes("planted"));
            break;
          case 3:
            dir.mkdir(`m${i}`, 0o755, 0, 0);
            break;
          case 4:
            dir.lookup("data")?.write(0, bytes("inside\n"));
            break;
          case 5:
            dir.unlink("data");
            dir.create("data", S_IFREG | 0o644, 0, 0, 0).write(0, bytes("inside\n"));
            break;
        }
      } catch (error) {
        if (!(error instanceof SyscallError) || !allowed.has(error.errno)) throw error;
      }
    }
  } finally {
    Atomics.store(flags, 0, 1);
    await next("stopped");
    worker.terminate();
  }
  try {
    assert.ok(Atomics.load(flags, 1) > 0, "the host swapped the entries");
    assert.equal(Deno.readTextFileSync(t.secretPath), SECRET);
    assert.equal(Deno.readTextFileSync(join(outsideInner, "data")), SECRET);
    assert.deepEqual(t.outsideNames(), ["inner", "secret.txt"]);
    assert.deepEqual([...Deno.readDirSync(outsideInner)].map((e) => e.name), ["data"]);
  } finally {
    await t.cleanup();
  }
});
