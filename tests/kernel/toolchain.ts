// Host toolchain helpers for the kernel tests: find musl-gcc/gcc, build small static programs
// (musl -static, musl static-PIE, glibc static-PIE) into a temporary directory, run programs
// natively and under NexaOS.
// Tests use the `has*` flags with Deno.test's `ignore` so they skip where a tool is missing.

import { dirname, join } from "@std/path";
import { collectOutput, runProgram, type RunRequest } from "../../kernel/run-program.ts";

export function findOnPath(name: string): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    try {
      if (Deno.statSync(join(dir, name)).isFile) return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return null;
}

export const MUSL_GCC = findOnPath("musl-gcc");
export const GCC = findOnPath("gcc");
export const READELF = findOnPath("readelf");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; clearEnv?: boolean } = {},
): Promise<RunResult> {
  const out = await new Deno.Command(command, {
    args,
    env: options.env,
    clearEnv: options.clearEnv,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}

async function mustRun(command: string, args: string[]): Promise<void> {
  const result = await run(command, args);
  if (result.code !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stderr}`);
  }
}

/**
 * The directory holding musl's crt files, read from the musl-gcc wrapper's -specs file. Debian's
 * `musl-gcc -static-pie` links Scrt1.o with a PT_INTERP (a dynamic PIE), so a real musl static-PIE
 * has to be linked by hand with rcrt1.o from this directory.
 */
function muslLibDir(): string | null {
  if (!MUSL_GCC) return null;
  try {
    const wrapper = Deno.readTextFileSync(MUSL_GCC);
    const specsPath = /-specs\s+"?([^"\s]+)"?/.exec(wrapper)?.[1];
    if (!specsPath) return null;
    const startfile = /(\/\S+)\/Scrt1\.o/.exec(Deno.readTextFileSync(specsPath))?.[1];
    return startfile ?? dirname(specsPath);
  } catch {
    return null;
  }
}

export const MUSL_LIB_DIR = muslLibDir();

/** Run the host program at `path` under NexaOS with `args` (argv[0] is the path). */
export async function runUnderNexaos(
  path: string,
  args: string[],
  options: Partial<RunRequest> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = collectOutput(), err = collectOutput();
  const result = await runProgram({
    image: await Deno.readFile(path),
    exePath: path,
    argv: [path, ...args],
    env: [],
    stdout: out.sink,
    stderr: err.sink,
    ...options,
  });
  return { status: result.status, stdout: out.text(), stderr: err.text() };
}

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "nexaos-kernel-test-" });
  try {
    return await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

export type BuildKind =
  | "musl-static"
  | "musl-static-pie"
  | "musl-gcc-static-pie"
  | "glibc-static-pie";

export function canBuild(kind: BuildKind): boolean {
  if (kind === "glibc-static-pie") return GCC !== null;
  if (kind === "musl-static-pie") return MUSL_LIB_DIR !== null;
  return MUSL_GCC !== null;
}

/** Compiles a C source file into dir and returns the executable's path. */
export async function buildProgram(
  kind: BuildKind,
  sourcePath: string,
  dir: string,
): Promise<string> {
  const output = join(dir, kind);
  if (kind === "musl-static") {
    await mustRun(MUSL_GCC!, ["-static", "-O2", "-o", output, sourcePath]);
  } else if (kind === "musl-gcc-static-pie") {
    await mustRun(MUSL_GCC!, ["-static-pie", "-fPIE", "-O2", "-o", output, sourcePath]);
  } else if (kind === "glibc-static-pie") {
    await mustRun(GCC!, ["-static-pie", "-O2", "-o", output, sourcePath]);
  } else {
    const lib = MUSL_LIB_DIR!;
    const gccFile = async (name: string) =>
      (await run(MUSL_GCC!, [`-print-file-name=${name}`])).stdout.trim();
    await mustRun(MUSL_GCC!, [
      "-fPIE",
      "-O2",
      "-nostartfiles",
      join(lib, "rcrt1.o"),
      join(lib, "crti.o"),
      await gccFile("crtbeginS.o"),
      sourcePath,
      await gccFile("crtendS.o"),
      join(lib, "crtn.o"),
      "-Wl,-static,-pie,--no-dynamic-linker,-z,text",
      "-o",
      output,
    ]);
  }
  return output;
}

/** Writes a tiny C program into dir and returns its path. */
export async function writeHelloSource(dir: string): Promise<string> {
  const path = join(dir, "hello.c");
  await Deno.writeTextFile(
    path,
    '#include <stdio.h>\n__thread int counter = 3;\nint main(void) { printf("hi %d\\n", ' +
      "counter++); return 0; }\n",
  );
  return path;
}
