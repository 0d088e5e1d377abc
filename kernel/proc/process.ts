// Processes and tasks. A Process owns what threads share: the address space, the fd table,
// credentials, cwd, umask, limits and signal dispositions. A Task is one thread of it: its saved
// CPU context, signal mask, alternate stack and the TID bookkeeping musl and glibc rely on.

import type { CpuContext } from "../../core/cpu/context.ts";
import type { AddressSpace } from "../mm/address-space.ts";
import { UserMemory } from "../mm/uaccess.ts";
import { FdTable } from "../files/fd-table.ts";
import type { Path } from "../fs/dentry.ts";
import { defaultSigAction, NSIG, type SigAction } from "../signals/signals.ts";
import { defaultLimits, type Rlimit } from "./limits.ts";

export interface Credentials {
  uid: number;
  euid: number;
  suid: number;
  fsuid: number;
  gid: number;
  egid: number;
  sgid: number;
  fsgid: number;
  groups: number[];
}

export function rootCredentials(): Credentials {
  return { uid: 0, euid: 0, suid: 0, fsuid: 0, gid: 0, egid: 0, sgid: 0, fsgid: 0, groups: [0] };
}

export class Process {
  readonly threads: Task[] = [];
  readonly user: UserMemory;
  fds = new FdTable();
  /** The process's root (chroot) and working directory; set when the program is loaded. */
  root!: Path;
  cwd!: Path;
  umask = 0o022;
  /** The command name (comm): the executable's base name, at most 15 bytes. */
  name: string;
  /** Host or guest path of the executable (/proc/self/exe). */
  exePath = "";
  /** Where the executable is in the VFS (/proc/<pid>/exe, ETXTBSY). */
  exeLocation: Path | null = null;
  argv: string[] = [];
  envp: string[] = [];
  pgid: number;
  sid: number;
  dumpable = 1;
  /** prctl state: PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_THP_DISABLE, timer slack. */
  parentDeathSignal = 0;
  noNewPrivs = 0;
  thpDisabled = 0;
  timerSlackNs = 50_000;
  readonly limits: Rlimit[] = defaultLimits();
  readonly sigactions: SigAction[] = Array.from({ length: NSIG + 1 }, defaultSigAction);
  /** Set when the process has ended: its wait status in Linux's encoding. */
  exitStatus: number | null = null;
  readonly startTime = performance.now();

  constructor(
    readonly pid: number,
    public ppid: number,
    readonly mm: AddressSpace,
    public creds: Credentials,
    name: string,
  ) {
    this.user = new UserMemory(mm);
    this.name = name.slice(0, 15);
    this.pgid = pid;
    this.sid = pid;
  }
}

export class Task {
  /** Saved registers while the task is not on the CPU. */
  context: CpuContext | null = null;
  /** Blocked signals, as the two 32-bit halves of the 64-bit set. */
  sigmaskLow = 0;
  sigmaskHigh = 0;
  /** Pending signal numbers for this thread. */
  readonly pending = new Set<number>();
  altStack = { sp: 0, flags: 2, /* SS_DISABLE */ size: 0 };
  /** set_tid_address / CLONE_CHILD_CLEARTID: cleared and futex-woken when the thread exits. */
  clearChildTid = 0;
  robustList = { head: 0, length: 0 };

  constructor(readonly tid: number, readonly proc: Process) {
    proc.threads.push(this);
  }
}
