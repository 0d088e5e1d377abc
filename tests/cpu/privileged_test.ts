// Ring-0 instructions: they work at CPL 0 and raise #GP(0) at CPL 3.
import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { EXIT_EXCEPTION, RAX, RCX, RDX, RSP } from "../../core/cpu/cpu.ts";
import { VEC_GP, VEC_PF, VEC_UD } from "../../core/cpu/exceptions.ts";
import { getFlags } from "../../core/cpu/flags.ts";

const CODE = 0x400000;
const DATA = 0x600000;

function kernelMachine(code: number[]): TestMachine {
  const m = new TestMachine();
  m.map(CODE, 0x1000);
  m.map(DATA, 0x1000);
  m.map(0x7f0000, 0x1000);
  m.cpu.setRegFromNumber(RSP, 0x7f0800);
  m.writeVirt(CODE, [...code, 0x0f, 0x0b]); // ... ; ud2
  m.cpu.cpl = 0;
  m.cpu.mmu.user = false;
  m.cpu.rip = CODE;
  return m;
}

Deno.test("MOV CR3 and INVLPG flush translations the kernel changed in the page tables", () => {
  // mov rax, [DATA]; invlpg [rbx]; mov rax, [DATA] -> second read sees the remapped frame
  const m = kernelMachine([
    ...[0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00],
    ...[0x0f, 0x01, 0x3b],
    ...[0x48, 0x8b, 0x0c, 0x25, 0x00, 0x00, 0x60, 0x00],
  ]);
  m.cpu.setRegFromNumber(3, DATA);
  m.cpu.write64(DATA, 0x1111, 0);
  const other = m.allocFrame();
  m.mem.dv.setUint32(other, 0x2222, true);
  assert.equal(m.cpu.step(), 0);
  assert.equal(m.cpu.r[RAX * 2], 0x1111);
  // Remap DATA to `other`; the test helper flushes, so put the stale read translation back.
  const oldFrame = m.phys(DATA);
  m.map(DATA, 0x1000, { paddr: other });
  m.cpu.mmu.tlbTag[(DATA / 4096) & 4095] = DATA / 4096;
  m.cpu.mmu.tlbPhys[(DATA / 4096) & 4095] = oldFrame;
  assert.equal(m.cpu.step(), 0); // invlpg [rbx]
  assert.equal(m.cpu.step(), 0);
  assert.equal(m.cpu.r[RCX * 2], 0x2222);
  // mov rax, cr3 ; mov cr3, rax
  const n = kernelMachine([0x0f, 0x20, 0xd8, 0x0f, 0x22, 0xd8]);
  assert.equal(n.cpu.step(), 0);
  assert.equal(n.cpu.regNumber(RAX), n.pml4);
  assert.equal(n.cpu.step(), 0);
});

Deno.test("WRMSR/RDMSR reach FS/GS bases; SWAPGS exchanges them; SYSRET returns to ring 3", () => {
  // wrmsr (FS_BASE) ; rdmsr ; swapgs ; sysret
  const m = kernelMachine([0x0f, 0x30, 0x0f, 0x32, 0x0f, 0x01, 0xf8, 0x48, 0x0f, 0x07]);
  m.cpu.setReg64(RCX, 0xc0000100, 0);
  m.cpu.setReg64(RAX, 0x12345000, 0);
  m.cpu.setReg64(RDX, 0x7f, 0);
  assert.equal(m.cpu.step(), 0);
  assert.equal(m.cpu.fsBase, 0x7f12345000);
  m.cpu.setReg64(RAX, 0, 0);
  assert.equal(m.cpu.step(), 0);
  assert.equal(m.cpu.r[RAX * 2], 0x12345000);
  assert.equal(m.cpu.r[RDX * 2], 0x7f);
  m.cpu.gsBase = 0x1000;
  m.cpu.kernelGsBase = 0x2000;
  assert.equal(m.cpu.step(), 0);
  assert.deepEqual([m.cpu.gsBase, m.cpu.kernelGsBase], [0x2000, 0x1000]);
  m.cpu.setReg64(RCX, CODE + 0x100, 0);
  m.cpu.setReg64(11, 0x8d7, 0);
  assert.equal(m.cpu.step(), 0);
  assert.equal(m.cpu.cpl, 3);
  assert.equal(m.cpu.rip, CODE + 0x100);
  assert.equal(getFlags(m.cpu) & 0xfff, 0x8d7);
});

Deno.test("privileged instructions fault with #GP at CPL 3; an unknown CR or MSR is #UD/#GP", () => {
  for (const code of [[0x0f, 0x22, 0xd8], [0x0f, 0x32], [0x0f, 0x01, 0xf8], [0x0f, 0x09]]) {
    const m = kernelMachine(code);
    m.cpu.cpl = 3;
    m.cpu.mmu.user = true;
    assert.equal(m.run(5), EXIT_EXCEPTION);
    assert.equal(m.cpu.exitException?.vector, VEC_GP, code.join(","));
  }
  const badCr = kernelMachine([0x0f, 0x20, 0xe8]); // mov rax, cr5
  badCr.run(5);
  assert.equal(badCr.cpu.exitException?.vector, VEC_UD);
  const badMsr = kernelMachine([0x0f, 0x32]);
  badMsr.cpu.setReg64(RCX, 0x1234, 0);
  badMsr.run(5);
  assert.equal(badMsr.cpu.exitException?.vector, VEC_GP);
  // A kernel write to a read-only page faults once CR0.WP is set (the default).
  const wp = kernelMachine([0xc6, 0x04, 0x25, 0x00, 0x00, 0x60, 0x00, 0x01]);
  wp.map(DATA, 0x1000, { flags: 1 | 4 });
  wp.run(5);
  assert.equal(wp.cpu.exitException?.vector, VEC_PF);
});
