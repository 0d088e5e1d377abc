// SSE/SSE2 conversions run through the decoder and CPU. Expected values and MXCSR images were
// recorded on the reference host (AMD Zen 4) with the same inputs.

import assert from "node:assert/strict";
import { VEC_MF, VEC_XM } from "../../core/cpu/exceptions.ts";
import { bitsOf32, SseBox } from "./sse_float_util.ts";

function setRax(b: SseBox, lo: number, hi: number) {
  b.cpu.r[0] = lo >>> 0;
  b.cpu.r[1] = hi >>> 0;
}

Deno.test("cvtsi2ss/sd: 32- and 64-bit sources rounded in the MXCSR mode", () => {
  const b = new SseBox();
  // cvtsi2ss xmm0, rax with RAX = 2^63 - 1: RN rounds up to 2^63, RZ down.
  for (const [mx, want] of [[0x1f80, 0x5f000000], [0x7f80, 0x5effffff]]) {
    b.setU32(0, 0, 0x11111111, 0x22222222, 0x33333333);
    setRax(b, 0xffffffff, 0x7fffffff);
    assert.equal(b.exec([0xf3, 0x48, 0x0f, 0x2a, 0xc0], mx), -1);
    assert.deepEqual(b.u32(0).slice(0, 2), [want, 0x11111111]);
    assert.equal(b.cpu.mxcsr, mx | 0x20);
  }
  setRax(b, 1, 0x00200000); // 2^53 + 1
  b.exec([0xf2, 0x48, 0x0f, 0x2a, 0xc0], 0x5f80);
  assert.deepEqual(b.u32(0).slice(0, 3), [1, 0x43400000, 0x22222222]);
  assert.equal(b.cpu.mxcsr, 0x5fa0);
  setRax(b, 0xffffffff, 0); // without REX.W only EAX counts: -1
  b.exec([0xf2, 0x0f, 0x2a, 0xc0]);
  assert.deepEqual(b.f64(0)[0], -1);
  assert.equal(b.cpu.mxcsr, 0x1f80);
});

Deno.test("cvt(t)sd2si/ss2si: rounding, truncation, integer indefinite, #XM keeps the target", () => {
  const b = new SseBox();
  const run = (bytes: number[], x: number, mx = 0x1f80) => {
    b.setF64(1, x);
    setRax(b, 0x12345678, 0x12345678);
    const v = b.exec(bytes, mx);
    return [v, b.cpu.r[0], b.cpu.r[1], b.cpu.mxcsr];
  };
  const cvttsd2si = [0xf2, 0x0f, 0x2c, 0xc1], cvtsd2si = [0xf2, 0x0f, 0x2d, 0xc1];
  const cvtsd2siW = [0xf2, 0x48, 0x0f, 0x2d, 0xc1];
  assert.deepEqual(run(cvttsd2si, 2147483647.9), [-1, 0x7fffffff, 0, 0x1fa0]);
  assert.deepEqual(run(cvttsd2si, 2147483648), [-1, 0x80000000, 0, 0x1f81]);
  assert.deepEqual(run(cvtsd2siW, 9.3e18), [-1, 0, 0x80000000, 0x1f81]);
  assert.deepEqual(run(cvtsd2siW, -(2 ** 63)), [-1, 0, 0x80000000, 0x1f80]);
  assert.deepEqual(run(cvtsd2si, 2.5), [-1, 2, 0, 0x1fa0]);
  assert.deepEqual(run(cvtsd2si, -2.5, 0x3f80), [-1, 0xfffffffd, 0, 0x3fa0]);
  assert.deepEqual(run(cvtsd2siW, -3.75), [-1, 0xfffffffc, 0xffffffff, 0x1fa0]);
  b.setU32(1, 0x7fc00000);
  setRax(b, 0x12345678, 0x12345678);
  assert.equal(b.exec([0xf3, 0x0f, 0x2c, 0xc1], 0x1f00), VEC_XM); // cvttss2si, IE unmasked
  assert.deepEqual([b.cpu.r[0], b.cpu.r[1], b.cpu.mxcsr], [0x12345678, 0x12345678, 0x1f01]);
});

Deno.test("cvtsd2ss/cvtss2sd: overflow, denormals, DAZ and NaN payloads", () => {
  const b = new SseBox();
  const narrow = (lo: number, hi: number, mx = 0x1f80) => {
    b.setU32(0, 1, 2, 3, 4);
    b.setU32(1, lo, hi);
    b.exec([0xf2, 0x0f, 0x5a, 0xc1], mx);
    return [...b.u32(0), b.cpu.mxcsr];
  };
  const f = new Float64Array([1e300]), w = new Uint32Array(f.buffer);
  assert.deepEqual(narrow(w[0], w[1]), [0x7f800000, 2, 3, 4, 0x1fa8]);
  assert.deepEqual(narrow(1, 0x7ff40000), [0x7fe00000, 2, 3, 4, 0x1f81]); // SNaN: IE, payload top
  assert.deepEqual(narrow(0xe0000000, 0xfff7ffff), [0xffffffff, 2, 3, 4, 0x1f81]);
  const widen = (bits: number, mx = 0x1f80) => {
    b.setU32(0, 1, 2, 3, 4);
    b.setU32(1, bits);
    b.exec([0xf3, 0x0f, 0x5a, 0xc1], mx);
    return [...b.u32(0), b.cpu.mxcsr];
  };
  assert.deepEqual(widen(0x00000001), [0, 0x36a00000, 3, 4, 0x1f82]);
  assert.deepEqual(widen(0x80000001, 0x1fc0), [0, 0x80000000, 3, 4, 0x1fc0]);
  assert.deepEqual(widen(0xff812345), [0xa0000000, 0xfff82468, 3, 4, 0x1f81]);
});

Deno.test("packed conversions: rounding, indefinite lanes, zeroed upper halves", () => {
  const b = new SseBox();
  const run = (bytes: number[], src: number[], mx = 0x1f80) => {
    b.setU32(0, 1, 2, 3, 4);
    b.setU32(1, ...src);
    b.exec(bytes, mx);
    return [...b.u32(0), b.cpu.mxcsr];
  };
  const f64w = (...v: number[]) => [...new Uint32Array(new Float64Array(v).buffer)];
  assert.deepEqual(run([0x66, 0x0f, 0x5a, 0xc1], f64w(1.5, -1e-50)), [
    0x3fc00000,
    0x80000000,
    0,
    0,
    0x1fb0,
  ]);
  assert.deepEqual(run([0x66, 0x0f, 0x5b, 0xc1], [1.5, -2.5, 3e9, NaN].map(bitsOf32)), [
    2,
    0xfffffffe,
    0x80000000,
    0x80000000,
    0x1fa1,
  ]);
  assert.deepEqual(
    run([0xf3, 0x0f, 0x5b, 0xc1], [1.5, -2.5, -2147483648, 0.9].map(bitsOf32)),
    [1, 0xfffffffe, 0x80000000, 0, 0x1fa0],
  );
  assert.deepEqual(run([0x0f, 0x5b, 0xc1], [16777217, 0x7fffffff, 0x80000000, -3], 0x5f80), [
    0x4b800001,
    0x4f000000,
    0xcf000000,
    0xc0400000,
    0x5fa0,
  ]);
  assert.deepEqual(run([0xf3, 0x0f, 0xe6, 0xc1], [0x80000000, 7, 9, 9]), [
    ...f64w(-2147483648, 7),
    0x1f80,
  ]);
  assert.deepEqual(run([0xf2, 0x0f, 0xe6, 0xc1], f64w(-1.5, 2.5)), [
    0xfffffffe,
    2,
    0,
    0,
    0x1fa0,
  ]);
  assert.deepEqual(run([0x0f, 0x5a, 0xc1], [1.25, -3].map(bitsOf32)), [
    ...f64w(1.25, -3),
    0x1f80,
  ]);
});

Deno.test("MMX forms: register operands switch the x87 unit to MMX mode, memory sources do not", () => {
  const b = new SseBox();
  const fpu = b.cpu.fpu;
  fpu.init();
  fpu.top = 6;
  fpu.tags = 0xc0;
  b.writeData(0, [5, -7]);
  b.setU32(0, 0, 0, 0x33, 0x44);
  b.exec([0x0f, 0x2a, 0x07]); // cvtpi2ps xmm0, [rdi]
  assert.deepEqual(b.u32(0), [bitsOf32(5), bitsOf32(-7), 0x33, 0x44]);
  assert.deepEqual([fpu.top, fpu.tags], [6, 0xc0]);
  fpu.regs32[4 * 1] = 3;
  fpu.regs32[4 * 1 + 1] = 0xfffffffe;
  b.exec([0x66, 0x0f, 0x2a, 0xc1]); // cvtpi2pd xmm0, mm1
  assert.deepEqual(b.f64(0), [3, -2]);
  assert.deepEqual([fpu.top, fpu.tags], [0, 0xff]);
  b.setF32(2, 2.5, -1.5);
  b.exec([0x0f, 0x2d, 0xda]); // cvtps2pi mm3, xmm2 (round to nearest even)
  assert.deepEqual([fpu.regs32[12], fpu.regs32[13], fpu.regs[8 * 3 + 4]], [2, 0xfffffffe, 0xffff]);
  b.exec([0x0f, 0x2c, 0xda]); // cvttps2pi mm3, xmm2
  assert.deepEqual([fpu.regs32[12], fpu.regs32[13]], [2, 0xffffffff]);
  fpu.sw = 0x0081; // IE pending and unmasked (ES)
  fpu.cw = 0x037e;
  assert.equal(b.exec([0x0f, 0x2d, 0xda]), VEC_MF);
});
