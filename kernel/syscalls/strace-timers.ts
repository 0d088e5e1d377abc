// strace's decoding of the timer and siginfo structures: struct itimerval (setitimer,
// getitimer), struct itimerspec (timer_settime, timer_gettime), struct sigevent (timer_create)
// and struct siginfo (rt_sigqueueinfo, rt_sigtimedwait), in strace's default abbreviated style.

import { GuestMemory, printAddress } from "./strace-memory.ts";
import { hex, lookupXval, printXval, signalName, type Xlat } from "./strace-xlat.ts";

export const ITIMER_WHICH: Xlat = [[0, "ITIMER_REAL"], [1, "ITIMER_VIRTUAL"], [2, "ITIMER_PROF"]];
const SIGEV_NOTIFY: Xlat = [
  [0, "SIGEV_SIGNAL"],
  [1, "SIGEV_NONE"],
  [2, "SIGEV_THREAD"],
  [4, "SIGEV_THREAD_ID"],
];
const SIGEV_THREAD_ID = 4;

const SI_USER = 0, SI_KERNEL = 0x80, SI_TIMER = -2, SI_TKILL = -6;
const SI_CODES: Xlat = [
  [SI_USER, "SI_USER"],
  [SI_KERNEL, "SI_KERNEL"],
  [-1, "SI_QUEUE"],
  [SI_TIMER, "SI_TIMER"],
  [-3, "SI_MESGQ"],
  [-4, "SI_ASYNCIO"],
  [-5, "SI_SIGIO"],
  [SI_TKILL, "SI_TKILL"],
  [-7, "SI_DETHREAD"],
  [-60, "SI_ASYNCNL"],
];
const SIGCHLD = 17;
/** Signals whose positive codes carry a fault address (SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV). */
const FAULT_SIGNALS = new Set([4, 5, 7, 8, 11]);

function pairAt(v: DataView, at: number, sub: string): string {
  return `{tv_sec=${v.getBigInt64(at, true)}, ${sub}=${v.getBigInt64(at + 8, true)}}`;
}

function printIntervalPair(mem: GuestMemory, addr: bigint, sub: string): string {
  if (addr === 0n) return "NULL";
  const v = mem.view(addr, 32);
  if (v === null) return printAddress(addr);
  return `{it_interval=${pairAt(v, 0, sub)}, it_value=${pairAt(v, 16, sub)}}`;
}

export function printItimerval(mem: GuestMemory, addr: bigint): string {
  return printIntervalPair(mem, addr, "tv_usec");
}

export function printItimerspec(mem: GuestMemory, addr: bigint): string {
  return printIntervalPair(mem, addr, "tv_nsec");
}

/** union sigval: "{sival_int=42, sival_ptr=0x2a}". */
function printSigval(value: bigint): string {
  const ptr = value === 0n ? "NULL" : hex(value);
  return `sival_int=${Number(BigInt.asIntN(32, value))}, sival_ptr=${ptr}`;
}

export function printSigevent(mem: GuestMemory, addr: bigint): string {
  if (addr === 0n) return "NULL";
  const v = mem.view(addr, 64);
  if (v === null) return printAddress(addr);
  const notify = v.getInt32(12, true);
  let out = `{sigev_value={${printSigval(v.getBigUint64(0, true))}}, ` +
    `sigev_signo=${signalName(v.getInt32(8, true))}, ` +
    `sigev_notify=${printXval(notify >>> 0, SIGEV_NOTIFY, "SIGEV_???")}`;
  if (notify === SIGEV_THREAD_ID) out += `, sigev_notify_thread_id=${v.getInt32(16, true)}`;
  return out + "}";
}

/** struct siginfo, with the fields its si_code implies. */
export function printSiginfo(mem: GuestMemory, addr: bigint): string {
  if (addr === 0n) return "NULL";
  const v = mem.view(addr, 48);
  if (v === null) return printAddress(addr);
  const signo = v.getInt32(0, true);
  const errno = v.getInt32(4, true);
  const code = v.getInt32(8, true);
  const fields = [`si_signo=${signalName(signo)}`];
  if (errno !== 0) fields.push(`si_errno=${errno}`);
  fields.push(`si_code=${lookupXval(code, SI_CODES) ?? code}`);
  const pidUid = () =>
    fields.push(`si_pid=${v.getInt32(16, true)}`, `si_uid=${v.getUint32(20, true)}`);
  const sigval = () => fields.push(printSigval(v.getBigUint64(24, true)).replace(/sival_/g, "si_"));
  if (code === SI_KERNEL) {
    // Nothing more: the kernel's own.
  } else if (code === SI_TIMER) {
    fields.push(`si_timerid=${v.getInt32(16, true)}`, `si_overrun=${v.getInt32(20, true)}`);
    sigval();
  } else if (code === SI_USER || code === SI_TKILL) pidUid();
  else if (code < 0) {
    pidUid();
    sigval();
  } else if (signo === SIGCHLD) {
    pidUid();
    fields.push(`si_status=${v.getInt32(24, true)}`);
    fields.push(`si_utime=${v.getBigInt64(32, true)}`, `si_stime=${v.getBigInt64(40, true)}`);
  } else if (FAULT_SIGNALS.has(signo)) {
    fields.push(`si_addr=${printAddress(v.getBigUint64(16, true))}`);
  } else pidUid();
  return `{${fields.join(", ")}}`;
}
