// Job control: a stop signal's default action stops every thread of the process and tells the
// parent (CLD_STOPPED, WUNTRACED); SIGCONT, when it is sent, resumes them (CLD_CONTINUED,
// WCONTINUED). Terminal stop signals are discarded for an orphaned process group, as in Linux.

import type { Kernel } from "../kernel.ts";
import { isOrphanedGroup } from "../proc/groups.ts";
import { CLD_CONTINUED, CLD_STOPPED, notifyParentOfJob } from "../proc/notify-parent.ts";
import type { Process } from "../proc/process.ts";
import { SIGCONT, SIGSTOP } from "./signals.ts";

/** Stop `proc` for `sig`; false when the stop is discarded (orphaned group, SIGTSTP & co). */
export function stopProcess(kernel: Kernel, proc: Process, sig: number): boolean {
  if (proc.exitStatus !== null) return false;
  if (sig !== SIGSTOP && isOrphanedGroup(kernel, proc.pgid)) return false;
  proc.stopped = true;
  for (const t of proc.threads) if (t.state === "runnable") t.state = "stopped";
  proc.jobNotice = { kind: "stopped", sig };
  notifyParentOfJob(kernel, proc, CLD_STOPPED, sig);
  return true;
}

/** SIGCONT was sent to `proc`: resume its threads if it was stopped. */
export function continueProcess(kernel: Kernel, proc: Process): void {
  if (!proc.stopped || proc.exitStatus !== null) return;
  proc.stopped = false;
  for (const t of proc.threads) if (t.state === "stopped") kernel.wakeTask(t);
  proc.jobNotice = { kind: "continued", sig: SIGCONT };
  notifyParentOfJob(kernel, proc, CLD_CONTINUED, SIGCONT);
}
