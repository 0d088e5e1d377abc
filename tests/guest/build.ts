// Rebuilds the guest test programs and their golden output (`deno task build:userland`):
// compiles every userland/tests/*.c with `musl-gcc -static` into tests/guest/bin/<name>, runs each
// case of tests/guest/cases.json natively with exactly its argv, environment and stdin, and writes
// tests/guest/golden/<case>.stdout, .stderr and .status (the exit code, or 128 + N when killed by
// signal N, as a shell reports it). Every binary is compiled twice in different folders and every
// case is run twice, so non-reproducible builds and non-deterministic output fail loudly.
// `--check` rebuilds into a temporary folder and fails if any committed file differs.

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  argvOf,
  BIN_DIR,
  GOLDEN_DIR,
  goldenNames,
  GUEST_DIR,
  type GuestCase,
  loadCases,
  stdinOf,
} from "./cases.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const SOURCE_DIR = join(ROOT, "userland/tests");
const COMPILER = "musl-gcc";

/** Flags for every program. The prefix map and missing build id keep the bytes reproducible. */
const BASE_FLAGS = [
  "-static",
  "-O2",
  "-Wall",
  "-Wextra",
  `-ffile-prefix-map=${SOURCE_DIR}=userland/tests`,
  "-Wl,--build-id=none",
];

/** Float reductions vectorise only when reassociation is allowed. */
const VECTOR_FLAGS = ["-O3", "-fassociative-math", "-fno-signed-zeros", "-fno-trapping-math"];

/** Extra flags for some sources, appended after BASE_FLAGS (so -O3 wins over -O2). */
const EXTRA_FLAGS: Record<string, string[]> = { "vector-sse": VECTOR_FLAGS };

/** Further programs built from an existing source with different flags. */
const VARIANTS: Program[] = [
  // SSSE3/SSE4.1/SSE4.2 forms (pshufb, pmulld, pminsd, pblendvb, roundps, ...).
  { name: "vector-sse-v2", source: "vector-sse.c", flags: [...VECTOR_FLAGS, "-march=x86-64-v2"] },
];

const NATIVE_TIMEOUT_MS = 10_000;

interface Program {
  name: string;
  source: string;
  flags: string[];
}

class BuildError extends Error {}

interface Finished {
  code: number;
  stdout: Uint8Array;
  stderr: Uint8Array;
}

const decoder = new TextDecoder();

async function run(command: string, args: string[], cwd?: string): Promise<Finished> {
  try {
    const out = await new Deno.Command(command, { args, cwd, stdout: "piped", stderr: "piped" })
      .output();
    return { code: out.code, stdout: out.stdout, stderr: out.stderr };
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new BuildError(`${command} not found`);
    throw error;
  }
}

async function compilerVersion(): Promise<string> {
  try {
    const out = await run(COMPILER, ["--version"]);
    return decoder.decode(out.stdout).split("\n")[0];
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    throw new BuildError(
      `${COMPILER} not found: install musl-tools (apt-get install musl-tools) to build the ` +
        "guest test programs",
    );
  }
}

async function listPrograms(): Promise<Program[]> {
  const programs: Program[] = [];
  for await (const entry of Deno.readDir(SOURCE_DIR)) {
    if (!entry.isFile || !entry.name.endsWith(".c")) continue;
    const name = entry.name.slice(0, -2);
    programs.push({ name, source: entry.name, flags: EXTRA_FLAGS[name] ?? [] });
  }
  programs.push(...VARIANTS);
  return programs.sort((a, b) => a.name < b.name ? -1 : 1);
}

async function compile(program: Program, output: string, quiet = false): Promise<void> {
  const out = await run(
    COMPILER,
    [...BASE_FLAGS, ...program.flags, program.source, "-o", output],
    SOURCE_DIR,
  );
  const messages = decoder.decode(out.stderr).trim();
  if (out.code !== 0) throw new BuildError(`${COMPILER} failed on ${program.source}:\n${messages}`);
  if (messages && !quiet) console.error(`warnings in ${program.source}:\n${messages}`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, k) => byte === b[k]);
}

/** Compiles every program twice (in two folders) and insists on identical bytes. */
async function buildPrograms(programs: Program[], binDir: string, scratch: string) {
  const againDir = join(scratch, "bin-again");
  await Deno.mkdir(againDir, { recursive: true });
  for (const program of programs) {
    const first = join(binDir, program.name);
    const second = join(againDir, program.name);
    await compile(program, first);
    await compile(program, second, true);
    if (!sameBytes(await Deno.readFile(first), await Deno.readFile(second))) {
      throw new BuildError(`${program.name}: two builds differ; the build is not reproducible`);
    }
  }
}

/** Runs one case natively through exec-exact with exactly its argv, env and stdin. */
async function runNative(
  launcher: string,
  binDir: string,
  workDir: string,
  guestCase: GuestCase,
): Promise<Finished> {
  const argv = argvOf(guestCase);
  const child = new Deno.Command(launcher, {
    args: [join(binDir, guestCase.program), String(argv.length), ...argv, ...guestCase.env],
    cwd: workDir,
    clearEnv: true,
    env: {},
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(NATIVE_TIMEOUT_MS),
  }).spawn();
  const output = child.output();
  const writer = child.stdin.getWriter();
  // A program may exit without reading all of its input; the broken pipe is not an error.
  await writer.write(await stdinOf(guestCase)).catch(() => {});
  await writer.close().catch(() => {});
  const out = await output;
  const stderrText = decoder.decode(out.stderr);
  if (out.signal !== null) {
    throw new BuildError(`case ${guestCase.name}: did not finish within ${NATIVE_TIMEOUT_MS} ms`);
  }
  if ((out.code === 125 || out.code === 127) && stderrText.startsWith("exec-exact:")) {
    throw new BuildError(`case ${guestCase.name}: ${stderrText.trim()}`);
  }
  return { code: out.code, stdout: out.stdout, stderr: out.stderr };
}

/** An fs case (one with "fs") runs in a fresh empty folder of its own, removed afterwards. */
async function runNativeIn(
  launcher: string,
  binDir: string,
  workDir: string,
  guestCase: GuestCase,
): Promise<Finished> {
  if (guestCase.fs === undefined) return await runNative(launcher, binDir, workDir, guestCase);
  const emptyDir = await Deno.makeTempDir({ prefix: "nexaos-fs-case-" });
  try {
    return await runNative(launcher, binDir, emptyDir, guestCase);
  } finally {
    await Deno.remove(emptyDir, { recursive: true });
  }
}

async function writeGolden(
  cases: GuestCase[],
  launcher: string,
  binDir: string,
  goldenDir: string,
  workDir: string,
) {
  for (const guestCase of cases) {
    const first = await runNativeIn(launcher, binDir, workDir, guestCase);
    const second = await runNativeIn(launcher, binDir, workDir, guestCase);
    if (
      first.code !== second.code || !sameBytes(first.stdout, second.stdout) ||
      !sameBytes(first.stderr, second.stderr)
    ) {
      throw new BuildError(`case ${guestCase.name}: two native runs differ; output must be stable`);
    }
    const names = goldenNames(guestCase.name);
    await Deno.writeFile(join(goldenDir, names.stdout), first.stdout);
    await Deno.writeFile(join(goldenDir, names.stderr), first.stderr);
    await Deno.writeTextFile(join(goldenDir, names.status), `${first.code}\n`);
  }
}

async function fileNames(dir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) if (entry.isFile) names.push(entry.name);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return names.sort();
}

/** Lists how `committed` differs from `fresh`, as "folder/name (reason)" strings. */
async function differences(fresh: string, committed: string, label: string): Promise<string[]> {
  const freshNames = await fileNames(fresh);
  const committedNames = new Set(await fileNames(committed));
  const found: string[] = [];
  for (const name of freshNames) {
    if (!committedNames.has(name)) found.push(`${label}/${name} (missing)`);
    else if (
      !sameBytes(await Deno.readFile(join(fresh, name)), await Deno.readFile(join(committed, name)))
    ) found.push(`${label}/${name} (differs)`);
    committedNames.delete(name);
  }
  for (const name of committedNames) found.push(`${label}/${name} (no longer produced)`);
  return found;
}

/** Makes `committed` hold exactly the files of `fresh`. */
async function replaceFolder(fresh: string, committed: string, executable: boolean) {
  await Deno.mkdir(committed, { recursive: true });
  const freshNames = new Set(await fileNames(fresh));
  for (const name of await fileNames(committed)) {
    if (!freshNames.has(name)) await Deno.remove(join(committed, name));
  }
  for (const name of freshNames) {
    await Deno.copyFile(join(fresh, name), join(committed, name));
    await Deno.chmod(join(committed, name), executable ? 0o755 : 0o644);
  }
}

async function main(check: boolean): Promise<number> {
  const version = await compilerVersion();
  const cases = await loadCases();
  const programs = await listPrograms();
  const programNames = new Set(programs.map((program) => program.name));
  for (const guestCase of cases) {
    if (!programNames.has(guestCase.program)) {
      throw new BuildError(
        `case ${guestCase.name}: no program ${guestCase.program} in userland/tests`,
      );
    }
  }

  const scratch = await Deno.makeTempDir({ prefix: "nexaos-guest-" });
  try {
    const binDir = join(scratch, "bin");
    const goldenDir = join(scratch, "golden");
    const workDir = join(scratch, "work");
    for (const dir of [binDir, goldenDir, workDir]) await Deno.mkdir(dir);
    await buildPrograms(programs, binDir, scratch);
    const launcher = join(scratch, "exec-exact");
    const launcherBuild = await run(COMPILER, [
      "-static",
      "-O2",
      join(GUEST_DIR, "exec-exact.c"),
      "-o",
      launcher,
    ]);
    if (launcherBuild.code !== 0) {
      throw new BuildError(`cannot build exec-exact:\n${decoder.decode(launcherBuild.stderr)}`);
    }
    await writeGolden(cases, launcher, binDir, goldenDir, workDir);

    if (check) {
      const stale = [
        ...await differences(binDir, BIN_DIR, "tests/guest/bin"),
        ...await differences(goldenDir, GOLDEN_DIR, "tests/guest/golden"),
      ];
      if (stale.length) {
        console.error(
          `guest test files out of date (built with ${version}):\n  ${stale.join("\n  ")}\n` +
            "run `deno task build:userland` and commit the result",
        );
        return 1;
      }
      console.log(`guest test binaries and golden files are up to date (${cases.length} cases)`);
      return 0;
    }
    await replaceFolder(binDir, BIN_DIR, true);
    await replaceFolder(goldenDir, GOLDEN_DIR, false);
    console.log(
      `wrote ${programs.length} programs to tests/guest/bin and golden output of ` +
        `${cases.length} cases to tests/guest/golden (${version})`,
    );
    return 0;
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

if (import.meta.main) {
  const unknown = Deno.args.filter((arg) => arg !== "--check");
  if (unknown.length) {
    console.error(`build:userland: unknown argument ${unknown[0]} (only --check is accepted)`);
    Deno.exit(2);
  }
  try {
    Deno.exitCode = await main(Deno.args.includes("--check"));
  } catch (error) {
    console.error(`build:userland: ${error instanceof Error ? error.message : error}`);
    Deno.exitCode = 1;
  }
}
