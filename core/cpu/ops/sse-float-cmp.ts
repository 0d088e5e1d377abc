// SSE/SSE2 floating-point compares: CMPPS/CMPPD/CMPSS/CMPSD with the legacy predicates 0-7
// (imm8 bits 7:3 are ignored) writing all-ones/all-zeros masks, and COMISS/COMISD (signal on any
// NaN) and UCOMISS/UCOMISD (signal on SNaN only) setting ZF, PF, CF and clearing OF, SF, AF.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { CF, PF, STATUS_FLAGS, ZF } from "../flags.ts";
import { setStatus } from "../flags.ts";
import { fpBegin } from "../../fpu/ieee.ts";
import {
  predicateHolds,
  predicateSignals,
  relation,
  snan32,
  snan64,
} from "../../fpu/ieee-arith.ts";
import {
  commitLow64,
  finish,
  loadW128,
  loadW32,
  loadW64,
  rU32,
  sF32,
  sF64,
  sU32,
} from "./sse-float-common.ts";

function cmp32(cpu: Cpu, i: Insn, lanes: number): void {
  const pred = i.imm & 7;
  const signals = predicateSignals(pred);
  const x = cpu.xmm32, xf = cpu.xmmF32, d = i.reg * 4;
  for (let k = 0; k < lanes; k++) {
    const rel = relation(xf[d + k], sF32[k], true, signals, snan32(x[d + k], sU32[k]));
    rU32[k] = predicateHolds(pred, rel) ? 0xffffffff : 0;
  }
}
function cmpps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  cmp32(cpu, i, 4);
  finish(cpu);
  cpu.xmm32.set(rU32, i.reg * 4);
}
function cmpss(cpu: Cpu, i: Insn) {
  loadW32(cpu, i);
  fpBegin(cpu.mxcsr);
  cmp32(cpu, i, 1);
  finish(cpu);
  cpu.xmm32[i.reg * 4] = rU32[0];
}

function cmp64(cpu: Cpu, i: Insn, lanes: number): void {
  const pred = i.imm & 7;
  const signals = predicateSignals(pred);
  const x = cpu.xmm32, xf = cpu.xmmF64, d = i.reg * 4;
  for (let k = 0; k < lanes; k++) {
    const a = xf[i.reg * 2 + k], b = sF64[k];
    const rel = relation(a, b, false, signals, snan64(a, b, x[d + 2 * k + 1], sU32[2 * k + 1]));
    const v = predicateHolds(pred, rel) ? 0xffffffff : 0;
    rU32[2 * k] = v;
    rU32[2 * k + 1] = v;
  }
}
function cmppd(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  fpBegin(cpu.mxcsr);
  cmp64(cpu, i, 2);
  finish(cpu);
  cpu.xmm32.set(rU32, i.reg * 4);
}
function cmpsd(cpu: Cpu, i: Insn) {
  loadW64(cpu, i);
  fpBegin(cpu.mxcsr);
  cmp64(cpu, i, 1);
  finish(cpu);
  commitLow64(cpu, i.reg);
}

const RELATION_FLAGS = [0, CF, ZF, ZF | PF | CF]; // GREATER, LESS, EQUAL, UNORDERED

function comis32(signaling: boolean) {
  return (cpu: Cpu, i: Insn): void => {
    loadW32(cpu, i);
    fpBegin(cpu.mxcsr);
    const d = i.reg * 4;
    const rel = relation(cpu.xmmF32[d], sF32[0], true, signaling, snan32(cpu.xmm32[d], sU32[0]));
    finish(cpu);
    setStatus(cpu, STATUS_FLAGS, RELATION_FLAGS[rel]);
  };
}
function comis64(signaling: boolean) {
  return (cpu: Cpu, i: Insn): void => {
    loadW64(cpu, i);
    fpBegin(cpu.mxcsr);
    const a = cpu.xmmF64[i.reg * 2], b = sF64[0];
    const rel = relation(a, b, false, signaling, snan64(a, b, cpu.xmm32[i.reg * 4 + 1], sU32[1]));
    finish(cpu);
    setStatus(cpu, STATUS_FLAGS, RELATION_FLAGS[rel]);
  };
}

const A16 = { mem: "aligned16" } as const;

export const SSE_FLOAT_CMP_FORMS: FormSpec[] = [
  { op: "NP 0F C2 /r", mnem: "cmpps", args: "Vps,Wps,Ib", fn: cmpps, test: A16 },
  { op: "66 0F C2 /r", mnem: "cmppd", args: "Vpd,Wpd,Ib", fn: cmppd, test: A16 },
  { op: "F3 0F C2 /r", mnem: "cmpss", args: "Vss,Wss,Ib", fn: cmpss },
  { op: "F2 0F C2 /r", mnem: "cmpsd", args: "Vsd,Wsd,Ib", fn: cmpsd },
  { op: "NP 0F 2E /r", mnem: "ucomiss", args: "Vss,Wss", fn: comis32(false) },
  { op: "66 0F 2E /r", mnem: "ucomisd", args: "Vsd,Wsd", fn: comis64(false) },
  { op: "NP 0F 2F /r", mnem: "comiss", args: "Vss,Wss", fn: comis32(true) },
  { op: "66 0F 2F /r", mnem: "comisd", args: "Vsd,Wsd", fn: comis64(true) },
];
