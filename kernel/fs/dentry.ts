// Directory entries (Linux's dentry): the name tree the VFS walks. A Dentry ties a name in its
// parent directory to an inode; positive lookups are cached on the parent for filesystems that
// only this kernel changes. A Path is a dentry seen through a particular mount.

import type { Inode } from "./inode.ts";
import type { Mount } from "./mount.ts";

export class Dentry {
  /** Cached children by name (only for cacheable filesystems). */
  readonly children = new Map<string, Dentry>();
  /** Unlinked (or its directory removed): /proc paths show " (deleted)". */
  deleted = false;

  constructor(public name: string, public parent: Dentry | null, public inode: Inode) {}

  /** The cached or freshly looked-up child `name`, or null when it does not exist. */
  child(name: string): Dentry | null {
    const cached = this.children.get(name);
    if (cached !== undefined) return cached;
    const inode = this.inode.lookup(name);
    if (inode === null) return null;
    const dentry = new Dentry(name, this, inode);
    if (this.inode.fs.cacheable) this.children.set(name, dentry);
    return dentry;
  }

  /** Forget child `name` after it was removed; marks it deleted. */
  drop(name: string, removed: Dentry | null): void {
    this.children.delete(name);
    if (removed !== null) removed.deleted = true;
  }
}

export interface Path {
  readonly mount: Mount;
  readonly dentry: Dentry;
}

export function samePath(a: Path, b: Path): boolean {
  return a.mount === b.mount && a.dentry === b.dentry;
}
