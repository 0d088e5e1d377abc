// In-kernel copies between open files: sendfile (from a seekable file to any writable file) and
// copy_file_range (between regular files of one filesystem). Data moves in 1 MiB steps through
// the files' own read and write operations, the paths read(2) and write(2) take, so the page
// cache stays coherent with mappings. Argument checks follow Linux's fs/read_write.c in order.

import { EBADF, EFBIG, EINVAL, EISDIR, EOVERFLOW, ESPIPE, EXDEV } from "../errno.ts";
import { O_APPEND, O_PATH, type OpenFile, type SyscallResult } from "../files/open-file.ts";
import { isDir, isReg } from "../fs/inode.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
import type { SyscallFamily } from "./args.ts";
import { doWrite } from "./file-io.ts";

/** Linux caps one transfer at MAX_RW_COUNT bytes. */
const MAX_RW_COUNT = 0x7ffff000;
/** Bytes moved per step. */
const CHUNK = 1 << 20;
/** The largest loff_t, and Linux's MAX_LFS_FILESIZE. */
const MAX_OFFSET = 2 ** 63 - 1;
const TWO64 = 2 ** 64;

/** The file behind `fd` as fdget sees it: O_PATH descriptors do not count. */
function fileOf(task: Task, fd: number): OpenFile | null {
  const file = task.proc.fds.get(fd);
  return file === undefined || file.flags & O_PATH ? null : file;
}

/** rw_verify_area: the count and the range [pos, pos+count) must fit a signed 64-bit offset. */
function verifyArea(pos: number, count: number): number {
  if (count > MAX_OFFSET || pos < 0 || pos + count > MAX_OFFSET) return -EINVAL;
  return 0;
}

interface Transfer {
  input: OpenFile;
  inAt: number;
  output: OpenFile;
  /** Where to write, or null for the output's own offset (advanced as it goes). */
  outAt: number | null;
  count: number;
  moved: number;
}

type Step = "more" | number;

/** Account for one written chunk; "more" when the next chunk should follow. */
function afterWrite(job: Transfer, got: number, wrote: number): Step {
  if (wrote <= 0) return job.moved > 0 ? job.moved : wrote;
  job.moved += wrote;
  return wrote < got ? job.moved : "more";
}

function afterRead(
  kernel: Kernel,
  task: Task,
  job: Transfer,
  buf: Uint8Array,
  got: number,
): Step | Promise<Step> {
  if (got <= 0) return job.moved > 0 ? job.moved : got;
  const at = job.outAt === null ? null : job.outAt + job.moved;
  const wrote = doWrite(kernel, task, job.output, buf.subarray(0, got), at);
  return typeof wrote === "number"
    ? afterWrite(job, got, wrote)
    : wrote.then((n) => afterWrite(job, got, n));
}

/** Read one chunk and write it; a promise only when a file made the step wait. */
function step(kernel: Kernel, task: Task, job: Transfer): Step | Promise<Step> {
  if (job.moved >= job.count) return job.moved;
  const buf = new Uint8Array(Math.min(CHUNK, job.count - job.moved));
  const got = job.input.ops.read!(job.input, buf, job.inAt + job.moved);
  return typeof got === "number"
    ? afterRead(kernel, task, job, buf, got)
    : got.then((n) => afterRead(kernel, task, job, buf, n));
}

/** Move the job's bytes; the result is the count moved, or the first error when none moved. */
function transfer(kernel: Kernel, task: Task, job: Transfer): SyscallResult {
  for (;;) {
    const r = step(kernel, task, job);
    if (r === "more") continue;
    if (typeof r === "number") return r;
    return r.then((v) => v === "more" ? transfer(kernel, task, job) : v);
  }
}

function afterwards(result: SyscallResult, then: (n: number) => number): SyscallResult {
  return typeof result === "number" ? then(result) : result.then(then);
}

/** do_sendfile with the input position already known; `done` records where reading ended. */
function sendFile(
  kernel: Kernel,
  task: Task,
  outFd: number,
  input: OpenFile,
  pos: number,
  count: number,
  done: (pos: number) => void,
): SyscallResult {
  const checked = verifyArea(pos, count);
  if (checked < 0) return checked;
  count = Math.min(count, MAX_RW_COUNT);
  const output = fileOf(task, outFd);
  if (output === null || !output.writableMode) return -EBADF;
  const outChecked = verifyArea(output.offset, count);
  if (outChecked < 0) return outChecked;
  if (output.flags & O_APPEND) return -EINVAL;
  // splice_direct_to_actor reads only from seekable files that can be read (not directories).
  const inode = input.inode;
  if (!input.seekable || input.ops.read === undefined || (inode !== null && isDir(inode.mode))) {
    return -EINVAL;
  }
  const job: Transfer = { input, inAt: pos, output, outAt: null, count, moved: 0 };
  return afterwards(transfer(kernel, task, job), (n) => {
    if (n > 0) done(pos + n);
    return n;
  });
}

/** copy_file_range's checks (generic_copy_file_checks, rw_verify_area); the count to copy. */
function copyCount(input: OpenFile, posIn: number, output: OpenFile, posOut: number, len: number) {
  const inodeIn = input.inode, inodeOut = output.inode;
  if ((inodeIn && isDir(inodeIn.mode)) || (inodeOut && isDir(inodeOut.mode))) return -EISDIR;
  if (!inodeIn || !inodeOut || !isReg(inodeIn.mode) || !isReg(inodeOut.mode)) return -EINVAL;
  if (!input.readableMode || !output.writableMode || output.flags & O_APPEND) return -EBADF;
  if (inodeIn.fs !== inodeOut.fs) return -EXDEV;
  // Offsets are unsigned here: a negative one wraps unless the count is small.
  const wraps = (pos: number) => pos < 0 ? len >= -pos && len > 0 : pos + len >= TWO64;
  if (wraps(posIn) || wraps(posOut)) return -EOVERFLOW;
  let count = posIn >= inodeIn.size ? 0 : Math.min(len, inodeIn.size - posIn);
  if (posOut >= MAX_OFFSET) return -EFBIG;
  count = Math.min(count, MAX_OFFSET - Math.max(0, posOut));
  if (inodeIn === inodeOut && posOut + count > posIn && posOut < posIn + count) return -EINVAL;
  const checked = Math.min(verifyArea(posIn, count), verifyArea(posOut, count));
  return checked < 0 ? checked : count;
}

export const fileTransferSyscalls: SyscallFamily = {
  sendfile(task, a, kernel) {
    const outFd = a.int(0), inFd = a.int(1), offsetAddr = a.u64(2), count = a.u64(3);
    const user = task.proc.user;
    if (offsetAddr === 0) {
      const input = fileOf(task, inFd);
      if (input === null || !input.readableMode) return -EBADF;
      return sendFile(kernel, task, outFd, input, input.offset, count, (end) => {
        input.offset = end;
      });
    }
    let pos = user.i64(offsetAddr);
    const input = fileOf(task, inFd);
    let result: SyscallResult;
    if (input === null || !input.readableMode) result = -EBADF;
    else if (!input.seekable) result = -ESPIPE;
    else result = sendFile(kernel, task, outFd, input, pos, count, (end) => pos = end);
    // Linux stores the position back whatever happened.
    return afterwards(result, (n) => {
      user.writeI64(offsetAddr, pos);
      return n;
    });
  },

  copy_file_range(task, a, kernel) {
    const inFd = a.int(0), inAddr = a.u64(1), outFd = a.int(2), outAddr = a.u64(3);
    const len = a.u64(4), flags = a.uint(5);
    const input = fileOf(task, inFd);
    if (input === null) return -EBADF;
    const output = fileOf(task, outFd);
    if (output === null) return -EBADF;
    const user = task.proc.user;
    const posIn = inAddr === 0 ? input.offset : user.i64(inAddr);
    const posOut = outAddr === 0 ? output.offset : user.i64(outAddr);
    if (flags !== 0) return -EINVAL;
    const count = copyCount(input, posIn, output, posOut, len);
    if (count <= 0) return count;
    const job: Transfer = {
      input,
      inAt: posIn,
      output,
      outAt: posOut,
      count: Math.min(count, MAX_RW_COUNT),
      moved: 0,
    };
    return afterwards(transfer(kernel, task, job), (n) => {
      if (n <= 0) return n;
      if (inAddr === 0) input.offset = posIn + n;
      else user.writeI64(inAddr, posIn + n);
      if (outAddr === 0) output.offset = posOut + n;
      else user.writeI64(outAddr, posOut + n);
      return n;
    });
  },
};
