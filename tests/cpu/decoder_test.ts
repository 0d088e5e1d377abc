// Decoder: prefixes, REX, ModRM/SIB/displacement forms, immediates and the #UD/#GP rules.
import assert from "node:assert/strict";
import { EXIT_EXCEPTION, getDecoder } from "../../core/cpu/cpu.ts";
import { BASE_RIP, SEG_FS } from "../../core/cpu/insn.ts";
import { CpuException, VEC_GP, VEC_UD } from "../../core/cpu/exceptions.ts";
import { TestMachine } from "../lib/machine.ts";

function decode(bytes: number[]) {
  return getDecoder().decode((a) => bytes[a] ?? 0x90, 0);
}

Deno.test("ModRM, SIB and displacement forms decode to base/index/scale/disp", () => {
  // mov rax, [rbx + rcx*8 + 0x12345678]
  let i = decode([0x48, 0x8b, 0x84, 0xcb, 0x78, 0x56, 0x34, 0x12]);
  assert.deepEqual([i.base, i.index, i.scale, i.disp, i.opsize, i.len], [
    3,
    1,
    3,
    0x12345678,
    8,
    8,
  ]);
  // mov eax, [rip - 4]
  i = decode([0x8b, 0x05, 0xfc, 0xff, 0xff, 0xff]);
  assert.deepEqual([i.base, i.disp, i.len], [BASE_RIP, -4, 6]);
  // mov r9d, [r12] needs a SIB; [r13] needs a disp8 of 0
  i = decode([0x45, 0x8b, 0x0c, 0x24]);
  assert.deepEqual([i.reg, i.base, i.index, i.len], [9, 12, -1, 4]);
  i = decode([0x41, 0x8b, 0x45, 0x00]);
  assert.deepEqual([i.base, i.disp, i.len], [13, 0, 4]);
  // SIB with no base: mov eax, [rcx*4 + 0x10]
  i = decode([0x8b, 0x04, 0x8d, 0x10, 0, 0, 0]);
  assert.deepEqual([i.base, i.index, i.scale, i.disp], [-1, 1, 2, 0x10]);
  // index 4 without REX.X means no index; with REX.X it is r12
  i = decode([0x42, 0x8b, 0x04, 0x24]);
  assert.equal(i.index, 12);
});

Deno.test("prefixes: operand size, address size, segment, REX cancelled by a later prefix", () => {
  let i = decode([0x66, 0x89, 0xc8]); // mov ax, cx
  assert.equal(i.opsize, 2);
  i = decode([0x67, 0x8b, 0x00]); // mov eax, [eax]
  assert.equal(i.asize, 4);
  i = decode([0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0]); // mov rax, fs:[0x28]
  assert.deepEqual([i.seg, i.base, i.disp, i.opsize], [SEG_FS, -1, 0x28, 8]);
  i = decode([0x48, 0x66, 0x89, 0xc8]); // REX before 66 is ignored: mov ax, cx
  assert.equal(i.opsize, 2);
  assert.equal(i.rex, 0);
  // byte registers: 40 88 e0 is mov al, spl? (mov r/m8=al... reg=4 => SPL with REX)
  i = decode([0x40, 0x88, 0xe0]);
  assert.deepEqual([i.reg, i.rm, i.rex], [4, 0, 0x40]);
});

Deno.test("immediates are sign-extended per operand size; imm64 keeps both halves", () => {
  let i = decode([0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 0x88]); // mov rax, imm64
  assert.equal(i.imm >>> 0, 0x04030201);
  assert.equal(i.immHi >>> 0, 0x88070605);
  i = decode([0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff]); // mov rax, -1 (imm32 sign-extended)
  assert.equal(i.imm, -1);
  assert.equal(i.immHi, -1);
  i = decode([0x66, 0xc7, 0xc0, 0x34, 0x12]); // mov ax, 0x1234 (imm16)
  assert.deepEqual([i.imm, i.len], [0x1234, 5]);
});

Deno.test("unknown opcodes decode to #UD, LOCK where not allowed is #UD, >15 bytes is #GP", () => {
  const ud = decode([0x0f, 0x04]);
  assert.equal(ud.form, null);
  const locked = decode([0xf0, 0x89, 0xc8]); // lock mov eax, ecx
  assert.throws(() => locked.fn(null as never, locked));
  assert.throws(
    () => decode([...new Array(14).fill(0x66), 0x89, 0xc8]), // 16 bytes: mov ax, cx
    (e) => e instanceof CpuException && e.vector === VEC_GP,
  );
});

Deno.test("the form table is consistent: every form parses and no two forms claim one encoding", () => {
  const forms = getDecoder().forms;
  assert.ok(forms.length > 50);
  const seen = new Map<string, string>();
  for (const f of forms) {
    const key = [f.map, f.opcode, f.prefix, f.ext, f.modrmByte, f.modReq, f.wReq].join(":");
    const other = seen.get(key);
    assert.equal(other, undefined, `${f.spec.mnem} ${f.spec.op} duplicates ${other}`);
    seen.set(key, `${f.spec.mnem} ${f.spec.op}`);
  }
});

Deno.test("an invalid opcode on a page's last byte is #UD there, after the block's earlier work", () => {
  const m = new TestMachine();
  m.map(0x400000, 4096); // the next page stays unmapped: nothing may be fetched from it
  m.writeVirt(0x400ffa, [0xb8, 1, 0, 0, 0, 0x06]); // mov eax, 1; (push es: invalid in 64-bit)
  m.cpu.rip = 0x400ffa;
  assert.equal(m.run(10), EXIT_EXCEPTION);
  assert.equal(m.cpu.exitException?.vector, VEC_UD);
  assert.equal(m.cpu.rip, 0x400fff);
  assert.equal(m.cpu.r[0], 1);
  assert.equal(getDecoder().decode((a) => [0x06][a] ?? 0x90, 0).len, 1);
});
