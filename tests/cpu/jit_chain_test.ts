// Block-to-block transitions between compiled blocks must be invisible: a long branchy loop
// spread over three code pages (so its blocks are separate compiled functions, linked by the
// run loop) that faults partway must leave the same registers, RIP, fault and retired-instruction
// count compiled as interpreted, whatever budget slices run() is called with.
import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { EXIT_BUDGET, EXIT_EXCEPTION, RAX, RBX, RCX, RSP } from "../../core/cpu/cpu.ts";
import { getFlags } from "../../core/cpu/flags.ts";

const TOP = 0x400000;
const ODD = 0x401000;
const EVEN = 0x401100;
const FUNC = 0x401200;
const LATCH = 0x402000;
const DATA = 0x600000;
const DATA_BYTES = 0x2000;
const ITERATIONS = 5000;

const rel32 = (from: number, to: number) => {
  const d = (to - from) >>> 0;
  return [d & 0xff, (d >>> 8) & 0xff, (d >>> 16) & 0xff, d >>> 24];
};

function loopMachine(jit: boolean) {
  const m = new TestMachine();
  m.cpu.jit = jit;
  m.map(TOP, 0x3000);
  m.map(DATA, DATA_BYTES);
  m.map(0x7f0000, 0x1000);
  m.cpu.setRegFromNumber(RSP, 0x7f0800);
  // deno-fmt-ignore
  m.writeVirt(TOP, [
    0x48, 0x01, 0xc8, //                 add rax, rcx
    0x48, 0x89, 0x03, //                 mov [rbx], rax    (faults past the end of DATA)
    0x48, 0x83, 0xc3, 0x08, //           add rbx, 8
    0xf6, 0xc1, 0x01, //                 test cl, 1
    0x0f, 0x85, ...rel32(TOP + 19, ODD), // jnz ODD
    0xe9, ...rel32(TOP + 24, EVEN), //   jmp EVEN
  ]);
  // deno-fmt-ignore
  m.writeVirt(ODD, [
    0x48, 0xff, 0xc2, //                 inc rdx
    0xe9, ...rel32(ODD + 8, LATCH), //   jmp LATCH
  ]);
  // deno-fmt-ignore
  m.writeVirt(EVEN, [
    0x48, 0x83, 0xea, 0x03, //           sub rdx, 3
    0xe8, ...rel32(EVEN + 9, FUNC), //   call FUNC
    0xe9, ...rel32(EVEN + 14, LATCH), // jmp LATCH
  ]);
  m.writeVirt(FUNC, [0x48, 0x31, 0xd6, 0xc3]); // xor rsi, rdx; ret
  // deno-fmt-ignore
  m.writeVirt(LATCH, [
    0x48, 0xff, 0xc9, //                 dec rcx
    0x0f, 0x85, ...rel32(LATCH + 9, TOP), // jnz TOP
    0x0f, 0x0b, //                       ud2
  ]);
  m.cpu.setRegFromNumber(RBX, DATA);
  m.cpu.setRegFromNumber(RCX, ITERATIONS);
  m.cpu.rip = TOP;
  return m;
}

/** Run in slices of `slice` instructions until something other than the budget stops it. */
function runSliced(m: TestMachine, slice: number): number {
  for (;;) {
    const r = m.cpu.run(slice);
    if (r !== EXIT_BUDGET) return r;
  }
}

// The store faults in iteration DATA_BYTES / 8 + 1, after its ADD; iterations alternate between
// the even path (13 instructions) and the odd one (9), starting even.
const STORES = DATA_BYTES / 8;
const EXPECTED_RETIRED = (STORES / 2) * 13 + (STORES / 2) * 9 + 1;

Deno.test("a branchy loop over compiled blocks faults with the interpreter's state and count", () => {
  for (const slice of [100_000, 997, 31]) {
    const compiled = loopMachine(true);
    const interpreted = loopMachine(false);
    assert.equal(runSliced(compiled, slice), EXIT_EXCEPTION);
    assert.equal(runSliced(interpreted, slice), EXIT_EXCEPTION);
    for (const m of [compiled, interpreted]) {
      assert.equal(m.cpu.exitException?.vector, 14, `slice ${slice}`);
      assert.equal(m.cpu.exitException?.address, DATA + DATA_BYTES);
      assert.equal(m.cpu.rip, TOP + 3); // the mov [rbx], rax
      assert.equal(m.cpu.instructions, EXPECTED_RETIRED, `slice ${slice}`);
      assert.equal(m.cpu.r64[RCX], BigInt(ITERATIONS - STORES));
    }
    assert.deepEqual(compiled.cpu.r, interpreted.cpu.r, `slice ${slice}`);
    assert.equal(getFlags(compiled.cpu), getFlags(interpreted.cpu));
    assert.deepEqual(compiled.readVirt(DATA, DATA_BYTES), interpreted.readVirt(DATA, DATA_BYTES));
    for (const a of [TOP, ODD, EVEN, LATCH]) {
      assert.notEqual(compiled.cpu.icache.lookup(compiled.phys(a))?.compiled ?? null, null);
    }
    let sum = 0n;
    for (let c = ITERATIONS; c > ITERATIONS - STORES - 1; c--) sum += BigInt(c);
    assert.equal(compiled.cpu.r64[RAX], sum);
  }
});
