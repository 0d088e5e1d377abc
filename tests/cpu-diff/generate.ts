// Generates the committed differential-test vectors: every table form's cases run on the host
// CPU through the native harness, outcomes stored per mnemonic in tests/cpu-diff/vectors/.
//
//   deno task gen:cpu-vectors                 regenerate everything (deterministic)
//   deno task gen:cpu-vectors --only adc,sbb  regenerate the files of these mnemonics
//   deno task gen:cpu-vectors --check         regenerate in memory and verify the committed files

import { parseArgs } from "node:util";
import { isCrash, runNative } from "./lib/native.ts";
import { allForms, type FormCases, generateForm, inputHash, selectForms } from "./lib/pipeline.ts";
import type { FormInfo } from "./lib/forms.ts";
import { compareOptions, compareResults } from "./lib/compare.ts";
import type { CaseResult } from "./lib/protocol.ts";
import {
  decodeFile,
  encodeFile,
  encodeOutcome,
  type FormVectors,
  gunzip,
  gzip,
  newWriter,
  OutcomeReader,
  VECTOR_DIR,
  vectorFileName,
} from "./lib/vectors.ts";

/** The recording host's CPU identity: undefined results may legitimately differ elsewhere. */
async function hostIdentity(): Promise<string> {
  // Deno needs --allow-all to read /proc directly; the generator may already run programs.
  const out = await new Deno.Command("cat", { args: ["/proc/cpuinfo"], stdout: "piped" }).output()
    .catch(() => null);
  const info = out ? new TextDecoder().decode(out.stdout) : "";
  const field = (name: string) => info.match(new RegExp(`^${name}\\s*:\\s*(.*)$`, "m"))?.[1] ?? "?";
  return `${field("vendor_id")} family ${field("cpu family")} model ${field("model")} (${
    field("model name")
  })`;
}
const HOST_FILE = new URL("host.txt", VECTOR_DIR);

const { values } = parseArgs({
  args: Deno.args,
  options: {
    only: { type: "string" },
    check: { type: "boolean", default: false },
  },
});

const host = await hostIdentity();
if (values.check) {
  const recordedOn = (await Deno.readTextFile(HOST_FILE).catch(() => "")).trim();
  if (recordedOn !== host) {
    console.log(
      `gen:cpu-vectors: vectors were recorded on ${
        recordedOn || "an unknown host"
      }; this host is ` +
        `${host}. Results Intel leaves undefined may differ between CPU models, so --check ` +
        `compares only on the recording model: not checked here.`,
    );
    Deno.exit(0);
  }
}

const forms = allForms();
const picked = selectForms(forms, values.only?.split(","));
if (picked.length === 0) {
  console.error(`gen:cpu-vectors: no form matches ${values.only}`);
  Deno.exit(2);
}
// A file holds every form of its mnemonic: regenerate whole files.
const files = new Map<string, FormInfo[]>();
for (const f of forms) {
  const name = vectorFileName(f.mnem);
  if (!picked.some((p) => vectorFileName(p.mnem) === name)) continue;
  const list = files.get(name) ?? [];
  list.push(f);
  files.set(name, list);
}

interface Generated {
  fc: FormCases;
  results: (CaseResult | null)[];
}

/** Generate and run natively a group of forms. */
async function runForms(infos: FormInfo[]): Promise<Generated[]> {
  const fcs = infos.map((info) => generateForm(info));
  const inputs = fcs.flatMap((fc) => fc.cases.map((c) => c.input));
  const raw = await runNative(inputs);
  const out: Generated[] = [];
  let k = 0;
  for (const fc of fcs) {
    const results: (CaseResult | null)[] = [];
    for (let j = 0; j < fc.cases.length; j++, k++) {
      const r = raw[k];
      if (isCrash(r)) {
        crashes.push(`${fc.info.key}: ${r.crashed}`);
        results.push(null);
      } else results.push(r);
    }
    out.push({ fc, results });
  }
  return out;
}

function toVectors(g: Generated): FormVectors {
  const w = newWriter();
  g.fc.cases.forEach((c, j) => encodeOutcome(w, c.input, g.results[j]));
  return {
    key: g.fc.info.key,
    inputHash: inputHash(g.fc),
    count: g.fc.cases.length,
    payload: w.done(),
  };
}

/** Differences between committed and regenerated vectors of one form, beyond masked bits. */
function semanticDiffs(g: Generated, committed: FormVectors | undefined): string[] {
  if (!committed) return ["missing from the committed file"];
  if (committed.inputHash !== inputHash(g.fc)) return ["inputs changed (stale)"];
  const reader = new OutcomeReader(committed.payload);
  const opt = compareOptions(g.fc.info);
  const out: string[] = [];
  g.fc.cases.forEach((c, j) => {
    const old = reader.next(c.input);
    const now = g.results[j];
    if (!old || !now) {
      if (old !== now) out.push(`case ${j}: harness crash differs`);
      return;
    }
    const d = compareResults(c.input, old, now, opt);
    if (d.length) out.push(`case ${j}: ${d.join("; ")}`);
  });
  return out;
}

const crashes: string[] = [];
const skipped: string[] = [];
const unencodable: string[] = [];
const problems: string[] = [];
let formCount = 0, vectorCount = 0, bytes = 0;
const written = new Set<string>();
const started = performance.now();

for (const [name, infos] of files) {
  const runnable = infos.filter((i) => {
    if (i.skip) skipped.push(`${i.key} (${i.skip})`);
    return !i.skip;
  });
  if (runnable.length === 0) continue;
  const generated = await runForms(runnable);
  for (const g of generated) {
    formCount++;
    vectorCount += g.fc.cases.length;
    if (g.fc.unencodable) unencodable.push(`${g.fc.info.key}: ${g.fc.unencodable}`);
  }
  const packed = gzip(encodeFile(generated.map(toVectors)));
  bytes += packed.length;
  written.add(name);
  const path = new URL(name, VECTOR_DIR);
  if (!values.check) {
    await Deno.mkdir(VECTOR_DIR, { recursive: true });
    await Deno.writeFile(path, packed);
    continue;
  }
  let committedRaw: Uint8Array;
  try {
    committedRaw = gunzip(await Deno.readFile(path));
  } catch {
    problems.push(`${name}: missing (run deno task gen:cpu-vectors)`);
    continue;
  }
  const fresh = encodeFile(generated.map(toVectors));
  if (fresh.length === committedRaw.length && fresh.every((b, k) => b === committedRaw[k])) {
    continue;
  }
  const committed = new Map(decodeFile(committedRaw).map((f) => [f.key, f]));
  for (const g of generated) {
    const diffs = semanticDiffs(g, committed.get(g.fc.info.key));
    committed.delete(g.fc.info.key);
    for (const d of diffs.slice(0, 5)) problems.push(`${g.fc.info.key}: ${d}`);
  }
  for (const key of committed.keys()) problems.push(`${key}: committed but no longer in the table`);
}

if (!values.only) {
  for await (const e of Deno.readDir(VECTOR_DIR)) {
    if (!e.name.endsWith(".bin.gz") || written.has(e.name)) continue;
    if (values.check) problems.push(`${e.name}: no form of the table uses this file`);
    else await Deno.remove(new URL(e.name, VECTOR_DIR));
  }
}

for (const s of skipped) console.log(`skipped: ${s}`);
for (const u of unencodable) console.log(`unencodable cases: ${u}`);
for (const c of crashes.slice(0, 50)) console.log(`harness crash: ${c}`);
for (const p of problems.slice(0, 200)) console.log(`check: ${p}`);
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(
  `gen:cpu-vectors: ${formCount} forms, ${vectorCount} vectors, ${skipped.length} skipped, ` +
    `${written.size} files, ${(bytes / 1048576).toFixed(2)} MiB, ${seconds} s` +
    (values.check ? `, ${problems.length} check problems` : ""),
);
if (!values.check && !values.only) await Deno.writeTextFile(HOST_FILE, host + "\n");
if (problems.length || crashes.length) Deno.exit(1);
