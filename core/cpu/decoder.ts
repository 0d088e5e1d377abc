// The decoder: legacy prefixes, REX, VEX (C4/C5), opcode maps 0F/0F38/0F3A, ModRM/SIB/
// displacement and immediates, driven entirely by the form table (core/cpu/table.ts). Undefined
// encodings decode to an instruction that raises #UD when executed, so prefetching a block never
// faults early.

import {
  BASE_RIP,
  type Form,
  type FormSpec,
  type Handler,
  Insn,
  PFX_66,
  PFX_F2,
  PFX_F3,
  PFX_NONE,
  SEG_FS,
  SEG_GS,
} from "./insn.ts";
import { CpuException, VEC_GP, VEC_UD } from "./exceptions.ts";

/** Reads one code byte at a linear address (throws #PF through the MMU). */
export type FetchByte = (addr: number) => number;

const IMM_Z = -2;
const IMM_V = -8;
const IMM_MOFFS = -9;

function raiseUD(): never {
  throw new CpuException(VEC_UD);
}
const udHandler: Handler = () => raiseUD();

/** Parse a FormSpec into the decoder's view of it. */
export function parseForm(spec: FormSpec, id: number): Form {
  const tokens = spec.op.trim().split(/\s+/);
  let prefix = -1;
  let t = 0;
  let map = 0;
  const vex = tokens[0].startsWith("VEX.");
  let vexL = -1;
  let vexW = 0;
  if (vex) {
    prefix = PFX_NONE;
    for (const part of tokens[0].split(".").slice(1)) {
      const field = VEX_FIELDS[part];
      if (!field) throw new Error(`bad VEX field ${part} in form ${spec.op}`);
      if (field[0] === "L") vexL = field[1];
      else if (field[0] === "pp") prefix = field[1];
      else if (field[0] === "map") map = field[1];
      else vexW = field[1];
    }
    if (map === 0) throw new Error(`VEX form ${spec.op} names no opcode map`);
    t = 1;
  } else if (
    tokens.length > 1 &&
    (tokens[0] === "NP" || tokens[0] === "66" || tokens[0] === "F2" || tokens[0] === "F3")
  ) {
    prefix = { NP: PFX_NONE, "66": PFX_66, F3: PFX_F3, F2: PFX_F2 }[tokens[0]]!;
    t = 1;
  }
  if (!vex && tokens[t] === "0F") {
    map = 1;
    t++;
    if (tokens[t] === "38" && tokens.length > t + 1 && !tokens[t + 1].startsWith("/")) {
      map = 2;
      t++;
    } else if (tokens[t] === "3A" && tokens.length > t + 1 && !tokens[t + 1].startsWith("/")) {
      map = 3;
      t++;
    }
  }
  let opTok = tokens[t++];
  let plusR = false;
  let plusCC = false;
  if (opTok.endsWith("+r")) {
    plusR = true;
    opTok = opTok.slice(0, -2);
  } else if (opTok.endsWith("+cc")) {
    plusCC = true;
    opTok = opTok.slice(0, -3);
  }
  const opcode = parseInt(opTok, 16);
  if (!(opcode >= 0 && opcode <= 255)) throw new Error(`bad opcode in form ${spec.op}`);
  let ext = -1;
  let modrmByte = -1;
  let hasModrm = false;
  for (; t < tokens.length; t++) {
    const tok = tokens[t];
    if (tok === "/r") hasModrm = true;
    else if (/^\/[0-7]$/.test(tok)) {
      hasModrm = true;
      ext = Number(tok[1]);
    } else if (/^[0-9A-F]{2}$/.test(tok)) {
      hasModrm = true;
      modrmByte = parseInt(tok, 16);
    } else throw new Error(`bad token ${tok} in form ${spec.op}`);
  }
  const attrs = new Set((spec.attrs ?? "").split(/\s+/).filter(Boolean));
  const args = spec.args ? spec.args.split(",").map((a) => a.trim()) : [];
  const imms: number[] = [];
  let sizeRule = 4;
  let sawV = false;
  let byteOp = false;
  for (const a of args) {
    if (/^[EGMRVWUNPQCS]/.test(a) && !/^(CL|AL|AX|DX)$/.test(a)) hasModrm = true;
    const sz = a.slice(1);
    if (a[0] === "I" || a[0] === "J") {
      imms.push(
        sz === "b"
          ? 1
          : sz === "w"
          ? 2
          : sz === "d"
          ? 4
          : sz === "q"
          ? 8
          : sz === "z"
          ? IMM_Z
          : IMM_V,
      );
    } else if (a[0] === "O") imms.push(IMM_MOFFS);
    if (/^[EGMROZXY]v$|^[EGMRZ]z$|^rAX$|^[EGMR]y$|^Ov$|^Zv$/.test(a) || a === "eAX") sawV = true;
    if (a === args[0] && /^[EGMROZXY]b$|^AL$/.test(a)) byteOp = true;
  }
  if (attrs.has("f64")) sizeRule = 3;
  else if (attrs.has("d64")) sizeRule = 2;
  else if (byteOp) sizeRule = 0;
  else if (attrs.has("v")) sizeRule = 1;
  else if (sawV) sizeRule = args.some((a) => /^[EGMR]y$/.test(a)) ? 4 : 1;
  if (!hasModrm && (ext >= 0)) hasModrm = true;
  return {
    spec,
    map,
    opcode,
    plusR,
    plusCC,
    prefix,
    ext,
    modrmByte,
    hasModrm,
    modReq: attrs.has("mem") ? 1 : attrs.has("reg") ? 2 : 0,
    wReq: vexW || (attrs.has("w0") ? 1 : attrs.has("w1") ? 2 : 0),
    sizeRule,
    imms,
    lock: attrs.has("lock"),
    branch: attrs.has("branch"),
    rep: attrs.has("rep"),
    id,
    vex,
    vexL,
    usesVvvv: args.some((a) => /^[BH]/.test(a)),
  };
}

/** Fields of a VEX op token ("VEX.LZ.F2.0F38.W0"): [kind, value]; W values are wReq codes. */
const VEX_FIELDS: Record<string, [string, number]> = {
  L0: ["L", 0],
  LZ: ["L", 0],
  "128": ["L", 0],
  L1: ["L", 1],
  "256": ["L", 1],
  LIG: ["L", -1],
  "66": ["pp", PFX_66],
  F3: ["pp", PFX_F3],
  F2: ["pp", PFX_F2],
  "0F": ["map", 1],
  "0F38": ["map", 2],
  "0F3A": ["map", 3],
  W0: ["W", 1],
  W1: ["W", 2],
  WIG: ["W", 0],
};

interface Slot {
  forms: Form[];
  hasModrm: boolean;
}

export class Decoder {
  readonly forms: Form[];
  private readonly maps: (Slot | undefined)[][] = [[], [], [], []];
  /** VEX-encoded forms by map (index 1-3 = 0F, 0F38, 0F3A). */
  private readonly vexMaps: (Slot | undefined)[][] = [[], [], [], []];

  constructor(specs: FormSpec[]) {
    this.forms = specs.map((s, i) => parseForm(s, i));
    for (const f of this.forms) {
      const count = f.plusCC ? 16 : f.plusR ? 8 : 1;
      const ops = Array.from({ length: count }, (_, k) => f.opcode + k);
      const maps = f.vex ? this.vexMaps : this.maps;
      for (const op of ops) {
        let slot = maps[f.map][op];
        if (!slot) slot = maps[f.map][op] = { forms: [], hasModrm: f.hasModrm };
        if (slot.hasModrm !== f.hasModrm) {
          throw new Error(`form ${f.spec.mnem} ${f.spec.op}: ModRM presence conflicts in slot`);
        }
        slot.forms.push(f);
      }
    }
  }

  /** Decode one instruction at linear address `addr`. */
  decode(fetch: FetchByte, addr: number): Insn {
    let p = addr;
    let opsize16 = false;
    let asize32 = false;
    let rep = 0;
    let lastRepPrefix = PFX_NONE;
    let lock = false;
    let seg = 0;
    let rex = 0;
    let b = 0;
    let count = 0;
    for (;;) {
      b = fetch(p);
      if (++count > 15) throw new CpuException(VEC_GP, 0);
      if (b >= 0x40 && b <= 0x4f) {
        rex = b;
        p++;
        continue;
      }
      let isPrefix = true;
      switch (b) {
        case 0x66:
          opsize16 = true;
          break;
        case 0x67:
          asize32 = true;
          break;
        case 0xf0:
          lock = true;
          break;
        case 0xf2:
          rep = 2;
          lastRepPrefix = PFX_F2;
          break;
        case 0xf3:
          rep = 1;
          lastRepPrefix = PFX_F3;
          break;
        case 0x64:
          seg = SEG_FS;
          break;
        case 0x65:
          seg = SEG_GS;
          break;
        case 0x26:
        case 0x2e:
        case 0x36:
        case 0x3e:
          break;
        default:
          isPrefix = false;
      }
      if (!isPrefix) break;
      rex = 0; // a legacy prefix after REX cancels the REX
      p++;
    }
    let map = 0;
    let maps = this.maps;
    let vex = false;
    let vvvv = 0;
    let vexL = 0;
    let vexPP = 0;
    if (b === 0x0f) {
      p++;
      b = fetch(p);
      map = 1;
      if (b === 0x38 || b === 0x3a) {
        map = b === 0x38 ? 2 : 3;
        p++;
        b = fetch(p);
      }
    } else if (b === 0xc4 || b === 0xc5) {
      // VEX (always, in 64-bit mode): REX.RXBW, the map, VEX.vvvv, VEX.L and the implied
      // mandatory prefix. A REX, 66, F2, F3 or LOCK prefix before it is #UD.
      if (rex || opsize16 || rep || lock) return this.undefinedInsn(p - addr + 1);
      const b1 = fetch(p + 1);
      let b2 = b1;
      if (b === 0xc5) {
        rex = 0x40 | ((~b1 >> 5) & 4);
        map = 1;
        p += 2;
      } else {
        b2 = fetch(p + 2);
        rex = 0x40 | ((~b1 >> 5) & 7) | ((b2 >> 4) & 8);
        map = b1 & 0x1f;
        p += 3;
        if (map < 1 || map > 3) return this.undefinedInsn(p - addr);
      }
      vvvv = (~b2 >> 3) & 15;
      vexL = (b2 >> 2) & 1;
      vexPP = b2 & 3;
      vex = true;
      maps = this.vexMaps;
      b = fetch(p);
    }
    const opByte = b;
    p++;
    const slot = maps[map][opByte];
    if (!slot) return this.undefinedInsn(p - addr);
    const i = new Insn(udHandler);
    i.opByte = opByte;
    i.rex = rex;
    i.rep = rep;
    i.lock = lock;
    i.seg = seg;
    i.asize = asize32 ? 4 : 8;
    let mod = 3;
    let regField = 0;
    let modrm = 0;
    if (slot.hasModrm) {
      modrm = fetch(p++);
      i.modrm = modrm;
      mod = modrm >> 6;
      regField = (modrm >> 3) & 7;
      const rmField = modrm & 7;
      i.reg = regField | ((rex & 4) << 1);
      if (mod === 3) {
        i.rm = rmField | ((rex & 1) << 3);
      } else {
        i.isMem = true;
        if (rmField === 4) {
          const sib = fetch(p++);
          i.scale = sib >> 6;
          const idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
          i.index = idx === 4 ? -1 : idx;
          const baseField = sib & 7;
          if (baseField === 5 && mod === 0) {
            i.base = -1;
            i.disp = this.fetch32(fetch, p);
            p += 4;
          } else i.base = baseField | ((rex & 1) << 3);
        } else if (rmField === 5 && mod === 0) {
          i.base = BASE_RIP;
          i.disp = this.fetch32(fetch, p);
          p += 4;
        } else i.base = rmField | ((rex & 1) << 3);
        if (mod === 1) {
          i.disp = (fetch(p++) << 24) >> 24;
        } else if (mod === 2) {
          i.disp = this.fetch32(fetch, p);
          p += 4;
        }
      }
    }
    // Select the form: mandatory prefix, ModRM.reg extension, mod restriction, REX.W.
    const mandatory = vex
      ? vexPP
      : lastRepPrefix !== PFX_NONE
      ? lastRepPrefix
      : opsize16
      ? PFX_66
      : PFX_NONE;
    let form: Form | undefined;
    let fallback: Form | undefined;
    for (const f of slot.forms) {
      if (f.ext >= 0 && f.ext !== regField) continue;
      if (f.modrmByte >= 0 && f.modrmByte !== modrm) continue;
      if (f.modReq === 1 && mod === 3) continue;
      if (f.modReq === 2 && mod !== 3) continue;
      if (f.wReq === 1 && (rex & 8)) continue;
      if (f.wReq === 2 && !(rex & 8)) continue;
      if (vex && f.vexL >= 0 && f.vexL !== vexL) continue;
      if (f.prefix === mandatory) {
        form = f;
        break;
      }
      if (f.prefix === -1 && !fallback) fallback = f;
    }
    form ??= fallback;
    if (!form) return this.undefinedInsn(p - addr);
    if (vex) {
      if (vvvv !== 0 && !form.usesVvvv) return this.undefinedInsn(p - addr);
      i.vvvv = vvvv;
      i.vexL = vexL;
    }
    i.form = form;
    i.fn = form.spec.fn;
    if (form.plusR) i.reg = (opByte & 7) | ((rex & 1) << 3);
    switch (form.sizeRule) {
      case 0:
        i.opsize = 1;
        break;
      case 1:
        i.opsize = rex & 8 ? 8 : opsize16 ? 2 : 4;
        break;
      case 2:
        i.opsize = opsize16 ? 2 : 8;
        break;
      case 3:
        i.opsize = 8;
        break;
      default:
        i.opsize = rex & 8 ? 8 : 4;
    }
    if (lock && (!form.lock || !i.isMem)) i.fn = udHandler;
    // Immediates.
    let first = true;
    for (const kind of form.imms) {
      let size = kind;
      if (kind === IMM_Z) size = i.opsize === 2 ? 2 : 4;
      else if (kind === IMM_V) size = i.opsize;
      else if (kind === IMM_MOFFS) size = i.asize;
      let lo: number, hi = 0;
      if (size === 1) lo = (fetch(p) << 24) >> 24;
      else if (size === 2) lo = ((fetch(p) | (fetch(p + 1) << 8)) << 16) >> 16;
      else if (size === 4) lo = this.fetch32(fetch, p);
      else {
        lo = this.fetch32(fetch, p);
        hi = this.fetch32(fetch, p + 4);
      }
      p += size;
      if (first) {
        i.imm = lo;
        i.immHi = size === 8 ? hi : lo < 0 ? -1 : 0;
        first = false;
      } else i.imm2 = lo;
    }
    i.len = p - addr;
    if (i.len > 15) throw new CpuException(VEC_GP, 0);
    return i;
  }

  private fetch32(fetch: FetchByte, p: number): number {
    return (fetch(p) | (fetch(p + 1) << 8) | (fetch(p + 2) << 16) | (fetch(p + 3) << 24)) | 0;
  }

  private undefinedInsn(len: number): Insn {
    const i = new Insn(udHandler);
    i.len = len;
    return i;
  }
}
