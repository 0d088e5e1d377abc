// Debian's busybox-static, unmodified, under NexaOS: each command runs natively and under the
// emulator with the same argv, environment and stdin, and stdout, stderr and the exit status must
// be equal byte for byte. Skipped (reported as ignored) where /bin/busybox is not a static binary.

import assert from "node:assert/strict";
import { bufferInput, collectOutput, runProgram } from "../../kernel/run-program.ts";
import { parseElf } from "../../kernel/exec/elf.ts";
import { firstDifference } from "./golden_test.ts";

const BUSYBOX = "/bin/busybox";
const ENV = ["PATH=/bin:/usr/bin", "HOME=/root", "LC_ALL=C"];

function staticBusybox(): Uint8Array | null {
  try {
    const image = Deno.readFileSync(BUSYBOX);
    parseElf(image);
    return image;
  } catch {
    return null;
  }
}

const image = staticBusybox();

interface BusyboxCase {
  name: string;
  args: string[];
  stdin?: string;
}

const lines = Array.from({ length: 300 }, (_, i) => `line ${(i * 7919) % 1000} ${i % 13}`);

const CASES: BusyboxCase[] = [
  { name: "echo", args: ["echo", "hello", "NexaOS", "-", "1 2  3"] },
  { name: "echo -e escapes", args: ["echo", "-e", "tab\\there\\nnew line\\x41"] },
  {
    name: "sh arithmetic and while loop",
    args: [
      "sh",
      "-c",
      'i=0; s=0; while [ $i -lt 200 ]; do s=$((s + i * i % 7)); i=$((i + 1)); done; echo "$i $s $((s / 3)) $((s % 11)) $((-s >> 2))"',
    ],
  },
  {
    name: "sh functions, case and exit status",
    args: [
      "sh",
      "-c",
      'f() { case "$1" in a*) echo A;; *) echo other;; esac; return 3; }; f abc; f xyz; echo "rc=$?"; exit 5',
    ],
  },
  { name: "sort", args: ["sort"], stdin: lines.join("\n") + "\n" },
  {
    name: "sort -n -r -u",
    args: ["sort", "-n", "-r", "-u", "-k2"],
    stdin: lines.join("\n") + "\n",
  },
  { name: "sha256sum stdin", args: ["sha256sum"], stdin: lines.join("\n") },
  { name: "md5sum stdin", args: ["md5sum"], stdin: "The quick brown fox\n" },
  { name: "tr", args: ["tr", "a-z", "A-Z"], stdin: "Hello, World! 123\nsecond line\n" },
  { name: "tr -d -s", args: ["tr", "-s", " ", "-d", "0-9"], stdin: "a  1 b   22 c\n" },
  { name: "wc", args: ["wc"], stdin: lines.join("\n") + "\n" },
  { name: "wc -l -c", args: ["wc", "-l", "-c"], stdin: "one\ntwo\nthree" },
  {
    name: "awk floating point",
    args: [
      "awk",
      'BEGIN { s = 0; for (i = 1; i <= 100; i++) s += 1 / i; printf "%.12f %e %g %d\\n", s, s * 1e-9, sqrt(2) * exp(1), int(s * 1000); print 7 / 3, 2 ^ 0.5, sin(1), log(10) }',
    ],
  },
  {
    name: "awk over stdin",
    args: ["awk", '{ sum += $2; n++ } END { printf "%d %.4f\\n", n, sum / n }'],
    stdin: lines.join("\n") + "\n",
  },
  { name: "expr arithmetic", args: ["expr", "7", "*", "6", "+", "1"] },
  { name: "expr string", args: ["expr", "length", "NexaOS-kernel"] },
  { name: "expr false", args: ["expr", "3", "<", "2"] },
  {
    name: "printf",
    args: ["printf", "%5d|%-6s|%x|%o|%.3f|%c\\n", "42", "ab", "255", "8", "3.14159", "Z"],
  },
  { name: "seq", args: ["seq", "1", "3", "20"] },
  { name: "cut", args: ["cut", "-d", " ", "-f", "2"], stdin: "a b c\nd e f\n" },
  { name: "od", args: ["od", "-A", "x", "-t", "x1"], stdin: "binary\x00\x01\x7f data" },
  { name: "base64", args: ["base64"], stdin: "NexaOS runs busybox\n" },
  { name: "sha1sum", args: ["sha1sum"], stdin: "abc\n" },
  { name: "sha512sum", args: ["sha512sum"], stdin: "abc\n" },
  { name: "uniq -c", args: ["uniq", "-c"], stdin: "a\na\nb\nc\nc\nc\n" },
  { name: "rev", args: ["rev"], stdin: "hello\nworld\n" },
  {
    name: "fold",
    args: ["fold", "-w", "7"],
    stdin: "the quick brown fox jumps over the lazy dog\n",
  },
  { name: "nl", args: ["nl"], stdin: "alpha\n\nbeta\n" },
  { name: "factor", args: ["factor", "600851475143", "97", "1000000007"] },
  { name: "dc", args: ["dc", "-e", "2 64 ^ 3 / p 10 k 2 v p"] },
  { name: "hexdump -C", args: ["hexdump", "-C"], stdin: "NexaOS\x00\x01\xff hexdump test\n" },
  { name: "date of the epoch", args: ["date", "-u", "-d", "@0", "+%Y-%m-%d %H:%M:%S %A"] },
  { name: "sed", args: ["sed", "-e", "s/o/0/g", "-e", "2d"], stdin: "foo\nbar\nboo\n" },
  {
    name: "grep -n -v",
    args: ["grep", "-n", "-v", "line 1"],
    stdin: lines.slice(0, 40).join("\n"),
  },
  { name: "basename", args: ["basename", "/a/b/c.txt", ".txt"] },
  { name: "dirname", args: ["dirname", "/a/b/c.txt"] },
  { name: "uname -sm", args: ["uname", "-s", "-m"] },
  {
    name: "sh builtins: set, shift, test, printf %b",
    args: [
      "sh",
      "-c",
      'set -- a "b c" d; echo $#; shift; echo "$1"; [ "$2" = d ] && echo yes; printf "%b\n" "x\\ty"; echo $((1 << 62)) $((0x7fffffffffffffff + 1))',
    ],
  },
  { name: "false", args: ["false"] },
  { name: "unknown applet", args: ["no-such-applet"] },
];

async function runNative(args: string[], stdin: string) {
  const child = new Deno.Command(BUSYBOX, {
    args,
    env: Object.fromEntries(ENV.map((e) => e.split("=", 2) as [string, string])),
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  // A program that exits without reading its input closes the pipe first: not an error here.
  await writer.write(new TextEncoder().encode(stdin)).catch(() => {});
  await writer.close().catch(() => {});
  const out = await child.output();
  return {
    stdout: out.stdout,
    stderr: out.stderr,
    status: out.code,
  };
}

for (const c of CASES) {
  Deno.test({
    name: `busybox: ${c.name}`,
    ignore: image === null,
    async fn() {
      const native = await runNative(c.args, c.stdin ?? "");
      const stdout = collectOutput(), stderr = collectOutput();
      const result = await runProgram({
        image: image!,
        exePath: BUSYBOX,
        argv: ["busybox", ...c.args],
        env: ENV,
        stdin: bufferInput(c.stdin ?? ""),
        stdout: stdout.sink,
        stderr: stderr.sink,
        instructionLimit: 2e9,
      });
      const problems = [
        firstDifference("stdout", native.stdout, stdout.bytes()),
        firstDifference("stderr", native.stderr, stderr.bytes()),
      ].filter((p) => p !== null);
      assert.deepEqual(problems, []);
      assert.equal(result.status, native.status);
    },
  });
}
