// Binds the syscall table (table.ts: every Linux number, name and status) to the handlers the
// family files export, and formats strace lines. A number with no handler is -ENOSYS.

import type { Task } from "../proc/process.ts";
import type { SyscallFamily, SyscallHandler } from "./args.ts";
import { credentialSyscalls } from "./credentials.ts";
import { cloneSyscalls } from "./clone.ts";
import { execSyscalls } from "./exec.ts";
import { processGroupSyscalls } from "./process-groups.ts";
import { waitSyscalls } from "./wait.ts";
import { fileInfoSyscalls } from "./file-info.ts";
import { fileIoSyscalls } from "./file-io.ts";
import { fileOpenSyscalls } from "./file-open.ts";
import { fileNameSyscalls } from "./file-names.ts";
import { fileAttrSyscalls } from "./file-attr.ts";
import { fileDirSyscalls } from "./file-dirs.ts";
import { fileSyncSyscalls } from "./file-sync.ts";
import { fileTransferSyscalls } from "./file-transfer.ts";
import { fileLockSyscalls } from "./file-locks.ts";
import { futexSyscalls } from "./futex.ts";
import { pipeSyscalls } from "./pipe.ts";
import { pollSyscalls } from "./poll.ts";
import { epollSyscalls } from "./epoll.ts";
import { eventFdSyscalls } from "./eventfd.ts";
import { memorySyscalls } from "./memory.ts";
import { processSyscalls } from "./process.ts";
import { resourceSyscalls } from "./resources.ts";
import { schedSyscalls } from "./sched.ts";
import { signalSyscalls } from "./signal.ts";
import { sigreturnSyscalls } from "./sigreturn.ts";
import { formatSyscall } from "./strace.ts";
import { systemSyscalls } from "./system.ts";
import { syscallByNumber, SYSCALLS } from "./table.ts";
import { timeSyscalls } from "./time.ts";
import { timerSyscalls } from "./timers.ts";

export const FAMILIES: Record<string, SyscallFamily> = {
  "file-io": fileIoSyscalls,
  "file-info": fileInfoSyscalls,
  "file-open": fileOpenSyscalls,
  "file-names": fileNameSyscalls,
  "file-attr": fileAttrSyscalls,
  "file-dirs": fileDirSyscalls,
  "file-sync": fileSyncSyscalls,
  "file-transfer": fileTransferSyscalls,
  "file-locks": fileLockSyscalls,
  memory: memorySyscalls,
  process: processSyscalls,
  clone: cloneSyscalls,
  exec: execSyscalls,
  wait: waitSyscalls,
  "process-groups": processGroupSyscalls,
  credentials: credentialSyscalls,
  signal: signalSyscalls,
  time: timeSyscalls,
  timers: timerSyscalls,
  system: systemSyscalls,
  futex: futexSyscalls,
  pipe: pipeSyscalls,
  poll: pollSyscalls,
  epoll: epollSyscalls,
  eventfd: eventFdSyscalls,
  sigreturn: sigreturnSyscalls,
  sched: schedSyscalls,
  resources: resourceSyscalls,
};

/** Every handler by syscall name. */
export function handlersByName(): Map<string, SyscallHandler> {
  const byName = new Map<string, SyscallHandler>();
  for (const [family, handlers] of Object.entries(FAMILIES)) {
    for (const [name, handler] of Object.entries(handlers)) {
      if (byName.has(name)) throw new Error(`syscall ${name} is defined twice (${family})`);
      byName.set(name, handler);
    }
  }
  return byName;
}

/** Handlers indexed by syscall number, from the table's names. */
export function syscallHandlers(): (SyscallHandler | undefined)[] {
  const byName = handlersByName();
  const table: (SyscallHandler | undefined)[] = [];
  for (const row of SYSCALLS) {
    if (row.status !== "missing") table[row.nr] = byName.get(row.name);
  }
  return table;
}

/** One strace line for a finished call (`exited`: the call ended the process, result "?"). */
export function traceSyscall(
  task: Task,
  nr: number,
  args: bigint[],
  result: number | bigint,
  exited: boolean,
): string {
  const readMemory = (addr: number, len: number): Uint8Array | null => {
    try {
      return task.proc.user.read(addr, len);
    } catch {
      return null;
    }
  };
  return formatSyscall(syscallByNumber(nr) ?? nr, args, exited ? null : result, readMemory);
}
