// System and miscellaneous instructions: NOP forms and hints, flag bit instructions
// (CLC/STC/CMC/CLD/STD), CPUID, RDTSC/RDTSCP, RDRAND/RDSEED, SYSCALL, INT3/INT n, HLT, UD2,
// fences and cache-line flushes.

import type { Cpu } from "../cpu.ts";
import { EXIT_HALT, EXIT_SYSCALL, RAX, RBX, RCX, RDX } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { CF, DF, getFlags, materialize, setStatus, STATUS_FLAGS } from "../flags.ts";
import { CpuException, VEC_BP, VEC_DB, VEC_GP, VEC_UD } from "../exceptions.ts";
import { cpuidLeaf } from "../cpuid.ts";

const R11 = 11;

function nop() {}

function ud(): never {
  throw new CpuException(VEC_UD);
}

function clc(cpu: Cpu) {
  setStatus(cpu, CF, 0);
}
function stc(cpu: Cpu) {
  setStatus(cpu, CF, CF);
}
function cmc(cpu: Cpu) {
  materialize(cpu);
  cpu.flagsBase ^= CF;
}
function cld(cpu: Cpu) {
  cpu.flagsBase &= ~DF;
}
function std(cpu: Cpu) {
  cpu.flagsBase |= DF;
}
/** CLI/STI at CPL 3 with IOPL 0 fault, as under Linux. */
function cliSti(cpu: Cpu) {
  if (cpu.cpl !== 0) throw new CpuException(VEC_GP, 0);
}

function cpuid(cpu: Cpu) {
  const out = cpuidLeaf(cpu.r[RAX * 2], cpu.r[RCX * 2]);
  cpu.setReg32(RAX, out[0]);
  cpu.setReg32(RBX, out[1]);
  cpu.setReg32(RCX, out[2]);
  cpu.setReg32(RDX, out[3]);
}

/**
 * Time-stamp counter: a 1 GHz invariant TSC counting nanoseconds of performance.now() past
 * cpu.tscOffset, plus retired instructions so that it strictly increases.
 */
function tsc(cpu: Cpu): [number, number] {
  const ns = Math.floor((performance.now() - cpu.tscOffset) * 1e6) + cpu.instructions;
  const hi = Math.floor(ns / 4294967296);
  return [ns - hi * 4294967296, hi];
}
function rdtsc(cpu: Cpu) {
  const [lo, hi] = tsc(cpu);
  cpu.setReg32(RAX, lo);
  cpu.setReg32(RDX, hi);
}
function rdtscp(cpu: Cpu) {
  rdtsc(cpu);
  cpu.setReg32(RCX, 0); // IA32_TSC_AUX: processor 0
}

const randomWords = new Uint32Array(2);
function rdrand(cpu: Cpu, i: Insn) {
  crypto.getRandomValues(randomWords);
  cpu.setReg(
    i.rm,
    i.opsize,
    i,
    i.opsize === 2 ? randomWords[0] & 0xffff : randomWords[0],
    randomWords[1],
  );
  setStatus(cpu, STATUS_FLAGS, CF); // CF=1, OF SF ZF AF PF = 0
}

function syscall(cpu: Cpu) {
  const rip = cpu.rip;
  const hi = Math.floor(rip / 4294967296);
  cpu.setReg64(RCX, rip - hi * 4294967296, hi >>> 0);
  cpu.setReg64(R11, getFlags(cpu) & ~0x10000, 0);
  cpu.exitTo(EXIT_SYSCALL);
}

function int3(): never {
  throw new CpuException(VEC_BP);
}
function int1(): never {
  throw new CpuException(VEC_DB);
}
/** INT n: Linux's IDT lets user code reach only vector 3 and 0x80; others are #GP(n*8+2). */
function intN(_cpu: Cpu, i: Insn) {
  const n = i.imm & 0xff;
  if (n === 3) throw new CpuException(VEC_BP);
  if (n === 0x80) throw new CpuException(0x80);
  throw new CpuException(VEC_GP, n * 8 + 2);
}
function hlt(cpu: Cpu) {
  if (cpu.cpl !== 0) throw new CpuException(VEC_GP, 0);
  cpu.exitTo(EXIT_HALT);
}

/** CLFLUSH/CLFLUSHOPT: only the access check is observable. */
function clflush(cpu: Cpu, i: Insn) {
  cpu.read8(cpu.ea(i));
}

/** IN/OUT: #GP at CPL 3 (IOPL 0, no I/O bitmap, as Linux runs user code). */
function portNumber(cpu: Cpu, i: Insn): number {
  if (cpu.cpl !== 0) throw new CpuException(VEC_GP, 0);
  return (i.opByte & 8) ? cpu.r16[RDX * 4] : i.imm & 0xff;
}
function portIn(cpu: Cpu, i: Insn) {
  const port = portNumber(cpu, i);
  const size = (i.opByte & 1) === 0 ? 1 : i.opsize === 2 ? 2 : 4;
  const v = cpu.bus ? cpu.bus.portRead(port, size) : 0xffffffff;
  cpu.setReg(RAX, size, i, size === 4 ? v >>> 0 : v & ((1 << (size * 8)) - 1));
}
function portOut(cpu: Cpu, i: Insn) {
  const port = portNumber(cpu, i);
  const size = (i.opByte & 1) === 0 ? 1 : i.opsize === 2 ? 2 : 4;
  cpu.bus?.portWrite(port, size, cpu.getReg(RAX, size, i));
}

export const SYSTEM_FORMS: FormSpec[] = [
  // Hint NOPs: 0F 18-1F (prefetch hints, endbr64 = F3 0F 1E FA, the multi-byte NOP 0F 1F /0).
  { op: "0F 18 /r", mnem: "prefetch", args: "Ev", fn: nop },
  { op: "0F 19 /r", mnem: "nop", args: "Ev", fn: nop },
  { op: "0F 1A /r", mnem: "nop", args: "Ev", fn: nop },
  { op: "0F 1B /r", mnem: "nop", args: "Ev", fn: nop },
  { op: "0F 1C /r", mnem: "nop", args: "Ev", fn: nop },
  { op: "0F 1D /r", mnem: "nop", args: "Ev", fn: nop },
  { op: "0F 1E /r", mnem: "nop", args: "Ev", fn: nop },
  { op: "0F 1F /r", mnem: "nop", args: "Ev", fn: nop },
  { op: "0F 0D /r", mnem: "prefetchw", args: "Ev", fn: nop, attrs: "mem" },
  { op: "0F 0B", mnem: "ud2", args: "", fn: ud },
  { op: "F8", mnem: "clc", args: "", fn: clc },
  { op: "F9", mnem: "stc", args: "", fn: stc },
  { op: "F5", mnem: "cmc", args: "", fn: cmc },
  { op: "FC", mnem: "cld", args: "", fn: cld },
  { op: "FD", mnem: "std", args: "", fn: std },
  { op: "FA", mnem: "cli", args: "", fn: cliSti },
  { op: "FB", mnem: "sti", args: "", fn: cliSti },
  { op: "0F A2", mnem: "cpuid", args: "", fn: cpuid, test: { skip: "host-specific" } },
  { op: "0F 31", mnem: "rdtsc", args: "", fn: rdtsc, test: { skip: "time" } },
  { op: "0F 01 F9", mnem: "rdtscp", args: "", fn: rdtscp, test: { skip: "time" } },
  {
    op: "0F C7 /6",
    mnem: "rdrand",
    args: "Rv",
    fn: rdrand,
    attrs: "reg",
    test: { skip: "random" },
  },
  {
    op: "0F C7 /7",
    mnem: "rdseed",
    args: "Rv",
    fn: rdrand,
    attrs: "reg",
    test: { skip: "random" },
  },
  {
    op: "0F 05",
    mnem: "syscall",
    args: "",
    fn: syscall,
    attrs: "branch",
    test: { skip: "kernel" },
  },
  { op: "CC", mnem: "int3", args: "", fn: int3, attrs: "branch" },
  { op: "F1", mnem: "int1", args: "", fn: int1, attrs: "branch", test: { skip: "debug trap" } },
  { op: "CD", mnem: "int", args: "Ib", fn: intN, attrs: "branch", test: { skip: "kernel" } },
  { op: "F4", mnem: "hlt", args: "", fn: hlt, attrs: "branch" },
  { op: "E4", mnem: "in", args: "AL,Ib", fn: portIn },
  { op: "E5", mnem: "in", args: "eAX,Ib", fn: portIn, attrs: "v" },
  { op: "EC", mnem: "in", args: "AL,DX", fn: portIn },
  { op: "ED", mnem: "in", args: "eAX,DX", fn: portIn, attrs: "v" },
  { op: "E6", mnem: "out", args: "Ib,AL", fn: portOut },
  { op: "E7", mnem: "out", args: "Ib,eAX", fn: portOut, attrs: "v" },
  { op: "EE", mnem: "out", args: "DX,AL", fn: portOut },
  { op: "EF", mnem: "out", args: "DX,eAX", fn: portOut, attrs: "v" },
  { op: "0F AE E8", mnem: "lfence", args: "", fn: nop },
  { op: "0F AE F0", mnem: "mfence", args: "", fn: nop },
  { op: "0F AE F8", mnem: "sfence", args: "", fn: nop },
  { op: "NP 0F AE /7", mnem: "clflush", args: "Mb", fn: clflush, attrs: "mem" },
  { op: "66 0F AE /7", mnem: "clflushopt", args: "Mb", fn: clflush, attrs: "mem" },
];
