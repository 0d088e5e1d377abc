// Runs every case of tests/guest/cases.json under NexaOS (the committed binary in tests/guest/bin,
// same argv, environment and stdin as the native run) and compares stdout, stderr and the exit
// status byte for byte with tests/guest/golden/, which `deno task build:userland` recorded on
// native Linux. Needs no compiler.

import assert from "node:assert/strict";
import { join } from "node:path";
import { bufferInput, collectOutput, runProgram } from "../../kernel/run-program.ts";
import { argvOf, BIN_DIR, GOLDEN_DIR, goldenNames, loadCases, stdinOf } from "./cases.ts";

const SHOWN_LINE_CHARS = 160;

function lineAt(bytes: Uint8Array, start: number): string {
  let end = bytes.indexOf(10, start);
  if (end < 0) end = bytes.length;
  const text = new TextDecoder().decode(bytes.subarray(start, end));
  const shown = text.length > SHOWN_LINE_CHARS ? `${text.slice(0, SHOWN_LINE_CHARS)}…` : text;
  return start >= bytes.length ? "(end of output)" : JSON.stringify(shown);
}

/** Describes where two outputs first differ (line number and both lines), or returns null. */
export function firstDifference(
  stream: string,
  expected: Uint8Array,
  actual: Uint8Array,
): string | null {
  const shorter = Math.min(expected.length, actual.length);
  let at = 0;
  while (at < shorter && expected[at] === actual[at]) at++;
  if (at === shorter && expected.length === actual.length) return null;
  // (lastIndexOf with a negative start would count from the end)
  const lineStart = at === 0 ? 0 : expected.lastIndexOf(10, at - 1) + 1;
  let line = 1;
  for (let k = 0; k < lineStart; k++) if (expected[k] === 10) line++;
  return `${stream} differs at line ${line}, byte ${at} ` +
    `(expected ${expected.length} bytes, got ${actual.length}):\n` +
    `    expected: ${lineAt(expected, lineStart)}\n` +
    `    actual:   ${lineAt(actual, lineStart)}`;
}

// Cases with "fs" run once per filesystem in fs_golden_test.ts.
const cases = (await loadCases()).filter((guestCase) => guestCase.fs === undefined);

for (const guestCase of cases) {
  Deno.test(`guest program: ${guestCase.name}`, async () => {
    const exePath = join(BIN_DIR, guestCase.program);
    const names = goldenNames(guestCase.name);
    const expectedStdout = await Deno.readFile(join(GOLDEN_DIR, names.stdout));
    const expectedStderr = await Deno.readFile(join(GOLDEN_DIR, names.stderr));
    const expectedStatus = Number((await Deno.readTextFile(join(GOLDEN_DIR, names.status))).trim());

    const stdout = collectOutput();
    const stderr = collectOutput();
    const result = await runProgram({
      image: await Deno.readFile(exePath),
      exePath,
      argv: argvOf(guestCase),
      env: guestCase.env,
      stdin: bufferInput(await stdinOf(guestCase)),
      stdout: stdout.sink,
      stderr: stderr.sink,
    });

    const problems = [
      result.status === expectedStatus
        ? null
        : `status: expected ${expectedStatus}, got ${result.status}` +
          (result.signal === null ? "" : ` (killed by signal ${result.signal})`),
      firstDifference("stdout", expectedStdout, stdout.bytes()),
      firstDifference("stderr", expectedStderr, stderr.bytes()),
    ].filter((problem) => problem !== null);
    if (problems.length) assert.fail(`${guestCase.name}:\n  ${problems.join("\n  ")}`);
  });
}

Deno.test("guest golden diff reports the first differing line", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  assert.equal(firstDifference("stdout", encode("a\nb\n"), encode("a\nb\n")), null);
  const changed = firstDifference(
    "stdout",
    encode("one\ntwo\nthree\n"),
    encode("one\ntwo\nthr33\n"),
  );
  assert.match(changed ?? "", /line 3, byte 11/);
  assert.match(changed ?? "", /expected: "three"\n +actual: {3}"thr33"/);
  const fromStart = firstDifference("stdout", encode("abc\n"), encode("xbc\n"));
  assert.match(fromStart ?? "", /line 1, byte 0/);
  const truncated = firstDifference("stderr", encode("x\ny\n"), encode("x\n"));
  assert.match(truncated ?? "", /line 2, byte 2 \(expected 4 bytes, got 2\)/);
  assert.match(truncated ?? "", /actual: {3}\(end of output\)/);
});
