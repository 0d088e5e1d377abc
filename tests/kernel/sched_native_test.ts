// The priority, scheduling-policy and resource-usage syscalls against Linux itself: the program
// in programs/sched-check.c (which only ever touches its own process) prints results and errnos,
// built with musl and with glibc; its output under NexaOS must equal the native run's. Skipped
// where a compiler is missing, and when the native run is not root (NexaOS runs it as root).

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  type BuildKind,
  buildProgram,
  canBuild,
  run,
  runUnderNexaos,
  withTempDir,
} from "./toolchain.ts";

const SOURCE = fileURLToPath(new URL("./programs/sched-check.c", import.meta.url));

for (const kind of ["musl-static", "glibc-static-pie"] as BuildKind[]) {
  Deno.test({
    name: `sched-check (${kind}): the same output as on Linux`,
    ignore: !canBuild(kind),
    async fn() {
      await withTempDir(async (dir) => {
        const exe = await buildProgram(kind, SOURCE, dir);
        const native = await run(exe, []);
        assert.equal(native.code, 0, native.stderr);
        if (!native.stdout.startsWith("uid 0\n")) {
          console.log("the native run is not root: its permission answers differ; skipped");
          return;
        }
        const ours = await runUnderNexaos(exe, []);
        assert.equal(ours.stderr, "");
        assert.equal(ours.status, 0);
        assert.equal(ours.stdout, native.stdout);
      });
    },
  });
}
