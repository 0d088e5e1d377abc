// x87 control instructions: FNINIT, FNCLEX, FNSTSW (m16 and AX), FNSTCW/FLDCW, FNSTENV/FLDENV,
// FNSAVE/FRSTOR (32-bit layouts; 16-bit with a 66 prefix), FWAIT, FNOP and the 8087/287
// leftovers that execute as no-ops (FNENI, FNDISI, FNSETPM). The FN forms never wait; FWAIT,
// FLDCW, FLDENV and FRSTOR raise #MF first when an unmasked exception is pending.

import type { Cpu } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import {
  envSize,
  loadEnv,
  loadSave,
  saveSize,
  storeEnv,
  storeSave,
  SW_B,
  SW_CC,
  SW_ES,
  SW_SF,
} from "../../fpu/x87-state.ts";
import { FE_ALL } from "../../fpu/float80.ts";
import { begin, checkPending, readBytes, writeBytes } from "./x87-common.ts";

function fninit(cpu: Cpu) {
  cpu.fpu.init();
}
function fnclex(cpu: Cpu) {
  cpu.fpu.sw &= ~(FE_ALL | SW_SF | SW_ES | SW_B);
}
function fwait(cpu: Cpu) {
  checkPending(cpu);
}
function fnop(cpu: Cpu, i: Insn) {
  begin(cpu, i);
}
/** The 8087/287 mode instructions: nothing at all (not even the pointers change). */
function nop() {}
function fnstswM(cpu: Cpu, i: Insn) {
  cpu.write16(cpu.ea(i), cpu.fpu.statusWord);
}
function fnstswAX(cpu: Cpu) {
  cpu.setReg16(0, cpu.fpu.statusWord);
}
function fnstcw(cpu: Cpu, i: Insn) {
  cpu.write16(cpu.ea(i), cpu.fpu.cw);
}
function fldcw(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  cpu.fpu.setControlWord(cpu.read16(cpu.ea(i)));
}

/** 16-bit layouts with a 66 prefix (the form has attrs "v", so opsize tells). */
const size16 = (i: Insn) => i.opsize === 2;
/** The images are touched first by their leading word/dword, then at their last byte. */
const head = (i: Insn) => size16(i) ? 2 : 4;

function fnstenv(cpu: Cpu, i: Insn) {
  const a = cpu.ea(i);
  const out = new Uint8Array(envSize(size16(i)));
  storeEnv(cpu.fpu, out, 0, size16(i));
  writeBytes(cpu, a, out, head(i));
  // FNSTENV then masks every exception.
  cpu.fpu.cw |= FE_ALL;
  cpu.fpu.updateSummary();
}
function fldenv(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  loadEnv(cpu.fpu, readBytes(cpu, a, envSize(size16(i)), head(i)), 0, size16(i));
}
function fnsave(cpu: Cpu, i: Insn) {
  const a = cpu.ea(i);
  const out = new Uint8Array(saveSize(size16(i)));
  storeSave(cpu.fpu, out, 0, size16(i));
  writeBytes(cpu, a, out, head(i));
  cpu.fpu.init();
}
function frstor(cpu: Cpu, i: Insn) {
  checkPending(cpu);
  const a = cpu.ea(i);
  loadSave(cpu.fpu, readBytes(cpu, a, saveSize(size16(i)), head(i)), 0, size16(i));
}

/** Intel leaves C0-C3 undefined after these (the host keeps them). */
const CC_UNDEF = { fswUndef: SW_CC };

export const X87_CONTROL_FORMS: FormSpec[] = [
  { op: "DB E3", mnem: "fninit", args: "", fn: fninit },
  { op: "DB E2", mnem: "fnclex", args: "", fn: fnclex, test: CC_UNDEF },
  { op: "DB E0", mnem: "fneni", args: "", fn: nop },
  { op: "DB E1", mnem: "fndisi", args: "", fn: nop },
  { op: "DB E4", mnem: "fnsetpm", args: "", fn: nop },
  { op: "9B", mnem: "fwait", args: "", fn: fwait, test: CC_UNDEF },
  { op: "D9 D0", mnem: "fnop", args: "", fn: fnop, test: CC_UNDEF },
  { op: "DD /7", mnem: "fnstsw", args: "Mw", fn: fnstswM, attrs: "mem", test: CC_UNDEF },
  { op: "DF E0", mnem: "fnstsw", args: "AX", fn: fnstswAX, test: CC_UNDEF },
  { op: "D9 /7", mnem: "fnstcw", args: "Mw", fn: fnstcw, attrs: "mem", test: CC_UNDEF },
  { op: "D9 /5", mnem: "fldcw", args: "Mw", fn: fldcw, attrs: "mem", test: CC_UNDEF },
  { op: "D9 /6", mnem: "fnstenv", args: "M", fn: fnstenv, attrs: "mem v", test: CC_UNDEF },
  { op: "D9 /4", mnem: "fldenv", args: "M", fn: fldenv, attrs: "mem v" },
  { op: "DD /6", mnem: "fnsave", args: "M", fn: fnsave, attrs: "mem v" },
  { op: "DD /4", mnem: "frstor", args: "M", fn: frstor, attrs: "mem v" },
];
