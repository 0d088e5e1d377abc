// Two- and three-operand IMUL's cheap paths (core/cpu/ops/muldiv.ts): the low half from
// mulLow64High and the CF/OF decision of imulFlags64/imulFlags32, checked against BigInt
// products, with operands chosen so products land on both sides of and right at 2^63 / 2^31.
import assert from "node:assert/strict";
import { TestMachine } from "../lib/machine.ts";
import { rng } from "../lib/xorshift.ts";
import { getFlags } from "../../core/cpu/flags.ts";
import { imulFlags32, imulFlags64, mulLow64High } from "../../core/cpu/ops/muldiv.ts";

const CF = 1, OF = 0x800;
const M64 = (1n << 64n) - 1n;

const signed64 = (v: bigint) => BigInt.asIntN(64, v);

/** Operand pairs whose products are near the 64-bit signed limits, plus random ones. */
function pairs(): [bigint, bigint][] {
  const next = rng(77).next;
  const r64 = () => (BigInt(next()) << 32n) | BigInt(next());
  const out: [bigint, bigint][] = [];
  const limit = 1n << 63n;
  for (let n = 0; n < 3000; n++) {
    const b = BigInt.asIntN(64, BigInt(next() % 100000) + 1n) * (next() & 1 ? -1n : 1n);
    // a * b within a few units of +-2^63.
    const target = (next() & 1 ? limit : -limit) + BigInt((next() % 9) - 4);
    const a = target / b + BigInt((next() % 3) - 1);
    out.push([a, b]);
    out.push([r64(), r64()]);
    out.push([BigInt(next() | 0), BigInt(next() | 0)]);
  }
  out.push([-limit, 1n], [-limit, -1n], [limit - 1n, 1n], [1n << 32n, 1n << 31n]);
  out.push([-(1n << 32n), 1n << 31n], [3037000499n, 3037000499n], [3037000500n, 3037000500n]);
  return out;
}

Deno.test("64-bit IMUL: low half and CF/OF match BigInt, also at the 2^63 boundary", () => {
  const cpu = new TestMachine().cpu;
  for (const [a, b] of pairs()) {
    const ua = a & M64, ub = b & M64;
    const aLo = Number(ua & 0xffffffffn), aHi = Number(ua >> 32n);
    const bLo = Number(ub & 0xffffffffn), bHi = Number(ub >> 32n);
    const product = signed64(a) * signed64(b);
    const low = product & M64;
    assert.equal(mulLow64High(aLo, aHi, bLo, bHi), Number(low >> 32n), `${a} * ${b}`);
    imulFlags64(cpu, aLo, aHi, bLo, bHi);
    const overflow = product !== signed64(product);
    assert.equal(getFlags(cpu) & (CF | OF), overflow ? CF | OF : 0, `${a} * ${b}`);
  }
});

Deno.test("32-bit IMUL: CF/OF match the exact product", () => {
  const cpu = new TestMachine().cpu;
  const next = rng(5).next;
  const edges = [0, 1, -1, 46340, 46341, -46341, 0x7fffffff, -0x80000000, 65536, 32768, -32768];
  for (let n = 0; n < 5000; n++) {
    const a = n % 3 ? next() | 0 : edges[next() % edges.length];
    const b = n % 5 ? next() | 0 : edges[next() % edges.length];
    const product = BigInt(a) * BigInt(b);
    imulFlags32(cpu, a >>> 0, b >>> 0);
    const overflow = product !== BigInt.asIntN(32, product);
    assert.equal(getFlags(cpu) & (CF | OF), overflow ? CF | OF : 0, `${a} * ${b}`);
  }
});
