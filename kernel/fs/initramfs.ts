// Unpacking an initramfs (cpio newc, see cpio.ts) into a directory through the Inode API, the
// way Linux's init/initramfs.c does:
// - entries apply in order; a parent must already exist (nothing is created implicitly);
//   intermediate symlinks are followed; "." names the root itself;
// - an existing name of a different type is removed first (an empty directory rmdir'ed); one of
//   the same type is reused: a regular file is truncated and rewritten, a directory or device
//   node keeps its identity and gets the entry's owner and mode; a symlink is always replaced;
// - hard links: within one archive, entries with nlink >= 2 and the same (dev, ino, type) become
//   links to the first one; data coming with a later link (GNU cpio sends it with the last)
//   lands in the shared inode;
// - owner, mode and mtime (atime = mtime) are applied; directory mtimes are set at the very end
//   so the entries added below them do not disturb them;
// - entries Linux ignores (unknown type; a directory, device, FIFO or socket with data) are
//   skipped.
// Unlike Linux, which silently skips an entry it cannot create (missing parent, a non-empty
// directory in the way, ENOSPC...), this throws CpioError unless `skipFailedEntries` is set;
// every skip is reported in the result. The whole archive is parsed and checked before
// anything is created, so a malformed one changes nothing.
// Call it on a tree the VFS has not cached lookups of yet (boot, a fresh mount).

import { EIO, ELOOP, ENOENT, ENOTDIR, ENOTEMPTY, errnoMessage, errnoName } from "../errno.ts";
import { SyscallError } from "../syscall-error.ts";
import { CPIO_TRAILER, CpioError, type CpioRecord, parseCpio } from "./cpio.ts";
import {
  bytesName,
  currentTime,
  type Inode,
  isDir,
  isLnk,
  makedev,
  S_IFBLK,
  S_IFCHR,
  S_IFDIR,
  S_IFIFO,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  S_IFSOCK,
} from "./inode.ts";

export { CpioError, parseCpio, writeCpio } from "./cpio.ts";
export type { CpioEntryInput, CpioRecord, CpioWriteOptions } from "./cpio.ts";

export interface UnpackOptions {
  /** Skip (and report) entries that cannot be created, as Linux does, instead of throwing. */
  skipFailedEntries?: boolean;
}

export interface UnpackResult {
  /** Entries created or updated. */
  applied: number;
  /** One line per entry skipped, with the reason. */
  skipped: string[];
}

/** Linux's MAXSYMLINKS. */
const MAX_SYMLINK_FOLLOWS = 40;

/** Unpack every archive in `archive` into the directory `root`. */
export function unpackCpio(
  archive: Uint8Array,
  root: Inode,
  options: UnpackOptions = {},
): UnpackResult {
  if (!isDir(root.mode)) throw new CpioError("the unpack target is not a directory");
  const records = parseCpio(archive);
  const unpacker = new Unpacker(root);
  const result: UnpackResult = { applied: 0, skipped: [] };
  for (const record of records) {
    if (record.name === CPIO_TRAILER) {
      unpacker.endArchive();
      continue;
    }
    const ignored = ignoredByLinux(record);
    if (ignored !== null) {
      result.skipped.push(`${JSON.stringify(record.name)} at byte ${record.offset}: ${ignored}`);
      continue;
    }
    try {
      unpacker.apply(record);
      result.applied++;
    } catch (error) {
      if (!(error instanceof SyscallError)) throw error;
      const reason = `${errnoName(error.errno) ?? error.errno} (${errnoMessage(error.errno)})`;
      const message = `cannot create ${JSON.stringify(record.name)}: ${reason}`;
      if (!options.skipFailedEntries) throw new CpioError(message, record.offset);
      result.skipped.push(`${message} at byte ${record.offset}`);
    }
  }
  unpacker.setDirectoryTimes();
  return result;
}

/** Why Linux would skip this entry without a word, or null. */
function ignoredByLinux(record: CpioRecord): string | null {
  const type = record.mode & S_IFMT;
  if (![S_IFREG, S_IFDIR, S_IFLNK, S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK].includes(type)) {
    return `unknown file type 0o${type.toString(8)}`;
  }
  if (type !== S_IFREG && type !== S_IFLNK && record.data.length > 0) {
    return "a non-regular entry with data";
  }
  return null;
}

class Unpacker {
  /** First inode of each hard-link group of the current archive, by (dev, ino, type). */
  private readonly links = new Map<string, Inode>();
  private readonly directoryTimes: { inode: Inode; mtime: number }[] = [];

  constructor(private readonly root: Inode) {}

  endArchive(): void {
    this.links.clear();
  }

  apply(record: CpioRecord): void {
    const type = record.mode & S_IFMT;
    const components = record.name.split("/").filter((part) => part !== "" && part !== ".");
    if (components.length === 0) {
      if (type !== S_IFDIR) throw new SyscallError(ENOTDIR);
      this.setAttributes(this.root, record);
      this.directoryTimes.push({ inode: this.root, mtime: record.mtime });
      return;
    }
    const name = components.pop()!;
    const directory = this.resolveDirectory(components);
    switch (type) {
      case S_IFREG:
        return this.applyRegular(directory, name, record);
      case S_IFDIR: {
        const inode = removeUnlessType(directory, name, S_IFDIR) ??
          directory.mkdir(name, record.mode & 0o7777, record.uid, record.gid);
        this.setAttributes(inode, record);
        this.directoryTimes.push({ inode, mtime: record.mtime });
        return;
      }
      case S_IFLNK: {
        removeUnlessType(directory, name, 0);
        const link = directory.symlink(name, bytesName(record.data), record.uid, record.gid);
        setTimes(link, record.mtime);
        return;
      }
      default:
        return this.applySpecial(directory, name, record);
    }
  }

  /** Directory mtimes last, as Linux's dir_utime(): adding entries changed them. */
  setDirectoryTimes(): void {
    for (const { inode, mtime } of this.directoryTimes) setTimes(inode, mtime);
    this.directoryTimes.length = 0;
  }

  private applyRegular(directory: Inode, name: string, record: CpioRecord): void {
    let inode = removeUnlessType(directory, name, S_IFREG);
    const first = this.linkTarget(record);
    if (first !== null) {
      removeUnlessType(directory, name, 0);
      directory.link(name, first);
      inode = first;
    } else {
      if (inode !== null) inode.truncate(0);
      else inode = directory.create(name, record.mode, record.uid, record.gid, 0);
      this.rememberLink(record, inode);
    }
    this.setAttributes(inode, record);
    if (record.data.length > 0) {
      inode.truncate(record.data.length);
      writeAll(inode, record.data);
    }
    setTimes(inode, record.mtime);
  }

  private applySpecial(directory: Inode, name: string, record: CpioRecord): void {
    const first = this.linkTarget(record);
    if (first !== null) {
      removeUnlessType(directory, name, 0);
      directory.link(name, first);
      return;
    }
    const type = record.mode & S_IFMT;
    let inode = removeUnlessType(directory, name, type);
    if (inode === null) {
      const rdev = makedev(record.rdevMajor, record.rdevMinor);
      inode = directory.create(name, record.mode, record.uid, record.gid, rdev);
    }
    this.rememberLink(record, inode);
    this.setAttributes(inode, record);
    setTimes(inode, record.mtime);
  }

  /** The inode an earlier entry of this hard-link group created, or null. */
  private linkTarget(record: CpioRecord): Inode | null {
    if (record.nlink < 2) return null;
    return this.links.get(linkKey(record)) ?? null;
  }

  private rememberLink(record: CpioRecord, inode: Inode): void {
    if (record.nlink >= 2) this.links.set(linkKey(record), inode);
  }

  private setAttributes(inode: Inode, record: CpioRecord): void {
    inode.uid = record.uid;
    inode.gid = record.gid;
    inode.mode = (inode.mode & S_IFMT) | (record.mode & 0o7777);
    inode.ctime = currentTime();
    inode.markDirty();
  }

  /** Walk all but the last component from the root, following symlinks as path lookup does. */
  private resolveDirectory(components: string[]): Inode {
    const pending = components.reverse();
    const stack: Inode[] = [this.root];
    let follows = 0;
    while (pending.length > 0) {
      const part = pending.pop()!;
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (stack.length > 1) stack.pop();
        continue;
      }
      const next = stack[stack.length - 1].lookup(part);
      if (next === null) throw new SyscallError(ENOENT);
      if (isLnk(next.mode)) {
        if (++follows > MAX_SYMLINK_FOLLOWS) throw new SyscallError(ELOOP);
        const target = next.readlink();
        if (target.startsWith("/")) stack.length = 1;
        pending.push(...target.split("/").reverse());
        continue;
      }
      if (!isDir(next.mode)) throw new SyscallError(ENOTDIR);
      stack.push(next);
    }
    return stack[stack.length - 1];
  }
}

function linkKey(record: CpioRecord): string {
  return `${record.devMajor}:${record.devMinor}:${record.ino}:${record.mode & S_IFMT}`;
}

/**
 * Linux's clean_path(): the existing inode at `name` if it has file type `type`; otherwise
 * (or for type 0) remove it and return null. A non-empty directory in the way is ENOTEMPTY.
 */
function removeUnlessType(directory: Inode, name: string, type: number): Inode | null {
  const existing = directory.lookup(name);
  if (existing === null) return null;
  if (type !== 0 && (existing.mode & S_IFMT) === type) return existing;
  if (isDir(existing.mode)) {
    if (existing.readdir().length > 0) throw new SyscallError(ENOTEMPTY);
    directory.rmdir(name);
  } else {
    directory.unlink(name);
  }
  if (existing.nlink === 0 && existing.users === 0) existing.evict();
  return null;
}

function writeAll(inode: Inode, data: Uint8Array): void {
  let done = 0;
  while (done < data.length) {
    const written = inode.write(done, data.subarray(done));
    if (written <= 0) throw new SyscallError(EIO);
    done += written;
  }
}

function setTimes(inode: Inode, mtime: number): void {
  inode.atime = { sec: mtime, nsec: 0 };
  inode.mtime = { sec: mtime, nsec: 0 };
  inode.markDirty();
}
