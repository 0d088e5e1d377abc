// Inline semantics for the block compiler's SSE instructions and memory-operand addresses. The
// hot XMM moves, packed-integer operations and binary64/binary32 arithmetic are emitted as JS
// source; anything unusual (huge or non-canonical addresses, misaligned packed operands, MXCSR
// not in the default state, operands or results that could raise a floating-point exception
// other than the already-set inexact flag) runs the instruction's handler instead, so the
// handler stays the one definition of every corner case.
//
// The binary64 fast path is exact: with all exceptions masked, round-to-nearest, no FTZ/DAZ and
// PE already set, an operation on normal finite operands whose rounded result is normal,
// finite and above the smallest normal raises nothing new, and the JS double result is the
// correctly rounded IEEE result the hardware produces. binary32 lanes use Math.fround of the
// double result, which is exact for +, -, *, / and sqrt (53 >= 2 * 24 + 2 bits).

import { BASE_RIP, type Insn } from "./insn.ts";
import { ACCESS_WRITE, TLB_SIZE } from "../mmu.ts";

const TWO32 = 4294967296;
const CANON_LIMIT = 0x800000000000;
/** Register high halves within these bounds give exact (below 2^52) address sums. */
const HI_MAX = 0xfffff, HI_MIN = -0x100000;

/** Source computing the address of a memory operand into `m<k>`. */
export interface AddressCode {
  /** Statements declaring m<k>. */
  pre: string;
  /** Condition under which m<k> is not the address (the handler must run), "" for never. */
  bad: string;
}

/**
 * The address of `insn`'s memory operand as JS source, mirroring Cpu.ea for 64-bit addressing
 * without a segment override (null otherwise); `next` is the RIP after the instruction.
 */
export function addressCode(insn: Insn, k: number, next: number): AddressCode | null {
  if (insn.asize !== 8 || insn.seg !== 0) return null;
  const m = `m${k}`;
  if (insn.base === BASE_RIP) {
    const a = next + insn.disp;
    if (a < -CANON_LIMIT || a >= CANON_LIMIT) return null;
    return { pre: `const ${m} = ${a};`, bad: "" };
  }
  // Both high halves zero (the common case): a sum below 2^36, exact and canonical. Otherwise
  // the general sum, flagged in w<k> when it is not exact or not canonical.
  const his: string[] = [], terms: string[] = [], wide: string[] = [], bad: string[] = [];
  const scale = insn.scale === 0 ? "" : ` * ${1 << insn.scale}`;
  if (insn.base >= 0) {
    const b = insn.base * 2;
    his.push(`r[${b + 1}]`);
    terms.push(`r[${b}]`);
    wide.push(`const bh = r[${b + 1}] | 0;`);
    bad.push(`bh > ${HI_MAX} || bh < ${HI_MIN}`);
  }
  if (insn.index >= 0) {
    const x = insn.index * 2;
    his.push(`r[${x + 1}]`);
    terms.push(`r[${x}]${scale}`);
    wide.push(`const xh = r[${x + 1}] | 0;`);
    bad.push(`xh > ${HI_MAX} || xh < ${HI_MIN}`);
  }
  // [disp32] alone: a sign-extended 32-bit number, always canonical.
  if (terms.length === 0) return { pre: `const ${m} = ${insn.disp};`, bad: "" };
  const disp = insn.disp === 0 ? "" : `${insn.disp} + `;
  let general = `${insn.disp}`;
  if (insn.base >= 0) general += ` + (bh * ${TWO32} + r[${insn.base * 2}])`;
  if (insn.index >= 0) general += ` + (xh * ${TWO32} + r[${insn.index * 2}])${scale}`;
  bad.push(`${m} < ${-CANON_LIMIT} || ${m} >= ${CANON_LIMIT}`);
  const pre = `let ${m} = ${disp}${terms.join(" + ")}, w${k} = false;` +
    ` if ((${his.join(" | ")}) !== 0) { ${wide.join(" ")} ${m} = ${general};` +
    ` w${k} = ${bad.join(" || ")}; }`;
  return { pre, bad: `w${k}` };
}

// ---- memory through the TLB (the compiled function has tlbTag, tlbPhys and dv) ---------------

/**
 * Statements doing `fast(p)` with `p` the physical address of the `size` bytes at `m` when they
 * lie in one page whose translation for the access is in the TLB, else `slow` (as Cpu's
 * read/write fast paths do).
 */
export function viaTlb(
  m: string,
  k: number,
  size: number,
  write: boolean,
  fast: (p: string) => string,
  slow: string,
): string {
  const base = write ? `${ACCESS_WRITE * TLB_SIZE} + ` : "";
  return `{ const o = ${m} & 4095, vp = Math.floor(${m} * ${1 / 4096}), sl = ${base}(vp & 4095);` +
    ` if (o <= ${4096 - size} && tlbTag[sl] === vp) { const p${k} = tlbPhys[sl] + o; ${
      fast(`p${k}`)
    } } else { ${slow} } }`;
}

/** Read 8 bytes at `m` into the halves `lo` and `hi` (assignable expressions). */
export function read64Code(m: string, k: number, lo: string, hi: string): string {
  return viaTlb(
    m,
    k,
    8,
    false,
    (p) => `${lo} = dv.getInt32(${p}, true); ${hi} = dv.getInt32(${p} + 4, true);`,
    `${lo} = cpu.read64(${m}); ${hi} = cpu.hi;`,
  );
}

/** Read 16 bytes at `m` into the dwords `array`[q..q+3]. */
function read128Code(m: string, k: number, array: string, q: number): string {
  const words = (p: string) =>
    [0, 1, 2, 3].map((j) => `${array}[${q + j}] = dv.getInt32(${p} + ${4 * j}, true);`).join(" ");
  return viaTlb(m, k, 16, false, words, `cpu.read128(${m}, ${array}, ${q});`);
}

/** Write the halves `lo` and `hi` as 8 bytes at `m`. */
export function write64Code(m: string, k: number, lo: string, hi: string): string {
  return viaTlb(
    m,
    k,
    8,
    true,
    (p) => `dv.setInt32(${p}, ${lo}, true); dv.setInt32(${p} + 4, ${hi}, true);`,
    `cpu.write64(${m}, ${lo}, ${hi});`,
  );
}

/**
 * Write the dwords x[q..q+3] as 16 bytes at `m`, all or nothing (as write128); `after` follows
 * the slow path (the stop check).
 */
function write128Code(m: string, k: number, q: number, after: string): string {
  const words = (p: string) =>
    [0, 1, 2, 3].map((j) => `dv.setInt32(${p} + ${4 * j}, xi[${q + j}], true);`).join(" ");
  return viaTlb(
    m,
    k,
    16,
    true,
    words,
    `if ((${m} & 4095) > 4080) cpu.probeWrite(${m}, 16);` +
      ` cpu.write64(${m}, xi[${q}], xi[${q + 1}]); cpu.write64(${m} + 8, xi[${q + 2}], xi[${
        q + 3
      }]);` +
      ` ${after}`,
  );
}

// ---- values the compiled functions receive as parameters --------------------------------------

const MIN64 = 2.2250738585072014e-308, MAX64 = Number.MAX_VALUE;
const MIN32 = 1.1754943508222875e-38, MAX32 = 3.4028234663852886e38;

/**
 * Source testing that `v` is a normal finite operand (not zero, denormal, infinite or NaN), or
 * with `result`, a rounded result that cannot have underflowed, overflowed or be invalid.
 */
function normalCheck(v: string, single: boolean, result: boolean): string {
  const min = single ? MIN32 : MIN64, max = single ? MAX32 : MAX64;
  return `Math.abs(${v}) ${result ? ">" : ">="} ${min} && Math.abs(${v}) <= ${max}`;
}

const scratch = new ArrayBuffer(16);

/** Names and values every compiled function receives (scratch views for memory operands). */
export const SSE_PARAMS: [string, unknown][] = [
  ["t32", new Int32Array(scratch)],
  ["t64", new Float64Array(scratch)],
  ["tf32", new Float32Array(scratch)],
];

/** MXCSR with every exception masked, RC = nearest, no FTZ/DAZ, and PE already set. */
const FAST_MXCSR = "(cpu.mxcsr & 0xffe0) === 0x1fa0";

// ---- code generation ------------------------------------------------------------------------

interface Site {
  insn: Insn;
  k: number;
  addr: number;
  next: number;
  leave: string;
}

/** Inline SSE code: `body`, which may call the handler `f<k>` with the Insn `i<k>`. */
export interface SseCode {
  body: string;
  canFault: boolean;
}

/** Run the handler (the general path). */
function handler(s: Site): string {
  return `cpu.insnStart = ${s.addr}; cpu.rip = ${s.next}; f${s.k}(cpu, i${s.k});` +
    ` if (cpu.stop !== 0) { ${s.leave} }`;
}

/** `fast` with the operand address in m<k>, or the handler when the address is unusual. */
function withAddress(s: Site, aligned: boolean, fast: string): string | null {
  const a = addressCode(s.insn, s.k, s.next);
  if (a === null) return null;
  const bad = [a.bad, aligned ? `(m${s.k} & 15) !== 0` : ""].filter((c) => c !== "").join(" || ");
  const start = `cpu.insnStart = ${s.addr}; ${a.pre}`;
  return bad === ""
    ? `${start} ${fast}`
    : `${start} if (${bad}) { ${handler(s)} } else { ${fast} }`;
}

/**
 * An operation on the XMM destination and a 128-bit source whose dwords `body` receives as
 * expressions; packed memory sources must be 16-byte aligned.
 */
function source128(s: Site, body: (src: string[]) => string): string | null {
  const i = s.insn;
  if (!i.isMem) {
    const q = i.rm * 4;
    return body([0, 1, 2, 3].map((j) => `xi[${q + j}]`));
  }
  const read = read128Code(`m${s.k}`, s.k, "t32", 0);
  return withAddress(s, true, `${read} ${body(["t32[0]", "t32[1]", "t32[2]", "t32[3]"])}`);
}

/** dword j of the destination becomes `combine(dest, src)`; all sources are read first. */
function lanewise(s: Site, combine: (a: string, b: string) => string): string | null {
  const d = s.insn.reg * 4;
  return source128(
    s,
    (src) =>
      `const s0 = ${src[0]}, s1 = ${src[1]}, s2 = ${src[2]}, s3 = ${src[3]};` +
      [0, 1, 2, 3].map((j) => ` xi[${d + j}] = ${combine(`xi[${d + j}]`, `s${j}`)};`).join(""),
  );
}

function pmuludq(s: Site): string | null {
  const d = s.insn.reg * 4;
  return source128(s, (src) => {
    const lines = [
      `const a0 = xi[${d}] >>> 0, b0 = ${src[0]} >>> 0, a1 = xi[${d + 2}] >>> 0, b1 = ${
        src[2]
      } >>> 0;`,
    ];
    for (const j of [0, 1]) {
      // The rounded double product is within 2^11 of the exact one: the low half from
      // Math.imul, the high half by rounding (as mulHigh32 in ops/wide-arith.ts).
      lines.push(
        `const l${j} = Math.imul(a${j}, b${j}) >>> 0; xi[${d + 2 * j}] = l${j};` +
          ` xi[${d + 2 * j + 1}] = Math.round((a${j} * b${j} - l${j}) * ${1 / TWO32});`,
      );
    }
    return lines.join(" ");
  });
}

/** Destination dwords [dest0, src0, dest1, src1] (PUNPCKLDQ, UNPCKLPS). */
function unpackLowDwords(s: Site): string | null {
  const d = s.insn.reg * 4;
  return source128(s, (src) =>
    `const a1 = xi[${d + 1}], s0 = ${src[0]}, s1 = ${src[1]};` +
    ` xi[${d + 1}] = s0; xi[${d + 2}] = a1; xi[${d + 3}] = s1;`);
}

/** Destination qwords [dest low, src low] or [dest high, src high]. */
function unpackQwords(s: Site, high: boolean): string | null {
  const d = s.insn.reg * 4, o = high ? 2 : 0;
  return source128(s, (src) =>
    `const s0 = ${src[o]}, s1 = ${src[o + 1]};` +
    (high ? ` xi[${d}] = xi[${d + 2}]; xi[${d + 1}] = xi[${d + 3}];` : "") +
    ` xi[${d + 2}] = s0; xi[${d + 3}] = s1;`);
}

function pshufd(s: Site): string | null {
  const d = s.insn.reg * 4, imm = s.insn.imm;
  return source128(
    s,
    (src) =>
      `const s0 = ${src[0]}, s1 = ${src[1]}, s2 = ${src[2]}, s3 = ${src[3]};` +
      [0, 1, 2, 3].map((j) => ` xi[${d + j}] = s${(imm >> (2 * j)) & 3};`).join(""),
  );
}

/** PSRLQ/PSLLQ/PSRLD/PSLLD xmm, imm8 (the register is ModRM.rm). */
function shiftImm(s: Site, qword: boolean, left: boolean): string {
  const u = s.insn.rm * 4, c = s.insn.imm & 0xff;
  const lines: string[] = [];
  if (!qword) {
    for (let j = 0; j < 4; j++) {
      if (c > 31) lines.push(`xi[${u + j}] = 0;`);
      else if (c > 0) lines.push(`xi[${u + j}] ${left ? "<<=" : ">>>="} ${c};`);
    }
    return lines.join(" ");
  }
  for (const lo of [u, u + 2]) {
    const hi = lo + 1;
    if (c > 63) lines.push(`xi[${lo}] = 0; xi[${hi}] = 0;`);
    else if (c >= 32) {
      lines.push(
        left
          ? `xi[${hi}] = xi[${lo}] << ${c - 32}; xi[${lo}] = 0;`
          : `xi[${lo}] = xi[${hi}] >>> ${c - 32}; xi[${hi}] = 0;`,
      );
    } else if (c > 0) {
      lines.push(
        left
          ? `xi[${hi}] = (xi[${hi}] << ${c}) | (xi[${lo}] >>> ${32 - c}); xi[${lo}] <<= ${c};`
          : `xi[${lo}] = (xi[${lo}] >>> ${c}) | (xi[${hi}] << ${32 - c}); xi[${hi}] >>>= ${c};`,
      );
    }
  }
  return lines.join(" ");
}

// ---- moves ------------------------------------------------------------------------------------

function load128(s: Site, aligned: boolean): string | null {
  const i = s.insn, d = i.reg * 4;
  if (!i.isMem) {
    const q = i.rm * 4;
    return [0, 1, 2, 3].map((j) => `xi[${d + j}] = xi[${q + j}];`).join(" ");
  }
  return withAddress(s, aligned, read128Code(`m${s.k}`, s.k, "xi", d));
}

function store128(s: Site, aligned: boolean): string | null {
  const i = s.insn, q = i.reg * 4;
  if (!i.isMem) {
    const d = i.rm * 4;
    return [0, 1, 2, 3].map((j) => `xi[${d + j}] = xi[${q + j}];`).join(" ");
  }
  return withAddress(
    s,
    aligned,
    write128Code(`m${s.k}`, s.k, q, `if (cpu.stop !== 0) { ${s.leave} }`),
  );
}

/** MOVSD/MOVSS/MOVQ loads: memory zeroes the upper lanes; a register source keeps them
 * (`zeroFromReg` false) or zeroes them too (MOVQ). */
function loadLow(s: Site, dwords: 1 | 2, zeroFromReg: boolean): string | null {
  const i = s.insn, d = i.reg * 4;
  if (!i.isMem) {
    const q = i.rm * 4;
    const copy = dwords === 2
      ? `const s0 = xi[${q}], s1 = xi[${q + 1}]; xi[${d}] = s0; xi[${d + 1}] = s1;`
      : `xi[${d}] = xi[${q}];`;
    return copy + (zeroFromReg ? ` xi[${d + 2}] = 0; xi[${d + 3}] = 0;` : "");
  }
  const m = `m${s.k}`;
  const read = dwords === 2
    ? read64Code(m, s.k, `xi[${d}]`, `xi[${d + 1}]`)
    : `xi[${d}] = cpu.read32(${m}); xi[${d + 1}] = 0;`;
  return withAddress(s, false, `${read} xi[${d + 2}] = 0; xi[${d + 3}] = 0;`);
}

/** MOVSD/MOVSS/MOVQ stores; MOVQ to a register zeroes its upper qword. */
function storeLow(s: Site, dwords: 1 | 2, zeroToReg: boolean): string | null {
  const i = s.insn, q = i.reg * 4;
  if (!i.isMem) {
    const d = i.rm * 4;
    const copy = dwords === 2
      ? `const s0 = xi[${q}], s1 = xi[${q + 1}]; xi[${d}] = s0; xi[${d + 1}] = s1;`
      : `xi[${d}] = xi[${q}];`;
    return copy + (zeroToReg ? ` xi[${d + 2}] = 0; xi[${d + 3}] = 0;` : "");
  }
  const m = `m${s.k}`;
  const write = dwords === 2
    ? write64Code(m, s.k, `xi[${q}]`, `xi[${q + 1}]`)
    : `cpu.write32(${m}, xi[${q}]);`;
  return withAddress(s, false, `${write} if (cpu.stop !== 0) { ${s.leave} }`);
}

/** 66 0F 6E: MOVD/MOVQ xmm, r/m32/64. */
function movdToXmm(s: Site): string | null {
  const i = s.insn, d = i.reg * 4, wide = i.opsize === 8;
  if (i.opsize !== 4 && !wide) return null;
  if (!i.isMem) {
    const g = i.rm * 2;
    return `xi[${d}] = r[${g}]; xi[${d + 1}] = ${wide ? `r[${g + 1}]` : "0"};` +
      ` xi[${d + 2}] = 0; xi[${d + 3}] = 0;`;
  }
  const m = `m${s.k}`;
  const read = wide
    ? `xi[${d}] = cpu.read64(${m}); xi[${d + 1}] = cpu.hi;`
    : `xi[${d}] = cpu.read32(${m}); xi[${d + 1}] = 0;`;
  return withAddress(s, false, `${read} xi[${d + 2}] = 0; xi[${d + 3}] = 0;`);
}

/** 66 0F 7E: MOVD/MOVQ r/m32/64, xmm. */
function movdFromXmm(s: Site): string | null {
  const i = s.insn, q = i.reg * 4, wide = i.opsize === 8;
  if (i.opsize !== 4 && !wide) return null;
  if (!i.isMem) {
    const g = i.rm * 2;
    return `r[${g}] = xi[${q}]; r[${g + 1}] = ${wide ? `xi[${q + 1}]` : "0"};`;
  }
  const m = `m${s.k}`;
  const write = wide
    ? `cpu.write64(${m}, xi[${q}], xi[${q + 1}]);`
    : `cpu.write32(${m}, xi[${q}]);`;
  return withAddress(s, false, `${write} if (cpu.stop !== 0) { ${s.leave} }`);
}

// ---- floating point ---------------------------------------------------------------------------

const OPERATORS: Record<string, string> = { add: "+", sub: "-", mul: "*", div: "/" };

/** The result of `op` on a and b as a JS expression (binary32 results rounded by fround). */
function result(op: string, a: string, b: string, single: boolean): string {
  const v = op === "sqrt" ? `Math.sqrt(${b})` : `${a} ${OPERATORS[op]} ${b}`;
  return single ? `Math.fround(${v})` : v;
}

/**
 * xxxSD/xxxSS/xxxPD/xxxPS on `lanes` lanes: every lane computed, then committed together when
 * the fast conditions hold for all of them; otherwise the handler runs.
 */
function arith(s: Site, op: string, single: boolean, lanes: number): string | null {
  const i = s.insn;
  const view = single ? "xf32" : "xd";
  const per = single ? 1 : 2; // dwords per lane
  const d = (i.reg * 4) / per;
  const compute = (src: (j: number) => string): string => {
    const lines: string[] = [], checks = [FAST_MXCSR];
    for (let j = 0; j < lanes; j++) {
      lines.push(`const a${j} = ${view}[${d + j}], b${j} = ${src(j)};`);
      lines.push(`const v${j} = ${result(op, `a${j}`, `b${j}`, single)};`);
      if (op !== "sqrt") checks.push(normalCheck(`a${j}`, single, false));
      checks.push(normalCheck(`b${j}`, single, false));
      if (op === "sqrt") checks.push(`b${j} > 0`);
      checks.push(normalCheck(`v${j}`, single, true));
    }
    const commit = Array.from({ length: lanes }, (_, j) => `${view}[${d + j}] = v${j};`).join(" ");
    return `${lines.join(" ")} if (${checks.join(" && ")}) { ${commit} } else { ${handler(s)} }`;
  };
  if (!i.isMem) {
    const q = (i.rm * 4) / per;
    return compute((j) => `${view}[${q + j}]`);
  }
  const m = `m${s.k}`;
  const scratchView = single ? "tf32" : "t64";
  const fromScratch = (j: number) => `${scratchView}[${j}]`;
  if (lanes * per === 4) {
    return withAddress(s, true, `${read128Code(m, s.k, "t32", 0)} ${compute(fromScratch)}`);
  }
  const read = single ? `t32[0] = cpu.read32(${m});` : read64Code(m, s.k, "t32[0]", "t32[1]");
  return withAddress(s, false, `${read} ${compute(fromScratch)}`);
}

// ---- dispatch ---------------------------------------------------------------------------------

type Generator = (s: Site) => string | null;

const and = (a: string, b: string) => `${a} & ${b}`;
const or = (a: string, b: string) => `${a} | ${b}`;
const xor = (a: string, b: string) => `${a} ^ ${b}`;
const andNot = (a: string, b: string) => `~${a} & ${b}`;
const plus = (a: string, b: string) => `(${a} + ${b}) | 0`;
const minus = (a: string, b: string) => `(${a} - ${b}) | 0`;

const GENERATORS = new Map<string, Generator>([
  ["NP 0F 10 /r", (s) => load128(s, false)],
  ["66 0F 10 /r", (s) => load128(s, false)],
  ["F3 0F 6F /r", (s) => load128(s, false)],
  ["NP 0F 28 /r", (s) => load128(s, true)],
  ["66 0F 28 /r", (s) => load128(s, true)],
  ["66 0F 6F /r", (s) => load128(s, true)],
  ["NP 0F 11 /r", (s) => store128(s, false)],
  ["66 0F 11 /r", (s) => store128(s, false)],
  ["F3 0F 7F /r", (s) => store128(s, false)],
  ["NP 0F 29 /r", (s) => store128(s, true)],
  ["66 0F 29 /r", (s) => store128(s, true)],
  ["66 0F 7F /r", (s) => store128(s, true)],
  ["F3 0F 10 /r", (s) => loadLow(s, 1, false)],
  ["F2 0F 10 /r", (s) => loadLow(s, 2, false)],
  ["F3 0F 7E /r", (s) => loadLow(s, 2, true)],
  ["F3 0F 11 /r", (s) => storeLow(s, 1, false)],
  ["F2 0F 11 /r", (s) => storeLow(s, 2, false)],
  ["66 0F D6 /r", (s) => storeLow(s, 2, true)],
  ["66 0F 6E /r", movdToXmm],
  ["66 0F 7E /r", movdFromXmm],
  ["66 0F FE /r", (s) => lanewise(s, plus)],
  ["66 0F FA /r", (s) => lanewise(s, minus)],
  ["66 0F DB /r", (s) => lanewise(s, and)],
  ["66 0F DF /r", (s) => lanewise(s, andNot)],
  ["66 0F EB /r", (s) => lanewise(s, or)],
  ["66 0F EF /r", (s) => lanewise(s, xor)],
  ["NP 0F 54 /r", (s) => lanewise(s, and)],
  ["66 0F 54 /r", (s) => lanewise(s, and)],
  ["NP 0F 55 /r", (s) => lanewise(s, andNot)],
  ["66 0F 55 /r", (s) => lanewise(s, andNot)],
  ["NP 0F 56 /r", (s) => lanewise(s, or)],
  ["66 0F 56 /r", (s) => lanewise(s, or)],
  ["NP 0F 57 /r", (s) => lanewise(s, xor)],
  ["66 0F 57 /r", (s) => lanewise(s, xor)],
  ["66 0F F4 /r", pmuludq],
  ["66 0F 70 /r", pshufd],
  ["66 0F 62 /r", unpackLowDwords],
  ["NP 0F 14 /r", unpackLowDwords],
  ["66 0F 6C /r", (s) => unpackQwords(s, false)],
  ["66 0F 14 /r", (s) => unpackQwords(s, false)],
  ["66 0F 15 /r", (s) => unpackQwords(s, true)],
  ["66 0F 72 /2", (s) => shiftImm(s, false, false)],
  ["66 0F 72 /6", (s) => shiftImm(s, false, true)],
  ["66 0F 73 /2", (s) => shiftImm(s, true, false)],
  ["66 0F 73 /6", (s) => shiftImm(s, true, true)],
]);
for (
  const [name, opcode] of Object.entries({ add: 0x58, mul: 0x59, sub: 0x5c, div: 0x5e, sqrt: 0x51 })
) {
  const hex = opcode.toString(16).toUpperCase();
  GENERATORS.set(`NP 0F ${hex} /r`, (s) => arith(s, name, true, 4));
  GENERATORS.set(`66 0F ${hex} /r`, (s) => arith(s, name, false, 2));
  GENERATORS.set(`F3 0F ${hex} /r`, (s) => arith(s, name, true, 1));
  GENERATORS.set(`F2 0F ${hex} /r`, (s) => arith(s, name, false, 1));
}

/** The op strings of the forms inlined here (tests check each names a form of the table). */
export const INLINED_SSE_FORMS: readonly string[] = [...GENERATORS.keys()];

/**
 * Source for the SSE instruction `insn` (k-th of its block, at `addr`, `next` after it), or null
 * when it is not one of the inlined forms. `leave` ends the block after this instruction.
 */
export function inlineSse(
  insn: Insn,
  k: number,
  addr: number,
  next: number,
  leave: string,
): SseCode | null {
  const form = insn.form;
  if (form === null || form.vex || form.spec.fn !== insn.fn) return null;
  const generate = GENERATORS.get(form.spec.op);
  if (generate === undefined) return null;
  const body = generate({ insn, k, addr, next, leave });
  if (body === null) return null;
  // Float arithmetic may run its handler (which may raise #XM) even with a register source.
  const canFault = insn.isMem || body.includes(`f${k}(`);
  return { body: `{ ${body} }`, canFault };
}
