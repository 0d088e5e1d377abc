// Shared helper of the bits/atomic/string unit tests: runs one instruction in a TestMachine and
// renders the outcome exactly as the native recording harness printed it on the host CPU, so a
// test row is "inputs -> host outputs" and checking it is one string comparison.
//
// Inputs: `code=<hex>` (at 0x20000000), register values (`rax=<hex>` ...; RSP is not settable),
// `fl=<hex>` RFLAGS, `mem=<off>:<hex>` and `fill=<off>,<len>,<byte>` into the data region,
// `dump=<off>,<len>` to print memory afterwards, `umask=<hex>` flags to ignore (undefined ones).
// Outputs: on a fault `SIGNAL 11 addr=<#PF address, 0 for #GP>`, `SIGNAL 7 addr=0` (#SS) or
// `SIGNAL 4` (#UD); then the registers that changed, `fl=` (CF PF AF ZF SF DF OF) and `mem=`.
//
// Data region (offsets above are relative to it): 64 KiB at 0x10000000, then an unmapped page at
// 0x10010000 and a read-only page at 0x10011000 (as in the host harness).

import { TestMachine } from "../lib/machine.ts";
import { EXIT_BUDGET, EXIT_EXCEPTION } from "../../core/cpu/cpu.ts";
import { getFlags, setFlags } from "../../core/cpu/flags.ts";
import { VEC_GP, VEC_PF, VEC_SS, VEC_UD } from "../../core/cpu/exceptions.ts";
import { PTE_P, PTE_U } from "../lib/machine.ts";

export const DATA = 0x10000000;
export const CODE = 0x20000000;
const NAMES = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"].concat(
  Array.from({ length: 8 }, (_, k) => `r${k + 8}`),
);
const FLAG_BITS = 0xcd5;

export class HostRowMachine {
  readonly m = new TestMachine(8 * 1024 * 1024);
  private readonly dataPhys: number[] = [];

  constructor() {
    this.m.map(DATA, 0x10000);
    this.m.map(DATA + 0x11000, 0x1000, { flags: PTE_P | PTE_U });
    this.m.map(CODE, 0x1000);
    for (let p = 0; p < 0x10000; p += 4096) this.dataPhys.push(this.m.phys(DATA + p));
  }

  private phys(off: number): number {
    return this.dataPhys[off >>> 12] + (off & 4095);
  }

  /** Run a row's inputs; returns the outcome in the host harness's output format. */
  run(inputs: string): string {
    const cpu = this.m.cpu;
    const u8 = this.m.mem.u8;
    for (const p of this.dataPhys) u8.fill(0, p, p + 4096);
    const regs = new Array<bigint>(16).fill(0n);
    let flags = 0, umask = 0;
    let dump: [number, number] | null = null;
    for (const token of inputs.trim().split(/\s+/)) {
      const eq = token.indexOf("=");
      const key = token.slice(0, eq), value = token.slice(eq + 1);
      if (key === "code") this.m.writeVirt(CODE, hexBytes(value));
      else if (key === "mem") {
        const [off, hex] = value.split(":");
        hexBytes(hex).forEach((b, k) => u8[this.phys(parseInt(off, 16) + k)] = b);
      } else if (key === "fill") {
        const [off, len, byte] = value.split(",").map((x) => parseInt(x, 16));
        for (let k = 0; k < len; k++) u8[this.phys(off + k)] = byte;
      } else if (key === "dump") {
        const [off, len] = value.split(",").map((x) => parseInt(x, 16));
        dump = [off, len];
      } else if (key === "fl") flags = parseInt(value, 16);
      else if (key === "umask") umask = parseInt(value, 16);
      else if (NAMES.includes(key)) regs[NAMES.indexOf(key)] = BigInt("0x" + value);
      else throw new Error(`bad input token ${token}`);
    }
    cpu.icache.clear();
    for (let r = 0; r < 16; r++) cpu.r64[r] = regs[r];
    setFlags(cpu, 0x202 | (flags & FLAG_BITS));
    cpu.rip = CODE;
    let out = "";
    // A REP instruction restarts itself after each chunk: step until RIP leaves it.
    for (let guard = 0; guard < 1_000_000; guard++) {
      const exit = cpu.step();
      if (exit === EXIT_EXCEPTION) {
        out = signalOf(cpu.exitException!.vector, cpu.exitException!.address) + " ";
        break;
      }
      if (exit !== EXIT_BUDGET) throw cpu.exitError;
      if (cpu.rip !== CODE) break;
    }
    for (let r = 0; r < 16; r++) {
      if (r !== 4 && cpu.r64[r] !== regs[r]) {
        out += `${NAMES[r]}=${cpu.r64[r].toString(16).padStart(16, "0")} `;
      }
    }
    out += `fl=${(getFlags(cpu) & FLAG_BITS & ~umask).toString(16).padStart(3, "0")}`;
    if (dump) {
      const [off, len] = dump;
      out += " mem=";
      for (let k = 0; k < len; k++) out += u8[this.phys(off + k)].toString(16).padStart(2, "0");
    }
    return out;
  }
}

function signalOf(vector: number, address: number): string {
  switch (vector) {
    case VEC_UD:
      return "SIGNAL 4";
    case VEC_GP:
      return "SIGNAL 11 addr=0";
    case VEC_SS:
      return "SIGNAL 7 addr=0";
    case VEC_PF:
      return `SIGNAL 11 addr=${BigInt.asUintN(64, BigInt(address)).toString(16)}`;
    default:
      return `SIGNAL vector ${vector}`;
  }
}

function hexBytes(hex: string): number[] {
  return hex.match(/../g)!.map((h) => parseInt(h, 16));
}

/** Split a row into its inputs and the host's outputs (with undefined flags masked). */
export function parseHostRow(row: string): { inputs: string; expected: string } {
  const [inputs, outputs] = row.split(" -> ");
  const umask = Number.parseInt(/umask=([0-9a-f]+)/.exec(inputs)?.[1] ?? "0", 16);
  const expected = outputs.trim().replace(
    /fl=([0-9a-f]+)/,
    (_, f) => `fl=${(parseInt(f, 16) & ~umask).toString(16).padStart(3, "0")}`,
  );
  return { inputs, expected };
}
