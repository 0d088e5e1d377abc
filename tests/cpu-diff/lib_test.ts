// Self-tests of the differential-test machinery: deterministic generation, encodings that
// select their form and address what they meant to, vector records that round-trip, stale and
// wrong vectors that are reported, and (on an x86-64 host with gcc) the native harness itself.

import assert from "node:assert/strict";
import { Emulator } from "./lib/emulate.ts";
import { DATA_BASE, GS_BASE, INSN_ADDR } from "./lib/layout.ts";
import { allForms, generateForm, inputHash, selectForms } from "./lib/pipeline.ts";
import { type CaseResult, END_FALLTHROUGH, END_SIGNAL, serializeCases } from "./lib/protocol.ts";
import { replayForm } from "./lib/replay.ts";
import { encodeOutcome, newWriter, OutcomeReader } from "./lib/vectors.ts";
import { hashWords } from "./lib/rng.ts";

const forms = allForms();
const movLoad = selectForms(forms, ["8B /r"])[0];

Deno.test("cpu-diff: case generation is deterministic", () => {
  for (const info of forms.filter((f) => !f.skip).slice(0, 60)) {
    const a = serializeCases(generateForm(info, 0, 4).cases.map((c) => c.input));
    const b = serializeCases(generateForm(info, 0, 4).cases.map((c) => c.input));
    assert.deepEqual(a, b, info.key);
  }
  const other = generateForm(movLoad, 1, 4);
  assert.notEqual(inputHash(other), inputHash(generateForm(movLoad, 0, 4)));
});

Deno.test("cpu-diff: encodings select their form and address their target", () => {
  const emu = new Emulator();
  const cpu = emu.machine.cpu;
  let checked = 0;
  for (const info of forms.filter((f) => !f.skip)) {
    for (const c of generateForm(info, 0, 6).cases) {
      assert.equal(c.insn.form, info.form, info.key);
      if (c.target === null || !c.insn.isMem) continue;
      cpu.r.set(c.input.gpr);
      cpu.gsBase = GS_BASE;
      cpu.rip = INSN_ADDR + c.insn.len;
      assert.equal(cpu.ea(c.insn), c.target, `${info.key} ${c.variant.name}`);
      checked++;
    }
  }
  assert.ok(checked > 100, `only ${checked} memory operands checked`);
});

function fakeResult(input: ReturnType<typeof generateForm>["cases"][0]["input"]): CaseResult {
  const gpr = input.gpr.slice();
  gpr[6] ^= 0x80000001;
  const fx = input.fx.slice();
  fx[170] ^= 0xff;
  return {
    end: END_SIGNAL,
    signo: 11,
    trapno: 14,
    err: 6,
    code: 1,
    addrLo: 0x10002000,
    addrHi: 0,
    rip: INSN_ADDR,
    gpr,
    rflags: 0x10a47,
    fx,
    memOff: Uint16Array.from([5, 6, 7, 100]),
    memVal: Uint8Array.from([1, 2, 3, 4]),
    dataHash: 0,
  };
}

Deno.test("cpu-diff: outcome records round-trip", () => {
  const cases = generateForm(movLoad, 0, 2).cases;
  const w = newWriter();
  const results = cases.map((c, k) =>
    k === 0 ? fakeResult(c.input) : {
      ...fakeResult(c.input),
      end: END_FALLTHROUGH,
      rip: INSN_ADDR + c.input.insn.length,
      signo: 0,
      trapno: 0,
      err: 0,
      code: 0,
      addrLo: 0,
    }
  );
  cases.forEach((c, k) => encodeOutcome(w, c.input, results[k]));
  const reader = new OutcomeReader(w.done());
  cases.forEach((c, k) => assert.deepEqual(reader.next(c.input), results[k]));
  assert.ok(reader.done);
});

Deno.test("cpu-diff: stale and wrong vectors are reported", () => {
  const emu = new Emulator();
  const fc = generateForm(movLoad);
  // Expected results computed by the emulator itself: replay must then agree...
  const w = newWriter();
  for (const c of fc.cases) encodeOutcome(w, c.input, emu.run(c.input, false));
  const vec = {
    key: movLoad.key,
    inputHash: inputHash(fc),
    count: fc.cases.length,
    payload: w.done(),
  };
  assert.equal(replayForm(emu, movLoad, vec).mismatches, 0);
  // ...a wrong expected value must be caught...
  const bad = newWriter();
  fc.cases.forEach((c, k) => {
    const r = emu.run(c.input, false);
    if (k === 3) r.gpr[0] ^= 1;
    encodeOutcome(bad, c.input, r);
  });
  const wrong = replayForm(emu, movLoad, { ...vec, payload: bad.done() });
  assert.equal(wrong.mismatches, 1);
  assert.match(wrong.shown[0], /rax: expected/);
  // ...and vectors recorded from other inputs are stale.
  const stale = replayForm(emu, movLoad, { ...vec, inputHash: vec.inputHash ^ 1 });
  assert.match(stale.shown[0], /stale vectors/);
});

const nativeHost = Deno.build.os === "linux" && Deno.build.arch === "x86_64" &&
  (() => {
    try {
      return new Deno.Command("gcc", { args: ["--version"], stdout: "null" }).outputSync().success;
    } catch {
      return false;
    }
  })();

Deno.test({
  name: "cpu-diff: the native harness runs instructions and reports faults",
  ignore: !nativeHost,
  fn: async () => {
    const { runNative, isCrash } = await import("./lib/native.ts");
    const base = generateForm(movLoad, 0, 1).cases[0].input;
    const gpr = new Uint32Array(32);
    gpr[0] = 0xffffffff; // rax
    gpr[6] = 1; // rbx
    gpr[8] = DATA_BASE + 0x800; // rsp
    const add = { ...base, gpr, rflags: 0x202, insn: Uint8Array.from([0x48, 0x01, 0xd8]) };
    const ud2 = { ...add, insn: Uint8Array.from([0x0f, 0x0b]) };
    const push = { ...add, insn: Uint8Array.from([0x53]) };
    const [r1, r2, r3] = await runNative([add, ud2, push]);
    assert.ok(!isCrash(r1) && !isCrash(r2) && !isCrash(r3));
    assert.equal(r1.end, END_FALLTHROUGH);
    assert.deepEqual([r1.gpr[0], r1.gpr[1]], [0, 1]); // 0xffffffff + 1 carries into bit 32
    assert.equal(r1.rflags & 0x8d5, 0x14); // PF, AF; no CF/ZF/SF/OF
    assert.equal(r2.end, END_SIGNAL);
    assert.equal(r2.trapno, 6);
    assert.equal(r2.signo, 4);
    assert.deepEqual(Array.from(r3.memOff), [
      0x7f8,
      0x7f9,
      0x7fa,
      0x7fb,
      0x7fc,
      0x7fd,
      0x7fe,
      0x7ff,
    ]);
    const emu = new Emulator();
    const data = emu.loadData(add);
    assert.equal(r1.dataHash, hashWords(new Uint32Array(data.buffer, data.byteOffset, 2048)));
  },
});
