// The guest test manifest (tests/guest/cases.json): which committed program each case runs, with
// which argv, environment and stdin. Shared by build.ts (native golden run) and golden_test.ts
// (the same case under NexaOS), so both sides pass byte-identical inputs.

import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

export const GUEST_DIR = fileURLToPath(new URL(".", import.meta.url));
export const MANIFEST_PATH = join(GUEST_DIR, "cases.json");
export const BIN_DIR = join(GUEST_DIR, "bin");
export const GOLDEN_DIR = join(GUEST_DIR, "golden");
export const INPUT_DIR = join(GUEST_DIR, "input");

/** One case as written in cases.json. argv[0] is always the program name. */
export interface GuestCase {
  name: string;
  program: string;
  args: string[];
  env: string[];
  /** Inline stdin text, a file under tests/guest/input/, or nothing (immediate end of file). */
  stdin?: { text: string } | { file: string };
  /**
   * A filesystem test: natively it runs in a fresh empty folder; under NexaOS (fs_golden_test.ts)
   * once per listed filesystem, in an empty writable working directory on it.
   */
  fs?: FsKind[];
}

/** Where an fs case runs under NexaOS: the in-memory root, `--root DIR`, `--disk IMAGE`. */
export const FS_KINDS = ["tmpfs", "hostfs", "ext2"] as const;
export type FsKind = typeof FS_KINDS[number];

/** The golden files of a case, relative to the golden folder. */
export function goldenNames(name: string): { stdout: string; stderr: string; status: string } {
  return { stdout: `${name}.stdout`, stderr: `${name}.stderr`, status: `${name}.status` };
}

export function argvOf(guestCase: GuestCase): string[] {
  return [guestCase.program, ...guestCase.args];
}

export async function stdinOf(guestCase: GuestCase): Promise<Uint8Array> {
  const stdin = guestCase.stdin;
  if (!stdin) return new Uint8Array();
  if ("text" in stdin) return new TextEncoder().encode(stdin.text);
  return await Deno.readFile(join(INPUT_DIR, stdin.file));
}

const NAME = /^[a-z0-9][a-z0-9-]*$/;

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Checks one manifest entry; returns a description of the first problem, or null. */
function problemWith(entry: Record<string, unknown>): string | null {
  const known = new Set(["name", "program", "args", "env", "stdin", "fs"]);
  const unknown = Object.keys(entry).find((key) => !known.has(key));
  if (unknown) return `unknown field "${unknown}"`;
  if (typeof entry.name !== "string" || !NAME.test(entry.name)) {
    return "name must be lower-case letters, digits and dashes";
  }
  if (typeof entry.program !== "string" || !NAME.test(entry.program)) {
    return "program must name a file in tests/guest/bin";
  }
  if (!isStringArray(entry.args)) return "args must be an array of strings";
  if (!isStringArray(entry.env)) return "env must be an array of strings";
  if ([...entry.args, ...entry.env].some((text) => text.includes("\0"))) {
    return "args and env cannot contain NUL";
  }
  if (entry.env.some((text) => !/^[^=]+=/.test(text))) return 'env entries must be "KEY=value"';
  if (entry.stdin !== undefined) {
    const stdin = entry.stdin as Record<string, unknown>;
    const keys = stdin && typeof stdin === "object" ? Object.keys(stdin) : [];
    if (keys.length !== 1 || !["text", "file"].includes(keys[0])) {
      return 'stdin must be {"text": "..."} or {"file": "name under tests/guest/input"}';
    }
    const value = stdin[keys[0]];
    if (typeof value !== "string") return `stdin.${keys[0]} must be a string`;
    if (keys[0] === "file" && (normalize(value).startsWith("..") || value.startsWith("/"))) {
      return "stdin.file must be inside tests/guest/input";
    }
  }
  if (entry.fs !== undefined) {
    const kinds: readonly string[] = FS_KINDS;
    if (!isStringArray(entry.fs) || entry.fs.length === 0) {
      return `fs must be a non-empty array of ${FS_KINDS.join(", ")}`;
    }
    const unknownKind = entry.fs.find((kind) => !kinds.includes(kind));
    if (unknownKind !== undefined) return `fs: unknown filesystem "${unknownKind}"`;
  }
  return null;
}

/** Reads and validates cases.json; throws one readable Error on the first problem. */
export async function loadCases(path = MANIFEST_PATH): Promise<GuestCase[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await Deno.readTextFile(path));
  } catch (error) {
    throw new Error(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected an array of cases`);
  const seen = new Set<string>();
  for (const [index, entry] of parsed.entries()) {
    const problem = entry && typeof entry === "object"
      ? problemWith(entry as Record<string, unknown>)
      : "not an object";
    const label = typeof entry?.name === "string" ? `"${entry.name}"` : `#${index}`;
    if (problem) throw new Error(`${path}: case ${label}: ${problem}`);
    if (seen.has(entry.name)) throw new Error(`${path}: case ${label} appears twice`);
    seen.add(entry.name);
  }
  return parsed as GuestCase[];
}
