// Ring-0-only instructions: MOV to and from control registers, INVLPG, RDMSR/WRMSR (EFER and the
// FS/GS base MSRs), SWAPGS, SYSRET, CLTS, INVD/WBINVD. At CPL 3 each raises #GP(0) as hardware
// does (Linux turns that into SIGSEGV); the NexaOS kernel itself drives the MMU from TypeScript.

import type { Cpu } from "../cpu.ts";
import { RAX, RCX, RDX } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { setFlags } from "../flags.ts";
import { CpuException, VEC_GP, VEC_UD } from "../exceptions.ts";

const R11 = 11;
const TWO32 = 4294967296;

const MSR_TSC = 0x10;
const MSR_EFER = 0xc0000080;
const MSR_FS_BASE = 0xc0000100;
const MSR_GS_BASE = 0xc0000101;
const MSR_KERNEL_GS_BASE = 0xc0000102;
const MSR_TSC_AUX = 0xc0000103;
const CR0_TS = 8;

function requireRing0(cpu: Cpu): void {
  if (cpu.cpl !== 0) throw new CpuException(VEC_GP, 0);
}

function halves(v: number): [number, number] {
  const hi = Math.floor(v / TWO32);
  return [v - hi * TWO32, hi >>> 0];
}

/** Control registers that exist; another number is #UD, checked before privilege (host). */
function checkCr(cpu: Cpu, n: number): void {
  if (n !== 0 && n !== 2 && n !== 3 && n !== 4 && n !== 8) throw new CpuException(VEC_UD);
  requireRing0(cpu);
}

/** 0F 20: MOV r64, CRn. */
function movFromCr(cpu: Cpu, i: Insn) {
  checkCr(cpu, i.reg);
  const mmu = cpu.mmu;
  let value: number;
  switch (i.reg) {
    case 0:
      value = mmu.cr0 >>> 0;
      break;
    case 2:
      value = mmu.cr2;
      break;
    case 3:
      value = mmu.cr3;
      break;
    case 4:
      value = mmu.cr4 >>> 0;
      break;
    case 8:
      value = 0; // task priority: interrupts are not prioritised yet
      break;
    default:
      throw new CpuException(VEC_UD);
  }
  const [lo, hi] = halves(value);
  cpu.setReg64(i.rm, lo, hi);
}

/** 0F 22: MOV CRn, r64. Paging stays on in long mode; a reserved bit set is #GP. */
function movToCr(cpu: Cpu, i: Insn) {
  checkCr(cpu, i.reg);
  const mmu = cpu.mmu;
  const lo = cpu.r[i.rm * 2], hi = cpu.r[i.rm * 2 + 1];
  switch (i.reg) {
    case 0:
      if (hi !== 0 || !(lo & 0x80000000) || !(lo & 1)) throw new CpuException(VEC_GP, 0);
      mmu.cr0 = lo | 0;
      mmu.flush();
      break;
    case 2:
      mmu.cr2 = cpu.canonical(lo, hi);
      break;
    case 3:
      if (hi & 0xfff00000) throw new CpuException(VEC_GP, 0);
      mmu.cr3 = hi * TWO32 + lo; // the setter flushes the TLB
      break;
    case 4:
      if (hi !== 0 || !(lo & 0x20)) throw new CpuException(VEC_GP, 0); // PAE must stay set
      mmu.cr4 = lo | 0;
      mmu.flush();
      break;
    case 8:
      if (hi !== 0 || lo > 15) throw new CpuException(VEC_GP, 0);
      break;
    default:
      throw new CpuException(VEC_UD);
  }
}

function invlpg(cpu: Cpu, i: Insn) {
  requireRing0(cpu);
  cpu.mmu.invlpg(cpu.ea(i));
}

function rdmsr(cpu: Cpu) {
  requireRing0(cpu);
  let value: number;
  switch (cpu.r[RCX * 2]) {
    case MSR_EFER:
      value = cpu.mmu.efer >>> 0;
      break;
    case MSR_FS_BASE:
      value = cpu.fsBase;
      break;
    case MSR_GS_BASE:
      value = cpu.gsBase;
      break;
    case MSR_KERNEL_GS_BASE:
      value = cpu.kernelGsBase;
      break;
    case MSR_TSC:
      value = Math.floor((performance.now() - cpu.tscOffset) * 1e6) + cpu.instructions;
      break;
    case MSR_TSC_AUX:
      value = 0;
      break;
    default:
      throw new CpuException(VEC_GP, 0);
  }
  const [lo, hi] = halves(value);
  cpu.setReg32(RAX, lo);
  cpu.setReg32(RDX, hi);
}

function wrmsr(cpu: Cpu) {
  requireRing0(cpu);
  const lo = cpu.r[RAX * 2], hi = cpu.r[RDX * 2];
  switch (cpu.r[RCX * 2]) {
    case MSR_EFER:
      // Long mode stays enabled (LME|LMA); SCE and NXE may change.
      if (hi !== 0 || (lo & ~0xd01)) throw new CpuException(VEC_GP, 0);
      cpu.mmu.efer = (lo | 0x500) >>> 0;
      cpu.mmu.flush();
      break;
    case MSR_FS_BASE:
      cpu.fsBase = cpu.canonical(lo, hi);
      break;
    case MSR_GS_BASE:
      cpu.gsBase = cpu.canonical(lo, hi);
      break;
    case MSR_KERNEL_GS_BASE:
      cpu.kernelGsBase = cpu.canonical(lo, hi);
      break;
    default:
      throw new CpuException(VEC_GP, 0);
  }
}

function swapgs(cpu: Cpu) {
  requireRing0(cpu);
  const gs = cpu.gsBase;
  cpu.gsBase = cpu.kernelGsBase;
  cpu.kernelGsBase = gs;
}

/** SYSRET (64-bit): back to ring 3 at RCX with RFLAGS from R11. */
function sysret(cpu: Cpu) {
  requireRing0(cpu);
  const target = cpu.canonical(cpu.r[RCX * 2], cpu.r[RCX * 2 + 1]);
  setFlags(cpu, (cpu.r[R11 * 2] & 0x3c7fd7) | 2);
  cpu.cpl = 3;
  cpu.mmu.user = true;
  cpu.rip = target;
}

function clts(cpu: Cpu) {
  requireRing0(cpu);
  cpu.mmu.cr0 &= ~CR0_TS;
}

function cacheControl(cpu: Cpu) {
  requireRing0(cpu);
}

export const PRIVILEGED_FORMS: FormSpec[] = [
  { op: "0F 20 /r", mnem: "mov", args: "Rq,Cq", fn: movFromCr, attrs: "reg" },
  { op: "0F 22 /r", mnem: "mov", args: "Cq,Rq", fn: movToCr, attrs: "reg" },
  { op: "0F 01 /7", mnem: "invlpg", args: "Mb", fn: invlpg, attrs: "mem" },
  { op: "0F 32", mnem: "rdmsr", args: "", fn: rdmsr },
  { op: "0F 30", mnem: "wrmsr", args: "", fn: wrmsr },
  { op: "0F 01 F8", mnem: "swapgs", args: "", fn: swapgs },
  { op: "0F 07", mnem: "sysret", args: "", fn: sysret, attrs: "branch" },
  { op: "0F 06", mnem: "clts", args: "", fn: clts },
  { op: "0F 08", mnem: "invd", args: "", fn: cacheControl },
  { op: "0F 09", mnem: "wbinvd", args: "", fn: cacheControl },
];
