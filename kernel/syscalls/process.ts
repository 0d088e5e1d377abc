// Process and thread identity and lifetime syscalls: exit (one thread), exit_group (all), getpid, getppid, gettid,
// set_tid_address, set_robust_list, get_robust_list, arch_prctl, prctl and rseq.

import { EINVAL, ENODEV, ENOSYS, EPERM, ESRCH } from "../errno.ts";
import { TASK_SIZE } from "../mm/address-space.ts";
import type { SyscallFamily } from "./args.ts";
import { exitThread } from "../proc/exit.ts";

export const ARCH_SET_GS = 0x1001;
export const ARCH_SET_FS = 0x1002;
export const ARCH_GET_FS = 0x1003;
export const ARCH_GET_GS = 0x1004;
const ARCH_GET_CPUID = 0x1011;
const ARCH_SET_CPUID = 0x1012;

const PR_SET_PDEATHSIG = 1;
const PR_GET_PDEATHSIG = 2;
const PR_GET_DUMPABLE = 3;
const PR_SET_DUMPABLE = 4;
const PR_SET_NAME = 15;
const PR_GET_NAME = 16;
const PR_GET_SECCOMP = 21;
const PR_CAPBSET_READ = 23;
const PR_GET_TIMERSLACK = 30;
const PR_SET_TIMERSLACK = 29;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_GET_NO_NEW_PRIVS = 39;
const PR_SET_THP_DISABLE = 41;
const PR_GET_THP_DISABLE = 42;
const PR_SET_VMA = 0x53564d41;
/** Linux's default timer slack for a task: 50 µs. */
const DEFAULT_TIMER_SLACK_NS = 50_000;
/** The highest capability number Linux 6.x knows (CAP_CHECKPOINT_RESTORE). */
const CAP_LAST_CAP = 40;
const ROBUST_LIST_HEAD_SIZE = 24;

export const processSyscalls: SyscallFamily = {
  exit(task, a, kernel) {
    // The last thread leaving ends the process.
    exitThread(kernel, task, a.int(0));
    return 0;
  },

  exit_group(task, a, kernel) {
    kernel.exitProcess(task.proc, a.int(0));
    return 0;
  },

  getpid: (task) => task.proc.pid,
  getppid: (task) => task.proc.ppid,
  gettid: (task) => task.tid,

  set_tid_address(task, a) {
    task.clearChildTid = a.u64(0);
    return task.tid;
  },

  set_robust_list(task, a) {
    if (a.u64(1) !== ROBUST_LIST_HEAD_SIZE) return -EINVAL;
    task.robustList = { head: a.u64(0), length: a.u64(1) };
    return 0;
  },

  get_robust_list(task, a) {
    const pid = a.int(0);
    if (pid !== 0 && pid !== task.tid) return -ESRCH;
    const user = task.proc.user;
    user.writeI64(a.u64(1), task.robustList.head);
    user.writeI64(a.u64(2), task.robustList.length);
    return 0;
  },

  arch_prctl(task, a, kernel) {
    const code = a.int(0), addr = a.u64(1);
    const cpu = kernel.cpu;
    switch (code) {
      case ARCH_SET_FS:
      case ARCH_SET_GS:
        if (addr >= TASK_SIZE) return -EPERM;
        if (code === ARCH_SET_FS) cpu.fsBase = addr;
        else cpu.gsBase = addr;
        return 0;
      case ARCH_GET_FS:
      case ARCH_GET_GS:
        task.proc.user.writeI64(addr, code === ARCH_GET_FS ? cpu.fsBase : cpu.gsBase);
        return 0;
      case ARCH_GET_CPUID:
        return 1;
      case ARCH_SET_CPUID:
        return -ENODEV; // CPUID faulting is not offered
    }
    return -EINVAL;
  },

  prctl(task, a) {
    const option = a.int(0);
    const proc = task.proc;
    switch (option) {
      case PR_SET_NAME: {
        const bytes = proc.user.read(a.u64(1), 16);
        const nul = bytes.indexOf(0);
        proc.name = new TextDecoder().decode(bytes.subarray(0, nul < 0 ? 15 : Math.min(nul, 15)));
        return 0;
      }
      case PR_GET_NAME: {
        const name = new TextEncoder().encode(proc.name).subarray(0, 15);
        const out = new Uint8Array(16);
        out.set(name);
        proc.user.write(a.u64(1), out);
        return 0;
      }
      case PR_GET_DUMPABLE:
        return proc.dumpable;
      case PR_SET_DUMPABLE: {
        const v = a.u64(1);
        if (v !== 0 && v !== 1) return -EINVAL;
        proc.dumpable = v;
        return 0;
      }
      case PR_SET_PDEATHSIG: {
        const sig = a.u64(1);
        if (sig > 64) return -EINVAL;
        proc.parentDeathSignal = sig;
        return 0;
      }
      case PR_GET_PDEATHSIG:
        proc.user.writeU32(a.u64(1), proc.parentDeathSignal);
        return 0;
      case PR_SET_NO_NEW_PRIVS:
        if (a.u64(1) !== 1 || a.u64(2) || a.u64(3) || a.u64(4)) return -EINVAL;
        proc.noNewPrivs = 1;
        return 0;
      case PR_GET_NO_NEW_PRIVS:
        if (a.u64(1) || a.u64(2) || a.u64(3) || a.u64(4)) return -EINVAL;
        return proc.noNewPrivs;
      case PR_GET_SECCOMP:
        return 0;
      case PR_CAPBSET_READ:
        return a.u64(1) <= CAP_LAST_CAP ? 1 : -EINVAL;
      case PR_SET_TIMERSLACK:
        // 0 restores the default, as in Linux.
        proc.timerSlackNs = a.u64(1) === 0 ? DEFAULT_TIMER_SLACK_NS : a.u64(1);
        return 0;
      case PR_GET_TIMERSLACK:
        return proc.timerSlackNs;
      case PR_SET_THP_DISABLE:
        proc.thpDisabled = a.u64(1) ? 1 : 0;
        return 0;
      case PR_GET_THP_DISABLE:
        return proc.thpDisabled;
      case PR_SET_VMA:
        // Debian's kernels are built without CONFIG_ANON_VMA_NAME, where this is EINVAL.
        return -EINVAL;
    }
    return -EINVAL;
  },

  rseq() {
    // Restartable sequences are optional: musl and glibc fall back when the kernel lacks them.
    return -ENOSYS;
  },
};
