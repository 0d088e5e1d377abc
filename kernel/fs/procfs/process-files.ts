// /proc/<pid>/ and /proc/<pid>/task/<tid>/: the directory of one process (or thread) and what
// it holds — status, stat, statm, cmdline, environ, comm, limits, maps, mounts, mountinfo, the
// magic links cwd/root/exe, and the fd/ and fdinfo/ directories with one entry per open fd.

import { EINVAL, ENOENT } from "../../errno.ts";
import { O_ACCMODE, O_CLOEXEC, O_RDONLY, O_WRONLY, type OpenFile } from "../../files/open-file.ts";
import { RLIM_NLIMITS } from "../../proc/limits.ts";
import type { Process, Task } from "../../proc/process.ts";
import { SyscallError } from "../../syscall-error.ts";
import type { Path } from "../dentry.ts";
import { pathString } from "../path-walk.ts";
import { mountinfoText, mountsText } from "./mount-files.ts";
import { mapsLine } from "./process-memory.ts";
import { leaderOf, limitText, statmText, statText, statusText } from "./process-status.ts";
import {
  checkInspect,
  idIno,
  type ProcContext,
  PROCESS_FD,
  PROCESS_FDINFO,
  PROCESS_FIXED,
  processAttrs,
  readerProcess,
  readerRoot,
  THREAD_FD,
  THREAD_FDINFO,
  THREAD_FIXED,
  utf8,
} from "./proc-context.ts";
import {
  dirEntry,
  type FileBehaviour,
  fileEntry,
  type LinkBehaviour,
  linkEntry,
  type ProcEntry,
} from "./proc-nodes.ts";

/** One process directory (/proc/<pid>) or thread directory (/proc/<pid>/task/<tid>). */
interface Scope {
  ctx: ProcContext;
  proc: Process;
  task: Task;
  thread: boolean;
}

const LIMIT_NAMES: [string, string | null][] = [
  ["Max cpu time", "seconds"],
  ["Max file size", "bytes"],
  ["Max data size", "bytes"],
  ["Max stack size", "bytes"],
  ["Max core file size", "bytes"],
  ["Max resident set", "bytes"],
  ["Max processes", "processes"],
  ["Max open files", "files"],
  ["Max locked memory", "bytes"],
  ["Max address space", "bytes"],
  ["Max file locks", "locks"],
  ["Max pending signals", "signals"],
  ["Max msgqueue size", "bytes"],
  ["Max nice priority", null],
  ["Max realtime priority", null],
  ["Max realtime timeout", "us"],
];

const decoder = new TextDecoder();

function alive(proc: Process): boolean {
  return proc.exitStatus === null;
}

/** A path as the reader sees it, marked when its file is gone (d_path's " (deleted)"). */
function shownPath(ctx: ProcContext, p: Path): string {
  return pathString(p, readerRoot(ctx)) + (p.dentry.deleted ? " (deleted)" : "");
}

function limitsText(proc: Process): string {
  const row = (name: string, soft: string, hard: string, unit: string | null) =>
    `${name.padEnd(25)} ${soft.padEnd(20)} ${hard.padEnd(20)} ${
      (unit ?? "").padEnd(unit ? 10 : 0)
    }\n`;
  let text = row("Limit", "Soft Limit", "Hard Limit", "Units");
  for (let i = 0; i < RLIM_NLIMITS; i++) {
    const { cur, max } = proc.limits[i];
    const show = (v: number) => v === Infinity ? "unlimited" : limitText(v);
    text += row(LIMIT_NAMES[i][0], show(cur), show(max), LIMIT_NAMES[i][1]);
  }
  return text;
}

/** A file area shows its file's path as the reader sees it; others their own name. */
function mapsText(ctx: ProcContext, proc: Process): string {
  if (!alive(proc)) return "";
  return proc.mm.vmas.areas.map((vma) => {
    const location = vma.file?.file.location ?? null;
    const name = location === null ? vma.name : shownPath(ctx, location);
    return mapsLine(vma, name.replace(/\n/g, "\\012"));
  }).join("");
}

/** NUL-terminated strings, as the argv and envp areas of the initial stack hold them. */
function stringArea(strings: readonly string[]): string {
  return strings.map((s) => utf8(s) + "\0").join("");
}

/** comm_write: the first 15 bytes become the name; only the process itself may rename. */
function writeComm(scope: Scope, data: Uint8Array): number {
  if (readerProcess(scope.ctx) !== scope.proc) throw new SyscallError(EINVAL);
  scope.proc.name = decoder.decode(data.subarray(0, 15));
  return data.length;
}

function pathLink(scope: Scope, where: () => Path | null): LinkBehaviour {
  const { ctx, proc } = scope;
  const place = () => {
    checkInspect(ctx, proc);
    const p = alive(proc) ? where() : null;
    if (p === null) throw new SyscallError(ENOENT);
    return p;
  };
  return { target: () => shownPath(ctx, place()), jump: place };
}

function exeLink(scope: Scope): LinkBehaviour {
  const { ctx, proc } = scope;
  return {
    target() {
      checkInspect(ctx, proc);
      if (!alive(proc)) throw new SyscallError(ENOENT);
      if (proc.exeLocation !== null) return shownPath(ctx, proc.exeLocation);
      // Started from a host path outside the guest's tree: the text is all there is.
      if (proc.exePath === "") throw new SyscallError(ENOENT);
      return proc.exePath;
    },
    jump() {
      checkInspect(ctx, proc);
      return alive(proc) ? proc.exeLocation : null;
    },
  };
}

// ---- fd/ and fdinfo/ ----------------------------------------------------------------------

function openFile(proc: Process, fd: number): OpenFile {
  const file = proc.fds.get(fd);
  if (file === undefined) throw new SyscallError(ENOENT);
  return file;
}

function fdLink(scope: Scope, fd: number): LinkBehaviour {
  const { ctx, proc } = scope;
  return {
    target() {
      checkInspect(ctx, proc);
      const file = openFile(proc, fd);
      return file.location === null ? file.path : shownPath(ctx, file.location);
    },
    jump() {
      checkInspect(ctx, proc);
      const file = openFile(proc, fd);
      return file.location ?? file.ops.procFdPath?.(file) ?? null;
    },
  };
}

/** Link permissions follow the open mode: r-x for reading, -wx for writing (proc_fd_link). */
function fdLinkPerm(file: OpenFile): number {
  if (file.flags & 0o10000000 /* O_PATH */) return 0;
  const acc = file.flags & O_ACCMODE;
  let perm = 0;
  if (acc !== O_WRONLY) perm |= 0o500;
  if (acc !== O_RDONLY) perm |= 0o300;
  return perm;
}

function fdinfoText(proc: Process, fd: number): string {
  const file = openFile(proc, fd);
  const flags = file.flags | (proc.fds.cloexec(fd) ? O_CLOEXEC : 0);
  const ino = file.location?.dentry.inode.ino ?? file.ops.stat(file).ino;
  return `pos:\t${file.offset}\nflags:\t0${flags.toString(8)}\n` +
    `mnt_id:\t${file.location?.mount.id ?? 0}\nino:\t${ino}\n`;
}

function fdNumber(name: string, proc: Process): number | null {
  if (!/^(0|[1-9][0-9]{0,9})$/.test(name)) return null;
  const fd = Number(name);
  return proc.fds.get(fd) === undefined ? null : fd;
}

function fdDirectory(scope: Scope, info: boolean): ProcEntry {
  const { ctx, proc } = scope;
  const id = scope.thread ? scope.task.tid : proc.pid;
  const band = info
    ? (scope.thread ? THREAD_FDINFO : PROCESS_FDINFO)
    : (scope.thread ? THREAD_FD : PROCESS_FD);
  const entry = (fd: number): ProcEntry => {
    const ino = idIno(id, band, fd + 1);
    if (info) {
      return fileEntry(ctx.fs, String(fd), ino, () => processAttrs(proc, 0o444), {
        generate: () => fdinfoText(proc, fd),
        writeErrno: EINVAL,
      });
    }
    const attrs = () => ({ ...processAttrs(proc, fdLinkPerm(openFile(proc, fd))), size: 64 });
    return linkEntry(ctx.fs, String(fd), ino, attrs, fdLink(scope, fd));
  };
  const list = () => alive(proc) ? proc.fds.openFds().map(entry) : [];
  const find = (name: string) => {
    const fd = alive(proc) ? fdNumber(name, proc) : null;
    return fd === null ? null : entry(fd);
  };
  const dirIno = idIno(id, band, 0);
  const attrs = () => ({
    ...processAttrs(proc, info ? 0o555 : 0o500),
    size: info ? 0 : proc.fds.openFds().length,
  });
  return dirEntry(ctx.fs, info ? "fdinfo" : "fd", dirIno, attrs, list, find);
}

// ---- the directory ------------------------------------------------------------------------

function scopeEntries(scope: Scope): ProcEntry[] {
  const { ctx, proc, task, thread } = scope;
  const fs = ctx.fs;
  const id = thread ? task.tid : proc.pid;
  const band = thread ? THREAD_FIXED : PROCESS_FIXED;
  let local = 1;
  const attrs = (perm: number) => () => processAttrs(proc, perm);
  const file = (name: string, perm: number, behaviour: FileBehaviour) =>
    fileEntry(fs, name, idIno(id, band, local++), attrs(perm), {
      writeErrno: EINVAL,
      ...behaviour,
    });
  const link = (name: string, behaviour: LinkBehaviour) =>
    linkEntry(fs, name, idIno(id, band, local++), attrs(0o777), behaviour);
  const entries: ProcEntry[] = [];
  if (!thread) entries.push(taskDirectory(ctx, proc, idIno(id, band, local++)));
  entries.push(
    fdDirectory(scope, false),
    fdDirectory(scope, true),
    file("environ", 0o400, {
      generate: () => {
        checkInspect(ctx, proc);
        return alive(proc) ? stringArea(proc.envp) : "";
      },
    }),
    file("status", 0o444, { generate: () => statusText(ctx, proc, task, thread) }),
    file("limits", 0o444, { generate: () => limitsText(proc) }),
    file("comm", 0o644, {
      generate: () => utf8(proc.name) + "\n",
      write: (_offset, data) => writeComm(scope, data),
    }),
    file("cmdline", 0o444, { generate: () => alive(proc) ? stringArea(proc.argv) : "" }),
    file("stat", 0o444, { generate: () => statText(ctx, proc, task, thread) }),
    file("statm", 0o444, { generate: () => statmText(proc) }),
    file("maps", 0o444, { generate: () => mapsText(ctx, proc) }),
    link("cwd", pathLink(scope, () => proc.cwd ?? null)),
    link("root", pathLink(scope, () => proc.root ?? null)),
    link("exe", exeLink(scope)),
    file("mounts", 0o444, {
      generate: () => alive(proc) ? mountsText(ctx.kernel.vfs.mounts.all(), proc.root) : "",
    }),
    file("mountinfo", 0o444, {
      generate: () => alive(proc) ? mountinfoText(ctx.kernel.vfs.mounts.all(), proc.root) : "",
    }),
  );
  return entries;
}

function threadDirectory(ctx: ProcContext, proc: Process, task: Task): ProcEntry {
  const scope: Scope = { ctx, proc, task, thread: true };
  return dirEntry(
    ctx.fs,
    String(task.tid),
    idIno(task.tid, THREAD_FIXED, 0),
    () => processAttrs(proc, 0o555),
    () => scopeEntries(scope),
  );
}

function taskDirectory(ctx: ProcContext, proc: Process, ino: number): ProcEntry {
  const list = () => proc.threads.map((t) => threadDirectory(ctx, proc, t));
  return dirEntry(ctx.fs, "task", ino, () => processAttrs(proc, 0o555), list);
}

/** The /proc/<pid> entry of `proc`, or null once it has no thread left to speak for it. */
export function processDirectory(ctx: ProcContext, proc: Process): ProcEntry | null {
  const leader = leaderOf(proc);
  if (leader === undefined) return null;
  const scope: Scope = { ctx, proc, task: leader, thread: false };
  return dirEntry(
    ctx.fs,
    String(proc.pid),
    idIno(proc.pid, PROCESS_FIXED, 0),
    () => processAttrs(proc, 0o555),
    () => scopeEntries(scope),
  );
}

/** /proc/<tid> also answers for non-leader threads, hidden from readdir (as on Linux). */
export function threadAsProcessDirectory(ctx: ProcContext, task: Task): ProcEntry {
  const scope: Scope = { ctx, proc: task.proc, task, thread: true };
  return dirEntry(
    ctx.fs,
    String(task.tid),
    idIno(task.tid, THREAD_FIXED, 0),
    () => processAttrs(task.proc, 0o555),
    () => scopeEntries(scope),
  );
}
