// poll, ppoll, select and pselect6 (Linux's fs/select.c): scan the files' readiness
// (files/poll-mask.ts), and when nothing is ready sleep until one of them wakes, the deadline on
// CLOCK_MONOTONIC passes or a signal comes (-ERESTARTNOHAND; poll turns it into a restart that
// keeps the deadline). ppoll and pselect6 wait under the caller's signal mask, and all but poll
// write the time left back. A bad fd is POLLNVAL to poll and EBADF to select.

import { EBADF, EFAULT, EINTR, EINVAL, ERESTART_RESTARTBLOCK, ERESTARTNOHAND } from "../errno.ts";
import {
  CLOCK_MONOTONIC,
  clockById,
  encodePair,
  mustStopWaiting,
  readTimespec,
  type Timespec,
  timespecFromMs,
  timespecToMs,
  timespecValid,
  waitUntil,
} from "../clocks.ts";
import type { Kernel } from "../kernel.ts";
import type { OpenFile } from "../files/open-file.ts";
import type { FdTable } from "../files/fd-table.ts";
import {
  POLLERR,
  pollFile,
  POLLHUP,
  POLLIN,
  POLLNVAL,
  POLLOUT,
  POLLPRI,
  POLLRDBAND,
  POLLRDNORM,
  POLLWRBAND,
  POLLWRNORM,
  watchFile,
} from "../files/poll-mask.ts";
import { RLIMIT_NOFILE } from "../proc/limits.ts";
import type { Task } from "../proc/process.ts";
import {
  replaceSigmaskUntilDelivery,
  restoreSavedSigmask,
  setRestartBlock,
} from "../signals/delivery.ts";
import { SyscallError } from "../syscall-error.ts";
import type { SyscallFamily } from "./args.ts";

const POLLFD_SIZE = 8;
const SIGSET_SIZE = 8;
const POLLIN_SET = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
const POLLOUT_SET = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
const POLLEX_SET = POLLPRI;
/** An fd table's first size (NR_OPEN_DEFAULT): select looks at no fd beyond the table's size. */
const NR_OPEN_DEFAULT = 64;

/** When a wait gives up: never (null), or at a CLOCK_MONOTONIC time; `immediate`: do not wait. */
export interface Deadline {
  atMs: number;
  immediate: boolean;
}

/** poll_select_set_timeout: a relative timeout as a deadline from now. */
export function deadlineAfter(kernel: Kernel, task: Task, t: Timespec): Deadline {
  if (!timespecValid(t)) throw new SyscallError(EINVAL);
  const immediate = t.sec === 0 && t.nsec === 0;
  return { atMs: monotonic(kernel, task).ms() + timespecToMs(t), immediate };
}

function monotonic(kernel: Kernel, task: Task) {
  return clockById(kernel, task, CLOCK_MONOTONIC)!;
}

/**
 * set_user_sigmask: with a mask (`addr` non-zero) of `size` bytes, block it until the call
 * ends or a signal is delivered. Returns 0 or -errno.
 */
export function applyUserSigmask(task: Task, addr: number, size: number): number {
  if (addr === 0) return 0;
  if (size !== SIGSET_SIZE) return -EINVAL;
  const low = task.proc.user.u32(addr), high = task.proc.user.u32(addr + 4);
  replaceSigmaskUntilDelivery(task, low, high);
  return 0;
}

/** A scan of the fds: how many are ready (or -errno), and which files to watch for changes. */
interface Scan {
  ready: number;
  files: OpenFile[];
}

/**
 * do_poll / do_select's loop: scan, and while nothing is ready sleep until a watched file wakes,
 * the deadline passes (one last scan, then 0) or a signal comes (-ERESTARTNOHAND).
 */
export function waitForEvents(
  kernel: Kernel,
  task: Task,
  deadline: Deadline | null,
  scan: () => Scan,
): number | Promise<number> {
  const decide = (result: Scan, timedOut: boolean): number | null => {
    if (result.ready !== 0) return result.ready;
    if (mustStopWaiting(kernel, task)) return -ERESTARTNOHAND;
    return timedOut ? 0 : null;
  };
  const first = scan();
  const now = decide(first, deadline?.immediate ?? false);
  if (now !== null) return now;
  const clock = monotonic(kernel, task);
  return (async () => {
    for (let result = first;;) {
      const woken = Promise.withResolvers<void>();
      const stops = result.files.map((file) => watchFile(file, () => woken.resolve()));
      const outcome = await waitUntil(kernel, task, clock, deadline?.atMs ?? null, woken.promise);
      for (const stop of stops) stop();
      result = scan();
      const decision = decide(result, outcome === "deadline");
      if (decision !== null) return decision;
    }
  })();
}

/**
 * poll_select_finish: put back a replaced signal mask (unless a signal is being delivered), and
 * write the time left to `addr` as a timeval or timespec, except for a zero timeout. A fault
 * there makes an interrupted call fail with EINTR, since it could not restart.
 */
function finishTimed(
  kernel: Kernel,
  task: Task,
  deadline: Deadline | null,
  addr: number,
  kind: "timeval" | "timespec",
  result: number,
): number {
  if (result !== -ERESTARTNOHAND) restoreSavedSigmask(task);
  if (addr === 0 || deadline === null || deadline.immediate) return result;
  const left = timespecFromMs(Math.max(0, deadline.atMs - monotonic(kernel, task).ms()));
  const sub = kind === "timeval" ? Math.floor(left.nsec / 1000) : left.nsec;
  try {
    task.proc.user.write(addr, encodePair(left.sec, sub));
    return result;
  } catch (e) {
    if (!(e instanceof SyscallError)) throw e;
    return result === -ERESTARTNOHAND ? -EINTR : result;
  }
}

/** Pass a result that may still be coming through `then`. */
function andThen(result: number | Promise<number>, then: (n: number) => number) {
  return typeof result === "number" ? then(result) : result.then(then);
}

/** Run `body`, turning a SyscallError it throws (EFAULT on the fd sets) into -errno. */
function errnoResult(body: () => number | Promise<number>): number | Promise<number> {
  try {
    return body();
  } catch (e) {
    if (e instanceof SyscallError) return -e.errno;
    throw e;
  }
}

// ---- poll ---------------------------------------------------------------------------------------

/** do_sys_poll: poll `nfds` pollfds at `ufds`, writing each revents back. */
function doSysPoll(
  kernel: Kernel,
  task: Task,
  ufds: number,
  nfds: number,
  deadline: Deadline | null,
): number | Promise<number> {
  if (nfds > task.proc.limits[RLIMIT_NOFILE].cur) return -EINVAL;
  const user = task.proc.user;
  const raw = nfds === 0 ? new Uint8Array(0) : user.read(ufds, nfds * POLLFD_SIZE);
  const dv = new DataView(raw.buffer);
  const fds = Array.from({ length: nfds }, (_, i) => dv.getInt32(i * POLLFD_SIZE, true));
  const wanted = fds.map((_, i) => dv.getUint16(i * POLLFD_SIZE + 4, true) | POLLERR | POLLHUP);
  const revents = new Uint16Array(nfds);
  const scan = (): Scan => {
    let ready = 0;
    const files: OpenFile[] = [];
    for (let i = 0; i < nfds; i++) {
      const fd = fds[i];
      const file = fd < 0 ? undefined : task.proc.fds.get(fd);
      revents[i] = fd < 0 ? 0 : file === undefined ? POLLNVAL : pollFile(file) & wanted[i];
      if (revents[i] !== 0) ready++;
      if (file !== undefined) files.push(file);
    }
    return { ready, files };
  };
  return andThen(waitForEvents(kernel, task, deadline, scan), (result) => {
    const out = new Uint8Array(2);
    try {
      for (let i = 0; i < nfds; i++) {
        new DataView(out.buffer).setUint16(0, revents[i], true);
        user.write(ufds + i * POLLFD_SIZE + 6, out);
      }
    } catch (e) {
      if (e instanceof SyscallError) return -EFAULT;
      throw e;
    }
    return result;
  });
}

/** poll(2) interrupted: restart_syscall polls again with the same deadline. */
function pollRestartable(
  kernel: Kernel,
  task: Task,
  ufds: number,
  nfds: number,
  deadline: Deadline | null,
): number | Promise<number> {
  return andThen(doSysPoll(kernel, task, ufds, nfds, deadline), (result) => {
    if (result !== -ERESTARTNOHAND) return result;
    setRestartBlock(task, (t, k) => pollRestartable(k, t, ufds, nfds, deadline));
    return -ERESTART_RESTARTBLOCK;
  });
}

// ---- select -------------------------------------------------------------------------------------

/** The fd table's size as Linux would have grown it: a power of two, at least 64. */
function fdTableSize(fds: FdTable): number {
  const open = fds.openFds();
  const highest = open.length === 0 ? 0 : open[open.length - 1];
  return Math.max(NR_OPEN_DEFAULT, 2 ** Math.ceil(Math.log2(highest + 1)));
}

const hasBit = (set: Uint8Array | null, fd: number) =>
  set !== null && (set[fd >> 3] & (1 << (fd & 7))) !== 0;

/** core_sys_select: check and wait on the three fd sets of `n` bits, then write the results. */
function coreSysSelect(
  kernel: Kernel,
  task: Task,
  nRequested: number,
  addrs: [number, number, number],
  deadline: Deadline | null,
): number | Promise<number> {
  if (nRequested < 0) return -EINVAL;
  const n = Math.min(nRequested, fdTableSize(task.proc.fds));
  const bytes = Math.ceil(n / 64) * 8;
  const user = task.proc.user;
  const sets = addrs.map((addr) =>
    addr === 0 ? null : bytes === 0 ? new Uint8Array(0) : user.read(addr, bytes)
  );
  const [inSet, outSet, exSet] = sets;
  const watched: number[] = [];
  for (let fd = 0; fd < n; fd++) {
    if (!hasBit(inSet, fd) && !hasBit(outSet, fd) && !hasBit(exSet, fd)) continue;
    if (task.proc.fds.get(fd) === undefined) return -EBADF;
    watched.push(fd);
  }
  const results = sets.map((set) => set === null ? null : new Uint8Array(bytes));
  const scan = (): Scan => {
    for (const r of results) r?.fill(0);
    let ready = 0;
    const files: OpenFile[] = [];
    for (const fd of watched) {
      const file = task.proc.fds.get(fd);
      if (file === undefined) continue;
      files.push(file);
      const mask = pollFile(file);
      const bit = 1 << (fd & 7);
      [POLLIN_SET, POLLOUT_SET, POLLEX_SET].forEach((kind, i) => {
        if (mask & kind && hasBit(sets[i], fd)) {
          results[i]![fd >> 3] |= bit;
          ready++;
        }
      });
    }
    return { ready, files };
  };
  return andThen(waitForEvents(kernel, task, deadline, scan), (result) => {
    if (result < 0) return result;
    try {
      addrs.forEach((addr, i) => {
        if (addr !== 0 && bytes > 0) user.write(addr, results[i]!);
      });
    } catch (e) {
      if (e instanceof SyscallError) return -EFAULT;
      throw e;
    }
    return result;
  });
}

/** select's struct timeval: tv_usec may be a million or more; negative parts are EINVAL. */
function selectDeadline(kernel: Kernel, task: Task, addr: number): Deadline | null {
  if (addr === 0) return null;
  const tv = readTimespec(task.proc.user, addr);
  const sec = tv.sec + Math.trunc(tv.nsec / 1e6);
  const nsec = (tv.nsec % 1e6) * 1000;
  return deadlineAfter(kernel, task, { sec, nsec });
}

export const pollSyscalls: SyscallFamily = {
  poll(task, a, kernel) {
    const ufds = a.u64(0), nfds = a.uint(1), timeoutMs = a.int(2);
    const deadline = timeoutMs < 0 ? null : deadlineAfter(kernel, task, timespecFromMs(timeoutMs));
    return pollRestartable(kernel, task, ufds, nfds, deadline);
  },

  ppoll(task, a, kernel) {
    const ufds = a.u64(0), nfds = a.uint(1), tsp = a.u64(2);
    const sigmask = a.u64(3), sigsetsize = a.u64(4);
    const deadline = tsp === 0
      ? null
      : deadlineAfter(kernel, task, readTimespec(task.proc.user, tsp));
    const masked = applyUserSigmask(task, sigmask, sigsetsize);
    if (masked < 0) return masked;
    return andThen(
      errnoResult(() => doSysPoll(kernel, task, ufds, nfds, deadline)),
      (result) => finishTimed(kernel, task, deadline, tsp, "timespec", result),
    );
  },

  select(task, a, kernel) {
    const n = a.int(0), addrs: [number, number, number] = [a.u64(1), a.u64(2), a.u64(3)];
    const tvp = a.u64(4);
    const deadline = selectDeadline(kernel, task, tvp);
    return andThen(
      errnoResult(() => coreSysSelect(kernel, task, n, addrs, deadline)),
      (result) => finishTimed(kernel, task, deadline, tvp, "timeval", result),
    );
  },

  pselect6(task, a, kernel) {
    const n = a.int(0), addrs: [number, number, number] = [a.u64(1), a.u64(2), a.u64(3)];
    const tsp = a.u64(4), sig = a.u64(5);
    const user = task.proc.user;
    // The sixth argument points at { const sigset_t *ss; size_t ss_len; }.
    const [sigmask, sigsetsize] = sig === 0 ? [0, 0] : [user.u64(sig), user.u64(sig + 8)];
    const deadline = tsp === 0 ? null : deadlineAfter(kernel, task, readTimespec(user, tsp));
    const masked = applyUserSigmask(task, sigmask, sigsetsize);
    if (masked < 0) return masked;
    return andThen(
      errnoResult(() => coreSysSelect(kernel, task, n, addrs, deadline)),
      (result) => finishTimed(kernel, task, deadline, tsp, "timespec", result),
    );
  },
};
