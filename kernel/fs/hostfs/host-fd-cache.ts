// The bounded set of host file descriptors hostfs keeps open for regular-file data: one per
// inode, least recently used closed first. A pinned descriptor (the file was unlinked or replaced
// while the guest still has it open) is the only way back to that data, so it is never evicted;
// it is closed when the inode is evicted or found again by name.

import type { HostCalls } from "./host-calls.ts";

export interface OpenHostFile {
  fd: number;
  writable: boolean;
  pinned: boolean;
}

export class HostFdCache<Key> {
  /** Insertion order is recency: the first entry is the least recently used. */
  private readonly entries = new Map<Key, OpenHostFile>();

  constructor(private readonly calls: HostCalls, readonly capacity = 64) {}

  get(key: Key): OpenHostFile | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  /** Remember `fd` for `key` (closing any older one) and close the oldest unpinned beyond capacity. */
  put(key: Key, fd: number, writable: boolean): OpenHostFile {
    const previous = this.entries.get(key);
    const entry = { fd, writable, pinned: previous?.pinned ?? false };
    if (previous) {
      this.entries.delete(key);
      this.calls.closeFd(previous.fd);
    }
    this.entries.set(key, entry);
    this.shrink();
    return entry;
  }

  setPinned(key: Key, pinned: boolean): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    entry.pinned = pinned;
    if (!pinned) this.shrink();
  }

  drop(key: Key): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.calls.closeFd(entry.fd);
  }

  closeAll(): void {
    for (const entry of this.entries.values()) this.calls.closeFd(entry.fd);
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private shrink(): void {
    let unpinned = 0;
    for (const entry of this.entries.values()) if (!entry.pinned) unpinned++;
    for (const [key, entry] of this.entries) {
      if (unpinned <= this.capacity) break;
      if (entry.pinned) continue;
      this.entries.delete(key);
      this.calls.closeFd(entry.fd);
      unpinned--;
    }
  }
}
