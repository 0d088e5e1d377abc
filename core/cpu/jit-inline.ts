// Inline semantics for the block compiler: the most frequent instructions (register MOV, LEA,
// ADD/SUB/AND/OR/XOR/CMP/TEST, INC/DEC and register IMUL at 32 and 64 bits, MOV/MOVZX loads and
// stores, PUSH/POP of 64-bit registers, CALL rel32, RET, Jcc and JMP, and the SSE forms of
// jit-sse.ts) are emitted as JS source instead of handler calls. Those that touch memory record their RIP first, since they may fault. Each one computes
// exactly what its handler in ops/ computes, lazy-flag record included; the record is returned
// separately so the compiler can drop it when a later instruction of the block overwrites it
// unread, and a following Jcc can test the producer's operands directly.

import type { Insn } from "./insn.ts";
import { BASE_RIP } from "./insn.ts";
import {
  LF_AHI,
  LF_ALO,
  LF_AUX,
  LF_BHI,
  LF_BITS,
  LF_BLO,
  LF_OP,
  LF_RHI,
  LF_RLO,
  OP_ADD,
  OP_DEC,
  OP_INC,
  OP_LOGIC,
  OP_SUB,
} from "./flags.ts";
import { VEC_SS } from "./exceptions.ts";
import { aluAI, aluEG, aluEI, aluGE, dec, inc, testAI, testEG, testEI } from "./ops/alu.ts";
import { lea, movEG, movEI, movGE, movZI, movzxB, movzxW } from "./ops/mov.ts";
import { callRel, jcc, jmpRel, ret } from "./ops/control.ts";
import { popZ, pushZ } from "./ops/stack.ts";
import { imulFlags32, imulFlags64, imulGE, imulGEI, mulLow64High } from "./ops/muldiv.ts";
import { addressCode, inlineSse, SSE_PARAMS } from "./jit-sse.ts";

/** Names and values every compiled function receives besides cond and starts. */
export const INLINE_PARAMS: [string, unknown][] = [
  ...SSE_PARAMS,
  ["imulFlags32", imulFlags32],
  ["imulFlags64", imulFlags64],
  ["mulLow64High", mulLow64High],
];

const TWO32 = 4294967296;
const CANON_LIMIT = 0x800000000000;

/** The lazy-flag record an inline instruction leaves, as the names of its JS locals. */
export interface FlagProducer {
  /** OP_ADD, OP_SUB or OP_LOGIC. */
  op: number;
  wide: boolean;
  a: string;
  aHi: string;
  b: string;
  bHi: string;
  r: string;
  rHi: string;
}

export interface InlineInsn {
  /** Statements computing the result and writing registers. */
  body: string;
  /** The body reads the Insn as `i<k>` (to compute a memory operand's address). */
  usesInsn?: boolean;
  /** The body may call the instruction's handler as `f<k>(cpu, i<k>)`. */
  usesHandler?: boolean;
  /** The instruction accesses memory, so it may fault (or stop the block, for a store). */
  canFault?: boolean;
  /** Statements storing the lazy-flag record ("" when the instruction leaves flags alone). */
  record: string;
  /** The record reads the previous record (INC/DEC keep CF), so that one must be stored. */
  readsFlags?: boolean;
  producer: FlagProducer | null;
}

/** A block-ending branch the compiler emits itself. */
export interface InlineBranch {
  /** Condition code for Jcc, -1 for an unconditional JMP. */
  cc: number;
  target: number;
}

const ALU_OPS: Record<number, [number, string]> = {
  0: [OP_ADD, "+"],
  1: [OP_LOGIC, "|"],
  4: [OP_LOGIC, "&"],
  5: [OP_SUB, "-"],
  6: [OP_LOGIC, "^"],
  7: [OP_SUB, "-"],
};
const CMP = 7;
const AND = 4;

/** Recognize a Jcc/JMP rel with a canonical target; `next` is the RIP after it. */
export function inlineBranch(insn: Insn, next: number): InlineBranch | null {
  if (insn.fn !== jcc && insn.fn !== jmpRel) return null;
  const target = next + insn.imm;
  if (target < -CANON_LIMIT || target >= CANON_LIMIT) return null;
  return { cc: insn.fn === jcc ? insn.opByte & 15 : -1, target };
}

/**
 * Source for `insn` (k-th of its block, starting at `addr`, `next` the RIP after it), or null
 * if it needs its handler. `leave` is the statement that ends the block after this instruction
 * (when a store hit a code page and set cpu.stop).
 */
export function inlineInsn(
  insn: Insn,
  k: number,
  addr: number,
  next: number,
  leave: string,
): InlineInsn | null {
  const stack = stackInsn(insn, k, addr, next, leave);
  if (stack !== undefined) return stack;
  const sse = inlineSse(insn, k, addr, next, leave);
  if (sse !== null) {
    return {
      body: sse.body,
      canFault: sse.canFault,
      usesHandler: true,
      record: "",
      producer: null,
    };
  }
  if (insn.isMem && insn.fn !== lea) return memoryInsn(insn, k, addr, next, leave);
  const s = insn.opsize;
  if (s !== 4 && s !== 8) return null;
  const wide = s === 8;
  const fn = insn.fn;
  const immLo = insn.imm >>> 0, immHi = wide ? insn.immHi >>> 0 : 0;
  if (fn === aluEG) return alu(k, (insn.opByte >> 3) & 7, wide, insn.rm, `r[${insn.reg * 2}]`);
  if (fn === aluGE) return alu(k, (insn.opByte >> 3) & 7, wide, insn.reg, `r[${insn.rm * 2}]`);
  if (fn === aluEI) return alu(k, (insn.modrm >> 3) & 7, wide, insn.rm, null, immLo, immHi);
  if (fn === aluAI) return alu(k, (insn.opByte >> 3) & 7, wide, 0, null, immLo, immHi);
  if (fn === testEG) return alu(k, AND, wide, insn.rm, `r[${insn.reg * 2}]`, 0, 0, false);
  if (fn === testEI) return alu(k, AND, wide, insn.rm, null, immLo, immHi, false);
  if (fn === testAI) return alu(k, AND, wide, 0, null, immLo, immHi, false);
  if (fn === movEG) return move(insn.rm, insn.reg, wide);
  if (fn === movGE) return move(insn.reg, insn.rm, wide);
  if (fn === movZI) return constant(insn.reg, immLo, immHi);
  if (fn === movEI) return constant(insn.rm, immLo, immHi);
  if (fn === lea) return leaCode(insn, k, wide, next);
  if (fn === inc || fn === dec) return incDec(k, fn === inc, wide, insn.rm);
  if (fn === imulGE) {
    return imul(k, wide, insn.reg, insn.rm, `r[${insn.reg * 2}]`, `r[${insn.reg * 2 + 1}]`);
  }
  if (fn === imulGEI) return imul(k, wide, insn.reg, insn.rm, `${immLo}`, `${immHi}`);
  return null;
}

/**
 * Two- and three-operand IMUL of register `src` by `b` (low/high half expressions) into `dst`.
 * The flag record (CF = OF = the product was truncated; the other flags kept) reads the
 * previous record, and is dropped like any other when a later record overwrites it unread.
 */
function imul(
  k: number,
  wide: boolean,
  dst: number,
  src: number,
  b: string,
  bHi: string,
): InlineInsn {
  const a = `a${k}`, aHi = `ah${k}`, bl = `b${k}`, bh = `bh${k}`, e = src * 2, d = dst * 2;
  if (!wide) {
    return {
      body: `const ${a} = r[${e}], ${bl} = ${b}; r[${d}] = Math.imul(${a}, ${bl}); r[${
        d + 1
      }] = 0;`,
      record: `imulFlags32(cpu, ${a}, ${bl});`,
      readsFlags: true,
      producer: null,
    };
  }
  return {
    body: `const ${a} = r[${e}], ${aHi} = r[${e + 1}], ${bl} = ${b}, ${bh} = ${bHi};` +
      ` r[${d}] = Math.imul(${a}, ${bl}); r[${d + 1}] = mulLow64High(${a}, ${aHi}, ${bl}, ${bh});`,
    record: `imulFlags64(cpu, ${a}, ${aHi}, ${bl}, ${bh});`,
    readsFlags: true,
    producer: null,
  };
}

function plain(body: string): InlineInsn {
  return { body, record: "", producer: null };
}

function move(dst: number, src: number, wide: boolean): InlineInsn {
  const hi = wide ? `r[${src * 2 + 1}]` : "0";
  // Both halves are read before either is written (dst may equal src).
  return plain(`{ const l = r[${src * 2}], h = ${hi}; r[${dst * 2}] = l; r[${dst * 2 + 1}] = h; }`);
}

function constant(dst: number, lo: number, hi: number): InlineInsn {
  return plain(`r[${dst * 2}] = ${lo}; r[${dst * 2 + 1}] = ${hi};`);
}

/** Group-1 operation `op` on register `dst` and a register (`src`, its low-half element) or immediate. */
function alu(
  k: number,
  op: number,
  wide: boolean,
  dst: number,
  src: string | null,
  immLo = 0,
  immHi = 0,
  write = op !== CMP,
): InlineInsn | null {
  const entry = ALU_OPS[op];
  if (entry === undefined) return null; // ADC, SBB: carry-in, left to the handler
  const [lazyOp, sign] = entry;
  const a = `a${k}`, aHi = `ah${k}`, b = `b${k}`, bHi = `bh${k}`, r = `v${k}`, rHi = `vh${k}`;
  const d = dst * 2;
  const lines: string[] = [];
  const srcHi = src === null ? `${immHi}` : src.replace(/\[(\d+)\]/, (_, n) => `[${+n + 1}]`);
  lines.push(`const ${a} = r[${d}], ${b} = ${src ?? immLo};`);
  if (!wide) {
    lines.push(`const ${r} = (${a} ${sign} ${b}) >>> 0;`);
    if (write) lines.push(`r[${d}] = ${r}; r[${d + 1}] = 0;`);
    const record =
      `lf[${LF_OP}] = ${lazyOp}; lf[${LF_BITS}] = 32; lf[${LF_RLO}] = ${r}; lf[${LF_ALO}] = ${a}; lf[${LF_BLO}] = ${b};`;
    return {
      body: lines.join(" "),
      record,
      producer: { op: lazyOp, wide, a, aHi: "0", b, bHi: "0", r, rHi: "0" },
    };
  }
  lines.push(`const ${aHi} = r[${d + 1}], ${bHi} = ${srcHi};`);
  if (lazyOp === OP_LOGIC) {
    lines.push(`const ${r} = (${a} ${sign} ${b}) >>> 0, ${rHi} = (${aHi} ${sign} ${bHi}) >>> 0;`);
  } else if (lazyOp === OP_ADD) {
    lines.push(
      `const s${k} = ${a} + ${b}, ${r} = s${k} >>> 0;`,
      `const ${rHi} = (${aHi} + ${bHi} + (s${k} >= ${TWO32} ? 1 : 0)) >>> 0;`,
    );
  } else {
    lines.push(
      `const s${k} = ${a} - ${b}, ${r} = s${k} >>> 0;`,
      `const ${rHi} = (${aHi} - ${bHi} - (s${k} < 0 ? 1 : 0)) >>> 0;`,
    );
  }
  if (write) lines.push(`r[${d}] = ${r}; r[${d + 1}] = ${rHi};`);
  const record =
    `lf[${LF_OP}] = ${lazyOp}; lf[${LF_BITS}] = 64; lf[${LF_RLO}] = ${r}; lf[${LF_RHI}] = ${rHi}; ` +
    `lf[${LF_ALO}] = ${a}; lf[${LF_AHI}] = ${aHi}; lf[${LF_BLO}] = ${b}; lf[${LF_BHI}] = ${bHi};`;
  return {
    body: lines.join(" "),
    record,
    producer: { op: lazyOp, wide, a, aHi, b, bHi, r, rHi },
  };
}

/**
 * INC/DEC of a register: the ADD/SUB of 1 that keeps CF, which the record saves in LF_AUX (read
 * through cond's CF test before the record is overwritten, so the previous record must stay).
 */
function incDec(k: number, inc: boolean, wide: boolean, dst: number): InlineInsn {
  const a = `a${k}`, aHi = `ah${k}`, r = `v${k}`, rHi = `vh${k}`, d = dst * 2;
  const lazyOp = inc ? OP_INC : OP_DEC;
  const carry = `lf[${LF_AUX}] = cond(cpu, 2) ? 1 : 0;`;
  const sign = inc ? "+" : "-";
  if (!wide) {
    return {
      body: `const ${a} = r[${d}], ${r} = (${a} ${sign} 1) >>> 0; r[${d}] = ${r}; r[${d + 1}] = 0;`,
      record:
        `${carry} lf[${LF_OP}] = ${lazyOp}; lf[${LF_BITS}] = 32; lf[${LF_RLO}] = ${r}; lf[${LF_ALO}] = ${a}; lf[${LF_BLO}] = 1;`,
      readsFlags: true,
      producer: { op: lazyOp, wide, a, aHi: "0", b: "1", bHi: "0", r, rHi: "0" },
    };
  }
  // The high half changes when the low half wraps: to 0 for INC, from 0 for DEC.
  const wraps = inc ? `${r} === 0` : `${a} === 0`;
  return {
    body: `const ${a} = r[${d}], ${aHi} = r[${d + 1}], ${r} = (${a} ${sign} 1) >>> 0;` +
      ` const ${rHi} = ${wraps} ? (${aHi} ${sign} 1) >>> 0 : ${aHi};` +
      ` r[${d}] = ${r}; r[${d + 1}] = ${rHi};`,
    record:
      `${carry} lf[${LF_OP}] = ${lazyOp}; lf[${LF_BITS}] = 64; lf[${LF_RLO}] = ${r}; lf[${LF_RHI}] = ${rHi}; ` +
      `lf[${LF_ALO}] = ${a}; lf[${LF_AHI}] = ${aHi}; lf[${LF_BLO}] = 1; lf[${LF_BHI}] = 0;`,
    readsFlags: true,
    producer: { op: lazyOp, wide, a, aHi, b: "1", bHi: "0", r, rHi },
  };
}

// ---- the stack: PUSH/POP of 64-bit registers, CALL rel32 and RET -------------------------------
// Each does what its handler (ops/stack.ts, ops/control.ts) does in the same order: #SS for a
// non-canonical stack address, the memory access (which may fault) before RSP changes.

/** RSP as a signed JS number plus `delta`, #SS unless canonical; statements defining `sp<k>`. */
function stackPointer(k: number, addr: number, delta: number): string {
  return `cpu.insnStart = ${addr}; const sp${k} = (r[9] | 0) * ${TWO32} + r[8]${
    delta === 0 ? "" : ` - ${-delta}`
  };` + ` if (sp${k} < ${-CANON_LIMIT} || sp${k} >= ${CANON_LIMIT}) cpu.raise(${VEC_SS}, 0);`;
}
/** RSP -= 8 / RSP += 8 on the halves (the same value setRegFromNumber stores). */
const RSP_DOWN = "{ const l = r[8]; r[8] = (l - 8) >>> 0; if (l < 8) r[9] = (r[9] - 1) >>> 0; }";
const RSP_UP =
  `{ const l = r[8] + 8; r[8] = l >>> 0; if (l >= ${TWO32}) r[9] = (r[9] + 1) >>> 0; }`;

function stackInsn(
  insn: Insn,
  k: number,
  addr: number,
  next: number,
  leave: string,
): InlineInsn | null | undefined {
  const fn = insn.fn;
  let body: string;
  if (fn === pushZ && insn.opsize === 8) {
    const g = insn.reg * 2;
    body = `${stackPointer(k, addr, -8)} cpu.write64(sp${k}, r[${g}], r[${g + 1}]); ${RSP_DOWN}` +
      ` if (cpu.stop !== 0) { ${leave} }`;
  } else if (fn === popZ && insn.opsize === 8) {
    const g = insn.reg * 2;
    body = `${stackPointer(k, addr, 0)} const p${k} = cpu.read64(sp${k}), ph${k} = cpu.hi;` +
      ` ${RSP_UP} r[${g}] = p${k}; r[${g + 1}] = ph${k};`;
  } else if (fn === callRel) {
    // The last instruction of its block: the compiler returns right after it.
    const target = next + insn.imm;
    if (target < -CANON_LIMIT || target >= CANON_LIMIT) return null; // #GP: the handler's job
    const hi = Math.floor(next / TWO32);
    body = `${stackPointer(k, addr, -8)} cpu.write64(sp${k}, ${next - hi * TWO32}, ${hi >>> 0});` +
      ` ${RSP_DOWN} cpu.rip = ${target};`;
  } else if (fn === ret && insn.opByte === 0xc3) {
    body = `${stackPointer(k, addr, 0)} const t${k} = cpu.read64(sp${k});` +
      ` const tc${k} = cpu.canonical(t${k}, cpu.hi); ${RSP_UP} cpu.rip = tc${k};`;
  } else return undefined;
  return { body, record: "", producer: null, canFault: true };
}

/** LEA with 64-bit addressing: the handler's wrap-around sum, truncated to the operand size. */
function leaCode(insn: Insn, k: number, wide: boolean, next: number): InlineInsn | null {
  if (insn.asize !== 8) return null;
  const d = insn.reg * 2;
  const disp = insn.disp;
  if (insn.base === BASE_RIP) {
    const sum = (disp >>> 0) + (next >>> 0);
    const hi = ((disp < 0 ? 0xffffffff : 0) + Math.floor(next / TWO32) + (sum >= TWO32 ? 1 : 0)) >>>
      0;
    return constant(insn.reg, sum >>> 0, wide ? hi : 0);
  }
  const terms: [string, string][] = [];
  if (insn.base >= 0) terms.push([`r[${insn.base * 2}]`, `r[${insn.base * 2 + 1}]`]);
  if (insn.index >= 0) {
    const x = insn.index * 2, sc = insn.scale;
    if (sc === 0) terms.push([`r[${x}]`, `r[${x + 1}]`]);
    else {
      terms.push([
        `((r[${x}] << ${sc}) >>> 0)`,
        `(((r[${x + 1}] << ${sc}) | (r[${x}] >>> ${32 - sc})) >>> 0)`,
      ]);
    }
  }
  if (!wide) {
    const sum = [`${disp}`, ...terms.map((t) => t[0])].join(" + ");
    return plain(`r[${d}] = (${sum}) >>> 0; r[${d + 1}] = 0;`);
  }
  const lines = [`let l${k} = ${disp >>> 0}, h${k} = ${disp < 0 ? 0xffffffff : 0};`];
  for (const [lo, hi] of terms) {
    lines.push(
      `{ const s = l${k} + ${lo}; h${k} = (h${k} + ${hi} + (s >= ${TWO32} ? 1 : 0)) >>> 0;` +
        ` l${k} = s >>> 0; }`,
    );
  }
  lines.push(`r[${d}] = l${k}; r[${d + 1}] = h${k};`);
  return plain(lines.join(" "));
}

/**
 * MOV loads and stores and MOVZX loads through the CPU's TLB fast paths. They can fault, so
 * the instruction's start is recorded first; a RIP-relative address is a constant.
 */
function memoryInsn(
  insn: Insn,
  k: number,
  addr: number,
  next: number,
  leave: string,
): InlineInsn | null {
  const fn = insn.fn, s = insn.opsize, g = insn.reg * 2;
  let kind: "load" | "store" | "zx8" | "zx16";
  if (fn === movGE && (s === 4 || s === 8)) kind = "load";
  else if (fn === movEG && (s === 4 || s === 8 || s === 1)) kind = "store";
  else if (fn === movzxB && s !== 2) kind = "zx8";
  else if (fn === movzxW && s !== 2) kind = "zx16";
  else return null;
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
  const start = `cpu.insnStart = ${addr}; ${ea}`;
  let body: string;
  if (kind === "load") {
    body = s === 8
      ? `${start} const l${k} = cpu.read64(m${k}); r[${g}] = l${k}; r[${g + 1}] = cpu.hi;`
      : `${start} r[${g}] = cpu.read32(m${k}); r[${g + 1}] = 0;`;
  } else if (kind === "zx8" || kind === "zx16") {
    body = `${start} r[${g}] = cpu.read${kind === "zx8" ? 8 : 16}(m${k}); r[${g + 1}] = 0;`;
  } else {
    let write: string;
    if (s === 8) write = `cpu.write64(m${k}, r[${g}], r[${g + 1}]);`;
    else if (s === 4) write = `cpu.write32(m${k}, r[${g}]);`;
    else {
      // Without REX, byte registers 4-7 are AH, CH, DH, BH.
      const n = insn.reg;
      const byte = n >= 4 && n < 8 && insn.rex === 0 ? (n - 4) * 8 + 1 : n * 8;
      write = `cpu.write8(m${k}, cpu.r8[${byte}]);`;
    }
    body = `${start} ${write} if (cpu.stop !== 0) { ${leave} }`;
  }
  return { body, record: "", producer: null, usesInsn, canFault: true };
}

const SIGN = 2147483648;

/**
 * A JS condition for condition code `cc` computed from the producer's locals, or null when
 * the general evaluation (flags.ts cond) is needed.
 */
export function fusedCondition(p: FlagProducer, cc: number): string | null {
  const negate = (cc & 1) !== 0;
  const base = cc & ~1;
  let t: string | null = null;
  const { a, aHi, b, bHi, r, rHi } = p;
  const zero = p.wide ? `(${r} | ${rHi}) === 0` : `${r} === 0`;
  const signSet = p.wide ? `${rHi} >= ${SIGN}` : `${r} >= ${SIGN}`;
  if (base === 4) t = zero;
  else if (base === 8) t = signSet;
  else if (p.op === OP_LOGIC) {
    if (base === 0 || base === 2) t = "false"; // OF, CF are clear
    else if (base === 6) t = zero; // BE: CF or ZF
    else if (base === 12) t = signSet; // L: SF != OF
    else if (base === 14) t = `(${zero} || ${signSet})`;
  } else if (p.op === OP_SUB) {
    const below = p.wide
      ? `(${aHi} < ${bHi} || (${aHi} === ${bHi} && ${a} < ${b}))`
      : `${a} < ${b}`;
    const equal = p.wide ? `(${a} === ${b} && ${aHi} === ${bHi})` : `${a} === ${b}`;
    const less = p.wide
      ? `((${aHi} | 0) < (${bHi} | 0) || (${aHi} === ${bHi} && ${a} < ${b}))`
      : `(${a} | 0) < (${b} | 0)`;
    if (base === 2) t = below;
    else if (base === 6) t = `(${below} || ${equal})`;
    else if (base === 12) t = less;
    else if (base === 14) t = `(${less} || ${equal})`;
  }
  if (t === null) return null;
  return negate ? `!(${t})` : t;
}
