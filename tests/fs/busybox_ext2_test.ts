// Debian's busybox-static on an ext2 image (`--disk IMAGE`, through runProgram), against the
// same busybox run natively on a host copy of the image's source tree. Each applet runs as its
// own program on the same image file (no fork yet), so state carries from run to run.
//
// Oracles: text that does not depend on the filesystem (names, modes, owners, link counts, sizes
// of files, dates) comes from native busybox byte for byte; what does (st_blocks, directory
// sizes, readdir order, statfs) comes from e2fsprogs reading the image (debugfs, dumpe2fs),
// through models of ls/find/du that must first reproduce native busybox exactly on the host
// copy (busybox_models.ts). After the changes, `e2fsck -fn` must find the image clean.

import assert from "node:assert/strict";
import { join } from "node:path";
import { parseElf } from "../../kernel/exec/elf.ts";
import { HostImageDevice } from "../../kernel/host/image-file.ts";
import { bufferInput, collectOutput, runProgram } from "../../kernel/run-program.ts";
import {
  duOutput,
  findOutput,
  type FsNode,
  hostTree,
  imageTree,
  isDirNode,
  lsWithNumbersOf,
  maskLsDates,
} from "./busybox_models.ts";
import {
  fsck,
  host,
  hostText,
  imageDump,
  imageStats,
  makeImage,
  superblockFields,
} from "./e2fs_tools.ts";

const BUSYBOX = "/bin/busybox";
const ENV = ["PATH=/bin", "TZ=UTC", "LANG=C", "LC_ALL=C"];
/** Every file and directory of the source tree: 2021-03-04 05:06:07 UTC (ls shows the year). */
const FIXED_MTIME = 1614834367;
const decoder = new TextDecoder();

function requireStaticBusybox(): void {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(BUSYBOX);
  } catch {
    throw new Error(
      `${BUSYBOX} is missing: install busybox-static (apt-get install busybox-static)`,
    );
  }
  try {
    parseElf(bytes);
  } catch (e) {
    throw new Error(
      `${BUSYBOX} is not a static x86-64 program (${e instanceof Error ? e.message : e}): ` +
        "install busybox-static",
    );
  }
}

/** Deterministic bytes for the test files. */
function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** The tree under SRC/data: every size class of the block map, links, odd names, modes. */
async function writeSourceTree(src: string): Promise<void> {
  const data = join(src, "data");
  for (const dir of ["bin", "proc", "data/emptydir", "data/docs/deep/deeper/deepest", "data/sub"]) {
    await Deno.mkdir(join(src, dir), { recursive: true });
  }
  await Deno.copyFile(BUSYBOX, join(src, "bin/busybox"));
  const files: [string, Uint8Array | string, number?][] = [
    ["small.txt", "hello, ext2\n"],
    ["empty", ""],
    ["k1.bin", pattern(1024, 1)],
    ["k12.bin", pattern(12 * 1024, 2)],
    ["k13.bin", pattern(12 * 1024 + 1, 3)],
    ["big.bin", pattern(300_000, 4)],
    ["exec.sh", "#!/bin/sh\necho hi\n", 0o755],
    ["secret.key", "not for others\n", 0o600],
    ["setuid-prog", "pretend\n", 0o4755],
    ["owned", "by 1000\n"],
    ["with space.txt", "spaces\n"],
    ["odd name's (1)", "quote and parens\n"],
    ["café.txt", "utf-8 name\n"],
    [".hidden", "dot file\n"],
    ["docs/readme.md", "# docs\n"],
    ["docs/deep/deeper/deepest/leaf.txt", pattern(5000, 5)],
    ["sub/notes.txt", "notes\n"],
  ];
  for (const [name, content, mode] of files) {
    const path = join(data, name);
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
    await Deno.chmod(path, mode ?? 0o644);
  }
  await Deno.chown(join(data, "owned"), 1000, 1000);
  await Deno.symlink("small.txt", join(data, "link-to-small"));
  await Deno.symlink("nowhere/at/all", join(data, "dangling"));
  await Deno.symlink("x/".repeat(50) + "long-target", join(data, "long-link"));
  await Deno.link(join(data, "k1.bin"), join(data, "hard-to-k1"));
  // More entries than one 1 KiB block holds: mke2fs gives the directory an htree index.
  await Deno.mkdir(join(data, "many"));
  for (let i = 0; i < 300; i++) {
    await Deno.writeFile(join(data, "many", `entry-with-a-longish-name-${i}`), new Uint8Array());
  }
  // Fixed times on everything, children before their directories (lutimes via touch -h).
  const paths: string[] = [];
  const walk = (p: string) => {
    for (const e of Deno.readDirSync(p)) {
      if (e.isDirectory) walk(join(p, e.name));
      else paths.push(join(p, e.name));
    }
    paths.push(p);
  };
  walk(data);
  await hostText("touch", ["-h", "-d", `@${FIXED_MTIME}`, ...paths]);
}

interface Output {
  status: number;
  stdout: string;
  stderr: string;
}

async function guest(image: string, args: string[]): Promise<Output> {
  const stdout = collectOutput(), stderr = collectOutput();
  const result = await runProgram({
    exePath: BUSYBOX,
    argv: ["busybox", ...args],
    env: ENV,
    files: {
      disks: [{ image, mountPoint: "/", readOnly: false }],
      openDisk: (disk) => new HostImageDevice(disk.image, disk.readOnly),
    },
    cwd: "/",
    stdin: bufferInput(new Uint8Array()),
    stdout: stdout.sink,
    stderr: stderr.sink,
  });
  return { status: result.status, stdout: stdout.text(), stderr: stderr.text() };
}

async function native(root: string, args: string[]): Promise<Output> {
  const out = await new Deno.Command(BUSYBOX, {
    args,
    cwd: root,
    clearEnv: true,
    env: Object.fromEntries(ENV.map((e) => e.split("=") as [string, string])),
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    status: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
  };
}

/** Run `args` natively and under NexaOS; both must succeed. */
async function both(ctx: Context, args: string[]): Promise<{ native: string; guest: string }> {
  const n = await native(ctx.native, args);
  const g = await guest(ctx.image, args);
  assert.equal(n.status, 0, `native busybox ${args.join(" ")}: ${n.stderr}`);
  assert.equal(g.status, 0, `NexaOS busybox ${args.join(" ")} (status ${g.status}): ${g.stderr}`);
  assert.equal(g.stderr, n.stderr, `stderr of busybox ${args.join(" ")}`);
  return { native: n.stdout, guest: g.stdout };
}

interface Context {
  base: string;
  src: string;
  native: string;
  image: string;
}

async function setUp(): Promise<Context> {
  requireStaticBusybox();
  const base = await Deno.makeTempDir({ prefix: "busybox-ext2-" });
  const src = join(base, "src");
  const image = join(base, "disk.img");
  await writeSourceTree(src);
  await makeImage(src, image, "32M", 1024);
  const nativeRoot = join(base, "native");
  await hostText("cp", ["-a", src, nativeRoot]);
  return { base, src, native: nativeRoot, image };
}

/** `ls -lnR DIR`: native text with the image's block counts and directory sizes. */
async function compareLs(ctx: Context, dir: string, maskDates: boolean): Promise<void> {
  const out = await both(ctx, ["ls", "-lnR", dir]);
  const hostModel = lsWithNumbersOf(out.native, hostTree(join(ctx.native, dir), dir), dir);
  assert.equal(hostModel, out.native, "the ls model must reproduce native busybox on the host");
  const tree = await imageTree(ctx.image, `/${dir}`, dir);
  const expected = lsWithNumbersOf(out.native, tree, dir, maskDates);
  assert.equal(maskDates ? maskLsDates(out.guest) : out.guest, expected);
}

/** `find DIR`: the same names as natively, in the image's on-disk directory order. */
async function compareFind(ctx: Context, dir: string): Promise<void> {
  const out = await both(ctx, ["find", dir]);
  assert.equal(findOutput(hostTree(join(ctx.native, dir), dir), dir), out.native);
  const sorted = (s: string) => s.split("\n").sort().join("\n");
  assert.equal(sorted(out.guest), sorted(out.native), "find: the same names as natively");
  assert.equal(out.guest, findOutput(await imageTree(ctx.image, `/${dir}`, dir), dir));
}

/** `du -a DIR`: numbers from the image's block counts, names as natively. */
async function compareDu(ctx: Context, dir: string): Promise<void> {
  const out = await both(ctx, ["du", "-a", dir]);
  assert.equal(duOutput(hostTree(join(ctx.native, dir), dir), dir), out.native);
  assert.equal(out.guest, duOutput(await imageTree(ctx.image, `/${dir}`, dir), dir));
}

function treePaths(node: FsNode, path: string): string[] {
  return [path, ...node.children.flatMap((c) => treePaths(c, `${path}/${c.name}`))];
}

/** statfs as Linux reports an ext2 image, from dumpe2fs's superblock counts. */
async function expectedStatfs(image: string) {
  const sb = await superblockFields(image);
  const num = (name: string) => {
    const value = sb.get(name);
    if (value === undefined) throw new Error(`dumpe2fs -h printed no "${name}"`);
    return Number(value);
  };
  // mke2fs records the metadata overhead (superblock and descriptor copies, reserved GDT
  // blocks, bitmaps, inode tables), which the kernel's ext2 (ext4 driver) subtracts.
  const blocks = num("Block count") - num("Overhead clusters");
  const bfree = num("Free blocks");
  return {
    bsize: num("Block size"),
    blocks,
    bfree,
    bavail: Math.max(0, bfree - num("Reserved block count")),
    files: num("Inode count"),
    ffree: num("Free inodes"),
  };
}

/** `df /` and `stat -f` against dumpe2fs (read after the run, which changes nothing). */
async function compareStatfs(ctx: Context): Promise<void> {
  const st = await guest(ctx.image, ["stat", "-f", "-c", "%S %b %f %a %c %d %l", "/"]);
  const df = await guest(ctx.image, ["df", "/"]);
  const want = await expectedStatfs(ctx.image);
  assert.equal(st.status, 0, st.stderr);
  assert.equal(
    st.stdout,
    `${want.bsize} ${want.blocks} ${want.bfree} ${want.bavail} ${want.files} ${want.ffree} 255\n`,
  );
  assert.equal(df.status, 0, df.stderr);
  const k = want.bsize / 1024;
  const used = want.blocks - want.bfree;
  const percent = Math.floor(
    (used * 100 + Math.floor((used + want.bavail) / 2)) /
      (used + want.bavail),
  );
  const [header, line] = df.stdout.split("\n");
  assert.match(header, /^Filesystem\s+1K-blocks\s+Used\s+Available\s+Use% Mounted on$/);
  const fields = line.trim().split(/\s+/);
  assert.deepEqual(fields.slice(1), [
    String(want.blocks * k),
    String(used * k),
    String(want.bavail * k),
    `${percent}%`,
    "/",
  ]);
}

/** Directories, regular files (content, mode, mtime) and symlinks of two host trees agree. */
function assertSameTree(actual: string, expected: string, label: string): void {
  const a = [...Deno.readDirSync(actual)].map((e) => e.name).sort();
  const e = [...Deno.readDirSync(expected)].map((x) => x.name).sort();
  assert.deepEqual(a, e, `${label}: names`);
  for (const name of e) {
    const pa = join(actual, name), pe = join(expected, name);
    const sa = Deno.lstatSync(pa), se = Deno.lstatSync(pe);
    assert.equal(sa.mode! & 0o170000, se.mode! & 0o170000, `${label}/${name}: type`);
    if (se.isSymlink) {
      assert.equal(Deno.readLinkSync(pa), Deno.readLinkSync(pe), `${label}/${name}: target`);
      continue;
    }
    // Permission bits only: rdump's chown after chmod clears set-id bits (ls -lnR checks them).
    const perm = (st: Deno.FileInfo) => (st.mode! & 0o777).toString(8);
    assert.equal(perm(sa), perm(se), `${label}/${name}: mode`);
    if (se.isDirectory) {
      assertSameTree(pa, pe, `${label}/${name}`);
      continue;
    }
    assert.deepEqual(Deno.readFileSync(pa), Deno.readFileSync(pe), `${label}/${name}: content`);
    assert.equal(sa.mtime?.getTime(), se.mtime?.getTime(), `${label}/${name}: mtime`);
  }
}

async function assertClean(image: string): Promise<void> {
  const check = await fsck(image);
  assert.equal(check.code, 0, `e2fsck -fn found problems:\n${check.output}`);
}

Deno.test("busybox on an ext2 image agrees with native busybox and e2fsprogs", async (t) => {
  const ctx = await setUp();
  try {
    await t.step("ls -lnR", () => compareLs(ctx, "data", false));
    await t.step("find", () => compareFind(ctx, "data"));
    await t.step("stat -c against debugfs and native", async () => {
      const paths = treePaths(hostTree(join(ctx.native, "data"), "data"), "data").sort();
      const out = await both(ctx, ["stat", "-c", "%n %f %u %g %h", ...paths]);
      const g = await guest(ctx.image, ["stat", "-c", "%n %s %b %f %u %g %h %i", ...paths]);
      assert.equal(g.status, 0, g.stderr);
      const inodes = await imageStats(ctx.image, paths.map((p) => `/${p}`));
      const expected = paths.map((p) => {
        const i = inodes.get(`/${p}`)!;
        const mode = (i.perm | { regular: 0o100000, directory: 0o040000, symlink: 0o120000 }[
          i.type as "regular"
        ]).toString(16);
        return `${p} ${i.size} ${i.blocks} ${mode} ${i.uid} ${i.gid} ${i.links} ${i.ino}\n`;
      }).join("");
      assert.equal(g.stdout, expected);
      assert.equal(out.guest, out.native);
    });
    await t.step("du -a", () => compareDu(ctx, "data"));
    await t.step("df and statfs", () => compareStatfs(ctx));
    await t.step("cp -a, then ls -lnR of the copy", async () => {
      await both(ctx, ["cp", "-a", "data", "copy"]);
      await compareLs(ctx, "copy", false);
      const dump = join(ctx.base, "copy-dump");
      await imageDump(ctx.image, "/copy", dump);
      assertSameTree(join(dump, "copy"), join(ctx.src, "data"), "copy");
      const links = await imageStats(ctx.image, ["/copy/k1.bin", "/copy/hard-to-k1"]);
      assert.equal(links.get("/copy/k1.bin")!.ino, links.get("/copy/hard-to-k1")!.ino);
      await assertClean(ctx.image);
    });
    await t.step("tar c, tar x round trip", async () => {
      await both(ctx, ["tar", "cf", "archive.tar", "-C", "data", "."]);
      await both(ctx, ["mkdir", "dst"]);
      await both(ctx, ["tar", "xf", "archive.tar", "-C", "dst"]);
      await compareLs(ctx, "dst", true);
      // The archive the guest wrote, unpacked by the host's tar, and the guest's unpacking.
      const fromArchive = join(ctx.base, "from-archive");
      await Deno.mkdir(fromArchive);
      const archive = join(ctx.base, "archive.tar");
      const dumped = await host("debugfs", ["-R", `dump /archive.tar ${archive}`, ctx.image]);
      assert.equal(dumped.code, 0, dumped.stderr);
      await hostText("tar", ["xf", archive, "-C", fromArchive]);
      assertSameTree(fromArchive, join(ctx.src, "data"), "host tar x of the guest's archive");
      const dump = join(ctx.base, "dst-dump");
      await imageDump(ctx.image, "/dst", dump);
      assertSameTree(join(dump, "dst"), join(ctx.src, "data"), "guest tar x");
      await assertClean(ctx.image);
    });
    await t.step("mv, rm -r, mkdir -p, ln -s", async () => {
      const start = Math.floor(Date.now() / 1000);
      await both(ctx, ["mv", "data/docs", "data/sub/docs-moved"]);
      await both(ctx, ["mv", "data/with space.txt", "data/renamed file.txt"]);
      await compareLs(ctx, "data", true);
      await both(ctx, ["rm", "-r", "data/many", "data/sub/docs-moved"]);
      await both(ctx, ["mkdir", "-p", "data/a/b/c"]);
      await both(ctx, ["ln", "-s", "../../../small.txt", "data/a/b/c/up"]);
      await compareLs(ctx, "data", true);
      await compareFind(ctx, "data");
      const cat = await both(ctx, ["cat", "data/a/b/c/up", "data/renamed file.txt"]);
      assert.equal(cat.guest, "hello, ext2\nspaces\n");
      const times = await imageStats(ctx.image, ["/data", "/data/sub", "/data/a/b/c"]);
      for (const [path, inode] of times) {
        assert.ok(inode.mtime >= start, `${path}: mtime ${inode.mtime} was not updated`);
      }
      await assertClean(ctx.image);
    });
    await t.step("du -a and df after the changes", async () => {
      await compareDu(ctx, "data");
      await compareStatfs(ctx);
      await assertClean(ctx.image);
    });
  } finally {
    await Deno.remove(ctx.base, { recursive: true });
  }
});

Deno.test("the find and du models on a hand-built tree: hard links count once", () => {
  const file = (name: string, ino: number, blocks: number, nlink = 1): FsNode => ({
    name,
    ino,
    mode: 0o100644,
    nlink,
    size: blocks * 512,
    blocks,
    children: [],
  });
  const root: FsNode = {
    name: "d",
    ino: 2,
    mode: 0o040755,
    nlink: 2,
    size: 1024,
    blocks: 2,
    children: [file("a", 3, 4, 2), file("b", 3, 4, 2), file("c", 4, 1)],
  };
  assert.ok(isDirNode(root));
  assert.equal(findOutput(root, "d"), "d\nd/a\nd/b\nd/c\n");
  assert.equal(duOutput(root, "d"), "2\td/a\n1\td/c\n4\td\n");
});
