// Opening and closing by path: open, openat, openat2 (with its resolve restrictions), creat and
// close_range. The work is kernel/fs/open.ts; this file decodes arguments and installs fds.

import { E2BIG, EINVAL, ERESTARTSYS } from "../errno.ts";
import {
  O_CLOEXEC,
  O_CREAT,
  O_LARGEFILE,
  O_TRUNC,
  O_WRONLY,
  type OpenFile,
  type SyscallResult,
} from "../files/open-file.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
import { O_TMPFILE, openFile, type OpenRequest } from "../fs/open.ts";
import {
  AT_FDCWD,
  RESOLVE_BENEATH,
  RESOLVE_CACHED,
  RESOLVE_IN_ROOT,
  RESOLVE_NO_MAGICLINKS,
  RESOLVE_NO_SYMLINKS,
  RESOLVE_NO_XDEV,
} from "../fs/vfs.ts";
import type { SyscallFamily } from "./args.ts";

const VALID_OPEN_FLAGS = 0o37777777 & ~0o400000000;
const CLOSE_RANGE_UNSHARE = 2, CLOSE_RANGE_CLOEXEC = 4;

function openAndInstall(kernel: Kernel, task: Task, req: OpenRequest): SyscallResult {
  const file = openFile(kernel, task, req);
  const cloexec = (req.flags & O_CLOEXEC) !== 0;
  const wait = file.ops.openWait?.(file) ?? null;
  if (wait === null) return task.proc.fds.install(file, cloexec);
  return finishOpen(kernel, task, file, wait, cloexec);
}

/** An open that waits (a FIFO for its other end): a signal first puts the file, -ERESTARTSYS. */
async function finishOpen(
  kernel: Kernel,
  task: Task,
  file: OpenFile,
  firstWait: Promise<void>,
  cloexec: boolean,
): Promise<number> {
  for (let wait: Promise<void> | null = firstWait; wait !== null; wait = file.ops.openWait!(file)) {
    if (!await kernel.waitUnlessSignalled(task, wait)) {
      file.put();
      return -ERESTARTSYS;
    }
  }
  return task.proc.fds.install(file, cloexec);
}

/** open(2)'s mode only matters with O_CREAT or O_TMPFILE. */
function createMode(flags: number, mode: number): number {
  return flags & O_CREAT || (flags & O_TMPFILE) === O_TMPFILE ? mode & 0o7777 : 0;
}

export const fileOpenSyscalls: SyscallFamily = {
  open(task, a, kernel) {
    const flags = a.int(1) | O_LARGEFILE;
    const path = task.proc.user.path(a.u64(0));
    return openAndInstall(kernel, task, {
      dirfd: AT_FDCWD,
      path,
      flags,
      mode: createMode(flags, a.uint(2)),
    });
  },

  openat(task, a, kernel) {
    const flags = a.int(2) | O_LARGEFILE;
    const path = task.proc.user.path(a.u64(1));
    return openAndInstall(kernel, task, {
      dirfd: a.int(0),
      path,
      flags,
      mode: createMode(flags, a.uint(3)),
    });
  },

  creat(task, a, kernel) {
    const path = task.proc.user.path(a.u64(0));
    return openAndInstall(kernel, task, {
      dirfd: AT_FDCWD,
      path,
      flags: O_CREAT | O_WRONLY | O_TRUNC | O_LARGEFILE,
      mode: a.uint(1) & 0o7777,
    });
  },

  openat2(task, a, kernel) {
    const size = a.u64(3);
    if (size < 24) return -EINVAL;
    if (size > 4096) return -E2BIG;
    const how = task.proc.user.read(a.u64(2), size);
    // Unknown trailing fields must be zero.
    if (how.subarray(24).some((b) => b !== 0)) return -E2BIG;
    const dv = new DataView(how.buffer, how.byteOffset, 24);
    const flagsHigh = dv.getUint32(4, true), modeHigh = dv.getUint32(12, true);
    const resolveHigh = dv.getUint32(20, true);
    const flags = dv.getUint32(0, true), mode = dv.getUint32(8, true);
    const resolveFlags = dv.getUint32(16, true);
    if (flagsHigh !== 0 || flags & ~VALID_OPEN_FLAGS) return -EINVAL;
    if (modeHigh !== 0 || mode & ~0o7777) return -EINVAL;
    if (mode !== 0 && !(flags & O_CREAT) && (flags & O_TMPFILE) !== O_TMPFILE) return -EINVAL;
    if (resolveHigh !== 0 || resolveFlags & ~0x3f) return -EINVAL;
    if (resolveFlags & RESOLVE_BENEATH && resolveFlags & RESOLVE_IN_ROOT) return -EINVAL;
    if (resolveFlags & RESOLVE_CACHED) return -11; // EAGAIN: nothing is "cached only" here
    const path = task.proc.user.path(a.u64(1));
    return openAndInstall(kernel, task, {
      dirfd: a.int(0),
      path,
      flags,
      mode,
      walk: {
        beneath: (resolveFlags & RESOLVE_BENEATH) !== 0,
        inRoot: (resolveFlags & RESOLVE_IN_ROOT) !== 0,
        noSymlinks: (resolveFlags & RESOLVE_NO_SYMLINKS) !== 0,
        noCrossMounts: (resolveFlags & RESOLVE_NO_XDEV) !== 0,
        noMagicLinks: (resolveFlags & RESOLVE_NO_MAGICLINKS) !== 0,
      },
    });
  },

  close_range(task, a) {
    const first = a.uint(0), last = a.uint(1), flags = a.uint(2);
    if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) return -EINVAL;
    if (first > last) return -EINVAL;
    const fds = task.proc.fds;
    for (const fd of fds.openFds()) {
      if (fd < first || fd > last) continue;
      if (flags & CLOSE_RANGE_CLOEXEC) fds.setCloexec(fd, true);
      else fds.close(fd);
    }
    return 0;
  },
};
