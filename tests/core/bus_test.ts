import assert from "node:assert/strict";
import { Bus, BusConflictError } from "../../core/bus.ts";

Deno.test("bus routes port I/O to the claiming device and refuses double claims", () => {
  const bus = new Bus();
  const written: number[] = [];
  bus.claimPorts("uart", 0x3f8, 8, {
    read: (port) => port - 0x3f8 + 0x40,
    write: (_port, _size, value) => written.push(value),
  });
  assert.equal(bus.portRead(0x3fa, 1), 0x42);
  bus.portWrite(0x3f8, 1, 0x41);
  assert.deepEqual(written, [0x41]);
  assert.equal(bus.portRead(0x80, 1), 0xff);
  assert.equal(bus.portRead(0x80, 2), 0xffff);
  assert.throws(
    () => bus.claimPorts("other", 0x3ff, 2, { read: () => 0, write: () => {} }),
    BusConflictError,
  );
  assert.throws(
    () => bus.claimPorts("bad", 65535, 2, { read: () => 0, write: () => {} }),
    RangeError,
  );
});

Deno.test("bus finds MMIO ranges and rejects overlaps", () => {
  const bus = new Bus();
  const h = { read: () => 7, write: () => {} };
  bus.claimMmio("hpet", 0xfed00000, 0x400, h);
  bus.claimMmio("lapic", 0xfee00000, 0x1000, h);
  assert.equal(bus.findMmio(0xfee00020)?.offset, 0x20);
  assert.equal(bus.findMmio(0xfed003ff)?.offset, 0x3ff);
  assert.equal(bus.findMmio(0xfed00400), undefined);
  assert.throws(() => bus.claimMmio("x", 0xfed003f0, 0x20, h), BusConflictError);
});

Deno.test("bus IRQ lines have one owner and pending lines are delivered in order", () => {
  const bus = new Bus();
  const seen: number[] = [];
  bus.onIrq((line) => seen.push(line));
  bus.claimIrq("timer", 0);
  bus.claimIrq("uart", 4);
  assert.throws(() => bus.claimIrq("other", 4), BusConflictError);
  assert.throws(() => bus.raiseIrq(9), RangeError);
  bus.raiseIrq(4);
  bus.raiseIrq(0);
  assert.deepEqual(seen, [4, 0]);
  assert.deepEqual(bus.takePendingIrqs(), [0, 4]);
  assert.deepEqual(bus.takePendingIrqs(), []);
});
