// procfs (type "proc", PROC_SUPER_MAGIC 0x9fa0): the kernel's view of itself as files. The root
// lists "self", "thread-self", one directory per live process and the system files; nothing is
// stored, everything is computed from the Kernel when looked up or read. The VFS does not cache
// its names (cacheable=false), so processes appear and vanish as they come and go.
//
// Mounting needs the kernel: mount(2) and the boot-time setup pass it in MountRequest.kernel;
// a mount request without one fails with a MountError. createProcFileSystem(kernel) is the
// direct way to build one.

import { EINVAL } from "../../errno.ts";
import type { Kernel } from "../../kernel.ts";
import { SyscallError } from "../../syscall-error.ts";
import {
  anonymousDevice,
  type FileSystem,
  MountError,
  type MountRequest,
  registerFileSystemType,
  type StatFs,
} from "../filesystem.ts";
import { currentTime, type Inode } from "../inode.ts";
import { cpuinfoText } from "./cpuinfo.ts";
import { processDirectory, threadAsProcessDirectory } from "./process-files.ts";
import { type ProcContext, readerProcess, systemAttrs } from "./proc-context.ts";
import {
  dirEntry,
  type FileBehaviour,
  fileEntry,
  linkEntry,
  ProcDir,
  type ProcEntry,
} from "./proc-nodes.ts";
import {
  devicesText,
  filesystemsText,
  hostnameText,
  loadavgText,
  meminfoText,
  statText,
  uptimeText,
  versionText,
  writeHostname,
} from "./system-files.ts";
import { findTask } from "../../proc/lookup.ts";
import { UTS_RELEASE, UTS_VERSION } from "../../syscalls/system.ts";

export const PROC_SUPER_MAGIC = 0x9fa0;
const ROOT_INO = 1;

/** The system entries of the root and of /proc/sys, numbered from 2 in this order. */
function systemEntries(ctx: ProcContext): ProcEntry[] {
  const fs = ctx.fs;
  let ino = 2;
  const attrs = (perm: number) => () => systemAttrs(ctx, perm);
  const file = (name: string, behaviour: FileBehaviour, perm = 0o444) =>
    fileEntry(fs, name, ino++, attrs(perm), behaviour);
  const text = (name: string, generate: () => string) => file(name, { generate });
  const dir = (name: string, children: ProcEntry[]) =>
    dirEntry(fs, name, ino++, attrs(0o555), () => children);
  const self = linkEntry(fs, "self", ino++, attrs(0o777), {
    target() {
      const reader = readerProcess(ctx);
      if (reader === null) throw new SyscallError(2 /* ENOENT */);
      return String(reader.pid);
    },
  });
  const threadSelf = linkEntry(fs, "thread-self", ino++, attrs(0o777), {
    target() {
      const task = ctx.kernel.current;
      if (task === null) throw new SyscallError(2 /* ENOENT */);
      return `${task.proc.pid}/task/${task.tid}`;
    },
  });
  const mounts = linkEntry(fs, "mounts", ino++, () => ({ ...systemAttrs(ctx, 0o777), size: 11 }), {
    target: () => "self/mounts",
  });
  const kernelDir = dir("kernel", [
    file("hostname", {
      generate: () => hostnameText(ctx),
      write: (offset, data) => writeHostname(ctx, offset, data),
    }, 0o644),
    text("ostype", () => "Linux\n"),
    text("osrelease", () => UTS_RELEASE + "\n"),
    text("version", () => UTS_VERSION + "\n"),
  ]);
  return [
    self,
    threadSelf,
    mounts,
    text("cpuinfo", cpuinfoText),
    text("devices", () => devicesText(ctx)),
    text("filesystems", filesystemsText),
    text("loadavg", () => loadavgText(ctx)),
    text("meminfo", () => meminfoText(ctx)),
    text("stat", () => statText(ctx)),
    text("uptime", () => uptimeText(ctx)),
    text("version", versionText),
    dir("sys", [kernelDir]),
  ];
}

/** Process directories, ascending by pid. */
function processEntries(ctx: ProcContext): ProcEntry[] {
  const pids = [...ctx.kernel.processes.keys()].sort((a, b) => a - b);
  const out: ProcEntry[] = [];
  for (const pid of pids) {
    const entry = processDirectory(ctx, ctx.kernel.processes.get(pid)!);
    if (entry !== null) out.push(entry);
  }
  return out;
}

/** A pid or any live thread id; thread ids are not listed but can be looked up. */
function findProcess(ctx: ProcContext, name: string): ProcEntry | null {
  if (!/^[1-9][0-9]{0,9}$/.test(name)) return null;
  const id = Number(name);
  const proc = ctx.kernel.processes.get(id);
  if (proc !== undefined) return processDirectory(ctx, proc);
  const task = findTask(ctx.kernel, id);
  return task === undefined ? null : threadAsProcessDirectory(ctx, task);
}

export class ProcFileSystem implements FileSystem {
  readonly type = "proc";
  readonly dev = anonymousDevice();
  readonly readOnly = false;
  readonly cacheable = false;
  readonly root: Inode;
  private readonly context: ProcContext;

  constructor(readonly kernel: Kernel, readonly source = "proc") {
    this.context = { fs: this, kernel, mountTime: currentTime() };
    const ctx = this.context;
    const fixed = systemEntries(ctx);
    const byName = new Map(fixed.map((e) => [e.name, e]));
    this.root = new ProcDir(
      this,
      ROOT_INO,
      systemAttrs(ctx, 0o555),
      () => [...fixed, ...processEntries(ctx)],
      (name) => byName.get(name) ?? findProcess(ctx, name),
    );
  }

  statfs(): StatFs {
    return {
      type: PROC_SUPER_MAGIC,
      bsize: 4096,
      blocks: 0,
      bfree: 0,
      bavail: 0,
      files: 0,
      ffree: 0,
      namelen: 255,
      frsize: 4096,
      flags: 0,
    };
  }

  sync(): void {}
  unmount(): void {}
}

export function createProcFileSystem(kernel: Kernel, source = "proc"): ProcFileSystem {
  return new ProcFileSystem(kernel, source);
}

/** The "proc" mount factory: mount(2) and boot-time setup pass the kernel in the request. */
export function mountProc(request: MountRequest): FileSystem {
  if (request.kernel === undefined) {
    throw new MountError("proc: no kernel to describe (MountRequest.kernel is unset)", EINVAL);
  }
  return createProcFileSystem(request.kernel, request.source || "proc");
}

registerFileSystemType("proc", mountProc, false);
