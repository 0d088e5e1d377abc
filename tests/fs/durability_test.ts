// fsync durability on an ext2 image, end to end: `deno task run --disk IMAGE` runs the guest
// program fs-durable (userland/tests/fs-durable.c) as a subprocess; it writes files of assorted
// sizes, fsyncs each and its directory and says "synced K", then keeps changing the same
// directories without syncing. The emulator is killed with SIGKILL right after the last fsync (the
// image must then be exactly what the fsyncs wrote: e2fsck clean), or after enough unsynced churn
// that the block cache has written dirty blocks back on its own. Then e2fsprogs reads the image:
// every fsynced file must be intact (debugfs cat), its inode and blocks marked in the bitmaps, and
// nothing e2fsck -fn reports may concern it. Unsynced work may be lost or half there.

import { nexaosArgs } from "../lib/nexaos-cli.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { debugfsBatch, fsck, imageCat, imageStats, makeImage } from "./e2fs_tools.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PROGRAM = join(ROOT, "tests/guest/bin/fs-durable");
/** Every size class of an ext2 block map with 1 KiB blocks (direct, indirect, double). */
const SIZES = [0, 1, 1023, 1024, 1025, 12 * 1024, 12 * 1024 + 1, 70_000, 300_000];
/** Rounds of unsynced changes before the kill (enough to push dirty blocks out of the cache). */
const CHURN_ROUNDS = 200;

/** fs-durable's durable_byte(i, k). */
function expectedContent(i: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let k = 0; k < size; k++) out[k] = (k * 131 + i * 7 + Math.floor(k / 1024)) & 0xff;
  return out;
}

const syncedPath = (i: number) => (i % 2 ? `/durable/nested/file-${i}` : `/durable/file-${i}`);

/** Start the emulator; resolve once it printed `last`, with everything it printed so far. */
async function runUntil(
  image: string,
  last: string,
): Promise<{ child: Deno.ChildProcess; seen: string[]; stderr: Promise<string> }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: nexaosArgs([
      "run",
      "--disk",
      image,
      "/bin/fs-durable",
      "/durable",
      ...SIZES.map(String),
    ]),
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // Only so that a hung emulator ends the test (with "the program stopped after ...").
    signal: AbortSignal.timeout(120_000),
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const seen: string[] = [];
  let pending = "";
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  while (!seen.includes(last)) {
    const { value, done } = await reader.read();
    if (done) {
      await child.status;
      throw new Error(`the program stopped after ${seen.at(-1) ?? "nothing"}: ${await stderr}`);
    }
    pending += value;
    const lines = pending.split("\n");
    pending = lines.pop()!;
    seen.push(...lines);
  }
  reader.releaseLock();
  return { child, seen, stderr };
}

/** e2fsck's "Block/Inode bitmap differences: +(a--b) -c ..." as numbers, per kind. */
function bitmapDifferences(output: string, kind: "Block" | "Inode"): Set<number> {
  const found = new Set<number>();
  const line = output.split("\n").find((l) => l.startsWith(`${kind} bitmap differences:`)) ?? "";
  for (const m of line.matchAll(/[+-]\(?(\d+)(?:--(\d+))?\)?/g)) {
    for (let n = Number(m[1]); n <= Number(m[2] ?? m[1]); n++) found.add(n);
  }
  return found;
}

/**
 * Run fs-durable until it prints `last`, SIGKILL the emulator, and check every synced file with
 * debugfs and e2fsck. Returns e2fsck's exit status.
 */
async function killAndCheck(last: string): Promise<number> {
  const base = await Deno.makeTempDir({ prefix: "durability-" });
  try {
    await Deno.mkdir(join(base, "src/bin"), { recursive: true });
    await Deno.copyFile(PROGRAM, join(base, "src/bin/fs-durable"));
    const image = join(base, "disk.img");
    await makeImage(join(base, "src"), image, "64M", 1024);

    const { child, seen, stderr } = await runUntil(image, last);
    child.kill("SIGKILL");
    const status = await child.status;
    await child.stdout.cancel().catch(() => {});
    await stderr;
    assert.equal(status.signal, "SIGKILL", "the emulator was still running when killed");
    const synced = SIZES.map((_, i) => `synced ${i + 1}`);
    assert.deepEqual(seen.slice(0, SIZES.length), synced);

    const inodes = await imageStats(image, SIZES.map((_, i) => syncedPath(i)));
    for (const [i, size] of SIZES.entries()) {
      const inode = inodes.get(syncedPath(i))!;
      assert.equal(inode.type, "regular", syncedPath(i));
      assert.equal(inode.size, size, `${syncedPath(i)}: size`);
      assert.equal(inode.links, 1, `${syncedPath(i)}: links`);
      const content = await imageCat(image, syncedPath(i));
      const expected = expectedContent(i, size);
      assert.ok(
        content.length === size && content.every((b, k) => b === expected[k]),
        `${syncedPath(i)}: content differs from what was written and fsynced`,
      );
    }
    // The directories list every synced file (their entries were fsynced too).
    const [top, nested] = await debugfsBatch(image, ["ls /durable", "ls /durable/nested"]);
    for (const [i] of SIZES.entries()) {
      assert.match(i % 2 ? nested : top, new RegExp(`\\bfile-${i}\\b`));
    }

    const check = await fsck(image);
    const about = `e2fsck -fn about synced files:\n${check.output}`;
    const inodeNumbers = new Set([...inodes.values()].map((i) => i.ino));
    const complaints = check.output.split("\n").filter((line) => {
      // "Inode 25, i_blocks is 8..." or a directory "... in /durable (12) ...".
      const numbers = [...line.matchAll(/\b[Ii]node (\d+)\b|\((\d+)\)/g)].map((m) =>
        Number(m[1] ?? m[2])
      );
      return numbers.some((n) => inodeNumbers.has(n)) || /'file-\d+'/.test(line);
    });
    assert.deepEqual(complaints, [], about);
    // Their inodes and blocks were marked in the bitmaps when they were synced.
    const blockDiffs = bitmapDifferences(check.output, "Block");
    const inodeDiffs = bitmapDifferences(check.output, "Inode");
    for (const [path, inode] of inodes) {
      assert.ok(
        !inodeDiffs.has(inode.ino),
        `${path}: inode ${inode.ino} not in the bitmap\n${about}`,
      );
      const unmarked = inode.blockList.filter((b) => blockDiffs.has(b));
      assert.deepEqual(unmarked, [], `${path}: blocks not in the bitmap\n${about}`);
    }
    assert.ok(check.code === 0 || check.code === 4, `e2fsck exit ${check.code}:\n${check.output}`);
    return check.code;
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

Deno.test("fsynced files are on the image when the emulator is killed right after", async () => {
  // Nothing but the fsyncs can have written them: the block cache holds far more than this.
  const status = await killAndCheck(`synced ${SIZES.length}`);
  assert.equal(status, 0, "the image is not what the last fsync left");
});

Deno.test("fsynced files survive SIGKILL after unsynced churn forced cache write-back", async () => {
  await killAndCheck(`unsynced ${CHURN_ROUNDS}`);
});

Deno.test("SIGTERM to the emulator ends the run with unsynced writes kept and the image clean", async () => {
  const base = await Deno.makeTempDir({ prefix: "durability-" });
  try {
    await Deno.mkdir(join(base, "src/bin"), { recursive: true });
    await Deno.copyFile("/bin/busybox", join(base, "src/bin/busybox"));
    const image = join(base, "disk.img");
    await makeImage(join(base, "src"), image, "16M", 1024);
    // tee writes what it reads to /out.txt (never synced) and echoes it, then waits for more.
    const child = new Deno.Command(Deno.execPath(), {
      args: nexaosArgs(["run", "--disk", image, "/bin/busybox", "tee", "/out.txt"]),
      cwd: ROOT,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(120_000),
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode("kept without fsync\n"));
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let echoed = "";
    while (!echoed.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      echoed += value;
    }
    assert.equal(echoed, "kept without fsync\n");
    child.kill("SIGTERM");
    const status = await child.status;
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await writer.close().catch(() => {});
    // The guest died of the forwarded SIGTERM (128+15) and the kernel unmounted the disk.
    assert.equal(status.code, 143, await stderr);
    const check = await fsck(image);
    assert.equal(check.code, 0, `e2fsck -fn after SIGTERM:\n${check.output}`);
    const content = new TextDecoder().decode(await imageCat(image, "/out.txt"));
    assert.equal(content, "kept without fsync\n");
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
