// procfs against a real kernel with a loaded program: the layout of /proc/<pid>/status, stat,
// statm, maps, limits, mounts and mountinfo checked line by line (and against the host's own
// /proc where the format is the kernel's, not the process's), the magic fd/cwd/exe links, the
// system files computed from the machine, and Linux's errors for writes and creation.

import assert from "node:assert/strict";
import { parseElf } from "../../kernel/exec/elf.ts";
import { loadProgram } from "../../kernel/exec/load.ts";
import { O_CLOEXEC, O_RDONLY, O_RDWR, O_WRONLY, OpenFile } from "../../kernel/files/open-file.ts";
import type { Path } from "../../kernel/fs/dentry.ts";
import { S_IFDIR, S_IFLNK, S_IFMT, S_IFREG } from "../../kernel/fs/inode.ts";
import { makeDirectory, removeFile } from "../../kernel/fs/namespace.ts";
import { openFile } from "../../kernel/fs/open.ts";
import { resolve } from "../../kernel/fs/path-walk.ts";
import { mountProc, PROC_SUPER_MAGIC } from "../../kernel/fs/procfs/procfs.ts";
import { cpuFlags } from "../../kernel/fs/procfs/cpuinfo.ts";
import { mountTmpfs } from "../../kernel/fs/tmpfs.ts";
import { AT_FDCWD, parentAt, walkContext } from "../../kernel/fs/vfs.ts";
import { Kernel } from "../../kernel/kernel.ts";
import { cpuidLeaf } from "../../core/cpu/cpuid.ts";
import { type Credentials, rootCredentials, type Task } from "../../kernel/proc/process.ts";
import { SyscallError } from "../../kernel/syscall-error.ts";
import { EACCES, EINVAL, EIO, ENOENT, EPERM } from "../../kernel/errno.ts";
import { UTS_RELEASE } from "../../kernel/syscalls/system.ts";

const PROGRAM = new URL("../guest/bin/argv-env", import.meta.url);
const MEMORY = 64 << 20;

/**
 * Lines the host's /proc/self/status has that ours leaves out, and why (the host runs a newer
 * kernel with more configuration than the 6.1 this kernel reports).
 */
const HOST_ONLY_STATUS_KEYS: Record<string, string> = {
  untag_mask: "x86 linear address masking (CONFIG_ADDRESS_MASKING): not emulated",
  x86_Thread_features: "user shadow stacks (CONFIG_X86_USER_SHADOW_STACK): not emulated",
  x86_Thread_features_locked: "user shadow stacks: not emulated",
};

/** meminfo keys of the host that this machine has no counterpart for. */
const HOST_ONLY_MEMINFO_KEYS: Record<string, string> = {
  Zswap: "no zswap (CONFIG_ZSWAP)",
  Zswapped: "no zswap",
  HardwareCorrupted: "no memory-failure handling",
  AnonHugePages: "no transparent huge pages",
  ShmemHugePages: "no transparent huge pages",
  ShmemPmdMapped: "no transparent huge pages",
  FileHugePages: "no transparent huge pages",
  FilePmdMapped: "no transparent huge pages",
  CmaTotal: "no contiguous memory allocator",
  CmaFree: "no contiguous memory allocator",
  Unaccepted: "no unaccepted memory (confidential VMs)",
  Balloon: "no balloon driver",
  HugePages_Total: "no hugetlbfs",
  HugePages_Free: "no hugetlbfs",
  HugePages_Rsvd: "no hugetlbfs",
  HugePages_Surp: "no hugetlbfs",
  Hugepagesize: "no hugetlbfs",
  Hugetlb: "no hugetlbfs",
  DirectMap4k: "no kernel direct map: the kernel is not in guest memory",
  DirectMap2M: "no kernel direct map",
  DirectMap1G: "no kernel direct map",
  DirectMap4M: "no kernel direct map",
};

interface Machine {
  kernel: Kernel;
  task: Task;
  root: Path;
  image: Uint8Array;
}

async function boot(argv = ["argv-env", "one two", ""], envp = ["A=1", "B=x y"]) {
  const kernel = new Kernel({ memoryBytes: MEMORY });
  const rootFs = mountTmpfs({ readOnly: false, options: "mode=755", source: "rootfs" });
  kernel.vfs.mounts.mountRoot(rootFs);
  const root = kernel.vfs.rootPath();
  for (const dir of ["proc", "bin", "my dir"]) rootFs.root.mkdir(dir, S_IFDIR | 0o755, 0, 0);
  const image = await Deno.readFile(PROGRAM);
  const exe = rootFs.root.lookup("bin")!.create("argv-env", S_IFREG | 0o755, 0, 0, 0);
  exe.write(0, image);
  const ctx = { mounts: kernel.vfs.mounts, root, creds: rootCredentials() };
  kernel.vfs.mounts.mount(
    mountProc({ readOnly: false, options: "", source: "proc", kernel }),
    resolve(ctx, root, "/proc", { follow: true }),
    0,
  );
  const task = loadProgram(kernel, parseElf(image), image, {
    argv,
    envp,
    exePath: "/bin/argv-env",
  });
  task.proc.root = root;
  task.proc.cwd = resolve(ctx, root, "/bin", { follow: true });
  task.proc.exeLocation = resolve(ctx, root, "/bin/argv-env", { follow: true });
  kernel.current = task;
  return { kernel, task, root, image } satisfies Machine;
}

function open(m: Machine, path: string, flags = O_RDONLY, task = m.task): OpenFile {
  return openFile(m.kernel, task, { dirfd: AT_FDCWD, path, flags, mode: 0o644 });
}

function readAll(file: OpenFile): string {
  let text = "";
  const buf = new Uint8Array(100);
  for (let at = 0;;) {
    const n = file.ops.read!(file, buf, at) as number;
    if (n === 0) return text;
    text += String.fromCharCode(...buf.subarray(0, n));
    at += n;
  }
}

function read(m: Machine, path: string, task = m.task): string {
  const file = open(m, path, O_RDONLY, task);
  try {
    return readAll(file);
  } finally {
    file.put();
  }
}

function lookup(m: Machine, path: string, follow = true, task = m.task): Path {
  return resolve(walkContext(task, m.kernel.vfs), task.proc.cwd, path, { follow });
}

function errnoOf(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof SyscallError) return e.errno;
    throw e;
  }
  return 0;
}

/** A host /proc file as a child process sees it (Deno itself may not read /proc/self). */
async function hostProc(name: string): Promise<string> {
  const out = await new Deno.Command("cat", { args: [`/proc/${name}`] }).output();
  assert.equal(out.code, 0, `cat /proc/${name}`);
  return new TextDecoder().decode(out.stdout);
}

function keys(text: string): string[] {
  return text.split("\n").filter((l) => l !== "").map((l) => l.slice(0, l.indexOf(":")));
}

function spawnUser(m: Machine, creds: Credentials): Task {
  const task = loadProgram(m.kernel, parseElf(m.image), m.image, {
    argv: ["other"],
    envp: [],
    exePath: "/bin/argv-env",
  });
  task.proc.creds = creds;
  return task;
}

Deno.test("status: Linux's keys in Linux's order, each line in its format", async () => {
  const m = await boot();
  const pid = m.task.proc.pid;
  const status = read(m, `/proc/${pid}/status`);
  assert.ok(status.endsWith("\n"));
  const ours = keys(status);
  const host = keys(await hostProc("self/status"))
    .filter((k) => !(k in HOST_ONLY_STATUS_KEYS));
  assert.deepEqual(ours, host);
  const field = (key: string) => status.match(new RegExp(`^${key}:\\t(.*)$`, "m"))?.[1];
  assert.equal(field("Name"), "argv-env");
  assert.equal(field("Pid"), String(pid));
  assert.equal(field("Tgid"), String(pid));
  assert.equal(field("State"), "R (running)");
  assert.equal(field("Umask"), "0022");
  assert.equal(field("Uid"), "0\t0\t0\t0");
  assert.equal(field("Groups"), "0 ");
  assert.equal(field("Threads"), "1");
  for (const line of status.split("\n").filter((l) => /^(Vm|Rss)/.test(l))) {
    assert.match(line, /^\w+:\t[ \d]{7}\d kB$/);
  }
  for (const key of ["SigPnd", "ShdPnd", "SigBlk", "SigIgn", "SigCgt", "CapInh", "CapEff"]) {
    assert.match(field(key)!, /^[0-9a-f]{16}$/);
  }
  const vmKb = (key: string) => Number(field(key)!.replace(" kB", ""));
  const mapped = m.task.proc.mm.mappedBytes / 1024;
  assert.equal(vmKb("VmSize"), mapped);
  assert.ok(vmKb("VmRSS") > 0 && vmKb("VmRSS") <= mapped);
  assert.ok(vmKb("VmExe") > 0, "the program's text is counted");
  assert.equal(vmKb("VmStk") > 0, true);
});

Deno.test("status follows the process: umask, mask, handlers, zombie", async () => {
  const m = await boot();
  const proc = m.task.proc;
  proc.umask = 0o077;
  m.task.sigmaskLow = 1 << (10 - 1); // SIGUSR1
  proc.sigactions[2].handler = 1; // SIGINT ignored
  proc.sigactions[15].handler = 0x401000; // SIGTERM caught
  let status = read(m, "/proc/self/status");
  assert.match(status, /^Umask:\t0077$/m);
  assert.match(status, /^SigBlk:\t0000000000000200$/m);
  assert.match(status, /^SigIgn:\t0000000000000002$/m);
  assert.match(status, /^SigCgt:\t0000000000004000$/m);
  m.kernel.exitProcess(proc, 3);
  status = read(m, `/proc/${proc.pid}/status`);
  assert.match(status, /^State:\tZ \(zombie\)$/m);
  assert.doesNotMatch(status, /^VmSize/m, "a zombie has no memory lines");
  assert.equal(read(m, `/proc/${proc.pid}/cmdline`), "");
  const stat = read(m, `/proc/${proc.pid}/stat`).trim().split(" ");
  assert.equal(stat[2], "Z");
  assert.equal(stat[51], String(3 << 8), "exit_code is the wait status");
  m.kernel.reap(proc);
  assert.equal(errnoOf(() => lookup(m, `/proc/${proc.pid}`)), ENOENT);
  assert.ok(!m.kernel.vfs.rootPath().dentry.inode.readdir().some((e) => e.name === "1"));
});

Deno.test("stat: 52 fields that agree with status and statm", async () => {
  const m = await boot();
  const pid = m.task.proc.pid;
  const text = read(m, `/proc/${pid}/stat`);
  assert.ok(text.endsWith("\n"));
  const match = /^(\d+) \((.*)\) (.*)\n$/.exec(text);
  assert.ok(match, text);
  const rest = match[3].split(" ");
  assert.equal(2 + rest.length, 52);
  for (const f of rest.slice(1)) assert.match(f, /^-?\d+$/);
  assert.equal(match[1], String(pid));
  assert.equal(match[2], "argv-env");
  const field = (n: number) => rest[n - 3]; // man 5 proc numbering
  assert.equal(field(3), "R");
  assert.equal(field(20), "1", "num_threads");
  assert.equal(field(38), "17", "exit_signal SIGCHLD");
  const status = read(m, `/proc/${pid}/status`);
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)![1]);
  assert.equal(Number(field(23)), kb("VmSize") * 1024, "vsize");
  assert.equal(Number(field(24)) * 4, kb("VmRSS"), "rss in pages");
  assert.equal(field(47), String(m.task.proc.mm.brkStart), "start_brk");
  const statm = read(m, `/proc/${pid}/statm`).trim().split(" ").map(Number);
  assert.equal(statm.length, 7);
  assert.equal(statm[0] * 4, kb("VmSize"));
  assert.equal(statm[1] * 4, kb("VmRSS"));
});

Deno.test("maps: one line per area in Linux's padded layout", async () => {
  const m = await boot();
  const lines = read(m, "/proc/self/maps").split("\n").slice(0, -1);
  const areas = m.task.proc.mm.vmas.areas;
  assert.equal(lines.length, areas.length);
  lines.forEach((line, i) => {
    const match = /^([0-9a-f]{8,})-([0-9a-f]{8,}) ([r-][w-][x-][ps]) 00000000 00:00 0 (.*)$/
      .exec(line);
    assert.ok(match, line);
    assert.equal(parseInt(match[1], 16), areas[i].start);
    assert.equal(parseInt(match[2], 16), areas[i].end);
    if (areas[i].name !== "") {
      assert.equal(line.indexOf(areas[i].name), 73, "names start at column 73");
    } else assert.ok(line.endsWith(" 0 "));
  });
  assert.ok(lines.some((l) => l.endsWith(" [stack]")));
  assert.ok(lines.some((l) => / r-xp .* \/bin\/argv-env$/.test(l)));
});

Deno.test("cmdline and environ: NUL-terminated strings; comm; limits like the host's", async () => {
  const m = await boot(["argv-env", "one two", "", "é"], ["A=1", "B=x y"]);
  const utf8 = String.fromCharCode(...new TextEncoder().encode("é"));
  assert.equal(read(m, "/proc/self/cmdline"), `argv-env\0one two\0\0${utf8}\0`);
  assert.equal(read(m, "/proc/self/environ"), "A=1\0B=x y\0");
  assert.equal(read(m, "/proc/self/comm"), "argv-env\n");
  const limits = read(m, "/proc/self/limits").split("\n");
  const host = (await hostProc("self/limits")).split("\n");
  assert.equal(limits.length, host.length);
  assert.equal(limits[0], host[0], "header");
  limits.forEach((line, i) => {
    assert.equal(line.slice(0, 26), host[i].slice(0, 26), "limit names");
    assert.equal(line.length, host[i].length, `columns of ${line}`);
  });
  assert.match(
    read(m, "/proc/self/limits"),
    /^Max open files {12}1024 {17}1048576 {14}files {5}$/m,
  );
});

Deno.test("comm is writable by the process itself only, as Linux keeps it", async () => {
  const m = await boot();
  const file = open(m, "/proc/self/comm", O_WRONLY);
  assert.equal(file.ops.write!(file, new TextEncoder().encode("renamed\n"), 0), 8);
  file.put();
  assert.equal(m.task.proc.name, "renamed\n");
  assert.equal(read(m, "/proc/self/comm"), "renamed\n\n");
  const other = spawnUser(m, rootCredentials());
  const theirs = open(m, `/proc/${other.proc.pid}/comm`, O_WRONLY);
  assert.equal(errnoOf(() => theirs.ops.write!(theirs, new Uint8Array([65]), 0)), EINVAL);
});

Deno.test("root: self, thread-self, processes; readdir and lookup agree", async () => {
  const m = await boot();
  const pid = m.task.proc.pid;
  const procRoot = lookup(m, "/proc").dentry.inode;
  const names = procRoot.readdir().map((e) => e.name);
  for (const name of ["self", "thread-self", "mounts", "meminfo", "cpuinfo", String(pid)]) {
    assert.ok(names.includes(name), name);
    assert.ok(procRoot.lookup(name) !== null, name);
  }
  assert.equal(new Set(procRoot.readdir().map((e) => e.ino)).size, names.length, "unique inos");
  assert.equal(lookup(m, "/proc/self", false).dentry.inode.readlink(), String(pid));
  assert.equal(
    lookup(m, "/proc/thread-self", false).dentry.inode.readlink(),
    `${pid}/task/${m.task.tid}`,
  );
  assert.equal(lookup(m, "/proc/mounts", false).dentry.inode.readlink(), "self/mounts");
  const a = lookup(m, `/proc/${pid}/status`).dentry.inode;
  const b = lookup(m, "/proc/self/status").dentry.inode;
  assert.equal(a.ino, b.ino, "stable inode numbers");
  assert.equal((a.mode & S_IFMT) | 0, S_IFREG);
  assert.equal(a.mode & 0o7777, 0o444);
  assert.equal(lookup(m, `/proc/${pid}`).dentry.inode.mode, S_IFDIR | 0o555);
  assert.equal(lookup(m, `/proc/${pid}/fd`).dentry.inode.mode, S_IFDIR | 0o500);
  assert.equal(lookup(m, `/proc/${pid}/task/${m.task.tid}/stat`).dentry.inode.ino !== a.ino, true);
  m.kernel.current = null;
  assert.equal(errnoOf(() => lookup(m, "/proc/self")), ENOENT, "no reader, no self");
  assert.equal(m.kernel.vfs.mounts.all()[1].fs.statfs().type, PROC_SUPER_MAGIC);
});

Deno.test("fd links: path strings, jumps to the open file, deleted files, pipes", async () => {
  const m = await boot();
  const proc = m.task.proc;
  const ctx = walkContext(m.task, m.kernel.vfs);
  makeDirectory(parentAt(m.task, m.kernel.vfs, AT_FDCWD, "/data"), 0o755, 0, proc.creds);
  const created = openFile(m.kernel, m.task, {
    dirfd: AT_FDCWD,
    path: "/data/file.txt",
    flags: O_RDWR | 0o100, /* O_CREAT */
    mode: 0o600,
  });
  const fd = proc.fds.install(created, true);
  const pipe = new OpenFile({ stat: created.ops.stat }, O_WRONLY, "pipe:[7]");
  const pipeFd = proc.fds.install(pipe, false);
  const link = lookup(m, `/proc/self/fd/${fd}`, false).dentry.inode;
  assert.equal(link.mode & S_IFMT, S_IFLNK);
  assert.equal(link.mode & 0o777, 0o700, "read-write fd: rwx");
  assert.equal(link.size, 64);
  assert.equal(link.readlink(), "/data/file.txt");
  const jumped = resolve(ctx, proc.cwd, `/proc/self/fd/${fd}`, { follow: true });
  assert.equal(jumped.dentry.inode, created.location!.dentry.inode);
  assert.equal(lookup(m, `/proc/self/fd/${pipeFd}`, false).dentry.inode.readlink(), "pipe:[7]");
  assert.equal(lookup(m, `/proc/self/fd/${pipeFd}`, false).dentry.inode.mode & 0o777, 0o300);
  assert.equal(errnoOf(() => lookup(m, `/proc/self/fd/${pipeFd}`)), ENOENT);
  const fdNames = lookup(m, "/proc/self/fd").dentry.inode.readdir().map((e) => e.name);
  assert.deepEqual(fdNames, proc.fds.openFds().map(String));
  const info = read(m, `/proc/self/fdinfo/${fd}`);
  const flags = (O_RDWR | O_CLOEXEC).toString(8);
  assert.match(
    info,
    new RegExp(`^pos:\\t0\\nflags:\\t0${flags}\\nmnt_id:\\t\\d+\\nino:\\t\\d+\\n$`),
  );
  removeFile(parentAt(m.task, m.kernel.vfs, AT_FDCWD, "/data/file.txt"), proc.creds, ctx.mounts);
  assert.equal(link.readlink(), "/data/file.txt (deleted)");
  assert.equal(
    resolve(ctx, proc.cwd, `/proc/self/fd/${fd}`, { follow: true }).dentry.deleted,
    true,
  );
  proc.fds.close(fd);
  assert.equal(errnoOf(() => link.readlink()), ENOENT, "a closed fd's link is gone");
  assert.equal(errnoOf(() => lookup(m, `/proc/self/fd/${fd}`, false)), ENOENT);
});

Deno.test("cwd, root and exe jump to the process's places; others need its ids", async () => {
  const m = await boot();
  const proc = m.task.proc;
  assert.equal(lookup(m, "/proc/self/cwd", false).dentry.inode.readlink(), "/bin");
  assert.equal(lookup(m, "/proc/self/root", false).dentry.inode.readlink(), "/");
  assert.equal(lookup(m, "/proc/self/exe", false).dentry.inode.readlink(), "/bin/argv-env");
  assert.equal(lookup(m, "/proc/self/exe").dentry.inode, proc.exeLocation!.dentry.inode);
  assert.equal(lookup(m, "/proc/self/cwd").dentry, proc.cwd.dentry);
  const user = spawnUser(m, {
    ...rootCredentials(),
    uid: 1000,
    euid: 1000,
    suid: 1000,
    fsuid: 1000,
  });
  user.proc.root = proc.root;
  user.proc.cwd = proc.root;
  m.kernel.current = user;
  const theirs = `/proc/${proc.pid}`;
  assert.equal(
    errnoOf(() => lookup(m, `${theirs}/cwd`, false, user).dentry.inode.readlink()),
    EACCES,
  );
  assert.equal(errnoOf(() => read(m, `${theirs}/environ`, user)), EACCES, "environ is 0400");
  assert.equal(errnoOf(() => lookup(m, `${theirs}/fd/0`, false, user)), EACCES, "fd/ is 0500");
  assert.match(read(m, `${theirs}/status`, user), /^Name:\targv-env$/m);
  const own = lookup(m, `/proc/${user.proc.pid}/status`, true, user).dentry.inode;
  assert.equal(own.uid, 1000, "a process's entries belong to its euid");
});

Deno.test("mounts and mountinfo: every mount, relative to the root, mangled", async () => {
  const m = await boot();
  const at = lookup(m, "/my dir");
  m.kernel.vfs.mounts.mount(
    mountTmpfs({ readOnly: true, options: "", source: "scratch" }),
    at,
    1 | 2,
  );
  const mounts = read(m, "/proc/self/mounts");
  assert.equal(
    mounts,
    "rootfs / tmpfs rw,relatime 0 0\nproc /proc proc rw,relatime 0 0\n" +
      "scratch /my\\040dir tmpfs ro,nosuid,relatime 0 0\n",
  );
  assert.equal(read(m, "/proc/mounts"), mounts, "the /proc/mounts link");
  const info = read(m, "/proc/self/mountinfo").split("\n").slice(0, -1);
  assert.equal(info.length, 3);
  const all = m.kernel.vfs.mounts.all();
  info.forEach((line, i) => {
    const match = /^(\d+) (\d+) (\d+):(\d+) \/ (\S+) (r[ow](?:,\w+)*) - (\S+) (\S+) (r[ow])$/
      .exec(line);
    assert.ok(match, line);
    assert.equal(Number(match[1]), all[i].id);
    assert.equal(Number(match[2]), (all[i].parent ?? all[i]).id);
  });
  assert.match(info[2], / \/my\\040dir ro,nosuid,relatime - tmpfs scratch ro$/);
  // Seen from a root inside "/my dir", only that mount is visible, as "/".
  const jailed = spawnUser(m, rootCredentials());
  jailed.proc.root = lookup(m, "/my dir");
  assert.equal(
    read(m, `/proc/${jailed.proc.pid}/mounts`),
    "scratch / tmpfs ro,nosuid,relatime 0 0\n",
  );
});

Deno.test("meminfo: the guest's RAM from the frame allocator, Linux's layout", async () => {
  const m = await boot();
  const text = read(m, "/proc/meminfo");
  for (const line of text.split("\n").slice(0, -1)) {
    // show_val_kb: the key padded to 16 columns, the value right-aligned in 8 (or wider).
    assert.match(line.slice(0, 16), /^[\w()]+: *$/, line);
    assert.match(line.slice(16), /^( *\d{1,8}|\d{9,}) kB$/, line);
    assert.ok(line.length >= 27, line);
  }
  const value = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(text)![1]);
  assert.equal(value("MemTotal"), MEMORY / 1024);
  assert.equal(value("MemFree"), m.kernel.frames.freeFrames * 4);
  assert.ok(value("AnonPages") > 0);
  const host = keys(await hostProc("meminfo"))
    .filter((k) => !(k in HOST_ONLY_MEMINFO_KEYS));
  assert.deepEqual(keys(text), host);
});

Deno.test("cpuinfo describes the CPUID the programs see", () => {
  const flags = cpuFlags();
  const [, , ecx1, edx1] = cpuidLeaf(1, 0);
  assert.equal(flags.includes("sse4_2"), ((ecx1 >>> 20) & 1) === 1);
  assert.equal(flags.includes("sse2"), ((edx1 >>> 26) & 1) === 1);
  assert.equal(flags.includes("avx"), ((ecx1 >>> 28) & 1) === 1);
  assert.equal(flags.includes("avx2"), false, "no AVX2 on this CPU");
  assert.ok(flags.includes("lm") && flags.includes("nx"));
  assert.equal(new Set(flags).size, flags.length);
});

Deno.test("system files: cpuinfo, version, uptime, loadavg, stat, filesystems", async () => {
  const m = await boot();
  const cpuinfo = read(m, "/proc/cpuinfo");
  const hostKeys = new Set(keys((await hostProc("cpuinfo")).split("\n\n")[0]));
  for (const key of keys(cpuinfo)) assert.ok(hostKeys.has(key), `${key} is a Linux key`);
  assert.match(cpuinfo, /^processor\t: 0\nvendor_id\t: \S+\ncpu family\t: \d+\nmodel\t\t: \d+\n/);
  assert.match(cpuinfo, /^flags\t\t: .*\bsse2\b/m);
  assert.ok(cpuinfo.endsWith("power management:\n\n"));
  assert.equal(
    read(m, "/proc/version").split(" ").slice(0, 3).join(" "),
    `Linux version ${UTS_RELEASE}`,
  );
  assert.match(read(m, "/proc/uptime"), /^\d+\.\d\d \d+\.\d\d\n$/);
  assert.match(read(m, "/proc/loadavg"), new RegExp(`^0\\.00 0\\.00 0\\.00 1/1 ${m.task.tid}\\n$`));
  const stat = read(m, "/proc/stat");
  assert.match(stat, /^cpu {2}(\d+ ){9}\d+\ncpu0 (\d+ ){9}\d+\n/);
  assert.match(stat, /^btime \d+$/m);
  assert.match(stat, /^procs_running 1$/m);
  const filesystems = read(m, "/proc/filesystems").split("\n");
  assert.ok(filesystems.includes("nodev\tproc"));
  assert.ok(filesystems.includes("nodev\ttmpfs"));
  assert.equal(read(m, "/proc/sys/kernel/ostype"), "Linux\n");
  assert.equal(read(m, "/proc/sys/kernel/osrelease"), UTS_RELEASE + "\n");
});

Deno.test("hostname is writable by root; other files refuse writes as Linux does", async () => {
  const m = await boot();
  const file = open(m, "/proc/sys/kernel/hostname", O_WRONLY);
  file.ops.write!(file, new TextEncoder().encode("guest-box\n"), 0);
  file.put();
  assert.equal(m.kernel.hostname, "guest-box");
  assert.equal(read(m, "/proc/sys/kernel/hostname"), "guest-box\n");
  const meminfo = open(m, "/proc/meminfo", O_WRONLY);
  assert.equal(errnoOf(() => meminfo.ops.write!(meminfo, new Uint8Array(1), 0)), EIO);
  const stat = open(m, "/proc/self/stat", O_WRONLY);
  assert.equal(errnoOf(() => stat.ops.write!(stat, new Uint8Array(1), 0)), EINVAL);
  const user = spawnUser(m, { ...rootCredentials(), uid: 7, euid: 7, suid: 7, fsuid: 7 });
  user.proc.root = m.task.proc.root;
  user.proc.cwd = m.task.proc.root;
  assert.equal(errnoOf(() => open(m, "/proc/sys/kernel/hostname", O_WRONLY, user)), EACCES);
  const dir = (path: string) => parentAt(m.task, m.kernel.vfs, AT_FDCWD, path);
  const creds = m.task.proc.creds;
  assert.equal(errnoOf(() => makeDirectory(dir("/proc/new"), 0o755, 0, creds)), ENOENT);
  assert.equal(errnoOf(() => open(m, "/proc/newfile", O_WRONLY | 0o100)), ENOENT);
  const mounts = m.kernel.vfs.mounts;
  assert.equal(errnoOf(() => removeFile(dir("/proc/meminfo"), creds, mounts)), EPERM);
});

Deno.test("a read from offset 0 regenerates; reads further on keep the snapshot", async () => {
  const m = await boot();
  const file = open(m, "/proc/self/status");
  const buf = new Uint8Array(4096);
  const first = String.fromCharCode(...buf.subarray(0, file.ops.read!(file, buf, 0) as number));
  m.task.proc.umask = 0o007;
  const tail = new Uint8Array(4096);
  const n = file.ops.read!(file, tail, 10) as number;
  assert.equal(String.fromCharCode(...tail.subarray(0, n)), first.slice(10), "same snapshot");
  const again = String.fromCharCode(...buf.subarray(0, file.ops.read!(file, buf, 0) as number));
  assert.match(again, /^Umask:\t0007$/m);
  assert.match(first, /^Umask:\t0022$/m);
  assert.equal(file.ops.read!(file, buf, 1 << 20), 0, "past the end: EOF");
  assert.equal(file.ops.stat(file).size, 0, "size 0 as on Linux");
});
