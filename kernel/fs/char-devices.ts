// The character-device switch (Linux's chrdev table): opening an S_IFCHR inode anywhere (devfs,
// ext2, a mknod on tmpfs) finds its driver here by major and minor number.

import type { FileOps } from "../files/open-file.ts";
import type { Kernel } from "../kernel.ts";
import type { Task } from "../proc/process.ts";
import type { Inode } from "./inode.ts";
import { devMajor, devMinor } from "./inode.ts";

export interface DeviceOpenContext {
  kernel: Kernel;
  task: Task;
  /** open(2) flags. */
  flags: number;
  inode: Inode;
}

/** Returns the device's file operations, or throws SyscallError (ENXIO, ENODEV...). */
export type CharDeviceOpener = (ctx: DeviceOpenContext) => FileOps;

export interface CharDevice {
  name: string;
  open: CharDeviceOpener;
}

const devices = new Map<number, CharDevice>();

const key = (major: number, minor: number) => major * 0x100000 + minor;

export function registerCharDevice(
  major: number,
  minor: number,
  name: string,
  open: CharDeviceOpener,
): void {
  devices.set(key(major, minor), { name, open });
}

export function charDevice(rdev: number): CharDevice | undefined {
  return devices.get(key(devMajor(rdev), devMinor(rdev)));
}

/** For /proc/devices: "  1 mem" lines, one per major. */
export function charDeviceMajors(): { major: number; name: string }[] {
  const seen = new Map<number, string>();
  for (const [k, d] of devices) {
    const major = Math.floor(k / 0x100000);
    if (!seen.has(major)) seen.set(major, d.name);
  }
  return [...seen].sort((a, b) => a[0] - b[0]).map(([major, name]) => ({ major, name }));
}
