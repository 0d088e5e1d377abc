// Replays the committed host-CPU vectors (tests/cpu-diff/vectors/) against the emulator: every
// table form, every vector, every register, flag, FPU/SSE field and memory byte. Prints one
// summary line (and the first mismatches when there are any). Needs no C compiler.

import assert from "node:assert/strict";
import { replayFiles, vectorFiles } from "./lib/replay.ts";

Deno.test("cpu-diff: the emulator matches the host CPU on every committed vector", async () => {
  const s = await replayFiles(await vectorFiles());
  console.log(`cpu-diff: ${s.forms} forms, ${s.vectors} vectors, ${s.mismatches} mismatches`);
  if (s.mismatches > 0) {
    for (const line of s.lines) console.log(`  ${line}`);
    if (s.lines.length < s.mismatches) {
      console.log(
        `  ... (${s.mismatches - s.lines.length} more; deno task cpu-diff --only <mnem>)`,
      );
    }
  }
  assert.equal(s.mismatches, 0, `${s.mismatches} differential mismatches against the host CPU`);
});
