// Control flow, stack and system instructions executed on the CPU.
import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { EXIT_EXCEPTION, EXIT_SYSCALL, RAX, RBX, RCX, RDX, RSI, RSP } from "../../core/cpu/cpu.ts";
import { VEC_BP, VEC_GP, VEC_SS, VEC_UD } from "../../core/cpu/exceptions.ts";
import { getFlags, setFlags } from "../../core/cpu/flags.ts";

const CODE = 0x400000;
const STACK_TOP = 0x7ff000;

function machine(code: number[]): TestMachine {
  const m = new TestMachine();
  m.map(CODE, 0x2000);
  m.map(STACK_TOP - 0x2000, 0x2000);
  m.writeVirt(CODE, code);
  m.cpu.rip = CODE;
  m.cpu.setRegFromNumber(RSP, STACK_TOP);
  return m;
}

Deno.test("call/ret, push/pop and loop run a counted loop and end at syscall", () => {
  // Call F five times via LOOP; F copies RCX to RAX through the stack.
  const m = machine([
    0xb9,
    5,
    0,
    0,
    0, //        mov ecx, 5
    0xe8,
    7,
    0,
    0,
    0, // L:     call F (+7)
    0xe2,
    0xf9, //              loop L
    0x0f,
    0x05, //              syscall
    0x90,
    0x90,
    0x90, //        padding
    0x51, //               F:   push rcx
    0x5a, //                    pop rdx
    0x48,
    0x89,
    0xd0, //        mov rax, rdx
    0xc3, //                    ret
  ]);
  const r = m.run(1000);
  assert.equal(r, EXIT_SYSCALL);
  assert.equal(m.cpu.r64[RCX], BigInt(CODE + 14)); // syscall puts the return RIP in RCX
  assert.equal(m.cpu.r64[RAX], 1n); // last call saw RCX == 1
  assert.equal(m.cpu.regNumber(RSP), STACK_TOP);
  assert.equal(m.cpu.rip, CODE + 14);
});

Deno.test("jcc follows lazily computed flags; setcc and cmov agree", () => {
  const m = machine([0x0f, 0x94, 0xc0, 0x74, 0x02, 0x0f, 0x0b, 0x0f, 0x05]);
  // sete al; je +2 (over ud2); ud2; syscall
  setFlags(m.cpu, 0x40 | 2); // ZF
  assert.equal(m.run(10), EXIT_SYSCALL);
  assert.equal(m.cpu.r8[0], 1);
  const n = machine([0x0f, 0x94, 0xc0, 0x74, 0x02, 0x0f, 0x0b, 0x0f, 0x05]);
  setFlags(n.cpu, 2);
  assert.equal(n.run(10), EXIT_EXCEPTION);
  assert.equal(n.cpu.exitException?.vector, VEC_UD);
  assert.equal(n.cpu.rip, CODE + 5); // RIP rewound to the faulting ud2
});

Deno.test("ret to a non-canonical address raises #GP without popping", () => {
  const m = machine([0xc3]);
  m.cpu.write64(STACK_TOP - 8, 0, 0x00800000);
  m.cpu.setRegFromNumber(RSP, STACK_TOP - 8);
  assert.equal(m.run(5), EXIT_EXCEPTION);
  assert.equal(m.cpu.exitException?.vector, VEC_GP);
  assert.equal(m.cpu.regNumber(RSP), STACK_TOP - 8);
  assert.equal(m.cpu.rip, CODE);
});

Deno.test("push through a non-canonical RSP is #SS; int3 is #BP; hlt in user mode is #GP", () => {
  const m = machine([0x50]);
  m.cpu.setReg64(RSP, 0, 0x80000000);
  assert.equal(m.run(5), EXIT_EXCEPTION);
  assert.equal(m.cpu.exitException?.vector, VEC_SS);
  const b = machine([0xcc]);
  b.run(5);
  assert.equal(b.cpu.exitException?.vector, VEC_BP);
  const h = machine([0xf4]);
  h.run(5);
  assert.equal(h.cpu.exitException?.vector, VEC_GP);
});

Deno.test("enter/leave build and tear down nested frames like hardware", () => {
  // enter 0x20, 2 ; leave ; syscall   with rbp pointing at a fake outer frame
  const m = machine([0xc8, 0x20, 0x00, 0x02, 0xc9, 0x0f, 0x05]);
  const rbp = STACK_TOP - 0x100;
  m.cpu.setRegFromNumber(5, rbp);
  m.cpu.write64(rbp - 8, 0x1234, 0); // outer frame's saved display entry
  m.cpu.setRegFromNumber(RSP, STACK_TOP - 0x40);
  // Single-step ENTER to inspect the frame.
  assert.equal(m.cpu.step(), 0);
  const frame = STACK_TOP - 0x48;
  assert.equal(m.cpu.regNumber(5), frame);
  assert.equal(m.cpu.read64(frame), rbp); // saved RBP
  assert.equal(m.cpu.read64(frame - 8), 0x1234); // copied display entry
  assert.equal(m.cpu.read64(frame - 16), frame); // this frame's pointer
  assert.equal(m.cpu.regNumber(RSP), frame - 16 - 0x20);
  assert.equal(m.run(10), EXIT_SYSCALL);
  assert.equal(m.cpu.regNumber(RSP), STACK_TOP - 0x40);
  assert.equal(m.cpu.regNumber(5), rbp);
});

Deno.test("pushf/popf keep IF and let user code change DF and status flags", () => {
  // pushf; pop rax; push 0xcd5; popf; syscall
  const m = machine([0x9c, 0x58, 0x68, 0xd5, 0x0c, 0x00, 0x00, 0x9d, 0x0f, 0x05]);
  setFlags(m.cpu, 0x202 | 0x1);
  assert.equal(m.run(10), EXIT_SYSCALL);
  assert.equal(m.cpu.r[RAX * 2], 0x203);
  assert.equal(getFlags(m.cpu), 0x200 | 0xcd5 | 2);
  assert.equal(m.cpu.r[RDX * 2], 0);
});

Deno.test("cpuid reports the honest vendor and x86-64-v2 features, no AVX", () => {
  const m = machine([0x0f, 0xa2, 0x0f, 0x0b]);
  m.cpu.setReg64(RAX, 1, 0);
  m.run(5);
  const ecx = m.cpu.r[RCX * 2];
  for (const bit of [0, 9, 13, 19, 20, 23]) assert.equal((ecx >>> bit) & 1, 1, `ECX bit ${bit}`);
  assert.equal((ecx >>> 28) & 1, 0, "AVX must not be reported");
  assert.equal((ecx >>> 27) & 1, 0, "OSXSAVE must not be reported");
});

Deno.test("rdtsc counts up; rdrand sets CF and returns fresh values", () => {
  // rdtsc; mov rbx, rax; mov rsi, rdx; rdtsc; rdrand rcx; rdrand r8; ud2
  const m = machine([
    0x0f,
    0x31,
    0x48,
    0x89,
    0xc3,
    0x48,
    0x89,
    0xd6,
    0x0f,
    0x31,
    0x48,
    0x0f,
    0xc7,
    0xf1,
    0x49,
    0x0f,
    0xc7,
    0xf0,
    0x0f,
    0x0b,
  ]);
  setFlags(m.cpu, 2);
  assert.equal(m.run(20), EXIT_EXCEPTION);
  const first = m.cpu.r64[RBX] | (m.cpu.r64[RSI] << 32n);
  const second = m.cpu.r64[RAX] | (m.cpu.r64[RDX] << 32n);
  assert.ok(second > first, `${second} > ${first}`);
  assert.equal(getFlags(m.cpu) & 1, 1, "CF set by rdrand");
  assert.notEqual(m.cpu.r64[RCX], m.cpu.r64[8]);
});

Deno.test("int 0x80 reaches the kernel, other INT n are #GP(n*8+2), int1 is #DB; rdtscp/rdseed", () => {
  const i80 = machine([0xcd, 0x80]);
  i80.run(5);
  assert.equal(i80.cpu.exitException?.vector, 0x80);
  const i21 = machine([0xcd, 0x21]);
  i21.run(5);
  assert.equal(i21.cpu.exitException?.vector, VEC_GP);
  assert.equal(i21.cpu.exitException?.errorCode, 0x21 * 8 + 2);
  const i1 = machine([0xf1]);
  i1.run(5);
  assert.equal(i1.cpu.exitException?.vector, 1);
  // rdtscp; rdseed eax; ud2
  const t = machine([0x0f, 0x01, 0xf9, 0x0f, 0xc7, 0xf8, 0x0f, 0x0b]);
  t.cpu.setReg64(RCX, 0xffffffff, 0xffffffff);
  setFlags(t.cpu, 2);
  t.run(5);
  assert.equal(t.cpu.r64[RCX], 0n); // IA32_TSC_AUX of processor 0, upper half zeroed
  assert.equal(getFlags(t.cpu) & 1, 1);
});
