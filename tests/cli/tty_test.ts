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
      `${deno} run -q --allow-read --allow-write --allow-env --allow-ffi ${ROOT}main.ts run ${PROBE}`,
    );
    assert.equal(emulated, native);
  },
});

/**
 * Runs `command` on a pseudo-terminal and types into it: each step waits until the output so far
 * contains `after`, then sends `keys`. Returns everything printed.
 */
async function typeOnPty(
  command: string,
  steps: { after: string; keys: string }[],
  until = "second read",
  stop = false,
) {
  const child = new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const writer = child.stdin.getWriter();
  // A hang guard, not a timing assertion: a program that never finishes fails the test.
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const decoder = new TextDecoder();
  let seen = "";
  let step = 0;
  for await (const chunk of child.stdout) {
    seen += decoder.decode(chunk, { stream: true });
    while (step < steps.length && seen.includes(steps[step].after)) {
      await writer.write(new TextEncoder().encode(steps[step].keys));
      step++;
    }
    if (step === steps.length && seen.includes(until)) break;
  }
  if (stop) child.kill("SIGKILL");
  await writer.close().catch(() => {});
  await child.status;
  clearTimeout(guard);
  return seen.replaceAll("\r", "");
}

Deno.test({
  name: "terminal: Ctrl-C reaches the program as SIGINT, as on Linux",
  ignore: !hasScript(),
  async fn() {
    const probe = `${ROOT}tests/guest/bin/sigint-read`;
    const steps = [
      { after: "ready", keys: "\x03" },
      { after: "first read", keys: "hello\n" },
    ];
    const native = await typeOnPty(probe, steps);
    assert.match(native, /first read -1 EINTR, handler ran 1 time\(s\)/);
    const deno = Deno.execPath();
    const emulated = await typeOnPty(
      `${deno} run -q --allow-read --allow-write --allow-env --allow-ffi ${ROOT}main.ts run ${probe}`,
      steps,
    );
    assert.equal(emulated, native);
  },
});

Deno.test({
  name: "terminal: Ctrl-Z stops a guest shell's foreground job, as on Linux",
  ignore: !hasScript(),
  async fn() {
    // re""ady: the typed command line echoes back too, and must not look like the marker.
    const steps = [
      { after: "$ ", keys: `sh -c 'echo re""ady; exec sleep 30'\n` },
      { after: "ready", keys: "\x1a" },
      { after: "Stopped", keys: 'jobs; echo li""sted\n' },
    ];
    const shell = "/bin/busybox env -i PS1='$ ' /bin/busybox sh -i";
    const native = await typeOnPty(shell, steps, "listed", true);
    const deno = Deno.execPath();
    const emulated = await typeOnPty(
      `${deno} run -q --allow-read --allow-write --allow-env --allow-ffi ${ROOT}main.ts run ` +
        `--env "PS1=$ " /bin/busybox sh -i`,
      steps,
      "listed",
      true,
    );
    const stopped = /\[1\]\+ +Stopped +sh -c "echo re\\"\\"ady; exec sleep 30"/g;
    for (const output of [native, emulated]) {
      // Once when ^Z stops the job, once more from `jobs`.
      assert.equal(output.match(stopped)?.length, 2, output);
    }
  },
});
