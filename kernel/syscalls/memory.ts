// Memory syscalls: brk, mmap, munmap, mprotect, mremap, madvise. Argument checks follow Linux's
// order (mm/mmap.c, mm/mprotect.c, mm/mremap.c, mm/madvise.c); the address space applies them.

import { PAGE_SIZE } from "../../core/memory.ts";
import { EBADF, EINVAL, ENODEV, ENOMEM, EOVERFLOW } from "../errno.ts";
import { pageUp, TASK_SIZE } from "../mm/address-space.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE, VMA_GROWSDOWN, VMA_SHARED } from "../mm/vma.ts";
import type { SyscallFamily } from "./args.ts";

export const MAP_SHARED = 0x1;
export const MAP_PRIVATE = 0x2;
export const MAP_SHARED_VALIDATE = 0x3;
export const MAP_DROPPABLE = 0x8;
export const MAP_TYPE = 0xf;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x100;
export const MAP_DENYWRITE = 0x800;
export const MAP_EXECUTABLE = 0x1000;
export const MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000;
export const MAP_NONBLOCK = 0x10000;
export const MAP_STACK = 0x20000;
export const MAP_HUGETLB = 0x40000;
export const MAP_SYNC = 0x80000;
export const MAP_FIXED_NOREPLACE = 0x100000;

const PROT_GROWSDOWN = 0x01000000;
const PROT_GROWSUP = 0x02000000;

const MREMAP_MAYMOVE = 1;
const MREMAP_FIXED = 2;
const MREMAP_DONTUNMAP = 4;

export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
/** Every advice value Linux 6.x accepts. */
const KNOWN_ADVICE = new Set([
  0,
  1,
  2,
  3,
  4,
  8,
  9,
  10,
  11,
  12,
  13,
  14,
  15,
  16,
  17,
  18,
  19,
  20,
  21,
  22,
  23,
  24,
  25,
  100,
  101,
]);

export const memorySyscalls: SyscallFamily = {
  brk(task, a) {
    return task.proc.mm.setBrk(a.u64(0));
  },

  mmap(task, a) {
    const addr = a.u64(0), length = a.u64(1), prot = a.uint(2), flags = a.uint(3);
    const fd = a.int(4), offset = a.u64(5);
    if (offset % PAGE_SIZE !== 0) return -EINVAL;
    const mm = task.proc.mm;
    if (!(flags & MAP_ANONYMOUS)) {
      const file = task.proc.fds.get(fd);
      if (file === undefined) return -EBADF;
      return -ENODEV; // no file in this kernel supports mmap yet
    }
    if (length === 0) return -EINVAL;
    if (pageUp(length) > TASK_SIZE) return -ENOMEM;
    if (offset + pageUp(length) > 2 ** 64) return -EOVERFLOW;
    // Anonymous mappings accept only the plain types (MAP_SHARED_VALIDATE is for files);
    // MAP_DROPPABLE (Linux 6.11) behaves as private memory that may be discarded.
    const type = flags & MAP_TYPE;
    if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_DROPPABLE) return -EINVAL;
    if (flags & MAP_HUGETLB) return -ENOMEM; // no huge pages are reserved
    const fixed = flags & MAP_FIXED_NOREPLACE ? "noreplace" : flags & MAP_FIXED ? "replace" : "no";
    let vmaFlags = type === MAP_SHARED ? VMA_SHARED : 0;
    if (flags & MAP_GROWSDOWN) vmaFlags |= VMA_GROWSDOWN;
    return mm.mapAnonymous(
      addr,
      length,
      prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
      vmaFlags,
      fixed,
    );
  },

  munmap(task, a) {
    return task.proc.mm.munmap(a.u64(0), a.u64(1));
  },

  mprotect(task, a) {
    const prot = a.uint(2);
    if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)) return -EINVAL;
    return task.proc.mm.mprotect(a.u64(0), a.u64(1), prot & ~(PROT_GROWSDOWN | PROT_GROWSUP));
  },

  mremap(task, a) {
    const oldAddr = a.u64(0), oldLength = a.u64(1), newLength = a.u64(2);
    const flags = a.uint(3), newAddr = a.u64(4);
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return -EINVAL;
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
    if (flags & MREMAP_DONTUNMAP) {
      if (!(flags & MREMAP_MAYMOVE) || oldLength !== newLength) return -EINVAL;
    }
    const mm = task.proc.mm;
    const template = mm.vmas.find(oldAddr);
    const result = mm.mremap(
      oldAddr,
      oldLength,
      newLength,
      (flags & MREMAP_MAYMOVE) !== 0,
      flags & MREMAP_FIXED ? newAddr : null,
    );
    if ((flags & MREMAP_DONTUNMAP) && result >= 0 && result !== oldAddr && template) {
      // The old range stays mapped, empty: later touches read zeroes.
      mm.mapAnonymous(oldAddr, pageUp(oldLength), template.prot, template.flags, "replace");
    }
    return result;
  },

  madvise(task, a) {
    const addr = a.u64(0), length = a.u64(1), advice = a.int(2);
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    if (!KNOWN_ADVICE.has(advice)) return -EINVAL;
    const len = pageUp(length);
    if (len === 0) return 0;
    if (addr + len > TASK_SIZE) return -EINVAL;
    const mm = task.proc.mm;
    if (!mm.vmas.covers(addr, addr + len)) return -ENOMEM;
    const privateOnly = mm.vmas.within(addr, addr + len).every((v) => !(v.flags & VMA_SHARED));
    if ((advice === MADV_DONTNEED || advice === MADV_FREE) && privateOnly) {
      return mm.discard(addr, len);
    }
    return 0;
  },
};
