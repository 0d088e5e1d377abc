// Robust mutexes against Linux itself: programs/robust-mutex.c lets a thread end while holding
// a robust pthread mutex (before and while the main thread waits for it); the next locker must
// get EOWNERDEAD and recover it. glibc depends on the kernel's robust-list walk at thread exit
// for this, musl recovers in pthread_exit itself; both must print what they print natively.

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

const SOURCE = fileURLToPath(new URL("./programs/robust-mutex.c", import.meta.url));

for (const kind of ["musl-static", "glibc-static-pie"] as BuildKind[]) {
  Deno.test({
    name: `robust mutex (${kind}): EOWNERDEAD after the owner thread ends, as on Linux`,
    ignore: !canBuild(kind),
    async fn() {
      await withTempDir(async (dir) => {
        const exe = await buildProgram(kind, SOURCE, dir);
        const native = await run(exe, []);
        assert.equal(native.code, 0, native.stderr);
        assert.match(native.stdout, /waiting when the owner ends: EOWNERDEAD/);
        // A waiter nobody wakes would wait forever: end the run instead (the test then fails).
        const ours = await runUnderNexaos(exe, [], { signal: AbortSignal.timeout(60_000) });
        assert.equal(ours.stderr, "");
        assert.equal(ours.status, 0);
        assert.equal(ours.stdout, native.stdout);
      });
    },
  });
}
