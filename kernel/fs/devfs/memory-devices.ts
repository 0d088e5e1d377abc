// The memory character devices of major 1 (Linux's drivers/char/mem.c and random.c): /dev/null
// (EOF, swallows writes), /dev/zero (zeros, swallows), /dev/full (zeros, ENOSPC on write),
// /dev/random and /dev/urandom (random bytes of any length from the host's CSPRNG; writes are
// taken as entropy and ignored; the RND* ioctls). All seek to nowhere: their size is 0.

import { EINVAL, ENOSPC, ENOTTY, EPERM } from "../../errno.ts";
import type { FileOps, FileStat, OpenFile, SyscallResult } from "../../files/open-file.ts";
import type { Kernel } from "../../kernel.ts";
import type { UserMemory } from "../../mm/uaccess.ts";
import { type DeviceOpenContext, registerCharDevice } from "../char-devices.ts";
import { statOfLocation } from "../inode-file.ts";
import { inodeStat } from "../stat.ts";

export const MEM_MAJOR = 1;
export const NULL_MINOR = 3, ZERO_MINOR = 5, FULL_MINOR = 7, RANDOM_MINOR = 8, URANDOM_MINOR = 9;

// <linux/random.h> ioctls.
export const RNDGETENTCNT = 0x80045200;
export const RNDADDTOENTCNT = 0x40045201;
export const RNDADDENTROPY = 0x40085203;
export const RNDZAPENTCNT = 0x5204;
export const RNDCLEARPOOL = 0x5206;
export const RNDRESEEDCRNG = 0x5207;
/** The input pool is always initialised here: Linux reports POOL_READY_BITS. */
const POOL_READY_BITS = 256;
/** crypto.getRandomValues fills at most this many bytes per call. */
const RANDOM_CHUNK = 65536;

/** A device file stats as its inode (char major:minor, the node's owner and mode). */
export function deviceStat(file: OpenFile, inode: DeviceOpenContext["inode"]): FileStat {
  return file.location !== null ? statOfLocation(file.location) : inodeStat(inode);
}

abstract class MemoryDevice implements FileOps {
  constructor(protected readonly ctx: DeviceOpenContext) {}

  abstract read(file: OpenFile, buf: Uint8Array, position: number | null): SyscallResult;
  abstract write(file: OpenFile, data: Uint8Array, position: number | null): SyscallResult;

  stat(file: OpenFile): FileStat {
    return deviceStat(file, this.ctx.inode);
  }

  seekableSize(): number {
    return 0;
  }

  /** null, zero and full: any lseek puts the offset at 0 (Linux's null_lseek). */
  llseek(file: OpenFile, _offset: number, _whence: number): number {
    file.offset = 0;
    return 0;
  }

  ioctl(_file: OpenFile, _request: number, _arg: number, _user: UserMemory): SyscallResult {
    return -ENOTTY;
  }
}

class NullDevice extends MemoryDevice {
  read(): number {
    return 0;
  }
  write(_file: OpenFile, data: Uint8Array): number {
    return data.length;
  }
}

class ZeroDevice extends MemoryDevice {
  /** mmap gives fresh zero memory (Linux's mmap_zero). */
  readonly mapsAnonymous: boolean = true;
  read(_file: OpenFile, buf: Uint8Array): number {
    buf.fill(0);
    return buf.length;
  }
  write(_file: OpenFile, data: Uint8Array): number {
    return data.length;
  }
}

class FullDevice extends ZeroDevice {
  override readonly mapsAnonymous = false;
  override write(): number {
    return -ENOSPC;
  }
}

/** Fill `buf` from the host's cryptographically secure generator. */
export function fillRandom(buf: Uint8Array): void {
  for (let at = 0; at < buf.length; at += RANDOM_CHUNK) {
    crypto.getRandomValues(buf.subarray(at, Math.min(buf.length, at + RANDOM_CHUNK)));
  }
}

class RandomDevice extends MemoryDevice {
  read(_file: OpenFile, buf: Uint8Array): number {
    fillRandom(buf);
    return buf.length;
  }

  /** Written bytes would be mixed into the pool; the host's generator needs none. */
  write(_file: OpenFile, data: Uint8Array): number {
    return data.length;
  }

  /** capable(CAP_SYS_ADMIN) of the caller (the task on the CPU), else of the opener. */
  private isAdmin(kernel: Kernel): boolean {
    const proc = kernel.current?.proc ?? this.ctx.task.proc;
    return proc.creds.euid === 0;
  }

  override ioctl(_file: OpenFile, request: number, arg: number, user: UserMemory): SyscallResult {
    switch (request) {
      case RNDGETENTCNT:
        user.writeU32(arg, POOL_READY_BITS);
        return 0;
      case RNDADDTOENTCNT: {
        if (!this.isAdmin(this.ctx.kernel)) return -EPERM;
        return user.i32(arg) < 0 ? -EINVAL : 0;
      }
      case RNDADDENTROPY: {
        if (!this.isAdmin(this.ctx.kernel)) return -EPERM;
        const count = user.i32(arg), size = user.i32(arg + 4);
        if (count < 0 || size < 0) return -EINVAL;
        // The bytes are read (EFAULT for a bad buffer, as Linux's copy gives) and dropped.
        for (let at = 0; at < size; at += RANDOM_CHUNK) {
          user.read(arg + 8 + at, Math.min(RANDOM_CHUNK, size - at));
        }
        return 0;
      }
      case RNDZAPENTCNT:
      case RNDCLEARPOOL:
      case RNDRESEEDCRNG:
        return this.isAdmin(this.ctx.kernel) ? 0 : -EPERM;
    }
    return -EINVAL;
  }
}

registerCharDevice(MEM_MAJOR, NULL_MINOR, "mem", (ctx) => new NullDevice(ctx));
registerCharDevice(MEM_MAJOR, ZERO_MINOR, "mem", (ctx) => new ZeroDevice(ctx));
registerCharDevice(MEM_MAJOR, FULL_MINOR, "mem", (ctx) => new FullDevice(ctx));
registerCharDevice(MEM_MAJOR, RANDOM_MINOR, "mem", (ctx) => new RandomDevice(ctx));
registerCharDevice(MEM_MAJOR, URANDOM_MINOR, "mem", (ctx) => new RandomDevice(ctx));
