// Symbolic names for syscall constants, in the order strace lists them (the order decides how
// combined flags print), and the two printers strace uses: printFlags ("O_RDONLY|O_CLOEXEC",
// unknown bits in hex) and printXval (one name, or "0x63 /* RLIMIT_??? */").

/** [value, name] pairs; for flags, the order in which strace tries them. */
export type Xlat = readonly (readonly [number, string])[];

/** strace's "%#x": "0" for zero, else 0x-prefixed lower-case hex. */
export function hex(value: number | bigint): string {
  return value === 0 || value === 0n ? "0" : "0x" + value.toString(16);
}

/** One value by name; an unknown value prints as hex with a comment naming the family. */
export function printXval(value: number, xlat: Xlat, unknown: string): string {
  for (const [v, name] of xlat) if (v === value) return name;
  return `${hex(value)} /* ${unknown} */`;
}

export function lookupXval(value: number, xlat: Xlat): string | undefined {
  for (const [v, name] of xlat) if (v === value) return name;
  return undefined;
}

/**
 * Flags as strace prints them: each known flag whose bits are all set, in table order, then any
 * leftover bits in hex. Zero prints as the table's zero-valued name, "0", or "" when `unknown`
 * is null (strace's termios fields). Values may exceed 32 bits.
 */
export function printFlags(value: number | bigint, xlat: Xlat, unknown: string | null): string {
  // A negative number is a C int whose sign bit is a flag like any other.
  let rest = typeof value === "number" && value < 0 ? BigInt(value >>> 0) : BigInt(value);
  if (rest === 0n) {
    for (const [v, name] of xlat) if (v === 0) return name;
    return unknown === null ? "" : "0";
  }
  const parts: string[] = [];
  for (const [v, name] of xlat) {
    const bits = BigInt(v);
    if (bits !== 0n && (rest & bits) === bits) {
      parts.push(name);
      rest &= ~bits;
    }
  }
  if (parts.length === 0) return hex(rest) + (unknown === null ? "" : ` /* ${unknown} */`);
  if (rest !== 0n) parts.push(hex(rest));
  return parts.join("|");
}

const names = (first: number, list: string): Xlat =>
  list.split(" ").map((name, i) => [first + i, name] as const).filter(([, n]) => n !== "-");

// ---- signals ------------------------------------------------------------------------------

/** x86-64 signal names 1..31; 32 is SIGRTMIN, 33..64 print as SIGRT_n. */
export const SIGNAL_NAMES: readonly string[] = [
  "SIG_0",
  ..."HUP INT QUIT ILL TRAP ABRT BUS FPE KILL USR1 SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM PROF WINCH IO PWR SYS RTMIN"
    .split(" ").map((s) => "SIG" + s),
];
export const SIGRTMIN = 32;
export const SIGRTMAX = 64;

/** "SIGINT", "SIGRTMIN", "SIGRT_2", or the number itself when it names no signal. */
export function signalName(signo: number): string {
  if (signo > 0 && signo < SIGNAL_NAMES.length) return SIGNAL_NAMES[signo];
  if (signo > SIGRTMIN && signo <= SIGRTMAX) return `SIGRT_${signo - SIGRTMIN}`;
  return String(signo);
}

export const SIGPROCMASK_HOW: Xlat = [[0, "SIG_BLOCK"], [1, "SIG_UNBLOCK"], [2, "SIG_SETMASK"]];
export const SA_FLAGS: Xlat = [
  [0x04000000, "SA_RESTORER"],
  [0x08000000, "SA_ONSTACK"],
  [0x10000000, "SA_RESTART"],
  [0x20000000, "SA_INTERRUPT"],
  [0x40000000, "SA_NODEFER"],
  [0x80000000, "SA_RESETHAND"],
  [0x4, "SA_SIGINFO"],
  [0x1, "SA_NOCLDSTOP"],
  [0x2, "SA_NOCLDWAIT"],
];
export const SA_RESTORER = 0x04000000;
export const SS_FLAGS: Xlat = [[1, "SS_ONSTACK"], [2, "SS_DISABLE"], [0x80000000, "SS_AUTODISARM"]];

// ---- files --------------------------------------------------------------------------------

export const O_ACCMODE_NAMES: readonly string[] = ["O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"];
export const O_CREAT = 0o100;
/** O_TMPFILE without its O_DIRECTORY bit: with O_CREAT, what makes open take a mode. */
export const O__TMPFILE = 0o20000000;
export const OPEN_FLAGS: Xlat = [
  [0o100, "O_CREAT"],
  [0o200, "O_EXCL"],
  [0o400, "O_NOCTTY"],
  [0o1000, "O_TRUNC"],
  [0o2000, "O_APPEND"],
  [0o4000, "O_NONBLOCK"],
  [0o4010000, "O_SYNC"],
  [0o10000, "O_DSYNC"],
  [0o40000, "O_DIRECT"],
  [0o100000, "O_LARGEFILE"],
  [0o400000, "O_NOFOLLOW"],
  [0o1000000, "O_NOATIME"],
  [0o2000000, "O_CLOEXEC"],
  [0o10000000, "O_PATH"],
  [0o20200000, "O_TMPFILE"],
  [0o200000, "O_DIRECTORY"],
  [0o20000, "FASYNC"],
];

/** Open flags with the access mode first: "O_RDONLY|O_CLOEXEC", "O_ACCMODE|O_CREAT|0x...". */
export function printOpenFlags(flags: number): string {
  const rest = printFlags((flags & ~3) >>> 0, OPEN_FLAGS, null);
  const mode = O_ACCMODE_NAMES[flags & 3];
  return rest === "" ? mode : `${mode}|${rest}`;
}

export const FD_FLAGS: Xlat = [[1, "FD_CLOEXEC"]];
export const ACCESS_MODES: Xlat = [[4, "R_OK"], [2, "W_OK"], [1, "X_OK"]];
export const AT_FDCWD = -100;
export const AT_FLAGS: Xlat = [
  [0x100, "AT_SYMLINK_NOFOLLOW"],
  [0x200, "AT_REMOVEDIR"],
  [0x400, "AT_SYMLINK_FOLLOW"],
  [0x800, "AT_NO_AUTOMOUNT"],
  [0x1000, "AT_EMPTY_PATH"],
  [0x8000, "AT_RECURSIVE"],
];
export const ACCESSAT_FLAGS: Xlat = [
  [0x100, "AT_SYMLINK_NOFOLLOW"],
  [0x200, "AT_EACCESS"],
  [0x1000, "AT_EMPTY_PATH"],
];
export const STATX_SYNC_TYPES: Xlat = [
  [0, "AT_STATX_SYNC_AS_STAT"],
  [0x2000, "AT_STATX_FORCE_SYNC"],
  [0x4000, "AT_STATX_DONT_SYNC"],
];
export const STATX_MASK: Xlat = [
  [0xfff, "STATX_ALL"],
  [0x7ff, "STATX_BASIC_STATS"],
  ...names(0, "STATX_TYPE STATX_MODE STATX_NLINK STATX_UID STATX_GID STATX_ATIME STATX_MTIME")
    .map(([i, n]) => [1 << i, n] as const),
  [0x80, "STATX_CTIME"],
  [0x100, "STATX_INO"],
  [0x200, "STATX_SIZE"],
  [0x400, "STATX_BLOCKS"],
  [0x800, "STATX_BTIME"],
  [0x1000, "STATX_MNT_ID"],
  [0x2000, "STATX_DIOALIGN"],
  [0x4000, "STATX_MNT_ID_UNIQUE"],
  [0x8000, "STATX_SUBVOL"],
  [0x10000, "STATX_WRITE_ATOMIC"],
  [0x20000, "STATX_DIO_READ_ALIGN"],
];
export const STATX_ATTRIBUTES: Xlat = [
  [0x4, "STATX_ATTR_COMPRESSED"],
  [0x10, "STATX_ATTR_IMMUTABLE"],
  [0x20, "STATX_ATTR_APPEND"],
  [0x40, "STATX_ATTR_NODUMP"],
  [0x800, "STATX_ATTR_ENCRYPTED"],
  [0x1000, "STATX_ATTR_AUTOMOUNT"],
  [0x2000, "STATX_ATTR_MOUNT_ROOT"],
  [0x100000, "STATX_ATTR_VERITY"],
  [0x200000, "STATX_ATTR_DAX"],
  [0x400000, "STATX_ATTR_WRITE_ATOMIC"],
];
export const FILE_TYPES: Xlat = [
  [0o140000, "S_IFSOCK"],
  [0o120000, "S_IFLNK"],
  [0o100000, "S_IFREG"],
  [0o60000, "S_IFBLK"],
  [0o40000, "S_IFDIR"],
  [0o20000, "S_IFCHR"],
  [0o10000, "S_IFIFO"],
];
export const S_IFMT = 0o170000;
export const S_IFCHR = 0o20000;
export const S_IFBLK = 0o60000;
export const WHENCE: Xlat = names(0, "SEEK_SET SEEK_CUR SEEK_END SEEK_DATA SEEK_HOLE");
export const FLOCK_OPS: Xlat = [[1, "LOCK_SH"], [2, "LOCK_EX"], [4, "LOCK_NB"], [8, "LOCK_UN"]];
export const FADVICE: Xlat = names(
  0,
  "POSIX_FADV_NORMAL POSIX_FADV_RANDOM POSIX_FADV_SEQUENTIAL POSIX_FADV_WILLNEED POSIX_FADV_DONTNEED POSIX_FADV_NOREUSE",
);

// ---- memory -------------------------------------------------------------------------------

export const PROT_FLAGS: Xlat = [
  [0, "PROT_NONE"],
  [1, "PROT_READ"],
  [2, "PROT_WRITE"],
  [4, "PROT_EXEC"],
  [8, "PROT_SEM"],
  [0x01000000, "PROT_GROWSDOWN"],
  [0x02000000, "PROT_GROWSUP"],
];
export const MAP_TYPES: Xlat = [
  [0, "MAP_FILE"],
  [1, "MAP_SHARED"],
  [2, "MAP_PRIVATE"],
  [3, "MAP_SHARED_VALIDATE"],
];
export const MAP_FLAGS: Xlat = [
  [0x10, "MAP_FIXED"],
  [0x20, "MAP_ANONYMOUS"],
  [0x40, "MAP_32BIT"],
  [0x4000, "MAP_NORESERVE"],
  [0x8000, "MAP_POPULATE"],
  [0x10000, "MAP_NONBLOCK"],
  [0x100, "MAP_GROWSDOWN"],
  [0x800, "MAP_DENYWRITE"],
  [0x1000, "MAP_EXECUTABLE"],
  [0x2000, "MAP_LOCKED"],
  [0x20000, "MAP_STACK"],
  [0x40000, "MAP_HUGETLB"],
  [0x80000, "MAP_SYNC"],
  [0x100000, "MAP_FIXED_NOREPLACE"],
];

/** mmap flags: the mapping type, the flags, then the huge-page size field as strace shows it. */
export function printMapFlags(flags: number): string {
  const type = printXval(flags & 0xf, MAP_TYPES, "MAP_???");
  const hugeShift = 26;
  const huge = Math.floor(flags / 2 ** hugeShift) & 0x3f;
  const rest = printFlags((flags & ~0xf & ~(0x3f << hugeShift)) >>> 0, MAP_FLAGS, null);
  let out = type;
  if (rest !== "") out += "|" + rest;
  if (huge !== 0) out += `|${huge}<<MAP_HUGE_SHIFT`;
  return out;
}

export const MREMAP_FLAGS: Xlat = [
  [1, "MREMAP_MAYMOVE"],
  [2, "MREMAP_FIXED"],
  [4, "MREMAP_DONTUNMAP"],
];
export const MREMAP_FIXED = 2;
export const MSYNC_FLAGS: Xlat = [[1, "MS_ASYNC"], [4, "MS_SYNC"], [2, "MS_INVALIDATE"]];
export const MADVICE: Xlat = [
  ...names(0, "MADV_NORMAL MADV_RANDOM MADV_SEQUENTIAL MADV_WILLNEED MADV_DONTNEED"),
  ...names(
    8,
    "MADV_FREE MADV_REMOVE MADV_DONTFORK MADV_DOFORK MADV_MERGEABLE MADV_UNMERGEABLE MADV_HUGEPAGE MADV_NOHUGEPAGE MADV_DONTDUMP MADV_DODUMP MADV_WIPEONFORK MADV_KEEPONFORK MADV_COLD MADV_PAGEOUT MADV_POPULATE_READ MADV_POPULATE_WRITE MADV_DONTNEED_LOCKED MADV_COLLAPSE",
  ),
  ...names(100, "MADV_HWPOISON MADV_SOFT_OFFLINE MADV_GUARD_INSTALL MADV_GUARD_REMOVE"),
];

// ---- time, limits, identity ---------------------------------------------------------------

export const CLOCK_IDS: Xlat = names(
  0,
  "CLOCK_REALTIME CLOCK_MONOTONIC CLOCK_PROCESS_CPUTIME_ID CLOCK_THREAD_CPUTIME_ID CLOCK_MONOTONIC_RAW CLOCK_REALTIME_COARSE CLOCK_MONOTONIC_COARSE CLOCK_BOOTTIME CLOCK_REALTIME_ALARM CLOCK_BOOTTIME_ALARM CLOCK_SGI_CYCLE CLOCK_TAI",
);
export const TIMER_FLAGS: Xlat = [[1, "TIMER_ABSTIME"]];
export const RLIMIT_RESOURCES: Xlat = names(
  0,
  "RLIMIT_CPU RLIMIT_FSIZE RLIMIT_DATA RLIMIT_STACK RLIMIT_CORE RLIMIT_RSS RLIMIT_NPROC RLIMIT_NOFILE RLIMIT_MEMLOCK RLIMIT_AS RLIMIT_LOCKS RLIMIT_SIGPENDING RLIMIT_MSGQUEUE RLIMIT_NICE RLIMIT_RTPRIO RLIMIT_RTTIME",
);
export const GRND_FLAGS: Xlat = [[1, "GRND_NONBLOCK"], [2, "GRND_RANDOM"], [4, "GRND_INSECURE"]];

// ---- processes ----------------------------------------------------------------------------

export const CLONE_FLAGS: Xlat = [
  [0x100, "CLONE_VM"],
  [0x200, "CLONE_FS"],
  [0x400, "CLONE_FILES"],
  [0x800, "CLONE_SIGHAND"],
  [0x1000, "CLONE_PIDFD"],
  [0x2000, "CLONE_PTRACE"],
  [0x4000, "CLONE_VFORK"],
  [0x8000, "CLONE_PARENT"],
  [0x10000, "CLONE_THREAD"],
  [0x20000, "CLONE_NEWNS"],
  [0x40000, "CLONE_SYSVSEM"],
  [0x80000, "CLONE_SETTLS"],
  [0x100000, "CLONE_PARENT_SETTID"],
  [0x200000, "CLONE_CHILD_CLEARTID"],
  [0x800000, "CLONE_UNTRACED"],
  [0x1000000, "CLONE_CHILD_SETTID"],
  [0x2000000, "CLONE_NEWCGROUP"],
  [0x4000000, "CLONE_NEWUTS"],
  [0x8000000, "CLONE_NEWIPC"],
  [0x10000000, "CLONE_NEWUSER"],
  [0x20000000, "CLONE_NEWPID"],
  [0x40000000, "CLONE_NEWNET"],
  [0x80000000, "CLONE_IO"],
];
export const CLONE_SETTLS = 0x80000;
export const CLONE_PARENT_SETTID = 0x100000;
export const CLONE_CHILD_TID = 0x200000 | 0x1000000;
export const UNSHARE_FLAGS: Xlat = [
  [0x80, "CLONE_NEWTIME"],
  [0x100, "CLONE_VM"],
  [0x200, "CLONE_FS"],
  [0x400, "CLONE_FILES"],
  [0x800, "CLONE_SIGHAND"],
  [0x10000, "CLONE_THREAD"],
  [0x20000, "CLONE_NEWNS"],
  [0x40000, "CLONE_SYSVSEM"],
  [0x2000000, "CLONE_NEWCGROUP"],
  [0x4000000, "CLONE_NEWUTS"],
  [0x8000000, "CLONE_NEWIPC"],
  [0x10000000, "CLONE_NEWUSER"],
  [0x20000000, "CLONE_NEWPID"],
  [0x40000000, "CLONE_NEWNET"],
];
export const WAIT_OPTIONS: Xlat = [
  [1, "WNOHANG"],
  [2, "WSTOPPED"],
  [4, "WEXITED"],
  [8, "WCONTINUED"],
  [0x1000000, "WNOWAIT"],
  [0x20000000, "__WNOTHREAD"],
  [0x40000000, "__WALL"],
  [0x80000000, "__WCLONE"],
];
export const CAPABILITIES: Xlat = names(
  0,
  "CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_LINUX_IMMUTABLE CAP_NET_BIND_SERVICE CAP_NET_BROADCAST CAP_NET_ADMIN CAP_NET_RAW CAP_IPC_LOCK CAP_IPC_OWNER CAP_SYS_MODULE CAP_SYS_RAWIO CAP_SYS_CHROOT CAP_SYS_PTRACE CAP_SYS_PACCT CAP_SYS_ADMIN CAP_SYS_BOOT CAP_SYS_NICE CAP_SYS_RESOURCE CAP_SYS_TIME CAP_SYS_TTY_CONFIG CAP_MKNOD CAP_LEASE CAP_AUDIT_WRITE CAP_AUDIT_CONTROL CAP_SETFCAP CAP_MAC_OVERRIDE CAP_MAC_ADMIN CAP_SYSLOG CAP_WAKE_ALARM CAP_BLOCK_SUSPEND CAP_AUDIT_READ CAP_PERFMON CAP_BPF CAP_CHECKPOINT_RESTORE",
);

// ---- sockets, epoll -----------------------------------------------------------------------

export const SOCKET_DOMAINS: Xlat = [
  ...names(0, "AF_UNSPEC AF_UNIX AF_INET AF_AX25 AF_IPX AF_APPLETALK AF_NETROM AF_BRIDGE"),
  ...names(8, "AF_ATMPVC AF_X25 AF_INET6 AF_ROSE AF_DECnet AF_NETBEUI AF_SECURITY AF_KEY"),
  ...names(16, "AF_NETLINK AF_PACKET AF_ASH AF_ECONET AF_ATMSVC AF_RDS AF_SNA AF_IRDA"),
  ...names(24, "AF_PPPOX AF_WANPIPE AF_LLC AF_IB AF_MPLS AF_CAN AF_TIPC AF_BLUETOOTH"),
  ...names(32, "AF_IUCV AF_RXRPC AF_ISDN AF_PHONET AF_IEEE802154 AF_CAIF AF_ALG AF_NFC"),
  ...names(40, "AF_VSOCK AF_KCM AF_QIPCRTR AF_SMC AF_XDP AF_MCTP"),
];
export const SOCKET_TYPES: Xlat = [
  ...names(1, "SOCK_STREAM SOCK_DGRAM SOCK_RAW SOCK_RDM SOCK_SEQPACKET SOCK_DCCP"),
  [10, "SOCK_PACKET"],
];
export const SOCKET_TYPE_FLAGS: Xlat = [[0o2000000, "SOCK_CLOEXEC"], [0o4000, "SOCK_NONBLOCK"]];
export const INET_PROTOCOLS: Xlat = [
  [0, "IPPROTO_IP"],
  [1, "IPPROTO_ICMP"],
  [6, "IPPROTO_TCP"],
  [17, "IPPROTO_UDP"],
  [58, "IPPROTO_ICMPV6"],
  [132, "IPPROTO_SCTP"],
  [255, "IPPROTO_RAW"],
];
export const EPOLL_OPS: Xlat = [[1, "EPOLL_CTL_ADD"], [2, "EPOLL_CTL_DEL"], [3, "EPOLL_CTL_MOD"]];

// ---- fcntl, futex, arch_prctl, prctl ------------------------------------------------------

export const FCNTL_CMDS: Xlat = [
  ...names(0, "F_DUPFD F_GETFD F_SETFD F_GETFL F_SETFL F_GETLK F_SETLK F_SETLKW F_SETOWN"),
  ...names(9, "F_GETOWN F_SETSIG F_GETSIG - - - F_SETOWN_EX F_GETOWN_EX F_GETOWNER_UIDS"),
  ...names(36, "F_OFD_GETLK F_OFD_SETLK F_OFD_SETLKW"),
  ...names(1024, "F_SETLEASE F_GETLEASE F_NOTIFY F_DUPFD_QUERY F_CREATED_QUERY F_CANCELLK"),
  ...names(1030, "F_DUPFD_CLOEXEC F_SETPIPE_SZ F_GETPIPE_SZ F_ADD_SEALS F_GET_SEALS"),
  ...names(1035, "F_GET_RW_HINT F_SET_RW_HINT F_GET_FILE_RW_HINT F_SET_FILE_RW_HINT"),
];
export const LOCK_TYPES: Xlat = names(0, "F_RDLCK F_WRLCK F_UNLCK");
export const SEALS: Xlat = [
  [1, "F_SEAL_SEAL"],
  [2, "F_SEAL_SHRINK"],
  [4, "F_SEAL_GROW"],
  [8, "F_SEAL_WRITE"],
  [0x10, "F_SEAL_FUTURE_WRITE"],
  [0x20, "F_SEAL_EXEC"],
];

export const FUTEX_COMMANDS: readonly string[] = [
  "FUTEX_WAIT",
  "FUTEX_WAKE",
  "FUTEX_FD",
  "FUTEX_REQUEUE",
  "FUTEX_CMP_REQUEUE",
  "FUTEX_WAKE_OP",
  "FUTEX_LOCK_PI",
  "FUTEX_UNLOCK_PI",
  "FUTEX_TRYLOCK_PI",
  "FUTEX_WAIT_BITSET",
  "FUTEX_WAKE_BITSET",
  "FUTEX_WAIT_REQUEUE_PI",
  "FUTEX_CMP_REQUEUE_PI",
  "FUTEX_LOCK_PI2",
];
export const FUTEX_PRIVATE_FLAG = 128;
export const FUTEX_CLOCK_REALTIME = 256;
/** Commands strace names together with FUTEX_CLOCK_REALTIME (the kernel accepts it only there). */
export const FUTEX_CLOCK_COMMANDS = new Set([0, 9, 11, 13]);
export const FUTEX_WAKE_OPS: Xlat = names(
  0,
  "FUTEX_OP_SET FUTEX_OP_ADD FUTEX_OP_OR FUTEX_OP_ANDN FUTEX_OP_XOR",
);
export const FUTEX_WAKE_CMPS: Xlat = names(
  0,
  "FUTEX_OP_CMP_EQ FUTEX_OP_CMP_NE FUTEX_OP_CMP_LT FUTEX_OP_CMP_LE FUTEX_OP_CMP_GT FUTEX_OP_CMP_GE",
);

export const ARCH_CODES: Xlat = [
  ...names(0x1001, "ARCH_SET_GS ARCH_SET_FS ARCH_GET_FS ARCH_GET_GS"),
  [0x1011, "ARCH_GET_CPUID"],
  [0x1012, "ARCH_SET_CPUID"],
  ...names(0x1021, "ARCH_GET_XCOMP_SUPP ARCH_GET_XCOMP_PERM ARCH_REQ_XCOMP_PERM"),
  ...names(0x1024, "ARCH_GET_XCOMP_GUEST_PERM ARCH_REQ_XCOMP_GUEST_PERM"),
  ...names(0x2001, "ARCH_MAP_VDSO_X32 ARCH_MAP_VDSO_32 ARCH_MAP_VDSO_64"),
  ...names(0x4001, "ARCH_GET_UNTAG_MASK ARCH_ENABLE_TAGGED_ADDR ARCH_GET_MAX_TAG_BITS"),
  [0x4004, "ARCH_FORCE_TAGGED_SVA"],
  ...names(0x5001, "ARCH_SHSTK_ENABLE ARCH_SHSTK_DISABLE ARCH_SHSTK_LOCK ARCH_SHSTK_UNLOCK"),
  [0x5005, "ARCH_SHSTK_STATUS"],
];

export const PRCTL_OPTIONS: Xlat = [
  ...names(
    1,
    "PR_SET_PDEATHSIG PR_GET_PDEATHSIG PR_GET_DUMPABLE PR_SET_DUMPABLE PR_GET_UNALIGN PR_SET_UNALIGN PR_GET_KEEPCAPS PR_SET_KEEPCAPS PR_GET_FPEMU PR_SET_FPEMU PR_GET_FPEXC PR_SET_FPEXC PR_GET_TIMING PR_SET_TIMING PR_SET_NAME PR_GET_NAME - - PR_GET_ENDIAN PR_SET_ENDIAN PR_GET_SECCOMP PR_SET_SECCOMP PR_CAPBSET_READ PR_CAPBSET_DROP PR_GET_TSC PR_SET_TSC PR_GET_SECUREBITS PR_SET_SECUREBITS PR_SET_TIMERSLACK PR_GET_TIMERSLACK PR_TASK_PERF_EVENTS_DISABLE PR_TASK_PERF_EVENTS_ENABLE PR_MCE_KILL PR_MCE_KILL_GET PR_SET_MM PR_SET_CHILD_SUBREAPER PR_GET_CHILD_SUBREAPER PR_SET_NO_NEW_PRIVS PR_GET_NO_NEW_PRIVS PR_GET_TID_ADDRESS PR_SET_THP_DISABLE PR_GET_THP_DISABLE PR_MPX_ENABLE_MANAGEMENT PR_MPX_DISABLE_MANAGEMENT PR_SET_FP_MODE PR_GET_FP_MODE PR_CAP_AMBIENT - - PR_SVE_SET_VL PR_SVE_GET_VL PR_GET_SPECULATION_CTRL PR_SET_SPECULATION_CTRL PR_PAC_RESET_KEYS PR_SET_TAGGED_ADDR_CTRL PR_GET_TAGGED_ADDR_CTRL PR_SET_IO_FLUSHER PR_GET_IO_FLUSHER PR_SET_SYSCALL_USER_DISPATCH PR_PAC_SET_ENABLED_KEYS PR_PAC_GET_ENABLED_KEYS PR_SCHED_CORE PR_SME_SET_VL PR_SME_GET_VL PR_SET_MDWE PR_GET_MDWE PR_SET_MEMORY_MERGE PR_GET_MEMORY_MERGE PR_RISCV_V_SET_CONTROL PR_RISCV_V_GET_CONTROL PR_RISCV_SET_ICACHE_FLUSH_CTX PR_PPC_GET_DEXCR PR_PPC_SET_DEXCR PR_GET_SHADOW_STACK_STATUS PR_SET_SHADOW_STACK_STATUS PR_LOCK_SHADOW_STACK_STATUS PR_TIMER_CREATE_RESTORE_IDS PR_FUTEX_HASH PR_RSEQ_SLICE_EXTENSION PR_GET_CFI PR_SET_CFI",
  ),
  [0x41555856, "PR_GET_AUXV"],
  [0x53564d41, "PR_SET_VMA"],
  [0x59616d61, "PR_SET_PTRACER"],
];
export const DUMPABLE: Xlat = names(0, "SUID_DUMP_DISABLE SUID_DUMP_USER SUID_DUMP_ROOT");

// ---- ioctl --------------------------------------------------------------------------------

export const IOCTL_NAMES: Xlat = [
  [0x5401, "TCGETS"],
  [0x5402, "SNDCTL_TMR_START or TCSETS"],
  [0x5403, "SNDCTL_TMR_STOP or TCSETSW"],
  [0x5404, "SNDCTL_TMR_CONTINUE or TCSETSF"],
  ...names(
    0x5405,
    "TCGETA TCSETA TCSETAW TCSETAF TCSBRK TCXONC TCFLSH TIOCEXCL TIOCNXCL TIOCSCTTY TIOCGPGRP TIOCSPGRP TIOCOUTQ TIOCSTI TIOCGWINSZ TIOCSWINSZ TIOCMGET TIOCMBIS TIOCMBIC TIOCMSET TIOCGSOFTCAR TIOCSSOFTCAR FIONREAD TIOCLINUX TIOCCONS TIOCGSERIAL TIOCSSERIAL TIOCPKT FIONBIO TIOCNOTTY TIOCSETD TIOCGETD TCSBRKP - TIOCSBRK TIOCCBRK TIOCGSID",
  ),
  [0x802c542a, "TCGETS2"],
  [0x402c542b, "TCSETS2"],
  [0x402c542c, "TCSETSW2"],
  [0x402c542d, "TCSETSF2"],
  [0x80045430, "TIOCGPTN"],
  [0x40045431, "TIOCSPTLCK"],
  [0x80045432, "TIOCGDEV"],
  [0x5441, "TIOCGPTPEER"],
  [0x5450, "FIONCLEX"],
  [0x5451, "FIOCLEX"],
  [0x5452, "FIOASYNC"],
  [0x5460, "FIOQSIZE"],
];
export const TCXONC_ACTIONS: Xlat = names(0, "TCOOFF TCOON TCIOFF TCION");
export const TCFLSH_QUEUES: Xlat = names(0, "TCIFLUSH TCOFLUSH TCIOFLUSH");

/** An ioctl request strace has no name for: _IOC(dir, type, nr, size). */
export function printIoctlRaw(request: number): string {
  const dirs = ["_IOC_NONE", "_IOC_WRITE", "_IOC_READ", "_IOC_READ|_IOC_WRITE"];
  const dir = dirs[Math.floor(request / 2 ** 30) & 3];
  const size = Math.floor(request / 2 ** 16) & 0x3fff;
  return `_IOC(${dir}, ${hex((request >>> 8) & 0xff)}, ${hex(request & 0xff)}, ${hex(size)})`;
}

// ---- termios ------------------------------------------------------------------------------

const octalFlags = (list: string): Xlat => names(0, list).map(([i, n]) => [2 ** i, n] as const);

export const TERMIOS_IFLAGS: Xlat = octalFlags(
  "IGNBRK BRKINT IGNPAR PARMRK INPCK ISTRIP INLCR IGNCR ICRNL IUCLC IXON IXANY IXOFF IMAXBEL IUTF8",
);
export const TERMIOS_OFLAGS: Xlat = octalFlags("OPOST OLCUC ONLCR OCRNL ONOCR ONLRET OFILL OFDEL");
/** The delay fields of c_oflag, each printed as its value's name before the flags. */
export const TERMIOS_ODELAYS: readonly (readonly [number, Xlat, string])[] = [
  [0o400, [[0, "NL0"], [0o400, "NL1"]], "NL?"],
  [0o3000, [[0, "CR0"], [0o1000, "CR1"], [0o2000, "CR2"], [0o3000, "CR3"]], "CR?"],
  [0o14000, [[0, "TAB0"], [0o4000, "TAB1"], [0o10000, "TAB2"], [0o14000, "XTABS"]], "TAB?"],
  [0o20000, [[0, "BS0"], [0o20000, "BS1"]], "BS?"],
  [0o40000, [[0, "VT0"], [0o40000, "VT1"]], "VT?"],
  [0o100000, [[0, "FF0"], [0o100000, "FF1"]], "FF?"],
];
export const TERMIOS_CFLAGS: Xlat = [
  [0o100, "CSTOPB"],
  [0o200, "CREAD"],
  [0o400, "PARENB"],
  [0o1000, "PARODD"],
  [0o2000, "HUPCL"],
  [0o4000, "CLOCAL"],
  [0o10000000000, "CMSPAR"],
  [0o20000000000, "CRTSCTS"],
];
export const TERMIOS_CSIZE: Xlat = [[0, "CS5"], [0o20, "CS6"], [0o40, "CS7"], [0o60, "CS8"]];
export const TERMIOS_LFLAGS: Xlat = [
  ...octalFlags("ISIG ICANON XCASE ECHO ECHOE ECHOK ECHONL NOFLSH"),
  [0o100000, "IEXTEN"],
  [0o1000, "ECHOCTL"],
  [0o2000, "ECHOPRT"],
  [0o4000, "ECHOKE"],
  [0o10000, "FLUSHO"],
  [0o40000, "PENDIN"],
  [0o400, "TOSTOP"],
  [0o200000, "EXTPROC"],
];
export const BAUD_RATES: Xlat = [
  ...names(
    0,
    "B0 B50 B75 B110 B134 B150 B200 B300 B600 B1200 B1800 B2400 B4800 B9600 B19200 B38400",
  ),
  [0o10000, "BOTHER"],
  ...names(
    0o10001,
    "B57600 B115200 B230400 B460800 B500000 B576000 B921600 B1000000 B1152000 B1500000 B2000000 B2500000 B3000000 B3500000 B4000000",
  ),
];
