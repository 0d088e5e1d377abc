// Shared helper of the arithmetic family tests (alu, shift, muldiv): runs one instruction in a
// TestMachine from a register/flag state and parses the compact host-derived vector rows
// "bytes: inputs... -> outputs..." (hex numbers; "#DE" as the outputs of a divide error).

import { TestMachine } from "../lib/machine.ts";
import { EXIT_BUDGET, EXIT_EXCEPTION } from "../../core/cpu/cpu.ts";
import { getFlags, setFlags } from "../../core/cpu/flags.ts";

export const CODE = 0x400000;
export const DATA = 0x600000;

export type RegName = "rax" | "rcx" | "rdx" | "rbx" | "rsi" | "rdi";
const REG_NUMBERS: Record<RegName, number> = { rax: 0, rcx: 1, rdx: 2, rbx: 3, rsi: 6, rdi: 7 };

export interface Outcome {
  regs: Record<RegName, bigint>;
  /** The six status flags (CF PF AF ZF SF OF). */
  flags: number;
  /** Exception vector, or -1. */
  vector: number;
}

export class ArithMachine {
  readonly m = new TestMachine(4 * 1024 * 1024);
  constructor() {
    this.m.map(CODE, 0x1000);
    this.m.map(DATA, 0x2000);
  }

  /** Run `code` once from the given registers (others zero) and status flags. */
  run(code: number[], regs: Partial<Record<RegName, bigint>>, flags: number): Outcome {
    const cpu = this.m.cpu;
    cpu.r64.fill(0n);
    for (const [name, v] of Object.entries(regs)) {
      cpu.r64[REG_NUMBERS[name as RegName]] = BigInt.asUintN(64, v);
    }
    setFlags(cpu, 0x202 | (flags & 0x8d5));
    this.m.writeVirt(CODE, code);
    cpu.rip = CODE;
    const exit = cpu.step();
    if (exit !== EXIT_BUDGET && exit !== EXIT_EXCEPTION) throw cpu.exitError;
    const out = {} as Record<RegName, bigint>;
    for (const name of Object.keys(REG_NUMBERS) as RegName[]) {
      out[name] = cpu.r64[REG_NUMBERS[name]];
    }
    return {
      regs: out,
      flags: getFlags(cpu) & 0x8d5,
      vector: exit === EXIT_EXCEPTION ? cpu.exitException!.vector : -1,
    };
  }

  writeQword(addr: number, v: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
    this.m.writeVirt(addr, b);
  }
  readQword(addr: number): bigint {
    return new DataView(this.m.readVirt(addr, 8).buffer).getBigUint64(0, true);
  }
}

export interface Row {
  text: string;
  code: number[];
  inputs: bigint[];
  /** null for a divide error. */
  outputs: bigint[] | null;
}

export function parseRow(text: string): Row {
  const [head, rest] = text.split(":");
  const [ins, outs] = rest.split("->");
  const nums = (s: string) => s.trim().split(/\s+/).map((x) => BigInt("0x" + x));
  return {
    text,
    code: head.trim().split(/\s+/).map((b) => parseInt(b, 16)),
    inputs: nums(ins),
    outputs: outs.trim() === "#DE" ? null : nums(outs),
  };
}

export function hex(v: bigint | number): string {
  return "0x" + v.toString(16);
}
