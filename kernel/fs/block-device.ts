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

/** Block devices by device number: what mount(2) finds behind an S_IFBLK node. */
export class BlockDeviceTable {
  private readonly devices = new Map<number, BlockDevice>();

  register(rdev: number, device: BlockDevice): void {
    this.devices.set(rdev, device);
  }

  get(rdev: number): BlockDevice | undefined {
    return this.devices.get(rdev);
  }

  all(): [number, BlockDevice][] {
    return [...this.devices];
  }
}
