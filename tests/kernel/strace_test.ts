// The strace formatter against lines real strace 6.1 printed for the same calls on x86-64 Linux,
// recorded from small C programs (a few with other addresses or values, printed by the same
// rules); the guest memory each call read is rebuilt here byte for byte.

import assert from "node:assert/strict";
import {
  argBigInt64,
  argInt32,
  argInt64,
  argUint32,
  formatSyscall,
  isErrorResult,
  type ReadMemory,
  type RegValue,
  regValue,
} from "../../kernel/syscalls/strace.ts";
import { quoteBytes } from "../../kernel/syscalls/strace-memory.ts";
import { SYSCALLS } from "../../kernel/syscalls/table.ts";

/** Guest memory made of separate regions; reads crossing a region's end fail like a fault. */
class FakeMemory {
  private readonly regions: { addr: number; bytes: Uint8Array }[] = [];

  put(addr: number, bytes: Uint8Array | string): this {
    const data = typeof bytes === "string" ? latin1(bytes) : bytes;
    this.regions.push({ addr, bytes: data });
    return this;
  }
  str(addr: number, text: string): this {
    return this.put(addr, text + "\0");
  }
  u64(addr: number, ...values: bigint[]): this {
    const view = new DataView(new ArrayBuffer(values.length * 8));
    values.forEach((v, i) => view.setBigUint64(i * 8, v, true));
    return this.put(addr, new Uint8Array(view.buffer));
  }
  u32(addr: number, ...values: number[]): this {
    const view = new DataView(new ArrayBuffer(values.length * 4));
    values.forEach((v, i) => view.setUint32(i * 4, v, true));
    return this.put(addr, new Uint8Array(view.buffer));
  }
  readonly read: ReadMemory = (addr, len) => {
    for (const region of this.regions) {
      const offset = addr - region.addr;
      if (offset >= 0 && offset + len <= region.bytes.length) {
        return region.bytes.slice(offset, offset + len);
      }
    }
    return null;
  };
}

/** linux_dirent64 records of the given lengths (only d_reclen matters to strace). */
function dirents(lengths: number[]): Uint8Array {
  const view = new DataView(new ArrayBuffer(lengths.reduce((a, b) => a + b, 0)));
  let offset = 0;
  for (const length of lengths) {
    view.setUint16(offset + 16, length, true);
    offset += length;
  }
  return new Uint8Array(view.buffer);
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

const none = new FakeMemory().read;
const NEG1 = 0xffffffffffffffffn;
const AT_FDCWD = 0xffffff9cn;

type Case = [name: string, nr: number, args: RegValue[], result: RegValue | null, expected: string];

function check(mem: ReadMemory, cases: Case[]): void {
  for (const [name, nr, args, result, expected] of cases) {
    assert.equal(formatSyscall(nr, args, result, mem), expected, name);
  }
}

Deno.test("strace: write quotes with C escapes and octal, cuts at 32 bytes", () => {
  const mem = new FakeMemory()
    .put(0x1000, 'hi\x1b[0m\t\x01\x7f\xff\x80"\\ abcdefghijklmnopqrstuvwxyz\n')
    .put(0x2000, "\x007\n\x001\n")
    .put(0x3000, "\x018\x019\v\f\r\x07\x08~ ")
    .put(0x4000, "0123456789012345678901234567890\n");
  check(mem.read, [
    [
      "escapes",
      1,
      [1, 0x1000, 41],
      41,
      'write(1, "hi\\33[0m\\t\\1\\177\\377\\200\\"\\\\ abcdefghijklmnopqr"..., 41) = 41',
    ],
    [
      "octal before a digit",
      1,
      [1, 0x2000, 6],
      6,
      'write(1, "\\0007\\n\\0001\\n", 6)           = 6',
    ],
    ["short octal", 1, [1, 0x3000, 11], 11, 'write(1, "\\18\\19\\v\\f\\r\\7\\10~ ", 11)     = 11'],
    [
      "exactly 32 bytes",
      1,
      [1, 0x4000, 32],
      32,
      'write(1, "0123456789012345678901234567890\\n", 32) = 32',
    ],
    [
      "bad buffer",
      1,
      [1, 1, 5],
      -14,
      "write(1, 0x1, 5)                        = -1 EFAULT (Bad address)",
    ],
  ]);
});

Deno.test("strace: read shows the output buffer using the result as its length", () => {
  const elf = "\x7fELF\x02\x01\x01\x03" + "\0".repeat(8) + "\x03\0>\0\x01\0\0\0\x10t\x02\0\0\0\0\0";
  const mem = new FakeMemory().put(0x7000, elf + "\0".repeat(832 - elf.length)).put(0x9000, "");
  check(mem.read, [
    [
      "binary data",
      0,
      [3, 0x7000, 832],
      832,
      'read(3, "\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>\\0\\1\\0\\0\\0\\20t\\2\\0\\0\\0\\0\\0"..., 832) = 832',
    ],
    ["end of file", 0, [3, 0x9000, 4096], 0, 'read(3, "", 4096)                       = 0'],
    [
      "error shows the address",
      0,
      [3, 0x9000, 10],
      -11,
      "read(3, 0x9000, 10)                     = -1 EAGAIN (Resource temporarily unavailable)",
    ],
  ]);
});

Deno.test("strace: openat flags, AT_FDCWD, mode only with O_CREAT", () => {
  const mem = new FakeMemory().str(0x1000, "/nonexistent").str(0x2000, "/tmp/x_t").str(
    0x3000,
    "x",
  );
  check(mem.read, [
    [
      "error",
      257,
      [AT_FDCWD, 0x1000, 0o2000000, 0x7fff1234],
      -2,
      'openat(AT_FDCWD, "/nonexistent", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)',
    ],
    [
      "create with unknown bit",
      257,
      [-100, 0x2000, 0x40000000 | 0o3101, 0o644],
      3,
      'openat(AT_FDCWD, "/tmp/x_t", O_WRONLY|O_CREAT|O_TRUNC|O_APPEND|0x40000000, 0644) = 3',
    ],
    [
      "every bit",
      257,
      [AT_FDCWD, 0x3000, 0xffffffff, 0],
      3,
      'openat(AT_FDCWD, "x", O_ACCMODE|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003c, 000) = 3',
    ],
    [
      "directory",
      257,
      [5, 0x3000, 0o4000 | 0o200000 | 0o400000 | 2],
      -9,
      'openat(5, "x", O_RDWR|O_NONBLOCK|O_NOFOLLOW|O_DIRECTORY) = -1 EBADF (Bad file descriptor)',
    ],
  ]);
});

Deno.test("strace: mmap, mprotect, brk, mremap, madvise", () => {
  check(none, [
    [
      "anonymous, musl's sign-extended fd",
      9,
      [0, 8192, 3, 0x22, NEG1, 0],
      0x7f598e6c5000,
      "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f598e6c5000",
    ],
    [
      "file mapping, offset in hex",
      9,
      [0x7f598e500000, 1400832, 5, 0x812, 3, 0x26000],
      0x7f598e500000,
      "mmap(0x7f598e500000, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7f598e500000",
    ],
    [
      "every bit",
      9,
      [0, 4096, 0xffffffff, 0xffffffff, 0xffffffff, 0],
      -22,
      "mmap(NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC|PROT_SEM|PROT_GROWSDOWN|PROT_GROWSUP|0xfcfffff0, 0xf /* MAP_??? */|MAP_FIXED|MAP_ANONYMOUS|MAP_32BIT|MAP_NORESERVE|MAP_POPULATE|MAP_NONBLOCK|MAP_GROWSDOWN|MAP_DENYWRITE|MAP_EXECUTABLE|MAP_LOCKED|MAP_STACK|MAP_HUGETLB|MAP_SYNC|MAP_FIXED_NOREPLACE|0x3e00680|63<<MAP_HUGE_SHIFT, -1, 0) = -1 EINVAL (Invalid argument)",
    ],
    ["mprotect", 10, [0x4a2000, 16384, 1], 0, "mprotect(0x4a2000, 16384, PROT_READ)    = 0"],
    [
      "brk query",
      12,
      [0],
      0x55f698931000,
      "brk(NULL)                               = 0x55f698931000",
    ],
    [
      "mremap without MREMAP_FIXED has 4 arguments",
      25,
      [0x10000, 4096, 8192, 1, 0x5000],
      -14,
      "mremap(0x10000, 4096, 8192, MREMAP_MAYMOVE) = -1 EFAULT (Bad address)",
    ],
    [
      "mremap to a fixed address",
      25,
      [NEG1, 8192, 16384, 3, 0xfffff],
      -22,
      "mremap(0xffffffffffffffff, 8192, 16384, MREMAP_MAYMOVE|MREMAP_FIXED, 0xfffff) = -1 EINVAL (Invalid argument)",
    ],
    [
      "unknown advice",
      28,
      [NEG1, 8192, 999],
      -22,
      "madvise(0xffffffffffffffff, 8192, 0x3e7 /* MADV_??? */) = -1 EINVAL (Invalid argument)",
    ],
  ]);
});

Deno.test("strace: signals, sigsets and sigaction", () => {
  const blocked = (1n << 1n) | (1n << 36n); // SIGINT, SIGRTMIN+5 (37)
  const glibcFull = ((1n << 64n) - 1n) & ~(3n << 31n); // sigfillset: all but 32 and 33
  const mem = new FakeMemory()
    .u64(0x1000, blocked)
    .u64(0x2000, glibcFull)
    .u64(0x3000, 0n)
    .u64(0x4000, 0x401615n, 0x04000000n | 0x10000000n | 0x80000000n, 0x401000n, 0x4002n)
    .u64(0x5000, 0n, 0n, 0n, 0n)
    .u64(0x6000, 0n, 2n, 0n);
  check(mem.read, [
    [
      "block",
      14,
      [0, 0x1000, 0, 8],
      0,
      "rt_sigprocmask(SIG_BLOCK, [INT RT_5], NULL, 8) = 0",
    ],
    [
      "complement",
      14,
      [1, 0x2000, 0x3000, 8],
      0,
      "rt_sigprocmask(SIG_UNBLOCK, ~[RTMIN RT_1], [], 8) = 0",
    ],
    [
      "bad sigset size",
      14,
      [0, 0x1000, 0, 16],
      -22,
      "rt_sigprocmask(SIG_BLOCK, 0x1000, NULL, 16) = -1 EINVAL (Invalid argument)",
    ],
    [
      "sigaction",
      13,
      [2, 0x4000, 0x5000, 8],
      0,
      "rt_sigaction(SIGINT, {sa_handler=0x401615, sa_mask=[INT TERM], sa_flags=SA_RESTORER|SA_RESTART|SA_RESETHAND, sa_restorer=0x401000}, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
    ],
    [
      "sigaction on a bad signal",
      13,
      [65, 0, 0x5000, 8],
      -22,
      "rt_sigaction(65, NULL, 0x5000, 8)       = -1 EINVAL (Invalid argument)",
    ],
    [
      "sigaltstack",
      131,
      [0, 0x6000],
      0,
      "sigaltstack(NULL, {ss_sp=NULL, ss_flags=SS_DISABLE, ss_size=0}) = 0",
    ],
    ["kill 0", 62, [18366, 0], 0, "kill(18366, 0)                          = 0"],
    ["tgkill", 234, [18366, 18366, 17], 0, "tgkill(18366, 18366, SIGCHLD)           = 0"],
    [
      "kill bad",
      62,
      [0, 110],
      -22,
      "kill(0, 110)                            = -1 EINVAL (Invalid argument)",
    ],
  ]);
});

Deno.test("strace: futex operations print the arguments each uses", () => {
  const mem = new FakeMemory().u64(0x2000, 1n, 5n);
  const uaddr = 0x7ffef81f17ac;
  check(mem.read, [
    ["wake", 202, [uaddr, 129, 1, 0, 0, 0], 0, "futex(0x7ffef81f17ac, FUTEX_WAKE_PRIVATE, 1) = 0"],
    [
      "wait bitset",
      202,
      [uaddr, 9 | 128 | 256, 1, 0x2000, 0, 0xffffffff],
      -11,
      "futex(0x7ffef81f17ac, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 1, {tv_sec=1, tv_nsec=5}, FUTEX_BITSET_MATCH_ANY) = -1 EAGAIN (Resource temporarily unavailable)",
    ],
    [
      "wake op",
      202,
      [uaddr, 5 | 128, 1, 1, uaddr, 0x04000001],
      0,
      "futex(0x7ffef81f17ac, FUTEX_WAKE_OP_PRIVATE, 1, 1, 0x7ffef81f17ac, FUTEX_OP_SET<<28|0<<12|FUTEX_OP_CMP_GT<<24|0x1) = 0",
    ],
    [
      "lock pi",
      202,
      [uaddr, 6 | 128, 0, 0, 0, 0],
      -1,
      "futex(0x7ffef81f17ac, FUTEX_LOCK_PI_PRIVATE, NULL) = -1 EPERM (Operation not permitted)",
    ],
    [
      "clock flag where it is not allowed",
      202,
      [uaddr, 0x101, 5, 0, 0, 0],
      -38,
      "futex(0x7ffef81f17ac, 0x101 /* FUTEX_??? */, 5) = -1 ENOSYS (Function not implemented)",
    ],
    [
      "unknown command",
      202,
      [uaddr, 99, 1, 0, 0, 0],
      -38,
      "futex(0x7ffef81f17ac, 0x63 /* FUTEX_??? */, 1, NULL, NULL, 0) = -1 ENOSYS (Function not implemented)",
    ],
  ]);
});

Deno.test("strace: ioctl, fcntl, lseek, prctl, arch_prctl", () => {
  const lflag = 1 | 2 | 0o10 | 0o20 | 0o40 | 0o100000 | 0o1000 | 0o4000;
  const mem = new FakeMemory()
    .u32(0x1000, 0o400 | 0o2000, 5, 0o17 | 0o60 | 0o200, lflag, 0, 0, 0, 0, 0)
    .put(0x2000, new Uint8Array([24, 0, 80, 0, 0, 0, 0, 0]))
    .u32(0x3000, 0)
    .str(0x4000, "0123456789abcdefghijklmnopqrstuvwxyz")
    .str(0x5000, "t2")
    .u64(0x6000, 0x5775380n);
  check(mem.read, [
    [
      "TCGETS",
      16,
      [0, 0x5401, 0x1000],
      0,
      "ioctl(0, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, ...}) = 0",
    ],
    [
      "TCGETS on a pipe",
      16,
      [1, 0x5401, 0x7fff79f407f0],
      -25,
      "ioctl(1, TCGETS, 0x7fff79f407f0)        = -1 ENOTTY (Inappropriate ioctl for device)",
    ],
    [
      "TIOCGWINSZ",
      16,
      [1, 0x5413, 0x2000],
      0,
      "ioctl(1, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0",
    ],
    ["FIONBIO", 16, [1, 0x5421, 0x3000], 0, "ioctl(1, FIONBIO, [0])                  = 0"],
    [
      "unknown request",
      16,
      [1, 0x1234abcd, 0x7ffd921f0ba0],
      -25,
      "ioctl(1, _IOC(_IOC_NONE, 0xab, 0xcd, 0x1234), 0x7ffd921f0ba0) = -1 ENOTTY (Inappropriate ioctl for device)",
    ],
    ["F_GETFL", 72, [1, 3], 1, "fcntl(1, F_GETFL)                       = 0x1 (flags O_WRONLY)"],
    ["F_SETFD", 72, [1, 2, 5], 0, "fcntl(1, F_SETFD, FD_CLOEXEC|0x4)       = 0"],
    ["F_SETFL", 72, [1, 4, 0o6000], 0, "fcntl(1, F_SETFL, O_RDONLY|O_APPEND|O_NONBLOCK) = 0"],
    [
      "unknown fcntl",
      72,
      [1, 999, 3],
      -22,
      "fcntl(1, 0x3e7 /* F_??? */, 0x3)        = -1 EINVAL (Invalid argument)",
    ],
    [
      "lseek back",
      8,
      [1, -5, 2],
      -29,
      "lseek(1, -5, SEEK_END)                  = -1 ESPIPE (Illegal seek)",
    ],
    [
      "lseek bad whence",
      8,
      [1, 100, 7],
      -22,
      "lseek(1, 100, 0x7 /* SEEK_??? */)       = -1 EINVAL (Invalid argument)",
    ],
    ["PR_SET_NAME", 157, [15, 0x4000], 0, 'prctl(PR_SET_NAME, "0123456789abcde"...) = 0'],
    ["PR_GET_NAME", 157, [16, 0x5000], 0, 'prctl(PR_GET_NAME, "t2")                = 0'],
    [
      "PR_GET_DUMPABLE",
      157,
      [3],
      1,
      "prctl(PR_GET_DUMPABLE)                  = 1 (SUID_DUMP_USER)",
    ],
    [
      "unknown prctl",
      157,
      [1000, 1, 2, 3, 4],
      -22,
      "prctl(0x3e8 /* PR_??? */, 0x1, 0x2, 0x3, 0x4) = -1 EINVAL (Invalid argument)",
    ],
    [
      "ARCH_SET_FS",
      158,
      [0x1002, 0x7f598e4d7740],
      0,
      "arch_prctl(ARCH_SET_FS, 0x7f598e4d7740) = 0",
    ],
    ["ARCH_GET_FS", 158, [0x1003, 0x6000], 0, "arch_prctl(ARCH_GET_FS, [0x5775380])    = 0"],
    [
      "unknown arch code",
      158,
      [0x9999, 0],
      -22,
      "arch_prctl(0x9999 /* ARCH_??? */, 0)    = -1 EINVAL (Invalid argument)",
    ],
  ]);
});

Deno.test("strace: time, limits, identity and system information", () => {
  const utsname = new Uint8Array(65 * 6);
  utsname.set(latin1("Linux"), 0);
  utsname.set(latin1("vm"), 65);
  const mem = new FakeMemory()
    .u64(0x1000, 6549n, 392706217n)
    .u64(0x2000, 8192n * 1024n, NEG1)
    .put(0x3000, utsname)
    .u64(0x4000, 1795295335n, 593344n)
    .u64(0x5000, 0n, 1n)
    .put(0x6000, new Uint8Array([3, 0, 0, 0, 0, 0, 0, 0]))
    .u64(0x7000, 0x14a0c660n)
    .u64(0x7100, 24n);
  check(mem.read, [
    [
      "clock_gettime",
      228,
      [1, 0x1000],
      0,
      "clock_gettime(CLOCK_MONOTONIC, {tv_sec=6549, tv_nsec=392706217}) = 0",
    ],
    [
      "bad clock",
      228,
      [17, 0x7ffd921f0b10],
      -22,
      "clock_gettime(0x11 /* CLOCK_??? */, 0x7ffd921f0b10) = -1 EINVAL (Invalid argument)",
    ],
    [
      "prlimit64",
      302,
      [0, 3, 0, 0x2000],
      0,
      "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0",
    ],
    ["uname", 63, [0x3000], 0, 'uname({sysname="Linux", nodename="vm", ...}) = 0'],
    [
      "gettimeofday",
      96,
      [0x4000, 0],
      0,
      "gettimeofday({tv_sec=1795295335, tv_usec=593344}, NULL) = 0",
    ],
    [
      "time",
      201,
      [0],
      1795295335,
      "time(NULL)                              = 1795295335 (2026-11-21T21:08:55+0000)",
    ],
    ["nanosleep", 35, [0x5000, 0], 0, "nanosleep({tv_sec=0, tv_nsec=1}, NULL)  = 0"],
    [
      "clock_nanosleep shows the remainder as an address",
      230,
      [0, 1, 0x5000, 0x1000],
      0,
      "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, {tv_sec=0, tv_nsec=1}, 0x1000) = 0",
    ],
    ["umask", 95, [0o22], 0o22, "umask(022)                              = 022"],
    ["getpid", 39, [], 18366, "getpid()                                = 18366"],
    ["sched_getaffinity", 204, [0, 128, 0x6000], 8, "sched_getaffinity(0, 128, [0 1])        = 8"],
    ["get_robust_list", 274, [0, 0x7000, 0x7100], 0, "get_robust_list(0, [0x14a0c660], [24])  = 0"],
    ["getgroups", 115, [0, 0], 0, "getgroups(0, NULL)                      = 0"],
  ]);
});

Deno.test("strace: stat family, iovecs, getrandom, paths", () => {
  const stat = new DataView(new ArrayBuffer(144));
  stat.setUint32(24, 0o20666, true);
  stat.setBigUint64(40, 0x103n, true);
  const statx = new DataView(new ArrayBuffer(256));
  statx.setUint32(0, 0x1fff, true);
  statx.setUint16(28, 0o41777, true);
  statx.setBigUint64(40, 20480n, true);
  const mem = new FakeMemory()
    .str(0x1000, "/dev/null")
    .put(0x1100, new Uint8Array(stat.buffer))
    .str(0x1200, "/tmp")
    .put(0x1300, new Uint8Array(statx.buffer))
    .u64(0x2000, 0x2100n, 6n, 0x2200n, 6n, 0x2300n, 40n)
    .put(0x2100, "hello ")
    .put(0x2200, "world\n")
    .put(0x2300, "A".repeat(40))
    .put(0x3000, "abcdefgh" + "\0".repeat(5))
    .u64(0x3100, 0x3000n, 3n, 0x3003n, 10n)
    .put(0x4000, new Uint8Array([0x2b, 0x9b, 0xb4, 0xad, 0xd1, 0x9b, 0xb6, 0xe7]))
    .put(0x6000, dirents([24, 32]))
    .str(0x5000, "/proc/self/exe")
    .put(0x5100, "/tmp/t\0\0");
  check(mem.read, [
    [
      "newfstatat of a device",
      262,
      [AT_FDCWD, 0x1000, 0x1100, 0],
      0,
      'newfstatat(AT_FDCWD, "/dev/null", {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}, 0) = 0',
    ],
    [
      "statx",
      332,
      [AT_FDCWD, 0x1200, 0x100, 0xfff, 0x1300],
      0,
      'statx(AT_FDCWD, "/tmp", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW, STATX_ALL, {stx_mask=STATX_ALL|STATX_MNT_ID, stx_attributes=0, stx_mode=S_IFDIR|S_ISVTX|0777, stx_size=20480, ...}) = 0',
    ],
    [
      "fstat failure",
      5,
      [99, 0x7ffdfa21d530],
      -9,
      "fstat(99, 0x7ffdfa21d530)               = -1 EBADF (Bad file descriptor)",
    ],
    [
      "writev",
      20,
      [2, 0x2000, 3],
      52,
      'writev(2, [{iov_base="hello ", iov_len=6}, {iov_base="world\\n", iov_len=6}, {iov_base="AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"..., iov_len=40}], 3) = 52',
    ],
    [
      "readv splits the result over the vectors",
      19,
      [3, 0x3100, 2],
      8,
      'readv(3, [{iov_base="abc", iov_len=3}, {iov_base="defgh", iov_len=10}], 2) = 8',
    ],
    [
      "getrandom prints hex",
      318,
      [0x4000, 8, 1],
      8,
      'getrandom("\\x2b\\x9b\\xb4\\xad\\xd1\\x9b\\xb6\\xe7", 8, GRND_NONBLOCK) = 8',
    ],
    [
      "readlink",
      89,
      [0x5000, 0x5100, 64],
      6,
      'readlink("/proc/self/exe", "/tmp/t", 64) = 6',
    ],
    [
      "getdents64",
      217,
      [3, 0x6000, 32768],
      56,
      "getdents64(3, 0x6000 /* 2 entries */, 32768) = 56",
    ],
    [
      "getdents64 at the end",
      217,
      [3, 0x6000, 32768],
      0,
      "getdents64(3, 0x6000 /* 0 entries */, 32768) = 0",
    ],
    [
      "getcwd",
      79,
      [0x1200, 64],
      5,
      'getcwd("/tmp", 64)                      = 5',
    ],
  ]);
});

Deno.test("strace: process calls: clone, execve, wait4, exit", () => {
  const mem = new FakeMemory()
    .str(0x1000, "/nonexistent/prog")
    .str(0x1100, "arg one")
    .str(0x1200, 'a"b\n')
    .u64(0x2000, 0x1000n, 0x1100n, 0x1200n, 0n)
    .u64(0x3000, 0x1100n, 0x1200n, 0n)
    .u32(0x4000, 3 << 8)
    .u32(0x4100, 15)
    .u32(0x4200, (19 << 8) | 0x7f)
    .u32(0x4300, 0xffff)
    .u32(0x4400, 32596)
    .str(0x5000, "x")
    .u64(0x5100, ...Array(40).fill(0x5000n), 0n)
    .u64(0x5800, 0x1100n, 0n);
  check(mem.read, [
    [
      "execve",
      59,
      [0x1000, 0x2000, 0x3000],
      -2,
      'execve("/nonexistent/prog", ["/nonexistent/prog", "arg one", "a\\"b\\n"], 0x3000 /* 2 vars */) = -1 ENOENT (No such file or directory)',
    ],
    [
      "fork through clone",
      56,
      [0x1200011, 0, 0, 0xd5a8650, 0],
      25142,
      "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0xd5a8650) = 25142",
    ],
    [
      "wait4 exited",
      61,
      [25142, 0x4000, 0, 0],
      25142,
      "wait4(25142, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 25142",
    ],
    [
      "wait4 signaled",
      61,
      [NEG1, 0x4100, 0x40000000, 0],
      25144,
      "wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGTERM}], __WALL, NULL) = 25144",
    ],
    [
      "wait4 stopped",
      61,
      [32596, 0x4200, 2, 0],
      32596,
      "wait4(32596, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WSTOPPED, NULL) = 32596",
    ],
    [
      "wait4 continued",
      61,
      [32596, 0x4300, 8, 0],
      32596,
      "wait4(32596, [{WIFCONTINUED(s)}], WCONTINUED, NULL) = 32596",
    ],
    [
      "clone reports the parent's tid",
      56,
      [0x100011, 0, 0x4400, 0, 0],
      32596,
      "clone(child_stack=NULL, flags=CLONE_PARENT_SETTID|SIGCHLD, parent_tid=[32596]) = 32596",
    ],
    [
      "execve shows 32 arguments, then ...",
      59,
      [0x1000, 0x5100, 0x5800],
      -2,
      `execve("/nonexistent/prog", [${
        '"x", '.repeat(32)
      }...], 0x5800 /* 1 var */) = -1 ENOENT (No such file or directory)`,
    ],
    ["exit_group", 231, [0], null, "exit_group(0)                           = ?"],
    [
      "exit_group -1 ignores a result",
      231,
      [NEG1],
      0,
      "exit_group(-1)                          = ?",
    ],
    [
      "close of a 64-bit register",
      3,
      [0x100000005],
      0,
      "close(5)                                = 0",
    ],
  ]);
});

Deno.test("strace: missing and unknown syscalls", () => {
  check(none, [
    [
      "missing syscall keeps its name and arguments",
      61,
      [NEG1, 0, 1, 0],
      -38,
      "wait4(-1, NULL, WNOHANG, NULL)          = -1 ENOSYS (Function not implemented)",
    ],
    [
      "number not in the table",
      400,
      [1, 2, 3],
      -38,
      "syscall_0x190(0x1, 0x2, 0x3, 0, 0, 0)   = -1 ENOSYS (Function not implemented)",
    ],
    [
      "x32 numbers are not in the table",
      0x1c8 + 512,
      [1, 2, 3, 4, 5, 6],
      -38,
      "syscall_0x3c8(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)",
    ],
    [
      "undefined errno",
      3,
      [1],
      -41,
      "close(1)                                = -1 41 (Unknown error 41)",
    ],
    [
      "interrupted, to be restarted",
      0,
      [0, 0x1000, 10],
      -512,
      "read(0, 0x1000, 10)                     = ? ERESTARTSYS (To be restarted if SA_RESTART is set)",
    ],
  ]);
});

Deno.test("strace: quoting of all byte values", () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const quoted = quoteBytes(all);
  assert.ok(quoted.startsWith('"\\0\\1\\2\\3\\4\\5\\6\\7\\10\\t\\n\\v\\f\\r\\16'));
  assert.ok(quoted.includes(" !\\\"#$%&'()*+,-./0123456789"));
  assert.ok(quoted.includes("}~\\177\\200\\201\\202"));
  assert.ok(quoted.endsWith('\\375\\376\\377"'));
});

Deno.test("strace: register helpers", () => {
  assert.equal(argInt32(0xffffffff), -1);
  assert.equal(argInt32(0xffffffffffffffffn), -1);
  assert.equal(argInt32(0x100000005), 5);
  assert.equal(argUint32(-1), 0xffffffff);
  assert.equal(argInt64(0xfffffffffffffffbn), -5);
  assert.equal(argBigInt64(0x8000000000000000n), -(2n ** 63n));
  assert.equal(regValue(0xfffffffb, 0xffffffff), 0xfffffffffffffffbn);
  assert.equal(regValue(0x1000, 0x7fff), 0x7fff00001000);
  assert.equal(isErrorResult(-4095), true);
  assert.equal(isErrorResult(-4096), false);
  assert.equal(isErrorResult(0xfffffffffffffffen), true);
  assert.equal(isErrorResult(3), false);
});

Deno.test("strace: every row formats any arguments and memory without throwing", () => {
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const pool = Uint8Array.from({ length: 1 << 16 }, () => Math.floor(random() * 256));
  const noisy: ReadMemory = (_addr, len) => {
    if (random() < 0.2 || len > pool.length) return null;
    const start = Math.floor(random() * (pool.length - len));
    return pool.slice(start, start + len);
  };
  const samples: RegValue[] = [0, 1, 3, 0x1000, 0xffffffff, NEG1, 0x7fff0000, 2 ** 40];
  for (const row of SYSCALLS) {
    for (let round = 0; round < 10; round++) {
      const args = Array.from({ length: 6 }, () => samples[Math.floor(random() * samples.length)]);
      const result = [0, -2, -22, 8, 0x7f0000001000][round % 5];
      const line = formatSyscall(row, args, result, noisy);
      assert.ok(line.startsWith(`${row.name}(`), line);
      assert.match(line, / = (\?|-1 E[A-Z0-9]+ \(|0x|\d)/, line);
    }
  }
});
