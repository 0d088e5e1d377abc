// Control transfer: JMP, Jcc, CALL, RET, LOOP/LOOPE/LOOPNE and JRCXZ. Targets are checked for
// canonical form before RIP changes (#GP otherwise), as in hardware.

import type { Cpu } from "../cpu.ts";
import { RCX, RSP } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { cond, getZF } from "../flags.ts";
import { CpuException, VEC_GP } from "../exceptions.ts";
import { readE } from "../operands.ts";

const CANON = 0x800000000000;
const TWO32 = 4294967296;

function relativeTarget(cpu: Cpu, i: Insn): number {
  const t = cpu.rip + i.imm;
  if (t < -CANON || t >= CANON) throw new CpuException(VEC_GP, 0);
  return t;
}

export function jmpRel(cpu: Cpu, i: Insn) {
  cpu.rip = relativeTarget(cpu, i);
}
export function jcc(cpu: Cpu, i: Insn) {
  if (cond(cpu, i.opByte & 15)) cpu.rip = relativeTarget(cpu, i);
}
function jmpE(cpu: Cpu, i: Insn) {
  const lo = readE(cpu, i, 8);
  cpu.rip = cpu.canonical(lo, cpu.hi);
}

/**
 * CALL checks that the return address can be pushed before it checks the target, so a push
 * that would fault (#PF) wins over a non-canonical target (#GP); nothing is written on #GP.
 */
function callTo(cpu: Cpu, target: number) {
  const sp = cpu.stackAddress(-8);
  cpu.probeWrite(sp, 8);
  if (target < -CANON || target >= CANON) throw new CpuException(VEC_GP, 0);
  const ret = cpu.rip;
  const hi = Math.floor(ret / TWO32);
  cpu.write64(sp, ret - hi * TWO32, hi >>> 0);
  cpu.setRegFromNumber(RSP, sp);
  cpu.rip = target;
}
export function callRel(cpu: Cpu, i: Insn) {
  callTo(cpu, cpu.rip + i.imm);
}
function callE(cpu: Cpu, i: Insn) {
  const lo = readE(cpu, i, 8);
  callTo(cpu, (cpu.hi | 0) * TWO32 + lo);
}
export function ret(cpu: Cpu, i: Insn) {
  const sp = cpu.stackAddress(0);
  const lo = cpu.read64(sp);
  const target = cpu.canonical(lo, cpu.hi);
  const pop = i.opByte === 0xc2 ? 8 + (i.imm & 0xffff) : 8;
  cpu.setRegFromNumber(RSP, sp + pop);
  cpu.rip = target;
}

/** Decrement RCX (or ECX with a 67 prefix) and return whether it is now non-zero. */
function decrementCounter(cpu: Cpu, i: Insn): boolean {
  if (i.asize === 4) {
    const c = (cpu.r[RCX * 2] - 1) >>> 0;
    cpu.setReg32(RCX, c);
    return c !== 0;
  }
  let lo = cpu.r[RCX * 2], hi = cpu.r[RCX * 2 + 1];
  if (lo === 0) hi = (hi - 1) >>> 0;
  lo = (lo - 1) >>> 0;
  cpu.setReg64(RCX, lo, hi);
  return (lo | hi) !== 0;
}
function loop(cpu: Cpu, i: Insn) {
  const target = relativeTarget(cpu, i);
  if (decrementCounter(cpu, i)) cpu.rip = target;
}
function loope(cpu: Cpu, i: Insn) {
  const target = relativeTarget(cpu, i);
  if (decrementCounter(cpu, i) && getZF(cpu)) cpu.rip = target;
}
function loopne(cpu: Cpu, i: Insn) {
  const target = relativeTarget(cpu, i);
  if (decrementCounter(cpu, i) && !getZF(cpu)) cpu.rip = target;
}
function jrcxz(cpu: Cpu, i: Insn) {
  const zero = i.asize === 4 ? cpu.r[RCX * 2] === 0 : (cpu.r[RCX * 2] | cpu.r[RCX * 2 + 1]) === 0;
  if (zero) cpu.rip = relativeTarget(cpu, i);
}

const BR = "f64 branch";

export const CONTROL_FORMS: FormSpec[] = [
  { op: "EB", mnem: "jmp", args: "Jb", fn: jmpRel, attrs: BR },
  { op: "E9", mnem: "jmp", args: "Jz", fn: jmpRel, attrs: BR },
  { op: "70+cc", mnem: "jcc", args: "Jb", fn: jcc, attrs: BR },
  { op: "0F 80+cc", mnem: "jcc", args: "Jz", fn: jcc, attrs: BR },
  { op: "FF /4", mnem: "jmp", args: "Eq", fn: jmpE, attrs: BR },
  { op: "E8", mnem: "call", args: "Jz", fn: callRel, attrs: BR },
  { op: "FF /2", mnem: "call", args: "Eq", fn: callE, attrs: BR },
  { op: "C3", mnem: "ret", args: "", fn: ret, attrs: BR },
  { op: "C2", mnem: "ret", args: "Iw", fn: ret, attrs: BR },
  { op: "E2", mnem: "loop", args: "Jb", fn: loop, attrs: BR },
  { op: "E1", mnem: "loope", args: "Jb", fn: loope, attrs: BR },
  { op: "E0", mnem: "loopne", args: "Jb", fn: loopne, attrs: BR },
  { op: "E3", mnem: "jrcxz", args: "Jb", fn: jrcxz, attrs: BR },
];
