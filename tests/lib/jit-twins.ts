// Compiled-versus-interpreted comparisons for the block compiler's tests: two machines with the
// same code and mappings, one with the JIT on and one off, and one assertion of equal state.

import assert from "node:assert/strict";
import { getFlags } from "../../core/cpu/flags.ts";
import { TestMachine } from "./machine.ts";

/** [compiled, interpreted] machines with `code` at `codeAt` and the given areas mapped. */
export function twinMachines(
  code: number[],
  codeAt: number,
  areas: [address: number, bytes: number][],
): TestMachine[] {
  return [true, false].map((jit) => {
    const m = new TestMachine();
    m.cpu.jit = jit;
    for (const [address, bytes] of areas) m.map(address, bytes);
    m.writeVirt(codeAt, code);
    return m;
  });
}

export interface CompareOptions {
  /** Memory compared, each with the name a mismatch reports. */
  regions: { name: string; address: number; bytes: number }[];
  xmm?: boolean;
  /** Compare the faulting address (CR2) too. */
  faultAddress?: boolean;
}

/** Registers, RIP, RFLAGS, instruction count, exception and memory must agree. */
export function assertSameState(
  a: TestMachine,
  b: TestMachine,
  what: string,
  options: CompareOptions,
): void {
  assert.deepEqual(a.cpu.r, b.cpu.r, `${what}: registers`);
  if (options.xmm) {
    assert.deepEqual(a.cpu.xmm32, b.cpu.xmm32, `${what}: xmm`);
    assert.equal(a.cpu.mxcsr, b.cpu.mxcsr, `${what}: mxcsr`);
  }
  assert.equal(a.cpu.rip, b.cpu.rip, `${what}: rip`);
  assert.equal(getFlags(a.cpu), getFlags(b.cpu), `${what}: rflags`);
  assert.equal(a.cpu.instructions, b.cpu.instructions, `${what}: instruction count`);
  assert.equal(a.cpu.exitException?.vector, b.cpu.exitException?.vector, `${what}: exception`);
  if (options.faultAddress) {
    assert.equal(a.cpu.exitException?.address, b.cpu.exitException?.address, `${what}: CR2`);
  }
  for (const r of options.regions) {
    assert.deepEqual(
      a.readVirt(r.address, r.bytes),
      b.readVirt(r.address, r.bytes),
      `${what}: ${r.name}`,
    );
  }
}
