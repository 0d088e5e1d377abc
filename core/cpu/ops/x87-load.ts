// x87 data transfer: FLD/FST/FSTP (m32fp, m64fp, m80fp, ST(i) and the reserved FSTP aliases),
// FILD/FIST/FISTP/FISTTP (m16int, m32int, m64int), FBLD/FBSTP (m80bcd), the constant loads,
// FXCH (and aliases), FCMOVcc, FFREE/FFREEP, FINCSTP/FDECSTP.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { cond } from "../flags.ts";
import { DEFAULT_NAN, type F80, FE_IE, type FpEnv, ONE, ZERO } from "../../fpu/float80.ts";
import {
  BCD_INDEFINITE,
  fromBcd,
  fromFloat32,
  fromFloat64,
  fromInt,
  toBcd,
  toFloat32,
  toFloat64,
  toInt,
} from "../../fpu/float80-convert.ts";
import { constant } from "../../fpu/float80-trans.ts";
import {
  begin,
  bytesF80,
  checkPending,
  f80Bytes,
  finish,
  readBytes,
  setCC,
  stackOverflow,
  stackUnderflow,
  sti,
  writeBytes,
} from "./x87-common.ts";
import { SW_C0, SW_C1, SW_C2, SW_C3 } from "../../fpu/x87-state.ts";

/** Push a value produced by `load` (null: an unmasked exception, nothing pushed). */
function pushLoaded(cpu: Cpu, env: FpEnv, load: () => F80 | null): void {
  const fpu = cpu.fpu;
  if (!fpu.isEmpty(7)) {
    if (stackOverflow(cpu, env)) fpu.push(DEFAULT_NAN);
    return;
  }
  const v = load();
  if (v !== null) fpu.push(v);
  finish(cpu, env);
}

function fldM32(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  const bits = cpu.read32(a);
  const env = begin(cpu, i, a);
  pushLoaded(cpu, env, () => fromFloat32(env, bits));
}
function fldM64(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  const lo = cpu.read64(a), hi = cpu.hi;
  const env = begin(cpu, i, a);
  pushLoaded(cpu, env, () => fromFloat64(env, lo, hi));
}
function fldM80(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  const v = bytesF80(readBytes(cpu, a, 10));
  const env = begin(cpu, i, a);
  pushLoaded(cpu, env, () => v);
}
function fldSt(cpu: Cpu, i: Insn) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  const n = sti(i);
  if (fpu.isEmpty(n)) {
    if (stackUnderflow(cpu, env)) fpu.push(DEFAULT_NAN);
    return;
  }
  const v = fpu.read(n);
  pushLoaded(cpu, env, () => v);
}

function fildM16(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  const v = fromInt(BigInt((cpu.read16(a) << 16) >> 16));
  pushLoaded(cpu, begin(cpu, i, a), () => v);
}
function fildM32(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  const v = fromInt(BigInt(cpu.read32(a) | 0));
  pushLoaded(cpu, begin(cpu, i, a), () => v);
}
function fildM64(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  const lo = cpu.read64(a);
  const v = fromInt(BigInt.asIntN(64, (BigInt(cpu.hi) << 32n) | BigInt(lo)));
  pushLoaded(cpu, begin(cpu, i, a), () => v);
}
function fbld(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  const v = fromBcd(readBytes(cpu, a, 10));
  pushLoaded(cpu, begin(cpu, i, a), () => v);
}

function fldConst(cpu: Cpu, i: Insn) {
  const env = begin(cpu, i);
  const which = i.modrm & 7;
  pushLoaded(cpu, env, () => which === 0 ? ONE : which === 6 ? ZERO : constant(env, which));
}

/**
 * Store ST(0) to `size` bytes of memory through `convert` (which returns null when an unmasked
 * exception suppresses the store), writing `indefinite` as the masked stack-underflow response.
 * The destination is checked for page faults first, even when nothing ends up written.
 */
function storeMem<T>(
  cpu: Cpu,
  i: Insn,
  size: number,
  pop: boolean,
  convert: (env: FpEnv, v: F80) => T | null,
  indefinite: T,
  write: (a: number, v: T) => void,
): void {
  checkPending(cpu);
  const a = cpu.ea(i);
  cpu.probeWrite(a, size);
  const env = begin(cpu, i, a);
  const fpu = cpu.fpu;
  if (fpu.isEmpty(0)) {
    if (!env.masked(FE_IE)) {
      stackUnderflow(cpu, env);
      return;
    }
    write(a, indefinite);
    stackUnderflow(cpu, env);
    if (pop) fpu.pop();
    return;
  }
  const v = convert(env, fpu.read(0));
  if (v === null) {
    finish(cpu, env);
    return;
  }
  write(a, v);
  finish(cpu, env);
  if (pop) fpu.pop();
}

function storeM32(cpu: Cpu, i: Insn, pop: boolean) {
  storeMem(cpu, i, 4, pop, toFloat32, 0xffc00000, (a, v) => cpu.write32(a, v));
}
function storeM64(cpu: Cpu, i: Insn, pop: boolean) {
  storeMem(
    cpu,
    i,
    8,
    pop,
    toFloat64,
    0xfff8000000000000n,
    (a, v) => cpu.write64(a, Number(v & 0xffffffffn), Number(v >> 32n)),
  );
}
function storeInt(cpu: Cpu, i: Insn, bits: number, pop: boolean, truncate: boolean) {
  storeMem(
    cpu,
    i,
    bits / 8,
    pop,
    (env, v) => toInt(env, v, bits, truncate),
    1n << BigInt(bits - 1),
    (a, v) => {
      if (bits === 16) cpu.write16(a, Number(v));
      else if (bits === 32) cpu.write32(a, Number(v));
      else cpu.write64(a, Number(v & 0xffffffffn), Number(v >> 32n));
    },
  );
}

const fstM32 = (cpu: Cpu, i: Insn) => storeM32(cpu, i, false);
const fstpM32 = (cpu: Cpu, i: Insn) => storeM32(cpu, i, true);
const fstM64 = (cpu: Cpu, i: Insn) => storeM64(cpu, i, false);
const fstpM64 = (cpu: Cpu, i: Insn) => storeM64(cpu, i, true);
function fstpM80(cpu: Cpu, i: Insn) {
  storeMem(cpu, i, 10, true, (_env, v) => f80Bytes(v), f80Bytes(DEFAULT_NAN), (a, v) => {
    writeBytes(cpu, a, v);
  });
}
const fistM16 = (cpu: Cpu, i: Insn) => storeInt(cpu, i, 16, false, false);
const fistM32 = (cpu: Cpu, i: Insn) => storeInt(cpu, i, 32, false, false);
const fistpM16 = (cpu: Cpu, i: Insn) => storeInt(cpu, i, 16, true, false);
const fistpM32 = (cpu: Cpu, i: Insn) => storeInt(cpu, i, 32, true, false);
const fistpM64 = (cpu: Cpu, i: Insn) => storeInt(cpu, i, 64, true, false);
const fisttpM16 = (cpu: Cpu, i: Insn) => storeInt(cpu, i, 16, true, true);
const fisttpM32 = (cpu: Cpu, i: Insn) => storeInt(cpu, i, 32, true, true);
const fisttpM64 = (cpu: Cpu, i: Insn) => storeInt(cpu, i, 64, true, true);
function fbstp(cpu: Cpu, i: Insn) {
  storeMem(cpu, i, 10, true, toBcd, BCD_INDEFINITE, (a, v) => writeBytes(cpu, a, v));
}

/** FST/FSTP ST(i): a register copy, no conversion and no exceptions. */
function storeSt(cpu: Cpu, i: Insn, pop: boolean) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  const n = sti(i);
  if (fpu.isEmpty(0)) {
    if (!stackUnderflow(cpu, env)) return;
    fpu.write(n, DEFAULT_NAN);
  } else {
    fpu.write(n, fpu.read(0));
    finish(cpu, env);
  }
  if (pop) fpu.pop();
}
const fstSt = (cpu: Cpu, i: Insn) => storeSt(cpu, i, false);
const fstpSt = (cpu: Cpu, i: Insn) => storeSt(cpu, i, true);
/**
 * D9 D8+i, the reserved FSTP alias: with ST(0) empty the host stores nothing and raises no
 * stack fault, it just pops (C1 cleared; C0, C2, C3 vary by state on the host).
 */
function fstp1(cpu: Cpu, i: Insn) {
  if (!cpu.fpu.isEmpty(0)) return storeSt(cpu, i, true);
  begin(cpu, i);
  cpu.fpu.sw &= ~SW_C1;
  cpu.fpu.pop();
}

function fxch(cpu: Cpu, i: Insn) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  const n = sti(i);
  const empty0 = fpu.isEmpty(0), emptyN = fpu.isEmpty(n);
  if (empty0 || emptyN) {
    if (!stackUnderflow(cpu, env)) return;
    if (empty0) fpu.write(0, DEFAULT_NAN);
    if (emptyN) fpu.write(n, DEFAULT_NAN);
  }
  const a = fpu.read(0), b = fpu.read(n);
  fpu.write(0, b);
  fpu.write(n, a);
  if (!(empty0 || emptyN)) finish(cpu, env);
}

/** FCMOVcc: condition from the low opcode bit and ModRM.reg (B, E, BE, U and negations). */
const FCMOV_CC = [2, 4, 6, 10];
function fcmov(cpu: Cpu, i: Insn) {
  const env = begin(cpu, i);
  const fpu = cpu.fpu;
  const n = sti(i);
  const cc = FCMOV_CC[(i.modrm >> 3) & 3] | (i.opByte & 1);
  if (fpu.isEmpty(0) || fpu.isEmpty(n)) {
    if (stackUnderflow(cpu, env)) fpu.write(0, DEFAULT_NAN);
    return;
  }
  if (cond(cpu, cc)) fpu.write(0, fpu.read(n));
  finish(cpu, env, true);
}

function ffree(cpu: Cpu, i: Insn) {
  begin(cpu, i);
  cpu.fpu.free(sti(i));
  cpu.fpu.sw &= ~SW_C1;
}
function ffreep(cpu: Cpu, i: Insn) {
  begin(cpu, i);
  cpu.fpu.free(sti(i));
  cpu.fpu.pop();
  cpu.fpu.sw &= ~SW_C1;
}
function fincstp(cpu: Cpu, i: Insn) {
  begin(cpu, i);
  cpu.fpu.top = (cpu.fpu.top + 1) & 7;
  setCC(cpu, cpu.fpu.sw & (SW_C0 | SW_C2 | SW_C3));
}
function fdecstp(cpu: Cpu, i: Insn) {
  begin(cpu, i);
  cpu.fpu.top = (cpu.fpu.top - 1) & 7;
  setCC(cpu, cpu.fpu.sw & (SW_C0 | SW_C2 | SW_C3));
}

const UNDEF = { fswUndef: SW_C0 | SW_C2 | SW_C3 };
const ALL_UNDEF = { fswUndef: SW_C0 | SW_C1 | SW_C2 | SW_C3 };
const CONSTANTS = ["fld1", "fldl2t", "fldl2e", "fldpi", "fldlg2", "fldln2", "fldz"];

export const X87_LOAD_FORMS: FormSpec[] = [
  { op: "D9 /0", mnem: "fld", args: "Md", fn: fldM32, attrs: "mem", test: UNDEF },
  { op: "DD /0", mnem: "fld", args: "Mq", fn: fldM64, attrs: "mem", test: UNDEF },
  { op: "DB /5", mnem: "fld", args: "Mt", fn: fldM80, attrs: "mem", test: UNDEF },
  { op: "D9 /0", mnem: "fld", args: "STi", fn: fldSt, attrs: "reg", test: UNDEF },
  { op: "D9 /2", mnem: "fst", args: "Md", fn: fstM32, attrs: "mem", test: UNDEF },
  { op: "D9 /3", mnem: "fstp", args: "Md", fn: fstpM32, attrs: "mem", test: UNDEF },
  { op: "DD /2", mnem: "fst", args: "Mq", fn: fstM64, attrs: "mem", test: UNDEF },
  { op: "DD /3", mnem: "fstp", args: "Mq", fn: fstpM64, attrs: "mem", test: UNDEF },
  { op: "DB /7", mnem: "fstp", args: "Mt", fn: fstpM80, attrs: "mem", test: UNDEF },
  { op: "DD /2", mnem: "fst", args: "STi", fn: fstSt, attrs: "reg", test: UNDEF },
  { op: "DD /3", mnem: "fstp", args: "STi", fn: fstpSt, attrs: "reg", test: UNDEF },
  { op: "D9 /3", mnem: "fstp1", args: "STi", fn: fstp1, attrs: "reg", test: ALL_UNDEF },
  { op: "DF /2", mnem: "fstp8", args: "STi", fn: fstpSt, attrs: "reg", test: UNDEF },
  { op: "DF /3", mnem: "fstp9", args: "STi", fn: fstpSt, attrs: "reg", test: UNDEF },
  { op: "DF /0", mnem: "fild", args: "Mw", fn: fildM16, attrs: "mem", test: UNDEF },
  { op: "DB /0", mnem: "fild", args: "Md", fn: fildM32, attrs: "mem", test: UNDEF },
  { op: "DF /5", mnem: "fild", args: "Mq", fn: fildM64, attrs: "mem", test: UNDEF },
  { op: "DF /2", mnem: "fist", args: "Mw", fn: fistM16, attrs: "mem", test: UNDEF },
  { op: "DB /2", mnem: "fist", args: "Md", fn: fistM32, attrs: "mem", test: UNDEF },
  { op: "DF /3", mnem: "fistp", args: "Mw", fn: fistpM16, attrs: "mem", test: UNDEF },
  { op: "DB /3", mnem: "fistp", args: "Md", fn: fistpM32, attrs: "mem", test: UNDEF },
  { op: "DF /7", mnem: "fistp", args: "Mq", fn: fistpM64, attrs: "mem", test: UNDEF },
  { op: "DF /1", mnem: "fisttp", args: "Mw", fn: fisttpM16, attrs: "mem", test: UNDEF },
  { op: "DB /1", mnem: "fisttp", args: "Md", fn: fisttpM32, attrs: "mem", test: UNDEF },
  { op: "DD /1", mnem: "fisttp", args: "Mq", fn: fisttpM64, attrs: "mem", test: UNDEF },
  { op: "DF /4", mnem: "fbld", args: "Mt", fn: fbld, attrs: "mem", test: UNDEF },
  { op: "DF /6", mnem: "fbstp", args: "Mt", fn: fbstp, attrs: "mem", test: UNDEF },
  ...CONSTANTS.map((mnem, k): FormSpec => ({
    op: `D9 ${(0xe8 + k).toString(16).toUpperCase()}`,
    mnem,
    args: "",
    fn: fldConst,
    test: UNDEF,
  })),
  { op: "D9 /1", mnem: "fxch", args: "STi", fn: fxch, attrs: "reg", test: UNDEF },
  { op: "DD /1", mnem: "fxch4", args: "STi", fn: fxch, attrs: "reg", test: UNDEF },
  { op: "DF /1", mnem: "fxch7", args: "STi", fn: fxch, attrs: "reg", test: UNDEF },
  { op: "DA /0", mnem: "fcmovb", args: "ST,STi", fn: fcmov, attrs: "reg", test: UNDEF },
  { op: "DA /1", mnem: "fcmove", args: "ST,STi", fn: fcmov, attrs: "reg", test: UNDEF },
  { op: "DA /2", mnem: "fcmovbe", args: "ST,STi", fn: fcmov, attrs: "reg", test: UNDEF },
  { op: "DA /3", mnem: "fcmovu", args: "ST,STi", fn: fcmov, attrs: "reg", test: UNDEF },
  { op: "DB /0", mnem: "fcmovnb", args: "ST,STi", fn: fcmov, attrs: "reg", test: UNDEF },
  { op: "DB /1", mnem: "fcmovne", args: "ST,STi", fn: fcmov, attrs: "reg", test: UNDEF },
  { op: "DB /2", mnem: "fcmovnbe", args: "ST,STi", fn: fcmov, attrs: "reg", test: UNDEF },
  { op: "DB /3", mnem: "fcmovnu", args: "ST,STi", fn: fcmov, attrs: "reg", test: UNDEF },
  { op: "DD /0", mnem: "ffree", args: "STi", fn: ffree, attrs: "reg", test: ALL_UNDEF },
  { op: "DF /0", mnem: "ffreep", args: "STi", fn: ffreep, attrs: "reg", test: ALL_UNDEF },
  { op: "D9 F7", mnem: "fincstp", args: "", fn: fincstp, test: UNDEF },
  { op: "D9 F6", mnem: "fdecstp", args: "", fn: fdecstp, test: UNDEF },
];
