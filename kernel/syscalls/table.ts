// The single table of x86-64 Linux syscalls: every `common` and `64` row of Linux's
// arch/x86/entry/syscalls/syscall_64.tbl (0..336 and 424..471, as of Linux 7.0; the x32-only
// rows 512+ are left out), with NexaOS's support status and the argument kinds strace output
// needs. Handlers, `deno task syscalls`, docs/syscalls.md and the strace formatter all read it.

export type SyscallStatus = "implemented" | "partial" | "missing";

type ArgIndex = 0 | 1 | 2 | 3 | 4 | 5;

/**
 * How one argument is printed. Plain numbers: int/uint (32-bit), long/ulong/size (64-bit),
 * off (signed 64), hex, ptr (NULL or hex), octal. Buffers: `inbuf:N` / `outbuf:N` (length is
 * argument N, or the result for output), `outhex:N` (output shown as \x.. bytes), path (whole
 * NUL-terminated string), str (string cut at 32 bytes), outpath. Output kinds (out*) are decoded
 * only when the call succeeded. Kinds that depend on another argument (openmode, fcntlarg,
 * ioctlarg, futex*, prctlarg, archarg, mremapaddr) may print nothing.
 */
export type ArgKind =
  | "int"
  | "uint"
  | "long"
  | "ulong"
  | "size"
  | "off"
  | "hex"
  | "ptr"
  | "octal"
  | "fd"
  | "dirfd"
  | "pid"
  | "uid"
  | "gid"
  | "dev"
  | "path"
  | "str"
  | "outpath"
  | `inbuf:${ArgIndex}`
  | `outbuf:${ArgIndex}`
  | `outhex:${ArgIndex}`
  | `iovin:${ArgIndex}`
  | `iovout:${ArgIndex}`
  | "argv"
  | "envp"
  | "mode"
  | "symmode"
  | "openflags"
  | "openmode"
  | "dupflags"
  | "accessmode"
  | "atflags"
  | "accessatflags"
  | "statxflags"
  | "statxmask"
  | "prot"
  | "mapflags"
  | "mremapflags"
  | "mremapaddr"
  | "msyncflags"
  | "madvice"
  | "fadvice"
  | "flockop"
  | "whence"
  | "signum"
  | `sigset:${ArgIndex}`
  | `outsigset:${ArgIndex}`
  | "sighow"
  | "sigaction"
  | "outsigaction"
  | "sigstack"
  | "outsigstack"
  | "clockid"
  | "timerflags"
  | "timespec"
  | "outtimespec"
  | "timeval"
  | "outtimeval"
  | "itimerwhich"
  | "itimerval"
  | "outitimerval"
  | "itimerspec"
  | "outitimerspec"
  | "sigevent"
  | "siginfo"
  | "outsiginfo"
  | "outtime"
  | "rlimitres"
  | "rlimit"
  | "outrlimit"
  | "stat"
  | "statx"
  | "utsname"
  | "sysinfo"
  | "outint"
  | "outptr"
  | "outsize"
  | "outfdpair"
  | "outdirents"
  | "gids"
  | "outgids"
  | "cpuset"
  | "outcpuset"
  | "grndflags"
  | "cloneflags"
  | "unshareflags"
  | "waitstatus"
  | "waitoptions"
  | "sockdomain"
  | "socktype"
  | "sockproto"
  | "epollop"
  | "ioctlreq"
  | "ioctlarg"
  | "fcntlcmd"
  | "fcntlarg"
  | "futexop"
  | "futexval"
  | "futextimeout"
  | "futexaddr2"
  | "futexval3"
  | "prctlop"
  | "prctlarg"
  | "archcode"
  | "archarg";

/**
 * How the result is printed: int (signed decimal, the default), hex (addresses: mmap, brk),
 * octal (umask), noreturn ("= ?": exit, exit_group), time (with an ISO date comment),
 * fcntl and prctl (decorated for some commands, as strace does).
 */
export type RetKind = "int" | "hex" | "octal" | "noreturn" | "time" | "fcntl" | "prctl";

export interface SyscallRow {
  readonly nr: number;
  readonly name: string;
  readonly status: SyscallStatus;
  /** What partial support covers; for missing rows, why (e.g. Linux itself has no entry point). */
  readonly note?: string;
  readonly args: readonly ArgKind[];
  readonly ret?: RetKind;
}

type Status = { status: SyscallStatus; note?: string };
const IMPL: Status = { status: "implemented" };
const MISS: Status = { status: "missing" };
const partial = (note: string): Status => ({ status: "partial", note });
/** Rows Linux keeps in the table without an entry point: ENOSYS there too. */
const NO_ENTRY: Status = {
  status: "missing",
  note: "no entry point in Linux either (ENOSYS)",
};

function r(
  nr: number,
  name: string,
  status: Status,
  args: readonly ArgKind[],
  ret?: RetKind,
): SyscallRow {
  const row: SyscallRow = { nr, name, ...status, args };
  return ret === undefined ? row : { ...row, ret };
}

const MOUNT_NOTE = "tmpfs, proc, devtmpfs, ext2 on a block device, remount; no bind or move mounts";
const FALLOCATE_NOTE = "mode 0 only (others: EOPNOTSUPP)";
const OPEN_NOTE = "O_TMPFILE is EOPNOTSUPP";
const KILL_NOTE = "to self";
const CPU_ITIMER_NOTE = "ITIMER_VIRTUAL and ITIMER_PROF count the run time the scheduler charges";
const TIMER_CREATE_NOTE =
  "CPU-time clocks count host time since process start; alarm clocks EOPNOTSUPP (no RTC)";
const RT_NOTE = "SCHED_FIFO and SCHED_RR share the top priority class, time-sliced";
const RR_NOTE = "the 10 ms quantum for every policy but SCHED_FIFO (0)";
const FUTEX = ["ptr", "futexop", "futexval", "futextimeout", "futexaddr2", "futexval3"] as const;
const XATTR_SET = ["path", "str", "inbuf:3", "size", "hex"] as const;
const XATTR_GET = ["path", "str", "outbuf:3", "size"] as const;

export const SYSCALLS: readonly SyscallRow[] = [
  r(0, "read", IMPL, ["fd", "outbuf:2", "size"]),
  r(1, "write", IMPL, ["fd", "inbuf:2", "size"]),
  r(2, "open", partial(OPEN_NOTE), ["path", "openflags", "openmode"]),
  r(3, "close", IMPL, ["fd"]),
  r(4, "stat", IMPL, ["path", "stat"]),
  r(5, "fstat", IMPL, ["fd", "stat"]),
  r(6, "lstat", IMPL, ["path", "stat"]),
  r(7, "poll", IMPL, ["ptr", "uint", "int"]),
  r(8, "lseek", IMPL, ["fd", "off", "whence"]),
  r(9, "mmap", IMPL, ["ptr", "size", "prot", "mapflags", "fd", "hex"], "hex"),
  r(10, "mprotect", IMPL, ["ptr", "size", "prot"]),
  r(11, "munmap", IMPL, ["ptr", "size"]),
  r(12, "brk", IMPL, ["ptr"], "hex"),
  r(13, "rt_sigaction", IMPL, [
    "signum",
    "sigaction",
    "outsigaction",
    "size",
  ]),
  r(14, "rt_sigprocmask", IMPL, ["sighow", "sigset:3", "outsigset:3", "size"]),
  r(15, "rt_sigreturn", IMPL, []),
  r(16, "ioctl", partial("TCGETS, TCSETS*, TIOCGWINSZ, FIONBIO, FIONREAD"), [
    "fd",
    "ioctlreq",
    "ioctlarg",
  ]),
  r(17, "pread64", IMPL, ["fd", "outbuf:2", "size", "off"]),
  r(18, "pwrite64", IMPL, ["fd", "inbuf:2", "size", "off"]),
  r(19, "readv", IMPL, ["fd", "iovout:2", "ulong"]),
  r(20, "writev", IMPL, ["fd", "iovin:2", "ulong"]),
  r(21, "access", IMPL, ["path", "accessmode"]),
  r(22, "pipe", IMPL, ["outfdpair"]),
  r(23, "select", IMPL, ["int", "ptr", "ptr", "ptr", "timeval"]),
  r(24, "sched_yield", IMPL, []),
  r(25, "mremap", IMPL, ["ptr", "size", "size", "mremapflags", "mremapaddr"], "hex"),
  r(26, "msync", IMPL, ["ptr", "size", "msyncflags"]),
  r(27, "mincore", MISS, ["ptr", "size", "ptr"]),
  r(28, "madvise", partial("MADV_DONTNEED zeroes, others accepted"), ["ptr", "size", "madvice"]),
  r(29, "shmget", MISS, ["hex", "size", "hex"]),
  r(30, "shmat", MISS, ["int", "ptr", "hex"], "hex"),
  r(31, "shmctl", MISS, ["int", "int", "ptr"]),
  r(32, "dup", IMPL, ["fd"]),
  r(33, "dup2", IMPL, ["fd", "fd"]),
  r(34, "pause", IMPL, []),
  r(35, "nanosleep", IMPL, ["timespec", "ptr"]),
  r(36, "getitimer", partial(CPU_ITIMER_NOTE), ["itimerwhich", "outitimerval"]),
  r(37, "alarm", IMPL, ["uint"]),
  r(38, "setitimer", partial(CPU_ITIMER_NOTE), ["itimerwhich", "itimerval", "outitimerval"]),
  r(39, "getpid", IMPL, []),
  r(40, "sendfile", IMPL, ["fd", "fd", "ptr", "size"]),
  r(41, "socket", MISS, ["sockdomain", "socktype", "sockproto"]),
  r(42, "connect", MISS, ["fd", "ptr", "int"]),
  r(43, "accept", MISS, ["fd", "ptr", "ptr"]),
  r(44, "sendto", MISS, ["fd", "inbuf:2", "size", "hex", "ptr", "int"]),
  r(45, "recvfrom", MISS, ["fd", "outbuf:2", "size", "hex", "ptr", "ptr"]),
  r(46, "sendmsg", MISS, ["fd", "ptr", "hex"]),
  r(47, "recvmsg", MISS, ["fd", "ptr", "hex"]),
  r(48, "shutdown", MISS, ["fd", "int"]),
  r(49, "bind", MISS, ["fd", "ptr", "int"]),
  r(50, "listen", MISS, ["fd", "int"]),
  r(51, "getsockname", MISS, ["fd", "ptr", "ptr"]),
  r(52, "getpeername", MISS, ["fd", "ptr", "ptr"]),
  r(53, "socketpair", MISS, ["sockdomain", "socktype", "sockproto", "outfdpair"]),
  r(54, "setsockopt", MISS, ["fd", "int", "int", "ptr", "int"]),
  r(55, "getsockopt", MISS, ["fd", "int", "int", "ptr", "ptr"]),
  r(56, "clone", partial("no namespaces or pidfds"), ["cloneflags", "ptr", "ptr", "ptr", "hex"]),
  r(57, "fork", IMPL, []),
  r(58, "vfork", IMPL, []),
  r(59, "execve", IMPL, ["path", "argv", "envp"]),
  r(60, "exit", IMPL, ["int"], "noreturn"),
  r(61, "wait4", IMPL, ["pid", "waitstatus", "waitoptions", "ptr"]),
  r(62, "kill", partial(KILL_NOTE), ["pid", "signum"]),
  r(63, "uname", IMPL, ["utsname"]),
  r(64, "semget", MISS, ["hex", "int", "hex"]),
  r(65, "semop", MISS, ["int", "ptr", "uint"]),
  r(66, "semctl", MISS, ["int", "int", "int", "hex"]),
  r(67, "shmdt", MISS, ["ptr"]),
  r(68, "msgget", MISS, ["hex", "hex"]),
  r(69, "msgsnd", MISS, ["int", "ptr", "size", "hex"]),
  r(70, "msgrcv", MISS, ["int", "ptr", "size", "long", "hex"]),
  r(71, "msgctl", MISS, ["int", "int", "ptr"]),
  r(72, "fcntl", partial("no leases, F_NOTIFY or seals"), [
    "fd",
    "fcntlcmd",
    "fcntlarg",
  ], "fcntl"),
  r(73, "flock", IMPL, ["fd", "flockop"]),
  r(74, "fsync", IMPL, ["fd"]),
  r(75, "fdatasync", IMPL, ["fd"]),
  r(76, "truncate", IMPL, ["path", "off"]),
  r(77, "ftruncate", IMPL, ["fd", "off"]),
  r(78, "getdents", IMPL, ["fd", "outdirents", "uint"]),
  r(79, "getcwd", IMPL, ["outpath", "size"]),
  r(80, "chdir", IMPL, ["path"]),
  r(81, "fchdir", IMPL, ["fd"]),
  r(82, "rename", IMPL, ["path", "path"]),
  r(83, "mkdir", IMPL, ["path", "mode"]),
  r(84, "rmdir", IMPL, ["path"]),
  r(85, "creat", IMPL, ["path", "mode"]),
  r(86, "link", IMPL, ["path", "path"]),
  r(87, "unlink", IMPL, ["path"]),
  r(88, "symlink", IMPL, ["path", "path"]),
  r(89, "readlink", IMPL, ["path", "outbuf:2", "size"]),
  r(90, "chmod", IMPL, ["path", "mode"]),
  r(91, "fchmod", IMPL, ["fd", "mode"]),
  r(92, "chown", IMPL, ["path", "uid", "gid"]),
  r(93, "fchown", IMPL, ["fd", "uid", "gid"]),
  r(94, "lchown", IMPL, ["path", "uid", "gid"]),
  r(95, "umask", IMPL, ["mode"], "octal"),
  r(96, "gettimeofday", IMPL, ["outtimeval", "ptr"]),
  r(97, "getrlimit", IMPL, ["rlimitres", "outrlimit"]),
  r(98, "getrusage", IMPL, ["int", "ptr"]),
  r(99, "sysinfo", IMPL, ["sysinfo"]),
  r(100, "times", IMPL, ["ptr"]),
  r(101, "ptrace", MISS, ["long", "pid", "ptr", "ptr"]),
  r(102, "getuid", IMPL, []),
  r(103, "syslog", MISS, ["int", "ptr", "int"]),
  r(104, "getgid", IMPL, []),
  r(105, "setuid", IMPL, ["uid"]),
  r(106, "setgid", IMPL, ["gid"]),
  r(107, "geteuid", IMPL, []),
  r(108, "getegid", IMPL, []),
  r(109, "setpgid", IMPL, ["pid", "pid"]),
  r(110, "getppid", IMPL, []),
  r(111, "getpgrp", IMPL, []),
  r(112, "setsid", IMPL, []),
  r(113, "setreuid", IMPL, ["uid", "uid"]),
  r(114, "setregid", IMPL, ["gid", "gid"]),
  r(115, "getgroups", IMPL, ["int", "outgids"]),
  r(116, "setgroups", IMPL, ["int", "gids"]),
  r(117, "setresuid", IMPL, ["uid", "uid", "uid"]),
  r(118, "getresuid", IMPL, ["outint", "outint", "outint"]),
  r(119, "setresgid", IMPL, ["gid", "gid", "gid"]),
  r(120, "getresgid", IMPL, ["outint", "outint", "outint"]),
  r(121, "getpgid", IMPL, ["pid"]),
  r(122, "setfsuid", IMPL, ["uid"]),
  r(123, "setfsgid", IMPL, ["gid"]),
  r(124, "getsid", IMPL, ["pid"]),
  r(125, "capget", MISS, ["ptr", "ptr"]),
  r(126, "capset", MISS, ["ptr", "ptr"]),
  r(127, "rt_sigpending", IMPL, ["outsigset:1", "size"]),
  r(128, "rt_sigtimedwait", IMPL, ["sigset:3", "outsiginfo", "timespec", "size"]),
  r(129, "rt_sigqueueinfo", IMPL, ["pid", "signum", "siginfo"]),
  r(130, "rt_sigsuspend", IMPL, ["sigset:1", "size"]),
  r(131, "sigaltstack", IMPL, ["sigstack", "outsigstack"]),
  r(132, "utime", IMPL, ["path", "ptr"]),
  r(133, "mknod", IMPL, ["path", "symmode", "dev"]),
  r(134, "uselib", NO_ENTRY, ["path"]),
  r(135, "personality", MISS, ["hex"]),
  r(136, "ustat", MISS, ["dev", "ptr"]),
  r(137, "statfs", IMPL, ["path", "ptr"]),
  r(138, "fstatfs", IMPL, ["fd", "ptr"]),
  r(139, "sysfs", MISS, ["int", "hex", "hex"]),
  r(140, "getpriority", IMPL, ["int", "int"]),
  r(141, "setpriority", IMPL, ["int", "int", "int"]),
  r(142, "sched_setparam", partial(RT_NOTE), ["pid", "ptr"]),
  r(143, "sched_getparam", IMPL, ["pid", "ptr"]),
  r(144, "sched_setscheduler", partial(RT_NOTE), ["pid", "int", "ptr"]),
  r(145, "sched_getscheduler", IMPL, ["pid"]),
  r(146, "sched_get_priority_max", IMPL, ["int"]),
  r(147, "sched_get_priority_min", IMPL, ["int"]),
  r(148, "sched_rr_get_interval", partial(RR_NOTE), ["pid", "outtimespec"]),
  r(149, "mlock", MISS, ["ptr", "size"]),
  r(150, "munlock", MISS, ["ptr", "size"]),
  r(151, "mlockall", MISS, ["hex"]),
  r(152, "munlockall", MISS, []),
  r(153, "vhangup", MISS, []),
  r(154, "modify_ldt", MISS, ["int", "ptr", "ulong"]),
  r(155, "pivot_root", MISS, ["path", "path"]),
  r(156, "_sysctl", NO_ENTRY, ["ptr"]),
  r(157, "prctl", partial("PR_SET_NAME, PR_GET_NAME, PR_SET_DUMPABLE, PR_GET_DUMPABLE ..."), [
    "prctlop",
    "prctlarg",
    "prctlarg",
    "prctlarg",
    "prctlarg",
  ], "prctl"),
  r(158, "arch_prctl", IMPL, ["archcode", "archarg"]),
  r(159, "adjtimex", MISS, ["ptr"]),
  r(160, "setrlimit", IMPL, ["rlimitres", "rlimit"]),
  r(161, "chroot", IMPL, ["path"]),
  r(162, "sync", IMPL, []),
  r(163, "acct", MISS, ["path"]),
  r(164, "settimeofday", MISS, ["timeval", "ptr"]),
  r(165, "mount", partial(MOUNT_NOTE), ["path", "path", "str", "hex", "ptr"]),
  r(166, "umount2", IMPL, ["path", "hex"]),
  r(167, "swapon", MISS, ["path", "hex"]),
  r(168, "swapoff", MISS, ["path"]),
  r(169, "reboot", MISS, ["hex", "hex", "hex", "ptr"]),
  r(170, "sethostname", MISS, ["inbuf:1", "size"]),
  r(171, "setdomainname", MISS, ["inbuf:1", "size"]),
  r(172, "iopl", MISS, ["int"]),
  r(173, "ioperm", MISS, ["ulong", "ulong", "int"]),
  r(174, "create_module", NO_ENTRY, ["str", "size"]),
  r(175, "init_module", MISS, ["ptr", "size", "str"]),
  r(176, "delete_module", MISS, ["str", "hex"]),
  r(177, "get_kernel_syms", NO_ENTRY, ["ptr"]),
  r(178, "query_module", NO_ENTRY, ["str", "int", "ptr", "size", "ptr"]),
  r(179, "quotactl", MISS, ["hex", "path", "int", "ptr"]),
  r(180, "nfsservctl", NO_ENTRY, ["int", "ptr", "ptr"]),
  r(181, "getpmsg", NO_ENTRY, ["hex", "hex", "hex", "hex", "hex"]),
  r(182, "putpmsg", NO_ENTRY, ["hex", "hex", "hex", "hex", "hex"]),
  r(183, "afs_syscall", NO_ENTRY, ["hex", "hex", "hex", "hex", "hex"]),
  r(184, "tuxcall", NO_ENTRY, ["hex", "hex", "hex"]),
  r(185, "security", NO_ENTRY, ["hex", "hex", "hex"]),
  r(186, "gettid", IMPL, []),
  r(187, "readahead", MISS, ["fd", "off", "size"]),
  r(188, "setxattr", MISS, XATTR_SET),
  r(189, "lsetxattr", MISS, XATTR_SET),
  r(190, "fsetxattr", MISS, ["fd", "str", "inbuf:3", "size", "hex"]),
  r(191, "getxattr", MISS, XATTR_GET),
  r(192, "lgetxattr", MISS, XATTR_GET),
  r(193, "fgetxattr", MISS, ["fd", "str", "outbuf:3", "size"]),
  r(194, "listxattr", MISS, ["path", "outbuf:2", "size"]),
  r(195, "llistxattr", MISS, ["path", "outbuf:2", "size"]),
  r(196, "flistxattr", MISS, ["fd", "outbuf:2", "size"]),
  r(197, "removexattr", MISS, ["path", "str"]),
  r(198, "lremovexattr", MISS, ["path", "str"]),
  r(199, "fremovexattr", MISS, ["fd", "str"]),
  r(200, "tkill", partial(KILL_NOTE), ["pid", "signum"]),
  r(201, "time", IMPL, ["outtime"], "time"),
  r(
    202,
    "futex",
    partial("WAIT, WAKE, BITSET, REQUEUE, CMP_REQUEUE, WAKE_OP; no PI or robust-list recovery"),
    FUTEX,
  ),
  r(203, "sched_setaffinity", partial("one CPU: the mask must include CPU 0"), [
    "pid",
    "size",
    "cpuset",
  ]),
  r(204, "sched_getaffinity", IMPL, ["pid", "size", "outcpuset"]),
  r(205, "set_thread_area", NO_ENTRY, ["ptr"]),
  r(206, "io_setup", MISS, ["uint", "ptr"]),
  r(207, "io_destroy", MISS, ["hex"]),
  r(208, "io_getevents", MISS, ["hex", "long", "long", "ptr", "timespec"]),
  r(209, "io_submit", MISS, ["hex", "long", "ptr"]),
  r(210, "io_cancel", MISS, ["hex", "ptr", "ptr"]),
  r(211, "get_thread_area", NO_ENTRY, ["ptr"]),
  r(212, "lookup_dcookie", NO_ENTRY, ["hex", "ptr", "size"]),
  r(213, "epoll_create", IMPL, ["int"]),
  r(214, "epoll_ctl_old", NO_ENTRY, ["hex", "hex", "hex", "hex"]),
  r(215, "epoll_wait_old", NO_ENTRY, ["hex", "hex", "hex", "hex"]),
  r(216, "remap_file_pages", MISS, ["ptr", "size", "prot", "size", "hex"]),
  r(217, "getdents64", IMPL, ["fd", "outdirents", "uint"]),
  r(218, "set_tid_address", IMPL, ["ptr"]),
  r(219, "restart_syscall", IMPL, []),
  r(220, "semtimedop", MISS, ["int", "ptr", "uint", "timespec"]),
  r(221, "fadvise64", MISS, ["fd", "off", "size", "fadvice"]),
  r(222, "timer_create", partial(TIMER_CREATE_NOTE), ["clockid", "sigevent", "outint"]),
  r(223, "timer_settime", IMPL, ["int", "timerflags", "itimerspec", "outitimerspec"]),
  r(224, "timer_gettime", IMPL, ["int", "outitimerspec"]),
  r(225, "timer_getoverrun", IMPL, ["int"]),
  r(226, "timer_delete", IMPL, ["int"]),
  r(227, "clock_settime", MISS, ["clockid", "timespec"]),
  r(228, "clock_gettime", IMPL, ["clockid", "outtimespec"]),
  r(229, "clock_getres", IMPL, ["clockid", "outtimespec"]),
  r(230, "clock_nanosleep", IMPL, ["clockid", "timerflags", "timespec", "ptr"]),
  r(231, "exit_group", IMPL, ["int"], "noreturn"),
  r(232, "epoll_wait", IMPL, ["fd", "ptr", "int", "int"]),
  r(233, "epoll_ctl", IMPL, ["fd", "epollop", "fd", "ptr"]),
  r(234, "tgkill", partial(KILL_NOTE), ["pid", "pid", "signum"]),
  r(235, "utimes", IMPL, ["path", "ptr"]),
  r(236, "vserver", NO_ENTRY, ["hex", "hex", "hex", "hex", "hex"]),
  r(237, "mbind", MISS, ["ptr", "size", "int", "ptr", "ulong", "hex"]),
  r(238, "set_mempolicy", MISS, ["int", "ptr", "ulong"]),
  r(239, "get_mempolicy", MISS, ["ptr", "ptr", "ulong", "ptr", "hex"]),
  r(240, "mq_open", MISS, ["str", "openflags", "mode", "ptr"]),
  r(241, "mq_unlink", MISS, ["str"]),
  r(242, "mq_timedsend", MISS, ["fd", "inbuf:2", "size", "uint", "timespec"]),
  r(243, "mq_timedreceive", MISS, ["fd", "outbuf:2", "size", "ptr", "timespec"]),
  r(244, "mq_notify", MISS, ["fd", "ptr"]),
  r(245, "mq_getsetattr", MISS, ["fd", "ptr", "ptr"]),
  r(246, "kexec_load", MISS, ["hex", "ulong", "ptr", "hex"]),
  r(247, "waitid", IMPL, ["int", "int", "ptr", "waitoptions", "ptr"]),
  r(248, "add_key", MISS, ["str", "str", "inbuf:3", "size", "int"]),
  r(249, "request_key", MISS, ["str", "str", "str", "int"]),
  r(250, "keyctl", MISS, ["int", "hex", "hex", "hex", "hex"]),
  r(251, "ioprio_set", MISS, ["int", "int", "int"]),
  r(252, "ioprio_get", MISS, ["int", "int"]),
  r(253, "inotify_init", MISS, []),
  r(254, "inotify_add_watch", MISS, ["fd", "path", "hex"]),
  r(255, "inotify_rm_watch", MISS, ["fd", "int"]),
  r(256, "migrate_pages", MISS, ["pid", "ulong", "ptr", "ptr"]),
  r(257, "openat", partial(OPEN_NOTE), ["dirfd", "path", "openflags", "openmode"]),
  r(258, "mkdirat", IMPL, ["dirfd", "path", "mode"]),
  r(259, "mknodat", IMPL, ["dirfd", "path", "symmode", "dev"]),
  r(260, "fchownat", IMPL, ["dirfd", "path", "uid", "gid", "atflags"]),
  r(261, "futimesat", IMPL, ["dirfd", "path", "ptr"]),
  r(262, "newfstatat", IMPL, ["dirfd", "path", "stat", "atflags"]),
  r(263, "unlinkat", IMPL, ["dirfd", "path", "atflags"]),
  r(264, "renameat", IMPL, ["dirfd", "path", "dirfd", "path"]),
  r(265, "linkat", IMPL, ["dirfd", "path", "dirfd", "path", "atflags"]),
  r(266, "symlinkat", IMPL, ["path", "dirfd", "path"]),
  r(267, "readlinkat", IMPL, ["dirfd", "path", "outbuf:3", "size"]),
  r(268, "fchmodat", IMPL, ["dirfd", "path", "mode"]),
  r(269, "faccessat", IMPL, ["dirfd", "path", "accessmode"]),
  r(270, "pselect6", IMPL, ["int", "ptr", "ptr", "ptr", "timespec", "ptr"]),
  r(271, "ppoll", IMPL, ["ptr", "uint", "timespec", "sigset:4", "size"]),
  r(272, "unshare", MISS, ["unshareflags"]),
  r(273, "set_robust_list", IMPL, ["ptr", "size"]),
  r(274, "get_robust_list", IMPL, ["pid", "outptr", "outsize"]),
  r(275, "splice", MISS, ["fd", "ptr", "fd", "ptr", "size", "hex"]),
  r(276, "tee", MISS, ["fd", "fd", "size", "hex"]),
  r(277, "sync_file_range", MISS, ["fd", "off", "off", "hex"]),
  r(278, "vmsplice", MISS, ["fd", "ptr", "ulong", "hex"]),
  r(279, "move_pages", MISS, ["pid", "ulong", "ptr", "ptr", "ptr", "hex"]),
  r(280, "utimensat", IMPL, ["dirfd", "path", "ptr", "atflags"]),
  r(281, "epoll_pwait", IMPL, ["fd", "ptr", "int", "int", "sigset:5", "size"]),
  r(282, "signalfd", MISS, ["fd", "sigset:2", "size"]),
  r(283, "timerfd_create", MISS, ["clockid", "hex"]),
  r(284, "eventfd", IMPL, ["uint"]),
  r(285, "fallocate", partial(FALLOCATE_NOTE), ["fd", "hex", "off", "off"]),
  r(286, "timerfd_settime", MISS, ["fd", "timerflags", "ptr", "ptr"]),
  r(287, "timerfd_gettime", MISS, ["fd", "ptr"]),
  r(288, "accept4", MISS, ["fd", "ptr", "ptr", "hex"]),
  r(289, "signalfd4", MISS, ["fd", "sigset:2", "size", "hex"]),
  r(290, "eventfd2", IMPL, ["uint", "hex"]),
  r(291, "epoll_create1", IMPL, ["hex"]),
  r(292, "dup3", IMPL, ["fd", "fd", "dupflags"]),
  r(293, "pipe2", partial("O_NOTIFICATION_PIPE is EINVAL"), ["outfdpair", "dupflags"]),
  r(294, "inotify_init1", MISS, ["hex"]),
  r(295, "preadv", IMPL, ["fd", "iovout:2", "ulong", "off"]),
  r(296, "pwritev", IMPL, ["fd", "iovin:2", "ulong", "off"]),
  r(297, "rt_tgsigqueueinfo", IMPL, ["pid", "pid", "signum", "siginfo"]),
  r(298, "perf_event_open", MISS, ["ptr", "pid", "int", "fd", "hex"]),
  r(299, "recvmmsg", MISS, ["fd", "ptr", "uint", "hex", "timespec"]),
  r(300, "fanotify_init", MISS, ["hex", "hex"]),
  r(301, "fanotify_mark", MISS, ["fd", "hex", "hex", "dirfd", "path"]),
  r(302, "prlimit64", IMPL, ["pid", "rlimitres", "rlimit", "outrlimit"]),
  r(303, "name_to_handle_at", MISS, ["dirfd", "path", "ptr", "ptr", "atflags"]),
  r(304, "open_by_handle_at", MISS, ["fd", "ptr", "openflags"]),
  r(305, "clock_adjtime", MISS, ["clockid", "ptr"]),
  r(306, "syncfs", IMPL, ["fd"]),
  r(307, "sendmmsg", MISS, ["fd", "ptr", "uint", "hex"]),
  r(308, "setns", MISS, ["fd", "unshareflags"]),
  r(309, "getcpu", IMPL, ["outint", "outint", "ptr"]),
  r(310, "process_vm_readv", MISS, ["pid", "ptr", "ulong", "ptr", "ulong", "hex"]),
  r(311, "process_vm_writev", MISS, ["pid", "ptr", "ulong", "ptr", "ulong", "hex"]),
  r(312, "kcmp", MISS, ["pid", "pid", "int", "ulong", "ulong"]),
  r(313, "finit_module", MISS, ["fd", "str", "hex"]),
  r(314, "sched_setattr", MISS, ["pid", "ptr", "hex"]),
  r(315, "sched_getattr", MISS, ["pid", "ptr", "uint", "hex"]),
  r(316, "renameat2", IMPL, ["dirfd", "path", "dirfd", "path", "hex"]),
  r(317, "seccomp", MISS, ["uint", "hex", "ptr"]),
  r(318, "getrandom", IMPL, ["outhex:1", "size", "grndflags"]),
  r(319, "memfd_create", MISS, ["str", "hex"]),
  r(320, "kexec_file_load", MISS, ["fd", "fd", "ulong", "str", "hex"]),
  r(321, "bpf", MISS, ["int", "ptr", "uint"]),
  r(322, "execveat", IMPL, ["dirfd", "path", "argv", "envp", "atflags"]),
  r(323, "userfaultfd", MISS, ["hex"]),
  r(324, "membarrier", MISS, ["int", "uint", "int"]),
  r(325, "mlock2", MISS, ["ptr", "size", "hex"]),
  r(326, "copy_file_range", IMPL, ["fd", "ptr", "fd", "ptr", "size", "uint"]),
  r(327, "preadv2", MISS, ["fd", "iovout:2", "ulong", "off", "hex"]),
  r(328, "pwritev2", MISS, ["fd", "iovin:2", "ulong", "off", "hex"]),
  r(329, "pkey_mprotect", MISS, ["ptr", "size", "prot", "int"]),
  r(330, "pkey_alloc", MISS, ["hex", "hex"]),
  r(331, "pkey_free", MISS, ["int"]),
  r(332, "statx", IMPL, ["dirfd", "path", "statxflags", "statxmask", "statx"]),
  r(333, "io_pgetevents", MISS, ["hex", "long", "long", "ptr", "timespec", "ptr"]),
  r(334, "rseq", partial("returns ENOSYS like a kernel without rseq"), [
    "ptr",
    "hex",
    "hex",
    "hex",
  ]),
  r(335, "uretprobe", MISS, []),
  r(336, "uprobe", MISS, []),
  r(424, "pidfd_send_signal", MISS, ["fd", "signum", "ptr", "hex"]),
  r(425, "io_uring_setup", MISS, ["uint", "ptr"]),
  r(426, "io_uring_enter", MISS, ["fd", "uint", "uint", "hex", "ptr", "size"]),
  r(427, "io_uring_register", MISS, ["fd", "uint", "ptr", "uint"]),
  r(428, "open_tree", MISS, ["dirfd", "path", "hex"]),
  r(429, "move_mount", MISS, ["dirfd", "path", "dirfd", "path", "hex"]),
  r(430, "fsopen", MISS, ["str", "hex"]),
  r(431, "fsconfig", MISS, ["fd", "uint", "str", "ptr", "int"]),
  r(432, "fsmount", MISS, ["fd", "hex", "hex"]),
  r(433, "fspick", MISS, ["dirfd", "path", "hex"]),
  r(434, "pidfd_open", MISS, ["pid", "hex"]),
  r(435, "clone3", partial("no namespaces, pidfds, set_tid or cgroups"), ["ptr", "size"]),
  r(436, "close_range", IMPL, ["uint", "uint", "hex"]),
  r(437, "openat2", partial(OPEN_NOTE), ["dirfd", "path", "ptr", "size"]),
  r(438, "pidfd_getfd", MISS, ["fd", "fd", "hex"]),
  r(439, "faccessat2", IMPL, ["dirfd", "path", "accessmode", "accessatflags"]),
  r(440, "process_madvise", MISS, ["fd", "ptr", "size", "madvice", "hex"]),
  r(441, "epoll_pwait2", IMPL, ["fd", "ptr", "int", "timespec", "sigset:5", "size"]),
  r(442, "mount_setattr", MISS, ["dirfd", "path", "hex", "ptr", "size"]),
  r(443, "quotactl_fd", MISS, ["fd", "hex", "int", "ptr"]),
  r(444, "landlock_create_ruleset", MISS, ["ptr", "size", "hex"]),
  r(445, "landlock_add_rule", MISS, ["fd", "int", "ptr", "hex"]),
  r(446, "landlock_restrict_self", MISS, ["fd", "hex"]),
  r(447, "memfd_secret", MISS, ["hex"]),
  r(448, "process_mrelease", MISS, ["fd", "hex"]),
  r(449, "futex_waitv", MISS, ["ptr", "uint", "hex", "timespec", "clockid"]),
  r(450, "set_mempolicy_home_node", MISS, ["ptr", "size", "ulong", "hex"]),
  r(451, "cachestat", MISS, ["fd", "ptr", "ptr", "hex"]),
  r(452, "fchmodat2", IMPL, ["dirfd", "path", "mode", "atflags"]),
  r(453, "map_shadow_stack", MISS, ["ptr", "size", "hex"], "hex"),
  r(454, "futex_wake", MISS, ["ptr", "hex", "int", "hex"]),
  r(455, "futex_wait", MISS, ["ptr", "hex", "hex", "hex", "timespec", "clockid"]),
  r(456, "futex_requeue", MISS, ["ptr", "hex", "int", "int"]),
  r(457, "statmount", MISS, ["ptr", "ptr", "size", "hex"]),
  r(458, "listmount", MISS, ["ptr", "ptr", "size", "hex"]),
  r(459, "lsm_get_self_attr", MISS, ["uint", "ptr", "ptr", "hex"]),
  r(460, "lsm_set_self_attr", MISS, ["uint", "ptr", "size", "hex"]),
  r(461, "lsm_list_modules", MISS, ["ptr", "ptr", "hex"]),
  r(462, "mseal", MISS, ["ptr", "size", "hex"]),
  r(463, "setxattrat", MISS, ["dirfd", "path", "atflags", "str", "ptr", "size"]),
  r(464, "getxattrat", MISS, ["dirfd", "path", "atflags", "str", "ptr", "size"]),
  r(465, "listxattrat", MISS, ["dirfd", "path", "atflags", "outbuf:4", "size"]),
  r(466, "removexattrat", MISS, ["dirfd", "path", "atflags", "str"]),
  r(467, "open_tree_attr", MISS, ["dirfd", "path", "hex", "ptr", "size"]),
  r(468, "file_getattr", MISS, ["dirfd", "path", "ptr", "size", "atflags"]),
  r(469, "file_setattr", MISS, ["dirfd", "path", "ptr", "size", "atflags"]),
  r(470, "listns", MISS, ["ptr", "ptr", "size", "hex"]),
  r(471, "rseq_slice_yield", MISS, []),
];

const byNumber = new Map<number, SyscallRow>(SYSCALLS.map((row) => [row.nr, row]));
const byName = new Map<string, SyscallRow>(SYSCALLS.map((row) => [row.name, row]));

export function syscallByNumber(nr: number): SyscallRow | undefined {
  return byNumber.get(nr);
}

export function syscallByName(name: string): SyscallRow | undefined {
  return byName.get(name);
}

/**
 * Compares the table with the names of the syscall handlers the kernel registers: every
 * implemented or partial row needs a handler, and every handler needs a row that says so.
 * Returns one line per mismatch (empty when they agree).
 */
export function checkHandlers(handlerNames: Set<string>): string[] {
  const problems: string[] = [];
  for (const row of SYSCALLS) {
    const handled = handlerNames.has(row.name);
    if (row.status !== "missing" && !handled) {
      problems.push(`${row.name} (${row.nr}): marked ${row.status} but has no handler`);
    } else if (row.status === "missing" && handled) {
      problems.push(`${row.name} (${row.nr}): has a handler but is marked missing`);
    }
  }
  for (const name of [...handlerNames].sort()) {
    if (!byName.has(name)) problems.push(`${name}: handler for a name not in the syscall table`);
  }
  return problems;
}
