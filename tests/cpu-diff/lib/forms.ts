// What the generator knows about each table form: a stable key, whether it can run natively,
// its operand-size / ModRM / prefix variants, the size of its memory operand and how many
// vectors each variant gets. Everything here is derived from the parsed Form alone.

import type { Decoder } from "../../../core/cpu/decoder.ts";
import type { Form } from "../../../core/cpu/insn.ts";
import { PFX_66, PFX_F2, PFX_F3, PFX_NONE } from "../../../core/cpu/insn.ts";

export interface Variant {
  name: string;
  /** Operand size the decoder will compute: 1, 2, 4 or 8. */
  opsize: number;
  /** Emit 66 as an operand-size prefix (never the mandatory one). */
  p66: boolean;
  /** REX.W: 0 or 1 forced, -1 free (random noise the form must ignore or decode as itself). */
  w: number;
  /** The ModRM operand names memory. */
  mem: boolean;
  lock: boolean;
  /** A REP prefix byte (0xF3/0xF2) that is not the form's mandatory prefix, or 0. */
  rep: number;
  /** 67 prefix: 32-bit addressing. */
  asize32: boolean;
}

export interface FormInfo {
  form: Form;
  key: string;
  mnem: string;
  args: string[];
  variants: Variant[];
  perVariant: number;
  /** Set when the form is not run natively. */
  skip?: string;
  /** Implicit memory through RSI/RDI (string instructions). */
  stringOp: boolean;
  /** XLAT-style implicit [RBX+AL]. */
  usesRbxPointer: boolean;
  /** The decoder the form belongs to (default: the table's). */
  decoder?: Decoder;
}

/**
 * Vectors per variant. A variant is an instruction form in Intel XED's sense (an "iform"): the
 * table row at one operand size with register or memory operands, LOCK, REP or 32-bit
 * addressing; `cpu-diff` counts forms this way.
 */
export const VECTORS_PER_VARIANT = 100;

/** Forms that must never run natively with random inputs, whatever the table says. */
const UNSAFE = /^(syscall|sysenter|sysexit|sysret|vmcall|vmmcall)$/;
const STRING_MNEM = /^(rep)?(movs|cmps|scas|lods|stos|ins|outs)/;

export function formKey(f: Form): string {
  const s = f.spec;
  return [s.mnem, s.op, s.args, s.attrs ?? ""].map((x) => x.trim().replace(/\s+/g, " ")).join("|");
}

export function splitArgs(args: string): string[] {
  return args ? args.split(",").map((a) => a.trim()).filter(Boolean) : [];
}

/** Does REX.W change this form's meaning (y-sized operands)? */
function wSelectsSize(args: string[]): boolean {
  return args.some((a) => /^[EGMRZ]y$/.test(a));
}

function variantsOf(f: Form, info: { stringOp: boolean; args: string[] }): Variant[] {
  const sizes: { opsize: number; p66: boolean; w: number }[] = [];
  const noSixtySix = f.prefix === PFX_NONE || f.prefix === PFX_66;
  const forcedW = f.wReq === 1 ? 0 : f.wReq === 2 ? 1 : -1;
  switch (f.sizeRule) {
    case 0:
      sizes.push({ opsize: 1, p66: false, w: forcedW });
      break;
    case 1:
      if (f.prefix === PFX_66) {
        if (forcedW !== 1) sizes.push({ opsize: 2, p66: false, w: 0 });
        if (forcedW !== 0) sizes.push({ opsize: 8, p66: false, w: 1 });
        break;
      }
      if (!noSixtySix && forcedW !== 1) sizes.push({ opsize: 2, p66: true, w: 0 });
      if (forcedW !== 1) sizes.push({ opsize: 4, p66: false, w: 0 });
      if (forcedW !== 0) sizes.push({ opsize: 8, p66: false, w: 1 });
      break;
    case 2:
      sizes.push({ opsize: 8, p66: false, w: forcedW });
      if (!noSixtySix && forcedW !== 1) sizes.push({ opsize: 2, p66: true, w: 0 });
      break;
    case 3:
      sizes.push({ opsize: 8, p66: false, w: forcedW });
      break;
    default:
      if (wSelectsSize(info.args)) {
        if (forcedW !== 1) sizes.push({ opsize: 4, p66: false, w: 0 });
        if (forcedW !== 0) sizes.push({ opsize: 8, p66: false, w: 1 });
      } else {
        // REX.W is noise here, but the decoder reports opsize 8 with it: keep W clear so the
        // nominal operand size is right, and add W noise only where the form forces nothing.
        sizes.push({ opsize: forcedW === 1 ? 8 : 4, p66: false, w: forcedW === -1 ? 0 : forcedW });
      }
  }
  const out: Variant[] = [];
  const hasModrmOperand = f.hasModrm && f.modrmByte < 0;
  const hasMoffs = info.args.some((a) => /^O/.test(a));
  for (const s of sizes) {
    const size = `o${s.opsize * 8}`;
    const base = { ...s, mem: false, lock: false, rep: 0, asize32: false };
    if (hasModrmOperand) {
      if (f.modReq !== 1) out.push({ ...base, name: `${size} reg` });
      if (f.modReq !== 2) {
        out.push({ ...base, mem: true, name: `${size} mem` });
        if (f.lock) out.push({ ...base, mem: true, lock: true, name: `${size} mem lock` });
      }
    } else if (info.stringOp) {
      out.push({ ...base, mem: true, name: `${size}` });
      if (f.rep && f.prefix < 0) {
        out.push({ ...base, mem: true, rep: 0xf3, name: `${size} rep` });
        out.push({ ...base, mem: true, rep: 0xf2, name: `${size} repne` });
        out.push({ ...base, mem: true, rep: 0xf3, asize32: true, name: `${size} rep a32` });
      }
    } else if (hasMoffs) {
      out.push({ ...base, mem: true, name: `${size} moffs64` });
      out.push({ ...base, mem: true, asize32: true, name: `${size} moffs32` });
    } else {
      out.push({ ...base, name: size });
      if (/^(loop|j[er]?cxz)/.test(f.spec.mnem)) {
        out.push({ ...base, asize32: true, name: `${size} a32` });
      }
    }
  }
  return out;
}

export function describeForm(f: Form): FormInfo {
  const spec = f.spec;
  const args = splitArgs(spec.args);
  const stringOp = !f.hasModrm && (f.rep || STRING_MNEM.test(spec.mnem));
  const info: FormInfo = {
    form: f,
    key: formKey(f),
    mnem: spec.mnem,
    args,
    variants: [],
    perVariant: VECTORS_PER_VARIANT,
    stringOp,
    usesRbxPointer: /^xlat/.test(spec.mnem),
  };
  if (spec.test?.skip) info.skip = String(spec.test.skip);
  else if (UNSAFE.test(spec.mnem)) info.skip = "unsafe to run natively";
  info.variants = variantsOf(f, info);
  return info;
}

/** Describe every form of the table; duplicate keys get a "#n" suffix. */
export function describeForms(forms: readonly Form[], decoder?: Decoder): FormInfo[] {
  const seen = new Map<string, number>();
  return forms.map((f) => {
    const info = describeForm(f);
    info.decoder = decoder;
    const n = (seen.get(info.key) ?? 0) + 1;
    seen.set(info.key, n);
    if (n > 1) info.key += `#${n}`;
    return info;
  });
}

/** Mandatory prefix byte of a form, or 0. */
export function mandatoryPrefix(f: Form): number {
  return f.prefix === PFX_66 ? 0x66 : f.prefix === PFX_F3 ? 0xf3 : f.prefix === PFX_F2 ? 0xf2 : 0;
}

/** Bytes of the memory operand for a variant (from the operand notation; 16 when unknown). */
export function memOperandSize(info: FormInfo, v: Variant): number {
  const hint = info.form.spec.test?.memSize;
  if (typeof hint === "number") return hint;
  if (/^f?x(save|rstor)/.test(info.mnem)) return 512;
  if (/^f?n?(save|rstor)$/.test(info.mnem)) return 108;
  if (/^f?n?(stenv|ldenv)$/.test(info.mnem)) return 28;
  const arg = info.args.find((a) => /^[EMWQOXY]/.test(a) && a !== "M") ??
    (info.stringOp ? "Xv" : undefined);
  if (!arg) return 16;
  const sz = arg.slice(1);
  switch (sz) {
    case "b":
      return 1;
    case "w":
      return 2;
    case "d":
    case "ss":
      return 4;
    case "q":
    case "sd":
      return 8;
    case "t":
      return 10;
    case "v":
    case "y":
      return v.opsize;
    case "z":
      return Math.min(v.opsize, 4);
    case "p": // far pointer
      return v.opsize + 2;
    case "":
      return info.stringOp ? v.opsize : 16;
    default:
      return 16;
  }
}
