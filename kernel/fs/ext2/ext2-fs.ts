// Ext2FileSystem: a mounted ext2 volume (revisions 0 and 1) on a BlockDevice. Owns the
// superblock, group descriptors, block cache, allocator and the table of live inode objects;
// registers the "ext2" filesystem type.

import { EINVAL, EIO, ENOTBLK } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import type { BlockDevice } from "../block-device.ts";
import {
  anonymousDevice,
  type FileSystem,
  MountError,
  type MountRequest,
  registerFileSystemType,
  type StatFs,
} from "../filesystem.ts";
import { currentTime, isDir, S_IFMT } from "../inode.ts";
import { Allocator } from "./allocator.ts";
import { BlockCache } from "./block-cache.ts";
import { BlockMap } from "./block-map.ts";
import type { DirectoryHost } from "./directory.ts";
import { Ext2Inode } from "./ext2-inode.ts";
import {
  type GroupDescriptor,
  groupOverhead,
  readGroupDescriptors,
  writeGroupDescriptors,
} from "./group-descriptors.ts";
import { decodeInode, encodeInode, inodeLocation, WANTED_EXTRA_ISIZE } from "./inode-record.ts";
import {
  checkGeometry,
  featureProblems,
  type Geometry,
  GOOD_OLD_FIRST_INO,
  GOOD_OLD_INODE_SIZE,
  groupHasSuperblock,
  RO_COMPAT_LARGE_FILE,
  ROOT_INO,
  STATE_ERROR,
  STATE_VALID,
  Superblock,
  SUPERBLOCK_OFFSET,
  SUPERBLOCK_SIZE,
} from "./superblock.ts";

export const EXT2_SUPER_MAGIC = 0xef53;
const ST_RDONLY = 1;
const VALID_TYPES = new Set([0o140000, 0o120000, 0o100000, 0o060000, 0o040000, 0o020000, 0o010000]);
const EA_MAGIC = 0xea020000;

/** Device-level failures while mounting become a MountError. */
function atMount<T>(deviceName: string, what: string, step: () => T): T {
  try {
    return step();
  } catch (e) {
    if (e instanceof SyscallError) {
      throw new MountError(`${deviceName}: I/O error reading the ${what}`, EIO);
    }
    throw e;
  }
}

export class Ext2FileSystem implements FileSystem, DirectoryHost {
  readonly type = "ext2";
  readonly dev = anonymousDevice();
  readonly cacheable = true;
  readonly source: string;
  readonly readOnly: boolean;
  readonly root: Ext2Inode;
  readonly sb: Superblock;
  readonly geo: Geometry;
  readonly groups: GroupDescriptor[];
  readonly cache: BlockCache;
  readonly alloc: Allocator;
  readonly map: BlockMap;
  readonly blockSize: number;
  readonly inodesCount: number;
  readonly maxFileSize: number;
  /** Why the volume is read-only although a write mount was asked for, if it is. */
  readonly readOnlyReason: string | null = null;
  private readonly live = new Map<number, WeakRef<Ext2Inode>>();
  private readonly registry = new FinalizationRegistry<number>((ino) => {
    if (this.live.get(ino)?.deref() === undefined) this.live.delete(ino);
  });
  /** Inodes whose last link is gone but which the VFS has not evicted yet. */
  private readonly orphans = new Set<Ext2Inode>();
  private readonly overheadBlocks: number;
  private readonly stateAtMount: number;
  private backupsStale = false;
  private unmounted = false;

  constructor(readonly device: BlockDevice, request: MountRequest) {
    const name = device.name;
    if (device.sizeBytes < SUPERBLOCK_OFFSET + SUPERBLOCK_SIZE) {
      throw new MountError(`${name}: too small to hold an ext2 filesystem`, EINVAL);
    }
    const raw = new Uint8Array(SUPERBLOCK_SIZE);
    atMount(name, "superblock", () => device.read(SUPERBLOCK_OFFSET, raw));
    this.sb = new Superblock(raw);
    this.geo = checkGeometry(this.sb, name, device.sizeBytes);
    const geo = this.geo;
    this.blockSize = geo.blockSize;
    this.inodesCount = geo.inodesCount;
    this.source = request.source || name;
    const { readOnly: roFeatures } = featureProblems(this.sb);
    if (roFeatures.length) {
      this.readOnlyReason = `unsupported read-only-compatible features: ${roFeatures.join(", ")}`;
    } else if (device.readOnly) this.readOnlyReason = "the device is read-only";
    this.readOnly = request.readOnly || this.readOnlyReason !== null;
    this.cache = new BlockCache(device, geo.blockSize, geo.blocksCount);
    this.groups = atMount(
      name,
      "group descriptors",
      () => readGroupDescriptors(this.cache, geo, name),
    );
    let freeBlocks = 0, freeInodes = 0;
    for (const gd of this.groups) {
      freeBlocks += gd.freeBlocks;
      freeInodes += gd.freeInodes;
    }
    this.alloc = new Allocator(this.cache, geo, this.groups, { freeBlocks, freeInodes });
    this.map = new BlockMap(this.cache, this.alloc, geo);
    this.maxFileSize = Math.min(this.map.maxLogical * geo.blockSize, 2 ** 41 - 2 ** 33);
    let overhead = geo.firstDataBlock;
    for (let g = 0; g < geo.groupCount; g++) {
      overhead += groupOverhead(geo, g, this.sb.sparseSuper, this.sb.reservedGdtBlocks);
    }
    this.overheadBlocks = Math.min(overhead, geo.blocksCount);
    const root = atMount(name, "root inode", () => {
      try {
        return this.getInode(ROOT_INO);
      } catch (e) {
        if (e instanceof SyscallError && e.errno === EIO) return null;
        throw e;
      }
    });
    if (!root || !isDir(root.mode)) {
      throw new MountError(
        `${name}: the root inode is not a directory (corrupt filesystem)`,
        EINVAL,
      );
    }
    this.root = root;
    this.stateAtMount = this.sb.state;
    if (!this.readOnly) {
      const now = currentTime().sec;
      this.sb.state = this.sb.state & ~STATE_VALID;
      this.sb.mountCount = this.sb.mountCount + 1;
      this.sb.mountTime = now;
      this.sb.writeTime = now;
      atMount(name, "superblock", () => {
        this.writeSuperblock();
        this.cache.flush();
      });
    }
  }

  get filetype(): boolean {
    return this.sb.hasFiletype;
  }

  /** The inode object for `ino` (one per inode while anyone holds it). */
  getInode(ino: number): Ext2Inode {
    const reserved = ino < this.geo.firstIno && ino !== ROOT_INO;
    if (!(ino >= 1 && ino <= this.inodesCount) || reserved) throw new SyscallError(EIO);
    const known = this.live.get(ino)?.deref();
    if (known) return known;
    const inode = new Ext2Inode(this, ino);
    const { block, offset } = inodeLocation(this.geo, this.groups, ino);
    const data = this.cache.read(block);
    decodeInode(new DataView(data.buffer, data.byteOffset), offset, this.geo.inodeSize, inode);
    if (!VALID_TYPES.has(inode.mode & S_IFMT) || inode.nlink === 0) throw new SyscallError(EIO);
    this.remember(inode);
    return inode;
  }

  private remember(inode: Ext2Inode): void {
    this.live.set(inode.ino, new WeakRef(inode));
    this.registry.register(inode, inode.ino);
  }

  writeInode(inode: Ext2Inode): void {
    if (this.readOnly || this.unmounted) return;
    const { block, offset } = inodeLocation(this.geo, this.groups, inode.ino);
    const data = this.cache.read(block);
    encodeInode(new DataView(data.buffer, data.byteOffset), offset, this.geo.inodeSize, inode);
    this.cache.markDirty(block, data);
  }

  /** First block of the group holding inode `ino`: the allocation goal for its data. */
  groupStart(ino: number): number {
    const g = Math.floor((ino - 1) / this.geo.inodesPerGroup);
    return this.groups[g].inodeTable + this.geo.inodeTableBlocks;
  }

  /** A new in-use inode near `parent` (one link; the caller sets type-specific fields). */
  newInode(parent: Ext2Inode, mode: number, uid: number, gid: number): Ext2Inode {
    const ino = this.alloc.allocInode(parent.ino, isDir(mode));
    const inode = new Ext2Inode(this, ino);
    const now = currentTime();
    inode.mode = mode;
    inode.uid = uid;
    inode.gid = gid;
    inode.nlink = 1;
    inode.atime = now;
    inode.mtime = now;
    inode.ctime = now;
    const isize = this.geo.inodeSize;
    if (isize > GOOD_OLD_INODE_SIZE) {
      const want = Math.max(WANTED_EXTRA_ISIZE, this.sb.minExtraIsize, this.sb.wantExtraIsize);
      inode.extraIsize = Math.min(want, isize - GOOD_OLD_INODE_SIZE) & ~3;
      if (inode.extraIsize >= 24) inode.btime = now;
    }
    inode.generation = crypto.getRandomValues(new Uint32Array(1))[0];
    const { block, offset } = inodeLocation(this.geo, this.groups, ino);
    const data = this.cache.read(block);
    data.fill(0, offset, offset + isize);
    this.cache.markDirty(block, data);
    this.remember(inode);
    this.writeInode(inode);
    return inode;
  }

  orphaned(inode: Ext2Inode): void {
    this.orphans.add(inode);
  }

  adopted(inode: Ext2Inode): void {
    this.orphans.delete(inode);
  }

  /** Free an unlinked inode: its blocks, its extended-attribute block, its bitmap bit. */
  release(inode: Ext2Inode): void {
    this.orphans.delete(inode);
    if (inode.hasBlockMap) this.map.truncate(inode, 0);
    if (inode.fileAcl) this.releaseAttributeBlock(inode);
    inode.size = 0;
    inode.iblock.fill(0);
    inode.blocks512 = 0;
    inode.dtime = currentTime().sec >>> 0;
    this.writeInode(inode);
    inode.freed = true;
    this.alloc.freeInode(inode.ino, isDir(inode.mode));
    if (this.live.get(inode.ino)?.deref() === inode) this.live.delete(inode.ino);
  }

  private releaseAttributeBlock(inode: Ext2Inode): void {
    const block = inode.fileAcl;
    inode.fileAcl = 0;
    if (block < this.geo.firstDataBlock || block >= this.geo.blocksCount) return;
    const data = this.cache.read(block);
    const dv = new DataView(data.buffer, data.byteOffset);
    const refs = dv.getUint32(4, true);
    if (dv.getUint32(0, true) === EA_MAGIC && refs > 1) {
      dv.setUint32(4, refs - 1, true);
      this.cache.markDirty(block, data);
    } else this.alloc.freeBlock(block);
  }

  /** A regular file reached `size`: files over 2 GiB need the large_file feature. */
  noteFileSize(size: number): void {
    if (size <= 0x7fffffff || this.sb.featureRoCompat & RO_COMPAT_LARGE_FILE) return;
    if (this.sb.revLevel === 0) {
      this.sb.revLevel = 1;
      this.sb.firstIno = GOOD_OLD_FIRST_INO;
      this.sb.inodeSize = GOOD_OLD_INODE_SIZE;
    }
    this.sb.featureRoCompat = this.sb.featureRoCompat | RO_COMPAT_LARGE_FILE;
    this.backupsStale = true;
  }

  private writeSuperblock(): void {
    const sb = this.sb, bs = this.blockSize;
    sb.freeBlocksCount = this.alloc.totals.freeBlocks;
    sb.freeInodesCount = this.alloc.totals.freeInodes;
    const block = Math.floor(SUPERBLOCK_OFFSET / bs);
    const data = this.cache.read(block);
    data.set(sb.raw, SUPERBLOCK_OFFSET % bs);
    this.cache.markDirty(block, data);
    if (!this.backupsStale) return;
    for (let g = 1; g < this.geo.groupCount; g++) {
      if (!groupHasSuperblock(g, sb.sparseSuper)) continue;
      const at = this.geo.firstDataBlock + g * this.geo.blocksPerGroup;
      const copy = this.cache.read(at);
      copy.set(sb.raw, 0);
      new DataView(copy.buffer, copy.byteOffset).setUint16(90, g, true);
      this.cache.markDirty(at, copy);
    }
    this.backupsStale = false;
  }

  statfs(): StatFs {
    const free = this.alloc.totals.freeBlocks;
    return {
      type: EXT2_SUPER_MAGIC,
      bsize: this.blockSize,
      blocks: this.geo.blocksCount - this.overheadBlocks,
      bfree: free,
      bavail: Math.max(0, free - this.sb.reservedBlocksCount),
      files: this.inodesCount,
      ffree: this.alloc.totals.freeInodes,
      namelen: 255,
      frsize: this.blockSize,
      flags: this.readOnly ? ST_RDONLY : 0,
    };
  }

  sync(): void {
    if (this.readOnly || this.unmounted) return;
    this.alloc.writeBack();
    if (this.alloc.descriptorsDirty) {
      writeGroupDescriptors(this.cache, this.geo, this.groups);
      this.alloc.descriptorsDirty = false;
    }
    if (this.alloc.inconsistent) this.sb.state = this.sb.state | STATE_ERROR;
    this.sb.writeTime = currentTime().sec;
    this.writeSuperblock();
    this.cache.flush();
  }

  unmount(): void {
    if (this.unmounted) return;
    this.detach();
    this.device.close();
  }

  /** Everything unmount() does except closing the device. */
  detach(): void {
    if (this.unmounted) return;
    if (!this.readOnly) {
      for (const inode of [...this.orphans]) inode.evict();
      this.sb.state = this.stateAtMount | (this.alloc.inconsistent ? STATE_ERROR : 0);
      this.sync();
    }
    this.unmounted = true;
  }
}

/** The "ext2" mount function: needs request.device. */
export function mountExt2(request: MountRequest): Ext2FileSystem {
  if (!request.device) {
    throw new MountError(`${request.source || "ext2"}: ext2 needs a block device`, ENOTBLK);
  }
  return new Ext2FileSystem(request.device, request);
}

registerFileSystemType("ext2", mountExt2, true);
