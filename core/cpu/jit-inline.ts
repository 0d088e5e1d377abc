// Inline semantics for the block compiler: the most frequent instructions (register MOV, LEA,
// INC/DEC and register IMUL at 32 and 64 bits, PUSH/POP of 64-bit registers, CALL rel32, RET,
// Jcc and JMP; the ALU, TEST, MOV and MOVZX forms of jit-operands.ts and the SSE forms of
// jit-sse.ts) are emitted as JS source instead of handler calls. Those that touch memory record
// their RIP first, since they may fault. Each one computes exactly what its handler in ops/
// computes, lazy-flag record included; the record is returned separately so the compiler can
// drop it when a later instruction of the block overwrites it unread, and a following Jcc can
// test the producer's operands directly.

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
  OP_DEC,
  OP_INC,
  OP_LOGIC,
  OP_SUB,
} from "./flags.ts";
import { VEC_SS } from "./exceptions.ts";
import { dec, inc } from "./ops/alu.ts";
import { lea, movEG, movEI, movGE, movZI } from "./ops/mov.ts";
import { callRel, jcc, jmpRel, ret } from "./ops/control.ts";
import { popZ, pushZ } from "./ops/stack.ts";
import { imulFlags32, imulFlags64, imulGE, imulGEI, mulLow64High } from "./ops/muldiv.ts";
import { inlineSse, SSE_PARAMS } from "./jit-sse.ts";
import { inlineOperands, loadCode, storeCode } from "./jit-operands.ts";

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
  /** OP_ADD, OP_SUB, OP_LOGIC, OP_INC or OP_DEC. */
  op: number;
  /** Operation width: 8, 32 or 64. */
  bits: number;
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
  const operands = inlineOperands(insn, k, addr, next, leave);
  if (operands !== null) return operands;
  if (insn.isMem && insn.fn !== lea) return null;
  const s = insn.opsize;
  if (s !== 4 && s !== 8) return null;
  const wide = s === 8;
  const fn = insn.fn;
  const immLo = insn.imm >>> 0, immHi = wide ? insn.immHi >>> 0 : 0;
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
      producer: { op: lazyOp, bits: 32, a, aHi: "0", b: "1", bHi: "0", r, rHi: "0" },
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
    producer: { op: lazyOp, bits: 64, a, aHi, b: "1", bHi: "0", r, rHi },
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
    const value = { lo: `r[${g}]`, hi: `r[${g + 1}]` };
    // RSP changes before the block may stop for a write to a code page.
    body = `${stackPointer(k, addr, -8)} ${storeCode(`sp${k}`, k, 8, value, null)} ${RSP_DOWN}` +
      ` if (cpu.stop !== 0) { ${leave} }`;
  } else if (fn === popZ && insn.opsize === 8) {
    const g = insn.reg * 2;
    body = `${stackPointer(k, addr, 0)} let q${k} = 0, qh${k} = 0;` +
      ` ${loadCode(`sp${k}`, k, 8, `q${k}`, `qh${k}`)} ${RSP_UP} r[${g}] = q${k}; r[${
        g + 1
      }] = qh${k};`;
  } else if (fn === callRel) {
    // The last instruction of its block: the compiler returns right after it.
    const target = next + insn.imm;
    if (target < -CANON_LIMIT || target >= CANON_LIMIT) return null; // #GP: the handler's job
    const hi = Math.floor(next / TWO32);
    const value = { lo: `${next - hi * TWO32}`, hi: `${hi >>> 0}` };
    body = `${stackPointer(k, addr, -8)} ${storeCode(`sp${k}`, k, 8, value, null)}` +
      ` ${RSP_DOWN} cpu.rip = ${target};`;
  } else if (fn === ret && insn.opByte === 0xc3) {
    body = `${stackPointer(k, addr, 0)} let t${k} = 0, th${k} = 0;` +
      ` ${loadCode(`sp${k}`, k, 8, `t${k}`, `th${k}`)}` +
      ` const tc${k} = cpu.canonical(t${k}, th${k}); ${RSP_UP} cpu.rip = tc${k};`;
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
  const wide = p.bits === 64;
  const zero = wide ? `(${r} | ${rHi}) === 0` : `${r} === 0`;
  const signSet = wide ? `${rHi} >= ${SIGN}` : p.bits === 8 ? `${r} >= 128` : `${r} >= ${SIGN}`;
  if (base === 4) t = zero;
  else if (base === 8) t = signSet;
  else if (p.op === OP_LOGIC) {
    if (base === 0 || base === 2) t = "false"; // OF, CF are clear
    else if (base === 6) t = zero; // BE: CF or ZF
    else if (base === 12) t = signSet; // L: SF != OF
    else if (base === 14) t = `(${zero} || ${signSet})`;
  } else if (p.op === OP_SUB) {
    // Operands are unsigned; shifting a byte to the top of an int32 orders it as signed.
    const signed = (v: string) => p.bits === 8 ? `(${v} << 24)` : `(${v} | 0)`;
    const below = wide ? `(${aHi} < ${bHi} || (${aHi} === ${bHi} && ${a} < ${b}))` : `${a} < ${b}`;
    const equal = wide ? `(${a} === ${b} && ${aHi} === ${bHi})` : `${a} === ${b}`;
    const less = wide
      ? `((${aHi} | 0) < (${bHi} | 0) || (${aHi} === ${bHi} && ${a} < ${b}))`
      : `${signed(a)} < ${signed(b)}`;
    if (base === 2) t = below;
    else if (base === 6) t = `(${below} || ${equal})`;
    else if (base === 12) t = less;
    else if (base === 14) t = `(${less} || ${equal})`;
  }
  if (t === null) return null;
  return negate ? `!(${t})` : t;
}
