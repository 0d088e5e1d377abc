// The ext2 superblock: field layout (at byte 1024 of the device), feature bits, and the geometry
// checks done at mount. A bad superblock becomes a MountError with a one-line reason.

import { EINVAL } from "../../errno.ts";
import { MountError } from "../filesystem.ts";

export const SUPERBLOCK_OFFSET = 1024;
export const SUPERBLOCK_SIZE = 1024;
export const EXT2_MAGIC = 0xef53;
export const ROOT_INO = 2;
export const GOOD_OLD_FIRST_INO = 11;
export const GOOD_OLD_INODE_SIZE = 128;

export const STATE_VALID = 1;
export const STATE_ERROR = 2;

export const COMPAT_EXT_ATTR = 0x8;
export const COMPAT_RESIZE_INODE = 0x10;
export const COMPAT_DIR_INDEX = 0x20;

export const INCOMPAT_FILETYPE = 0x2;
export const INCOMPAT_RECOVER = 0x4;

export const RO_COMPAT_SPARSE_SUPER = 0x1;
export const RO_COMPAT_LARGE_FILE = 0x2;
export const RO_COMPAT_BTREE_DIR = 0x4;
export const RO_COMPAT_GDT_CSUM = 0x10;
export const RO_COMPAT_EXTRA_ISIZE = 0x40;
export const RO_COMPAT_METADATA_CSUM = 0x400;

const SUPPORTED_INCOMPAT = INCOMPAT_FILETYPE;
const SUPPORTED_RO_COMPAT = RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR |
  RO_COMPAT_EXTRA_ISIZE;

const INCOMPAT_NAMES: Record<number, string> = {
  0x1: "compression",
  0x4: "needs_recovery",
  0x8: "journal_dev",
  0x10: "meta_bg",
  0x40: "extent",
  0x80: "64bit",
  0x100: "mmp",
  0x200: "flex_bg",
  0x400: "ea_inode",
  0x1000: "dirdata",
  0x2000: "metadata_csum_seed",
  0x4000: "large_dir",
  0x8000: "inline_data",
  0x10000: "encrypt",
  0x20000: "casefold",
};

/** The superblock fields ext2 uses; the rest of the 1024 bytes are kept as read. */
export class Superblock {
  constructor(readonly raw: Uint8Array) {}
  private get dv(): DataView {
    return new DataView(this.raw.buffer, this.raw.byteOffset, SUPERBLOCK_SIZE);
  }
  private u32(off: number): number {
    return this.dv.getUint32(off, true);
  }
  private setU32(off: number, v: number): void {
    this.dv.setUint32(off, v, true);
  }
  private u16(off: number): number {
    return this.dv.getUint16(off, true);
  }
  private setU16(off: number, v: number): void {
    this.dv.setUint16(off, v, true);
  }

  get inodesCount() {
    return this.u32(0);
  }
  set inodesCount(v) {
    this.setU32(0, v);
  }
  get blocksCount() {
    return this.u32(4);
  }
  set blocksCount(v) {
    this.setU32(4, v);
  }
  get reservedBlocksCount() {
    return this.u32(8);
  }
  set reservedBlocksCount(v) {
    this.setU32(8, v);
  }
  get freeBlocksCount() {
    return this.u32(12);
  }
  set freeBlocksCount(v) {
    this.setU32(12, v);
  }
  get freeInodesCount() {
    return this.u32(16);
  }
  set freeInodesCount(v) {
    this.setU32(16, v);
  }
  get firstDataBlock() {
    return this.u32(20);
  }
  set firstDataBlock(v) {
    this.setU32(20, v);
  }
  get logBlockSize() {
    return this.u32(24);
  }
  set logBlockSize(v) {
    this.setU32(24, v);
  }
  set logFragSize(v: number) {
    this.setU32(28, v);
  }
  get blocksPerGroup() {
    return this.u32(32);
  }
  set blocksPerGroup(v) {
    this.setU32(32, v);
  }
  set fragsPerGroup(v: number) {
    this.setU32(36, v);
  }
  get inodesPerGroup() {
    return this.u32(40);
  }
  set inodesPerGroup(v) {
    this.setU32(40, v);
  }
  set mountTime(v: number) {
    this.setU32(44, v >>> 0);
  }
  set writeTime(v: number) {
    this.setU32(48, v >>> 0);
  }
  get mountCount() {
    return this.u16(52);
  }
  set mountCount(v) {
    this.setU16(52, v & 0xffff);
  }
  set maxMountCount(v: number) {
    this.setU16(54, v & 0xffff);
  }
  get magic() {
    return this.u16(56);
  }
  set magic(v) {
    this.setU16(56, v);
  }
  get state() {
    return this.u16(58);
  }
  set state(v) {
    this.setU16(58, v);
  }
  set errorsBehaviour(v: number) {
    this.setU16(60, v);
  }
  set lastCheck(v: number) {
    this.setU32(64, v >>> 0);
  }
  get revLevel() {
    return this.u32(76);
  }
  set revLevel(v) {
    this.setU32(76, v);
  }
  get firstIno() {
    return this.revLevel === 0 ? GOOD_OLD_FIRST_INO : this.u32(84);
  }
  set firstIno(v) {
    this.setU32(84, v);
  }
  get inodeSize() {
    return this.revLevel === 0 ? GOOD_OLD_INODE_SIZE : this.u16(88);
  }
  set inodeSize(v) {
    this.setU16(88, v);
  }
  set blockGroupNr(v: number) {
    this.setU16(90, v);
  }
  get featureCompat() {
    return this.revLevel === 0 ? 0 : this.u32(92);
  }
  set featureCompat(v) {
    this.setU32(92, v);
  }
  get featureIncompat() {
    return this.revLevel === 0 ? 0 : this.u32(96);
  }
  set featureIncompat(v) {
    this.setU32(96, v);
  }
  get featureRoCompat() {
    return this.revLevel === 0 ? 0 : this.u32(100);
  }
  set featureRoCompat(v) {
    this.setU32(100, v);
  }
  get uuid(): Uint8Array {
    return this.raw.subarray(104, 120);
  }
  get volumeName(): Uint8Array {
    return this.raw.subarray(120, 136);
  }
  get reservedGdtBlocks() {
    return this.featureCompat & COMPAT_RESIZE_INODE ? this.u16(206) : 0;
  }
  get hashSeed(): Uint8Array {
    return this.raw.subarray(236, 252);
  }
  set defHashVersion(v: number) {
    this.raw[252] = v;
  }
  set mkfsTime(v: number) {
    this.setU32(264, v >>> 0);
  }
  get minExtraIsize() {
    return this.u16(348);
  }
  set minExtraIsize(v) {
    this.setU16(348, v);
  }
  get wantExtraIsize() {
    return this.u16(350);
  }
  set wantExtraIsize(v) {
    this.setU16(350, v);
  }
  set flags(v: number) {
    this.setU32(352, v);
  }

  get hasFiletype(): boolean {
    return (this.featureIncompat & INCOMPAT_FILETYPE) !== 0;
  }
  get sparseSuper(): boolean {
    return (this.featureRoCompat & RO_COMPAT_SPARSE_SUPER) !== 0;
  }
}

/** Sizes derived from a checked superblock. */
export interface Geometry {
  blockSize: number;
  blocksCount: number;
  firstDataBlock: number;
  blocksPerGroup: number;
  inodesPerGroup: number;
  inodesCount: number;
  inodeSize: number;
  firstIno: number;
  groupCount: number;
  /** Blocks holding the group descriptor table. */
  gdtBlocks: number;
  inodeTableBlocks: number;
  /** Block pointers per indirect block. */
  pointersPerBlock: number;
}

/** Features this driver cannot write (mount read-only) or read at all (refuse), by name. */
export function featureProblems(sb: Superblock): { refuse: string[]; readOnly: string[] } {
  const refuse: string[] = [];
  const unknownIncompat = sb.featureIncompat & ~SUPPORTED_INCOMPAT;
  for (let bit = 0; bit < 32; bit++) {
    const mask = 2 ** bit;
    if (unknownIncompat & mask) {
      refuse.push(INCOMPAT_NAMES[mask] ?? `incompat 0x${mask.toString(16)}`);
    }
  }
  const readOnly: string[] = [];
  const unknownRo = sb.featureRoCompat & ~SUPPORTED_RO_COMPAT;
  for (let bit = 0; bit < 32; bit++) {
    const mask = 2 ** bit;
    if (unknownRo & mask) readOnly.push(`ro_compat 0x${mask.toString(16)}`);
  }
  return { refuse, readOnly };
}

/** Check the superblock against itself and the device size; throw MountError when unusable. */
export function checkGeometry(sb: Superblock, deviceName: string, deviceBytes: number): Geometry {
  const bad = (reason: string): never => {
    throw new MountError(`${deviceName}: ${reason}`, EINVAL);
  };
  if (sb.magic !== EXT2_MAGIC) bad("not an ext2 filesystem (bad magic number in superblock)");
  if (sb.revLevel > 1) bad(`unsupported ext2 revision ${sb.revLevel}`);
  if (sb.logBlockSize > 2) bad(`unsupported block size 2^${10 + sb.logBlockSize}`);
  const blockSize = 1024 << sb.logBlockSize;
  const { refuse } = featureProblems(sb);
  if (refuse.length) bad(`unsupported filesystem features: ${refuse.join(", ")}`);
  const inodeSize = sb.inodeSize;
  if (inodeSize < 128 || inodeSize > blockSize || (inodeSize & (inodeSize - 1)) !== 0) {
    bad(`bad inode size ${inodeSize}`);
  }
  const blocksCount = sb.blocksCount;
  const firstDataBlock = sb.firstDataBlock;
  if (firstDataBlock !== (blockSize === 1024 ? 1 : 0)) {
    bad(`bad first data block ${firstDataBlock}`);
  }
  if (blocksCount <= firstDataBlock + 1) bad(`bad block count ${blocksCount}`);
  if (blocksCount * blockSize > deviceBytes) {
    bad(`block count ${blocksCount} exceeds the device size (${deviceBytes} bytes)`);
  }
  const blocksPerGroup = sb.blocksPerGroup;
  if (blocksPerGroup < 8 || blocksPerGroup > 8 * blockSize || blocksPerGroup % 8) {
    bad(`bad blocks per group ${blocksPerGroup}`);
  }
  const inodesPerBlock = blockSize / inodeSize;
  const inodesPerGroup = sb.inodesPerGroup;
  if (
    inodesPerGroup < inodesPerBlock || inodesPerGroup > 8 * blockSize ||
    inodesPerGroup % inodesPerBlock
  ) bad(`bad inodes per group ${inodesPerGroup}`);
  const groupCount = Math.ceil((blocksCount - firstDataBlock) / blocksPerGroup);
  if (sb.inodesCount !== groupCount * inodesPerGroup) {
    bad(`inode count ${sb.inodesCount} does not match ${groupCount} groups`);
  }
  const firstIno = sb.firstIno;
  if (firstIno < GOOD_OLD_FIRST_INO || firstIno >= sb.inodesCount) {
    bad(`bad first inode ${firstIno}`);
  }
  if (sb.freeBlocksCount > blocksCount) bad("free block count exceeds the block count");
  if (sb.freeInodesCount > sb.inodesCount) bad("free inode count exceeds the inode count");
  const gdtBlocks = Math.ceil(groupCount * 32 / blockSize);
  if (firstDataBlock + 1 + gdtBlocks >= blocksCount) bad("group descriptors do not fit");
  return {
    blockSize,
    blocksCount,
    firstDataBlock,
    blocksPerGroup,
    inodesPerGroup,
    inodesCount: sb.inodesCount,
    inodeSize,
    firstIno,
    groupCount,
    gdtBlocks,
    inodeTableBlocks: inodesPerGroup / inodesPerBlock,
    pointersPerBlock: blockSize / 4,
  };
}

function isPowerOf(n: number, base: number): boolean {
  while (n > 1 && n % base === 0) n /= base;
  return n === 1;
}

/** Whether group `g` holds a superblock and descriptor backup. */
export function groupHasSuperblock(g: number, sparseSuper: boolean): boolean {
  if (!sparseSuper || g <= 1) return true;
  if (g % 2 === 0) return false;
  return isPowerOf(g, 3) || isPowerOf(g, 5) || isPowerOf(g, 7);
}

/** Blocks in group g (the last group may be short). */
export function blocksInGroup(geo: Geometry, g: number): number {
  const start = geo.firstDataBlock + g * geo.blocksPerGroup;
  return Math.min(geo.blocksPerGroup, geo.blocksCount - start);
}
