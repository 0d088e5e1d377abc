// Path resolution (Linux's namei): walk a path component by component from the process's root
// or a starting directory, through mounts in both directions, "." and "..", and symlinks (at
// most 40 per walk: ELOOP). Also turns a Path back into the absolute string getcwd and /proc
// show.

import { EACCES, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from "../errno.ts";
import type { Credentials } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import { type Path, samePath } from "./dentry.ts";
import { isDir, isLnk } from "./inode.ts";
import type { MountTable } from "./mount.ts";
import { MAY_EXEC, permitted } from "./permission.ts";

export const PATH_MAX = 4096;
export const NAME_MAX = 255;
const MAX_SYMLINKS = 40;

export interface WalkContext {
  readonly mounts: MountTable;
  readonly root: Path;
  readonly creds: Credentials;
}

export interface WalkOptions {
  /** Follow a symlink in the last component. */
  follow: boolean;
  /** Require the result to be a directory (O_DIRECTORY, a trailing slash, chdir). */
  directory?: boolean;
  /** RESOLVE_BENEATH / RESOLVE_IN_ROOT / RESOLVE_NO_SYMLINKS / RESOLVE_NO_XDEV of openat2. */
  beneath?: boolean;
  inRoot?: boolean;
  noSymlinks?: boolean;
  noCrossMounts?: boolean;
  /** RESOLVE_NO_MAGICLINKS: refuse /proc/<pid>/fd/N-style links. */
  noMagicLinks?: boolean;
  /** The beneath/in-root boundary when the walk starts below it (default: the start). */
  scopeRoot?: Path;
}

/** The parent directory of a path's last component, and that component. */
export interface ParentWalk {
  dir: Path;
  /** "" for "/", "." or ".." keep their spelling so callers can refuse them. */
  name: string;
  trailingSlash: boolean;
}

export function checkPathLength(path: string): void {
  if (path.length >= PATH_MAX) throw new SyscallError(ENAMETOOLONG);
  if (path === "") throw new SyscallError(ENOENT);
}

/** The names of a path; "." stays, since "link/." must follow the link and needs a directory. */
function components(path: string): string[] {
  return path.split("/").filter((c) => c !== "");
}

class Walker {
  private links = 0;
  private readonly root: Path;

  constructor(private readonly ctx: WalkContext, start: Path, private readonly opts: WalkOptions) {
    this.root = opts.inRoot || opts.beneath ? opts.scopeRoot ?? start : ctx.root;
  }

  up(p: Path): Path {
    if (samePath(p, this.root)) return p;
    let cur = p;
    while (cur.dentry === cur.mount.root && cur.mount.parent !== null) {
      if (this.opts.noCrossMounts) throw new SyscallError(18 /* EXDEV */);
      cur = { mount: cur.mount.parent, dentry: cur.mount.mountpoint! };
      if (samePath(cur, this.root)) return cur;
    }
    const parent = cur.dentry.parent;
    return parent === null ? cur : { mount: cur.mount, dentry: parent };
  }

  /** Look `name` up in directory `dir`, crossing onto anything mounted there. */
  step(dir: Path, name: string): Path {
    const inode = dir.dentry.inode;
    if (!isDir(inode.mode)) throw new SyscallError(ENOTDIR);
    if (!permitted(inode, this.ctx.creds, MAY_EXEC)) throw new SyscallError(EACCES);
    if (name.length > NAME_MAX) throw new SyscallError(ENAMETOOLONG);
    const child = dir.dentry.child(name);
    if (child === null) throw new SyscallError(ENOENT);
    const crossed = this.ctx.mounts.crossDown({ mount: dir.mount, dentry: child });
    if (crossed.mount !== dir.mount && this.opts.noCrossMounts) {
      throw new SyscallError(18 /* EXDEV */);
    }
    return crossed;
  }

  /** The symlink at `link`'s target, resolved from `dir` (the directory holding it). */
  followLink(dir: Path, link: Path): Path {
    if (this.opts.noSymlinks) throw new SyscallError(ELOOP);
    if (++this.links > MAX_SYMLINKS) throw new SyscallError(ELOOP);
    const jump = link.dentry.inode.magicLink();
    if (jump !== null) {
      if (this.opts.noMagicLinks || this.opts.beneath || this.opts.inRoot) {
        throw new SyscallError(ELOOP);
      }
      return jump;
    }
    const target = link.dentry.inode.readlink();
    if (target === "") throw new SyscallError(ENOENT);
    if (target.startsWith("/") && this.opts.beneath) throw new SyscallError(18 /* EXDEV */);
    return this.walk(target.startsWith("/") ? this.root : dir, target, true);
  }

  /** Resolve every component of `path` from `start`; `followLast` for the final symlink. */
  walk(start: Path, path: string, followLast: boolean): Path {
    if (path.startsWith("/") && this.opts.beneath) throw new SyscallError(18 /* EXDEV */);
    let cur = path.startsWith("/") ? this.root : start;
    const parts = components(path);
    const trailing = path.endsWith("/");
    for (let i = 0; i < parts.length; i++) {
      const name = parts[i];
      const last = i === parts.length - 1;
      if (name === "." || name === "..") {
        // Like any name, "." and ".." need search permission on the directory (may_lookup).
        if (!isDir(cur.dentry.inode.mode)) throw new SyscallError(ENOTDIR);
        if (!permitted(cur.dentry.inode, this.ctx.creds, MAY_EXEC)) {
          throw new SyscallError(EACCES);
        }
      }
      if (name === ".") continue;
      if (name === "..") {
        if (this.opts.beneath && samePath(cur, this.root)) throw new SyscallError(18 /* EXDEV */);
        cur = this.up(cur);
        continue;
      }
      const next = this.step(cur, name);
      if (isLnk(next.dentry.inode.mode) && (!last || followLast || trailing)) {
        cur = this.followLink(cur, next);
      } else {
        cur = next;
      }
    }
    if (trailing && !isDir(cur.dentry.inode.mode)) throw new SyscallError(ENOTDIR);
    return cur;
  }
}

/** Resolve `path` from `start` (the cwd or a dirfd's directory). */
export function resolve(ctx: WalkContext, start: Path, path: string, opts: WalkOptions): Path {
  checkPathLength(path);
  const walker = new Walker(ctx, start, opts);
  const found = walker.walk(start, path, opts.follow);
  if (opts.directory && !isDir(found.dentry.inode.mode)) throw new SyscallError(ENOTDIR);
  return found;
}

/** Resolve all but the last component; the last is returned unresolved. */
export function resolveParent(
  ctx: WalkContext,
  start: Path,
  path: string,
  opts: Omit<WalkOptions, "follow"> = {},
): ParentWalk {
  checkPathLength(path);
  const trimmed = path.replace(/\/+$/, "");
  const trailingSlash = trimmed.length !== path.length;
  if (trimmed === "") return { dir: ctx.root, name: "", trailingSlash };
  const cut = trimmed.lastIndexOf("/");
  const dirPart = cut < 0 ? "." : trimmed.slice(0, cut + 1);
  const name = trimmed.slice(cut + 1);
  if (name.length > NAME_MAX) throw new SyscallError(ENAMETOOLONG);
  const walker = new Walker(ctx, start, { ...opts, follow: true });
  const dir = walker.walk(start, dirPart, true);
  if (!isDir(dir.dentry.inode.mode)) throw new SyscallError(ENOTDIR);
  return { dir, name, trailingSlash };
}

/** Is `p` at or below `root` (following mounts up)? getcwd marks other paths "(unreachable)". */
export function isReachable(p: Path, root: Path): boolean {
  let cur = p;
  for (let guard = 0; guard < 4096; guard++) {
    if (samePath(cur, root)) return true;
    if (cur.dentry === cur.mount.root) {
      if (cur.mount.parent === null) return false;
      cur = { mount: cur.mount.parent, dentry: cur.mount.mountpoint! };
      continue;
    }
    const parent = cur.dentry.parent;
    if (parent === null) return false;
    cur = { mount: cur.mount, dentry: parent };
  }
  return false;
}

/**
 * The absolute path of `p` as seen from `root` (getcwd, /proc/<pid>/cwd and fd links). A path
 * outside `root` is shown from the namespace root, like Linux's "unreachable" cases.
 */
export function pathString(p: Path, root: Path): string {
  const names: string[] = [];
  let cur = p;
  for (let guard = 0; guard < 4096; guard++) {
    if (samePath(cur, root)) break;
    if (cur.dentry === cur.mount.root) {
      if (cur.mount.parent === null) break;
      cur = { mount: cur.mount.parent, dentry: cur.mount.mountpoint! };
      continue;
    }
    const parent = cur.dentry.parent;
    if (parent === null) break;
    names.push(cur.dentry.name);
    cur = { mount: cur.mount, dentry: parent };
  }
  return "/" + names.reverse().join("/");
}
