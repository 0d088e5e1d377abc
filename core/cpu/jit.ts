// The block compiler (first tier): a hot decoded block becomes one JS function that calls each
// instruction's handler directly with its RIP values as constants. Every call site then sees a
// single handler, so V8 can inline the semantics; the interpreter loop and its indirect call
// disappear. Decoding, faults and self-modifying-code invalidation are unchanged: a compiled
// block belongs to its Block and is dropped with it.

import type { Cpu } from "./cpu.ts";
import type { Block } from "./icache.ts";

/** Runs the block; returns how many instructions retired (it stops early when cpu.stop is set). */
export type CompiledBlock = (cpu: Cpu) => number;

/** Blocks entered this many times are compiled. */
export const JIT_THRESHOLD = 32;

export function compileBlock(block: Block): CompiledBlock {
  const params: string[] = [];
  const args: unknown[] = [];
  const lines: string[] = [];
  let addr = block.vaddr;
  block.insns.forEach((insn, k) => {
    params.push(`f${k}`, `i${k}`);
    args.push(insn.fn, insn);
    const next = addr + insn.len;
    lines.push(
      `cpu.insnStart = ${addr}; cpu.rip = ${next}; f${k}(cpu, i${k});` +
        ` if (cpu.stop !== 0) return ${k + 1};`,
    );
    addr = next;
  });
  lines.push(`return ${block.insns.length};`);
  const source = `return function block_${block.vaddr < 0 ? "n" : ""}${
    Math.abs(block.vaddr).toString(16)
  }(cpu) {\n${lines.join("\n")}\n};`;
  return new Function(...params, source)(...args) as CompiledBlock;
}
