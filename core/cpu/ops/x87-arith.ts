// x87 basic arithmetic: FADD/FMUL/FSUB/FSUBR/FDIV/FDIVR with m32fp, m64fp, m16int and m32int
// operands and in all register forms (ST(0) op ST(i), ST(i) op ST(0), and the popping forms),
// plus FSQRT, FCHS and FABS.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { add, DEFAULT_NAN, div, type F80, FpEnv, mul, sqrt } from "../../fpu/float80.ts";
import { float32Operand, float64Operand, fromInt } from "../../fpu/float80-convert.ts";
import { begin, checkPending, finish, stackUnderflow, sti, unaryOp } from "./x87-common.ts";
import { SW_C0, SW_C2, SW_C3 } from "../../fpu/x87-state.ts";

/** Condition codes Intel leaves undefined after arithmetic (C1 reports rounding). */
const ARITH_UNDEF = SW_C0 | SW_C2 | SW_C3;

/** The operation selected by ModRM.reg: 0 add, 1 mul, 4 sub, 5 subr, 6 div, 7 divr. */
function compute(env: FpEnv, op: number, x: F80, y: F80): F80 | null {
  const bits = env.precision;
  switch (op) {
    case 0:
      return add(env, x, y, false, bits);
    case 1:
      return mul(env, x, y, bits);
    case 4:
      return add(env, x, y, true, bits);
    case 5:
      return add(env, y, x, true, bits);
    case 6:
      return div(env, x, y, bits);
    default:
      return div(env, y, x, bits);
  }
}

/** ST(dest) = ST(x) op ST(y) register forms; `pop` for the P forms. */
function arithReg(cpu: Cpu, i: Insn, dest: number, op: number, pop: boolean): void {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  const other = sti(i);
  if (fpu.isEmpty(0) || fpu.isEmpty(other)) {
    if (!stackUnderflow(cpu, env)) return;
    fpu.write(dest, DEFAULT_NAN);
  } else {
    const stI = fpu.read(other), st0 = fpu.read(0);
    const r = dest === 0 ? compute(env, op, st0, stI) : compute(env, op, stI, st0);
    finish(cpu, env);
    if (r === null) return;
    fpu.write(dest, r);
  }
  if (pop) fpu.pop();
}

/** D8 /n reg: ST(0) = ST(0) op ST(i). */
function arithSt0(cpu: Cpu, i: Insn) {
  arithReg(cpu, i, 0, (i.modrm >> 3) & 7, false);
}
/** DC /n reg: ST(i) = ST(i) op ST(0), with the sub/subr and div/divr encodings swapped. */
function arithStI(cpu: Cpu, i: Insn) {
  const n = (i.modrm >> 3) & 7;
  arithReg(cpu, i, sti(i), n >= 4 ? n ^ 1 : n, false);
}
/** DE /n reg: as DC, then pop. */
function arithStIPop(cpu: Cpu, i: Insn) {
  const n = (i.modrm >> 3) & 7;
  arithReg(cpu, i, sti(i), n >= 4 ? n ^ 1 : n, true);
}

/** ST(0) = ST(0) op memory operand. */
function arithMem(cpu: Cpu, i: Insn, y: F80, address: number): void {
  const env = begin(cpu, i, address);
  const fpu = cpu.fpu;
  if (fpu.isEmpty(0)) {
    if (stackUnderflow(cpu, env)) fpu.write(0, DEFAULT_NAN);
    return;
  }
  const r = compute(env, (i.modrm >> 3) & 7, fpu.read(0), y);
  if (r !== null) fpu.write(0, r);
  finish(cpu, env);
}

function arithM32(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  arithMem(cpu, i, float32Operand(cpu.read32(a)), a);
}
function arithM64(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  const lo = cpu.read64(a);
  arithMem(cpu, i, float64Operand(lo, cpu.hi), a);
}
function arithM16Int(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  arithMem(cpu, i, fromInt(BigInt((cpu.read16(a) << 16) >> 16)), a);
}
function arithM32Int(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  arithMem(cpu, i, fromInt(BigInt(cpu.read32(a) | 0)), a);
}

function fsqrt(cpu: Cpu, i: Insn) {
  unaryOp(cpu, i, (env, v) => sqrt(env, v));
}
function fchs(cpu: Cpu, i: Insn) {
  unaryOp(cpu, i, (_env, v) => ({ sign: v.sign ^ 1, exp: v.exp, sig: v.sig }));
}
function fabs(cpu: Cpu, i: Insn) {
  unaryOp(cpu, i, (_env, v) => ({ sign: 0, exp: v.exp, sig: v.sig }));
}

const hint = { fswUndef: ARITH_UNDEF };
const NAMES = ["fadd", "fmul", "", "", "fsub", "fsubr", "fdiv", "fdivr"];
const INT_NAMES = ["fiadd", "fimul", "", "", "fisub", "fisubr", "fidiv", "fidivr"];
/** Register-form mnemonics for DC/DE: Intel names by ModRM.reg. */
const ST_I_NAMES = ["fadd", "fmul", "", "", "fsubr", "fsub", "fdivr", "fdiv"];

function rows(): FormSpec[] {
  const out: FormSpec[] = [];
  for (const n of [0, 1, 4, 5, 6, 7]) {
    out.push(
      { op: `D8 /${n}`, mnem: NAMES[n], args: "Md", fn: arithM32, attrs: "mem", test: hint },
      { op: `DC /${n}`, mnem: NAMES[n], args: "Mq", fn: arithM64, attrs: "mem", test: hint },
      { op: `DA /${n}`, mnem: INT_NAMES[n], args: "Md", fn: arithM32Int, attrs: "mem", test: hint },
      { op: `DE /${n}`, mnem: INT_NAMES[n], args: "Mw", fn: arithM16Int, attrs: "mem", test: hint },
      { op: `D8 /${n}`, mnem: NAMES[n], args: "ST,STi", fn: arithSt0, attrs: "reg", test: hint },
      {
        op: `DC /${n}`,
        mnem: ST_I_NAMES[n],
        args: "STi,ST",
        fn: arithStI,
        attrs: "reg",
        test: hint,
      },
      {
        op: `DE /${n}`,
        mnem: ST_I_NAMES[n] + "p",
        args: "STi,ST",
        fn: arithStIPop,
        attrs: "reg",
        test: hint,
      },
    );
  }
  return out;
}

export const X87_ARITH_FORMS: FormSpec[] = [
  ...rows(),
  { op: "D9 FA", mnem: "fsqrt", args: "", fn: fsqrt, test: hint },
  { op: "D9 E0", mnem: "fchs", args: "", fn: fchs, test: hint },
  { op: "D9 E1", mnem: "fabs", args: "", fn: fabs, test: hint },
];
