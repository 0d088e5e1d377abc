// An idle guest costs no host CPU: while every guest process sleeps (a shell waiting for two
// background sleeps), the emulator's process must not be running. Measured from outside, from
// /proc/<pid>/stat, over a stretch of the guest's sleep; a busy-waiting kernel would use all of it.

import assert from "node:assert/strict";
import { nexaosArgs } from "../lib/nexaos-cli.ts";

const TICKS_PER_SECOND = 100;

/** utime + stime of a host process, in seconds (read by cat: Deno guards /proc/<pid>). */
async function cpuSeconds(pid: number): Promise<number> {
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/stat`] }).output();
  const stat = new TextDecoder().decode(out.stdout);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test({
  name: "an idle guest costs no host CPU",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const child = new Deno.Command(Deno.execPath(), {
      args: nexaosArgs(["run", "/bin/busybox", "sh", "-c", "sleep 3 & sleep 3; wait; echo done"]),
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await sleep(1200); // start-up and the fork of both sleeps
    const before = await cpuSeconds(child.pid);
    await sleep(1000);
    const used = await cpuSeconds(child.pid) - before;
    const { code, stdout } = await child.output();
    assert.equal(code, 0);
    assert.equal(new TextDecoder().decode(stdout), "done\n");
    assert.ok(used <= 0.1, `the emulator used ${used.toFixed(2)} s of CPU in 1 s of guest sleep`);
  },
});
