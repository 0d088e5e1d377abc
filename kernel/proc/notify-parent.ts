// Telling a parent about its child (Linux's do_notify_parent and do_notify_parent_cldstop): the
// exit signal with a CLD_* siginfo, the wake-up of wait4 sleepers, and the automatic reaping a
// parent asks for by ignoring SIGCHLD or setting SA_NOCLDWAIT.

import type { Kernel } from "../kernel.ts";
import { recordSignalInfo, SA_NOCLDSTOP, SA_NOCLDWAIT } from "../signals/delivery.ts";
import { signalTarget } from "../signals/queue.ts";
import { SIG_IGN, SIGCHLD } from "../signals/signals.ts";
import type { Process } from "./process.ts";

export const CLD_EXITED = 1;
export const CLD_KILLED = 2;
export const CLD_DUMPED = 3;
export const CLD_TRAPPED = 4;
export const CLD_STOPPED = 5;
export const CLD_CONTINUED = 6;

/** USER_HZ: the clock ticks siginfo and times() count in. */
export const CLOCK_TICKS_PER_SECOND = 100;

/** The CLD_* code and si_status of a wait status in Linux's encoding. */
export function childCode(status: number): { code: number; status: number } {
  const sig = status & 0x7f;
  if (sig === 0) return { code: CLD_EXITED, status: (status >> 8) & 0xff };
  return { code: status & 0x80 ? CLD_DUMPED : CLD_KILLED, status: sig };
}

/** Send `sig` with a SIGCHLD-style siginfo about `child` to its parent process. */
function signalParent(kernel: Kernel, child: Process, sig: number, code: number, status: number) {
  const parent = child.parent;
  if (parent === null || parent.exitStatus !== null || sig === 0) return;
  const thread = signalTarget(parent, sig);
  if (thread === undefined) return;
  const ticks = (ms: number) => Math.floor(ms * CLOCK_TICKS_PER_SECOND / 1000);
  recordSignalInfo(thread, {
    signo: sig,
    code,
    kind: "child",
    pid: child.pid,
    uid: child.creds.uid,
    status,
    utime: ticks(child.usage.userMs),
    stime: ticks(child.usage.systemMs),
  });
  kernel.sendSignal(thread, sig);
}

/**
 * `child` has ended: signal and wake its parent. Returns true when the child was reaped at once
 * because the parent does not want zombies (SIGCHLD ignored, or SA_NOCLDWAIT).
 */
export function notifyParentOfExit(kernel: Kernel, child: Process): boolean {
  const parent = child.parent;
  if (parent === null) return false;
  const { code, status } = childCode(child.exitStatus!);
  let autoReap = false;
  if (child.exitSignal === SIGCHLD) {
    const action = parent.sigactions[SIGCHLD];
    autoReap = action.handler === SIG_IGN || (action.flags & SA_NOCLDWAIT) !== 0;
  }
  signalParent(kernel, child, child.exitSignal, code, status);
  parent.childEvents.wakeAll();
  return autoReap;
}

/** `child` stopped or continued (job control): SIGCHLD unless the parent set SA_NOCLDSTOP. */
export function notifyParentOfJob(kernel: Kernel, child: Process, code: number, sig: number) {
  const parent = child.parent;
  if (parent === null) return;
  if (!(parent.sigactions[SIGCHLD].flags & SA_NOCLDSTOP)) {
    signalParent(kernel, child, SIGCHLD, code, sig);
  }
  parent.childEvents.wakeAll();
}
