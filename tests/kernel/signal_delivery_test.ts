// Signal delivery checked against Linux: each C program in userland/signals/ is built static
// with musl-gcc and with gcc (glibc), run natively and under the kernel, and stdout and exit
// status must match. Each libc's run is skipped where its compiler is missing.

import assert from "node:assert/strict";
import { join } from "@std/path";
import { GCC, MUSL_GCC, run, runUnderNexaos } from "./toolchain.ts";

const SOURCES = new URL("../../userland/signals/", import.meta.url).pathname;

interface Case {
  program: string;
  args?: string[];
}

const CASES: Case[] = [
  { program: "segv-longjmp" },
  { program: "skip-fault" },
  { program: "fault-siginfo" },
  { program: "handlers" },
  { program: "altstack" },
  { program: "fpstate" },
  ...[
    "default",
    "ud2",
    "ignored-fault",
    "blocked-fault",
    "fault-in-handler",
    "no-restorer",
    "bad-stack",
    "bad-stack-caught",
    "bad-sigreturn",
  ].map((what) => ({ program: "fatal", args: [what] })),
];

async function build(compiler: string, dir: string, program: string): Promise<string> {
  const output = join(dir, program);
  const result = await run(compiler, [
    "-static",
    "-O2",
    "-o",
    output,
    join(SOURCES, `${program}.c`),
  ]);
  if (result.code !== 0) throw new Error(`building ${program} failed:\n${result.stderr}`);
  return output;
}

function underKernel(path: string, args: string[]) {
  return runUnderNexaos(path, args, { memoryBytes: 64 * 1024 * 1024 });
}

for (const [libc, compiler] of [["musl", MUSL_GCC], ["glibc", GCC]] as const) {
  Deno.test({
    name: `signal delivery: C programs (${libc} static) behave as on Linux`,
    ignore: compiler === null,
    async fn(t) {
      const dir = await Deno.makeTempDir({ prefix: `nexaos-signals-${libc}-` });
      try {
        const built = new Map<string, string>();
        for (const program of new Set(CASES.map((c) => c.program))) {
          built.set(program, await build(compiler!, dir, program));
        }
        for (const { program, args = [] } of CASES) {
          await t.step([program, ...args].join(" "), async () => {
            const path = built.get(program)!;
            const native = await run(path, args, { clearEnv: true });
            const ours = await underKernel(path, args);
            assert.equal(ours.stdout, native.stdout, `stdout; stderr: ${ours.stderr}`);
            assert.equal(ours.status, native.code, "exit status");
          });
        }
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
