// The one exception kernel code throws to fail a syscall with an errno (EFAULT from a bad user
// pointer, EBADF from a missing fd...). The dispatcher turns it into -errno in RAX. It is a plain
// class, not an Error, so throwing it costs no stack capture.

export class SyscallError {
  constructor(readonly errno: number) {}
}

/** Fail the current syscall with `errno`. */
export function fail(errno: number): never {
  throw new SyscallError(errno);
}
