// Atomic read-modify-write instructions: XADD, CMPXCHG, CMPXCHG8B and CMPXCHG16B (all LOCK-able;
// the interpreter is single-threaded, so LOCK changes nothing but decoding). XCHG is in mov.ts.

import type { Cpu } from "../cpu.ts";
import { RAX, RBX, RCX, RDX } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { OP_ADD, OP_SUB, setLazy, setLazy64, setStatus, ZF } from "../flags.ts";
import { VEC_GP } from "../exceptions.ts";
import { maskOf, readG, rmwAddress, rmwRead, rmwWrite, writeG } from "../operands.ts";

/** XADD E,G: G receives the old E, E receives the sum (written last when both are registers). */
function xadd(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const a = rmwAddress(cpu, i);
  const dLo = rmwRead(cpu, i, a, s), dHi = cpu.hi;
  const sLo = readG(cpu, i, s), sHi = cpu.hi;
  if (s === 8) {
    const sum = dLo + sLo;
    const rLo = sum >>> 0;
    const rHi = (dHi + sHi + (sum > 0xffffffff ? 1 : 0)) >>> 0;
    if (i.isMem) cpu.writeMem(a, 8, rLo, rHi);
    writeG(cpu, i, 8, dLo, dHi);
    if (!i.isMem) cpu.setReg(i.rm, 8, i, rLo, rHi);
    setLazy64(cpu, OP_ADD, dLo, dHi, sLo, sHi, rLo, rHi);
    return;
  }
  const r = ((dLo + sLo) & maskOf(s)) >>> 0;
  if (i.isMem) cpu.writeMem(a, s, r);
  writeG(cpu, i, s, dLo);
  if (!i.isMem) cpu.setReg(i.rm, s, i, r);
  setLazy(cpu, OP_ADD, s * 8, dLo, sLo, r);
}

/**
 * CMPXCHG E,G: compare the accumulator with E. Equal: E := G. Otherwise the accumulator gets E
 * (a 32-bit accumulator write zero-extends RAX) and a register E is left alone. A memory E is
 * always written, as the locked bus cycle does, so a read-only page faults either way.
 */
function cmpxchg(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const a = rmwAddress(cpu, i);
  const dLo = rmwRead(cpu, i, a, s), dHi = s === 8 ? cpu.hi : 0;
  const accLo = cpu.getReg(RAX, s, i), accHi = s === 8 ? cpu.hi : 0;
  const equal = dLo === accLo && dHi === accHi;
  if (equal) {
    const gLo = readG(cpu, i, s), gHi = cpu.hi;
    rmwWrite(cpu, i, a, s, gLo, gHi);
  } else {
    if (i.isMem) cpu.writeMem(a, s, dLo, dHi);
    cpu.setReg(RAX, s, i, dLo, dHi);
  }
  if (s === 8) {
    const lo = accLo - dLo;
    const rLo = lo >>> 0;
    const rHi = (accHi - dHi - (lo < 0 ? 1 : 0)) >>> 0;
    setLazy64(cpu, OP_SUB, accLo, accHi, dLo, dHi, rLo, rHi);
  } else setLazy(cpu, OP_SUB, s * 8, accLo, dLo, ((accLo - dLo) & maskOf(s)) >>> 0);
}

/** CMPXCHG8B m64: EDX:EAX against m64; equal stores ECX:EBX, else loads EDX:EAX. Only ZF. */
function cmpxchg8b(cpu: Cpu, i: Insn) {
  const a = cpu.ea(i);
  cpu.probeWrite(a, 8);
  const lo = cpu.read64(a), hi = cpu.hi;
  if (lo === cpu.r[RAX * 2] && hi === cpu.r[RDX * 2]) {
    cpu.write64(a, cpu.r[RBX * 2], cpu.r[RCX * 2]);
    setStatus(cpu, ZF, ZF);
  } else {
    cpu.write64(a, lo, hi);
    cpu.setReg32(RAX, lo);
    cpu.setReg32(RDX, hi);
    setStatus(cpu, ZF, 0);
  }
}

/** CMPXCHG16B m128: as CMPXCHG8B with RDX:RAX and RCX:RBX; the operand must be 16-aligned. */
function cmpxchg16b(cpu: Cpu, i: Insn) {
  const a = cpu.ea(i);
  if (a % 16 !== 0) cpu.raise(VEC_GP, 0);
  cpu.probeWrite(a, 16);
  const r = cpu.r;
  const w0 = cpu.read64(a), w1 = cpu.hi;
  const w2 = cpu.read64(a + 8), w3 = cpu.hi;
  if (w0 === r[RAX * 2] && w1 === r[RAX * 2 + 1] && w2 === r[RDX * 2] && w3 === r[RDX * 2 + 1]) {
    cpu.write64(a, r[RBX * 2], r[RBX * 2 + 1]);
    cpu.write64(a + 8, r[RCX * 2], r[RCX * 2 + 1]);
    setStatus(cpu, ZF, ZF);
  } else {
    cpu.write64(a, w0, w1);
    cpu.write64(a + 8, w2, w3);
    cpu.setReg64(RAX, w0, w1);
    cpu.setReg64(RDX, w2, w3);
    setStatus(cpu, ZF, 0);
  }
}

export const ATOMIC_FORMS: FormSpec[] = [
  { op: "0F C0 /r", mnem: "xadd", args: "Eb,Gb", fn: xadd, attrs: "lock" },
  { op: "0F C1 /r", mnem: "xadd", args: "Ev,Gv", fn: xadd, attrs: "lock" },
  { op: "0F B0 /r", mnem: "cmpxchg", args: "Eb,Gb", fn: cmpxchg, attrs: "lock" },
  { op: "0F B1 /r", mnem: "cmpxchg", args: "Ev,Gv", fn: cmpxchg, attrs: "lock" },
  { op: "0F C7 /1", mnem: "cmpxchg8b", args: "Mq", fn: cmpxchg8b, attrs: "mem lock w0" },
  {
    op: "0F C7 /1",
    mnem: "cmpxchg16b",
    args: "Mdq",
    fn: cmpxchg16b,
    attrs: "mem lock w1",
    test: { mem: "aligned16" },
  },
];
