// `--root DIR` confinement end to end: the guest program fs-escape (userland/tests/fs-escape.c)
// tries every way out of DIR a process can ask for, through `deno task run --root`, and a host
// thread swaps DIR/sub between a directory and symlinks to the outside while the guest reads and
// writes through it. Nothing outside DIR may be read or written: a planted secret next to DIR
// must never be printed and must keep its content, its mtime and its directory's listing.
//
// The expected probe results are what the same program prints natively in `chroot DIR` with
// /proc mounted (checked on Linux 6.x), except the two chroot escapes: Linux lets a process
// whose cwd lies outside its new root climb out with "..", but DIR is NexaOS's namespace root,
// so there the climb ends at DIR.

import { nexaosArgs } from "../lib/nexaos-cli.ts";
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bufferInput, collectOutput, runProgram } from "../../kernel/run-program.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PROGRAM = join(ROOT, "tests/guest/bin/fs-escape");
const SECRET = `SECRET-${crypto.randomUUID()}\n`;
const RACE_ROUNDS = 1500;
/** Only so that a hung emulator ends the test; the probes take about a second. */
const SAFETY_TIMEOUT_MS = 120_000;

const EXPECTED_PROBES = [
  "open-dotdot-passwd: read inside passwd",
  "open-dotdot-secret: ENOENT",
  "open-dotdot-slash-secret: ENOENT",
  "chdir-dotdot-50: cwd /",
  "list-after-dotdot: list abs-passwd abs-secret bin etc hostabs outdir proc rel-secret sub tmp",
  "list-root-dotdot: list abs-passwd abs-secret bin etc hostabs outdir proc rel-secret sub tmp",
  "open-abs-passwd-link: read inside passwd",
  "open-abs-secret-link: ENOENT",
  "open-rel-secret-link: ENOENT",
  "open-deep-secret-link: ENOENT",
  "open-outdir-secret: ENOENT",
  "list-outdir: ENOENT",
  "open-hostabs-link: ENOENT",
  "open-host-path: ENOENT",
  "symlink-climbing: ok",
  "open-made-climb: ENOENT",
  "symlink-host-path: ok",
  "open-made-host: ENOENT",
  "link-dotdot-secret: ENOENT",
  "link-follow-rel-secret: ENOENT",
  "link-host-path: ENOENT",
  "link-outdir-secret: ENOENT",
  "create-dotdot-outside: ENOENT",
  "create-through-rel-secret: ENOENT",
  "create-in-outdir: ENOENT",
  "symlink-dangling-inside: ok",
  "create-through-dangling: ok",
  "open-made-via-link: read via link",
  "mkdir-dotdot: ok",
  "rename-dotdot: ok",
  "open-moved: read moved inside",
  "rename-loop: 20 inside reads, 0 escapes",
  "openat2-in-root-dotdot: ENOENT",
  "openat2-in-root-absolute: ENOENT",
  "openat2-in-root-file: read inside sub file",
  "openat2-in-root-deep-link: ENOENT",
  "openat2-beneath-dotdot: EXDEV",
  "openat2-beneath-deep-link: EXDEV",
  "openat2-beneath-root-dotdot: EXDEV",
  "openat2-beneath-file: read inside sub file",
  "openat2-beneath-create-dotdot: EXDEV",
  "openat2-beneath-create-absolute: EXDEV",
  "openat2-in-root-create-dotdot: ok",
  "openat2-in-root-create-absolute: ok",
  "symlink-climbing-in-sub: ok",
  "openat2-in-root-create-link: ok",
  "openat2-beneath-create-link: EXDEV",
  "list-sub-after-openat2: list climb-create deep-secret file made-in-root made-in-root-abs made-through-link",
  "list-root-after-openat2: list abs-passwd abs-secret bin etc hostabs made-climb made-dir made-host mk moved outdir proc rel-secret sub tmp",
  "readlink-proc-root: /",
  "open-proc-root-passwd: read inside passwd",
  "open-proc-root-dotdot-secret: ENOENT",
  "list-proc-root-dotdot: list abs-passwd abs-secret bin etc hostabs made-climb made-dir made-host mk moved outdir proc rel-secret sub tmp",
  "open-proc-cwd-dotdot-secret: ENOENT",
  "mkdir-jail: ok",
  "chroot-jail: ok",
  "chroot-dot: ok",
  "cwd-after-chroot-escape: cwd /",
  "list-after-chroot-escape: list abs-passwd abs-secret bin etc hostabs jail made-climb made-dir made-host mk moved outdir proc rel-secret sub tmp",
  "open-after-chroot-escape: read inside passwd",
  "open-secret-after-chroot-escape: ENOENT",
  "mkdir-jail2: ok",
  "chroot-jail2: ok",
  "chdir-jail2-root: ok",
  "fchdir-saved: ok",
  "chroot-fchdir-dot: ok",
  "list-after-fchdir-escape: list abs-passwd abs-secret bin etc hostabs jail jail2 made-climb made-dir made-host mk moved outdir proc rel-secret sub tmp",
  "open-secret-after-fchdir-escape: ENOENT",
];

interface Layout {
  base: string;
  dir: string;
  outside: string;
  secret: string;
}

/** base/root (the guest's /) and base/outside/secret, with links planted inside the root. */
async function makeLayout(): Promise<Layout> {
  const base = await Deno.makeTempDir({ prefix: "confinement-" });
  const dir = join(base, "root"), outside = join(base, "outside");
  for (const d of ["etc", "proc", "tmp", "sub", "bin"]) {
    await Deno.mkdir(join(dir, d), { recursive: true });
  }
  await Deno.mkdir(outside);
  const secret = join(outside, "secret");
  await Deno.writeTextFile(secret, SECRET);
  await Deno.utime(secret, 1_000_000_000, 1_000_000_000);
  await Deno.writeTextFile(join(dir, "etc/passwd"), "inside passwd\n");
  await Deno.writeTextFile(join(dir, "sub/file"), "inside sub file\n");
  await Deno.copyFile(PROGRAM, join(dir, "bin/fs-escape"));
  await Deno.symlink("/etc/passwd", join(dir, "abs-passwd"));
  await Deno.symlink("/../outside/secret", join(dir, "abs-secret"));
  await Deno.symlink("../outside/secret", join(dir, "rel-secret"));
  await Deno.symlink("../../../../outside/secret", join(dir, "sub/deep-secret"));
  await Deno.symlink("../outside", join(dir, "outdir"));
  await Deno.symlink(secret, join(dir, "hostabs"));
  return { base, dir, outside, secret };
}

/** What must hold outside DIR after any guest run. */
function assertOutsideUntouched(layout: Layout, output: string): void {
  assert.ok(!output.includes(SECRET.trim()), "the guest printed the secret");
  const hostPasswd = Deno.readTextFileSync("/etc/passwd").split("\n")[0];
  assert.ok(!output.includes(hostPasswd), "the guest printed the host's /etc/passwd");
  assert.equal(Deno.readTextFileSync(layout.secret), SECRET);
  assert.equal(Deno.statSync(layout.secret).mtime?.getTime(), 1_000_000_000_000);
  assert.deepEqual([...Deno.readDirSync(layout.outside)].map((e) => e.name), ["secret"]);
  assert.deepEqual([...Deno.readDirSync(layout.base)].map((e) => e.name).sort(), [
    "outside",
    "root",
  ]);
}

const hostRootNames = () => [...Deno.readDirSync("/")].map((e) => e.name).sort();

Deno.test("deno task run --root: no probe reaches outside the root", async () => {
  const layout = await makeLayout();
  const namesBefore = hostRootNames();
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: nexaosArgs([
        "run",
        "--root",
        layout.dir,
        "/bin/fs-escape",
        "probe",
        layout.secret,
      ]),
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(SAFETY_TIMEOUT_MS),
    }).output();
    const stdout = new TextDecoder().decode(out.stdout);
    const stderr = new TextDecoder().decode(out.stderr);
    assertOutsideUntouched(layout, stdout + stderr);
    const appeared = hostRootNames().filter((n) => !namesBefore.includes(n));
    for (const name of ["jail", "jail2", "made-dir", "moved", "made-climb", "mk", "hl-dotdot"]) {
      assert.ok(!appeared.includes(name), `the guest created /${name} in the host's /`);
    }
    assert.equal(stderr, "");
    assert.equal(out.code, 0);
    assert.deepEqual(stdout.split("\n").filter((l) => l !== ""), EXPECTED_PROBES);
    // What the guest made through "..", links and renames landed inside the root.
    for (const made of ["made-dir", "moved", "tmp/made-via-link", "jail", "jail2"]) {
      assert.ok(Deno.lstatSync(join(layout.dir, made)), `${made} is inside the root`);
    }
    for (const made of ["made-in-root", "made-in-root-abs", "made-through-link"]) {
      assert.ok(Deno.lstatSync(join(layout.dir, "sub", made)), `sub/${made} is inside sub`);
    }
  } finally {
    await Deno.remove(layout.base, { recursive: true });
  }
});

/**
 * A host thread that renames DIR/sub away and puts a symlink to the outside in its place
 * (relative "../outside", then the absolute host path), and back, until told to stop.
 */
const SWAPPER = `
self.onmessage = (event) => {
  const { dir, outside, stop } = event.data;
  const flag = new Int32Array(stop);
  Deno.symlinkSync("../outside", dir + "/sub-rel");
  Deno.symlinkSync(outside, dir + "/sub-abs");
  let swaps = 0;
  while (Atomics.load(flag, 0) === 0) {
    const link = swaps % 2 ? "/sub-abs" : "/sub-rel";
    Deno.renameSync(dir + "/sub", dir + "/sub-real");
    Deno.renameSync(dir + link, dir + "/sub");
    Deno.renameSync(dir + "/sub", dir + link);
    Deno.renameSync(dir + "/sub-real", dir + "/sub");
    swaps++;
  }
  self.postMessage(swaps);
};
`;

Deno.test("--root: a host swapping a directory for symlinks to the outside", async () => {
  const layout = await makeLayout();
  const stop = new SharedArrayBuffer(4);
  const url = URL.createObjectURL(new Blob([SWAPPER], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  const swapped = new Promise<number>((resolve, reject) => {
    worker.onmessage = (e) => resolve(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(`swapper: ${e.message}`));
    };
  });
  try {
    worker.postMessage({ dir: layout.dir, outside: layout.outside, stop });
    const stdout = collectOutput(), stderr = collectOutput();
    const result = await runProgram({
      exePath: "/bin/fs-escape",
      argv: ["fs-escape", "race", String(RACE_ROUNDS)],
      env: [],
      files: { rootDir: { path: layout.dir, readOnly: false } },
      stdin: bufferInput(new Uint8Array()),
      stdout: stdout.sink,
      stderr: stderr.sink,
    });
    Atomics.store(new Int32Array(stop), 0, 1);
    const swaps = await swapped;
    assertOutsideUntouched(layout, stdout.text() + stderr.text());
    assert.equal(result.status, 0, stderr.text());
    assert.equal(stdout.text(), `race: ${RACE_ROUNDS} rounds\n`);
    const counts = stderr.text().match(/^race: (\d+) reads, (\d+) writes, (\d+) misses\n$/);
    assert.ok(counts, stderr.text());
    const [reads, writes] = [Number(counts[1]), Number(counts[2])];
    assert.ok(swaps > 0, "the host never swapped the directory");
    assert.ok(reads + writes > 0, `the guest never got through: ${stderr.text()}`);
    // Every append the guest made landed in the real sub directory.
    const wrote = writes === 0 ? 0 : Deno.lstatSync(join(layout.dir, "sub/guest-wrote")).size;
    assert.equal(wrote, writes);
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
    await swapped.catch(() => 0);
    worker.terminate();
    URL.revokeObjectURL(url);
    await Deno.remove(layout.base, { recursive: true });
  }
});
