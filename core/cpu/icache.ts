// Decoded-instruction cache: straight-line blocks of decoded instructions keyed by the physical
// address of their first byte. A block never crosses a page (except for one instruction that
// straddles the boundary) and is dropped as soon as any page it came from is written.

import type { Insn } from "./insn.ts";
import type { CompiledBlock } from "./jit.ts";
import type { PhysicalMemory } from "../memory.ts";

export interface Block {
  /** Linear address the block was decoded at (RIP-relative operands depend on it). */
  vaddr: number;
  paddr: number;
  insns: Insn[];
  /** Physical pages holding the block's bytes. */
  pages: number[];
  valid: boolean;
  /** Times entered; hot blocks are compiled (core/cpu/jit.ts). */
  hits: number;
  compiled: CompiledBlock | null;
  /**
   * The blocks that ran right after this one (most recent first), trusted by the run loop while
   * the MMU's translation generation is still `linkGeneration` and the target is valid.
   * (Optional so hand-made blocks in tests need not set them; the CPU always does.)
   */
  next?: Block | null;
  next2?: Block | null;
  linkGeneration?: number;
}

/** Direct-mapped front of the block map: most lookups hit here without hashing. */
const RECENT_SIZE = 16384;
const RECENT_MASK = RECENT_SIZE - 1;
const recentSlot = (paddr: number) => (paddr ^ (paddr >>> 12)) & RECENT_MASK;

export class InstructionCache {
  private readonly blocks = new Map<number, Block>();
  private readonly recent: (Block | undefined)[] = new Array(RECENT_SIZE).fill(undefined);
  private readonly byPage = new Map<number, Block[]>();
  /** Set when a write invalidated code (the CPU stops its running block through cpu.stop). */
  invalidated = false;

  constructor(
    private readonly mem: PhysicalMemory,
    private readonly onNewCodePage: (ppn: number) => void,
    /** Told when a write dropped blocks (the CPU stops the block it is running). */
    private readonly onInvalidate: () => void = () => {},
  ) {
    mem.onCodeWrite = (ppn) => this.invalidatePage(ppn);
  }

  lookup(paddr: number): Block | undefined {
    const slot = recentSlot(paddr);
    const hit = this.recent[slot];
    if (hit !== undefined && hit.paddr === paddr && hit.valid) return hit;
    const block = this.blocks.get(paddr);
    if (block !== undefined) this.recent[slot] = block;
    return block;
  }

  insert(block: Block): void {
    const old = this.blocks.get(block.paddr);
    if (old) old.valid = false;
    this.blocks.set(block.paddr, block);
    this.recent[recentSlot(block.paddr)] = block;
    for (const ppn of block.pages) {
      let list = this.byPage.get(ppn);
      if (!list) {
        list = [];
        this.byPage.set(ppn, list);
      }
      list.push(block);
      if (!this.mem.codePages[ppn]) {
        this.mem.codePages[ppn] = 1;
        this.onNewCodePage(ppn);
      }
    }
  }

  invalidatePage(ppn: number): void {
    const list = this.byPage.get(ppn);
    this.mem.codePages[ppn] = 0;
    if (!list) return;
    this.byPage.delete(ppn);
    for (const block of list) {
      block.valid = false;
      if (this.blocks.get(block.paddr) === block) this.blocks.delete(block.paddr);
    }
    this.invalidated = true;
    this.onInvalidate();
  }

  /** Drop everything (used by tests and when guest memory is reloaded wholesale). */
  clear(): void {
    for (const ppn of this.byPage.keys()) this.mem.codePages[ppn] = 0;
    for (const b of this.blocks.values()) b.valid = false;
    this.blocks.clear();
    this.byPage.clear();
    this.recent.fill(undefined);
  }

  get size(): number {
    return this.blocks.size;
  }
}
