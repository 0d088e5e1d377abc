// Random x87 test cases (states full of edge values, every form of the x87 table with a memory
// operand at [rsi]) and the comparison of host and emulator outcomes. Used by x87_test.ts; run
// directly for a longer differential run against the host:
//   deno run -A tests/cpu/x87_fuzz.ts [cases-per-form] [mnemonic] [--unmasked] [--pending]
//     [--strict (compare undefined C0-C3 too)] [--seed=N]

import { X87_FORMS } from "../../core/cpu/ops/x87.ts";
import type { FormSpec } from "../../core/cpu/insn.ts";
import { parseForm } from "../../core/cpu/decoder.ts";
import { runEmu, runHost, type X87Case, type X87Outcome } from "./x87_host.ts";

/** Small deterministic PRNG (xorshift32). */
export class Rng {
  constructor(private s: number) {}
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  big64(): bigint {
    return (BigInt(this.next()) << 32n) | BigInt(this.next());
  }
}

const TOP = 1n << 63n;

/** A random 80-bit value biased toward edge cases: [sign/exponent word, significand]. */
export function randomF80(rng: Rng): [number, bigint] {
  const sign = rng.int(2) << 15;
  const sig = () => TOP | (rng.big64() & (TOP - 1n));
  switch (rng.int(16)) {
    case 0:
      return [sign, 0n];
    case 1:
      return [sign, rng.big64() >> BigInt(rng.int(64))]; // denormal / pseudo-denormal
    case 2:
      return [sign | 0x7fff, TOP];
    case 3:
      return [sign | 0x7fff, TOP | QUIET | (rng.big64() & (QUIET - 1n))];
    case 4:
      return [sign | 0x7fff, TOP | ((rng.big64() & (QUIET - 1n)) || 1n)];
    case 5:
      return [sign | (1 + rng.int(0x7ffe)), rng.big64() & (TOP - 1n)]; // unnormal
    case 6:
      return [sign | rng.pick([1, 2, 0x7ffe, 0x7ffd, 0x3fff + 63, 0x3fff + 62]), sig()];
    case 7:
      return [sign | (0x3fff + rng.int(3) - 1), rng.pick([TOP, TOP | (1n << 62n), sig()])];
    case 8:
      return [sign | (0x3fff + rng.int(130) - 65), sig()];
    case 9: {
      // an integer-valued or short value
      const bits = BigInt(rng.int(64) + 1);
      return [
        sign | (0x3fff + Number(bits) - 1),
        TOP | ((rng.big64() >> (64n - bits)) << (64n - bits) & (TOP - 1n)),
      ];
    }
    default:
      return [sign | (0x3fff + rng.int(40) - 20), sig()];
  }
}
const QUIET = 1n << 62n;

function f80Bytes(se: number, sig: bigint): number[] {
  const out: number[] = [];
  for (let k = 0; k < 8; k++) out.push(Number((sig >> BigInt(8 * k)) & 0xffn));
  out.push(se & 0xff, se >> 8);
  return out;
}

/** A random FRSTOR image (with `pending`: an unmasked exception is pending, ES set). */
export function randomImage(
  rng: Rng,
  opts: { unmasked?: boolean; pending?: boolean } = {},
): Uint8Array {
  const img = new Uint8Array(108);
  const dv = new DataView(img.buffer);
  let cw = 0x037f;
  cw = (cw & ~0xf00) | (rng.int(4) << 10) | (rng.pick([0, 1, 2, 3, 3, 3]) << 8);
  if (opts.unmasked) cw = (cw & ~0x3f) | rng.int(64);
  let flags = rng.int(64) & cw & 0x3f;
  if (opts.pending) {
    const bit = 1 << rng.int(6);
    cw &= ~bit;
    flags |= bit | 0x80;
  }
  const cc = rng.int(16);
  const top = rng.int(8);
  const sw = flags | (top << 11) | ((cc & 7) << 8) | ((cc & 8) << 11);
  let tw = 0;
  for (let p = 0; p < 8; p++) if (rng.int(6) === 0) tw |= 3 << (2 * p);
  dv.setUint16(0, cw, true);
  dv.setUint16(4, sw, true);
  dv.setUint16(8, tw, true);
  dv.setUint32(12, rng.next(), true);
  dv.setUint32(16, rng.next() & 0x07ffffff, true);
  dv.setUint32(20, rng.next() | 0x3f, true); // FDP low bits 0x3f: never a data-area address
  dv.setUint16(24, rng.next() & 0xffff, true);
  for (let i = 0; i < 8; i++) {
    const [se, sig] = randomF80(rng);
    img.set(f80Bytes(se, sig), 28 + 10 * i);
  }
  return img;
}

/** Random bytes for a memory operand of `size` bytes, biased toward meaningful values. */
export function randomMem(rng: Rng, size: number): Uint8Array {
  const out = new Uint8Array(Math.max(size, 16));
  for (let k = 0; k < out.length; k++) out[k] = rng.int(256);
  const v = (x: bigint, n: number) => {
    for (let k = 0; k < n; k++) out[k] = Number((x >> BigInt(8 * k)) & 0xffn);
  };
  const kind = rng.int(8);
  if (size === 4 && kind < 5) {
    v(
      BigInt(
        rng.pick([
          0,
          0x80000000,
          0x7f800000,
          0xff800000,
          0x7fc00000,
          0x7f800001,
          0x00000001,
          0x007fffff,
          0x3f800000,
          0x4b000000 | rng.int(1 << 23),
          (rng.int(2) << 31) | (rng.int(256) << 23) | rng.int(1 << 23),
        ]),
      ),
      4,
    );
  } else if (size === 8 && kind < 5) {
    const e = BigInt(rng.pick([0, 0x7ff, 1, 0x3ff, 0x3ff + rng.int(70), rng.int(0x800)]));
    const frac = rng.pick([0n, 1n, rng.big64() & ((1n << 52n) - 1n), 1n << 51n]);
    v((BigInt(rng.int(2)) << 63n) | (e << 52n) | frac, 8);
  } else if (size === 2 && kind < 3) {
    v(BigInt(rng.pick([0, 0x8000, 0x7fff, 1, 0xffff])), 2);
  } else if (size === 10 && kind < 6) {
    if (kind < 3) {
      // valid BCD
      for (let k = 0; k < 9; k++) out[k] = (rng.int(10) << 4) | rng.int(10);
      out[9] = rng.int(2) << 7;
    } else {
      const [se, sig] = randomF80(rng);
      out.set(f80Bytes(se, sig));
    }
  }
  return out;
}

/** Memory size of a form's operand. */
function memSize(spec: FormSpec): number {
  const a = spec.args.split(",")[0];
  return a === "Mw" ? 2 : a === "Md" ? 4 : a === "Mq" ? 8 : a === "Mt" ? 10 : 108;
}

/** Encode one instance of a form with its memory operand at [rsi]. */
export function encode(spec: FormSpec, rng: Rng): number[] {
  const f = parseForm(spec, 0);
  if (!f.hasModrm) return [f.opcode];
  if (f.modrmByte >= 0) return [f.opcode, f.modrmByte];
  // Operand-size forms (the environment images) get a 66 prefix half the time.
  const prefix = f.sizeRule === 1 && rng.int(2) ? [0x66] : [];
  if (f.modReq === 1) return [...prefix, f.opcode, (f.ext << 3) | 6];
  return [f.opcode, 0xc0 | (f.ext << 3) | rng.int(8)];
}

export function randomCase(
  spec: FormSpec,
  rng: Rng,
  opts: { unmasked?: boolean; pending?: boolean } = {},
): X87Case {
  const code = encode(spec, rng);
  const isMem = parseForm(spec, 0).modReq === 1;
  const size = memSize(spec);
  let mem = isMem ? randomMem(rng, size) : new Uint8Array(16);
  if (isMem && size === 108) mem = new Uint8Array(randomImage(rng));
  // Now and then the operand crosses into the unmapped page after the data area (#PF).
  const offset = isMem && rng.int(12) === 0 ? 8192 - 1 - rng.int(Math.min(size, 28)) : 0;
  return {
    code,
    image: randomImage(rng, opts),
    mem,
    offset,
    rflags: 0x202 | (rng.int(2) ? 1 : 0) | (rng.int(2) ? 0x40 : 0) | (rng.int(2) ? 4 : 0) |
      (rng.int(2) ? 0x880 : 0),
    rax: rng.big64(),
  };
}

/** Fields of an FNSAVE image worth comparing (the pointers FIP/FDP/FCS/FDS are host-specific). */
function describeImage(img: Uint8Array): Record<string, string> {
  const dv = new DataView(img.buffer, img.byteOffset);
  const out: Record<string, string> = {
    cw: dv.getUint16(0, true).toString(16),
    sw: dv.getUint16(4, true).toString(16),
    tw: dv.getUint16(8, true).toString(16),
    fop: (dv.getUint16(18, true) & 0x7ff).toString(16),
    fcs: dv.getUint16(16, true).toString(16),
    fds: dv.getUint16(24, true).toString(16),
    fdpLow: (dv.getUint32(20, true) & 0x3f).toString(16),
  };
  for (let i = 0; i < 8; i++) {
    out[`st${i}`] = Array.from(img.subarray(28 + 10 * i, 38 + 10 * i)).reverse()
      .map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  return out;
}

/** Normalized view of an FXSAVE image the host kernel saved at a fault. */
function describeFxsave(img: Uint8Array): Record<string, string> {
  const dv = new DataView(img.buffer, img.byteOffset);
  const out: Record<string, string> = {
    cw: dv.getUint16(0, true).toString(16),
    sw: dv.getUint16(2, true).toString(16),
    ftw: img[4].toString(16),
    fop: (dv.getUint16(6, true) & 0x7ff).toString(16),
  };
  for (let i = 0; i < 8; i++) {
    out[`st${i}`] = Array.from(img.subarray(32 + 16 * i, 42 + 16 * i)).reverse()
      .map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  return out;
}

/** Position of a finite 80-bit value (20 hex digits) on the ladder of representable values. */
function ulpIndex(hex: string): bigint {
  const exp = BigInt(parseInt(hex.slice(0, 4), 16) & 0x7fff);
  const sig = BigInt("0x" + hex.slice(4));
  return exp === 0n ? sig : (exp << 63n) + (sig & ((1n << 63n) - 1n));
}

export interface Mismatch {
  field: string;
  host: string;
  emu: string;
}

/**
 * Differences between host and emulator. `swMask` removes undefined status bits; `ulps` allows
 * that much difference in the significand of ST(0)/ST(1) when both have the same exponent.
 */
export function diff(
  host: X87Outcome,
  emu: X87Outcome,
  opts: { swMask?: number; ulps?: number; fop?: boolean } = {},
): Mismatch[] {
  const out: Mismatch[] = [];
  if (host.signal !== emu.signal || host.faultOffset !== emu.faultOffset) {
    out.push({
      field: "signal",
      host: `${host.signal}@${host.faultOffset}`,
      emu: `${emu.signal}@${emu.faultOffset}`,
    });
    return out;
  }
  let h: Record<string, string>, e: Record<string, string>;
  if (host.signal) {
    // The state at the fault: the host kernel's FXSAVE-format copy.
    h = describeFxsave(host.faultImage!);
    e = describeFxsave(emu.faultImage!);
  } else {
    h = describeImage(host.image!);
    e = describeImage(emu.image!);
  }
  if (opts.fop === false) {
    delete h.fop;
    delete e.fop;
  }
  const mask = ~(opts.swMask ?? 0) & 0xffff;
  h.sw = (parseInt(h.sw, 16) & mask).toString(16);
  e.sw = (parseInt(e.sw, 16) & mask).toString(16);
  for (const k of Object.keys(h)) {
    if (h[k] === e[k]) continue;
    if (opts.ulps && k.startsWith("st") && h[k][0] === e[k][0]) {
      const d = ulpIndex(h[k]) - ulpIndex(e[k]);
      if ((d < 0n ? -d : d) <= BigInt(opts.ulps)) continue;
    }
    out.push({ field: k, host: h[k], emu: e[k] });
  }
  if (host.rax !== emu.rax) {
    out.push({ field: "rax", host: host.rax.toString(16), emu: emu.rax.toString(16) });
  }
  if ((host.rflags & 0x8d5) !== (emu.rflags & 0x8d5)) {
    out.push({ field: "rflags", host: host.rflags.toString(16), emu: emu.rflags.toString(16) });
  }
  if (host.mem.join() !== emu.mem.join()) {
    const hx = Array.from(host.mem, (b) => b.toString(16).padStart(2, "0")).join("");
    const ex = Array.from(emu.mem, (b) => b.toString(16).padStart(2, "0")).join("");
    out.push({ field: "mem", host: hx, emu: ex });
  }
  return out;
}

/** Run `perForm` random cases of every form (optionally filtered) on both sides. */
export async function fuzz(
  perForm: number,
  seed: number,
  filter?: (spec: FormSpec) => boolean,
  opts: { unmasked?: boolean; strict?: boolean; pending?: boolean } = {},
): Promise<{ spec: FormSpec; c: X87Case; mismatches: Mismatch[] }[]> {
  const rng = new Rng(seed);
  const jobs: { spec: FormSpec; c: X87Case }[] = [];
  for (const spec of X87_FORMS) {
    if (filter && !filter(spec)) continue;
    for (let k = 0; k < perForm; k++) jobs.push({ spec, c: randomCase(spec, rng, opts) });
  }
  const hostOut = await runHost(jobs.map((j) => j.c));
  const failures = [];
  for (let k = 0; k < jobs.length; k++) {
    const { spec, c } = jobs[k];
    const emu = runEmu(c);
    const hint = spec.test ?? {};
    const mismatches = diff(hostOut[k], emu, {
      swMask: opts.strict ? 0 : hint.fswUndef as number | undefined,
      ulps: hint.ulps,
    });
    if (mismatches.length) failures.push({ spec, c, mismatches });
  }
  return failures;
}

const hexOf = (b: Uint8Array | number[]) =>
  Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

export function describeCase(c: X87Case): string {
  const img = describeImage(c.image);
  return `code=${hexOf(c.code)} ${JSON.stringify(img)} mem=${hexOf(c.mem ?? [])} rflags=${
    c.rflags?.toString(16)
  }`;
}

if (import.meta.main) {
  const per = Number(Deno.args[0] ?? 50);
  const name = Deno.args[1]?.startsWith("--") ? undefined : Deno.args[1];
  const unmasked = Deno.args.includes("--unmasked");
  const strict = Deno.args.includes("--strict");
  const pending = Deno.args.includes("--pending");
  const seed = Number(Deno.args.find((a) => a.startsWith("--seed="))?.slice(7) ?? 12345);
  const failures = await fuzz(per, seed, name ? (s) => s.mnem === name : undefined, {
    unmasked,
    strict,
    pending,
  });
  const byForm = new Map<string, number>();
  for (const f of failures) {
    const key = `${f.spec.op} ${f.spec.mnem} ${f.spec.args}`;
    const n = byForm.get(key) ?? 0;
    byForm.set(key, n + 1);
    if (n < 3) {
      console.log(`${key}: ${describeCase(f.c)}`);
      for (const m of f.mismatches) console.log(`   ${m.field}: host ${m.host} emu ${m.emu}`);
    }
  }
  console.log("failing forms:", [...byForm].map(([k, n]) => `${k} (${n})`).join("; ") || "none");
}
