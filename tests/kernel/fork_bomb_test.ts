// A guest that forks without end must cost the guest only: fork fails with ENOMEM (or EAGAIN)
// once guest RAM is gone, the OOM killer logs and kills, and the embedder can stop the machine
// at any time; the emulator itself never crashes or hangs.

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { collectOutput, runProgram } from "../../kernel/run-program.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BOMB = join(ROOT, "tests/guest/bin/fork-bomb");
const MEMORY = 24 * 1024 * 1024;

Deno.test("fork bomb: fork fails with ENOMEM when guest memory runs out", async () => {
  const stdout = collectOutput();
  const log: string[] = [];
  const result = await runProgram({
    image: await Deno.readFile(BOMB),
    exePath: BOMB,
    argv: ["fork-bomb", "count"],
    env: [],
    memoryBytes: MEMORY,
    stdout: stdout.sink,
    log: (line) => log.push(line),
  });
  assert.equal(result.exitCode, 0);
  assert.match(
    new TextDecoder().decode(stdout.bytes()),
    /^fork failed: (Out of memory|Resource temporarily unavailable)\n$/,
  );
});

Deno.test("fork bomb: the OOM killer keeps the machine alive until it is stopped", async () => {
  const log: string[] = [];
  const controller = new AbortController();
  // Stop once the OOM killer has had to act a few times (or after a while regardless).
  const timer = setTimeout(() => controller.abort(), 20_000);
  const result = await runProgram({
    image: await Deno.readFile(BOMB),
    exePath: BOMB,
    argv: ["fork-bomb"],
    env: [],
    memoryBytes: MEMORY,
    signal: controller.signal,
    log: (line) => {
      log.push(line);
      if (log.length >= 20) controller.abort();
    },
  });
  clearTimeout(timer);
  assert.equal(result.signal, 9, "stopped from outside with SIGKILL");
  assert.ok(log.length >= 20, `the OOM killer acted (${log.length} lines)`);
  for (const line of log) {
    assert.match(
      line,
      /^nexaos: Out of memory: Killed process \d+ \(fork-bomb\) total-vm:\d+kB, anon-rss:\d+kB, UID:0$/,
    );
  }
});
