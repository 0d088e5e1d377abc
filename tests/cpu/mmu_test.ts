// MMU tests: the 4-level walk (4 KiB, 2 MiB, 1 GiB pages), every permission bit with its #PF
// error code, accessed/dirty bits, CR2, TLB flushing (CR3 reload, INVLPG), the upper canonical
// half and page-crossing faults — driven through Mmu.translate and through real instructions.

import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import {
  ACCESS_EXEC,
  ACCESS_READ,
  ACCESS_WRITE,
  CR0_WP,
  CR4_SMEP,
  EFER_LME,
  EFER_NXE,
  type Mmu,
} from "../../core/mmu.ts";
import { CpuException, VEC_PF, VEC_UD } from "../../core/cpu/exceptions.ts";
import { EXIT_EXCEPTION, RAX, RBX } from "../../core/cpu/cpu.ts";

const P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80;
const NX = 0x80000000; // bit 63, in the high half of an entry
const ERR_P = 1, ERR_W = 2, ERR_U = 4, ERR_RSVD = 8, ERR_ID = 0x10;

/** Hand-built page tables in a TestMachine's RAM. Level 0 is the PML4, level 3 the PT. */
class Tables {
  constructor(readonly m: TestMachine) {}

  static index(vaddr: number, level: number): number {
    return Math.floor(vaddr / 2 ** (39 - 9 * level)) & 511;
  }

  /** Physical address of the level-`level` entry for `vaddr`, creating missing tables. */
  entry(vaddr: number, level: number, tableFlags = P | RW | US): number {
    let table = this.m.pml4;
    for (let l = 0; l < level; l++) {
      const e = table + Tables.index(vaddr, l) * 8;
      let lo = this.m.mem.dv.getUint32(e, true);
      if (!(lo & P)) {
        lo = (this.m.allocFrame() | tableFlags) >>> 0;
        this.m.mem.dv.setUint32(e, lo, true);
        this.m.mem.dv.setUint32(e + 4, 0, true);
      }
      table = lo - (lo % 4096);
    }
    return table + Tables.index(vaddr, level) * 8;
  }

  set(vaddr: number, level: number, lo: number, hi = 0): void {
    const e = this.entry(vaddr, level);
    this.m.mem.dv.setUint32(e, lo >>> 0, true);
    this.m.mem.dv.setUint32(e + 4, hi >>> 0, true);
  }

  lo(vaddr: number, level: number): number {
    return this.m.mem.dv.getUint32(this.entry(vaddr, level), true);
  }

  /** Map one 4 KiB page with the given leaf flags; intermediate levels are permissive. */
  map4k(vaddr: number, frame: number, flags = P | RW | US, hi = 0): void {
    this.set(vaddr, 3, frame | flags, hi);
  }
}

function setup(memBytes = 32 * 1024 * 1024) {
  const m = new TestMachine(memBytes);
  return { m, mmu: m.cpu.mmu, t: new Tables(m) };
}

/** MOV CR3, CR3: the same tables, with the TLB flushed. */
function reloadCr3(mmu: Mmu): void {
  const cr3 = mmu.cr3;
  mmu.cr3 = cr3;
}

/** Run `fn`, expect a #PF, return its error code. */
function pfCode(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof CpuException && e.vector === VEC_PF) return e.errorCode;
    throw e;
  }
  assert.fail("expected a page fault");
}

// A user address with four different, non-zero table indices.
const V = 0x0000_1234_5678_9000;
// Frames in the upper 16 MiB so they never collide with the bump-allocated tables.
const F1 = 0x1000000, F2 = 0x1001000, F3 = 0x1002000;

Deno.test("walk: 4 KiB page uses all four table indices", () => {
  const { mmu, t } = setup();
  assert.deepEqual([0, 1, 2, 3].map((l) => Tables.index(V, l)), [0x24, 0xd1, 0xb3, 0x189]);
  t.map4k(V, F1);
  t.map4k(V + 0x1000, F2); // neighbour in the same page table
  assert.equal(mmu.translate(V + 0x123, ACCESS_READ), F1 + 0x123);
  assert.equal(mmu.translate(V + 0x1fff, ACCESS_READ), F2 + 0xfff);
  assert.equal(pfCode(() => mmu.translate(V + 0x2000, ACCESS_READ)), ERR_U);
});

Deno.test("walk: 2 MiB page", () => {
  const { mmu, t } = setup();
  const base = 0x7f_0000_0000 + 0x200000 * 5; // 2 MiB aligned
  t.set(base, 2, 0x1200000 | P | RW | US | PS);
  assert.equal(mmu.translate(base, ACCESS_READ), 0x1200000);
  assert.equal(mmu.translate(base + 0x1abcde, ACCESS_WRITE), 0x1200000 + 0x1abcde);
  assert.equal(mmu.translate(base + 0x1fffff, ACCESS_EXEC), 0x13fffff);
  // The next 2 MiB region has no mapping in this page directory.
  assert.equal(pfCode(() => mmu.translate(base + 0x200000, ACCESS_READ)), ERR_U);
});

Deno.test("walk: 1 GiB page", () => {
  const { mmu, t } = setup();
  const base = 0x40_0000_0000 + 0x40000000 * 3; // 1 GiB aligned
  t.set(base, 1, 0 | P | RW | US | PS); // physical 0..1 GiB
  assert.equal(mmu.translate(base + 0x1234567, ACCESS_READ), 0x1234567);
  assert.equal(mmu.translate(base + 0x1ff0008, ACCESS_WRITE), 0x1ff0008);
});

Deno.test("walk: reserved bits in large-page entries and PS in the PML4", () => {
  const { mmu, t } = setup();
  const two = 0x7f_0000_0000;
  t.set(two, 2, 0x1200000 | (1 << 13) | P | RW | US | PS); // bit 13 of a 2 MiB PDE is reserved
  assert.equal(pfCode(() => mmu.translate(two, ACCESS_READ)), ERR_RSVD | ERR_P | ERR_U);
  const one = 0x40_0000_0000;
  t.set(one, 1, (1 << 29) | P | RW | US | PS); // bit 29 of a 1 GiB PDPTE is reserved
  assert.equal(pfCode(() => mmu.translate(one, ACCESS_READ)), ERR_RSVD | ERR_P | ERR_U);
  const pml4 = 0x100_0000_0000;
  t.set(pml4, 0, 0x1000000 | P | RW | US | PS);
  assert.equal(pfCode(() => mmu.translate(pml4, ACCESS_WRITE)), ERR_RSVD | ERR_P | ERR_U | ERR_W);
  // Bit 12 of a large-page entry is PAT, not reserved.
  const pat = two + 0x200000;
  t.set(pat, 2, 0x1400000 | (1 << 12) | P | RW | US | PS);
  assert.equal(mmu.translate(pat + 0x10, ACCESS_READ), 0x1400010);
});

Deno.test("P: a clear present bit at each level faults with P=0", () => {
  for (let level = 0; level < 4; level++) {
    const { mmu, t } = setup();
    t.map4k(V, F1);
    const e = t.entry(V, level);
    t.m.mem.dv.setUint32(e, t.m.mem.dv.getUint32(e, true) & ~P, true);
    assert.equal(pfCode(() => mmu.translate(V, ACCESS_READ)), ERR_U, `level ${level}`);
    assert.equal(pfCode(() => mmu.translate(V, ACCESS_WRITE)), ERR_U | ERR_W);
    mmu.user = false;
    assert.equal(pfCode(() => mmu.translate(V, ACCESS_READ)), 0);
    assert.equal(pfCode(() => mmu.translate(V, ACCESS_WRITE)), ERR_W);
  }
});

Deno.test("R/W: user write to a read-only page faults 0x7; reads still work", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1, P | US);
  assert.equal(mmu.translate(V + 8, ACCESS_READ), F1 + 8);
  assert.equal(pfCode(() => mmu.translate(V + 8, ACCESS_WRITE)), 0x7);
  assert.equal(mmu.cr2, V + 8);
});

Deno.test("R/W: a read-only intermediate entry makes the whole range read-only", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1);
  const pdpte = t.entry(V, 1);
  t.m.mem.dv.setUint32(pdpte, t.m.mem.dv.getUint32(pdpte, true) & ~RW, true);
  assert.equal(mmu.translate(V, ACCESS_READ), F1);
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_WRITE)), ERR_P | ERR_W | ERR_U);
});

Deno.test("R/W: supervisor write to a read-only page obeys CR0.WP", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1, P | US);
  t.map4k(V + 0x1000, F2, P); // supervisor read-only
  mmu.user = false;
  assert.ok(mmu.cr0 & CR0_WP);
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_WRITE)), ERR_P | ERR_W);
  assert.equal(pfCode(() => mmu.translate(V + 0x1000, ACCESS_WRITE)), ERR_P | ERR_W);
  mmu.cr0 &= ~CR0_WP;
  mmu.flush();
  assert.equal(mmu.translate(V + 4, ACCESS_WRITE), F1 + 4);
  assert.equal(mmu.translate(V + 0x1004, ACCESS_WRITE), F2 + 4);
  // WP never lets user mode write.
  mmu.user = true;
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_WRITE)), 0x7);
});

Deno.test("U/S: user access to a supervisor page faults with P and U set", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1, P | RW);
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_READ)), ERR_P | ERR_U);
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_WRITE)), ERR_P | ERR_U | ERR_W);
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_EXEC)), ERR_P | ERR_U | ERR_ID);
  mmu.user = false;
  assert.equal(mmu.translate(V, ACCESS_WRITE), F1);
  assert.equal(mmu.translate(V, ACCESS_EXEC), F1);
});

Deno.test("U/S: a supervisor-only page directory entry hides a user leaf", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1);
  const pde = t.entry(V, 2);
  t.m.mem.dv.setUint32(pde, t.m.mem.dv.getUint32(pde, true) & ~US, true);
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_READ)), ERR_P | ERR_U);
});

Deno.test("NX with EFER.NXE: fetch faults with I/D, data access is allowed", () => {
  const { mmu, t } = setup();
  assert.ok(mmu.efer & EFER_NXE);
  t.map4k(V, F1, P | RW | US, NX);
  assert.equal(mmu.translate(V, ACCESS_READ), F1);
  assert.equal(mmu.translate(V, ACCESS_WRITE), F1);
  assert.equal(pfCode(() => mmu.translate(V + 0x10, ACCESS_EXEC)), ERR_P | ERR_U | ERR_ID);
  assert.equal(mmu.cr2, V + 0x10);
  mmu.user = false;
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_EXEC)), ERR_P | ERR_ID);
  // A fetch from a non-present page also reports I/D.
  mmu.user = true;
  assert.equal(pfCode(() => mmu.translate(V + 0x5000, ACCESS_EXEC)), ERR_U | ERR_ID);
});

Deno.test("NX on an upper-level entry applies to everything below it", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1);
  const pml4e = t.entry(V, 0);
  t.m.mem.dv.setUint32(pml4e + 4, NX, true);
  assert.equal(mmu.translate(V, ACCESS_READ), F1);
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_EXEC)), ERR_P | ERR_U | ERR_ID);
});

Deno.test("NX without EFER.NXE is a reserved bit (RSVD, no I/D)", () => {
  const { mmu, t } = setup();
  mmu.efer = EFER_LME;
  t.map4k(V, F1, P | RW | US, NX);
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_READ)), ERR_RSVD | ERR_P | ERR_U);
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_WRITE)), ERR_RSVD | ERR_P | ERR_U | ERR_W);
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_EXEC)), ERR_RSVD | ERR_P | ERR_U);
  // The same entry is fine once NXE is enabled.
  mmu.efer = EFER_LME | EFER_NXE;
  assert.equal(mmu.translate(V, ACCESS_READ), F1);
});

Deno.test("reserved physical-address bits fault with RSVD at any level; bits 52-62 are ignored", () => {
  for (let level = 0; level < 4; level++) {
    const { mmu, t } = setup();
    t.map4k(V, F1);
    const e = t.entry(V, level);
    t.m.mem.dv.setUint32(e + 4, 1, true); // physical bit 32: above MAXPHYADDR (32)
    assert.equal(pfCode(() => mmu.translate(V, ACCESS_READ)), ERR_RSVD | ERR_P | ERR_U);
    t.m.mem.dv.setUint32(e + 4, 0x00080000, true); // physical bit 51
    assert.equal(pfCode(() => mmu.translate(V, ACCESS_READ)), ERR_RSVD | ERR_P | ERR_U);
    t.m.mem.dv.setUint32(e + 4, 0x7ff00000, true); // bits 62:52: ignored (software/PKE)
    assert.equal(mmu.translate(V + 1, ACCESS_READ), F1 + 1, `level ${level}`);
  }
});

Deno.test("a not-present entry faults P=0 whatever its reserved bits hold", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1 & ~P, RW | US, 0x000fffff); // P clear, physical bits 51:32 set
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_READ)), ERR_U);
});

Deno.test("SMEP: supervisor fetch from a user page faults with I/D even without NXE", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1);
  mmu.user = false;
  assert.equal(mmu.translate(V, ACCESS_EXEC), F1);
  mmu.cr4 |= CR4_SMEP;
  mmu.efer = EFER_LME;
  mmu.flush();
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_EXEC)), ERR_P | ERR_ID);
  assert.equal(mmu.translate(V, ACCESS_READ), F1, "data access is unaffected");
});

Deno.test("A is set on every level; D only on the leaf and only on writes", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1);
  const levels = [0, 1, 2, 3];
  assert.deepEqual(levels.map((l) => t.lo(V, l) & (A | D)), [0, 0, 0, 0]);
  mmu.translate(V, ACCESS_READ);
  assert.deepEqual(levels.map((l) => t.lo(V, l) & (A | D)), [A, A, A, A]);
  mmu.translate(V, ACCESS_WRITE); // TLB has a read entry only: the write walks again
  assert.deepEqual(levels.map((l) => t.lo(V, l) & (A | D)), [A, A, A, A | D]);
});

Deno.test("D is set on a 2 MiB leaf (the PDE) on write", () => {
  const { mmu, t } = setup();
  const base = 0x7f_0000_0000;
  t.set(base, 2, 0x1200000 | P | RW | US | PS);
  mmu.translate(base + 0x3000, ACCESS_WRITE);
  assert.deepEqual([0, 1, 2].map((l) => t.lo(base, l) & (A | D)), [A, A, A | D]);
});

Deno.test("a faulting access sets neither A nor D on the leaf", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1, P | US); // read-only
  pfCode(() => mmu.translate(V, ACCESS_WRITE));
  assert.equal(t.lo(V, 3) & (A | D), 0);
  t.map4k(V + 0x1000, F2, P | RW); // supervisor-only
  pfCode(() => mmu.translate(V + 0x1000, ACCESS_READ));
  assert.equal(t.lo(V + 0x1000, 3) & (A | D), 0);
  // A successful read of the read-only page then sets A only.
  mmu.translate(V, ACCESS_READ);
  assert.equal(t.lo(V, 3) & (A | D), A);
});

Deno.test("CR2 holds the faulting linear address, including upper-half addresses", () => {
  const { mmu } = setup();
  pfCode(() => mmu.translate(0x7654_3210_abcd, ACCESS_READ));
  assert.equal(mmu.cr2, 0x7654_3210_abcd);
  const high = -0x8000_0000_0000 + 0x1234_5678; // 0xffff800012345678
  pfCode(() => mmu.translate(high, ACCESS_WRITE));
  assert.equal(mmu.cr2, high);
});

Deno.test("upper canonical half: PML4 slots 256 and 511 translate", () => {
  const { mmu, t } = setup();
  const low = -0x8000_0000_0000; // 0xffff800000000000
  const top = -0x1000; // 0xfffffffffffff000
  assert.equal(Tables.index(low, 0), 256);
  assert.deepEqual([0, 1, 2, 3].map((l) => Tables.index(top, l)), [511, 511, 511, 511]);
  t.map4k(low, F1);
  t.map4k(top, F2);
  t.map4k(0, F3); // the same indices in the lower half must not alias
  assert.equal(mmu.translate(low + 0x42, ACCESS_READ), F1 + 0x42);
  assert.equal(mmu.translate(top + 0xfff, ACCESS_WRITE), F2 + 0xfff);
  assert.equal(mmu.translate(0x10, ACCESS_READ), F3 + 0x10);
  assert.equal(mmu.translate(-1, ACCESS_READ), F2 + 0xfff); // TLB hit path
});

Deno.test("TLB: a remapped PTE is stale until CR3 is reloaded", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1);
  assert.equal(mmu.translate(V, ACCESS_READ), F1);
  t.map4k(V, F2);
  assert.equal(mmu.translate(V, ACCESS_READ), F1, "translation is cached");
  reloadCr3(mmu);
  assert.equal(mmu.translate(V, ACCESS_READ), F2);
});

Deno.test("TLB: INVLPG drops one page and leaves others cached", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1);
  t.map4k(V + 0x1000, F2);
  assert.equal(mmu.translate(V, ACCESS_READ), F1);
  assert.equal(mmu.translate(V + 0x1000, ACCESS_WRITE), F2);
  t.map4k(V, F3);
  t.map4k(V + 0x1000, F3);
  mmu.invlpg(V + 0x800);
  assert.equal(mmu.translate(V, ACCESS_READ), F3);
  assert.equal(mmu.translate(V + 0x1000, ACCESS_WRITE), F2, "other page still cached");
  mmu.invlpg(V + 0x1000);
  assert.equal(mmu.translate(V + 0x1000, ACCESS_WRITE), F3);
});

Deno.test("TLB: INVLPG anywhere inside a 2 MiB page drops the whole page", () => {
  const { mmu, t } = setup();
  const base = 0x7f_0000_0000;
  t.set(base, 2, 0x1200000 | P | RW | US | PS);
  assert.equal(mmu.translate(base + 0x10, ACCESS_READ), 0x1200010);
  assert.equal(mmu.translate(base + 0x1ff000, ACCESS_READ), 0x13ff000);
  t.set(base, 2, 0x1400000 | P | RW | US | PS);
  assert.equal(mmu.translate(base + 0x10, ACCESS_READ), 0x1200010, "still cached");
  mmu.invlpg(base + 0x123456);
  assert.equal(mmu.translate(base + 0x10, ACCESS_READ), 0x1400010);
  assert.equal(mmu.translate(base + 0x1ff000, ACCESS_READ), 0x15ff000);
});

Deno.test("TLB: separate user/supervisor views flush on privilege change", () => {
  const { mmu, t } = setup();
  t.map4k(V, F1, P | RW);
  mmu.user = false;
  assert.equal(mmu.translate(V, ACCESS_READ), F1);
  mmu.user = true;
  assert.equal(pfCode(() => mmu.translate(V, ACCESS_READ)), ERR_P | ERR_U);
});

// ---- through real instructions --------------------------------------------------------------

const CODE = 0x40_0000;
const DATA = 0x60_0000;
const UD2 = [0x0f, 0x0b];

function machineWithCode(code: number[]) {
  const m = new TestMachine();
  m.map(CODE, 0x1000);
  m.writeVirt(CODE, code);
  m.cpu.rip = CODE;
  return m;
}

function expectFault(m: TestMachine, vector: number, errorCode?: number) {
  assert.equal(m.run(), EXIT_EXCEPTION);
  const e = m.cpu.exitException!;
  assert.equal(e.vector, vector, `vector ${e.vector} at rip ${m.cpu.rip.toString(16)}`);
  if (errorCode !== undefined) assert.equal(e.errorCode, errorCode);
}

Deno.test("insn: mov from an unmapped page faults 0x4 with CR2 and RIP at the load", () => {
  // mov eax, 5 ; mov rax, [rbx] ; ud2
  const m = machineWithCode([0xb8, 5, 0, 0, 0, 0x48, 0x8b, 0x03, ...UD2]);
  m.cpu.setRegFromNumber(RBX, DATA + 0x18);
  expectFault(m, VEC_PF, ERR_U);
  assert.equal(m.cpu.mmu.cr2, DATA + 0x18);
  assert.equal(m.cpu.exitException!.address, DATA + 0x18);
  assert.equal(m.cpu.rip, CODE + 5);
  assert.equal(m.cpu.getReg32(RAX), 5, "the earlier instruction retired");
  assert.equal(m.cpu.instructions, 1, "and was counted; the faulting one was not");
});

Deno.test("insn: user store to a read-only page faults 0x7 and leaves memory unchanged", () => {
  // mov [rbx], eax ; ud2
  const m = machineWithCode([0x89, 0x03, ...UD2]);
  m.map(DATA, 0x1000, { flags: P | US });
  m.writeVirt(DATA, [1, 2, 3, 4]);
  m.cpu.setRegFromNumber(RBX, DATA);
  m.cpu.setReg32(RAX, 0xdeadbeef);
  expectFault(m, VEC_PF, 0x7);
  assert.equal(m.cpu.mmu.cr2, DATA);
  assert.deepEqual([...m.readVirt(DATA, 4)], [1, 2, 3, 4]);
});

Deno.test("insn: supervisor store to a read-only page with CR0.WP set and clear", () => {
  const m = machineWithCode([0x89, 0x03, ...UD2]);
  m.map(DATA, 0x1000, { flags: P | US });
  m.cpu.setRegFromNumber(RBX, DATA + 4);
  m.cpu.setReg32(RAX, 0x11223344);
  m.cpu.cpl = 0;
  m.cpu.mmu.user = false;
  expectFault(m, VEC_PF, ERR_P | ERR_W);
  m.cpu.mmu.cr0 &= ~CR0_WP;
  m.cpu.mmu.flush();
  m.cpu.rip = CODE;
  expectFault(m, VEC_UD);
  assert.equal(m.cpu.rip, CODE + 2);
  assert.deepEqual([...m.readVirt(DATA + 4, 4)], [0x44, 0x33, 0x22, 0x11]);
});

Deno.test("insn: user load from a supervisor page faults 0x5", () => {
  const m = machineWithCode([0x8b, 0x03, ...UD2]); // mov eax, [rbx]
  m.map(DATA, 0x1000, { flags: P | RW });
  m.cpu.setRegFromNumber(RBX, DATA + 0x100);
  expectFault(m, VEC_PF, ERR_P | ERR_U);
  assert.equal(m.cpu.mmu.cr2, DATA + 0x100);
});

Deno.test("insn: executing from an NX page faults 0x15 with CR2 = RIP", () => {
  const m = new TestMachine();
  m.map(CODE, 0x1000, { nx: true });
  m.writeVirt(CODE, [0xb8, 1, 0, 0, 0, ...UD2]);
  m.cpu.rip = CODE;
  expectFault(m, VEC_PF, ERR_P | ERR_U | ERR_ID);
  assert.equal(m.cpu.mmu.cr2, CODE);
  assert.equal(m.cpu.getReg32(RAX), 0, "nothing executed");
});

Deno.test("insn: running off the end of a page into an NX page faults at the boundary", () => {
  const m = new TestMachine();
  m.map(CODE, 0x1000);
  m.map(CODE + 0x1000, 0x1000, { nx: true });
  m.writeVirt(CODE + 0xffb, [0xb8, 9, 0, 0, 0]); // mov eax, 9 ends exactly at the boundary
  m.cpu.rip = CODE + 0xffb;
  expectFault(m, VEC_PF, ERR_P | ERR_U | ERR_ID);
  assert.equal(m.cpu.getReg32(RAX), 9);
  assert.equal(m.cpu.rip, CODE + 0x1000);
  assert.equal(m.cpu.mmu.cr2, CODE + 0x1000);
});

Deno.test("insn: an instruction straddling into a non-present page faults before it runs", () => {
  const m = new TestMachine();
  m.map(CODE, 0x1000);
  // mov ecx, 3 ; mov eax, imm32 whose last two bytes would be on the next (unmapped) page
  m.writeVirt(CODE + 0xff6, [0xb9, 3, 0, 0, 0, 0x90, 0x90, 0xb8, 1, 2]);
  m.cpu.rip = CODE + 0xff6;
  expectFault(m, VEC_PF, ERR_U | ERR_ID);
  assert.equal(m.cpu.getReg32(1), 3, "instructions before it retired");
  assert.equal(m.cpu.rip, CODE + 0xffd);
  assert.equal(m.cpu.mmu.cr2, CODE + 0x1000);
});

Deno.test("insn: a page-crossing load faults with CR2 at the second page", () => {
  const m = machineWithCode([0x48, 0x8b, 0x03, ...UD2]); // mov rax, [rbx]
  m.map(DATA, 0x1000);
  m.cpu.setRegFromNumber(RBX, DATA + 0xffd);
  expectFault(m, VEC_PF, ERR_U);
  assert.equal(m.cpu.mmu.cr2, DATA + 0x1000);
  assert.equal(m.cpu.rip, CODE);
});

Deno.test("insn: a page-crossing store to a read-only second page writes nothing", () => {
  const m = machineWithCode([0x48, 0x89, 0x03, ...UD2]); // mov [rbx], rax
  m.map(DATA, 0x1000);
  m.map(DATA + 0x1000, 0x1000, { flags: P | US });
  m.cpu.setRegFromNumber(RBX, DATA + 0xffc);
  m.cpu.setReg64(RAX, 0x11111111, 0x22222222);
  expectFault(m, VEC_PF, 0x7);
  assert.equal(m.cpu.mmu.cr2, DATA + 0x1000);
  assert.deepEqual([...m.readVirt(DATA + 0xffc, 8)], [0, 0, 0, 0, 0, 0, 0, 0]);
});

Deno.test("cpu: page-crossing reads and writes of every width report the second page", () => {
  const m = new TestMachine();
  m.map(DATA, 0x1000);
  const cpu = m.cpu;
  const cases: [string, () => unknown][] = [
    ["read16", () => cpu.read16(DATA + 0xfff)],
    ["read32", () => cpu.read32(DATA + 0xffe)],
    ["read64", () => cpu.read64(DATA + 0xff9)],
    ["write16", () => cpu.write16(DATA + 0xfff, 1)],
    ["write32", () => cpu.write32(DATA + 0xffd, 1)],
    ["write64", () => cpu.write64(DATA + 0xffa, 1, 2)],
    ["probeWrite", () => cpu.probeWrite(DATA + 0xff0, 32)],
    ["probeRead", () => cpu.probeRead(DATA + 0xff0, 32)],
  ];
  for (const [name, fn] of cases) {
    cpu.mmu.cr2 = 0;
    const code = pfCode(fn);
    assert.equal(cpu.mmu.cr2, DATA + 0x1000, name);
    assert.equal(code & ERR_P, 0, name);
  }
  assert.deepEqual([...m.readVirt(DATA + 0xff0, 16)], new Array(16).fill(0));
});

Deno.test("insn: loads and stores set A and D bits in the leaf PTE", () => {
  // mov eax, [rbx] ; mov [rbx+0x1000], eax ; ud2
  const m = machineWithCode([0x8b, 0x03, 0x89, 0x83, 0x00, 0x10, 0x00, 0x00, ...UD2]);
  m.map(DATA, 0x2000);
  const t = new Tables(m);
  m.cpu.setRegFromNumber(RBX, DATA);
  expectFault(m, VEC_UD);
  assert.equal(t.lo(DATA, 3) & (A | D), A);
  assert.equal(t.lo(DATA + 0x1000, 3) & (A | D), A | D);
  assert.equal(t.lo(CODE, 3) & (A | D), A, "fetch sets A on the code page");
});

Deno.test("insn: a remapped data page is stale until CR3 reload, then INVLPG", () => {
  const m = machineWithCode([0x8b, 0x03, ...UD2]); // mov eax, [rbx]
  const oldFrame = m.map(DATA, 0x1000);
  const newFrame = m.allocFrame();
  m.mem.dv.setUint32(oldFrame, 111, true);
  m.mem.dv.setUint32(newFrame, 222, true);
  m.cpu.setRegFromNumber(RBX, DATA);
  const t = new Tables(m);
  const runOnce = () => {
    m.cpu.rip = CODE;
    expectFault(m, VEC_UD);
    return m.cpu.getReg32(RAX);
  };
  assert.equal(runOnce(), 111);
  t.map4k(DATA, newFrame);
  assert.equal(runOnce(), 111, "stale TLB entry");
  reloadCr3(m.cpu.mmu);
  assert.equal(runOnce(), 222);
  t.map4k(DATA, oldFrame);
  assert.equal(runOnce(), 222, "stale again");
  m.cpu.mmu.invlpg(DATA);
  assert.equal(runOnce(), 111);
});

Deno.test("insn: loads and stores through 2 MiB and 1 GiB pages", () => {
  // mov [rbx], eax ; mov ecx, [rdx] ; ud2
  const m = machineWithCode([0x89, 0x03, 0x8b, 0x0a, ...UD2]);
  const t = new Tables(m);
  const two = 0x7f_0000_0000, one = 0x40_0000_0000;
  t.set(two, 2, 0xc00000 | P | RW | US | PS);
  t.set(one, 1, 0 | P | RW | US | PS);
  m.mem.dv.setUint32(0xa1b2c4, 0x600dcafe, true);
  m.cpu.setRegFromNumber(RBX, two + 0x1ffff0);
  m.cpu.setRegFromNumber(2, one + 0xa1b2c4);
  m.cpu.setReg32(RAX, 0x12345678);
  expectFault(m, VEC_UD);
  assert.equal(m.mem.dv.getUint32(0xdffff0, true), 0x12345678);
  assert.equal(m.cpu.getReg32(1), 0x600dcafe);
  assert.equal(t.lo(two, 2) & (A | D), A | D);
  assert.equal(t.lo(one, 1) & (A | D), A);
});

Deno.test("insn: code and data in the upper canonical half", () => {
  const code = -0x8000_0000_0000 + 0x1000; // 0xffff800000001000
  const data = -0x2000; // 0xffffffffffffe000
  const m = new TestMachine();
  m.map(code, 0x1000);
  m.map(data, 0x1000);
  // mov [rbx+8], eax ; mov ecx, [rbx+8] ; mov rdx, [rip+0] (reads the ud2 after it) ; ud2
  m.writeVirt(code, [
    0x89,
    0x43,
    0x08,
    0x8b,
    0x4b,
    0x08,
    0x48,
    0x8b,
    0x15,
    0,
    0,
    0,
    0,
    ...UD2,
    0xcc,
    0xcc,
  ]);
  m.cpu.rip = code;
  m.cpu.setRegFromNumber(RBX, data);
  m.cpu.setReg32(RAX, 0xcafef00d);
  expectFault(m, VEC_UD);
  assert.equal(m.cpu.rip, code + 13);
  assert.equal(m.cpu.getReg32(1), 0xcafef00d);
  assert.equal(m.cpu.getReg32(2), 0xcccc0b0f);
  assert.deepEqual([...m.readVirt(data + 8, 4)], [0x0d, 0xf0, 0xfe, 0xca]);
});
