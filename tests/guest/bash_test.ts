// Debian's bash-static running tests/guest/input/bash-script.sh (functions, local variables,
// subshells, command and process substitution, pipelines of busybox applets, arithmetic, arrays,
// traps, wait and the status of killed jobs, here-strings) natively and under NexaOS: stdout,
// stderr and the exit status must be equal byte for byte.
//
// Both runs use one folder: bin/ holds bash-static, busybox and a symlink per applet, plus the
// script and empty dev/, proc/ and tmp/. Natively bash runs from the host with PATH=<folder>/bin;
// under NexaOS the folder is the root (`--root`, hostfs) and PATH=/bin. Skipped, with a message,
// where bash-static (Debian package bash-static) or busybox-static is not installed.

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { outcomeDifferences, runGuest, runNative, staticExecutable } from "./native-compare.ts";

const BASH = "/bin/bash-static";
const BUSYBOX = "/bin/busybox";
const SCRIPT = fileURLToPath(new URL("input/bash-script.sh", import.meta.url));
const INSTRUCTION_LIMIT = 6e9;

const missing = [BASH, BUSYBOX].filter((path) => staticExecutable(path) === null);
if (missing.length) {
  console.warn(
    `bash_test: skipped, ${missing.join(" and ")} missing or not static ` +
      "(apt-get install bash-static busybox-static)",
  );
}

/** Applets of this busybox, from `busybox --list`. */
async function appletNames(): Promise<string[]> {
  const out = await new Deno.Command(BUSYBOX, { args: ["--list"], stdout: "piped" }).output();
  return new TextDecoder().decode(out.stdout).split("\n").filter((name) => name !== "");
}

async function buildTree(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "nexaos-bash-" });
  const bin = join(dir, "bin");
  await Deno.mkdir(bin);
  for (const name of ["dev", "proc", "tmp"]) await Deno.mkdir(join(dir, name));
  await Deno.chmod(join(dir, "tmp"), 0o1777);
  await Deno.copyFile(BASH, join(bin, "bash-static"));
  await Deno.copyFile(BUSYBOX, join(bin, "busybox"));
  for (const applet of await appletNames()) {
    if (applet !== "busybox") await Deno.symlink("busybox", join(bin, applet));
  }
  await Deno.copyFile(SCRIPT, join(dir, "script.sh"));
  return dir;
}

Deno.test({
  name: "bash-static runs bash-script.sh as on Linux",
  ignore: missing.length > 0,
  async fn() {
    const dir = await buildTree();
    try {
      const env = ["HOME=/root", "LC_ALL=C"];
      const native = await runNative(join(dir, "bin/bash-static"), ["./script.sh"], {
        env: [`PATH=${join(dir, "bin")}`, ...env],
        cwd: dir,
      });
      assert.equal(native.status, 3, "the script ends with exit 3 natively");
      const guest = await runGuest({
        exePath: "/bin/bash-static",
        argv: ["/bin/bash-static", "./script.sh"],
        env: ["PATH=/bin", ...env],
        files: { rootDir: { path: dir, readOnly: false } },
        cwd: "/",
        instructionLimit: INSTRUCTION_LIMIT,
      });
      const problems = outcomeDifferences(native, guest);
      if (problems.length) assert.fail(`bash-script.sh:\n  ${problems.join("\n  ")}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
