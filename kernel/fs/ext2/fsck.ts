// A read-only consistency check of an ext2 volume, in the spirit of `e2fsck -fn`: every inode's
// blocks (in range, claimed once, i_blocks and i_size agreeing), every directory entry, link
// counts, reachability from the root, and the bitmaps and free counters recounted.

import { SyscallError } from "../../syscall-error.ts";
import type { BlockDevice } from "../block-device.ts";
import {
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "../inode.ts";
import { testBit } from "./allocator.ts";
import { N_DIRECT } from "./block-map.ts";
import { fileTypeOf } from "./directory.ts";
import { Ext2FileSystem } from "./ext2-fs.ts";
import { BG_BLOCK_UNINIT, BG_INODE_UNINIT } from "./group-descriptors.ts";
import { decodeInode, IBLOCK_BYTES, type InodeFields, inodeLocation } from "./inode-record.ts";
import {
  blocksInGroup,
  groupHasSuperblock,
  RO_COMPAT_GDT_CSUM,
  RO_COMPAT_METADATA_CSUM,
  ROOT_INO,
  STATE_ERROR,
} from "./superblock.ts";

export interface FsckReport {
  problems: string[];
  inodesUsed: number;
  inodesCount: number;
  blocksUsed: number;
  blocksCount: number;
}

const MAX_PROBLEMS = 500;
const utf8 = new TextDecoder();

function blankFields(): InodeFields {
  const t = { sec: 0, nsec: 0 };
  return {
    mode: 0,
    uid: 0,
    gid: 0,
    nlink: 0,
    size: 0,
    rdev: 0,
    atime: t,
    mtime: t,
    ctime: t,
    btime: null,
    dtime: 0,
    blocks512: 0,
    flags: 0,
    iblock: new Uint8Array(IBLOCK_BYTES),
    generation: 0,
    fileAcl: 0,
    extraIsize: 0,
  };
}

/** Ranges of bit numbers as "a-b,c" for messages. */
function ranges(bits: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < bits.length && out.length < 8; i++) {
    let j = i;
    while (j + 1 < bits.length && bits[j + 1] === bits[j] + 1) j++;
    out.push(i === j ? `${bits[i]}` : `${bits[i]}-${bits[j]}`);
    i = j;
  }
  return out.join(",") + (out.length === 8 ? ",..." : "");
}

class Checker {
  readonly problems: string[] = [];
  private readonly geo;
  private readonly bs: number;
  private readonly used: Uint8Array;
  private readonly inUse: Uint8Array;
  private readonly isDirectory: Uint8Array;
  private readonly links: Uint16Array;
  private readonly refs: Uint32Array;
  private readonly parentEntry: Uint32Array;
  private readonly dotDot: Uint32Array;
  private readonly eaRefs = new Map<number, number>();
  private readonly dirBlocks = new Map<number, number[]>();
  private readonly modes: Uint16Array;
  /** Recounted totals (after run()). */
  freeBlocks = 0;
  freeInodes = 0;

  constructor(private readonly fs: Ext2FileSystem) {
    this.geo = fs.geo;
    this.bs = fs.blockSize;
    this.used = new Uint8Array(this.geo.blocksCount);
    const n = this.geo.inodesCount + 1;
    this.inUse = new Uint8Array(n);
    this.isDirectory = new Uint8Array(n);
    this.links = new Uint16Array(n);
    this.refs = new Uint32Array(n);
    this.parentEntry = new Uint32Array(n);
    this.dotDot = new Uint32Array(n);
    this.modes = new Uint16Array(n);
  }

  problem(text: string): void {
    if (this.problems.length < MAX_PROBLEMS) this.problems.push(text);
    else if (this.problems.length === MAX_PROBLEMS) this.problems.push("(more problems not shown)");
  }

  private get full(): boolean {
    return this.problems.length > MAX_PROBLEMS;
  }

  run(): void {
    this.markMetadata();
    const fields = blankFields();
    for (let ino = 1; ino <= this.geo.inodesCount && !this.full; ino++) {
      try {
        this.checkInode(ino, fields);
      } catch (e) {
        if (!(e instanceof SyscallError)) throw e;
        this.problem(`inode ${ino}: unreadable (I/O error)`);
      }
      if (ino % 4096 === 0) this.fs.cache.trim();
    }
    for (const [ino, blocks] of this.dirBlocks) {
      if (this.full) break;
      this.checkDirectory(ino, blocks);
      this.fs.cache.trim();
    }
    this.checkTree();
    this.checkBitmaps();
    const sb = this.fs.sb;
    if (sb.state & STATE_ERROR) this.problem("the superblock records filesystem errors");
  }

  private markMetadata(): void {
    const geo = this.geo, sb = this.fs.sb;
    for (let b = 0; b < geo.firstDataBlock; b++) this.used[b] = 1;
    for (let g = 0; g < geo.groupCount; g++) {
      const start = geo.firstDataBlock + g * geo.blocksPerGroup;
      const claim = (first: number, count: number, what: string) => {
        for (let b = first; b < first + count; b++) {
          if (this.used[b]) this.problem(`group ${g}: ${what} block ${b} overlaps other metadata`);
          this.used[b] = 1;
        }
      };
      if (groupHasSuperblock(g, sb.sparseSuper)) {
        claim(start, 1 + geo.gdtBlocks, "superblock/descriptor");
      }
      const gd = this.fs.groups[g];
      claim(gd.blockBitmap, 1, "block bitmap");
      claim(gd.inodeBitmap, 1, "inode bitmap");
      claim(gd.inodeTable, geo.inodeTableBlocks, "inode table");
    }
  }

  private readInode(ino: number, into: InodeFields): void {
    const { block, offset } = inodeLocation(this.geo, this.fs.groups, ino);
    const data = this.fs.cache.read(block);
    decodeInode(new DataView(data.buffer, data.byteOffset), offset, this.geo.inodeSize, into);
  }

  private checkInode(ino: number, f: InodeFields): void {
    this.readInode(ino, f);
    const reserved = ino < this.geo.firstIno && ino !== ROOT_INO;
    const type = f.mode & S_IFMT;
    if (reserved) {
      this.inUse[ino] = 1;
      if (f.blocks512 > 0 && (type === S_IFREG || f.mode === 0)) this.walkBlocks(ino, f, false);
      return;
    }
    if (f.nlink === 0) {
      if (ino === ROOT_INO) this.problem("root inode is not in use");
      else if (f.dtime === 0 && f.mode !== 0) {
        this.problem(`inode ${ino}: deleted inode has zero dtime`);
      }
      return;
    }
    this.inUse[ino] = 1;
    this.links[ino] = f.nlink;
    this.modes[ino] = f.mode;
    if (f.dtime) this.problem(`inode ${ino}: in use but has dtime set`);
    const valid = [S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK].includes(type);
    if (!valid) {
      this.problem(`inode ${ino}: bad mode 0${f.mode.toString(8)}`);
      return;
    }
    if (ino === ROOT_INO && type !== S_IFDIR) this.problem("root inode is not a directory");
    const eaSectors = f.fileAcl ? this.bs / 512 : 0;
    if (f.fileAcl) this.claimAttributeBlock(ino, f.fileAcl);
    if (type === S_IFCHR || type === S_IFBLK || type === S_IFIFO || type === S_IFSOCK) {
      for (let i = 16; i < IBLOCK_BYTES; i++) {
        if (f.iblock[i]) {
          this.problem(`inode ${ino}: special file has non-zero block pointers`);
          break;
        }
      }
      if (f.blocks512 !== eaSectors) this.badBlockCount(ino, f.blocks512, eaSectors);
      return;
    }
    if (type === S_IFLNK && f.blocks512 - eaSectors === 0) {
      const len = f.iblock.indexOf(0);
      const textLength = len < 0 ? IBLOCK_BYTES : len;
      if (f.size >= IBLOCK_BYTES || textLength !== f.size) {
        this.problem(`inode ${ino}: fast symlink has a bad size ${f.size}`);
      }
      return;
    }
    if (type === S_IFDIR) this.isDirectory[ino] = 1;
    const { count, last, map } = this.walkBlocks(ino, f, type !== S_IFREG);
    if (f.blocks512 !== count * (this.bs / 512) + eaSectors) {
      this.badBlockCount(ino, f.blocks512, count * (this.bs / 512) + eaSectors);
    }
    if (type === S_IFREG) {
      if (last >= 0 && f.size < last * this.bs) {
        this.problem(`inode ${ino}: i_size is ${f.size}, should be at least ${last * this.bs}`);
      }
    } else if (type === S_IFDIR) {
      if (f.size % this.bs !== 0 || f.size !== (last + 1) * this.bs) {
        this.problem(
          `inode ${ino}: directory i_size is ${f.size}, should be ${(last + 1) * this.bs}`,
        );
      }
      this.dirBlocks.set(ino, map!);
    } else {
      if (count !== 1 || last !== 0 || f.size >= this.bs) {
        this.problem(`inode ${ino}: bad slow symlink (size ${f.size}, ${count} blocks)`);
      } else if (map && map.length === 2) {
        const data = this.fs.cache.read(map[1]);
        const len = data.indexOf(0);
        if ((len < 0 ? this.bs : len) !== f.size) {
          this.problem(`inode ${ino}: symlink target length differs from i_size ${f.size}`);
        }
      }
    }
  }

  private badBlockCount(ino: number, have: number, want: number): void {
    this.problem(`inode ${ino}: i_blocks is ${have}, should be ${want}`);
  }

  private claimAttributeBlock(ino: number, block: number): void {
    if (block < this.geo.firstDataBlock || block >= this.geo.blocksCount) {
      this.problem(`inode ${ino}: extended attribute block ${block} is outside the filesystem`);
      return;
    }
    const seen = this.eaRefs.get(block);
    if (seen === undefined) {
      if (this.used[block]) this.problem(`inode ${ino}: attribute block ${block} is used twice`);
      this.used[block] = 1;
    }
    this.eaRefs.set(block, (seen ?? 0) + 1);
  }

  /** Claim every block of the inode's block map; directories also get logical→physical. */
  private walkBlocks(ino: number, f: InodeFields, wantMap: boolean) {
    const p = this.geo.pointersPerBlock;
    const ptrs = new DataView(f.iblock.buffer, f.iblock.byteOffset, IBLOCK_BYTES);
    const map: number[] | undefined = wantMap ? [] : undefined;
    let count = 0, last = -1;
    const claim = (b: number): boolean => {
      if (b < this.geo.firstDataBlock || b >= this.geo.blocksCount) {
        this.problem(`inode ${ino}: block ${b} is outside the filesystem`);
        return false;
      }
      if (this.used[b]) {
        this.problem(`inode ${ino}: block ${b} is claimed more than once`);
        return false;
      }
      this.used[b] = 1;
      count++;
      return true;
    };
    const walk = (block: number, level: number, base: number) => {
      if (this.full || !claim(block)) return;
      if (level === 0) {
        last = Math.max(last, base);
        if (map && map.length < 1 << 20) map.push(base, block);
        return;
      }
      const data = this.fs.cache.read(block);
      const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      const span = p ** (level - 1);
      for (let i = 0; i < p; i++) {
        const child = dv.getUint32(i * 4, true);
        if (child) walk(child, level - 1, base + i * span);
      }
    };
    for (let i = 0; i < N_DIRECT; i++) {
      const b = ptrs.getUint32(i * 4, true);
      if (b) walk(b, 0, i);
    }
    const tops: [number, number, number][] = [
      [12, 1, N_DIRECT],
      [13, 2, N_DIRECT + p],
      [14, 3, N_DIRECT + p + p * p],
    ];
    for (const [slot, level, base] of tops) {
      const b = ptrs.getUint32(slot * 4, true);
      if (b) walk(b, level, base);
    }
    return { count, last, map };
  }

  private checkDirectory(dir: number, pairs: number[]): void {
    const bs = this.bs, filetype = this.fs.filetype;
    const order: [number, number][] = [];
    for (let i = 0; i < pairs.length; i += 2) order.push([pairs[i], pairs[i + 1]]);
    order.sort((a, b) => a[0] - b[0]);
    if (order.length === 0 || order[0][0] !== 0) {
      this.problem(`directory ${dir}: has no first block`);
      return;
    }
    for (let i = 0; i < order.length; i++) {
      if (order[i][0] !== i) {
        this.problem(`directory ${dir}: has a hole at block ${i}`);
        break;
      }
    }
    for (const [logical, phys] of order) {
      const data = this.fs.cache.read(phys);
      const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
      let off = 0, index = 0;
      while (off < bs) {
        const where = `directory ${dir} block ${logical} offset ${off}`;
        if (off + 12 > bs) {
          this.problem(`${where}: entry runs past the block`);
          break;
        }
        const ino = dv.getUint32(off, true);
        const recLen = dv.getUint16(off + 4, true);
        const nameLen = filetype ? data[off + 6] : dv.getUint16(off + 6, true);
        if (
          recLen < 12 || recLen % 4 || off + recLen > bs || 8 + nameLen > recLen || nameLen > 255
        ) {
          this.problem(`${where}: bad rec_len ${recLen} or name_len ${nameLen}`);
          break;
        }
        const nameBytes = data.subarray(off + 8, off + 8 + nameLen);
        const name = utf8.decode(nameBytes);
        if (ino) {
          this.checkEntry(
            dir,
            logical,
            index,
            ino,
            name,
            nameBytes,
            filetype ? data[off + 7] : -1,
            where,
          );
        }
        off += recLen;
        index++;
      }
    }
  }

  private checkEntry(
    dir: number,
    logical: number,
    index: number,
    ino: number,
    name: string,
    nameBytes: Uint8Array,
    fileType: number,
    where: string,
  ): void {
    if (nameBytes.length === 0) {
      this.problem(`${where}: entry for inode ${ino} has an empty name`);
      return;
    }
    if (ino > this.geo.inodesCount) {
      this.problem(`${where}: entry '${name}' has bad inode number ${ino}`);
      return;
    }
    const isDot = name === "." && logical === 0 && index === 0;
    const isDotDot = name === ".." && logical === 0 && index === 1;
    if (logical === 0 && index === 0 && !isDot) {
      this.problem(`directory ${dir}: first entry is not '.'`);
    }
    if (logical === 0 && index === 1 && !isDotDot) {
      this.problem(`directory ${dir}: second entry is not '..'`);
    }
    if (
      !isDot && !isDotDot &&
      (name === "." || name === ".." || nameBytes.includes(0x2f) || nameBytes.includes(0))
    ) {
      this.problem(`${where}: bad name '${name}'`);
    }
    if (!this.inUse[ino] || (ino < this.geo.firstIno && ino !== ROOT_INO)) {
      this.problem(`${where}: entry '${name}' points to unused inode ${ino}`);
      return;
    }
    if (fileType >= 0 && fileType !== fileTypeOf(this.modes[ino])) {
      this.problem(
        `${where}: entry '${name}' has file type ${fileType}, inode ${ino} needs ${
          fileTypeOf(this.modes[ino])
        }`,
      );
    }
    this.refs[ino]++;
    if (isDot) {
      if (ino !== dir) this.problem(`directory ${dir}: '.' points to ${ino}`);
    } else if (isDotDot) this.dotDot[dir] = ino;
    else if (this.isDirectory[ino]) {
      if (this.parentEntry[ino]) this.problem(`directory ${ino} has more than one parent entry`);
      else this.parentEntry[ino] = dir;
    }
  }

  private checkTree(): void {
    const n = this.geo.inodesCount;
    if (!this.isDirectory[ROOT_INO]) return;
    if (this.dotDot[ROOT_INO] !== ROOT_INO) this.problem("root '..' does not point to the root");
    const reachable = new Uint8Array(n + 1);
    const stack = [ROOT_INO];
    reachable[ROOT_INO] = 1;
    const children = new Map<number, number[]>();
    for (let ino = 1; ino <= n; ino++) {
      const parent = this.parentEntry[ino];
      if (parent) {
        const list = children.get(parent);
        if (list) list.push(ino);
        else children.set(parent, [ino]);
      }
    }
    while (stack.length) {
      const dir = stack.pop()!;
      for (const child of children.get(dir) ?? []) {
        if (!reachable[child]) {
          reachable[child] = 1;
          stack.push(child);
        }
      }
    }
    for (let ino = 1; ino <= n && !this.full; ino++) {
      if (!this.inUse[ino] || (ino < this.geo.firstIno && ino !== ROOT_INO)) continue;
      if (this.isDirectory[ino]) {
        if (ino !== ROOT_INO) {
          if (!this.parentEntry[ino] || !reachable[ino]) {
            this.problem(`directory ${ino} is not connected to the root`);
          } else if (this.dotDot[ino] !== this.parentEntry[ino]) {
            this.problem(
              `directory ${ino}: '..' is ${this.dotDot[ino]}, should be ${this.parentEntry[ino]}`,
            );
          }
        }
      } else if (this.refs[ino] === 0) {
        this.problem(`inode ${ino} is in use but not in any directory`);
        continue;
      }
      if (this.refs[ino] !== this.links[ino]) {
        this.problem(`inode ${ino}: link count is ${this.links[ino]}, should be ${this.refs[ino]}`);
      }
    }
    for (const [block, count] of this.eaRefs) {
      const data = this.fs.cache.read(block);
      const refcount = new DataView(data.buffer, data.byteOffset).getUint32(4, true);
      if (refcount !== count) {
        this.problem(
          `attribute block ${block}: reference count is ${refcount}, should be ${count}`,
        );
      }
    }
  }

  private checkBitmaps(): void {
    const geo = this.geo, fs = this.fs, sb = fs.sb;
    const uninitAware = (sb.featureRoCompat & (RO_COMPAT_GDT_CSUM | RO_COMPAT_METADATA_CSUM)) !== 0;
    let freeBlocks = 0, freeInodes = 0;
    for (let g = 0; g < geo.groupCount; g++) {
      const gd = fs.groups[g];
      const start = geo.firstDataBlock + g * geo.blocksPerGroup;
      const size = blocksInGroup(geo, g);
      const bitmap = fs.alloc.blockBitmap(g);
      const extra: number[] = [], missing: number[] = [];
      let free = 0;
      for (let bit = 0; bit < size; bit++) {
        const want = this.used[start + bit] === 1;
        if (!want) free++;
        if (uninitAware && gd.flags & BG_BLOCK_UNINIT) continue;
        const have = testBit(bitmap, bit);
        if (want && !have) missing.push(start + bit);
        else if (!want && have) extra.push(start + bit);
      }
      if (missing.length) {
        this.problem(`group ${g}: blocks in use but free in the bitmap: ${ranges(missing)}`);
      }
      if (extra.length) {
        this.problem(`group ${g}: blocks free but marked in the bitmap: ${ranges(extra)}`);
      }
      if (!(uninitAware && gd.flags & BG_BLOCK_UNINIT)) {
        for (let bit = size; bit < 8 * this.bs; bit++) {
          if (!testBit(bitmap, bit)) {
            this.problem(`group ${g}: padding at the end of the block bitmap is not set`);
            break;
          }
        }
      }
      if (gd.freeBlocks !== free) {
        this.problem(`group ${g}: free blocks count is ${gd.freeBlocks}, counted ${free}`);
      }
      freeBlocks += free;

      const inodes = fs.alloc.inodeBitmap(g);
      const extraI: number[] = [], missingI: number[] = [];
      let freeI = 0, dirs = 0;
      for (let bit = 0; bit < geo.inodesPerGroup; bit++) {
        const ino = g * geo.inodesPerGroup + bit + 1;
        const want = this.inUse[ino] === 1;
        if (!want) freeI++;
        if (want && this.isDirectory[ino]) dirs++;
        if (uninitAware && gd.flags & BG_INODE_UNINIT) continue;
        const have = testBit(inodes, bit);
        if (want && !have) missingI.push(ino);
        else if (!want && have) extraI.push(ino);
      }
      if (missingI.length) {
        this.problem(`group ${g}: inodes in use but free in the bitmap: ${ranges(missingI)}`);
      }
      if (extraI.length) {
        this.problem(`group ${g}: inodes free but marked in the bitmap: ${ranges(extraI)}`);
      }
      if (!(uninitAware && gd.flags & BG_INODE_UNINIT)) {
        for (let bit = geo.inodesPerGroup; bit < 8 * this.bs; bit++) {
          if (!testBit(inodes, bit)) {
            this.problem(`group ${g}: padding at the end of the inode bitmap is not set`);
            break;
          }
        }
      }
      if (gd.freeInodes !== freeI) {
        this.problem(`group ${g}: free inodes count is ${gd.freeInodes}, counted ${freeI}`);
      }
      if (gd.usedDirs !== dirs) {
        this.problem(`group ${g}: directories count is ${gd.usedDirs}, counted ${dirs}`);
      }
      freeInodes += freeI;
    }
    if (sb.freeBlocksCount !== freeBlocks) {
      this.problem(`free blocks count is ${sb.freeBlocksCount}, counted ${freeBlocks}`);
    }
    if (sb.freeInodesCount !== freeInodes) {
      this.problem(`free inodes count is ${sb.freeInodesCount}, counted ${freeInodes}`);
    }
    this.freeBlocks = freeBlocks;
    this.freeInodes = freeInodes;
  }
}

/**
 * Check the ext2 volume on `device` (used read-only; not closed). A superblock or group
 * descriptor table too damaged to mount throws the MountError instead.
 */
export function fsckExt2(device: BlockDevice): FsckReport {
  const fs = new Ext2FileSystem(device, { readOnly: true, options: "", source: device.name });
  const checker = new Checker(fs);
  try {
    checker.run();
  } catch (e) {
    if (!(e instanceof SyscallError)) throw e;
    checker.problem("I/O error while checking (corrupt metadata)");
  }
  return {
    problems: checker.problems,
    inodesUsed: fs.geo.inodesCount - checker.freeInodes,
    inodesCount: fs.geo.inodesCount,
    blocksUsed: fs.geo.blocksCount - checker.freeBlocks,
    blocksCount: fs.geo.blocksCount,
  };
}
