// The block compiler's inline semantics (core/cpu/jit-inline.ts) must match the handlers: random
// blocks of register MOV/LEA/ALU/TEST/INC/DEC and PUSH/POP instructions (with a few handler-only
// instructions such as ADC, SHL and CMOVcc mixed in, a Jcc on every condition code, CALL and RET)
// run compiled and interpreted from the same random state, with RSP sometimes at the edge of the
// stack page or non-canonical; registers, RFLAGS, RIP, memory, faults and instruction counts must
// agree.
import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { assertSameState, twinMachines } from "../lib/jit-twins.ts";
import { le32, type Rng, rng } from "../lib/xorshift.ts";
import { EXIT_EXCEPTION, RCX, RSP } from "../../core/cpu/cpu.ts";
import { cond, getFlags, OP_SUB, setFlags, setLazy, setLazy64 } from "../../core/cpu/flags.ts";
import { JIT_THRESHOLD } from "../../core/cpu/jit.ts";

const CODE = 0x400000;
const DATA = 0x600000;
/** Two stack pages around 4 GiB: pushes and pops there carry into RSP's high half. */
const HIGH_STACK = 0xfffff000;
/** RBP always points into DATA; random instructions never write it. */
const RBP = 5;

const INTERESTING = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x12345678];

function rex(w: boolean, reg: number, rm: number, index = 0): number[] {
  const b = 0x40 | (w ? 8 : 0) | ((reg >> 3) << 2) | ((index >> 3) << 1) | (rm >> 3);
  return b === 0x40 ? [] : [b];
}
const modrm = (mod: number, reg: number, rm: number) => (mod << 6) | ((reg & 7) << 3) | (rm & 7);

/**
 * One random instruction; `avoid` is a register it must not write. With `stack`, PUSH/POP of
 * registers are mixed in (POP may load RSP itself).
 */
function randomInsn(g: Rng, avoid: number, stack = true): number[] {
  const w = g.below(2) === 0;
  let dst = g.below(16);
  while (dst === avoid || dst === 4 || dst === RBP) dst = g.below(16);
  const src = g.below(16);
  const imm = g.below(3) === 0 ? g.pick(INTERESTING) : g.next();
  const kind = g.below(stack ? 18 : 15);
  if (kind >= 15) {
    if (kind === 17) { // POP r64 (sometimes RSP)
      const r = g.below(8) === 0 ? 4 : dst;
      return [...rex(false, 0, r), 0x58 + (r & 7)];
    }
    return [...rex(false, 0, src), 0x50 + (src & 7)]; // PUSH r64
  }
  switch (kind) {
    case 13: { // MOV/MOVZX through [rbp+disp8], sometimes through a random (faulting) base
      const base = g.below(6) === 0 ? g.below(16) : RBP;
      const mem = [modrm(1, dst, base), ...(base & 7) === 4 ? [0x24] : [], g.below(120) & ~7];
      const ops = [[0x8b], [0x89], [0x88], [0x0f, 0xb6], [0x0f, 0xb7]];
      const op = g.pick(ops);
      const wide = op.length === 1 && op[0] !== 0x88 && w;
      return [...rex(wide, dst, base), ...op, ...mem];
    }
    case 14: // MOV load/store RIP-relative into the second code page
      return [...rex(w, dst, 0), g.pick([0x8b, 0x89]), modrm(0, dst, 5), ...le32(0x1000)];
    case 0:
    case 1: { // ALU E,G or G,E (ADD OR ADC SBB AND SUB XOR CMP)
      const op = g.below(8), gForm = g.below(2);
      const [e, r] = gForm ? [src, dst] : [dst, src];
      return [...rex(w, r, e), op * 8 + (gForm ? 3 : 1), modrm(3, r, e)];
    }
    case 2: // ALU E, imm8
      return [...rex(w, 0, dst), 0x83, modrm(3, g.below(8), dst), imm & 0xff];
    case 3: // ALU E, imm32
      return [...rex(w, 0, dst), 0x81, modrm(3, g.below(8), dst), ...le32(imm)];
    case 4: // ALU rAX, imm32 (only when RAX may be written)
      return avoid === 0 ? [0x90] : [...rex(w, 0, 0), g.below(8) * 8 + 5, ...le32(imm)];
    case 5: // TEST E,G / E,imm
      return g.below(2)
        ? [...rex(w, src, dst), 0x85, modrm(3, src, dst)]
        : [...rex(w, 0, dst), 0xf7, modrm(3, 0, dst), ...le32(imm)];
    case 6: // MOV E,G / G,E
      return g.below(2)
        ? [...rex(w, src, dst), 0x89, modrm(3, src, dst)]
        : [...rex(w, dst, src), 0x8b, modrm(3, dst, src)];
    case 7: // MOV r, imm32/imm64 and MOV E, imm32
      if (g.below(2)) return [...rex(false, 0, dst), 0xc7, modrm(3, 0, dst), ...le32(imm)];
      return w
        ? [...rex(true, 0, dst), 0xb8 + (dst & 7), ...le32(imm), ...le32(g.next())]
        : [...rex(false, 0, dst), 0xb8 + (dst & 7), ...le32(imm)];
    case 8: { // LEA with base, index, scale and displacement
      let index = g.below(16);
      if (index === 4) index = 5;
      const base = g.below(16);
      const sib = (g.below(4) << 6) | ((index & 7) << 3) | (base & 7);
      const mod = (base & 7) === 5 ? 1 + g.below(2) : g.below(3);
      const disp = mod === 1 ? [imm & 0xff] : mod === 2 ? le32(imm) : [];
      return [...rex(w, dst, base, index), 0x8d, modrm(mod, dst, 4), sib, ...disp];
    }
    case 9: // LEA RIP-relative
      return [...rex(w, dst, 0), 0x8d, modrm(0, dst, 5), ...le32(imm)];
    case 10: // SHL/SHR/SAR E, imm8 (handler)
      return [...rex(w, 0, dst), 0xc1, modrm(3, g.pick([4, 5, 7]), dst), imm & 63];
    case 11: // INC/DEC E (handler; keeps CF)
      return [...rex(w, 0, dst), 0xff, modrm(3, g.below(2), dst)];
    default: // CMOVcc (handler; reads flags)
      return [...rex(w, dst, src), 0x0f, 0x40 + g.below(16), modrm(3, dst, src)];
  }
}

/** RSP values: inside DATA, at its low edge (a push crosses into the unmapped page), unmapped. */
function randomStack(g: Rng): number {
  switch (g.below(10)) {
    case 0:
      return DATA + 4;
    case 1:
      return DATA + g.below(3) * 8;
    case 2:
      return 0x800000000004; // non-canonical after any push: #SS
    case 3:
      return g.below(2) ? 0x7ffffffffff8 : 0x100000000 + g.below(16) - 8;
    default:
      return DATA + 0x800 + (g.below(64) - 32) * 4;
  }
}

function randomState(m: TestMachine, g: Rng) {
  for (let k = 0; k < 32; k++) m.cpu.r[k] = g.below(4) === 0 ? g.pick(INTERESTING) : g.next();
  m.cpu.r[RCX * 2] = 50;
  m.cpu.setRegFromNumber(RBP, DATA + 64);
  m.cpu.setRegFromNumber(RSP, randomStack(g));
  // Random stack contents, so a RET that skipped its return address meets garbage.
  const words = Array.from({ length: 32 }, () => g.below(2) ? g.next() : g.below(0x10000));
  m.writeVirt(DATA + 0x780, new Uint8Array(new Uint32Array(words).buffer));
  m.cpu.r[RCX * 2 + 1] = 0;
  setFlags(m.cpu, (g.next() & 0x8d5) | 0x202);
}

function machines(code: number[]) {
  return twinMachines(code, CODE, [[CODE, 0x2000], [DATA, 0x1000], [HIGH_STACK, 0x2000]]);
}

function compare(a: TestMachine, b: TestMachine, what: string) {
  assertSameState(a, b, what, {
    regions: [
      { name: "memory", address: DATA, bytes: 0x1000 },
      { name: "stack", address: HIGH_STACK, bytes: 0x2000 },
    ],
  });
}

Deno.test("inline block code matches the handlers (straight-line block ending in Jcc)", () => {
  for (let seed = 1; seed <= 150; seed++) {
    const g = rng(seed * 7919);
    const body: number[] = [];
    const n = 1 + g.below(12);
    for (let k = 0; k < n; k++) body.push(...randomInsn(g, -1));
    // Jcc over a ud2 to another ud2: either way the run ends with #UD at a known place.
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

Deno.test("inline block code matches the handlers (self-loop counted by RCX)", () => {
  for (let seed = 1; seed <= 100; seed++) {
    const g = rng(seed * 104729);
    const body: number[] = [];
    const n = 1 + g.below(8);
    for (let k = 0; k < n; k++) body.push(...randomInsn(g, RCX));
    // sub rcx, 1 (or ecx) then jnz back to the top, then ud2.
    const w = g.below(2) === 0;
    const tail = [...rex(w, 0, RCX), 0x83, modrm(3, 5, RCX), 1];
    const back = -(body.length + tail.length + 2);
    const code = [...body, ...tail, 0x75, back & 0xff, 0x0f, 0x0b];
    const [a, b] = machines(code);
    for (let pass = 0; pass < 3; pass++) {
      for (const m of [a, b]) {
        randomState(m, rng(seed * 17 + pass));
        m.cpu.rip = CODE;
        assert.equal(m.run(), EXIT_EXCEPTION);
        if (m.cpu.exitException?.vector === 6) assert.equal(m.cpu.r[RCX * 2], 0);
      }
      compare(a, b, `seed ${seed} pass ${pass}`);
    }
  }
});

Deno.test("inline CALL, RET, PUSH and POP match the handlers (also when the stack faults)", () => {
  for (let seed = 1; seed <= 120; seed++) {
    const g = rng(seed * 7907);
    const part = (stack: boolean) => {
      const bytes: number[] = [];
      const n = g.below(6);
      for (let k = 0; k < n; k++) bytes.push(...randomInsn(g, -1, stack));
      return bytes;
    };
    // top: A; call f; B; ud2; f: C (no push/pop, so RET finds the return address); ret.
    // Sometimes C starts with lea rsp, [rsp+8]: RET then pops stack garbage (mostly #GP).
    const a = part(true), b = part(true);
    const c = [...(g.below(4) === 0 ? [0x48, 0x8d, 0x64, 0x24, 0x08] : []), ...part(false)];
    const head = [...a, 0xe8, ...le32(b.length + 2)];
    const code = [...head, ...b, 0x0f, 0x0b, ...c, 0xc3];
    const [x, y] = machines(code);
    for (let pass = 0; pass < JIT_THRESHOLD + 4; pass++) {
      for (const m of [x, y]) {
        randomState(m, rng(seed * 29 + pass));
        m.cpu.rip = CODE;
        assert.equal(m.run(), EXIT_EXCEPTION);
      }
      compare(x, y, `seed ${seed} pass ${pass}`);
      assert.equal(x.cpu.exitException?.address, y.cpu.exitException?.address);
    }
  }
});

Deno.test("a self-loop compiled block stops at the budget and resumes exactly", () => {
  // add rax, rcx; sub rcx, 1; jnz top; ud2
  const code = [0x48, 0x01, 0xc8, 0x48, 0x83, 0xe9, 0x01, 0x75, 0xf7, 0x0f, 0x0b];
  const [a, b] = machines(code);
  for (const m of [a, b]) {
    m.cpu.rip = CODE;
    m.cpu.setRegFromNumber(RCX, 100_000);
    const left = m.cpu.run(1000);
    assert.equal(left, 0);
    assert.ok(m.cpu.instructions >= 1000 && m.cpu.instructions < 1000 + 3 * 64);
    assert.equal(m.run(), EXIT_EXCEPTION);
  }
  compare(a, b, "after the loop");
  assert.equal(a.cpu.r64[0], 5000050000n);
});

Deno.test("cond's compare fast paths agree with the individual flags", () => {
  const m = new TestMachine();
  const cpu = m.cpu;
  const g = rng(99);
  const half = () => g.below(3) === 0 ? g.pick(INTERESTING) : g.next();
  for (let n = 0; n < 4000; n++) {
    const wide = n % 2 === 0;
    const aLo = half(), bLo = half();
    const aHi = wide ? (g.below(2) ? half() : 0) : 0;
    const bHi = wide ? (g.below(3) === 0 ? aHi : half()) : 0;
    const diff = aLo - bLo;
    const rLo = diff >>> 0;
    const rHi = (aHi - bHi - (diff < 0 ? 1 : 0)) >>> 0;
    if (wide) setLazy64(cpu, OP_SUB, aLo, aHi, bLo, bHi, rLo, rHi);
    else setLazy(cpu, OP_SUB, 32, aLo, bLo, rLo);
    const f = getFlags(cpu);
    const cf = (f & 1) !== 0, zf = (f & 0x40) !== 0, sf = (f & 0x80) !== 0, of = (f & 0x800) !== 0;
    const expected = [of, cf, zf, cf || zf, sf, (f & 4) !== 0, sf !== of, zf || sf !== of];
    for (let cc = 0; cc < 16; cc++) {
      const want = (cc & 1) ? !expected[cc >> 1] : expected[cc >> 1];
      assert.equal(cond(cpu, cc), want, `cc ${cc} a ${aHi}:${aLo} b ${bHi}:${bLo}`);
    }
  }
});

Deno.test("compiled regions (loops over several blocks) match the interpreter", () => {
  for (let seed = 1; seed <= 80; seed++) {
    const g = rng(seed * 65537);
    const part = () => {
      const bytes: number[] = [];
      const n = 1 + g.below(5);
      for (let k = 0; k < n; k++) bytes.push(...randomInsn(g, RCX));
      return bytes;
    };
    // top: A; jcc skip; B; skip: C; sub rcx, 1; jnz top; ud2
    const a = part(), b = part(), c = part();
    const tail = [0x48, 0x83, 0xe9, 0x01];
    const head = [...a, 0x70 + g.below(16), b.length];
    const back = -(head.length + b.length + c.length + tail.length + 2);
    const code = [...head, ...b, ...c, ...tail, 0x75, back & 0xff, 0x0f, 0x0b];
    const [x, y] = machines(code);
    for (let pass = 0; pass < 3; pass++) {
      for (const m of [x, y]) {
        randomState(m, rng(seed * 13 + pass));
        m.cpu.rip = CODE;
        assert.equal(m.run(), EXIT_EXCEPTION);
      }
      compare(x, y, `seed ${seed} pass ${pass}`);
    }
  }
});
