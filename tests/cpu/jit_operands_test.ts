// The block compiler's inline operand code (core/cpu/jit-operands.ts) must match the handlers:
// random blocks of byte-sized ALU/TEST/MOV/MOVZX, ALU and TEST with memory sources, CMP/TEST of
// memory, MOV loads and stores of registers and immediates (through [rbp+disp], sometimes at the
// end of the data page so the access crosses into an unmapped page, sometimes through a random
// register), each block ending in a Jcc on any condition code, run compiled and interpreted from
// the same random state; registers, RFLAGS, RIP, memory, faults and instruction counts must agree.
import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { assertSameState, twinMachines } from "../lib/jit-twins.ts";
import { le32, type Rng, rng } from "../lib/xorshift.ts";
import { EXIT_EXCEPTION, RBP } from "../../core/cpu/cpu.ts";
import { setFlags } from "../../core/cpu/flags.ts";
import { JIT_THRESHOLD } from "../../core/cpu/jit.ts";

const CODE = 0x400000;
const DATA = 0x600000;

const modrm = (mod: number, reg: number, rm: number) => (mod << 6) | ((reg & 7) << 3) | (rm & 7);
const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678];

/** REX with W/R/B bits; `force` emits 0x40 even with no bit set (byte registers SPL..DIL). */
function rex(w: boolean, reg: number, rm: number, force = false): number[] {
  const b = 0x40 | (w ? 8 : 0) | ((reg >> 3) << 2) | (rm >> 3);
  return b === 0x40 && !force ? [] : [b];
}

/** A register the instruction may write: never RSP or RBP (nor SPL/BPL through a REX). */
function writable(g: Rng): number {
  for (;;) {
    const n = g.below(16);
    if (n !== 4 && n !== 5) return n;
  }
}

/** ModRM (+ displacement) of a memory operand, and the base register it uses. */
function memory(g: Rng, reg: number): { bytes: number[]; base: number } {
  if (g.below(8) === 0) { // a random register as the base: usually an unmapped address
    let base = g.below(16);
    if ((base & 7) === 4 || (base & 7) === 5) base = 3;
    return { bytes: [modrm(0, reg, base)], base };
  }
  // RBP points at DATA + 0xf00: displacements up to 0xff reach the end of the page.
  const disp = g.below(4) === 0 ? 0xf8 + g.below(8) : g.below(0xf0);
  return { bytes: [modrm(1, reg, 5), disp], base: RBP };
}

function randomInsn(g: Rng): number[] {
  const w = g.below(2) === 0;
  const op = g.pick([0, 1, 2, 3, 4, 5, 6, 7, 7, 7]);
  const imm = g.below(3) === 0 ? g.pick(INTERESTING) : g.next();
  const force = g.below(2) === 0;
  switch (g.below(16)) {
    case 0: { // ALU Eb,Gb / Gb,Eb between byte registers
      const d = writable(g), s = g.below(16);
      const gForm = g.below(2);
      const [e, r] = gForm ? [s, d] : [d, s];
      return [...rex(false, r, e, force), op * 8 + (gForm ? 2 : 0), modrm(3, r, e)];
    }
    case 1: // ALU Eb, imm8 (80) or AL, imm8
      return g.below(2)
        ? [...rex(false, 0, writable(g), force), 0x80, modrm(3, op, writable(g)), imm & 0xff]
        : [op * 8 + 4, imm & 0xff];
    case 2: // TEST Eb,Gb / Eb,imm8 / AL,imm8
      return g.pick([
        [...rex(false, g.below(16), g.below(16), force), 0x84, modrm(3, g.below(8), g.below(8))],
        [0xf6, modrm(3, 0, g.below(8)), imm & 0xff],
        [0xa8, imm & 0xff],
      ]);
    case 3: { // ALU Gv,Ev / Gb,Eb from memory
      const d = writable(g), m = memory(g, d);
      const byte = g.below(3) === 0;
      return [...rex(w && !byte, d, m.base, force), op * 8 + (byte ? 2 : 3), ...m.bytes];
    }
    case 4: { // CMP/TEST of memory with a register
      const r = g.below(16), m = memory(g, r);
      const opcode = g.pick([0x38, 0x39, 0x84, 0x85]);
      return [...rex(w, r, m.base, force), opcode, ...m.bytes];
    }
    case 5: { // CMP/TEST of memory with an immediate
      const m = memory(g, 7), t = memory(g, 0);
      return g.pick([
        [...rex(w, 0, m.base), 0x80, ...m.bytes, imm & 0xff],
        [...rex(w, 0, m.base), 0x83, ...m.bytes, imm & 0xff],
        [...rex(w, 0, m.base), 0x81, ...m.bytes, ...le32(imm)],
        [...rex(false, 0, t.base), 0xf6, ...t.bytes, imm & 0xff],
        [...rex(w, 0, t.base), 0xf7, ...t.bytes, ...le32(imm)],
      ]);
    }
    case 6: { // MOV loads: 8A, 8B, MOVZX
      const d = writable(g), m = memory(g, d);
      const opcode = g.pick([[0x8a], [0x8b], [0x0f, 0xb6], [0x0f, 0xb7]]);
      return [...rex(w, d, m.base, force), ...opcode, ...m.bytes];
    }
    case 7: { // MOV stores: 88, 89, C6, C7
      const s = g.below(16), m = memory(g, s), z = memory(g, 0);
      return g.pick([
        [...rex(w, s, m.base, force), g.pick([0x88, 0x89]), ...m.bytes],
        [...rex(false, 0, z.base), 0xc6, ...z.bytes, imm & 0xff],
        [...rex(w, 0, z.base), 0xc7, ...z.bytes, ...le32(imm)],
      ]);
    }
    case 8: { // MOV between byte registers, MOV r8, imm8
      const d = writable(g);
      return g.pick([
        [...rex(false, g.below(16), d, force), 0x88, modrm(3, g.below(16), d)],
        [...rex(false, d, g.below(16), force), 0x8a, modrm(3, d, g.below(16))],
        [...rex(false, 0, d, force), 0xb0 + (d & 7), imm & 0xff],
        [...rex(false, 0, d, force), 0xc6, modrm(3, 0, d), imm & 0xff],
      ]);
    }
    case 9: { // MOVZX between registers
      const d = writable(g), s = g.below(16);
      return [...rex(w, d, s, force), 0x0f, g.pick([0xb6, 0xb7]), modrm(3, d, s)];
    }
    case 10: { // ALU Ev,Gv / Ev,imm between 32/64-bit registers (includes ADC/SBB: handlers)
      const d = writable(g), s = g.below(16);
      return g.below(2)
        ? [...rex(w, s, d), op * 8 + 1, modrm(3, s, d)]
        : [...rex(w, 0, d), 0x83, modrm(3, op, d), imm & 0xff];
    }
    case 11: // ADD/SUB to memory (read-modify-write: the handler)
      return [...rex(w, 0, RBP), 0x83, modrm(1, g.pick([0, 5]), 5), g.below(0xf0), imm & 0xff];
    default: { // CMP of byte registers or a byte register with an immediate (Jcc fodder)
      return g.below(2)
        ? [...rex(false, g.below(16), g.below(16), force), 0x38, modrm(3, g.below(8), g.below(8))]
        : [0x80, modrm(3, 7, g.below(8)), imm & 0xff];
    }
  }
}

function randomState(m: TestMachine, g: Rng) {
  for (let k = 0; k < 32; k++) m.cpu.r[k] = g.below(4) === 0 ? g.pick(INTERESTING) : g.next();
  // Some registers small enough to be mapped addresses (DATA) when used as a base.
  if (g.below(2)) m.cpu.setRegFromNumber(3, DATA + g.below(0x1000));
  m.cpu.setRegFromNumber(RBP, DATA + 0xf00);
  m.cpu.setRegFromNumber(4, DATA + 0x800);
  const words = Array.from({ length: 1024 }, () => g.below(2) ? g.next() : g.pick(INTERESTING));
  m.writeVirt(DATA, new Uint8Array(new Uint32Array(words).buffer));
  setFlags(m.cpu, (g.next() & 0x8d5) | 0x202);
}

function machines(code: number[]) {
  return twinMachines(code, CODE, [[CODE, 0x1000], [DATA, 0x1000]]);
}

function compare(a: TestMachine, b: TestMachine, what: string) {
  assertSameState(a, b, what, {
    regions: [{ name: "memory", address: DATA, bytes: 0x1000 }],
    faultAddress: true,
  });
}

Deno.test("inline byte and memory-operand code matches the handlers", () => {
  let faults = 0;
  for (let seed = 1; seed <= 100; seed++) {
    const g = rng(seed * 6151);
    const body: number[] = [];
    const n = 1 + g.below(10);
    for (let k = 0; k < n; k++) body.push(...randomInsn(g));
    // Jcc over a ud2 to another ud2: either way the run ends with an exception.
    const code = [...body, 0x70 + g.below(16), 2, 0x0f, 0x0b, 0x0f, 0x0b];
    const [a, b] = machines(code);
    for (let pass = 0; pass < JIT_THRESHOLD + 4; pass++) {
      for (const m of [a, b]) {
        randomState(m, rng(seed * 37 + pass));
        m.cpu.rip = CODE;
        assert.equal(m.run(), EXIT_EXCEPTION);
      }
      compare(a, b, `seed ${seed} pass ${pass}`);
      if (a.cpu.exitException?.vector !== 6) faults++;
    }
  }
  // The generator must exercise the fault paths too.
  assert.ok(faults > 100, `only ${faults} faulting runs`);
});
