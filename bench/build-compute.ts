// Rebuilds the benchmarks' guest programs (`deno task build:compute`): compiles
// userland/compute/compute.c, userland/files/files.c and userland/os/os-bench.c with
// `musl-gcc -static -O2` into bench/compute, bench/files and bench/os-bench, static x86-64 Linux
// ELFs, reproducibly (no build id, source paths relative to the repository), then runs each once
// natively to show it works. `--check` builds into a temporary folder and fails if a result
// differs from the committed binary.

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** Each program: its source and binary (relative to ROOT) and the arguments of the sample run. */
const PROGRAMS = [
  { source: "userland/compute/compute.c", binary: "bench/compute", sample: () => [] },
  // A small run in a scratch folder: 4 MiB and 100 files.
  {
    source: "userland/files/files.c",
    binary: "bench/files",
    sample: (tmp: string) => [tmp, "4", "100"],
  },
  // Every item with a 15 ms budget and at most 100 children.
  {
    source: "userland/os/os-bench.c",
    binary: "bench/os-bench",
    sample: () => ["all", "0.05", "100"],
  },
];

/** The compiler command line; the source path is relative to ROOT, where the compiler runs. */
export function compileArgs(source: string, output: string): string[] {
  return [
    "-static",
    "-O2",
    "-Wall",
    "-Wextra",
    "-Wl,--build-id=none",
    `-ffile-prefix-map=${ROOT.replace(/\/$/, "")}=.`,
    source,
    "-o",
    output,
  ];
}

async function run(cmd: string, args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, cwd: ROOT, stdout: "piped", stderr: "piped" })
      .output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(
        `${cmd} not found${cmd === "musl-gcc" ? " (apt-get install musl-tools)" : ""}`,
      );
    }
    throw e;
  }
  const stderr = new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} failed:\n${stderr}`);
  if (stderr) console.error(stderr.trimEnd());
  return new TextDecoder().decode(out.stdout);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, k) => byte === b[k]);
}

async function main(check: boolean) {
  const tmp = await Deno.makeTempDir({ prefix: "nexaos-compute-" });
  try {
    for (const program of PROGRAMS) {
      const binary = join(ROOT, program.binary);
      const fresh = join(tmp, program.binary.replace(/.*\//, ""));
      await run("musl-gcc", compileArgs(program.source, fresh));
      if (check) {
        const built = await Deno.readFile(fresh);
        const committed = await Deno.readFile(binary).catch(() => new Uint8Array());
        if (!sameBytes(built, committed)) {
          console.error(`${program.binary} is out of date: run deno task build:compute`);
          Deno.exitCode = 1;
        } else console.log(`${program.binary} is up to date`);
        continue;
      }
      await Deno.copyFile(fresh, binary);
      await Deno.chmod(binary, 0o755);
      console.log(
        `wrote ${program.binary} (${(await Deno.stat(binary)).size} bytes); a native run:`,
      );
      console.log((await run(binary, program.sample(tmp))).trimEnd());
    }
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

if (import.meta.main) {
  try {
    const unknown = Deno.args.filter((a) => a !== "--check");
    if (unknown.length) {
      throw new Error(`unknown argument ${unknown[0]}; usage: build:compute [--check]`);
    }
    await main(Deno.args.includes("--check"));
  } catch (e) {
    console.error(`build:compute: ${e instanceof Error ? e.message : e}`);
    Deno.exit(1);
  }
}
