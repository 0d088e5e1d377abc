// Memory syscalls: brk, mmap (anonymous and file mappings), munmap, mprotect, mremap, madvise,
// msync. Argument checks follow Linux's order (mm/mmap.c, mm/mprotect.c, mm/mremap.c,
// mm/madvise.c, mm/msync.c); the address space and the page cache apply them.

import { PAGE_SIZE } from "../../core/memory.ts";
import { EACCES, EBADF, EINVAL, ENODEV, ENOMEM, EOPNOTSUPP, EOVERFLOW, EPERM } from "../errno.ts";
import { O_PATH, type OpenFile } from "../files/open-file.ts";
import { isReg } from "../fs/inode.ts";
import { MS_NOEXEC } from "../fs/mount.ts";
import { syncInodeData } from "../fs/page-cache.ts";
import { type AddressSpace, pageUp, TASK_SIZE } from "../mm/address-space.ts";
import {
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  VMA_GROWSDOWN,
  VMA_NO_MAYEXEC,
  VMA_NO_MAYWRITE,
  VMA_SHARED,
} from "../mm/vma.ts";
import { sharedAnonymousObject } from "../mm/shmem.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
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
export const MAP_UNINITIALIZED = 0x4000000;
/** The flags every mmap understands; MAP_SHARED_VALIDATE refuses any other (EOPNOTSUPP). */
const LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE |
  MAP_EXECUTABLE | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE |
  MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;
/** Linux's MAX_LFS_FILESIZE: no mapping of a regular file reaches past it. */
const MAX_FILE_OFFSET = 2 ** 63 - 1;

export const MS_ASYNC = 1;
export const MS_INVALIDATE = 2;
export const MS_SYNC = 4;

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

  mmap(task, a, kernel) {
    const addr = a.u64(0), length = a.u64(1), prot = a.uint(2), flags = a.uint(3);
    const fd = a.int(4), offset = a.u64(5);
    if (offset % PAGE_SIZE !== 0) return -EINVAL;
    const mm = task.proc.mm;
    if (!(flags & MAP_ANONYMOUS)) {
      const file = task.proc.fds.get(fd);
      if (file === undefined || file.flags & O_PATH) return -EBADF;
      if (flags & MAP_HUGETLB) return -EINVAL; // no file here lives on hugetlbfs
      return mapFile(kernel, task, file, { addr, length, prot, flags, offset });
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
    if (type === MAP_SHARED) {
      return mapSharedAnonymous(
        kernel,
        mm,
        addr,
        length,
        prot & (PROT_READ | PROT_WRITE | PROT_EXEC),
        vmaFlags,
        fixed,
      );
    }
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
      // The old range stays mapped, empty: later touches read zeroes (or the file again).
      mm.mapLike(template, oldAddr, oldAddr + pageUp(oldLength));
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

  msync(task, a) {
    const start = a.u64(0), length = a.u64(1), flags = a.int(2);
    if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -EINVAL;
    if (start % PAGE_SIZE !== 0) return -EINVAL;
    if (flags & MS_ASYNC && flags & MS_SYNC) return -EINVAL;
    const end = start + pageUp(length);
    if (end >= 2 ** 64) return -ENOMEM;
    return syncRange(task.proc.mm, start, end, flags);
  },
};

interface MapRequest {
  addr: number;
  length: number;
  prot: number;
  flags: number;
  offset: number;
}

/** mmap of an open file, with do_mmap's checks in its order. */
function mapFile(kernel: Kernel, task: Task, file: OpenFile, req: MapRequest): number {
  const { addr, length, offset } = req;
  let flags = req.flags;
  const prot = req.prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
  if (length === 0) return -EINVAL;
  const len = pageUp(length);
  if (len >= 2 ** 64) return -ENOMEM; // PAGE_ALIGN wrapped to 0
  if (offset + len >= 2 ** 64) return -EOVERFLOW;
  const mm = task.proc.mm;
  const fixed = flags & MAP_FIXED_NOREPLACE ? "noreplace" : flags & MAP_FIXED ? "replace" : "no";
  const start = mm.placeMapping(addr, len, fixed);
  if (start < 0) return start;
  const inode = file.inode;
  const regular = inode !== null && isReg(inode.mode);
  if (regular && offset + len > MAX_FILE_OFFSET) return -EOVERFLOW;
  let vmaFlags = 0;
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_SHARED_VALIDATE && type !== MAP_PRIVATE) return -EINVAL;
  if (type === MAP_SHARED) flags &= LEGACY_MAP_MASK;
  if (type !== MAP_PRIVATE) {
    if (flags & ~LEGACY_MAP_MASK) return -EOPNOTSUPP;
    if (prot & PROT_WRITE && !file.writableMode) return -EACCES;
    vmaFlags |= VMA_SHARED | (file.writableMode ? 0 : VMA_NO_MAYWRITE);
  }
  if (!file.readableMode) return -EACCES;
  if (file.location !== null && file.location.mount.flags & MS_NOEXEC) {
    if (prot & PROT_EXEC) return -EPERM;
    vmaFlags |= VMA_NO_MAYEXEC;
  }
  const anonymous = file.ops.mapsAnonymous === true;
  if (!regular && !anonymous) return -ENODEV;
  if (flags & MAP_GROWSDOWN) return -EINVAL;
  // /dev/zero: zero-filled memory of its own (the range was placed above, so this replaces none).
  if (anonymous && vmaFlags & VMA_SHARED) {
    return mm.mapFile(start, len, prot, vmaFlags, sharedAnonymousObject(kernel, len));
  }
  if (anonymous) return mm.mapAnonymous(start, len, prot, vmaFlags, "replace");
  return mm.mapFile(start, len, prot, vmaFlags, { inode: inode!, offset, file });
}

/** MAP_SHARED|MAP_ANONYMOUS: memory a forked child shares with its parent, page for page. */
function mapSharedAnonymous(
  kernel: Kernel,
  mm: AddressSpace,
  addr: number,
  length: number,
  prot: number,
  vmaFlags: number,
  fixed: "no" | "replace" | "noreplace",
): number {
  const start = mm.placeMapping(addr, length, fixed);
  if (start < 0) return start;
  return mm.mapFile(start, length, prot, vmaFlags, sharedAnonymousObject(kernel, pageUp(length)));
}

/**
 * msync's walk (mm/msync.c): write back the shared file pages of each area in [start, end);
 * ENOMEM when part of the range is unmapped (after syncing the rest, except for plain MS_ASYNC).
 */
function syncRange(mm: AddressSpace, start: number, end: number, flags: number): number {
  if (end === start) return 0;
  let at = start;
  let unmapped = 0;
  while (at < end) {
    const vma = mm.vmas.next(at);
    if (vma === undefined) return -ENOMEM;
    if (at < vma.start) {
      if (flags === MS_ASYNC) return -ENOMEM;
      at = vma.start;
      if (at >= end) return -ENOMEM;
      unmapped = -ENOMEM;
    }
    // MS_INVALIDATE fails with EBUSY only on mlocked areas, which do not exist here.
    const stop = Math.min(end, vma.end);
    if (vma.file !== undefined && vma.flags & VMA_SHARED && flags & (MS_SYNC | MS_ASYNC)) {
      const from = vma.file.offset + (at - vma.start);
      syncInodeData(vma.file.inode, from, from + (stop - at));
      if (flags & MS_SYNC) vma.file.inode.sync(true);
    }
    at = vma.end;
  }
  return unmapped;
}
