// Checked copy-in/copy-out between the kernel and user memory. Every guest pointer the kernel
// follows goes through here: each page is translated through the process's page tables (faulting
// in demand-zero pages as a user access would), and anything unmapped or not permitted raises
// SyscallError(EFAULT) instead of touching memory.

import { bytesName } from "../fs/inode.ts";
import { PAGE_SIZE } from "../../core/memory.ts";
import { EFAULT, ENAMETOOLONG } from "../errno.ts";
import { SyscallError } from "../syscall-error.ts";
import { getI64, getU64, setI64 } from "../le64.ts";
import type { AddressSpace } from "./address-space.ts";

const decoder = new TextDecoder();

export class UserMemory {
  private readonly u8: Uint8Array;
  private readonly dv: DataView;

  constructor(readonly mm: AddressSpace) {
    this.u8 = mm.mem.u8;
    this.dv = mm.mem.dv;
  }

  /** Physical address of one user byte, or EFAULT. */
  private phys(addr: number, write: boolean): number {
    const p = this.mm.resolve(addr, write);
    if (p < 0) throw new SyscallError(EFAULT);
    return p;
  }

  /** Visit [addr, addr+len) one physically contiguous piece at a time. */
  private pieces(
    addr: number,
    len: number,
    write: boolean,
    visit: (paddr: number, offset: number, n: number) => void,
  ): void {
    if (len === 0) return;
    if (!Number.isSafeInteger(addr) || addr < 0 || len < 0) throw new SyscallError(EFAULT);
    let done = 0;
    while (done < len) {
      const at = addr + done;
      const n = Math.min(len - done, PAGE_SIZE - (at % PAGE_SIZE));
      visit(this.phys(at, write), done, n);
      done += n;
    }
  }

  read(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    this.pieces(addr, len, false, (p, o, n) => out.set(this.u8.subarray(p, p + n), o));
    return out;
  }

  write(addr: number, data: Uint8Array): void {
    const mem = this.mm.mem;
    this.pieces(addr, data.length, true, (p, o, n) => mem.writeBytes(p, data.subarray(o, o + n)));
  }

  /** Check that [addr, addr+len) is writable without changing it (faulting pages in). */
  checkWritable(addr: number, len: number): void {
    this.pieces(addr, len, true, () => {});
  }

  u8At(addr: number): number {
    return this.u8[this.phys(addr, false)];
  }

  u32(addr: number): number {
    if (addr % PAGE_SIZE <= PAGE_SIZE - 4) return this.dv.getUint32(this.phys(addr, false), true);
    const b = this.read(addr, 4);
    return new DataView(b.buffer).getUint32(0, true);
  }

  i32(addr: number): number {
    return this.u32(addr) | 0;
  }

  /** A 64-bit value as an unsigned JS number (exact below 2^53). */
  u64(addr: number): number {
    return getU64(new DataView(this.read(addr, 8).buffer), 0);
  }

  /** A 64-bit value as a signed JS number (exact when |v| < 2^53). */
  i64(addr: number): number {
    return getI64(new DataView(this.read(addr, 8).buffer), 0);
  }

  writeU32(addr: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0, true);
    this.write(addr, b);
  }

  /** Store a JS integer (|v| < 2^53, negative allowed) as a 64-bit value. */
  writeI64(addr: number, v: number): void {
    const b = new Uint8Array(8);
    setI64(new DataView(b.buffer), 0, v);
    this.write(addr, b);
  }

  /** A NUL-terminated string of at most `max` bytes before the NUL (else ENAMETOOLONG). */
  cString(addr: number, max = 4096): string {
    return decoder.decode(this.cStringBytes(addr, max));
  }

  /** A path argument: bytes up to the NUL as a latin1 string; ENAMETOOLONG past PATH_MAX. */
  path(addr: number): string {
    return bytesName(this.cStringBytes(addr, 4095));
  }

  cStringBytes(addr: number, max = 4096): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    let at = addr;
    for (;;) {
      if (!Number.isSafeInteger(at) || at < 0) throw new SyscallError(EFAULT);
      const p = this.phys(at, false);
      const n = PAGE_SIZE - (at % PAGE_SIZE);
      const page = this.u8.subarray(p, p + n);
      const nul = page.indexOf(0);
      const take = nul < 0 ? n : nul;
      if (total + take > max) throw new SyscallError(ENAMETOOLONG);
      parts.push(page.slice(0, take));
      total += take;
      if (nul >= 0) break;
      at += n;
    }
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(total);
    let o = 0;
    for (const part of parts) {
      out.set(part, o);
      o += part.length;
    }
    return out;
  }
}
