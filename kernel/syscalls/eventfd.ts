// eventfd and eventfd2: a new eventfd (kernel/files/eventfd.ts) at the lowest free fd.

import { EINVAL } from "../errno.ts";
import { createEventFd, EFD_SEMAPHORE } from "../files/eventfd.ts";
import { O_CLOEXEC, O_NONBLOCK } from "../files/open-file.ts";
import type { Task } from "../proc/process.ts";
import type { SyscallFamily } from "./args.ts";

const EFD_FLAGS = O_CLOEXEC | O_NONBLOCK | EFD_SEMAPHORE;

function doEventFd(task: Task, initial: number, flags: number): number {
  if (flags & ~EFD_FLAGS) return -EINVAL;
  return task.proc.fds.install(createEventFd(initial, flags), (flags & O_CLOEXEC) !== 0);
}

export const eventFdSyscalls: SyscallFamily = {
  eventfd: (task, a) => doEventFd(task, a.uint(0), 0),
  eventfd2: (task, a) => doEventFd(task, a.uint(0), a.int(1)),
};
