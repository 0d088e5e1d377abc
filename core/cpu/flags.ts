// Lazy RFLAGS. Arithmetic instructions record what they computed (operation, width, operands,
// result) and the six status flags are derived only when something reads them. Values are kept
// as 32-bit halves so no BigInt ever enters the flag path.

import type { Cpu } from "./cpu.ts";

export const CF = 0x1;
export const PF = 0x4;
export const AF = 0x10;
export const ZF = 0x40;
export const SF = 0x80;
export const TF = 0x100;
export const IF = 0x200;
export const DF = 0x400;
export const OF = 0x800;
export const AC = 0x40000;
export const ID = 0x200000;
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Bits user code may change with POPF (IOPL, IF, VM, RF and friends are kept). */
export const USER_WRITABLE_FLAGS = STATUS_FLAGS | TF | DF | AC | ID;

// Lazy operation kinds (slot LF_OP).
export const OP_NONE = 0; // status flags live in cpu.flagsBase
export const OP_ADD = 1;
export const OP_ADC = 2; // LF_AUX = carry in
export const OP_SUB = 3; // also CMP and NEG (a = 0)
export const OP_SBB = 4; // LF_AUX = borrow in
export const OP_LOGIC = 5; // AND/OR/XOR/TEST: CF = OF = AF = 0
export const OP_INC = 6; // LF_AUX = preserved CF
export const OP_DEC = 7; // LF_AUX = preserved CF
export const OP_SHL = 8; // LF_AUX = CF (last bit out); OF = MSB(r) ^ CF
export const OP_SHR = 9; // LF_AUX = CF; OF = MSB(a)
export const OP_SAR = 10; // LF_AUX = CF; OF = 0

// Slots of cpu.lf.
export const LF_OP = 0;
export const LF_BITS = 1; // operation width in bits: 8, 16, 32 or 64
export const LF_RLO = 2;
export const LF_RHI = 3;
export const LF_ALO = 4;
export const LF_AHI = 5;
export const LF_BLO = 6;
export const LF_BHI = 7;
export const LF_AUX = 8;

const PARITY = new Uint8Array(256);
for (let i = 0; i < 256; i++) {
  let bits = 0;
  for (let v = i; v; v >>= 1) bits += v & 1;
  PARITY[i] = bits & 1 ? 0 : PF;
}

/** Record a flag-producing operation on values of at most 32 bits (already masked to width). */
export function setLazy(cpu: Cpu, op: number, bits: number, a: number, b: number, r: number) {
  const lf = cpu.lf;
  lf[LF_OP] = op;
  lf[LF_BITS] = bits;
  lf[LF_RLO] = r;
  lf[LF_ALO] = a;
  lf[LF_BLO] = b;
  // The high halves are stale below 64 bits; readers ignore them unless LF_BITS is 64.
}

/** Record a 64-bit flag-producing operation from 32-bit halves. */
export function setLazy64(
  cpu: Cpu,
  op: number,
  aLo: number,
  aHi: number,
  bLo: number,
  bHi: number,
  rLo: number,
  rHi: number,
) {
  const lf = cpu.lf;
  lf[LF_OP] = op;
  lf[LF_BITS] = 64;
  lf[LF_RLO] = rLo;
  lf[LF_RHI] = rHi;
  lf[LF_ALO] = aLo;
  lf[LF_AHI] = aHi;
  lf[LF_BLO] = bLo;
  lf[LF_BHI] = bHi;
}

function signOf(bits: number, lo: number, hi: number): number {
  switch (bits) {
    case 8:
      return (lo >>> 7) & 1;
    case 16:
      return (lo >>> 15) & 1;
    case 32:
      return lo >>> 31;
    default:
      return hi >>> 31;
  }
}

/** Unsigned x < y for values stored as halves (hi is 0 below 64 bits). */
function below(xLo: number, xHi: number, yLo: number, yHi: number): boolean {
  const xh = xHi >>> 0, yh = yHi >>> 0;
  return xh < yh || (xh === yh && (xLo >>> 0) < (yLo >>> 0));
}

export function getCF(cpu: Cpu): number {
  const lf = cpu.lf;
  const op = lf[LF_OP];
  if (op === OP_NONE) return cpu.flagsBase & CF;
  if (op === OP_LOGIC) return 0;
  if (op >= OP_INC) return lf[LF_AUX] & 1; // INC, DEC and shifts keep CF in LF_AUX
  const wide = lf[LF_BITS] === 64;
  const rHi = wide ? lf[LF_RHI] : 0, aHi = wide ? lf[LF_AHI] : 0, bHi = wide ? lf[LF_BHI] : 0;
  const r = lf[LF_RLO], a = lf[LF_ALO], b = lf[LF_BLO];
  switch (op) {
    case OP_ADD:
      return below(r, rHi, a, aHi) ? 1 : 0;
    case OP_ADC:
      return (lf[LF_AUX] ? !below(a, aHi, r, rHi) : below(r, rHi, a, aHi)) ? 1 : 0;
    case OP_SUB:
      return below(a, aHi, b, bHi) ? 1 : 0;
    default: // OP_SBB
      return (lf[LF_AUX] ? !below(b, bHi, a, aHi) : below(a, aHi, b, bHi)) ? 1 : 0;
  }
}

export function getZF(cpu: Cpu): number {
  const lf = cpu.lf;
  if (lf[LF_OP] === OP_NONE) return cpu.flagsBase & ZF;
  const hi = lf[LF_BITS] === 64 ? lf[LF_RHI] : 0;
  return (lf[LF_RLO] | hi) === 0 ? ZF : 0;
}

export function getSF(cpu: Cpu): number {
  const lf = cpu.lf;
  if (lf[LF_OP] === OP_NONE) return cpu.flagsBase & SF;
  return signOf(lf[LF_BITS], lf[LF_RLO], lf[LF_RHI]) ? SF : 0;
}

export function getPF(cpu: Cpu): number {
  const lf = cpu.lf;
  if (lf[LF_OP] === OP_NONE) return cpu.flagsBase & PF;
  return PARITY[lf[LF_RLO] & 0xff];
}

export function getAF(cpu: Cpu): number {
  const lf = cpu.lf;
  switch (lf[LF_OP]) {
    case OP_NONE:
      return cpu.flagsBase & AF;
    case OP_LOGIC:
    case OP_SHL:
    case OP_SHR:
    case OP_SAR:
      return 0;
    default:
      return (lf[LF_ALO] ^ lf[LF_BLO] ^ lf[LF_RLO]) & AF;
  }
}

export function getOF(cpu: Cpu): number {
  const lf = cpu.lf;
  const bits = lf[LF_BITS];
  switch (lf[LF_OP]) {
    case OP_NONE:
      return cpu.flagsBase & OF;
    case OP_ADD:
    case OP_ADC:
    case OP_INC:
      return signOf(
          bits,
          (lf[LF_ALO] ^ lf[LF_RLO]) & (lf[LF_BLO] ^ lf[LF_RLO]),
          (lf[LF_AHI] ^ lf[LF_RHI]) & (lf[LF_BHI] ^ lf[LF_RHI]),
        )
        ? OF
        : 0;
    case OP_SUB:
    case OP_SBB:
    case OP_DEC:
      return signOf(
          bits,
          (lf[LF_ALO] ^ lf[LF_BLO]) & (lf[LF_ALO] ^ lf[LF_RLO]),
          (lf[LF_AHI] ^ lf[LF_BHI]) & (lf[LF_AHI] ^ lf[LF_RHI]),
        )
        ? OF
        : 0;
    case OP_SHL:
      return (signOf(bits, lf[LF_RLO], lf[LF_RHI]) ^ (lf[LF_AUX] & 1)) ? OF : 0;
    case OP_SHR:
      return signOf(bits, lf[LF_ALO], lf[LF_AHI]) ? OF : 0;
    default: // LOGIC, SAR
      return 0;
  }
}

/** The full RFLAGS value. */
export function getFlags(cpu: Cpu): number {
  if (cpu.lf[LF_OP] === OP_NONE) return cpu.flagsBase;
  return (cpu.flagsBase & ~STATUS_FLAGS) | getCF(cpu) | getPF(cpu) | getAF(cpu) | getZF(cpu) |
    getSF(cpu) | getOF(cpu);
}

/** Replace RFLAGS wholesale (bit 1 always reads as 1). */
export function setFlags(cpu: Cpu, value: number): void {
  cpu.flagsBase = (value | 2) >>> 0;
  cpu.lf[LF_OP] = OP_NONE;
}

/** Fold the lazy state into flagsBase so instructions can edit individual flags. */
export function materialize(cpu: Cpu): void {
  if (cpu.lf[LF_OP] !== OP_NONE) {
    cpu.flagsBase = getFlags(cpu);
    cpu.lf[LF_OP] = OP_NONE;
  }
}

/** Set or clear the status flags in `mask` to the bits in `value`, keeping the others. */
export function setStatus(cpu: Cpu, mask: number, value: number): void {
  materialize(cpu);
  cpu.flagsBase = ((cpu.flagsBase & ~mask) | (value & mask)) >>> 0;
}

/** Evaluate condition code cc (the low nibble of Jcc/SETcc/CMOVcc). */
export function cond(cpu: Cpu, cc: number): boolean {
  const lf = cpu.lf;
  const op = lf[LF_OP];
  if (op === OP_SUB && lf[LF_BITS] === 64) {
    const aHi = lf[LF_AHI], bHi = lf[LF_BHI];
    if (aHi !== bHi) {
      // The high halves decide every comparison except equality-based ones, which fail.
      switch (cc) {
        case 2:
        case 6:
          return (aHi >>> 0) < (bHi >>> 0);
        case 3:
        case 7:
          return (aHi >>> 0) > (bHi >>> 0);
        case 4:
          return false;
        case 5:
          return true;
        case 12:
        case 14:
          return aHi < bHi;
        case 13:
        case 15:
          return aHi > bHi;
      }
    } else {
      const a = lf[LF_ALO] >>> 0, b = lf[LF_BLO] >>> 0;
      switch (cc) {
        case 2:
        case 12:
          return a < b;
        case 3:
        case 13:
          return a >= b;
        case 4:
          return a === b;
        case 5:
          return a !== b;
        case 6:
        case 14:
          return a <= b;
        case 7:
        case 15:
          return a > b;
      }
    }
  } else if (op === OP_SUB && lf[LF_BITS] === 32) {
    // CMP fast path: compare the recorded operands directly.
    const a = lf[LF_ALO], b = lf[LF_BLO];
    switch (cc) {
      case 2:
        return (a >>> 0) < (b >>> 0);
      case 3:
        return (a >>> 0) >= (b >>> 0);
      case 4:
        return a === b;
      case 5:
        return a !== b;
      case 6:
        return (a >>> 0) <= (b >>> 0);
      case 7:
        return (a >>> 0) > (b >>> 0);
      case 12:
        return (a | 0) < (b | 0);
      case 13:
        return (a | 0) >= (b | 0);
      case 14:
        return (a | 0) <= (b | 0);
      case 15:
        return (a | 0) > (b | 0);
    }
  }
  let r: boolean;
  switch (cc >> 1) {
    case 0:
      r = getOF(cpu) !== 0;
      break;
    case 1:
      r = getCF(cpu) !== 0;
      break;
    case 2:
      r = getZF(cpu) !== 0;
      break;
    case 3:
      r = getCF(cpu) !== 0 || getZF(cpu) !== 0;
      break;
    case 4:
      r = getSF(cpu) !== 0;
      break;
    case 5:
      r = getPF(cpu) !== 0;
      break;
    case 6:
      r = (getSF(cpu) !== 0) !== (getOF(cpu) !== 0);
      break;
    default:
      r = getZF(cpu) !== 0 || (getSF(cpu) !== 0) !== (getOF(cpu) !== 0);
  }
  return (cc & 1) ? !r : r;
}
