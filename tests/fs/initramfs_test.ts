// initramfs: cpio newc archives made by the host's cpio (or busybox cpio) from a real tree unpack
// into tmpfs as that tree; writeCpio output is read back by us and by the host's cpio; Linux's
// unpack rules (replacement, hard links, ordering, concatenation) hold; malformed archives, and a
// seeded fuzz of mutated ones, only ever end in CpioError.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type CpioEntryInput,
  CpioError,
  parseCpio,
  unpackCpio,
  writeCpio,
} from "../../kernel/fs/initramfs.ts";
import {
  bytesName,
  devMajor,
  devMinor,
  type Inode,
  isDir,
  isLnk,
  isReg,
  makedev,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
} from "../../kernel/fs/inode.ts";
import { mountTmpfs, type TmpFileSystem } from "../../kernel/fs/tmpfs.ts";
import { rng } from "../lib/xorshift.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function tmpfs(options = ""): TmpFileSystem {
  return mountTmpfs({ readOnly: false, options, source: "none" });
}

function walk(root: Inode, path: string): Inode | null {
  let inode: Inode | null = root;
  for (const part of path.split("/").filter((p) => p !== "" && p !== ".")) {
    inode = inode?.lookup(part) ?? null;
  }
  return inode;
}

function contents(inode: Inode): string {
  const buf = new Uint8Array(inode.size);
  inode.read(0, buf);
  return bytesName(buf);
}

async function run(command: string, args: string[], cwd?: string): Promise<Uint8Array> {
  const output = await new Deno.Command(command, { args, cwd, stderr: "piped" }).output();
  if (output.code !== 0) {
    throw new Error(`${command} ${args.join(" ")}: ${decoder.decode(output.stderr)}`);
  }
  return output.stdout;
}

/** ["cpio"] when the host has GNU cpio, else busybox's. */
async function hostCpio(): Promise<string[]> {
  const which = await new Deno.Command("sh", { args: ["-c", "command -v cpio"] }).output();
  return which.code === 0 ? [decoder.decode(which.stdout).trim()] : ["/bin/busybox", "cpio"];
}

const errorWith = (pattern: RegExp) => (error: unknown) =>
  error instanceof CpioError && pattern.test(error.message);

Deno.test("initramfs: a host cpio archive of a real tree unpacks to the same tree", async () => {
  const source = await Deno.makeTempDir({ prefix: "nexaos-initramfs-" });
  try {
    await makeSourceTree(source);
    const cpio = await hostCpio();
    const archive = await run("sh", [
      "-c",
      `cd '${source}' && find . | ${cpio.join(" ")} -o -H newc 2>/dev/null`,
    ]);
    const fs = tmpfs();
    const result = unpackCpio(archive, fs.root);
    assert.deepEqual(result.skipped, []);
    await compareTrees(source, fs.root);
  } finally {
    await Deno.remove(source, { recursive: true });
  }
});

async function makeSourceTree(dir: string): Promise<void> {
  const file = (path: string, text: string, mode: number) => {
    Deno.writeFileSync(join(dir, path), encoder.encode(text));
    Deno.chmodSync(join(dir, path), mode);
  };
  Deno.mkdirSync(join(dir, "bin"));
  Deno.mkdirSync(join(dir, "etc/conf.d"), { recursive: true });
  Deno.mkdirSync(join(dir, "tmp"));
  Deno.chmodSync(join(dir, "tmp"), 0o1777);
  Deno.mkdirSync(join(dir, "root"));
  Deno.chmodSync(join(dir, "root"), 0o700);
  Deno.mkdirSync(join(dir, "empty"));
  file("bin/tool", "#!/bin/sh\necho tool\n", 0o4755);
  file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n", 0o644);
  file("etc/conf.d/big", "0123456789abcdef".repeat(4500) + "tail", 0o600);
  file("etc/empty-file", "", 0o640);
  file("root/secret", "s3cr3t", 0o400);
  Deno.symlinkSync("tool", join(dir, "bin/sh"));
  Deno.symlinkSync("/etc/passwd", join(dir, "etc/passwd-abs"));
  Deno.symlinkSync("../".repeat(40) + "far/away", join(dir, "etc/long-link"));
  Deno.symlinkSync("nowhere", join(dir, "dangling"));
  file("bin/multi", "shared by three names", 0o755);
  Deno.linkSync(join(dir, "bin/multi"), join(dir, "etc/multi-link"));
  Deno.linkSync(join(dir, "bin/multi"), join(dir, "root/multi-again"));
  await run("mkfifo", ["-m", "0620", join(dir, "tmp/fifo")]);
  // Device nodes need CAP_MKNOD; without it the tree simply has none.
  await run("mknod", ["-m", "0666", join(dir, "null"), "c", "1", "3"]).catch(() => {});
  Deno.chownSync(join(dir, "etc/passwd"), 1234, 567);
  Deno.chownSync(join(dir, "etc/conf.d"), 42, 43);
  Deno.utimeSync(join(dir, "etc/passwd"), 1_000_000_000, 1_000_000_000);
  Deno.utimeSync(join(dir, "etc/conf.d"), 1_234_567_890, 1_234_567_890);
}

async function compareTrees(source: string, root: Inode): Promise<void> {
  const hostToOurs = new Map<number, number>();
  const ourInodes = new Set<number>();
  let checked = 0;
  const visit = async (relative: string) => {
    const host = await Deno.lstat(join(source, relative));
    const ours = walk(root, relative);
    assert.ok(ours, `${relative} was not unpacked`);
    const where = relative || ".";
    assert.equal(ours.mode, host.mode, `${where}: mode`);
    assert.deepEqual([ours.uid, ours.gid], [host.uid, host.gid], `${where}: owner`);
    assert.equal(ours.mtime.sec, Math.floor(host.mtime!.getTime() / 1000), `${where}: mtime`);
    checked++;
    if (isDir(ours.mode)) {
      const names: string[] = [];
      for await (const entry of Deno.readDir(join(source, relative))) names.push(entry.name);
      assert.deepEqual(ours.readdir().map((e) => e.name).sort(), names.sort(), `${where}: names`);
      const subdirs = ours.readdir().filter((e) => e.type === 4).length;
      assert.equal(ours.nlink, 2 + subdirs, `${where}: nlink`);
      for (const name of names) await visit(relative ? `${relative}/${name}` : name);
      return;
    }
    assert.equal(ours.nlink, host.nlink, `${where}: nlink`);
    const known = hostToOurs.get(host.ino!);
    if (known === undefined) {
      assert.ok(!ourInodes.has(ours.ino), `${where}: shares an inode it should not`);
      hostToOurs.set(host.ino!, ours.ino);
      ourInodes.add(ours.ino);
    } else {
      assert.equal(ours.ino, known, `${where}: hard link identity`);
    }
    if (isReg(ours.mode)) {
      assert.equal(contents(ours), bytesName(await Deno.readFile(join(source, relative))));
    } else if (isLnk(ours.mode)) {
      assert.equal(ours.readlink(), await Deno.readLink(join(source, relative)));
    } else if ((ours.mode & S_IFMT) === S_IFCHR) {
      assert.equal(ours.rdev, makedev(devMajor(host.rdev!), devMinor(host.rdev!)));
    }
  };
  await visit("");
  assert.ok(checked >= 18, `only ${checked} entries compared`);
}

Deno.test("initramfs: writeCpio archives round-trip and the host cpio reads them", async () => {
  const big = Uint8Array.from({ length: 50_000 }, (_, i) => (i * 13) & 0xff);
  const entries: CpioEntryInput[] = [
    { path: ".", mode: S_IFDIR | 0o755, mtime: 100 },
    { path: "dev", mode: S_IFDIR | 0o755, mtime: 200 },
    { path: "dev/console", mode: S_IFCHR | 0o600, rdev: makedev(5, 1) },
    { path: "dev/big-minor", mode: S_IFCHR | 0o600, rdev: makedev(4095, 1048575) },
    { path: "init", mode: S_IFREG | 0o755, data: encoder.encode("#!/bin/sh\n"), uid: 7, gid: 8 },
    { path: "data", mode: S_IFREG | 0o644, data: big, mtime: 1_700_000_000 },
    { path: "data-link", mode: S_IFREG | 0o644, hardLinkTo: "data" },
    { path: "pipe", mode: S_IFIFO | 0o644 },
    { path: "sh", mode: S_IFLNK | 0o777, target: "init", mtime: 300 },
    { path: "odd\xffname", mode: S_IFREG | 0o600, data: encoder.encode("latin1 bytes") },
  ];
  for (const checksum of [false, true]) {
    const archive = writeCpio(entries, { checksum });
    assert.equal(archive.length % 4, 0);
    const records = parseCpio(archive);
    assert.deepEqual(records.map((r) => r.name), [...entries.map((e) => e.path), "TRAILER!!!"]);
    const data = records[5], link = records[6];
    assert.deepEqual([data.ino, data.nlink, link.nlink], [link.ino, 2, 2]);
    assert.deepEqual([data.data.length, link.data.length], [0, big.length], "data goes last");

    const fs = tmpfs();
    unpackCpio(archive, fs.root);
    const root = fs.root;
    assert.deepEqual([root.mode, root.mtime.sec], [S_IFDIR | 0o755, 100]);
    assert.equal(walk(root, "dev")!.mtime.sec, 200, "directory mtime survives later entries");
    assert.equal(walk(root, "dev/console")!.rdev, makedev(5, 1));
    assert.equal(walk(root, "dev/big-minor")!.rdev, makedev(4095, 1048575));
    const init = walk(root, "init")!;
    assert.deepEqual([contents(init), init.uid, init.gid], ["#!/bin/sh\n", 7, 8]);
    const file = walk(root, "data")!;
    assert.equal(walk(root, "data-link"), file);
    assert.deepEqual([file.nlink, file.size, file.mtime.sec], [2, big.length, 1_700_000_000]);
    const back = new Uint8Array(big.length);
    file.read(0, back);
    assert.deepEqual(back, big);
    assert.equal(walk(root, "pipe")!.mode, S_IFIFO | 0o644);
    assert.deepEqual([walk(root, "sh")!.readlink(), walk(root, "sh")!.mtime.sec], ["init", 300]);
    assert.equal(contents(walk(root, "odd\xffname")!), "latin1 bytes");
  }

  // The host's cpio is the oracle for the writer: list and extract our archive.
  const out = await Deno.makeTempDir({ prefix: "nexaos-initramfs-" });
  try {
    const plain = entries.filter((e) => (e.mode & S_IFMT) !== S_IFCHR);
    const archivePath = join(out, "archive.cpio");
    await Deno.writeFile(archivePath, writeCpio(plain));
    const cpio = await hostCpio();
    const listing = await run("sh", ["-c", `${cpio.join(" ")} -t < '${archivePath}' 2>/dev/null`]);
    // busybox lists a hard-link group once, under the name carrying the data.
    const notFirstLink = (name: string) => name !== "data";
    assert.deepEqual(
      decoder.decode(listing).trim().split("\n").filter(notFirstLink),
      plain.map((e) => decoder.decode(Uint8Array.from(e.path, (c) => c.charCodeAt(0))))
        .filter(notFirstLink),
    );
    await Deno.mkdir(join(out, "x"));
    await run(
      "sh",
      ["-c", `${cpio.join(" ")} -i -d -m < '${archivePath}' 2>/dev/null`],
      join(out, "x"),
    );
    assert.deepEqual(await Deno.readFile(join(out, "x/data")), big);
    assert.deepEqual(await Deno.readFile(join(out, "x/data-link")), big);
    assert.equal(
      (await Deno.stat(join(out, "x/data"))).ino,
      (await Deno.stat(join(out, "x/data-link"))).ino,
    );
    assert.equal(await Deno.readLink(join(out, "x/sh")), "init");
    assert.equal((await Deno.lstat(join(out, "x/init"))).mode! & 0o7777, 0o755);
    assert.equal(
      Math.floor((await Deno.stat(join(out, "x/data"))).mtime!.getTime() / 1000),
      1_700_000_000,
    );
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("initramfs: writeCpio refuses what newc cannot hold", () => {
  assert.throws(() => writeCpio([{ path: "", mode: S_IFREG }]), CpioError);
  assert.throws(() => writeCpio([{ path: "a\0b", mode: S_IFREG }]), CpioError);
  assert.throws(() => writeCpio([{ path: "x".repeat(4096), mode: S_IFREG }]), CpioError);
  assert.throws(() => writeCpio([{ path: "€", mode: S_IFREG }]), errorWith(/byte strings/));
  assert.throws(() => writeCpio([{ path: "l", mode: S_IFLNK | 0o777 }]), errorWith(/target/));
  assert.throws(() => writeCpio([{ path: "a", mode: S_IFREG, uid: -1 }]), errorWith(/32 bits/));
  assert.throws(
    () => writeCpio([{ path: "b", mode: S_IFREG, hardLinkTo: "a" }]),
    errorWith(/no earlier entry/),
  );
});

Deno.test("initramfs: parents must exist, as in Linux (strict by default, or skipped)", () => {
  const archive = writeCpio([
    { path: "a", mode: S_IFDIR | 0o755 },
    { path: "missing/child", mode: S_IFREG | 0o644, data: encoder.encode("x") },
    { path: "a/file", mode: S_IFREG | 0o644, data: encoder.encode("y") },
  ]);
  const fs = tmpfs();
  assert.throws(
    () => unpackCpio(archive, fs.root),
    (error) =>
      error instanceof CpioError &&
      error.message === `cpio: cannot create "missing/child": ENOENT (No such file or directory)` +
          ` (at byte ${parseCpio(archive)[1].offset})`,
  );
  const other = tmpfs();
  const result = unpackCpio(archive, other.root, { skipFailedEntries: true });
  assert.equal(result.applied, 2);
  assert.equal(result.skipped.length, 1);
  assert.match(result.skipped[0], /missing\/child.*ENOENT/);
  assert.equal(contents(walk(other.root, "a/file")!), "y");
  assert.equal(walk(other.root, "missing"), null);
});

Deno.test("initramfs: existing entries are replaced or reused as Linux's clean_path does", () => {
  const fs = tmpfs();
  const root = fs.root;
  const keep = root.mkdir("dir", 0o700, 0, 0);
  keep.create("child", S_IFREG | 0o644, 0, 0, 0);
  const file = root.create("file", S_IFREG | 0o644, 0, 0, 0);
  file.write(0, encoder.encode("old contents that are longer"));
  root.create("becomes-dir", S_IFREG | 0o644, 0, 0, 0).write(0, encoder.encode("gone"));
  root.symlink("link", "old-target", 0, 0);
  const full = root.mkdir("full", 0o755, 0, 0);
  full.create("x", S_IFREG, 0, 0, 0);
  const pagesBefore = fs.usedPages;

  unpackCpio(
    writeCpio([
      { path: "dir", mode: S_IFDIR | 0o755, uid: 5 },
      { path: "file", mode: S_IFREG | 0o600, data: encoder.encode("new") },
      { path: "becomes-dir", mode: S_IFDIR | 0o711 },
      { path: "link", mode: S_IFLNK | 0o777, target: "new-target" },
    ]),
    root,
  );
  assert.equal(root.lookup("dir"), keep, "a directory is reused");
  assert.deepEqual([keep.mode, keep.uid], [S_IFDIR | 0o755, 5]);
  assert.ok(keep.lookup("child"), "its contents stay");
  assert.equal(root.lookup("file"), file, "a regular file is truncated and rewritten");
  assert.deepEqual([contents(file), file.mode], ["new", S_IFREG | 0o600]);
  assert.equal(root.lookup("becomes-dir")!.mode, S_IFDIR | 0o711, "another type is replaced");
  assert.equal(root.lookup("link")!.readlink(), "new-target");
  assert.equal(fs.usedPages, pagesBefore - 1, "the replaced file was evicted");

  assert.throws(
    () => unpackCpio(writeCpio([{ path: "full", mode: S_IFREG | 0o644 }]), root),
    errorWith(/"full": ENOTEMPTY/),
  );
});

Deno.test("initramfs: paths: '.', absolute names, symlinked parents; '..' is refused", () => {
  const fs = tmpfs();
  unpackCpio(
    writeCpio([
      { path: ".", mode: S_IFDIR | 0o700, uid: 3 },
      { path: "/usr", mode: S_IFDIR | 0o755 },
      { path: "./usr//lib", mode: S_IFDIR | 0o755 },
      { path: "lib", mode: S_IFLNK | 0o777, target: "usr/lib" },
      { path: "lib/libc.so", mode: S_IFREG | 0o755, data: encoder.encode("elf") },
      { path: "abs", mode: S_IFLNK | 0o777, target: "/usr/./lib/../lib" },
      { path: "abs/other", mode: S_IFREG | 0o644 },
    ]),
    fs.root,
  );
  assert.deepEqual([fs.root.mode, fs.root.uid], [S_IFDIR | 0o700, 3]);
  assert.equal(contents(walk(fs.root, "usr/lib/libc.so")!), "elf");
  assert.ok(walk(fs.root, "usr/lib/other"));

  const escaping = writeCpio([
    { path: "ok", mode: S_IFDIR | 0o755 },
    { path: "ok/../../etc", mode: S_IFDIR | 0o755 },
  ]);
  const fresh = tmpfs();
  assert.throws(() => unpackCpio(escaping, fresh.root), errorWith(/"\.\." in a path/));
  assert.equal(fresh.root.lookup("ok"), null, "a malformed archive changes nothing");

  const loop = writeCpio([
    { path: "a", mode: S_IFLNK | 0o777, target: "b" },
    { path: "b", mode: S_IFLNK | 0o777, target: "a" },
    { path: "a/x", mode: S_IFREG | 0o644 },
  ]);
  assert.throws(() => unpackCpio(loop, tmpfs().root), errorWith(/ELOOP/));
  assert.throws(
    () => unpackCpio(writeCpio([{ path: ".", mode: S_IFREG | 0o644 }]), tmpfs().root),
    errorWith(/ENOTDIR/),
  );
});

Deno.test("initramfs: concatenated archives, zero padding, hard links per archive", () => {
  const first = writeCpio([
    { path: "f", mode: S_IFREG | 0o644, data: encoder.encode("one") },
    { path: "g", mode: S_IFREG | 0o644, hardLinkTo: "f" },
  ]);
  // Same inode numbers in the second archive must not link to the first archive's files.
  const second = writeCpio([
    { path: "h", mode: S_IFREG | 0o644, data: encoder.encode("two") },
    { path: "i", mode: S_IFREG | 0o644, hardLinkTo: "h" },
  ]);
  const joined = new Uint8Array(first.length + 512 + second.length);
  joined.set(first);
  joined.set(second, first.length + 512);
  const fs = tmpfs();
  unpackCpio(joined, fs.root);
  const [f, g, h, i] = ["f", "g", "h", "i"].map((n) => fs.root.lookup(n)!);
  assert.equal(f, g);
  assert.equal(h, i);
  assert.notEqual(f, h);
  assert.deepEqual([contents(f), contents(h), f.nlink, h.nlink], ["one", "two", 2, 2]);

  const misaligned = new Uint8Array(first.length + 2 + second.length);
  misaligned.set(first);
  misaligned.set(second, first.length + 2);
  assert.throws(
    () => parseCpio(misaligned),
    errorWith(new RegExp(`4-byte aligned \\(at byte ${first.length + 2}\\)`)),
  );
  assert.throws(() => parseCpio(new Uint8Array(first.length + 3).fill(0x41)), CpioError);
  assert.deepEqual(parseCpio(new Uint8Array(64)), [], "only zeros: no archive, no error");
});

Deno.test("initramfs: entries Linux ignores are reported, not applied", () => {
  const archive = writeCpio([{ path: "d", mode: S_IFDIR | 0o755 }]);
  const records = parseCpio(archive);
  // Give the directory 4 bytes of data by rewriting its header's filesize field.
  const patched = new Uint8Array(archive.length + 4);
  patched.set(archive.subarray(0, records[1].offset));
  patched.set(archive.subarray(records[1].offset), records[1].offset + 4);
  patched.set(encoder.encode("00000004"), 6 + 6 * 8);
  const weird = writeCpio([{ path: "w", mode: 0o030644 }]);
  for (const [bytes, reason] of [[patched, /with data/], [weird, /unknown file type/]] as const) {
    const fs = tmpfs();
    const result = unpackCpio(bytes, fs.root);
    assert.equal(result.applied, 0);
    assert.match(result.skipped[0], reason);
    assert.deepEqual(fs.root.readdir(), []);
  }
});

Deno.test("initramfs: a full tmpfs fails the unpack with ENOSPC", () => {
  const archive = writeCpio([
    { path: "big", mode: S_IFREG | 0o644, data: new Uint8Array(64 * 1024).fill(1) },
  ]);
  assert.throws(() => unpackCpio(archive, tmpfs("size=16k").root), errorWith(/"big": ENOSPC/));
});

Deno.test("initramfs: malformed archives give one-line CpioErrors with the offset", () => {
  const good = writeCpio([
    { path: "file", mode: S_IFREG | 0o644, data: encoder.encode("hello") },
  ]);
  const mutate = (at: number, text: string, base = good) => {
    const copy = base.slice();
    copy.set(encoder.encode(text), at);
    return copy;
  };
  const cases: [Uint8Array, RegExp][] = [
    [mutate(0, "123456"), /bad magic "123456" .*\(at byte 0\)$/],
    [mutate(0, "070707"), /odc/],
    [Uint8Array.of(0x1f, 0x8b, 8, 0, ...new Uint8Array(200)), /gzip/],
    [good.subarray(0, 50), /truncated header: 50 of 110 bytes \(at byte 0\)/],
    [good.subarray(0, 112), /truncated name/],
    [mutate(110 + 4, "X"), /not NUL-terminated/],
    [mutate(6 + 11 * 8, "00000000"), /name size 0 /],
    [mutate(6 + 11 * 8, "00100000"), /name size 1048576 /],
    [mutate(6 + 1 * 8, "0000g1a4"), /field mode is not 8 hex digits: "0000g1a4" \(at byte 14\)/],
    [mutate(6 + 6 * 8, "0000ffff"), /65535 data bytes but only/],
    [good.subarray(0, 118), /5 data bytes but only 2 left/],
    [good.subarray(0, 124), /without a TRAILER!!!/],
  ];
  const crc = writeCpio([{ path: "c", mode: S_IFREG | 0o644, data: encoder.encode("abc") }], {
    checksum: true,
  });
  const crcRecords = parseCpio(crc);
  cases.push([
    mutate(crcRecords[0].dataOffset, "x", crc),
    /checksum 317 does not match header 294/,
  ]);
  for (const [bytes, pattern] of cases) {
    assert.throws(() => unpackCpio(bytes, tmpfs().root), (error) => {
      assert.ok(error instanceof CpioError, `not a CpioError: ${error}`);
      assert.match(error.message, pattern);
      assert.ok(!error.message.includes("\n"));
      return true;
    });
  }
});

Deno.test("initramfs: fuzz: mutated and truncated archives unpack or throw CpioError", () => {
  const base = writeCpio([
    { path: ".", mode: S_IFDIR | 0o755 },
    { path: "bin", mode: S_IFDIR | 0o755 },
    { path: "bin/busybox", mode: S_IFREG | 0o755, data: new Uint8Array(9000).fill(0x90) },
    { path: "bin/sh", mode: S_IFLNK | 0o777, target: "busybox" },
    { path: "bin/ash", mode: S_IFREG | 0o755, hardLinkTo: "bin/busybox" },
    { path: "dev", mode: S_IFDIR | 0o755 },
    { path: "dev/null", mode: S_IFCHR | 0o666, rdev: makedev(1, 3) },
    { path: "dev/fifo", mode: S_IFIFO | 0o600 },
    { path: "init", mode: S_IFREG | 0o755, data: encoder.encode("#!/bin/sh\nexec sh\n") },
  ]);
  const random = rng(0x1badcafe);
  const alphabet = encoder.encode("0123456789abcdefABCDEF07\0/.!");
  const outcomes = { unpacked: 0, rejected: 0 };
  for (let round = 0; round < 300; round++) {
    let bytes = base.slice();
    const kind = random.below(5);
    if (kind === 0) {
      bytes = bytes.subarray(0, random.below(bytes.length));
    } else if (kind === 1 || kind === 2) {
      for (let n = 1 + random.below(6); n > 0; n--) {
        bytes[random.below(bytes.length)] = kind === 1
          ? random.below(256)
          : random.pick([...alphabet]);
      }
    } else if (kind === 3) {
      const at = random.below(bytes.length);
      const cut = 1 + random.below(16);
      bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + cut)]);
    } else {
      // Rewrite one hex header field of one record with a random (often huge) value.
      const records = parseCpio(base);
      const record = random.pick(records);
      const field = random.below(13);
      const value = random.next().toString(16).padStart(8, "0");
      bytes.set(encoder.encode(value), record.offset + 6 + field * 8);
    }
    for (const skipFailedEntries of [false, true]) {
      try {
        unpackCpio(bytes, tmpfs("size=1m").root, { skipFailedEntries });
        outcomes.unpacked++;
      } catch (error) {
        if (!(error instanceof CpioError)) {
          throw new Error(`round ${round}: ${error}`, { cause: error });
        }
        assert.ok(!error.message.includes("\n"));
        outcomes.rejected++;
      }
    }
  }
  assert.ok(outcomes.unpacked > 20 && outcomes.rejected > 100, JSON.stringify(outcomes));
});
