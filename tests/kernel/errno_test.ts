// kernel/errno.ts: values, names and glibc messages, checked against the host's
// <asm-generic/errno*.h> when installed.

import assert from "node:assert/strict";
import * as errno from "../../kernel/errno.ts";

Deno.test("errno: names and messages as strace prints them", () => {
  assert.equal(errno.ENOENT, 2);
  assert.equal(errno.ENOSYS, 38);
  assert.equal(errno.EHWPOISON, 133);
  assert.equal(errno.errnoName(2), "ENOENT");
  assert.equal(errno.errnoMessage(2), "No such file or directory");
  assert.equal(errno.errnoMessage(38), "Function not implemented");
  assert.equal(errno.errnoMessage(25), "Inappropriate ioctl for device");
  assert.equal(errno.errnoName(errno.EWOULDBLOCK), "EAGAIN");
  assert.equal(errno.errnoName(41), undefined);
  assert.equal(errno.errnoMessage(41), "Unknown error 41");
  assert.equal(errno.errnoMessage(0), "Success");
});

Deno.test("errno: every exported constant's name maps back to it", () => {
  const constants = Object.entries(errno).filter(([name, value]) =>
    /^E[A-Z0-9]+$/.test(name) && typeof value === "number"
  );
  assert.ok(constants.length >= 131);
  for (const [name, value] of constants) {
    // Aliases, and the kernel-internal restart codes (>= 512) user space never sees.
    if (name === "EWOULDBLOCK" || name === "EDEADLOCK" || (value as number) >= 512) continue;
    assert.equal(errno.errnoName(value as number), name);
  }
  assert.deepEqual(errno.allErrnos(), [...errno.allErrnos()].sort((a, b) => a - b));
});

Deno.test("errno: values match the host's asm-generic headers", async () => {
  let text = "";
  try {
    for (const file of ["errno-base.h", "errno.h"]) {
      text += await Deno.readTextFile(`/usr/include/asm-generic/${file}`);
    }
  } catch {
    console.log("no /usr/include/asm-generic/errno*.h here; skipped");
    return;
  }
  const table = errno as unknown as Record<string, number>;
  let compared = 0;
  for (const [, name, value] of text.matchAll(/#define\s+(E[A-Z0-9]+)\s+(\d+)/g)) {
    assert.equal(table[name], Number(value), name);
    compared++;
  }
  assert.ok(compared >= 130, `only ${compared} values in the headers`);
});
