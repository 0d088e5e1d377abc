// Quick developer check: generate cases for the chosen forms, run them on the host CPU and in
// the emulator right away, and print every mismatch. Nothing is written.
//
//   deno task cpu-diff --only addps,paddb [--vectors 50] [--seed 7] [--max 5] [--verbose]

import { parseArgs } from "node:util";
import { isCrash, runNative } from "./lib/native.ts";
import { Emulator } from "./lib/emulate.ts";
import {
  allForms,
  checkCase,
  formatMismatch,
  type FormCases,
  generateForm,
  hexBytes,
  type Mismatch,
  selectForms,
} from "./lib/pipeline.ts";
import { describeInput } from "./lib/describe.ts";
import { outcomeName } from "./lib/compare.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    only: { type: "string" },
    vectors: { type: "string" },
    seed: { type: "string", default: "0" },
    max: { type: "string", default: "5" },
    verbose: { type: "boolean", default: false },
    list: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(
    "usage: deno task cpu-diff [--only mnem,mnem|'0F 58'] [--vectors N per variant] " +
      "[--seed S] [--max lines per form] [--verbose] [--list]",
  );
  Deno.exit(0);
}

const only = values.only?.split(",");
const forms = selectForms(allForms(), only);
if (forms.length === 0) {
  console.error(`cpu-diff: no form matches ${values.only}`);
  Deno.exit(2);
}
if (values.list) {
  for (const f of forms) {
    console.log(
      `${f.key}  variants: ${f.variants.map((v) => v.name).join(", ")}` +
        (f.skip ? `  SKIPPED: ${f.skip}` : ""),
    );
  }
  Deno.exit(0);
}

const perVariant = values.vectors ? Number(values.vectors) : undefined;
const salt = Number(values.seed);
const maxLines = Number(values.max);
const generated: FormCases[] = [];
const skipped: string[] = [];
for (const info of forms) {
  if (info.skip) skipped.push(`${info.key} (${info.skip})`);
  else generated.push(generateForm(info, salt, perVariant));
}
const flat = generated.flatMap((g) => g.cases.map((c) => ({ info: g.info, gen: c })));
const results = await runNative(flat.map((c) => c.gen.input));

const emu = new Emulator();
const mismatches: Mismatch[] = [];
/** Per form: how the host ended its cases ("completed", "SIGSEGV(#GP)", ...). */
const outcomes = new Map<string, Map<string, number>>();
let crashes = 0;
for (let k = 0; k < flat.length; k++) {
  const r = results[k];
  const { info, gen } = flat[k];
  if (isCrash(r)) {
    crashes++;
    console.log(`HARNESS CRASH ${info.mnem} [${hexBytes(gen.input.insn)}]: ${r.crashed}`);
    continue;
  }
  const counts = outcomes.get(info.key) ?? new Map<string, number>();
  const outcome = outcomeName(r).replace(/ at 0x[0-9a-f]+/, "");
  counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  outcomes.set(info.key, counts);
  const diffs = checkCase(emu, info, gen, r, true);
  if (diffs.length) mismatches.push({ info, gen, diffs });
}

const perForm = new Map<string, Mismatch[]>();
for (const m of mismatches) {
  const list = perForm.get(m.info.key) ?? [];
  list.push(m);
  perForm.set(m.info.key, list);
}
for (const g of generated) {
  const list = perForm.get(g.info.key) ?? [];
  const status = list.length ? `${list.length} MISMATCHES` : "ok";
  const extra = g.unencodable ? `, ${g.unencodable} unencodable` : "";
  const faults = [...(outcomes.get(g.info.key) ?? [])].filter(([o]) => o !== "completed")
    .map(([o, n]) => `${o} ${n}`).join(", ");
  console.log(
    `${g.info.key}: ${g.cases.length} vectors${extra}${
      faults ? ` (host: ${faults})` : ""
    }, ${status}`,
  );
  for (const m of list.slice(0, maxLines)) {
    console.log("  " + formatMismatch(m));
    if (values.verbose) console.log(describeInput(m.gen.input, "    "));
  }
}
for (const s of skipped) console.log(`skipped: ${s}`);
console.log(
  `cpu-diff: ${generated.length} forms, ${flat.length} vectors, ${mismatches.length} mismatches` +
    (crashes ? `, ${crashes} harness crashes` : ""),
);
Deno.exit(mismatches.length || crashes ? 1 : 0);
