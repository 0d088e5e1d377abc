// SSE4.2 string instructions (PCMPESTRI/M, PCMPISTRI/M) and CRC32: fixed vectors whose
// expected values were produced by the host CPU, the CRC-32C check value, the decoder's choice
// between CRC32 (F2) and MOVBE (no prefix) in the shared 0F 38 F0/F1 slots, and a
// differential run over every imm8 against the host (tests/cpu/sse_int_oracle.c).

import assert from "node:assert/strict";
import { SSE_STRING_FORMS } from "../../core/cpu/ops/sse-string.ts";
import { EXIT_EXCEPTION, RAX, RCX, RSI } from "../../core/cpu/cpu.ts";
import { getDecoder } from "../../core/cpu/cpu.ts";
import { TestMachine } from "../lib/machine.ts";
import {
  type Case,
  compareAll,
  DATA_BASE,
  encode,
  makeCase,
  oraclePath,
  randomFx,
  randomGprs,
  Rng,
  runEmu,
  xmmOf,
} from "./sse_int_host.ts";
import { hexBytes } from "./native_oracle.ts";

const XMM0 = "ffeeddccbbaa99887766554433221100";

/**
 * [name, code (xmm1 = operand 1, xmm2 = operand 2), xmm1, xmm2 (text, first character in the
 * low byte), RAX, RDX, then on the host: RCX, status flags, XMM0]. RCX starts as all ones.
 */
const PCMPSTR_VECTORS: [string, string, string, string, bigint, bigint, bigint, number, string][] =
  [
    [
      "pcmpistri strlen (equal each vs zero)",
      "660f3a63ca08",
      "00000000000000000000000000000000",
      "00000000646c726f77202c6f6c6c6568",
      0n,
      0n,
      0xcn,
      0xc1,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpistri equal any vowels",
      "660f3a63ca00",
      "0000000000000000000000756f696561",
      "7365756c6220646e61206d6874796872",
      0n,
      0n,
      0x7n,
      0x81,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpistri ranges a-z, msb index",
      "660f3a63ca44",
      "00000000000000000000000000007a61",
      "00000000006b6a494847666564434241",
      0n,
      0n,
      0xan,
      0xc1,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpistri ranges negated",
      "660f3a63ca14",
      "0000000000000000000000005a417a61",
      "00000021696867202c46454420636261",
      0n,
      0n,
      0x3n,
      0xc1,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpistri equal ordered",
      "660f3a63ca0c",
      "00000000000000000000656c6465656e",
      "00006b63617473656c6465656e796168",
      0n,
      0n,
      0x3n,
      0xc1,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpistri equal ordered tail",
      "660f3a63ca0c",
      "00000000000000000000000064636261",
      "00626178787878787878787878787878",
      0n,
      0n,
      0x10n,
      0xc0,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpistri masked negative",
      "660f3a63ca38",
      "000000000000000000000000656d6173",
      "000000000000000000000000666d6173",
      0n,
      0n,
      0x3n,
      0xc1,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpistri words equal any",
      "660f3a63ca01",
      "00000000000000000000000000620061",
      "000000000000000000000000627a7978",
      0n,
      0n,
      0x8n,
      0xc0,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpistri signed byte ranges",
      "660f3a63ca06",
      "00000000000000000000000000001080",
      "0000000000000000000000007f052090",
      0n,
      0n,
      0x0n,
      0x8c1,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpistrm bit mask",
      "660f3a62ca00",
      "00000000000000000000000000006f6c",
      "00000000646c726f77202c6f6c6c6568",
      0n,
      0n,
      0xffffffffffffffffn,
      0xc1,
      "0000000000000000000000000000051c",
    ],
    [
      "pcmpistrm byte mask",
      "660f3a62ca40",
      "00000000000000000000000000006f6c",
      "00000000646c726f77202c6f6c6c6568",
      0n,
      0n,
      0xffffffffffffffffn,
      0xc1,
      "0000000000ff00ff000000ffffff0000",
    ],
    [
      "pcmpistrm word mask ranges",
      "660f3a62ca45",
      "00000000000000000000000000390030",
      "00000000000000000000003700610031",
      0n,
      0n,
      0xffffffffffffffffn,
      0x8c1,
      "00000000000000000000ffff0000ffff",
    ],
    [
      "pcmpestri explicit lengths",
      "660f3a61ca0c",
      "00000000000000000000000064006261",
      "00000000000000000062616400626178",
      4n,
      8n,
      0x1n,
      0xc1,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpestri negative lengths (absolute value)",
      "660f3a61ca08",
      "00000000000000000000666564636261",
      "000000000000000000007a7978636261",
      -3n,
      -5n,
      0x0n,
      0x8c1,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpestri 32-bit length ignores upper half",
      "660f3a61ca08",
      "00000000000000000000666564636261",
      "00000000000000000000666564636261",
      4294967302n,
      6n,
      0x0n,
      0x8c1,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpestri REX.W 64-bit lengths saturate",
      "66480f3a61ca08",
      "00000000000000000000666564636261",
      "00000000000000000000666564636261",
      4294967302n,
      6n,
      0x0n,
      0x841,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpestri lengths saturate at 16",
      "660f3a61ca18",
      "706f6e6d6c6b6a696867666564636261",
      "706f6e6d6c6b6a696867666564636261",
      100n,
      17n,
      0x10n,
      0x0,
      "ffeeddccbbaa99887766554433221100",
    ],
    [
      "pcmpestrm words",
      "660f3a60ca41",
      "00000000000000000000006300620061",
      "00000000000000000000006100620063",
      3n,
      3n,
      0xffffffffffffffffn,
      0x8c1,
      "00000000000000000000ffffffffffff",
    ],
    [
      "pcmpestrm equal each masked negative",
      "660f3a60ca78",
      "00000000000000000000666564636261",
      "00000000000000000000666564586261",
      6n,
      4n,
      0xffffffffffffffffn,
      0xc1,
      "ffffffffffffffffffff000000ff0000",
    ],
  ];

Deno.test("PCMPxSTRx results, flags and lengths match host-derived vectors", () => {
  for (const [name, code, a, b, rax, rdx, rcx, flags, xmm0] of PCMPSTR_VECTORS) {
    const out = runEmu(makeCase({
      code: hexBytes(code),
      xmm: { 0: XMM0, 1: a, 2: b },
      gpr: { 0: BigInt.asUintN(64, rax), 1: 0xffffffffffffffffn, 2: BigInt.asUintN(64, rdx) },
    }));
    assert.equal(out.signal, 0, name);
    assert.equal(out.gpr[1], rcx, `${name}: RCX`);
    assert.equal(out.rflags, flags, `${name}: flags`);
    assert.equal(xmmOf(out, 0), xmm0, `${name}: XMM0`);
  }
});

Deno.test("PCMPxSTRx memory operands need no alignment", () => {
  const data = Array.from("hello, world\0\0\0\0\0\0", (c) => c.charCodeAt(0));
  const out = runEmu(makeCase({ code: hexBytes("660f3a630e08"), data, dataOffset: 0x123 }));
  assert.equal(out.signal, 0);
  assert.equal(out.gpr[1], 12n); // strlen("hello, world")
});

/** [name, code, RAX, RCX, RAX afterwards on the host] with "123456789\0" at [rsi]. */
const CRC_VECTORS: [string, string, bigint, bigint, bigint][] = [
  ["crc32 eax, cl", "f20f38f0c1", 0xffffffffn, 0x31n, 0x6f0a661cn],
  ["crc32 eax, cx", "66f20f38f1c1", 0x12345678n, 0xabcdn, 0xaae32043n],
  ["crc32 eax, ecx", "f20f38f1c1", 0x0n, 0xdeadbeefn, 0x9991d14n],
  ["crc32 rax, rcx", "f2480f38f1c1", 0xffffffff00000001n, 0x123456789abcdefn, 0xa0a4178en],
  ["crc32 rax, cl (REX.W)", "f2480f38f0c1", 0xffffffffffffffffn, 0x80n, 0x2f7497d6n],
  ["crc32 eax, sil (REX)", "f2400f38f0c6", 0x1n, 0x0n, 0xf26b8303n],
  ["crc32 eax, byte [rsi]", "f20f38f006", 0x11111111n, 0x0n, 0x20ac9fcfn],
  ["crc32 eax, qword [rsi] 66-ignored width", "66f2480f38f106", 0x22222222n, 0x0n, 0xab78ababn],
];

Deno.test("CRC32 matches host-derived vectors for every source width", () => {
  for (const [name, code, rax, rcx, expected] of CRC_VECTORS) {
    const out = runEmu(makeCase({
      code: hexBytes(code),
      gpr: { 0: rax, 1: rcx },
      data: hexBytes("31323334353637383900"),
    }));
    assert.equal(out.signal, 0, name);
    assert.equal(out.gpr[0], expected, name);
  }
});

Deno.test('CRC32 over "123456789" gives the CRC-32C check value E3069283', () => {
  // mov eax, -1; crc32 rax, qword [rsi]; crc32 eax, byte [rsi+8]; not eax; syscall
  const code = [
    ...[0xb8, 0xff, 0xff, 0xff, 0xff],
    ...[0xf2, 0x48, 0x0f, 0x38, 0xf1, 0x06],
    ...[0xf2, 0x0f, 0x38, 0xf0, 0x46, 0x08],
    ...[0xf7, 0xd0],
    ...[0x0f, 0x05],
  ];
  const m = new TestMachine();
  m.map(0x400000, 0x1000);
  m.map(DATA_BASE, 0x1000);
  m.writeVirt(0x400000, code);
  m.writeVirt(DATA_BASE, hexBytes("313233343536373839"));
  m.cpu.rip = 0x400000;
  m.cpu.setRegFromNumber(RSI, DATA_BASE);
  m.run(10);
  assert.equal(m.cpu.r64[RAX], 0xe3069283n);
});

Deno.test("F2 0F 38 F0/F1 decode as CRC32 (also with 66 and REX.W); without F2 as MOVBE", () => {
  const decoder = getDecoder();
  const mnem = (code: number[]) => {
    const insn = decoder.decode((a) => code[a] ?? 0x90, 0);
    return insn.form?.spec.mnem ?? "(undefined)";
  };
  assert.equal(mnem([0xf2, 0x0f, 0x38, 0xf0, 0xc1]), "crc32");
  assert.equal(mnem([0xf2, 0x0f, 0x38, 0xf1, 0x06]), "crc32");
  assert.equal(mnem([0x66, 0xf2, 0x0f, 0x38, 0xf1, 0xc1]), "crc32");
  assert.equal(mnem([0xf2, 0x66, 0x0f, 0x38, 0xf1, 0xc1]), "crc32");
  assert.equal(mnem([0xf2, 0x48, 0x0f, 0x38, 0xf1, 0xc1]), "crc32");
  assert.equal(mnem([0x0f, 0x38, 0xf0, 0x06]), "movbe");
  assert.equal(mnem([0x66, 0x0f, 0x38, 0xf1, 0x06]), "movbe");
  const m = new TestMachine();
  m.map(0x400000, 0x1000);
  m.writeVirt(0x400000, [0x0f, 0x38, 0xf0, 0xc1]); // movbe has no register form
  m.cpu.rip = 0x400000;
  assert.equal(m.run(1), EXIT_EXCEPTION);
  assert.equal(m.cpu.exitException?.vector, 6);
  assert.equal(m.cpu.r64[RCX], 0n);
});

/** A case running `code` from random state, RSI at a random point of the data window. */
function randomCase(rng: Rng, code: number[], gpr: bigint[]): Case {
  const dataOffset = rng.below(4000);
  gpr[6] = BigInt(DATA_BASE + dataOffset);
  return {
    code,
    rflags: rng.u32() & 0xcd5,
    gpr,
    fx: randomFx(rng),
    dataOffset,
    data: rng.bytes(16),
  };
}

Deno.test({
  name: "PCMPxSTRx and CRC32 match the host CPU for every imm8 and random strings",
  ignore: oraclePath() === null,
  fn() {
    const rng = new Rng(0x5eed3);
    const cases: Case[] = [];
    for (const opcode of [0x60, 0x61, 0x62, 0x63]) {
      for (let imm = 0; imm < 256; imm++) {
        for (let n = 0; n < 3; n++) {
          const mem = rng.below(3) === 0;
          const code = encode([0x66], [0x0f, 0x3a, opcode], {
            reg: rng.below(16),
            rm: mem ? -1 : rng.below(16),
            w: rng.below(2) === 0,
          }, [imm]);
          const gpr = randomGprs(rng);
          gpr[0] = rng.below(2) ? BigInt(rng.below(40)) - 20n : gpr[0];
          gpr[2] = rng.below(2) ? BigInt(rng.below(40)) - 20n : gpr[2];
          cases.push(randomCase(rng, code, gpr));
        }
      }
    }
    for (const row of SSE_STRING_FORMS.filter((r) => r.mnem === "crc32")) {
      for (let n = 0; n < 200; n++) {
        const mem = rng.below(2) === 0;
        let rm = mem ? -1 : rng.below(16);
        if (rm === 4) rm = 5;
        let reg = rng.below(16);
        if (reg === 4) reg = 5;
        const prefixes = rng.below(2) ? [0x66, 0xf2] : [0xf2];
        const code = encode(prefixes, [0x0f, 0x38, row.op.includes("F0") ? 0xf0 : 0xf1], {
          reg,
          rm,
          w: rng.below(2) === 0,
          rex: rng.below(2) === 0,
        });
        cases.push(randomCase(rng, code, randomGprs(rng)));
      }
    }
    assert.deepEqual(compareAll(cases, 5), []);
  },
});
