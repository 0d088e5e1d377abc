// The block-device interface disk filesystems (ext2) sit on: byte-addressed reads and writes of
// whole sectors, a flush that reaches stable storage, and a size. A host image file implements it
// now (kernel/host/image-file.ts); a virtio-blk driver plugin will when the machine boots.

export interface BlockDevice {
  /** Shown in /proc/mounts and errors: "/dev/vda", an image's path. */
  readonly name: string;
  readonly sizeBytes: number;
  readonly readOnly: boolean;
  /** Fill `buf` from byte `offset` (a multiple of 512). Throws SyscallError(EIO) on failure. */
  read(offset: number, buf: Uint8Array): void;
  /** Write `data` at byte `offset` (a multiple of 512). EROFS when read-only, EIO on failure. */
  write(offset: number, data: Uint8Array): void;
  /** Make every write so far durable (fsync of the image file). */
  flush(): void;
  close(): void;
}

/**
 * Block devices by device number: what mount(2) finds behind an S_IFBLK node. The kernel owns
 * each device for the whole run; a filesystem mounted on one gets a handle whose close() only
 * flushes and frees the device for the next mount, so umount then mount works, and a device
 * already mounted is refused (EBUSY) rather than opened twice.
 */
export class BlockDeviceTable {
  private readonly devices = new Map<number, BlockDevice>();
  private readonly mounted = new Set<number>();

  register(rdev: number, device: BlockDevice): void {
    this.devices.set(rdev, device);
  }

  has(rdev: number): boolean {
    return this.devices.has(rdev);
  }

  isMounted(rdev: number): boolean {
    return this.mounted.has(rdev);
  }

  /** Every device number and device (/proc/devices, /proc/partitions). */
  all(): [number, BlockDevice][] {
    return [...this.devices];
  }

  /** A handle for a filesystem to mount on; undefined when no such device. */
  claim(rdev: number): BlockDevice | undefined {
    const device = this.devices.get(rdev);
    if (device === undefined) return undefined;
    this.mounted.add(rdev);
    const release = () => this.mounted.delete(rdev);
    return {
      get name() {
        return device.name;
      },
      get sizeBytes() {
        return device.sizeBytes;
      },
      get readOnly() {
        return device.readOnly;
      },
      read: (offset, buf) => device.read(offset, buf),
      write: (offset, data) => device.write(offset, data),
      flush: () => device.flush(),
      close: () => {
        device.flush();
        release();
      },
    };
  }

  /** Close every device (the end of a run, after every filesystem is unmounted). */
  closeAll(): void {
    for (const device of this.devices.values()) device.close();
    this.devices.clear();
    this.mounted.clear();
  }
}
