// The cpio "newc" archive format initramfs images use (magic 070701; 070702 "crc" adds a sum of
// each regular file's data bytes): parsing a whole buffer of concatenated archives into records,
// and writing an archive. Layout per entry: a 110-byte ASCII header (magic + 13 hex fields),
// the NUL-terminated name padded so header+name is a multiple of 4, then the data padded to 4.
// Between archives only zero bytes may appear, and each archive starts 4-byte aligned.

import { bytesName, devMajor, devMinor, nameBytes, S_IFDIR, S_IFLNK, S_IFMT } from "./inode.ts";
import { S_IFREG } from "./inode.ts";

export class CpioError extends Error {
  constructor(message: string, readonly offset?: number) {
    super(offset === undefined ? `cpio: ${message}` : `cpio: ${message} (at byte ${offset})`);
    this.name = "CpioError";
  }
}

export const CPIO_TRAILER = "TRAILER!!!";
export const CPIO_HEADER_SIZE = 110;
/** Linux's PATH_MAX: the longest name (with its NUL) an entry may carry. */
const PATH_MAX = 4096;
const FIELD_NAMES = [
  "ino",
  "mode",
  "uid",
  "gid",
  "nlink",
  "mtime",
  "filesize",
  "devmajor",
  "devminor",
  "rdevmajor",
  "rdevminor",
  "namesize",
  "check",
] as const;

export interface CpioRecord {
  /** Byte offset of the entry's header in the buffer. */
  offset: number;
  ino: number;
  /** st_mode with the file type bits. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  devMajor: number;
  devMinor: number;
  rdevMajor: number;
  rdevMinor: number;
  /** The name up to its NUL, one char per byte (latin1); "TRAILER!!!" ends an archive. */
  name: string;
  /** The entry's data: a view into the buffer, which it starts at byte dataOffset of. */
  data: Uint8Array;
  dataOffset: number;
}

/**
 * Every record of every archive in `buffer`, trailers included, after checking the whole
 * structure: a malformed buffer throws CpioError before anything is returned.
 */
export function parseCpio(buffer: Uint8Array): CpioRecord[] {
  const records: CpioRecord[] = [];
  let position = 0;
  let insideArchive = false;
  while (position < buffer.length) {
    if (!insideArchive) {
      while (position < buffer.length && buffer[position] === 0) position++;
      if (position === buffer.length) break;
      if (position % 4 !== 0) {
        throw new CpioError("an archive after zero padding must start 4-byte aligned", position);
      }
    }
    const record = parseRecord(buffer, position);
    records.push(record);
    insideArchive = record.name !== CPIO_TRAILER;
    position = Math.min(align4(record.dataOffset + record.data.length), buffer.length);
  }
  if (insideArchive) throw new CpioError(`archive ends without a ${CPIO_TRAILER} entry`);
  return records;
}

function parseRecord(buffer: Uint8Array, offset: number): CpioRecord {
  if (offset + CPIO_HEADER_SIZE > buffer.length) {
    throw new CpioError(
      `truncated header: ${buffer.length - offset} of ${CPIO_HEADER_SIZE} bytes`,
      offset,
    );
  }
  const magic = bytesName(buffer.subarray(offset, offset + 6));
  if (magic !== "070701" && magic !== "070702") {
    if (magic === "070707") {
      throw new CpioError("old portable (odc) format; make the archive with -H newc", offset);
    }
    if (buffer[offset] === 0x1f && buffer[offset + 1] === 0x8b) {
      throw new CpioError("gzip-compressed data; decompress the archive first", offset);
    }
    const shown = [...buffer.subarray(offset, offset + 6)]
      .map((b) =>
        b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`
      )
      .join("");
    throw new CpioError(`bad magic "${shown}" (want "070701" or "070702")`, offset);
  }
  const field: Record<string, number> = {};
  FIELD_NAMES.forEach((name, index) => {
    const start = offset + 6 + index * 8;
    const text = bytesName(buffer.subarray(start, start + 8));
    if (!/^[0-9a-fA-F]{8}$/.test(text)) {
      throw new CpioError(
        `header field ${name} is not 8 hex digits: ${JSON.stringify(text)}`,
        start,
      );
    }
    field[name] = parseInt(text, 16);
  });
  const nameSize = field.namesize;
  if (nameSize === 0 || nameSize > PATH_MAX) {
    throw new CpioError(`name size ${nameSize} is not in 1..${PATH_MAX}`, offset);
  }
  const nameStart = offset + CPIO_HEADER_SIZE;
  const nameEnd = nameStart + nameSize;
  if (nameEnd > buffer.length) throw new CpioError("truncated name", nameStart);
  if (buffer[nameEnd - 1] !== 0) throw new CpioError("name is not NUL-terminated", nameStart);
  const nameBytesRaw = buffer.subarray(nameStart, nameEnd - 1);
  const nul = nameBytesRaw.indexOf(0);
  const name = bytesName(nul < 0 ? nameBytesRaw : nameBytesRaw.subarray(0, nul));
  const dataStart = Math.min(align4(nameEnd), buffer.length);
  const fileSize = field.filesize;
  if (fileSize > buffer.length - dataStart) {
    throw new CpioError(
      `${JSON.stringify(name)}: ${fileSize} data bytes but only ${
        buffer.length - dataStart
      } left in the archive`,
      offset,
    );
  }
  if (name.split("/").includes("..")) {
    throw new CpioError(`${JSON.stringify(name)}: ".." in a path is not allowed`, offset);
  }
  const data = buffer.subarray(dataStart, dataStart + fileSize);
  const mode = field.mode;
  if (magic === "070702" && (mode & S_IFMT) === S_IFREG) {
    const sum = byteSum(data);
    if (sum !== field.check) {
      throw new CpioError(
        `${JSON.stringify(name)}: data checksum ${sum} does not match header ${field.check}`,
        offset,
      );
    }
  }
  return {
    offset,
    ino: field.ino,
    mode,
    uid: field.uid,
    gid: field.gid,
    nlink: field.nlink,
    mtime: field.mtime,
    devMajor: field.devmajor,
    devMinor: field.devminor,
    rdevMajor: field.rdevmajor,
    rdevMinor: field.rdevminor,
    name,
    data,
    dataOffset: dataStart,
  };
}

function align4(value: number): number {
  return Math.ceil(value / 4) * 4;
}

// ---- writing ---------------------------------------------------------------------------------

export interface CpioEntryInput {
  /** The name stored, e.g. "bin/sh" (one char per byte). */
  path: string;
  /** st_mode with the file type bits (S_IFREG | 0o755...). */
  mode: number;
  uid?: number;
  gid?: number;
  /** Seconds since the epoch. */
  mtime?: number;
  /** A regular file's contents. */
  data?: Uint8Array;
  /** A symlink's target. */
  target?: string;
  /** A device node's number (makedev encoding). */
  rdev?: number;
  /**
   * Make this entry a hard link to the earlier entry with this path: they share an inode
   * number and its attributes (this entry's own mode, owner, mtime are not used) and, as GNU
   * cpio does, the data travels with the last link of the group.
   */
  hardLinkTo?: string;
}

export interface CpioWriteOptions {
  /** Write the "crc" variant (070702) with data checksums. */
  checksum?: boolean;
}

/** One newc archive holding `entries` in order, then the trailer. */
export function writeCpio(entries: CpioEntryInput[], options: CpioWriteOptions = {}): Uint8Array {
  const magic = options.checksum ? "070702" : "070701";
  const groups = hardLinkGroups(entries);
  const chunks: Uint8Array[] = [];
  let length = 0;
  const emit = (chunk: Uint8Array) => {
    chunks.push(chunk);
    length += chunk.length;
    const pad = (4 - (length % 4)) % 4;
    if (pad > 0) {
      chunks.push(new Uint8Array(pad));
      length += pad;
    }
  };
  entries.forEach((link, index) => {
    const group = groups.get(index)!;
    const entry = { ...group.first, path: link.path };
    const type = entry.mode & S_IFMT;
    let data: Uint8Array = new Uint8Array(0);
    if (type === S_IFLNK) {
      if (entry.target === undefined) throw new CpioError(`${entry.path}: symlink needs a target`);
      data = latin1Bytes(entry.target, entry.path);
    } else if (group.last === index) {
      data = group.data;
    }
    const rdev = entry.rdev ?? 0;
    const header = headerFor(magic, entry.path, {
      ino: group.ino,
      mode: entry.mode,
      uid: entry.uid ?? 0,
      gid: entry.gid ?? 0,
      nlink: type === S_IFDIR ? 2 : group.size,
      mtime: entry.mtime ?? 0,
      filesize: data.length,
      rdevmajor: devMajor(rdev),
      rdevminor: devMinor(rdev),
      check: options.checksum && type === S_IFREG ? byteSum(data) : 0,
    });
    emit(header);
    if (data.length > 0) emit(data);
  });
  emit(headerFor(magic, CPIO_TRAILER, { nlink: 1 }));
  const archive = new Uint8Array(length);
  let position = 0;
  for (const chunk of chunks) {
    archive.set(chunk, position);
    position += chunk.length;
  }
  return archive;
}

interface LinkGroup {
  first: CpioEntryInput;
  ino: number;
  size: number;
  /** The index of the group's last entry, which carries the data. */
  last: number;
  data: Uint8Array;
}

function hardLinkGroups(entries: CpioEntryInput[]): Map<number, LinkGroup> {
  const byIndex = new Map<number, LinkGroup>();
  const byPath = new Map<string, LinkGroup>();
  entries.forEach((entry, index) => {
    let group: LinkGroup;
    if (entry.hardLinkTo !== undefined) {
      const first = byPath.get(entry.hardLinkTo);
      if (first === undefined) {
        throw new CpioError(`${entry.path}: hard link to ${entry.hardLinkTo}, no earlier entry`);
      }
      if ((entry.mode & S_IFMT) === S_IFDIR || entry.data !== undefined) {
        throw new CpioError(`${entry.path}: a hard link is no directory and carries no data`);
      }
      group = first;
      group.size++;
      group.last = index;
    } else {
      const data = entry.data ?? new Uint8Array(0);
      group = { first: entry, ino: index + 1, size: 1, last: index, data };
    }
    byIndex.set(index, group);
    byPath.set(entry.path, group);
  });
  return byIndex;
}

function headerFor(magic: string, path: string, fields: Record<string, number>): Uint8Array {
  if (path.length === 0 || path.length + 1 > PATH_MAX || path.includes("\0")) {
    throw new CpioError(`bad entry path ${JSON.stringify(path)}`);
  }
  let text = magic;
  for (const name of FIELD_NAMES) {
    const value = name === "namesize" ? path.length + 1 : fields[name] ?? 0;
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new CpioError(`${path}: ${name} ${value} does not fit 32 bits`);
    }
    text += value.toString(16).padStart(8, "0");
  }
  return latin1Bytes(text + path + "\0", path);
}

/** A name or target whose chars are bytes (as the Inode API gives them) as those bytes. */
function latin1Bytes(text: string, path: string): Uint8Array {
  if (/[^\0-\xff]/.test(text)) {
    throw new CpioError(`${JSON.stringify(path)}: names are byte strings (chars up to \\xff)`);
  }
  return nameBytes(text);
}

function byteSum(data: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum = (sum + data[i]) >>> 0;
  return sum;
}
