// tmpfs mount options, parsed as Linux's mm/shmem.c does: size=N[kmgtpe%], nr_blocks=N[kmg…],
// nr_inodes=N[kmg…] (numbers as C's strtoull with base 0: 0x hex, leading 0 octal), mode=OCTAL,
// uid=N, gid=N. 0 for size/nr_blocks/nr_inodes means unlimited. Anything else is EINVAL.

import { EINVAL } from "../../errno.ts";
import { MountError } from "../filesystem.ts";
import { PAGE_SIZE } from "./page-store.ts";

export interface TmpfsOptions {
  /** Page limit; 0 = unlimited. */
  maxPages: number;
  /** Inode limit (links count too); 0 = unlimited. */
  maxInodes: number;
  /** The root directory's permission bits. */
  mode: number;
  uid: number;
  gid: number;
}

const U32_MAX = 0xffffffff;

/** The defaults Linux picks for a machine with `memoryBytes` of RAM, then `options` applied. */
export function parseTmpfsOptions(options: string, memoryBytes: number): TmpfsOptions {
  const ramPages = Math.floor(memoryBytes / PAGE_SIZE);
  const result: TmpfsOptions = {
    maxPages: Math.floor(ramPages / 2),
    maxInodes: Math.floor(ramPages / 2),
    mode: 0o1777,
    uid: 0,
    gid: 0,
  };
  for (const option of options.split(",")) {
    if (option === "") continue;
    const equals = option.indexOf("=");
    const key = equals < 0 ? option : option.slice(0, equals);
    const value = equals < 0 ? null : option.slice(equals + 1);
    const bad = () => new MountError(`tmpfs: Bad value for '${key}'`, EINVAL);
    if (!["size", "nr_blocks", "nr_inodes", "mode", "uid", "gid"].includes(key)) {
      throw new MountError(`tmpfs: Unknown parameter '${key}'`, EINVAL);
    }
    if (value === null || value === "") throw bad();
    switch (key) {
      case "size": {
        const parsed = memparse(value);
        let bytes = parsed.value;
        let rest = parsed.rest;
        if (rest.startsWith("%")) {
          bytes = Math.floor(bytes * ramPages * PAGE_SIZE / 100);
          rest = rest.slice(1);
        }
        if (rest !== "") throw bad();
        result.maxPages = Math.ceil(bytes / PAGE_SIZE);
        break;
      }
      case "nr_blocks":
      case "nr_inodes": {
        const parsed = memparse(value);
        if (parsed.rest !== "") throw bad();
        if (key === "nr_blocks") result.maxPages = parsed.value;
        else result.maxInodes = parsed.value;
        break;
      }
      case "mode": {
        const mode = parseUnsigned(value, 8);
        if (mode === null) throw bad();
        result.mode = mode & 0o7777;
        break;
      }
      case "uid":
      case "gid": {
        const id = parseUnsigned(value, 0);
        // (uid_t)-1 is no valid id.
        if (id === null || id === U32_MAX) throw bad();
        result[key] = id;
        break;
      }
    }
  }
  return result;
}

/**
 * Linux's memparse: a strtoull(base 0) number, then an optional K/M/G/T/P/E suffix (any case)
 * multiplying by 1024 per step; `rest` is what follows.
 */
export function memparse(text: string): { value: number; rest: string } {
  const { value, length } = strtoull(text);
  let rest = text.slice(length);
  const shift = "kmgtpe".indexOf(rest.charAt(0).toLowerCase());
  let result = value;
  if (rest !== "" && shift >= 0) {
    result = value * 1024 ** (shift + 1);
    rest = rest.slice(1);
  }
  return { value: result, rest };
}

/** C's strtoull(text, &end, 0) over ASCII digits: the value and how many characters it used. */
function strtoull(text: string): { value: number; length: number } {
  let base = 10;
  let start = 0;
  if (/^0[xX][0-9a-fA-F]/.test(text)) {
    base = 16;
    start = 2;
  } else if (text.startsWith("0")) {
    base = 8;
  }
  let value = 0;
  let end = start;
  for (; end < text.length; end++) {
    const digit = parseInt(text[end], base);
    if (Number.isNaN(digit)) break;
    value = value * base + digit;
  }
  return { value, length: end };
}

/** Linux's kstrtouint: the whole string (optional "+", one trailing newline) or null. */
function parseUnsigned(text: string, base: 0 | 8): number | null {
  const body = text.replace(/^\+/, "").replace(/\n$/, "");
  if (body === "") return null;
  const { value, length } = base === 8 ? strtoOctal(body) : strtoull(body);
  if (length !== body.length || value > U32_MAX) return null;
  return value;
}

function strtoOctal(text: string): { value: number; length: number } {
  let value = 0;
  let end = 0;
  while (end < text.length && text[end] >= "0" && text[end] <= "7") {
    value = value * 8 + Number(text[end]);
    end++;
  }
  return { value, length: end };
}
