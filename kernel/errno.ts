// Linux errno values (x86-64 uses the asm-generic numbering, EPERM 1 ... EHWPOISON 133) and
// their names and glibc strerror() texts, as strace prints them: "-1 ENOENT (No such file or
// directory)". Kernel handlers return -errno; these constants are the single source for them.

export const EPERM = 1;
export const ENOENT = 2;
export const ESRCH = 3;
export const EINTR = 4;
export const EIO = 5;
export const ENXIO = 6;
export const E2BIG = 7;
export const ENOEXEC = 8;
export const EBADF = 9;
export const ECHILD = 10;
export const EAGAIN = 11;
export const ENOMEM = 12;
export const EACCES = 13;
export const EFAULT = 14;
export const ENOTBLK = 15;
export const EBUSY = 16;
export const EEXIST = 17;
export const EXDEV = 18;
export const ENODEV = 19;
export const ENOTDIR = 20;
export const EISDIR = 21;
export const EINVAL = 22;
export const ENFILE = 23;
export const EMFILE = 24;
export const ENOTTY = 25;
export const ETXTBSY = 26;
export const EFBIG = 27;
export const ENOSPC = 28;
export const ESPIPE = 29;
export const EROFS = 30;
export const EMLINK = 31;
export const EPIPE = 32;
export const EDOM = 33;
export const ERANGE = 34;
export const EDEADLK = 35;
export const ENAMETOOLONG = 36;
export const ENOLCK = 37;
export const ENOSYS = 38;
export const ENOTEMPTY = 39;
export const ELOOP = 40;
export const ENOMSG = 42;
export const EIDRM = 43;
export const ECHRNG = 44;
export const EL2NSYNC = 45;
export const EL3HLT = 46;
export const EL3RST = 47;
export const ELNRNG = 48;
export const EUNATCH = 49;
export const ENOCSI = 50;
export const EL2HLT = 51;
export const EBADE = 52;
export const EBADR = 53;
export const EXFULL = 54;
export const ENOANO = 55;
export const EBADRQC = 56;
export const EBADSLT = 57;
export const EBFONT = 59;
export const ENOSTR = 60;
export const ENODATA = 61;
export const ETIME = 62;
export const ENOSR = 63;
export const ENONET = 64;
export const ENOPKG = 65;
export const EREMOTE = 66;
export const ENOLINK = 67;
export const EADV = 68;
export const ESRMNT = 69;
export const ECOMM = 70;
export const EPROTO = 71;
export const EMULTIHOP = 72;
export const EDOTDOT = 73;
export const EBADMSG = 74;
export const EOVERFLOW = 75;
export const ENOTUNIQ = 76;
export const EBADFD = 77;
export const EREMCHG = 78;
export const ELIBACC = 79;
export const ELIBBAD = 80;
export const ELIBSCN = 81;
export const ELIBMAX = 82;
export const ELIBEXEC = 83;
export const EILSEQ = 84;
export const ERESTART = 85;
export const ESTRPIPE = 86;
export const EUSERS = 87;
export const ENOTSOCK = 88;
export const EDESTADDRREQ = 89;
export const EMSGSIZE = 90;
export const EPROTOTYPE = 91;
export const ENOPROTOOPT = 92;
export const EPROTONOSUPPORT = 93;
export const ESOCKTNOSUPPORT = 94;
export const EOPNOTSUPP = 95;
export const EPFNOSUPPORT = 96;
export const EAFNOSUPPORT = 97;
export const EADDRINUSE = 98;
export const EADDRNOTAVAIL = 99;
export const ENETDOWN = 100;
export const ENETUNREACH = 101;
export const ENETRESET = 102;
export const ECONNABORTED = 103;
export const ECONNRESET = 104;
export const ENOBUFS = 105;
export const EISCONN = 106;
export const ENOTCONN = 107;
export const ESHUTDOWN = 108;
export const ETOOMANYREFS = 109;
export const ETIMEDOUT = 110;
export const ECONNREFUSED = 111;
export const EHOSTDOWN = 112;
export const EHOSTUNREACH = 113;
export const EALREADY = 114;
export const EINPROGRESS = 115;
export const ESTALE = 116;
export const EUCLEAN = 117;
export const ENOTNAM = 118;
export const ENAVAIL = 119;
export const EISNAM = 120;
export const EREMOTEIO = 121;
export const EDQUOT = 122;
export const ENOMEDIUM = 123;
export const EMEDIUMTYPE = 124;
export const ECANCELED = 125;
export const ENOKEY = 126;
export const EKEYEXPIRED = 127;
export const EKEYREVOKED = 128;
export const EKEYREJECTED = 129;
export const EOWNERDEAD = 130;
export const ENOTRECOVERABLE = 131;
export const ERFKILL = 132;
export const EHWPOISON = 133;

/** Aliases Linux defines with the same value (errnoName reports the primary name, as strace does). */
export const EWOULDBLOCK = EAGAIN;
export const EDEADLOCK = EDEADLK;

/**
 * Kernel-internal codes (include/linux/errno.h) a blocking syscall returns when a signal cuts
 * it short; signal delivery turns them into a restart or EINTR, so user space never sees them.
 */
export const ERESTARTSYS = 512;
export const ERESTARTNOINTR = 513;
export const ERESTARTNOHAND = 514;
export const ERESTART_RESTARTBLOCK = 516;

/** The highest errno Linux defines; a syscall result in -MAX_ERRNO..-1 is an error (kernel's -4095). */
export const MAX_ERRNO = 4095;

const ERRNO_ROWS: readonly (readonly [number, string, string])[] = [
  [EPERM, "EPERM", "Operation not permitted"],
  [ENOENT, "ENOENT", "No such file or directory"],
  [ESRCH, "ESRCH", "No such process"],
  [EINTR, "EINTR", "Interrupted system call"],
  [EIO, "EIO", "Input/output error"],
  [ENXIO, "ENXIO", "No such device or address"],
  [E2BIG, "E2BIG", "Argument list too long"],
  [ENOEXEC, "ENOEXEC", "Exec format error"],
  [EBADF, "EBADF", "Bad file descriptor"],
  [ECHILD, "ECHILD", "No child processes"],
  [EAGAIN, "EAGAIN", "Resource temporarily unavailable"],
  [ENOMEM, "ENOMEM", "Cannot allocate memory"],
  [EACCES, "EACCES", "Permission denied"],
  [EFAULT, "EFAULT", "Bad address"],
  [ENOTBLK, "ENOTBLK", "Block device required"],
  [EBUSY, "EBUSY", "Device or resource busy"],
  [EEXIST, "EEXIST", "File exists"],
  [EXDEV, "EXDEV", "Invalid cross-device link"],
  [ENODEV, "ENODEV", "No such device"],
  [ENOTDIR, "ENOTDIR", "Not a directory"],
  [EISDIR, "EISDIR", "Is a directory"],
  [EINVAL, "EINVAL", "Invalid argument"],
  [ENFILE, "ENFILE", "Too many open files in system"],
  [EMFILE, "EMFILE", "Too many open files"],
  [ENOTTY, "ENOTTY", "Inappropriate ioctl for device"],
  [ETXTBSY, "ETXTBSY", "Text file busy"],
  [EFBIG, "EFBIG", "File too large"],
  [ENOSPC, "ENOSPC", "No space left on device"],
  [ESPIPE, "ESPIPE", "Illegal seek"],
  [EROFS, "EROFS", "Read-only file system"],
  [EMLINK, "EMLINK", "Too many links"],
  [EPIPE, "EPIPE", "Broken pipe"],
  [EDOM, "EDOM", "Numerical argument out of domain"],
  [ERANGE, "ERANGE", "Numerical result out of range"],
  [EDEADLK, "EDEADLK", "Resource deadlock avoided"],
  [ENAMETOOLONG, "ENAMETOOLONG", "File name too long"],
  [ENOLCK, "ENOLCK", "No locks available"],
  [ENOSYS, "ENOSYS", "Function not implemented"],
  [ENOTEMPTY, "ENOTEMPTY", "Directory not empty"],
  [ELOOP, "ELOOP", "Too many levels of symbolic links"],
  [ENOMSG, "ENOMSG", "No message of desired type"],
  [EIDRM, "EIDRM", "Identifier removed"],
  [ECHRNG, "ECHRNG", "Channel number out of range"],
  [EL2NSYNC, "EL2NSYNC", "Level 2 not synchronized"],
  [EL3HLT, "EL3HLT", "Level 3 halted"],
  [EL3RST, "EL3RST", "Level 3 reset"],
  [ELNRNG, "ELNRNG", "Link number out of range"],
  [EUNATCH, "EUNATCH", "Protocol driver not attached"],
  [ENOCSI, "ENOCSI", "No CSI structure available"],
  [EL2HLT, "EL2HLT", "Level 2 halted"],
  [EBADE, "EBADE", "Invalid exchange"],
  [EBADR, "EBADR", "Invalid request descriptor"],
  [EXFULL, "EXFULL", "Exchange full"],
  [ENOANO, "ENOANO", "No anode"],
  [EBADRQC, "EBADRQC", "Invalid request code"],
  [EBADSLT, "EBADSLT", "Invalid slot"],
  [EBFONT, "EBFONT", "Bad font file format"],
  [ENOSTR, "ENOSTR", "Device not a stream"],
  [ENODATA, "ENODATA", "No data available"],
  [ETIME, "ETIME", "Timer expired"],
  [ENOSR, "ENOSR", "Out of streams resources"],
  [ENONET, "ENONET", "Machine is not on the network"],
  [ENOPKG, "ENOPKG", "Package not installed"],
  [EREMOTE, "EREMOTE", "Object is remote"],
  [ENOLINK, "ENOLINK", "Link has been severed"],
  [EADV, "EADV", "Advertise error"],
  [ESRMNT, "ESRMNT", "Srmount error"],
  [ECOMM, "ECOMM", "Communication error on send"],
  [EPROTO, "EPROTO", "Protocol error"],
  [EMULTIHOP, "EMULTIHOP", "Multihop attempted"],
  [EDOTDOT, "EDOTDOT", "RFS specific error"],
  [EBADMSG, "EBADMSG", "Bad message"],
  [EOVERFLOW, "EOVERFLOW", "Value too large for defined data type"],
  [ENOTUNIQ, "ENOTUNIQ", "Name not unique on network"],
  [EBADFD, "EBADFD", "File descriptor in bad state"],
  [EREMCHG, "EREMCHG", "Remote address changed"],
  [ELIBACC, "ELIBACC", "Can not access a needed shared library"],
  [ELIBBAD, "ELIBBAD", "Accessing a corrupted shared library"],
  [ELIBSCN, "ELIBSCN", ".lib section in a.out corrupted"],
  [ELIBMAX, "ELIBMAX", "Attempting to link in too many shared libraries"],
  [ELIBEXEC, "ELIBEXEC", "Cannot exec a shared library directly"],
  [EILSEQ, "EILSEQ", "Invalid or incomplete multibyte or wide character"],
  [ERESTART, "ERESTART", "Interrupted system call should be restarted"],
  [ESTRPIPE, "ESTRPIPE", "Streams pipe error"],
  [EUSERS, "EUSERS", "Too many users"],
  [ENOTSOCK, "ENOTSOCK", "Socket operation on non-socket"],
  [EDESTADDRREQ, "EDESTADDRREQ", "Destination address required"],
  [EMSGSIZE, "EMSGSIZE", "Message too long"],
  [EPROTOTYPE, "EPROTOTYPE", "Protocol wrong type for socket"],
  [ENOPROTOOPT, "ENOPROTOOPT", "Protocol not available"],
  [EPROTONOSUPPORT, "EPROTONOSUPPORT", "Protocol not supported"],
  [ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT", "Socket type not supported"],
  [EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported"],
  [EPFNOSUPPORT, "EPFNOSUPPORT", "Protocol family not supported"],
  [EAFNOSUPPORT, "EAFNOSUPPORT", "Address family not supported by protocol"],
  [EADDRINUSE, "EADDRINUSE", "Address already in use"],
  [EADDRNOTAVAIL, "EADDRNOTAVAIL", "Cannot assign requested address"],
  [ENETDOWN, "ENETDOWN", "Network is down"],
  [ENETUNREACH, "ENETUNREACH", "Network is unreachable"],
  [ENETRESET, "ENETRESET", "Network dropped connection on reset"],
  [ECONNABORTED, "ECONNABORTED", "Software caused connection abort"],
  [ECONNRESET, "ECONNRESET", "Connection reset by peer"],
  [ENOBUFS, "ENOBUFS", "No buffer space available"],
  [EISCONN, "EISCONN", "Transport endpoint is already connected"],
  [ENOTCONN, "ENOTCONN", "Transport endpoint is not connected"],
  [ESHUTDOWN, "ESHUTDOWN", "Cannot send after transport endpoint shutdown"],
  [ETOOMANYREFS, "ETOOMANYREFS", "Too many references: cannot splice"],
  [ETIMEDOUT, "ETIMEDOUT", "Connection timed out"],
  [ECONNREFUSED, "ECONNREFUSED", "Connection refused"],
  [EHOSTDOWN, "EHOSTDOWN", "Host is down"],
  [EHOSTUNREACH, "EHOSTUNREACH", "No route to host"],
  [EALREADY, "EALREADY", "Operation already in progress"],
  [EINPROGRESS, "EINPROGRESS", "Operation now in progress"],
  [ESTALE, "ESTALE", "Stale file handle"],
  [EUCLEAN, "EUCLEAN", "Structure needs cleaning"],
  [ENOTNAM, "ENOTNAM", "Not a XENIX named type file"],
  [ENAVAIL, "ENAVAIL", "No XENIX semaphores available"],
  [EISNAM, "EISNAM", "Is a named type file"],
  [EREMOTEIO, "EREMOTEIO", "Remote I/O error"],
  [EDQUOT, "EDQUOT", "Disk quota exceeded"],
  [ENOMEDIUM, "ENOMEDIUM", "No medium found"],
  [EMEDIUMTYPE, "EMEDIUMTYPE", "Wrong medium type"],
  [ECANCELED, "ECANCELED", "Operation canceled"],
  [ENOKEY, "ENOKEY", "Required key not available"],
  [EKEYEXPIRED, "EKEYEXPIRED", "Key has expired"],
  [EKEYREVOKED, "EKEYREVOKED", "Key has been revoked"],
  [EKEYREJECTED, "EKEYREJECTED", "Key was rejected by service"],
  [EOWNERDEAD, "EOWNERDEAD", "Owner died"],
  [ENOTRECOVERABLE, "ENOTRECOVERABLE", "State not recoverable"],
  [ERFKILL, "ERFKILL", "Operation not possible due to RF-kill"],
  [EHWPOISON, "EHWPOISON", "Memory page has hardware error"],
];

const names = new Map<number, string>();
const messages = new Map<number, string>();
for (const [value, name, message] of ERRNO_ROWS) {
  names.set(value, name);
  messages.set(value, message);
}

/** "ENOENT" for 2; undefined for a number Linux does not define (e.g. 41). */
export function errnoName(errno: number): string | undefined {
  return names.get(errno);
}

/** glibc's strerror() text: "No such file or directory"; "Unknown error 41" for undefined values. */
export function errnoMessage(errno: number): string {
  if (errno === 0) return "Success";
  return messages.get(errno) ?? `Unknown error ${errno}`;
}

/** Every defined errno value, ascending. */
export function allErrnos(): number[] {
  return ERRNO_ROWS.map(([value]) => value);
}
