// Bit instructions (core/cpu/ops/bits.ts, bits-bmi.ts) and VEX decoding: BT/BTS/BTR/BTC with
// register and immediate offsets (signed bit strings in memory, 32-bit address wrap, #GP on
// non-canonical words), BSF/BSR (destination untouched on a zero source, also its upper half),
// LZCNT/TZCNT/POPCNT and the BMI1/BMI2 forms. Expected outcomes were recorded on the host CPU
// (AMD EPYC) with tests/cpu/host_rows.ts's input syntax; undefined flags are masked per row.

import assert from "node:assert/strict";
import { CODE, DATA, HostRowMachine, parseHostRow } from "./host_rows.ts";
import { EXIT_EXCEPTION } from "../../core/cpu/cpu.ts";
import { parseForm } from "../../core/cpu/decoder.ts";
import { PFX_F2, PFX_NONE } from "../../core/cpu/insn.ts";
import { VEC_PF, VEC_UD } from "../../core/cpu/exceptions.ts";
import { BITS_FORMS } from "../../core/cpu/ops/bits.ts";

const BIT_ROWS = [
  // bt eax,ecx
  "code=0fa3c8 rax=ffffffff00000001 rcx=20 fl=8d4 umask=8d4 -> fl=8d5",
  // bt eax,ecx
  "code=0fa3c8 rax=ffffffff80000000 rcx=3f fl=0 umask=8d4 -> fl=001",
  // bt ax,cx
  "code=660fa3c8 rax=8000 rcx=ffff fl=0 umask=8d4 -> fl=001",
  // bt rax,rcx
  "code=480fa3c8 rax=8000000000000000 rcx=7f fl=0 umask=8d4 -> fl=001",
  // bts eax,ecx
  "code=0fabc8 rax=ffffffff00000001 rcx=21 fl=8d5 umask=8d4 -> rax=0000000000000003 fl=8d4",
  // bts ax,cx
  "code=660fabc8 rax=ffffffff00000001 rcx=1f fl=0 umask=8d4 -> rax=ffffffff00008001 fl=000",
  // bts rax,rcx
  "code=480fabc8 rax=1 rcx=40 fl=0 umask=8d4 -> fl=001",
  // btr rax,rcx
  "code=480fb3c8 rax=ffffffff00000001 rcx=20 fl=8d4 umask=8d4 -> rax=fffffffe00000001 fl=8d5",
  // btr eax,ecx
  "code=0fb3c8 rax=ffffffff00000001 rcx=20 fl=0 umask=8d4 -> rax=0000000000000000 fl=001",
  // btc ax,cx
  "code=660fbbc8 rax=ffffffff00000001 rcx=11 fl=8d4 umask=8d4 -> rax=ffffffff00000003 fl=8d4",
  // btc rax,rcx
  "code=480fbbc8 rax=ffffffff00000001 rcx=3f fl=0 umask=8d4 -> rax=7fffffff00000001 fl=001",
  // bt eax,0x23
  "code=0fbae023 rax=ffffffff00000008 fl=0 umask=8d4 -> fl=001",
  // bts rax,0x23
  "code=480fbae823 rax=0 fl=1 umask=8d4 -> rax=0000000800000000 fl=000",
  // btr ax,0xf
  "code=660fbaf00f rax=ffffffffffffffff fl=0 umask=8d4 -> rax=ffffffffffff7fff fl=001",
  // btc eax,0x3f
  "code=0fbaf83f rax=ffffffff7fffffff fl=0 umask=8d4 -> rax=00000000ffffffff fl=000",
  // bts DWORD PTR [rbx],ecx
  "code=0fab0b rbx=10000100 rcx=ffffffff fill=f8,10,0 dump=f8,10 umask=8d4 -> fl=000 mem=00000000000000800000000000000000",
  // bts DWORD PTR [rbx],ecx
  "code=0fab0b rbx=10000100 rcx=ffffffdf dump=f8,10 umask=8d4 -> fl=000 mem=00000080000000000000000000000000",
  // bts QWORD PTR [rbx],rcx
  "code=480fab0b rbx=10000100 rcx=ffffffffffffffbf dump=f0,18 umask=8d4 -> fl=000 mem=000000000000008000000000000000000000000000000000",
  // bts WORD PTR [rbx],cx
  "code=660fab0b rbx=10000100 rcx=ffef dump=f8,10 umask=8d4 -> fl=000 mem=00000000008000000000000000000000",
  // bts WORD PTR [rbx],cx
  "code=660fab0b rbx=10000100 rcx=100000003 dump=f8,10 umask=8d4 -> fl=000 mem=00000000000000000800000000000000",
  // btr DWORD PTR [rbx],ecx
  "code=0fb30b rbx=10000100 rcx=1000 fill=0,400,ff dump=2fe,4 umask=8d4 -> fl=001 mem=fffffeff",
  // btc QWORD PTR [rbx],rcx
  "code=480fbb0b rbx=10000100 rcx=fffffffffffff801 fill=0,200,55 dump=0,4 umask=8d4 -> fl=000 mem=57555555",
  // bt DWORD PTR [rbx],ecx
  "code=0fa30b rbx=10000100 rcx=7fff fill=0,2000,aa umask=8d4 -> fl=001",
  // bt WORD PTR [rbx],cx
  "code=660fa30b rbx=1000fffe rcx=f umask=8d4 -> fl=000",
  // bt DWORD PTR [rbx],ecx
  "code=0fa30b rbx=1000fffe rcx=f umask=8d4 -> SIGNAL 11 addr=10010000 fl=000",
  // bt QWORD PTR [rbx],rcx
  "code=480fa30b rbx=1000fffc rcx=f umask=8d4 -> SIGNAL 11 addr=10010000 fl=000",
  // bts DWORD PTR [rbx],0x5
  "code=0fba2b05 rbx=1000fffe umask=8d4 -> SIGNAL 11 addr=10010000 fl=000",
  // bts DWORD PTR [rbx],ecx
  "code=0fab0b rbx=10011000 rcx=1 umask=8d4 -> SIGNAL 11 addr=10011000 fl=000",
  // bt DWORD PTR [rbx],ecx
  "code=0fa30b rbx=10011000 rcx=1 umask=8d4 -> fl=000",
  // bt QWORD PTR [rbx],rcx
  "code=480fa30b rbx=10000000 rcx=7fffffffffffffff umask=8d4 -> SIGNAL 11 addr=0 fl=000",
  // bt QWORD PTR [rbx],rcx
  "code=480fa30b rbx=10000000 rcx=8000000000000000 umask=8d4 -> SIGNAL 11 addr=0 fl=000",
  // bt QWORD PTR [rsp],rcx
  "code=480fa30c24 rcx=8000000000000000 umask=8d4 -> SIGNAL 7 addr=0 fl=000",
  // bt DWORD PTR [rbx],ecx
  "code=0fa30b rbx=10000000 rcx=80000000 umask=8d4 -> SIGNAL 11 addr=0 fl=000",
  // bt DWORD PTR [ebx],ecx
  "code=670fa30b rbx=10 rcx=ffffff00 umask=8d4 -> SIGNAL 11 addr=fffffff0 fl=000",
  // bt DWORD PTR [ebx],ecx
  "code=670fa30b rbx=fffffff0 rcx=100 umask=8d4 -> SIGNAL 11 addr=10 fl=000",
  // lock bt DWORD PTR [rbx],ecx
  "code=f00fa30b rbx=10000000 umask=8d4 -> SIGNAL 4 fl=000",
  // lock bts DWORD PTR [rbx],ecx
  "code=f00fab0b rbx=10000000 rcx=5 dump=0,1 umask=8d4 -> fl=000 mem=20",
  // lock bts eax,ecx
  "code=f00fabc8 rcx=5 umask=8d4 -> SIGNAL 4 fl=000",
  // bsf eax,ecx
  "code=0fbcc1 rcx=0 rax=ffffffffffffffff fl=0 umask=895 -> fl=044",
  // bsr eax,ecx
  "code=0fbdc1 rcx=0 rax=123456789abcdef0 fl=0 umask=895 -> fl=044",
  // bsf ax,cx
  "code=660fbcc1 rcx=0 rax=ffffffffffffffff fl=0 umask=895 -> fl=044",
  // bsf rax,rcx
  "code=480fbcc1 rcx=0 rax=5 fl=0 umask=895 -> fl=044",
  // bsf eax,ecx
  "code=0fbcc1 rcx=80 rax=ffffffffffffffff fl=8d5 umask=895 -> rax=0000000000000007 fl=000",
  // bsf ax,cx
  "code=660fbcc1 rcx=ffff0000 rax=ffffffffffffffff fl=0 umask=895 -> fl=044",
  // bsf rax,rcx
  "code=480fbcc1 rcx=8000000000000000 rax=0 fl=0 umask=895 -> rax=000000000000003f fl=004",
  // bsr eax,ecx
  "code=0fbdc1 rcx=1 rax=ffffffffffffffff fl=0 umask=895 -> rax=0000000000000000 fl=004",
  // bsr rax,rcx
  "code=480fbdc1 rcx=100000000 rax=0 fl=0 umask=895 -> rax=0000000000000020 fl=000",
  // bsr ax,cx
  "code=660fbdc1 rcx=ffff7fff rax=0 fl=0 umask=895 -> rax=000000000000000e fl=000",
  // bsr eax,DWORD PTR [rbx]
  "code=0fbd03 rbx=10000000 mem=0:00000080 umask=895 -> rax=000000000000001f fl=000",
  // lzcnt eax,ecx
  "code=f30fbdc1 rcx=0 rax=ffffffffffffffff fl=8d5 umask=894 -> rax=0000000000000020 fl=801",
  // lzcnt eax,ecx
  "code=f30fbdc1 rcx=1 rax=ffffffffffffffff fl=8d5 umask=894 -> rax=000000000000001f fl=800",
  // lzcnt eax,ecx
  "code=f30fbdc1 rcx=80000000 rax=ffffffffffffffff fl=0 umask=894 -> rax=0000000000000000 fl=040",
  // lzcnt ax,cx
  "code=66f30fbdc1 rcx=ffff0000 rax=ffffffffffffffff fl=8d5 umask=894 -> rax=ffffffffffff0010 fl=801",
  // lzcnt rax,rcx
  "code=f3480fbdc1 rcx=ffff0000 rax=ffffffffffffffff fl=8d5 umask=894 -> rax=0000000000000020 fl=800",
  // lzcnt rax,rcx
  "code=f3480fbdc1 rcx=0 rax=ffffffffffffffff fl=0 umask=894 -> rax=0000000000000040 fl=001",
  // tzcnt eax,ecx
  "code=f30fbcc1 rcx=0 rax=ffffffffffffffff fl=0 umask=894 -> rax=0000000000000020 fl=001",
  // tzcnt eax,ecx
  "code=f30fbcc1 rcx=f0 fl=0 umask=894 -> rax=0000000000000004 fl=000",
  // tzcnt ax,cx
  "code=66f30fbcc1 rcx=10000 fl=0 umask=894 -> rax=0000000000000010 fl=001",
  // tzcnt rax,rcx
  "code=f3480fbcc1 rcx=8000000000000000 fl=8d5 umask=894 -> rax=000000000000003f fl=800",
  // tzcnt rax,rcx
  "code=f3480fbcc1 rcx=1 fl=8d5 umask=894 -> fl=840",
  // popcnt eax,ecx
  "code=f30fb8c1 rcx=0 rax=ffffffffffffffff fl=8d5 -> rax=0000000000000000 fl=040",
  // popcnt eax,ecx
  "code=f30fb8c1 rcx=ffffffff00000f0f rax=ffffffffffffffff fl=8d5 -> rax=0000000000000008 fl=000",
  // popcnt ax,cx
  "code=66f30fb8c1 rcx=ffff rax=ffffffffffffffff fl=0 -> rax=ffffffffffff0010 fl=000",
  // popcnt rax,rcx
  "code=f3480fb8c1 rcx=ffffffffffffffff fl=0 -> rax=0000000000000040 fl=000",
  // popcnt eax,DWORD PTR [rbx]
  "code=f30fb803 rbx=10000000 mem=0:ff00ff01 -> rax=0000000000000011 fl=000",
];

const BMI_ROWS = [
  // andn eax,ecx,edx
  "code=c4e270f2c2 rcx=0f0f0f0f rdx=ffff0000 rax=ffffffffffffffff fl=8d5 umask=14 -> rax=00000000f0f00000 fl=084",
  // andn eax,ecx,edx
  "code=c4e270f2c2 rcx=ffffffff rdx=ffff0000 fl=0 umask=14 -> fl=044",
  // andn rax,rcx,rdx
  "code=c4e2f0f2c2 rcx=00ff00ff00ff00ff rdx=ffffffffffffffff fl=0 umask=14 -> rax=ff00ff00ff00ff00 fl=084",
  // andn eax,ecx,edx
  "code=c4e270f2c2 rcx=ffffffff00000000 rdx=80000000 fl=8d5 umask=14 -> rax=0000000080000000 fl=084",
  // bextr eax,edx,ecx
  "code=c4e270f7c2 rcx=0804 rdx=8badf0fd fl=8d5 umask=94 -> rax=000000000000000f fl=014",
  // bextr eax,edx,ecx
  "code=c4e270f7c2 rcx=2004 rdx=8badf0fd fl=0 umask=94 -> rax=0000000008badf0f fl=014",
  // bextr eax,edx,ecx
  "code=c4e270f7c2 rcx=0820 rdx=8badf0fd fl=0 umask=94 -> fl=054",
  // bextr eax,edx,ecx
  "code=c4e270f7c2 rcx=001f rdx=8badf0fd fl=0 umask=94 -> fl=054",
  // bextr eax,edx,ecx
  "code=c4e270f7c2 rcx=ff00 rdx=8badf0fd fl=0 umask=94 -> rax=000000008badf0fd fl=010",
  // bextr rax,rdx,rcx
  "code=c4e2f0f7c2 rcx=1038 rdx=fedcba9876543210 fl=0 umask=94 -> rax=00000000000000fe fl=010",
  // bextr rax,rdx,rcx
  "code=c4e2f0f7c2 rcx=ff3f rdx=fedcba9876543210 fl=0 umask=94 -> rax=0000000000000001 fl=010",
  // bextr rax,rdx,rcx
  "code=c4e2f0f7c2 rcx=4020 rdx=fedcba9876543210 fl=0 umask=94 -> rax=00000000fedcba98 fl=010",
  // bextr rax,rdx,rcx
  "code=c4e2f0f7c2 rcx=0840 rdx=fedcba9876543210 fl=0 umask=94 -> fl=054",
  // blsi eax,edx
  "code=c4e278f3da rdx=8badf000 fl=0 umask=14 -> rax=0000000000001000 fl=005",
  // blsi eax,edx
  "code=c4e278f3da rdx=0 rax=5 fl=8d5 umask=14 -> rax=0000000000000000 fl=044",
  // blsi rax,rdx
  "code=c4e2f8f3da rdx=8000000000000000 fl=0 umask=14 -> rax=8000000000000000 fl=085",
  // blsi rax,rdx
  "code=c4e2f8f3da rdx=ffffffff00000000 fl=0 umask=14 -> rax=0000000100000000 fl=005",
  // blsmsk eax,edx
  "code=c4e278f3d2 rdx=8badf000 fl=0 umask=14 -> rax=0000000000001fff fl=004",
  // blsmsk eax,edx
  "code=c4e278f3d2 rdx=0 fl=0 umask=14 -> rax=00000000ffffffff fl=085",
  // blsmsk rax,rdx
  "code=c4e2f8f3d2 rdx=0 fl=0 umask=14 -> rax=ffffffffffffffff fl=085",
  // blsmsk rax,rdx
  "code=c4e2f8f3d2 rdx=100000000 fl=8d5 umask=14 -> rax=00000001ffffffff fl=004",
  // blsr eax,edx
  "code=c4e278f3ca rdx=80000000 rax=1 fl=0 umask=14 -> rax=0000000000000000 fl=044",
  // blsr eax,edx
  "code=c4e278f3ca rdx=0 fl=0 umask=14 -> fl=045",
  // blsr rax,rdx
  "code=c4e2f8f3ca rdx=8000000100000000 fl=0 umask=14 -> rax=8000000000000000 fl=084",
  // blsr rax,rdx
  "code=c4e2f8f3ca rdx=8000000000000000 fl=0 umask=14 -> fl=044",
  // bzhi eax,edx,ecx
  "code=c4e270f5c2 rcx=4 rdx=8badf00d fl=0 umask=14 -> rax=000000000000000d fl=000",
  // bzhi eax,edx,ecx
  "code=c4e270f5c2 rcx=28 rdx=8badf00d fl=0 umask=14 -> rax=000000008badf00d fl=081",
  // bzhi eax,edx,ecx
  "code=c4e270f5c2 rcx=120 rdx=8badf00d fl=0 umask=14 -> rax=000000008badf00d fl=081",
  // bzhi eax,edx,ecx
  "code=c4e270f5c2 rcx=1f rdx=8badf00d fl=0 umask=14 -> rax=000000000badf00d fl=000",
  // bzhi eax,edx,ecx
  "code=c4e270f5c2 rcx=0 rdx=8badf00d fl=8d5 umask=14 -> fl=044",
  // bzhi rax,rdx,rcx
  "code=c4e2f0f5c2 rcx=3f rdx=ffffffffffffffff fl=0 umask=14 -> rax=7fffffffffffffff fl=004",
  // bzhi rax,rdx,rcx
  "code=c4e2f0f5c2 rcx=40 rdx=ffffffffffffffff fl=0 umask=14 -> rax=ffffffffffffffff fl=085",
  // bzhi rax,rdx,rcx
  "code=c4e2f0f5c2 rcx=21 rdx=ffffffffffffffff fl=0 umask=14 -> rax=00000001ffffffff fl=004",
  // pdep eax,ecx,edx
  "code=c4e273f5c2 rcx=5 rdx=f0f0 fl=8d5 -> rax=0000000000000050 fl=8d5",
  // pdep rax,rcx,rdx
  "code=c4e2f3f5c2 rcx=fedcba9876543210 rdx=f0f0f0f0f0f0f0f0 -> rax=7060504030201000 fl=000",
  // pdep rax,rcx,rdx
  "code=c4e2f3f5c2 rcx=ffffffffffffffff rdx=8000000000000001 -> rax=8000000000000001 fl=000",
  // pdep rax,rcx,rdx
  "code=c4e2f3f5c2 rcx=123456789 rdx=ffffffff00000000 -> rax=2345678900000000 fl=000",
  // pext eax,ecx,edx
  "code=c4e272f5c2 rcx=fedcba98 rdx=ff00ff00 -> rax=000000000000feba fl=000",
  // pext rax,rcx,rdx
  "code=c4e2f2f5c2 rcx=fedcba9876543210 rdx=f0f0f0f0f0f0f0f0 -> rax=00000000fdb97531 fl=000",
  // pext rax,rcx,rdx
  "code=c4e2f2f5c2 rcx=8000000000000001 rdx=8000000000000001 -> rax=0000000000000003 fl=000",
  // pext rax,rcx,rdx
  "code=c4e2f2f5c2 rcx=ffffffff00000000 rdx=ffffffff00000001 -> rax=00000001fffffffe fl=000",
  // rorx eax,edx,0x5
  "code=c4e37bf0c205 rdx=3 -> rax=0000000018000000 fl=000",
  // rorx eax,edx,0x0
  "code=c4e37bf0c200 rdx=ffffffff12345678 rax=ffffffffffffffff -> rax=0000000012345678 fl=000",
  // rorx rax,rdx,0x41
  "code=c4e3fbf0c241 rdx=0123456789abcdef -> rax=8091a2b3c4d5e6f7 fl=000",
  // rorx rax,rdx,0x20
  "code=c4e3fbf0c220 rdx=0123456789abcdef -> rax=89abcdef01234567 fl=000",
  // rorx rax,rdx,0x7f
  "code=c4e3fbf0c27f rdx=0123456789abcdef fl=8d5 -> rax=02468acf13579bde fl=8d5",
  // sarx eax,edx,ecx
  "code=c4e272f7c2 rcx=24 rdx=80000000 -> rax=00000000f8000000 fl=000",
  // sarx rax,rdx,rcx
  "code=c4e2f2f7c2 rcx=ff rdx=8000000000000000 -> rax=ffffffffffffffff fl=000",
  // shlx rax,rdx,rcx
  "code=c4e2f1f7c2 rcx=41 rdx=8000000000000001 -> rax=0000000000000002 fl=000",
  // shlx eax,edx,ecx
  "code=c4e271f7c2 rcx=21 rdx=ffffffffc0000001 -> rax=0000000080000002 fl=000",
  // shrx eax,edx,ecx
  "code=c4e273f7c2 rcx=1f rdx=80000000 -> rax=0000000000000001 fl=000",
  // shrx rax,rdx,rcx
  "code=c4e2f3f7c2 rcx=20 rdx=8000000000000000 -> rax=0000000080000000 fl=000",
  // mulx eax,ecx,edx
  "code=c4e273f6c2 rcx=ffffffff rdx=ffffffff fl=8d5 -> rax=00000000fffffffe rcx=0000000000000001 fl=8d5",
  // mulx rax,rcx,rdx
  "code=c4e2f3f6c2 rcx=ffffffffffffffff rdx=ffffffffffffffff -> rax=fffffffffffffffe rcx=0000000000000001 fl=000",
  // mulx rax,rcx,rdx
  "code=c4e2f3f6c2 rcx=123456789abcdef0 rdx=fedcba9876543210 -> rax=fdbac097c8dc5acc rcx=deec6cd7a44a4100 fl=000",
  // mulx eax,eax,edx
  "code=c4e27bf6c2 rdx=3 -> fl=000",
  // mulx edx,edx,edx
  "code=c4e26bf6d2 rdx=80000001 -> rdx=0000000040000001 fl=000",
  // mulx rax,rcx,QWORD PTR [rbx]
  "code=c4e2f3f603 rbx=10000000 rdx=2 mem=0:0100000000000080 -> rax=0000000000000001 rcx=0000000000000002 fl=000",
  // andn eax,ecx,DWORD PTR [rbx]
  "code=c4e270f203 rbx=10000000 rcx=ffff mem=0:78563412 umask=14 -> rax=0000000012340000 fl=004",
  // blsr r15d,DWORD PTR [rbx]
  "code=c4e200f30b rbx=10000000 mem=0:00010000 umask=14 -> fl=044",
  // andn with VEX.L=1: #UD
  "code=c4e274f2c2 rcx=1 rdx=2 -> SIGNAL 4 fl=000",
  // rorx with VEX.vvvv != 1111b: #UD
  "code=c4e373f0c205 rdx=3 -> SIGNAL 4 fl=000",
  // 66 before VEX: #UD
  "code=66c4e270f2c2 rcx=1 rdx=2 -> SIGNAL 4 fl=000",
  // LOCK before VEX: #UD
  "code=f0c4e270f203 rbx=10000000 -> SIGNAL 4 fl=000",
  // REX before VEX: #UD
  "code=40c4e270f2c2 rcx=1 rdx=2 -> SIGNAL 4 fl=000",
  // F3 before VEX: #UD
  "code=f3c4e270f2c2 rcx=1 rdx=2 -> SIGNAL 4 fl=000",
  // VEX map 0F, opcode F2, pp=NP: not a BMI form: #UD
  "code=c4e170f2c2 rcx=1 rdx=2 -> SIGNAL 4 fl=000",
  // VEX map 4 (reserved): #UD
  "code=c4e470f2c2 rcx=1 rdx=2 -> SIGNAL 4 fl=000",
  // VEX.0F38 F4: no such form: #UD
  "code=c4e278f4c2 rcx=1 rdx=2 -> SIGNAL 4 fl=000",
  // blsi with VEX.L=1: #UD
  "code=c4e27cf3da rdx=1 -> SIGNAL 4 fl=000",
];

const machine = new HostRowMachine();

function checkRows(rows: string[]) {
  for (const row of rows) {
    const { inputs, expected } = parseHostRow(row);
    assert.equal(machine.run(inputs), expected, inputs);
  }
}

Deno.test("bits: BT/BTS/BTR/BTC, BSF/BSR, LZCNT/TZCNT/POPCNT match the host", () => {
  checkRows(BIT_ROWS);
});

Deno.test("bits: BMI1/BMI2 and VEX decoding match the host", () => {
  checkRows(BMI_ROWS);
});

Deno.test("bits: a read-modify-write bit operation on a read-only page faults as a write", () => {
  const cpu = machine.m.cpu;
  machine.run("code=0fba2b05 rbx=10011000"); // bts dword [rbx], 5
  assert.equal(cpu.exitException?.vector, VEC_PF);
  assert.equal(cpu.exitException!.errorCode & 2, 2);
  machine.run("code=0fba2305 rbx=10011000"); // bt dword [rbx], 5 only reads: no fault
  assert.equal(cpu.exitReason === EXIT_EXCEPTION, false);
});

Deno.test("bits: VEX forms outside the table (AVX) raise #UD", () => {
  const cpu = machine.m.cpu;
  machine.run("code=c5f877"); // vzeroupper: the host has AVX, NexaOS does not
  assert.equal(cpu.exitException?.vector, VEC_UD);
  assert.equal(cpu.rip, CODE);
});

Deno.test("bits: VEX op strings parse into map, implied prefix, L and W requirements", () => {
  const fn = () => {};
  const mulx = parseForm({ op: "VEX.LZ.F2.0F38.W1 F6 /r", mnem: "mulx", args: "Gy,By,Ey", fn }, 0);
  assert.deepEqual(
    [mulx.vex, mulx.map, mulx.opcode, mulx.prefix, mulx.vexL, mulx.wReq, mulx.usesVvvv],
    [true, 2, 0xf6, PFX_F2, 0, 2, true],
  );
  const rorx = parseForm({ op: "VEX.LIG.0F3A F0 /r", mnem: "rorx", args: "Gy,Ey,Ib", fn }, 1);
  assert.deepEqual(
    [rorx.map, rorx.prefix, rorx.vexL, rorx.wReq, rorx.usesVvvv, rorx.imms],
    [3, PFX_NONE, -1, 0, false, [1]],
  );
  const legacy = parseForm({ op: "F3 0F BC /r", mnem: "tzcnt", args: "Gv,Ev", fn }, 2);
  assert.equal(legacy.vex, false);
  assert.throws(() => parseForm({ op: "VEX.LZ.F2 F6 /r", mnem: "x", args: "Gy", fn }, 3));
  assert.throws(() => parseForm({ op: "VEX.L2.0F38 F6 /r", mnem: "x", args: "Gy", fn }, 4));
});

Deno.test("bits: every BMI form is VEX-encoded with a 32/64-bit operand size", () => {
  const vex = BITS_FORMS.filter((f) => f.op.startsWith("VEX."));
  assert.equal(vex.length, 13);
  for (const f of vex) assert.match(f.args, /^[GB]y/, f.mnem);
  assert.equal(DATA, 0x10000000);
});
