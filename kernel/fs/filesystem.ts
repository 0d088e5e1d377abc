// A mounted filesystem instance (Linux's super_block): its root inode, device number, statfs
// numbers, sync and unmount. Filesystem types register a mount function by name so mount(2)
// and the command line can create them.

import type { Inode } from "./inode.ts";
import type { BlockDevice } from "./block-device.ts";
import { makedev } from "./inode.ts";
import type { Kernel } from "../kernel.ts";

/** struct statfs, as numbers. */
export interface StatFs {
  /** f_type magic: EXT2_SUPER_MAGIC 0xef53, TMPFS_MAGIC 0x01021994, PROC_SUPER_MAGIC 0x9fa0. */
  type: number;
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
  namelen: number;
  frsize: number;
  /** ST_RDONLY 1, ST_NOSUID 2, ST_NODEV 4, ST_NOEXEC 8, ... */
  flags: number;
}

export interface FileSystem {
  /** Type name as in /proc/filesystems and /proc/mounts: "ext2", "tmpfs", "proc"... */
  readonly type: string;
  /** st_dev of every inode in it. */
  readonly dev: number;
  readonly root: Inode;
  readonly readOnly: boolean;
  /**
   * False when something other than this kernel can change the tree (hostfs): the VFS then
   * does not cache name lookups and asks the filesystem every time.
   */
  readonly cacheable: boolean;
  /** st_blksize of its files (ext2: its block size); a page when absent. */
  readonly blockSize?: number;
  /** What /proc/mounts shows as the source ("none", "/dev/vda", the image path). */
  readonly source: string;
  statfs(): StatFs;
  /** Write everything dirty through to the backing store. */
  sync(): void;
  /** Flush and let go of the backing store; called once, last. */
  unmount(): void;
}

/** A mount failed: a one-line reason for the user or EINVAL-class errno for mount(2). */
export class MountError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
  }
}

let nextAnonymousMinor = 1;

/** A fresh anonymous device number (major 0), as Linux gives tmpfs and proc. */
export function anonymousDevice(): number {
  return makedev(0, nextAnonymousMinor++);
}

export interface MountRequest {
  /** The block device for disk filesystems. */
  device?: BlockDevice;
  readOnly: boolean;
  /** mount(2)'s data string, e.g. "size=64m,mode=1777". */
  options: string;
  source: string;
  /** The kernel mounting it (procfs reads its processes). */
  kernel?: Kernel;
}

export type FileSystemFactory = (request: MountRequest) => FileSystem;

const types = new Map<string, { factory: FileSystemFactory; needsDevice: boolean }>();

export function registerFileSystemType(
  name: string,
  factory: FileSystemFactory,
  needsDevice: boolean,
): void {
  types.set(name, { factory, needsDevice });
}

export function fileSystemType(
  name: string,
): { factory: FileSystemFactory; needsDevice: boolean } | undefined {
  return types.get(name);
}

/** For /proc/filesystems: "nodev\ttmpfs" or "\text2". */
export function registeredFileSystemTypes(): { name: string; needsDevice: boolean }[] {
  return [...types].map(([name, t]) => ({ name, needsDevice: t.needsDevice }));
}
