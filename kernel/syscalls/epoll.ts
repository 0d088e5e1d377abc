// epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait and epoll_pwait2: argument
// checks in Linux's order and the wait loop; the epoll instance itself is kernel/files/epoll.ts.
// A wait a signal interrupts fails with EINTR (never restarted), as Linux's ep_poll does.

import { EBADF, EEXIST, EFAULT, EINTR, EINVAL, ELOOP, ENOENT, EPERM } from "../errno.ts";
import {
  CLOCK_MONOTONIC,
  clockById,
  mustStopWaiting,
  readTimespec,
  timespecFromMs,
  waitUntil,
} from "../clocks.ts";
import {
  createEpoll,
  Epoll,
  EPOLL_CTL_ADD,
  EPOLL_CTL_DEL,
  EPOLL_CTL_MOD,
  EPOLLEXCLUSIVE,
  EPOLLEXCLUSIVE_OK_BITS,
  EPOLLWAKEUP,
  wouldLoop,
} from "../files/epoll.ts";
import { O_CLOEXEC } from "../files/open-file.ts";
import { canPoll } from "../files/poll-mask.ts";
import type { Kernel } from "../kernel.ts";
import { TASK_SIZE } from "../mm/address-space.ts";
import type { Task } from "../proc/process.ts";
import { restoreSavedSigmask } from "../signals/delivery.ts";
import { SyscallError } from "../syscall-error.ts";
import type { SyscallFamily } from "./args.ts";
import { applyUserSigmask, type Deadline, deadlineAfter } from "./poll.ts";

/** struct epoll_event is packed on x86-64: u32 events, u64 data. */
const EPOLL_EVENT_SIZE = 12;
/** The most events one wait may ask for (INT_MAX / sizeof(struct epoll_event)). */
const EP_MAX_EVENTS = Math.floor(0x7fffffff / EPOLL_EVENT_SIZE);

function newEpoll(task: Task, flags: number): number {
  if (flags & ~O_CLOEXEC) return -EINVAL;
  return task.proc.fds.install(createEpoll(), (flags & O_CLOEXEC) !== 0);
}

/** do_epoll_ctl: `event` is the copied-in { events, data } (null for EPOLL_CTL_DEL). */
function epollCtl(
  task: Task,
  epfd: number,
  op: number,
  fd: number,
  event: { events: number; data: bigint } | null,
): number {
  const fds = task.proc.fds;
  const epFile = fds.get(epfd);
  if (epFile === undefined) return -EBADF;
  const target = fds.get(fd);
  if (target === undefined) return -EBADF;
  if (!canPoll(target)) return -EPERM;
  // EPOLLWAKEUP needs CAP_BLOCK_SUSPEND; without it the flag is dropped.
  if (event !== null && event.events & EPOLLWAKEUP && task.proc.creds.euid !== 0) {
    event.events = (event.events & ~EPOLLWAKEUP) >>> 0;
  }
  const epoll = epFile.ops;
  if (epFile === target || !(epoll instanceof Epoll)) return -EINVAL;
  if (event !== null && event.events & EPOLLEXCLUSIVE) {
    if (op === EPOLL_CTL_MOD) return -EINVAL;
    const nested = target.ops instanceof Epoll;
    if (op === EPOLL_CTL_ADD && (nested || event.events & ~EPOLLEXCLUSIVE_OK_BITS)) return -EINVAL;
  }
  if (op === EPOLL_CTL_ADD && target.ops instanceof Epoll && wouldLoop(epoll, target.ops)) {
    return -ELOOP;
  }
  const item = epoll.find(target, fd);
  switch (op) {
    case EPOLL_CTL_ADD:
      if (item !== undefined) return -EEXIST;
      epoll.add(target, fd, event!.events, event!.data);
      return 0;
    case EPOLL_CTL_DEL:
      if (item === undefined) return -ENOENT;
      epoll.remove(item);
      return 0;
    case EPOLL_CTL_MOD:
      if (item === undefined) return -ENOENT;
      // An exclusive item cannot be modified (EINVAL).
      if (item.events & EPOLLEXCLUSIVE) return -EINVAL;
      epoll.modify(item, event!.events, event!.data);
      return 0;
  }
  return -EINVAL;
}

/** ep_poll: report ready events, waiting until there are some, the deadline or a signal. */
function epollWait(
  kernel: Kernel,
  task: Task,
  epoll: Epoll,
  addr: number,
  max: number,
  deadline: Deadline | null,
): number | Promise<number> {
  const user = task.proc.user;
  const record = new Uint8Array(EPOLL_EVENT_SIZE);
  const dv = new DataView(record.buffer);
  const sink = (index: number, events: number, data: bigint): boolean => {
    dv.setUint32(0, events, true);
    dv.setBigUint64(4, data, true);
    try {
      user.write(addr + index * EPOLL_EVENT_SIZE, record);
      return true;
    } catch (e) {
      if (e instanceof SyscallError) return false;
      throw e;
    }
  };
  let timedOut = deadline?.immediate ?? false;
  const attempt = (): number | null => {
    if (epoll.hasReady) {
      const sent = epoll.sendEvents(max, sink);
      if (sent !== 0) return sent < 0 ? -EFAULT : sent;
    }
    if (timedOut) return 0;
    if (mustStopWaiting(kernel, task)) return -EINTR;
    return null;
  };
  const now = attempt();
  if (now !== null) return now;
  const clock = clockById(kernel, task, CLOCK_MONOTONIC)!;
  return (async () => {
    for (;;) {
      const outcome = await waitUntil(
        kernel,
        task,
        clock,
        deadline?.atMs ?? null,
        epoll.queue.wait(),
      );
      if (outcome === "deadline") timedOut = true;
      const result = attempt();
      if (result !== null) return result;
    }
  })();
}

/** do_epoll_wait's checks, then the wait. */
function doEpollWait(
  kernel: Kernel,
  task: Task,
  epfd: number,
  addr: number,
  max: number,
  deadline: Deadline | null,
): number | Promise<number> {
  if (max <= 0 || max > EP_MAX_EVENTS) return -EINVAL;
  if (addr + max * EPOLL_EVENT_SIZE > TASK_SIZE) return -EFAULT;
  const file = task.proc.fds.get(epfd);
  if (file === undefined) return -EBADF;
  if (!(file.ops instanceof Epoll)) return -EINVAL;
  return epollWait(kernel, task, file.ops, addr, max, deadline);
}

/** epoll_wait's timeout in milliseconds: negative waits for ever, 0 does not wait. */
function msDeadline(kernel: Kernel, task: Task, ms: number): Deadline | null {
  return ms < 0 ? null : deadlineAfter(kernel, task, timespecFromMs(ms));
}

/** epoll_pwait and epoll_pwait2: wait under the given signal mask, kept for delivery on EINTR. */
function pwait(
  kernel: Kernel,
  task: Task,
  args: { epfd: number; addr: number; max: number; sigmask: number; sigsetsize: number },
  deadline: Deadline | null,
): number | Promise<number> {
  const masked = applyUserSigmask(task, args.sigmask, args.sigsetsize);
  if (masked < 0) return masked;
  const finish = (result: number) => {
    if (result !== -EINTR) restoreSavedSigmask(task);
    return result;
  };
  const result = doEpollWait(kernel, task, args.epfd, args.addr, args.max, deadline);
  return typeof result === "number" ? finish(result) : result.then(finish);
}

export const epollSyscalls: SyscallFamily = {
  epoll_create(task, a) {
    return a.int(0) <= 0 ? -EINVAL : newEpoll(task, 0);
  },

  epoll_create1(task, a) {
    return newEpoll(task, a.int(0));
  },

  epoll_ctl(task, a) {
    const epfd = a.int(0), op = a.int(1), fd = a.int(2), addr = a.u64(3);
    let event: { events: number; data: bigint } | null = null;
    if (op !== EPOLL_CTL_DEL) {
      const raw = task.proc.user.read(addr, EPOLL_EVENT_SIZE);
      const dv = new DataView(raw.buffer);
      event = { events: dv.getUint32(0, true), data: dv.getBigUint64(4, true) };
    }
    return epollCtl(task, epfd, op, fd, event);
  },

  epoll_wait(task, a, kernel) {
    const epfd = a.int(0), addr = a.u64(1), max = a.int(2), timeout = a.int(3);
    return doEpollWait(kernel, task, epfd, addr, max, msDeadline(kernel, task, timeout));
  },

  epoll_pwait(task, a, kernel) {
    const epfd = a.int(0), addr = a.u64(1), max = a.int(2), timeout = a.int(3);
    const sigmask = a.u64(4), sigsetsize = a.u64(5);
    const deadline = msDeadline(kernel, task, timeout);
    return pwait(kernel, task, { epfd, addr, max, sigmask, sigsetsize }, deadline);
  },

  epoll_pwait2(task, a, kernel) {
    const epfd = a.int(0), addr = a.u64(1), max = a.int(2), tsp = a.u64(3);
    const sigmask = a.u64(4), sigsetsize = a.u64(5);
    const deadline = tsp === 0
      ? null
      : deadlineAfter(kernel, task, readTimespec(task.proc.user, tsp));
    return pwait(kernel, task, { epfd, addr, max, sigmask, sigsetsize }, deadline);
  },
};
