// The on-disk inode record: where inode N lives in the inode tables, and its field layout
// (128-byte base plus the extra fields of larger inodes: nanosecond times and creation time).
// Device numbers are stored the way Linux does (old encoding in i_block[0], new in i_block[1]).

import { S_IFBLK, S_IFCHR, S_IFMT, S_IFREG, type Timespec } from "../inode.ts";
import { devMajor, devMinor, makedev } from "../inode.ts";
import type { GroupDescriptor } from "./group-descriptors.ts";
import type { Geometry } from "./superblock.ts";

export const N_BLOCK_POINTERS = 15;
export const IBLOCK_BYTES = 60;
export const INDEX_FL = 0x1000;
/** The extra-field size this driver gives new large inodes (covers times and crtime). */
export const WANTED_EXTRA_ISIZE = 32;

export interface InodeFields {
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  size: number;
  rdev: number;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  btime: Timespec | null;
  dtime: number;
  blocks512: number;
  flags: number;
  /** i_block: 15 pointers, or a fast symlink's target, or a device number. */
  iblock: Uint8Array;
  generation: number;
  fileAcl: number;
  /** i_extra_isize (0 for 128-byte inodes or when the stored value is unusable). */
  extraIsize: number;
}

export function inodeLocation(
  geo: Geometry,
  groups: GroupDescriptor[],
  ino: number,
): { block: number; offset: number } {
  const g = Math.floor((ino - 1) / geo.inodesPerGroup);
  const byteIndex = ((ino - 1) % geo.inodesPerGroup) * geo.inodeSize;
  return {
    block: groups[g].inodeTable + Math.floor(byteIndex / geo.blockSize),
    offset: byteIndex % geo.blockSize,
  };
}

const TWO32 = 2 ** 32;

function decodeTime(dv: DataView, off: number, extraOff: number, hasExtra: boolean): Timespec {
  const low = dv.getInt32(off, true);
  if (!hasExtra) return { sec: low, nsec: 0 };
  const extra = dv.getUint32(extraOff, true);
  const nsec = extra >>> 2;
  return { sec: low + (extra & 3) * TWO32, nsec: nsec > 999_999_999 ? 0 : nsec };
}

function encodeTime(dv: DataView, off: number, extraOff: number, hasExtra: boolean, t: Timespec) {
  const low = t.sec | 0;
  dv.setInt32(off, low, true);
  if (hasExtra) {
    const epoch = Math.floor((t.sec - low) / TWO32) & 3;
    dv.setUint32(extraOff, ((t.nsec << 2) | epoch) >>> 0, true);
  }
}

/** Whether the extra fields reach byte `end` of the record. */
const covers = (extraIsize: number, end: number) => 128 + extraIsize >= end;

export function saneExtraIsize(value: number, inodeSize: number): number {
  return value % 4 === 0 && 128 + value <= inodeSize ? value : 0;
}

export function decodeInode(dv: DataView, off: number, inodeSize: number, into: InodeFields) {
  const mode = dv.getUint16(off, true);
  into.mode = mode;
  into.uid = dv.getUint16(off + 2, true) | (dv.getUint16(off + 120, true) << 16);
  into.gid = dv.getUint16(off + 24, true) | (dv.getUint16(off + 122, true) << 16);
  into.uid >>>= 0;
  into.gid >>>= 0;
  const sizeLow = dv.getUint32(off + 4, true);
  into.size = (mode & S_IFMT) === S_IFREG
    ? sizeLow + dv.getUint32(off + 108, true) * TWO32
    : sizeLow;
  into.nlink = dv.getUint16(off + 26, true);
  into.blocks512 = dv.getUint32(off + 28, true);
  into.flags = dv.getUint32(off + 32, true);
  into.iblock.set(new Uint8Array(dv.buffer, dv.byteOffset + off + 40, IBLOCK_BYTES));
  into.generation = dv.getUint32(off + 100, true);
  into.fileAcl = dv.getUint32(off + 104, true);
  into.dtime = dv.getUint32(off + 20, true);
  into.extraIsize = inodeSize > 128 ? saneExtraIsize(dv.getUint16(off + 128, true), inodeSize) : 0;
  const x = into.extraIsize;
  into.atime = decodeTime(dv, off + 8, off + 140, covers(x, 144));
  into.ctime = decodeTime(dv, off + 12, off + 132, covers(x, 136));
  into.mtime = decodeTime(dv, off + 16, off + 136, covers(x, 140));
  into.btime = covers(x, 148) ? decodeTime(dv, off + 144, off + 148, covers(x, 152)) : null;
  const type = mode & S_IFMT;
  if (type === S_IFCHR || type === S_IFBLK) {
    const ib = new DataView(into.iblock.buffer, into.iblock.byteOffset, IBLOCK_BYTES);
    const old = ib.getUint32(0, true);
    if (old) into.rdev = makedev((old >>> 8) & 0xff, old & 0xff);
    else {
      const nw = ib.getUint32(4, true);
      into.rdev = makedev((nw & 0xfff00) >>> 8, (nw & 0xff) | ((nw >>> 12) & 0xfff00));
    }
  } else into.rdev = 0;
}

/** Store a device number in i_block the way Linux's ext2 does. */
export function encodeRdev(iblock: Uint8Array, rdev: number): void {
  const major = devMajor(rdev), minor = devMinor(rdev);
  const ib = new DataView(iblock.buffer, iblock.byteOffset, IBLOCK_BYTES);
  iblock.fill(0);
  if (major < 256 && minor < 256) ib.setUint32(0, (major << 8) | minor, true);
  else {
    ib.setUint32(
      4,
      ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0,
      true,
    );
  }
}

/** Write the fields into a record; bytes this driver does not own are left as they were. */
export function encodeInode(dv: DataView, off: number, inodeSize: number, from: InodeFields) {
  const type = from.mode & S_IFMT;
  if (type === S_IFCHR || type === S_IFBLK) encodeRdev(from.iblock, from.rdev);
  dv.setUint16(off, from.mode, true);
  dv.setUint16(off + 2, from.uid & 0xffff, true);
  dv.setUint16(off + 120, (from.uid >>> 16) & 0xffff, true);
  dv.setUint16(off + 24, from.gid & 0xffff, true);
  dv.setUint16(off + 122, (from.gid >>> 16) & 0xffff, true);
  dv.setUint32(off + 4, from.size % TWO32, true);
  if (type === S_IFREG) dv.setUint32(off + 108, Math.floor(from.size / TWO32), true);
  dv.setUint16(off + 26, from.nlink, true);
  dv.setUint32(off + 28, from.blocks512, true);
  dv.setUint32(off + 32, from.flags, true);
  new Uint8Array(dv.buffer, dv.byteOffset + off + 40, IBLOCK_BYTES).set(from.iblock);
  dv.setUint32(off + 100, from.generation, true);
  dv.setUint32(off + 104, from.fileAcl, true);
  dv.setUint32(off + 20, from.dtime, true);
  const x = from.extraIsize;
  if (inodeSize > 128) dv.setUint16(off + 128, x, true);
  encodeTime(dv, off + 8, off + 140, covers(x, 144), from.atime);
  encodeTime(dv, off + 12, off + 132, covers(x, 136), from.ctime);
  encodeTime(dv, off + 16, off + 136, covers(x, 140), from.mtime);
  if (from.btime && covers(x, 148)) {
    encodeTime(dv, off + 144, off + 148, covers(x, 152), from.btime);
  }
}
