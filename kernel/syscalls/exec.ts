// Running a new program: execve and execveat (kernel/exec/execve.ts does the work). On success
// the registers already hold the new program's start, so the dispatcher leaves RAX alone.

import { EINVAL } from "../errno.ts";
import { execve, readStringArray } from "../exec/execve.ts";
import { AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW } from "../fs/vfs.ts";
import { RESULT_IN_REGISTERS, type SyscallFamily } from "./args.ts";

export const execSyscalls: SyscallFamily = {
  execve(task, a, kernel) {
    const path = task.proc.user.path(a.u64(0));
    const argv = readStringArray(task, a.u64(1));
    const envp = readStringArray(task, a.u64(2));
    const result = execve(kernel, task, { dirfd: AT_FDCWD, path, argv, envp, atFlags: 0 });
    return result === 0 ? RESULT_IN_REGISTERS : result;
  },

  execveat(task, a, kernel) {
    const dirfd = a.int(0);
    const atFlags = a.int(4);
    if (atFlags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) return -EINVAL;
    const path = task.proc.user.path(a.u64(1));
    const argv = readStringArray(task, a.u64(2));
    const envp = readStringArray(task, a.u64(3));
    const result = execve(kernel, task, { dirfd, path, argv, envp, atFlags });
    return result === 0 ? RESULT_IN_REGISTERS : result;
  },
};
