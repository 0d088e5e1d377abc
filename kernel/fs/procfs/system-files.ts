// The system-wide files at the top of /proc: meminfo, stat, uptime, loadavg, version,
// filesystems, devices, and /proc/sys/kernel (hostname is writable by root, as sethostname is).
// Numbers come from the frame allocator (the guest's RAM), the processes and the clocks; what
// this kernel does not count (interrupts, idle time, swap) is reported as Linux reports a
// machine without it: zero.

import { PAGE_SIZE } from "../../../core/memory.ts";
import { cpuTimeMs, monotonicMs } from "../../clocks.ts";
import { PROT_WRITE, VMA_SHARED } from "../../mm/vma.ts";
import type { Process } from "../../proc/process.ts";
import { UTS_RELEASE, UTS_VERSION } from "../../syscalls/system.ts";
import { charDeviceMajors } from "../char-devices.ts";
import { registeredFileSystemTypes } from "../filesystem.ts";
import { devMajor } from "../inode.ts";
import { memoryUsage } from "./process-memory.ts";
import { taskState, USER_HZ } from "./process-status.ts";
import { padNum, type ProcContext, utf8, wallTimeAt } from "./proc-context.ts";

/** Linux's x86-64 vmalloc area with 4-level paging (VMALLOC_SIZE_TB = 32), in kB. */
const VMALLOC_TOTAL_KB = 34359738367;
/** __NEW_UTS_LEN: the longest host name. */
const HOSTNAME_MAX = 64;

function liveProcesses(ctx: ProcContext): Process[] {
  return [...ctx.kernel.processes.values()].filter((p) => p.exitStatus === null);
}

// ---- memory -------------------------------------------------------------------------------

export function meminfoText(ctx: ProcContext): string {
  const frames = ctx.kernel.frames;
  const kb = (pages: number) => pages * (PAGE_SIZE / 1024);
  const total = kb(frames.totalFrames);
  const free = kb(frames.freeFrames);
  let anon = 0, pageTables = 0, committed = 0;
  for (const proc of liveProcesses(ctx)) {
    const usage = memoryUsage(proc);
    anon += kb(usage.residentPages);
    pageTables += usage.pageTableBytes / 1024;
    for (const vma of proc.mm.vmas.areas) {
      if (vma.prot & PROT_WRITE && !(vma.flags & VMA_SHARED)) committed += vma.end - vma.start;
    }
  }
  const rows: [string, number][] = [
    ["MemTotal", total],
    ["MemFree", free],
    // Nothing is cached in guest RAM that could be reclaimed: available is what is free.
    ["MemAvailable", free],
    ["Buffers", 0],
    ["Cached", 0],
    ["SwapCached", 0],
    ["Active", anon],
    ["Inactive", 0],
    ["Active(anon)", anon],
    ["Inactive(anon)", 0],
    ["Active(file)", 0],
    ["Inactive(file)", 0],
    ["Unevictable", 0],
    ["Mlocked", 0],
    ["SwapTotal", 0],
    ["SwapFree", 0],
    ["Dirty", 0],
    ["Writeback", 0],
    ["AnonPages", anon],
    ["Mapped", 0],
    ["Shmem", 0],
    ["KReclaimable", 0],
    ["Slab", 0],
    ["SReclaimable", 0],
    ["SUnreclaim", 0],
    ["KernelStack", 0],
    ["PageTables", pageTables],
    ["SecPageTables", 0],
    ["NFS_Unstable", 0],
    ["Bounce", 0],
    ["WritebackTmp", 0],
    // vm.overcommit_ratio 50 and no swap.
    ["CommitLimit", Math.floor(total / 2)],
    ["Committed_AS", Math.floor(committed / 1024)],
    ["VmallocTotal", VMALLOC_TOTAL_KB],
    ["VmallocUsed", 0],
    ["VmallocChunk", 0],
    ["Percpu", 0],
  ];
  return rows.map(([key, value]) => `${(key + ":").padEnd(16)}${padNum(value, 8)} kB\n`).join("");
}

// ---- time and load ------------------------------------------------------------------------

/**
 * CPU time in milliseconds: the kernel counts a process's CPU time as host time since it started
 * (the CPU-time clocks do the same), so busy time is the longest-running live process's, capped
 * by the uptime, and idle time is the rest.
 */
function cpuSplit(ctx: ProcContext): { uptime: number; busy: number; idle: number } {
  const uptime = monotonicMs(ctx.kernel);
  let busy = 0;
  for (const proc of liveProcesses(ctx)) busy = Math.max(busy, cpuTimeMs(proc));
  busy = Math.min(busy, uptime);
  return { uptime, busy, idle: uptime - busy };
}

const ticks = (ms: number) => Math.floor(ms / (1000 / USER_HZ));
const centiseconds = (ms: number) => {
  const cs = Math.floor(ms / 10);
  return `${Math.floor(cs / 100)}.${String(cs % 100).padStart(2, "0")}`;
};

export function uptimeText(ctx: ProcContext): string {
  const { uptime, idle } = cpuSplit(ctx);
  return `${centiseconds(uptime)} ${centiseconds(idle)}\n`;
}

function threadCounts(ctx: ProcContext): { running: number; total: number; lastPid: number } {
  let running = 0, total = 0, lastPid = 0;
  for (const proc of ctx.kernel.processes.values()) {
    for (const task of proc.threads) {
      total++;
      if (taskState(ctx, task) === "R") running++;
      lastPid = Math.max(lastPid, task.tid);
    }
  }
  return { running, total, lastPid };
}

export function loadavgText(ctx: ProcContext): string {
  // No run-queue average is kept (sysinfo reports the same zeros).
  const { running, total, lastPid } = threadCounts(ctx);
  return `0.00 0.00 0.00 ${running}/${total} ${lastPid}\n`;
}

export function statText(ctx: ProcContext): string {
  const { busy, idle } = cpuSplit(ctx);
  const cpu = `${ticks(busy)} 0 0 ${ticks(idle)} 0 0 0 0 0 0`;
  const { running, lastPid } = threadCounts(ctx);
  const bootSec = wallTimeAt(ctx.kernel.bootTime).sec;
  return `cpu  ${cpu}\ncpu0 ${cpu}\nintr 0\nctxt 0\nbtime ${bootSec}\n` +
    `processes ${lastPid}\nprocs_running ${running}\nprocs_blocked 0\n` +
    `softirq 0 0 0 0 0 0 0 0 0 0 0\n`;
}

// ---- identity -----------------------------------------------------------------------------

export function versionText(): string {
  const compiler = `deno ${Deno.version.deno}, V8 ${Deno.version.v8}`;
  return `Linux version ${UTS_RELEASE} (nexaos@nexaos) (${compiler}) ${UTS_VERSION}\n`;
}

export function filesystemsText(): string {
  return registeredFileSystemTypes()
    .map(({ name, needsDevice }) => `${needsDevice ? "" : "nodev"}\t${name}\n`).join("");
}

export function devicesText(ctx: ProcContext): string {
  let text = "Character devices:\n";
  for (const { major, name } of charDeviceMajors()) text += `${padNum(major, 3)} ${name}\n`;
  text += "\nBlock devices:\n";
  const majors = new Set(ctx.kernel.blockDevices.all().map(([rdev]) => devMajor(rdev)));
  for (const major of [...majors].sort((a, b) => a - b)) text += `${padNum(major, 3)} virtblk\n`;
  return text;
}

export function hostnameText(ctx: ProcContext): string {
  return utf8(ctx.kernel.hostname) + "\n";
}

/**
 * proc_dostring (strict mode): the text up to the first newline or NUL replaces the name from
 * `offset` on, at most 64 bytes; a write starting past the end changes nothing. Who may write
 * was decided at open (the file is 0644 root).
 */
export function writeHostname(ctx: ProcContext, offset: number, data: Uint8Array): number {
  const current = new TextEncoder().encode(ctx.kernel.hostname);
  if (offset > current.length) return data.length;
  let end = data.findIndex((b) => b === 0x0a || b === 0);
  if (end < 0) end = data.length;
  const bytes = new Uint8Array(Math.min(HOSTNAME_MAX, offset + end));
  bytes.set(current.subarray(0, Math.min(offset, bytes.length)));
  bytes.set(data.subarray(0, bytes.length - offset), offset);
  ctx.kernel.hostname = new TextDecoder().decode(bytes);
  return data.length;
}
