// Signal numbers, names, the text a shell prints for a death by signal, and each signal's
// default action, as Linux defines them for x86-64.

export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6;
export const SIGBUS = 7, SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12;
export const SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17;
export const SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23;
export const SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28;
export const SIGIO = 29, SIGPWR = 30, SIGSYS = 31;
export const SIGRTMIN = 32, SIGRTMAX = 64;
export const NSIG = 64;

const NAMES = [
  "",
  "SIGHUP",
  "SIGINT",
  "SIGQUIT",
  "SIGILL",
  "SIGTRAP",
  "SIGABRT",
  "SIGBUS",
  "SIGFPE",
  "SIGKILL",
  "SIGUSR1",
  "SIGSEGV",
  "SIGUSR2",
  "SIGPIPE",
  "SIGALRM",
  "SIGTERM",
  "SIGSTKFLT",
  "SIGCHLD",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGTTIN",
  "SIGTTOU",
  "SIGURG",
  "SIGXCPU",
  "SIGXFSZ",
  "SIGVTALRM",
  "SIGPROF",
  "SIGWINCH",
  "SIGIO",
  "SIGPWR",
  "SIGSYS",
];

/** What bash prints when a job dies of the signal (strsignal's text). */
const DESCRIPTIONS = [
  "",
  "Hangup",
  "Interrupt",
  "Quit",
  "Illegal instruction",
  "Trace/breakpoint trap",
  "Aborted",
  "Bus error",
  "Floating point exception",
  "Killed",
  "User defined signal 1",
  "Segmentation fault",
  "User defined signal 2",
  "Broken pipe",
  "Alarm clock",
  "Terminated",
  "Stack fault",
  "Child exited",
  "Continued",
  "Stopped (signal)",
  "Stopped",
  "Stopped (tty input)",
  "Stopped (tty output)",
  "Urgent I/O condition",
  "CPU time limit exceeded",
  "File size limit exceeded",
  "Virtual timer expired",
  "Profiling timer expired",
  "Window changed",
  "I/O possible",
  "Power failure",
  "Bad system call",
];

export function signalName(sig: number): string {
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
    return sig === SIGRTMIN ? "SIGRTMIN" : `SIGRTMIN+${sig - SIGRTMIN}`;
  }
  return NAMES[sig] ?? `${sig}`;
}

export function signalDescription(sig: number): string {
  if (sig >= SIGRTMIN && sig <= SIGRTMAX) return `Real-time signal ${sig - SIGRTMIN}`;
  return DESCRIPTIONS[sig] ?? `Unknown signal ${sig}`;
}

export type DefaultAction = "terminate" | "core" | "ignore" | "stop" | "continue";

export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGXCPU:
    case SIGXFSZ:
    case SIGSYS:
      return "core";
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
      return "ignore";
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
      return "stop";
    case SIGCONT:
      return "continue";
  }
  return "terminate";
}

export const SIG_DFL = 0;
export const SIG_IGN = 1;

/** One rt_sigaction record (struct kernel_sigaction): handler, flags, restorer, mask. */
export interface SigAction {
  handler: number;
  flags: number;
  restorer: number;
  maskLow: number;
  maskHigh: number;
}

/**
 * sig_handler_ignored(): SIG_IGN, or SIG_DFL for a signal Linux ignores by default
 * (SIG_KERNEL_IGNORE_MASK: SIGCONT, SIGCHLD, SIGWINCH, SIGURG). Such a signal is dropped when it
 * is sent unblocked and never interrupts a wait.
 */
export function dispositionIgnores(action: SigAction, sig: number): boolean {
  if (sig === SIGKILL || sig === SIGSTOP) return false;
  if (action.handler === SIG_IGN) return true;
  return action.handler === SIG_DFL &&
    (sig === SIGCONT || sig === SIGCHLD || sig === SIGWINCH || sig === SIGURG);
}

export function defaultSigAction(): SigAction {
  return { handler: SIG_DFL, flags: 0, restorer: 0, maskLow: 0, maskHigh: 0 };
}

/** Bit for `sig` within the 64-bit signal set halves: [word, mask]. */
export function sigBit(sig: number): [number, number] {
  const bit = sig - 1;
  return bit < 32 ? [0, (1 << bit) >>> 0] : [1, (1 << (bit - 32)) >>> 0];
}
