// Self-modifying code: every way code bytes can change after the CPU decoded and cached them
// (stores into the running block, into a later block, kernel writes, writes through an alias
// mapping, page-straddling writes, remapped code pages, string stores) must execute the new code.

import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { EXIT_EXCEPTION, RAX, RBX, RCX, RDI, RSI } from "../../core/cpu/cpu.ts";
import { VEC_PF, VEC_UD } from "../../core/cpu/exceptions.ts";

const CODE = 0x40_0000;
const WRITER = 0x50_0000;
const DATA = 0x60_0000;
const UD2 = [0x0f, 0x0b];
const movEax = (v: number) => [0xb8, v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

/** Run from `rip` until the ud2 that ends every snippet; returns EAX. */
function runTo(m: TestMachine, rip: number): number {
  m.cpu.rip = rip;
  assert.equal(m.run(), EXIT_EXCEPTION);
  const e = m.cpu.exitException!;
  assert.equal(e.vector, VEC_UD, `vector ${e.vector} at ${m.cpu.rip.toString(16)}`);
  return m.cpu.getReg32(RAX);
}

function machine() {
  const m = new TestMachine();
  m.map(CODE, 0x2000);
  m.map(WRITER, 0x1000);
  return m;
}

Deno.test("a store into the next instruction of the running block executes the new bytes", () => {
  const m = machine();
  // mov byte [rip+1], 2 (the immediate of the next instruction) ; mov eax, 1 ; ud2
  m.writeVirt(CODE, [0xc6, 0x05, 1, 0, 0, 0, 2, ...movEax(1), ...UD2]);
  assert.equal(runTo(m, CODE), 2);
  assert.equal(m.cpu.rip, CODE + 12);
});

Deno.test("a store that changes the next opcode (and its length) takes effect", () => {
  const m = machine();
  // mov byte [rip+0], 0xb9 rewrites the opcode of the next "mov eax, 7" into "mov ecx, 7".
  m.writeVirt(CODE, [0xc6, 0x05, 0, 0, 0, 0, 0xb9, ...movEax(7), ...UD2]);
  m.cpu.setReg32(RCX, 0);
  assert.equal(runTo(m, CODE), 0, "eax untouched");
  assert.equal(m.cpu.getReg32(RCX), 7);
});

Deno.test("code patches a later, already cached block and jumps to it", () => {
  const m = machine();
  const later = CODE + 0x40;
  m.writeVirt(later, [...movEax(1), ...UD2]);
  assert.equal(runTo(m, later), 1);
  assert.ok(m.cpu.icache.lookup(m.phys(later)), "later block is cached");
  // mov byte [rip+0x3a], 5 (-> later+1) ; jmp later
  m.writeVirt(CODE, [0xc6, 0x05, 0x3a, 0, 0, 0, 5, 0xeb, 0x37]);
  assert.equal(runTo(m, CODE), 5);
});

Deno.test("code patches the cached block on the next page and falls through into it", () => {
  const m = machine();
  const next = CODE + 0x1000;
  m.writeVirt(next, [...movEax(1), ...UD2]);
  assert.equal(runTo(m, next), 1);
  // The 7-byte store ends exactly at the page boundary: mov byte [rip+1], 6
  m.writeVirt(next - 7, [0xc6, 0x05, 1, 0, 0, 0, 6]);
  assert.equal(runTo(m, next - 7), 6);
});

Deno.test("a loop body rewritten by itself runs the new code on the next iteration", () => {
  const m = machine();
  // top: mov eax, 1 ; mov byte [rip-11], 9 (the imm of "mov eax") ; dec ecx ; jnz top ; ud2
  m.writeVirt(CODE, [...movEax(1), 0xc6, 0x05, 0xf5, 0xff, 0xff, 0xff, 9, 0xff, 0xc9, 0x75, 0xf0]);
  m.writeVirt(CODE + 16, UD2);
  m.cpu.setReg32(RCX, 1);
  assert.equal(runTo(m, CODE), 1, "one pass: the patch lands after mov eax ran");
  m.writeVirt(CODE, movEax(1));
  m.cpu.setReg32(RCX, 2);
  assert.equal(runTo(m, CODE), 9, "second pass runs the patched instruction");
});

Deno.test("the kernel rewrites cached code with PhysicalMemory.writeBytes", () => {
  const m = machine();
  m.writeVirt(CODE, [...movEax(1), ...UD2]);
  assert.equal(runTo(m, CODE), 1);
  const phys = m.phys(CODE);
  assert.ok(m.cpu.icache.lookup(phys));
  m.mem.writeBytes(phys + 1, new Uint8Array([0x44]));
  assert.equal(m.cpu.icache.lookup(phys), undefined, "block dropped");
  assert.equal(runTo(m, CODE), 0x44);
  m.mem.fill(phys + 1, 1, 0x55);
  assert.equal(runTo(m, CODE), 0x55);
});

Deno.test("write through one alias, execute through the other", () => {
  const m = machine();
  const alias = 0x70_0000;
  const frame = m.phys(CODE);
  m.map(alias, 0x1000, { paddr: frame });
  m.writeVirt(CODE, [...movEax(1), ...UD2]);
  assert.equal(runTo(m, CODE), 1);
  // From another page: mov byte [rbx], 7 with rbx = alias + 1 ; ud2
  m.writeVirt(WRITER, [0xc6, 0x03, 7, ...UD2]);
  m.cpu.setRegFromNumber(RBX, alias + 1);
  runTo(m, WRITER);
  assert.equal(runTo(m, CODE), 7);
});

Deno.test("a block patches its own next instruction through an alias mapping", () => {
  const m = machine();
  const alias = 0x70_0000;
  m.map(alias, 0x1000, { paddr: m.phys(CODE) });
  // mov byte [rbx], 9 (rbx = alias + 4: the imm of the next instruction) ; mov eax, 1 ; ud2
  m.writeVirt(CODE, [0xc6, 0x03, 9, ...movEax(1), ...UD2]);
  m.cpu.setRegFromNumber(RBX, alias + 4);
  assert.equal(runTo(m, CODE), 9);
});

Deno.test("the same code executed at two linear addresses keeps RIP-relative data right", () => {
  const m = machine();
  const alias = 0x70_0000;
  m.map(alias, 0x1000, { paddr: m.phys(CODE) });
  // lea rax, [rip+0] ; ud2 — EAX is the linear address after the lea
  m.writeVirt(CODE, [0x48, 0x8d, 0x05, 0, 0, 0, 0, ...UD2]);
  assert.equal(runTo(m, CODE), CODE + 7);
  assert.equal(runTo(m, alias), alias + 7);
  assert.equal(runTo(m, CODE), CODE + 7);
});

Deno.test("a dword store straddling into a cached code page patches its first bytes", () => {
  const m = machine();
  const second = CODE + 0x1000;
  m.writeVirt(second, [...movEax(1), ...UD2]);
  assert.equal(runTo(m, second), 1);
  // mov dword [rbx], 0x05b89090 with rbx = second - 2 ; ud2
  m.writeVirt(WRITER, [0xc7, 0x03, 0x90, 0x90, 0xb8, 0x05, ...UD2]);
  m.cpu.setRegFromNumber(RBX, second - 2);
  runTo(m, WRITER);
  assert.equal(runTo(m, second), 5);
});

Deno.test("a qword store straddling out of a cached code page patches its last bytes", () => {
  const m = machine();
  const start = CODE + 0xff9;
  m.writeVirt(start, [...movEax(1), ...UD2]); // ends exactly at the page boundary
  assert.equal(runTo(m, start), 1);
  // mov rax, 0xaaaa0b0f00000007 ; mov [rbx], rax (rbx = start + 1) ; ud2
  m.writeVirt(WRITER, [
    0x48,
    0xb8,
    7,
    0,
    0,
    0,
    0x0f,
    0x0b,
    0xaa,
    0xaa,
    0x48,
    0x89,
    0x03,
    ...UD2,
  ]);
  m.cpu.setRegFromNumber(RBX, start + 1);
  runTo(m, WRITER);
  assert.equal(runTo(m, start), 7);
  assert.deepEqual([...m.readVirt(CODE + 0x1000, 2)], [0xaa, 0xaa]);
});

Deno.test("a write to the second page of a page-straddling instruction drops its block", () => {
  const m = machine();
  const start = CODE + 0xffd;
  m.writeVirt(start, [...movEax(0x04030201), ...UD2]); // imm bytes 03 04 on the next page
  assert.equal(runTo(m, start), 0x04030201);
  m.writeVirt(WRITER, [0xc6, 0x03, 0x33, ...UD2]); // mov byte [rbx], 0x33
  m.cpu.setRegFromNumber(RBX, CODE + 0x1000);
  runTo(m, WRITER);
  assert.equal(runTo(m, start), 0x04330201);
  m.mem.writeBytes(m.phys(CODE + 0x1001), new Uint8Array([0x44]));
  assert.equal(runTo(m, start), 0x44330201);
});

Deno.test("remapping a code page to another frame runs the new frame after a TLB flush", () => {
  const m = machine();
  m.writeVirt(CODE, [...movEax(1), ...UD2]);
  assert.equal(runTo(m, CODE), 1);
  const other = m.map(DATA, 0x1000);
  m.writeVirt(DATA, [...movEax(2), ...UD2]);
  m.map(CODE, 0x1000, { paddr: other }); // TestMachine.map flushes the TLB
  assert.equal(runTo(m, CODE), 2);
});

Deno.test("remapping only the tail page of a straddling instruction is noticed", () => {
  const m = machine();
  const start = CODE + 0xffd;
  m.writeVirt(start, [...movEax(0x04030201), ...UD2]);
  assert.equal(runTo(m, start), 0x04030201);
  const other = m.map(DATA, 0x1000);
  m.writeVirt(DATA, [0x13, 0x14, ...UD2]);
  m.map(CODE + 0x1000, 0x1000, { paddr: other });
  assert.equal(runTo(m, start), 0x14130201);
});

Deno.test("a straddling block whose tail page is unmapped later faults at that instruction", () => {
  const m = machine();
  const start = CODE + 0xff8;
  // mov ecx, 3 ; mov eax, 0x04030201 (imm bytes 03 04 on the next page) ; ud2
  m.writeVirt(start, [0xb9, 3, 0, 0, 0, ...movEax(0x04030201), ...UD2]);
  assert.equal(runTo(m, start), 0x04030201);
  m.map(CODE + 0x1000, 0x1000, { flags: 0 }); // not present
  m.cpu.setReg32(RCX, 0);
  m.cpu.rip = start;
  assert.equal(m.run(), EXIT_EXCEPTION);
  assert.equal(m.cpu.exitException!.vector, VEC_PF);
  assert.equal(m.cpu.getReg32(RCX), 3, "the first instruction retired");
  assert.equal(m.cpu.rip, CODE + 0xffd);
  assert.equal(m.cpu.mmu.cr2, CODE + 0x1000);
});

Deno.test("rep stosb over cached code", () => {
  const m = machine();
  m.writeVirt(CODE + 0x100, [...movEax(1), ...UD2]);
  assert.equal(runTo(m, CODE + 0x100), 1);
  // al = 0x90 ; rdi = CODE+0x100 ; rcx = 5 ; rep stosb ; ud2 — turns mov eax, 1 into 5 nops
  m.writeVirt(WRITER, [0xb0, 0x90, 0xf3, 0xaa, ...UD2]);
  m.cpu.setRegFromNumber(RDI, CODE + 0x100);
  m.cpu.setReg32(RCX, 5);
  m.cpu.setReg32(RAX, 0x77);
  runTo(m, WRITER);
  assert.equal(m.cpu.getReg32(RCX), 0);
  assert.equal(runTo(m, CODE + 0x100), 0x90, "eax keeps al = 0x90: the mov was overwritten");
});

Deno.test("rep stosb overwrites the instructions that follow it in the same block", () => {
  const m = machine();
  // rep stosb (rdi = the next instruction, rcx = 5, al = 0x90) ; mov eax, 1 ; ud2
  m.writeVirt(CODE, [0xf3, 0xaa, ...movEax(1), ...UD2]);
  m.cpu.setRegFromNumber(RDI, CODE + 2);
  m.cpu.setReg32(RCX, 5);
  m.cpu.setReg32(RAX, 0x90);
  assert.equal(runTo(m, CODE), 0x90);
  assert.equal(m.cpu.rip, CODE + 7);
});

Deno.test("rep movsb copies new code over a cached block", () => {
  const m = machine();
  m.map(DATA, 0x1000);
  m.writeVirt(CODE + 0x200, [...movEax(1), ...UD2]);
  assert.equal(runTo(m, CODE + 0x200), 1);
  m.writeVirt(DATA, movEax(0x1234));
  m.writeVirt(WRITER, [0xf3, 0xa4, ...UD2]); // rep movsb
  m.cpu.setRegFromNumber(RSI, DATA);
  m.cpu.setRegFromNumber(RDI, CODE + 0x200);
  m.cpu.setReg32(RCX, 5);
  runTo(m, WRITER);
  assert.equal(runTo(m, CODE + 0x200), 0x1234);
});

Deno.test("rep stosd running from a data page into a cached code page", () => {
  const m = machine();
  const second = CODE + 0x1000;
  // b8 01 00 00 b8 = mov eax, 0xb8000001, then 07 is #UD; once the first four bytes are nops
  // the same bytes read nop x4 ; mov eax, 7 ; ud2.
  m.writeVirt(second, [0xb8, 1, 0, 0, ...movEax(7), ...UD2]);
  assert.equal(runTo(m, second), 0xb8000001);
  assert.equal(m.cpu.rip, second + 5);
  m.writeVirt(WRITER, [0xf3, 0xab, ...UD2]); // rep stosd over [second - 8, second + 4)
  m.cpu.setRegFromNumber(RDI, second - 8);
  m.cpu.setReg32(RCX, 3);
  m.cpu.setReg32(RAX, 0x90909090);
  runTo(m, WRITER);
  assert.equal(runTo(m, second), 7);
  assert.equal(m.cpu.rip, second + 9);
});
