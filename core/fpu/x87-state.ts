// x87 FPU architectural state: the eight 80-bit physical data registers (which the MMX registers
// alias), control, status and tag words, the last-instruction pointers, stack access helpers,
// and the memory images of the environment (FNSTENV/FLDENV) and of the whole state
// (FNSAVE/FRSTOR) in the protected-mode 32-bit and 16-bit layouts.
//
// Register layout (shared with the MMX instructions): physical register Rn occupies bytes
// 16n..16n+15 of one buffer, seen through `regs` (16-bit words), `regs32` and `regs8`:
//   regs32[4n], regs32[4n+1]  low and high 32 bits of the 64-bit significand = MMX register MMn
//   regs8[16n .. 16n+7]       the same 8 bytes (MMn bytes, little-endian)
//   regs[8n+4]                sign (bit 15) and 15-bit biased exponent
// Bytes 16n+10..16n+15 are always zero. An MMX write sets regs[8n+4] = 0xffff, and every MMX
// instruction first takes a pending x87 #MF (`pending`), then sets `top = 0` and `tags = 0xff`
// (enterMmx()); EMMS empties every tag and, as the host does, also resets TOP (emms()).

import { type F80, f80, FE_ALL } from "./float80.ts";

export const SW_SF = 0x0040;
export const SW_ES = 0x0080;
export const SW_C0 = 0x0100;
export const SW_C1 = 0x0200;
export const SW_C2 = 0x0400;
export const SW_TOP = 0x3800;
export const SW_C3 = 0x4000;
export const SW_B = 0x8000;
export const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;

/** Control-word bits that exist (the rest read as 0; bit 6 reads as 1). */
export const CW_MASK = 0x1f3f;

/** The selectors x87 instructions record in FCS/FDS: the x86-64 Linux user CS, and DS = 0. */
export const USER_CS = 0x33;
export const USER_DS = 0;

export class X87State {
  private readonly buffer = new ArrayBuffer(128);
  readonly regs = new Uint16Array(this.buffer);
  readonly regs32 = new Uint32Array(this.buffer);
  readonly regs8 = new Uint8Array(this.buffer);
  /** Control word. */
  cw = 0x037f;
  /** Status word without TOP (bits 11-13 are kept in `top`). */
  sw = 0;
  /** Top-of-stack pointer 0..7. */
  top = 0;
  /** Abridged tag word: bit n set when physical register n is not empty (FXSAVE's encoding). */
  tags = 0;
  /**
   * Last non-control instruction: opcode (11 bits), address (low/high 32 bits) and CS; last
   * memory operand: address (low/high 32 bits) and DS.
   */
  fop = 0;
  fip = 0;
  fipHi = 0;
  fcs = 0;
  fdp = 0;
  fdpHi = 0;
  fds = 0;

  /** Power-on state: FNINIT plus zeroed registers. */
  reset(): void {
    this.regs.fill(0);
    this.init();
  }

  /** FNINIT: registers keep their contents but are all tagged empty. */
  init(): void {
    this.cw = 0x037f;
    this.sw = 0;
    this.top = 0;
    this.tags = 0;
    this.fop = 0;
    this.fip = 0;
    this.fipHi = 0;
    this.fcs = 0;
    this.fdp = 0;
    this.fdpHi = 0;
    this.fds = 0;
  }

  /** Status word as FNSTSW reports it (TOP folded in). */
  get statusWord(): number {
    return (this.sw & ~SW_TOP) | (this.top << 11);
  }

  /** Load a status word (FLDENV/FRSTOR): ES and B are recomputed from the masks. */
  setStatusWord(v: number): void {
    this.top = (v >> 11) & 7;
    this.sw = v & ~SW_TOP;
    this.updateSummary();
  }

  /** Load a control word: reserved bits dropped, bit 6 reads as 1; ES follows the new masks. */
  setControlWord(v: number): void {
    this.cw = (v & CW_MASK) | 0x40;
    this.updateSummary();
  }

  /** ES (and its copy B) = some exception flag is set and unmasked. */
  updateSummary(): void {
    if (this.sw & ~this.cw & FE_ALL) this.sw |= SW_ES | SW_B;
    else this.sw &= ~(SW_ES | SW_B);
  }

  /** A waiting x87 instruction must raise #MF first. */
  get pending(): boolean {
    return (this.sw & SW_ES) !== 0;
  }

  /** Full tag word (2 bits per physical register: 0 valid, 1 zero, 2 special, 3 empty). */
  get tagWord(): number {
    let tw = 0;
    for (let p = 0; p < 8; p++) tw |= this.tagOf(p) << (2 * p);
    return tw;
  }

  setTagWord(tw: number): void {
    let tags = 0;
    for (let p = 0; p < 8; p++) if (((tw >> (2 * p)) & 3) !== 3) tags |= 1 << p;
    this.tags = tags;
  }

  /** The full tag of physical register p, derived from its contents. */
  tagOf(p: number): number {
    if (!(this.tags & (1 << p))) return 3;
    const se = this.regs[8 * p + 4];
    const exp = se & 0x7fff;
    const hi = this.regs32[4 * p + 1], lo = this.regs32[4 * p];
    if (exp === 0x7fff) return 2;
    if (exp === 0) return (hi | lo) === 0 ? 1 : 2;
    return hi & 0x80000000 ? 0 : 2;
  }

  /** Physical register number of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7;
  }

  isEmpty(i: number): boolean {
    return (this.tags & (1 << ((this.top + i) & 7))) === 0;
  }

  readPhys(p: number): F80 {
    const se = this.regs[8 * p + 4];
    const sig = (BigInt(this.regs32[4 * p + 1]) << 32n) | BigInt(this.regs32[4 * p]);
    return f80(se >> 15, se & 0x7fff, sig);
  }

  writePhys(p: number, v: F80): void {
    this.regs32[4 * p] = Number(v.sig & 0xffffffffn);
    this.regs32[4 * p + 1] = Number((v.sig >> 32n) & 0xffffffffn);
    this.regs[8 * p + 4] = (v.sign << 15) | v.exp;
    this.tags |= 1 << p;
  }

  /** ST(i) (whatever its tag). */
  read(i: number): F80 {
    return this.readPhys((this.top + i) & 7);
  }

  /** Store into ST(i) and tag it valid. */
  write(i: number, v: F80): void {
    this.writePhys((this.top + i) & 7, v);
  }

  /** Decrement TOP and store into the new ST(0). */
  push(v: F80): void {
    this.top = (this.top - 1) & 7;
    this.writePhys(this.top, v);
  }

  /** Tag ST(0) empty and increment TOP. */
  pop(): void {
    this.tags &= ~(1 << this.top);
    this.top = (this.top + 1) & 7;
  }

  free(i: number): void {
    this.tags &= ~(1 << ((this.top + i) & 7));
  }

  /** Raw 10-byte image of physical register p: a live view, to be copied right away. */
  regBytes(p: number): Uint8Array {
    return this.regs8.subarray(16 * p, 16 * p + 10);
  }

  setRegBytes(p: number, bytes: Uint8Array, offset: number): void {
    this.regs8.set(bytes.subarray(offset, offset + 10), 16 * p);
  }

  /** Every MMX instruction: TOP = 0, all registers valid. */
  enterMmx(): void {
    this.top = 0;
    this.tags = 0xff;
  }

  /** EMMS: all registers empty (the host also resets TOP). */
  emms(): void {
    this.top = 0;
    this.tags = 0;
  }
}

// ---- environment and save images -------------------------------------------------------------

/** Size of the FNSTENV image: 28 bytes (32-bit operand size) or 14 (16-bit). */
export function envSize(size16: boolean): number {
  return size16 ? 14 : 28;
}

/** Write the FNSTENV image into `out` at `offset`. Unused upper halves read as 0xffff. */
export function storeEnv(fpu: X87State, out: Uint8Array, offset: number, size16: boolean): void {
  const dv = new DataView(out.buffer, out.byteOffset + offset);
  const fip = fpu.fip, fdp = fpu.fdp;
  if (size16) {
    dv.setUint16(0, fpu.cw, true);
    dv.setUint16(2, fpu.statusWord, true);
    dv.setUint16(4, fpu.tagWord, true);
    dv.setUint16(6, fip & 0xffff, true);
    dv.setUint16(8, fpu.fcs, true);
    dv.setUint16(10, fdp & 0xffff, true);
    dv.setUint16(12, fpu.fds, true);
    return;
  }
  dv.setUint32(0, 0xffff0000 | fpu.cw, true);
  dv.setUint32(4, 0xffff0000 | fpu.statusWord, true);
  dv.setUint32(8, 0xffff0000 | fpu.tagWord, true);
  dv.setUint32(12, fip, true);
  dv.setUint32(16, ((fpu.fop << 16) | fpu.fcs) >>> 0, true);
  dv.setUint32(20, fdp, true);
  dv.setUint32(24, (0xffff0000 | fpu.fds) >>> 0, true);
}

/** Load an FLDENV image (control, status and tag words; pointers). */
export function loadEnv(fpu: X87State, bytes: Uint8Array, offset: number, size16: boolean): void {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const cw = dv.getUint16(0, true);
  const sw = dv.getUint16(size16 ? 2 : 4, true);
  const tw = dv.getUint16(size16 ? 4 : 8, true);
  fpu.fipHi = 0;
  fpu.fdpHi = 0;
  if (size16) {
    fpu.fop = 0; // the 16-bit image has no opcode field
    fpu.fip = dv.getUint16(6, true);
    fpu.fcs = dv.getUint16(8, true);
    fpu.fdp = dv.getUint16(10, true);
    fpu.fds = dv.getUint16(12, true);
  } else {
    fpu.fip = dv.getUint32(12, true);
    fpu.fcs = dv.getUint16(16, true);
    fpu.fop = dv.getUint16(18, true) & 0x7ff;
    fpu.fdp = dv.getUint32(20, true);
    fpu.fds = dv.getUint16(24, true);
  }
  fpu.setControlWord(cw);
  fpu.setTagWord(tw);
  fpu.setStatusWord(sw);
}

/** Size of the FNSAVE image. */
export function saveSize(size16: boolean): number {
  return envSize(size16) + 80;
}

/** The FNSAVE image: environment, then ST(0)..ST(7), 10 bytes each. */
export function storeSave(fpu: X87State, out: Uint8Array, offset: number, size16: boolean): void {
  storeEnv(fpu, out, offset, size16);
  const base = offset + envSize(size16);
  for (let i = 0; i < 8; i++) out.set(fpu.regBytes(fpu.phys(i)), base + 10 * i);
}

export function loadSave(fpu: X87State, bytes: Uint8Array, offset: number, size16: boolean): void {
  loadEnv(fpu, bytes, offset, size16);
  const base = offset + envSize(size16);
  for (let i = 0; i < 8; i++) fpu.setRegBytes(fpu.phys(i), bytes, base + 10 * i);
}

/** FNSAVE image (32-bit layout) as a new array (tests, debugging). */
export function storeSaveImage(fpu: X87State): Uint8Array {
  const out = new Uint8Array(108);
  storeSave(fpu, out, 0, false);
  return out;
}

/** Load a 32-bit-layout FRSTOR image (tests, debugging). */
export function loadSaveImage(fpu: X87State, image: Uint8Array): void {
  loadSave(fpu, image, 0, false);
}
