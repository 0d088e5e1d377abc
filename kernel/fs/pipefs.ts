// pipefs, the internal filesystem every pipe lives on (never mounted in the tree): its device and
// inode numbers, shared by pipe(2) pipes and the host streams that behave as pipes, and the inode
// a pipe's /proc/<pid>/fd/N magic link leads to, so that opening the link opens the same pipe.

import { Dentry, type Path } from "./dentry.ts";
import type { FileSystem, StatFs } from "./filesystem.ts";
import { Inode, S_IFDIR, S_IFIFO } from "./inode.ts";
import { Mount } from "./mount.ts";
import type { Pipe } from "../files/pipe.ts";
import type { OpenFile } from "../files/open-file.ts";

/** st_dev of every pipe. */
export const PIPEFS_DEV = 0xd;
const PIPEFS_MAGIC = 0x50495045;
const PAGE_SIZE = 4096;

let nextPipeIno = 1000;

/** A fresh pipefs inode number. */
export function allocatePipeIno(): number {
  return nextPipeIno++;
}

class PipeFsRoot extends Inode {
  get blocks(): number {
    return 0;
  }
}

/** The inode of one pipe: S_IFIFO|0600, owned by its creator, timed at its creation. */
export class PipeInode extends Inode {
  constructor(fs: FileSystem, readonly pipe: Pipe) {
    super(fs, pipe.ino);
    this.mode = S_IFIFO | 0o600;
    this.uid = pipe.uid;
    this.gid = pipe.gid;
    this.atime = this.mtime = this.ctime = pipe.created;
  }

  get blocks(): number {
    return 0;
  }
}

const pipeFs: FileSystem = {
  type: "pipefs",
  dev: PIPEFS_DEV,
  get root() {
    return root;
  },
  readOnly: false,
  cacheable: true,
  source: "pipefs",
  statfs(): StatFs {
    return {
      type: PIPEFS_MAGIC,
      bsize: PAGE_SIZE,
      blocks: 0,
      bfree: 0,
      bavail: 0,
      files: 0,
      ffree: 0,
      namelen: 255,
      frsize: PAGE_SIZE,
      flags: 0,
    };
  },
  sync() {},
  unmount() {},
};
const root = new PipeFsRoot(pipeFs, 1);
root.mode = S_IFDIR | 0o700;
const mount = new Mount(0, pipeFs, null, null, 0);

const paths = new WeakMap<Pipe, Path>();

/** Where `pipe` is on pipefs (made on first use). */
export function pipeFsPath(pipe: Pipe): Path {
  let path = paths.get(pipe);
  if (path === undefined) {
    const inode = new PipeInode(pipeFs, pipe);
    path = { mount, dentry: new Dentry(`pipe:[${pipe.ino}]`, mount.root, inode) };
    paths.set(pipe, path);
  }
  return path;
}

/**
 * A host stream that behaves as a pipe (the program's stdin, stdout, stderr): opening its
 * /proc/<pid>/fd/N link opens the same stream again, as /dev/stdin does on Linux.
 */
export class StreamInode extends Inode {
  constructor(ino: number, readonly reopen: (flags: number) => OpenFile) {
    super(pipeFs, ino);
    this.mode = S_IFIFO | 0o600;
  }

  get blocks(): number {
    return 0;
  }
}

const streamPaths = new WeakMap<object, Path>();

/** Where the host stream `key` is on pipefs (made on first use). */
export function streamFsPath(key: object, ino: number, reopen: (flags: number) => OpenFile): Path {
  let path = streamPaths.get(key);
  if (path === undefined) {
    const inode = new StreamInode(ino, reopen);
    path = { mount, dentry: new Dentry(`pipe:[${ino}]`, mount.root, inode) };
    streamPaths.set(key, path);
  }
  return path;
}

/** The pipe behind a pipefs inode; null for any other inode (a FIFO's, say). */
export function pipeOfInode(inode: Inode): Pipe | null {
  return inode instanceof PipeInode ? inode.pipe : null;
}
