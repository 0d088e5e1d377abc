// A tmpfs symbolic link. As in Linux, a target shorter than 128 bytes lives in the inode; a
// longer one takes a page (charged to the filesystem, st_blocks 8).

import { S_IFLNK } from "../inode.ts";
import type { TmpFileSystem } from "../tmpfs.ts";
import { PAGE_SIZE } from "./page-store.ts";
import { TmpInode } from "./tmp-inode.ts";

/** Linux's SHORT_SYMLINK_LEN: targets (with their NUL) up to this size need no page. */
const SHORT_SYMLINK_LEN = 128;

export class TmpSymlink extends TmpInode {
  constructor(
    fs: TmpFileSystem,
    ino: number,
    private readonly target: string,
    uid: number,
    gid: number,
  ) {
    super(fs, ino, S_IFLNK | 0o777, uid, gid);
    this.size = target.length;
  }

  /** Whether a target of this length takes a page. */
  static needsPage(target: string): boolean {
    return target.length + 1 > SHORT_SYMLINK_LEN;
  }

  override get blocks(): number {
    return TmpSymlink.needsPage(this.target) ? PAGE_SIZE / 512 : 0;
  }

  override readlink(): string {
    return this.target;
  }

  protected override releaseStorage(): void {
    if (TmpSymlink.needsPage(this.target)) this.fs.releasePages(1);
  }
}
