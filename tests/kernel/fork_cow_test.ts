// fork's copy of an address space: private pages are shared copy-on-write (one frame, two
// references, read-only in both until the first write copies), PROT_NONE pages keep their data,
// read-only pages cannot be made writable behind the other's back, and every frame comes back
// when both address spaces are gone — also when the copy runs out of memory halfway.

import assert from "node:assert/strict";
import { PhysicalMemory } from "../../core/memory.ts";
import { AddressSpace } from "../../kernel/mm/address-space.ts";
import { FrameAllocator, OutOfMemory } from "../../kernel/mm/frames.ts";
import { UserMemory } from "../../kernel/mm/uaccess.ts";
import { PROT_READ, PROT_WRITE } from "../../kernel/mm/vma.ts";

const PAGE = 4096;
const RW = PROT_READ | PROT_WRITE;

function setup(bytes = 8 * 1024 * 1024) {
  const mem = new PhysicalMemory(bytes);
  const frames = new FrameAllocator(mem);
  const before = frames.freeFrames;
  const mm = new AddressSpace(mem, frames);
  return { mem, frames, mm, user: new UserMemory(mm), before };
}

Deno.test("fork: parent and child each see their own writes; untouched pages cost nothing", () => {
  const { mm, frames, user, before } = setup();
  const addr = mm.mapAnonymous(0, 8 * PAGE, RW, 0, "no");
  for (let i = 0; i < 4; i++) user.write(addr + i * PAGE, new Uint8Array([i + 1]));
  const freeBeforeFork = frames.freeFrames;
  const child = mm.fork();
  const childUser = new UserMemory(child);
  const tables = freeBeforeFork - frames.freeFrames;
  assert.ok(tables <= 4, `only page tables are new (${tables} frames)`);
  assert.equal(childUser.u8At(addr + 2 * PAGE), 3);
  childUser.write(addr + 2 * PAGE, new Uint8Array([42]));
  assert.equal(frames.freeFrames, freeBeforeFork - tables - 1, "the first write copied one page");
  assert.equal(user.u8At(addr + 2 * PAGE), 3, "the parent keeps its byte");
  assert.equal(childUser.u8At(addr + 2 * PAGE), 42);
  user.write(addr + 3 * PAGE, new Uint8Array([99]));
  assert.equal(childUser.u8At(addr + 3 * PAGE), 4, "the child keeps its byte");
  // A page only one side still maps is written in place: no copy.
  const free = frames.freeFrames;
  user.write(addr + 2 * PAGE, new Uint8Array([7]));
  assert.equal(frames.freeFrames, free);
  childUser.write(addr + 6 * PAGE, new Uint8Array([1]));
  assert.equal(user.u8At(addr + 6 * PAGE), 0, "a page first touched after fork is private");
  child.destroy();
  mm.destroy();
  assert.equal(frames.freeFrames, before);
});

Deno.test("fork: mprotect after fork cannot make a shared frame writable", () => {
  const { mm, user, before, frames } = setup();
  const addr = mm.mapAnonymous(0, PAGE, RW, 0, "no");
  user.write(addr, new Uint8Array([5]));
  assert.equal(mm.mprotect(addr, PAGE, PROT_READ), 0);
  const child = mm.fork();
  assert.equal(child.mprotect(addr, PAGE, RW), 0);
  const childUser = new UserMemory(child);
  childUser.write(addr, new Uint8Array([6]));
  assert.equal(user.u8At(addr), 5);
  assert.equal(mm.mprotect(addr, PAGE, 0), 0);
  const grandchild = mm.fork();
  assert.equal(grandchild.mprotect(addr, PAGE, RW), 0);
  assert.equal(new UserMemory(grandchild).u8At(addr), 5, "PROT_NONE data survives fork");
  grandchild.destroy();
  child.destroy();
  mm.destroy();
  assert.equal(frames.freeFrames, before);
});

Deno.test("fork: running out of frames halfway gives every frame back", () => {
  const { mm, user, frames, before } = setup(1024 * 1024);
  const addr = mm.mapAnonymous(0, 512 * PAGE, RW, 0, "no");
  // Touch pages far apart so the copy needs many page-table frames.
  let touched = 0;
  try {
    for (let i = 0; i < 200; i++) {
      user.write(addr + i * PAGE, new Uint8Array([1]));
      touched++;
    }
  } catch (e) {
    if (!(e instanceof OutOfMemory)) throw e;
  }
  const far = mm.mapAnonymous(0x7f0000000000, PAGE, RW, 0, "replace");
  user.write(far, new Uint8Array([1]));
  const children: AddressSpace[] = [];
  const freeBefore = frames.freeFrames;
  assert.throws(() => {
    for (;;) children.push(mm.fork());
  }, OutOfMemory);
  assert.ok(children.length > 0 && touched > 0);
  for (const c of children) c.destroy();
  assert.equal(frames.freeFrames, freeBefore);
  mm.destroy();
  assert.equal(frames.freeFrames, before);
});
