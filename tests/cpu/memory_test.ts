// Physical memory and the decoded-instruction cache bookkeeping: size validation, bulk copies,
// the code-page map that routes writes to cached code into invalidations, and InstructionCache
// insert/lookup/invalidate/clear.

import assert from "node:assert/strict";
import { PAGE_SIZE, PhysicalMemory } from "../../core/memory.ts";
import { type Block, InstructionCache } from "../../core/cpu/icache.ts";

function block(paddr: number, pages: number[], vaddr = paddr): Block {
  return { vaddr, paddr, insns: [], pages, valid: true, hits: 0, compiled: null };
}

/** Memory plus a cache whose "new code page" and "code written" events are recorded. */
function setup() {
  const mem = new PhysicalMemory(1 << 20);
  const newPages: number[] = [];
  const cache = new InstructionCache(mem, (ppn) => newPages.push(ppn));
  return { mem, cache, newPages };
}

Deno.test("PhysicalMemory: size must be a multiple of 4 KiB and at least 64 KiB", () => {
  assert.throws(() => new PhysicalMemory(4096), RangeError);
  assert.throws(() => new PhysicalMemory(65536 + 100), RangeError);
  assert.throws(() => new PhysicalMemory(1.5 * 65536 + 0.5), RangeError);
  const m = new PhysicalMemory(65536 + 4096);
  assert.equal(m.size, 69632);
  assert.equal(m.u8.length, 69632);
  assert.equal(m.codePages.length, 17);
  assert.ok(m.wasm.buffer.byteLength >= 69632);
});

Deno.test("PhysicalMemory: writeBytes, readBytes (a copy) and fill", () => {
  const m = new PhysicalMemory(65536);
  m.writeBytes(0xffe, new Uint8Array([1, 2, 3, 4]));
  assert.deepEqual([...m.readBytes(0xffd, 6)], [0, 1, 2, 3, 4, 0]);
  assert.equal(m.dv.getUint32(0xffe, true), 0x04030201);
  const copy = m.readBytes(0xffe, 2);
  copy[0] = 99;
  assert.equal(m.u8[0xffe], 1, "readBytes returns a copy");
  m.fill(0x1000, 3, 0xab);
  assert.deepEqual([...m.readBytes(0xfff, 5)], [2, 0xab, 0xab, 0xab, 0]);
  assert.throws(() => m.writeBytes(65535, new Uint8Array(2)), RangeError);
});

Deno.test("PhysicalMemory: noteWrite reports exactly the code pages in the range", () => {
  const m = new PhysicalMemory(65536);
  const seen: number[] = [];
  m.onCodeWrite = (ppn) => seen.push(ppn);
  m.codePages[2] = 1;
  m.codePages[4] = 1;
  m.noteWrite(0x1000, PAGE_SIZE); // page 1 only
  assert.deepEqual(seen, []);
  m.noteWrite(0x1fff, 2); // pages 1 and 2
  assert.deepEqual(seen, [2]);
  m.noteWrite(0x2000, 3 * PAGE_SIZE); // pages 2, 3, 4
  assert.deepEqual(seen, [2, 2, 4]);
  m.writeBytes(0x4ffc, new Uint8Array(4));
  m.fill(0x3000, 0x1001);
  assert.deepEqual(seen, [2, 2, 4, 4, 4]);
});

Deno.test("PhysicalMemory: empty writes report nothing", () => {
  const m = new PhysicalMemory(65536);
  const seen: number[] = [];
  m.onCodeWrite = (ppn) => seen.push(ppn);
  m.codePages.fill(1);
  m.noteWrite(0x2000, 0);
  m.writeBytes(0, new Uint8Array(0));
  m.fill(0x1000, 0);
  assert.deepEqual(seen, []);
});

Deno.test("InstructionCache: insert marks code pages once and lookup finds blocks", () => {
  const { mem, cache, newPages } = setup();
  cache.insert(block(0x3010, [3]));
  cache.insert(block(0x3020, [3]));
  cache.insert(block(0x4ffe, [4, 5]));
  assert.deepEqual(newPages, [3, 4, 5]);
  assert.deepEqual([...mem.codePages.subarray(2, 7)], [0, 1, 1, 1, 0]);
  assert.equal(cache.size, 3);
  assert.equal(cache.lookup(0x3010)?.paddr, 0x3010);
  assert.equal(cache.lookup(0x3011), undefined);
});

Deno.test("InstructionCache: a write to any page of a block invalidates it", () => {
  const { mem, cache } = setup();
  const a = block(0x3010, [3]);
  const straddling = block(0x3ffe, [3, 4]);
  const other = block(0x5000, [5]);
  for (const b of [a, straddling, other]) cache.insert(b);
  mem.writeBytes(0x4000, new Uint8Array([1])); // the tail page of the straddling block
  assert.equal(straddling.valid, false);
  assert.equal(cache.lookup(0x3ffe), undefined);
  assert.equal(a.valid, true);
  assert.equal(cache.lookup(0x3010), a);
  assert.equal(mem.codePages[4], 0, "page 4 holds no code any more");
  mem.fill(0x3000, 1);
  assert.equal(a.valid, false);
  assert.equal(cache.lookup(0x3010), undefined);
  assert.equal(other.valid, true);
  assert.equal(cache.size, 1);
  assert.ok(cache.invalidated);
});

Deno.test("InstructionCache: writes to data pages do not touch cached blocks", () => {
  const { mem, cache } = setup();
  const b = block(0x3000, [3]);
  cache.insert(b);
  cache.invalidated = false;
  mem.writeBytes(0x2000, new Uint8Array(4096));
  mem.writeBytes(0x4000, new Uint8Array(4096));
  assert.equal(b.valid, true);
  assert.equal(cache.invalidated, false);
});

Deno.test("InstructionCache: re-inserting a physical address replaces the old block", () => {
  const { mem, cache } = setup();
  const first = block(0x3000, [3], 0x400000);
  const second = block(0x3000, [3], 0x700000); // same frame, another linear alias
  cache.insert(first);
  cache.insert(second);
  assert.equal(first.valid, false);
  assert.equal(cache.lookup(0x3000), second);
  assert.equal(cache.size, 1);
  mem.writeBytes(0x3000, new Uint8Array([0]));
  assert.equal(second.valid, false);
  assert.equal(cache.size, 0);
});

Deno.test("InstructionCache: clear drops every block and code page", () => {
  const { mem, cache } = setup();
  const b = block(0x3000, [3, 4]);
  cache.insert(b);
  cache.clear();
  assert.equal(b.valid, false);
  assert.equal(cache.size, 0);
  assert.equal(mem.codePages[3] | mem.codePages[4], 0);
  const seen: number[] = [];
  mem.onCodeWrite = (ppn) => seen.push(ppn);
  mem.writeBytes(0x3000, new Uint8Array(8));
  assert.deepEqual(seen, []);
});
