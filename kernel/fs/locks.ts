// Advisory file locks (Linux's fs/locks.c): per-inode lists of byte-range record locks (POSIX
// locks owned by a process's fd table, OFD locks owned by an open file) and whole-file flock(2)
// locks owned by an open file; conflict tests, range splitting and merging, waiting with
// deadlock detection, and the release rules (an fd closed, the last reference to an open file
// gone). Offsets are bigint: Linux's ranges reach OFFSET_MAX = 2^63 - 1, past exact JS numbers.

import { EAGAIN, EDEADLK, EINVAL, EOVERFLOW, ERESTARTSYS } from "../errno.ts";
import { O_PATH, type OpenFile } from "../files/open-file.ts";
import { SyscallError } from "../syscall-error.ts";
import type { Inode } from "./inode.ts";

export const F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;
export const OFFSET_MAX = (1n << 63n) - 1n;
const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
/** Linux gives up looking for a cycle of waiting POSIX owners after this many steps. */
const MAX_DEADLK_ITERATIONS = 10;

/**
 * Who a record lock belongs to: for POSIX locks the fd table (Linux's files_struct, shared by
 * threads), for OFD locks the open file. Locks of one owner never conflict with each other.
 */
export type LockOwner = object;

export interface RecordLock {
  readonly owner: LockOwner;
  /** An open-file-description lock (reported with pid -1, no deadlock detection). */
  readonly ofd: boolean;
  /** F_RDLCK or F_WRLCK; F_UNLCK only in requests. */
  readonly type: number;
  /** First and last byte, inclusive; end OFFSET_MAX means "to the end of any file". */
  readonly start: bigint;
  readonly end: bigint;
  /** The process that set it (l_pid for F_GETLK, /proc/locks). */
  readonly pid: number;
}

export interface FlockLock {
  readonly file: OpenFile;
  readonly type: number;
  readonly pid: number;
}

/** Waits for `wake` unless a signal comes first (false then); the kernel's interruptible wait. */
export type LockWait = (wake: Promise<void>) => Promise<boolean>;

// ---- ranges -----------------------------------------------------------------------------------

/**
 * The byte range a struct flock names (flock64_to_posix_lock): `whence` SEEK_SET/CUR/END with
 * the file's `offset` and `size`, `start` and signed `len` (0: to EOF; negative: the bytes before
 * start). EINVAL for a bad whence or a range before byte 0, EOVERFLOW past OFFSET_MAX.
 */
export function rangeOf(
  whence: number,
  start: bigint,
  len: bigint,
  offset: number,
  size: number,
): { start: bigint; end: bigint } {
  let base: bigint;
  if (whence === SEEK_SET) base = 0n;
  else if (whence === SEEK_CUR) base = BigInt(offset);
  else if (whence === SEEK_END) base = BigInt(size);
  else throw new SyscallError(EINVAL);
  if (start > OFFSET_MAX - base) throw new SyscallError(EOVERFLOW);
  const first = base + start;
  if (first < 0n) throw new SyscallError(EINVAL);
  if (len > 0n) {
    if (len - 1n > OFFSET_MAX - first) throw new SyscallError(EOVERFLOW);
    return { start: first, end: first + len - 1n };
  }
  if (len < 0n) {
    if (first + len < 0n) throw new SyscallError(EINVAL);
    return { start: first + len, end: first - 1n };
  }
  return { start: first, end: OFFSET_MAX };
}

/** l_len as F_GETLK reports it: 0 for a lock that runs to OFFSET_MAX. */
export function reportedLength(lock: RecordLock): bigint {
  return lock.end === OFFSET_MAX ? 0n : lock.end - lock.start + 1n;
}

function overlaps(a: { start: bigint; end: bigint }, b: { start: bigint; end: bigint }): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Does held lock `held` block `request` (posix_locks_conflict)? */
export function recordConflicts(request: RecordLock, held: RecordLock): boolean {
  if (request.owner === held.owner || !overlaps(request, held)) return false;
  return request.type === F_WRLCK || held.type === F_WRLCK;
}

/** The first lock in list order that blocks `request`, or null. */
export function findRecordConflict(locks: readonly RecordLock[], request: RecordLock) {
  return locks.find((held) => recordConflicts(request, held)) ?? null;
}

/**
 * F_GETLK's answer: the first lock that would block `request`; for an F_UNLCK request (only
 * F_OFD_GETLK allows it) the first lock of the same owner overlapping the range.
 */
export function testRecordLocks(
  locks: readonly RecordLock[],
  request: RecordLock,
): RecordLock | null {
  if (request.type !== F_UNLCK) return findRecordConflict(locks, request);
  return locks.find((held) => held.owner === request.owner && overlaps(held, request)) ?? null;
}

/**
 * The owner's locks after `request` (which must not conflict): the range takes the request's
 * type (F_UNLCK removes it), locks of the other type are trimmed or split, and locks of the same
 * type that overlap or touch it merge into one, as posix_lock_inode leaves them.
 */
function paint(own: readonly RecordLock[], request: RecordLock): RecordLock[] {
  const kept: RecordLock[] = [];
  let start = request.start, end = request.end;
  for (const lock of own) {
    const touching = lock.end >= request.start - 1n && lock.start - 1n <= request.end;
    if (lock.type === request.type && touching) {
      if (lock.start < start) start = lock.start;
      if (lock.end > end) end = lock.end;
    } else if (!overlaps(lock, request)) {
      kept.push(lock);
    } else {
      if (lock.start < request.start) kept.push({ ...lock, end: request.start - 1n });
      if (lock.end > request.end) kept.push({ ...lock, start: request.end + 1n });
    }
  }
  if (request.type !== F_UNLCK) kept.push({ ...request, start, end });
  return kept.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
}

/**
 * The inode's list after applying `request` for its owner. The owner's locks stay together,
 * sorted by start, where its group was (a new owner's group goes last): F_GETLK reports the
 * first conflicting lock in this order, as Linux's list does.
 */
export function applyRecordLock(
  locks: readonly RecordLock[],
  request: RecordLock,
): RecordLock[] {
  const own = locks.filter((lock) => lock.owner === request.owner);
  const others = locks.filter((lock) => lock.owner !== request.owner);
  const first = locks.findIndex((lock) => lock.owner === request.owner);
  const at = first < 0 ? others.length : first;
  return [...others.slice(0, at), ...paint(own, request), ...others.slice(at)];
}

/** flock locks of different open files conflict unless both are shared. */
function flockConflicts(file: OpenFile, type: number, held: FlockLock): boolean {
  return held.file !== file && (type === F_WRLCK || held.type === F_WRLCK);
}

// ---- per-inode state and waiting --------------------------------------------------------------

interface LockWaiter {
  readonly state: FileLockState;
  readonly owner: LockOwner;
  readonly ofd: boolean;
  /** The held lock it waits for (record locks), for deadlock detection. */
  readonly blocker: RecordLock | null;
  readonly wake: () => void;
  readonly woken: Promise<void>;
}

/** Every lock and waiter of one inode (Linux's file_lock_context). */
class FileLockState {
  records: RecordLock[] = [];
  flocks: FlockLock[] = [];
  readonly waiters = new Set<LockWaiter>();

  constructor(
    /** Where it is filed: the inode's filesystem and number, or the open file and 0. */
    readonly scope: object,
    readonly id: number,
    readonly inode: Inode | null,
  ) {}

  get empty(): boolean {
    return this.records.length === 0 && this.flocks.length === 0 && this.waiters.size === 0;
  }

  /**
   * Let every waiter retry: the locks changed. A woken waiter no longer counts as blocked for
   * deadlock detection, but stays listed here (keeping the state alive) until it has retried.
   */
  wakeWaiters(): void {
    for (const waiter of this.waiters) {
      blockedPosixWaiters.delete(waiter);
      waiter.wake();
    }
  }
}

/** Lock state by filesystem and inode number (by open file, for files without an inode). */
const states = new WeakMap<object, Map<number, FileLockState>>();
/** States holding locks or waiters, for listing. */
const activeStates = new Set<FileLockState>();
/** Waiting POSIX (not OFD) requests: Linux's blocked_hash, walked for deadlocks. */
const blockedPosixWaiters = new Set<LockWaiter>();
/** Open files whose onLastClose already drops their flock and OFD locks. */
const releaseHooked = new WeakSet<OpenFile>();

/**
 * What locks attach to: the inode, named by filesystem and number so every open of it meets the
 * same state; a file without an inode (a host stream) stands for itself.
 */
function keyOf(file: OpenFile): { scope: object; id: number } {
  const inode = file.inode;
  return inode === null ? { scope: file, id: 0 } : { scope: inode.fs, id: inode.ino };
}

function existingState(file: OpenFile): FileLockState | undefined {
  const { scope, id } = keyOf(file);
  return states.get(scope)?.get(id);
}

function stateOf(file: OpenFile): FileLockState {
  const { scope, id } = keyOf(file);
  let byId = states.get(scope);
  if (byId === undefined) {
    byId = new Map();
    states.set(scope, byId);
  }
  let state = byId.get(id);
  if (state === undefined) {
    state = new FileLockState(scope, id, file.inode);
    byId.set(id, state);
    activeStates.add(state);
  }
  return state;
}

/** Forget a state with no locks and no waiters left. */
function settle(state: FileLockState): void {
  if (!state.empty) return;
  activeStates.delete(state);
  const byId = states.get(state.scope);
  if (byId?.get(state.id) === state) byId.delete(state.id);
}

function block(state: FileLockState, owner: LockOwner, ofd: boolean, blocker: RecordLock | null) {
  const { promise, resolve } = Promise.withResolvers<void>();
  const waiter: LockWaiter = { state, owner, ofd, blocker, wake: resolve, woken: promise };
  state.waiters.add(waiter);
  if (blocker !== null && !ofd) blockedPosixWaiters.add(waiter);
  return waiter;
}

function unblock(waiter: LockWaiter): void {
  waiter.state.waiters.delete(waiter);
  blockedPosixWaiters.delete(waiter);
}

/**
 * Would `owner` waiting for `blocker` close a cycle of POSIX owners each waiting for the next
 * (posix_locks_deadlock)? OFD locks are not owned by a process and are never checked.
 */
function wouldDeadlock(owner: LockOwner, ofd: boolean, blocker: RecordLock): boolean {
  if (ofd) return false;
  let held: RecordLock = blocker;
  for (let steps = 0;; steps++) {
    let next: RecordLock | null = null;
    for (const waiter of blockedPosixWaiters) {
      if (waiter.owner === held.owner) {
        next = waiter.blocker;
        break;
      }
    }
    if (next === null || steps > MAX_DEADLK_ITERATIONS) return false;
    if (next.owner === owner) return true;
    held = next;
  }
}

/**
 * Run `attempt` until it stops asking to wait: it returns a result, or the lock to wait for
 * (`blocker`, null for flock). Waits are interruptible: -ERESTARTSYS when a signal comes first.
 */
async function waitAndRetry(
  state: FileLockState,
  owner: LockOwner,
  ofd: boolean,
  wait: LockWait,
  attempt: () => number | { blocker: RecordLock | null },
  first: { blocker: RecordLock | null },
): Promise<number> {
  let blocked = first;
  for (;;) {
    const waiter = block(state, owner, ofd, blocked.blocker);
    let woken = false;
    try {
      woken = await wait(waiter.woken);
    } finally {
      unblock(waiter);
      if (!woken) settle(state);
    }
    if (!woken) return -ERESTARTSYS;
    const outcome = attempt();
    if (typeof outcome === "number") {
      settle(state);
      return outcome;
    }
    blocked = outcome;
  }
}

// ---- record locks (fcntl) ---------------------------------------------------------------------

/** F_GETLK / F_OFD_GETLK: the lock that would block `request` on `file`'s inode, or null. */
export function testRecordLock(file: OpenFile, request: RecordLock): RecordLock | null {
  const state = existingState(file);
  return state === undefined ? null : testRecordLocks(state.records, request);
}

/**
 * F_SETLK / F_SETLKW and the OFD forms: set, change or clear `request`'s range for its owner.
 * With `wait` (the W forms) a conflict waits until it goes; without, it is -EAGAIN. Returns 0,
 * -EAGAIN, -EDEADLK, or (waiting) a promise of one of these or -ERESTARTSYS.
 */
export function setRecordLock(
  file: OpenFile,
  request: RecordLock,
  wait: LockWait | null,
): number | Promise<number> {
  const state = stateOf(file);
  const attempt = (): number | { blocker: RecordLock } => {
    if (request.type !== F_UNLCK) {
      const blocker = findRecordConflict(state.records, request);
      if (blocker !== null) {
        if (wait === null) return -EAGAIN;
        if (wouldDeadlock(request.owner, request.ofd, blocker)) return -EDEADLK;
        return { blocker };
      }
    }
    state.records = applyRecordLock(state.records, request);
    if (request.ofd && request.type !== F_UNLCK) dropLocksOnLastClose(file);
    state.wakeWaiters();
    return 0;
  };
  const outcome = attempt();
  if (typeof outcome === "number") {
    settle(state);
    return outcome;
  }
  return waitAndRetry(state, request.owner, request.ofd, wait!, attempt, outcome);
}

/**
 * An fd of `file` was closed by the fd table `owner`: its POSIX locks on the inode go, whichever
 * fd set them (locks_remove_posix from filp_close; O_PATH fds do not count).
 */
export function releasePosixLocks(file: OpenFile, owner: LockOwner): void {
  if (file.flags & O_PATH) return;
  const state = existingState(file);
  if (state === undefined || !state.records.some((lock) => lock.owner === owner)) return;
  state.records = state.records.filter((lock) => lock.owner !== owner);
  state.wakeWaiters();
  settle(state);
}

// ---- flock ------------------------------------------------------------------------------------

/**
 * flock(2) on `file` with F_RDLCK (LOCK_SH), F_WRLCK (LOCK_EX) or F_UNLCK (LOCK_UN). Converting
 * drops the old lock first, as Linux does, so a conversion that fails leaves none. Returns 0,
 * -EAGAIN (EWOULDBLOCK) without `wait`, or a promise when it must wait.
 */
export function setFlock(
  file: OpenFile,
  type: number,
  pid: number,
  wait: LockWait | null,
): number | Promise<number> {
  const state = stateOf(file);
  const attempt = (): number | { blocker: null } => {
    const own = state.flocks.find((lock) => lock.file === file);
    if (own !== undefined) {
      if (own.type === type) return 0;
      state.flocks = state.flocks.filter((lock) => lock !== own);
      state.wakeWaiters();
    }
    if (type === F_UNLCK) return 0;
    if (state.flocks.some((held) => flockConflicts(file, type, held))) {
      return wait === null ? -EAGAIN : { blocker: null };
    }
    state.flocks.push({ file, type, pid });
    dropLocksOnLastClose(file);
    return 0;
  };
  const outcome = attempt();
  if (typeof outcome === "number") {
    settle(state);
    return outcome;
  }
  return waitAndRetry(state, file, true, wait!, attempt, outcome);
}

/** The last reference to `file` is gone: its flock and OFD locks go (locks_remove_file). */
export function releaseOpenFileLocks(file: OpenFile): void {
  const state = existingState(file);
  if (state === undefined) return;
  const records = state.records.filter((lock) => lock.owner !== file);
  const flocks = state.flocks.filter((lock) => lock.file !== file);
  if (records.length === state.records.length && flocks.length === state.flocks.length) return;
  state.records = records;
  state.flocks = flocks;
  state.wakeWaiters();
  settle(state);
}

function dropLocksOnLastClose(file: OpenFile): void {
  if (releaseHooked.has(file)) return;
  releaseHooked.add(file);
  const previous = file.onLastClose;
  file.onLastClose = () => {
    releaseOpenFileLocks(file);
    previous?.();
  };
}

// ---- listing (for /proc/locks) ----------------------------------------------------------------

export interface FileLockInfo {
  kind: "POSIX" | "OFDLCK" | "FLOCK";
  type: "READ" | "WRITE";
  /** -1 for OFD locks, as Linux shows them. */
  pid: number;
  /** The locked inode (null for a file without one). */
  inode: Inode | null;
  start: bigint;
  /** Last byte, or null for "EOF" (flock locks and ranges to OFFSET_MAX). */
  end: bigint | null;
}

/** Every lock held now, inode by inode (waiting requests are not listed). */
export function listFileLocks(): FileLockInfo[] {
  const out: FileLockInfo[] = [];
  const typeName = (type: number) => (type === F_WRLCK ? "WRITE" : "READ");
  for (const state of activeStates) {
    const inode = state.inode;
    for (const lock of state.records) {
      out.push({
        kind: lock.ofd ? "OFDLCK" : "POSIX",
        type: typeName(lock.type),
        pid: lock.ofd ? -1 : lock.pid,
        inode,
        start: lock.start,
        end: lock.end === OFFSET_MAX ? null : lock.end,
      });
    }
    for (const lock of state.flocks) {
      out.push({
        kind: "FLOCK",
        type: typeName(lock.type),
        pid: lock.pid,
        inode,
        start: 0n,
        end: null,
      });
    }
  }
  return out;
}
