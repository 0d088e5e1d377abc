// Tests for kernel/exec/initial-stack.ts: the exact layout (decoded back from the image), Linux's
// E2BIG limits, a layout recorded from real Linux, and a byte-for-byte comparison with the stack
// real Linux builds for userland/probe/stack-layout.c (when musl-gcc exists).

import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  AT_BASE,
  AT_CLKTCK,
  AT_EGID,
  AT_ENTRY,
  AT_EUID,
  AT_EXECFN,
  AT_FLAGS,
  AT_GID,
  AT_HWCAP,
  AT_HWCAP2,
  AT_MINSIGSTKSZ,
  AT_NULL,
  AT_PAGESZ,
  AT_PHDR,
  AT_PHENT,
  AT_PHNUM,
  AT_PLATFORM,
  AT_RANDOM,
  AT_RSEQ_ALIGN,
  AT_RSEQ_FEATURE_SIZE,
  AT_SECURE,
  AT_SYSINFO_EHDR,
  AT_UID,
  type AuxvEntry,
  auxvFor,
  buildInitialStack,
  type InitialStack,
  InitialStackError,
  MAX_ARG_STRLEN,
} from "../../kernel/exec/initial-stack.ts";
import { buildProgram, canBuild, run, withTempDir } from "./toolchain.ts";

const TOP = 0x7ffffffff000;
const RANDOM = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

/** Reads the image back the way a C runtime does, starting from sp. */
class StackReader {
  constructor(private readonly stack: InitialStack, private readonly top: number) {}

  u64(address: number): number {
    const at = address - this.stack.sp;
    assert.ok(at >= 0 && at + 8 <= this.stack.bytes.length, `address ${address} is off the stack`);
    const view = new DataView(this.stack.bytes.buffer, this.stack.bytes.byteOffset);
    return Number(view.getBigUint64(at, true));
  }

  cString(address: number): Uint8Array {
    const start = address - this.stack.sp;
    const end = this.stack.bytes.indexOf(0, start);
    assert.ok(start >= 0 && end >= 0 && address < this.top);
    return this.stack.bytes.subarray(start, end);
  }

  text(address: number): string {
    return new TextDecoder().decode(this.cString(address));
  }

  /** argc, argv, envp and auxv as pointers and strings. */
  decode() {
    let cursor = this.stack.sp;
    const argc = this.u64(cursor);
    cursor += 8;
    const argvPointers: number[] = [];
    for (let i = 0; i < argc; i++, cursor += 8) argvPointers.push(this.u64(cursor));
    assert.equal(this.u64(cursor), 0, "argv ends with NULL");
    cursor += 8;
    const envpPointers: number[] = [];
    for (; this.u64(cursor) !== 0; cursor += 8) envpPointers.push(this.u64(cursor));
    cursor += 8;
    const auxv: AuxvEntry[] = [];
    for (;; cursor += 16) {
      auxv.push([this.u64(cursor), this.u64(cursor + 8)]);
      if (auxv[auxv.length - 1][0] === AT_NULL) break;
    }
    return { argc, argvPointers, envpPointers, auxv, auxvEnd: cursor + 16 };
  }
}

const SAMPLE_AUXV = auxvFor({
  phdr: 0x400040,
  phnum: 6,
  entry: 0x401000,
  hwcap: 0x178bfbff,
  minSigStackSize: 0xd30,
  uid: 1000,
  euid: 1000,
  gid: 100,
  egid: 100,
});

Deno.test("layout: argc, argv, envp, auxv and strings exactly where Linux puts them", () => {
  const argv = ["prog", "a", "bc"];
  const envp = ["X=1", "LONGER=value"];
  const stack = buildInitialStack({
    stackTop: TOP,
    argv,
    envp,
    execFn: "/bin/prog",
    random16: RANDOM,
    auxv: SAMPLE_AUXV,
  });
  const reader = new StackReader(stack, TOP);
  assert.equal(stack.sp % 16, 0);
  assert.equal(stack.bytes.length, TOP - stack.sp);
  const decoded = reader.decode();
  assert.equal(decoded.argc, 3);
  assert.deepEqual(decoded.argvPointers.map((p) => reader.text(p)), argv);
  assert.deepEqual(decoded.envpPointers.map((p) => reader.text(p)), envp);

  // Strings: an 8-byte zero end marker, execFn, envp strings, argv strings, all packed.
  assert.deepEqual([...stack.bytes.subarray(-8)], [0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(stack.execFnAddress, TOP - 8 - "/bin/prog\0".length);
  assert.equal(stack.envEnd, stack.execFnAddress);
  assert.equal(stack.envStart, stack.envEnd - "X=1\0LONGER=value\0".length);
  assert.deepEqual(decoded.envpPointers, [stack.envStart, stack.envStart + 4]);
  assert.equal(stack.argEnd, stack.envStart);
  assert.equal(stack.argStart, stack.argEnd - "prog\0a\0bc\0".length);
  assert.deepEqual(decoded.argvPointers, [stack.argStart, stack.argStart + 5, stack.argStart + 7]);

  // Below the strings, aligned down to 16: platform string, then the 16 random bytes.
  assert.equal(stack.platformAddress, stack.argStart - (stack.argStart % 16) - 7);
  assert.equal(reader.text(stack.platformAddress), "x86_64");
  assert.equal(stack.randomAddress, stack.platformAddress - 16);
  const randomAt = stack.randomAddress - stack.sp;
  assert.deepEqual(stack.bytes.subarray(randomAt, randomAt + 16), RANDOM);

  // auxv: the caller's order, with the three addresses filled in, then AT_NULL; the padding that
  // aligns sp lies between the end of auxv and the random bytes.
  const expected = SAMPLE_AUXV.map(([type, value]): AuxvEntry => {
    if (type === AT_RANDOM) return [type, stack.randomAddress];
    if (type === AT_EXECFN) return [type, stack.execFnAddress];
    if (type === AT_PLATFORM) return [type, stack.platformAddress];
    return [type, value];
  });
  expected.push([AT_NULL, 0]);
  assert.deepEqual(decoded.auxv, expected);
  assert.deepEqual(stack.auxv, expected);
  assert.equal(reader.text(stack.execFnAddress), "/bin/prog");
  const gap = stack.randomAddress - decoded.auxvEnd;
  assert.ok(gap >= 0 && gap < 16, `gap ${gap}`);
  assert.ok(stack.bytes.subarray(decoded.auxvEnd - stack.sp, randomAt).every((b) => b === 0));
});

Deno.test("auxvFor lists Linux's entries in create_elf_tables order", () => {
  const auxv = auxvFor({
    phdr: 0x555555554040,
    phnum: 9,
    entry: 0x555555555067,
    hwcap: 0x178bfbff,
    hwcap2: 2,
    minSigStackSize: 0xd30,
    vdso: 0x7ffff7ffd000,
    rseq: { featureSize: 28, align: 32 },
  });
  // The order real Linux 6.18 wrote for a static musl program (see userland/probe/stack-layout.c).
  assert.deepEqual(auxv.map(([type]) => type), [
    AT_SYSINFO_EHDR,
    AT_MINSIGSTKSZ,
    AT_HWCAP,
    AT_PAGESZ,
    AT_CLKTCK,
    AT_PHDR,
    AT_PHENT,
    AT_PHNUM,
    AT_BASE,
    AT_FLAGS,
    AT_ENTRY,
    AT_UID,
    AT_EUID,
    AT_GID,
    AT_EGID,
    AT_SECURE,
    AT_RANDOM,
    AT_HWCAP2,
    AT_EXECFN,
    AT_PLATFORM,
    AT_RSEQ_FEATURE_SIZE,
    AT_RSEQ_ALIGN,
  ]);
  const values = new Map(auxv);
  assert.equal(values.get(AT_PHDR), 0x555555554040);
  assert.equal(values.get(AT_PHENT), 56);
  assert.equal(values.get(AT_PAGESZ), 4096);
  assert.equal(values.get(AT_CLKTCK), 100);
  assert.equal(values.get(AT_HWCAP2), 2);
  const minimal = auxvFor({ phdr: 1, phnum: 1, entry: 1, hwcap: 0, minSigStackSize: 2048 });
  assert.equal(minimal[0][0], AT_MINSIGSTKSZ);
  assert.equal(minimal[minimal.length - 1][0], AT_PLATFORM);
});

Deno.test("a layout recorded from real Linux 6.18 is reproduced offset for offset", () => {
  // `env -i A=1 B=22 /tmp/stack-layout x yy` printed these offsets below the stack top; its
  // arch_align_stack shift put the platform string 6999 bytes down (randomOffset 6934).
  const auxv = auxvFor({
    phdr: 0x400040,
    phnum: 6,
    entry: 0x4013e6,
    hwcap: 0x178bfbff,
    hwcap2: 2,
    minSigStackSize: 0xd30,
    vdso: 0x7f7c0b912000,
    rseq: { featureSize: 0x1c, align: 0x20 },
  });
  const stack = buildInitialStack({
    stackTop: TOP,
    argv: ["/tmp/stack-layout", "x", "yy"],
    envp: ["A=1", "B=22"],
    execFn: "/tmp/stack-layout",
    random16: RANDOM,
    auxv,
    randomOffset: 6934,
  });
  const reader = new StackReader(stack, TOP);
  const decoded = reader.decode();
  const below = (address: number) => TOP - address;
  assert.equal(below(stack.sp), 7456);
  assert.deepEqual(decoded.argvPointers.map(below), [58, 40, 38]);
  assert.deepEqual(decoded.envpPointers.map(below), [35, 31]);
  assert.equal(below(stack.sp + 8 * 8), 7392, "first auxv entry");
  assert.equal(below(stack.randomAddress), 7015);
  assert.equal(below(stack.platformAddress), 6999);
  assert.equal(below(stack.execFnAddress), 26);
  assert.equal(below(decoded.auxvEnd), 7024);
});

Deno.test('an empty argv becomes argc 1 with argv[0] = "", as in Linux', () => {
  const stack = buildInitialStack({
    stackTop: TOP,
    argv: [],
    envp: ["A=1"],
    execFn: "/x",
    random16: RANDOM,
    auxv: [],
  });
  const reader = new StackReader(stack, TOP);
  const decoded = reader.decode();
  assert.equal(decoded.argc, 1);
  assert.equal(reader.text(decoded.argvPointers[0]), "");
  assert.equal(decoded.argvPointers[0], stack.envStart - 1);
  assert.deepEqual(decoded.auxv, [[AT_NULL, 0]]);
});

Deno.test("raw byte strings pass through unchanged; UTF-8 strings are encoded", () => {
  const raw = Uint8Array.of(0xff, 0xfe, 0x41);
  const stack = buildInitialStack({
    stackTop: 0x10000,
    argv: [raw, "é"],
    envp: [],
    execFn: raw,
    random16: RANDOM,
    auxv: [[AT_EXECFN, 0]],
    platform: "x86_64",
  });
  const reader = new StackReader(stack, 0x10000);
  const decoded = reader.decode();
  assert.deepEqual(reader.cString(decoded.argvPointers[0]), raw);
  assert.deepEqual(reader.cString(decoded.argvPointers[1]), Uint8Array.of(0xc3, 0xa9));
  assert.deepEqual(decoded.auxv, [[AT_EXECFN, stack.execFnAddress], [AT_NULL, 0]]);
});

function throwsStack(build: () => unknown, errno: "E2BIG" | "EINVAL", pattern: RegExp): void {
  assert.throws(build, (error: unknown) => {
    assert.ok(error instanceof InitialStackError, `expected InitialStackError, got ${error}`);
    assert.equal(error.errno, errno);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes("\n"));
    return true;
  });
}

Deno.test("E2BIG: MAX_ARG_STRLEN per string and a quarter of the stack rlimit in total", () => {
  const base = { stackTop: TOP, execFn: "e", random16: RANDOM, auxv: [] };
  const longest = "x".repeat(MAX_ARG_STRLEN - 1);
  assert.equal(buildInitialStack({ ...base, argv: [longest], envp: [] }).sp % 16, 0);
  throwsStack(
    () => buildInitialStack({ ...base, argv: ["a", longest + "x"], envp: [] }),
    "E2BIG",
    /^argument list too long \(E2BIG\): argv\[1\] is 131073 bytes with its NUL; Linux allows 131072/,
  );

  // Default 8 MiB rlimit: 2 MiB for strings plus 8 bytes per argv/envp pointer. Here: pointers
  // (1 + 16) * 8, "a\0", "e\0", 15 strings of 131072 bytes, and a filler that reaches the limit.
  const fifteen = Array.from({ length: 15 }, () => "y".repeat(MAX_ARG_STRLEN - 1));
  const filler = 2 * 1024 * 1024 - 17 * 8 - 4 - 15 * MAX_ARG_STRLEN - 1;
  const fits = buildInitialStack({ ...base, argv: ["a"], envp: [...fifteen, "z".repeat(filler)] });
  assert.equal(fits.sp % 16, 0);
  throwsStack(
    () => buildInitialStack({ ...base, argv: ["a"], envp: [...fifteen, "z".repeat(filler + 1)] }),
    "E2BIG",
    /need 2097153 bytes .*Linux allows 2097152/,
  );
  // An unlimited stack rlimit allows 6 MiB.
  const many = (n: number) => Array.from({ length: n }, () => fifteen[0]);
  const unlimited = { ...base, argv: ["a"], stackRlimit: Infinity };
  assert.ok(buildInitialStack({ ...unlimited, envp: many(47) }).bytes.length > 6_000_000);
  throwsStack(
    () => buildInitialStack({ ...unlimited, envp: many(48) }),
    "E2BIG",
    /Linux allows 6291456/,
  );

  // A small rlimit still allows ARG_MAX (128 KiB): pointers 16, "a\0" 2, "e\0" 2, one string.
  const small = { ...base, stackRlimit: 64 * 1024, argv: ["a"] };
  buildInitialStack({ ...small, envp: ["w".repeat(131072 - 16 - 4 - 1)] });
  throwsStack(
    () => buildInitialStack({ ...small, envp: ["w".repeat(131072 - 16 - 4)] }),
    "E2BIG",
    /Linux allows 131072/,
  );
});

Deno.test("bad options are refused with one-line errors", () => {
  const base = { stackTop: TOP, argv: ["a"], envp: [], execFn: "e", random16: RANDOM, auxv: [] };
  throwsStack(
    () => buildInitialStack({ ...base, argv: ["a\0b"] }),
    "EINVAL",
    /argv\[0\] contains a NUL/,
  );
  throwsStack(
    () => buildInitialStack({ ...base, envp: [Uint8Array.of(65, 0)] }),
    "EINVAL",
    /envp\[0\]/,
  );
  throwsStack(() => buildInitialStack({ ...base, stackTop: TOP + 8 }), "EINVAL", /page-aligned/);
  throwsStack(() => buildInitialStack({ ...base, stackTop: 2 ** 48 }), "EINVAL", /page-aligned/);
  throwsStack(
    () => buildInitialStack({ ...base, random16: new Uint8Array(8) }),
    "EINVAL",
    /8 bytes/,
  );
  throwsStack(() => buildInitialStack({ ...base, auxv: [[AT_NULL, 0]] }), "EINVAL", /AT_NULL/);
  throwsStack(() => buildInitialStack({ ...base, auxv: [[AT_UID, -1]] }), "EINVAL", /auxv value/);
  throwsStack(() => buildInitialStack({ ...base, randomOffset: 0.5 }), "EINVAL", /randomOffset/);
  throwsStack(
    () => buildInitialStack({ ...base, stackTop: 4096, argv: ["x".repeat(5000)] }),
    "E2BIG",
    /does not fit/,
  );
});

const PROBE_SOURCE = fileURLToPath(new URL("../../userland/probe/stack-layout.c", import.meta.url));

/** Runs the probe natively and rebuilds its stack from what Linux gave it. */
async function compareWithLinux(exe: string, args: string[], env: Record<string, string>) {
  const result = await run(exe, ["--hex", ...args], { env, clearEnv: true });
  assert.equal(result.code, 0, result.stderr);
  const field = (name: string) => new RegExp(`^${name} ([0-9a-f]+)$`, "m").exec(result.stdout)![1];
  const top = parseInt(field("top"), 16);
  const sp = parseInt(field("sp"), 16);
  const hex = field("bytes");
  const linuxBytes = Uint8Array.from(
    { length: hex.length / 2 },
    (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16),
  );
  assert.equal(linuxBytes.length, top - sp);

  const linux = { bytes: linuxBytes, sp } as InitialStack;
  const reader = new StackReader(linux, top);
  const decoded = reader.decode();
  const values = new Map(decoded.auxv);
  const platformAddress = values.get(AT_PLATFORM)!;
  const platform = reader.text(platformAddress);
  const randomAt = values.get(AT_RANDOM)! - sp;
  const argStart = decoded.argvPointers[0];
  // Linux aligns the end of the platform string to 16 after a random shift of under 8 KiB.
  const randomOffset = argStart - (platformAddress + platform.length + 1);
  assert.equal((platformAddress + platform.length + 1) % 16, 0);
  assert.ok(randomOffset >= 0 && randomOffset < 8192 + 16, `shift ${randomOffset}`);
  const ours = buildInitialStack({
    stackTop: top,
    argv: decoded.argvPointers.map((p) => reader.cString(p)),
    envp: decoded.envpPointers.map((p) => reader.cString(p)),
    execFn: reader.cString(values.get(AT_EXECFN)!),
    platform,
    random16: linuxBytes.slice(randomAt, randomAt + 16),
    auxv: decoded.auxv.slice(0, -1),
    randomOffset,
  });
  assert.deepEqual(
    decoded.envpPointers.map((p) => reader.text(p)),
    Object.keys(env).map((k) => `${k}=${env[k]}`),
  );
  assert.equal(ours.sp, sp);
  assert.deepEqual(ours.bytes, linuxBytes);

  // auxvFor, given Linux's values, lists the same entries in the same order.
  const fromHelper = auxvFor({
    phdr: values.get(AT_PHDR)!,
    phnum: values.get(AT_PHNUM)!,
    entry: values.get(AT_ENTRY)!,
    hwcap: values.get(AT_HWCAP)!,
    hwcap2: values.get(AT_HWCAP2),
    minSigStackSize: values.get(AT_MINSIGSTKSZ)!,
    uid: values.get(AT_UID),
    euid: values.get(AT_EUID),
    gid: values.get(AT_GID),
    egid: values.get(AT_EGID),
    vdso: values.get(AT_SYSINFO_EHDR),
    rseq: values.has(AT_RSEQ_FEATURE_SIZE)
      ? { featureSize: values.get(AT_RSEQ_FEATURE_SIZE)!, align: values.get(AT_RSEQ_ALIGN)! }
      : null,
  });
  const replaced = new Set([AT_RANDOM, AT_EXECFN, AT_PLATFORM]);
  assert.deepEqual(
    fromHelper.filter(([type]) => !replaced.has(type)),
    decoded.auxv.slice(0, -1).filter(([type]) => !replaced.has(type)),
  );
}

Deno.test("byte-for-byte equal to the stack real Linux builds (userland/probe/stack-layout.c)", {
  ignore: !canBuild("musl-static"),
}, async () => {
  await withTempDir(async (dir) => {
    const exe = await buildProgram("musl-static", PROBE_SOURCE, dir);
    await compareWithLinux(exe, [], {});
    await compareWithLinux(exe, ["x", "yy"], { A: "1", B: "22" });
    await compareWithLinux(exe, ["", "ünïcode", "z".repeat(1001)], { HOME: "/root", T: "" });
    await compareWithLinux(exe, ["1", "22", "333"], { P: "/usr/bin:/bin", Q: "q", R: "rr" });
  });
});
