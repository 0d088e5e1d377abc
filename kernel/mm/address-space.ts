// A process's address space: its page tables, its VMAs, the program break, and the policies
// Linux applies to them — where mmap places things (top-down below the stack), demand-zero
// faults, stack growth with a guard gap, file pages from the page cache (shared, or private and
// copied on first write), and the mmap/munmap/mprotect/mremap/madvise/brk rules.
// Methods return a result or a negative errno, as the syscalls they serve do.

import { PAGE_SHIFT, PAGE_SIZE, type PhysicalMemory } from "../../core/memory.ts";
import { EACCES, EEXIST, EFAULT, EINVAL, ENOMEM } from "../errno.ts";
import type { OpenFile } from "../files/open-file.ts";
import type { Inode } from "../fs/inode.ts";
import type { FileSystem } from "../fs/filesystem.ts";
import {
  type CacheMapper,
  mappedPageCache,
  type PageCache,
  syncInodeData,
} from "../fs/page-cache.ts";
import { SyscallError } from "../syscall-error.ts";
import type { FrameAllocator } from "./frames.ts";
import { frameOf, PageTable, PTE_COW, PTE_PRESENT, PTE_USER, PTE_WRITE } from "./page-table.ts";
import {
  fileAt,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  type Vma,
  VMA_GROWSDOWN,
  VMA_NO_MAYEXEC,
  VMA_NO_MAYWRITE,
  VMA_SHARED,
  VmaList,
} from "./vma.ts";

/** One page past the highest user address (Linux's TASK_SIZE with 4-level paging). */
export const TASK_SIZE = 0x7ffffffff000;
/** Lowest address mmap hands out without MAP_FIXED (vm.mmap_min_addr). */
export const MMAP_MIN_ADDR = 0x10000;
/** Linux's stack_guard_gap: the stack never grows to within this of the area below it. */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** Software PTE bit in a non-present entry: the frame is kept while the page is PROT_NONE. */
const PTE_HELD = 0x400;

export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
/** SIGBUS code for a file page past the end of file (or one that could not be read). */
export const BUS_ADRERR = 2;

export function pageDown(addr: number): number {
  return addr - (addr % PAGE_SIZE);
}
export function pageUp(addr: number): number {
  const r = addr % PAGE_SIZE;
  return r === 0 ? addr : addr + PAGE_SIZE - r;
}

export interface FaultResult {
  ok: boolean;
  /**
   * When !ok: SEGV_MAPERR (nothing mapped) or SEGV_ACCERR (mapped, not permitted), or with
   * `bus` BUS_ADRERR (the file has no page there).
   */
  code: number;
  /** The fault is SIGBUS rather than SIGSEGV. */
  bus?: true;
}

const FAULT_OK: FaultResult = { ok: true, code: 0 };
const BUS_ERROR: FaultResult = { ok: false, code: BUS_ADRERR, bus: true };

/** What mmap of a file asks for: which inode, from which byte offset, through which open file. */
export interface FileMapRequest {
  inode: Inode;
  offset: number;
  file: OpenFile;
}

export class AddressSpace implements CacheMapper {
  readonly pageTable: PageTable;
  readonly vmas: VmaList = new VmaList(this);
  /** Start of the heap (set by the ELF loader) and the current break. */
  brkStart = 0;
  brk = 0;
  /** mmap searches top-down from here. */
  mmapBase = TASK_SIZE;
  /** Maximum size of the stack area (RLIMIT_STACK), and of all mappings (RLIMIT_AS). */
  stackLimit = 8 * 1024 * 1024;
  addressLimit = Infinity;
  /** Maximum heap size (RLIMIT_DATA). */
  dataLimit = Infinity;
  /** Called after any change that may leave stale translations in a TLB. */
  onInvalidate: () => void = () => {};
  /** Processes using this address space (a vfork child shares its parent's until it execs). */
  users = 1;
  /** Set by destroy(): the tables are gone, so every access fails (a zombie's memory). */
  destroyed = false;

  constructor(readonly mem: PhysicalMemory, readonly frames: FrameAllocator) {
    this.pageTable = new PageTable(mem, frames);
  }

  get root(): number {
    return this.pageTable.root;
  }

  /** Pages with a frame mapped now (the resident set). */
  residentPages(): number {
    if (this.destroyed) return 0;
    let n = 0;
    for (const a of this.vmas.areas) this.pageTable.forEachPresent(a.start, a.end, () => n++);
    return n;
  }

  /** Bytes of address space mapped (what RLIMIT_AS limits). */
  get mappedBytes(): number {
    let total = 0;
    for (const a of this.vmas.areas) total += a.end - a.start;
    return total;
  }

  /** RLIMIT_AS: would mapping `extra` more bytes pass it? (Free when there is no limit.) */
  private wouldExceedLimit(extra: number): boolean {
    return this.addressLimit !== Infinity && this.mappedBytes + extra > this.addressLimit;
  }

  private leafFlags(prot: number): number {
    return PTE_USER | (prot & PROT_WRITE ? PTE_WRITE : 0);
  }

  /**
   * Leaf flags under protection `prot` for a page of `vma` that entry `low` mapped: a
   * copy-on-write page stays read-only until written, and a shared file page stays read-only
   * until a write fault marks it dirty.
   */
  private keptFlags(vma: Vma, prot: number, low: number): number {
    if (low & PTE_COW) return PTE_USER | PTE_COW;
    if (vma.file !== undefined && vma.flags & VMA_SHARED) {
      return PTE_USER | (low & PTE_WRITE && prot & PROT_WRITE ? PTE_WRITE : 0);
    }
    return this.leafFlags(prot);
  }

  // ---- faults ---------------------------------------------------------------------------------

  /**
   * Resolve a fault at `addr` for a write or an instruction fetch (or a read when both are
   * false). Maps a zeroed frame on first touch and grows the stack.
   */
  handleFault(addr: number, write: boolean, fetch: boolean): FaultResult {
    if (addr < 0 || addr >= TASK_SIZE || this.destroyed) return { ok: false, code: SEGV_MAPERR };
    let vma = this.vmas.find(addr);
    if (vma === undefined) {
      vma = this.growStack(addr);
      if (vma === undefined) return { ok: false, code: SEGV_MAPERR };
    }
    const need = write ? PROT_WRITE : fetch ? PROT_EXEC : PROT_READ;
    // x86 pages that are writable or executable are also readable.
    const has = vma.prot | (vma.prot & (PROT_WRITE | PROT_EXEC) ? PROT_READ : 0);
    if (!(has & need)) return { ok: false, code: SEGV_ACCERR };
    const page = pageDown(addr);
    const slot = this.pageTable.slot(page, true);
    const low = this.pageTable.readSlot(slot);
    if (low & PTE_PRESENT) {
      if (write && !(low & PTE_WRITE)) this.makeWritable(vma, page, slot, low);
      // Otherwise present and permitted: a stale TLB entry; the retry sees the new tables.
      this.onInvalidate();
      return FAULT_OK;
    }
    const noExec = !(vma.prot & PROT_EXEC);
    if (low & PTE_HELD) {
      this.pageTable.map(page, frameOf(low), this.keptFlags(vma, vma.prot, low), noExec);
      return FAULT_OK;
    }
    if (vma.file !== undefined) return this.fileFault(vma, page, write);
    this.pageTable.map(page, this.frames.alloc(), this.leafFlags(vma.prot), noExec);
    return FAULT_OK;
  }

  /** A permitted write to a read-only page: copy a copy-on-write page, or dirty a file page. */
  private makeWritable(vma: Vma, page: number, slot: number, low: number): void {
    const noExec = !(vma.prot & PROT_EXEC);
    const frame = frameOf(low);
    if (low & PTE_COW && this.frames.refs[frame >>> PAGE_SHIFT] > 1) {
      this.pageTable.map(page, this.copyOf(frame), this.leafFlags(vma.prot), noExec);
      this.frames.release(frame);
      return;
    }
    if (vma.file !== undefined && vma.flags & VMA_SHARED) {
      vma.file.cache.markDirty((vma.file.offset + page - vma.start) / PAGE_SIZE);
    }
    this.pageTable.setFlags(slot, this.leafFlags(vma.prot), noExec);
  }

  /** A new frame holding a copy of `frame`. */
  private copyOf(frame: number): number {
    const copy = this.frames.alloc();
    this.mem.u8.copyWithin(copy, frame, frame + PAGE_SIZE);
    this.mem.noteWrite(copy, PAGE_SIZE);
    return copy;
  }

  /**
   * First touch of a file page: map the cache's frame (shared; writable only for a write, which
   * dirties it), or for a private mapping map it copy-on-write, or a copy at once for a write.
   */
  private fileFault(vma: Vma, page: number, write: boolean): FaultResult {
    const { cache, offset } = vma.file!;
    const index = (offset + page - vma.start) / PAGE_SIZE;
    let frame: number;
    try {
      frame = cache.pageFrame(index);
    } catch (e) {
      if (e instanceof SyscallError) return BUS_ERROR; // an I/O error reading the page
      throw e;
    }
    if (frame < 0) return BUS_ERROR;
    const noExec = !(vma.prot & PROT_EXEC);
    if (vma.flags & VMA_SHARED) {
      this.frames.share(frame);
      if (write) cache.markDirty(index);
      this.pageTable.map(page, frame, PTE_USER | (write ? PTE_WRITE : 0), noExec);
    } else if (write) {
      this.pageTable.map(page, this.copyOf(frame), this.leafFlags(vma.prot), noExec);
    } else {
      this.frames.share(frame);
      this.pageTable.map(page, frame, PTE_USER | PTE_COW, noExec);
    }
    return FAULT_OK;
  }

  /** Extend a grows-down area to cover `addr` if the limits and the guard gap allow. */
  private growStack(addr: number): Vma | undefined {
    const above = this.vmas.next(addr);
    if (above === undefined || !(above.flags & VMA_GROWSDOWN)) return undefined;
    const newStart = pageDown(addr);
    if (above.end - newStart > this.stackLimit) return undefined;
    const below = this.vmas.previous(addr);
    if (below !== undefined && newStart - below.end < STACK_GUARD_GAP) return undefined;
    if (this.wouldExceedLimit(above.start - newStart)) return undefined;
    above.start = newStart;
    return above;
  }

  /** Physical address of user `addr` for a kernel copy, faulting it in; -1 when not allowed. */
  resolve(addr: number, write: boolean): number {
    if (addr < 0 || addr >= TASK_SIZE || this.destroyed) return -1;
    const page = pageDown(addr);
    const low = this.pageTable.entryLow(page);
    if ((low & PTE_PRESENT) && (!write || (low & PTE_WRITE))) return frameOf(low) + addr - page;
    if (!this.handleFault(addr, write, false).ok) return -1;
    const after = this.pageTable.entryLow(page);
    if (!(after & PTE_PRESENT)) return -1;
    return frameOf(after) + addr - page;
  }

  // ---- mapping --------------------------------------------------------------------------------

  /** Release frames and page-table entries for [start, end). */
  private dropPages(start: number, end: number): void {
    const pt = this.pageTable;
    pt.forEachPresent(start, end, (_v, slot) => {
      this.frames.release(frameOf(pt.readSlot(slot)));
      pt.clearSlot(slot);
    });
    this.dropHeld(start, end);
  }

  /** Frames kept behind PROT_NONE entries are not "present": free them too. */
  private dropHeld(start: number, end: number): void {
    const pt = this.pageTable;
    for (const a of this.vmas.within(start, end)) {
      if (a.prot !== 0) continue;
      for (let v = Math.max(a.start, start); v < Math.min(a.end, end); v += PAGE_SIZE) {
        const slot = pt.slot(v);
        if (slot < 0) continue;
        const low = pt.readSlot(slot);
        if (low & PTE_HELD) {
          this.frames.release(frameOf(low));
          pt.clearSlot(slot);
        }
      }
    }
  }

  /** Remove every mapping in [start, end) (page aligned). */
  unmapRange(start: number, end: number): void {
    if (end <= start) return;
    this.dropPages(start, end);
    for (const piece of this.vmas.remove(start, end)) this.vmas.release(piece);
    this.onInvalidate();
  }

  /** Highest free gap of `length` bytes below `below`, or -1. */
  findFreeTopDown(length: number, below = this.mmapBase): number {
    let top = Math.min(below, TASK_SIZE);
    const areas = this.vmas.areas;
    for (let i = areas.length - 1; i >= -1; i--) {
      const a = areas[i];
      const floor = a === undefined ? MMAP_MIN_ADDR : a.end;
      if (a !== undefined && a.start >= top) continue;
      // Keep the guard gap below a grows-down area.
      const ceiling = i + 1 < areas.length && areas[i + 1].flags & VMA_GROWSDOWN &&
          areas[i + 1].start === top
        ? top - STACK_GUARD_GAP
        : top;
      if (ceiling - floor >= length) return ceiling - length;
      if (a === undefined) break;
      top = Math.min(top, a.start);
    }
    return -1;
  }

  /** Map anonymous memory; the core of mmap(MAP_ANONYMOUS). Returns the address or -errno. */
  mapAnonymous(
    addr: number,
    length: number,
    prot: number,
    vmaFlags: number,
    fixed: "no" | "replace" | "noreplace",
    name = "",
  ): number {
    if (length <= 0) return -EINVAL;
    const start = this.placeMapping(addr, length, fixed);
    if (start < 0) return start;
    return this.installMapping({ start, end: start + pageUp(length), prot, flags: vmaFlags, name });
  }

  /**
   * Where a new mapping of `length` bytes goes (Linux's get_unmapped_area and the
   * MAP_FIXED_NOREPLACE check); returns the start or -errno.
   */
  placeMapping(addr: number, length: number, fixed: "no" | "replace" | "noreplace"): number {
    const len = pageUp(length);
    if (len > TASK_SIZE) return -ENOMEM;
    if (fixed !== "no") {
      if (addr % PAGE_SIZE !== 0) return -EINVAL;
      if (addr + len > TASK_SIZE || addr < 0) return -ENOMEM;
      if (fixed === "noreplace" && this.vmas.overlaps(addr, addr + len)) return -EEXIST;
      return addr;
    }
    const hint = pageDown(addr);
    if (
      hint >= MMAP_MIN_ADDR && hint + len <= TASK_SIZE && !this.vmas.overlaps(hint, hint + len)
    ) return hint;
    const start = this.findFreeTopDown(len);
    return start < 0 ? -ENOMEM : start;
  }

  /**
   * Map `length` bytes of a file at `start` (placed by placeMapping): pages come from the
   * inode's page cache on first touch. Returns the address or -errno.
   */
  mapFile(
    start: number,
    length: number,
    prot: number,
    vmaFlags: number,
    request: FileMapRequest,
  ): number {
    const end = start + pageUp(length);
    if (this.wouldExceedLimit(end - start - this.overlapSize(start, end))) return -ENOMEM;
    const { inode, offset, file } = request;
    const cache = mappedPageCache(inode, this.mem, this.frames);
    const vmaFile = { inode, cache, offset, file, dev: inode.fs.dev, ino: inode.ino };
    return this.installMapping({
      start,
      end,
      prot,
      flags: vmaFlags,
      name: file.path,
      file: vmaFile,
    });
  }

  /**
   * Put `vma` in place of whatever is mapped over its range (MAP_FIXED replaces; elsewhere the
   * range is free). A file area's cache reference is taken here, before anything is unmapped.
   */
  private installMapping(vma: Vma): number {
    const replaced = this.overlapSize(vma.start, vma.end);
    if (this.wouldExceedLimit(vma.end - vma.start - replaced)) return -ENOMEM;
    vma.file?.cache.retain(this);
    if (replaced > 0) this.unmapRange(vma.start, vma.end);
    this.vmas.insert(vma);
    return vma.start;
  }

  /** An empty area like `template` (same protection, kind and file) over [start, end). */
  mapLike(template: Vma, start: number, end: number): number {
    const vma: Vma = { ...template, start, end };
    if (template.file !== undefined) vma.file = fileAt(template.file, start - template.start);
    return this.installMapping(vma);
  }

  private overlapSize(start: number, end: number): number {
    let n = 0;
    for (const a of this.vmas.within(start, end)) {
      n += Math.min(a.end, end) - Math.max(a.start, start);
    }
    return n;
  }

  /** munmap semantics: aligned start, non-zero length, inside the user range. */
  munmap(addr: number, length: number): number {
    if (addr % PAGE_SIZE !== 0 || length === 0) return -EINVAL;
    const len = pageUp(length);
    if (addr < 0 || addr + len > TASK_SIZE || len > TASK_SIZE) return -EINVAL;
    this.unmapRange(addr, addr + len);
    return 0;
  }

  /**
   * mprotect semantics; ENOMEM when part of the range is unmapped, EACCES when an area may not
   * get the new protection (earlier parts change in both cases).
   */
  mprotect(addr: number, length: number, prot: number): number {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) return -EINVAL;
    const len = pageUp(length);
    if (len === 0) return 0;
    const end = addr + len;
    if (end > TASK_SIZE || addr < 0) return -ENOMEM;
    this.vmas.splitAt(addr);
    this.vmas.splitAt(end);
    let at = addr;
    let result = 0;
    for (const a of this.vmas.within(addr, end)) {
      if (a.start > at) {
        result = -ENOMEM;
        break;
      }
      if (
        (prot & PROT_WRITE && a.flags & VMA_NO_MAYWRITE) ||
        (prot & PROT_EXEC && a.flags & VMA_NO_MAYEXEC)
      ) {
        result = -EACCES;
        break;
      }
      this.reprotect(a, prot);
      at = a.end;
    }
    if (result === 0 && at < end) result = -ENOMEM;
    this.vmas.normalize();
    this.onInvalidate();
    return result;
  }

  private reprotect(a: Vma, prot: number): void {
    const pt = this.pageTable;
    const noExec = !(prot & PROT_EXEC);
    if (a.prot === 0 && prot !== 0) {
      for (let v = a.start; v < a.end; v += PAGE_SIZE) {
        const slot = pt.slot(v);
        if (slot < 0) continue;
        const low = pt.readSlot(slot);
        if (low & PTE_HELD) pt.map(v, frameOf(low), this.keptFlags(a, prot, low), noExec);
      }
    } else if (prot === 0) {
      pt.forEachPresent(a.start, a.end, (_v, slot) => {
        const low = pt.readSlot(slot);
        // Shared file pages come back read-only: their next write marks them dirty again.
        pt.writeSlotLow(slot, frameOf(low) | PTE_HELD | (low & PTE_COW));
      });
    } else {
      pt.forEachPresent(a.start, a.end, (_v, slot) => {
        pt.setFlags(slot, this.keptFlags(a, prot, pt.readSlot(slot)), noExec);
      });
    }
    a.prot = prot;
  }

  /** madvise(MADV_DONTNEED): private anonymous pages read back as zero afterwards. */
  discard(addr: number, length: number): number {
    const end = addr + pageUp(length);
    if (!this.vmas.covers(addr, end)) return -ENOMEM;
    this.dropPages(addr, end);
    this.onInvalidate();
    return 0;
  }

  /** mremap semantics (file areas keep their offsets; old size 0 duplicates a shared file area). */
  mremap(
    oldAddr: number,
    oldLength: number,
    newLength: number,
    mayMove: boolean,
    fixedAddr: number | null,
  ): number {
    if (oldAddr % PAGE_SIZE !== 0) return -EINVAL;
    const oldLen = pageUp(oldLength);
    const newLen = pageUp(newLength);
    if (newLen === 0 || newLen > TASK_SIZE) return -EINVAL;
    if (fixedAddr !== null && (fixedAddr % PAGE_SIZE !== 0 || !mayMove)) return -EINVAL;
    const vma = this.vmas.find(oldAddr);
    if (vma === undefined || oldAddr + Math.max(oldLen, 1) > vma.end) return -EFAULT;
    // Duplicating needs a shared object to map twice: a file here.
    if (oldLen === 0 && (!(vma.flags & VMA_SHARED) || vma.file === undefined)) return -EINVAL;
    if (fixedAddr !== null) {
      if (fixedAddr < oldAddr + oldLen && oldAddr < fixedAddr + newLen) return -EINVAL;
      if (fixedAddr + newLen > TASK_SIZE) return -EINVAL;
      return this.moveArea(vma, oldAddr, oldLen, newLen, fixedAddr);
    }
    if (newLen <= oldLen) {
      this.unmapRange(oldAddr + newLen, oldAddr + oldLen);
      return oldAddr;
    }
    const growEnd = oldAddr + newLen;
    const canGrow = oldAddr + oldLen === vma.end && growEnd <= TASK_SIZE &&
      !this.vmas.overlaps(vma.end, growEnd);
    if (canGrow) {
      if (this.wouldExceedLimit(newLen - oldLen)) return -ENOMEM;
      this.vmas.splitAt(oldAddr);
      const area = this.vmas.find(oldAddr)!;
      area.end = growEnd;
      this.vmas.normalize();
      return oldAddr;
    }
    if (!mayMove) return -ENOMEM;
    const target = this.findFreeTopDown(newLen);
    if (target < 0) return -ENOMEM;
    return this.moveArea(vma, oldAddr, oldLen, newLen, target);
  }

  /** Move pages of [oldAddr, oldAddr+oldLen) to `target`, resizing to newLen. */
  private moveArea(vma: Vma, oldAddr: number, oldLen: number, newLen: number, target: number) {
    if (this.wouldExceedLimit(newLen - oldLen)) return -ENOMEM;
    const template: Vma = { ...vma, start: target, end: target + newLen };
    if (vma.file !== undefined) template.file = fileAt(vma.file, oldAddr - vma.start);
    // The new area's cache reference comes first, so unmapping the old one cannot free the cache.
    template.file?.cache.retain(this);
    this.unmapRange(target, target + newLen);
    const pt = this.pageTable;
    const keep = Math.min(oldLen, newLen);
    const moves: [number, number][] = [];
    pt.forEachPresent(oldAddr, oldAddr + keep, (v, slot) => {
      moves.push([v - oldAddr, pt.readSlot(slot)]);
      pt.clearSlot(slot);
    });
    for (let v = oldAddr; v < oldAddr + keep && template.prot === 0; v += PAGE_SIZE) {
      const slot = pt.slot(v);
      if (slot >= 0 && pt.readSlot(slot) & PTE_HELD) {
        moves.push([v - oldAddr, pt.readSlot(slot)]);
        pt.clearSlot(slot);
      }
    }
    this.unmapRange(oldAddr, oldAddr + oldLen);
    this.vmas.insert(template);
    for (const [offset, low] of moves) {
      const slot = pt.slot(target + offset, true);
      if (low & PTE_PRESENT) {
        const flags = this.keptFlags(template, template.prot, low);
        pt.map(target + offset, frameOf(low), flags, !(template.prot & PROT_EXEC));
      } else pt.writeSlotLow(slot, low);
    }
    this.onInvalidate();
    return target;
  }

  /** brk semantics: returns the new break, or the old one when the request cannot be met. */
  setBrk(requested: number): number {
    if (requested < this.brkStart) return this.brk;
    const oldEnd = pageUp(this.brk);
    const newEnd = pageUp(requested);
    if (requested - this.brkStart > this.dataLimit) return this.brk;
    if (newEnd > oldEnd) {
      if (newEnd > TASK_SIZE || this.vmas.overlaps(oldEnd, newEnd + STACK_GUARD_GAP)) {
        if (this.vmas.overlaps(oldEnd, newEnd)) return this.brk;
        const above = this.vmas.next(oldEnd);
        if (above && above.flags & VMA_GROWSDOWN) return this.brk;
      }
      if (this.wouldExceedLimit(newEnd - oldEnd)) return this.brk;
      this.vmas.insert({
        start: oldEnd,
        end: newEnd,
        prot: PROT_READ | PROT_WRITE,
        flags: 0,
        name: "[heap]",
      });
    } else if (newEnd < oldEnd) {
      this.unmapRange(newEnd, oldEnd);
    }
    this.brk = requested;
    return requested;
  }

  /** Copy bytes into user memory that the kernel itself owns (loader, signal frames). */
  populate(addr: number, data: Uint8Array): boolean {
    let done = 0;
    while (done < data.length) {
      let paddr = this.resolve(addr + done, true);
      if (paddr < 0) paddr = this.forceResolve(addr + done);
      if (paddr < 0) return false;
      const n = Math.min(data.length - done, PAGE_SIZE - ((addr + done) % PAGE_SIZE));
      this.mem.writeBytes(paddr, data.subarray(done, done + n));
      done += n;
    }
    return true;
  }

  /** Map a page of a read-only or non-readable area for the loader to fill. */
  private forceResolve(addr: number): number {
    const vma = this.vmas.find(addr);
    if (vma === undefined) return -1;
    const page = pageDown(addr);
    let low = this.pageTable.entryLow(page);
    if (!(low & PTE_PRESENT)) {
      this.pageTable.map(page, this.frames.alloc(), this.leafFlags(vma.prot), !(vma.prot & 4));
      low = this.pageTable.entryLow(page);
    }
    return frameOf(low) + addr - page;
  }

  /**
   * fork(): a new address space with the same areas whose pages share this one's frames. Private
   * pages become copy-on-write in both (the first write copies); shared ones stay shared.
   */
  fork(): AddressSpace {
    const child = new AddressSpace(this.mem, this.frames);
    child.onInvalidate = this.onInvalidate;
    child.brkStart = this.brkStart;
    child.brk = this.brk;
    child.mmapBase = this.mmapBase;
    child.stackLimit = this.stackLimit;
    child.addressLimit = this.addressLimit;
    child.dataLimit = this.dataLimit;
    try {
      this.copyAreasTo(child);
    } catch (e) {
      child.destroy(); // out of frames halfway: give back what the copy took
      throw e;
    } finally {
      this.onInvalidate();
    }
    return child;
  }

  private copyAreasTo(child: AddressSpace): void {
    const pt = this.pageTable;
    const childPt = child.pageTable;
    for (const area of this.vmas.areas) {
      const copy: Vma = { ...area };
      if (area.file !== undefined) {
        copy.file = { ...area.file };
        copy.file.cache.retain(child);
      }
      child.vmas.areas.push(copy);
      const shared = (area.flags & VMA_SHARED) !== 0;
      const noExec = !(area.prot & PROT_EXEC);
      pt.forEachPresent(area.start, area.end, (vaddr, slot) => {
        const low = pt.readSlot(slot);
        const frame = frameOf(low);
        // The child's table frames first: if they cannot be had, no reference was taken.
        childPt.slot(vaddr, true);
        this.frames.share(frame);
        if (shared) {
          childPt.map(vaddr, frame, low & (PTE_USER | PTE_WRITE), noExec);
          return;
        }
        pt.setFlags(slot, PTE_USER | PTE_COW, noExec);
        childPt.map(vaddr, frame, PTE_USER | PTE_COW, noExec);
      });
      if (area.prot === 0) this.forkHeldPages(area, child, shared);
    }
  }

  /** Frames kept behind PROT_NONE entries go to the child too (copy-on-write when private). */
  private forkHeldPages(area: Vma, child: AddressSpace, shared: boolean): void {
    const pt = this.pageTable;
    for (let v = area.start; v < area.end; v += PAGE_SIZE) {
      const slot = pt.slot(v);
      if (slot < 0) continue;
      const low = pt.readSlot(slot);
      if (!(low & PTE_HELD)) continue;
      const childSlot = child.pageTable.slot(v, true);
      this.frames.share(frameOf(low));
      const kept = shared ? low : low | PTE_COW;
      pt.writeSlotLow(slot, kept);
      child.pageTable.writeSlotLow(childSlot, kept);
    }
  }

  /** Free every frame and table; file areas let go of their caches (shared pages are written back). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.dropHeld(0, TASK_SIZE);
    this.pageTable.destroy();
    for (const area of this.vmas.areas.splice(0)) this.vmas.release(area);
  }

  /** sync(2)/syncfs: write back what shared file mappings changed (on `fs` only, if given). */
  writeBackSharedFiles(fs?: FileSystem): void {
    for (const a of this.vmas.areas) {
      if (a.file === undefined || !(a.flags & VMA_SHARED)) continue;
      if (fs === undefined || a.file.inode.fs === fs) syncInodeData(a.file.inode);
    }
  }

  // ---- the page cache's view (CacheMapper) ----------------------------------------------------

  /** The parts of areas mapping `cache` at file page `firstIndex` or later. */
  private cacheRanges(cache: PageCache, firstIndex: number, sharedOnly: boolean): Vma[] {
    const out: Vma[] = [];
    for (const a of this.vmas.areas) {
      if (a.file?.cache !== cache || (sharedOnly && !(a.flags & VMA_SHARED))) continue;
      const start = a.start + Math.max(0, firstIndex * PAGE_SIZE - a.file.offset);
      if (start < a.end) out.push({ ...a, start });
    }
    return out;
  }

  unmapCachePages(cache: PageCache, firstIndex: number): void {
    // Private copies go too: past the end of file every access is SIGBUS (Linux's even_cows).
    for (const r of this.cacheRanges(cache, firstIndex, false)) this.dropPages(r.start, r.end);
    this.onInvalidate();
  }

  writeProtectCache(cache: PageCache): void {
    const pt = this.pageTable;
    for (const r of this.cacheRanges(cache, 0, true)) {
      pt.forEachPresent(r.start, r.end, (_v, slot) => {
        const low = pt.readSlot(slot);
        if (low & PTE_WRITE) pt.setFlags(slot, PTE_USER, !(r.prot & PROT_EXEC));
      });
    }
    this.onInvalidate();
  }
}
