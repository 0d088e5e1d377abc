// ELF64 parsing and validation for program loading: the pure half of execve that turns a file's
// bytes into a checked description of what to map. No CPU, no memory, no allocation policy.
//
// parseElf(bytes) accepts only what NexaOS can run: ELF64, little-endian, x86-64, ET_EXEC or
// ET_DYN (static-PIE) without PT_INTERP. Everything a hostile file controls is validated, and each
// problem is reported as an ElfError whose message is one line naming it. Every number in an
// ElfImage is an exact integer below 2^47, so a loader can add and compare without overflow.
//
// What the loader does with an ElfImage (this mirrors Linux's load_elf_binary/elf_load):
// - ET_EXEC: map each `loads` segment at its vaddr. ET_DYN: pick a base (a multiple of maxAlign)
//   such that [base + spanStart, base + spanEnd) is free and below USER_ADDRESS_LIMIT, then add the
//   base to every vaddr, to `entry` and to `phdrVaddr`.
// - A segment occupies the pages [floor(vaddr), ceil(vaddr + memsz)). Linux maps whole file pages:
//   file bytes [offset - vaddr % 4096, offset + filesz) appear at floor(vaddr) onwards (so the ELF
//   header is visible in the first page), and when memsz > filesz the rest of the page after
//   vaddr + filesz is zeroed, followed by zero pages up to the segment's end (the .bss).
// - Two segments may share a page at their boundary (only their byte ranges must not overlap);
//   Linux maps them in program-header order, so the later one's protection wins on that page.
// - Protections come from readable/writable/executable; the stack is executable only when
//   executableStack is true (PT_GNU_STACK with PF_X; on x86-64 the default is non-executable).
// - AT_PHDR is phdrVaddr (+ base), AT_PHENT is phentsize, AT_PHNUM is phnum, AT_ENTRY is entry.
//
// Deliberate differences from Linux: Linux accepts some files that cannot run correctly (entry
// point outside executable memory, overlapping segments, non-power-of-two alignments, segments
// below vm.mmap_min_addr); these are rejected here with a clear message instead of a later crash.
// Only page congruence of vaddr and offset is required (what mmap needs), as Linux does, even when
// p_align is larger than a page.

export const PAGE_SIZE = 4096;
/** Linux x86-64 TASK_SIZE_MAX: the first address above user space (2^47 minus one guard page). */
export const USER_ADDRESS_LIMIT = 0x7ffffffff000;
/** Lowest address a process may map (Linux's default vm.mmap_min_addr). */
export const MIN_MAPPABLE_ADDRESS = 0x10000;
/** A segment larger than this (1 TiB) is treated as a hostile file, not a program. */
export const MAX_SEGMENT_SIZE = 2 ** 40;
export const MAX_PROGRAM_HEADERS = 1024;
const MAX_ALIGNMENT = 2 ** 30;
const ELF_HEADER_SIZE = 64;
const PROGRAM_HEADER_SIZE = 56;
const KERNEL_HALF = 2 ** 47;
const PATH_MAX = 4096;

export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

const EM_X86_64 = 62;
const ET_EXEC = 2;
const ET_DYN = 3;

const MACHINE_NAMES: Record<number, string> = {
  2: "SPARC",
  3: "i386",
  8: "MIPS",
  20: "PowerPC",
  21: "PowerPC64",
  22: "S/390",
  40: "ARM",
  43: "SPARC64",
  50: "IA-64",
  183: "AArch64",
  243: "RISC-V",
  258: "LoongArch",
};
const TYPE_NAMES: Record<number, string> = { 0: "NONE", 1: "REL", 4: "CORE" };

/** A file that cannot be loaded; the message is one line naming the problem. */
export class ElfError extends Error {
  override name = "ElfError";
}

/** One PT_LOAD segment with a non-zero memory size. `index` is its program-header index. */
export interface ElfSegment {
  index: number;
  vaddr: number;
  memsz: number;
  filesz: number;
  /** File offset of the segment's first byte; meaningful only when filesz > 0. */
  offset: number;
  /** p_align as written (0 or 1 mean none); always 0, 1 or a power of two up to 1 GiB. */
  align: number;
  readable: boolean;
  writable: boolean;
  executable: boolean;
}

/** The PT_TLS template, read by libc from memory: filesz bytes at vaddr (.tdata), then zeros up
 * to memsz (.tbss). Linux ignores PT_TLS; it is checked here only for sane sizes. */
export interface ElfTls {
  index: number;
  vaddr: number;
  memsz: number;
  filesz: number;
  align: number;
}

export interface ElfImage {
  /** "exec" = ET_EXEC at fixed addresses; "dyn" = ET_DYN (static-PIE), vaddrs relative to a base. */
  type: "exec" | "dyn";
  entry: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  /** The raw program-header table (a view into the input bytes). */
  programHeaders: Uint8Array;
  /**
   * Where the program headers are in memory (AT_PHDR before adding an ET_DYN base): PT_PHDR's
   * vaddr, else the address of file offset phoff inside the PT_LOAD that maps it, else null (the
   * table is not mapped; Linux then passes AT_PHDR 0).
   */
  phdrVaddr: number | null;
  /** PT_LOAD segments with memsz > 0, sorted by vaddr, pairwise disjoint (a segment with
   * memsz 0 maps nothing in Linux and is left out). */
  loads: ElfSegment[];
  executableStack: boolean;
  tls: ElfTls | null;
  /** Page-aligned bounds of all loads: spanStart = floor of the lowest vaddr, spanEnd = ceil of the
   * highest end. */
  spanStart: number;
  spanEnd: number;
  /** The base alignment an ET_DYN load must honour: max(PAGE_SIZE, largest p_align of a load). */
  maxAlign: number;
}

function hex(value: number): string {
  return "0x" + value.toString(16);
}

/** For 0 < value <= 2^30 (checked by the caller), so the bit test stays in 32-bit range. */
function isPowerOfTwo(value: number): boolean {
  return (value & (value - 1)) === 0;
}

function pageFloor(value: number): number {
  return value - (value % PAGE_SIZE);
}

function pageCeil(value: number): number {
  const rest = value % PAGE_SIZE;
  return rest === 0 ? value : value + PAGE_SIZE - rest;
}

/** Little-endian field reader. 64-bit fields of 2^53 or more read as Infinity, so they fail every
 * range check without losing precision; messages show such fields through hex64(). */
class FieldReader {
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  u16(offset: number): number {
    return this.view.getUint16(offset, true);
  }

  u32(offset: number): number {
    return this.view.getUint32(offset, true);
  }

  u64(offset: number): number {
    const high = this.view.getUint32(offset + 4, true);
    if (high >= 0x200000) return Infinity;
    return high * 2 ** 32 + this.view.getUint32(offset, true);
  }

  hex64(offset: number): string {
    const high = this.view.getUint32(offset + 4, true);
    const low = this.view.getUint32(offset, true);
    if (high === 0) return hex(low);
    return "0x" + high.toString(16) + low.toString(16).padStart(8, "0");
  }
}

interface RawProgramHeader {
  index: number;
  /** Byte offset of this header in the file, for hex64() in messages. */
  at: number;
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

function checkIdent(bytes: Uint8Array): void {
  if (
    bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c ||
    bytes[3] !== 0x46
  ) {
    throw new ElfError("not an ELF file");
  }
  if (bytes.length < 7) throw new ElfError(`truncated: the file is only ${bytes.length} bytes`);
  const elfClass = bytes[4], encoding = bytes[5], version = bytes[6];
  if (elfClass === 1) throw new ElfError("ELF class is 32-bit; only ELF64 is supported");
  if (elfClass !== 2) throw new ElfError(`ELF class ${elfClass} is invalid`);
  if (encoding === 2) {
    throw new ElfError("ELF data encoding is big-endian; only little-endian is supported");
  }
  if (encoding !== 1) throw new ElfError(`ELF data encoding ${encoding} is invalid`);
  if (version !== 1) throw new ElfError(`ELF identification version ${version} is not 1`);
  if (bytes.length < ELF_HEADER_SIZE) {
    throw new ElfError(
      `truncated: the ELF header needs ${ELF_HEADER_SIZE} bytes but the file has ${bytes.length}`,
    );
  }
}

/**
 * Where the program headers of the ELF file starting with `head` end: how much of the file
 * parseElf needs. 0 when `head` does not hold a whole ELF64 header (parseElf then says why).
 */
export function programHeadersEnd(head: Uint8Array): number {
  if (head.length < ELF_HEADER_SIZE || head[0] !== 0x7f || head[1] !== 0x45) return 0;
  const fields = new FieldReader(head);
  return fields.u64(32) + fields.u16(56) * PROGRAM_HEADER_SIZE;
}

function readProgramHeader(fields: FieldReader, phoff: number, index: number): RawProgramHeader {
  const at = phoff + index * PROGRAM_HEADER_SIZE;
  return {
    index,
    at,
    type: fields.u32(at),
    flags: fields.u32(at + 4),
    offset: fields.u64(at + 8),
    vaddr: fields.u64(at + 16),
    filesz: fields.u64(at + 32),
    memsz: fields.u64(at + 40),
    align: fields.u64(at + 48),
  };
}

function interpreterPath(bytes: Uint8Array, header: RawProgramHeader): string {
  const { offset, filesz } = header;
  if (filesz < 2 || filesz > PATH_MAX || offset + filesz > bytes.length) return "";
  const raw = bytes.subarray(offset, offset + filesz);
  const end = raw.indexOf(0);
  const path = end < 0 ? raw : raw.subarray(0, end);
  // Only a plausible path is worth showing: printable ASCII, short enough for one line.
  const printable = path.every((b) => b >= 0x20 && b < 0x7f);
  if (!printable || path.length > 100) return "";
  return new TextDecoder().decode(path);
}

function checkSizes(header: RawProgramHeader, fields: FieldReader, what: string): void {
  if (header.memsz > MAX_SEGMENT_SIZE) {
    throw new ElfError(`${what} memory size ${fields.hex64(header.at + 40)} is absurd`);
  }
  if (header.filesz > header.memsz) {
    throw new ElfError(
      `${what} file size ${fields.hex64(header.at + 32)} exceeds its memory size ` +
        hex(header.memsz),
    );
  }
  if (header.align > MAX_ALIGNMENT) {
    throw new ElfError(`${what} alignment ${fields.hex64(header.at + 48)} is absurd`);
  }
  if (header.align > 1 && !isPowerOfTwo(header.align)) {
    throw new ElfError(`${what} alignment ${hex(header.align)} is not a power of two`);
  }
}

function checkLoad(
  header: RawProgramHeader,
  fields: FieldReader,
  fileLength: number,
  type: "exec" | "dyn",
): ElfSegment {
  const { index, vaddr, memsz, filesz, offset } = header;
  const what = `segment ${index}`;
  checkSizes(header, fields, what);
  if (vaddr >= KERNEL_HALF || vaddr + memsz > USER_ADDRESS_LIMIT) {
    throw new ElfError(
      `${what} reaches the kernel half (vaddr ${fields.hex64(header.at + 16)}, memory size ` +
        `${hex(memsz)}; user space ends at ${hex(USER_ADDRESS_LIMIT)})`,
    );
  }
  if (type === "exec" && vaddr < MIN_MAPPABLE_ADDRESS) {
    throw new ElfError(
      `${what} starts at ${hex(vaddr)}, below the lowest mappable address ` +
        `${hex(MIN_MAPPABLE_ADDRESS)} (vm.mmap_min_addr)`,
    );
  }
  if (filesz > 0) {
    if (offset + filesz > fileLength) {
      const start = fields.hex64(header.at + 8);
      const end = offset === Infinity ? "beyond" : hex(offset + filesz);
      throw new ElfError(
        `truncated: ${what} file bytes [${start}, ${end}) lie past the end of the file ` +
          `(${fileLength} bytes)`,
      );
    }
    if ((vaddr - offset) % PAGE_SIZE !== 0) {
      throw new ElfError(
        `${what} is not page-congruent: vaddr ${hex(vaddr)} and file offset ${hex(offset)} ` +
          `differ modulo ${PAGE_SIZE}`,
      );
    }
  }
  return {
    index,
    vaddr,
    memsz,
    filesz,
    offset: filesz > 0 ? offset : 0,
    align: header.align,
    readable: (header.flags & PF_R) !== 0,
    writable: (header.flags & PF_W) !== 0,
    executable: (header.flags & PF_X) !== 0,
  };
}

function checkTls(header: RawProgramHeader, fields: FieldReader): ElfTls {
  const what = `TLS segment ${header.index}`;
  checkSizes(header, fields, what);
  if (header.vaddr + header.memsz > USER_ADDRESS_LIMIT) {
    throw new ElfError(`${what} lies outside user space (vaddr ${fields.hex64(header.at + 16)})`);
  }
  const { index, vaddr, memsz, filesz, align } = header;
  return { index, vaddr, memsz, filesz, align };
}

/** Parses and validates an ELF64 x86-64 static executable. Throws ElfError on any problem. */
/**
 * Parse and validate an ELF executable. `bytes` must hold at least the headers; `fileSize` is
 * the whole file's size when `bytes` is only its beginning (execve reads no more than that).
 */
export function parseElf(bytes: Uint8Array, fileSize = bytes.length): ElfImage {
  checkIdent(bytes);
  const fields = new FieldReader(bytes);

  const machine = fields.u16(18);
  if (machine !== EM_X86_64) {
    const name = MACHINE_NAMES[machine] ?? "unknown";
    throw new ElfError(`ELF machine is ${name} (${machine}); only x86-64 is supported`);
  }
  const elfType = fields.u16(16);
  if (elfType !== ET_EXEC && elfType !== ET_DYN) {
    const name = TYPE_NAMES[elfType] ?? hex(elfType);
    throw new ElfError(`not an executable (ELF type ${name})`);
  }
  const type = elfType === ET_EXEC ? "exec" : "dyn";
  const version = fields.u32(20);
  if (version !== 1) throw new ElfError(`ELF version ${version} is not 1`);

  const entry = fields.u64(24);
  const phoff = fields.u64(32);
  const phentsize = fields.u16(54);
  const phnum = fields.u16(56);
  if (phentsize !== PROGRAM_HEADER_SIZE) {
    throw new ElfError(
      `program header entry size is ${phentsize} bytes; ELF64 needs ${PROGRAM_HEADER_SIZE}`,
    );
  }
  if (phnum === 0) throw new ElfError("no program headers");
  if (phnum > MAX_PROGRAM_HEADERS) {
    throw new ElfError(`${phnum} program headers is too many (limit ${MAX_PROGRAM_HEADERS})`);
  }
  if (phoff + phnum * PROGRAM_HEADER_SIZE > bytes.length) {
    const first = phoff >= bytes.length
      ? 0
      : Math.floor((bytes.length - phoff) / PROGRAM_HEADER_SIZE);
    throw new ElfError(`truncated: program header ${first} lies past the end of the file`);
  }

  const loads: ElfSegment[] = [];
  let phdrSegmentVaddr: number | null = null;
  let executableStack = false;
  let tls: ElfTls | null = null;
  for (let index = 0; index < phnum; index++) {
    const header = readProgramHeader(fields, phoff, index);
    switch (header.type) {
      case PT_INTERP: {
        const path = interpreterPath(bytes, header);
        throw new ElfError(
          `dynamically linked (PT_INTERP${path ? " " + path : ""}); ` +
            "only static programs can run yet",
        );
      }
      case PT_LOAD: {
        const segment = checkLoad(header, fields, fileSize, type);
        if (segment.memsz > 0) loads.push(segment);
        break;
      }
      case PT_PHDR:
        if (phdrSegmentVaddr === null) {
          if (header.vaddr >= USER_ADDRESS_LIMIT) {
            throw new ElfError(
              `PT_PHDR address ${fields.hex64(header.at + 16)} is outside user space`,
            );
          }
          phdrSegmentVaddr = header.vaddr;
        }
        break;
      case PT_GNU_STACK:
        // Linux lets the last PT_GNU_STACK decide.
        executableStack = (header.flags & PF_X) !== 0;
        break;
      case PT_TLS:
        if (tls === null) tls = checkTls(header, fields);
        break;
    }
  }
  if (loads.length === 0) throw new ElfError("no loadable segments (PT_LOAD)");

  // Sorted by vaddr for the checks below and for callers; `index` keeps program-header order,
  // which is Linux's mapping order.
  const sorted = [...loads].sort((a, b) => a.vaddr - b.vaddr);
  for (let k = 1; k < sorted.length; k++) {
    const previous = sorted[k - 1], current = sorted[k];
    if (current.vaddr < previous.vaddr + previous.memsz) {
      const [first, second] = [previous.index, current.index].sort((a, b) => a - b);
      throw new ElfError(`segments ${first} and ${second} overlap`);
    }
  }

  const entrySegment = sorted.find((s) =>
    s.executable && s.vaddr <= entry && entry < s.vaddr + s.memsz
  );
  if (!entrySegment) {
    throw new ElfError(`entry point ${fields.hex64(24)} is not in an executable segment`);
  }

  let phdrVaddr = phdrSegmentVaddr;
  if (phdrVaddr === null) {
    const holder = loads.find((s) => s.offset <= phoff && phoff < s.offset + s.filesz);
    if (holder) phdrVaddr = phoff - holder.offset + holder.vaddr;
  }

  const last = sorted[sorted.length - 1];
  let maxAlign = PAGE_SIZE;
  for (const segment of loads) maxAlign = Math.max(maxAlign, segment.align);

  return {
    type,
    entry,
    phoff,
    phentsize,
    phnum,
    programHeaders: bytes.subarray(phoff, phoff + phnum * PROGRAM_HEADER_SIZE),
    phdrVaddr,
    loads: sorted,
    executableStack,
    tls,
    spanStart: pageFloor(sorted[0].vaddr),
    spanEnd: pageCeil(last.vaddr + last.memsz),
    maxAlign,
  };
}
