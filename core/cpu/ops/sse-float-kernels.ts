// Lane kernels of the SSE arithmetic: one function per operation and width that computes
// `n` lanes (4 or 1 binary32, 2 or 1 binary64) of destination op source into the scratch
// result. Each kernel is its own function literal on purpose: V8 keeps type feedback per literal,
// so the op call inside stays monomorphic and is inlined (about 2.5x faster than dispatching on
// an op id or calling a function value per lane). The handlers call a kernel once per instruction.

import {
  add32,
  add64,
  div32,
  div64,
  max32,
  max64,
  min32,
  min64,
  mul32,
  mul64,
  nanResult32,
  sqrt32,
  sqrt64,
  sub32,
  sub64,
} from "../../fpu/ieee-arith.ts";
import { rF32, rF64, rU32, sF32, sF64, storeNaN64, sU32 } from "./sse-float-common.ts";

/** Lanes 0..n-1: x/xf view the destination register starting at 32-bit lane d. */
export type Kernel32 = (n: number, x: Uint32Array, xf: Float32Array, d: number) => void;
/** Lanes 0..n-1: xf[d + k] is destination lane k, its words x[2(d + k)], x[2(d + k) + 1]. */
export type Kernel64 = (n: number, x: Uint32Array, xf: Float64Array, d: number) => void;

export const addLanes32: Kernel32 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const r = add32(xf[d + k], sF32[k], x[d + k], sU32[k]);
    if (r === r) rF32[k] = r;
    else rU32[k] = nanResult32(x[d + k], sU32[k]);
  }
};
export const subLanes32: Kernel32 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const r = sub32(xf[d + k], sF32[k], x[d + k], sU32[k]);
    if (r === r) rF32[k] = r;
    else rU32[k] = nanResult32(x[d + k], sU32[k]);
  }
};
export const mulLanes32: Kernel32 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const r = mul32(xf[d + k], sF32[k], x[d + k], sU32[k]);
    if (r === r) rF32[k] = r;
    else rU32[k] = nanResult32(x[d + k], sU32[k]);
  }
};
export const divLanes32: Kernel32 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const r = div32(xf[d + k], sF32[k], x[d + k], sU32[k]);
    if (r === r) rF32[k] = r;
    else rU32[k] = nanResult32(x[d + k], sU32[k]);
  }
};
export const minLanes32: Kernel32 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const r = min32(xf[d + k], sF32[k]);
    if (r === r) rF32[k] = r;
    else rU32[k] = nanResult32(x[d + k], sU32[k]);
  }
};
export const maxLanes32: Kernel32 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const r = max32(xf[d + k], sF32[k]);
    if (r === r) rF32[k] = r;
    else rU32[k] = nanResult32(x[d + k], sU32[k]);
  }
};
export const sqrtLanes32: Kernel32 = (n, x, _xf, d) => {
  for (let k = 0; k < n; k++) {
    const r = sqrt32(sF32[k], sU32[k]);
    if (r === r) rF32[k] = r;
    else rU32[k] = nanResult32(x[d + k], sU32[k]);
  }
};
export const addLanes64: Kernel64 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const aHi = x[2 * (d + k) + 1], bHi = sU32[2 * k + 1];
    const r = add64(xf[d + k], sF64[k], aHi, bHi);
    if (r === r) rF64[k] = r;
    else storeNaN64(k, x[2 * (d + k)], aHi, sU32[2 * k], bHi);
  }
};
export const subLanes64: Kernel64 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const aHi = x[2 * (d + k) + 1], bHi = sU32[2 * k + 1];
    const r = sub64(xf[d + k], sF64[k], aHi, bHi);
    if (r === r) rF64[k] = r;
    else storeNaN64(k, x[2 * (d + k)], aHi, sU32[2 * k], bHi);
  }
};
export const mulLanes64: Kernel64 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const aHi = x[2 * (d + k) + 1], bHi = sU32[2 * k + 1];
    const r = mul64(xf[d + k], sF64[k], aHi, bHi);
    if (r === r) rF64[k] = r;
    else storeNaN64(k, x[2 * (d + k)], aHi, sU32[2 * k], bHi);
  }
};
export const divLanes64: Kernel64 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const aHi = x[2 * (d + k) + 1], bHi = sU32[2 * k + 1];
    const r = div64(xf[d + k], sF64[k], aHi, bHi);
    if (r === r) rF64[k] = r;
    else storeNaN64(k, x[2 * (d + k)], aHi, sU32[2 * k], bHi);
  }
};
export const minLanes64: Kernel64 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const aHi = x[2 * (d + k) + 1], bHi = sU32[2 * k + 1];
    const r = min64(xf[d + k], sF64[k]);
    if (r === r) rF64[k] = r;
    else storeNaN64(k, x[2 * (d + k)], aHi, sU32[2 * k], bHi);
  }
};
export const maxLanes64: Kernel64 = (n, x, xf, d) => {
  for (let k = 0; k < n; k++) {
    const aHi = x[2 * (d + k) + 1], bHi = sU32[2 * k + 1];
    const r = max64(xf[d + k], sF64[k]);
    if (r === r) rF64[k] = r;
    else storeNaN64(k, x[2 * (d + k)], aHi, sU32[2 * k], bHi);
  }
};
export const sqrtLanes64: Kernel64 = (n, x, _xf, d) => {
  for (let k = 0; k < n; k++) {
    const aHi = x[2 * (d + k) + 1], bHi = sU32[2 * k + 1];
    const r = sqrt64(sF64[k], bHi);
    if (r === r) rF64[k] = r;
    else storeNaN64(k, x[2 * (d + k)], aHi, sU32[2 * k], bHi);
  }
};
