// `nexaos run` as a user sees it: the program's output and status pass through, a death by
// signal prints the shell's line and exits 128+N, bad input is one line with 126/127, and the
// options (--env, --strace, --stats, --memory) do what they say. Runs main.ts in a subprocess.

import { nexaosArgs } from "../lib/nexaos-cli.ts";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { parseElf } from "../../kernel/exec/elf.ts";
import { runProgram } from "../../kernel/run-program.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BIN = `${ROOT}tests/guest/bin`;

async function nexaos(args: string[], stdin = "") {
  const child = new Deno.Command(Deno.execPath(), {
    args: nexaosArgs(["run", ...args]),
    cwd: ROOT,
    env: { NO_COLOR: "1", INIT_CWD: ROOT },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("run: stdout, stdin and the exit status pass through", async () => {
  const r = await nexaos([`${BIN}/exit-status`, "42"]);
  assert.equal(r.code, 42);
  const echo = await nexaos([`${BIN}/stdin-count`], "two\nlines\n");
  assert.equal(echo.code, 0);
  assert.match(echo.stdout, /bytes 10/);
  assert.equal(echo.stderr, "");
});

Deno.test("run: a death by SIGSEGV prints the shell's line and exits 139", async () => {
  const r = await nexaos([`${BIN}/null-deref`]);
  assert.equal(r.code, 139);
  assert.ok(r.stderr.endsWith("Segmentation fault\n"), r.stderr);
  assert.equal(r.stderr.split("\n").filter((l) => l.startsWith("nexaos")).length, 0);
});

Deno.test("run: a clean environment plus --env, and argv as given", async () => {
  const r = await nexaos(["--env", "GREETING=hi there", `${BIN}/argv-env`, "a b", "c"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /GREETING=hi there/);
  assert.match(r.stdout, /PATH=/);
  assert.doesNotMatch(r.stdout, /NO_COLOR/);
  assert.match(r.stdout, /"a b"/);
});

Deno.test("run: --strace prints strace-style lines and --stats a summary", async () => {
  const r = await nexaos(["--strace", "--stats", `${BIN}/exit-status`, "3"]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /^arch_prctl\(ARCH_SET_FS, 0x[0-9a-f]+\) +=  ?0$/m);
  assert.match(r.stderr, /^exit_group\(3\) += \?$/m);
  assert.match(r.stderr, /^nexaos: [\d,]+ instructions, [\d,]+ syscalls, [\d.]+ s, [\d.]+ MIPS$/m);
});

Deno.test("run: bad input is one line and a shell's status", async () => {
  const missing = await nexaos(["/no/such/program"]);
  assert.equal(missing.code, 127);
  assert.equal(missing.stderr, "nexaos: /no/such/program: No such file or directory\n");
  const text = await nexaos(["README.md"]);
  assert.equal(text.code, 126);
  assert.equal(text.stderr, "nexaos: README.md: not an ELF file\n");
  const flag = await nexaos(["--memory", "lots", `${BIN}/exit-status`]);
  assert.notEqual(flag.code, 0);
  assert.equal(flag.stderr.trim().split("\n").length, 1, flag.stderr);
  assert.match(flag.stderr, /^nexaos: .*lots/);
  const tiny = await nexaos(["--memory", "1M", `${BIN}/exit-status`]);
  assert.notEqual(tiny.code, 0);
  assert.equal(tiny.stderr.trim().split("\n").length, 1, tiny.stderr);
});

Deno.test({
  name: "run: a program that exhausts guest memory is OOM-killed, not the emulator",
  ignore: !hasStaticBusybox(),
  async fn() {
    const r = await nexaos([
      "--memory",
      "16M",
      "/bin/busybox",
      "sh",
      "-c",
      "x=a; while :; do x=$x$x; done",
    ]);
    assert.equal(r.code, 137);
    assert.match(
      r.stderr,
      /^nexaos: Out of memory: Killed process 1 \(busybox\) total-vm:\d+kB, anon-rss:\d+kB, UID:0\nKilled\n$/,
    );
  },
});

function hasStaticBusybox(): boolean {
  try {
    parseElf(Deno.readFileSync("/bin/busybox")); // throws for a dynamic one
    return true;
  } catch {
    return false;
  }
}

Deno.test("runProgram: an AbortSignal kills a program that waits forever", async () => {
  const controller = new AbortController();
  const image = await Deno.readFile(`${BIN}/stdin-count`);
  const never = {
    isTerminal: false,
    read: () => new Uint8Array(),
    buffered: () => 0,
    ready: () => false,
    waitReady: () => new Promise<void>(() => {}),
  };
  setTimeout(() => controller.abort(), 50);
  const result = await runProgram({
    image,
    exePath: "stdin-count",
    argv: ["stdin-count"],
    env: [],
    stdin: never,
    signal: controller.signal,
  });
  assert.equal(result.signal, 9);
  assert.equal(result.status, 137);
});

Deno.test("runProgram: writing to a reader that went away raises SIGPIPE", async () => {
  const gone = { isTerminal: false, write: () => false };
  const result = await runProgram({
    image: await Deno.readFile(`${BIN}/argv-env`),
    exePath: "argv-env",
    argv: ["argv-env"],
    env: [],
    stdout: gone,
  });
  assert.equal(result.signal, 13);
  assert.equal(result.status, 141);
});
