// The address space against its own bookkeeping: demand-zero faults, stack growth and its guard
// gap, PROT_NONE keeping data, mremap moving frames, and every frame coming back to the allocator
// when mappings go away (no leaks through unmap, mremap, madvise or destroy).

import assert from "node:assert/strict";
import { PhysicalMemory } from "../../core/memory.ts";
import {
  AddressSpace,
  SEGV_ACCERR,
  SEGV_MAPERR,
  STACK_GUARD_GAP,
} from "../../kernel/mm/address-space.ts";
import { FrameAllocator } from "../../kernel/mm/frames.ts";
import { UserMemory } from "../../kernel/mm/uaccess.ts";
import { PROT_EXEC, PROT_READ, PROT_WRITE, VMA_GROWSDOWN } from "../../kernel/mm/vma.ts";
import { EEXIST, EFAULT, ENOMEM } from "../../kernel/errno.ts";
import { SyscallError } from "../../kernel/syscall-error.ts";

const PAGE = 4096;
const RW = PROT_READ | PROT_WRITE;

function setup() {
  const mem = new PhysicalMemory(8 * 1024 * 1024);
  const frames = new FrameAllocator(mem);
  const before = frames.freeFrames;
  const mm = new AddressSpace(mem, frames);
  return { mem, frames, mm, user: new UserMemory(mm), before };
}

Deno.test("address space: anonymous memory is mapped on first touch and reads as zero", () => {
  const { mm, frames, user } = setup();
  const addr = mm.mapAnonymous(0, 16 * PAGE, RW, 0, "no");
  assert.ok(addr > 0 && addr % PAGE === 0);
  user.read(addr, 1); // builds the page tables for the area
  const free = frames.freeFrames;
  assert.deepEqual([...user.read(addr + 5 * PAGE, 4)], [0, 0, 0, 0]);
  assert.equal(frames.freeFrames, free - 1, "one frame for the touched page");
  user.write(addr + 5 * PAGE + 2, new Uint8Array([7]));
  assert.equal(user.u8At(addr + 5 * PAGE + 2), 7);
  assert.equal(frames.freeFrames, free - 1);
});

Deno.test("address space: faults report MAPERR outside areas and ACCERR on wrong access", () => {
  const { mm } = setup();
  const ro = mm.mapAnonymous(0x400000, PAGE, PROT_READ, 0, "replace");
  assert.deepEqual(mm.handleFault(ro + 8, true, false), { ok: false, code: SEGV_ACCERR });
  assert.deepEqual(mm.handleFault(ro + 8, false, true), { ok: false, code: SEGV_ACCERR });
  assert.deepEqual(mm.handleFault(ro + 8, false, false), { ok: true, code: 0 });
  assert.deepEqual(mm.handleFault(0x900000, false, false), { ok: false, code: SEGV_MAPERR });
  const x = mm.mapAnonymous(0x500000, PAGE, PROT_READ | PROT_EXEC, 0, "replace");
  assert.equal(mm.handleFault(x, false, true).ok, true);
});

Deno.test("address space: the stack grows down to its limit but never into the guard gap", () => {
  const { mm } = setup();
  const top = 0x7fff00000000;
  mm.stackLimit = 64 * PAGE;
  mm.mapAnonymous(top - 4 * PAGE, 4 * PAGE, RW, VMA_GROWSDOWN, "replace", "[stack]");
  assert.equal(mm.handleFault(top - 10 * PAGE, true, false).ok, true);
  assert.equal(mm.vmas.find(top - 10 * PAGE)?.start, top - 10 * PAGE);
  assert.equal(mm.handleFault(top - 65 * PAGE, true, false).ok, false, "beyond RLIMIT_STACK");
  // An area just below leaves less than the guard gap: no growth into it.
  const below = top - 10 * PAGE - STACK_GUARD_GAP;
  mm.mapAnonymous(below - PAGE, PAGE, RW, 0, "replace");
  assert.equal(mm.handleFault(top - 11 * PAGE, true, false).ok, false);
});

Deno.test("address space: PROT_NONE keeps the data and gives it back", () => {
  const { mm, user } = setup();
  const a = mm.mapAnonymous(0, 2 * PAGE, RW, 0, "no");
  user.write(a + 100, new Uint8Array([1, 2, 3]));
  assert.equal(mm.mprotect(a, 2 * PAGE, 0), 0);
  assert.throws(
    () => user.read(a + 100, 3),
    (e) => e instanceof SyscallError && e.errno === EFAULT,
  );
  assert.equal(mm.mprotect(a, 2 * PAGE, PROT_READ), 0);
  assert.deepEqual([...user.read(a + 100, 3)], [1, 2, 3]);
  assert.throws(() => user.write(a, new Uint8Array([9])), SyscallError);
});

Deno.test("address space: mremap moves frames, and holes make mprotect ENOMEM", () => {
  const { mm, user } = setup();
  const a = mm.mapAnonymous(0x10000000, 2 * PAGE, RW, 0, "replace");
  mm.mapAnonymous(a + 2 * PAGE, PAGE, PROT_READ, 0, "replace"); // blocks growth in place
  user.write(a + PAGE + 1, new Uint8Array([42]));
  const b = mm.mremap(a, 2 * PAGE, 8 * PAGE, true, null);
  assert.notEqual(b, a);
  assert.equal(user.u8At(b + PAGE + 1), 42);
  assert.equal(mm.vmas.find(a), undefined);
  const c = mm.mapAnonymous(0x20000000, PAGE, RW, 0, "replace");
  assert.equal(mm.mremap(c, PAGE, 3 * PAGE, false, null), c, "grows in place");
  assert.equal(mm.mremap(b, 8 * PAGE, 9 * PAGE, false, null), -ENOMEM, "no room, may not move");
  assert.equal(mm.mprotect(a, 4 * PAGE, PROT_READ), -ENOMEM);
  assert.equal(mm.mapAnonymous(b, PAGE, RW, 0, "noreplace"), -EEXIST);
});

Deno.test("address space: unmap, madvise, mremap and destroy return every frame", () => {
  const { mm, frames, user, before } = setup();
  const a = mm.mapAnonymous(0, 64 * PAGE, RW, 0, "no");
  for (let i = 0; i < 64; i++) user.write(a + i * PAGE, new Uint8Array([i + 1]));
  assert.equal(mm.munmap(a + 8 * PAGE, 8 * PAGE), 0);
  assert.equal(mm.discard(a, 4 * PAGE), 0);
  assert.equal(user.u8At(a), 0, "MADV_DONTNEED reads back zero");
  const moved = mm.mremap(a + 16 * PAGE, 16 * PAGE, 40 * PAGE, true, null);
  assert.ok(moved > 0);
  assert.equal(user.u8At(moved + 3 * PAGE), 20);
  assert.equal(mm.mprotect(a + 32 * PAGE, 4 * PAGE, 0), 0);
  assert.equal(mm.setBrk(0), 0);
  mm.destroy();
  assert.equal(frames.freeFrames, before, "no frame leaked");
});
