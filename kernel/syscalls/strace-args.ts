// Prints one syscall argument from its kind (see ArgKind in table.ts), including the families
// whose later arguments depend on an earlier one: open's mode, fcntl, ioctl, futex, prctl,
// arch_prctl, mremap and clone. A decoder returns null when strace would not print the argument.

import type { ArgKind, SyscallRow } from "./table.ts";
import {
  GuestMemory,
  printAddress,
  printBuffer,
  printCString,
  printPath,
} from "./strace-memory.ts";
import {
  formatWaitStatus,
  printArgv,
  printCpuSet,
  printDev,
  printDirents,
  printEnvp,
  printFlock,
  printGids,
  printIntArray,
  printIovec,
  printOctalMode,
  printRlimit,
  printSigaction,
  printSigaltstack,
  printSigset,
  printStat,
  printStatx,
  printSymbolicMode,
  printSysinfo,
  printTermios,
  printTimeOut,
  printTimespec,
  printTimeval,
  printUtsname,
  printWinsize,
} from "./strace-structs.ts";
import {
  ITIMER_WHICH,
  printItimerspec,
  printItimerval,
  printSigevent,
  printSiginfo,
} from "./strace-timers.ts";
import * as X from "./strace-xlat.ts";

/** One call as the formatter sees it: raw 64-bit arguments, the signed result, guest memory. */
export interface CallContext {
  readonly row: SyscallRow;
  readonly args: readonly bigint[];
  readonly result: bigint;
  readonly failed: boolean;
  readonly mem: GuestMemory;
}

export const int32 = (v: bigint): number => Number(BigInt.asIntN(32, v));
export const uint32 = (v: bigint): number => Number(BigInt.asUintN(32, v));
const int64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const clampLength = (v: bigint): number =>
  v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);

/** The value of the first argument of `kind` in this call (the one a dependent kind reads). */
function argOfKind(call: CallContext, kind: ArgKind): bigint | undefined {
  const index = call.row.args.indexOf(kind);
  return index < 0 ? undefined : call.args[index];
}

/** An output pointer: decoded only when the call succeeded, else its address. */
function out(call: CallContext, addr: bigint, decode: () => string): string {
  if (addr === 0n) return "NULL";
  return call.failed ? printAddress(addr) : decode();
}

function bracketInt(mem: GuestMemory, addr: bigint, show: (n: number) => string): string {
  if (addr === 0n) return "NULL";
  const value = mem.i32(addr);
  return value === null ? printAddress(addr) : `[${show(value)}]`;
}

function bracketU64(mem: GuestMemory, addr: bigint, show: (n: bigint) => string): string {
  if (addr === 0n) return "NULL";
  const value = mem.u64(addr);
  return value === null ? printAddress(addr) : `[${show(value)}]`;
}

export function formatArg(call: CallContext, index: number): string | null {
  const kind = call.row.args[index];
  const value = call.args[index] ?? 0n;
  const { mem } = call;
  const [base, param] = kind.split(":");
  const paramValue = () => call.args[Number(param)] ?? 0n;
  switch (base) {
    case "int":
    case "fd":
    case "pid":
      return String(int32(value));
    case "uint":
      return String(uint32(value));
    case "long":
    case "off":
      return String(int64(value));
    case "ulong":
    case "size":
      return String(value);
    case "hex":
      return X.hex(value);
    case "ptr":
      return printAddress(value);
    case "octal":
    case "mode":
      return printOctalMode(uint32(value));
    case "dirfd":
      return int32(value) === X.AT_FDCWD ? "AT_FDCWD" : String(int32(value));
    case "uid":
    case "gid":
      return uint32(value) === 0xffffffff ? "-1" : String(uint32(value));
    case "symmode":
      return printSymbolicMode(uint32(value));
    case "dev": {
      // mknod's device number matters (and is printed) only for device files.
      const mode = argOfKind(call, "symmode");
      const type = mode === undefined ? undefined : uint32(mode) & X.S_IFMT;
      if (type !== undefined && type !== X.S_IFCHR && type !== X.S_IFBLK) return null;
      return printDev(value);
    }
    case "path":
      return printPath(mem, value);
    case "str":
      return printCString(mem, value);
    case "outpath":
      return out(call, value, () => printPath(mem, value));
    case "inbuf":
      return printBuffer(mem, value, clampLength(paramValue()));
    case "outbuf":
      return out(call, value, () => printBuffer(mem, value, clampLength(call.result)));
    case "outhex":
      return out(call, value, () => printBuffer(mem, value, clampLength(call.result), true));
    case "iovin":
      return printIovec(mem, value, clampLength(paramValue()), null);
    case "iovout":
      return out(
        call,
        value,
        () => printIovec(mem, value, clampLength(paramValue()), clampLength(call.result)),
      );
    case "argv":
      return printArgv(mem, value);
    case "envp":
      return printEnvp(mem, value);
    case "openflags":
      return X.printOpenFlags(uint32(value));
    case "openmode": {
      const flags = uint32(argOfKind(call, "openflags") ?? 0n);
      return flags & (X.O_CREAT | X.O__TMPFILE) ? printOctalMode(uint32(value)) : null;
    }
    case "dupflags":
      return X.printFlags(uint32(value), X.OPEN_FLAGS, "O_???");
    case "accessmode":
      return uint32(value) === 0 ? "F_OK" : X.printFlags(uint32(value), X.ACCESS_MODES, "?_OK");
    case "atflags":
      return X.printFlags(uint32(value), X.AT_FLAGS, "AT_???");
    case "accessatflags":
      return X.printFlags(uint32(value), X.ACCESSAT_FLAGS, "AT_???");
    case "statxflags": {
      const flags = uint32(value);
      const sync = X.printXval(flags & 0x6000, X.STATX_SYNC_TYPES, "AT_STATX_SYNC_???");
      const rest = (flags & ~0x6000) >>> 0;
      return rest === 0 ? sync : `${sync}|${X.printFlags(rest, X.AT_FLAGS, null)}`;
    }
    case "statxmask":
      return X.printFlags(uint32(value), X.STATX_MASK, "STATX_???");
    case "prot":
      return X.printFlags(uint32(value), X.PROT_FLAGS, "PROT_???");
    case "mapflags":
      return X.printMapFlags(uint32(value));
    case "mremapflags":
      return X.printFlags(uint32(value), X.MREMAP_FLAGS, "MREMAP_???");
    case "mremapaddr": {
      const flags = uint32(argOfKind(call, "mremapflags") ?? 0n);
      return (flags & 3) === 3 ? printAddress(value) : null;
    }
    case "msyncflags":
      return X.printFlags(uint32(value), X.MSYNC_FLAGS, "MS_???");
    case "madvice":
      return X.printXval(uint32(value), X.MADVICE, "MADV_???");
    case "fadvice":
      return X.printXval(uint32(value), X.FADVICE, "POSIX_FADV_???");
    case "flockop":
      return X.printFlags(uint32(value), X.FLOCK_OPS, "LOCK_???");
    case "whence":
      return X.printXval(uint32(value), X.WHENCE, "SEEK_???");
    case "signum":
      return X.signalName(int32(value));
    case "sigset":
      return printSigset(mem, value, paramValue());
    case "outsigset":
      return out(call, value, () => printSigset(mem, value, paramValue()));
    case "sighow":
      return X.printXval(uint32(value), X.SIGPROCMASK_HOW, "SIG_???");
    case "sigaction":
      return printSigaction(mem, value);
    case "outsigaction":
      return out(call, value, () => printSigaction(mem, value));
    case "sigstack":
      return printSigaltstack(mem, value);
    case "outsigstack":
      return out(call, value, () => printSigaltstack(mem, value));
    case "clockid":
      return X.printXval(uint32(value), X.CLOCK_IDS, "CLOCK_???");
    case "timerflags":
      return X.printFlags(uint32(value), X.TIMER_FLAGS, "TIMER_???");
    case "timespec":
      return printTimespec(mem, value);
    case "outtimespec":
      return out(call, value, () => printTimespec(mem, value));
    case "timeval":
      return printTimeval(mem, value);
    case "outtimeval":
      return out(call, value, () => printTimeval(mem, value));
    case "outtime":
      return out(call, value, () => printTimeOut(mem, value));
    case "itimerwhich":
      return X.printXval(uint32(value), ITIMER_WHICH, "ITIMER_???");
    case "itimerval":
      return printItimerval(mem, value);
    case "outitimerval":
      return out(call, value, () => printItimerval(mem, value));
    case "itimerspec":
      return printItimerspec(mem, value);
    case "outitimerspec":
      return out(call, value, () => printItimerspec(mem, value));
    case "sigevent":
      return printSigevent(mem, value);
    case "siginfo":
      return printSiginfo(mem, value);
    case "outsiginfo":
      return out(call, value, () => printSiginfo(mem, value));
    case "rlimitres":
      return X.printXval(uint32(value), X.RLIMIT_RESOURCES, "RLIMIT_???");
    case "rlimit":
      return printRlimit(mem, value);
    case "outrlimit":
      return out(call, value, () => printRlimit(mem, value));
    case "stat":
      return out(call, value, () => printStat(mem, value));
    case "statx":
      return out(call, value, () => printStatx(mem, value));
    case "utsname":
      return out(call, value, () => printUtsname(mem, value));
    case "sysinfo":
      return out(call, value, () => printSysinfo(mem, value));
    case "outint":
      return out(call, value, () => bracketInt(mem, value, String));
    case "outptr":
      return out(call, value, () => bracketU64(mem, value, printAddress));
    case "outsize":
      return out(call, value, () => bracketU64(mem, value, String));
    case "outfdpair":
      return out(call, value, () => printIntArray(mem, value, 2));
    case "outdirents":
      return out(call, value, () => printDirents(mem, value, clampLength(call.result)));
    case "gids":
      return printGids(mem, value, Math.max(0, int32(call.args[0])));
    case "outgids":
      if (int32(call.args[0]) === 0) return printAddress(value);
      return out(call, value, () => printGids(mem, value, clampLength(call.result)));
    case "cpuset":
      return printCpuSet(mem, value, Math.min(clampLength(call.args[1]), 1024));
    case "outcpuset":
      return out(call, value, () => printCpuSet(mem, value, clampLength(call.result)));
    case "grndflags":
      return X.printFlags(uint32(value), X.GRND_FLAGS, "GRND_???");
    case "cloneflags":
      return printCloneFlags(value);
    case "unshareflags":
      return X.printFlags(uint32(value), X.UNSHARE_FLAGS, "CLONE_???");
    case "waitstatus":
      if (value === 0n || call.failed || call.result === 0n) return printAddress(value);
      return bracketStatus(mem, value);
    case "waitoptions":
      return X.printFlags(uint32(value), X.WAIT_OPTIONS, "W???");
    case "sockdomain":
      return X.printXval(uint32(value), X.SOCKET_DOMAINS, "AF_???");
    case "socktype":
      return printSocketType(uint32(value));
    case "sockproto": {
      const domain = uint32(call.args[0]);
      return domain === 2 || domain === 10
        ? X.printXval(uint32(value), X.INET_PROTOCOLS, "IPPROTO_???")
        : String(int32(value));
    }
    case "epollop":
      return X.printXval(uint32(value), X.EPOLL_OPS, "EPOLL_CTL_???");
    case "ioctlreq":
      return X.lookupXval(uint32(value), X.IOCTL_NAMES) ?? X.printIoctlRaw(uint32(value));
    case "ioctlarg":
      return formatIoctlArg(call, uint32(call.args[1]), value);
    case "fcntlcmd":
      return X.printXval(uint32(value), X.FCNTL_CMDS, "F_???");
    case "fcntlarg":
      return formatFcntlArg(call, uint32(call.args[1]), value);
    case "futexop":
      return printFutexOp(uint32(value));
    case "futexval":
    case "futextimeout":
    case "futexaddr2":
    case "futexval3":
      return formatFutexArg(call, base, value);
    case "prctlop":
      return X.printXval(uint32(value), X.PRCTL_OPTIONS, "PR_???");
    case "prctlarg":
      return formatPrctlArg(call, index, value);
    case "archcode":
      return X.printXval(uint32(value), X.ARCH_CODES, "ARCH_???");
    case "archarg":
      return formatArchArg(call, uint32(call.args[0]), value);
  }
  throw new Error(`strace: no printer for argument kind ${kind}`);
}

function bracketStatus(mem: GuestMemory, addr: bigint): string {
  const status = mem.i32(addr);
  return status === null ? printAddress(addr) : formatWaitStatus(status);
}

function printSocketType(value: number): string {
  const type = X.lookupXval(value & 0xf, X.SOCKET_TYPES);
  if (type === undefined) return X.printFlags(value, X.SOCKET_TYPE_FLAGS, "SOCK_???");
  const flags = (value & ~0xf) >>> 0;
  return flags === 0 ? type : `${type}|${X.printFlags(flags, X.SOCKET_TYPE_FLAGS, "SOCK_???")}`;
}

/** clone's flags: the CLONE_* bits, then the exit signal kept in the low byte. */
export function printCloneFlags(value: bigint): string {
  const flags = X.printFlags(value & ~0xffn, X.CLONE_FLAGS, null);
  const signal = Number(value & 0xffn);
  if (signal === 0) return flags === "" ? "0" : flags;
  return (flags === "" ? "" : flags + "|") + X.signalName(signal);
}

/** clone prints named arguments, each pointer only when a flag makes the kernel use it. */
export function formatCloneArgs(call: CallContext): string[] {
  const [flags, stack, parentTid, childTid, tls] = call.args;
  const parts = [`child_stack=${printAddress(stack)}`, `flags=${printCloneFlags(flags)}`];
  const has = (bits: number) => (flags & BigInt(bits)) !== 0n;
  if (has(X.CLONE_PARENT_SETTID)) {
    const shown = call.failed ? printAddress(parentTid) : bracketInt(call.mem, parentTid, String);
    parts.push(`parent_tid=${shown}`);
  }
  if (has(X.CLONE_SETTLS)) parts.push(`tls=${printAddress(tls)}`);
  if (has(X.CLONE_CHILD_TID)) parts.push(`child_tidptr=${printAddress(childTid)}`);
  return parts;
}

// ---- ioctl and fcntl ----------------------------------------------------------------------

const IOCTL_NO_ARG = new Set([0x540c, 0x540d, 0x541d, 0x5422, 0x5427, 0x5428, 0x5450, 0x5451]);
const IOCTL_INT_VALUE = new Set([0x5409, 0x540e, 0x5425]);
const IOCTL_INT_OUT = new Set([0x540f, 0x5411, 0x541b, 0x5424, 0x5429, 0x80045430]);
const IOCTL_INT_IN = new Set([0x5410, 0x5420, 0x5421, 0x5423, 0x5452, 0x40045431]);

function formatIoctlArg(call: CallContext, request: number, arg: bigint): string | null {
  const { mem } = call;
  if (IOCTL_NO_ARG.has(request)) return null;
  if (IOCTL_INT_VALUE.has(request)) return String(int32(arg));
  if (IOCTL_INT_OUT.has(request)) return out(call, arg, () => bracketInt(mem, arg, String));
  if (IOCTL_INT_IN.has(request)) return bracketInt(mem, arg, String);
  switch (request) {
    case 0x5401: // TCGETS
      return out(call, arg, () => printTermios(mem, arg));
    case 0x5402: // TCSETS, TCSETSW, TCSETSF
    case 0x5403:
    case 0x5404:
      return printTermios(mem, arg);
    case 0x5413: // TIOCGWINSZ
      return out(call, arg, () => printWinsize(mem, arg));
    case 0x5414: // TIOCSWINSZ
      return printWinsize(mem, arg);
    case 0x540a: // TCXONC
      return X.printXval(uint32(arg), X.TCXONC_ACTIONS, "TC???");
    case 0x540b: // TCFLSH
      return X.printXval(uint32(arg), X.TCFLSH_QUEUES, "TC???");
    case 0x5412: // TIOCSTI
      return printBuffer(mem, arg, 1);
  }
  return X.hex(arg);
}

const F = {
  DUPFD: 0,
  GETFD: 1,
  SETFD: 2,
  GETFL: 3,
  SETFL: 4,
  GETLK: 5,
  SETLK: 6,
  SETLKW: 7,
  SETOWN: 8,
  SETSIG: 10,
  OFD_GETLK: 36,
  OFD_SETLK: 37,
  OFD_SETLKW: 38,
  SETLEASE: 1024,
  DUPFD_QUERY: 1027,
  DUPFD_CLOEXEC: 1030,
  SETPIPE_SZ: 1031,
  ADD_SEALS: 1033,
} as const;
/** fcntl commands that take no third argument. */
const FCNTL_NO_ARG = new Set([1, 3, 9, 11, 1025, 1028, 1032, 1034]);

function formatFcntlArg(call: CallContext, cmd: number, arg: bigint): string | null {
  if (FCNTL_NO_ARG.has(cmd)) return null;
  switch (cmd) {
    case F.SETFD:
      return X.printFlags(uint32(arg), X.FD_FLAGS, "FD_???");
    case F.SETFL:
      return X.printOpenFlags(uint32(arg));
    case F.DUPFD:
    case F.DUPFD_CLOEXEC:
    case F.DUPFD_QUERY:
    case F.SETOWN:
    case F.SETPIPE_SZ:
      return String(int32(arg));
    case F.SETSIG:
      return X.signalName(int32(arg));
    case F.SETLEASE:
      return X.printXval(uint32(arg), X.LOCK_TYPES, "F_???");
    case F.ADD_SEALS:
      return X.printFlags(uint32(arg), X.SEALS, "F_SEAL_???");
    case F.GETLK:
    case F.OFD_GETLK:
      return out(call, arg, () => printFlock(call.mem, arg, true));
    case F.SETLK:
    case F.SETLKW:
    case F.OFD_SETLK:
    case F.OFD_SETLKW:
      return printFlock(call.mem, arg, false);
  }
  return X.hex(arg);
}

/** fcntl's decorated results: "0x1 (flags O_WRONLY)" for F_GETFL, FD_CLOEXEC for F_GETFD. */
export function formatFcntlResult(call: CallContext): string | null {
  const cmd = uint32(call.args[1]);
  const result = Number(call.result);
  if (cmd === F.GETFL) return `${X.hex(result)} (flags ${X.printOpenFlags(result)})`;
  if (cmd === F.GETFD && result !== 0) {
    return `${X.hex(result)} (flags ${X.printFlags(result, X.FD_FLAGS, "FD_???")})`;
  }
  return null;
}

// ---- futex --------------------------------------------------------------------------------

const FUTEX_CMD_MASK = ~(X.FUTEX_PRIVATE_FLAG | X.FUTEX_CLOCK_REALTIME);
const FUTEX = {
  WAIT: 0,
  WAKE: 1,
  FD: 2,
  REQUEUE: 3,
  CMP_REQUEUE: 4,
  WAKE_OP: 5,
  LOCK_PI: 6,
  UNLOCK_PI: 7,
  TRYLOCK_PI: 8,
  WAIT_BITSET: 9,
  WAKE_BITSET: 10,
  WAIT_REQUEUE_PI: 11,
  CMP_REQUEUE_PI: 12,
  LOCK_PI2: 13,
} as const;

function printFutexOp(op: number): string {
  const cmd = op & FUTEX_CMD_MASK;
  const clock = (op & X.FUTEX_CLOCK_REALTIME) !== 0;
  const name = X.FUTEX_COMMANDS[cmd];
  if (name === undefined || (clock && !X.FUTEX_CLOCK_COMMANDS.has(cmd))) {
    return `${X.hex(op)} /* FUTEX_??? */`;
  }
  const priv = op & X.FUTEX_PRIVATE_FLAG ? "_PRIVATE" : "";
  return name + priv + (clock ? "|FUTEX_CLOCK_REALTIME" : "");
}

function printWakeOp(val3: number): string {
  const op = (val3 >>> 28) & 0xf;
  const cmp = (val3 >>> 24) & 0xf;
  const shift = op & 8 ? "FUTEX_OP_OPARG_SHIFT<<28|" : "";
  return `${shift}${X.printXval(op & 7, X.FUTEX_WAKE_OPS, "FUTEX_OP_???")}<<28|` +
    `${X.hex((val3 >>> 12) & 0xfff)}<<12|` +
    `${X.printXval(cmp, X.FUTEX_WAKE_CMPS, "FUTEX_OP_CMP_???")}<<24|${X.hex(val3 & 0xfff)}`;
}

function printBitset(val3: number): string {
  return val3 === 0xffffffff ? "FUTEX_BITSET_MATCH_ANY" : X.hex(val3);
}

function formatFutexArg(call: CallContext, slot: string, value: bigint): string | null {
  const cmd = uint32(call.args[1]) & FUTEX_CMD_MASK;
  const known = cmd <= FUTEX.LOCK_PI2;
  const is = (...cmds: number[]) => cmds.includes(cmd);
  switch (slot) {
    case "futexval":
      return is(FUTEX.LOCK_PI, FUTEX.UNLOCK_PI, FUTEX.TRYLOCK_PI, FUTEX.LOCK_PI2)
        ? null
        : String(uint32(value));
    case "futextimeout":
      if (is(FUTEX.WAIT, FUTEX.WAIT_BITSET, FUTEX.WAIT_REQUEUE_PI, FUTEX.LOCK_PI, FUTEX.LOCK_PI2)) {
        return printTimespec(call.mem, value);
      }
      if (is(FUTEX.REQUEUE, FUTEX.CMP_REQUEUE, FUTEX.WAKE_OP, FUTEX.CMP_REQUEUE_PI)) {
        return String(uint32(value));
      }
      return known ? null : printAddress(value);
    case "futexaddr2":
      if (
        !known ||
        is(FUTEX.REQUEUE, FUTEX.CMP_REQUEUE, FUTEX.WAKE_OP, FUTEX.WAIT_REQUEUE_PI) ||
        is(FUTEX.CMP_REQUEUE_PI)
      ) return printAddress(value);
      return null;
    default: // futexval3
      if (is(FUTEX.CMP_REQUEUE, FUTEX.CMP_REQUEUE_PI)) return String(uint32(value));
      if (is(FUTEX.WAKE_OP)) return printWakeOp(uint32(value));
      if (is(FUTEX.WAIT_BITSET, FUTEX.WAKE_BITSET)) return printBitset(uint32(value));
      return known ? null : X.hex(uint32(value));
  }
}

// ---- prctl and arch_prctl -----------------------------------------------------------------

type PrctlArg =
  | "ulong"
  | "signum"
  | "outsig"
  | "dumpable"
  | "comm"
  | "outcomm"
  | "cap"
  | "outint"
  | "outptr"
  | "ptracer"
  | "vmaop"
  | "hex"
  | "str";
const ULONG4: readonly PrctlArg[] = ["ulong", "ulong", "ulong", "ulong"];
const PR_GET_DUMPABLE = 3;
/** What strace prints after the option; options not listed get four hex arguments. */
const PRCTL_ARGS = new Map<number, readonly PrctlArg[]>([
  [1, ["signum"]],
  [2, ["outsig"]],
  [PR_GET_DUMPABLE, []],
  [4, ["dumpable"]],
  [7, []],
  [8, ["ulong"]],
  [15, ["comm"]],
  [16, ["outcomm"]],
  [21, []],
  [23, ["cap"]],
  [24, ["cap"]],
  [27, []],
  [29, ["ulong"]],
  [30, []],
  [31, []],
  [32, []],
  [36, ["ulong"]],
  [37, ["outint"]],
  [38, ULONG4],
  [39, ULONG4],
  [40, ["outptr"]],
  [41, ULONG4],
  [42, ULONG4],
  [0x53564d41, ["vmaop", "hex", "ulong", "str"]],
  [0x59616d61, ["ptracer"]],
]);
/** PR_SET_NAME / PR_GET_NAME strings are at most TASK_COMM_LEN - 1 bytes. */
const COMM_LEN = 15;

function formatPrctlArg(call: CallContext, index: number, value: bigint): string | null {
  const spec = PRCTL_ARGS.get(uint32(call.args[0])) ?? ["hex", "hex", "hex", "hex"];
  const kind = spec[index - 1];
  const { mem } = call;
  switch (kind) {
    case undefined:
      return null;
    case "ulong":
      return String(value);
    case "hex":
      return X.hex(value);
    case "signum":
      return X.signalName(int32(value));
    case "outsig":
      return out(call, value, () => bracketInt(mem, value, X.signalName));
    case "dumpable":
      return X.printXval(Number(value), X.DUMPABLE, "SUID_DUMP_???");
    case "comm":
      return printCString(mem, value, COMM_LEN);
    case "outcomm":
      return out(call, value, () => printCString(mem, value, COMM_LEN));
    case "cap":
      return X.printXval(Number(value), X.CAPABILITIES, "CAP_???");
    case "outint":
      return out(call, value, () => bracketInt(mem, value, String));
    case "outptr":
      return out(call, value, () => bracketU64(mem, value, printAddress));
    case "ptracer":
      return int64(value) === -1n ? "PR_SET_PTRACER_ANY" : String(int32(value));
    case "vmaop":
      return X.printXval(Number(value), [[0, "PR_SET_VMA_ANON_NAME"]], "PR_SET_VMA_???");
    case "str":
      return printCString(mem, value);
  }
}

/** prctl's decorated results: "1 (SUID_DUMP_USER)" for PR_GET_DUMPABLE. */
export function formatPrctlResult(call: CallContext): string | null {
  if (uint32(call.args[0]) !== PR_GET_DUMPABLE) return null;
  const name = X.lookupXval(Number(call.result), X.DUMPABLE);
  return name === undefined ? null : `${call.result} (${name})`;
}

const ARCH = { SET_GS: 0x1001, SET_FS: 0x1002, GET_FS: 0x1003, GET_GS: 0x1004 } as const;
const ARCH_NO_ARG = new Set([0x1011]);
const ARCH_OUT_U64 = new Set([0x1021, 0x1022, 0x1024]);

function formatArchArg(call: CallContext, code: number, value: bigint): string | null {
  if (ARCH_NO_ARG.has(code)) return null;
  if (code === ARCH.GET_FS || code === ARCH.GET_GS) {
    return out(call, value, () => bracketU64(call.mem, value, printAddress));
  }
  if (ARCH_OUT_U64.has(code)) return out(call, value, () => bracketU64(call.mem, value, X.hex));
  return X.hex(value);
}
