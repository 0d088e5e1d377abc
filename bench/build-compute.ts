// Rebuilds the compute benchmark's guest program (`deno task build:compute`): compiles
// userland/compute/compute.c with `musl-gcc -static -O2` into bench/compute, a static x86-64
// Linux ELF, reproducibly (no build id, source paths relative to the repository), then runs it
// once natively to show it works. `--check` builds into a temporary folder and fails if the
// result differs from the committed bench/compute.

import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SOURCE = "userland/compute/compute.c";
const BINARY = join(ROOT, "bench/compute");

/** The compiler command line; the source path is relative to ROOT, where the compiler runs. */
export function compileArgs(output: string): string[] {
  return [
    "-static",
    "-O2",
    "-Wall",
    "-Wextra",
    "-Wl,--build-id=none",
    `-ffile-prefix-map=${ROOT.replace(/\/$/, "")}=.`,
    SOURCE,
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
    const fresh = join(tmp, "compute");
    await run("musl-gcc", compileArgs(fresh));
    if (check) {
      const built = await Deno.readFile(fresh);
      const committed = await Deno.readFile(BINARY).catch(() => new Uint8Array());
      if (!sameBytes(built, committed)) {
        console.error("bench/compute is out of date: run deno task build:compute");
        Deno.exitCode = 1;
      } else console.log("bench/compute is up to date");
      return;
    }
    await Deno.copyFile(fresh, BINARY);
    await Deno.chmod(BINARY, 0o755);
    console.log(`wrote bench/compute (${(await Deno.stat(BINARY)).size} bytes); a native run:`);
    console.log((await run(BINARY, [])).trimEnd());
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
