// The anonymous inode (Linux's anon_inodefs): the one inode that eventfd, epoll and other
// file-descriptor-only objects share, as fstat shows them: mode 0600 with no file type, owned by
// root, times of when the kernel started, and "anon_inode:[name]" in /proc/<pid>/fd.

import { currentTime } from "../fs/inode.ts";
import type { FileStat } from "./open-file.ts";

/** anon_inodefs's device number. */
export const ANON_INODE_DEV = 0xe;
const ANON_INODE_INO = 1;
const created = currentTime();

export function anonInodeStat(): FileStat {
  return {
    dev: ANON_INODE_DEV,
    ino: ANON_INODE_INO,
    mode: 0o600,
    nlink: 1,
    uid: 0,
    gid: 0,
    rdev: 0,
    size: 0,
    blksize: 4096,
    blocks: 0,
    atime: created,
    mtime: created,
    ctime: created,
  };
}

/** What /proc/<pid>/fd shows for an anonymous-inode file named `name` ("eventfd"). */
export function anonInodePath(name: string): string {
  return `anon_inode:[${name}]`;
}
