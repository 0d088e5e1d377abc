// String instructions: MOVS, STOS, LODS, CMPS, SCAS at every element size, with REP/REPE/REPNE,
// the DF direction, 32-bit address size (0x67: ESI/EDI/ECX) and FS/GS overrides on the source.
// INS/OUTS live in string-io.ts and are re-exported here.
//
// A REP instruction runs at most a chunk of iterations per execution and then restarts itself
// (RIP back to the instruction, cpu.stop = 1) so the run loop can service exits. RCX/RSI/RDI
// are committed for exactly the iterations done, also when an access faults halfway. The large
// REP MOVS/STOS and the byte-wise REPE/REPNE CMPS/SCAS cases work page by page directly on
// physical memory (string-fast.ts).

import type { Cpu } from "../cpu.ts";
import { RAX, RDI, RSI } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { DF } from "../flags.ts";
import { repCmpsScasBytes, repMovsStosBulk } from "./string-fast.ts";
import { STRING_IO_FORMS } from "./string-io.ts";
import {
  advance,
  commit,
  compareFlags,
  elementAddress,
  REP_CHUNK,
  repBudget,
  restartIfCounting,
  sourceBase,
  startAddress,
  stepOf,
} from "./string-common.ts";

// ---- single (un-prefixed) iterations ------------------------------------------------------------

function movsOnce(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const v = cpu.readMem(startAddress(cpu, i, RSI, sourceBase(cpu, i)), s);
  cpu.writeMem(startAddress(cpu, i, RDI, 0), s, v, cpu.hi);
  const step = stepOf(cpu, s);
  advance(cpu, i, RSI, step);
  advance(cpu, i, RDI, step);
}

function stosOnce(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  cpu.writeMem(startAddress(cpu, i, RDI, 0), s, cpu.getReg(RAX, s, i), cpu.hi);
  advance(cpu, i, RDI, stepOf(cpu, s));
}

function lodsOnce(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const v = cpu.readMem(startAddress(cpu, i, RSI, sourceBase(cpu, i)), s);
  cpu.setReg(RAX, s, i, v, cpu.hi);
  advance(cpu, i, RSI, stepOf(cpu, s));
}

function cmpsOnce(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  // The ES:rDI operand is read first (it faults first when both would fault).
  const b = cpu.readMem(startAddress(cpu, i, RDI, 0), s), bHi = cpu.hi;
  const a = cpu.readMem(startAddress(cpu, i, RSI, sourceBase(cpu, i)), s), aHi = cpu.hi;
  compareFlags(cpu, s, a, aHi, b, bHi);
  const step = stepOf(cpu, s);
  advance(cpu, i, RSI, step);
  advance(cpu, i, RDI, step);
}

function scasOnce(cpu: Cpu, i: Insn) {
  const s = i.opsize;
  const b = cpu.readMem(startAddress(cpu, i, RDI, 0), s), bHi = cpu.hi;
  const a = cpu.getReg(RAX, s, i), aHi = cpu.hi;
  compareFlags(cpu, s, a, aHi, b, bHi);
  advance(cpu, i, RDI, stepOf(cpu, s));
}

// ---- the general REP loop -----------------------------------------------------------------------

const KIND_LODS = 0, KIND_CMPS = 1, KIND_SCAS = 2;

/** Element-by-element REP LODS/CMPS/SCAS, any direction and address size. */
function repLoop(cpu: Cpu, i: Insn, kind: number) {
  const budget = repBudget(cpu, i, REP_CHUNK);
  if (budget === 0) return;
  const s = i.opsize;
  const step = stepOf(cpu, s);
  const usesSrc = kind !== KIND_SCAS;
  const usesDst = kind !== KIND_LODS;
  const compares = kind >= KIND_CMPS;
  const srcBase = usesSrc ? sourceBase(cpu, i) : 0;
  const srcStart = usesSrc ? startAddress(cpu, i, RSI, srcBase) : 0;
  const dstStart = usesDst ? startAddress(cpu, i, RDI, 0) : 0;
  const srcOffset = cpu.r[RSI * 2], dstOffset = cpu.r[RDI * 2];
  const acc = cpu.getReg(RAX, s, i), accHi = cpu.hi;
  // REPE (F3) stops on a difference, REPNE (F2) on equality.
  const stopWhenEqual = i.rep === 2;
  // CMPS reads ES:rDI first, except REPE CMPSB which reads DS:rSI first (as the host CPU does).
  const srcFirst = s === 1 && i.rep === 1;
  let a = acc, aHi = accHi, b = 0, bHi = 0;
  let done = 0, ended = false;
  try {
    while (done < budget) {
      const delta = done * step;
      const src = usesSrc ? elementAddress(i, srcStart, srcOffset, srcBase, delta) : 0;
      const dst = usesDst ? elementAddress(i, dstStart, dstOffset, 0, delta) : 0;
      switch (kind) {
        case KIND_LODS:
          a = cpu.readMem(src, s);
          aHi = cpu.hi;
          break;
        case KIND_CMPS: {
          // Into temporaries: a fault on the second read must leave the last pair intact.
          let x: number, xHi: number, y: number, yHi: number;
          if (srcFirst) {
            x = cpu.readMem(src, s);
            xHi = cpu.hi;
            y = cpu.readMem(dst, s);
            yHi = cpu.hi;
          } else {
            y = cpu.readMem(dst, s);
            yHi = cpu.hi;
            x = cpu.readMem(src, s);
            xHi = cpu.hi;
          }
          a = x;
          aHi = xHi;
          b = y;
          bHi = yHi;
          break;
        }
        default:
          b = cpu.readMem(dst, s);
          bHi = cpu.hi;
      }
      done++;
      if (compares && ((a === b && aHi === bHi) === stopWhenEqual)) {
        ended = true;
        break;
      }
    }
  } finally {
    if (done > 0) {
      if (kind === KIND_LODS) cpu.setReg(RAX, s, i, a, aHi);
      else if (compares) compareFlags(cpu, s, a, aHi, b, bHi);
    }
    commit(cpu, i, done, step, usesSrc, usesDst);
  }
  if (!ended) restartIfCounting(cpu, i);
}

// ---- handlers -----------------------------------------------------------------------------------

function movs(cpu: Cpu, i: Insn) {
  if (i.rep === 0) movsOnce(cpu, i);
  else repMovsStosBulk(cpu, i, true);
}
function stos(cpu: Cpu, i: Insn) {
  if (i.rep === 0) stosOnce(cpu, i);
  else repMovsStosBulk(cpu, i, false);
}
function lods(cpu: Cpu, i: Insn) {
  if (i.rep === 0) lodsOnce(cpu, i);
  else repLoop(cpu, i, KIND_LODS);
}
function cmps(cpu: Cpu, i: Insn) {
  if (i.rep === 0) cmpsOnce(cpu, i);
  else if (i.opsize === 1 && !(cpu.flagsBase & DF)) repCmpsScasBytes(cpu, i, true);
  else repLoop(cpu, i, KIND_CMPS);
}
function scas(cpu: Cpu, i: Insn) {
  if (i.rep === 0) scasOnce(cpu, i);
  else if (i.opsize === 1 && !(cpu.flagsBase & DF)) repCmpsScasBytes(cpu, i, false);
  else repLoop(cpu, i, KIND_SCAS);
}

export const STRING_FORMS: FormSpec[] = [
  { op: "A4", mnem: "movs", args: "Yb,Xb", fn: movs, attrs: "rep" },
  { op: "A5", mnem: "movs", args: "Yv,Xv", fn: movs, attrs: "rep" },
  { op: "AA", mnem: "stos", args: "Yb,AL", fn: stos, attrs: "rep" },
  { op: "AB", mnem: "stos", args: "Yv,rAX", fn: stos, attrs: "rep" },
  { op: "AC", mnem: "lods", args: "AL,Xb", fn: lods, attrs: "rep" },
  { op: "AD", mnem: "lods", args: "rAX,Xv", fn: lods, attrs: "rep" },
  { op: "A6", mnem: "cmps", args: "Xb,Yb", fn: cmps, attrs: "rep" },
  { op: "A7", mnem: "cmps", args: "Xv,Yv", fn: cmps, attrs: "rep" },
  { op: "AE", mnem: "scas", args: "AL,Yb", fn: scas, attrs: "rep" },
  { op: "AF", mnem: "scas", args: "rAX,Yv", fn: scas, attrs: "rep" },
  ...STRING_IO_FORMS,
];
