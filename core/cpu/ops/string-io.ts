// INS and OUTS (port string I/O, with REP): #GP at CPL 3 as Linux runs user code (IOPL 0, no
// I/O bitmap); in the kernel they move data between ES:rDI / DS:rSI (FS/GS override allowed)
// and the port in DX through the bus. Re-exported by string.ts.

import type { Cpu } from "../cpu.ts";
import { RDI, RDX, RSI } from "../cpu.ts";
import type { FormSpec, Insn } from "../insn.ts";
import { VEC_GP } from "../exceptions.ts";
import {
  commit,
  elementAddress,
  REP_CHUNK,
  repBudget,
  restartIfCounting,
  sourceBase,
  startAddress,
  stepOf,
} from "./string-common.ts";

/** Element size: byte forms, else 2 with a 66 prefix and 4 otherwise (REX.W does not widen). */
function ioSize(i: Insn): 1 | 2 | 4 {
  return (i.opByte & 1) === 0 ? 1 : i.opsize === 2 ? 2 : 4;
}

function portIn(cpu: Cpu, port: number, size: 1 | 2 | 4): number {
  if (cpu.bus) return cpu.bus.portRead(port, size);
  return size === 4 ? 0xffffffff : (1 << (size * 8)) - 1;
}

/** INS: port DX -> ES:[rDI]. The destination is checked before the port is read. */
function ins(cpu: Cpu, i: Insn) {
  if (cpu.cpl !== 0) cpu.raise(VEC_GP, 0);
  const s = ioSize(i);
  const step = stepOf(cpu, s);
  const port = cpu.r16[RDX * 4];
  const start = startAddress(cpu, i, RDI, 0), offset = cpu.r[RDI * 2];
  const count = i.rep ? repBudget(cpu, i, REP_CHUNK) : 1;
  let done = 0;
  try {
    for (; done < count; done++) {
      const a = elementAddress(i, start, offset, 0, done * step);
      cpu.probeWrite(a, s);
      cpu.writeMem(a, s, portIn(cpu, port, s));
    }
  } finally {
    commit(cpu, i, done, step, false, true);
  }
  if (i.rep) restartIfCounting(cpu, i);
}

/** OUTS: DS:[rSI] (or an FS/GS override) -> port DX. */
function outs(cpu: Cpu, i: Insn) {
  if (cpu.cpl !== 0) cpu.raise(VEC_GP, 0);
  const s = ioSize(i);
  const step = stepOf(cpu, s);
  const port = cpu.r16[RDX * 4];
  const base = sourceBase(cpu, i);
  const start = startAddress(cpu, i, RSI, base), offset = cpu.r[RSI * 2];
  const count = i.rep ? repBudget(cpu, i, REP_CHUNK) : 1;
  let done = 0;
  try {
    for (; done < count; done++) {
      const v = cpu.readMem(elementAddress(i, start, offset, base, done * step), s);
      cpu.bus?.portWrite(port, s, v);
    }
  } finally {
    commit(cpu, i, done, step, true, false);
  }
  if (i.rep) restartIfCounting(cpu, i);
}

export const STRING_IO_FORMS: FormSpec[] = [
  { op: "6C", mnem: "ins", args: "Yb,DX", fn: ins, attrs: "rep" },
  { op: "6D", mnem: "ins", args: "Yz,DX", fn: ins, attrs: "rep v" },
  { op: "6E", mnem: "outs", args: "DX,Xb", fn: outs, attrs: "rep" },
  { op: "6F", mnem: "outs", args: "DX,Xz", fn: outs, attrs: "rep v" },
];
