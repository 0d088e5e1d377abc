// Runs every case of tests/guest/cases.json that has "fs" under NexaOS once per filesystem it
// lists, in an empty writable working directory, and compares stdout, stderr and the exit status
// with the golden files recorded natively (in a fresh empty folder) by `deno task
// build:userland`:
//   tmpfs  - the in-memory root, the program installed from the host, cwd /tmp;
//   hostfs - `--root DIR` with DIR = {prog, work/}, cwd /work;
//   ext2   - `--disk IMAGE` (mke2fs -d of {prog, work/}) as "/", cwd /work, and afterwards
//            `e2fsck -fn IMAGE` must find the filesystem clean.

import assert from "node:assert/strict";
import { lineDifferences } from "../lib/line-diff.ts";
import { join } from "node:path";
import {
  bufferInput,
  collectOutput,
  runProgram,
  type RunRequest,
} from "../../kernel/run-program.ts";
import { HostImageDevice } from "../../kernel/host/image-file.ts";
import {
  argvOf,
  BIN_DIR,
  type FsKind,
  GOLDEN_DIR,
  goldenNames,
  type GuestCase,
  loadCases,
  stdinOf,
} from "./cases.ts";

const IMAGE_SIZE = "32M";
/** Each program needs a few million instructions; a guest stuck in a loop is killed (SIGXCPU). */
const INSTRUCTION_LIMIT = 300_000_000;
const SHOWN_DIFFERENCES = 40;

interface Outcome {
  status: number;
  signal: number | null;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

async function runWith(guestCase: GuestCase, request: Partial<RunRequest>): Promise<Outcome> {
  const stdout = collectOutput();
  const stderr = collectOutput();
  const result = await runProgram({
    exePath: "/prog",
    argv: argvOf(guestCase),
    env: guestCase.env,
    stdin: bufferInput(await stdinOf(guestCase)),
    stdout: stdout.sink,
    stderr: stderr.sink,
    instructionLimit: INSTRUCTION_LIMIT,
    ...request,
  });
  return {
    status: result.status,
    signal: result.signal,
    stdout: stdout.bytes(),
    stderr: stderr.bytes(),
  };
}

/** A host folder holding the program as /prog and an empty /work. */
async function guestTree(guestCase: GuestCase): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "nexaos-fs-golden-" });
  await Deno.copyFile(join(BIN_DIR, guestCase.program), join(dir, "prog"));
  await Deno.chmod(join(dir, "prog"), 0o755);
  await Deno.mkdir(join(dir, "work"));
  return dir;
}

async function command(name: string, args: string[]): Promise<{ code: number; output: string }> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(name, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(`${name} is not installed (apt-get install e2fsprogs)`);
  }
  const decoder = new TextDecoder();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

async function runOnTmpfs(guestCase: GuestCase): Promise<Outcome> {
  const exePath = join(BIN_DIR, guestCase.program);
  return await runWith(guestCase, { image: await Deno.readFile(exePath), exePath, cwd: "/tmp" });
}

async function runOnHostfs(guestCase: GuestCase): Promise<Outcome> {
  const root = await guestTree(guestCase);
  try {
    return await runWith(guestCase, {
      files: { rootDir: { path: root, readOnly: false } },
      cwd: "/work",
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function runOnExt2(guestCase: GuestCase): Promise<Outcome> {
  const source = await guestTree(guestCase);
  const scratch = await Deno.makeTempDir({ prefix: "nexaos-fs-golden-img-" });
  const image = join(scratch, "root.ext2");
  try {
    const made = await command("mke2fs", [
      "-q",
      "-t",
      "ext2",
      "-b",
      "1024",
      "-I",
      "256",
      "-d",
      source,
      "-F",
      image,
      IMAGE_SIZE,
    ]);
    assert.equal(made.code, 0, `mke2fs failed:\n${made.output}`);
    const outcome = await runWith(guestCase, {
      files: {
        disks: [{ image, mountPoint: "/", readOnly: false }],
        openDisk: (disk) => new HostImageDevice(disk.image, disk.readOnly),
      },
      cwd: "/work",
    });
    const checked = await command("e2fsck", ["-fn", image]);
    assert.equal(
      checked.code,
      0,
      `e2fsck -fn finds the image unclean after ${guestCase.name} (exit ${checked.code}):\n` +
        checked.output,
    );
    return outcome;
  } finally {
    await Deno.remove(source, { recursive: true });
    await Deno.remove(scratch, { recursive: true });
  }
}

const RUNNERS: Record<FsKind, (guestCase: GuestCase) => Promise<Outcome>> = {
  tmpfs: runOnTmpfs,
  hostfs: runOnHostfs,
  ext2: runOnExt2,
};

function lines(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes);
  const split = text.split("\n");
  if (split.at(-1) === "") split.pop();
  return split;
}

function describe(stream: string, expected: Uint8Array, actual: Uint8Array): string | null {
  const want = lines(expected);
  const got = lines(actual);
  const same = want.length === got.length && want.every((line, k) => line === got[k]);
  if (same && expected.length === actual.length) return null;
  const differences = lineDifferences(want, got, SHOWN_DIFFERENCES);
  return `${stream} differs (expected ${want.length} lines, got ${got.length}):\n    ` +
    (differences.length ? differences.join("\n    ") : "(only the final newline differs)");
}

const cases = (await loadCases()).filter((guestCase) => guestCase.fs !== undefined);

for (const guestCase of cases) {
  for (const kind of guestCase.fs ?? []) {
    Deno.test(`guest fs program: ${guestCase.name} on ${kind}`, async () => {
      const names = goldenNames(guestCase.name);
      const expectedStdout = await Deno.readFile(join(GOLDEN_DIR, names.stdout));
      const expectedStderr = await Deno.readFile(join(GOLDEN_DIR, names.stderr));
      const expectedStatus = Number(
        (await Deno.readTextFile(join(GOLDEN_DIR, names.status))).trim(),
      );
      const outcome = await RUNNERS[kind](guestCase);
      const problems = [
        outcome.status === expectedStatus
          ? null
          : `status: expected ${expectedStatus}, got ${outcome.status}` +
            (outcome.signal === null ? "" : ` (killed by signal ${outcome.signal})`),
        describe("stdout", expectedStdout, outcome.stdout),
        describe("stderr", expectedStderr, outcome.stderr),
      ].filter((problem) => problem !== null);
      if (problems.length) assert.fail(`${guestCase.name} on ${kind}:\n  ${problems.join("\n  ")}`);
    });
  }
}

Deno.test("fs golden diff lists the lines only one side has", () => {
  assert.deepEqual(lineDifferences(["a", "b", "c"], ["a", "b", "c"], 10), []);
  assert.deepEqual(lineDifferences(["a", "b", "c"], ["a", "x", "c"], 10), [
    '- line 2: "b"',
    '+ "x"',
  ]);
  assert.deepEqual(lineDifferences(["a", "c"], ["a", "b", "c"], 10), ['+ "b"']);
  assert.deepEqual(lineDifferences(["a", "b", "c"], ["a"], 10), [
    '- line 2: "b"',
    '- line 3: "c"',
  ]);
  assert.deepEqual(lineDifferences(["1", "2", "3"], ["x", "y", "z"], 2).length, 2);
});
