// String instructions (core/cpu/ops/string.ts, string-common.ts, string-fast.ts): MOVS, STOS,
// LODS, CMPS, SCAS at every size with REP/REPE/REPNE, DF, 32-bit addressing and faults midway,
// against outcomes recorded on the host CPU (AMD EPYC; tests/cpu/host_rows.ts syntax), plus the
// emulator-side properties: chunked restartable REP, FS/GS source overrides, bulk page copies and
// self-modifying code.

import assert from "node:assert/strict";
import { CODE, DATA, HostRowMachine, parseHostRow } from "./host_rows.ts";
import { TestMachine } from "../lib/machine.ts";
import { Bus } from "../../core/bus.ts";
import { EXIT_BUDGET, EXIT_SYSCALL, RCX, RDI, RDX, RSI } from "../../core/cpu/cpu.ts";
import { DF, setFlags } from "../../core/cpu/flags.ts";

const STRING_ROWS = [
  // movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=a4 rsi=10000000 rdi=10000100 mem=0:61626364 dump=100,4 -> rsi=0000000010000001 rdi=0000000010000101 fl=000 mem=61000000",
  // movs WORD PTR es:[rdi],WORD PTR ds:[rsi]
  "code=66a5 rsi=10000000 rdi=10000100 mem=0:61626364 dump=100,4 -> rsi=0000000010000002 rdi=0000000010000102 fl=000 mem=61620000",
  // movs DWORD PTR es:[rdi],DWORD PTR ds:[rsi]
  "code=a5 rsi=10000000 rdi=10000100 mem=0:61626364 dump=100,4 fl=400 -> rsi=000000000ffffffc rdi=00000000100000fc fl=400 mem=61626364",
  // movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]
  "code=48a5 rsi=10000000 rdi=10000100 mem=0:0102030405060708 dump=100,8 -> rsi=0000000010000008 rdi=0000000010000108 fl=000 mem=0102030405060708",
  // rep movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=f3a4 rcx=3 rsi=10000000 rdi=10000100 mem=0:616263 dump=100,4 -> rcx=0000000000000000 rsi=0000000010000003 rdi=0000000010000103 fl=000 mem=61626300",
  // repnz movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=f2a4 rcx=3 rsi=10000000 rdi=10000100 mem=0:616263 dump=100,4 -> rcx=0000000000000000 rsi=0000000010000003 rdi=0000000010000103 fl=000 mem=61626300",
  // rep movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=f3a4 rcx=0 rsi=10000000 rdi=10000100 fl=8d5 -> fl=8d5",
  // rep movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=f3a4 rcx=3 rsi=10000002 rdi=10000102 mem=0:616263 dump=100,4 fl=400 -> rcx=0000000000000000 rsi=000000000fffffff rdi=00000000100000ff fl=400 mem=61626300",
  // rep movs DWORD PTR es:[rdi],DWORD PTR ds:[rsi]
  "code=f3a5 rcx=2 rsi=10000004 rdi=10000104 mem=0:0102030405060708 dump=100,8 fl=400 -> rcx=0000000000000000 rsi=000000000ffffffc rdi=00000000100000fc fl=400 mem=0102030405060708",
  // rep movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]
  "code=f348a5 rcx=201 rsi=10000ff8 rdi=10003ffb fill=0,2000,5a mem=ff8:0102030405060708 dump=3ff8,10 -> rcx=0000000000000000 rsi=0000000010002000 rdi=0000000010005003 fl=000 mem=00000001020304050607085a5a5a5a5a",
  // rep movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=f3a4 rcx=8 rsi=10000000 rdi=10000001 mem=0:61626364 dump=0,10 -> rcx=0000000000000000 rsi=0000000010000008 rdi=0000000010000009 fl=000 mem=61616161616161616100000000000000",
  // rep movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=f3a4 rcx=1000 rsi=10002000 rdi=10002003 mem=2000:616263 dump=2ff8,10 -> rcx=0000000000000000 rsi=0000000010003000 rdi=0000000010003003 fl=000 mem=63616263616263616263610000000000",
  // rep movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]
  "code=f348a5 rcx=3 rsi=10000000 rdi=10000004 mem=0:0102030405060708090a0b0c0d0e0f10 dump=0,20 -> rcx=0000000000000000 rsi=0000000010000018 rdi=000000001000001c fl=000 mem=010203040102030405060708050607080d0e0f100d0e0f100000000000000000",
  // rep movs DWORD PTR es:[rdi],DWORD PTR ds:[rsi]
  "code=f3a5 rcx=6 rsi=10000014 rdi=10000010 mem=0:0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f dump=0,20 fl=400 -> SIGNAL 11 addr=ffffffc rcx=0000000000000001 rsi=0000000010000000 rdi=000000000ffffffc fl=400 mem=151617181516171815161718151617181516171815161718191a1b1c1d1e1f00",
  // rep movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=f3a4 rcx=8 rsi=10000008 rdi=10000007 mem=0:0102030405060708090a0b0c0d0e0f10 dump=0,10 fl=400 -> rcx=0000000000000000 rsi=0000000010000000 rdi=000000000fffffff fl=400 mem=0909090909090909090a0b0c0d0e0f10",
  // rep movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=f3a4 rcx=100 rsi=10000000 rdi=1000ffc0 -> SIGNAL 11 addr=10010000 rcx=00000000000000c0 rsi=0000000010000040 rdi=0000000010010000 fl=000",
  // rep movs QWORD PTR es:[rdi],QWORD PTR ds:[rsi]
  "code=f348a5 rcx=100 rsi=10000000 rdi=1000ffc4 -> SIGNAL 11 addr=10010000 rcx=00000000000000f9 rsi=0000000010000038 rdi=000000001000fffc fl=000",
  // rep movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=f3a4 rcx=10 rsi=1000fff8 rdi=10000000 fill=fff0,10,77 dump=0,10 -> SIGNAL 11 addr=10010000 rcx=0000000000000008 rsi=0000000010010000 rdi=0000000010000008 fl=000 mem=77777777777777770000000000000000",
  // rep movs DWORD PTR es:[rdi],DWORD PTR ds:[rsi]
  "code=f3a5 rcx=10 rsi=10000000 rdi=10011000 -> SIGNAL 11 addr=10011000 fl=000",
  // rep movs BYTE PTR es:[edi],BYTE PTR ds:[esi]
  "code=67f3a4 rcx=ffffffff00000003 rsi=ffffffff10000000 rdi=ffffffff10000100 mem=0:616263 dump=100,4 -> rcx=0000000000000000 rsi=0000000010000003 rdi=0000000010000103 fl=000 mem=61626300",
  // movs BYTE PTR es:[edi],BYTE PTR ds:[esi]
  "code=67a4 rcx=ffffffff00000003 rsi=ffffffff10000000 rdi=ffffffff10000100 mem=0:616263 dump=100,4 -> rsi=0000000010000001 rdi=0000000010000101 fl=000 mem=61000000",
  // rep movs BYTE PTR es:[edi],BYTE PTR ds:[esi]
  "code=67f3a4 rcx=ffffffff00000000 rsi=ffffffff10000000 rdi=ffffffff10000100 -> fl=000",
  // rep movs BYTE PTR es:[edi],BYTE PTR ds:[esi]
  "code=67f3a4 rcx=ffffffff00000005 rsi=ffffffff10010000 rdi=ffffffff10000100 -> SIGNAL 11 addr=10010000 fl=000",
  // movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=a4 rsi=75 rdi=8000000000000081 -> SIGNAL 11 addr=75 fl=000",
  // movs BYTE PTR es:[rdi],BYTE PTR ds:[rsi]
  "code=a4 rsi=8000000000000075 rdi=81 -> SIGNAL 11 addr=0 fl=000",
  // rep stos BYTE PTR es:[rdi],al
  "code=f3aa rcx=5 rax=1234567841 rdi=10000100 dump=100,8 -> rcx=0000000000000000 rdi=0000000010000105 fl=000 mem=4141414141000000",
  // repnz stos BYTE PTR es:[rdi],al
  "code=f2aa rcx=3 rax=41 rdi=10000100 dump=100,4 -> rcx=0000000000000000 rdi=0000000010000103 fl=000 mem=41414100",
  // rep stos WORD PTR es:[rdi],ax
  "code=f366ab rcx=3 rax=1234 rdi=10000101 dump=100,8 -> rcx=0000000000000000 rdi=0000000010000107 fl=000 mem=0034123412341200",
  // rep stos DWORD PTR es:[rdi],eax
  "code=f3ab rcx=3 rax=ffffffff87654321 rdi=10000108 dump=100,10 fl=400 -> rcx=0000000000000000 rdi=00000000100000fc fl=400 mem=21436587214365872143658700000000",
  // rep stos QWORD PTR es:[rdi],rax
  "code=f348ab rcx=3 rax=1122334455667788 rdi=10000ffc dump=ff8,20 -> rcx=0000000000000000 rdi=0000000010001014 fl=000 mem=0000000088776655443322118877665544332211887766554433221100000000",
  // rep stos QWORD PTR es:[rdi],rax
  "code=f348ab rcx=100 rdi=1000fff0 rax=1122334455667788 -> SIGNAL 11 addr=10010000 rcx=00000000000000fe rdi=0000000010010000 fl=000",
  // rep stos BYTE PTR es:[rdi],al
  "code=f3aa rcx=2000 rdi=10000000 rax=ee fill=0,3000,11 dump=1ffe,4 -> rcx=0000000000000000 rdi=0000000010002000 fl=000 mem=eeee1111",
  // stos BYTE PTR es:[rdi],al
  "code=aa rax=55 rdi=10011000 -> SIGNAL 11 addr=10011000 fl=000",
  // lods al,BYTE PTR ds:[rsi]
  "code=ac rsi=10000000 rax=ffffffffffffffff mem=0:0100020003000400 -> rax=ffffffffffffff01 rsi=0000000010000001 fl=000",
  // lods ax,WORD PTR ds:[rsi]
  "code=66ad rsi=10000000 rax=ffffffffffffffff mem=0:0100020003000400 -> rax=ffffffffffff0001 rsi=0000000010000002 fl=000",
  // lods eax,DWORD PTR ds:[rsi]
  "code=ad rsi=10000000 rax=ffffffffffffffff mem=0:0100020003000400 -> rax=0000000000020001 rsi=0000000010000004 fl=000",
  // lods rax,QWORD PTR ds:[rsi]
  "code=48ad rsi=10000000 mem=0:0100020003000400 -> rax=0004000300020001 rsi=0000000010000008 fl=000",
  // rep lods al,BYTE PTR ds:[rsi]
  "code=f3ac rcx=3 rsi=10000000 mem=0:616263 -> rax=0000000000000063 rcx=0000000000000000 rsi=0000000010000003 fl=000",
  // rep lods eax,DWORD PTR ds:[rsi]
  "code=f3ad rcx=4 rsi=10000000 mem=0:0100000002000000030000000400000005 fl=400 -> SIGNAL 11 addr=ffffffc rax=0000000000000001 rcx=0000000000000003 rsi=000000000ffffffc fl=400",
  // rep lods al,BYTE PTR ds:[rsi]
  "code=f3ac rcx=100 rsi=1000ffc0 fill=ffc0,40,9 -> SIGNAL 11 addr=10010000 rax=0000000000000009 rcx=00000000000000c0 rsi=0000000010010000 fl=000",
  // cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=a6 rsi=10000000 rdi=10000100 mem=0:61 mem=100:62 fl=8d5 -> rsi=0000000010000001 rdi=0000000010000101 fl=095",
  // cmps QWORD PTR ds:[rsi],QWORD PTR es:[rdi]
  "code=48a7 rsi=10000000 rdi=10000008 mem=0:0100020003000400ffff020003000400 -> rsi=0000000010000008 rdi=0000000010000010 fl=091",
  // repz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=f3a6 rcx=10 rsi=10000000 rdi=10000100 mem=0:61626364 mem=100:61626365 fl=0 -> rcx=000000000000000c rsi=0000000010000004 rdi=0000000010000104 fl=095",
  // repnz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=f2a6 rcx=10 rsi=10000000 rdi=10000100 mem=0:61626364 mem=100:71727374 fl=0 -> rcx=000000000000000b rsi=0000000010000005 rdi=0000000010000105 fl=044",
  // repnz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=f2a6 rcx=4 rsi=10000000 rdi=10000100 mem=0:61626364 mem=100:71727374 fl=0 -> rcx=0000000000000000 rsi=0000000010000004 rdi=0000000010000104 fl=085",
  // repz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=f3a6 rcx=0 rsi=10000000 rdi=10000100 fl=8d5 -> fl=8d5",
  // repz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=f3a6 rcx=5 rsi=10000004 rdi=10000104 mem=0:6162636465 mem=100:6162636465 fl=400 -> rcx=0000000000000000 rsi=000000000fffffff rdi=00000000100000ff fl=444",
  // repz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=f3a6 rcx=3000 rsi=10000000 rdi=10008000 fill=0,2fff,33 fill=8000,3000,33 mem=2fff:34 fl=0 -> rcx=0000000000000000 rsi=0000000010003000 rdi=000000001000b000 fl=000",
  // repz cmps WORD PTR ds:[rsi],WORD PTR es:[rdi]
  "code=f366a7 rcx=5 rsi=10000000 rdi=10000100 mem=0:01000200030004000500 mem=100:01000200030005000500 -> rcx=0000000000000001 rsi=0000000010000008 rdi=0000000010000108 fl=095",
  // repz cmps DWORD PTR ds:[rsi],DWORD PTR es:[rdi]
  "code=f3a7 rcx=3 rsi=10000008 rdi=10000108 mem=0:010000000200000003000000 mem=100:010000000200000003000000 fl=400 -> rcx=0000000000000000 rsi=000000000ffffffc rdi=00000000100000fc fl=444",
  // repnz cmps QWORD PTR ds:[rsi],QWORD PTR es:[rdi]
  "code=f248a7 rcx=5 rsi=10000000 rdi=10000100 mem=0:0100000000000000020000000000000003000000000000000400000000000000 mem=100:ff00000000000000ff00000000000000030000000000000004000000000000ff -> rcx=0000000000000002 rsi=0000000010000018 rdi=0000000010000118 fl=044",
  // repz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=f3a6 rcx=40 rsi=1000fff0 rdi=10000000 fill=0,100,12 fill=fff0,10,12 -> SIGNAL 11 addr=10010000 rcx=0000000000000030 rsi=0000000010010000 rdi=0000000010000010 fl=044",
  // cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=a6 rsi=75 rdi=465c7ffa -> SIGNAL 11 addr=465c7ffa fl=000",
  // repz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=f3a6 rcx=5 rsi=75 rdi=465c7ffa -> SIGNAL 11 addr=75 fl=000",
  // repnz cmps BYTE PTR ds:[rsi],BYTE PTR es:[rdi]
  "code=f2a6 rcx=5 rsi=75 rdi=465c7ffa -> SIGNAL 11 addr=465c7ffa fl=000",
  // repz cmps DWORD PTR ds:[rsi],DWORD PTR es:[rdi]
  "code=f3a7 rcx=5 rsi=75 rdi=465c7ffa -> SIGNAL 11 addr=465c7ffa fl=000",
  // repz cmps WORD PTR ds:[rsi],WORD PTR es:[rdi]
  "code=f366a7 rcx=8000000000000001 rsi=100007fe rdi=10000ffe fl=400 fill=0,800,11 fill=800,800,22 -> rcx=8000000000000000 rsi=00000000100007fc rdi=0000000010000ffc fl=491",
  // scas al,BYTE PTR es:[rdi]
  "code=ae rax=63 rdi=10000000 mem=0:61 fl=0 -> rdi=0000000010000001 fl=000",
  // repnz scas al,BYTE PTR es:[rdi]
  "code=f2ae rcx=10 rax=63 rdi=10000000 mem=0:61626364 fl=0 -> rcx=000000000000000d rdi=0000000010000003 fl=044",
  // repz scas al,BYTE PTR es:[rdi]
  "code=f3ae rcx=10 rax=61 rdi=10000000 mem=0:61616162 fl=0 -> rcx=000000000000000c rdi=0000000010000004 fl=095",
  // repnz scas al,BYTE PTR es:[rdi]
  "code=f2ae rcx=2000 rax=0 rdi=10000000 fill=0,2000,1 mem=1fff:00 fl=0 -> rcx=0000000000000000 rdi=0000000010002000 fl=044",
  // repnz scas al,BYTE PTR es:[rdi]
  "code=f2ae rcx=2000 rax=0 rdi=10000000 fill=0,2000,1 fl=0 -> rcx=0000000000000000 rdi=0000000010002000 fl=095",
  // repnz scas ax,WORD PTR es:[rdi]
  "code=66f2af rcx=5 rax=3 rdi=10000000 mem=0:0100020003000400 -> rcx=0000000000000002 rdi=0000000010000006 fl=044",
  // repz scas eax,DWORD PTR es:[rdi]
  "code=f3af rcx=5 rax=7 rdi=10000010 mem=0:07000000070000000700000007000000070000000800000007000000 fl=400 -> rcx=0000000000000000 rdi=000000000ffffffc fl=444",
  // repnz scas rax,QWORD PTR es:[rdi]
  "code=f248af rcx=3 rax=ffffffffffffffff rdi=10000000 mem=0:0000000000000000ffffffffffffffff -> rcx=0000000000000001 rdi=0000000010000010 fl=044",
  // repnz scas al,BYTE PTR es:[rdi]
  "code=f2ae rcx=100 rax=ff rdi=1000ffe0 -> SIGNAL 11 addr=10010000 rcx=00000000000000e0 rdi=0000000010010000 fl=084",
  // repz scas al,BYTE PTR es:[edi]
  "code=67f3ae rcx=ffffffff00000003 rax=61 rdi=ffffffff10000000 mem=0:616162 -> rcx=0000000000000000 rdi=0000000010000003 fl=095",
];

const machine = new HostRowMachine();

Deno.test("string: MOVS/STOS/LODS/CMPS/SCAS match the host", () => {
  for (const row of STRING_ROWS) {
    const { inputs, expected } = parseHostRow(row);
    assert.equal(machine.run(inputs), expected, inputs);
  }
});

Deno.test("string: FS/GS override the source segment of MOVS, LODS and CMPS", () => {
  const cpu = machine.m.cpu;
  cpu.fsBase = DATA + 0x100;
  cpu.gsBase = DATA + 0x200;
  // fs: movsb reads fs:rsi = DATA+0x110 and writes es:rdi (flat).
  assert.equal(
    machine.run("code=64a4 rsi=10 rdi=10000300 mem=110:5a dump=300,1"),
    "rsi=0000000000000011 rdi=0000000010000301 fl=000 mem=5a",
  );
  // gs: rep movsb with 32-bit addressing: gs base + ESI (upper half ignored).
  assert.equal(
    machine.run("code=6567f3a4 rcx=2 rsi=ffffffff00000020 rdi=10000300 mem=220:6162 dump=300,2"),
    "rcx=0000000000000000 rsi=0000000000000022 rdi=0000000010000302 fl=000 mem=6162",
  );
  assert.equal(
    machine.run("code=64ad rsi=8 mem=108:44332211"),
    "rax=0000000011223344 rsi=000000000000000c fl=000",
  );
  // fs: cmpsb compares fs:[rsi] with es:[rdi] (equal here, so ZF).
  assert.equal(
    machine.run("code=64a6 rsi=0 rdi=10000400 mem=100:77 mem=400:77"),
    "rsi=0000000000000001 rdi=0000000010000401 fl=044",
  );
  cpu.fsBase = 0;
  cpu.gsBase = 0;
});

/** mov rdx, rcx; syscall (which overwrites RCX with the return address). */
const RCX_TO_RDX_SYSCALL = [0x48, 0x89, 0xca, 0x0f, 0x05];

/** A machine with two 4 MiB regions for long REP runs. */
function bigMachine() {
  const m = new TestMachine(32 * 1024 * 1024);
  m.map(CODE, 0x1000);
  m.map(0x40000000, 4 << 20);
  m.map(0x50000000, 4 << 20);
  return m;
}

Deno.test("string: a long REP MOVSB runs in restartable chunks and completes in run()", () => {
  const m = bigMachine();
  const cpu = m.cpu;
  const size = 3 << 20;
  const src = new Uint8Array(size);
  for (let k = 0; k < size; k++) src[k] = (k * 7 + (k >>> 12)) & 0xff;
  for (let off = 0; off < size; off += 4096) {
    m.mem.u8.set(src.subarray(off, off + 4096), m.phys(0x40000000 + off));
  }
  m.writeVirt(CODE, [0xf3, 0xa4, ...RCX_TO_RDX_SYSCALL]); // rep movsb; mov rdx, rcx; syscall
  cpu.rip = CODE;
  cpu.setReg64(RCX, size, 0);
  cpu.setReg64(RSI, 0x40000000, 0);
  cpu.setReg64(RDI, 0x50000000, 0);
  // One step copies one chunk, then points RIP back at the instruction.
  assert.equal(cpu.step(), EXIT_BUDGET);
  assert.equal(cpu.rip, CODE);
  const chunk = size - cpu.getReg64(RCX);
  assert.ok(chunk > 4096 && chunk < size, `chunk ${chunk}`);
  assert.equal(cpu.getReg64(RSI), 0x40000000 + chunk);
  assert.equal(cpu.getReg64(RDI), 0x50000000 + chunk);
  assert.equal(m.run(), EXIT_SYSCALL);
  assert.equal(cpu.getReg64(RDX), 0);
  assert.equal(cpu.getReg64(RDI), 0x50000000 + size);
  for (let off = 0; off < size; off += 4096) {
    const p = m.phys(0x50000000 + off);
    assert.deepEqual(m.mem.u8.subarray(p, p + 4096), src.subarray(off, off + 4096), `page ${off}`);
  }
});

Deno.test("string: REP STOSQ backwards and element-wise REP LODSB restart too", () => {
  const m = bigMachine();
  const cpu = m.cpu;
  m.writeVirt(CODE, [0xf3, 0x48, 0xab, ...RCX_TO_RDX_SYSCALL]); // rep stosq
  cpu.rip = CODE;
  setFlags(cpu, 0x202 | DF);
  cpu.setReg64(0, 0x11223344, 0x55667788);
  cpu.setReg64(RCX, 300000, 0);
  cpu.setReg64(RDI, 0x50000000 + 299999 * 8, 0);
  assert.equal(m.run(), EXIT_SYSCALL);
  assert.equal(cpu.getReg64(RDX), 0);
  assert.equal(cpu.regNumber(RDI), 0x50000000 - 8);
  for (const k of [0, 1, 4095, 150000, 299999]) {
    const p = m.phys(0x50000000 + k * 8);
    assert.equal(m.mem.dv.getBigUint64(p, true), 0x5566778811223344n, `element ${k}`);
  }
  assert.equal(m.mem.dv.getBigUint64(m.phys(0x50000000 + 300000 * 8), true), 0n);

  setFlags(cpu, 0x202);
  m.writeVirt(CODE, [0xf3, 0xac, 0x0f, 0x05]); // rep lodsb; syscall
  m.writeVirt(0x40000000 + 9999, [0xab]);
  cpu.rip = CODE;
  cpu.setReg64(RCX, 10000, 0);
  cpu.setReg64(RSI, 0x40000000, 0);
  assert.equal(cpu.step(), EXIT_BUDGET);
  assert.equal(cpu.rip, CODE);
  assert.equal(cpu.getReg64(RCX), 10000 - 4096);
  assert.equal(m.run(), EXIT_SYSCALL);
  assert.equal(cpu.r8[0], 0xab);
  assert.equal(cpu.getReg64(RSI), 0x40000000 + 10000);
});

Deno.test("string: REP STOSB and REP MOVSB over decoded code invalidate it", () => {
  const m = bigMachine();
  const cpu = m.cpu;
  // rep stosb overwrites the ud2 that follows it (already decoded in the same block) with nops.
  m.writeVirt(CODE, [0xf3, 0xaa, 0x0f, 0x0b, 0x0f, 0x05]);
  cpu.rip = CODE;
  cpu.setReg64(0, 0x90, 0);
  cpu.setReg64(RCX, 2, 0);
  cpu.setReg64(RDI, CODE + 2, 0);
  assert.equal(m.run(), EXIT_SYSCALL);
  assert.equal(cpu.rip, CODE + 6);
  // rep movsb copies two nops over a ud2 the same way (bulk copy path).
  m.writeVirt(CODE + 0x100, [0x90, 0x90]);
  m.writeVirt(CODE, [0xf3, 0xa4, 0x0f, 0x0b, 0x0f, 0x05]);
  cpu.icache.clear();
  cpu.rip = CODE;
  cpu.setReg64(RCX, 2, 0);
  cpu.setReg64(RSI, CODE + 0x100, 0);
  cpu.setReg64(RDI, CODE + 2, 0);
  assert.equal(m.run(), EXIT_SYSCALL);
  assert.equal(cpu.rip, CODE + 6);
});

Deno.test("string: INS/OUTS raise #GP in user mode and move data through the bus in the kernel", () => {
  assert.equal(machine.run("code=f36e rcx=3 rdx=80 rsi=10000000"), "SIGNAL 11 addr=0 fl=000");
  assert.equal(machine.run("code=6d rdx=80 rdi=10000000"), "SIGNAL 11 addr=0 fl=000");

  const m = bigMachine();
  const cpu = m.cpu;
  const written: number[] = [];
  let next = 0x1234;
  const bus = new Bus();
  bus.claimPorts("test", 0x3f8, 1, {
    read: () => next++,
    write: (_port, _size, value) => written.push(value),
  });
  cpu.bus = bus;
  cpu.cpl = 0;
  cpu.mmu.user = false;
  cpu.fsBase = 0x40000000;
  m.writeVirt(0x40000010, [1, 2, 3]);
  m.writeVirt(CODE, [0x64, 0xf3, 0x6e, 0xf3, 0x66, 0x6d, 0x0f, 0x05]); // rep outsb fs:; rep insw
  cpu.rip = CODE;
  cpu.setReg64(RDX, 0x3f8, 0);
  cpu.setReg64(RCX, 3, 0);
  cpu.setReg64(RSI, 0x10, 0);
  cpu.setReg64(RDI, 0x50000000, 0);
  assert.equal(cpu.step(), EXIT_BUDGET);
  assert.deepEqual(written, [1, 2, 3]);
  assert.equal(cpu.getReg64(RSI), 0x13);
  cpu.setReg64(RCX, 2, 0);
  assert.equal(cpu.step(), EXIT_BUDGET);
  assert.deepEqual([...m.readVirt(0x50000000, 4)], [0x34, 0x12, 0x35, 0x12]);
  assert.equal(cpu.getReg64(RDI), 0x50000004);
});
