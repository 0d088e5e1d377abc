// Resource limits (getrlimit/setrlimit/prlimit64): the RLIMIT_* numbers, Linux's defaults for a
// process started from a login shell, and where a soft limit takes effect: the fd table
// (RLIMIT_NOFILE) and the address space (RLIMIT_STACK, RLIMIT_AS, RLIMIT_DATA). The others are
// read where they apply (RLIMIT_NPROC by fork, RLIMIT_NICE and RLIMIT_RTPRIO by the scheduling
// calls, RLIMIT_CORE by a dumping signal). RLIM_INFINITY is kept as Infinity.

import type { Process } from "./process.ts";

export const RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3;
export const RLIMIT_CORE = 4, RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7;
export const RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9, RLIMIT_LOCKS = 10, RLIMIT_SIGPENDING = 11;
export const RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13, RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15;
export const RLIM_NLIMITS = 16;

export interface Rlimit {
  cur: number;
  max: number;
}

export function defaultLimits(): Rlimit[] {
  const inf = { cur: Infinity, max: Infinity };
  const limits: Rlimit[] = Array.from({ length: RLIM_NLIMITS }, () => ({ ...inf }));
  limits[RLIMIT_STACK] = { cur: 8 * 1024 * 1024, max: Infinity };
  limits[RLIMIT_CORE] = { cur: 0, max: Infinity };
  limits[RLIMIT_NPROC] = { cur: 4096, max: 4096 };
  limits[RLIMIT_NOFILE] = { cur: 1024, max: 1048576 };
  limits[RLIMIT_MEMLOCK] = { cur: 8 * 1024 * 1024, max: 8 * 1024 * 1024 };
  limits[RLIMIT_SIGPENDING] = { cur: 4096, max: 4096 };
  limits[RLIMIT_MSGQUEUE] = { cur: 819200, max: 819200 };
  limits[RLIMIT_NICE] = { cur: 0, max: 0 };
  limits[RLIMIT_RTPRIO] = { cur: 0, max: 0 };
  return limits;
}

/** Make a soft limit take effect where the kernel enforces it (setrlimit, prlimit64). */
export function applyLimit(proc: Process, resource: number): void {
  const cur = proc.limits[resource].cur;
  if (resource === RLIMIT_NOFILE) proc.fds.limit = cur;
  else if (resource === RLIMIT_STACK) proc.mm.stackLimit = cur;
  else if (resource === RLIMIT_AS) proc.mm.addressLimit = cur;
  else if (resource === RLIMIT_DATA) proc.mm.dataLimit = cur;
}

/** Give a new address space (after execve or fork) the limits of the process that owns it. */
export function applyLimitsToAddressSpace(proc: Process): void {
  for (const resource of [RLIMIT_STACK, RLIMIT_AS, RLIMIT_DATA]) applyLimit(proc, resource);
}
