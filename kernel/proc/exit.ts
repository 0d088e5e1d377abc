// How tasks and processes end (Linux's do_exit, do_group_exit, exit_notify and the OOM killer):
// a thread's exit clears its child-tid word and walks its robust futex list; the last thread's,
// or exit_group's, makes the process a zombie — files closed, memory returned, children handed
// to the first process, the parent signalled — until wait reaps it.

import type { Kernel } from "../kernel.ts";
import { clearChildTidOnExit, exitRobustList } from "../futex-robust.ts";
import { recordPeakRss } from "../syscalls/resources.ts";
import { handOnParkedSignals } from "../signals/queue.ts";
import { SIGCONT, SIGHUP, SIGKILL } from "../signals/signals.ts";
import { hasStoppedMembers, isOrphanedGroup } from "./groups.ts";
import { notifyParentOfExit } from "./notify-parent.ts";
import { addUsage, type Process, type Task } from "./process.ts";

/** A thread is gone: the CLONE_CHILD_CLEARTID word is zeroed and its waiter woken (pthread_join). */
function releaseThread(kernel: Kernel, task: Task): void {
  if (task.state === "dead") return;
  task.state = "dead";
  const proc = task.proc;
  if (!proc.mm.destroyed) {
    exitRobustList(kernel, task);
    clearChildTidOnExit(kernel, task);
  }
  task.vforkDone?.resolve();
  task.vforkDone = null;
  // Whatever it waited on (a host timer, a pipe) lets go now.
  const wake = task.signalWake;
  task.signalWake = Promise.withResolvers<void>();
  wake.resolve();
  if (task.tid !== proc.pid && kernel.tasks.get(task.tid) === task) kernel.tasks.delete(task.tid);
}

/** exit(2): this thread ends; the process ends with it when it was the last one. */
export function exitThread(kernel: Kernel, task: Task, code: number): void {
  const proc = task.proc;
  const others = proc.threads.filter((t) => t !== task && t.state !== "dead");
  if (others.length === 0) return exitGroup(kernel, proc, (code & 0xff) << 8);
  handOnParkedSignals(task);
  releaseThread(kernel, task);
  if (task.tid !== proc.pid) proc.threads.splice(proc.threads.indexOf(task), 1);
}

/**
 * execve's de_thread(): every other thread of the process dies, and the caller takes over the
 * leader's id if it was not the leader.
 */
export function killOtherThreads(kernel: Kernel, task: Task): void {
  const proc = task.proc;
  for (const t of proc.threads) if (t !== task) releaseThread(kernel, t);
  proc.threads.splice(0, proc.threads.length, task);
  if (task.tid !== proc.pid) {
    if (kernel.tasks.get(task.tid) === task) kernel.tasks.delete(task.tid);
    task.tid = proc.pid;
    kernel.tasks.set(proc.pid, task);
  }
}

/** exit_group(2), or death by a signal: every thread ends and the process becomes a zombie. */
export function exitGroup(kernel: Kernel, proc: Process, status: number): void {
  if (proc.exitStatus !== null) return;
  proc.exitStatus = status;
  for (const t of proc.threads) releaseThread(kernel, t);
  proc.stopped = false;
  for (const hook of proc.onExit) hook();
  proc.onExit.clear();
  if (--proc.fds.users === 0) proc.fds.closeAll();
  recordPeakRss(proc);
  if (--proc.mm.users === 0) proc.mm.destroy();
  const children = [...proc.children];
  reparentChildren(kernel, proc, children);
  orphanGroupsOf(kernel, proc, children);
  if (notifyParentOfExit(kernel, proc)) kernel.reap(proc);
}

/** Children of an exiting process go to the first process (Linux's child reaper). */
function reparentChildren(kernel: Kernel, proc: Process, children: Process[]): void {
  const reaper = kernel.init !== proc && kernel.init?.exitStatus === null ? kernel.init : null;
  for (const child of children) {
    proc.children.delete(child);
    child.parent = reaper;
    if (child.exitStatus === null && child.parentDeathSignal !== 0) {
      const thread = child.threads.find((t) => t.state !== "dead");
      if (thread !== undefined) kernel.sendSignal(thread, child.parentDeathSignal);
    }
    if (reaper === null) {
      if (child.isZombie) kernel.reap(child);
      continue;
    }
    reaper.children.add(child);
    // A zombie child is announced to its new parent (which may reap it at once).
    if (child.isZombie && notifyParentOfExit(kernel, child)) kernel.reap(child);
  }
}

/**
 * Linux's kill_orphaned_pgrp(): when this exit orphans a process group that has stopped members,
 * the group gets SIGHUP and then SIGCONT.
 */
function orphanGroupsOf(kernel: Kernel, proc: Process, children: Process[]): void {
  const groups = new Set<number>();
  const parent = proc.parent;
  if (parent !== null && parent.pgid !== proc.pgid && parent.sid === proc.sid) {
    groups.add(proc.pgid);
  }
  // Only the exiting process's own children can have lost their tie (reparent_leader).
  for (const child of children) {
    if (child.pgid !== proc.pgid && child.sid === proc.sid) groups.add(child.pgid);
  }
  for (const pgid of groups) {
    if (!isOrphanedGroup(kernel, pgid, proc) || !hasStoppedMembers(kernel, pgid)) continue;
    for (const member of kernel.processes.values()) {
      if (member.pgid !== pgid || member.exitStatus !== null) continue;
      const thread = member.threads.find((t) => t.state !== "dead");
      if (thread === undefined) continue;
      kernel.sendSignal(thread, SIGHUP);
      kernel.sendSignal(thread, SIGCONT);
    }
  }
}

/** wait collected `child`: its usage adds to the parent's children total and it is gone. */
export function reapChild(kernel: Kernel, parent: Process, child: Process): void {
  addUsage(parent.childrenUsage, child.usage);
  addUsage(parent.childrenUsage, child.childrenUsage);
  kernel.reap(child);
}

/**
 * Guest memory ran out while `task` faulted: kill the process with the most resident pages,
 * with a kernel log line, as Linux's OOM killer does. The faulting instruction runs again.
 */
export function killForOutOfMemory(kernel: Kernel, task: Task): void {
  let victim: Process = task.proc;
  let most = -1;
  for (const p of kernel.processes.values()) {
    // The first process is spared while anything else can be killed, as Linux spares init.
    if (p.exitStatus !== null || p.mm.destroyed || p === kernel.init) continue;
    const pages = p.mm.residentPages();
    if (pages > most) {
      most = pages;
      victim = p;
    }
  }
  if (most < 0 && kernel.init?.exitStatus === null) victim = kernel.init;
  const rss = Math.max(0, victim.mm.residentPages()) * 4;
  const vm = Math.floor(victim.mm.mappedBytes / 1024);
  kernel.log(
    `Out of memory: Killed process ${victim.pid} (${victim.name}) ` +
      `total-vm:${vm}kB, anon-rss:${rss}kB, UID:${victim.creds.uid}`,
  );
  exitGroup(kernel, victim, SIGKILL);
}
