// The fuzz worker: builds each case its parent names (kind, seed, index) and runs it under the
// kernel, in a thread of its own so the parent can stop a run that never returns.

import { runCase, type RunSettings } from "./case-runner.ts";
import { type CorpusEntry, type FuzzKind, loadCorpus, makeCase } from "./lib.ts";

export interface CaseRequest {
  kind: FuzzKind;
  seed: number;
  index: number;
  settings: RunSettings;
}

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<CaseRequest>) => void) | null;
  postMessage(message: unknown): void;
};

let corpus: CorpusEntry[] | null = null;

scope.onmessage = async (event) => {
  const { kind, seed, index, settings } = event.data;
  corpus ??= loadCorpus();
  const fuzzCase = makeCase(kind, seed, index, corpus);
  const report = await runCase(fuzzCase, settings);
  scope.postMessage({ index, description: fuzzCase.description, strace: fuzzCase.strace, report });
};
