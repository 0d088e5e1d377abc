// SSE/SSE2 floating-point arithmetic: ADD SUB MUL DIV MIN MAX SQRT (PS/PD/SS/SD), RCP and RSQRT
// (PS/SS), and the bitwise AND ANDN OR XOR (PS/PD). This file also gathers the rows of its
// split siblings (compares, SSE3 horizontal ops, SSE4.1) into SSE_FLOAT_FORMS.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Handler, Insn } from "../insn.ts";
import { rcp32, rsqrt32 } from "../../fpu/ieee-approx.ts";
import {
  loadW128,
  loadW32,
  packed32,
  packed64,
  scalar32,
  scalar64,
  sU32,
} from "./sse-float-common.ts";
import {
  addLanes32,
  addLanes64,
  divLanes32,
  divLanes64,
  type Kernel32,
  type Kernel64,
  maxLanes32,
  maxLanes64,
  minLanes32,
  minLanes64,
  mulLanes32,
  mulLanes64,
  sqrtLanes32,
  sqrtLanes64,
  subLanes32,
  subLanes64,
} from "./sse-float-kernels.ts";
import * as FAST_HANDLERS from "./sse-float-fast.ts";
import { SSE_FLOAT_CMP_FORMS } from "./sse-float-cmp.ts";
import { SSE_FLOAT_SSE3_FORMS } from "./sse-float-sse3.ts";
import { SSE_FLOAT_SSE41_FORMS } from "./sse-float-sse41.ts";

// ---- RCP / RSQRT: table approximations, no MXCSR involvement --------------------------------

function approxPS(table: (bits: number) => number) {
  return (cpu: Cpu, i: Insn): void => {
    loadW128(cpu, i);
    const x = cpu.xmm32, d = i.reg * 4;
    for (let k = 0; k < 4; k++) x[d + k] = table(sU32[k]);
  };
}
function approxSS(table: (bits: number) => number) {
  return (cpu: Cpu, i: Insn): void => {
    loadW32(cpu, i);
    cpu.xmm32[i.reg * 4] = table(sU32[0]);
  };
}

// ---- bitwise -------------------------------------------------------------------------------

function andps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  const x = cpu.xmm32, d = i.reg * 4;
  for (let k = 0; k < 4; k++) x[d + k] &= sU32[k];
}
function andnps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  const x = cpu.xmm32, d = i.reg * 4;
  for (let k = 0; k < 4; k++) x[d + k] = ~x[d + k] & sU32[k];
}
function orps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  const x = cpu.xmm32, d = i.reg * 4;
  for (let k = 0; k < 4; k++) x[d + k] |= sU32[k];
}
function xorps(cpu: Cpu, i: Insn) {
  loadW128(cpu, i);
  const x = cpu.xmm32, d = i.reg * 4;
  for (let k = 0; k < 4; k++) x[d + k] ^= sU32[k];
}

const A16 = { mem: "aligned16" } as const;
/** The table approximations differ between vendors (see core/fpu/ieee-approx.ts). */
const APPROX = {
  relErr: 1.5 * 2 ** -12,
  note: "implementation-specific; tables match AMD Zen 4 exactly, Intel differs within relErr",
};

const APPROX_A16 = { ...APPROX, mem: "aligned16" } as const;

/** Dedicated handlers of the hottest forms, by mnemonic (see sse-float-fast.ts). */
const FAST: Record<string, Handler | undefined> = FAST_HANDLERS;

/** The four forms (PS PD SS SD) of one arithmetic opcode. */
function arith4(opcode: string, name: string, ps: Kernel32, pd: Kernel64): FormSpec[] {
  const fnPS = FAST[`${name}ps`] ?? packed32(ps), fnPD = FAST[`${name}pd`] ?? packed64(pd);
  const fnSS = FAST[`${name}ss`] ?? scalar32(ps), fnSD = FAST[`${name}sd`] ?? scalar64(pd);
  return [
    { op: `NP 0F ${opcode} /r`, mnem: `${name}ps`, args: "Vps,Wps", fn: fnPS, test: A16 },
    { op: `66 0F ${opcode} /r`, mnem: `${name}pd`, args: "Vpd,Wpd", fn: fnPD, test: A16 },
    { op: `F3 0F ${opcode} /r`, mnem: `${name}ss`, args: "Vss,Wss", fn: fnSS },
    { op: `F2 0F ${opcode} /r`, mnem: `${name}sd`, args: "Vsd,Wsd", fn: fnSD },
  ];
}

export const SSE_FLOAT_FORMS: FormSpec[] = [
  ...arith4("58", "add", addLanes32, addLanes64),
  ...arith4("59", "mul", mulLanes32, mulLanes64),
  ...arith4("5C", "sub", subLanes32, subLanes64),
  ...arith4("5D", "min", minLanes32, minLanes64),
  ...arith4("5E", "div", divLanes32, divLanes64),
  ...arith4("5F", "max", maxLanes32, maxLanes64),
  ...arith4("51", "sqrt", sqrtLanes32, sqrtLanes64),
  { op: "NP 0F 52 /r", mnem: "rsqrtps", args: "Vps,Wps", fn: approxPS(rsqrt32), test: APPROX_A16 },
  { op: "F3 0F 52 /r", mnem: "rsqrtss", args: "Vss,Wss", fn: approxSS(rsqrt32), test: APPROX },
  { op: "NP 0F 53 /r", mnem: "rcpps", args: "Vps,Wps", fn: approxPS(rcp32), test: APPROX_A16 },
  { op: "F3 0F 53 /r", mnem: "rcpss", args: "Vss,Wss", fn: approxSS(rcp32), test: APPROX },
  { op: "NP 0F 54 /r", mnem: "andps", args: "Vps,Wps", fn: andps, test: A16 },
  { op: "66 0F 54 /r", mnem: "andpd", args: "Vpd,Wpd", fn: andps, test: A16 },
  { op: "NP 0F 55 /r", mnem: "andnps", args: "Vps,Wps", fn: andnps, test: A16 },
  { op: "66 0F 55 /r", mnem: "andnpd", args: "Vpd,Wpd", fn: andnps, test: A16 },
  { op: "NP 0F 56 /r", mnem: "orps", args: "Vps,Wps", fn: orps, test: A16 },
  { op: "66 0F 56 /r", mnem: "orpd", args: "Vpd,Wpd", fn: orps, test: A16 },
  { op: "NP 0F 57 /r", mnem: "xorps", args: "Vps,Wps", fn: xorps, test: A16 },
  { op: "66 0F 57 /r", mnem: "xorpd", args: "Vpd,Wpd", fn: xorps, test: A16 },
  ...SSE_FLOAT_CMP_FORMS,
  ...SSE_FLOAT_SSE3_FORMS,
  ...SSE_FLOAT_SSE41_FORMS,
];
