// Linear ext2 directories: entries {inode u32, rec_len u16, name_len u8, file_type u8, name}
// (name_len u16 without the filetype feature) that tile each block exactly. New entries go into
// the slack of an existing entry or a fresh block; a removed entry merges into its predecessor
// (the first entry of a block gets inode 0 instead). Lookups use a name index built on first use.

import { EEXIST, EIO, ENOENT } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import {
  DT_BLK,
  DT_CHR,
  DT_DIR,
  DT_FIFO,
  DT_LNK,
  DT_REG,
  DT_SOCK,
  DT_UNKNOWN,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "../inode.ts";
import type { BlockCache } from "./block-cache.ts";

const FT_BY_MODE: Record<number, number> = {
  [S_IFREG]: 1,
  [S_IFDIR]: 2,
  [S_IFCHR]: 3,
  [S_IFBLK]: 4,
  [S_IFIFO]: 5,
  [S_IFSOCK]: 6,
  [S_IFLNK]: 7,
};
const DT_BY_FT = [DT_UNKNOWN, DT_REG, DT_DIR, DT_CHR, DT_BLK, DT_FIFO, DT_SOCK, DT_LNK];

/** The ext2 file_type byte for an inode mode. */
export const fileTypeOf = (mode: number) => FT_BY_MODE[mode & S_IFMT] ?? 0;
/** d_type for an ext2 file_type byte. */
export const dtypeOfFileType = (ft: number) => DT_BY_FT[ft] ?? DT_UNKNOWN;
/** Bytes an entry with a name of `nameLen` bytes needs. */
export const entrySize = (nameLen: number) => (8 + nameLen + 3) & ~3;

export interface DirectoryHost {
  readonly blockSize: number;
  readonly filetype: boolean;
  readonly inodesCount: number;
  readonly cache: BlockCache;
}

/** The directory inode's data blocks as the directory code needs them. */
export interface DirectoryBlocks {
  readonly blockCount: number;
  /** Physical block of a logical one; a hole inside a directory is corruption (EIO). */
  physical(logical: number): number;
  /** Allocate the next logical block (zeroed, cached) and grow the size; returns it. */
  append(): number;
  /** Called after any change (clears the htree index flag). */
  changed(): void;
}

export interface Entry {
  name: string;
  ino: number;
  fileType: number;
}

interface Slot {
  ino: number;
  fileType: number;
  block: number;
}

function decodeName(data: Uint8Array, at: number, length: number): string {
  let s = "";
  for (let i = 0; i < length; i++) s += String.fromCharCode(data[at + i]);
  return s;
}

function nameMatches(data: Uint8Array, at: number, length: number, name: string): boolean {
  if (length !== name.length) return false;
  for (let i = 0; i < length; i++) if (data[at + i] !== name.charCodeAt(i)) return false;
  return true;
}

export class Directory {
  private names: Map<string, Slot> | null = null;
  private hint = 0;

  constructor(private readonly host: DirectoryHost, private readonly blocks: DirectoryBlocks) {}

  private readBlock(logical: number): { phys: number; data: Uint8Array; dv: DataView } {
    const phys = this.blocks.physical(logical);
    const data = this.host.cache.read(phys);
    return { phys, data, dv: new DataView(data.buffer, data.byteOffset, data.byteLength) };
  }

  /** Visit every entry of a block (validated): offset, inode, rec_len, name length, type. */
  private walk(
    dv: DataView,
    visit: (off: number, ino: number, recLen: number, nameLen: number, ft: number) => boolean,
  ): void {
    const bs = this.host.blockSize, filetype = this.host.filetype;
    let off = 0;
    while (off < bs) {
      if (off + 12 > bs) throw new SyscallError(EIO);
      const ino = dv.getUint32(off, true);
      const recLen = dv.getUint16(off + 4, true);
      const nameLen = filetype ? dv.getUint8(off + 6) : dv.getUint16(off + 6, true);
      if (
        recLen < 12 || recLen % 4 !== 0 || off + recLen > bs || 8 + nameLen > recLen ||
        nameLen > 255 || ino > this.host.inodesCount || (ino !== 0 && nameLen === 0)
      ) throw new SyscallError(EIO);
      if (visit(off, ino, recLen, nameLen, filetype ? dv.getUint8(off + 7) : 0)) return;
      off += recLen;
    }
  }

  /**
   * Read every block once, in order. A block appearing twice in one directory is corruption
   * (and would let a small image claim endless entries).
   */
  private eachBlock(visit: (logical: number, data: Uint8Array, dv: DataView) => void): void {
    const seen = new Set<number>();
    for (let logical = 0; logical < this.blocks.blockCount; logical++) {
      const { phys, data, dv } = this.readBlock(logical);
      if (seen.has(phys)) throw new SyscallError(EIO);
      seen.add(phys);
      visit(logical, data, dv);
    }
  }

  /** Every live entry, "." and ".." included, in on-disk order. */
  entries(): Entry[] {
    const out: Entry[] = [];
    this.eachBlock((_logical, data, dv) => {
      this.walk(dv, (off, ino, _recLen, nameLen, fileType) => {
        if (ino) out.push({ name: decodeName(data, off + 8, nameLen), ino, fileType });
        return false;
      });
    });
    return out;
  }

  private index(): Map<string, Slot> {
    if (this.names) return this.names;
    const names = new Map<string, Slot>();
    this.eachBlock((logical, data, dv) => {
      this.walk(dv, (off, ino, _recLen, nameLen, fileType) => {
        if (!ino) return false;
        const name = decodeName(data, off + 8, nameLen);
        if (!names.has(name)) names.set(name, { ino, fileType, block: logical });
        return false;
      });
    });
    this.names = names;
    return names;
  }

  lookup(name: string): { ino: number; fileType: number } | undefined {
    return this.index().get(name);
  }

  private writeEntry(
    data: Uint8Array,
    dv: DataView,
    off: number,
    recLen: number,
    name: string,
    ino: number,
    fileType: number,
  ): void {
    dv.setUint32(off, ino, true);
    dv.setUint16(off + 4, recLen, true);
    if (this.host.filetype) {
      dv.setUint8(off + 6, name.length);
      dv.setUint8(off + 7, fileType);
    } else dv.setUint16(off + 6, name.length, true);
    for (let i = 0; i < name.length; i++) data[off + 8 + i] = name.charCodeAt(i);
  }

  add(name: string, ino: number, fileType: number): void {
    const names = this.index();
    if (names.has(name)) throw new SyscallError(EEXIST);
    const need = entrySize(name.length);
    const ft = this.host.filetype ? fileType : 0;
    for (let logical = this.hint; logical < this.blocks.blockCount; logical++) {
      const { phys, data, dv } = this.readBlock(logical);
      let placed = false;
      this.walk(dv, (off, entryIno, recLen, nameLen) => {
        const used = entryIno ? entrySize(nameLen) : 0;
        if (recLen - used < need) return false;
        if (used) dv.setUint16(off + 4, used, true);
        this.writeEntry(data, dv, off + used, recLen - used, name, ino, ft);
        placed = true;
        return true;
      });
      if (placed) {
        this.host.cache.markDirty(phys, data);
        this.hint = logical;
        names.set(name, { ino, fileType: ft, block: logical });
        this.blocks.changed();
        return;
      }
    }
    const logical = this.blocks.blockCount;
    const phys = this.blocks.append();
    const data = this.host.cache.read(phys);
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    this.writeEntry(data, dv, 0, this.host.blockSize, name, ino, ft);
    this.host.cache.markDirty(phys, data);
    this.hint = logical;
    names.set(name, { ino, fileType: ft, block: logical });
    this.blocks.changed();
  }

  /** Find `name` in its block; returns the block and the entry's offset and predecessor's. */
  private locate(
    name: string,
  ): { slot: Slot; phys: number; data: Uint8Array; dv: DataView; off: number; prev: number } {
    const slot = this.index().get(name);
    if (!slot) throw new SyscallError(ENOENT);
    const { phys, data, dv } = this.readBlock(slot.block);
    let found = -1, prev = -1, last = -1;
    this.walk(dv, (off, ino, _recLen, nameLen) => {
      if (ino && nameMatches(data, off + 8, nameLen, name)) {
        found = off;
        prev = last;
        return true;
      }
      last = off;
      return false;
    });
    if (found < 0) throw new SyscallError(EIO);
    return { slot, phys, data, dv, off: found, prev };
  }

  /** Remove `name`; returns the inode it named. */
  remove(name: string): number {
    const { slot, phys, data, dv, off, prev } = this.locate(name);
    if (prev >= 0) {
      dv.setUint16(prev + 4, dv.getUint16(prev + 4, true) + dv.getUint16(off + 4, true), true);
    }
    dv.setUint32(off, 0, true);
    this.host.cache.markDirty(phys, data);
    this.names!.delete(name);
    if (slot.block < this.hint) this.hint = slot.block;
    this.blocks.changed();
    return slot.ino;
  }

  /** Point the existing entry `name` at another inode. */
  retarget(name: string, ino: number, fileType: number): void {
    const { slot, phys, data, dv, off } = this.locate(name);
    dv.setUint32(off, ino, true);
    if (this.host.filetype) dv.setUint8(off + 7, fileType);
    this.host.cache.markDirty(phys, data);
    slot.ino = ino;
    slot.fileType = this.host.filetype ? fileType : 0;
    this.blocks.changed();
  }

  /** Offset of the ".." entry in block 0 (the entry after "."). */
  private dotDot(dv: DataView, data: Uint8Array): number {
    let seen = 0, at = -1;
    this.walk(dv, (off, _ino, _recLen, nameLen) => {
      const dots = seen === 0 ? "." : "..";
      if (!nameMatches(data, off + 8, nameLen, dots)) throw new SyscallError(EIO);
      if (seen++ === 1) {
        at = off;
        return true;
      }
      return false;
    });
    if (at < 0) throw new SyscallError(EIO);
    return at;
  }

  parent(): number {
    if (this.blocks.blockCount === 0) throw new SyscallError(EIO);
    const { data, dv } = this.readBlock(0);
    return dv.getUint32(this.dotDot(dv, data), true);
  }

  setParent(ino: number): void {
    if (this.blocks.blockCount === 0) throw new SyscallError(EIO);
    const { phys, data, dv } = this.readBlock(0);
    dv.setUint32(this.dotDot(dv, data), ino, true);
    this.host.cache.markDirty(phys, data);
    this.blocks.changed();
  }

  /** Fill a new directory's first block with "." and "..". */
  static initBlock(host: DirectoryHost, data: Uint8Array, self: number, parent: number): void {
    const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
    data.fill(0);
    const ft = host.filetype ? 2 : 0;
    dv.setUint32(0, self, true);
    dv.setUint16(4, 12, true);
    if (host.filetype) dv.setUint8(7, ft);
    dv.setUint8(6, 1);
    data[8] = 0x2e;
    dv.setUint32(12, parent, true);
    dv.setUint16(16, host.blockSize - 12, true);
    dv.setUint8(18, 2);
    if (host.filetype) dv.setUint8(19, ft);
    data[20] = 0x2e;
    data[21] = 0x2e;
  }

  /** Forget the name index (after the directory was freed or rebuilt). */
  reset(): void {
    this.names = null;
    this.hint = 0;
  }
}
