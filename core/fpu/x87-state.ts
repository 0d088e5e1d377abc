// x87 FPU architectural state: the eight 80-bit data registers (stored as 5 little-endian
// 16-bit words each: 64-bit significand then sign+exponent), control, status and tag words,
// and the last-instruction pointers that FNSTENV/FXSAVE report.

export class X87State {
  /** Physical registers R0..R7, 5 words each (words 0-3 significand, word 4 sign/exponent). */
  readonly regs = new Uint16Array(40);
  /** Control word (FNINIT value). */
  cw = 0x037f;
  /** Status word without TOP (bits 11-13 are kept in `top`). */
  sw = 0;
  /** Top-of-stack pointer 0..7. */
  top = 0;
  /** Full 16-bit tag word (2 bits per physical register; 3 = empty). */
  tw = 0xffff;
  fop = 0;
  fip = 0;
  fdp = 0;

  reset(): void {
    this.regs.fill(0);
    this.cw = 0x037f;
    this.sw = 0;
    this.top = 0;
    this.tw = 0xffff;
    this.fop = 0;
    this.fip = 0;
    this.fdp = 0;
  }

  /** Status word as FNSTSW reports it (TOP folded in). */
  get statusWord(): number {
    return (this.sw & ~0x3800) | (this.top << 11);
  }
}
