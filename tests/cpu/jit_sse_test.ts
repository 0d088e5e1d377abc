// The block compiler's inline SSE code and IMUL (core/cpu/jit-sse.ts, jit-inline.ts) must match
// the handlers: random blocks of XMM moves, packed-integer operations, binary32/binary64
// arithmetic (register and memory operands, aligned, misaligned and faulting) and IMUL followed
// by flag readers run compiled and interpreted from the same random state (edge-value float
// lanes, every kind of MXCSR); registers, XMM, MXCSR, RFLAGS, memory, faults and instruction
// counts must agree.
import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { assertSameState, twinMachines } from "../lib/jit-twins.ts";
import { type Rng, rng } from "../lib/xorshift.ts";
import { EXIT_EXCEPTION } from "../../core/cpu/cpu.ts";
import { setFlags } from "../../core/cpu/flags.ts";
import { JIT_THRESHOLD } from "../../core/cpu/jit.ts";
import { INLINED_SSE_FORMS } from "../../core/cpu/jit-sse.ts";
import { FORMS } from "../../core/cpu/table.ts";

const CODE = 0x400000;
const DATA = 0x600000;
const RBP = 5;

const PREFIX: Record<string, number[]> = { NP: [], "66": [0x66], F3: [0xf3], F2: [0xf2] };

/** Vx,Wx-shaped forms: [prefix, opcode after 0F, memory operand size class]. */
const XMM_FORMS: [string, number][] = [
  ["66", 0xfe],
  ["66", 0xfa],
  ["66", 0xdb],
  ["66", 0xdf],
  ["66", 0xeb],
  ["66", 0xef],
  ["NP", 0x54],
  ["66", 0x54],
  ["NP", 0x55],
  ["NP", 0x56],
  ["66", 0x57],
  ["66", 0xf4],
  ["66", 0x62],
  ["NP", 0x14],
  ["66", 0x6c],
  ["66", 0x14],
  ["66", 0x15],
  ["NP", 0x10],
  ["66", 0x10],
  ["F3", 0x6f],
  ["NP", 0x28],
  ["66", 0x28],
  ["66", 0x6f],
  ["NP", 0x11],
  ["66", 0x11],
  ["F3", 0x7f],
  ["NP", 0x29],
  ["66", 0x29],
  ["66", 0x7f],
  ["F3", 0x10],
  ["F2", 0x10],
  ["F3", 0x7e],
  ["F3", 0x11],
  ["F2", 0x11],
  ["66", 0xd6],
  ["66", 0x6e],
  ["66", 0x7e],
];
for (const op of [0x58, 0x59, 0x5c, 0x5e, 0x51]) {
  for (const p of ["NP", "66", "F3", "F2"]) XMM_FORMS.push([p, op]);
}
// The arithmetic forms again, so they make up most of the mix.
const ARITH = XMM_FORMS.slice(-20);

/** A ModRM memory operand through RBP (mostly aligned), RBP+RCX*8, or a random base. */
function memoryOperand(g: Rng, reg: number): { rex: number; bytes: number[] } {
  const r = (reg & 7) << 3;
  const rexR = reg >> 3 ? 4 : 0;
  const disp = g.below(8) === 0 ? g.below(120) : g.below(8) * 16;
  switch (g.below(8)) {
    case 0: { // random base register: usually unmapped or non-canonical
      const base = g.pick([0, 2, 3, 6, 8, 9]);
      return { rex: rexR | (base >> 3), bytes: [0x40 | r | (base & 7), disp] };
    }
    case 1: // [rbp + rcx*8 + disp8]
      return { rex: rexR, bytes: [0x44 | r, 0xcd, disp] };
    default:
      return { rex: rexR, bytes: [0x45 | r, disp] };
  }
}

function sseInsn(g: Rng): number[] {
  const [p, op] = g.below(2) ? g.pick(ARITH) : g.pick(XMM_FORMS);
  const reg = g.below(16), rm = g.below(16);
  let rex = (reg >> 3 ? 4 : 0) | (rm >> 3 ? 1 : 0);
  if ((op === 0x6e || op === 0x7e) && p === "66") {
    if (g.below(2)) rex |= 8; // MOVQ
    // General register operands avoid RSP and RBP.
    const gpr = g.pick([0, 1, 2, 3, 6, 7, 8, 12]);
    rex = (rex & ~1) | (gpr >> 3);
    if (g.below(2)) {
      return [
        ...PREFIX[p],
        ...(rex ? [0x40 | rex] : []),
        0x0f,
        op,
        0xc0 | ((reg & 7) << 3) | (gpr & 7),
      ];
    }
  }
  if (g.below(3) === 0) {
    const m = memoryOperand(g, reg);
    rex = (rex & 8) | m.rex;
    return [...PREFIX[p], ...(rex ? [0x40 | rex] : []), 0x0f, op, ...m.bytes];
  }
  return [...PREFIX[p], ...(rex ? [0x40 | rex] : []), 0x0f, op, 0xc0 | ((reg & 7) << 3) | (rm & 7)];
}

function otherInsn(g: Rng): number[] {
  const reg = g.below(16), rm = g.below(16);
  const xrex = (reg >> 3 ? 4 : 0) | (rm >> 3 ? 1 : 0);
  const x = xrex ? [0x40 | xrex] : [];
  switch (g.below(6)) {
    case 0: // PSHUFD
      return [0x66, ...x, 0x0f, 0x70, 0xc0 | ((reg & 7) << 3) | (rm & 7), g.below(256)];
    case 1: { // PSRLD/PSLLD/PSRLQ/PSLLQ xmm, imm8
      const ext = g.pick([2, 6]);
      return [
        0x66,
        ...(rm >> 3 ? [0x41] : []),
        0x0f,
        g.pick([0x72, 0x73]),
        0xc0 | (ext << 3) | (rm & 7),
        g.below(70),
      ];
    }
    default: { // IMUL r, r / r, r, imm then a flag reader (SETcc into a third register)
      const gregs = [0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
      const d = g.pick(gregs), s = g.pick(gregs), t = g.pick(gregs);
      const rex = 0x40 | (g.below(2) ? 8 : 0) | (d >> 3 ? 4 : 0) | (s >> 3 ? 1 : 0);
      const modrm = 0xc0 | ((d & 7) << 3) | (s & 7);
      const imul = g.below(3) === 0
        ? [rex, 0x0f, 0xaf, modrm]
        : g.below(2)
        ? [rex, 0x69, modrm, g.next() & 0xff, g.below(256), g.below(256), g.below(256)]
        : [rex, 0x6b, modrm, g.below(256)];
      const reader = g.below(3) === 0
        ? [] // the next instruction overwrites or keeps the flags
        : [0x40 | (t >> 3), 0x0f, 0x90 + g.pick([0, 1, 2, 4, 8, 12]), 0xc0 | (t & 7)];
      return [...imul, ...reader];
    }
  }
}

const F64_EDGES = [
  0,
  -0,
  1.5,
  -2.25,
  3,
  1e300,
  -1e300,
  1e-300,
  2.2250738585072014e-308,
  -2.2250738585072014e-308,
  4.9e-324,
  1e-310,
  Infinity,
  -Infinity,
  NaN,
  1.7976931348623157e308,
  0.1,
  1e154,
  1e-154,
];
const F32_EDGES = [
  0,
  -0,
  1.5,
  -2.25,
  3e38,
  -3e38,
  1.1754943508222875e-38,
  1e-40,
  1e-30,
  Infinity,
  NaN,
  0.1,
  1e19,
  1e-19,
  3.4028234663852886e38,
];

/** Fill 16 bytes at dword index q of `words` with random lanes. */
function randomLanes(g: Rng, words: Uint32Array, q: number): void {
  const buf = new ArrayBuffer(16);
  const f64 = new Float64Array(buf), f32 = new Float32Array(buf), u32 = new Uint32Array(buf);
  switch (g.below(4)) {
    case 0:
      for (let j = 0; j < 2; j++) {
        f64[j] = g.below(3) ? (g.next() / 65536 - 32768) / 7 : g.pick(F64_EDGES);
      }
      break;
    case 1:
      for (let j = 0; j < 2; j++) f64[j] = g.pick(F64_EDGES);
      break;
    case 2:
      for (let j = 0; j < 4; j++) {
        f32[j] = g.below(2) ? (g.next() / 65536 - 32768) / 7 : g.pick(F32_EDGES);
      }
      break;
    default:
      for (let j = 0; j < 4; j++) u32[j] = g.next();
      if (g.below(2)) u32[1] = 0x7ff00000 | (g.next() & 0x7ffff); // a signalling NaN
  }
  for (let j = 0; j < 4; j++) words[q + j] = u32[j];
}

const MXCSRS = [
  0x1f80,
  0x1fa0,
  0x1fa0,
  0x1fa0,
  0x1fa0,
  0x1fa1,
  0x1fb0,
  0x3fa0,
  0x9fa0,
  0x1fe0,
  0x1da0,
  0x0fa0,
  0x21fa0,
];

function randomState(m: TestMachine, g: Rng) {
  const cpu = m.cpu;
  for (let k = 0; k < 32; k++) {
    cpu.r[k] = g.below(3) === 0 ? g.pick([0, 1, 0xffffffff, 0x80000000]) : g.next();
  }
  cpu.setRegFromNumber(RBP, DATA + 64);
  cpu.setRegFromNumber(1, g.below(32)); // RCX: a small index
  cpu.setRegFromNumber(4, DATA + 0x800);
  for (let q = 0; q < 64; q += 4) randomLanes(g, cpu.xmm32, q);
  const mem = new Uint32Array(1024);
  for (let q = 0; q < 1024; q += 4) randomLanes(g, mem, q);
  m.writeVirt(DATA, new Uint8Array(mem.buffer));
  cpu.mxcsr = g.pick(MXCSRS);
  setFlags(cpu, (g.next() & 0x8d5) | 0x202);
}

function machines(code: number[]) {
  return twinMachines(code, CODE, [[CODE, 0x2000], [DATA, 0x1000]]);
}

function compare(a: TestMachine, b: TestMachine, what: string) {
  assertSameState(a, b, what, {
    regions: [{ name: "memory", address: DATA, bytes: 0x1000 }],
    xmm: true,
  });
}

Deno.test("every inlined SSE form names a legacy form of the table", () => {
  const ops = new Set(FORMS.map((f) => f.op));
  for (const op of INLINED_SSE_FORMS) assert.ok(ops.has(op), op);
});

Deno.test("inline SSE and IMUL code matches the handlers", () => {
  for (let seed = 1; seed <= 150; seed++) {
    const g = rng(seed * 6007);
    const body: number[] = [];
    const n = 1 + g.below(14);
    for (let k = 0; k < n; k++) body.push(...(g.below(4) ? sseInsn(g) : otherInsn(g)));
    // A Jcc over a ud2 to another ud2: the run always ends with #UD (or an earlier fault).
    const code = [...body, 0x70 + g.below(16), 2, 0x0f, 0x0b, 0x0f, 0x0b];
    const [a, b] = machines(code);
    for (let pass = 0; pass < JIT_THRESHOLD + 4; pass++) {
      for (const m of [a, b]) {
        randomState(m, rng(seed * 31 + pass));
        m.cpu.rip = CODE;
        assert.equal(m.run(), EXIT_EXCEPTION);
      }
      compare(a, b, `seed ${seed} pass ${pass}`);
    }
  }
});
