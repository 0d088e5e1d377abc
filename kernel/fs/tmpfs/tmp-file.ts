// A tmpfs regular file: its size and sparse page contents (page-store.ts); st_blocks counts the
// allocated pages, SEEK_DATA/SEEK_HOLE see page-granular holes.

import { EFBIG, EINVAL } from "../../errno.ts";
import { SyscallError } from "../../syscall-error.ts";
import type { TmpFileSystem } from "../tmpfs.ts";
import { PAGE_SIZE, PageStore } from "./page-store.ts";
import { TmpInode } from "./tmp-inode.ts";

/** Largest file size: offsets stay exact JS numbers (Linux allows 2^63 - 1). */
export const TMPFS_MAX_FILE_SIZE = 2 ** 53;

const SECTORS_PER_PAGE = PAGE_SIZE / 512;

export class TmpFile extends TmpInode {
  private readonly store: PageStore;

  constructor(fs: TmpFileSystem, ino: number, mode: number, uid: number, gid: number) {
    super(fs, ino, mode, uid, gid);
    this.store = new PageStore(fs);
  }

  override get blocks(): number {
    return this.store.pageCount * SECTORS_PER_PAGE;
  }

  override read(offset: number, buf: Uint8Array): number {
    if (!(offset >= 0)) throw new SyscallError(EINVAL);
    return this.store.read(offset, buf, this.size);
  }

  override write(offset: number, data: Uint8Array): number {
    checkOffset(offset, data.length);
    if (data.length === 0) return 0;
    const written = this.store.write(offset, data);
    if (offset + written > this.size) this.size = offset + written;
    this.touchModify();
    return written;
  }

  override truncate(size: number): void {
    checkOffset(size, 0);
    if (size === this.size) return;
    if (size < this.size) this.store.shrink(size);
    this.size = size;
    this.touchModify();
  }

  override allocate(offset: number, length: number): void {
    if (length <= 0) throw new SyscallError(EINVAL);
    checkOffset(offset, length);
    this.store.allocate(offset, offset + length);
    if (offset + length > this.size) this.size = offset + length;
    this.touchModify();
  }

  override nextData(offset: number): number {
    return this.store.nextData(offset, this.size);
  }

  override nextHole(offset: number): number {
    return this.store.nextHole(offset, this.size);
  }

  protected override releaseStorage(): void {
    this.store.clear();
  }
}

function checkOffset(offset: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0) throw new SyscallError(EINVAL);
  if (offset > TMPFS_MAX_FILE_SIZE - length) throw new SyscallError(EFBIG);
}
