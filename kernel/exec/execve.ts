// execve and execveat (Linux's do_execveat_common and begin_new_exec): find and check the file,
// follow `#!` lines to their interpreter, load the ELF into a fresh address space, and only then
// commit — other threads killed, the old memory let go (waking a vfork parent), close-on-exec
// files closed, caught signals reset to SIG_DFL, set-id bits applied, registers reset. Until the
// commit every failure leaves the caller's image untouched and returns an errno.

import { setFlags } from "../../core/cpu/flags.ts";
import {
  E2BIG,
  EACCES,
  EINVAL,
  ELOOP,
  ENAMETOOLONG,
  ENOENT,
  ENOEXEC,
  ENOMEM,
  ETXTBSY,
} from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { AddressSpace } from "../mm/address-space.ts";
import { OutOfMemory } from "../mm/frames.ts";
import type { Path } from "../fs/dentry.ts";
import {
  bytesName,
  isDir,
  isLnk,
  isReg,
  nameBytes,
  readInodeStart,
  S_ISGID,
  S_ISUID,
} from "../fs/inode.ts";
import { MS_NOEXEC, MS_NOSUID } from "../fs/mount.ts";
import { pathString } from "../fs/path-walk.ts";
import { MAY_EXEC, permitted } from "../fs/permission.ts";
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, lookupAt } from "../fs/vfs.ts";
import { clearChildTidOnExit, exitRobustList } from "../futex-robust.ts";
import { recordPeakRss } from "../syscalls/resources.ts";
import { applyLimitsToAddressSpace, RLIMIT_STACK } from "../proc/limits.ts";
import type { Task } from "../proc/process.ts";
import { killOtherThreads } from "../proc/exit.ts";
import { resetFpu } from "../signals/delivery.ts";
import { SIG_DFL, SIG_IGN } from "../signals/signals.ts";
import { SyscallError } from "../syscall-error.ts";
import { ElfError, parseElf, programHeadersEnd } from "./elf.ts";
import { InitialStackError, MAX_ARG_STRLEN } from "./initial-stack.ts";
import { enterProgram, loadImage, segmentMappable } from "./load.ts";

/** Linux's BINPRM_BUF_SIZE: a `#!` line must fit in the first 256 bytes. */
const BINPRM_BUF_SIZE = 256;
/** Interpreters of interpreters: Linux gives up past this depth (ELOOP). */
const MAX_INTERPRETER_DEPTH = 5;
const MAX_ARG_STRINGS = 0x7fffffff;
/** The largest executable read into memory. */
const MAX_IMAGE_BYTES = 1 << 30;

export interface ExecRequest {
  dirfd: number;
  /** The path as the caller gave it (latin1 bytes as a string). */
  path: string;
  argv: Uint8Array[];
  envp: Uint8Array[];
  atFlags: number;
}

/** Read a NULL-terminated array of string pointers (argv or envp) from user memory. */
export function readStringArray(task: Task, addr: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (addr === 0) return out;
  const user = task.proc.user;
  for (let i = 0;; i++) {
    if (i >= MAX_ARG_STRINGS) throw new SyscallError(E2BIG);
    const pointer = user.u64(addr + i * 8);
    if (pointer === 0) return out;
    try {
      out.push(user.cStringBytes(pointer, MAX_ARG_STRLEN - 1));
    } catch (e) {
      if (e instanceof SyscallError && e.errno === ENAMETOOLONG) throw new SyscallError(E2BIG);
      throw e;
    }
  }
}

/** Linux's limit on the strings and pointers together: a quarter of the stack limit, at most 6 MiB. */
function checkArgumentSpace(task: Task, argv: Uint8Array[], envp: Uint8Array[]): void {
  const stackLimit = task.proc.limits[RLIMIT_STACK].cur;
  const limit = Math.min(6 * 1024 * 1024, stackLimit / 4);
  let size = (argv.length + envp.length) * 8;
  for (const s of argv) size += s.length + 1;
  for (const s of envp) size += s.length + 1;
  if (size > limit) throw new SyscallError(E2BIG);
}

interface Executable {
  at: Path;
  /** The file's beginning: enough for a `#!` line and the ELF headers. */
  bytes: Uint8Array;
  size: number;
}

/** What execve reads first; more only when the program headers lie beyond it. */
const HEAD_BYTES = 4096;

/** Find `path`, check it may be executed, and read its beginning. */
function openExecutable(
  kernel: Kernel,
  task: Task,
  dirfd: number,
  path: string,
  atFlags: number,
): Executable {
  const at = lookupAt(
    task,
    kernel.vfs,
    dirfd,
    path,
    atFlags & (AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW),
  );
  if (at === null) throw new SyscallError(ENOENT);
  const inode = at.dentry.inode;
  if (!(atFlags & AT_EMPTY_PATH) || path !== "") {
    if (isLnk(inode.mode)) throw new SyscallError(ELOOP);
  }
  if (isDir(inode.mode) || !isReg(inode.mode)) throw new SyscallError(EACCES);
  if (at.mount.flags & MS_NOEXEC) throw new SyscallError(EACCES);
  if (!permitted(inode, task.proc.creds, MAY_EXEC)) throw new SyscallError(EACCES);
  if (inode.writers > 0) throw new SyscallError(ETXTBSY);
  if (inode.size > MAX_IMAGE_BYTES) throw new SyscallError(ENOMEM);
  let bytes = readInodeStart(inode, HEAD_BYTES);
  // An ELF whose program headers lie past the first page: read up to their end.
  const headersEnd = programHeadersEnd(bytes);
  if (headersEnd > bytes.length && headersEnd <= inode.size) {
    bytes = readInodeStart(inode, headersEnd);
  }
  return { at, bytes, size: inode.size };
}

/** A `#!` line's interpreter and optional single argument; null when the file has none. */
function scriptInterpreter(bytes: Uint8Array): { interpreter: string; arg: string | null } | null {
  if (bytes.length < 2 || bytes[0] !== 0x23 || bytes[1] !== 0x21) return null;
  const head = bytes.subarray(2, BINPRM_BUF_SIZE);
  const newline = head.indexOf(0x0a);
  // A line longer than the buffer would be cut: Linux refuses it rather than guess.
  if (newline < 0 && bytes.length > BINPRM_BUF_SIZE) throw new SyscallError(ENOEXEC);
  const line = bytesName(head.subarray(0, newline < 0 ? head.length : newline))
    .replace(/[ \t]+$/, "")
    .replace(/^[ \t]+/, "");
  if (line === "") throw new SyscallError(ENOEXEC);
  const split = line.search(/[ \t]/);
  if (split < 0) return { interpreter: line, arg: null };
  const arg = line.slice(split).replace(/^[ \t]+/, "");
  return { interpreter: line.slice(0, split), arg: arg === "" ? null : arg };
}

/** execve/execveat: replace the calling process's program. Returns only on failure (-errno). */
export function execve(kernel: Kernel, task: Task, request: ExecRequest): number {
  const { argv, envp } = request;
  if (argv.length === 0) argv.push(new Uint8Array(0)); // Linux adds "" for a NULL argv
  checkArgumentSpace(task, argv, envp);
  let exe = openExecutable(kernel, task, request.dirfd, request.path, request.atFlags);
  // What AT_EXECFN and the script's argv name: the path given, or /dev/fd/N for an fd.
  const filename = request.path === "" && request.atFlags & AT_EMPTY_PATH
    ? `/dev/fd/${request.dirfd}`
    : request.path;
  let args = argv;
  // A script's own name in its interpreter's argv: the path it was run by (bprm->interp).
  let scriptName = filename;
  for (let depth = 0;; depth++) {
    const script = scriptInterpreter(exe.bytes);
    if (script === null) break;
    if (depth >= MAX_INTERPRETER_DEPTH) throw new SyscallError(ELOOP);
    const prefix = [nameBytes(script.interpreter)];
    if (script.arg !== null) prefix.push(nameBytes(script.arg));
    prefix.push(nameBytes(scriptName));
    scriptName = script.interpreter;
    args = [...prefix, ...args.slice(1)];
    checkArgumentSpace(task, args, envp);
    exe = openExecutable(kernel, task, AT_FDCWD, script.interpreter, 0);
  }
  let image;
  try {
    image = parseElf(exe.bytes, exe.size);
  } catch (e) {
    if (e instanceof ElfError) throw new SyscallError(ENOEXEC);
    throw e;
  }
  const proc = task.proc;
  const mm = new AddressSpace(kernel.mem, kernel.frames);
  mm.onInvalidate = proc.mm.onInvalidate;
  mm.stackLimit = proc.limits[RLIMIT_STACK].cur;
  mm.addressLimit = proc.mm.addressLimit;
  mm.dataLimit = proc.mm.dataLimit;
  const realPath = pathString(exe.at, proc.root);
  let loaded;
  try {
    // Segments are mapped from the file; one that cannot be is copied from the whole file.
    const mapsAll = image.loads.every((s) => s.filesz === 0 || segmentMappable(s, 0));
    const bytes = mapsAll ? exe.bytes : readInodeStart(exe.at.dentry.inode, exe.size);
    loaded = loadImage(mm, image, bytes, {
      argv: args,
      envp,
      exePath: filename,
      realPath,
      location: exe.at,
    }, proc.creds);
  } catch (e) {
    mm.destroy();
    if (e instanceof OutOfMemory) throw new SyscallError(ENOMEM);
    if (e instanceof ElfError) throw new SyscallError(ENOEXEC);
    if (e instanceof InitialStackError) {
      throw new SyscallError(e.errno === "E2BIG" ? E2BIG : EINVAL);
    }
    throw e;
  }
  commit(kernel, task, mm, exe);
  proc.name = (request.path === "" ? exe.at.dentry.name : filename.split("/").pop()!)
    .slice(0, 15);
  proc.exePath = realPath;
  proc.argv = args.map(bytesName);
  proc.envp = envp.map(bytesName);
  enterProgram(kernel.cpu, loaded);
  setFlags(kernel.cpu, 0x202);
  resetFpu(kernel.cpu);
  return 0;
}

/** The point of no return: the process becomes the new program. */
function commit(kernel: Kernel, task: Task, mm: AddressSpace, exe: Executable): void {
  const proc = task.proc;
  killOtherThreads(kernel, task);
  // Linux's exec_mm_release: the robust list and a shared clear-tid word are dealt with now.
  exitRobustList(kernel, task);
  clearChildTidOnExit(kernel, task);
  task.robustList = { head: 0, length: 0 };
  recordPeakRss(proc);
  const old = proc.mm;
  proc.setAddressSpace(mm);
  applyLimitsToAddressSpace(proc);
  kernel.cpu.mmu.cr3 = mm.root;
  if (--old.users === 0) old.destroy();
  task.vforkDone?.resolve();
  task.vforkDone = null;
  if (proc.fds.users > 1) {
    proc.fds.users--;
    proc.fds = proc.fds.clone();
  }
  proc.fds.closeOnExec();
  proc.sigactions = proc.sigactions.map((a) => ({
    handler: a.handler === SIG_IGN ? SIG_IGN : SIG_DFL,
    flags: 0,
    restorer: 0,
    maskLow: 0,
    maskHigh: 0,
  }));
  task.altStack = { sp: 0, flags: 2, size: 0 };
  applySetId(task, exe);
  proc.exeLocation = exe.at;
  proc.execed = true;
  for (const hook of proc.onExec) hook();
}

/** Set-user-ID and set-group-ID files (unless the mount is nosuid or no_new_privs is set). */
function applySetId(task: Task, exe: Executable): void {
  const proc = task.proc;
  const inode = exe.at.dentry.inode;
  const creds = { ...proc.creds };
  const allowed = !(exe.at.mount.flags & MS_NOSUID) && proc.noNewPrivs === 0;
  if (allowed && inode.mode & S_ISUID) creds.euid = inode.uid;
  if (allowed && inode.mode & S_ISGID && inode.mode & 0o010) creds.egid = inode.gid;
  const changed = creds.euid !== proc.creds.euid || creds.egid !== proc.creds.egid;
  creds.suid = creds.fsuid = creds.euid;
  creds.sgid = creds.fsgid = creds.egid;
  proc.creds = creds;
  proc.dumpable = changed ? 0 : 1;
}
