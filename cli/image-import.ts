// Copy a host directory tree into an ext2 volume through the Inode API: regular files (all-zero
// blocks left as holes, as mke2fs -d does), directories, symlinks, hard links (as hard links),
// device nodes, FIFOs and sockets, with their modes, owners and times.

import { join } from "node:path";
import { errnoMessage } from "../kernel/errno.ts";
import { SyscallError } from "../kernel/syscall-error.ts";
import {
  bytesName,
  type Inode,
  isDir,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
  S_IFREG,
  S_IFSOCK,
  type Timespec,
} from "../kernel/fs/inode.ts";
import type { Progress } from "./progress.ts";

const CHUNK = 1 << 20;
const utf8 = new TextEncoder();

/** A host name or link target as the kernel's latin1 byte string. */
export const hostName = (name: string) => bytesName(utf8.encode(name));

export class ImportError extends Error {}

export interface TreeSize {
  files: number;
  bytes: number;
}

/** Entries and regular-file bytes under `dir` (hard-linked files counted once). */
export function measureTree(dir: string): TreeSize {
  const seen = new Set<string>();
  const size: TreeSize = { files: 0, bytes: 0 };
  const walk = (path: string) => {
    for (const entry of Deno.readDirSync(path)) {
      const full = join(path, entry.name);
      const st = Deno.lstatSync(full);
      size.files++;
      if (st.isFile && !seen.has(`${st.dev}:${st.ino}`)) {
        if ((st.nlink ?? 1) > 1) seen.add(`${st.dev}:${st.ino}`);
        size.bytes += st.size;
      }
      if (st.isDirectory) walk(full);
    }
  };
  walk(dir);
  return size;
}

function timeOf(date: Date | null): Timespec {
  const ms = date ? date.getTime() : Date.now();
  const sec = Math.floor(ms / 1000);
  return { sec, nsec: (ms - sec * 1000) * 1_000_000 };
}

function allZero(words: Uint32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (words[i] !== 0) return false;
  return true;
}

export class TreeImporter {
  private readonly links = new Map<string, Inode>();
  private readonly buffer = new Uint8Array(CHUNK);
  private readonly words = new Uint32Array(this.buffer.buffer);

  constructor(private readonly blockSize: number, private readonly progress: Progress) {}

  /** Copy the contents of host directory `dir` into image directory `into`. */
  importInto(dir: string, into: Inode): void {
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    for (const name of names) {
      const path = join(dir, name);
      try {
        this.importEntry(path, hostName(name), into);
      } catch (e) {
        if (e instanceof ImportError) throw e;
        if (e instanceof SyscallError) throw new ImportError(`${path}: ${errnoMessage(e.errno)}`);
        throw new ImportError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** Give `inode` the owner, permissions and times of host file `st`. */
  copyAttributes(inode: Inode, st: Deno.FileInfo, withPermissions = true): void {
    if (withPermissions) inode.mode = (inode.mode & ~0o7777) | ((st.mode ?? 0) & 0o7777);
    inode.uid = st.uid ?? 0;
    inode.gid = st.gid ?? 0;
    inode.atime = timeOf(st.atime);
    inode.mtime = timeOf(st.mtime);
    inode.markDirty();
  }

  private importEntry(path: string, name: string, into: Inode): void {
    const st = Deno.lstatSync(path);
    const uid = st.uid ?? 0, gid = st.gid ?? 0, perm = (st.mode ?? 0o644) & 0o7777;
    this.progress.advance(0, 1);
    const key = `${st.dev}:${st.ino}`;
    if (!st.isDirectory && (st.nlink ?? 1) > 1) {
      const first = this.links.get(key);
      if (first) {
        into.link(name, first);
        return;
      }
    }
    let inode: Inode;
    if (st.isDirectory) {
      const existing = into.lookup(name);
      inode = existing && isDir(existing.mode) ? existing : into.mkdir(name, perm, uid, gid);
      this.importInto(path, inode);
    } else if (st.isSymlink) {
      inode = into.symlink(name, hostName(Deno.readLinkSync(path)), uid, gid);
      this.copyAttributes(inode, st, false);
      return;
    } else if (st.isFile) {
      inode = into.create(name, S_IFREG | perm, uid, gid, 0);
      this.copyData(path, inode);
    } else {
      const type = st.isCharDevice
        ? S_IFCHR
        : st.isBlockDevice
        ? S_IFBLK
        : st.isFifo
        ? S_IFIFO
        : S_IFSOCK;
      const rdev = type === S_IFCHR || type === S_IFBLK ? st.rdev ?? 0 : 0;
      inode = into.create(name, type | perm, uid, gid, rdev);
    }
    if ((st.nlink ?? 1) > 1 && !st.isDirectory) this.links.set(key, inode);
    this.copyAttributes(inode, st);
  }

  private copyData(path: string, inode: Inode): void {
    const file = Deno.openSync(path, { read: true });
    const bs = this.blockSize, wordsPerBlock = bs / 4;
    let offset = 0;
    try {
      for (;;) {
        let filled = 0;
        while (filled < CHUNK) {
          const n = file.readSync(this.buffer.subarray(filled));
          if (n === null || n === 0) break;
          filled += n;
        }
        if (filled === 0) break;
        // Write runs of blocks that are not all zero; zero blocks stay holes.
        let runStart = -1;
        for (let at = 0; at < filled; at += bs) {
          const end = Math.min(at + bs, filled);
          const zero = end - at === bs && allZero(this.words, at / 4, at / 4 + wordsPerBlock);
          if (!zero && runStart < 0) runStart = at;
          if (zero && runStart >= 0) {
            inode.write(offset + runStart, this.buffer.subarray(runStart, at));
            runStart = -1;
          }
        }
        if (runStart >= 0) inode.write(offset + runStart, this.buffer.subarray(runStart, filled));
        offset += filled;
        this.progress.advance(filled, 0);
        if (filled < CHUNK) break;
      }
    } finally {
      file.close();
    }
    if (inode.size < offset) inode.truncate(offset);
  }
}
