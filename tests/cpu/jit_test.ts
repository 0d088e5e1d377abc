// The block compiler must be invisible: same results, same fault positions, same instruction
// counts, and compiled code must be dropped when its bytes are overwritten.
import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { EXIT_EXCEPTION, EXIT_SYSCALL, RAX, RBX, RCX, RSP } from "../../core/cpu/cpu.ts";
import { JIT_THRESHOLD } from "../../core/cpu/jit.ts";

const CODE = 0x400000;
const DATA = 0x600000;

function loopMachine(jit: boolean, iterations: number) {
  const m = new TestMachine();
  m.cpu.jit = jit;
  m.map(CODE, 0x1000);
  m.map(DATA, 0x1000);
  m.map(0x7f0000, 0x1000);
  m.cpu.setRegFromNumber(RSP, 0x7f0800);
  // A loop that sums RCX into RAX and stores each partial sum into a ring in DATA.
  // deno-fmt-ignore
  m.writeVirt(CODE, [
    0xb9, iterations & 0xff, (iterations >> 8) & 0xff, 0, 0, // mov ecx, N
    0x48, 0x01, 0xc8, //                L: add rax, rcx
    0x48, 0x89, 0x03, //                   mov [rbx], rax
    0x48, 0x83, 0xc3, 0x08, //             add rbx, 8
    0x48, 0x81, 0xe3, 0xff, 0x0f, 0x60, 0x00, // and rbx, 0x600fff
    0xe2, 0xed, //                         loop L
    0x0f, 0x05, //                         syscall
  ]);
  m.cpu.setRegFromNumber(RBX, DATA);
  m.cpu.rip = CODE;
  return m;
}

Deno.test("compiled blocks compute exactly what the interpreter computes", () => {
  const a = loopMachine(true, 1000);
  const b = loopMachine(false, 1000);
  assert.equal(a.run(), EXIT_SYSCALL);
  assert.equal(b.run(), EXIT_SYSCALL);
  assert.deepEqual(a.cpu.r, b.cpu.r);
  assert.equal(a.cpu.instructions, b.cpu.instructions);
  assert.deepEqual(a.readVirt(DATA, 4096), b.readVirt(DATA, 4096));
  assert.equal(a.cpu.r64[RAX], 500500n);
});

Deno.test("a fault inside a compiled block rewinds RIP and counts only retired instructions", () => {
  const m = loopMachine(true, 200);
  // Let the loop get hot, then make the store fault: unmap DATA by pointing RBX at a hole.
  assert.equal(m.run(JIT_THRESHOLD * 5 + 3), 0);
  const before = m.cpu.instructions;
  m.cpu.setRegFromNumber(RBX, 0x900000); // unmapped
  const r = m.run(1000);
  assert.equal(r, EXIT_EXCEPTION);
  assert.equal(m.cpu.exitException?.vector, 14);
  assert.equal(m.cpu.rip, CODE + 8); // the mov [rbx], rax
  const executed = m.cpu.instructions - before;
  // Resumed at some instruction of the loop body and stopped before the store.
  assert.ok(executed >= 0 && executed <= 4, `executed ${executed}`);
  assert.equal(m.cpu.exitException?.address, 0x900000);
  assert.ok(m.cpu.r[RCX * 2] > 0);
});

Deno.test("overwriting a compiled block's code discards the compiled function", () => {
  const m = loopMachine(true, 100);
  assert.equal(m.run(), EXIT_SYSCALL);
  // Patch "add rax, rcx" into "sub rax, rcx" and run again from the start.
  m.writeVirt(CODE + 5, [0x48, 0x29, 0xc8]);
  m.cpu.setReg64(RAX, 0, 0);
  m.cpu.rip = CODE;
  assert.equal(m.run(), EXIT_SYSCALL);
  assert.equal(m.cpu.r64[RAX], BigInt.asUintN(64, -5050n));
});
