// /proc/cpuinfo for the one emulated CPU, derived from the same CPUID leaves programs see
// (core/cpu/cpuid.ts): vendor, family/model/stepping, brand string, cache and address sizes, and
// the flags Linux names for each feature bit, printed in Linux's capability-word order.

import { cpuidLeaf } from "../../../core/cpu/cpuid.ts";

/** The TSC counts nanoseconds (core/cpu/ops/system.ts): a 1 GHz invariant TSC. */
const TSC_KHZ = 1_000_000;

/** Linux's x86_cap_flags names for bits 0..31 of one CPUID register ("-": unnamed). */
const bitNames = (spec: string) => spec.split(" ");

const LEAF1_EDX = bitNames(
  "fpu vme de pse tsc msr pae mce cx8 apic - sep mtrr pge mca cmov pat pse36 pn clflush - dts " +
    "acpi mmx fxsr sse sse2 ss ht tm ia64 pbe",
);
const EXT_EDX = bitNames(
  "- - - - - - - - - - - syscall - - - - - - - mp nx - mmxext - - fxsr_opt pdpe1gb rdtscp - lm " +
    "3dnowext 3dnow",
);
const LEAF1_ECX = bitNames(
  "pni pclmulqdq dtes64 monitor ds_cpl vmx smx est tm2 ssse3 cid sdbg fma cx16 xtpr pdcm - pcid " +
    "dca sse4_1 sse4_2 x2apic movbe popcnt tsc_deadline_timer aes xsave - avx f16c rdrand " +
    "hypervisor",
);
const EXT_ECX = bitNames(
  "lahf_lm cmp_legacy svm extapic cr8_legacy abm sse4a misalignsse 3dnowprefetch osvw ibs xop " +
    "skinit wdt - lwp fma4 tce - nodeid_msr - tbm topoext perfctr_core perfctr_nb - bpext ptsc " +
    "perfctr_llc mwaitx - -",
);
const LEAF7_EBX = bitNames(
  "fsgsbase tsc_adjust sgx bmi1 hle avx2 - smep bmi2 erms invpcid rtm cqm - mpx rdt_a avx512f " +
    "avx512dq rdseed adx smap avx512ifma - clflushopt clwb intel_pt avx512pf avx512er avx512cd " +
    "sha_ni avx512bw avx512vl",
);

function named(register: number, names: string[]): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    if ((register >>> bit) & 1 && names[bit] !== "-") out.push(names[bit]);
  }
  return out;
}

function ascii(words: number[]): string {
  let s = "";
  for (const w of words) {
    for (let k = 0; k < 4; k++) s += String.fromCharCode((w >>> (8 * k)) & 0xff);
  }
  return s.replace(/\0+$/, "").trim();
}

/** The flags line's names, in Linux's order (capability word 0, 1, 4, 6, 9). */
export function cpuFlags(): string[] {
  const [, , ecx1, edx1] = cpuidLeaf(1, 0);
  const [, , extEcx, extEdx] = cpuidLeaf(0x80000001, 0);
  const maxLeaf = cpuidLeaf(0, 0)[0];
  const ebx7 = maxLeaf >= 7 ? cpuidLeaf(7, 0)[1] : 0;
  return [
    ...named(edx1, LEAF1_EDX),
    ...named(extEdx, EXT_EDX),
    ...named(ecx1, LEAF1_ECX),
    ...named(extEcx, EXT_ECX),
    ...named(ebx7, LEAF7_EBX),
  ];
}

export function cpuinfoText(): string {
  const [maxLeaf, b0, c0, d0] = cpuidLeaf(0, 0);
  const [signature, ebx1] = cpuidLeaf(1, 0);
  const maxExt = cpuidLeaf(0x80000000, 0)[0] >>> 0;
  let family = (signature >>> 8) & 0xf;
  let model = (signature >>> 4) & 0xf;
  if (family === 0xf) family += (signature >>> 20) & 0xff;
  if (family >= 6) model += ((signature >>> 16) & 0xf) << 4;
  const stepping = signature & 0xf;
  const brand = maxExt >= 0x80000004
    ? ascii([0x80000002, 0x80000003, 0x80000004].flatMap((l) => cpuidLeaf(l, 0)))
    : "";
  const cacheKb = maxExt >= 0x80000006 ? cpuidLeaf(0x80000006, 0)[2] >>> 16 : 0;
  const clflush = ((ebx1 >>> 8) & 0xff) * 8;
  const sizes = maxExt >= 0x80000008 ? cpuidLeaf(0x80000008, 0)[0] : 0;
  const mhz = `${Math.floor(TSC_KHZ / 1000)}.${String(TSC_KHZ % 1000).padStart(3, "0")}`;
  const bogomips = (TSC_KHZ * 2 / 1000).toFixed(2);
  const lines = [
    `processor\t: 0`,
    `vendor_id\t: ${ascii([b0, d0, c0])}`,
    `cpu family\t: ${family}`,
    `model\t\t: ${model}`,
    `model name\t: ${brand || "unknown"}`,
    `stepping\t: ${stepping}`,
    `cpu MHz\t\t: ${mhz}`,
  ];
  if (cacheKb > 0) lines.push(`cache size\t: ${cacheKb} KB`);
  lines.push(
    `physical id\t: 0`,
    `siblings\t: 1`,
    `core id\t\t: 0`,
    `cpu cores\t: 1`,
    `apicid\t\t: 0`,
    `initial apicid\t: 0`,
    `fpu\t\t: yes`,
    `fpu_exception\t: yes`,
    `cpuid level\t: ${maxLeaf}`,
    `wp\t\t: yes`,
    `flags\t\t: ${cpuFlags().join(" ")}`,
    `bugs\t\t:`,
    `bogomips\t: ${bogomips}`,
    `clflush size\t: ${clflush}`,
    `cache_alignment\t: ${clflush}`,
    `address sizes\t: ${sizes & 0xff} bits physical, ${(sizes >>> 8) & 0xff} bits virtual`,
    `power management:`,
  );
  return lines.join("\n") + "\n\n";
}
