// The text of /proc/<pid>/status, /proc/<pid>/stat and /proc/<pid>/statm (and the same files
// under task/<tid>), in the exact layout of Linux's fs/proc/array.c: tab-separated "Key:\tvalue"
// lines in task_state/task_mem/task_sig/task_cap order for status, the 52 space-separated
// fields of do_task_stat, the 7 page counts of statm.

import { cpuTimeMs } from "../../clocks.ts";
import { RLIMIT_RSS, RLIMIT_SIGPENDING } from "../../proc/limits.ts";
import type { Process, Task } from "../../proc/process.ts";
import { NSIG, SIG_IGN, SIGCHLD } from "../../signals/signals.ts";
import { memoryUsage } from "./process-memory.ts";
import { hex64, padNum, type ProcContext, utf8 } from "./proc-context.ts";

/** USER_HZ: the unit of times in /proc/<pid>/stat and /proc/stat. */
export const USER_HZ = 100;
/** Linux 6.1's CAP_LAST_CAP is 40: a full capability set is 41 bits. */
const FULL_CAPS = "000001ffffffffff";
const NO_CAPS = "0000000000000000";
/** PF_RANDOMIZE: set for every process started with address randomisation. */
const PF_RANDOMIZE = 0x400000;
/** The host terminal is the guest's /dev/pts/0 (char 136:0). */
const PTS0 = 136 << 8;

export type TaskState = "R" | "S" | "T" | "Z";

const STATE_NAMES: Record<TaskState, string> = {
  R: "R (running)",
  S: "S (sleeping)",
  T: "T (stopped)",
  Z: "Z (zombie)",
};

export function taskState(_ctx: ProcContext, task: Task): TaskState {
  if (task.proc.exitStatus !== null) return "Z";
  if (task.state === "stopped" || task.proc.stopped) return "T";
  return task.state === "runnable" ? "R" : "S";
}

/** The thread /proc/<pid>/ speaks for: the thread-group leader (or the first thread left). */
export function leaderOf(proc: Process): Task | undefined {
  return proc.threads.find((t) => t.tid === proc.pid) ?? proc.threads[0];
}

/** SigIgn and SigCgt as [high, low] halves: handlers set to SIG_IGN, and real handlers. */
function dispositionSets(proc: Process): { ignored: [number, number]; caught: [number, number] } {
  const ignored: [number, number] = [0, 0];
  const caught: [number, number] = [0, 0];
  for (let sig = 1; sig <= NSIG; sig++) {
    const handler = proc.sigactions[sig]?.handler ?? 0;
    const set = handler === SIG_IGN ? ignored : handler > SIG_IGN ? caught : null;
    if (set === null) continue;
    const bit = sig - 1;
    if (bit < 32) set[1] = (set[1] | (1 << bit)) >>> 0;
    else set[0] = (set[0] | (1 << (bit - 32))) >>> 0;
  }
  return { ignored, caught };
}

function pendingSet(task: Task): [number, number] {
  let low = 0, high = 0;
  for (const sig of task.pending) {
    const bit = sig - 1;
    if (bit < 32) low = (low | (1 << bit)) >>> 0;
    else if (bit < 64) high = (high | (1 << (bit - 32))) >>> 0;
  }
  return [high, low];
}

/** Linux's fdtable size: 64 slots, then 128 times a power of two covering the highest fd. */
function fdTableSize(proc: Process): number {
  const fds = proc.fds.openFds();
  const highest = fds.length === 0 ? 0 : fds[fds.length - 1];
  if (highest < 64) return 64;
  let slots = 1;
  while (slots <= Math.floor(highest / 128)) slots *= 2;
  return slots * 128;
}

/** The status Name line escapes control whitespace and backslashes (seq_escape_str). */
function escapeName(name: string): string {
  const named: Record<string, string> = { "\t": "t", "\n": "n", "\r": "r", "\f": "f", "\v": "v" };
  return name.replace(/[\t\n\r\f\v\\]/g, (c) => "\\" + (named[c] ?? c));
}

function ticks(ms: number): number {
  return Math.max(0, Math.floor(ms / (1000 / USER_HZ)));
}

/** /proc/<pid>/status (or task/<tid>/status when `thread` names one thread). */
export function statusText(ctx: ProcContext, proc: Process, task: Task, thread: boolean): string {
  const c = proc.creds;
  const kb = (bytes: number) => padNum(Math.floor(bytes / 1024), 8) + " kB";
  const pid = thread ? task.tid : proc.pid;
  const lines = [
    `Name:\t${escapeName(utf8(proc.name))}`,
    `Umask:\t${proc.umask.toString(8).padStart(4, "0")}`,
    `State:\t${STATE_NAMES[taskState(ctx, task)]}`,
    `Tgid:\t${proc.pid}`,
    `Ngid:\t0`,
    `Pid:\t${pid}`,
    `PPid:\t${proc.ppid}`,
    `TracerPid:\t0`,
    `Uid:\t${c.uid}\t${c.euid}\t${c.suid}\t${c.fsuid}`,
    `Gid:\t${c.gid}\t${c.egid}\t${c.sgid}\t${c.fsgid}`,
    `FDSize:\t${proc.exitStatus === null ? fdTableSize(proc) : 0}`,
    `Groups:\t${c.groups.map((g) => `${g} `).join("") || " "}`,
    `NStgid:\t${proc.pid}`,
    `NSpid:\t${pid}`,
    `NSpgid:\t${proc.pgid}`,
    `NSsid:\t${proc.sid}`,
    `Kthread:\t0`,
  ];
  if (proc.exitStatus === null) {
    const m = memoryUsage(proc);
    const rss = m.residentPages * 4096;
    const rssFile = m.residentFilePages * 4096;
    lines.push(
      `VmPeak:\t${kb(m.size)}`,
      `VmSize:\t${kb(m.size)}`,
      `VmLck:\t${kb(0)}`,
      `VmPin:\t${kb(0)}`,
      `VmHWM:\t${kb(rss)}`,
      `VmRSS:\t${kb(rss)}`,
      `RssAnon:\t${kb(rss - rssFile)}`,
      `RssFile:\t${kb(rssFile)}`,
      `RssShmem:\t${kb(0)}`,
      `VmData:\t${kb(m.data)}`,
      `VmStk:\t${kb(m.stack)}`,
      `VmExe:\t${kb(m.text)}`,
      `VmLib:\t${kb(m.lib)}`,
      `VmPTE:\t${kb(m.pageTableBytes)}`,
      `VmSwap:\t${kb(0)}`,
      `HugetlbPages:\t${kb(0)}`,
      `CoreDumping:\t0`,
      // No transparent huge pages here: Linux prints 0 when THP is not built in.
      `THP_enabled:\t0`,
    );
  }
  const { ignored, caught } = dispositionSets(proc);
  let queued = 0;
  for (const t of proc.threads) queued += t.pending.size;
  const sigLimit = proc.limits[RLIMIT_SIGPENDING].cur;
  const root = c.euid === 0;
  lines.push(
    `Threads:\t${proc.threads.length}`,
    `SigQ:\t${queued}/${sigLimit === Infinity ? "18446744073709551615" : sigLimit}`,
    `SigPnd:\t${hex64(...pendingSet(task))}`,
    `ShdPnd:\t${hex64(0, 0)}`,
    `SigBlk:\t${hex64(task.sigmaskHigh, task.sigmaskLow)}`,
    `SigIgn:\t${hex64(...ignored)}`,
    `SigCgt:\t${hex64(...caught)}`,
    `CapInh:\t${NO_CAPS}`,
    `CapPrm:\t${root ? FULL_CAPS : NO_CAPS}`,
    `CapEff:\t${root ? FULL_CAPS : NO_CAPS}`,
    `CapBnd:\t${FULL_CAPS}`,
    `CapAmb:\t${NO_CAPS}`,
    `NoNewPrivs:\t${proc.noNewPrivs}`,
    `Seccomp:\t0`,
    `Seccomp_filters:\t0`,
    // An interpreter has no speculative execution to leak through.
    `Speculation_Store_Bypass:\tnot vulnerable`,
    `SpeculationIndirectBranch:\tnot affected`,
    `Cpus_allowed:\t1`,
    `Cpus_allowed_list:\t0`,
    `Mems_allowed:\t1`,
    `Mems_allowed_list:\t0`,
    `voluntary_ctxt_switches:\t0`,
    `nonvoluntary_ctxt_switches:\t0`,
  );
  return lines.join("\n") + "\n";
}

/** The controlling terminal as stat's tty_nr and tpgid: the host terminal is /dev/pts/0. */
function terminalOf(ctx: ProcContext): { ttyNr: number; tpgid: number } {
  const terminal = ctx.kernel.terminal;
  if (terminal === null) return { ttyNr: 0, tpgid: -1 };
  return { ttyNr: PTS0, tpgid: terminal.tty.foregroundGroup };
}

/** rlimit values: RLIM_INFINITY prints as the unsigned 64-bit maximum. */
export function limitText(value: number): string {
  return value === Infinity ? "18446744073709551615" : String(value);
}

/** /proc/<pid>/stat: 52 fields (do_task_stat). */
export function statText(ctx: ProcContext, proc: Process, task: Task, thread: boolean): string {
  const alive = proc.exitStatus === null;
  const m = alive ? memoryUsage(proc) : null;
  const { ignored, caught } = dispositionSets(proc);
  const decimal = ([high, low]: [number, number]) => String((BigInt(high) << 32n) | BigInt(low));
  const { ttyNr, tpgid } = terminalOf(ctx);
  const started = ticks(proc.startTime - ctx.kernel.bootTime);
  const exitCode = proc.exitStatus ?? 0;
  const fields: (string | number)[] = [
    thread ? task.tid : proc.pid,
    `(${utf8(proc.name)})`,
    taskState(ctx, task),
    proc.ppid,
    proc.pgid,
    proc.sid,
    ttyNr,
    tpgid,
    PF_RANDOMIZE,
    0, // minflt
    0, // cminflt
    0, // majflt
    0, // cmajflt
    ticks(cpuTimeMs(proc)), // utime: CPU time as the CPU-time clocks count it
    0, // stime
    0, // cutime
    0, // cstime
    20, // priority (nice 0)
    0, // nice
    proc.threads.length,
    0, // itrealvalue
    started,
    m?.size ?? 0,
    m?.residentPages ?? 0,
    limitText(proc.limits[RLIMIT_RSS].cur),
    m?.startCode ?? 0,
    m?.endCode ?? 0,
    0, // startstack: the loader does not record it yet
    0, // kstkesp: Linux shows 0 unless the task is dumping core
    0, // kstkeip
    decimal(pendingSet(task)),
    decimal([task.sigmaskHigh, task.sigmaskLow]),
    decimal(ignored),
    decimal(caught),
    0, // wchan
    0, // nswap
    0, // cnswap
    SIGCHLD, // exit_signal
    0, // processor
    0, // rt_priority
    0, // policy (SCHED_OTHER)
    0, // delayacct_blkio_ticks
    0, // guest_time
    0, // cguest_time
    m?.startData ?? 0,
    m?.endData ?? 0,
    alive ? proc.mm.brkStart : 0,
    0, // arg_start, arg_end, env_start, env_end: not recorded by the loader yet
    0,
    0,
    0,
    exitCode,
  ];
  return fields.join(" ") + "\n";
}

/** /proc/<pid>/statm: size resident shared text lib data dt, in pages. */
export function statmText(proc: Process): string {
  if (proc.exitStatus !== null) return "0 0 0 0 0 0 0\n";
  const m = memoryUsage(proc);
  const pages = (bytes: number) => Math.floor(bytes / 4096);
  return [
    pages(m.size),
    m.residentPages,
    m.residentFilePages,
    pages(m.text),
    0,
    pages(m.data + m.stack),
    0,
  ].join(" ") + "\n";
}
