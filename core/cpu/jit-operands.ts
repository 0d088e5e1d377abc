// Inline integer code for the block compiler, by operand shape: the group-1 ALU operations and
// TEST on 8-, 32- and 64-bit operands, with register, immediate or memory sources (a memory
// destination only for CMP and TEST, which do not write it), and the MOV/MOVZX loads and stores
// of jit-inline.ts. Memory goes through the TLB inline (the compiled function has tlbTag,
// tlbPhys, dv and u8), falling back to the CPU's read/write helpers exactly where those would
// take their slow path; writes to pages holding decoded code are never in the write TLB, so they
// always take the helper, which invalidates the code and sets cpu.stop. Each instruction computes
// what its handler computes, lazy-flag record included.

import { BASE_RIP, type Insn } from "./insn.ts";
import {
  LF_AHI,
  LF_ALO,
  LF_BHI,
  LF_BITS,
  LF_BLO,
  LF_OP,
  LF_RHI,
  LF_RLO,
  OP_ADD,
  OP_LOGIC,
  OP_SUB,
} from "./flags.ts";
import { aluAI, aluEG, aluEI, aluGE, testAI, testEG, testEI } from "./ops/alu.ts";
import { movEG, movEI, movGE, movZI, movzxB, movzxW } from "./ops/mov.ts";
import { addressCode, viaTlb } from "./jit-sse.ts";
import type { InlineInsn } from "./jit-inline.ts";

const TWO32 = 4294967296;
const CANON_LIMIT = 0x800000000000;

/** Group-1 operation number -> lazy operation and JS operator (ADC and SBB are left out). */
const ALU_OPS: Record<number, [number, string]> = {
  0: [OP_ADD, "+"],
  1: [OP_LOGIC, "|"],
  4: [OP_LOGIC, "&"],
  5: [OP_SUB, "-"],
  6: [OP_LOGIC, "^"],
  7: [OP_SUB, "-"],
};
const AND = 4, CMP = 7;

/** A value as JS expressions for its halves ("0" for the high half below 64 bits). */
export interface Value {
  lo: string;
  hi: string;
}

/** Index in cpu.r8 of byte register `n`: without REX, 4-7 are AH, CH, DH, BH. */
function byteIndex(n: number, rex: number): number {
  return n >= 4 && n < 8 && rex === 0 ? (n - 4) * 8 + 1 : n * 8;
}

/** Register `n` read at `size` bytes (1, 4 or 8). */
function register(n: number, size: number, rex: number): Value {
  if (size === 1) return { lo: `r8[${byteIndex(n, rex)}]`, hi: "0" };
  return { lo: `r[${n * 2}]`, hi: size === 8 ? `r[${n * 2 + 1}]` : "0" };
}

/** Statements writing `v` (halves) to register `n` at `size` bytes (32-bit writes zero-extend). */
function setRegister(n: number, size: number, rex: number, v: Value): string {
  if (size === 1) return `r8[${byteIndex(n, rex)}] = ${v.lo};`;
  return `r[${n * 2}] = ${v.lo}; r[${n * 2 + 1}] = ${size === 8 ? v.hi : "0"};`;
}

/** The immediate of `insn` at `size` bytes, as the handlers' immOf/immHi give it. */
function immediate(insn: Insn, size: number): Value {
  if (size === 1) return { lo: `${insn.imm & 0xff}`, hi: "0" };
  return { lo: `${insn.imm >>> 0}`, hi: size === 8 ? `${insn.immHi >>> 0}` : "0" };
}

/**
 * Statements recording the instruction's start (it may fault) and declaring `m<k>`, the linear
 * address of its memory operand; null when the handler should run (a non-canonical RIP-relative
 * address). `usesInsn`: the code calls cpu.ea(i<k>) for unusual addresses.
 */
export function addressOf(
  insn: Insn,
  k: number,
  addr: number,
  next: number,
): { code: string; usesInsn: boolean } | null {
  if (insn.base === BASE_RIP && insn.seg === 0 && insn.asize === 8) {
    const a = next + insn.disp;
    if (a < -CANON_LIMIT || a >= CANON_LIMIT) return null;
  }
  // Unusual addresses (huge register values, non-canonical sums) take Cpu.ea's exact path.
  const address = addressCode(insn, k, next);
  const usesInsn = address === null || address.bad !== "";
  const ea = address === null
    ? `const m${k} = cpu.ea(i${k});`
    : `${address.pre}${address.bad === "" ? "" : ` if (${address.bad}) m${k} = cpu.ea(i${k});`}`;
  return { code: `cpu.insnStart = ${addr}; ${ea}`, usesInsn };
}

/** Statements loading `size` bytes at `m` into the assignable `lo` (and `hi` for 8). */
export function loadCode(m: string, k: number, size: number, lo: string, hi: string): string {
  switch (size) {
    case 1:
      return viaTlb(m, k, 1, false, (p) => `${lo} = u8[${p}];`, `${lo} = cpu.read8(${m});`);
    case 2:
      return viaTlb(
        m,
        k,
        2,
        false,
        (p) => `${lo} = dv.getUint16(${p}, true);`,
        `${lo} = cpu.read16(${m});`,
      );
    case 4:
      return viaTlb(
        m,
        k,
        4,
        false,
        (p) => `${lo} = dv.getUint32(${p}, true);`,
        `${lo} = cpu.read32(${m});`,
      );
    default:
      return viaTlb(
        m,
        k,
        8,
        false,
        (p) => `${lo} = dv.getUint32(${p}, true); ${hi} = dv.getUint32(${p} + 4, true);`,
        `${lo} = cpu.read64(${m}); ${hi} = cpu.hi;`,
      );
  }
}

/**
 * Statements storing `v` as `size` bytes (1, 4 or 8) at `m`; `leave` ends the block when the
 * helper's slow path wrote to a code page (cpu.stop), null when the caller checks that itself.
 */
export function storeCode(
  m: string,
  k: number,
  size: number,
  v: Value,
  leave: string | null,
): string {
  const after = leave === null ? "" : ` if (cpu.stop !== 0) { ${leave} }`;
  if (size === 1) {
    return viaTlb(
      m,
      k,
      1,
      true,
      (p) => `u8[${p}] = ${v.lo};`,
      `cpu.write8(${m}, ${v.lo});${after}`,
    );
  }
  if (size === 4) {
    return viaTlb(
      m,
      k,
      4,
      true,
      (p) => `dv.setUint32(${p}, ${v.lo}, true);`,
      `cpu.write32(${m}, ${v.lo});${after}`,
    );
  }
  return viaTlb(
    m,
    k,
    8,
    true,
    (p) => `dv.setUint32(${p}, ${v.lo}, true); dv.setUint32(${p} + 4, ${v.hi}, true);`,
    `cpu.write64(${m}, ${v.lo}, ${v.hi});${after}`,
  );
}

/**
 * Group-1 operation `op` (or TEST as AND without the write) on values `a` and `b` of `size`
 * bytes, after the statements `pre`; `write` stores the result (null for CMP and TEST).
 */
export function aluCode(
  k: number,
  op: number,
  size: number,
  pre: string,
  a: Value,
  b: Value,
  write: ((v: Value) => string) | null,
): InlineInsn | null {
  const entry = ALU_OPS[op];
  if (entry === undefined) return null; // ADC, SBB: carry-in, left to the handler
  const [lazyOp, sign] = entry;
  const al = `a${k}`, ah = `ah${k}`, bl = `b${k}`, bh = `bh${k}`, rl = `v${k}`, rh = `vh${k}`;
  const lines = [pre, `const ${al} = ${a.lo}, ${bl} = ${b.lo};`];
  if (size !== 8) {
    const bits = size * 8;
    lines.push(
      bits === 8
        ? `const ${rl} = (${al} ${sign} ${bl}) & 255;`
        : `const ${rl} = (${al} ${sign} ${bl}) >>> 0;`,
    );
    if (write !== null) lines.push(write({ lo: rl, hi: "0" }));
    return {
      body: lines.join(" "),
      record: `lf[${LF_OP}] = ${lazyOp}; lf[${LF_BITS}] = ${bits}; lf[${LF_RLO}] = ${rl};` +
        ` lf[${LF_ALO}] = ${al}; lf[${LF_BLO}] = ${bl};`,
      producer: { op: lazyOp, bits, a: al, aHi: "0", b: bl, bHi: "0", r: rl, rHi: "0" },
    };
  }
  lines.push(`const ${ah} = ${a.hi}, ${bh} = ${b.hi};`);
  if (lazyOp === OP_LOGIC) {
    lines.push(`const ${rl} = (${al} ${sign} ${bl}) >>> 0, ${rh} = (${ah} ${sign} ${bh}) >>> 0;`);
  } else if (lazyOp === OP_ADD) {
    lines.push(
      `const s${k} = ${al} + ${bl}, ${rl} = s${k} >>> 0;`,
      `const ${rh} = (${ah} + ${bh} + (s${k} >= ${TWO32} ? 1 : 0)) >>> 0;`,
    );
  } else {
    lines.push(
      `const s${k} = ${al} - ${bl}, ${rl} = s${k} >>> 0;`,
      `const ${rh} = (${ah} - ${bh} - (s${k} < 0 ? 1 : 0)) >>> 0;`,
    );
  }
  if (write !== null) lines.push(write({ lo: rl, hi: rh }));
  return {
    body: lines.join(" "),
    record: `lf[${LF_OP}] = ${lazyOp}; lf[${LF_BITS}] = 64; lf[${LF_RLO}] = ${rl};` +
      ` lf[${LF_RHI}] = ${rh}; lf[${LF_ALO}] = ${al}; lf[${LF_AHI}] = ${ah};` +
      ` lf[${LF_BLO}] = ${bl}; lf[${LF_BHI}] = ${bh};`,
    producer: { op: lazyOp, bits: 64, a: al, aHi: ah, b: bl, bHi: bh, r: rl, rHi: rh },
  };
}

/**
 * ALU/TEST forms with 8-, 32- or 64-bit operands, MOV/MOVZX loads and stores and MOV of an
 * immediate to memory, as inline source; null when the handler must run.
 */
export function inlineOperands(
  insn: Insn,
  k: number,
  addr: number,
  next: number,
  leave: string,
): InlineInsn | null {
  const fn = insn.fn, s = insn.opsize, rex = insn.rex;
  if (s === 2) return null;
  let op: number, e: "dst" | "src", other: Value, write: boolean;
  if (fn === aluEG || fn === aluGE) {
    op = (insn.opByte >> 3) & 7;
    e = fn === aluEG ? "dst" : "src";
    other = register(insn.reg, s, rex);
    write = op !== CMP;
  } else if (fn === aluEI || fn === testEI) {
    op = fn === testEI ? AND : (insn.modrm >> 3) & 7;
    e = "dst";
    other = immediate(insn, s);
    write = fn === aluEI && op !== CMP;
  } else if (fn === testEG) {
    op = AND;
    e = "dst";
    other = register(insn.reg, s, rex);
    write = false;
  } else if (fn === aluAI || fn === testAI) {
    op = fn === testAI ? AND : (insn.opByte >> 3) & 7;
    const write = fn === aluAI && op !== CMP;
    const set = write ? (v: Value) => setRegister(0, s, rex, v) : null;
    return aluCode(k, op, s, "", register(0, s, rex), immediate(insn, s), set);
  } else return moveCode(insn, k, addr, next, leave);
  if (!insn.isMem) {
    const eReg = register(insn.rm, s, rex);
    if (e === "src") {
      const set = write ? (v: Value) => setRegister(insn.reg, s, rex, v) : null;
      return aluCode(k, op, s, "", other, eReg, set);
    }
    const set = write ? (v: Value) => setRegister(insn.rm, s, rex, v) : null;
    return aluCode(k, op, s, "", eReg, other, set);
  }
  // A memory destination is only read here (CMP, TEST): read-modify-write runs the handler.
  if (e === "dst" && write) return null;
  const address = addressOf(insn, k, addr, next);
  if (address === null) return null;
  const x = `e${k}`, xh = `eh${k}`;
  const pre = `${address.code} let ${x} = 0, ${xh} = 0; ${loadCode(`m${k}`, k, s, x, xh)}`;
  const eMem = { lo: x, hi: s === 8 ? xh : "0" };
  const set = write ? (v: Value) => setRegister(insn.reg, s, rex, v) : null;
  const code = e === "src"
    ? aluCode(k, op, s, pre, other, eMem, set)
    : aluCode(k, op, s, pre, eMem, other, null);
  if (code === null) return null;
  return { ...code, canFault: true, usesInsn: address.usesInsn };
}

/** MOV between registers and memory, MOV of an immediate, and MOVZX (8, 32 and 64 bits). */
function moveCode(
  insn: Insn,
  k: number,
  addr: number,
  next: number,
  leave: string,
): InlineInsn | null {
  const fn = insn.fn, s = insn.opsize, rex = insn.rex;
  const plain = (body: string): InlineInsn => ({ body, record: "", producer: null });
  if (!insn.isMem) {
    if (s !== 1) {
      if (fn === movzxB) return plain(setRegister(insn.reg, s, rex, register(insn.rm, 1, rex)));
      if (fn === movzxW) {
        return plain(
          setRegister(insn.reg, s, rex, { lo: `(r[${insn.rm * 2}] & 0xffff)`, hi: "0" }),
        );
      }
      return null; // 32/64-bit register moves: jit-inline.ts
    }
    if (fn === movEG) return plain(setRegister(insn.rm, 1, rex, register(insn.reg, 1, rex)));
    if (fn === movGE) return plain(setRegister(insn.reg, 1, rex, register(insn.rm, 1, rex)));
    if (fn === movEI) return plain(setRegister(insn.rm, 1, rex, immediate(insn, 1)));
    if (fn === movZI) return plain(setRegister(insn.reg, 1, rex, immediate(insn, 1)));
    return null;
  }
  if (fn !== movGE && fn !== movzxB && fn !== movzxW && fn !== movEG && fn !== movEI) return null;
  let body: string;
  const address = addressOf(insn, k, addr, next);
  if (address === null) return null;
  const m = `m${k}`, g = insn.reg * 2;
  if (fn === movGE || fn === movzxB || fn === movzxW) {
    const size = fn === movzxB ? 1 : fn === movzxW ? 2 : s;
    const x = `e${k}`, xh = `eh${k}`;
    body = `${address.code} let ${x} = 0, ${xh} = 0; ${loadCode(m, k, size, x, xh)} ` +
      (fn === movGE
        ? setRegister(insn.reg, s, rex, { lo: x, hi: xh })
        : `r[${g}] = ${x}; r[${g + 1}] = 0;`);
  } else {
    const v = fn === movEG ? register(insn.reg, s, rex) : immediate(insn, s);
    body = `${address.code} ${storeCode(m, k, s, v, leave)}`;
  }
  return { body, record: "", producer: null, canFault: true, usesInsn: address.usesInsn };
}
