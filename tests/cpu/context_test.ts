import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { loadContext, saveContext } from "../../core/cpu/context.ts";
import { getFlags, setFlags } from "../../core/cpu/flags.ts";

Deno.test("a saved context restores every register after the CPU ran other code", () => {
  const m = new TestMachine();
  const cpu = m.cpu;
  for (let k = 0; k < 32; k++) cpu.r[k] = (k * 0x01010101) >>> 0;
  cpu.rip = 0x401234;
  setFlags(cpu, 0x8d5);
  cpu.fsBase = 0x7f0000001000;
  cpu.xmm32[5] = 0xdeadbeef;
  cpu.mxcsr = 0x9fc0;
  cpu.fpu.cw = 0x27f;
  const ctx = saveContext(cpu);
  cpu.r.fill(0);
  cpu.rip = 0;
  setFlags(cpu, 2);
  cpu.fsBase = 0;
  cpu.xmm32.fill(0);
  cpu.mxcsr = 0x1f80;
  cpu.fpu.cw = 0x37f;
  loadContext(cpu, ctx);
  assert.equal(cpu.r[31], (31 * 0x01010101) >>> 0);
  assert.equal(cpu.rip, 0x401234);
  assert.equal(getFlags(cpu), 0x8d7);
  assert.equal(cpu.fsBase, 0x7f0000001000);
  assert.equal(cpu.xmm32[5], 0xdeadbeef);
  assert.equal(cpu.mxcsr, 0x9fc0);
  assert.equal(cpu.fpu.cw, 0x27f);
  // The saved copy is independent of later changes.
  cpu.r[0] = 99;
  assert.equal(ctx.gprs[0], 0);
});
