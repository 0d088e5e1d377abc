// devtmpfs: /dev as Linux's devtmpfs gives it, a tmpfs (so mknod, mkdir and files work there)
// populated with the kernel's devices — null, zero, full, random, urandom (1:3..1:9), tty (5:0),
// console (5:1) — the /proc/self/fd links init systems add (fd, stdin, stdout, stderr) and the
// empty shm/ and pts/ directories. One instance per kernel, as Linux has one devtmpfs: every
// mount of it shows the same tree.

import type { Kernel } from "../../kernel.ts";
import {
  type FileSystem,
  MountError,
  type MountRequest,
  registerFileSystemType,
  type StatFs,
} from "../filesystem.ts";
import { makedev, S_IFCHR, S_IFDIR } from "../inode.ts";
import {
  DEFAULT_MEMORY_BYTES,
  mountTmpfs,
  type TmpDirectory,
  type TmpFileSystem,
} from "../tmpfs.ts";
import {
  FULL_MINOR,
  MEM_MAJOR,
  NULL_MINOR,
  RANDOM_MINOR,
  URANDOM_MINOR,
  ZERO_MINOR,
} from "./memory-devices.ts";
import { CONSOLE_MINOR, TTY_MINOR, TTYAUX_MAJOR } from "./tty-device.ts";

/** Device nodes: name, major, minor, permissions (all owned by root, as devtmpfs makes them). */
const NODES: [string, number, number, number][] = [
  ["null", MEM_MAJOR, NULL_MINOR, 0o666],
  ["zero", MEM_MAJOR, ZERO_MINOR, 0o666],
  ["full", MEM_MAJOR, FULL_MINOR, 0o666],
  ["random", MEM_MAJOR, RANDOM_MINOR, 0o666],
  ["urandom", MEM_MAJOR, URANDOM_MINOR, 0o666],
  ["tty", TTYAUX_MAJOR, TTY_MINOR, 0o666],
  ["console", TTYAUX_MAJOR, CONSOLE_MINOR, 0o600],
];

const LINKS: [string, string][] = [
  ["fd", "/proc/self/fd"],
  ["stdin", "/proc/self/fd/0"],
  ["stdout", "/proc/self/fd/1"],
  ["stderr", "/proc/self/fd/2"],
];

const DIRECTORIES: [string, number][] = [["shm", 0o1777], ["pts", 0o755]];

/** The tmpfs behind /dev, shown as type "devtmpfs" in /proc/mounts. */
export class DevFileSystem implements FileSystem {
  readonly type = "devtmpfs";
  readonly cacheable = true;
  readonly readOnly = false;

  constructor(readonly tmpfs: TmpFileSystem, readonly source: string) {}

  get dev(): number {
    return this.tmpfs.dev;
  }
  get root(): TmpDirectory {
    return this.tmpfs.root;
  }
  /** TMPFS_MAGIC: devtmpfs is tmpfs underneath on Linux too. */
  statfs(): StatFs {
    return this.tmpfs.statfs();
  }
  sync(): void {
    this.tmpfs.sync();
  }
  unmount(): void {}
}

function populate(root: TmpDirectory): void {
  for (const [name, major, minor, perm] of NODES) {
    root.create(name, S_IFCHR | perm, 0, 0, makedev(major, minor));
  }
  for (const [name, target] of LINKS) root.symlink(name, target, 0, 0);
  for (const [name, perm] of DIRECTORIES) root.mkdir(name, S_IFDIR | perm, 0, 0);
}

/**
 * A fresh, populated devtmpfs. `options` are tmpfs's (size=, nr_inodes=, mode=...; mode 0755
 * unless given); defaults for size scale with `memoryBytes`, the machine's RAM.
 */
export function createDevfs(
  options = "",
  memoryBytes = DEFAULT_MEMORY_BYTES,
  source = "devtmpfs",
): DevFileSystem {
  const withMode = /(^|,)mode=/.test(options) ? options : ["mode=755", options].filter((o) => o)
    .join(",");
  const tmpfs = mountTmpfs({ readOnly: false, options: withMode, source }, memoryBytes);
  populate(tmpfs.root);
  return new DevFileSystem(tmpfs, source);
}

const instances = new WeakMap<Kernel, DevFileSystem>();

/**
 * mount -t devtmpfs: the kernel's one devtmpfs (created by the first mount; later mounts show
 * the same tree and ignore options, as Linux's do). Without a kernel, a fresh instance.
 */
export function mountDevfs(request: MountRequest): DevFileSystem {
  const kernel = request.kernel;
  const existing = kernel === undefined ? undefined : instances.get(kernel);
  if (existing !== undefined) return existing;
  const memory = kernel?.mem.size ?? DEFAULT_MEMORY_BYTES;
  let fs: DevFileSystem;
  try {
    fs = createDevfs(request.options, memory, request.source || "devtmpfs");
  } catch (e) {
    if (e instanceof MountError) {
      throw new MountError(e.message.replace(/^tmpfs/, "devtmpfs"), e.errno);
    }
    throw e;
  }
  if (kernel !== undefined) instances.set(kernel, fs);
  return fs;
}

registerFileSystemType("devtmpfs", mountDevfs, false);
