// x87 instruction tests: stack handling and stack faults, the status/control/tag words, #MF at
// the next waiting instruction, comparisons into EFLAGS, conversions through memory, the
// environment and save images, FCMOV/FXAM/FPREM; and, when gcc is available, every x87 form of
// the table against the host CPU on random edge-case states (tests/cpu/x87_fuzz.ts).

import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { EXIT_BUDGET, EXIT_EXCEPTION } from "../../core/cpu/cpu.ts";
import { CF, getFlags, PF, setFlags, ZF } from "../../core/cpu/flags.ts";
import { VEC_MF } from "../../core/cpu/exceptions.ts";
import { storeSaveImage } from "../../core/fpu/x87-state.ts";
import { X87_FORMS } from "../../core/cpu/ops/x87.ts";
import { describeCase, fuzz } from "./x87_fuzz.ts";
import { hostAvailable } from "./x87_host.ts";

const CODE = 0x400000;
const DATA = 0x600000;

function machine(): TestMachine {
  const m = new TestMachine();
  m.map(CODE, 0x1000);
  m.map(DATA, 0x1000);
  m.cpu.setRegFromNumber(6, DATA); // RSI: memory operands use [rsi]
  m.cpu.rip = CODE;
  return m;
}

/** Execute instructions given as hex strings, one step each; returns the last exit code. */
function exec(m: TestMachine, ...insns: string[]): number {
  let exit = EXIT_BUDGET;
  for (const hex of insns) {
    const bytes = hex.replace(/\s+/g, "").match(/../g)!.map((h) => parseInt(h, 16));
    const at = m.cpu.rip;
    m.writeVirt(at, bytes);
    m.cpu.icache.invalidatePage(m.phys(at) >>> 12);
    exit = m.cpu.step();
    if (exit !== EXIT_BUDGET) return exit;
  }
  return exit;
}

/** ST(i) as "seee:ssssssssssssssss" hex. */
function st(m: TestMachine, i: number): string {
  const v = m.cpu.fpu.read(i);
  return `${((v.sign << 15) | v.exp).toString(16).padStart(4, "0")}:${
    v.sig.toString(16).padStart(16, "0")
  }`;
}

const IE = 0x01, ZE = 0x04, PE = 0x20, SF = 0x40, ES = 0x80, C0 = 0x100, C1 = 0x200;
const C2 = 0x400, C3 = 0x4000, B = 0x8000;

Deno.test("x87: loads, arithmetic and a float64 store", () => {
  const m = machine();
  // fld1; fldpi; faddp st(1), st; fstp qword [rsi]
  assert.equal(exec(m, "d9e8", "d9eb", "dec1", "dd1e"), EXIT_BUDGET);
  assert.equal(m.mem.dv.getFloat64(m.phys(DATA), true), Math.PI + 1);
  assert.equal(m.cpu.fpu.tags, 0);
  assert.equal(m.cpu.fpu.top, 0);
  assert.equal(m.cpu.fpu.statusWord & PE, PE);
  // fild dword [rsi]; fidiv word [rsi+4]; fistp dword [rsi+8] with RC = nearest
  m.mem.dv.setInt32(m.phys(DATA), -7, true);
  m.mem.dv.setInt16(m.phys(DATA + 4), 2, true);
  exec(m, "db06", "de7604", "db5e08");
  assert.equal(m.mem.dv.getInt32(m.phys(DATA + 8), true), -4); // -3.5 rounds to even
});

Deno.test("x87: stack overflow and underflow set IE, SF and C1", () => {
  const m = machine();
  for (let k = 0; k < 8; k++) exec(m, "d9e8");
  assert.equal(m.cpu.fpu.tags, 0xff);
  exec(m, "d9ee"); // fldz onto a full stack
  const sw = m.cpu.fpu.statusWord;
  assert.equal(sw & (IE | SF | C1), IE | SF | C1);
  assert.equal(st(m, 0), "ffff:c000000000000000"); // masked response: the real indefinite
  exec(m, "dbe3", "d8c1"); // fninit; fadd st, st(1) on an empty stack
  assert.equal(m.cpu.fpu.statusWord & (IE | SF | C1), IE | SF);
  assert.equal(st(m, 0), "ffff:c000000000000000");
});

Deno.test("x87: an unmasked exception raises #MF at the next waiting instruction", () => {
  const m = machine();
  m.mem.dv.setUint16(m.phys(DATA), 0x037b, true); // ZE unmasked
  assert.equal(exec(m, "d92e", "d9e8", "d9ee", "def9"), EXIT_BUDGET); // fldcw; 1/0
  const fpu = m.cpu.fpu;
  assert.equal(fpu.statusWord & (ZE | ES | B), ZE | ES | B);
  assert.equal(st(m, 1), "3fff:8000000000000000"); // the destination is left alone, no pop
  assert.equal(exec(m, "dfe0"), EXIT_BUDGET); // fnstsw ax does not wait
  assert.equal(m.cpu.r16[0], fpu.statusWord);
  const at = m.cpu.rip;
  assert.equal(exec(m, "9b"), EXIT_EXCEPTION); // fwait
  assert.equal(m.cpu.exitException!.vector, VEC_MF);
  assert.equal(m.cpu.rip, at);
  assert.equal(exec(m, "d9e8"), EXIT_EXCEPTION); // any waiting x87 instruction
  m.cpu.rip = at;
  assert.equal(exec(m, "dbe2", "9b", "d9e8"), EXIT_BUDGET); // fnclex clears it
  assert.equal(fpu.statusWord & (ZE | ES | B), 0);
  // With ZE masked the division gives +inf and nothing is pending; an FLDCW that unmasks the
  // set flag makes it pending.
  m.mem.dv.setUint16(m.phys(DATA), 0x037f, true);
  exec(m, "d92e", "d9e8", "d9ee", "def9");
  assert.equal(fpu.statusWord & (ZE | ES), ZE);
  assert.equal(st(m, 0), "7fff:8000000000000000");
  m.mem.dv.setUint16(m.phys(DATA), 0x037b, true);
  exec(m, "d92e");
  assert.equal(fpu.pending, true);
});

Deno.test("x87: FCOMI/FUCOMIP set ZF PF CF; FCOM sets C3 C2 C0", () => {
  const m = machine();
  const cpu = m.cpu;
  setFlags(cpu, 0x202 | 0x800 | 0x80 | 0x10);
  exec(m, "d9e8", "d9ee", "dbf1"); // ST0 = 0, ST1 = 1: fcomi st, st(1) -> below
  assert.equal(getFlags(cpu) & (ZF | PF | CF | 0x890), CF);
  exec(m, "d9c0", "dff0"); // fld st(0); fcomip st, st(0)... equal
  assert.equal(getFlags(cpu) & (ZF | PF | CF), ZF);
  exec(m, "d9e1", "d8d1"); // fabs; fcom st(1): 0 < 1
  assert.equal(cpu.fpu.statusWord & (C3 | C2 | C0), C0);
  // A QNaN: FUCOMIP is quiet, FCOMI is invalid.
  m.mem.dv.setBigUint64(m.phys(DATA), 0xfff8000000000000n, true);
  exec(m, "dd06", "dfe9");
  assert.equal(getFlags(cpu) & (ZF | PF | CF), ZF | PF | CF);
  assert.equal(cpu.fpu.statusWord & IE, 0);
  exec(m, "dd06", "dbf1");
  assert.equal(cpu.fpu.statusWord & IE, IE);
});

Deno.test("x87: FISTTP truncates, FIST honours RC, invalid gives the integer indefinite", () => {
  const m = machine();
  const dv = m.mem.dv, p = m.phys(DATA);
  dv.setFloat64(p, -2.75, true);
  exec(m, "dd06", "df4e08"); // fld qword [rsi]; fisttp word [rsi+8]
  assert.equal(dv.getInt16(p + 8, true), -2);
  dv.setFloat64(p, 1e30, true);
  exec(m, "dd06", "db5e10"); // fistp dword [rsi+16]
  assert.equal(dv.getUint32(p + 16, true), 0x80000000);
  assert.equal(m.cpu.fpu.statusWord & IE, IE);
  dv.setUint16(p + 24, 0x077f, true); // RC = down
  dv.setFloat64(p, 2.5, true);
  exec(m, "d96e18", "dd06", "df7e20"); // fldcw; fld; fistp qword [rsi+32]
  assert.equal(dv.getBigInt64(p + 32, true), 2n);
});

Deno.test("x87: FBLD/FBSTP packed BCD", () => {
  const m = machine();
  const p = m.phys(DATA);
  m.mem.u8.set([0x21, 0x43, 0x65, 0x87, 0x09, 0, 0, 0, 0, 0x80], p);
  exec(m, "df26", "d9e0", "df760a"); // fbld; fchs; fbstp [rsi+10]
  assert.deepEqual(Array.from(m.mem.u8.subarray(p + 10, p + 20)), [
    0x21,
    0x43,
    0x65,
    0x87,
    0x09,
    0,
    0,
    0,
    0,
    0,
  ]);
});

Deno.test("x87: FNSTENV/FLDENV and FNSAVE/FRSTOR images", () => {
  const m = machine();
  const fpu = m.cpu.fpu;
  exec(m, "d9e8", "d9eb", "d9c9"); // fld1; fldpi; fxch
  const before = storeSaveImage(fpu);
  exec(m, "d936"); // fnstenv [rsi]: 28 bytes, then all exceptions masked
  const env = m.readVirt(DATA, 28);
  assert.equal(env[0] | (env[1] << 8), 0x037f);
  assert.equal(env[2] | (env[3] << 8), 0xffff); // the unused halves read as ones
  assert.equal(env[8] | (env[9] << 8), 0x0fff); // tags: ST0, ST1 valid, the rest empty
  exec(m, "dd7640"); // fnsave [rsi+64]: then FNINIT
  assert.equal(fpu.tags, 0);
  assert.equal(fpu.cw, 0x037f);
  exec(m, "dd6640"); // frstor [rsi+64]
  assert.deepEqual(
    Array.from(storeSaveImage(fpu)).slice(28),
    Array.from(before).slice(28),
  );
  assert.equal(st(m, 0), "3fff:8000000000000000");
  // 16-bit layout with a 66 prefix: 14 bytes (CW, SW, TW, IP, CS, DP, DS).
  m.writeVirt(DATA + 200, new Uint8Array(16).fill(0xaa));
  exec(m, "66d9b6c8000000");
  const env16 = m.readVirt(DATA + 200, 16);
  assert.equal(env16[0] | (env16[1] << 8), 0x037f);
  assert.equal(env16[4] | (env16[5] << 8), 0x0fff);
  assert.equal(env16[8] | (env16[9] << 8), 0x33); // FCS
  assert.deepEqual(Array.from(env16.subarray(14)), [0xaa, 0xaa]);
});

Deno.test("x87: FCMOVcc, FXAM classes and FSIN out of range", () => {
  const m = machine();
  const cpu = m.cpu;
  exec(m, "d9e8", "d9ee"); // ST0 = 0, ST1 = 1
  setFlags(cpu, 0x202 | CF);
  exec(m, "dac1"); // fcmovb st, st(1): taken
  assert.equal(st(m, 0), "3fff:8000000000000000");
  exec(m, "d9e0", "d9e5"); // fchs; fxam: negative normal
  assert.equal(cpu.fpu.statusWord & (C3 | C2 | C1 | C0), C2 | C1);
  exec(m, "ddc0", "d9e5"); // ffree st(0); fxam: empty
  assert.equal(cpu.fpu.statusWord & (C3 | C2 | C0), C3 | C0);
  m.mem.dv.setFloat64(m.phys(DATA), 2 ** 63, true);
  exec(m, "dbe3", "dd06", "d9fe"); // fsin(2^63): C2, unchanged
  assert.equal(cpu.fpu.statusWord & C2, C2);
  assert.equal(st(m, 0), "403e:8000000000000000");
});

Deno.test("x87: FPREM loop reduces a huge dividend in partial steps", () => {
  const m = machine();
  const dv = m.mem.dv, p = m.phys(DATA);
  dv.setFloat64(p, 3, true);
  dv.setFloat64(p + 8, 2 ** 200, true);
  exec(m, "dd06", "dd4608"); // ST0 = 2^200, ST1 = 3
  let steps = 0;
  do {
    exec(m, "d9f8");
    steps++;
  } while (m.cpu.fpu.statusWord & C2);
  assert.ok(steps > 1);
  // 2^200 mod 3 = (2^2)^100 mod 3 = 1
  assert.equal(st(m, 0), "3fff:8000000000000000");
});

Deno.test("x87: MMX registers alias the significands of the physical registers", () => {
  const m = machine();
  const fpu = m.cpu.fpu;
  exec(m, "d9eb"); // fldpi into physical register 7
  assert.equal(fpu.top, 7);
  assert.equal(fpu.regs32[4 * 7 + 1], 0xc90fdaa2);
  assert.equal(fpu.regs32[4 * 7], 0x2168c235);
  assert.equal(fpu.regs[8 * 7 + 4], 0x4000);
  fpu.enterMmx();
  assert.equal(fpu.top, 0);
  assert.equal(fpu.tags, 0xff);
});

Deno.test({
  name: "x87: every form matches the host CPU on random edge-case states",
  ignore: !hostAvailable(),
  async fn() {
    const failures = [
      ...await fuzz(6, 1),
      ...await fuzz(6, 2, undefined, { unmasked: true }),
      ...await fuzz(2, 3, undefined, { pending: true }),
    ];
    const report = failures.slice(0, 10).map((f) =>
      `${f.spec.mnem} ${f.spec.op} ${f.spec.args}: ${describeCase(f.c)} ${
        JSON.stringify(f.mismatches)
      }`
    );
    assert.deepEqual(report, []);
    assert.ok(X87_FORMS.length > 140);
  },
});
