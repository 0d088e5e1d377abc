// `nexaos image` as a user runs it (main.ts in a subprocess): create from a host tree (checked
// with e2fsck and debugfs), ls, cat, fsck, and one-line errors for bad input.

import { nexaosArgs } from "../lib/nexaos-cli.ts";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Progress } from "../../cli/progress.ts";
import { parseImageSize } from "../../cli/image.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

async function nexaos(args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: nexaosArgs(["image", ...args]),
    cwd: ROOT,
    env: { NO_COLOR: "1", INIT_CWD: ROOT },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: out.code,
    stdout: out.stdout,
    text: new TextDecoder().decode(out.stdout),
    stderr: new TextDecoder().decode(out.stderr),
  };
}

async function run(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
}

function assertOneLineError(r: { code: number; stderr: string }, pattern: RegExp) {
  assert.notEqual(r.code, 0);
  const lines = r.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /^nexaos: /);
  assert.match(lines[0], pattern);
}

Deno.test("image create --from copies a host tree that e2fsck and debugfs accept", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const src = join(tmp, "src");
    Deno.mkdirSync(join(src, "etc/deep/er"), { recursive: true });
    const binary = new Uint8Array(300_000).map((_, i) => (i * 7919) >> 3);
    Deno.writeFileSync(join(src, "etc/blob"), binary);
    Deno.writeFileSync(join(src, "etc/deep/er/note"), new TextEncoder().encode("deep\n"));
    const sparse = Deno.openSync(join(src, "sparse"), { write: true, create: true });
    sparse.seekSync(5 * 1024 * 1024, Deno.SeekMode.Start);
    sparse.writeSync(new TextEncoder().encode("tail"));
    sparse.close();
    Deno.symlinkSync("etc/blob", join(src, "link"));
    Deno.linkSync(join(src, "etc/blob"), join(src, "blob-again"));
    Deno.chmodSync(join(src, "etc/deep/er/note"), 0o640);
    Deno.chownSync(join(src, "etc/deep/er/note"), 1234, 567);
    Deno.utimeSync(join(src, "etc/deep/er/note"), 1_600_000_000, 1_500_000_000);
    assert.equal((await run("mkfifo", [join(src, "pipe")])).code, 0);
    const img = join(tmp, "out.ext2");

    const r = await nexaos(["create", "--size", "16M", "--from", src, img]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "", "no progress bar when stderr is not a terminal");
    const fsck = await run("e2fsck", ["-fn", img]);
    assert.equal(fsck.code, 0, fsck.stdout);

    const dump = join(tmp, "dump");
    Deno.mkdirSync(dump);
    assert.equal((await run("debugfs", ["-R", `rdump /etc ${dump}`, img])).code, 0);
    assert.ok(Buffer.compare(Deno.readFileSync(join(dump, "etc/blob")), binary) === 0);
    const note = (await run("debugfs", ["-R", "stat /etc/deep/er/note", img])).stdout;
    assert.match(note, /User:\s+1234\s+Group:\s+567/);
    assert.match(note, /Mode:\s+0640/);
    assert.match(note, /mtime: 0x59682f00/);
    const blob = (await run("debugfs", ["-R", "stat /blob-again", img])).stdout;
    assert.match(blob, /Links: 2/);
    const sparseStat = (await run("debugfs", ["-R", "stat /sparse", img])).stdout;
    assert.match(sparseStat, /Size: 5242884\b/);
    assert.match(sparseStat, /Blockcount: [2-8]\b/, "the hole was not written out");
    assert.match((await run("debugfs", ["-R", "stat /pipe", img])).stdout, /Type: FIFO/);

    const ls = await nexaos(["ls", img]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.equal(ls.text, "blob-again\netc\nlink\nlost+found\npipe\nsparse\n");
    const long = await nexaos(["ls", "-l", img, "/"]);
    assert.match(long.text, /^lrwxrwxrwx 1 +\d+ +\d+ +8 [\d-]+ [\d:]+ link -> etc\/blob$/m);
    assert.match(long.text, /^prw-r--r-- 1 .* pipe$/m);
    const one = await nexaos(["ls", "-l", img, "etc/deep/er/note"]);
    assert.equal(one.text, "-rw-r----- 1 1234 567 5 2017-07-14 02:40 etc/deep/er/note\n");

    const cat = await nexaos(["cat", img, "/link"]);
    assert.equal(cat.code, 0, cat.stderr);
    assert.ok(Buffer.compare(cat.stdout, binary) === 0, "cat follows the symlink, bytes intact");

    const check = await nexaos(["fsck", img]);
    assert.equal(check.code, 0, check.text);
    assert.match(check.text, /clean, \d+\/\d+ files, \d+\/\d+ blocks/);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("image fsck reports damage one problem per line, like e2fsck", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const img = join(tmp, "img");
    assert.equal((await nexaos(["create", "--size", "2M", img])).code, 0);
    const bytes = Deno.readFileSync(img);
    const dv = new DataView(bytes.buffer);
    dv.setUint16(2048 + 12, dv.getUint16(2048 + 12, true) - 3, true);
    Deno.writeFileSync(img, bytes);
    const ours = await nexaos(["fsck", img]);
    assert.equal(ours.code, 1);
    assert.equal(
      ours.text,
      `group 0: free blocks count is ${dv.getUint16(2048 + 12, true)}, counted ${
        dv.getUint16(2048 + 12, true) + 3
      }\n`,
    );
    assert.notEqual((await run("e2fsck", ["-fn", img])).code, 0);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("image: bad input is one nexaos: line and a failing exit", async () => {
  const tmp = await Deno.makeTempDir();
  try {
    const missing = join(tmp, "missing.ext2");
    assertOneLineError(await nexaos(["ls", missing]), /missing\.ext2: No such file or directory$/);
    const zeros = join(tmp, "zeros");
    Deno.writeFileSync(zeros, new Uint8Array(65536));
    assertOneLineError(await nexaos(["cat", zeros, "/x"]), /zeros: not an ext2 filesystem/);
    assertOneLineError(await nexaos(["fsck", zeros]), /not an ext2 filesystem/);
    const img = join(tmp, "img");
    assertOneLineError(await nexaos(["create", "--size", "12Q", img]), /not a size like 64M/);
    assertOneLineError(await nexaos(["create", "--size", "1K", img]), /between 64K and 16T/);
    assertOneLineError(
      await nexaos(["create", "--size", "1M", "--from", join(tmp, "nope"), img]),
      /nope: No such file or directory/,
    );
    assert.equal((await nexaos(["create", "--size", "1M", img])).code, 0);
    assertOneLineError(await nexaos(["create", "--size", "1M", img]), /already exists/);
    assertOneLineError(
      await nexaos(["cat", img, "/nope/x"]),
      /\/nope\/x: No such file or directory/,
    );
    assertOneLineError(await nexaos(["cat", img, "lost+found"]), /Is a directory/);
    const full = join(tmp, "full");
    Deno.mkdirSync(join(tmp, "big"));
    Deno.writeFileSync(join(tmp, "big/f"), new Uint8Array(2 * 1024 * 1024).fill(1));
    assertOneLineError(
      await nexaos(["create", "--size", "1M", "--from", join(tmp, "big"), full]),
      /image is full .*larger --size/,
    );
    assert.throws(
      () => Deno.statSync(full),
      Deno.errors.NotFound,
      "a failed create leaves no image",
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("image: sizes and the progress line", () => {
  assert.equal(parseImageSize("64M"), 64 * 1024 * 1024);
  assert.equal(parseImageSize("1g"), 1024 ** 3);
  assert.equal(parseImageSize("65536"), 65536);
  assert.throws(() => parseImageSize("1.5G"));
  const progress = new Progress("out.ext2", 4 * 1024 * 1024, 10, false);
  progress.advance(1024 * 1024, 3);
  assert.equal(
    progress.line(),
    `out.ext2 [${"#".repeat(8)}${".".repeat(22)}] 25% 1.0/4.0 MiB, 3/10 files`,
  );
});
