// pipe and pipe2: a new pipe's read and write ends at the two lowest free fds, written to the
// caller's int[2]. The pipe itself is kernel/files/pipe.ts.

import { EFAULT, EINVAL } from "../errno.ts";
import { O_CLOEXEC, O_DIRECT, O_NONBLOCK } from "../files/open-file.ts";
import { createPipe } from "../files/pipe.ts";
import type { Task } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { SyscallFamily } from "./args.ts";

const PIPE2_FLAGS = O_CLOEXEC | O_NONBLOCK | O_DIRECT;

/** do_pipe2: both fds are installed only when the pair could be written (else EFAULT). */
function doPipe2(task: Task, addr: number, flags: number): number {
  if (flags & ~PIPE2_FLAGS) return -EINVAL;
  const creds = task.proc.creds;
  const [reader, writer] = createPipe(flags, creds.fsuid, creds.fsgid);
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const fds = task.proc.fds;
  const readFd = fds.install(reader, cloexec);
  if (readFd < 0) {
    writer.put();
    return readFd;
  }
  const writeFd = fds.install(writer, cloexec);
  if (writeFd < 0) {
    fds.close(readFd);
    return writeFd;
  }
  const pair = new Uint8Array(8);
  new DataView(pair.buffer).setInt32(0, readFd, true);
  new DataView(pair.buffer).setInt32(4, writeFd, true);
  try {
    task.proc.user.write(addr, pair);
  } catch (e) {
    if (!(e instanceof SyscallError)) throw e;
    fds.close(readFd);
    fds.close(writeFd);
    return -EFAULT;
  }
  return 0;
}

export const pipeSyscalls: SyscallFamily = {
  pipe: (task, a) => doPipe2(task, a.u64(0), 0),
  pipe2: (task, a) => doPipe2(task, a.u64(0), a.int(1)),
};
