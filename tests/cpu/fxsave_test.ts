// FXSAVE/FXRSTOR (both pointer layouts), LDMXCSR/STMXCSR and EMMS: image layout, alignment and
// MXCSR faults, the pointers saved only while an exception is pending (as on the host), round
// trips; and, when gcc is available, random states against the host CPU.

import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { EXIT_BUDGET, EXIT_EXCEPTION } from "../../core/cpu/cpu.ts";
import { VEC_GP, VEC_MF } from "../../core/cpu/exceptions.ts";
import { MXCSR_MASK } from "../../core/cpu/ops/sse-state.ts";
import { hostAvailable, runEmu, runHost, type X87Case } from "./x87_host.ts";
import { randomImage, Rng } from "./x87_fuzz.ts";

const CODE = 0x400000;
const DATA = 0x600000;

function machine(): TestMachine {
  const m = new TestMachine();
  m.map(CODE, 0x1000);
  m.map(DATA, 0x2000);
  m.cpu.setRegFromNumber(6, DATA);
  m.cpu.rip = CODE;
  return m;
}

function exec(m: TestMachine, ...insns: string[]): number {
  let exit = EXIT_BUDGET;
  for (const hex of insns) {
    const bytes = hex.match(/../g)!.map((h) => parseInt(h, 16));
    m.writeVirt(m.cpu.rip, bytes);
    m.cpu.icache.invalidatePage(m.phys(m.cpu.rip) >>> 12);
    exit = m.cpu.step();
    if (exit !== EXIT_BUDGET) return exit;
  }
  return exit;
}

const u16 = (b: Uint8Array, o: number) => b[o] | (b[o + 1] << 8);
const u32 = (b: Uint8Array, o: number) => new DataView(b.buffer, b.byteOffset).getUint32(o, true);

Deno.test("fxsave: image layout", () => {
  const m = machine();
  const cpu = m.cpu;
  cpu.xmm32[4 * 3 + 2] = 0xdeadbeef;
  cpu.mxcsr = 0x1f80 | 0x8000 | 0x0040; // FTZ, DAZ
  m.writeVirt(DATA, new Uint8Array(512).fill(0xcc));
  exec(m, "d9e8", "d9eb", "0fae06"); // fld1; fldpi; fxsave [rsi]
  const img = m.readVirt(DATA, 512);
  assert.equal(u16(img, 0), 0x037f);
  assert.equal(u16(img, 2), 0x3000 | 0x0000); // TOP = 6
  assert.equal(img[4], 0xc0); // abridged tags: physical registers 6 and 7
  assert.equal(img[5], 0);
  assert.deepEqual(Array.from(img.subarray(6, 24)), new Array(18).fill(0)); // no pending: no pointers
  assert.equal(u32(img, 24), cpu.mxcsr);
  assert.equal(u32(img, 28), MXCSR_MASK);
  assert.deepEqual(Array.from(img.subarray(32, 48)), [
    0x35,
    0xc2,
    0x68,
    0x21,
    0xa2,
    0xda,
    0x0f,
    0xc9,
    0x00,
    0x40,
    0,
    0,
    0,
    0,
    0,
    0,
  ]); // ST(0) = pi, then 6 zero bytes
  assert.equal(u16(img, 48 + 8), 0x3fff); // ST(1) = 1
  assert.equal(u32(img, 160 + 48 + 8), 0xdeadbeef); // XMM3
  assert.deepEqual(Array.from(img.subarray(416)), new Array(96).fill(0xcc)); // untouched
});

Deno.test("fxsave: pointers are saved while an exception is pending, 64-bit with REX.W", () => {
  const m = machine();
  m.writeVirt(DATA + 0x200, [0x7b, 0x03, 0, 0, 0x00, 0x00, 0x80, 0x3f]); // CW (ZE unmasked), 1.0f
  // fldcw [rsi+0x200]; fld dword [rsi+0x204]; fldz; fdivp st(1), st (1/0: ZE pending)
  assert.equal(exec(m, "d9ae00020000", "d98604020000", "d9ee", "def9"), EXIT_BUDGET);
  assert.equal(m.cpu.fpu.pending, true);
  // fxsave [rsi]; fxsave64 [rsi+0x400]: neither waits for the pending exception
  assert.equal(exec(m, "0fae06", "480fae8600040000"), EXIT_BUDGET);
  const legacy = m.readVirt(DATA, 32);
  assert.equal(u16(legacy, 2) & 0x80, 0x80);
  assert.equal(u16(legacy, 6), 0x6f9); // FOP of DE F9
  assert.equal(u32(legacy, 8), CODE + 14); // FIP
  assert.equal(u16(legacy, 12), 0x33); // FCS
  assert.equal(u32(legacy, 16), DATA + 0x204); // FDP: the FLD (FLDCW is a control instruction)
  assert.equal(u16(legacy, 20), 0); // FDS
  const wide = m.readVirt(DATA + 0x400, 32);
  assert.equal(u32(wide, 8), CODE + 14);
  assert.equal(u32(wide, 12), 0); // FIP bits 63:32
  assert.equal(u32(wide, 16), DATA + 0x204);
  assert.equal(u32(wide, 20), 0);
});

Deno.test("fxsave/fxrstor: round trip, alignment and MXCSR faults", () => {
  const m = machine();
  const cpu = m.cpu;
  exec(m, "d9eb", "d9e8", "d9e0"); // pi, -1
  cpu.xmm32.set([1, 2, 3, 4], 4 * 15);
  cpu.mxcsr = 0x9fc0;
  exec(m, "480fae06"); // fxsave64 [rsi]
  const saved = m.readVirt(DATA, 416);
  exec(m, "dbe3", "d9ee");
  cpu.xmm32.fill(0);
  cpu.mxcsr = 0x1f80;
  assert.equal(exec(m, "480fae0e"), EXIT_BUDGET); // fxrstor64 [rsi]
  assert.equal(cpu.fpu.tags, 0xc0);
  assert.equal(cpu.fpu.read(0).exp, 0xbfff & 0x7fff);
  assert.equal(cpu.fpu.read(0).sign, 1);
  assert.equal(cpu.mxcsr, 0x9fc0);
  assert.deepEqual(Array.from(cpu.xmm32.subarray(60)), [1, 2, 3, 4]);
  exec(m, "480fae8600010000"); // fxsave64 [rsi+0x100] again: the same image
  assert.deepEqual(Array.from(m.readVirt(DATA + 0x100, 416)), Array.from(saved));
  // Misaligned operands: #GP(0); an MXCSR with reserved bits: #GP(0), nothing loaded.
  const at = cpu.rip;
  assert.equal(exec(m, "0fae4608"), EXIT_EXCEPTION);
  assert.equal(cpu.exitException!.vector, VEC_GP);
  assert.equal(cpu.rip, at);
  m.writeVirt(DATA + 24, [0, 0, 4, 0]); // MXCSR bit 18
  cpu.rip = at;
  exec(m, "dbe3");
  assert.equal(exec(m, "0fae0e"), EXIT_EXCEPTION);
  assert.equal(cpu.exitException!.vector, VEC_GP);
  assert.equal(cpu.fpu.tags, 0);
});

Deno.test("ldmxcsr/stmxcsr and emms", () => {
  const m = machine();
  const cpu = m.cpu;
  m.writeVirt(DATA, [0xc0, 0x7f, 0x02, 0x00]); // 0x27fc0: MM (bit 17) is supported here
  assert.equal(exec(m, "0fae16", "0fae5e04"), EXIT_BUDGET); // ldmxcsr [rsi]; stmxcsr [rsi+4]
  assert.equal(cpu.mxcsr, 0x27fc0);
  assert.equal(u32(m.readVirt(DATA + 4, 4), 0), 0x27fc0);
  m.writeVirt(DATA, [0x80, 0x1f, 0x04, 0x00]); // bit 18 is reserved
  assert.equal(exec(m, "0fae16"), EXIT_EXCEPTION);
  assert.equal(cpu.exitException!.vector, VEC_GP);
  assert.equal(cpu.mxcsr, 0x27fc0);
  cpu.rip = CODE + 0x100;
  exec(m, "d9e8", "d9e8", "0f77"); // emms: all empty, TOP = 0 (as the host does)
  assert.equal(cpu.fpu.tags, 0);
  assert.equal(cpu.fpu.top, 0);
  cpu.fpu.cw = 0x037e;
  cpu.fpu.sw = 0x0001;
  cpu.fpu.updateSummary();
  assert.equal(exec(m, "0f77"), EXIT_EXCEPTION); // a pending x87 exception comes first
  assert.equal(cpu.exitException!.vector, VEC_MF);
});

Deno.test({
  name: "fxsave/fxrstor/ldmxcsr/stmxcsr/emms match the host CPU",
  ignore: !hostAvailable(),
  async fn() {
    const rng = new Rng(5);
    const rand = (n: number) => Uint8Array.from({ length: n }, () => rng.int(256));
    const cases: X87Case[] = [];
    for (let k = 0; k < 240; k++) {
      const kind = k % 8;
      const misaligned = rng.int(6) === 0;
      let offset = misaligned ? 8 * (1 + rng.int(7)) : 0;
      let code: number[];
      let mem = rand(512 + 64);
      if (kind < 2) code = kind ? [0x48, 0x0f, 0xae, 0x06] : [0x0f, 0xae, 0x06];
      else if (kind < 4) {
        code = kind === 3 ? [0x48, 0x0f, 0xae, 0x0e] : [0x0f, 0xae, 0x0e];
        const dv = new DataView(mem.buffer);
        dv.setUint32(24, rng.int(4) ? rng.next() & MXCSR_MASK : rng.next(), true);
      } else {
        offset = 0;
        mem = rand(16);
        if (kind < 6) {
          code = [0x0f, 0xae, 0x16];
          new DataView(mem.buffer).setUint32(0, rng.int(3) ? rng.next() & MXCSR_MASK : rng.next());
        } else code = kind === 6 ? [0x0f, 0xae, 0x1e] : [0x0f, 0x77];
      }
      cases.push({
        code,
        image: randomImage(rng, { pending: rng.int(3) === 0 }),
        mem,
        offset,
        xmm: rand(256),
        mxcsr: (rng.next() & 0xffbf) | 0x1f80,
      });
    }
    const host = await runHost(cases);
    const hex = (b: Uint8Array | null) =>
      b ? Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("") : "-";
    const failures: string[] = [];
    host.forEach((h, k) => {
      const e = runEmu(cases[k]);
      const what = `${hex(Uint8Array.from(cases[k].code))} offset ${cases[k].offset}`;
      if (h.signal !== e.signal) failures.push(`${what}: signal ${h.signal} vs ${e.signal}`);
      else if (!h.signal) {
        if (hex(h.image) !== hex(e.image)) failures.push(`${what}: x87 state`);
        if (hex(h.mem) !== hex(e.mem)) failures.push(`${what}: memory`);
        if (h.mxcsr !== e.mxcsr) failures.push(`${what}: mxcsr`);
        if (hex(h.xmm) !== hex(e.xmm)) failures.push(`${what}: xmm`);
      }
    });
    assert.deepEqual(failures, []);
  },
});
