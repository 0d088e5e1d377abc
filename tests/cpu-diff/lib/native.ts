// Builds the native harness (gcc, cached in the temp dir by source hash) and runs batches of
// cases through it. A case that kills the harness outright is reported as a crash and the rest
// of the batch continues in a fresh process.

import { type CaseInput, type CaseResult, readResult, serializeCases } from "./protocol.ts";
import { hashBytes } from "./rng.ts";

const SOURCE = new URL("../../../userland/cpudiff/harness.c", import.meta.url);
const BATCH = 4096;

let built: Promise<string> | undefined;

/** Path of the compiled harness, compiling it on first use. */
export function harnessPath(): Promise<string> {
  return built ??= compile();
}

async function compile(): Promise<string> {
  if (Deno.build.os !== "linux" || Deno.build.arch !== "x86_64") {
    throw new Error("cpu-diff: the native harness needs an x86-64 Linux host");
  }
  const source = await Deno.readFile(SOURCE);
  const tag = hashBytes(source).toString(16);
  const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/nexaos-cpudiff`;
  const exe = `${dir}/harness-${tag}`;
  try {
    await Deno.stat(exe);
    return exe;
  } catch {
    // not built yet
  }
  await Deno.mkdir(dir, { recursive: true });
  const tmp = `${exe}.${Deno.pid}`;
  const out = await new Deno.Command("gcc", {
    args: ["-O2", "-fno-stack-protector", "-o", tmp, SOURCE.pathname],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`cpu-diff: gcc failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  await Deno.rename(tmp, exe);
  return exe;
}

/** A case the harness could not finish (it died without reporting). */
export interface Crash {
  crashed: string;
}

async function runProcess(exe: string, input: Uint8Array): Promise<[Uint8Array, string]> {
  const child = new Deno.Command(exe, { stdin: "piped", stdout: "piped", stderr: "piped" })
    .spawn();
  const writer = child.stdin.getWriter();
  const writing = writer.write(input).then(() => writer.close()).catch(() => {});
  const out = await child.output();
  await writing;
  const status = out.success ? "" : `harness exited with code ${out.code}` +
    (out.signal ? ` (signal ${out.signal})` : "");
  return [out.stdout, status + new TextDecoder().decode(out.stderr)];
}

/** Run cases natively; results in order (a Crash where the harness died). */
export async function runNative(cases: CaseInput[]): Promise<(CaseResult | Crash)[]> {
  const exe = await harnessPath();
  const results: (CaseResult | Crash)[] = [];
  let next = 0;
  while (next < cases.length) {
    const batch = cases.slice(next, next + BATCH);
    const [stdout, problem] = await runProcess(exe, serializeCases(batch));
    const dv = new DataView(stdout.buffer, stdout.byteOffset, stdout.byteLength);
    let at = 0;
    let got = 0;
    for (; got < batch.length; got++) {
      const r = readResult(stdout, dv, at);
      if (!r) break;
      results.push(r[0]);
      at = r[1];
    }
    next += got;
    if (got < batch.length) {
      results.push({ crashed: problem.trim() || "harness stopped without a result" });
      next++;
    }
  }
  return results;
}

export function isCrash(r: CaseResult | Crash): r is Crash {
  return (r as Crash).crashed !== undefined;
}
