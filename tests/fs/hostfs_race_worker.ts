// Worker for the hostfs race test: swaps host entries "d" (a real directory) and "l" (a symlink
// to the outside) with renameat2(RENAME_EXCHANGE) as fast as it can until told to stop.

import {
  AT_FDCWD,
  hostCalls,
  O_CLOEXEC,
  O_DIRECTORY,
  O_PATH,
  RENAME_EXCHANGE,
} from "../../kernel/fs/hostfs/host-calls.ts";
import { bytesName } from "../../kernel/fs/inode.ts";

interface Start {
  dir: string;
  /** [0]: stop flag set by the test; [1]: swaps done. */
  control: SharedArrayBuffer;
}

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Start>) => void) | null;
  postMessage(message: unknown): void;
};

scope.onmessage = (event) => {
  const calls = hostCalls();
  const control = new Int32Array(event.data.control);
  const dirPath = bytesName(new TextEncoder().encode(event.data.dir));
  const dirfd = calls.openat(AT_FDCWD, dirPath, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  scope.postMessage("started");
  while (Atomics.load(control, 0) === 0) {
    calls.renameat2(dirfd, "d", dirfd, "l", RENAME_EXCHANGE);
    Atomics.add(control, 1, 1);
  }
  // Leave "d" the real directory again.
  if (Atomics.load(control, 1) % 2 === 1) calls.renameat2(dirfd, "d", dirfd, "l", RENAME_EXCHANGE);
  calls.closeFd(dirfd);
  scope.postMessage("stopped");
};
