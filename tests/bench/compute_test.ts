// Tests for the compute benchmark: the harness's parsing, best-of and checksum comparison
// (bench/compute.ts), and the committed guest program bench/compute run natively.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  bestOf,
  checksumMismatches,
  formatTable,
  type KernelTiming,
  parseComputeOutput,
  parseOptions,
} from "../../bench/compute.ts";
import { bufferInput, collectOutput, runProgram } from "../../kernel/run-program.ts";

const BINARY = fileURLToPath(new URL("../../bench/compute", import.meta.url));

async function runNative(args: string[]) {
  const out = await new Deno.Command(BINARY, { args, stdout: "piped", stderr: "piped" }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

const timing = (name: string, ns: number, checksum: string): KernelTiming => ({
  name,
  ns,
  checksum,
});

Deno.test("parseComputeOutput reads name, nanoseconds and checksum per line", () => {
  assert.deepEqual(parseComputeOutput("sieve 123 00000000deadbeef\nnbody 7 0123456789abcdef\n"), [
    timing("sieve", 123, "00000000deadbeef"),
    timing("nbody", 7, "0123456789abcdef"),
  ]);
  assert.throws(() => parseComputeOutput(""), /printed nothing/);
  assert.throws(() => parseComputeOutput("sieve 12 xyz\n"), /unexpected output line/);
});

Deno.test("bestOf keeps each kernel's fastest run and rejects a changed checksum", () => {
  const best = bestOf("native", [
    [timing("sort", 30, "a".repeat(16)), timing("hash", 10, "b".repeat(16))],
    [timing("sort", 20, "a".repeat(16)), timing("hash", 15, "b".repeat(16))],
  ]);
  assert.deepEqual(best.kernels.map((k) => k.ns), [20, 10]);
  assert.throws(
    () =>
      bestOf("qemu", [[timing("sort", 1, "a".repeat(16))], [timing("sort", 1, "c".repeat(16))]]),
    /qemu: sort checksum changed/,
  );
});

Deno.test("checksumMismatches names the kernel and both platforms", () => {
  const native = { label: "native", kernels: [timing("matmul", 1, "1".repeat(16))] };
  const same = { label: "qemu", kernels: [timing("matmul", 5, "1".repeat(16))] };
  const other = { label: "NexaOS", kernels: [timing("matmul", 90, "2".repeat(16))] };
  assert.deepEqual(checksumMismatches(native, [same]), []);
  const problems = checksumMismatches(native, [same, other]);
  assert.equal(problems.length, 1);
  assert.match(problems[0], /^matmul: checksum 2{16} under NexaOS, 1{16} under native$/);
  const table = formatTable(native, [same, other], problems, true).split("\n");
  assert.equal(
    table[0],
    "| kernel | native ms | qemu ms | qemu / native | NexaOS ms | NexaOS / native | checksum |",
  );
  assert.match(
    table[2],
    /\| matmul \| 0\.00 \| 0\.00 \| 5\.0x \| 0\.00 \| 90\.0x \| 1{16} MISMATCH \|/,
  );
});

Deno.test("parseOptions validates its arguments", () => {
  assert.deepEqual(parseOptions([]), {
    runs: 3,
    scale: 1,
    kernels: "all",
    markdown: false,
    qemu: true,
    nexaos: true,
    files: true,
    os: true,
  });
  assert.equal(parseOptions(["--no-files"]).files, false);
  assert.equal(parseOptions(["--no-os"]).os, false);
  assert.equal(parseOptions(["--runs", "5", "--no-qemu"]).runs, 5);
  assert.throws(() => parseOptions(["--runs", "0"]), /--runs/);
  assert.throws(() => parseOptions(["--scale", "-1"]), /--scale/);
  assert.throws(() => parseOptions(["--kernels", "a b"]), /--kernels/);
});

Deno.test("bench/compute runs the selected kernels with deterministic checksums", async () => {
  const args = ["nbody,matmul", "0.01"];
  const first = await runNative(args);
  assert.equal(first.code, 0, first.stderr);
  const kernels = parseComputeOutput(first.stdout);
  assert.deepEqual(kernels.map((k) => k.name), ["matmul", "nbody"]);
  const again = parseComputeOutput((await runNative(args)).stdout);
  assert.deepEqual(again.map((k) => k.checksum), kernels.map((k) => k.checksum));
  const bigger = parseComputeOutput((await runNative(["nbody", "0.02"])).stdout);
  assert.notEqual(bigger[0].checksum, kernels[1].checksum);
});

Deno.test("bench/compute rejects an unknown kernel and a bad scale", async () => {
  const unknown = await runNative(["sieve,nope"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown kernel 'nope'/);
  assert.equal(unknown.stdout, "");
  const scale = await runNative(["all", "fast"]);
  assert.equal(scale.code, 2);
  assert.match(scale.stderr, /SCALE must be a number/);
});

Deno.test("bench/compute under NexaOS prints the native checksums", async () => {
  const args = ["all", "0.01"];
  const native = await runNative(args);
  assert.equal(native.code, 0, native.stderr);
  const out = collectOutput(), err = collectOutput();
  const result = await runProgram({
    image: await Deno.readFile(BINARY),
    exePath: BINARY,
    argv: [BINARY, ...args],
    env: [],
    stdin: bufferInput(new Uint8Array()),
    stdout: out.sink,
    stderr: err.sink,
  });
  assert.equal(result.status, 0, err.text());
  const checksums = (text: string) =>
    parseComputeOutput(text).map((k) => `${k.name} ${k.checksum}`);
  assert.deepEqual(checksums(out.text()), checksums(native.stdout));
  assert.ok(parseComputeOutput(out.text()).every((k) => k.ns > 0), "the guest's clock advances");
});
