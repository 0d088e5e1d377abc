// A process's file-descriptor table: small integers mapped to open files, with the per-fd
// close-on-exec flag, lowest-free allocation and the RLIMIT_NOFILE bound.

import { EBADF, EMFILE } from "../errno.ts";
import type { OpenFile } from "./open-file.ts";
import { releasePosixLocks } from "../fs/locks.ts";

interface FdEntry {
  file: OpenFile;
  cloexec: boolean;
}

export class FdTable {
  private readonly entries: (FdEntry | undefined)[] = [];
  /** RLIMIT_NOFILE's soft limit: fds must be below it. */
  limit = 1024;
  /** Processes sharing this table (clone with CLONE_FILES). */
  users = 1;

  /** fork(): the same open files at the same numbers, each with one more reference. */
  clone(): FdTable {
    const copy = new FdTable();
    copy.limit = this.limit;
    this.entries.forEach((e, fd) => {
      if (e !== undefined) copy.entries[fd] = { file: e.file.hold(), cloexec: e.cloexec };
    });
    return copy;
  }

  /** execve: close every close-on-exec descriptor. */
  closeOnExec(): void {
    this.entries.forEach((e, fd) => {
      if (e?.cloexec) this.close(fd);
    });
  }

  get(fd: number): OpenFile | undefined {
    return fd >= 0 ? this.entries[fd]?.file : undefined;
  }

  cloexec(fd: number): boolean {
    return this.entries[fd]?.cloexec ?? false;
  }

  setCloexec(fd: number, on: boolean): void {
    const e = this.entries[fd];
    if (e !== undefined) e.cloexec = on;
  }

  /** Install at the lowest free fd >= `min`; returns the fd or -EMFILE. Takes the reference. */
  install(file: OpenFile, cloexec: boolean, min = 0): number {
    for (let fd = min; fd < this.limit; fd++) {
      if (this.entries[fd] === undefined) {
        this.entries[fd] = { file, cloexec };
        return fd;
      }
    }
    file.put();
    return -EMFILE;
  }

  /** Put `file` at exactly `fd`, closing what was there (dup2). */
  installAt(fd: number, file: OpenFile, cloexec: boolean): void {
    const old = this.entries[fd];
    this.entries[fd] = { file, cloexec };
    if (old !== undefined) this.closeFile(old.file);
  }

  close(fd: number): number {
    const e = fd >= 0 ? this.entries[fd] : undefined;
    if (e === undefined) return -EBADF;
    this.entries[fd] = undefined;
    this.closeFile(e.file);
    return 0;
  }

  /** Linux's filp_close: the process's POSIX locks on the file's inode go with any of its fds. */
  private closeFile(file: OpenFile): void {
    releasePosixLocks(file, this);
    file.put();
  }

  /** Every open fd, ascending. */
  openFds(): number[] {
    const out: number[] = [];
    this.entries.forEach((e, fd) => e !== undefined && out.push(fd));
    return out;
  }

  closeAll(): void {
    for (const fd of this.openFds()) this.close(fd);
  }
}
