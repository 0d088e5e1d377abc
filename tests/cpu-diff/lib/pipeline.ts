// The steps the generator, the quick developer command and the replay test share: select forms
// from the table, generate each form's cases deterministically, run them in the emulator and
// compare with host results.

import { getDecoder } from "../../../core/cpu/cpu.ts";
import { compareOptions, compareResults } from "./compare.ts";
import { Emulator } from "./emulate.ts";
import { describeForms, type FormInfo } from "./forms.ts";
import { generateCase, type GeneratedCase } from "./inputs.ts";
import { type CaseResult, caseSize, writeCase } from "./protocol.ts";
import { hashBytes, hashString, hashWords, mixSeed } from "./rng.ts";

/** Bump when input generation changes: every committed vector then reads as stale. */
export const GENERATOR_VERSION = 1;

export function allForms(): FormInfo[] {
  return describeForms(getDecoder().forms);
}

/** Forms whose mnemonic is in `only`, or whose key contains an entry with a space ("0F 58"). */
export function selectForms(forms: FormInfo[], only: string[] | undefined): FormInfo[] {
  if (!only || only.length === 0) return forms;
  const wanted = only.map((s) => s.trim()).filter(Boolean);
  return forms.filter((f) =>
    wanted.some((w) =>
      w.toLowerCase() === f.mnem.toLowerCase() || (/[ |]/.test(w) && f.key.includes(w))
    )
  );
}

export function formSeed(info: FormInfo, salt = 0): number {
  return mixSeed(hashString(info.key), GENERATOR_VERSION, salt);
}

export interface FormCases {
  info: FormInfo;
  cases: GeneratedCase[];
  /** Cases for which no encoding selecting the form could be built. */
  unencodable: number;
}

/** The form's cases: `perVariant` (default: the form's own count) for each variant. */
export function generateForm(info: FormInfo, salt = 0, perVariant?: number): FormCases {
  const seed = formSeed(info, salt);
  const cases: GeneratedCase[] = [];
  let unencodable = 0;
  const n = perVariant ?? info.perVariant;
  for (let vi = 0; vi < info.variants.length; vi++) {
    for (let k = 0; k < n; k++) {
      const c = generateCase(info, seed, vi, k);
      if (c) cases.push(c);
      else unencodable++;
    }
  }
  return { info, cases, unencodable };
}

/** One mismatch, ready to print. */
export interface Mismatch {
  info: FormInfo;
  gen: GeneratedCase;
  diffs: string[];
}

export function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");
}

export function formatMismatch(m: Mismatch): string {
  return `${m.info.mnem} [${
    hexBytes(m.gen.input.insn)
  }] (${m.info.form.spec.op} ${m.info.form.spec.args}; ${m.gen.variant.name}): ${
    m.diffs.join("; ")
  }`;
}

/** Compares the emulator with expected results; checks the data region both sides built. */
export function checkCase(
  emu: Emulator,
  info: FormInfo,
  gen: GeneratedCase,
  expected: CaseResult,
  checkDataHash: boolean,
): string[] {
  if (checkDataHash) {
    const data = emu.loadData(gen.input);
    const h = hashWords(new Uint32Array(data.buffer, data.byteOffset, data.length / 4));
    if (h !== expected.dataHash) {
      throw new Error("cpu-diff: the harness built a different data region (protocol drift)");
    }
  }
  const actual = emu.run(gen.input, info.form.rep);
  return compareResults(gen.input, expected, actual, compareOptions(info));
}

/** Hash of everything a form's cases feed the CPU (stale-vector detection). */
export function inputHash(fc: FormCases): number {
  let buf = new Uint8Array(4096);
  let h = hashString(`${fc.cases.length}/${fc.unencodable}`);
  for (const c of fc.cases) {
    const size = caseSize(c.input);
    if (size > buf.length) buf = new Uint8Array(size * 2);
    const end = writeCase(c.input, buf, new DataView(buf.buffer), 0);
    h = hashBytes(buf.subarray(0, end), h);
  }
  return h;
}
