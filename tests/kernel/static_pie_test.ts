// Static-PIE programs (ET_DYN without PT_INTERP), musl's and glibc's, run under NexaOS with the
// same output as natively, and are loaded at a different random base on each run. Built on the
// fly; skipped where the compiler is missing.

import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type BuildKind,
  buildProgram,
  canBuild,
  run,
  runUnderNexaos,
  withTempDir,
} from "./toolchain.ts";

const SOURCE = `#include <stdio.h>
#include <stdint.h>
static int data = 41;
int main(int argc, char **argv) {
  printf("data %d argc %d\\n", ++data, argc);
  fprintf(stderr, "main at %#lx\\n", (unsigned long)(uintptr_t)&main);
  return 7;
}
`;

for (const kind of ["musl-static-pie", "glibc-static-pie"] as BuildKind[]) {
  Deno.test({
    name: `static-PIE (${kind}): same output as native, a new base each run`,
    ignore: !canBuild(kind),
    async fn() {
      await withTempDir(async (dir) => {
        const source = join(dir, "pie.c");
        await Deno.writeTextFile(source, SOURCE);
        const exe = await buildProgram(kind, source, dir);
        const native = await run(exe, ["x"]);
        const bases = new Set<string>();
        for (let i = 0; i < 3; i++) {
          const ours = await runUnderNexaos(exe, ["x"]);
          assert.equal(ours.status, 7);
          assert.equal(ours.stdout, native.stdout);
          const at = /main at (0x[0-9a-f]+)/.exec(ours.stderr);
          assert.ok(at, ours.stderr);
          bases.add(at[1]);
        }
        assert.equal(bases.size, 3, `bases ${[...bases].join(" ")}`);
      });
    },
  });
}
