// CPUID: what this CPU honestly implements. x86-64-v2 (SSE3, SSSE3, SSE4.1, SSE4.2, POPCNT,
// CX16, LAHF/SAHF), plus MOVBE, BMI1/BMI2, LZCNT, RDRAND/RDSEED, NX, 1 GiB pages and RDTSCP.
// No XSAVE, no AVX: software must not take paths this CPU cannot run.

const VENDOR = "NexaOSx86-64";
const BRAND = "NexaOS virtual x86-64-v2 CPU";

function ascii4(s: string, at: number): number {
  let v = 0;
  for (let k = 3; k >= 0; k--) v = v * 256 + (s.charCodeAt(at + k) || 0);
  return v >>> 0;
}

const bit = (n: number) => 2 ** n;

// Leaf 1.
const FEATURES_EDX = bit(0) /* FPU */ + bit(4) /* TSC */ + bit(6) /* PAE */ + bit(8) /* CX8 */ +
  bit(13) /* PGE */ + bit(15) /* CMOV */ +
  bit(19) /* CLFSH */ + bit(23) /* MMX */ + bit(24) /* FXSR */ + bit(25) /* SSE */ +
  bit(26) /* SSE2 */;
const FEATURES_ECX = bit(0) /* SSE3 */ + bit(9) /* SSSE3 */ + bit(13) /* CX16 */ +
  bit(19) /* SSE4.1 */ + bit(20) /* SSE4.2 */ + bit(22) /* MOVBE */ + bit(23) /* POPCNT */ +
  bit(30) /* RDRAND */ + bit(31) /* hypervisor: we are a virtual CPU */;
// Leaf 7.0 EBX.
const EXT_FEATURES_EBX = bit(3) /* BMI1 */ + bit(7) /* SMEP */ + bit(8) /* BMI2 */ +
  bit(9) /* ERMS */ + bit(18) /* RDSEED */ + bit(23) /* CLFLUSHOPT */;
// Leaf 0x80000001.
const EXT_ECX = bit(0) /* LAHF/SAHF */ + bit(5) /* LZCNT */ +
  bit(7) /* MisAlignSse: MXCSR.MM lifts 16-byte alignment */ + bit(8) /* PREFETCHW */;
const EXT_EDX = bit(11) /* SYSCALL */ + bit(20) /* NX */ + bit(26) /* 1 GiB pages */ +
  bit(27) /* RDTSCP */ + bit(29) /* long mode */;

/** Family 6, model 0, stepping 1: a generic P6-lineage identity with no errata implied. */
const SIGNATURE = (6 << 8) | 1;

export function cpuidLeaf(leaf: number, sub: number): [number, number, number, number] {
  switch (leaf >>> 0) {
    case 0:
      return [7, ascii4(VENDOR, 0), ascii4(VENDOR, 8), ascii4(VENDOR, 4)];
    case 1:
      return [SIGNATURE, (8 << 8) | (1 << 16), FEATURES_ECX >>> 0, FEATURES_EDX >>> 0];
    case 7:
      return sub === 0 ? [0, EXT_FEATURES_EBX, 0, 0] : [0, 0, 0, 0];
    case 0x80000000:
      return [0x80000008, 0, 0, 0];
    case 0x80000001:
      return [0, 0, EXT_ECX, EXT_EDX];
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const at = (leaf - 0x80000002) * 16;
      const s = BRAND.padEnd(48, "\0");
      return [ascii4(s, at), ascii4(s, at + 4), ascii4(s, at + 8), ascii4(s, at + 12)];
    }
    case 0x80000006:
      return [0, 0, (64 & 0xff) | (256 << 16), 0]; // 64-byte lines, 256 KiB L2
    case 0x80000008:
      return [(48 << 8) | 32, 0, 0, 0]; // 32-bit physical, 48-bit linear addresses
    default:
      return [0, 0, 0, 0];
  }
}
