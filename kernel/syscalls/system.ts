// System information and per-process resource syscalls: uname, sysinfo, getrlimit, setrlimit,
// prlimit64, getrandom, and the scheduler calls a one-CPU machine answers (sched_getaffinity,
// sched_setaffinity, sched_yield, getcpu).

import { PAGE_SIZE } from "../../core/memory.ts";
import { monotonicMs } from "../clocks.ts";
import { EFAULT, EINVAL, EPERM, ESRCH } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { TASK_SIZE } from "../mm/address-space.ts";
import type { UserMemory } from "../mm/uaccess.ts";
import { applyLimit, RLIM_NLIMITS, type Rlimit, RLIMIT_NOFILE } from "../proc/limits.ts";
import { taskOrSelf } from "../proc/lookup.ts";
import type { Process, Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { SyscallFamily } from "./args.ts";

export const UTS_RELEASE = "6.1.0-nexaos";
export const UTS_VERSION = "#1 SMP NexaOS";
export const UTS_MACHINE = "x86_64";
const UTS_FIELD = 65;
const SYSINFO_SIZE = 112;

const RLIM_INFINITY = (1n << 64n) - 1n;
/** fs.nr_open: RLIMIT_NOFILE's hard limit can never exceed it, even for root (EPERM). */
export const NR_OPEN = 1024 * 1024;

export const GRND_NONBLOCK = 1;
export const GRND_RANDOM = 2;
export const GRND_INSECURE = 4;
/** MAX_RW_COUNT (INT_MAX rounded down to a page): longest single read/getrandom. */
const MAX_RW_COUNT = 0x7ffff000;
/** crypto.getRandomValues fills at most this many bytes per call. */
const RANDOM_CHUNK = 65536;

/** NexaOS runs guests on one CPU: cpumask_size() is one long, with bit 0 set. */
const CPUMASK_BYTES = 8;

// ---- uname / sysinfo ------------------------------------------------------------------------

function utsname(kernel: Kernel): Uint8Array {
  const fields = ["Linux", kernel.hostname, UTS_RELEASE, UTS_VERSION, UTS_MACHINE, "(none)"];
  const out = new Uint8Array(UTS_FIELD * fields.length);
  const encoder = new TextEncoder();
  fields.forEach((text, i) => {
    out.set(encoder.encode(text).subarray(0, UTS_FIELD - 1), i * UTS_FIELD);
  });
  return out;
}

function sysinfo(kernel: Kernel): Uint8Array {
  const out = new Uint8Array(SYSINFO_SIZE);
  const dv = new DataView(out.buffer);
  const u64 = (offset: number, v: number) => dv.setBigUint64(offset, BigInt(v), true);
  // Linux rounds a partial second of uptime up.
  u64(0, Math.ceil(monotonicMs(kernel) / 1000));
  // loads[3] at 8..31 stay 0: nothing here keeps a run queue average.
  u64(32, kernel.frames.totalFrames * PAGE_SIZE);
  u64(40, kernel.frames.freeFrames * PAGE_SIZE);
  // sharedram, bufferram, totalswap, freeswap: none.
  let tasks = 0;
  for (const proc of kernel.processes.values()) tasks += proc.threads.length;
  dv.setUint16(80, tasks & 0xffff, true);
  // totalhigh, freehigh: 0 on 64-bit.
  dv.setUint32(104, 1, true); // mem_unit
  return out;
}

// ---- resource limits ------------------------------------------------------------------------

interface RawRlimit {
  cur: bigint;
  max: bigint;
}

function readRlimit(user: UserMemory, addr: number): RawRlimit {
  const dv = new DataView(user.read(addr, 16).buffer);
  return { cur: dv.getBigUint64(0, true), max: dv.getBigUint64(8, true) };
}

function rawOf(limit: Rlimit): RawRlimit {
  const raw = (v: number) => v === Infinity ? RLIM_INFINITY : BigInt(Math.min(v, 2 ** 64 - 2));
  return { cur: raw(limit.cur), max: raw(limit.max) };
}

/** Stored as JS numbers: values from 2^53 on are kept approximately (and never matter). */
function limitOf(raw: RawRlimit): Rlimit {
  const num = (v: bigint) => v === RLIM_INFINITY ? Infinity : Number(v);
  return { cur: num(raw.cur), max: num(raw.max) };
}

function writeRlimit(user: UserMemory, addr: number, limit: Rlimit): void {
  const out = new Uint8Array(16);
  const dv = new DataView(out.buffer);
  const raw = rawOf(limit);
  dv.setBigUint64(0, raw.cur, true);
  dv.setBigUint64(8, raw.max, true);
  user.write(addr, out);
}

/** do_prlimit(): read and/or replace one limit of `proc`; returns the old value or -errno. */
function doPrlimit(
  caller: Task,
  proc: Process,
  resource: number,
  update: RawRlimit | null,
): Rlimit | number {
  if (resource >= RLIM_NLIMITS) return -EINVAL;
  const current = proc.limits[resource];
  const old = { ...current };
  if (update !== null) {
    if (update.cur > update.max) return -EINVAL;
    if (resource === RLIMIT_NOFILE && update.max > BigInt(NR_OPEN)) return -EPERM;
    // Raising the hard limit needs CAP_SYS_RESOURCE: an effective uid of 0.
    if (update.max > rawOf(current).max && caller.proc.creds.euid !== 0) return -EPERM;
    const next = limitOf(update);
    current.cur = next.cur;
    current.max = next.max;
    applyLimit(proc, resource);
  }
  return old;
}

/** check_prlimit_permission(): another process needs all ids equal, or CAP_SYS_RESOURCE. */
function mayPrlimit(caller: Task, target: Task): boolean {
  if (caller === target) return true;
  const c = caller.proc.creds;
  const t = target.proc.creds;
  if (c.euid === 0) return true;
  return c.uid === t.euid && c.uid === t.suid && c.uid === t.uid && c.gid === t.egid &&
    c.gid === t.sgid && c.gid === t.gid;
}

// ---- getrandom ------------------------------------------------------------------------------

/** Fill [buf, buf+len) with random bytes; returns the count written, short on a fault. */
function fillRandom(kernel: Kernel, task: Task, buf: number, len: number): number {
  const chunk = new Uint8Array(Math.min(len, RANDOM_CHUNK));
  let done = 0;
  while (done < len) {
    const n = Math.min(len - done, chunk.length);
    crypto.getRandomValues(chunk.subarray(0, n));
    // Page by page, so a fault partway reports exactly the bytes that landed.
    let offset = 0;
    while (offset < n) {
      const at = buf + done + offset;
      const piece = Math.min(n - offset, PAGE_SIZE - (at % PAGE_SIZE));
      try {
        task.proc.user.write(at, chunk.subarray(offset, offset + piece));
      } catch (e) {
        if (!(e instanceof SyscallError)) throw e;
        return done + offset > 0 ? done + offset : -EFAULT;
      }
      offset += piece;
      // Linux stops at a page boundary when a signal is pending and returns what it has.
      if ((done + offset) % PAGE_SIZE === 0 && done + offset < len) {
        if (kernel.hasDeliverableSignal(task)) return done + offset;
      }
    }
    done += n;
  }
  return done;
}

// ---- the family -----------------------------------------------------------------------------

export const systemSyscalls: SyscallFamily = {
  uname(task, a, kernel) {
    task.proc.user.write(a.u64(0), utsname(kernel));
    return 0;
  },

  sysinfo(task, a, kernel) {
    task.proc.user.write(a.u64(0), sysinfo(kernel));
    return 0;
  },

  getrlimit(task, a) {
    const old = doPrlimit(task, task.proc, a.uint(0), null);
    if (typeof old === "number") return old;
    writeRlimit(task.proc.user, a.u64(1), old);
    return 0;
  },

  setrlimit(task, a) {
    const update = readRlimit(task.proc.user, a.u64(1));
    const result = doPrlimit(task, task.proc, a.uint(0), update);
    return typeof result === "number" ? result : 0;
  },

  prlimit64(task, a, kernel) {
    const pid = a.int(0);
    const resource = a.uint(1);
    const newAddr = a.u64(2);
    const oldAddr = a.u64(3);
    const update = newAddr !== 0 ? readRlimit(task.proc.user, newAddr) : null;
    const target = taskOrSelf(kernel, task, pid);
    if (target === undefined) return -ESRCH;
    if (!mayPrlimit(task, target)) return -EPERM;
    const old = doPrlimit(task, target.proc, resource, update);
    if (typeof old === "number") return old;
    if (oldAddr !== 0) writeRlimit(task.proc.user, oldAddr, old);
    return 0;
  },

  getrandom(task, a, kernel) {
    const buf = a.u64(0);
    let len = a.u64(1);
    const flags = a.uint(2);
    if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
    if ((flags & (GRND_INSECURE | GRND_RANDOM)) === (GRND_INSECURE | GRND_RANDOM)) return -EINVAL;
    // The entropy pool is always initialized here, so no flag ever has to block or fail.
    len = Math.min(len, MAX_RW_COUNT);
    if (buf + len > TASK_SIZE) return -EFAULT;
    return len === 0 ? 0 : fillRandom(kernel, task, buf, len);
  },

  sched_getaffinity(task, a, kernel) {
    const len = a.uint(1);
    if (((len * 8) >>> 0) < 1 || len % 8 !== 0) return -EINVAL;
    if (taskOrSelf(kernel, task, a.int(0)) === undefined) return -ESRCH;
    const size = Math.min(len, CPUMASK_BYTES);
    const mask = new Uint8Array(size);
    mask[0] = 1;
    task.proc.user.write(a.u64(2), mask);
    return size;
  },

  sched_setaffinity(task, a, kernel) {
    const len = a.uint(1);
    const mask = task.proc.user.read(a.u64(2), Math.min(len, CPUMASK_BYTES));
    const target = taskOrSelf(kernel, task, a.int(0));
    if (target === undefined) return -ESRCH;
    const c = task.proc.creds;
    const t = target.proc.creds;
    if (c.euid !== 0 && c.euid !== t.euid && c.euid !== t.uid) return -EPERM;
    // The new mask must include CPU 0, the only one there is.
    return mask.length > 0 && (mask[0] & 1) ? 0 : -EINVAL;
  },

  sched_yield(_task, _a, kernel) {
    kernel.yieldCpu();
    return 0;
  },

  getcpu(task, a) {
    let ok = true;
    for (const addr of [a.u64(0), a.u64(1)]) {
      if (addr === 0) continue;
      try {
        task.proc.user.writeU32(addr, 0); // CPU 0, NUMA node 0
      } catch (e) {
        if (!(e instanceof SyscallError)) throw e;
        ok = false;
      }
    }
    return ok ? 0 : -EFAULT;
  },
};
