// Processes and tasks. A Process is a thread group: it owns what its threads share — the address
// space, the fd table, credentials, root and cwd, umask, limits, signal dispositions — and its
// place in the process tree (parent, children, process group, session, wait status). A Task is
// one thread: its saved CPU context, scheduling state and priority, signal mask and pending set,
// alternate stack and the TID bookkeeping musl and glibc rely on.

import type { CpuContext } from "../../core/cpu/context.ts";
import type { AddressSpace } from "../mm/address-space.ts";
import { UserMemory } from "../mm/uaccess.ts";
import { FdTable } from "../files/fd-table.ts";
import type { Path } from "../fs/dentry.ts";
import { WaitQueue } from "../sched/wait-queue.ts";
import { defaultSigAction, NSIG, type SigAction, SIGCHLD } from "../signals/signals.ts";
import { defaultLimits, type Rlimit } from "./limits.ts";
import { priorityClassOf, SCHED_OTHER } from "./sched-policy.ts";

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

export function copyCredentials(c: Credentials): Credentials {
  return { ...c, groups: [...c.groups] };
}

/** CPU time and counters getrusage and times report (milliseconds of host time on the CPU). */
export interface Usage {
  userMs: number;
  systemMs: number;
  minorFaults: number;
  voluntarySwitches: number;
  involuntarySwitches: number;
  /** Peak resident set in KiB. */
  maxRssKb: number;
}

export function emptyUsage(): Usage {
  return {
    userMs: 0,
    systemMs: 0,
    minorFaults: 0,
    voluntarySwitches: 0,
    involuntarySwitches: 0,
    maxRssKb: 0,
  };
}

export function addUsage(into: Usage, from: Usage): void {
  into.userMs += from.userMs;
  into.systemMs += from.systemMs;
  into.minorFaults += from.minorFaults;
  into.voluntarySwitches += from.voluntarySwitches;
  into.involuntarySwitches += from.involuntarySwitches;
  into.maxRssKb = Math.max(into.maxRssKb, from.maxRssKb);
}

/** What CLONE_FS shares (Linux's fs_struct). */
export interface FsContext {
  root: Path;
  cwd: Path;
  umask: number;
}

/** A stop or continue a parent has not collected with wait yet (WUNTRACED / WCONTINUED). */
export interface JobNotice {
  kind: "stopped" | "continued";
  /** The stopping signal (stopped) or SIGCONT. */
  sig: number;
}

export class Process {
  readonly threads: Task[] = [];
  /** Replaced by execve; shared with the parent after vfork or clone(CLONE_VM). */
  mm: AddressSpace;
  user: UserMemory;
  /** Shared between processes created with CLONE_FILES. */
  fds = new FdTable();
  /** Root, working directory and umask: shared between processes created with CLONE_FS. */
  fsContext: FsContext = { root: null!, cwd: null!, umask: 0o022 };
  /** The command name (comm): the executable's base name, at most 15 bytes. */
  name: string;
  /** Host or guest path of the executable (/proc/self/exe). */
  exePath = "";
  /** Where the executable is in the VFS (/proc/<pid>/exe, ETXTBSY). */
  exeLocation: Path | null = null;
  argv: string[] = [];
  envp: string[] = [];
  /** Who waits for this process; null for the first process (and after its parent is gone). */
  parent: Process | null;
  readonly children = new Set<Process>();
  /** The signal the parent gets when this process ends (clone's low byte; SIGCHLD for fork). */
  exitSignal = SIGCHLD;
  pgid: number;
  sid: number;
  /** Set by a successful execve (setpgid on such a child is EACCES). */
  execed = false;
  dumpable = 1;
  /** prctl state: PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_THP_DISABLE, timer slack. */
  parentDeathSignal = 0;
  noNewPrivs = 0;
  thpDisabled = 0;
  timerSlackNs = 50_000;
  limits: Rlimit[] = defaultLimits();
  /** Shared between processes created with CLONE_SIGHAND. */
  sigactions: SigAction[] = Array.from({ length: NSIG + 1 }, defaultSigAction);
  /** Set when the process has ended (a zombie until reaped): its wait status in Linux's encoding. */
  exitStatus: number | null = null;
  reaped = false;
  /** All threads are stopped by a stop signal (job control). */
  stopped = false;
  /** A stop or continue not yet reported to the parent's wait. */
  jobNotice: JobNotice | null = null;
  /** Woken when a child changes state (exits, stops, continues): what wait4 sleeps on. */
  readonly childEvents = new WaitQueue();
  /** This process's own usage, and that of its waited-for descendants (RUSAGE_CHILDREN). */
  readonly usage: Usage = emptyUsage();
  readonly childrenUsage: Usage = emptyUsage();
  /** Process-directed signals waiting on a thread that blocks them (see signals/queue.ts). */
  readonly parkedSignals = new Set<number>();
  /** Run when the process ends (timers, IPC attachments) and, separately, on execve. */
  readonly onExit = new Set<() => void>();
  readonly onExec = new Set<() => void>();
  readonly startTime = performance.now();

  constructor(
    readonly pid: number,
    parent: Process | null,
    mm: AddressSpace,
    public creds: Credentials,
    name: string,
  ) {
    this.parent = parent;
    this.mm = mm;
    this.user = new UserMemory(mm);
    this.name = name.slice(0, 15);
    this.pgid = parent?.pgid ?? pid;
    this.sid = parent?.sid ?? pid;
  }

  /** The process's root (chroot) and working directory; set when the program is loaded. */
  get root(): Path {
    return this.fsContext.root;
  }
  set root(path: Path) {
    this.fsContext.root = path;
  }
  get cwd(): Path {
    return this.fsContext.cwd;
  }
  set cwd(path: Path) {
    this.fsContext.cwd = path;
  }
  get umask(): number {
    return this.fsContext.umask;
  }
  set umask(mask: number) {
    this.fsContext.umask = mask;
  }

  get ppid(): number {
    return this.parent?.pid ?? 0;
  }

  /** Switch to another address space (execve, or a vfork child's own copy). */
  setAddressSpace(mm: AddressSpace): void {
    this.mm = mm;
    this.user = new UserMemory(mm);
  }

  /** A zombie: ended, not yet waited for. */
  get isZombie(): boolean {
    return this.exitStatus !== null && !this.reaped;
  }

  /** The thread group leader (the task whose tid is the pid), if it still exists. */
  get leader(): Task | undefined {
    return this.threads.find((t) => t.tid === this.pid);
  }

  liveThreads(): Task[] {
    return this.threads.filter((t) => t.state !== "dead");
  }
}

/**
 * runnable: on the CPU or in a ready queue; blocked: in a syscall waiting for an event; stopped:
 * by job control; dead: exited (its process may still be a zombie).
 */
export type TaskState = "runnable" | "blocked" | "stopped" | "dead";

/** Nice values -20..19 map onto priority classes 0..39 (0 runs first). */
export const NICE_MIN = -20;
export const NICE_MAX = 19;

export class Task {
  /** Saved registers while the task is not on the CPU. */
  context: CpuContext | null = null;
  state: TaskState = "runnable";
  /** In a ready queue, and since which pick (the scheduler's bookkeeping). */
  queued = false;
  readySince = 0;
  /** A blocking syscall finished while the task was off the CPU: check restarts on resume. */
  returningFromSyscall = false;
  nice = 0;
  /** sched_setscheduler: policy, SCHED_FIFO/RR priority (1..99, else 0), SCHED_RESET_ON_FORK. */
  policy = SCHED_OTHER;
  rtPriority = 0;
  resetOnFork = false;
  /** This thread's own CPU time and counters (RUSAGE_THREAD); its process's usage counts them too. */
  readonly usage: Usage = emptyUsage();
  /** Blocked signals, as the two 32-bit halves of the 64-bit set. */
  sigmaskLow = 0;
  sigmaskHigh = 0;
  /** Pending signal numbers for this thread. */
  readonly pending = new Set<number>();
  altStack = { sp: 0, flags: 2, /* SS_DISABLE */ size: 0 };
  /** set_tid_address / CLONE_CHILD_CLEARTID: cleared and futex-woken when the thread exits. */
  clearChildTid = 0;
  robustList = { head: 0, length: 0 };
  /** Resolved (and replaced) whenever a signal arrives for this task, to interrupt its waits. */
  signalWake = Promise.withResolvers<void>();
  /** The set a thread waits for in rt_sigtimedwait (low and high words), null otherwise. */
  sigwaitSet: [number, number] | null = null;
  /** The parent of a vfork child waits on this until the child execs or exits. */
  vforkDone: PromiseWithResolvers<void> | null = null;

  /** Mutable only for execve from a non-leader thread, which takes over the leader's id. */
  constructor(public tid: number, readonly proc: Process) {
    proc.threads.push(this);
  }

  get priorityClass(): number {
    return priorityClassOf(this.policy, this.nice);
  }
}
