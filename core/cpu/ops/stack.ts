// The stack: PUSH/POP of registers, memory and immediates, PUSHF/POPF, ENTER and LEAVE.
// In 64-bit mode these default to 64-bit operands; a 66 prefix makes them 16-bit.

import type { Cpu } from "../cpu.ts";
import { RBP, RSP } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { getFlags, setFlags, USER_WRITABLE_FLAGS } from "../flags.ts";
import { CpuException, VEC_SS } from "../exceptions.ts";
import { readE, writeE } from "../operands.ts";

const CANON = 0x800000000000;

export function pushZ(cpu: Cpu, i: Insn) {
  const v = cpu.getReg(i.reg, i.opsize, i);
  cpu.push(i.opsize, v, cpu.hi);
}
export function popZ(cpu: Cpu, i: Insn) {
  const v = cpu.pop(i.opsize);
  cpu.setReg(i.reg, i.opsize, i, v, cpu.hi);
}
function pushI(cpu: Cpu, i: Insn) {
  cpu.push(i.opsize, i.imm >>> 0, i.immHi >>> 0);
}
function pushE(cpu: Cpu, i: Insn) {
  const v = readE(cpu, i, i.opsize);
  cpu.push(i.opsize, v, cpu.hi);
}
function popE(cpu: Cpu, i: Insn) {
  // The address of a memory destination is computed after RSP is incremented (SDM: POP).
  const size = i.opsize;
  const a = cpu.stackAddress(0);
  const v = size === 8 ? cpu.read64(a) : cpu.read16(a);
  const hi = size === 8 ? cpu.hi : 0;
  const oldLo = cpu.r[RSP * 2], oldHi = cpu.r[RSP * 2 + 1];
  cpu.setRegFromNumber(RSP, a + size);
  try {
    writeE(cpu, i, size, v, hi);
  } catch (e) {
    cpu.r[RSP * 2] = oldLo;
    cpu.r[RSP * 2 + 1] = oldHi;
    throw e;
  }
}

function pushf(cpu: Cpu, i: Insn) {
  const flags = getFlags(cpu) & ~0x30000; // VM and RF read as zero in the image
  cpu.push(i.opsize, flags, 0);
}
function popf(cpu: Cpu, i: Insn) {
  const v = cpu.pop(i.opsize);
  const writable = i.opsize === 2 ? USER_WRITABLE_FLAGS & 0xffff : USER_WRITABLE_FLAGS;
  const old = getFlags(cpu);
  setFlags(cpu, (old & ~writable) | (v & writable));
}

function leave(cpu: Cpu, i: Insn) {
  const size = i.opsize;
  const bp = cpu.regNumber(RBP);
  if (bp < -CANON || bp >= CANON) throw new CpuException(VEC_SS, 0);
  const v = size === 8 ? cpu.read64(bp) : cpu.read16(bp);
  const hi = cpu.hi;
  if (size === 8) {
    cpu.setRegFromNumber(RSP, bp + 8);
    cpu.setReg64(RBP, v, hi);
  } else {
    cpu.setRegFromNumber(RSP, bp + 2);
    cpu.setReg16(RBP, v);
  }
}

/**
 * ENTER imm16, imm8: build a stack frame with `level` nested frame pointers. As on hardware the
 * frame is written first and the final stack pointer is checked last; registers change only if
 * everything succeeded. Reads through a non-canonical RBP are #SS.
 */
function enter(cpu: Cpu, i: Insn) {
  const size = i.opsize;
  const allocation = i.imm & 0xffff;
  const level = i.imm2 & 31;
  const rbpLo = cpu.r[RBP * 2], rbpHi = cpu.r[RBP * 2 + 1];
  let sp = cpu.stackAddress(-size);
  if (size === 8) cpu.write64(sp, rbpLo, rbpHi);
  else cpu.write16(sp, rbpLo & 0xffff);
  const frameTemp = sp;
  if (level > 0) {
    let bp = cpu.regNumber(RBP);
    for (let k = 1; k < level; k++) {
      bp -= size;
      if (bp < -CANON || bp >= CANON) throw new CpuException(VEC_SS, 0);
      const v = size === 8 ? cpu.read64(bp) : cpu.read16(bp);
      sp -= size;
      if (size === 8) cpu.write64(sp, v, cpu.hi);
      else cpu.write16(sp, v);
    }
    sp -= size;
    if (size === 8) {
      const hi = Math.floor(frameTemp / 4294967296);
      cpu.write64(sp, frameTemp - hi * 4294967296, hi >>> 0);
    } else cpu.write16(sp, frameTemp & 0xffff);
  }
  const final = sp - allocation;
  if (final < -CANON) throw new CpuException(VEC_SS, 0);
  cpu.probeWrite(final, 1);
  if (size === 8) cpu.setRegFromNumber(RBP, frameTemp);
  else cpu.setReg16(RBP, frameTemp & 0xffff);
  cpu.setRegFromNumber(RSP, final);
}

/** PUSH FS / PUSH GS: Linux runs 64-bit user code with null FS and GS selectors. */
function pushNullSelector(cpu: Cpu, i: Insn) {
  cpu.push(i.opsize, 0, 0);
}

export const STACK_FORMS: FormSpec[] = [
  { op: "50+r", mnem: "push", args: "Zv", fn: pushZ, attrs: "d64" },
  { op: "58+r", mnem: "pop", args: "Zv", fn: popZ, attrs: "d64" },
  { op: "68", mnem: "push", args: "Iz", fn: pushI, attrs: "d64" },
  { op: "6A", mnem: "push", args: "Ib", fn: pushI, attrs: "d64" },
  { op: "FF /6", mnem: "push", args: "Ev", fn: pushE, attrs: "d64" },
  { op: "8F /0", mnem: "pop", args: "Ev", fn: popE, attrs: "d64" },
  { op: "9C", mnem: "pushf", args: "", fn: pushf, attrs: "d64" },
  { op: "9D", mnem: "popf", args: "", fn: popf, attrs: "d64" },
  { op: "C9", mnem: "leave", args: "", fn: leave, attrs: "d64" },
  { op: "C8", mnem: "enter", args: "Iw,Ib", fn: enter, attrs: "d64" },
  { op: "0F A0", mnem: "push fs", args: "", fn: pushNullSelector, attrs: "d64" },
  { op: "0F A8", mnem: "push gs", args: "", fn: pushNullSelector, attrs: "d64" },
];
