// Lane helpers shared by the conversion handlers (sse-convert.ts, sse-convert-mmx.ts): one
// converted element written into the scratch result (rU32/rF32/rF64) of sse-float-common.ts.

import { fp, isSNaN32, isSNaN64Hi, MX_IE } from "../../fpu/ieee.ts";
import { narrow, narrowNaN, toInteger, widen, widenNaNHi } from "../../fpu/ieee-convert.ts";
import { rF32, rF64, rU32 } from "./sse-float-common.ts";

/** The integer indefinite (int32; the high dword of the int64 one) for NaN or out of range. */
export const INDEFINITE = 0x80000000;

/** binary32 lane -> int32 in rU32[k]. */
export function f32ToI32(k: number, x: number, mode: number): void {
  const r = toInteger(x, mode, 32, true);
  rU32[k] = r === r ? r | 0 : INDEFINITE;
}
/** binary64 lane -> int32 in rU32[k]. */
export function f64ToI32(k: number, x: number, mode: number): void {
  const r = toInteger(x, mode, 32, false);
  rU32[k] = r === r ? r | 0 : INDEFINITE;
}
/** binary32 `bits` -> binary64 in result lane k. */
export function f32ToF64(k: number, x: number, bits: number): void {
  if (x !== x) {
    if (isSNaN32(bits)) fp.pre |= MX_IE;
    rU32[2 * k] = (bits & 7) << 29;
    rU32[2 * k + 1] = widenNaNHi(bits);
  } else rF64[k] = widen(x);
}
/** binary64 (lo, hi) -> binary32 in result lane k. */
export function f64ToF32(k: number, x: number, lo: number, hi: number): void {
  if (x !== x) {
    if (isSNaN64Hi(hi)) fp.pre |= MX_IE;
    rU32[k] = narrowNaN(lo, hi);
  } else rF32[k] = narrow(x);
}
