// Decoders for the structures syscalls pass by pointer, printed as strace prints them in its
// default (abbreviated) mode: timespec, sigaction, stat, statx, rlimit, utsname, termios, iovec
// arrays, wait statuses... Each returns "NULL" for a null pointer and the address when the
// memory cannot be read.

import {
  GuestMemory,
  MAX_STRLEN,
  printAddress,
  printBuffer,
  printCharArray,
  printCString,
} from "./strace-memory.ts";
import {
  BAUD_RATES,
  FILE_TYPES,
  hex,
  LOCK_TYPES,
  printFlags,
  printXval,
  S_IFMT,
  SA_FLAGS,
  SA_RESTORER,
  SIGNAL_NAMES,
  signalName,
  SIGRTMAX,
  SIGRTMIN,
  SS_FLAGS,
  STATX_ATTRIBUTES,
  STATX_MASK,
  TERMIOS_CFLAGS,
  TERMIOS_CSIZE,
  TERMIOS_IFLAGS,
  TERMIOS_LFLAGS,
  TERMIOS_ODELAYS,
  TERMIOS_OFLAGS,
  WHENCE,
} from "./strace-xlat.ts";

/** Reads `size` bytes at addr and formats them, or gives NULL / the address. */
function withView(
  mem: GuestMemory,
  addr: bigint,
  size: number,
  format: (v: DataView) => string,
): string {
  if (addr === 0n) return "NULL";
  const view = mem.view(addr, size);
  return view === null ? printAddress(addr) : format(view);
}

const u64 = (v: DataView, at: number) => v.getBigUint64(at, true);
const i64 = (v: DataView, at: number) => v.getBigInt64(at, true);

export function printTimespec(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 16, (v) => `{tv_sec=${i64(v, 0)}, tv_nsec=${i64(v, 8)}}`);
}

export function printTimeval(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 16, (v) => `{tv_sec=${i64(v, 0)}, tv_usec=${i64(v, 8)}}`);
}

/** "2026-11-21T21:08:55+0000", strace's time comment (NexaOS always prints UTC). */
export function isoTime(seconds: bigint): string {
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return "???";
  return date.toISOString().replace(/\.\d{3}Z$/, "+0000");
}

export function printTimeOut(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 8, (v) => {
    const t = i64(v, 0);
    return `[${t} /* ${isoTime(t)} */]`;
  });
}

// ---- signals ------------------------------------------------------------------------------

/** A signal set of `bytes` bytes: "[INT TERM]", or "~[...]" when two thirds or more are set. */
export function formatSigset(mask: bigint, bytes: number): string {
  const bits = bytes * 8;
  let set = mask;
  let prefix = "";
  let count = 0;
  for (let i = 0; i < bits; i++) if ((set >> BigInt(i)) & 1n) count++;
  if (count >= Math.floor((bits * 2) / 3)) {
    set = ~set & ((1n << BigInt(bits)) - 1n);
    prefix = "~";
  }
  const names: string[] = [];
  for (let i = 0; i < bits; i++) {
    if (!((set >> BigInt(i)) & 1n)) continue;
    const signo = i + 1;
    if (signo < SIGNAL_NAMES.length) names.push(SIGNAL_NAMES[signo].slice(3));
    else if (signo > SIGRTMIN && signo <= SIGRTMAX) names.push(`RT_${signo - SIGRTMIN}`);
    else names.push(String(signo));
  }
  return `${prefix}[${names.join(" ")}]`;
}

/** A sigset_t pointer whose size argument must be 8 on x86-64, as in the kernel. */
export function printSigset(mem: GuestMemory, addr: bigint, size: bigint): string {
  if (addr === 0n) return "NULL";
  if (size !== 8n) return printAddress(addr);
  return withView(mem, addr, 8, (v) => formatSigset(u64(v, 0), 8));
}

function printHandler(handler: bigint): string {
  if (handler === 0n) return "SIG_DFL";
  if (handler === 1n) return "SIG_IGN";
  if (handler === 0xffffffffffffffffn) return "SIG_ERR";
  return printAddress(handler);
}

/** The kernel's struct sigaction: handler, flags, restorer, mask. */
export function printSigaction(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 32, (v) => {
    const flags = u64(v, 8);
    let out = `{sa_handler=${printHandler(u64(v, 0))}, sa_mask=${formatSigset(u64(v, 24), 8)}, ` +
      `sa_flags=${printFlags(flags, SA_FLAGS, "SA_???")}`;
    if (flags & BigInt(SA_RESTORER)) out += `, sa_restorer=${printAddress(u64(v, 16))}`;
    return out + "}";
  });
}

export function printSigaltstack(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 24, (v) => {
    const flags = printFlags(v.getInt32(8, true) >>> 0, SS_FLAGS, "SS_???");
    return `{ss_sp=${printAddress(u64(v, 0))}, ss_flags=${flags}, ss_size=${u64(v, 16)}}`;
  });
}

// ---- files --------------------------------------------------------------------------------

/** "S_IFREG|0644", "S_IFDIR|S_ISVTX|0777" (strace's print_symbolic_mode_t). */
export function printSymbolicMode(mode: number): string {
  const type = mode & S_IFMT;
  if (type !== 0 && !FILE_TYPES.some(([v]) => v === type)) return printOctalMode(mode);
  let out = type === 0 ? "" : printXval(type, FILE_TYPES, "S_IF???") + "|";
  if (mode & 0o4000) out += "S_ISUID|";
  if (mode & 0o2000) out += "S_ISGID|";
  if (mode & 0o1000) out += "S_ISVTX|";
  return out + printOctalMode(mode & 0o777);
}

/** strace's "%#03o": 000, 0644, 022. */
export function printOctalMode(mode: number): string {
  return mode === 0 ? "000" : ("0" + mode.toString(8)).padStart(3, "0");
}

/** makedev(0x1, 0x3) from a Linux dev_t. */
export function printDev(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `makedev(${hex(major)}, ${hex(minor)})`;
}

function isDevice(mode: number): boolean {
  const type = mode & S_IFMT;
  return type === 0o20000 || type === 0o60000;
}

/** x86-64 struct stat, abbreviated: mode, then size (or rdev for devices), then "...". */
export function printStat(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 144, (v) => {
    const mode = v.getUint32(24, true);
    const second = isDevice(mode) ? `st_rdev=${printDev(u64(v, 40))}` : `st_size=${i64(v, 48)}`;
    return `{st_mode=${printSymbolicMode(mode)}, ${second}, ...}`;
  });
}

export function printStatx(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 256, (v) => {
    const mask = printFlags(v.getUint32(0, true), STATX_MASK, "STATX_???");
    const attributes = printFlags(u64(v, 8), STATX_ATTRIBUTES, "STATX_ATTR_???");
    const mode = printSymbolicMode(v.getUint16(28, true));
    return `{stx_mask=${mask}, stx_attributes=${attributes}, stx_mode=${mode}, ` +
      `stx_size=${u64(v, 40)}, ...}`;
  });
}

/** struct flock; l_pid is shown only after F_GETLK-style commands. */
export function printFlock(mem: GuestMemory, addr: bigint, withPid: boolean): string {
  return withView(mem, addr, 32, (v) => {
    const type = printXval(v.getInt16(0, true) & 0xffff, LOCK_TYPES, "F_???");
    const whence = printXval(v.getInt16(2, true) & 0xffff, WHENCE, "SEEK_???");
    const pid = withPid ? `, l_pid=${v.getInt32(24, true)}` : "";
    return `{l_type=${type}, l_whence=${whence}, l_start=${i64(v, 8)}, l_len=${i64(v, 16)}${pid}}`;
  });
}

// ---- limits and system information --------------------------------------------------------

function printRlim(value: bigint): string {
  if (value === 0xffffffffffffffffn) return "RLIM64_INFINITY";
  if (value > 1024n && value % 1024n === 0n) return `${value / 1024n}*1024`;
  return String(value);
}

export function printRlimit(mem: GuestMemory, addr: bigint): string {
  return withView(
    mem,
    addr,
    16,
    (v) => `{rlim_cur=${printRlim(u64(v, 0))}, rlim_max=${printRlim(u64(v, 8))}}`,
  );
}

export function printUtsname(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 65 * 2, (v) => {
    const field = (i: number) =>
      printCharArray(new Uint8Array(v.buffer, v.byteOffset + i * 65, 65));
    return `{sysname=${field(0)}, nodename=${field(1)}, ...}`;
  });
}

export function printSysinfo(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 112, (v) => {
    const at = (i: number) => u64(v, i);
    return `{uptime=${i64(v, 0)}, loads=[${at(8)}, ${at(16)}, ${at(24)}], totalram=${at(32)}, ` +
      `freeram=${at(40)}, sharedram=${at(48)}, bufferram=${at(56)}, totalswap=${at(64)}, ` +
      `freeswap=${at(72)}, procs=${v.getUint16(80, true)}, totalhigh=${at(88)}, ` +
      `freehigh=${at(96)}, mem_unit=${v.getUint32(104, true)}}`;
  });
}

// ---- terminals ----------------------------------------------------------------------------

function printOflag(value: number): string {
  let out = "";
  let rest = value;
  for (const [mask, xlat, unknown] of TERMIOS_ODELAYS) {
    out += printXval(rest & mask, xlat, unknown) + "|";
    rest &= ~mask;
  }
  return out + printFlags(rest, TERMIOS_OFLAGS, null);
}

function printCflag(value: number): string {
  const CBAUD = 0o10017;
  const CIBAUD = 0o2003600000;
  const CSIZE = 0o60;
  let out = printXval(value & CBAUD, BAUD_RATES, "B???") + "|";
  if (value & CIBAUD) out += printXval((value & CIBAUD) >>> 16, BAUD_RATES, "B???") + "<<IBSHIFT|";
  out += printXval(value & CSIZE, TERMIOS_CSIZE, "CS?") + "|";
  return out + printFlags((value & ~(CBAUD | CIBAUD | CSIZE)) >>> 0, TERMIOS_CFLAGS, null);
}

/** struct termios, abbreviated to its four flag words as strace shows it. */
export function printTermios(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 36, (v) => {
    const word = (i: number) => v.getUint32(i * 4, true);
    return `{c_iflag=${printFlags(word(0), TERMIOS_IFLAGS, null)}, c_oflag=${
      printOflag(word(1))
    }, ` +
      `c_cflag=${printCflag(word(2))}, c_lflag=${printFlags(word(3), TERMIOS_LFLAGS, null)}, ...}`;
  });
}

export function printWinsize(mem: GuestMemory, addr: bigint): string {
  return withView(mem, addr, 8, (v) => {
    const at = (i: number) => v.getUint16(i * 2, true);
    return `{ws_row=${at(0)}, ws_col=${at(1)}, ws_xpixel=${at(2)}, ws_ypixel=${at(3)}}`;
  });
}

// ---- arrays -------------------------------------------------------------------------------

/** An array of `count` elements of `size` bytes: "[a, b]", "..." after 32 elements. */
function printArray(
  mem: GuestMemory,
  addr: bigint,
  count: number,
  size: number,
  format: (v: DataView) => string,
  separator = ", ",
): string {
  if (addr === 0n) return "NULL";
  const shown = Math.min(count, MAX_STRLEN);
  const view = mem.view(addr, shown * size);
  if (view === null) return printAddress(addr);
  const items: string[] = [];
  for (let i = 0; i < shown; i++) {
    items.push(format(new DataView(view.buffer, view.byteOffset + i * size, size)));
  }
  if (count > shown) items.push("...");
  return `[${items.join(separator)}]`;
}

/**
 * struct iovec[count]. `dataSize` is how many bytes the call transferred (readv's result), or
 * null to show each element's own length (writev).
 */
export function printIovec(
  mem: GuestMemory,
  addr: bigint,
  count: number,
  dataSize: number | null,
): string {
  let remaining = dataSize;
  return printArray(mem, addr, count, 16, (v) => {
    const base = u64(v, 0);
    const len = u64(v, 8);
    let shown = Number(len > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : len);
    if (remaining !== null) {
      shown = Math.min(shown, remaining);
      remaining -= shown;
    }
    return `{iov_base=${printBuffer(mem, base, shown)}, iov_len=${len}}`;
  });
}

/** int[count] as "[0, 1]" (getgroups, pipe's fd pair). */
export function printIntArray(mem: GuestMemory, addr: bigint, count: number): string {
  return printArray(mem, addr, count, 4, (v) => String(v.getInt32(0, true)));
}

export function printGids(mem: GuestMemory, addr: bigint, count: number): string {
  return printArray(mem, addr, count, 4, (v) => String(v.getUint32(0, true)));
}

/** A CPU mask of `bytes` bytes as the list of set CPUs: "[0 1]". */
export function printCpuSet(mem: GuestMemory, addr: bigint, bytes: number): string {
  if (addr === 0n) return "NULL";
  const data = mem.bytes(addr, bytes);
  if (data === null) return printAddress(addr);
  const cpus: number[] = [];
  for (let i = 0; i < data.length * 8; i++) if (data[i >> 3] & (1 << (i & 7))) cpus.push(i);
  return `[${cpus.join(" ")}]`;
}

/** getdents' buffer: its address and how many records the call filled in. */
export function printDirents(mem: GuestMemory, addr: bigint, bytes: number): string {
  const data = mem.view(addr, bytes);
  if (data === null) return printAddress(addr);
  let count = 0;
  for (let offset = 0; offset + 18 <= bytes; count++) {
    const recordLength = data.getUint16(offset + 16, true);
    if (recordLength === 0) break;
    offset += recordLength;
  }
  return `${printAddress(addr)} /* ${count} entries */`;
}

/** execve's argv: the strings, "..." after 32 of them. */
export function printArgv(mem: GuestMemory, addr: bigint): string {
  if (addr === 0n) return "NULL";
  const items: string[] = [];
  for (let i = 0;; i++) {
    const pointer = mem.u64(addr + BigInt(i * 8));
    if (pointer === null) return i === 0 ? printAddress(addr) : `[${items.join(", ")}, ...]`;
    if (pointer === 0n) break;
    if (i === MAX_STRLEN) {
      items.push("...");
      break;
    }
    items.push(printCString(mem, pointer));
  }
  return `[${items.join(", ")}]`;
}

/** execve's envp, which strace abbreviates to its address and a count. */
export function printEnvp(mem: GuestMemory, addr: bigint): string {
  if (addr === 0n) return "NULL";
  let count = 0;
  for (;; count++) {
    const pointer = mem.u64(addr + BigInt(count * 8));
    if (pointer === null) return printAddress(addr);
    if (pointer === 0n) break;
  }
  return `${printAddress(addr)} /* ${count} var${count === 1 ? "" : "s"} */`;
}

/** A wait status: "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]". */
export function formatWaitStatus(status: number): string {
  const termsig = status & 0x7f;
  let text: string;
  let rest: number;
  if ((status & 0xff) === 0x7f) {
    const sig = (status >> 8) & 0xff;
    text = `WIFSTOPPED(s) && WSTOPSIG(s) == ${signalName(sig & 0x7f)}${
      sig & 0x80 ? " | 0x80" : ""
    }`;
    rest = status & ~0xff7f;
  } else if (status === 0xffff) {
    return "[{WIFCONTINUED(s)}]";
  } else if (termsig !== 0) {
    text = `WIFSIGNALED(s) && WTERMSIG(s) == ${signalName(termsig)}${
      status & 0x80 ? " && WCOREDUMP(s)" : ""
    }`;
    rest = status & ~0xff;
  } else {
    text = `WIFEXITED(s) && WEXITSTATUS(s) == ${(status >> 8) & 0xff}`;
    rest = status & ~0xff00;
  }
  return `[{${text}}${rest !== 0 ? ` | ${hex(rest >>> 0)}` : ""}]`;
}
