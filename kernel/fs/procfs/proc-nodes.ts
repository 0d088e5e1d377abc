// The three kinds of procfs inode: directories whose entries are computed on every readdir and
// lookup, files whose text is generated when read (a snapshot taken at offset 0 and kept while
// the same open reads on), and symlinks whose target is computed (with an optional "magic" jump
// to the real Path, for /proc/<pid>/fd/N, cwd, exe and root). Procfs sets cacheable=false, so
// every walk looks names up afresh and every open gets its own inode object: a snapshot belongs
// to one open, as a seq_file buffer does on Linux.

import { EIO, ENOENT, EPERM } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import type { Path } from "../dentry.ts";
import type { FileSystem } from "../filesystem.ts";
import {
  type DirEntry,
  DT_DIR,
  DT_LNK,
  DT_REG,
  Inode,
  nameBytes,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
  type Timespec,
} from "../inode.ts";

/** Who owns a node, its permission bits and the time stamps it shows. */
export interface NodeAttributes {
  perm: number;
  uid: number;
  gid: number;
  time: Timespec;
  /** st_size; 0 for almost everything in procfs, as on Linux. */
  size?: number;
}

/** One name in a procfs directory, made into an inode only when it is looked up. */
export interface ProcEntry {
  name: string;
  ino: number;
  /** DT_* */
  type: number;
  make(): Inode;
}

abstract class ProcNode extends Inode {
  constructor(fs: FileSystem, ino: number, type: number, attrs: NodeAttributes) {
    super(fs, ino);
    this.mode = type | (attrs.perm & 0o7777);
    this.uid = attrs.uid;
    this.gid = attrs.gid;
    this.atime = { ...attrs.time };
    this.mtime = { ...attrs.time };
    this.ctime = { ...attrs.time };
    this.size = attrs.size ?? 0;
  }

  get blocks(): number {
    return 0;
  }
}

/** A directory whose entries `list` computes each time (processes come and go). */
export class ProcDir extends ProcNode {
  constructor(
    fs: FileSystem,
    ino: number,
    attrs: NodeAttributes,
    private readonly list: () => ProcEntry[],
    /** A faster or wider lookup than scanning `list` (e.g. any live thread id). */
    private readonly find: ((name: string) => ProcEntry | null) | null = null,
  ) {
    super(fs, ino, S_IFDIR, attrs);
    this.nlink = 2;
  }

  /** Linux counts "." and every subdirectory's "..". */
  override refresh(): void {
    this.nlink = 2 + this.list().filter((e) => e.type === DT_DIR).length;
  }

  override lookup(name: string): Inode | null {
    const entry = this.find !== null
      ? this.find(name)
      : this.list().find((e) => e.name === name) ?? null;
    return entry === null ? null : entry.make();
  }

  override readdir(): DirEntry[] {
    return this.list().map(({ name, ino, type }) => ({ name, ino, type }));
  }

  // Linux's proc directories have no create operations; the lookup before them fails first.
  override create(): Inode {
    throw new SyscallError(ENOENT);
  }
  override mkdir(): Inode {
    throw new SyscallError(ENOENT);
  }
  override symlink(): Inode {
    throw new SyscallError(ENOENT);
  }
  override link(): void {
    throw new SyscallError(ENOENT);
  }
  override rename(): void {
    throw new SyscallError(ENOENT);
  }
  override unlink(): void {
    throw new SyscallError(EPERM);
  }
  override rmdir(): void {
    throw new SyscallError(EPERM);
  }
}

export interface FileBehaviour {
  /** The file's text as a byte string (one char per byte, see bytesName/nameBytes). */
  generate(): string;
  /** Handle a write at `offset`; returns bytes taken. Absent: writes fail with `writeErrno`. */
  write?(offset: number, data: Uint8Array): number;
  /** EIO for proc_create'd system files, EINVAL for per-process ones, as on Linux. */
  writeErrno?: number;
}

/** A generated file. Size is 0, as on Linux; reads go to EOF of the snapshot. */
export class ProcFile extends ProcNode {
  private snapshot: Uint8Array | null = null;

  constructor(
    fs: FileSystem,
    ino: number,
    attrs: NodeAttributes,
    private readonly behaviour: FileBehaviour,
  ) {
    super(fs, ino, S_IFREG, attrs);
  }

  /** The text a read from offset 0 would return now. */
  contents(): Uint8Array {
    return nameBytes(this.behaviour.generate());
  }

  override read(offset: number, buf: Uint8Array): number {
    // Reading from the start (a fresh open, or lseek back to 0 as top does) regenerates.
    if (offset === 0 || this.snapshot === null) this.snapshot = this.contents();
    if (offset >= this.snapshot.length) return 0;
    const part = this.snapshot.subarray(offset, offset + buf.length);
    buf.set(part);
    return part.length;
  }

  override write(offset: number, data: Uint8Array): number {
    if (this.behaviour.write === undefined) {
      throw new SyscallError(this.behaviour.writeErrno ?? EIO);
    }
    this.snapshot = null;
    return this.behaviour.write(offset, data);
  }

  /** Linux's proc setattr ignores a size change: truncate(2) and O_TRUNC succeed, do nothing. */
  override truncate(): void {}
}

export interface LinkBehaviour {
  /** What readlink returns; throws (ENOENT, EACCES) when the link cannot be read. */
  target(): string;
  /** Where a walk jumps for magic links; null for ordinary (text) links. */
  jump?(): Path | null;
}

export class ProcLink extends ProcNode {
  constructor(
    fs: FileSystem,
    ino: number,
    attrs: NodeAttributes,
    private readonly behaviour: LinkBehaviour,
  ) {
    super(fs, ino, S_IFLNK, attrs);
  }

  override readlink(): string {
    return this.behaviour.target();
  }

  override magicLink(): Path | null {
    return this.behaviour.jump?.() ?? null;
  }
}

/** Entry helpers: each builds the ProcEntry and, on lookup, the inode. */
export function dirEntry(
  fs: FileSystem,
  name: string,
  ino: number,
  attrs: () => NodeAttributes,
  list: () => ProcEntry[],
  find: ((name: string) => ProcEntry | null) | null = null,
): ProcEntry {
  return { name, ino, type: DT_DIR, make: () => new ProcDir(fs, ino, attrs(), list, find) };
}

export function fileEntry(
  fs: FileSystem,
  name: string,
  ino: number,
  attrs: () => NodeAttributes,
  behaviour: FileBehaviour,
): ProcEntry {
  return { name, ino, type: DT_REG, make: () => new ProcFile(fs, ino, attrs(), behaviour) };
}

export function linkEntry(
  fs: FileSystem,
  name: string,
  ino: number,
  attrs: () => NodeAttributes,
  behaviour: LinkBehaviour,
): ProcEntry {
  return { name, ino, type: DT_LNK, make: () => new ProcLink(fs, ino, attrs(), behaviour) };
}
