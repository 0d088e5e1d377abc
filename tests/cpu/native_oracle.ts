// Plumbing shared by the test helpers that run instructions natively through a small C oracle
// (sse_int_host.ts, x87_host.ts): compiling the oracle once, and the hex text both sides of
// the pipe speak.

export const hex = (b: Uint8Array | number[]) =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

export function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let k = 0; k < out.length; k++) out[k] = parseInt(s.slice(2 * k, 2 * k + 2), 16);
  return out;
}

/** Bytes written as hex digits, first byte first (instruction encodings in test tables). */
export function hexBytes(s: string): number[] {
  return Array.from(unhex(s));
}

const compiled = new Map<string, string | null>();

/**
 * The oracle compiled from the C file `source`, cached in $TMPDIR by a hash of its text; null
 * when there is no C compiler.
 */
export function compileOracle(source: URL): string | null {
  const src = source.pathname;
  const known = compiled.get(src);
  if (known !== undefined) return known;
  let path: string | null;
  try {
    const text = Deno.readTextFileSync(src);
    let hash = 0;
    for (let k = 0; k < text.length; k++) hash = (Math.imul(hash, 31) + text.charCodeAt(k)) | 0;
    const name = src.slice(src.lastIndexOf("/") + 1).replace(/\.c$/, "").replaceAll("_", "-");
    const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/nexaos-${name}`;
    path = `${dir}/oracle-${(hash >>> 0).toString(16)}`;
    try {
      Deno.statSync(path);
    } catch {
      Deno.mkdirSync(dir, { recursive: true });
      // A file of its own: parallel test workers share one process id.
      const tmp = Deno.makeTempFileSync({ dir, prefix: "build-" });
      const r = new Deno.Command("gcc", { args: ["-O1", "-o", tmp, src], stderr: "piped" })
        .outputSync();
      if (!r.success) {
        Deno.removeSync(tmp);
        throw new Error("gcc failed");
      }
      Deno.renameSync(tmp, path);
    }
  } catch {
    path = null;
  }
  compiled.set(src, path);
  return path;
}
