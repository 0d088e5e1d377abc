// The filesystem tree a run starts with. Without a root directory or disk, an in-memory root
// (tmpfs) holding the program at its host path, /dev, /proc and /tmp. With `--root DIR[:ro]` the
// host directory is "/" (hostfs); with `--disk IMAGE[:MOUNTPOINT][:ro]` ext2 images are block
// devices /dev/vda, /dev/vdb... mounted where asked ("/" by default); with `--initrd ARCHIVE` the
// in-memory root starts with a cpio archive's contents.

import { EEXIST, ENOENT } from "../errno.ts";
import type { Kernel } from "../kernel.ts";
import { rootCredentials } from "../proc/process.ts";
import { SyscallError } from "../syscall-error.ts";
import type { BlockDevice } from "./block-device.ts";
import type { Path } from "./dentry.ts";
import { type FileSystem, fileSystemType, MountError } from "./filesystem.ts";
import { isDir, makedev, S_IFBLK, S_IFDIR, S_IFREG } from "./inode.ts";
import { resolve, type WalkContext } from "./path-walk.ts";
import { mountHostDirectory } from "./hostfs/hostfs.ts";
import "./filesystems.ts";
import { CpioError, unpackCpio } from "./initramfs.ts";

/** virtio-blk's customary major, 16 minors per disk (vda=0, vdb=16...). */
export const DISK_MAJOR = 254;

export interface DiskSpec {
  image: string;
  mountPoint: string;
  readOnly: boolean;
}

export interface FileSystemSetup {
  /** A host directory as "/" (hostfs). */
  rootDir?: { path: string; readOnly: boolean };
  disks?: DiskSpec[];
  /** A cpio "newc" archive unpacked into the in-memory root (initramfs), as boot will do. */
  initramfs?: Uint8Array;
  /** Opens a disk image (HostImageDevice), injected so the kernel core stays host-neutral. */
  openDisk?: (spec: DiskSpec) => BlockDevice;
}

/** A one-line reason the tree could not be built (a bad image, a missing mount point). */
export class SetupError extends Error {}

function factory(name: string) {
  const type = fileSystemType(name);
  if (type === undefined) throw new Error(`filesystem type ${name} is not registered`);
  return type.factory;
}

function walkContext(kernel: Kernel, root: Path): WalkContext {
  return { mounts: kernel.vfs.mounts, root, creds: rootCredentials() };
}

/** Create directory `path` (and its parents) in the tree, like mkdir -p. */
export function makeDirectories(kernel: Kernel, path: string, mode = 0o755): Path {
  const root = kernel.vfs.rootPath();
  let cur = root;
  for (const name of path.split("/").filter((c) => c !== "")) {
    const existing = cur.dentry.child(name);
    if (existing === null) {
      cur.dentry.inode.mkdir(name, S_IFDIR | mode, 0, 0);
    }
    cur = resolve(walkContext(kernel, root), cur, name, { follow: true });
    if (!isDir(cur.dentry.inode.mode)) throw new SyscallError(EEXIST);
  }
  return cur;
}

/** Put a host file's bytes into the tree at `path` (the in-memory root's copy of the program). */
export function installFile(kernel: Kernel, path: string, data: Uint8Array, mode: number): Path {
  const cut = path.lastIndexOf("/");
  const dir = makeDirectories(kernel, path.slice(0, cut));
  const name = path.slice(cut + 1);
  const inode = dir.dentry.inode.create(name, S_IFREG | (mode & 0o7777), 0, 0, 0);
  inode.write(0, data);
  return resolve(walkContext(kernel, kernel.vfs.rootPath()), dir, name, { follow: false });
}

function lookup(kernel: Kernel, path: string): Path | null {
  try {
    const root = kernel.vfs.rootPath();
    return resolve(walkContext(kernel, root), root, path, { follow: true });
  } catch (e) {
    if (e instanceof SyscallError && e.errno === ENOENT) return null;
    throw e;
  }
}

function mountAt(kernel: Kernel, fs: FileSystem, at: string, create: boolean): void {
  const target = create ? makeDirectories(kernel, at) : lookup(kernel, at);
  if (target === null || !isDir(target.dentry.inode.mode)) {
    throw new SetupError(`mount point ${at} does not exist in the guest's tree`);
  }
  kernel.vfs.mounts.mount(fs, target, fs.readOnly ? 1 : 0);
}

function openDiskFileSystem(kernel: Kernel, spec: FileSystemSetup, disk: DiskSpec, index: number) {
  if (spec.openDisk === undefined) throw new SetupError("no way to open disk images");
  const rdev = makedev(DISK_MAJOR, index * 16);
  kernel.blockDevices.register(rdev, spec.openDisk(disk));
  const device = kernel.blockDevices.claim(rdev)!;
  try {
    return factory("ext2")({
      device,
      readOnly: disk.readOnly || device.readOnly,
      options: "",
      source: `/dev/vd${String.fromCharCode(97 + index)}`,
      kernel,
    });
  } catch (e) {
    device.close();
    if (e instanceof MountError) throw new SetupError(e.message);
    throw e;
  }
}

/**
 * Build the tree. `programFromHost` says the root is an empty in-memory one, where the caller
 * installs the program from the host; otherwise the program is looked up in the tree.
 */
export function setUpFileSystems(
  kernel: Kernel,
  spec: FileSystemSetup,
): { programFromHost: boolean } {
  const disks = spec.disks ?? [];
  const rootDisk = disks.findIndex((d) => d.mountPoint === "/");
  const roots = [rootDisk >= 0, spec.rootDir !== undefined, spec.initramfs !== undefined];
  if (roots.filter((r) => r).length > 1) {
    throw new SetupError("only one of --root, --initrd and a --disk mounted at / can be the root");
  }
  let rootFs: FileSystem;
  const inMemoryRoot = spec.rootDir === undefined && rootDisk < 0;
  try {
    if (spec.rootDir !== undefined) {
      rootFs = mountHostDirectory(spec.rootDir.path, spec.rootDir.readOnly);
    } else if (rootDisk >= 0) {
      rootFs = openDiskFileSystem(kernel, spec, disks[rootDisk], rootDisk);
    } else {
      rootFs = factory("tmpfs")({ readOnly: false, options: "mode=755", source: "rootfs", kernel });
    }
  } catch (e) {
    if (e instanceof MountError) throw new SetupError(e.message);
    throw e;
  }
  kernel.vfs.mounts.mountRoot(rootFs, rootFs.readOnly ? 1 : 0);
  if (spec.initramfs !== undefined) {
    try {
      unpackCpio(spec.initramfs, rootFs.root);
    } catch (e) {
      if (e instanceof CpioError) throw new SetupError(`initramfs: ${e.message}`);
      throw e;
    }
  }
  if (inMemoryRoot && lookup(kernel, "/tmp") === null) makeDirectories(kernel, "/tmp", 0o1777);
  disks.forEach((disk, i) => {
    if (i === rootDisk) return;
    const fs = openDiskFileSystem(kernel, spec, disk, i);
    try {
      mountAt(kernel, fs, disk.mountPoint, inMemoryRoot);
    } catch (e) {
      fs.unmount();
      throw e;
    }
  });
  // /dev and /proc where the tree has room for them (always on the in-memory root).
  if (inMemoryRoot || lookup(kernel, "/dev") !== null) {
    const dev = factory("devtmpfs")({ readOnly: false, options: "", source: "devtmpfs", kernel });
    mountAt(kernel, dev, "/dev", inMemoryRoot);
    disks.forEach((_, i) => {
      const name = `vd${String.fromCharCode(97 + i)}`;
      dev.root.create(name, S_IFBLK | 0o660, 0, 6, makedev(DISK_MAJOR, i * 16));
    });
  }
  if (inMemoryRoot || lookup(kernel, "/proc") !== null) {
    const proc = factory("proc")({ readOnly: false, options: "", source: "proc", kernel });
    mountAt(kernel, proc, "/proc", inMemoryRoot);
  }
  return { programFromHost: inMemoryRoot && spec.initramfs === undefined };
}
