// Runs a case in the emulator: a TestMachine with the harness's layout (data region and code
// page at the same linear addresses), the case's state loaded into the Cpu, one instruction
// executed (REP forms are stepped until they leave the instruction), and the outcome read back
// in the same shape the native harness reports.

import { EXIT_BUDGET, EXIT_EXCEPTION, EXIT_INTERNAL } from "../../../core/cpu/cpu.ts";
import { CpuException } from "../../../core/cpu/exceptions.ts";
import { getFlags, setFlags } from "../../../core/cpu/flags.ts";
import { TestMachine } from "../../lib/machine.ts";
import { loadFx, storeFx } from "./fxsave.ts";
import { DATA_BASE, DATA_SIZE, GS_BASE, INSN_ADDR, LANDING } from "./layout.ts";
import {
  type CaseInput,
  type CaseResult,
  END_FALLTHROUGH,
  END_LANDING,
  END_SIGNAL,
} from "./protocol.ts";
import { xorshiftFill } from "./rng.ts";

const SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGFPE = 8, SIGSEGV = 11;

/** The signal Linux sends for an exception vector. */
export function signalOf(vector: number): number {
  switch (vector) {
    case 0:
    case 16:
    case 19:
      return SIGFPE;
    case 1:
    case 3:
      return SIGTRAP;
    case 6:
      return SIGILL;
    case 12:
    case 17:
      return SIGBUS;
    default:
      return SIGSEGV;
  }
}

/** A fault as the host reports it: signal, vector, error code and, for #PF, the address. */
function recordFault(result: CaseResult, e: CpuException): void {
  result.end = END_SIGNAL;
  result.trapno = e.vector;
  result.signo = signalOf(e.vector);
  result.err = e.errorCode;
  if (e.vector === 14) {
    result.addrLo = e.address >>> 0;
    result.addrHi = Math.floor(e.address / 4294967296) >>> 0;
  }
}

/** Upper bound on steps for one REP instruction (the data region bounds any real count). */
const MAX_REP_STEPS = 100_000;

export class Emulator {
  readonly machine = new TestMachine(1 << 20);
  private readonly dataPhys: number;
  private readonly codePhys: number;
  private readonly data: Uint8Array;
  private readonly dataWords: Uint32Array;
  private readonly before = new Uint8Array(DATA_SIZE);

  constructor() {
    const m = this.machine;
    this.dataPhys = m.allocFrame();
    m.allocFrame();
    this.codePhys = m.allocFrame();
    m.map(DATA_BASE, DATA_SIZE, { paddr: this.dataPhys, nx: true });
    m.map(INSN_ADDR, 4096, { paddr: this.codePhys });
    this.data = m.mem.u8.subarray(this.dataPhys, this.dataPhys + DATA_SIZE);
    this.dataWords = new Uint32Array(m.mem.u8.buffer, this.dataPhys, DATA_SIZE / 4);
  }

  /** Build the case's data region in guest memory (and return it for inspection). */
  loadData(c: CaseInput): Uint8Array {
    xorshiftFill(this.dataWords, c.dataSeed);
    for (const p of c.patches) this.data.set(p.bytes, p.off);
    return this.data;
  }

  /**
   * The host goes on executing wherever a branch went: a target that cannot be fetched faults
   * there (with the state after the branch), and the int3 filler of the code page traps.
   */
  private fetchAtTarget(result: CaseResult): void {
    const cpu = this.machine.cpu;
    try {
      if (cpu.fetch8(cpu.rip) !== 0xcc) return;
      result.end = END_SIGNAL;
      result.trapno = 3;
      result.signo = signalOf(3);
      result.rip = cpu.rip + 1;
    } catch (e) {
      if (!(e instanceof CpuException)) throw e;
      recordFault(result, e);
    }
  }

  run(c: CaseInput, repeatRep: boolean): CaseResult {
    const cpu = this.machine.cpu;
    const u8 = this.machine.mem.u8;
    this.loadData(c);
    this.before.set(this.data);
    u8.fill(0xcc, this.codePhys, this.codePhys + 0x100);
    u8.set(c.insn, this.codePhys);

    cpu.r.set(c.gpr);
    setFlags(cpu, c.rflags);
    loadFx(cpu, c.fx);
    cpu.rip = INSN_ADDR;
    cpu.fsBase = 0;
    cpu.gsBase = GS_BASE;

    let exit = cpu.step();
    if (repeatRep) {
      for (let n = 0; exit === EXIT_BUDGET && cpu.rip === INSN_ADDR && n < MAX_REP_STEPS; n++) {
        exit = cpu.step();
      }
    }

    const result: CaseResult = {
      end: END_FALLTHROUGH,
      signo: 0,
      trapno: 0,
      err: 0,
      code: 0,
      addrLo: 0,
      addrHi: 0,
      rip: cpu.rip,
      gpr: cpu.r.slice(),
      rflags: getFlags(cpu),
      fx: storeFx(cpu),
      memOff: new Uint16Array(0),
      memVal: new Uint8Array(0),
      dataHash: 0,
    };
    if (exit === EXIT_EXCEPTION && cpu.exitException) recordFault(result, cpu.exitException);
    else if (exit === EXIT_INTERNAL) {
      const err = cpu.exitError;
      result.internalError = err instanceof Error ? (err.stack ?? err.message) : String(err);
    } else if (cpu.rip === LANDING) result.end = END_LANDING;
    else if (cpu.rip !== INSN_ADDR + c.insn.length) this.fetchAtTarget(result);

    let n = 0;
    const data = this.data, before = this.before;
    for (let k = 0; k < DATA_SIZE; k++) if (data[k] !== before[k]) n++;
    if (n) {
      result.memOff = new Uint16Array(n);
      result.memVal = new Uint8Array(n);
      for (let k = 0, j = 0; k < DATA_SIZE; k++) {
        if (data[k] !== before[k]) {
          result.memOff[j] = k;
          result.memVal[j++] = data[k];
        }
      }
    }
    return result;
  }
}
