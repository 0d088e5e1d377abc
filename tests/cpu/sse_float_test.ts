// SSE/SSE2/SSE3/SSE4.1 floating-point instructions run through the decoder and CPU. Expected
// values and MXCSR images were recorded on the reference host (AMD Zen 4) with the same inputs.

import assert from "node:assert/strict";
import { VEC_GP, VEC_SS, VEC_XM } from "../../core/cpu/exceptions.ts";
import { CF, OF, PF, SF, ZF } from "../../core/cpu/flags.ts";
import { bitsOf32, SseBox } from "./sse_float_util.ts";

const QNAN1 = 0x7fc00001, QNAN2 = 0x7fc00002, SNAN = 0x7f800002;

Deno.test("addps: lane-wise sums, first-source NaN propagation, SNaN quietened with IE", () => {
  const b = new SseBox();
  b.setU32(0, bitsOf32(1), QNAN1, 0xff800002, bitsOf32(1));
  b.setU32(1, bitsOf32(2), QNAN2, 0x7fc00003, SNAN);
  assert.equal(b.exec([0x0f, 0x58, 0xc1]), -1); // addps xmm0, xmm1
  assert.deepEqual(b.u32(0), [bitsOf32(3), QNAN1, 0xffc00002, 0x7fc00002]);
  assert.equal(b.cpu.mxcsr, 0x1f81);
});

Deno.test("addsd/subss keep the destination's upper lanes", () => {
  const b = new SseBox();
  b.setF64(2, 1.5, 7.25);
  b.setF64(3, 2.25, -1);
  assert.equal(b.exec([0xf2, 0x0f, 0x58, 0xd3]), -1); // addsd xmm2, xmm3
  assert.deepEqual(b.f64(2), [3.75, 7.25]);
  b.setU32(4, bitsOf32(5), 0x11111111, 0x22222222, 0x33333333);
  b.setU32(5, bitsOf32(0.5), 1, 2, 3);
  assert.equal(b.exec([0xf3, 0x0f, 0x5c, 0xe5]), -1); // subss xmm4, xmm5
  assert.deepEqual(b.u32(4), [bitsOf32(4.5), 0x11111111, 0x22222222, 0x33333333]);
});

Deno.test("mulss: tininess before rounding, FTZ, DAZ and denormal operands (host MXCSR images)", () => {
  const b = new SseBox();
  const cases: [number, number, number, number, number][] = [
    // a, b, mxcsr in, expected result bits, expected mxcsr
    [1 - 2 ** -24, 2 ** -126, 0x1f80, 0x00800000, 0x1fb0],
    [1 - 2 ** -24, 2 ** -126, 0x9f80, 0x00000000, 0x9fb0],
    [2 ** -140, 1, 0x9f80, 0x00000000, 0x9fb2],
    [2 ** -140, 1, 0x9fc0, 0x00000000, 0x9fc0],
    [1e-30, 1e-30, 0x5f80, 0x00000001, 0x5fb0], // round up: the smallest denormal
    [1e38, 1e38, 0x7f80, 0x7f7fffff, 0x7fa8], // RZ overflow: largest finite
    [-1e38, 1e38, 0x5f80, 0xff7fffff, 0x5fa8],
  ];
  for (const [x, y, mx, want, wantMx] of cases) {
    b.setF32(0, x);
    b.setF32(1, y);
    assert.equal(b.exec([0xf3, 0x0f, 0x59, 0xc1], mx), -1);
    assert.equal(b.cpu.xmm32[0], want, `${x} * ${y} @${mx.toString(16)}`);
    assert.equal(b.cpu.mxcsr, wantMx, `${x} * ${y} @${mx.toString(16)} mxcsr`);
  }
});

Deno.test("divss: exception priorities (ZE over DE, NaN suppresses DE)", () => {
  const b = new SseBox();
  const D = 2 ** -140;
  const cases: [number, number, number, number][] = [
    [D, 0, 0x7f800000, 0x1f84],
    [0, D, 0x00000000, 0x1f82],
    [1, D, 0x7f800000, 0x1faa],
    [0, 0, 0xffc00000, 0x1f81],
    [Infinity, 0, 0x7f800000, 0x1f80],
  ];
  for (const [x, y, want, wantMx] of cases) {
    b.setF32(0, x);
    b.setF32(1, y);
    assert.equal(b.exec([0xf3, 0x0f, 0x5e, 0xc1]), -1);
    assert.equal(b.cpu.xmm32[0], want, `${x} / ${y}`);
    assert.equal(b.cpu.mxcsr, wantMx, `${x} / ${y} mxcsr`);
  }
  b.setF32(0, D);
  b.setU32(1, SNAN);
  b.exec([0xf3, 0x0f, 0x58, 0xc1]);
  assert.equal(b.cpu.mxcsr, 0x1f81, "denormal + SNaN: IE only");
});

Deno.test("unmasked exceptions raise #XM and leave the destination unchanged", () => {
  const b = new SseBox();
  const src = [0x3f800000, 0x00000001, 0x7f7fffff, 0x3f800001];
  // IE unmasked: pre-computation flags (IE, DE) only.
  b.setU32(0, 0, bitsOf32(1), bitsOf32(1e38), bitsOf32(1));
  b.setU32(1, SNAN, ...src.slice(1));
  assert.equal(b.exec([0x0f, 0x58, 0xc1], 0x1f00), VEC_XM);
  assert.equal(b.cpu.mxcsr, 0x1f03);
  assert.deepEqual(b.u32(0), [0, bitsOf32(1), bitsOf32(1e38), bitsOf32(1)]);
  // Only PE unmasked: every flag of every lane is reported.
  b.setU32(1, ...src);
  b.setF32(0, 0, 1, 3e38, 1);
  assert.equal(b.exec([0x0f, 0x58, 0xc1], 0x0f80), VEC_XM);
  assert.equal(b.cpu.mxcsr, 0x0faa);
  // Unmasked UE on an exact tiny result: UE alone.
  b.setF32(0, 1.5 * 2 ** -126);
  b.setF32(1, -(2 ** -126));
  assert.equal(b.exec([0xf3, 0x0f, 0x58, 0xc1], 0x1780), VEC_XM);
  assert.equal(b.cpu.mxcsr, 0x1790);
  assert.equal(b.cpu.xmm32[0], 0x00c00000);
});

Deno.test("packed memory operands must be 16-byte aligned, scalar ones need not", () => {
  const b = new SseBox();
  b.writeData(0, [bitsOf32(1), bitsOf32(2), bitsOf32(3), bitsOf32(4), bitsOf32(5)]);
  b.setF32(0, 1, 1, 1, 1);
  assert.equal(b.exec([0x0f, 0x58, 0x07]), -1); // addps xmm0, [rdi]
  assert.deepEqual(b.u32(0), [2, 3, 4, 5].map(bitsOf32));
  assert.equal(b.exec([0x0f, 0x58, 0x47, 0x04]), VEC_GP); // addps xmm0, [rdi+4]
  assert.equal(b.exec([0xf3, 0x0f, 0x58, 0x47, 0x04]), -1); // addss xmm0, [rdi+4]
  assert.equal(b.cpu.xmm32[0], bitsOf32(4));
});

Deno.test("minss/maxss: second operand on NaN or equality, IE on QNaN, DAZ zeroes", () => {
  const b = new SseBox();
  const cases: [number, number, number, number, number][] = [
    [0x7fc00000, bitsOf32(1), 0x1f80, bitsOf32(1), 0x1f81],
    [bitsOf32(1), 0x7fc00001, 0x1f80, 0x7fc00001, 0x1f81],
    [bitsOf32(1), 0x7f800001, 0x1f80, 0x7f800001, 0x1f81], // SNaN returned unquietened
    [0, 0x80000000, 0x1f80, 0x80000000, 0x1f80],
    [0x80000000, 0, 0x1f80, 0, 0x1f80],
    [0x00000200, bitsOf32(1), 0x9f80, 0x00000200, 0x9f82], // FTZ does not touch MIN's result
    [0x00000200, 0x80000400, 0x1fc0, 0x80000000, 0x1fc0], // DAZ: -0 vs +0 -> second
  ];
  for (const [x, y, mx, want, wantMx] of cases) {
    b.setU32(0, x);
    b.setU32(1, y);
    assert.equal(b.exec([0xf3, 0x0f, 0x5d, 0xc1], mx), -1); // minss xmm0, xmm1
    assert.equal(b.cpu.xmm32[0], want, `min(${x.toString(16)}, ${y.toString(16)})`);
    assert.equal(b.cpu.mxcsr, wantMx);
  }
  b.setU32(0, 0x80000200);
  b.setU32(1, 0x00000400);
  b.exec([0xf3, 0x0f, 0x5f, 0xc1], 0x1fc0); // maxss under DAZ
  assert.equal(b.cpu.xmm32[0], 0);
});

Deno.test("cmpps predicates and their IE rules; imm8 bits 7:3 ignored", () => {
  const b = new SseBox();
  const nan = 0x7fc00000;
  // lanes: 1 vs 2, 2 vs 2, 3 vs 2, NaN vs 2
  const want: number[][] = [
    [0, 1, 0, 0], // EQ
    [1, 0, 0, 0], // LT
    [1, 1, 0, 0], // LE
    [0, 0, 0, 1], // UNORD
    [1, 0, 1, 1], // NEQ
    [0, 1, 1, 1], // NLT
    [0, 0, 1, 1], // NLE
    [1, 1, 1, 0], // ORD
  ];
  for (let pred = 0; pred < 8; pred++) {
    b.setU32(0, bitsOf32(1), bitsOf32(2), bitsOf32(3), nan);
    b.setF32(1, 2, 2, 2, 2);
    assert.equal(b.exec([0x0f, 0xc2, 0xc1, pred | 0x88]), -1);
    assert.deepEqual(b.u32(0), want[pred].map((v) => (v ? 0xffffffff : 0)), `pred ${pred}`);
    const signals = pred === 1 || pred === 2 || pred === 5 || pred === 6;
    assert.equal(b.cpu.mxcsr, signals ? 0x1f81 : 0x1f80, `pred ${pred} IE`);
  }
  b.setF32(0, 2 ** -140);
  b.setF32(1, 2 ** -139);
  b.exec([0xf3, 0x0f, 0xc2, 0xc1, 0], 0x1fc0);
  assert.equal(b.cpu.xmm32[0], 0xffffffff, "DAZ: two denormals compare equal");
});

Deno.test("comiss/ucomiss set ZF PF CF, clear OF SF AF; COMISS signals on QNaN", () => {
  const b = new SseBox();
  const run = (x: number, y: number, op: number) => {
    b.setU32(0, x);
    b.setU32(1, y);
    b.flags = 0x202 | OF | SF | 0x10;
    assert.equal(b.exec([0x0f, op, 0xc1]), -1);
    return b.flags & (CF | PF | ZF | OF | SF | 0x10);
  };
  assert.equal(run(bitsOf32(2), bitsOf32(1), 0x2f), 0);
  assert.equal(run(bitsOf32(1), bitsOf32(2), 0x2f), CF);
  assert.equal(run(bitsOf32(2), bitsOf32(2), 0x2f), ZF);
  assert.equal(run(0x7fc00000, bitsOf32(2), 0x2e), ZF | PF | CF);
  assert.equal(b.cpu.mxcsr, 0x1f80, "UCOMISS: QNaN does not signal");
  run(0x7fc00000, bitsOf32(2), 0x2f);
  assert.equal(b.cpu.mxcsr, 0x1f81, "COMISS: QNaN signals");
  b.setU32(0, 0x7f800001);
  b.flags = 0x202;
  assert.equal(b.exec([0x0f, 0x2e, 0xc1], 0x1f00), VEC_XM, "SNaN with IE unmasked");
  assert.equal(b.flags & (ZF | PF | CF), 0, "flags untouched on #XM");
});

Deno.test("rcpss/rsqrtss reproduce the reference host's tables", () => {
  const b = new SseBox();
  const rcp: [number, number][] = [
    [0x3f800000, 0x3f7ff000],
    [0x3fc00000, 0x3f2aa800],
    [0x00800000, 0x7e7ff000],
    [0x7e800000, 0x00000000], // results below 2^-126 flush to zero
    [0x7e400000, 0x00aaa800],
    [0x00000001, 0x7f800000], // denormals count as zero
    [0x80000000, 0xff800000],
    [0x7f800001, 0x7fc00001],
  ];
  for (const [x, want] of rcp) {
    b.setU32(1, x);
    assert.equal(b.exec([0xf3, 0x0f, 0x53, 0xc1], 0x1f80), -1);
    assert.equal(b.cpu.xmm32[0], want, `rcp ${x.toString(16)}`);
  }
  const rsqrt: [number, number][] = [
    [0x3f800000, 0x3f7ff800],
    [0x3f900000, 0x3f715800],
    [0xbf800000, 0xffc00000],
    [0x80000000, 0xff800000],
    [0x7f800000, 0x00000000],
  ];
  for (const [x, want] of rsqrt) {
    b.setU32(1, x);
    b.exec([0xf3, 0x0f, 0x52, 0xc1]);
    assert.equal(b.cpu.xmm32[0], want, `rsqrt ${x.toString(16)}`);
  }
  assert.equal(b.cpu.mxcsr, 0x1f80, "no flags");
});

Deno.test("haddps, hsubpd, addsubps", () => {
  const b = new SseBox();
  b.setF32(0, 1, 2, 3, 4);
  b.setF32(1, 10, 20, 30, 40);
  b.exec([0xf2, 0x0f, 0x7c, 0xc1]);
  assert.deepEqual(b.u32(0), [3, 7, 30, 70].map(bitsOf32));
  b.setF64(2, 5, 1.5);
  b.setF64(3, -1, 4);
  b.exec([0x66, 0x0f, 0x7d, 0xd3]);
  assert.deepEqual(b.f64(2), [3.5, -5]);
  b.setF32(0, 1, 2, 3, 4);
  b.exec([0xf2, 0x0f, 0xd0, 0xc1]);
  assert.deepEqual(b.u32(0), [-9, 22, -27, 44].map(bitsOf32));
});

Deno.test("roundss: imm8 modes, MXCSR mode, precision suppression, DAZ, SNaN", () => {
  const b = new SseBox();
  const cases: [number, number, number, number, number][] = [
    // source, imm8, mxcsr, result bits, mxcsr after
    [1.5, 0x00, 0x1f80, bitsOf32(2), 0x1fa0],
    [1.5, 0x08, 0x1f80, bitsOf32(2), 0x1f80],
    [2.5, 0x04, 0x3f80, bitsOf32(2), 0x3fa0],
    [-0.5, 0x02, 0x1f80, 0x80000000, 0x1fa0],
    [2 ** -140, 0x02, 0x1f80, bitsOf32(1), 0x1fa0], // no DE for ROUND
    [2 ** -140, 0x02, 0x1fc0, 0, 0x1fc0],
    [1.5, 0xf1, 0x1f80, bitsOf32(1), 0x1fa0],
  ];
  for (const [x, imm, mx, want, wantMx] of cases) {
    b.setF32(0, 0);
    b.setF32(1, x);
    assert.equal(b.exec([0x66, 0x0f, 0x3a, 0x0a, 0xc1, imm], mx), -1);
    assert.equal(b.cpu.xmm32[0], want, `round(${x}, ${imm})`);
    assert.equal(b.cpu.mxcsr, wantMx, `round(${x}, ${imm}) mxcsr`);
  }
  b.setU32(1, 0x7f800001);
  b.exec([0x66, 0x0f, 0x3a, 0x0a, 0xc1, 0]);
  assert.equal(b.cpu.xmm32[0], 0x7fc00001);
  assert.equal(b.cpu.mxcsr, 0x1f81);
  b.setF32(1, 1.5);
  assert.equal(b.exec([0x66, 0x0f, 0x3a, 0x0a, 0xc1, 0], 0x0f80), VEC_XM);
  assert.equal(b.exec([0x66, 0x0f, 0x3a, 0x0a, 0xc1, 8], 0x0f80), -1);
});

Deno.test("dppd/dpps: denormal intermediates raise DE, DAZ applies to them", () => {
  const b = new SseBox();
  const run = (mx: number) => {
    b.setF64(0, 2 ** -535, 2 ** -530);
    b.setF64(1, 2 ** -535, 2 ** -530);
    assert.equal(b.exec([0x66, 0x0f, 0x3a, 0x41, 0xc1, 0x31], mx), -1);
    return [b.cpu.xmm32[0], b.cpu.xmm32[2], b.cpu.mxcsr];
  };
  assert.deepEqual(run(0x1f80), [0x4010, 0, 0x1f82]);
  assert.deepEqual(run(0x1fc0), [0, 0, 0x1fc0]);
  assert.deepEqual(run(0x9f80), [0, 0, 0x9fb0]);
  b.setF32(0, 1, 2, 3, 4);
  b.setF32(1, 5, 6, 7, 8);
  b.exec([0x66, 0x0f, 0x3a, 0x40, 0xc1, 0xb5]); // lanes 0,1,3 multiplied; result to 0 and 2
  assert.deepEqual(b.u32(0), [49, 0, 49, 0].map(bitsOf32));
});

Deno.test("blendps/blendvps/insertps/extractps", () => {
  const b = new SseBox();
  b.setU32(1, 1, 2, 3, 4);
  b.setU32(2, 10, 20, 30, 40);
  b.exec([0x66, 0x0f, 0x3a, 0x0c, 0xca, 0x05]); // blendps xmm1, xmm2, 5
  assert.deepEqual(b.u32(1), [10, 2, 30, 4]);
  b.setU32(0, 0x80000000, 0, 0xffffffff, 1); // the implicit mask
  b.setU32(1, 1, 2, 3, 4);
  b.exec([0x66, 0x0f, 0x38, 0x14, 0xca]); // blendvps xmm1, xmm2, <xmm0>
  assert.deepEqual(b.u32(1), [10, 2, 30, 4]);
  b.setU32(1, 1, 2, 3, 4);
  b.exec([0x66, 0x0f, 0x3a, 0x21, 0xca, 0xd2]); // insertps: src lane 3 -> lane 1, zmask clears lane 1
  assert.deepEqual(b.u32(1), [1, 0, 3, 4]);
  b.exec([0x66, 0x0f, 0x3a, 0x21, 0xca, 0xe0]); // src lane 3 -> dest lane 2
  assert.deepEqual(b.u32(1), [1, 0, 40, 4]);
  b.cpu.r[0] = 0xdeadbeef;
  b.cpu.r[1] = 0xdeadbeef;
  b.exec([0x66, 0x0f, 0x3a, 0x17, 0xd0, 0x02]); // extractps eax, xmm2, 2
  assert.deepEqual([b.cpu.r[0], b.cpu.r[1]], [30, 0]);
});

Deno.test("sqrtsd: -0 stays -0, negative is invalid, denormal raises DE", () => {
  const b = new SseBox();
  b.setF64(1, -0);
  b.exec([0xf2, 0x0f, 0x51, 0xc1]);
  assert.ok(Object.is(b.f64(0)[0], -0));
  assert.equal(b.cpu.mxcsr, 0x1f80);
  b.setF64(1, -4);
  b.exec([0xf2, 0x0f, 0x51, 0xc1]);
  assert.deepEqual([b.cpu.xmm32[0], b.cpu.xmm32[1]], [0, 0xfff80000]);
  assert.equal(b.cpu.mxcsr, 0x1f81);
  b.setF64(1, 2 ** -1060);
  b.exec([0xf2, 0x0f, 0x51, 0xc1]);
  assert.equal(b.f64(0)[0], 2 ** -530);
  assert.equal(b.cpu.mxcsr, 0x1f82);
});

Deno.test("misalignment #GP outranks the #SS of a non-canonical stack address", () => {
  const b = new SseBox();
  b.cpu.r[5 * 2] = 0;
  b.cpu.r[5 * 2 + 1] = 0x80000000; // RBP non-canonical
  assert.equal(b.exec([0x0f, 0x58, 0x45, 0x01]), VEC_GP); // addps xmm0, [rbp+1]
  assert.equal(b.exec([0x0f, 0x58, 0x45, 0x00]), VEC_SS); // addps xmm0, [rbp+0]
});
