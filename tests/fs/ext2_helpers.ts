// Shared pieces of the ext2 tests: e2fsprogs as the oracle (mke2fs, e2fsck, debugfs), an
// in-memory block device, path lookups through the Inode API, and a generated source tree.

import assert from "node:assert/strict";
import { join } from "node:path";
import type { BlockDevice } from "../../kernel/fs/block-device.ts";
import { Ext2FileSystem } from "../../kernel/fs/ext2/ext2-fs.ts";
import type { Ext2Inode } from "../../kernel/fs/ext2/ext2-inode.ts";
import { bytesName, type Inode, isDir } from "../../kernel/fs/inode.ts";
import { HostImageDevice } from "../../kernel/host/image-file.ts";
import { EIO, EROFS } from "../../kernel/errno.ts";
import { SyscallError } from "../../kernel/syscall-error.ts";
import { rng } from "../lib/xorshift.ts";

export const MIB = 1024 * 1024;

export async function sh(cmd: string, args: string[]) {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

export interface ImageSpec {
  sizeBytes: number;
  blockSize: number;
  inodeSize: number;
  /** Revision 0 (no features, 128-byte inodes). */
  rev0?: boolean;
  from?: string;
  /** Extra mke2fs arguments (e.g. ["-O", "^filetype"]). */
  extra?: string[];
}

/** A fresh image made by mke2fs. */
export async function mke2fs(path: string, spec: ImageSpec): Promise<void> {
  Deno.writeFileSync(path, new Uint8Array(0));
  Deno.truncateSync(path, spec.sizeBytes);
  const args = ["-q", "-t", "ext2", "-b", String(spec.blockSize), "-I", String(spec.inodeSize)];
  if (spec.rev0) args.push("-r", "0");
  if (spec.from) args.push("-d", spec.from);
  args.push(...(spec.extra ?? []), "-F", path);
  const r = await sh("mke2fs", args);
  assert.equal(r.code, 0, `mke2fs ${args.join(" ")}: ${r.stderr}`);
}

/** e2fsck -fn: exit 0 and no complaints, or the output for the failure message. */
export async function assertFsckClean(path: string): Promise<string> {
  const r = await sh("e2fsck", ["-fn", path]);
  assert.equal(r.code, 0, `e2fsck -fn ${path} exit ${r.code}:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

export async function debugfs(path: string, request: string): Promise<string> {
  const r = await sh("debugfs", ["-R", request, path]);
  return r.stdout;
}

export function mountFile(path: string, readOnly = false): Ext2FileSystem {
  const device = new HostImageDevice(path, readOnly);
  return new Ext2FileSystem(device, { readOnly, options: "", source: path });
}

/** A BlockDevice over a byte array (fast, and lets a test corrupt bytes freely). */
export class MemoryDevice implements BlockDevice {
  readonly sizeBytes: number;
  flushes = 0;
  closed = false;
  constructor(readonly bytes: Uint8Array, readonly readOnly = false, readonly name = "mem") {
    this.sizeBytes = bytes.length;
  }
  read(offset: number, buf: Uint8Array): void {
    if (offset < 0 || offset + buf.length > this.sizeBytes) throw new SyscallError(EIO);
    buf.set(this.bytes.subarray(offset, offset + buf.length));
  }
  write(offset: number, data: Uint8Array): void {
    if (this.readOnly) throw new SyscallError(EROFS);
    if (offset < 0 || offset + data.length > this.sizeBytes) throw new SyscallError(EIO);
    this.bytes.set(data, offset);
  }
  flush(): void {
    this.flushes++;
  }
  close(): void {
    this.closed = true;
  }
}

/** A host path inside the image as the kernel's latin1 name string. */
export const kname = (s: string) => bytesName(new TextEncoder().encode(s));

/** The inode at `path` (no symlinks followed), or null. */
export function lookupPath(fs: Ext2FileSystem, path: string): Ext2Inode | null {
  let cur: Inode = fs.root;
  for (const part of path.split("/").filter((p) => p)) {
    const next: Inode | null = cur.lookup(kname(part));
    if (!next) return null;
    cur = next;
  }
  return cur as Ext2Inode;
}

export function mustLookup(fs: Ext2FileSystem, path: string): Ext2Inode {
  const inode = lookupPath(fs, path);
  assert.ok(inode, `${path} not found in the image`);
  return inode;
}

export function readAll(inode: Inode): Uint8Array {
  const out = new Uint8Array(inode.size);
  let done = 0;
  while (done < out.length) {
    const n = inode.read(done, out.subarray(done, Math.min(out.length, done + 3 * MIB + 17)));
    assert.ok(n > 0, `short read at ${done} of ${out.length}`);
    done += n;
  }
  return out;
}

export function randomBytes(seed: number, length: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = r.next() & 0xff;
  return out;
}

/** Parent directory inode and last name of `path`. */
export function parentOf(fs: Ext2FileSystem, path: string): { dir: Ext2Inode; name: string } {
  const cut = path.lastIndexOf("/");
  const dir = cut <= 0 ? fs.root : mustLookup(fs, path.slice(0, cut));
  assert.ok(isDir(dir.mode));
  return { dir, name: kname(path.slice(cut + 1)) };
}

export interface TreeOptions {
  /** Files needing double indirection at this block size, plus a sparse file reaching triple. */
  blockSize: number;
  /** A directory with this many entries (an htree candidate). */
  manyFiles?: number;
  fifo?: boolean;
}

/** Build a tree of assorted files under `root`; returns the names of notable entries. */
export async function makeSourceTree(root: string, options: TreeOptions): Promise<void> {
  const bs = options.blockSize, p = bs / 4;
  const write = (rel: string, data: Uint8Array) => Deno.writeFileSync(join(root, rel), data);
  Deno.mkdirSync(join(root, "deep/a/b/c/d/e"), { recursive: true });
  Deno.mkdirSync(join(root, "links"));
  Deno.mkdirSync(join(root, "empty-dir"));
  write("empty", new Uint8Array(0));
  write("one", new Uint8Array([0x41]));
  for (const n of [bs - 1, bs, bs + 1, 12 * bs, 12 * bs + 1, 3 * bs + 77]) {
    write(`size-${n}`, randomBytes(n, n));
  }
  write("double-indirect", randomBytes(7, (12 + p + 3) * bs + 99));
  write("deep/a/b/c/d/e/bottom.txt", new TextEncoder().encode("at the bottom\n"));
  write("name with spaces and ünïcödé", new TextEncoder().encode("hi\n"));
  write("x".repeat(255), new Uint8Array([1, 2, 3]));
  // Sparse: data, a hole, data past the triple-indirect threshold for 1 KiB blocks.
  const sparse = Deno.openSync(join(root, "sparse"), { write: true, create: true });
  sparse.writeSync(randomBytes(3, 5000));
  const far = (12 + p + p * p + 10) * bs + 123;
  if (far < 80 * MIB) {
    sparse.seekSync(far, Deno.SeekMode.Start);
    sparse.writeSync(new TextEncoder().encode("far away"));
  }
  sparse.close();
  const mid = Deno.openSync(join(root, "hole-in-middle"), { write: true, create: true });
  mid.writeSync(randomBytes(4, 100));
  mid.seekSync(40 * bs, Deno.SeekMode.Start);
  mid.writeSync(randomBytes(5, 2 * bs + 5));
  mid.close();
  Deno.symlinkSync("one", join(root, "links/short"));
  Deno.symlinkSync("../" + "y".repeat(59 - 3), join(root, "links/len59"));
  Deno.symlinkSync("../" + "z".repeat(60 - 3), join(root, "links/len60"));
  Deno.symlinkSync("/" + "long/".repeat(40) + "target", join(root, "links/long"));
  Deno.symlinkSync("size-" + (bs + 1), join(root, "to-file"));
  write("hard", new TextEncoder().encode("linked three times\n"));
  Deno.linkSync(join(root, "hard"), join(root, "links/hard2"));
  Deno.linkSync(join(root, "hard"), join(root, "deep/a/hard3"));
  Deno.chmodSync(join(root, "one"), 0o4755);
  Deno.chmodSync(join(root, "empty"), 0o600);
  Deno.utimeSync(join(root, "one"), 1_000_000_000, 1_234_567_890);
  if (options.fifo) {
    const r = await sh("mkfifo", [join(root, "links/fifo")]);
    assert.equal(r.code, 0, r.stderr);
  }
  if (options.manyFiles) {
    Deno.mkdirSync(join(root, "many"));
    for (let i = 0; i < options.manyFiles; i++) {
      write(`many/entry-${String(i).padStart(5, "0")}`, new TextEncoder().encode(`${i}\n`));
    }
  }
}
