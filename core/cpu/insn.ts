// The decoded instruction and the form table entry type. The decoder fills an Insn once; the
// interpreter and the block compiler read only these fields, never the raw bytes.

import type { Cpu } from "./cpu.ts";

export type Handler = (cpu: Cpu, i: Insn) => void;

/** Hints for the differential-test generator (see tests/cpu-diff/). */
export interface TestHint {
  /** Do not run this form against the host (non-deterministic or privileged). */
  skip?: string;
  /** Result compared within this many ulps (x87 transcendental functions). */
  ulps?: number;
  /** Extra notes for the generator: e.g. "aligned16" memory operands. */
  mem?: "aligned16";
  /** Restrict a count-like register/immediate input (e.g. shifts): handled by generator. */
  [key: string]: unknown;
}

/**
 * One row of the decoding table.
 *
 * `op` uses Intel manual notation: an optional mandatory prefix (NP, 66, F2, F3) when the next
 * byte is 0F, the opcode bytes ("0F", "0F 38", "0F 3A" select the map), the last opcode byte
 * optionally with "+r" (register in the low 3 bits) or "+cc" (condition code in
 * the low nibble), then "/r", "/0".."/7", or a literal ModRM byte such as "D0".
 * VEX forms start with the manual's VEX token instead: "VEX.LZ.F2.0F38.W0 F6 /r" (L0/LZ/128,
 * L1/256 or LIG; the implied prefix 66/F3/F2, none meaning NP; the map 0F/0F38/0F3A; W0, W1,
 * or no W/WIG when VEX.W only selects a "y" operand size like REX.W).
 *
 * `args` uses Intel/AMD operand notation: E, G, M, R (general), V, W, U (xmm), I (imm),
 * J (relative), O (moffs), Z (register in opcode) with a size (b, w, d, q, v, z, y, x, dq, ss,
 * sd, ps, pd ...), or fixed registers (AL, rAX, CL, DX, 1), X/Y for the string operands at
 * DS:rSI and ES:rDI, B (general) or H (xmm) for the register in VEX.vvvv. Immediates and ModRM
 * presence are derived from it.
 *
 * `attrs`: "d64" default 64-bit operand size, "f64" forced 64-bit, "lock" LOCK allowed with a
 * memory destination, "branch" may change RIP (ends a decoded block), "mem"/"reg" restrict
 * ModRM.mod, "rep" honours REP prefixes, "w0"/"w1" require REX.W clear/set.
 */
export interface FormSpec {
  op: string;
  mnem: string;
  args: string;
  fn: Handler;
  attrs?: string;
  /** RFLAGS bits Intel leaves undefined after this instruction (masked in differential tests). */
  undef?: number;
  test?: TestHint;
}

/** Parsed form: what the decoder needs at speed. */
export interface Form {
  spec: FormSpec;
  map: number; // 0: one-byte, 1: 0F, 2: 0F 38, 3: 0F 3A
  opcode: number;
  plusR: boolean;
  /** "+cc": the opcode's low nibble is a condition code (16 opcodes: Jcc, SETcc, CMOVcc). */
  plusCC: boolean;
  /** -1 none/any, 0..3 = NP, 66, F3, F2 */
  prefix: number;
  /** 0..7 ModRM.reg, or -1 */
  ext: number;
  /** exact ModRM byte or -1 */
  modrmByte: number;
  hasModrm: boolean;
  /** 0 any, 1 memory only, 2 register only */
  modReq: number;
  /** 0 any, 1 REX.W must be 0, 2 REX.W must be 1 */
  wReq: number;
  /** operand size rule: 0 byte-sized, 1 v (16/32/64), 2 d64, 3 f64, 4 fixed 32/64 by REX.W */
  sizeRule: number;
  /** immediate kinds in order: 1,2,4,8 bytes; -2 = z (2 or 4); -8 = v (2/4/8); -9 = moffs */
  imms: number[];
  lock: boolean;
  branch: boolean;
  rep: boolean;
  /** index into the global form list (stable id for tests) */
  id: number;
  /** VEX-encoded (C4/C5): lives in its own opcode maps; `prefix` is VEX.pp. */
  vex: boolean;
  /** Required VEX.L: 0, 1, or -1 when ignored (also -1 for legacy forms). */
  vexL: number;
  /** VEX.vvvv names an operand; otherwise it must be 1111b (register 0 here) or #UD. */
  usesVvvv: boolean;
}

export const PFX_NONE = 0;
export const PFX_66 = 1;
export const PFX_F3 = 2;
export const PFX_F2 = 3;

export const SEG_NONE = 0;
export const SEG_FS = 4;
export const SEG_GS = 5;

/** Base register code for RIP-relative addressing. */
export const BASE_RIP = 16;

export class Insn {
  fn: Handler;
  form: Form | null = null;
  /** Length in bytes. */
  len = 0;
  /** Operand size in bytes: 1, 2, 4 or 8. */
  opsize = 4;
  /** Address size in bytes: 4 or 8. */
  asize = 8;
  /** ModRM.reg extended by REX.R (0-15). For +r forms: the register from the opcode, with REX.B. */
  reg = 0;
  /** ModRM.rm extended by REX.B when it names a register. */
  rm = 0;
  isMem = false;
  /** -1 none, 0-15 register, 16 RIP */
  base = -1;
  index = -1;
  scale = 0;
  disp = 0;
  seg = SEG_NONE;
  /** First immediate sign-extended to a signed 32-bit number; immHi its upper 32 bits. */
  imm = 0;
  immHi = 0;
  /** Second immediate (ENTER's level, EXTRQ, ...), raw. */
  imm2 = 0;
  /** REX byte (0 when absent). */
  rex = 0;
  /** 0 none, 1 REP/REPE (F3), 2 REPNE (F2) */
  rep = 0;
  lock = false;
  /** The last opcode byte (condition codes, +r registers). */
  opByte = 0;
  /** Raw ModRM byte (x87 uses it). */
  modrm = 0;
  /** VEX forms: the register named by VEX.vvvv (already un-inverted, 0-15). */
  vvvv = 0;
  /** VEX forms: VEX.L (0 = 128-bit/scalar, 1 = 256-bit). */
  vexL = 0;

  constructor(fn: Handler) {
    this.fn = fn;
  }
}
