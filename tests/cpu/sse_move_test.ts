// SSE and MMX data movement: fixed vectors whose expected values were produced by the host CPU
// (scalar moves' upper-lane rules, MOVD/MOVQ widths, inserts/extracts, PMOVSX/ZX, masked
// stores, MMX<->x87 aliasing), alignment rules, and a differential run of every table row
// against the host (tests/cpu/sse_int_oracle.c).

import assert from "node:assert/strict";
import { SSE_MOVE_FORMS } from "../../core/cpu/ops/sse-move.ts";
import {
  compareRows,
  DATA_BASE,
  exponentOf,
  fswOf,
  ftwOf,
  makeCase,
  mmOf,
  oraclePath,
  type Outcome,
  Rng,
  runEmu,
  xmmOf,
} from "./sse_int_host.ts";
import { hex, hexBytes } from "./native_oracle.ts";

const A = "80007fff0001ffff807f01ff0010fe81";
const B = "7fff8000ffff0001017f8080ff80017f";
const D = "00112233445566778899aabbccddeeff0123456789abcdeffedcba9876543210";

/**
 * xmm0 = A, xmm1 = B, mm0 = A's low qword, mm1 = B's high qword (TOP = 3, so ST(0) is a
 * different register until an MMX instruction resets TOP), RAX, RCX, and D at
 * [rsi] = [rdi] = DATA_BASE + 0x100.
 */
function run(code: number[]): Outcome {
  return runEmu(makeCase({
    code,
    xmm: { 0: A, 1: B },
    mm: { 0: A.slice(16), 1: B.slice(0, 16) },
    fsw: 3 << 11,
    ftw: 0x81,
    gpr: { 0: 0x8899aabbccddeeffn, 1: 0x1122334455667788n, 7: BigInt(DATA_BASE + 0x100) },
    data: hexBytes(D),
    dataOffset: 0x100,
  }));
}

/** [name, code, the output checked, its value on the host]. "data" is 24 bytes at [rsi]. */
const VECTORS: [string, string, "xmm0" | "xmm1" | "mm0" | "rax" | "data", string][] = [
  ["movss xmm0, [rsi]", "f30f1006", "xmm0", "00000000000000000000000033221100"],
  ["movss xmm0, xmm1", "f30f10c1", "xmm0", "80007fff0001ffff807f01ffff80017f"],
  ["movss [rsi], xmm0", "f30f1106", "data", "81fe1000445566778899aabbccddeeff0123456789abcdef"],
  ["movss xmm1, xmm0 (11)", "f30f11c1", "xmm1", "7fff8000ffff0001017f80800010fe81"],
  ["movsd xmm0, [rsi]", "f20f1006", "xmm0", "00000000000000007766554433221100"],
  ["movsd xmm0, xmm1", "f20f10c1", "xmm0", "80007fff0001ffff017f8080ff80017f"],
  ["movsd [rsi], xmm0", "f20f1106", "data", "81fe1000ff017f808899aabbccddeeff0123456789abcdef"],
  ["movq xmm0, [rsi]", "f30f7e06", "xmm0", "00000000000000007766554433221100"],
  ["movq xmm0, xmm1", "f30f7ec1", "xmm0", "0000000000000000017f8080ff80017f"],
  ["movq xmm1, xmm0 (D6)", "660fd6c1", "xmm1", "0000000000000000807f01ff0010fe81"],
  ["movq [rsi], xmm0", "660fd606", "data", "81fe1000ff017f808899aabbccddeeff0123456789abcdef"],
  ["movd xmm0, eax", "660f6ec0", "xmm0", "000000000000000000000000ccddeeff"],
  ["movq xmm0, rax", "66480f6ec0", "xmm0", "00000000000000008899aabbccddeeff"],
  ["movd eax, xmm1", "660f7ec8", "rax", "ff80017f"],
  ["movq rax, xmm1", "66480f7ec8", "rax", "17f8080ff80017f"],
  ["movd [rsi], xmm1", "660f7e0e", "data", "7f0180ff445566778899aabbccddeeff0123456789abcdef"],
  ["movlps xmm0, [rsi]", "0f1206", "xmm0", "80007fff0001ffff7766554433221100"],
  ["movhlps xmm0, xmm1", "0f12c1", "xmm0", "80007fff0001ffff7fff8000ffff0001"],
  ["movhps xmm0, [rsi]", "0f1606", "xmm0", "7766554433221100807f01ff0010fe81"],
  ["movlhps xmm0, xmm1", "0f16c1", "xmm0", "017f8080ff80017f807f01ff0010fe81"],
  ["movhpd [rsi], xmm0", "660f1706", "data", "ffff0100ff7f00808899aabbccddeeff0123456789abcdef"],
  ["movlpd [rsi], xmm0", "660f1306", "data", "81fe1000ff017f808899aabbccddeeff0123456789abcdef"],
  ["movddup xmm0, [rsi]", "f20f1206", "xmm0", "77665544332211007766554433221100"],
  ["movsldup xmm0, xmm1", "f30f12c1", "xmm0", "ffff0001ffff0001ff80017fff80017f"],
  ["movshdup xmm0, xmm1", "f30f16c1", "xmm0", "7fff80007fff8000017f8080017f8080"],
  ["movups xmm0, [rsi+1]", "0f104601", "xmm0", "01ffeeddccbbaa998877665544332211"],
  ["movdqa xmm0, [rsi]", "660f6f06", "xmm0", "ffeeddccbbaa99887766554433221100"],
  [
    "movdqu [rsi+3], xmm1",
    "f30f7f4e03",
    "data",
    "0011227f0180ff80807f010100ffff0080ff7f6789abcdef",
  ],
  ["lddqu xmm0, [rsi+5]", "f20ff04605", "xmm0", "8967452301ffeeddccbbaa9988776655"],
  ["shufps 0x4e", "0fc6c14e", "xmm0", "017f8080ff80017f80007fff0001ffff"],
  ["shufps 0x93", "0fc6c193", "xmm0", "ffff0001017f80800010fe8180007fff"],
  ["shufpd 1", "660fc6c101", "xmm0", "017f8080ff80017f80007fff0001ffff"],
  ["shufpd 2", "660fc6c102", "xmm0", "7fff8000ffff0001807f01ff0010fe81"],
  ["unpcklps", "0f14c1", "xmm0", "017f8080807f01ffff80017f0010fe81"],
  ["unpckhpd", "660f15c1", "xmm0", "7fff8000ffff000180007fff0001ffff"],
  ["pshufd 0x1b", "660f70c11b", "xmm0", "ff80017f017f8080ffff00017fff8000"],
  ["pshufhw 0xb1", "f30f70c1b1", "xmm0", "80007fff0001ffff017f8080ff80017f"],
  ["pshuflw 0x1b", "f20f70c11b", "xmm0", "7fff8000ffff0001017fff808080017f"],
  ["movmskps", "0f50c1", "rax", "5"],
  ["movmskpd", "660f50c0", "rax", "3"],
  ["pmovmskb", "660fd7c1", "rax", "6c3c"],
  ["pinsrw 5, eax", "660fc4c005", "xmm0", "80007fffeeffffff807f01ff0010fe81"],
  ["pinsrw 2, [rsi]", "660fc40602", "xmm0", "80007fff0001ffff807f11000010fe81"],
  ["pextrw 6", "660fc5c106", "rax", "8000"],
  ["pinsrb 13, ecx", "660f3a20c10d", "xmm0", "800088ff0001ffff807f01ff0010fe81"],
  ["pinsrd 2, [rsi]", "660f3a220602", "xmm0", "80007fff33221100807f01ff0010fe81"],
  ["pinsrq 1, rcx", "66480f3a22c101", "xmm0", "1122334455667788807f01ff0010fe81"],
  ["pextrb [rsi], 9", "660f3a140e09", "data", "00112233445566778899aabbccddeeff0123456789abcdef"],
  ["pextrb eax, 15", "660f3a14c80f", "rax", "7f"],
  ["pextrw [rsi], 3", "660f3a150e03", "data", "7f012233445566778899aabbccddeeff0123456789abcdef"],
  ["pextrd eax, 3", "660f3a16c803", "rax", "7fff8000"],
  ["pextrq rax, 1", "66480f3a16c801", "rax", "7fff8000ffff0001"],
  ["pextrq [rsi], 0", "66480f3a160e00", "data", "7f0180ff80807f018899aabbccddeeff0123456789abcdef"],
  ["pmovsxbw", "660f3820c1", "xmm0", "0001007fff80ff80ffffff800001007f"],
  ["pmovsxbd", "660f3821c1", "xmm0", "ffffffffffffff80000000010000007f"],
  ["pmovsxbq xmm0, [rsi]", "660f382206", "xmm0", "00000000000000110000000000000000"],
  ["pmovsxwd", "660f3823c1", "xmm0", "0000017fffff8080ffffff800000017f"],
  ["pmovsxwq", "660f3824c1", "xmm0", "ffffffffffffff80000000000000017f"],
  ["pmovsxdq", "660f3825c1", "xmm0", "00000000017f8080ffffffffff80017f"],
  ["pmovzxbw", "660f3830c1", "xmm0", "0001007f0080008000ff00800001007f"],
  ["pmovzxbd xmm0, [rsi]", "660f383106", "xmm0", "00000033000000220000001100000000"],
  ["pmovzxbq", "660f3832c1", "xmm0", "0000000000000001000000000000007f"],
  ["pmovzxwd", "660f3833c1", "xmm0", "0000017f000080800000ff800000017f"],
  ["pmovzxwq", "660f3834c1", "xmm0", "000000000000ff80000000000000017f"],
  ["pmovzxdq xmm0, [rsi]", "660f383506", "xmm0", "00000000776655440000000033221100"],
  ["maskmovdqu xmm1, xmm0", "660ff7c8", "data", "7f012233805566010100aabb00ddee7f0123456789abcdef"],
  ["movnti [rsi], rax", "480fc306", "data", "ffeeddccbbaa99888899aabbccddeeff0123456789abcdef"],
  ["movntdq [rsi], xmm1", "660fe70e", "data", "7f0180ff80807f010100ffff0080ff7f0123456789abcdef"],
  ["movd mm0, eax", "0f6ec0", "mm0", "00000000ccddeeff"],
  ["movq mm0, rax", "480f6ec0", "mm0", "8899aabbccddeeff"],
  ["movd eax, mm1", "0f7ec8", "rax", "ffff0001"],
  ["movq rax, mm1", "480f7ec8", "rax", "7fff8000ffff0001"],
  ["movq mm0, [rsi]", "0f6f06", "mm0", "7766554433221100"],
  ["movq [rsi], mm1", "0f7f0e", "data", "0100ffff0080ff7f8899aabbccddeeff0123456789abcdef"],
  ["movq mm0, mm1 (7F)", "0f7fc8", "mm0", "7fff8000ffff0001"],
  ["movntq [rsi], mm0", "0fe706", "data", "81fe1000ff017f808899aabbccddeeff0123456789abcdef"],
  ["pinsrw mm0, ecx, 6", "0fc4c106", "mm0", "807f77880010fe81"],
  ["pextrw eax, mm1, 1", "0fc5c101", "rax", "ffff"],
  ["pmovmskb eax, mm0", "0fd7c0", "rax", "93"],
  ["maskmovq mm1, mm0", "0ff7c8", "data", "010022330055667f8899aabbccddeeff0123456789abcdef"],
  ["movq2dq xmm0, mm1", "f30fd6c1", "xmm0", "00000000000000007fff8000ffff0001"],
  ["movdq2q mm0, xmm1", "f20fd6c1", "mm0", "017f8080ff80017f"],
  ["pshufw mm0, mm1, 0x4e", "0f70c14e", "mm0", "ffff00017fff8000"],
];

function output(out: Outcome, what: string): string {
  switch (what) {
    case "data":
      return hex(out.data.subarray(0, 24));
    case "rax":
      return out.gpr[0].toString(16);
    case "mm0":
      return mmOf(out, 0);
    default:
      return xmmOf(out, what === "xmm1" ? 1 : 0);
  }
}

Deno.test("data movement matches host-derived vectors", () => {
  for (const [name, code, what, expected] of VECTORS) {
    const out = run(hexBytes(code));
    assert.equal(out.signal, 0, name);
    assert.equal(output(out, what), expected, name);
  }
});

Deno.test("MMX moves reset TOP and tags; only writes set the exponent word", () => {
  const read = run([0x0f, 0x7e, 0xc8]); // movd eax, mm1
  assert.equal((fswOf(read) >> 11) & 7, 0);
  assert.equal(ftwOf(read), 0xff);
  assert.equal(exponentOf(read, 1), 0);
  const write = run([0x0f, 0x6e, 0xc0]); // movd mm0, eax
  assert.equal(exponentOf(write, 0), 0xffff);
  assert.equal(mmOf(write, 0), "00000000ccddeeff");
  const sse = run([0x66, 0x0f, 0x6f, 0xc1]); // movdqa xmm0, xmm1 leaves the x87 state alone
  assert.equal((fswOf(sse) >> 11) & 7, 3);
  assert.equal(ftwOf(sse), 0x81);
});

Deno.test("aligned moves fault on misaligned operands, unaligned ones cross pages", () => {
  const at = (code: number[], dataOffset: number) =>
    runEmu(makeCase({ code, xmm: { 1: B }, data: hexBytes(D), dataOffset })).signal;
  assert.equal(at([0x66, 0x0f, 0x6f, 0x06], 0x108), 11); // movdqa xmm0, [rsi]
  assert.equal(at([0x0f, 0x29, 0x0e], 0x104), 11); // movaps [rsi], xmm1
  assert.equal(at([0x66, 0x0f, 0x38, 0x2a, 0x06], 0x101), 11); // movntdqa
  assert.equal(at([0xf3, 0x0f, 0x6f, 0x06], 0xff9), 0); // movdqu across the page boundary
  assert.equal(at([0x0f, 0x11, 0x0e], 0xffb), 0); // movups store across it
  assert.equal(at([0xf2, 0x0f, 0x12, 0x06], 0x101), 0); // movddup reads 8 bytes, any alignment
  const crossed = runEmu(makeCase({ code: [0x0f, 0x11, 0x0e], xmm: { 1: B }, dataOffset: 0xffb }));
  assert.equal(hex(crossed.data.subarray(0, 16)), "7f0180ff80807f010100ffff0080ff7f");
});

Deno.test({
  name: "every data-movement row matches the host CPU on random inputs",
  ignore: oraclePath() === null,
  fn() {
    assert.deepEqual(compareRows(SSE_MOVE_FORMS, new Rng(0x5eed2)), []);
  },
});
