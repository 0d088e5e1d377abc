// x87 comparisons: FCOM/FCOMP/FCOMPP, FUCOM/FUCOMP/FUCOMPP, FICOM/FICOMP (condition codes),
// FCOMI/FCOMIP/FUCOMI/FUCOMIP (EFLAGS ZF/PF/CF), FTST and FXAM, with the reserved register
// aliases (DC D0/D8, DE D0).

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { AF, CF, OF, PF, setStatus, SF, ZF } from "../flags.ts";
import {
  classify,
  CMP_UN,
  compare,
  type F80,
  K_DENORMAL,
  K_INF,
  K_NORMAL,
  K_QNAN,
  K_SNAN,
  K_ZERO,
  unmaskedRaised,
  ZERO,
} from "../../fpu/float80.ts";
import { float32Operand, float64Operand, fromInt } from "../../fpu/float80-convert.ts";
import { begin, checkPending, finish, setCC, stackUnderflow, sti } from "./x87-common.ts";
import { SW_C0, SW_C1, SW_C2, SW_C3 } from "../../fpu/x87-state.ts";

const CC_OF = [0, SW_C0, SW_C3, SW_C3 | SW_C2 | SW_C0]; // by CMP_GT, CMP_LT, CMP_EQ, CMP_UN
const EFLAGS_OF = [0, CF, ZF, ZF | PF | CF];

/** Compare ST(0) with `other` (or report underflow), set C3/C2/C0, then pop `pops` times. */
function compareCC(
  cpu: Cpu,
  i: Insn,
  other: F80,
  otherEmpty: boolean,
  unordered: boolean,
  pops: number,
  address = -1,
): void {
  const env = begin(cpu, i, address);
  const fpu = cpu.fpu;
  if (fpu.isEmpty(0) || otherEmpty) {
    const masked = stackUnderflow(cpu, env);
    setCC(cpu, CC_OF[CMP_UN]);
    if (!masked) return;
  } else {
    const r = compare(env, fpu.read(0), other, unordered);
    setCC(cpu, CC_OF[r]);
    finish(cpu, env);
    if (unmaskedRaised(env)) return;
  }
  for (let k = 0; k < pops; k++) fpu.pop();
}

function fcomSt(cpu: Cpu, i: Insn, pops: number, unordered: boolean) {
  const fpu = cpu.fpu;
  const n = sti(i);
  compareCC(cpu, i, fpu.read(n), fpu.isEmpty(n), unordered, pops);
}
const fcom = (cpu: Cpu, i: Insn) => fcomSt(cpu, i, 0, false);
const fcomp = (cpu: Cpu, i: Insn) => fcomSt(cpu, i, 1, false);
const fcompp = (cpu: Cpu, i: Insn) => fcomSt(cpu, i, 2, false);
const fucom = (cpu: Cpu, i: Insn) => fcomSt(cpu, i, 0, true);
const fucomp = (cpu: Cpu, i: Insn) => fcomSt(cpu, i, 1, true);
const fucompp = (cpu: Cpu, i: Insn) => fcomSt(cpu, i, 2, true);

/** FCOM/FCOMP/FICOM/FICOMP with a memory operand (ModRM.reg 2 or 3 = pop). */
function fcomMem(cpu: Cpu, i: Insn, read: (a: number) => F80) {
  checkPending(cpu);
  const a = cpu.ea(i);
  compareCC(cpu, i, read(a), false, false, (i.modrm >> 3) & 1, a);
}
const fcomM32 = (cpu: Cpu, i: Insn) => fcomMem(cpu, i, (a) => float32Operand(cpu.read32(a)));
const fcomM64 = (cpu: Cpu, i: Insn) =>
  fcomMem(cpu, i, (a) => {
    const lo = cpu.read64(a);
    return float64Operand(lo, cpu.hi);
  });
const ficomM16 = (cpu: Cpu, i: Insn) =>
  fcomMem(cpu, i, (a) => fromInt(BigInt((cpu.read16(a) << 16) >> 16)));
const ficomM32 = (cpu: Cpu, i: Insn) => fcomMem(cpu, i, (a) => fromInt(BigInt(cpu.read32(a) | 0)));

/** FCOMI & co.: the result goes to ZF/PF/CF (OF, SF, AF cleared); C1 cleared. */
function compareFlags(cpu: Cpu, i: Insn, unordered: boolean, pop: boolean) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  const n = sti(i);
  if (fpu.isEmpty(0) || fpu.isEmpty(n)) {
    const masked = stackUnderflow(cpu, env);
    setStatus(cpu, ZF | PF | CF | OF | SF | AF, EFLAGS_OF[CMP_UN]);
    if (!masked) return;
  } else {
    const r = compare(env, fpu.read(0), fpu.read(n), unordered);
    finish(cpu, env, true);
    setStatus(cpu, ZF | PF | CF | OF | SF | AF, EFLAGS_OF[r]);
    if (unmaskedRaised(env)) return;
  }
  if (pop) fpu.pop();
}
const fcomi = (cpu: Cpu, i: Insn) => compareFlags(cpu, i, false, false);
const fcomip = (cpu: Cpu, i: Insn) => compareFlags(cpu, i, false, true);
const fucomi = (cpu: Cpu, i: Insn) => compareFlags(cpu, i, true, false);
const fucomip = (cpu: Cpu, i: Insn) => compareFlags(cpu, i, true, true);

/** FTST: compare ST(0) with +0.0. */
function ftst(cpu: Cpu, i: Insn) {
  compareCC(cpu, i, ZERO, false, false, 0);
}

/** FXAM: classify ST(0) into C3 C2 C0, its sign into C1. Never faults. */
function fxam(cpu: Cpu, i: Insn) {
  begin(cpu, i);
  const fpu = cpu.fpu;
  const v = fpu.read(0);
  let cc: number;
  if (fpu.isEmpty(0)) cc = SW_C3 | SW_C0;
  else {
    switch (classify(v)) {
      case K_ZERO:
        cc = SW_C3;
        break;
      case K_DENORMAL:
        cc = SW_C3 | SW_C2;
        break;
      case K_NORMAL:
        cc = SW_C2;
        break;
      case K_INF:
        cc = SW_C2 | SW_C0;
        break;
      case K_QNAN:
      case K_SNAN:
        cc = SW_C0;
        break;
      default:
        cc = 0;
    }
  }
  setCC(cpu, cc | (v.sign ? SW_C1 : 0));
}

export const X87_COMPARE_FORMS: FormSpec[] = [
  { op: "D8 /2", mnem: "fcom", args: "Md", fn: fcomM32, attrs: "mem" },
  { op: "D8 /3", mnem: "fcomp", args: "Md", fn: fcomM32, attrs: "mem" },
  { op: "DC /2", mnem: "fcom", args: "Mq", fn: fcomM64, attrs: "mem" },
  { op: "DC /3", mnem: "fcomp", args: "Mq", fn: fcomM64, attrs: "mem" },
  { op: "DE /2", mnem: "ficom", args: "Mw", fn: ficomM16, attrs: "mem" },
  { op: "DE /3", mnem: "ficomp", args: "Mw", fn: ficomM16, attrs: "mem" },
  { op: "DA /2", mnem: "ficom", args: "Md", fn: ficomM32, attrs: "mem" },
  { op: "DA /3", mnem: "ficomp", args: "Md", fn: ficomM32, attrs: "mem" },
  { op: "D8 /2", mnem: "fcom", args: "STi", fn: fcom, attrs: "reg" },
  { op: "D8 /3", mnem: "fcomp", args: "STi", fn: fcomp, attrs: "reg" },
  { op: "DC /2", mnem: "fcom2", args: "STi", fn: fcom, attrs: "reg" },
  { op: "DC /3", mnem: "fcomp3", args: "STi", fn: fcomp, attrs: "reg" },
  { op: "DE /2", mnem: "fcomp5", args: "STi", fn: fcomp, attrs: "reg" },
  { op: "DE D9", mnem: "fcompp", args: "", fn: fcompp },
  { op: "DD /4", mnem: "fucom", args: "STi", fn: fucom, attrs: "reg" },
  { op: "DD /5", mnem: "fucomp", args: "STi", fn: fucomp, attrs: "reg" },
  { op: "DA E9", mnem: "fucompp", args: "", fn: fucompp },
  { op: "DB /6", mnem: "fcomi", args: "ST,STi", fn: fcomi, attrs: "reg" },
  { op: "DF /6", mnem: "fcomip", args: "ST,STi", fn: fcomip, attrs: "reg" },
  { op: "DB /5", mnem: "fucomi", args: "ST,STi", fn: fucomi, attrs: "reg" },
  { op: "DF /5", mnem: "fucomip", args: "ST,STi", fn: fucomip, attrs: "reg" },
  { op: "D9 E4", mnem: "ftst", args: "", fn: ftst },
  { op: "D9 E5", mnem: "fxam", args: "", fn: fxam },
];
