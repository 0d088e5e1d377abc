// A process's memory as /proc/<pid>/status, stat, statm and maps report it: sizes of its areas
// by kind (data, stack, program text, other executable code), resident pages counted in the page
// tables, page-table bytes, and the code/data bounds of the executable.

import { PAGE_SIZE } from "../../../core/memory.ts";
import {
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  type Vma,
  VMA_GROWSDOWN,
  VMA_SHARED,
} from "../../mm/vma.ts";
import { devMajor, devMinor } from "../inode.ts";
import type { Process } from "../../proc/process.ts";

export interface MemoryUsage {
  /** Bytes of address space mapped (VmSize). */
  size: number;
  /** Resident pages (VmRSS / statm resident), and those of file mappings among them. */
  residentPages: number;
  residentFilePages: number;
  /** Private writable non-stack bytes (VmData). */
  data: number;
  /** Grows-down (stack) bytes (VmStk). */
  stack: number;
  /** Executable bytes of the program itself (VmExe) and of everything else (VmLib). */
  text: number;
  lib: number;
  /** Bytes of page tables (VmPTE). */
  pageTableBytes: number;
  startCode: number;
  endCode: number;
  startData: number;
  endData: number;
}

/** Resident pages of one area. */
export function residentPages(proc: Process, vma: Vma): number {
  let pages = 0;
  proc.mm.pageTable.forEachPresent(vma.start, vma.end, () => pages++);
  return pages;
}

/** Page tables in use, from the distinct ranges the present pages fall in (plus the root). */
function pageTableBytes(proc: Process): number {
  const tables = [new Set<number>(), new Set<number>(), new Set<number>()];
  const spans = [2 ** 21, 2 ** 30, 2 ** 39];
  for (const vma of proc.mm.vmas.areas) {
    proc.mm.pageTable.forEachPresent(vma.start, vma.end, (vaddr) => {
      for (let level = 0; level < 3; level++) tables[level].add(Math.floor(vaddr / spans[level]));
    });
  }
  return (1 + tables[0].size + tables[1].size + tables[2].size) * PAGE_SIZE;
}

export function memoryUsage(proc: Process): MemoryUsage {
  const usage: MemoryUsage = {
    size: 0,
    residentPages: 0,
    residentFilePages: 0,
    data: 0,
    stack: 0,
    text: 0,
    lib: 0,
    pageTableBytes: pageTableBytes(proc),
    startCode: 0,
    endCode: 0,
    startData: 0,
    endData: 0,
  };
  const program = proc.exePath;
  for (const vma of proc.mm.vmas.areas) {
    const bytes = vma.end - vma.start;
    usage.size += bytes;
    const resident = residentPages(proc, vma);
    usage.residentPages += resident;
    if (vma.file !== undefined) usage.residentFilePages += resident;
    const stack = (vma.flags & VMA_GROWSDOWN) !== 0;
    const writable = (vma.prot & PROT_WRITE) !== 0;
    if (stack) usage.stack += bytes;
    else if (writable && !(vma.flags & VMA_SHARED)) usage.data += bytes;
    const ofProgram = program !== "" && vma.name === program;
    if (vma.prot & PROT_EXEC && !writable && !stack) {
      if (ofProgram) usage.text += bytes;
      else usage.lib += bytes;
    }
    if (ofProgram && vma.prot & PROT_EXEC) {
      if (usage.startCode === 0) usage.startCode = vma.start;
      usage.endCode = vma.end;
    }
    if (ofProgram && writable) {
      if (usage.startData === 0) usage.startData = vma.start;
      usage.endData = vma.end;
    }
  }
  return usage;
}

/**
 * One line of /proc/<pid>/maps, padded as Linux's show_map_vma does: the name starts at column
 * 73, an unnamed area's line ends with a space. File areas show their offset, device and inode.
 */
export function mapsLine(vma: Vma, name: string): string {
  const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");
  const perms = (vma.prot & PROT_READ ? "r" : "-") + (vma.prot & PROT_WRITE ? "w" : "-") +
    (vma.prot & PROT_EXEC ? "x" : "-") + (vma.flags & VMA_SHARED ? "s" : "p");
  const file = vma.file;
  const offset = file === undefined ? 0 : file.offset;
  const dev = file === undefined ? 0 : file.dev;
  const where = `${hex(devMajor(dev), 2)}:${hex(devMinor(dev), 2)} ${file?.ino ?? 0}`;
  const prefix = `${hex(vma.start, 8)}-${hex(vma.end, 8)} ${perms} ${hex(offset, 8)} ${where} `;
  if (name === "") return prefix + "\n";
  return prefix.padEnd(72) + " " + name + "\n";
}
