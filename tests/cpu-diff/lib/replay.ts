// Replays committed vectors against the emulator: regenerates each form's inputs, checks they
// are the ones the vectors were recorded from, runs every case and compares. Forms without
// vectors, stale vectors and vectors for forms no longer in the table count as mismatches.

import { Emulator } from "./emulate.ts";
import type { FormInfo } from "./forms.ts";
import { allForms, checkCase, formatMismatch, generateForm, inputHash } from "./pipeline.ts";
import {
  decodeFile,
  type FormVectors,
  gunzip,
  OutcomeReader,
  VECTOR_DIR,
  vectorFileName,
} from "./vectors.ts";

export interface ReplaySummary {
  forms: number;
  vectors: number;
  mismatches: number;
  /** Detail lines (capped). */
  lines: string[];
}

const MAX_LINES_PER_FORM = 3;

/** Vector files that the table's forms need, plus any others present in the directory. */
export async function vectorFiles(): Promise<string[]> {
  const names = new Set(allForms().filter((f) => !f.skip).map((f) => vectorFileName(f.mnem)));
  try {
    for await (const e of Deno.readDir(VECTOR_DIR)) {
      if (e.name.endsWith(".bin.gz")) names.add(e.name);
    }
  } catch {
    // no vectors at all: every form reports as missing
  }
  return [...names].sort();
}

/** Replay the given vector files (each holds the forms of one mnemonic). */
export async function replayFiles(names: string[], maxLines = 200): Promise<ReplaySummary> {
  const byFile = new Map<string, FormInfo[]>();
  for (const f of allForms()) {
    if (f.skip) continue;
    const name = vectorFileName(f.mnem);
    const list = byFile.get(name) ?? [];
    list.push(f);
    byFile.set(name, list);
  }
  const emu = new Emulator();
  const summary: ReplaySummary = { forms: 0, vectors: 0, mismatches: 0, lines: [] };
  const note = (line: string) => {
    summary.mismatches++;
    if (summary.lines.length < maxLines) summary.lines.push(line);
  };
  for (const name of names) {
    let stored = new Map<string, FormVectors>();
    try {
      stored = new Map(
        decodeFile(gunzip(await Deno.readFile(new URL(name, VECTOR_DIR)))).map((f) => [f.key, f]),
      );
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
    for (const info of byFile.get(name) ?? []) {
      summary.forms += info.variants.length;
      const vec = stored.get(info.key);
      stored.delete(info.key);
      if (!vec) {
        note(`${info.key}: no committed vectors (run deno task gen:cpu-vectors)`);
        continue;
      }
      const lines = replayForm(emu, info, vec);
      summary.vectors += lines.vectors;
      summary.mismatches += lines.mismatches;
      for (const l of lines.shown) if (summary.lines.length < maxLines) summary.lines.push(l);
    }
    for (const key of stored.keys()) {
      note(`${key}: vectors for a form that is not in the table or skipped (regenerate)`);
    }
  }
  return summary;
}

/** Replay one form's vectors: vectors run, mismatches, and the first few described. */
export function replayForm(
  emu: Emulator,
  info: FormInfo,
  vec: FormVectors,
): { vectors: number; mismatches: number; shown: string[] } {
  const out = { vectors: 0, mismatches: 0, shown: [] as string[] };
  const fc = generateForm(info);
  if (vec.inputHash !== inputHash(fc) || vec.count !== fc.cases.length) {
    out.mismatches = 1;
    out.shown.push(`${info.key}: stale vectors, inputs changed (run deno task gen:cpu-vectors)`);
    return out;
  }
  const reader = new OutcomeReader(vec.payload);
  for (const gen of fc.cases) {
    out.vectors++;
    const expected = reader.next(gen.input);
    const diffs = expected
      ? checkCase(emu, info, gen, expected, false)
      : ["the host harness crashed on this case (mark the form skip)"];
    if (diffs.length === 0) continue;
    out.mismatches++;
    if (out.shown.length < MAX_LINES_PER_FORM) out.shown.push(formatMismatch({ info, gen, diffs }));
  }
  return out;
}
