// Packed-integer instructions (SSE2/SSSE3/SSE4.1/SSE4.2 and MMX): fixed vectors whose expected
// values were produced by the host CPU, MMX aliasing of the x87 registers, alignment faults,
// and a differential run of every table row against the host (tests/cpu/sse_int_oracle.c).

import assert from "node:assert/strict";
import { SSE_INT_FORMS } from "../../core/cpu/ops/sse-int.ts";
import {
  compareRows,
  exponentOf,
  fswOf,
  ftwOf,
  makeCase,
  mmOf,
  oraclePath,
  Rng,
  runEmu,
  xmmOf,
} from "./sse_int_host.ts";
import { hexBytes } from "./native_oracle.ts";

const A = "80007fff0001ffff807f01ff0010fe81";
const B = "7fff8000ffff0001017f8080ff80017f";
/** A shift count register: 3 in the low qword, 0x1f in the high one (ignored). */
const C = "000000000000001f0000000000000003";

/** [name, code (xmm0 op= xmm1, xmm2 = C), xmm0 afterwards on the host]. */
const XMM_VECTORS: [string, string, string][] = [
  ["paddsb", "660fecc1", "ffffffffff00ff00817f8180ff90ff00"],
  ["paddusw", "660fddc1", "ffffffffffffffff81fe827fff90ffff"],
  ["psubsw", "660fe9c1", "80007fff0002fffe80007fff0090fd02"],
  ["psubusb", "660fd8c1", "010000ff0000fffe7f00007f0000fd02"],
  ["paddq", "660fd4c1", "000000000001000081fe827fff910000"],
  ["psubq", "660ffbc1", "0000fffe0002fffe7eff817e0090fd02"],
  ["pmulhw", "660fe5c1", "c000c000ffffffffff41ff01fffffffd"],
  ["pmulhuw", "660fe4c1", "3fff3fff0000000000c00100000f017c"],
  ["pmullw", "660fd5c1", "80008000ffffffff3e017f80f800c2ff"],
  ["pmuludq", "660ff4c1", "0001fffd0002ffff0010f601d8ecc2ff"],
  ["pmuldq", "660f3828c1", "fffffffe0002fffffffff780d8ecc2ff"],
  ["pmulld", "660f3840c1", "400080000002ffffbd017f80d8ecc2ff"],
  ["pmaddwd", "660ff5c1", "80010000fffffffefe42bd81fffdbaff"],
  ["pmaddubsw", "660f3804c1", "3f80c080ffff00ff3f818000f80040fd"],
  ["pmulhrsw", "660f380bc1", "8001800100000000fe82fe030000fffc"],
  ["psadbw", "660ff6c1", "00000000000005fa00000000000003eb"],
  ["pavgw", "660fe3c1", "800080008000800040ff41407fc88000"],
  ["pminsw", "660feac1", "80008000ffffffff807f8080ff80fe81"],
  ["pmaxub", "660fdec1", "80ff80ffffffffff807f80ffff80fe81"],
  ["pminsb", "660f3838c1", "80ff80ffffffffff807f8080ff80fe81"],
  ["pmaxud", "660f383fc1", "80007fffffff0001807f01ffff80017f"],
  ["pcmpgtb", "660f64c1", "00ffff00ffff00000000ffffffff0000"],
  ["pcmpgtq", "660f3837c1", "00000000000000000000000000000000"],
  ["pcmpeqw", "660f75c1", "00000000000000000000000000000000"],
  ["pandn", "660fdfc1", "7fff8000fffe000001008000ff80017e"],
  ["packsswb", "660f63c1", "7f80ff017f80807f807f01ff807f1080"],
  ["packuswb", "660f67c1", "ff000001ff0000ff00ff010000ff1000"],
  ["packssdw", "660f6bc1", "7fff80007fff800080007fff80007fff"],
  ["packusdw", "660f382bc1", "ffff0000ffff00000000ffff0000ffff"],
  ["punpcklbw", "660f60c1", "01807f7f800180ffff00801001fe7f81"],
  ["punpckhwd", "660f69c1", "7fff800080007fffffff00010001ffff"],
  ["punpckhqdq", "660f6dc1", "7fff8000ffff000180007fff0001ffff"],
  ["pshufb", "660f3800c1", "80000081000081fefe8000000000fe80"],
  ["phaddw", "660f3801c1", "ffff000081ff00ffffff0000827efe91"],
  ["phaddsw", "660f3803c1", "ffff000081ff00ffffff0000827efe91"],
  ["phsubd", "660f3806c1", "7fff8001fe0080ff800180007f91fc82"],
  ["psignb", "660f3808c1", "8000810000ff00ff807fff0100f0fe81"],
  ["psignw", "660f3809c1", "80008001ffffffff807ffe01fff0fe81"],
  ["pabsb", "660f381cc1", "7f01800001010001017f80800180017f"],
  ["pabsd", "660f381ec1", "7fff80000000ffff017f8080007ffe81"],
  ["phminposuw", "660f3841c1", "00000000000000000000000000040001"],
  ["pblendw 0xa5", "660f3a0ec1a5", "7fff7fffffffffff807f80800010017f"],
  ["mpsadbw 5", "660f3a42c105", "010001fd027b017d00ff017f017f017d"],
  ["mpsadbw 2", "660f3a42c102", "027c00fe00fe01fe027e010d020c036c"],
  ["palignr 5", "660f3a0fc105", "ff0010fe817fff8000ffff0001017f80"],
  ["palignr 20", "660f3a0fc114", "0000000080007fff0001ffff807f01ff"],
  ["psllw xmm", "660ff1c2", "0000fff80008fff803f80ff80080f408"],
  ["psraw xmm", "660fe1c2", "f0000fff0000fffff00f003f0002ffd0"],
  ["psrlq xmm", "660fd3c2", "10000fffe0003fff100fe03fe0021fd0"],
  ["psrad xmm", "660fe2c2", "f0000fff00003ffff00fe03f00021fd0"],
  ["psllw 16", "660f71f010", "00000000000000000000000000000000"],
  ["psraw 200", "660f71e0c8", "ffff00000000ffffffff00000000ffff"],
  ["psrlq 33", "660f73d021", "0000000040003fff00000000403f80ff"],
  ["psllq 63", "660f73f03f", "80000000000000008000000000000000"],
  ["pslldq 5", "660f73f805", "01ffff807f01ff0010fe810000000000"],
  ["psrldq 17", "660f73d811", "00000000000000000000000000000000"],
  ["psrld 31", "660f72d01f", "00000001000000000000000100000000"],
];

/** [name, code (mm0 op= mm1), mm0 afterwards on the host]. */
const MMX_VECTORS: [string, string, string][] = [
  ["paddw", "0ffdc1", "007e81ff000ffe82"],
  ["psubusb", "0fd8c1", "010000ff0000fe80"],
  ["pshufb", "0f3800c1", "80000081000081fe"],
  ["phaddw", "0f3801c1", "ffff0000827efe91"],
  ["punpcklbw", "0f60c1", "ff00ff1000fe0181"],
  ["packsswb", "0f63c1", "7f80ff01807f1080"],
  ["palignr 3", "0f3a0fc103", "10fe817fff8000ff"],
  ["pmuludq", "0ff4c1", "0010fe70018ffe81"],
  ["psadbw", "0ff6c1", "000000000000056b"],
  ["pshufw 0x1b", "0f70c11b", "0001ffff80007fff"],
];

Deno.test("XMM packed-integer results match host-derived vectors", () => {
  for (const [name, code, expected] of XMM_VECTORS) {
    const out = runEmu(makeCase({ code: hexBytes(code), xmm: { 0: A, 1: B, 2: C } }));
    assert.equal(out.signal, 0, name);
    assert.equal(xmmOf(out, 0), expected, name);
    assert.equal(xmmOf(out, 1), B, `${name} leaves its source alone`);
  }
});

Deno.test("MMX packed-integer results match host-derived vectors and reset TOP and tags", () => {
  for (const [name, code, expected] of MMX_VECTORS) {
    const out = runEmu(makeCase({
      code: hexBytes(code),
      mm: { 0: A.slice(16), 1: B.slice(0, 16) },
      fsw: 5 << 11,
      ftw: 0x0f,
    }));
    assert.equal(out.signal, 0, name);
    assert.equal(mmOf(out, 0), expected, name);
    assert.equal((fswOf(out) >> 11) & 7, 0, `${name}: TOP = 0`);
    assert.equal(ftwOf(out), 0xff, `${name}: all registers valid`);
    assert.equal(exponentOf(out, 0), 0xffff, `${name}: written register's exponent all ones`);
    assert.equal(exponentOf(out, 1), 0, `${name}: source register's exponent untouched`);
  }
});

Deno.test("a pending x87 exception makes an MMX instruction raise #MF", () => {
  // FCW with the invalid-operation exception unmasked, FSW with IE set.
  const c = makeCase({ code: [0x0f, 0xfd, 0xc1], fsw: 0x0001 });
  c.fx[0] = 0x7e;
  assert.equal(runEmu(c).signal, 8);
  c.fx[0] = 0x7f; // masked: nothing pending
  assert.equal(runEmu(c).signal, 0);
});

Deno.test("16-byte memory operands must be aligned; MMX memory operands need not be", () => {
  const data = hexBytes(A + B);
  const aligned = runEmu(makeCase({ code: [0x66, 0x0f, 0xfc, 0x06], data, dataOffset: 0x100 }));
  assert.equal(aligned.signal, 0);
  assert.equal(xmmOf(aligned, 0), "81fe1000ff017f80ffff0100ff7f0080");
  const misaligned = runEmu(makeCase({ code: [0x66, 0x0f, 0xfc, 0x06], data, dataOffset: 0x108 }));
  assert.equal(misaligned.signal, 11); // #GP(0)
  const mmx = runEmu(makeCase({ code: [0x0f, 0xfc, 0x06], data, dataOffset: 0x103 }));
  assert.equal(mmx.signal, 0);
  assert.equal(mmOf(mmx, 0), "ffff0100ff7f0080");
});

Deno.test({
  name: "every packed-integer row matches the host CPU on random inputs",
  ignore: oraclePath() === null,
  fn() {
    assert.deepEqual(compareRows(SSE_INT_FORMS, new Rng(0x5eed1)), []);
  },
});
