// Random instruction streams must never make core/ throw a JS error: every outcome is a normal
// exit or an architectural exception. EXIT_INTERNAL would be a NexaOS bug a guest could trigger.
import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { EXIT_INTERNAL, RSP } from "../../core/cpu/cpu.ts";

const CODE = 0x400000;
const DATA = 0x600000;

/** xorshift32: deterministic, so a failure can be replayed from its seed. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

function fuzzOnce(seed: number, jit: boolean): string | null {
  const next = rng(seed);
  const m = new TestMachine(4 * 1024 * 1024);
  m.cpu.jit = jit;
  m.map(CODE, 0x2000);
  m.map(DATA, 0x2000);
  const code = new Uint8Array(0x2000);
  // Mostly random bytes, with common prefixes and opcode escapes sprinkled in.
  const hot = [0x0f, 0x66, 0xf2, 0xf3, 0x48, 0x4c, 0xf0, 0x38, 0x3a, 0xc4, 0xc5, 0xd9, 0xdd];
  for (let k = 0; k < code.length; k++) {
    const r = next();
    code[k] = r % 4 === 0 ? hot[(r >>> 8) % hot.length] : (r >>> 16) & 0xff;
  }
  m.writeVirt(CODE, code);
  for (let r = 0; r < 32; r++) {
    // Registers point into DATA half the time so memory operands often succeed.
    m.cpu.r[r] = r % 2 === 0 && next() % 2 ? DATA + (next() % 0x1800) : next();
  }
  m.cpu.setRegFromNumber(RSP, DATA + 0x1000);
  for (let k = 0; k < 64; k++) m.cpu.xmm32[k] = next();
  let start = CODE;
  for (let attempt = 0; attempt < 60; attempt++) {
    m.cpu.rip = start;
    const exit = m.cpu.run(200);
    if (exit === EXIT_INTERNAL) {
      const err = m.cpu.exitError as Error;
      const at = m.cpu.rip - CODE;
      const bytes = [...code.subarray(at, at + 15)].map((b) => b.toString(16).padStart(2, "0"));
      return `seed ${seed} jit ${jit}: ${err?.stack ?? err} at +0x${at.toString(16)} [${
        bytes.join(" ")
      }]`;
    }
    // Restart somewhere else in the stream after a fault or a jump away.
    start = CODE + (next() % (0x2000 - 16));
  }
  return null;
}

Deno.test("random instruction streams never raise a JS error inside core/", () => {
  const failures: string[] = [];
  for (let seed = 1; seed <= 120 && failures.length < 5; seed++) {
    for (const jit of [false, true]) {
      const f = fuzzOnce(seed * 7919, jit);
      if (f) failures.push(f);
    }
  }
  assert.deepEqual(failures, []);
});
