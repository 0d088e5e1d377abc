// tmpfs: a filesystem that lives in memory (Linux's mm/shmem.c). This file owns the superblock:
// mount options, inode numbers, page and inode accounting against size=/nr_inodes=, statfs.
// The inodes are in tmpfs/ (directories, sparse files, symlinks, device nodes).

import { ENOSPC } from "../errno.ts";
import { SyscallError } from "../syscall-error.ts";
import {
  anonymousDevice,
  type FileSystem,
  type MountRequest,
  registerFileSystemType,
  type StatFs,
} from "./filesystem.ts";
import { parseTmpfsOptions, type TmpfsOptions } from "./tmpfs/options.ts";
import type { PageAccount } from "./tmpfs/page-store.ts";
import { PAGE_SIZE } from "./tmpfs/page-store.ts";
import { TmpDirectory } from "./tmpfs/tmp-directory.ts";

export { TmpInode } from "./tmpfs/tmp-inode.ts";
export { TmpDirectory } from "./tmpfs/tmp-directory.ts";
export { TmpFile, TMPFS_MAX_FILE_SIZE } from "./tmpfs/tmp-file.ts";
export { TmpSymlink } from "./tmpfs/tmp-symlink.ts";
export type { TmpfsOptions } from "./tmpfs/options.ts";

export const TMPFS_MAGIC = 0x01021994;
/** The "RAM" default sizes are computed from when the caller does not say. */
export const DEFAULT_MEMORY_BYTES = 128 * 1024 * 1024;
const NAME_MAX = 255;
const ST_RDONLY = 1;

export class TmpFileSystem implements FileSystem, PageAccount {
  readonly type = "tmpfs";
  readonly dev = anonymousDevice();
  readonly cacheable = true;
  readonly root: TmpDirectory;
  /** Pages (file data, long symlink targets) in use. */
  usedPages = 0;
  /** Inode slots in use: one per inode plus one per extra hard link, as Linux counts. */
  usedInodes = 0;
  private nextIno = 1;
  /** Even "unlimited" (size=0) stops at the machine's memory rather than the host's. */
  private readonly pageCeiling: number;

  constructor(
    readonly source: string,
    readonly readOnly: boolean,
    readonly options: TmpfsOptions,
    memoryBytes = DEFAULT_MEMORY_BYTES,
  ) {
    const ramPages = Math.floor(memoryBytes / PAGE_SIZE);
    this.pageCeiling = options.maxPages === 0 ? ramPages : options.maxPages;
    this.root = new TmpDirectory(
      this,
      this.allocateInode(),
      options.mode,
      options.uid,
      options.gid,
      null,
    );
  }

  /** A slot and a fresh inode number (never reused) for a new inode; ENOSPC when full. */
  allocateInode(): number {
    this.reserveInodeSlot();
    return this.nextIno++;
  }

  reserveInodeSlot(): void {
    if (this.options.maxInodes !== 0 && this.usedInodes >= this.options.maxInodes) {
      throw new SyscallError(ENOSPC);
    }
    this.usedInodes++;
  }

  releaseInodeSlot(): void {
    this.usedInodes--;
  }

  chargePages(count: number): boolean {
    if (this.usedPages + count > this.pageCeiling) return false;
    this.usedPages += count;
    return true;
  }

  releasePages(count: number): void {
    this.usedPages -= count;
  }

  statfs(): StatFs {
    const { maxPages, maxInodes } = this.options;
    return {
      type: TMPFS_MAGIC,
      bsize: PAGE_SIZE,
      blocks: maxPages,
      bfree: maxPages === 0 ? 0 : maxPages - this.usedPages,
      bavail: maxPages === 0 ? 0 : maxPages - this.usedPages,
      files: maxInodes,
      ffree: maxInodes === 0 ? 0 : maxInodes - this.usedInodes,
      namelen: NAME_MAX,
      frsize: PAGE_SIZE,
      flags: this.readOnly ? ST_RDONLY : 0,
    };
  }

  sync(): void {}

  unmount(): void {}
}

/**
 * mount -t tmpfs: options as Linux's ("size=64m,nr_inodes=1k,mode=1777,uid=0,gid=0"); the
 * defaults (half of RAM for size and nr_inodes in pages) come from `memoryBytes`.
 */
export function mountTmpfs(
  request: MountRequest,
  memoryBytes = DEFAULT_MEMORY_BYTES,
): TmpFileSystem {
  const options = parseTmpfsOptions(request.options, memoryBytes);
  return new TmpFileSystem(request.source, request.readOnly, options, memoryBytes);
}

registerFileSystemType("tmpfs", (request) => mountTmpfs(request, request.kernel?.mem.size), false);
