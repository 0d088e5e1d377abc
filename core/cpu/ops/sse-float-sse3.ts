// SSE3 floating-point: HADDPS/HADDPD and HSUBPS/HSUBPD (pairwise within each operand, the
// destination's pairs first) and ADDSUBPS/ADDSUBPD (subtract in even lanes, add in odd ones).

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { fpBegin } from "../../fpu/ieee.ts";
import {
  finish,
  lane32,
  lane64,
  loadW128,
  OP_ADD,
  OP_SUB,
  rU32,
  sF32,
  sF64,
  sU32,
} from "./sse-float-common.ts";

const dstBuffer = new ArrayBuffer(16);
const dU32 = new Uint32Array(dstBuffer);
const dF32 = new Float32Array(dstBuffer);
const dF64 = new Float64Array(dstBuffer);

function loadOperands(cpu: Cpu, i: Insn): void {
  loadW128(cpu, i);
  dU32.set(cpu.xmm32.subarray(i.reg * 4, i.reg * 4 + 4));
}

function horizontal32(op: number) {
  return (cpu: Cpu, i: Insn): void => {
    loadOperands(cpu, i);
    fpBegin(cpu.mxcsr);
    lane32(op, 0, dF32[0], dF32[1], dU32[0], dU32[1]);
    lane32(op, 1, dF32[2], dF32[3], dU32[2], dU32[3]);
    lane32(op, 2, sF32[0], sF32[1], sU32[0], sU32[1]);
    lane32(op, 3, sF32[2], sF32[3], sU32[2], sU32[3]);
    finish(cpu);
    cpu.xmm32.set(rU32, i.reg * 4);
  };
}
function horizontal64(op: number) {
  return (cpu: Cpu, i: Insn): void => {
    loadOperands(cpu, i);
    fpBegin(cpu.mxcsr);
    lane64(op, 0, dF64[0], dF64[1], dU32, 0, dU32, 2);
    lane64(op, 1, sF64[0], sF64[1], sU32, 0, sU32, 2);
    finish(cpu);
    cpu.xmm32.set(rU32, i.reg * 4);
  };
}

function addsubps(cpu: Cpu, i: Insn) {
  loadOperands(cpu, i);
  fpBegin(cpu.mxcsr);
  for (let k = 0; k < 4; k++) {
    lane32(k & 1 ? OP_ADD : OP_SUB, k, dF32[k], sF32[k], dU32[k], sU32[k]);
  }
  finish(cpu);
  cpu.xmm32.set(rU32, i.reg * 4);
}
function addsubpd(cpu: Cpu, i: Insn) {
  loadOperands(cpu, i);
  fpBegin(cpu.mxcsr);
  lane64(OP_SUB, 0, dF64[0], sF64[0], dU32, 0, sU32, 0);
  lane64(OP_ADD, 1, dF64[1], sF64[1], dU32, 2, sU32, 2);
  finish(cpu);
  cpu.xmm32.set(rU32, i.reg * 4);
}

const A16 = { mem: "aligned16" } as const;

export const SSE_FLOAT_SSE3_FORMS: FormSpec[] = [
  { op: "F2 0F 7C /r", mnem: "haddps", args: "Vps,Wps", fn: horizontal32(OP_ADD), test: A16 },
  { op: "66 0F 7C /r", mnem: "haddpd", args: "Vpd,Wpd", fn: horizontal64(OP_ADD), test: A16 },
  { op: "F2 0F 7D /r", mnem: "hsubps", args: "Vps,Wps", fn: horizontal32(OP_SUB), test: A16 },
  { op: "66 0F 7D /r", mnem: "hsubpd", args: "Vpd,Wpd", fn: horizontal64(OP_SUB), test: A16 },
  { op: "F2 0F D0 /r", mnem: "addsubps", args: "Vps,Wps", fn: addsubps, test: A16 },
  { op: "66 0F D0 /r", mnem: "addsubpd", args: "Vpd,Wpd", fn: addsubpd, test: A16 },
];
