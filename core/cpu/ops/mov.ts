// Data movement: MOV in all its forms, MOVZX/MOVSX/MOVSXD, LEA, XCHG, CMOVcc, SETcc, BSWAP,
// MOVBE, the accumulator sign-extensions (CBW/CWDE/CDQE, CWD/CDQ/CQO) and LAHF/SAHF.

import type { Cpu } from "../cpu.ts";
import { RAX, RDX } from "../cpu.ts";
import { BASE_RIP, type FormSpec, type Insn } from "../insn.ts";
import { cond, getFlags, setStatus } from "../flags.ts";
import { immOf, readE, readG, rmwAddress, rmwRead, rmwWrite, writeE, writeG } from "../operands.ts";

const TWO32 = 4294967296;

export function movEG(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const v = readG(cpu, i, s);
  writeE(cpu, i, s, v, cpu.hi);
}
export function movGE(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const v = readE(cpu, i, s);
  writeG(cpu, i, s, v, cpu.hi);
}
export function movEI(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  writeE(cpu, i, s, immOf(i, s), i.immHi >>> 0);
}
/** B0+r / B8+r: MOV r, imm (imm64 with REX.W). */
export function movZI(cpu: Cpu, i: Insn) {
  cpu.setReg(i.reg, i.opsize, i, immOf(i, i.opsize), i.immHi >>> 0);
}
/** A0-A3: MOV AL/rAX <-> moffs. The immediate is the absolute address. */
function moffsAddress(cpu: Cpu, i: Insn): number {
  const base = cpu.segmentBase(i);
  if (i.asize === 4) return (i.imm >>> 0) + base;
  const lo = i.imm >>> 0, hi = i.immHi >>> 0;
  if (!base) return cpu.canonical(lo, hi);
  const sum = lo + (base >>> 0);
  return cpu.canonical(sum >>> 0, hi + Math.floor(base / 4294967296) + (sum > 0xffffffff ? 1 : 0));
}
function movAO(cpu: Cpu, i: Insn) {
  const v = cpu.readMem(moffsAddress(cpu, i), i.opsize);
  cpu.setReg(RAX, i.opsize, i, v, cpu.hi);
}
function movOA(cpu: Cpu, i: Insn) {
  const v = cpu.getReg(RAX, i.opsize, i);
  cpu.writeMem(moffsAddress(cpu, i), i.opsize, v, cpu.hi);
}

export function movzxB(cpu: Cpu, i: Insn) {
  cpu.setReg(i.reg, i.opsize, i, readE(cpu, i, 1), 0);
}
export function movzxW(cpu: Cpu, i: Insn) {
  cpu.setReg(i.reg, i.opsize, i, readE(cpu, i, 2), 0);
}
function signExtendTo(cpu: Cpu, i: Insn, v: number) {
  // v is a signed 32-bit number.
  const s = i.opsize;
  if (s === 8) cpu.setReg(i.reg, 8, i, v >>> 0, v < 0 ? 0xffffffff : 0);
  else cpu.setReg(i.reg, s, i, s === 2 ? v & 0xffff : v >>> 0);
}
function movsxB(cpu: Cpu, i: Insn) {
  signExtendTo(cpu, i, (readE(cpu, i, 1) << 24) >> 24);
}
function movsxW(cpu: Cpu, i: Insn) {
  signExtendTo(cpu, i, (readE(cpu, i, 2) << 16) >> 16);
}
function movsxd(cpu: Cpu, i: Insn) {
  signExtendTo(cpu, i, readE(cpu, i, 4) | 0);
}

export function lea(cpu: Cpu, i: Insn) {
  // The address arithmetic without segment base or canonical checks, truncated to opsize.
  const s = i.opsize;
  let lo = i.disp >>> 0;
  let hi = i.disp < 0 ? 0xffffffff : 0;
  let sum: number;
  if (i.base === BASE_RIP) {
    const rip = cpu.rip;
    sum = lo + (rip >>> 0);
    hi = (hi + Math.floor(rip / TWO32) + (sum > 0xffffffff ? 1 : 0)) >>> 0;
    lo = sum >>> 0;
  } else if (i.base >= 0) {
    sum = lo + cpu.r[i.base * 2];
    hi = (hi + cpu.r[i.base * 2 + 1] + (sum > 0xffffffff ? 1 : 0)) >>> 0;
    lo = sum >>> 0;
  }
  if (i.index >= 0) {
    let l = cpu.r[i.index * 2], h = cpu.r[i.index * 2 + 1];
    if (i.scale) {
      h = ((h << i.scale) | (l >>> (32 - i.scale))) >>> 0;
      l = (l << i.scale) >>> 0;
    }
    sum = lo + l;
    hi = (hi + h + (sum > 0xffffffff ? 1 : 0)) >>> 0;
    lo = sum >>> 0;
  }
  if (s === 8) cpu.setReg(i.reg, 8, i, lo, i.asize === 4 ? 0 : hi);
  else cpu.setReg(i.reg, s, i, s === 2 ? lo & 0xffff : lo);
}

function xchgEG(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const a = rmwAddress(cpu, i);
  const e = rmwRead(cpu, i, a, s);
  const eHi = cpu.hi;
  const g = readG(cpu, i, s);
  const gHi = cpu.hi;
  rmwWrite(cpu, i, a, s, g, gHi);
  writeG(cpu, i, s, e, eHi);
}
/** 90+r: XCHG rAX, r. */
function xchgAZ(cpu: Cpu, i: Insn) {
  if (i.reg === 0) return; // 90 is NOP, not XCHG EAX,EAX (which would zero RAX's top half)
  const s = i.opsize;
  const a = cpu.getReg(RAX, s, i), aHi = cpu.hi;
  const r = cpu.getReg(i.reg, s, i), rHi = cpu.hi;
  cpu.setReg(RAX, s, i, r, rHi);
  cpu.setReg(i.reg, s, i, a, aHi);
}

function cmov(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const v = readE(cpu, i, s); // the source is read (and may fault) whatever the condition
  if (cond(cpu, i.opByte & 15)) cpu.setReg(i.reg, s, i, v, cpu.hi);
  else if (s === 4) cpu.r[i.reg * 2 + 1] = 0; // 32-bit CMOV zero-extends even when not taken
}
function setcc(cpu: Cpu, i: Insn) {
  writeE(cpu, i, 1, cond(cpu, i.opByte & 15) ? 1 : 0);
}

function bswap32(v: number): number {
  return ((v >>> 24) | ((v >>> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24)) >>> 0;
}
function bswap(cpu: Cpu, i: Insn) {
  const n = i.reg;
  if (i.opsize === 8) cpu.setReg64(n, bswap32(cpu.r[n * 2 + 1]), bswap32(cpu.r[n * 2]));
  else if (i.opsize === 4) cpu.setReg32(n, bswap32(cpu.r[n * 2]));
  else cpu.setReg16(n, 0); // BSWAP r16 is undefined; current CPUs write zero
}
function movbeGM(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const v = cpu.readMem(cpu.ea(i), s);
  if (s === 8) cpu.setReg64(i.reg, bswap32(cpu.hi), bswap32(v));
  else if (s === 4) cpu.setReg32(i.reg, bswap32(v));
  else cpu.setReg16(i.reg, ((v >>> 8) | (v << 8)) & 0xffff);
}
function movbeMG(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const v = cpu.getReg(i.reg, s, i);
  const a = cpu.ea(i);
  if (s === 8) cpu.write64(a, bswap32(cpu.hi), bswap32(v));
  else if (s === 4) cpu.write32(a, bswap32(v));
  else cpu.write16(a, ((v >>> 8) | (v << 8)) & 0xffff);
}

/** 98: CBW / CWDE / CDQE. */
function cbw(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  if (s === 2) cpu.setReg16(RAX, ((cpu.r8[0] << 24) >> 24) & 0xffff);
  else if (s === 4) cpu.setReg32(RAX, ((cpu.r16[0] << 16) >> 16) >>> 0);
  else cpu.setReg64(RAX, cpu.r[0], (cpu.r[0] | 0) < 0 ? 0xffffffff : 0);
}
/** 99: CWD / CDQ / CQO. */
function cwd(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  if (s === 2) cpu.setReg16(RDX, cpu.r16[0] & 0x8000 ? 0xffff : 0);
  else if (s === 4) cpu.setReg32(RDX, (cpu.r[0] | 0) < 0 ? 0xffffffff : 0);
  else {
    const fill = (cpu.r[1] | 0) < 0 ? 0xffffffff : 0;
    cpu.setReg64(RDX, fill, fill);
  }
}

function lahf(cpu: Cpu) {
  cpu.r8[1] = (getFlags(cpu) & 0xd5) | 2;
}
function sahf(cpu: Cpu) {
  setStatus(cpu, 0xd5, cpu.r8[1]);
}

export const MOV_FORMS: FormSpec[] = [
  { op: "88 /r", mnem: "mov", args: "Eb,Gb", fn: movEG },
  { op: "89 /r", mnem: "mov", args: "Ev,Gv", fn: movEG },
  { op: "8A /r", mnem: "mov", args: "Gb,Eb", fn: movGE },
  { op: "8B /r", mnem: "mov", args: "Gv,Ev", fn: movGE },
  { op: "C6 /0", mnem: "mov", args: "Eb,Ib", fn: movEI },
  { op: "C7 /0", mnem: "mov", args: "Ev,Iz", fn: movEI },
  { op: "B0+r", mnem: "mov", args: "Zb,Ib", fn: movZI },
  { op: "B8+r", mnem: "mov", args: "Zv,Iv", fn: movZI },
  { op: "A0", mnem: "mov", args: "AL,Ob", fn: movAO },
  { op: "A1", mnem: "mov", args: "rAX,Ov", fn: movAO },
  { op: "A2", mnem: "mov", args: "Ob,AL", fn: movOA },
  { op: "A3", mnem: "mov", args: "Ov,rAX", fn: movOA },
  { op: "0F B6 /r", mnem: "movzx", args: "Gv,Eb", fn: movzxB },
  { op: "0F B7 /r", mnem: "movzx", args: "Gv,Ew", fn: movzxW },
  { op: "0F BE /r", mnem: "movsx", args: "Gv,Eb", fn: movsxB },
  { op: "0F BF /r", mnem: "movsx", args: "Gv,Ew", fn: movsxW },
  { op: "63 /r", mnem: "movsxd", args: "Gv,Ed", fn: movsxd },
  { op: "8D /r", mnem: "lea", args: "Gv,M", fn: lea, attrs: "mem" },
  { op: "86 /r", mnem: "xchg", args: "Eb,Gb", fn: xchgEG, attrs: "lock" },
  { op: "87 /r", mnem: "xchg", args: "Ev,Gv", fn: xchgEG, attrs: "lock" },
  { op: "90+r", mnem: "xchg", args: "Zv,rAX", fn: xchgAZ },
  { op: "0F 40+cc /r", mnem: "cmovcc", args: "Gv,Ev", fn: cmov },
  { op: "0F 90+cc /r", mnem: "setcc", args: "Eb", fn: setcc },
  { op: "0F C8+r", mnem: "bswap", args: "Zv", fn: bswap },
  { op: "0F 38 F0 /r", mnem: "movbe", args: "Gv,Mv", fn: movbeGM, attrs: "mem" },
  { op: "0F 38 F1 /r", mnem: "movbe", args: "Mv,Gv", fn: movbeMG, attrs: "mem" },
  { op: "98", mnem: "cbw", args: "", fn: cbw, attrs: "v" },
  { op: "99", mnem: "cwd", args: "", fn: cwd, attrs: "v" },
  { op: "9F", mnem: "lahf", args: "", fn: lahf },
  { op: "9E", mnem: "sahf", args: "", fn: sahf },
];
