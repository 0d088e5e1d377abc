// x87 transcendental and other computational instructions: FSIN, FCOS, FSINCOS, FPTAN, FPATAN,
// F2XM1, FYL2X, FYL2XP1, FPREM, FPREM1, FRNDINT, FSCALE, FXTRACT.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { classify, DEFAULT_NAN, type F80, type FpEnv, isNaNKind, ONE } from "../../fpu/float80.ts";
import { atan2, f2xm1, sinCos, tan, trigInRange, yl2x, yl2xp1 } from "../../fpu/float80-trans.ts";
import { extract, remainder, roundInt, scale } from "../../fpu/float80-misc.ts";
import { begin, finish, setCC, stackOverflow, stackUnderflow, unaryOp } from "./x87-common.ts";
import { SW_C0, SW_C1, SW_C2, SW_C3 } from "../../fpu/x87-state.ts";

/** Keep C0 and C3, set C2 as given (C1 is left to finish()). */
function setC2(cpu: Cpu, c2: boolean) {
  const fpu = cpu.fpu;
  fpu.sw = (fpu.sw & ~SW_C2) | (c2 ? SW_C2 : 0);
}

/** |x| >= 2^63: FSIN, FCOS, FPTAN and FSINCOS set C2 and change nothing else. */
function outOfTrigRange(cpu: Cpu, env: FpEnv, v: F80): boolean {
  if (trigInRange(v)) return false;
  finish(cpu, env);
  setC2(cpu, true);
  return true;
}

/** ST(1) = op(ST(0), ST(1)), then pop (FPATAN, FYL2X, FYL2XP1). */
function binaryPop(cpu: Cpu, i: Insn, op: (env: FpEnv, st0: F80, st1: F80) => F80 | null) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  if (fpu.isEmpty(0) || fpu.isEmpty(1)) {
    if (!stackUnderflow(cpu, env)) return;
    fpu.write(1, DEFAULT_NAN);
  } else {
    const r = op(env, fpu.read(0), fpu.read(1));
    finish(cpu, env);
    if (r === null) return;
    fpu.write(1, r);
  }
  fpu.pop();
}

/** FSIN/FCOS: ST(0) = f(ST(0)); out of range (|x| >= 2^63) sets C2 and changes nothing. */
function trig(cpu: Cpu, i: Insn, wantSin: boolean) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  if (fpu.isEmpty(0)) {
    if (stackUnderflow(cpu, env)) fpu.write(0, DEFAULT_NAN);
    setC2(cpu, false);
    return;
  }
  const v = fpu.read(0);
  if (outOfTrigRange(cpu, env, v)) return;
  const r = sinCos(env, v, wantSin, !wantSin);
  const value = wantSin ? r.sin : r.cos;
  if (value !== null) fpu.write(0, value);
  finish(cpu, env);
  setC2(cpu, false);
}
const fsin = (cpu: Cpu, i: Insn) => trig(cpu, i, true);
const fcos = (cpu: Cpu, i: Insn) => trig(cpu, i, false);

/**
 * For the functions that replace ST(0) and push a second result: an empty ST(0) underflows and
 * a full stack overflows, the masked response being two default NaNs. False in those cases.
 */
function canReplaceAndPush(cpu: Cpu, env: FpEnv): boolean {
  const fpu = cpu.fpu;
  if (!fpu.isEmpty(0) && fpu.isEmpty(7)) return true;
  const masked = fpu.isEmpty(0) ? stackUnderflow(cpu, env) : stackOverflow(cpu, env);
  if (masked) {
    fpu.write(0, DEFAULT_NAN);
    fpu.push(DEFAULT_NAN);
  }
  return false;
}

/** FSINCOS / FPTAN: replace ST(0) and push a second result. */
function trigPush(cpu: Cpu, i: Insn, tangent: boolean) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  setC2(cpu, false);
  if (!canReplaceAndPush(cpu, env)) return;
  const v = fpu.read(0);
  if (outOfTrigRange(cpu, env, v)) return;
  let first: F80 | null, second: F80 | null;
  if (tangent) {
    first = tan(env, v);
    // FPTAN pushes 1.0, except that a NaN result is pushed again in its place.
    second = first !== null && isNaNKind(classify(first)) ? first : ONE;
  } else {
    const r = sinCos(env, v, true, true);
    first = r.sin;
    second = r.cos;
  }
  if (first !== null && second !== null) {
    fpu.write(0, first);
    fpu.push(second);
  }
  finish(cpu, env);
  setC2(cpu, false);
}
const fptan = (cpu: Cpu, i: Insn) => trigPush(cpu, i, true);
const fsincos = (cpu: Cpu, i: Insn) => trigPush(cpu, i, false);

const fpatan = (cpu: Cpu, i: Insn) => binaryPop(cpu, i, (env, x, y) => atan2(env, y, x));
const fyl2x = (cpu: Cpu, i: Insn) => binaryPop(cpu, i, (env, x, y) => yl2x(env, x, y));
const fyl2xp1 = (cpu: Cpu, i: Insn) => binaryPop(cpu, i, (env, x, y) => yl2xp1(env, x, y));
const f2xm1Op = (cpu: Cpu, i: Insn) => unaryOp(cpu, i, f2xm1);
const frndint = (cpu: Cpu, i: Insn) => unaryOp(cpu, i, roundInt);

function fscale(cpu: Cpu, i: Insn) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  if (fpu.isEmpty(0) || fpu.isEmpty(1)) {
    if (stackUnderflow(cpu, env)) fpu.write(0, DEFAULT_NAN);
    return;
  }
  const r = scale(env, fpu.read(0), fpu.read(1));
  if (r !== null) fpu.write(0, r);
  finish(cpu, env);
}

/** FPREM/FPREM1: quotient bits Q2 Q1 Q0 go to C0 C3 C1; C2 = incomplete. */
function prem(cpu: Cpu, i: Insn, nearest: boolean) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  if (fpu.isEmpty(0) || fpu.isEmpty(1)) {
    if (stackUnderflow(cpu, env)) fpu.write(0, DEFAULT_NAN);
    setC2(cpu, false);
    return;
  }
  const r = remainder(env, fpu.read(0), fpu.read(1), nearest);
  if (r.value !== null) fpu.write(0, r.value);
  finish(cpu, env);
  setC2(cpu, false);
  if (r.value === null || r.quotient < 0) return;
  const q = r.quotient;
  setCC(
    cpu,
    (q & 4 ? SW_C0 : 0) | (q & 2 ? SW_C3 : 0) | (q & 1 ? SW_C1 : 0) | (r.partial ? SW_C2 : 0),
  );
}
const fprem = (cpu: Cpu, i: Insn) => prem(cpu, i, false);
const fprem1 = (cpu: Cpu, i: Insn) => prem(cpu, i, true);

function fxtract(cpu: Cpu, i: Insn) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  if (!canReplaceAndPush(cpu, env)) return;
  const r = extract(env, fpu.read(0));
  if (r !== null) {
    fpu.write(0, r[0]);
    fpu.push(r[1]);
  }
  finish(cpu, env);
}

const UNDEF = { fswUndef: SW_C0 | SW_C2 | SW_C3 };
// C1 (rounded up) cannot match when a result legitimately differs by an ulp.
const TRIG = { fswUndef: SW_C0 | SW_C1 | SW_C3, ulps: 1 };
const TRANS = { fswUndef: SW_C0 | SW_C1 | SW_C2 | SW_C3, ulps: 1 };

export const X87_TRANS_FORMS: FormSpec[] = [
  { op: "D9 FE", mnem: "fsin", args: "", fn: fsin, test: TRIG },
  { op: "D9 FF", mnem: "fcos", args: "", fn: fcos, test: TRIG },
  { op: "D9 FB", mnem: "fsincos", args: "", fn: fsincos, test: TRIG },
  { op: "D9 F2", mnem: "fptan", args: "", fn: fptan, test: TRIG },
  { op: "D9 F3", mnem: "fpatan", args: "", fn: fpatan, test: TRANS },
  { op: "D9 F0", mnem: "f2xm1", args: "", fn: f2xm1Op, test: TRANS },
  { op: "D9 F1", mnem: "fyl2x", args: "", fn: fyl2x, test: TRANS },
  { op: "D9 F9", mnem: "fyl2xp1", args: "", fn: fyl2xp1, test: TRANS },
  { op: "D9 F8", mnem: "fprem", args: "", fn: fprem },
  { op: "D9 F5", mnem: "fprem1", args: "", fn: fprem1 },
  { op: "D9 FC", mnem: "frndint", args: "", fn: frndint, test: UNDEF },
  { op: "D9 FD", mnem: "fscale", args: "", fn: fscale, test: UNDEF },
  { op: "D9 F4", mnem: "fxtract", args: "", fn: fxtract, test: UNDEF },
];
