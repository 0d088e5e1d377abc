// The terminal as a program sees it, through a real pseudo-terminal: `script` runs the committed
// tty-probe natively and under `nexaos run` with the same window size, and both must print the
// same (isatty, TIOCGWINSZ, cooked-mode termios, raw mode and back, the foreground group, fstat).
// Skipped where util-linux's `script` is missing.

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PROBE = `${ROOT}tests/guest/bin/tty-probe`;

function hasScript(): boolean {
  try {
    return new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Runs `command` on a fresh pseudo-terminal of 91x33 and returns what it printed. */
async function onPty(command: string): Promise<string> {
  const out = await new Deno.Command("script", {
    args: ["-qec", `stty cols 91 rows 33; ${command}`, "/dev/null"],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).replaceAll("\r", "");
}

Deno.test({
  name: "terminal: termios, window size and raw mode match native on a pseudo-terminal",
  ignore: !hasScript(),
  async fn() {
    const native = await onPty(PROBE);
    assert.match(native, /window 91x33/);
    const deno = Deno.execPath();
    const emulated = await onPty(
      `${deno} run -q --allow-read --allow-write --allow-env ${ROOT}main.ts run ${PROBE}`,
    );
    assert.equal(emulated, native);
  },
});
