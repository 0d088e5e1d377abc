// Atomic read-modify-write instructions (core/cpu/ops/atomic.ts): XADD and CMPXCHG at every
// size (register and memory, success and failure: a failing 32-bit CMPXCHG zero-extends RAX and
// leaves a register destination alone; memory is written back even on failure, so a read-only
// page faults), CMPXCHG8B/16B (alignment #GP, register form #UD) and LOCK. Expected outcomes were
// recorded on the host CPU (AMD EPYC) with tests/cpu/host_rows.ts's input syntax.

import assert from "node:assert/strict";
import { HostRowMachine, parseHostRow } from "./host_rows.ts";
import { VEC_PF } from "../../core/cpu/exceptions.ts";

const ATOMIC_ROWS = [
  // xadd cl,dl
  "code=0fc0d1 rcx=aaaaaaaaaaaaaa7f rdx=bbbbbbbbbbbbbb01 fl=0 -> rcx=aaaaaaaaaaaaaa80 rdx=bbbbbbbbbbbbbb7f fl=890",
  // xadd ah,ch
  "code=0fc0ec rax=ffffffffffff8080 fl=8d5 -> rcx=0000000000008000 fl=080",
  // xadd sil,bpl
  "code=400fc0ee rsi=ffffffffffffff80 rbp=ff fl=0 -> rbp=0000000000000080 rsi=ffffffffffffff7f fl=801",
  // xadd cx,dx
  "code=660fc1d1 rcx=aaaaaaaaaaaa7fff rdx=bbbbbbbbbbbb8000 fl=0 -> rcx=aaaaaaaaaaaaffff rdx=bbbbbbbbbbbb7fff fl=084",
  // xadd ecx,edx
  "code=0fc1d1 rcx=aaaaaaaa00000005 rdx=bbbbbbbb00000007 fl=8d5 -> rcx=000000000000000c rdx=0000000000000005 fl=004",
  // xadd eax,eax
  "code=0fc1c0 rax=ffffffff00000005 -> rax=000000000000000a fl=004",
  // xadd rcx,rdx
  "code=480fc1d1 rcx=7fffffffffffffff rdx=1 fl=0 -> rcx=8000000000000000 rdx=7fffffffffffffff fl=894",
  // xadd rcx,rdx
  "code=480fc1d1 rcx=ffffffffffffffff rdx=ffffffffffffffff fl=0 -> rcx=fffffffffffffffe fl=091",
  // xadd DWORD PTR [rbx],edx
  "code=0fc113 rbx=10000ffe rdx=1 mem=ffe:ffffffff dump=ffc,8 -> rdx=00000000ffffffff fl=055 mem=0000000000000000",
  // lock xadd QWORD PTR [rbx],rdx
  "code=f0480fc113 rbx=10000100 rdx=8000000000000000 mem=100:0000000000000080 dump=100,8 -> fl=845 mem=0000000000000000",
  // xadd DWORD PTR [rbx],edx
  "code=0fc113 rbx=10011000 rdx=1 -> SIGNAL 11 addr=10011000 fl=000",
  // xadd DWORD PTR [rbx],edx
  "code=0fc113 rbx=10010000 rdx=1 -> SIGNAL 11 addr=10010000 fl=000",
  // lock xadd ecx,eax
  "code=f00fc1c1 -> SIGNAL 4 fl=000",
  // cmpxchg ecx,edx
  "code=0fb1d1 rax=ffffffff00000005 rcx=aaaaaaaa00000005 rdx=bbbbbbbb00000007 -> rcx=0000000000000007 fl=044",
  // cmpxchg ecx,edx
  "code=0fb1d1 rax=ffffffff00000005 rcx=aaaaaaaa00000006 rdx=bbbbbbbb00000007 -> rax=0000000000000006 fl=095",
  // cmpxchg eax,edx
  "code=0fb1d0 rax=ffffffff00000005 rdx=bbbbbbbb00000007 -> rax=0000000000000007 fl=044",
  // cmpxchg ecx,eax
  "code=0fb1c1 rax=ffffffff00000005 rcx=aaaaaaaa00000005 -> rcx=0000000000000005 fl=044",
  // cmpxchg cx,dx
  "code=660fb1d1 rax=ffffffff00000005 rcx=aaaaaaaa00000006 rdx=bbbbbbbb00000007 -> rax=ffffffff00000006 fl=095",
  // cmpxchg cx,dx
  "code=660fb1d1 rax=ffffffff00000006 rcx=aaaaaaaa00000006 rdx=bbbbbbbb00000007 -> rcx=aaaaaaaa00000007 fl=044",
  // cmpxchg cl,dl
  "code=0fb0d1 rax=ffffffff00000005 rcx=aaaaaaaa00000006 rdx=bbbbbbbb00000007 -> rax=ffffffff00000006 fl=095",
  // cmpxchg cl,dl
  "code=0fb0d1 rax=ffffffff00000006 rcx=aaaaaaaa00000006 rdx=bbbbbbbb00000007 -> rcx=aaaaaaaa00000007 fl=044",
  // cmpxchg ah,ch
  "code=0fb0ec rax=ffffffff00000005 rcx=aaaaaaaa00000006 rdx=bbbbbbbb00000007 -> rax=ffffffff00000000 fl=004",
  // cmpxchg rcx,rdx
  "code=480fb1d1 rax=8000000000000000 rcx=7fffffffffffffff rdx=1 -> rax=7fffffffffffffff fl=810",
  // cmpxchg rcx,rdx
  "code=480fb1d1 rax=8000000000000000 rcx=8000000000000000 rdx=1 -> rcx=0000000000000001 fl=044",
  // cmpxchg rcx,rdx
  "code=480fb1d1 rax=0000000100000000 rcx=0000000200000000 rdx=1 -> rax=0000000200000000 fl=085",
  // cmpxchg DWORD PTR [rbx],edx
  "code=0fb113 rbx=10000000 rax=ffffffff00000005 rdx=7 mem=0:06000000 dump=0,4 -> rax=0000000000000006 fl=095 mem=06000000",
  // cmpxchg DWORD PTR [rbx],edx
  "code=0fb113 rbx=10000000 rax=ffffffff00000006 rdx=7 mem=0:06000000 dump=0,4 -> fl=044 mem=07000000",
  // lock cmpxchg QWORD PTR [rbx],rdx
  "code=f0480fb113 rbx=10000ffc rax=1122334455667788 rdx=99 mem=ffc:8877665544332211 dump=ffc,8 -> fl=044 mem=9900000000000000",
  // cmpxchg DWORD PTR [rbx],edx
  "code=0fb113 rbx=10011000 rax=5 rdx=1 -> SIGNAL 11 addr=10011000 fl=000",
  // cmpxchg DWORD PTR [rbx],edx
  "code=0fb113 rbx=10011000 rax=0 rdx=1 -> SIGNAL 11 addr=10011000 fl=000",
  // cmpxchg8b QWORD PTR [rbx]
  "code=0fc70b rbx=10000000 rax=ffffffff00000005 rdx=ffffffff00000001 rcx=9 mem=0:0102030405060708 dump=0,8 fl=8d5 -> rax=0000000004030201 rdx=0000000008070605 fl=895 mem=0102030405060708",
  // cmpxchg8b QWORD PTR [rdi]
  "code=0fc70f rdi=10000000 rax=ffffffff04030201 rdx=ffffffff08070605 rbx=1111111122222222 rcx=3333333344444444 mem=0:0102030405060708 dump=0,8 fl=8d5 -> fl=8d5 mem=2222222244444444",
  // lock cmpxchg8b QWORD PTR [rdi]
  "code=f00fc70f rdi=10000ffc rax=04030201 rdx=08070605 rbx=22222222 rcx=44444444 mem=ffc:0102030405060708 dump=ffc,8 fl=0 -> fl=040 mem=2222222244444444",
  // cmpxchg8b QWORD PTR [rdi]
  "code=0fc70f rdi=10011000 rax=5 rdx=1 -> SIGNAL 11 addr=10011000 fl=000",
  // cmpxchg8b QWORD PTR [rdi]
  "code=0fc70f rdi=1000fffc -> SIGNAL 11 addr=10010000 fl=000",
  // cmpxchg16b OWORD PTR [rdi]
  "code=480fc70f rdi=10000000 rax=0807060504030201 rdx=100f0e0d0c0b0a09 rbx=1111111122222222 rcx=3333333344444444 mem=0:0102030405060708090a0b0c0d0e0f10 dump=0,10 fl=8d5 -> fl=8d5 mem=22222222111111114444444433333333",
  // cmpxchg16b OWORD PTR [rdi]
  "code=480fc70f rdi=10000000 rax=0807060504030201 rdx=000f0e0d0c0b0a09 rbx=1111111122222222 rcx=3333333344444444 mem=0:0102030405060708090a0b0c0d0e0f10 dump=0,10 fl=0 -> rdx=100f0e0d0c0b0a09 fl=000 mem=0102030405060708090a0b0c0d0e0f10",
  // lock cmpxchg16b OWORD PTR [rdi]
  "code=f0480fc70f rdi=10000010 rax=1 rdx=2 mem=10:ffffffffffffffffeeeeeeeeeeeeeeee dump=10,10 fl=8d4 -> rax=ffffffffffffffff rdx=eeeeeeeeeeeeeeee fl=894 mem=ffffffffffffffffeeeeeeeeeeeeeeee",
  // cmpxchg16b OWORD PTR [rdi]
  "code=480fc70f rdi=10000008 -> SIGNAL 11 addr=0 fl=000",
  // cmpxchg16b OWORD PTR [rdi]
  "code=480fc70f rdi=10011000 rax=1 -> SIGNAL 11 addr=10011000 fl=000",
  // cmpxchg16b (bad); (bad); iret
  "code=480fc7cf -> SIGNAL 4 fl=000",
  // cmpxchg8b (bad); (bad); .byte 0xc8
  "code=0fc7c8 -> SIGNAL 4 fl=000",
];

const machine = new HostRowMachine();

Deno.test("atomic: XADD, CMPXCHG, CMPXCHG8B/16B match the host", () => {
  for (const row of ATOMIC_ROWS) {
    const { inputs, expected } = parseHostRow(row);
    assert.equal(machine.run(inputs), expected, inputs);
  }
});

Deno.test("atomic: a failing CMPXCHG on a read-only page faults as a write", () => {
  const cpu = machine.m.cpu;
  for (const code of ["0fb113", "0fc70b", "480fc70b", "0fc113"]) {
    machine.run(`code=${code} rbx=10011000 rax=5`);
    assert.equal(cpu.exitException?.vector, VEC_PF, code);
    assert.equal(cpu.exitException!.errorCode & 2, 2, code);
  }
});
