// Shared setup for the hostfs tests: a temporary host tree with the directory to mount ("root")
// and a sibling "outside" holding a secret file nothing in hostfs may ever read or change.

import assert from "node:assert/strict";
import { join } from "node:path";
import { SyscallError } from "../../kernel/syscall-error.ts";
import { errnoName } from "../../kernel/errno.ts";
import { type HostFileSystem, mountHostDirectory } from "../../kernel/fs/hostfs/hostfs.ts";

export const SECRET = "TOP SECRET: outside the guest root\n";

export interface HostTree {
  base: string;
  dir: string;
  outside: string;
  secretPath: string;
  fs: HostFileSystem;
  /** Names in `outside` now (to show nothing was created there). */
  outsideNames(): string[];
  cleanup(): Promise<void>;
}

export async function makeHostTree(readOnly = false): Promise<HostTree> {
  const base = await Deno.makeTempDir({ prefix: "hostfs-test-" });
  const dir = join(base, "root");
  const outside = join(base, "outside");
  Deno.mkdirSync(dir);
  Deno.mkdirSync(outside);
  const secretPath = join(outside, "secret.txt");
  Deno.writeTextFileSync(secretPath, SECRET);
  Deno.writeTextFileSync(join(dir, "hello.txt"), "hello from the host\n");
  const fs = mountHostDirectory(dir, readOnly);
  return {
    base,
    dir,
    outside,
    secretPath,
    fs,
    outsideNames: () => [...Deno.readDirSync(outside)].map((e) => e.name).sort(),
    async cleanup() {
      fs.unmount();
      await Deno.remove(base, { recursive: true });
    },
  };
}

/** Run `fn`, which must throw SyscallError with one of `errnos`. */
export function assertErrno(fn: () => unknown, ...errnos: number[]): number {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof SyscallError)) throw error;
    const names = errnos.map((e) => errnoName(e)).join("/");
    assert.ok(errnos.includes(error.errno), `expected ${names}, got ${errnoName(error.errno)}`);
    return error.errno;
  }
  assert.fail(`expected errno ${errnos.map((e) => errnoName(e)).join("/")}, but it succeeded`);
}

export function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

export function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
