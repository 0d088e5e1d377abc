// Fuzz inputs for the kernel, all derived from a seed so any case can be rebuilt from
// (seed, index): a small PRNG, an in-memory builder of minimal static ELF64 executables, random
// machine code (raw, or after instructions that load registers with random values and pointers),
// syscall-heavy streams (random numbers 0..470 with garbage arguments), and mutations of real
// binaries (header and program-header bit flips, interesting field values, swapped segments,
// truncation, body damage).

import { fileURLToPath } from "node:url";
import { PF_R, PF_W, PF_X, PT_GNU_STACK, PT_LOAD } from "../../kernel/exec/elf.ts";
import { syscallHandlers } from "../../kernel/syscalls/dispatch.ts";

export type FuzzKind = "code" | "syscall" | "elf";
export const FUZZ_KINDS: readonly FuzzKind[] = ["code", "syscall", "elf"];

/** One generated input: the ELF bytes and a one-line account of how they were made. */
export interface FuzzCase {
  kind: FuzzKind;
  seed: number;
  index: number;
  description: string;
  image: Uint8Array;
  /** Run with an strace callback, so the strace formatter sees the garbage arguments too. */
  strace: boolean;
}

/** A real program whose mutations are fuzzed. */
export interface CorpusEntry {
  name: string;
  bytes: Uint8Array;
}

// ---- randomness -------------------------------------------------------------------------------

/** mulberry32: tiny, fast and good enough to make every case reproducible from its seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  u32(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n) for n <= 2^32. */
  below(n: number): number {
    return Math.floor((this.u32() / 2 ** 32) * n);
  }

  /** An integer in [low, high]. */
  between(low: number, high: number): number {
    return low + this.below(high - low + 1);
  }

  chance(probability: number): boolean {
    return this.u32() / 2 ** 32 < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

const KIND_SALT: Record<FuzzKind, number> = { code: 0x1c0de, syscall: 0x5c411, elf: 0xe1f };

/** The seed of case `index` of a run seeded with `seed`: independent of every other case. */
export function caseSeed(seed: number, kind: FuzzKind, index: number): number {
  let h = Math.imul((seed >>> 0) ^ KIND_SALT[kind], 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (index >>> 0) ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// ---- a minimal static ELF64 -------------------------------------------------------------------

export const CODE_ADDRESS = 0x401000;
export const DATA_ADDRESS = 0x600000;
export const DATA_SIZE = 0x4000;
/** A zeroed read+write segment for the fault handler: its counter, then its signal stack. */
export const SCRATCH_ADDRESS = 0x700000;
export const SCRATCH_SIZE = 0x4000;
const PAGE = 4096;
const ELF_HEADER_SIZE = 64;
const PHDR_SIZE = 56;

export interface ElfLayout {
  /** Mapped read+execute at CODE_ADDRESS; the entry point is its first byte. */
  code: Uint8Array;
  /** A read+write segment at DATA_ADDRESS: these bytes, then zeros up to DATA_SIZE. */
  data?: Uint8Array;
  /** Add the zeroed SCRATCH_ADDRESS segment. */
  scratch?: boolean;
  /** PT_GNU_STACK: absent, or present with a non-executable or executable stack. */
  stack?: "absent" | "nx" | "exec";
}

interface ProgramHeader {
  type: number;
  flags: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  align: number;
}

function pageCeil(value: number): number {
  return Math.ceil(value / PAGE) * PAGE;
}

/** An ET_EXEC ELF64 for x86-64 holding `layout`, as a linker would write it. */
export function buildElf(layout: ElfLayout): Uint8Array {
  const headers: ProgramHeader[] = [{
    type: PT_LOAD,
    flags: PF_R | PF_X,
    offset: PAGE,
    vaddr: CODE_ADDRESS,
    filesz: layout.code.length,
    memsz: layout.code.length,
    align: PAGE,
  }];
  const dataOffset = pageCeil(PAGE + layout.code.length);
  if (layout.data !== undefined) {
    headers.push({
      type: PT_LOAD,
      flags: PF_R | PF_W,
      offset: dataOffset,
      vaddr: DATA_ADDRESS,
      filesz: layout.data.length,
      memsz: Math.max(DATA_SIZE, layout.data.length),
      align: PAGE,
    });
  }
  if (layout.scratch) {
    headers.push({
      type: PT_LOAD,
      flags: PF_R | PF_W,
      offset: 0,
      vaddr: SCRATCH_ADDRESS,
      filesz: 0,
      memsz: SCRATCH_SIZE,
      align: PAGE,
    });
  }
  if (layout.stack !== undefined && layout.stack !== "absent") {
    const flags = PF_R | PF_W | (layout.stack === "exec" ? PF_X : 0);
    headers.push({
      type: PT_GNU_STACK,
      flags,
      offset: 0,
      vaddr: 0,
      filesz: 0,
      memsz: 0,
      align: 16,
    });
  }
  const size = layout.data === undefined
    ? PAGE + layout.code.length
    : dataOffset + layout.data.length;
  const file = new Uint8Array(size);
  const view = new DataView(file.buffer);
  file.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]); // ELF, 64-bit, little-endian, version 1, SysV
  view.setUint16(16, 2, true); // ET_EXEC
  view.setUint16(18, 62, true); // EM_X86_64
  view.setUint32(20, 1, true);
  view.setBigUint64(24, BigInt(CODE_ADDRESS), true);
  view.setBigUint64(32, BigInt(ELF_HEADER_SIZE), true);
  view.setUint16(52, ELF_HEADER_SIZE, true);
  view.setUint16(54, PHDR_SIZE, true);
  view.setUint16(56, headers.length, true);
  view.setUint16(58, 64, true);
  headers.forEach((h, i) => {
    const at = ELF_HEADER_SIZE + i * PHDR_SIZE;
    view.setUint32(at, h.type, true);
    view.setUint32(at + 4, h.flags, true);
    view.setBigUint64(at + 8, BigInt(h.offset), true);
    view.setBigUint64(at + 16, BigInt(h.vaddr), true);
    view.setBigUint64(at + 24, BigInt(h.vaddr), true);
    view.setBigUint64(at + 32, BigInt(h.filesz), true);
    view.setBigUint64(at + 40, BigInt(h.memsz), true);
    view.setBigUint64(at + 48, BigInt(h.align), true);
  });
  file.set(layout.code, PAGE);
  if (layout.data !== undefined) file.set(layout.data, dataOffset);
  return file;
}

// ---- machine code -----------------------------------------------------------------------------

const RAX = 0, RDX = 2, RSP = 4, RBP = 5, RSI = 6, RDI = 7, R8 = 8, R9 = 9, R10 = 10;
/** The syscall argument registers, in order. */
const SYSCALL_ARGS = [RDI, RSI, RDX, R10, R8, R9];

/** Appends x86-64 instructions as bytes. */
class Assembler {
  private readonly out: number[] = [];

  /** mov r64, imm64 */
  movImm64(reg: number, value: bigint): void {
    this.out.push(0x48 | (reg >> 3), 0xb8 + (reg & 7));
    for (let i = 0n; i < 64n; i += 8n) this.out.push(Number((value >> i) & 0xffn));
  }

  /** mov r32, imm32 (zero-extends into the full register) */
  movImm32(reg: number, value: number): void {
    if (reg >= 8) this.out.push(0x41);
    this.out.push(
      0xb8 + (reg & 7),
      value & 0xff,
      (value >>> 8) & 0xff,
      (value >>> 16) & 0xff,
      value >>> 24,
    );
  }

  /** movq xmm, r64 */
  movqToXmm(xmm: number, reg: number): void {
    this.out.push(0x66, 0x48 | ((xmm >> 3) << 2) | (reg >> 3), 0x0f, 0x6e);
    this.out.push(0xc0 | ((xmm & 7) << 3) | (reg & 7));
  }

  syscall(): void {
    this.out.push(0x0f, 0x05);
  }

  raw(bytes: ArrayLike<number>): void {
    for (let i = 0; i < bytes.length; i++) this.out.push(bytes[i]);
  }

  get length(): number {
    return this.out.length;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** Values that sit on boundaries: sign bits, 32-bit and 47-bit edges, pages, all ones. */
export const INTERESTING_VALUES: readonly bigint[] = [
  0n,
  1n,
  2n,
  0x7fn,
  0x80n,
  0xffn,
  0xfffn,
  0x1000n,
  0x7fffn,
  0x8000n,
  0xffffn,
  0x10000n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x10000000000n,
  0x7ffffffff000n,
  0x7fffffffffffn,
  0x800000000000n,
  0xffff800000000000n,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  0xfffffffffffff000n,
  0xfffffffffffffffen,
  0xffffffffffffffffn,
];

/** A register value for random code: boundary values, small numbers, pointers into the image. */
function registerValue(rng: Rng): bigint {
  switch (rng.below(8)) {
    case 0:
      return rng.pick(INTERESTING_VALUES);
    case 1:
      return BigInt(rng.below(65));
    case 2:
    case 3:
      return BigInt(DATA_ADDRESS + (rng.below(DATA_SIZE) & ~7));
    case 4:
      return BigInt(DATA_ADDRESS + DATA_SIZE - rng.below(32)); // straddles the end of data
    case 5:
      return BigInt(CODE_ADDRESS + rng.below(256));
    case 6:
      return BigInt(rng.u32());
    default:
      return rng.u64();
  }
}

/** Instructions loading random values into the registers, RSP/RBP into the data segment. */
function primeRegisters(rng: Rng, asm: Assembler): void {
  for (let reg = 0; reg < 16; reg++) {
    if (reg === RSP || !rng.chance(0.8)) continue;
    asm.movImm64(reg, registerValue(rng));
  }
  for (let xmm = 0; xmm < 16; xmm++) {
    if (rng.chance(0.3)) asm.movqToXmm(xmm, rng.below(16));
  }
  const middle = BigInt(DATA_ADDRESS + DATA_SIZE / 2);
  if (rng.chance(0.7)) asm.movImm64(RSP, middle);
  if (rng.chance(0.5)) asm.movImm64(RBP, middle + 0x100n);
}

/** Prefixes and opcode escapes that reach the decoder's larger tables. */
const HOT_BYTES = [0x0f, 0x66, 0xf2, 0xf3, 0x48, 0x4c, 0xf0, 0x38, 0x3a, 0xc4, 0xc5, 0xd9, 0xdd];

const FAULT_SIGNALS = [4, 5, 7, 8, 11]; // SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV
/** SA_SIGINFO | SA_RESTORER | SA_ONSTACK | SA_NODEFER */
const HANDLER_FLAGS = 0x4c000004;
/** Faults the handler skips before the program exits with FAULT_BUDGET_STATUS. */
const FAULT_BUDGET = 100;
const FAULT_BUDGET_STATUS = 99;
/** uc_mcontext.rip inside struct ucontext. */
const UCONTEXT_RIP = 0xa8;

function le32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, value >>> 24];
}

/**
 * Code for the start of the program that makes random code survive its faults: an alternate
 * signal stack in the scratch segment and one SA_SIGINFO handler for SIGILL, SIGTRAP, SIGBUS,
 * SIGFPE and SIGSEGV that moves the interrupted RIP `skip` bytes on and returns through
 * rt_sigreturn, until FAULT_BUDGET faults have been taken. Every fault then exercises signal
 * delivery and sigreturn with whatever state the random code left.
 */
export function faultHandlerPrologue(skip: number): Uint8Array {
  const counter = SCRATCH_ADDRESS;
  const handler = [
    ...[0x48, 0xff, 0x04, 0x25, ...le32(counter)], // inc qword [counter]
    ...[0x48, 0x83, 0x3c, 0x25, ...le32(counter), FAULT_BUDGET], // cmp qword [counter], budget
    ...[0x73, 0x09], // jae give_up
    ...[0x48, 0x83, 0x82, ...le32(UCONTEXT_RIP), skip], // add qword [rdx + rip], skip
    0xc3, // ret (into the restorer)
    ...[0xb8, ...le32(231), 0xbf, ...le32(FAULT_BUDGET_STATUS), 0x0f, 0x05], // give_up: exit_group
  ];
  const restorer = [0xb8, ...le32(15), 0x0f, 0x05]; // rt_sigreturn
  const setup = (handlerAddress: number): number[] => {
    const bytes = [
      ...[0x68, ...le32(SCRATCH_SIZE - PAGE)], // push ss_size
      ...[0x6a, 0x00], // push ss_flags 0
      ...[0x68, ...le32(SCRATCH_ADDRESS + PAGE)], // push ss_sp
      ...[0x48, 0x89, 0xe7, 0x31, 0xf6], // mov rdi, rsp; xor esi, esi
      ...[0xb8, ...le32(131), 0x0f, 0x05], // sigaltstack(&ss, NULL)
      ...[0x48, 0x83, 0xc4, 24], // add rsp, 24
    ];
    const restorerAddress = handlerAddress + handler.length;
    for (const sig of FAULT_SIGNALS) {
      bytes.push(0x6a, 0x00); // push sa_mask 0
      bytes.push(0x68, ...le32(restorerAddress), 0x68, ...le32(HANDLER_FLAGS));
      bytes.push(0x68, ...le32(handlerAddress));
      bytes.push(0x48, 0x89, 0xe6, 0xbf, ...le32(sig), 0x31, 0xd2); // mov rsi, rsp; edi; edx 0
      bytes.push(0x41, 0xba, ...le32(8), 0xb8, ...le32(13), 0x0f, 0x05); // rt_sigaction
      bytes.push(0x48, 0x83, 0xc4, 32); // add rsp, 32
    }
    const stubs = handler.length + restorer.length;
    bytes.push(0xe9, ...le32(stubs)); // jmp over the handler and restorer
    return bytes;
  };
  const setupLength = setup(0).length;
  return Uint8Array.from([...setup(CODE_ADDRESS + setupLength), ...handler, ...restorer]);
}

/** Random bytes, a quarter of them prefixes and escapes when `hot`. */
function randomCode(rng: Rng, length: number, hot: boolean): Uint8Array {
  const code = rng.bytes(length);
  if (hot) {
    for (let i = 0; i < length; i++) if (rng.below(4) === 0) code[i] = rng.pick(HOT_BYTES);
  }
  return code;
}

/** Data words a syscall finds useful: zeros, small counts, pointers back into the data. */
function dataImage(rng: Rng): Uint8Array {
  const words = DATA_SIZE / 8;
  const view = new DataView(new ArrayBuffer(DATA_SIZE));
  for (let i = 0; i < words; i++) {
    const kind = rng.below(20);
    const value = kind < 8
      ? 0n
      : kind < 12
      ? BigInt(rng.below(3))
      : kind < 15
      ? BigInt(DATA_ADDRESS + (rng.below(DATA_SIZE) & ~7))
      : kind < 17
      ? BigInt(rng.between(1, 256))
      : rng.u64();
    view.setBigUint64(i * 8, value, true);
  }
  return new Uint8Array(view.buffer);
}

let handledNumbers: number[] | null = null;

/** The syscall numbers the kernel has a handler for (the rest answer ENOSYS at once). */
function handledSyscalls(): number[] {
  return handledNumbers ??= syscallHandlers().flatMap((handler, nr) =>
    handler === undefined ? [] : [nr]
  );
}

/**
 * A syscall number: Linux's range 0..470, half the time one the kernel implements; sometimes
 * beyond the table or with high bits set.
 */
function syscallNumber(rng: Rng): bigint {
  const roll = rng.below(40);
  if (roll === 0) return rng.u64();
  if (roll === 1) return 0x40000000n + BigInt(rng.below(471)); // the x32 ABI bit
  if (roll === 2) return (1n << 32n) + BigInt(rng.below(471)); // high half set: not a syscall
  if (roll === 3) return BigInt(rng.between(471, 1024));
  if (roll < 22) return BigInt(rng.pick(handledSyscalls()));
  return BigInt(rng.below(471));
}

function codeCase(rng: Rng): { description: string; layout: ElfLayout } {
  const survivesFaults = rng.chance(0.3);
  const skip = rng.between(1, 3);
  const primed = rng.chance(0.6);
  const hot = rng.chance(0.5);
  const length = rng.between(16, 4096);
  const asm = new Assembler();
  if (survivesFaults) asm.raw(faultHandlerPrologue(skip));
  if (primed) primeRegisters(rng, asm);
  asm.raw(randomCode(rng, length, hot));
  const data = rng.chance(0.6)
    ? (rng.chance(0.5) ? dataImage(rng) : rng.bytes(rng.below(DATA_SIZE)))
    : undefined;
  const stack = rng.pick(["absent", "nx", "exec"] as const);
  const description = `random code: ${length} ${hot ? "prefix-heavy " : ""}bytes` +
    `${primed ? " after register setup" : ""}` +
    `${
      survivesFaults
        ? `, faults skipped by ${skip} (exit ${FAULT_BUDGET_STATUS} after ${FAULT_BUDGET})`
        : ""
    }` +
    `${data ? ", data segment" : ""}, stack ${stack}`;
  return { description, layout: { code: asm.bytes(), data, stack, scratch: survivesFaults } };
}

function syscallCase(rng: Rng): { description: string; layout: ElfLayout } {
  const asm = new Assembler();
  primeRegisters(rng, asm);
  const calls = rng.between(8, 160);
  const junkRate = rng.chance(0.5) ? 0 : rng.below(30) / 100;
  for (let i = 0; i < calls; i++) {
    const nr = syscallNumber(rng);
    if (nr < 0x80000000n) asm.movImm32(RAX, Number(nr));
    else asm.movImm64(RAX, nr);
    for (const reg of SYSCALL_ARGS) if (rng.chance(0.7)) asm.movImm64(reg, registerValue(rng));
    asm.syscall();
    if (rng.chance(junkRate)) asm.raw(randomCode(rng, rng.between(1, 6), true));
  }
  asm.movImm32(RAX, 231); // exit_group(random status)
  asm.movImm32(RDI, rng.below(256));
  asm.syscall();
  const description = `syscall stream: ${calls} calls, ${Math.round(junkRate * 100)}% junk`;
  return { description, layout: { code: asm.bytes(), data: dataImage(rng), stack: "nx" } };
}

// ---- mutated ELF files ------------------------------------------------------------------------

interface Field {
  name: string;
  offset: number;
  size: 1 | 2 | 4 | 8;
}

const HEADER_FIELDS: readonly Field[] = [
  { name: "EI_CLASS", offset: 4, size: 1 },
  { name: "EI_DATA", offset: 5, size: 1 },
  { name: "EI_VERSION", offset: 6, size: 1 },
  { name: "EI_OSABI", offset: 7, size: 1 },
  { name: "e_type", offset: 16, size: 2 },
  { name: "e_machine", offset: 18, size: 2 },
  { name: "e_version", offset: 20, size: 4 },
  { name: "e_entry", offset: 24, size: 8 },
  { name: "e_phoff", offset: 32, size: 8 },
  { name: "e_shoff", offset: 40, size: 8 },
  { name: "e_flags", offset: 48, size: 4 },
  { name: "e_ehsize", offset: 52, size: 2 },
  { name: "e_phentsize", offset: 54, size: 2 },
  { name: "e_phnum", offset: 56, size: 2 },
  { name: "e_shentsize", offset: 58, size: 2 },
  { name: "e_shnum", offset: 60, size: 2 },
  { name: "e_shstrndx", offset: 62, size: 2 },
];

const PHDR_FIELDS: readonly Field[] = [
  { name: "p_type", offset: 0, size: 4 },
  { name: "p_flags", offset: 4, size: 4 },
  { name: "p_offset", offset: 8, size: 8 },
  { name: "p_vaddr", offset: 16, size: 8 },
  { name: "p_paddr", offset: 24, size: 8 },
  { name: "p_filesz", offset: 32, size: 8 },
  { name: "p_memsz", offset: 40, size: 8 },
  { name: "p_align", offset: 48, size: 8 },
];

/** PT_NULL, LOAD, DYNAMIC, INTERP, NOTE, SHLIB, PHDR, TLS, GNU_EH_FRAME, GNU_STACK, GNU_RELRO,
 * GNU_PROPERTY and a few nobody defines. */
const SEGMENT_TYPES = [
  0,
  1,
  2,
  3,
  4,
  5,
  6,
  7,
  0x6474e550,
  0x6474e551,
  0x6474e552,
  0x6474e553,
  0x60000000,
  0x7fffffff,
  0xffffffff,
];

function readField(view: DataView, at: number, size: Field["size"]): bigint {
  if (size === 1) return BigInt(view.getUint8(at));
  if (size === 2) return BigInt(view.getUint16(at, true));
  if (size === 4) return BigInt(view.getUint32(at, true));
  return view.getBigUint64(at, true);
}

function writeField(view: DataView, at: number, size: Field["size"], value: bigint): void {
  const v = BigInt.asUintN(size * 8, value);
  if (size === 1) view.setUint8(at, Number(v));
  else if (size === 2) view.setUint16(at, Number(v), true);
  else if (size === 4) view.setUint32(at, Number(v), true);
  else view.setBigUint64(at, v, true);
}

/** A replacement for a field holding `original`: a boundary value or a near miss of it. */
function interestingValue(rng: Rng, original: bigint): bigint {
  switch (rng.below(6)) {
    case 0:
    case 1:
      return rng.pick(INTERESTING_VALUES);
    case 2:
      return original + BigInt(rng.between(-16, 16));
    case 3:
      return original + BigInt(rng.pick([-PAGE, PAGE, -1, 1]) * rng.between(1, 4)) +
        BigInt(rng.pick([0, 0, PAGE - 1]));
    case 4:
      return original ^ (1n << BigInt(rng.below(64)));
    default:
      return rng.pick([original * 2n, original / 2n, 1n << BigInt(rng.below(64)), rng.u64()]);
  }
}

function hexBig(value: bigint): string {
  return "0x" + value.toString(16);
}

/** Where the program-header table is, clipped to the file; null when it is not there at all. */
function phdrTable(view: DataView): { offset: number; count: number } | null {
  if (view.byteLength < ELF_HEADER_SIZE) return null;
  const phoff = view.getBigUint64(32, true);
  const count = view.getUint16(56, true);
  if (phoff >= BigInt(view.byteLength)) return null;
  const offset = Number(phoff);
  const fits = Math.floor((view.byteLength - offset) / PHDR_SIZE);
  return fits > 0 ? { offset, count: Math.min(count, fits) } : null;
}

/** Apply one random mutation to `file` (in place, or a shorter copy); describe it. */
function mutateOnce(rng: Rng, file: Uint8Array): { file: Uint8Array; what: string } {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const table = phdrTable(view);
  const kind = rng.below(20);
  if (kind < 3 && file.length > 0) {
    const inTable = table !== null && rng.chance(0.6);
    const span = inTable ? table.count * PHDR_SIZE : Math.min(file.length, ELF_HEADER_SIZE);
    const at = (inTable ? table.offset : 0) + rng.below(span);
    const bit = rng.below(8);
    file[at] ^= 1 << bit;
    return { file, what: `flip bit ${bit} of byte ${at}` };
  }
  if (kind < 5 && file.length > 0) {
    const span = table !== null ? table.offset + table.count * PHDR_SIZE : file.length;
    const at = rng.below(Math.min(span, file.length));
    const value = rng.u32() & 0xff;
    file[at] = value;
    return { file, what: `byte ${at}=0x${value.toString(16)}` };
  }
  if (kind < 8 && file.length >= ELF_HEADER_SIZE) {
    const field = rng.pick(HEADER_FIELDS);
    const value = interestingValue(rng, readField(view, field.offset, field.size));
    writeField(view, field.offset, field.size, value);
    return { file, what: `${field.name}=${hexBig(BigInt.asUintN(field.size * 8, value))}` };
  }
  if (kind < 13 && table !== null) {
    const index = rng.below(table.count);
    const at = table.offset + index * PHDR_SIZE;
    if (rng.chance(0.2)) {
      const type = rng.pick(SEGMENT_TYPES);
      view.setUint32(at, type, true);
      return { file, what: `phdr[${index}].p_type=0x${type.toString(16)}` };
    }
    const field = rng.pick(PHDR_FIELDS);
    const value = interestingValue(rng, readField(view, at + field.offset, field.size));
    writeField(view, at + field.offset, field.size, value);
    const shown = hexBig(BigInt.asUintN(field.size * 8, value));
    return { file, what: `phdr[${index}].${field.name}=${shown}` };
  }
  if (kind < 15 && table !== null && table.count >= 2) {
    const a = rng.below(table.count);
    const b = (a + 1 + rng.below(table.count - 1)) % table.count;
    const atA = table.offset + a * PHDR_SIZE, atB = table.offset + b * PHDR_SIZE;
    if (rng.chance(0.5)) {
      const saved = file.slice(atA, atA + PHDR_SIZE);
      file.copyWithin(atA, atB, atB + PHDR_SIZE);
      file.set(saved, atB);
      return { file, what: `swap phdr[${a}] and phdr[${b}]` };
    }
    const field = rng.pick(PHDR_FIELDS);
    const valueA = readField(view, atA + field.offset, field.size);
    writeField(
      view,
      atA + field.offset,
      field.size,
      readField(view, atB + field.offset, field.size),
    );
    writeField(view, atB + field.offset, field.size, valueA);
    return { file, what: `swap ${field.name} of phdr[${a}] and phdr[${b}]` };
  }
  if (kind < 17 && file.length > 0) {
    const cut = rng.chance(0.5)
      ? rng.below(Math.min(file.length, 2 * PAGE))
      : rng.below(file.length);
    return { file: file.slice(0, cut), what: `truncate to ${cut}` };
  }
  const count = rng.between(1, 64);
  for (let i = 0; i < count && file.length > 0; i++) {
    file[rng.below(file.length)] = rng.u32() & 0xff;
  }
  return { file, what: `${count} random bytes anywhere` };
}

/** 1-4 random mutations of `base`; the description lists them in order. */
export function mutateElf(rng: Rng, base: Uint8Array): { image: Uint8Array; changes: string } {
  let file: Uint8Array = base.slice();
  const changes: string[] = [];
  const count = rng.between(1, 4);
  for (let i = 0; i < count; i++) {
    const step = mutateOnce(rng, file);
    file = step.file;
    changes.push(step.what);
  }
  return { image: file, changes: changes.join("; ") };
}

// ---- corpus and cases -------------------------------------------------------------------------

const GUEST_BIN = fileURLToPath(new URL("../guest/bin/", import.meta.url));
export const BUSYBOX = "/bin/busybox";

/** The committed musl test programs and Debian's busybox when installed, in a fixed order. */
export function loadCorpus(): CorpusEntry[] {
  const corpus: CorpusEntry[] = [];
  const names = [...Deno.readDirSync(GUEST_BIN)].filter((e) => e.isFile).map((e) => e.name).sort();
  for (const name of names) corpus.push({ name, bytes: Deno.readFileSync(GUEST_BIN + name) });
  try {
    corpus.push({ name: "busybox", bytes: Deno.readFileSync(BUSYBOX) });
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return corpus;
}

/** Case `index` of kind `kind` of the run seeded with `seed`. The corpus is used for "elf". */
export function makeCase(
  kind: FuzzKind,
  seed: number,
  index: number,
  corpus: readonly CorpusEntry[],
): FuzzCase {
  const rng = new Rng(caseSeed(seed, kind, index));
  const strace = rng.chance(0.25);
  if (kind === "elf") {
    // A generated program is a base too: small, fast, and every byte of it is known.
    const useGenerated = corpus.length === 0 || rng.chance(0.25);
    const generated = useGenerated ? codeCase(rng) : null;
    const base = generated !== null
      ? { name: "generated", bytes: buildElf(generated.layout) }
      : rng.pick(corpus);
    const { image, changes } = mutateElf(rng, base.bytes);
    const description = `mutated ${base.name}: ${changes}`;
    return { kind, seed, index, description, image, strace };
  }
  const made = kind === "code" ? codeCase(rng) : syscallCase(rng);
  return { kind, seed, index, description: made.description, image: buildElf(made.layout), strace };
}
