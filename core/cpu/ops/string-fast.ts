// Page-at-a-time REP string paths that work directly on guest physical memory: REP MOVS/STOS of
// every element size and direction (copyWithin/fill per page pair, with the exact forward or
// backward semantics when source and destination overlap) and byte-wise REPE/REPNE CMPSB/SCASB.
// Permissions, accessed/dirty bits and #PF come from the MMU translation of each page; writes
// report the physical range to PhysicalMemory.noteWrite so cached code is invalidated.

import type { Cpu } from "../cpu.ts";
import { RAX, RDI, RSI } from "../cpu.ts";
import type { Insn } from "../insn.ts";
import { DF } from "../flags.ts";
import { ACCESS_READ, ACCESS_WRITE } from "../../mmu.ts";
import {
  commit,
  compareFlags,
  elementAddress,
  repBudget,
  restartIfCounting,
  sourceBase,
  startAddress,
} from "./string-common.ts";

const TWO32 = 4294967296;
/** Bytes a REP MOVS/STOS moves per execution before it restarts itself. */
const BULK_BYTES = 1 << 20;
/** Bytes a REP CMPSB/SCASB examines per execution. */
const COMPARE_CHUNK = 1 << 16;

/** Elements of `s` bytes from `addr` on, walking up or down, that stay inside its page. */
function fitInPage(addr: number, s: number, back: boolean): number {
  const off = addr & 4095;
  if (off + s > 4096) return 0;
  return back ? Math.floor(off / s) + 1 : Math.floor((4096 - off) / s);
}

/** With 32-bit addressing: elements before the offset wraps around 2^32. */
function fitInOffset(offset: number, s: number, back: boolean): number {
  if (offset + s > TWO32) return 0;
  return back ? Math.floor(offset / s) + 1 : Math.floor((TWO32 - offset) / s);
}

/**
 * Copy `n` elements of `s` bytes as the instruction would, one element after the other, from
 * physical `ps` to `pd` (the first element's addresses; walking down when `back`).
 */
function copyElements(u8: Uint8Array, ps: number, pd: number, n: number, s: number, back: boolean) {
  const len = n * s;
  if (!back) {
    const d = pd - ps;
    if (d <= 0 || d >= len) u8.copyWithin(pd, ps, ps + len);
    else if (d >= s) {
      // The destination starts inside the source: a forward copy repeats the first d bytes.
      u8.copyWithin(pd, ps, pd);
      for (let done = d; done < len; done *= 2) {
        u8.copyWithin(pd + done, pd, pd + Math.min(done, len - done));
      }
    } else for (let k = 0; k < len; k += s) u8.copyWithin(pd + k, ps + k, ps + k + s);
    return;
  }
  const lowS = ps - (n - 1) * s, lowD = pd - (n - 1) * s;
  const d = lowS - lowD;
  if (d <= 0 || d >= len) u8.copyWithin(lowD, lowS, lowS + len);
  else for (let k = len - s; k >= 0; k -= s) u8.copyWithin(lowD + k, lowS + k, lowS + k + s);
}

/** Fill `len` bytes at physical `p` with the `s`-byte value lo:hi repeated. */
function fillElements(cpu: Cpu, p: number, len: number, s: number, lo: number, hi: number) {
  const u8 = cpu.mem.u8;
  if (s === 1) {
    u8.fill(lo, p, p + len);
    return;
  }
  const dv = cpu.mem.dv;
  if (s === 2) dv.setUint16(p, lo, true);
  else {
    dv.setUint32(p, lo, true);
    if (s === 8) dv.setUint32(p + 4, hi, true);
  }
  for (let done = s; done < len; done *= 2) {
    u8.copyWithin(p + done, p, p + Math.min(done, len - done));
  }
}

/** REP MOVS (`isMovs`) or REP STOS at any element size and direction. */
export function repMovsStosBulk(cpu: Cpu, i: Insn, isMovs: boolean): void {
  const s = i.opsize;
  const budget = repBudget(cpu, i, BULK_BYTES / s);
  if (budget === 0) return;
  const back = (cpu.flagsBase & DF) !== 0;
  const step = back ? -s : s;
  const a32 = i.asize === 4;
  const srcBase = isMovs ? sourceBase(cpu, i) : 0;
  const srcStart = isMovs ? startAddress(cpu, i, RSI, srcBase) : 0;
  const dstStart = startAddress(cpu, i, RDI, 0);
  const srcOffset = cpu.r[RSI * 2], dstOffset = cpu.r[RDI * 2];
  const acc = cpu.getReg(RAX, s, i), accHi = cpu.hi;
  const mmu = cpu.mmu, mem = cpu.mem;
  let done = 0;
  try {
    while (done < budget) {
      const delta = done * step;
      const dst = elementAddress(i, dstStart, dstOffset, 0, delta);
      let n = Math.min(budget - done, fitInPage(dst, s, back));
      if (a32) n = Math.min(n, fitInOffset((dstOffset + delta) >>> 0, s, back));
      let src = 0;
      if (isMovs) {
        src = elementAddress(i, srcStart, srcOffset, srcBase, delta);
        n = Math.min(n, fitInPage(src, s, back));
        if (a32) n = Math.min(n, fitInOffset((srcOffset + delta) >>> 0, s, back));
      }
      if (n === 0) {
        // An element straddling a page boundary: the ordinary accessors split it.
        if (isMovs) {
          const v = cpu.readMem(src, s);
          cpu.writeMem(dst, s, v, cpu.hi);
        } else cpu.writeMem(dst, s, acc, accHi);
        done++;
        continue;
      }
      const ps = isMovs ? mmu.translate(src, ACCESS_READ) : 0;
      const pd = mmu.translate(dst, ACCESS_WRITE);
      const pdLow = back ? pd - (n - 1) * s : pd;
      if (isMovs) copyElements(mem.u8, ps, pd, n, s, back);
      else fillElements(cpu, pdLow, n * s, s, acc, accHi);
      mem.noteWrite(pdLow, n * s);
      done += n;
    }
  } finally {
    commit(cpu, i, done, step, isMovs, true);
  }
  restartIfCounting(cpu, i);
}

/** REPE/REPNE CMPSB (`isCmps`) or SCASB walking up (DF = 0). */
export function repCmpsScasBytes(cpu: Cpu, i: Insn, isCmps: boolean): void {
  const budget = repBudget(cpu, i, COMPARE_CHUNK);
  if (budget === 0) return;
  const a32 = i.asize === 4;
  const stopWhenEqual = i.rep === 2;
  const srcFirst = isCmps && !stopWhenEqual;
  const srcBase = isCmps ? sourceBase(cpu, i) : 0;
  const srcStart = isCmps ? startAddress(cpu, i, RSI, srcBase) : 0;
  const dstStart = startAddress(cpu, i, RDI, 0);
  const srcOffset = cpu.r[RSI * 2], dstOffset = cpu.r[RDI * 2];
  const al = cpu.r8[0];
  const mmu = cpu.mmu, u8 = cpu.mem.u8;
  let a = al, b = 0;
  let done = 0, ended = false;
  try {
    while (done < budget && !ended) {
      const dst = elementAddress(i, dstStart, dstOffset, 0, done);
      let n = Math.min(budget - done, 4096 - (dst & 4095));
      if (a32) n = Math.min(n, TWO32 - ((dstOffset + done) >>> 0));
      let src = 0;
      if (isCmps) {
        src = elementAddress(i, srcStart, srcOffset, srcBase, done);
        n = Math.min(n, 4096 - (src & 4095));
        if (a32) n = Math.min(n, TWO32 - ((srcOffset + done) >>> 0));
      }
      // CMPSB reads ES:rDI before DS:rSI, except under REPE (as the host CPU does).
      let ps = srcFirst ? mmu.translate(src, ACCESS_READ) : 0;
      const pd = mmu.translate(dst, ACCESS_READ);
      if (isCmps && !srcFirst) ps = mmu.translate(src, ACCESS_READ);
      let k = 0;
      if (isCmps) {
        while (k < n) {
          a = u8[ps + k];
          b = u8[pd + k++];
          if ((a === b) === stopWhenEqual) {
            ended = true;
            break;
          }
        }
      } else if (stopWhenEqual) {
        const at = u8.subarray(pd, pd + n).indexOf(al);
        ended = at >= 0;
        k = ended ? at + 1 : n;
        b = u8[pd + k - 1];
      } else {
        while (k < n) {
          b = u8[pd + k++];
          if (b !== al) {
            ended = true;
            break;
          }
        }
      }
      done += k;
    }
  } finally {
    if (done > 0) compareFlags(cpu, 1, a, 0, b, 0);
    commit(cpu, i, done, 1, isCmps, true);
  }
  if (!ended) restartIfCounting(cpu, i);
}
