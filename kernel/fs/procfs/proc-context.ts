// What every procfs generator shares: the mounted filesystem and its kernel, stable inode
// numbers per (process or thread, entry), the reader (the task on the CPU: "self"), ptrace-style
// access checks for links into another process, and text helpers (UTF-8 as byte strings).

import { EACCES } from "../../errno.ts";
import type { Kernel } from "../../kernel.ts";
import type { Process } from "../../proc/process.ts";
import { SyscallError } from "../../syscall-error.ts";
import type { Path } from "../dentry.ts";
import type { FileSystem } from "../filesystem.ts";
import { bytesName, type Timespec } from "../inode.ts";
import type { NodeAttributes } from "./proc-nodes.ts";

/** Inode number bands inside one process's or thread's range (2^24 numbers each). */
export const BAND = 2 ** 21;
export const PROCESS_FIXED = 0, PROCESS_FD = 1, PROCESS_FDINFO = 2;
export const THREAD_FIXED = 3, THREAD_FD = 4, THREAD_FDINFO = 5;
const PER_ID = 2 ** 24;

export interface ProcContext {
  readonly fs: FileSystem;
  readonly kernel: Kernel;
  /** When procfs was mounted: the time stamps of its system entries. */
  readonly mountTime: Timespec;
}

/** A stable inode number for entry `local` in band `band` of process or thread `id`. */
export function idIno(id: number, band: number, local: number): number {
  return PER_ID * id + band * BAND + local + 0x1000;
}

/** The process the reader is (procfs "self"), or null outside any task. */
export function readerProcess(ctx: ProcContext): Process | null {
  return ctx.kernel.current?.proc ?? null;
}

/** The reader's root, against which paths are shown; the namespace root outside any task. */
export function readerRoot(ctx: ProcContext): Path {
  return readerProcess(ctx)?.root ?? ctx.kernel.vfs.rootPath();
}

/**
 * ptrace_may_access(PTRACE_MODE_READ_FSCREDS): the reader may look into `target` when it is the
 * same process, root, or holds exactly the target's ids and the target is dumpable.
 */
export function mayInspect(ctx: ProcContext, target: Process): boolean {
  const reader = readerProcess(ctx);
  if (reader === null || reader === target) return true;
  const c = reader.creds, t = target.creds;
  if (c.euid === 0) return true;
  const sameUser = c.fsuid === t.uid && c.fsuid === t.euid && c.fsuid === t.suid;
  const sameGroup = c.fsgid === t.gid && c.fsgid === t.egid && c.fsgid === t.sgid;
  return sameUser && sameGroup && target.dumpable > 0;
}

export function checkInspect(ctx: ProcContext, target: Process): void {
  if (!mayInspect(ctx, target)) throw new SyscallError(EACCES);
}

/** Wall-clock time of host instant `ms` (a performance.now() value). */
export function wallTimeAt(ms: number): Timespec {
  const total = performance.timeOrigin + ms;
  const sec = Math.floor(total / 1000);
  return { sec, nsec: Math.min(999_999_999, Math.floor((total - sec * 1000) * 1e6)) };
}

/**
 * Linux's task_dump_owner: a process's entries belong to its effective ids while it is
 * dumpable, else to root.
 */
export function processAttrs(proc: Process, perm: number): NodeAttributes {
  const dumpable = proc.dumpable === 1;
  return {
    perm,
    uid: dumpable ? proc.creds.euid : 0,
    gid: dumpable ? proc.creds.egid : 0,
    time: wallTimeAt(proc.startTime),
  };
}

export function systemAttrs(ctx: ProcContext, perm: number): NodeAttributes {
  return { perm, uid: 0, gid: 0, time: ctx.mountTime };
}

const encoder = new TextEncoder();

/** A JS string as the byte string of its UTF-8 encoding (what the guest stored or sees). */
export function utf8(text: string): string {
  // deno-lint-ignore no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text : bytesName(encoder.encode(text));
}

/** Linux's seq_file mangle(): escape space, tab, newline and backslash as octal. */
export function mangle(text: string): string {
  return text.replace(/[ \t\n\\]/g, (c) => "\\" + c.charCodeAt(0).toString(8).padStart(3, "0"));
}

/** %*lu: right-aligned in `width` columns. */
export function padNum(value: number, width: number): string {
  return String(value).padStart(width);
}

/** A 64-bit signal set or mask as 16 hex digits from its two 32-bit halves. */
export function hex64(high: number, low: number): string {
  return (high >>> 0).toString(16).padStart(8, "0") + (low >>> 0).toString(16).padStart(8, "0");
}
