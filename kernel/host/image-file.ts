// HostImageDevice: a BlockDevice backed by a disk image file on the host (positioned reads and
// writes with node:fs, fsync for flush). Opened read-only when asked, or when the file cannot be
// opened for writing or has no write permission bits.

import { closeSync, constants, fstatSync, fsyncSync, openSync, readSync } from "node:fs";
import { statSync, writeSync } from "node:fs";
import { EACCES, EIO, EISDIR, ENOENT, ENOTBLK, EROFS } from "../errno.ts";
import { SyscallError } from "../syscall-error.ts";
import type { BlockDevice } from "../fs/block-device.ts";

const SECTOR = 512;

/** The image could not be opened; the message is the bare reason ("No such file or directory"). */
export class ImageOpenError extends Error {
  constructor(message: string, readonly errno: number) {
    super(message);
  }
}

function openFailure(e: unknown): ImageOpenError {
  switch ((e as { code?: string }).code) {
    case "ENOENT":
      return new ImageOpenError("No such file or directory", ENOENT);
    case "EACCES":
    case "EPERM":
      return new ImageOpenError("Permission denied", EACCES);
    case "EISDIR":
      return new ImageOpenError("Is a directory", EISDIR);
    default:
      return new ImageOpenError(e instanceof Error ? e.message : String(e), EIO);
  }
}

function lacksWriteBits(path: string): boolean {
  try {
    return (statSync(path).mode & 0o222) === 0;
  } catch {
    return false;
  }
}

function openImage(path: string, readOnly: boolean): { fd: number; readOnly: boolean } {
  if (!readOnly && !lacksWriteBits(path)) {
    try {
      return { fd: openSync(path, constants.O_RDWR), readOnly: false };
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === "ENOENT" || code === "EISDIR") throw openFailure(e);
    }
  }
  try {
    return { fd: openSync(path, constants.O_RDONLY), readOnly: true };
  } catch (e) {
    throw openFailure(e);
  }
}

export class HostImageDevice implements BlockDevice {
  readonly name: string;
  readonly sizeBytes: number;
  readonly readOnly: boolean;
  private readonly fd: number;
  private closed = false;

  /** Open `path`; throws ImageOpenError when it cannot be opened or is not a regular file. */
  constructor(path: string, readOnly = false) {
    const opened = openImage(path, readOnly);
    this.fd = opened.fd;
    this.readOnly = opened.readOnly;
    this.name = path;
    const stat = fstatSync(this.fd);
    if (!stat.isFile()) {
      closeSync(this.fd);
      throw new ImageOpenError(
        stat.isDirectory() ? "Is a directory" : "not a regular file",
        ENOTBLK,
      );
    }
    this.sizeBytes = Math.floor(stat.size / SECTOR) * SECTOR;
  }

  private checkRange(offset: number, length: number): void {
    if (this.closed || offset < 0 || offset + length > this.sizeBytes) throw new SyscallError(EIO);
  }

  read(offset: number, buf: Uint8Array): void {
    this.checkRange(offset, buf.length);
    let done = 0;
    try {
      while (done < buf.length) {
        const n = readSync(this.fd, buf, done, buf.length - done, offset + done);
        if (n <= 0) break;
        done += n;
      }
    } catch {
      throw new SyscallError(EIO);
    }
    if (done < buf.length) throw new SyscallError(EIO);
  }

  write(offset: number, data: Uint8Array): void {
    if (this.readOnly) throw new SyscallError(EROFS);
    this.checkRange(offset, data.length);
    try {
      let done = 0;
      while (done < data.length) {
        done += writeSync(this.fd, data, done, data.length - done, offset + done);
      }
    } catch {
      throw new SyscallError(EIO);
    }
  }

  flush(): void {
    if (this.readOnly || this.closed) return;
    try {
      fsyncSync(this.fd);
    } catch {
      throw new SyscallError(EIO);
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}
