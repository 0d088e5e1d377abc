// The fixed address-space layout shared by the native harness (userland/cpudiff/harness.c) and
// the emulator replay: where the instruction, its landing pad and its data region live.

/** 8 KiB of data spanning two pages, so misaligned and page-crossing operands are tested. */
export const DATA_BASE = 0x10000000;
export const DATA_SIZE = 0x2000;
export const PAGE_BOUNDARY = DATA_BASE + 0x1000;
/** GS base during every case (gs:-prefixed operands address DATA through it). */
export const GS_BASE = 0x0ff00000;
/** The instruction under test starts here. */
export const INSN_ADDR = 0x2b1d5000; // not a power of two, so edge values never point here
/** Branch forms are pointed at this landing pad. */
export const LANDING = INSN_ADDR + 0x80;
/** An address that nothing maps on either side (operands placed here must fault). */
export const UNMAPPED = 0x30000000;
