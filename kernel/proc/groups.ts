// Process groups and sessions as job control sees them: the members of a group, and whether a
// group is orphaned (no member has a parent in another group of the same session), which decides
// whether terminal stop signals stop anyone and whether an exit must send SIGHUP and SIGCONT.

import type { Kernel } from "../kernel.ts";
import type { Process } from "./process.ts";

export function groupMembers(kernel: Kernel, pgid: number): Process[] {
  const out: Process[] = [];
  for (const p of kernel.processes.values()) {
    if (p.pgid === pgid && p.exitStatus === null) out.push(p);
  }
  return out;
}

/** will_become_orphaned_pgrp(): true when no member (other than `ignore`) ties the group. */
export function isOrphanedGroup(kernel: Kernel, pgid: number, ignore: Process | null = null) {
  for (const p of groupMembers(kernel, pgid)) {
    if (p === ignore) continue;
    const parent = p.parent;
    if (parent === null || parent === ignore || parent.exitStatus !== null) continue;
    if (parent.pgid !== pgid && parent.sid === p.sid) return false;
  }
  return true;
}

/** Does any live member of the group stand stopped? */
export function hasStoppedMembers(kernel: Kernel, pgid: number): boolean {
  return groupMembers(kernel, pgid).some((p) => p.stopped);
}
