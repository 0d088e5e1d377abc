// Loading a program into a fresh process, as Linux's load_elf_binary does for a static ELF:
// choose the layout (randomised stack, mmap base, static-PIE base and brk), map each PT_LOAD with
// its exact permissions and zeroed bss, build the initial stack and set the CPU's registers.

import { cpuidLeaf } from "../../core/cpu/cpuid.ts";
import { PAGE_SIZE } from "../../core/memory.ts";
import { RSP } from "../../core/cpu/cpu.ts";
import type { Kernel } from "../kernel.ts";
import {
  AddressSpace,
  type FileMapRequest,
  pageDown,
  pageUp,
  TASK_SIZE,
} from "../mm/address-space.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE, VMA_GROWSDOWN } from "../mm/vma.ts";
import { RLIMIT_STACK } from "../proc/limits.ts";
import { SIGNAL_FRAME_MAX_SIZE } from "../signals/sigframe.ts";
import { type Credentials, Process, rootCredentials, type Task } from "../proc/process.ts";
import type { Cpu } from "../../core/cpu/cpu.ts";
import { ElfError, type ElfImage, type ElfSegment } from "./elf.ts";
import type { Path } from "../fs/dentry.ts";
import { O_RDONLY, OpenFile } from "../files/open-file.ts";
import { regularFileOps } from "../fs/inode-file.ts";
import { auxvFor, buildInitialStack } from "./initial-stack.ts";

/** Room the stack area gets below the initial frame (Linux's stack_expand). */
const STACK_EXPAND = 128 * 1024;
/** Linux's mmap gap bounds below the stack (MIN_GAP, with the stack rlimit in between). */
const MIN_GAP = 128 * 1024 * 1024;
/** Entropy: 2^22 pages (16 GiB) for the stack top, 2^28 pages (1 TiB) for mmap, 32 MiB for brk. */
const STACK_RANDOM_PAGES = 2 ** 22;
const MMAP_RANDOM_PAGES = 2 ** 28;
const BRK_RANDOM_BYTES = 0x02000000;

export interface LoadRequest {
  argv: readonly (string | Uint8Array)[];
  envp: readonly (string | Uint8Array)[];
  /** The path the program was started by (AT_EXECFN). */
  exePath: string;
  /** Its canonical absolute path (/proc/self/exe, the maps); defaults to exePath. */
  realPath?: string;
  /** Disable address randomisation (deterministic layouts for debugging). */
  noRandomize?: boolean;
  /**
   * Where the executable is in the VFS: its segments are then mapped from the file's page cache
   * (private, copy-on-write) as Linux does, so every process running it shares the text pages
   * (and the decoded code cached for them). Without it the bytes are copied in.
   */
  location?: Path;
}

function randomPages(limit: number, noRandomize: boolean): number {
  if (noRandomize) return 0;
  const words = crypto.getRandomValues(new Uint32Array(2));
  return ((words[0] * 2 ** 32 + words[1]) % limit) * PAGE_SIZE;
}

function protOf(flags: { readable: boolean; writable: boolean; executable: boolean }): number {
  return (flags.readable ? PROT_READ : 0) | (flags.writable ? PROT_WRITE : 0) |
    (flags.executable ? PROT_EXEC : 0);
}

/** Where a loaded program starts: its entry point and initial stack pointer. */
export interface LoadedProgram {
  entry: number;
  sp: number;
}

/** Create a process running `image` (already parsed from `file`); returns its first task. */
export function loadProgram(
  kernel: Kernel,
  image: ElfImage,
  file: Uint8Array,
  request: LoadRequest,
): Task {
  const mm = new AddressSpace(kernel.mem, kernel.frames);
  const pid = kernel.allocatePid();
  const name = request.exePath.split("/").pop() ?? request.exePath;
  const proc = new Process(pid, null, mm, rootCredentials(), name);
  proc.exePath = request.realPath ?? request.exePath;
  const text = (v: string | Uint8Array) => typeof v === "string" ? v : new TextDecoder().decode(v);
  proc.argv = request.argv.map(text);
  proc.envp = request.envp.map(text);
  mm.stackLimit = proc.limits[RLIMIT_STACK].cur;
  const loaded = loadImage(mm, image, file, request, proc.creds);
  const task = kernel.newTask(proc);
  enterProgram(kernel.cpu, loaded);
  return task;
}

/** The executable as mmap would see it: its inode and an open file naming it in the maps. */
function mappableFile(location: Path, exePath: string): FileMapRequest {
  const file = new OpenFile(regularFileOps, O_RDONLY, exePath);
  file.location = location;
  return { inode: location.dentry.inode, offset: 0, file };
}

/**
 * Map one PT_LOAD from the file (elf_map): the file pages privately, the rest of the page after
 * filesz zeroed (a private copy), zero pages up to memsz. False when the segment cannot be
 * mapped that way (a misaligned offset, or bss sharing a page of a read-only segment), so the
 * caller copies it instead.
 */
/** Can `seg` be mapped from the file (elf_map), rather than copied in? */
export function segmentMappable(seg: ElfSegment, base: number): boolean {
  const start = base + seg.vaddr;
  if (seg.filesz === 0 || seg.offset % PAGE_SIZE !== start % PAGE_SIZE) return false;
  const fileEnd = start + seg.filesz;
  const bssInLastPage = seg.memsz > seg.filesz && fileEnd % PAGE_SIZE !== 0;
  return !bssInLastPage || (protOf(seg) & PROT_WRITE) !== 0;
}

function mapSegment(
  mm: AddressSpace,
  exe: FileMapRequest,
  seg: ElfSegment,
  start: number,
  end: number,
): boolean {
  if (!segmentMappable(seg, start - seg.vaddr)) return false;
  const pageStart = pageDown(start);
  const fileEnd = start + seg.filesz;
  const filePagesEnd = pageUp(fileEnd);
  const prot = protOf(seg);
  const bssInLastPage = seg.memsz > seg.filesz && fileEnd < filePagesEnd;
  const offset = seg.offset - (start - pageStart);
  const mapped = mm.mapFile(pageStart, filePagesEnd - pageStart, prot, 0, { ...exe, offset });
  if (mapped < 0) throw new ElfError(`segment ${seg.index} cannot be mapped`);
  if (bssInLastPage) mm.populate(fileEnd, new Uint8Array(Math.min(filePagesEnd, end) - fileEnd));
  if (pageUp(end) > filePagesEnd) {
    const anonymous = mm.mapAnonymous(filePagesEnd, pageUp(end) - filePagesEnd, prot, 0, "replace");
    if (anonymous < 0) throw new ElfError(`segment ${seg.index} cannot be mapped`);
  }
  return true;
}

/** Registers as a new program starts (execve's start_thread): all zero but RSP and RIP. */
export function enterProgram(cpu: Cpu, loaded: LoadedProgram): void {
  cpu.r.fill(0);
  cpu.setRegFromNumber(RSP, loaded.sp);
  cpu.rip = loaded.entry;
  cpu.fsBase = 0;
  cpu.gsBase = 0;
  cpu.cpl = 3;
  cpu.mmu.user = true;
}

/**
 * Map `image` into the empty address space `mm` with its stack (argv, envp, auxv) as
 * load_elf_binary does; mm.stackLimit must already hold RLIMIT_STACK. Throws ElfError when the
 * image does not fit.
 */
export function loadImage(
  mm: AddressSpace,
  image: ElfImage,
  file: Uint8Array,
  request: LoadRequest,
  creds: Credentials,
): LoadedProgram {
  const noRandomize = request.noRandomize ?? false;
  const exePath = request.realPath ?? request.exePath;

  const stackTop = TASK_SIZE - randomPages(STACK_RANDOM_PAGES, noRandomize);
  const gap = Math.min(Math.max(mm.stackLimit, MIN_GAP), (TASK_SIZE / 6) * 5);
  mm.mmapBase = pageDown(stackTop - gap - randomPages(MMAP_RANDOM_PAGES, noRandomize));

  // The stack first, so nothing is placed where it will grow.
  const stackProt = PROT_READ | PROT_WRITE | (image.executableStack ? PROT_EXEC : 0);
  const stackLow = stackTop - STACK_EXPAND;
  mm.mapAnonymous(stackLow, STACK_EXPAND, stackProt, VMA_GROWSDOWN, "replace", "[stack]");

  let base = 0;
  if (image.type === "dyn") {
    const span = image.spanEnd - image.spanStart;
    const slot = mm.findFreeTopDown(span + image.maxAlign);
    if (slot < 0) throw new ElfError("no room in the address space for the program");
    base = pageUp(slot) + ((image.maxAlign - (pageUp(slot) % image.maxAlign)) % image.maxAlign) -
      image.spanStart;
  }

  let highest = 0;
  const mappable = request.location === undefined ? null : mappableFile(request.location, exePath);
  for (const seg of image.loads) {
    const start = base + seg.vaddr;
    const pageStart = pageDown(start);
    const end = start + seg.memsz;
    if (mappable !== null && mapSegment(mm, mappable, seg, start, end)) {
      highest = Math.max(highest, pageUp(end));
      continue;
    }
    const mapped = mm.mapAnonymous(
      pageStart,
      pageUp(end) - pageStart,
      protOf(seg),
      0,
      "replace",
      exePath,
    );
    if (mapped < 0) throw new ElfError(`segment ${seg.index} cannot be mapped`);
    if (seg.filesz > 0) {
      // Whole file pages, as mmap of the file would show them, then the bss part zeroed.
      const fileStart = seg.offset - (start - pageStart);
      const fileEnd = Math.min(file.length, pageUp(seg.offset + seg.filesz));
      const bytes = file.slice(fileStart, fileEnd);
      const bssInPage = seg.memsz > seg.filesz ? start + seg.filesz - pageStart : bytes.length;
      bytes.fill(0, Math.min(bssInPage, bytes.length));
      mm.populate(pageStart, bytes);
    }
    highest = Math.max(highest, pageUp(end));
  }
  mm.brkStart = mm.brk = highest +
    (noRandomize ? 0 : randomPages(BRK_RANDOM_BYTES / PAGE_SIZE, false));

  const [, , , edx1] = cpuidLeaf(1, 0);
  const random16 = crypto.getRandomValues(new Uint8Array(16));
  const stack = buildInitialStack({
    stackTop,
    argv: request.argv,
    envp: request.envp,
    execFn: request.exePath,
    random16,
    stackRlimit: mm.stackLimit,
    randomOffset: noRandomize ? 0 : crypto.getRandomValues(new Uint16Array(1))[0] & 0x1ff0,
    auxv: auxvFor({
      minSigStackSize: SIGNAL_FRAME_MAX_SIZE,
      hwcap: edx1,
      phdr: image.phdrVaddr === null ? 0 : base + image.phdrVaddr,
      phnum: image.phnum,
      entry: base + image.entry,
      uid: creds.uid,
      euid: creds.euid,
      gid: creds.gid,
      egid: creds.egid,
    }),
  });
  if (stack.sp < stackLow) {
    mm.mapAnonymous(
      pageDown(stack.sp),
      stackLow - pageDown(stack.sp),
      stackProt,
      VMA_GROWSDOWN,
      "replace",
      "[stack]",
    );
  }
  mm.populate(stack.sp, stack.bytes);
  return { entry: base + image.entry, sp: stack.sp };
}
