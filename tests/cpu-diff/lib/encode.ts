// Builds one concrete encoding of a form: prefixes, REX, opcode, ModRM/SIB/displacement with a
// memory operand aimed at a chosen linear address, and immediates. Registers whose values the
// addressing depends on are returned as constraints for the input state.

import { getDecoder } from "../../../core/cpu/cpu.ts";
import type { Insn } from "../../../core/cpu/insn.ts";
import { type FormInfo, mandatoryPrefix, type Variant } from "./forms.ts";
import { GS_BASE, INSN_ADDR, LANDING } from "./layout.ts";
import type { Rng } from "./rng.ts";
import { countEdge, intEdge, type Pair } from "./values.ts";

export interface Encoding {
  bytes: Uint8Array;
  /** Register values the encoding relies on (addressing registers), by register number. */
  regs: Map<number, Pair>;
  /** The decoded instruction (proves the bytes select the intended form). */
  insn: Insn;
  /** Registers named by ModRM.reg / ModRM.rm / opcode (+r) with the encoding's REX. */
  hasRex: boolean;
}

const M64 = (1n << 64n) - 1n;
const M32 = (1n << 32n) - 1n;

function pairOf(v: bigint): Pair {
  const u = v & M64;
  return [Number(u & M32), Number(u >> 32n)];
}

function disp8Ok(d: bigint): boolean {
  return d >= -128n && d <= 127n;
}
function disp32Ok(d: bigint): boolean {
  return d >= -(1n << 31n) && d < (1n << 31n);
}

function pushLE(out: number[], v: bigint, n: number): void {
  let u = v & ((1n << BigInt(8 * n)) - 1n);
  for (let k = 0; k < n; k++) {
    out.push(Number(u & 0xffn));
    u >>= 8n;
  }
}

interface MemPlan {
  mod: number;
  rm: number; // 0-15 (REX.B applied)
  sib?: { scale: number; index: number; base: number }; // index 4 = none, base 5 w/ mod 0 = none
  disp: bigint;
  dispSize: number; // 0, 1, 4
  ripRelative: boolean;
  regs: Map<number, Pair>;
}

/** Addressing that makes the operand land on `eff` (already relative to the segment base). */
function planMemory(rng: Rng, eff: bigint, asize32: boolean, fault: boolean): MemPlan {
  const wrap = asize32 ? M32 : M64;
  const regs = new Map<number, Pair>();
  const regVal = (r: number, v: bigint) => {
    let full = v & wrap;
    if (asize32) full |= BigInt(rng.u32()) << 32n; // upper halves are ignored: make them noise
    regs.set(r, pairOf(full));
  };
  const canDirect = eff >= 0n && eff < (1n << 31n) && !fault;
  const mode = canDirect ? rng.below(10) : rng.below(6);
  if (mode === 8) { // RIP-relative: the displacement is patched once the length is known
    return { mod: 0, rm: 5, disp: eff, dispSize: 4, ripRelative: true, regs };
  }
  if (mode === 9) { // [disp32] through SIB with neither base nor index
    return {
      mod: 0,
      rm: 4,
      sib: { scale: rng.below(4), index: 4, base: 5 },
      disp: eff,
      dispSize: 4,
      ripRelative: false,
      regs,
    };
  }
  const useSib = mode >= 4;
  let base = rng.below(16);
  let dispSize = rng.pick([0, 1, 1, 4]);
  let disp = dispSize === 0
    ? 0n
    : dispSize === 1
    ? BigInt(rng.range(-128, 127))
    : BigInt(rng.chance(0.5) ? rng.range(-4096, 4096) : rng.u32() | 0);
  if (base === 4 && !useSib) base = rng.chance(0.5) ? 0 : 12; // rm=100 means SIB
  if (!useSib) {
    if ((base & 7) === 5 && dispSize === 0) {
      dispSize = 1;
      disp = 0n;
    }
    regVal(base, eff - disp);
    return {
      mod: dispSize === 0 ? 0 : dispSize === 1 ? 1 : 2,
      rm: base,
      disp,
      dispSize,
      ripRelative: false,
      regs,
    };
  }
  const scale = rng.below(4);
  let index = rng.below(16);
  if (index === 4) index = -1; // none
  const noBase = mode === 5 && index >= 0;
  if (noBase) {
    // [index*scale + disp32]
    const m = 1n << BigInt(scale);
    let idx = (eff - disp) / m;
    if (!disp32Ok(eff - idx * m)) idx = eff / m;
    regVal(index, idx);
    return {
      mod: 0,
      rm: 4,
      sib: { scale, index, base: 5 },
      disp: eff - idx * m,
      dispSize: 4,
      ripRelative: false,
      regs,
    };
  }
  if (base === 4) {
    // RSP doubles as the stack pointer: keep it next to the operand, inside the data region.
    index = -1;
    dispSize = 1;
    disp = BigInt(rng.range(-128, 127));
  }
  if ((base & 7) === 5 && dispSize === 0) {
    dispSize = 1;
    disp = 0n;
  }
  if (index < 0) {
    regVal(base, eff - disp);
  } else if (index === base) {
    const m = 1n + (1n << BigInt(scale));
    const x = (eff - disp) / m;
    disp = eff - x * m;
    if (!disp8Ok(disp)) dispSize = 4;
    else if (dispSize === 0 && disp !== 0n) dispSize = 1;
    regVal(base, x);
  } else {
    const idx = rng.chance(0.2)
      ? BigInt.asIntN(64, (BigInt(rng.u32()) << 32n) | BigInt(rng.u32()))
      : BigInt(rng.range(-600, 600));
    regVal(index, idx);
    regVal(base, eff - disp - idx * (1n << BigInt(scale)));
  }
  return {
    mod: dispSize === 0 ? 0 : dispSize === 1 ? 1 : 2,
    rm: 4,
    sib: { scale, index: index < 0 ? 4 : index, base },
    disp,
    dispSize,
    ripRelative: false,
    regs,
  };
}

export interface EncodeRequest {
  info: FormInfo;
  variant: Variant;
  /** Linear address of the memory operand (for memory variants and moffs forms). */
  target: number | bigint;
  /** A fault-provoking target (non-canonical): forces register-based addressing. */
  faultTarget: boolean;
  /** Use a GS segment override on the memory operand. */
  gs: boolean;
}

/** Operand width that counts must not exceed (the `count: "width"` hint), else 0. */
export function countWidth(info: FormInfo, v: Variant): number {
  return info.form.spec.test?.count === "width" ? v.opsize * 8 : 0;
}

const COUNT_MNEM = /^(sh|sa|ro|rc|bt|ps[lr]l|psra|shld|shrd|ps[rl]ldq)/;

/** Build the bytes; returns null when the random choices do not select the form. */
export function encodeOnce(rng: Rng, req: EncodeRequest): Encoding | null {
  const { info, variant: v } = req;
  const f = info.form;
  const prefixes: number[] = [];
  // LOCK where it is not allowed (register operand, or a form without "lock") must be #UD.
  const badLock = !f.vex && f.hasModrm && f.modrmByte < 0 &&
    rng.chance(f.lock && !v.mem ? 0.05 : v.mem && !f.lock ? 0.02 : 0);
  if (v.lock || badLock) prefixes.push(0xf0);
  if (req.gs) prefixes.push(0x65);
  else if (rng.chance(0.04)) prefixes.push(rng.pick([0x26, 0x2e, 0x36, 0x3e])); // ignored in 64-bit mode
  if (v.asize32) prefixes.push(0x67);
  // 66 is also added (as noise) where REX.W already makes the operand 64-bit.
  if (v.p66 || (v.w === 1 && f.sizeRule === 1 && f.prefix < 0 && !f.vex && rng.chance(0.25))) {
    prefixes.push(0x66);
  }
  if (v.rep) prefixes.push(v.rep);
  const mp = f.vex ? 0 : mandatoryPrefix(f);
  if (mp) prefixes.push(mp);

  let rexW = v.w === 1 ? 1 : 0;
  if (v.w === -1 && rng.chance(0.2)) rexW = 1;
  let rexR = 0, rexX = 0, rexB = 0;
  const body: number[] = [];
  if (!f.vex) {
    if (f.map >= 1) body.push(0x0f);
    if (f.map === 2) body.push(0x38);
    if (f.map === 3) body.push(0x3a);
  }
  let opcode = f.opcode;
  if (f.plusCC) opcode += rng.below(16);
  if (f.plusR) {
    const r = rng.below(16);
    opcode += r & 7;
    rexB = r >> 3;
  }
  body.push(opcode);

  let plan: MemPlan | null = null;
  if (f.hasModrm) {
    if (f.modrmByte >= 0) body.push(f.modrmByte);
    else {
      let reg = f.ext >= 0 ? f.ext : rng.below(16);
      if (f.ext >= 0 && rng.chance(0.3)) reg |= 8; // REX.R must not matter for /digit forms
      rexR = reg >> 3;
      if (!v.mem) {
        const rm = rng.below(16);
        rexB = rm >> 3;
        body.push(0xc0 | ((reg & 7) << 3) | (rm & 7));
      } else {
        const eff = BigInt(req.target) - (req.gs ? BigInt(GS_BASE) : 0n);
        plan = planMemory(rng, eff, v.asize32, req.faultTarget);
        rexB = (plan.sib ? plan.sib.base : plan.rm) >> 3;
        if (plan.sib) rexX = plan.sib.index >> 3;
        body.push((plan.mod << 6) | ((reg & 7) << 3) | (plan.rm & 7));
        if (plan.sib) {
          body.push((plan.sib.scale << 6) | ((plan.sib.index & 7) << 3) | (plan.sib.base & 7));
        }
      }
    }
  }
  const dispAt = body.length;
  if (plan && plan.dispSize) pushLE(body, plan.disp, plan.dispSize);

  // Immediates, in operand order.
  const immArgs = info.args.filter((a) => /^[IJO]/.test(a));
  const relPatches: { at: number; size: number }[] = [];
  f.imms.forEach((kind, n) => {
    const arg = immArgs[n] ?? "I";
    let size = kind;
    if (kind === -2) size = v.opsize === 2 ? 2 : 4;
    else if (kind === -8) size = v.opsize;
    else if (kind === -9) size = v.asize32 ? 4 : 8;
    if (arg[0] === "J") {
      relPatches.push({ at: body.length, size });
      pushLE(body, 0n, size);
    } else if (arg[0] === "O") {
      const eff = BigInt(req.target) - (req.gs ? BigInt(GS_BASE) : 0n);
      pushLE(body, eff, size);
    } else if (n === 0 && COUNT_MNEM.test(info.mnem) && size === 1) {
      body.push(countEdge(rng, countWidth(info, v)));
    } else if (info.mnem === "enter" && rng.chance(0.8)) {
      // Frames that fit the data region, nesting levels 0-3.
      const frame = rng.range(0, 0x3f) * 8;
      body.push(...(n === 0 ? [frame & 0xff, frame >> 8] : [rng.range(0, 3)]));
    } else if (info.mnem === "int" && size === 1) {
      body.push(rng.pick([3, 4, 0x0d, 0x21, 0x81, 0xff])); // never 0x80 (a real system call)
    } else {
      const [lo, hi] = intEdge(rng, size * 8);
      pushLE(body, (BigInt(hi) << 32n) | BigInt(lo), size);
    }
  });

  let rex: number[];
  let withRex: boolean;
  if (f.vex) {
    // VEX replaces REX, the 0F escape bytes and the mandatory prefix.
    const vvvv = f.usesVvvv ? rng.below(16) : 0;
    const l = f.vexL >= 0 ? f.vexL : rng.below(2);
    const pp = f.prefix > 0 ? f.prefix : 0;
    const tail = ((~vvvv & 15) << 3) | (l << 2) | pp;
    if (f.map === 1 && !rexX && !rexB && !rexW && rng.chance(0.5)) {
      rex = [0xc5, ((rexR ^ 1) << 7) | tail];
    } else {
      rex = [
        0xc4,
        ((rexR ^ 1) << 7) | ((rexX ^ 1) << 6) | ((rexB ^ 1) << 5) | f.map,
        (rexW << 7) | tail,
      ];
    }
    withRex = true;
  } else {
    withRex = (rexW | rexR | rexX | rexB) !== 0 || rng.chance(0.3);
    rex = withRex ? [0x40 | (rexW << 3) | (rexR << 2) | (rexX << 1) | rexB] : [];
  }
  const bytes = new Uint8Array([...prefixes, ...rex, ...body]);
  if (bytes.length > 15) return null;
  const head = prefixes.length + rex.length;
  const next = BigInt(INSN_ADDR + bytes.length);
  const dv = new DataView(bytes.buffer);
  if (plan?.ripRelative) {
    const eff = BigInt(req.target) - (req.gs ? BigInt(GS_BASE) : 0n);
    const d = eff - next;
    if (!disp32Ok(d)) return null;
    dv.setInt32(head + dispAt, Number(d), true);
  }
  for (const p of relPatches) {
    const rel = BigInt(LANDING) - next;
    if (p.size === 1) {
      if (!disp8Ok(rel)) return null;
      dv.setInt8(head + p.at, Number(rel));
    } else if (p.size === 2) dv.setInt16(head + p.at, Number(rel), true);
    else dv.setInt32(head + p.at, Number(rel), true);
  }

  let insn: Insn;
  try {
    insn = (info.decoder ?? getDecoder()).decode(
      (a) => (a - INSN_ADDR < bytes.length ? bytes[a - INSN_ADDR] : 0x90),
      INSN_ADDR,
    );
  } catch {
    return null;
  }
  if (insn.form !== f || insn.len !== bytes.length) return null;
  return { bytes, regs: plan?.regs ?? new Map(), insn, hasRex: withRex };
}
