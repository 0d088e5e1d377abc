// Tests for kernel/exec/elf.ts: real static binaries (busybox, musl and glibc builds) checked
// against readelf, one hand-built broken ELF per error path, and a mutation fuzz.

import assert from "node:assert/strict";
import {
  ElfError,
  type ElfImage,
  MAX_SEGMENT_SIZE,
  MIN_MAPPABLE_ADDRESS,
  parseElf,
  PF_R,
  PF_W,
  PF_X,
  PT_GNU_STACK,
  PT_INTERP,
  PT_LOAD,
  PT_PHDR,
  PT_TLS,
  USER_ADDRESS_LIMIT,
} from "../../kernel/exec/elf.ts";
import {
  buildProgram,
  canBuild,
  READELF,
  run,
  withTempDir,
  writeHelloSource,
} from "./toolchain.ts";

type U64 = number | bigint;

interface Phdr {
  type: number;
  flags: number;
  offset: U64;
  vaddr: U64;
  filesz: U64;
  memsz: U64;
  align: U64;
}

interface ElfSpec {
  elfClass?: number;
  encoding?: number;
  identVersion?: number;
  type?: number;
  machine?: number;
  version?: number;
  entry?: U64;
  phoff?: U64;
  phentsize?: number;
  phnum?: number;
  phdrs: Phdr[];
  size?: number;
  /** Extra bytes to place in the file: [offset, bytes]. */
  blobs?: [number, Uint8Array][];
}

const HEAD: Phdr = {
  type: PT_LOAD,
  flags: PF_R,
  offset: 0,
  vaddr: 0x400000,
  filesz: 0x200,
  memsz: 0x200,
  align: 0x1000,
};
const TEXT: Phdr = {
  type: PT_LOAD,
  flags: PF_R | PF_X,
  offset: 0x1000,
  vaddr: 0x401000,
  filesz: 0x100,
  memsz: 0x100,
  align: 0x1000,
};
const DATA: Phdr = {
  type: PT_LOAD,
  flags: PF_R | PF_W,
  offset: 0x1100,
  vaddr: 0x402100,
  filesz: 0x80,
  memsz: 0x2000,
  align: 0x1000,
};
const STACK: Phdr = {
  type: PT_GNU_STACK,
  flags: PF_R | PF_W,
  offset: 0,
  vaddr: 0,
  filesz: 0,
  memsz: 0,
  align: 16,
};

function buildElf(spec: ElfSpec): Uint8Array {
  const phoff = BigInt(spec.phoff ?? 64);
  const size = spec.size ?? 0x1180;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set([
    0x7f,
    0x45,
    0x4c,
    0x46,
    spec.elfClass ?? 2,
    spec.encoding ?? 1,
    spec.identVersion ?? 1,
  ]);
  view.setUint16(16, spec.type ?? 2, true);
  view.setUint16(18, spec.machine ?? 62, true);
  view.setUint32(20, spec.version ?? 1, true);
  view.setBigUint64(24, BigInt(spec.entry ?? 0x401010), true);
  view.setBigUint64(32, phoff, true);
  view.setUint16(52, 64, true);
  view.setUint16(54, spec.phentsize ?? 56, true);
  view.setUint16(56, spec.phnum ?? spec.phdrs.length, true);
  spec.phdrs.forEach((p, i) => {
    const at = Number(phoff) + i * 56;
    if (at + 56 > size) return;
    view.setUint32(at, p.type, true);
    view.setUint32(at + 4, p.flags, true);
    view.setBigUint64(at + 8, BigInt(p.offset), true);
    view.setBigUint64(at + 16, BigInt(p.vaddr), true);
    view.setBigUint64(at + 24, BigInt(p.vaddr), true);
    view.setBigUint64(at + 32, BigInt(p.filesz), true);
    view.setBigUint64(at + 40, BigInt(p.memsz), true);
    view.setBigUint64(at + 48, BigInt(p.align), true);
  });
  for (const [at, blob] of spec.blobs ?? []) bytes.set(blob, at);
  return bytes;
}

function throwsElf(bytes: Uint8Array, expected: string | RegExp): void {
  try {
    parseElf(bytes);
  } catch (error) {
    assert.ok(error instanceof ElfError, `expected ElfError, got ${error}`);
    assert.ok(!error.message.includes("\n"), `multi-line message: ${error.message}`);
    if (typeof expected === "string") assert.equal(error.message, expected);
    else assert.match(error.message, expected);
    return;
  }
  assert.fail(`parseElf accepted a file that should fail with ${expected}`);
}

/** Everything a loader relies on, checked against the raw bytes. */
function assertInvariants(image: ElfImage, bytes: Uint8Array): void {
  const safe = (n: number) => Number.isSafeInteger(n) && n >= 0;
  assert.ok(image.type === "exec" || image.type === "dyn");
  assert.equal(image.phentsize, 56);
  assert.ok(image.phnum >= 1 && image.phnum <= 1024);
  assert.ok(safe(image.phoff) && image.phoff + image.phnum * 56 <= bytes.length);
  assert.equal(image.programHeaders.length, image.phnum * 56);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < image.phnum; i++) {
    assert.notEqual(view.getUint32(image.phoff + i * 56, true), PT_INTERP);
  }
  assert.ok(image.loads.length > 0);
  for (const [k, s] of image.loads.entries()) {
    for (const n of [s.vaddr, s.memsz, s.filesz, s.offset, s.align]) assert.ok(safe(n));
    assert.ok(s.memsz > 0 && s.filesz <= s.memsz && s.memsz <= MAX_SEGMENT_SIZE);
    assert.ok(s.vaddr + s.memsz <= USER_ADDRESS_LIMIT);
    if (image.type === "exec") assert.ok(s.vaddr >= MIN_MAPPABLE_ADDRESS);
    if (s.filesz > 0) {
      assert.ok(s.offset + s.filesz <= bytes.length);
      assert.equal((s.vaddr - s.offset) % 4096, 0);
    }
    assert.ok(s.align <= 1 || (s.align & (s.align - 1)) === 0);
    assert.equal(view.getUint32(image.phoff + s.index * 56, true), PT_LOAD);
    if (k > 0) {
      const previous = image.loads[k - 1];
      assert.ok(previous.vaddr + previous.memsz <= s.vaddr, "loads sorted and disjoint");
    }
  }
  assert.ok(
    image.loads.some((s) =>
      s.executable && s.vaddr <= image.entry && image.entry < s.vaddr + s.memsz
    ),
  );
  const last = image.loads[image.loads.length - 1];
  assert.equal(image.spanStart % 4096, 0);
  assert.equal(image.spanEnd % 4096, 0);
  assert.ok(
    image.spanStart <= image.loads[0].vaddr && image.loads[0].vaddr - image.spanStart < 4096,
  );
  assert.ok(last.vaddr + last.memsz <= image.spanEnd && image.spanEnd <= USER_ADDRESS_LIMIT);
  assert.ok(image.maxAlign >= 4096 && (image.maxAlign & (image.maxAlign - 1)) === 0);
  assert.ok(
    image.phdrVaddr === null || (safe(image.phdrVaddr) && image.phdrVaddr < USER_ADDRESS_LIMIT),
  );
  if (image.tls) assert.ok(image.tls.filesz <= image.tls.memsz);
}

Deno.test("a minimal hand-built ET_EXEC parses into exactly its fields", () => {
  const bytes = buildElf({ phdrs: [HEAD, TEXT, DATA, STACK] });
  const image = parseElf(bytes);
  assertInvariants(image, bytes);
  assert.equal(image.type, "exec");
  assert.equal(image.entry, 0x401010);
  assert.equal(image.phoff, 64);
  assert.equal(image.phnum, 4);
  assert.equal(image.phdrVaddr, 0x400040);
  assert.deepEqual(image.loads, [
    {
      index: 0,
      vaddr: 0x400000,
      memsz: 0x200,
      filesz: 0x200,
      offset: 0,
      align: 0x1000,
      readable: true,
      writable: false,
      executable: false,
    },
    {
      index: 1,
      vaddr: 0x401000,
      memsz: 0x100,
      filesz: 0x100,
      offset: 0x1000,
      align: 0x1000,
      readable: true,
      writable: false,
      executable: true,
    },
    {
      index: 2,
      vaddr: 0x402100,
      memsz: 0x2000,
      filesz: 0x80,
      offset: 0x1100,
      align: 0x1000,
      readable: true,
      writable: true,
      executable: false,
    },
  ]);
  assert.equal(image.executableStack, false);
  assert.equal(image.tls, null);
  assert.equal(image.spanStart, 0x400000);
  assert.equal(image.spanEnd, 0x405000);
  assert.equal(image.maxAlign, 0x1000);
  assert.deepEqual(image.programHeaders, bytes.subarray(64, 64 + 4 * 56));
});

Deno.test("program headers: PT_PHDR, PT_GNU_STACK, PT_TLS, empty loads, unsorted loads", () => {
  const phdr: Phdr = {
    ...STACK,
    type: PT_PHDR,
    flags: PF_R,
    offset: 64,
    vaddr: 0x400040,
    filesz: 0xe0,
    memsz: 0xe0,
  };
  assert.equal(
    parseElf(buildElf({ phdrs: [{ ...phdr, vaddr: 0x400888 }, HEAD, TEXT] })).phdrVaddr,
    0x400888,
  );
  // The table at file offset 0x1000 is inside TEXT, so it is mapped at 0x401000.
  const moved = buildElf({ phoff: 0x1000, phdrs: [HEAD, TEXT], size: 0x1180 });
  assert.equal(parseElf(moved).phdrVaddr, 0x401000);
  // Not mapped by any segment: Linux passes AT_PHDR 0.
  assert.equal(parseElf(buildElf({ phoff: 0x1100, phdrs: [HEAD, TEXT] })).phdrVaddr, null);

  const execStack = { ...STACK, flags: PF_R | PF_W | PF_X };
  assert.equal(parseElf(buildElf({ phdrs: [HEAD, TEXT, execStack] })).executableStack, true);
  assert.equal(
    parseElf(buildElf({ phdrs: [HEAD, TEXT, execStack, STACK] })).executableStack,
    false,
  );
  assert.equal(parseElf(buildElf({ phdrs: [HEAD, TEXT] })).executableStack, false);

  const tls: Phdr = { ...DATA, type: PT_TLS, flags: PF_R, filesz: 0x10, memsz: 0x30, align: 8 };
  assert.deepEqual(parseElf(buildElf({ phdrs: [HEAD, TEXT, DATA, tls] })).tls, {
    index: 3,
    vaddr: 0x402100,
    memsz: 0x30,
    filesz: 0x10,
    align: 8,
  });

  const empty: Phdr = { ...DATA, vaddr: 0x401080, filesz: 0, memsz: 0 };
  const image = parseElf(buildElf({ phdrs: [DATA, empty, TEXT, HEAD] }));
  assert.deepEqual(image.loads.map((s) => s.index), [3, 2, 0]);
});

Deno.test("ET_DYN: relative addresses from 0, span and the largest alignment", () => {
  const head = { ...HEAD, vaddr: 0 };
  const text = { ...TEXT, vaddr: 0x1000, align: 0x200000 };
  const data = { ...DATA, vaddr: 0x3100 };
  const bytes = buildElf({ type: 3, entry: 0x1010, phdrs: [head, text, data] });
  const image = parseElf(bytes);
  assertInvariants(image, bytes);
  assert.equal(image.type, "dyn");
  assert.equal(image.phdrVaddr, 0x40);
  assert.equal(image.spanStart, 0);
  assert.equal(image.spanEnd, 0x6000);
  assert.equal(image.maxAlign, 0x200000);
});

Deno.test("segments may share a page as long as their bytes do not overlap", () => {
  const data = { ...DATA, vaddr: 0x401100, offset: 0x1100 };
  const image = parseElf(buildElf({ phdrs: [HEAD, TEXT, data] }));
  assert.equal(image.loads[2].vaddr, 0x401100);
  throwsElf(
    buildElf({ phdrs: [HEAD, TEXT, { ...data, vaddr: 0x4010ff, offset: 0x10ff }] }),
    "segments 1 and 2 overlap",
  );
});

Deno.test("ELF identification and header errors", () => {
  const valid = buildElf({ phdrs: [HEAD, TEXT] });
  throwsElf(new Uint8Array(0), "not an ELF file");
  throwsElf(new TextEncoder().encode("#!/bin/sh\necho hi\n"), "not an ELF file");
  throwsElf(valid.subarray(0, 3), "not an ELF file");
  throwsElf(valid.subarray(0, 5), "truncated: the file is only 5 bytes");
  throwsElf(buildElf({ elfClass: 1, phdrs: [] }), "ELF class is 32-bit; only ELF64 is supported");
  throwsElf(buildElf({ elfClass: 7, phdrs: [] }), "ELF class 7 is invalid");
  throwsElf(
    buildElf({ encoding: 2, phdrs: [] }),
    "ELF data encoding is big-endian; only little-endian is supported",
  );
  throwsElf(buildElf({ encoding: 0, phdrs: [] }), "ELF data encoding 0 is invalid");
  throwsElf(buildElf({ identVersion: 0, phdrs: [] }), "ELF identification version 0 is not 1");
  throwsElf(valid.subarray(0, 40), "truncated: the ELF header needs 64 bytes but the file has 40");
  throwsElf(
    buildElf({ machine: 40, phdrs: [] }),
    "ELF machine is ARM (40); only x86-64 is supported",
  );
  throwsElf(
    buildElf({ machine: 3, phdrs: [] }),
    "ELF machine is i386 (3); only x86-64 is supported",
  );
  throwsElf(buildElf({ machine: 4242, phdrs: [] }), /machine is unknown \(4242\)/);
  throwsElf(buildElf({ type: 1, phdrs: [] }), "not an executable (ELF type REL)");
  throwsElf(buildElf({ type: 4, phdrs: [] }), "not an executable (ELF type CORE)");
  throwsElf(buildElf({ type: 0xfe00, phdrs: [] }), "not an executable (ELF type 0xfe00)");
  throwsElf(buildElf({ version: 2, phdrs: [HEAD, TEXT] }), "ELF version 2 is not 1");
});

Deno.test("program header table errors", () => {
  throwsElf(
    buildElf({ phentsize: 32, phdrs: [HEAD, TEXT] }),
    "program header entry size is 32 bytes; ELF64 needs 56",
  );
  throwsElf(buildElf({ phdrs: [] }), "no program headers");
  throwsElf(
    buildElf({ phnum: 1025, phdrs: [HEAD, TEXT] }),
    "1025 program headers is too many (limit 1024)",
  );
  throwsElf(buildElf({ phnum: 0xffff, phdrs: [HEAD, TEXT] }), /65535 program headers is too many/);
  // Three headers from offset 0x1100 in a 0x1180-byte file: header 2 runs off the end.
  throwsElf(
    buildElf({ phoff: 0x1100, phdrs: [HEAD, TEXT, DATA] }),
    "truncated: program header 2 lies past the end of the file",
  );
  throwsElf(
    buildElf({ phoff: 1n << 60n, phdrs: [HEAD, TEXT] }),
    "truncated: program header 0 lies past the end of the file",
  );
  throwsElf(
    buildElf({ phoff: 0x1180, phdrs: [HEAD, TEXT] }),
    "truncated: program header 0 lies past the end of the file",
  );
  throwsElf(buildElf({ phdrs: [STACK] }), "no loadable segments (PT_LOAD)");
});

Deno.test("segment errors", () => {
  const at = (data: Partial<Phdr>) => buildElf({ phdrs: [HEAD, TEXT, { ...DATA, ...data }] });
  throwsElf(
    at({ filesz: 0x100 }),
    "truncated: segment 2 file bytes [0x1100, 0x1200) lie past the end of the file (4480 bytes)",
  );
  throwsElf(
    at({ offset: 1n << 63n }),
    /^truncated: segment 2 file bytes \[0x8000000000000000, beyond\)/,
  );
  throwsElf(
    at({ filesz: 0x3000, memsz: 0x2000 }),
    "segment 2 file size 0x3000 exceeds its memory size 0x2000",
  );
  throwsElf(
    at({ vaddr: 0x402000 }),
    "segment 2 is not page-congruent: vaddr 0x402000 and file offset 0x1100 differ modulo 4096",
  );
  throwsElf(at({ vaddr: 0x401080, offset: 0x1080 }), "segments 1 and 2 overlap");
  throwsElf(
    buildElf({ phdrs: [{ ...DATA, vaddr: 0x400100, filesz: 0 }, TEXT, HEAD] }),
    "segments 0 and 2 overlap",
  );
  throwsElf(
    at({ vaddr: 0xffffffff80000100n }),
    /^segment 2 reaches the kernel half \(vaddr 0xffffffff80000100,/,
  );
  throwsElf(
    at({ vaddr: 0x7fffffffe100, memsz: 0x2000 }),
    /^segment 2 reaches the kernel half \(vaddr 0x7fffffffe100, memory size 0x2000; user space ends at 0x7ffffffff000\)$/,
  );
  throwsElf(
    at({ vaddr: (1n << 53n) + 0x100n }),
    /reaches the kernel half \(vaddr 0x20000000000100,/,
  );
  throwsElf(at({ memsz: 1n << 41n }), "segment 2 memory size 0x20000000000 is absurd");
  throwsElf(at({ memsz: (1n << 64n) - 1n }), "segment 2 memory size 0xffffffffffffffff is absurd");
  throwsElf(at({ align: 0x3000 }), "segment 2 alignment 0x3000 is not a power of two");
  throwsElf(at({ align: 1n << 62n }), "segment 2 alignment 0x4000000000000000 is absurd");
  throwsElf(
    buildElf({ phdrs: [{ ...HEAD, vaddr: 0x1000 }, TEXT] }),
    "segment 0 starts at 0x1000, below the lowest mappable address 0x10000 (vm.mmap_min_addr)",
  );
  const tls: Phdr = { ...DATA, type: PT_TLS, filesz: 0x40, memsz: 0x20 };
  throwsElf(
    buildElf({ phdrs: [HEAD, TEXT, tls] }),
    "TLS segment 2 file size 0x40 exceeds its memory size 0x20",
  );
});

Deno.test("entry point and interpreter errors", () => {
  throwsElf(
    buildElf({ entry: 0x400010, phdrs: [HEAD, TEXT] }),
    "entry point 0x400010 is not in an executable segment",
  );
  throwsElf(
    buildElf({ entry: 0x401100, phdrs: [HEAD, TEXT] }),
    "entry point 0x401100 is not in an executable segment",
  );
  throwsElf(
    buildElf({ entry: 1n << 63n, phdrs: [HEAD, TEXT] }),
    "entry point 0x8000000000000000 is not in an executable segment",
  );
  const path = new TextEncoder().encode("/lib/ld-musl-x86_64.so.1\0");
  const interp: Phdr = {
    ...STACK,
    type: PT_INTERP,
    flags: PF_R,
    offset: 0x300,
    filesz: path.length,
    memsz: path.length,
    align: 1,
  };
  const dynamic =
    "dynamically linked (PT_INTERP /lib/ld-musl-x86_64.so.1); only static programs can run yet";
  throwsElf(buildElf({ type: 3, phdrs: [interp, HEAD, TEXT], blobs: [[0x300, path]] }), dynamic);
  throwsElf(buildElf({ type: 2, phdrs: [interp, HEAD, TEXT], blobs: [[0x300, path]] }), dynamic);
  throwsElf(
    buildElf({ phdrs: [{ ...interp, offset: 1n << 62n }, HEAD, TEXT] }),
    "dynamically linked (PT_INTERP); only static programs can run yet",
  );
  const evil = new TextEncoder().encode("/lib/x\nrm -rf\0");
  throwsElf(
    buildElf({ phdrs: [{ ...interp, filesz: evil.length }, HEAD, TEXT], blobs: [[0x300, evil]] }),
    "dynamically linked (PT_INTERP); only static programs can run yet",
  );
});

interface ReadelfView {
  type: string;
  entry: number;
  phnum: number;
  loads: {
    offset: number;
    vaddr: number;
    filesz: number;
    memsz: number;
    flags: string;
    align: number;
  }[];
  tlsMemsz: number | null;
  stackFlags: string | null;
}

async function readelf(path: string): Promise<ReadelfView> {
  const { stdout } = await run(READELF!, ["-lhW", path]);
  const field = (re: RegExp) => {
    const m = re.exec(stdout);
    if (!m) throw new Error(`readelf output lacks ${re}`);
    return m[1];
  };
  const row =
    /^\s*(LOAD|TLS|GNU_STACK)\s+(0x\w+)\s+(0x\w+)\s+0x\w+\s+(0x\w+)\s+(0x\w+)\s+([RWE ]{3})\s+(0x\w+)$/gm;
  const view: ReadelfView = {
    type: field(/Type:\s+(\w+)/),
    entry: Number(field(/Entry point address:\s+(0x\w+)/)),
    phnum: Number(field(/Number of program headers:\s+(\d+)/)),
    loads: [],
    tlsMemsz: null,
    stackFlags: null,
  };
  for (const m of stdout.matchAll(row)) {
    const [offset, vaddr, filesz, memsz, align] = [m[2], m[3], m[4], m[5], m[7]].map(Number);
    if (m[1] === "LOAD") view.loads.push({ offset, vaddr, filesz, memsz, flags: m[6], align });
    if (m[1] === "TLS") view.tlsMemsz = memsz;
    if (m[1] === "GNU_STACK") view.stackFlags = m[6];
  }
  return view;
}

async function checkAgainstReadelf(path: string, type: "exec" | "dyn"): Promise<ElfImage> {
  const bytes = await Deno.readFile(path);
  const image = parseElf(bytes);
  assertInvariants(image, bytes);
  assert.equal(image.type, type);
  if (!READELF) return image;
  const expected = await readelf(path);
  assert.equal(expected.type, type === "exec" ? "EXEC" : "DYN");
  assert.equal(image.entry, expected.entry);
  assert.equal(image.phnum, expected.phnum);
  const flags = (s: ElfImage["loads"][number]) =>
    (s.readable ? "R" : " ") + (s.writable ? "W" : " ") + (s.executable ? "E" : " ");
  assert.deepEqual(
    image.loads.map((s) => ({
      offset: s.offset,
      vaddr: s.vaddr,
      filesz: s.filesz,
      memsz: s.memsz,
      flags: flags(s),
      align: s.align,
    })),
    expected.loads.filter((l) => l.memsz > 0).sort((a, b) => a.vaddr - b.vaddr),
  );
  assert.equal(image.tls?.memsz ?? null, expected.tlsMemsz);
  assert.equal(image.executableStack, expected.stackFlags?.includes("E") ?? false);
  return image;
}

Deno.test("/bin/busybox (static glibc ET_EXEC) matches readelf", {
  ignore: !existsSync("/bin/busybox"),
}, async () => {
  const image = await checkAgainstReadelf("/bin/busybox", "exec");
  // No PT_PHDR: the table at offset 64 is mapped by the first load.
  const holder = image.loads.find((s) => s.offset <= 64 && 64 < s.offset + s.filesz)!;
  assert.equal(image.phdrVaddr, holder.vaddr + 64 - holder.offset);
});

for (const kind of ["musl-static", "musl-static-pie", "glibc-static-pie"] as const) {
  Deno.test(`${kind} build of a small program matches readelf`, {
    ignore: !canBuild(kind),
  }, async () => {
    await withTempDir(async (dir) => {
      const exe = await buildProgram(kind, await writeHelloSource(dir), dir);
      assert.equal((await run(exe, [])).stdout, "hi 3\n");
      const image = await checkAgainstReadelf(exe, kind === "musl-static" ? "exec" : "dyn");
      assert.notEqual(image.tls, null);
      if (image.type === "dyn") assert.equal(image.spanStart, 0);
    });
  });
}

Deno.test("Debian's `musl-gcc -static-pie` output needs an interpreter and is refused", {
  ignore: !canBuild("musl-gcc-static-pie"),
}, async () => {
  await withTempDir(async (dir) => {
    const exe = await buildProgram("musl-gcc-static-pie", await writeHelloSource(dir), dir);
    throwsElf(
      await Deno.readFile(exe),
      /^dynamically linked \(PT_INTERP \/lib\/ld-musl-x86_64\.so\.1\); /,
    );
  });
});

function existsSync(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** xorshift32: a deterministic generator so a failing fuzz case reproduces. */
function randomSource(seed: number): (limit: number) => number {
  let state = seed >>> 0 || 1;
  return (limit) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state % limit;
  };
}

const INTERESTING_U64 = [
  0n,
  1n,
  0xfffn,
  0x1000n,
  0x10000n,
  0x400000n,
  0x7ffffffff000n,
  1n << 47n,
  (1n << 53n) - 1n,
  1n << 53n,
  1n << 63n,
  (1n << 64n) - 1n,
  0xffffffff80000000n,
];

function fuzz(original: Uint8Array, seed: number, rounds: number): { accepted: number } {
  const random = randomSource(seed);
  const bytes = original.slice();
  const view = new DataView(bytes.buffer);
  const phnum = view.getUint16(56, true);
  const headerEnd = Math.min(bytes.length, 64 + 56 * Math.max(phnum, 1));
  let accepted = 0;
  for (let round = 0; round < rounds; round++) {
    const saved = bytes.slice(0, headerEnd);
    const mutations = 1 + random(4);
    for (let m = 0; m < mutations; m++) {
      if (random(2) === 0) {
        bytes[random(headerEnd)] = random(256);
      } else {
        const at = random(headerEnd - 7) & ~7;
        view.setBigUint64(at, INTERESTING_U64[random(INTERESTING_U64.length)], true);
      }
    }
    const cut = random(8);
    const length = cut === 0
      ? random(Math.min(bytes.length, 8192) + 1)
      : cut === 1
      ? random(bytes.length + 1)
      : bytes.length;
    const input = bytes.subarray(0, length);
    try {
      assertInvariants(parseElf(input), input);
      accepted++;
    } catch (error) {
      if (!(error instanceof ElfError)) {
        throw new Error(`round ${round} (seed ${seed}): ${error}`);
      }
      assert.ok(!error.message.includes("\n"));
    }
    bytes.set(saved);
  }
  return { accepted };
}

Deno.test("fuzz: mutated and truncated ELFs either parse with all invariants or throw ElfError", () => {
  const small = buildElf({ phdrs: [HEAD, TEXT, DATA, STACK] });
  const smallResult = fuzz(small, 12345, 2000);
  // The mutations must leave some files valid, or the invariant checks would never run.
  assert.ok(smallResult.accepted > 50, `only ${smallResult.accepted} mutants parsed`);
  if (existsSync("/bin/busybox")) {
    const busybox = Deno.readFileSync("/bin/busybox");
    assert.ok(fuzz(busybox, 777, 2000).accepted > 50);
  }
});
