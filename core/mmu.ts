// The MMU: x86-64 4-level paging walked from page tables in guest RAM (4 KiB, 2 MiB and 1 GiB
// pages), permission checks with architectural #PF error codes, accessed/dirty bits, and a
// direct-mapped software TLB that the CPU's memory fast paths read directly.
//
// Linear addresses are JS numbers holding the signed value of a canonical 48-bit address
// (-2^47 .. 2^47-1), which doubles represent exactly.

import { PAGE_SHIFT, PAGE_SIZE, PhysicalMemory } from "./memory.ts";
import {
  CpuException,
  PF_FETCH,
  PF_PRESENT,
  PF_RSVD,
  PF_USER,
  PF_WRITE,
  VEC_GP,
  VEC_PF,
} from "./cpu/exceptions.ts";

export const ACCESS_READ = 0;
export const ACCESS_WRITE = 1;
export const ACCESS_EXEC = 2;

export const CR0_PE = 1;
export const CR0_WP = 1 << 16;
export const CR0_PG = 1 << 31;
export const CR4_PAE = 1 << 5;
export const CR4_SMEP = 1 << 20;
export const EFER_LME = 1 << 8;
export const EFER_NXE = 1 << 11;

/** Fills remembered for a selective flush. */
const FILL_LOG_SIZE = 512;
/** TLB slots per access kind. */
export const TLB_SIZE = 4096;
const TLB_MASK = TLB_SIZE - 1;

const PTE_P = 1;
const PTE_RW = 2;
const PTE_US = 4;
const PTE_A = 0x20;
const PTE_D = 0x40;
const PTE_PS = 0x80;

/** Physical address width we report in CPUID 0x80000008 (guest RAM is below 4 GiB). */
export const PHYS_ADDR_BITS = 32;

export class Mmu {
  cr0 = CR0_PE | CR0_PG | CR0_WP;
  cr2 = 0;
  cr4 = CR4_PAE;
  efer = EFER_LME | EFER_NXE;
  private cr3Value = 0;
  /** True while the CPU runs at CPL 3; selects which permission set the TLB holds. */
  private userMode = true;
  /** Set when a large page was cached, so INVLPG must flush everything. */
  private largePagesCached = false;
  /** Bumped whenever cached translations are dropped, so the CPU knows when block links go stale. */
  generation = 0;

  /** Tags (virtual page numbers) for read, write and fetch TLBs; NaN marks an empty slot. */
  readonly tlbTag = new Float64Array(3 * TLB_SIZE).fill(NaN);
  /** Physical byte address of the page for the matching tag. */
  readonly tlbPhys = new Uint32Array(3 * TLB_SIZE);
  /**
   * Slots filled since the last flush, so that a flush (every address-space switch) clears only
   * those rather than all 12,288; past FILL_LOG_SIZE fills it clears everything.
   */
  private readonly filledSlots = new Int32Array(FILL_LOG_SIZE);
  private filledCount = 0;

  constructor(readonly mem: PhysicalMemory) {}

  get cr3(): number {
    return this.cr3Value;
  }
  set cr3(value: number) {
    this.cr3Value = value;
    this.flush();
  }

  get user(): boolean {
    return this.userMode;
  }
  set user(value: boolean) {
    if (value !== this.userMode) {
      this.userMode = value;
      this.flush();
    }
  }

  flush(): void {
    this.generation++;
    if (this.filledCount > FILL_LOG_SIZE) this.tlbTag.fill(NaN);
    else for (let i = 0; i < this.filledCount; i++) this.tlbTag[this.filledSlots[i]] = NaN;
    this.filledCount = 0;
    this.largePagesCached = false;
  }

  /** INVLPG: drop any translation for the page holding `vaddr`. */
  invlpg(vaddr: number): void {
    this.generation++;
    if (this.largePagesCached) return this.flush();
    const vpn = Math.floor(vaddr / PAGE_SIZE);
    const slot = vpn & TLB_MASK;
    for (let kind = 0; kind < 3; kind++) {
      if (this.tlbTag[kind * TLB_SIZE + slot] === vpn) this.tlbTag[kind * TLB_SIZE + slot] = NaN;
    }
  }

  /** Forget cached writable translations to a physical page that now holds decoded code. */
  revokeWrite(ppn: number): void {
    const base = ACCESS_WRITE * TLB_SIZE;
    const paddr = ppn * PAGE_SIZE;
    for (let s = 0; s < TLB_SIZE; s++) {
      if (this.tlbPhys[base + s] === paddr) this.tlbTag[base + s] = NaN;
    }
  }

  /**
   * Translate a linear address for the CPU's current privilege, filling the TLB.
   * Throws #PF (CpuException) on failure. Returns the physical byte address.
   */
  translate(vaddr: number, access: number): number {
    const vpn = Math.floor(vaddr / PAGE_SIZE);
    const slot = access * TLB_SIZE + (vpn & TLB_MASK);
    if (this.tlbTag[slot] === vpn) return this.tlbPhys[slot] + (vaddr & 0xfff);
    const paddr = this.walk(vaddr, access, this.userMode, true);
    const pageBase = paddr - (paddr & 0xfff);
    if (access !== ACCESS_WRITE || !this.mem.codePages[pageBase >>> PAGE_SHIFT]) {
      this.tlbTag[slot] = vpn;
      this.tlbPhys[slot] = pageBase;
      if (this.filledCount < FILL_LOG_SIZE) this.filledSlots[this.filledCount] = slot;
      this.filledCount++;
    }
    return paddr;
  }

  /**
   * Walk the page tables. With `setBits` the walk marks A (and D on writes) as hardware does.
   * Throws #PF with the architectural error code; never touches the TLB.
   */
  walk(vaddr: number, access: number, user: boolean, setBits: boolean): number {
    if (!(this.cr0 & CR0_PG)) return this.checkPhys(vaddr, vaddr, access, user);
    if (vaddr < -0x800000000000 || vaddr >= 0x800000000000) {
      // Non-canonical addresses are #GP/#SS, which callers check; reaching here is a bug guard.
      throw new CpuException(VEC_GP, 0);
    }
    const dv = this.mem.dv;
    const nxe = (this.efer & EFER_NXE) !== 0;
    let table = this.cr3Value - (this.cr3Value % PAGE_SIZE);
    let allowWrite = true;
    let allowUser = true;
    let noExec = false;
    // Page-table indices: bits 47:39, 38:30, 29:21, 20:12.
    const hiPart = Math.floor(vaddr / 0x40000000); // vaddr >> 30 (signed)
    const lo30 = vaddr - hiPart * 0x40000000; // bits 29:0
    const indices = [
      (Math.floor(hiPart / 512)) & 511,
      hiPart & 511,
      (lo30 >>> 21) & 511,
      (lo30 >>> 12) & 511,
    ];
    for (let level = 0; level < 4; level++) {
      const entryAddr = table + indices[level] * 8;
      if (entryAddr + 8 > this.mem.size) {
        throw this.pageFault(vaddr, access, user, PF_RSVD | PF_PRESENT);
      }
      const lo = dv.getUint32(entryAddr, true);
      const hi = dv.getUint32(entryAddr + 4, true);
      if (!(lo & PTE_P)) throw this.pageFault(vaddr, access, user, 0);
      // Reserved: physical address bits 51:PHYS_ADDR_BITS, NX without NXE, PS at PML4.
      // Bits 62:52 are ignored (available to software; protection keys when CR4.PKE).
      let reserved = (hi & 0x000fffff) !== 0 || (!nxe && (hi & 0x80000000) !== 0);
      const isLarge = level > 0 && level < 3 && (lo & PTE_PS) !== 0;
      if (level === 0 && (lo & PTE_PS)) reserved = true;
      if (isLarge) {
        const reservedLow = level === 1 ? 0x3fffe000 : 0x001fe000;
        if (lo & reservedLow) reserved = true;
      }
      if (reserved) throw this.pageFault(vaddr, access, user, PF_RSVD | PF_PRESENT);
      if (!(lo & PTE_RW)) allowWrite = false;
      if (!(lo & PTE_US)) allowUser = false;
      if (hi & 0x80000000) noExec = true;
      const frame = lo - (lo % PAGE_SIZE);
      if (level === 3 || isLarge) {
        this.checkRights(vaddr, access, user, allowWrite, allowUser, noExec);
        if (setBits) {
          let bits = lo | PTE_A;
          if (access === ACCESS_WRITE) bits |= PTE_D;
          if (bits !== lo) dv.setUint32(entryAddr, bits >>> 0, true);
        }
        let paddr: number;
        if (level === 3) paddr = frame + (vaddr & 0xfff);
        else {
          const span = level === 1 ? 0x40000000 : 0x200000;
          const base = frame - (frame % span);
          const offset = level === 1 ? lo30 : lo30 % 0x200000;
          paddr = base + offset;
          this.largePagesCached = true;
        }
        if (paddr >= this.mem.size) {
          throw this.pageFault(vaddr, access, user, PF_RSVD | PF_PRESENT);
        }
        return paddr;
      }
      if (setBits && !(lo & PTE_A)) dv.setUint32(entryAddr, (lo | PTE_A) >>> 0, true);
      table = frame;
    }
    throw new Error("unreachable");
  }

  private checkRights(
    vaddr: number,
    access: number,
    user: boolean,
    allowWrite: boolean,
    allowUser: boolean,
    noExec: boolean,
  ): void {
    let ok = true;
    if (user) {
      if (!allowUser) ok = false;
      else if (access === ACCESS_WRITE && !allowWrite) ok = false;
    } else {
      if (access === ACCESS_WRITE && !allowWrite && (this.cr0 & CR0_WP)) ok = false;
      if (allowUser && access === ACCESS_EXEC && (this.cr4 & CR4_SMEP)) ok = false;
    }
    if (access === ACCESS_EXEC && noExec) ok = false;
    if (!ok) throw this.pageFault(vaddr, access, user, PF_PRESENT);
  }

  private checkPhys(vaddr: number, paddr: number, access: number, user: boolean): number {
    if (paddr < 0 || paddr >= this.mem.size) {
      throw this.pageFault(vaddr, access, user, PF_RSVD | PF_PRESENT);
    }
    return paddr;
  }

  private pageFault(vaddr: number, access: number, user: boolean, bits: number): CpuException {
    let code = bits;
    if (access === ACCESS_WRITE) code |= PF_WRITE;
    if (user) code |= PF_USER;
    if (access === ACCESS_EXEC && ((this.efer & EFER_NXE) || (this.cr4 & CR4_SMEP))) {
      code |= PF_FETCH;
    }
    this.cr2 = vaddr;
    return new CpuException(VEC_PF, code, vaddr);
  }
}
