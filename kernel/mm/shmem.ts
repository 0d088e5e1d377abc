// Shared anonymous memory (mmap MAP_SHARED|MAP_ANONYMOUS, and MAP_SHARED of /dev/zero), as
// Linux's shmem_zero_setup does it: each such mapping is backed by its own unlinked file in a
// kernel-internal tmpfs, so a forked child maps the same pages as its parent — also the ones
// neither had touched yet at fork time. /proc/<pid>/maps names it "/dev/zero (deleted)".

import type { Kernel } from "../kernel.ts";
import { O_RDWR, OpenFile } from "../files/open-file.ts";
import { regularFileOps } from "../fs/inode-file.ts";
import { S_IFREG } from "../fs/inode.ts";
import { TmpFileSystem } from "../fs/tmpfs.ts";
import { parseTmpfsOptions } from "../fs/tmpfs/options.ts";
import type { FileMapRequest } from "./address-space.ts";

const filesystems = new WeakMap<Kernel, TmpFileSystem>();
let serial = 0;

function shmemOf(kernel: Kernel): TmpFileSystem {
  let fs = filesystems.get(kernel);
  if (fs === undefined) {
    const memory = kernel.mem.size;
    const options = { ...parseTmpfsOptions("", memory), maxPages: 0, maxInodes: 0 };
    fs = new TmpFileSystem("shmem", false, options, memory);
    filesystems.set(kernel, fs);
  }
  return fs;
}

/** A fresh zero-filled object of `length` bytes to map shared. */
export function sharedAnonymousObject(kernel: Kernel, length: number): FileMapRequest {
  const fs = shmemOf(kernel);
  const name = `zero-${++serial}`;
  const inode = fs.root.create(name, S_IFREG | 0o600, 0, 0, 0);
  inode.truncate(length);
  fs.root.unlink(name);
  const file = new OpenFile(regularFileOps, O_RDWR, "/dev/zero (deleted)");
  return { inode, offset: 0, file };
}
