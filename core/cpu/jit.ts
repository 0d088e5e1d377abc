// The block compiler: a hot decoded block becomes one JS function. Frequent instructions are
// emitted as JS source (core/cpu/jit-inline.ts); the rest call their handler directly with
// their RIP values as constants, so every call site sees a single handler and V8 can inline it.
//
// The function covers a region: the hot block plus the already-decoded blocks of the same page
// that its direct branches reach, so loops spanning several blocks run without returning to the
// run loop (while budget remains). All the region's blocks come from one physical page, so any
// write that invalidates one of them invalidates the entry block too, and the compiled function
// is dropped with it. Faults and retired-instruction counts behave exactly as in the interpreter.

import type { Cpu } from "./cpu.ts";
import type { Block } from "./icache.ts";
import { cond } from "./flags.ts";
import {
  type FlagProducer,
  fusedCondition,
  INLINE_PARAMS,
  inlineBranch,
  inlineInsn,
} from "./jit-inline.ts";

/**
 * Runs from the block's start until control leaves the region, cpu.stop is set or about
 * `budget` instructions have retired; returns how many retired. If it throws, the count of
 * instructions that retired before the faulting one is left in cpu.loopRetired.
 */
export type CompiledBlock = (cpu: Cpu, budget: number) => number;

/** Finds the decoded, valid, single-page block starting at a linear address of the same page. */
export type BlockFinder = (vaddr: number) => Block | undefined;

/** Blocks entered this many times are compiled. */
export const JIT_THRESHOLD = 32;

/** At most this many blocks per compiled region. */
const MAX_REGION = 12;

function endOf(block: Block): number {
  let end = block.vaddr;
  for (const insn of block.insns) end += insn.len;
  return end;
}

/** Where control can go after `block` without an indirect jump (linear addresses). */
function successors(block: Block): number[] {
  const end = endOf(block);
  const last = block.insns[block.insns.length - 1];
  const branch = inlineBranch(last, end);
  if (branch !== null) return branch.cc < 0 ? [branch.target] : [branch.target, end];
  return last.form !== null && last.form.branch ? [] : [end];
}

/**
 * The blocks a region starting at `entry` covers, entry first: the decoded blocks of its page
 * that lie on a loop through the entry (other blocks would only make the function larger,
 * and V8 optimizes larger functions later).
 */
function regionOf(entry: Block, find: BlockFinder): Block[] {
  const reached = [entry];
  if (entry.pages.length !== 1) return reached;
  for (let j = 0; j < reached.length && reached.length < MAX_REGION; j++) {
    for (const t of successors(reached[j])) {
      if (reached.length >= MAX_REGION || reached.some((b) => b.vaddr === t)) continue;
      const next = find(t);
      // A block that loops on itself runs faster as its own compiled loop.
      if (next !== undefined && !successors(next).includes(t)) reached.push(next);
    }
  }
  // Keep the blocks from which the entry can be reached again.
  const onLoop = new Set<Block>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const b of reached) {
      if (onLoop.has(b)) continue;
      const loops = successors(b).some((t) =>
        t === entry.vaddr || [...onLoop].some((l) => l.vaddr === t)
      );
      if (loops) {
        onLoop.add(b);
        grew = true;
      }
    }
  }
  return reached.filter((b) => b === entry || onLoop.has(b));
}

/**
 * Regions whose source is longer than this compile the entry block alone: V8 never optimizes
 * very large functions, and an unoptimized region runs slower than separate blocks.
 */
const MAX_REGION_SOURCE = 40_000;

export function compileBlock(entry: Block, find: BlockFinder = () => undefined): CompiledBlock {
  const region = regionOf(entry, find);
  const whole = regionCode(entry, region);
  if (whole.source.length <= MAX_REGION_SOURCE || region.length === 1) return whole.build();
  return regionCode(entry, [entry]).build();
}

/** The JS source of the function running `region` (entry first) and how to build it. */
function regionCode(entry: Block, region: Block[]) {
  const index = new Map(region.map((b, j) => [b.vaddr, j]));
  const starts: number[][] = [];
  const params: string[] = ["cond", "starts", ...INLINE_PARAMS.map(([name]) => name)];
  const args: unknown[] = [cond, starts, ...INLINE_PARAMS.map(([, value]) => value)];
  let id = 0;

  /** Statements that continue at linear address `target` after `n` was brought up to date. */
  const goTo = (target: number) => {
    const j = index.get(target);
    if (j === undefined) return `cpu.rip = ${target}; return n;`;
    return `if (n >= budget || cpu.exitRequested) { cpu.rip = ${target}; return n; }` +
      ` pc = ${j}; continue;`;
  };

  const cases: string[] = [];
  region.forEach((block, j) => {
    const insns = block.insns;
    const last = insns.length - 1;
    const end = endOf(block);
    const branch = inlineBranch(insns[last], end);
    const blockStarts: number[] = [];
    starts.push(blockStarts);
    const lines: string[] = [];
    /** Line index of a flag record no instruction has read yet (dropped if overwritten). */
    let pendingRecord = -1;
    let producer: FlagProducer | null = null;
    let addr = block.vaddr;
    const bodyEnd = branch !== null ? last : insns.length;
    for (let k = 0; k < insns.length; k++) {
      blockStarts.push(addr);
      if (k >= bodyEnd) break;
      const insn = insns[k];
      const next = addr + insn.len;
      const u = id++;
      const leave = `cpu.rip = ${next}; return n + ${k + 1};`;
      const inline = inlineInsn(insn, u, addr, next, leave);
      if (inline !== null) {
        if (inline.usesHandler) {
          params.push(`f${u}`);
          args.push(insn.fn);
        }
        if (inline.usesInsn || inline.usesHandler) {
          params.push(`i${u}`);
          args.push(insn);
        }
        lines.push(inline.body);
        // A fault must see the flags of the instructions before it.
        if (inline.canFault) pendingRecord = -1;
        if (inline.record !== "") {
          if (pendingRecord >= 0 && !inline.readsFlags) lines[pendingRecord] = "";
          pendingRecord = lines.length;
          lines.push(inline.record);
          producer = inline.producer;
        }
      } else {
        params.push(`f${u}`, `i${u}`);
        args.push(insn.fn, insn);
        lines.push(
          `cpu.insnStart = ${addr}; cpu.rip = ${next}; f${u}(cpu, i${u});` +
            ` if (cpu.stop !== 0) return n + ${k + 1};`,
        );
        pendingRecord = -1;
        producer = null;
      }
      addr = next;
    }
    const count = insns.length;
    if (branch !== null) {
      const test = branch.cc < 0
        ? "true"
        : (producer !== null ? fusedCondition(producer, branch.cc) : null) ??
          `cond(cpu, ${branch.cc})`;
      lines.push(`n += ${count};`);
      if (test === "true") lines.push(goTo(branch.target));
      else lines.push(`if (${test}) { ${goTo(branch.target)} }`, goTo(end));
    } else if (insns[last].form !== null && insns[last].form!.branch) {
      lines.push(`return n + ${count};`); // the handler has set RIP
    } else {
      lines.push(`n += ${count};`, goTo(end));
    }
    cases.push(`case ${j}: {\n${lines.filter((l) => l !== "").join("\n")}\n}`);
  });

  const name = `block_${entry.vaddr < 0 ? "n" : ""}${Math.abs(entry.vaddr).toString(16)}`;
  const dispatch = region.length === 1
    ? cases[0].replace(/^case 0: /, "")
    : `switch (pc) {\n${cases.join("\n")}\n}`;
  const source = `return function ${name}(cpu, budget) {\n` +
    `const r = cpu.r, lf = cpu.lf, xi = cpu.xmmI32, xd = cpu.xmmF64, xf32 = cpu.xmmF32;\n` +
    `const tlbTag = cpu.mmu.tlbTag, tlbPhys = cpu.mmu.tlbPhys, dv = cpu.mem.dv;\n` +
    `const r8 = cpu.r8, u8 = cpu.mem.u8;\n` +
    `let n = 0, pc = 0;\n` +
    `try {\nfor (;;) {\n${dispatch}\n}\n} catch (e) {\n` +
    `const s = starts[pc]; let k = 0;\n` +
    `while (k < s.length && s[k] !== cpu.insnStart) k++;\n` +
    `cpu.loopRetired = n + k; throw e;\n}\n};`;
  return { source, build: () => new Function(...params, source)(...args) as CompiledBlock };
}
