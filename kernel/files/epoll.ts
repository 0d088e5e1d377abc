// epoll instances (Linux's fs/eventpoll.c). An Epoll watches (file, fd) items; each item's file
// calls back synchronously when its readiness may change, which puts the item on the ready list
// in arrival order. epoll_wait re-polls the listed items and reports those with events: a
// level-triggered item goes back to the end of the list, an edge-triggered one waits for the next
// callback, a one-shot one is disabled until EPOLL_CTL_MOD. An item goes away with EPOLL_CTL_DEL
// or when its file's last reference is closed; an epoll fd can itself be watched (nesting is
// limited to EP_MAX_NESTS levels and may not loop).

import { EINVAL } from "../errno.ts";
import { anonInodePath, anonInodeStat } from "./anon-inode.ts";
import { type FileOps, type FileStat, O_RDWR, OpenFile } from "./open-file.ts";
import {
  POLLERR,
  pollFile,
  POLLHUP,
  POLLIN,
  POLLOUT,
  PollQueue,
  POLLRDNORM,
  type PollWaker,
  watchFile,
} from "./poll-mask.ts";

export const EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
export const EPOLLEXCLUSIVE = 1 << 28;
export const EPOLLWAKEUP = 1 << 29;
export const EPOLLONESHOT = 1 << 30;
export const EPOLLET = 2 ** 31;
/** Item flags that are not events. */
export const EP_PRIVATE_BITS = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/** What an EPOLLEXCLUSIVE item may also ask for. */
export const EPOLLEXCLUSIVE_OK_BITS = POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP |
  EPOLLET | EPOLLEXCLUSIVE;
/** Epolls may nest this deep. */
export const EP_MAX_NESTS = 4;

export class EpollItem {
  /** On the ready list. */
  ready = false;
  unwatch: () => void = () => {};

  constructor(
    readonly epoll: Epoll,
    readonly file: OpenFile,
    readonly fd: number,
    /** Requested events and flags (unsigned 32-bit). */
    public events: number,
    /** The user's 64-bit cookie, reported with each event. */
    public data: bigint,
  ) {}
}

/** Items watching each file, so the file's last close can remove them (eventpoll_release). */
const itemsByFile = new WeakMap<OpenFile, Set<EpollItem>>();

function itemsWatching(file: OpenFile): Set<EpollItem> {
  let items = itemsByFile.get(file);
  if (items === undefined) {
    const set = new Set<EpollItem>();
    items = set;
    itemsByFile.set(file, set);
    const previous = file.onLastClose;
    file.onLastClose = () => {
      previous?.();
      for (const item of [...set]) item.epoll.remove(item);
    };
  }
  return items;
}

/** Writes one reported event; false when the user buffer faulted (the item stays listed). */
export type EventSink = (index: number, events: number, data: bigint) => boolean;

export class Epoll implements FileOps {
  /** The epoll's own open file (set by createEpoll). */
  file: OpenFile | null = null;
  private readonly items = new Map<OpenFile, Map<number, EpollItem>>();
  /** The ready list, in order (a Set keeps insertion order). */
  private readonly readyList = new Set<EpollItem>();
  /** Woken when an item becomes ready: epoll_wait sleepers and whoever polls this epoll. */
  readonly queue = new PollQueue();

  find(file: OpenFile, fd: number): EpollItem | undefined {
    return this.items.get(file)?.get(fd);
  }

  /** Every item's file that is itself an epoll. */
  nested(): Epoll[] {
    const out: Epoll[] = [];
    for (const byFd of this.items.values()) {
      for (const item of byFd.values()) {
        if (item.file.ops instanceof Epoll) out.push(item.file.ops);
      }
    }
    return out;
  }

  /** Epolls that watch this one. */
  watchers(): Epoll[] {
    const items = this.file === null ? undefined : itemsByFile.get(this.file);
    return items === undefined ? [] : [...items].map((item) => item.epoll);
  }

  /** EPOLL_CTL_ADD (ep_insert): the caller checked it is not there yet. */
  add(file: OpenFile, fd: number, events: number, data: bigint): void {
    const item = new EpollItem(this, file, fd, (events | POLLERR | POLLHUP) >>> 0, data);
    let byFd = this.items.get(file);
    if (byFd === undefined) this.items.set(file, byFd = new Map());
    byFd.set(fd, item);
    itemsWatching(file).add(item);
    item.unwatch = watchFile(file, (key) => this.callback(item, key));
    this.listIfReady(item);
  }

  /** EPOLL_CTL_MOD (ep_modify). */
  modify(item: EpollItem, events: number, data: bigint): void {
    item.events = (events | POLLERR | POLLHUP) >>> 0;
    item.data = data;
    this.listIfReady(item);
  }

  /** EPOLL_CTL_DEL, or the item's file closed for good. */
  remove(item: EpollItem): void {
    item.unwatch();
    this.unlist(item);
    const byFd = this.items.get(item.file);
    byFd?.delete(item.fd);
    if (byFd?.size === 0) this.items.delete(item.file);
    itemsByFile.get(item.file)?.delete(item);
  }

  get hasReady(): boolean {
    return this.readyList.size > 0;
  }

  /**
   * Report up to `max` events through `sink` (ep_send_events); returns how many, or -1 when the
   * first one faulted. Listed items without events now leave the list.
   */
  sendEvents(max: number, sink: EventSink): number {
    const scan = [...this.readyList];
    this.readyList.clear();
    for (const item of scan) item.ready = false;
    const relist: EpollItem[] = [];
    let sent = 0;
    let next = 0;
    for (; next < scan.length && sent < max; next++) {
      const item = scan[next];
      const revents = pollFile(item.file) & item.events;
      if (revents === 0) continue;
      if (!sink(sent, revents >>> 0, item.data)) {
        if (sent === 0) sent = -1;
        break;
      }
      sent++;
      if (item.events & EPOLLONESHOT) item.events = (item.events & EP_PRIVATE_BITS) >>> 0;
      else if (!(item.events & EPOLLET)) relist.push(item);
    }
    // What was not scanned goes back in front, then the level-triggered items just reported.
    const rest = scan.slice(next);
    const after = [...this.readyList];
    this.readyList.clear();
    for (const item of [...rest, ...relist, ...after]) this.list(item);
    return sent;
  }

  // ---- the epoll fd as a file ---------------------------------------------------------------

  /** Readable when some listed item has events (listed items without any leave the list). */
  poll(_file: OpenFile): number {
    for (const item of [...this.readyList]) {
      if (pollFile(item.file) & item.events) return POLLIN | POLLRDNORM;
      this.unlist(item);
    }
    return 0;
  }

  pollWatch(_file: OpenFile, wake: PollWaker): () => void {
    return this.queue.watch(wake);
  }

  read(): number {
    return -EINVAL;
  }

  write(): number {
    return -EINVAL;
  }

  /** noop_llseek: the offset stays where it is (0). */
  llseek(file: OpenFile): number {
    return file.offset;
  }

  stat(): FileStat {
    return anonInodeStat();
  }

  release(): void {
    for (const byFd of [...this.items.values()]) {
      for (const item of [...byFd.values()]) this.remove(item);
    }
  }

  // ---- the ready list -------------------------------------------------------------------------

  /** ep_poll_callback: the item's file woke with `key` (0: any event). */
  private callback(item: EpollItem, key: number): void {
    if (!(item.events & ~EP_PRIVATE_BITS)) return; // a disabled one-shot item
    if (key !== 0 && !(key & item.events)) return;
    this.list(item);
    this.queue.wake(POLLIN);
  }

  private listIfReady(item: EpollItem): void {
    if (item.ready || !(pollFile(item.file) & item.events)) return;
    this.list(item);
    this.queue.wake(POLLIN);
  }

  private list(item: EpollItem): void {
    if (item.ready) return;
    item.ready = true;
    this.readyList.add(item);
  }

  private unlist(item: EpollItem): void {
    item.ready = false;
    this.readyList.delete(item);
  }
}

/** Levels of epolls below `from` (0: none), or Infinity when `target` is among them. */
function depthBelow(from: Epoll, target: Epoll, depth = 0): number {
  let result = 0;
  for (const inner of from.nested()) {
    if (inner === target || depth > EP_MAX_NESTS) return Infinity;
    result = Math.max(result, depthBelow(inner, target, depth + 1) + 1);
    if (result > EP_MAX_NESTS) return result;
  }
  return result;
}

/** Levels of epolls above `epoll` (0: nobody watches it). */
function depthAbove(epoll: Epoll, depth = 0): number {
  let result = 0;
  if (depth > EP_MAX_NESTS) return depth;
  for (const outer of epoll.watchers()) result = Math.max(result, depthAbove(outer, depth + 1) + 1);
  return result;
}

/** ep_loop_check: would watching `inner` from `outer` close a loop or nest too deep? */
export function wouldLoop(outer: Epoll, inner: Epoll): boolean {
  return depthBelow(inner, outer) + 1 + depthAbove(outer) > EP_MAX_NESTS;
}

/** epoll_create1(): a new epoll file. */
export function createEpoll(): OpenFile {
  const epoll = new Epoll();
  const file = new OpenFile(epoll, O_RDWR, anonInodePath("eventpoll"));
  epoll.file = file;
  return file;
}
