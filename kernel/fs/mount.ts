// The mount table (one namespace for the whole kernel): which filesystem is mounted where, how
// a walk crosses into a mounted filesystem and back out through "..", and the lines of
// /proc/mounts.

import { EBUSY, EINVAL } from "../errno.ts";
import { SyscallError } from "../syscall-error.ts";
import { Dentry, type Path } from "./dentry.ts";
import type { FileSystem } from "./filesystem.ts";
import type { Inode } from "./inode.ts";

export const MS_RDONLY = 1, MS_NOSUID = 2, MS_NODEV = 4, MS_NOEXEC = 8;

export class Mount {
  readonly root: Dentry;

  constructor(
    readonly id: number,
    readonly fs: FileSystem,
    /** The mount this one sits on, and the directory it covers there (null for "/"). */
    readonly parent: Mount | null,
    readonly mountpoint: Dentry | null,
    public flags: number,
  ) {
    this.root = new Dentry("/", null, fs.root);
  }

  get readOnly(): boolean {
    return (this.flags & MS_RDONLY) !== 0 || this.fs.readOnly;
  }
}

export class MountTable {
  private readonly mounts: Mount[] = [];
  /** Mounts by the inode they cover, per parent mount. */
  private readonly covering = new Map<Mount, Map<Inode, Mount>>();
  private nextId = 20;
  /** Lazily unmounted filesystems still in use. */
  private readonly detached: Mount[] = [];

  /** Mount `fs` as the root of the namespace (the first mount). */
  mountRoot(fs: FileSystem, flags = 0): Mount {
    if (this.mounts.length > 0) throw new Error("root already mounted");
    const m = new Mount(this.nextId++, fs, null, null, flags);
    this.mounts.push(m);
    return m;
  }

  /** Mount `fs` over the directory `at`; the topmost mount on a point wins. */
  mount(fs: FileSystem, at: Path, flags: number): Mount {
    const m = new Mount(this.nextId++, fs, at.mount, at.dentry, flags);
    let byInode = this.covering.get(at.mount);
    if (byInode === undefined) this.covering.set(at.mount, byInode = new Map());
    const below = byInode.get(at.dentry.inode);
    if (below !== undefined) {
      // Stack on top of what is already mounted there.
      return this.mount(fs, { mount: below, dentry: below.root }, flags);
    }
    byInode.set(at.dentry.inode, m);
    this.mounts.push(m);
    return m;
  }

  /** The mount covering `dentry` in `mount`, if any. */
  mountedOn(mount: Mount, inode: Inode): Mount | undefined {
    return this.covering.get(mount)?.get(inode);
  }

  /** Follow mounts down from a path to what is visible there. */
  crossDown(path: Path): Path {
    let p = path;
    for (;;) {
      const m = this.covering.get(p.mount)?.get(p.dentry.inode);
      if (m === undefined) return p;
      p = { mount: m, dentry: m.root };
    }
  }

  /**
   * Detach mount `m` (umount2). EBUSY while something is mounted on it or, unless `lazy`
   * (MNT_DETACH), while `busy`. A lazily detached busy filesystem is flushed now and unmounted
   * when the kernel shuts down, since open files may still use it.
   */
  unmount(m: Mount, busy: boolean, lazy: boolean): void {
    if (m.parent === null || m.mountpoint === null) throw new SyscallError(EINVAL);
    if ((this.covering.get(m)?.size ?? 0) > 0) throw new SyscallError(EBUSY);
    if (busy && !lazy) throw new SyscallError(EBUSY);
    this.covering.get(m.parent)?.delete(m.mountpoint.inode);
    this.covering.delete(m);
    this.mounts.splice(this.mounts.indexOf(m), 1);
    if (busy) {
      m.fs.sync();
      this.detached.push(m);
    } else {
      m.fs.unmount();
    }
  }

  /** Every mount, parents before children. */
  all(): readonly Mount[] {
    return this.mounts;
  }

  /**
   * Unmount everything, children first (the end of a run: flushes disks). A failing device does
   * not keep the others from being flushed; the failures are returned as messages.
   */
  unmountAll(): string[] {
    const failures: string[] = [];
    for (const m of [...this.mounts, ...this.detached].reverse()) {
      try {
        m.fs.unmount();
      } catch (e) {
        failures.push(`${m.fs.source}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    this.mounts.length = 0;
    this.detached.length = 0;
    this.covering.clear();
    return failures;
  }
}
