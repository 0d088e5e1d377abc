// `nexaos image`: make and inspect ext2 disk images without mounting them on the host.
//   create --size 64M [--from DIR] OUT   mkfs, then copy a host tree in
//   ls [-l] IMAGE [PATH]                 list a directory (or one entry)
//   cat IMAGE PATH                       print a file's bytes
//   fsck IMAGE                           check consistency; problems one per line, exit 1
// Mistakes are one "nexaos: ..." line and a non-zero exit.

import { Command, InvalidArgumentError, Option } from "commander";
import { errnoMessage } from "../kernel/errno.ts";
import { SyscallError } from "../kernel/syscall-error.ts";
import { MountError } from "../kernel/fs/filesystem.ts";
import { devMajor, devMinor, type Inode, isDir, isLnk, isReg, S_IFMT } from "../kernel/fs/inode.ts";
import { Ext2FileSystem } from "../kernel/fs/ext2/ext2-fs.ts";
import { fsckExt2 } from "../kernel/fs/ext2/fsck.ts";
import { mkfs, MkfsError } from "../kernel/fs/ext2/mkfs.ts";
import { HostImageDevice, ImageOpenError } from "../kernel/host/image-file.ts";
import { hostName, ImportError, measureTree, TreeImporter } from "./image-import.ts";
import { Progress } from "./progress.ts";
import { resolveFromUser } from "./run.ts";

const KIB = 1024;
const MIN_IMAGE = 64 * KIB;
const MAX_IMAGE = 16 * KIB ** 4 - 4 * KIB;
const MAX_SYMLINKS = 40;

/** A failed image command: main prints "nexaos: <message>" and exits 1. */
export class ImageError extends Error {}

/** "64M", "1G", "512K", "1048576" → bytes (whole 1 KiB units, 64K to 16T). */
export function parseImageSize(text: string): number {
  const m = /^(\d+)\s*([kmgt]?)(i?b)?$/i.exec(text.trim());
  if (!m) throw new InvalidArgumentError(`"${text}" is not a size like 64M or 1G`);
  const unit = { "": 1, k: KIB, m: KIB ** 2, g: KIB ** 3, t: KIB ** 4 }[
    m[2].toLowerCase() as "" | "k" | "m" | "g" | "t"
  ];
  const bytes = Number(m[1]) * unit;
  if (!(bytes >= MIN_IMAGE && bytes <= MAX_IMAGE)) {
    throw new InvalidArgumentError(`the size must be between 64K and 16T (got ${text})`);
  }
  return Math.floor(bytes / KIB) * KIB;
}

function parseChoice(allowed: number[]) {
  return (text: string) => {
    const n = Number(text);
    if (!allowed.includes(n)) {
      throw new InvalidArgumentError(`must be one of ${allowed.join(", ")}`);
    }
    return n;
  };
}

/** The user's bytes for a kernel (latin1) name. */
const shown = (name: string) =>
  new TextDecoder().decode(Uint8Array.from(name, (c) => c.charCodeAt(0)));

function describe(e: unknown, image: string): string {
  if (e instanceof SyscallError) return `${image}: ${errnoMessage(e.errno)}`;
  if (e instanceof ImageOpenError) return `${image}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

function openImage(path: string, readOnly: boolean): Ext2FileSystem {
  let device: HostImageDevice;
  try {
    device = new HostImageDevice(path, readOnly);
  } catch (e) {
    throw new ImageError(describe(e, path));
  }
  try {
    return new Ext2FileSystem(device, { readOnly, options: "", source: path });
  } catch (e) {
    device.close();
    if (e instanceof MountError) throw new ImageError(e.message);
    throw new ImageError(describe(e, path));
  }
}

/** Walk `path` inside the image from its root; the last component is followed if `follow`. */
export function resolveInImage(fs: Ext2FileSystem, path: string, follow: boolean): Inode {
  const stack: Inode[] = [fs.root];
  const pending = hostName(path).split("/").filter((c) => c !== "" && c !== ".").reverse();
  let links = 0;
  const notFound = () => new ImageError(`${path}: No such file or directory`);
  while (pending.length) {
    const name = pending.pop()!;
    const dir = stack[stack.length - 1];
    if (!isDir(dir.mode)) throw new ImageError(`${path}: Not a directory`);
    if (name === "..") {
      if (stack.length > 1) stack.pop();
      continue;
    }
    const child = dir.lookup(name);
    if (!child) throw notFound();
    if (isLnk(child.mode) && (pending.length > 0 || follow)) {
      if (++links > MAX_SYMLINKS) {
        throw new ImageError(`${path}: Too many levels of symbolic links`);
      }
      const target = child.readlink();
      if (target.startsWith("/")) stack.length = 1;
      pending.push(...target.split("/").filter((c) => c !== "" && c !== ".").reverse());
      continue;
    }
    stack.push(child);
  }
  return stack[stack.length - 1];
}

function modeString(mode: number): string {
  const types: Record<number, string> = {
    0o140000: "s",
    0o120000: "l",
    0o100000: "-",
    0o060000: "b",
    0o040000: "d",
    0o020000: "c",
    0o010000: "p",
  };
  const rwx = (bits: number, special: boolean, letter: string) =>
    (bits & 4 ? "r" : "-") + (bits & 2 ? "w" : "-") +
    (special ? (bits & 1 ? letter : letter.toUpperCase()) : bits & 1 ? "x" : "-");
  return (types[mode & S_IFMT] ?? "?") +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, "s") +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, "s") +
    rwx(mode & 7, (mode & 0o1000) !== 0, "t");
}

function timeString(sec: number): string {
  return new Date(sec * 1000).toISOString().slice(0, 16).replace("T", " ");
}

/** `ls -l` rows for (name, inode) pairs, columns aligned. */
export function longListing(entries: { name: string; inode: Inode }[]): string[] {
  const rows = entries.map(({ name, inode }) => {
    const type = inode.mode & S_IFMT;
    const size = type === 0o020000 || type === 0o060000
      ? `${devMajor(inode.rdev)}, ${devMinor(inode.rdev)}`
      : String(inode.size);
    const label = shown(name) + (isLnk(inode.mode) ? ` -> ${shown(inode.readlink())}` : "");
    return [
      modeString(inode.mode),
      String(inode.nlink),
      String(inode.uid),
      String(inode.gid),
      size,
      timeString(inode.mtime.sec),
      label,
    ];
  });
  const widths = [0, 1, 2, 3, 4].map((c) => Math.max(0, ...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    [
      r[0],
      r[1].padStart(widths[1]),
      r[2].padStart(widths[2]),
      r[3].padStart(widths[3]),
      r[4].padStart(widths[4]),
      r[5],
      r[6],
    ].join(" ")
  );
}

function byBytes(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function listCommand(image: string, path: string, opts: { long?: boolean }): void {
  const fs = openImage(resolveFromUser(image), true);
  try {
    const target = resolveInImage(fs, path, !opts.long || path.endsWith("/"));
    let entries: { name: string; inode: Inode }[];
    if (isDir(target.mode)) {
      entries = target.readdir().sort(byBytes).map((e) => ({
        name: e.name,
        inode: opts.long ? fs.getInode(e.ino) : target,
      }));
    } else entries = [{ name: hostName(path), inode: target }];
    const lines = opts.long ? longListing(entries) : entries.map((e) => shown(e.name));
    if (lines.length) console.log(lines.join("\n"));
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError(describe(e, image));
  } finally {
    fs.unmount();
  }
}

function catCommand(image: string, path: string): void {
  const fs = openImage(resolveFromUser(image), true);
  try {
    const file = resolveInImage(fs, path, true);
    if (isDir(file.mode)) throw new ImageError(`${path}: Is a directory`);
    if (!isReg(file.mode)) throw new ImageError(`${path}: not a regular file`);
    const buffer = new Uint8Array(1 << 20);
    for (let offset = 0; offset < file.size;) {
      const n = file.read(offset, buffer);
      if (n === 0) break;
      let written = 0;
      while (written < n) written += Deno.stdout.writeSync(buffer.subarray(written, n));
      offset += n;
    }
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError(describe(e, image));
  } finally {
    fs.unmount();
  }
}

function fsckCommand(image: string): void {
  const path = resolveFromUser(image);
  let device: HostImageDevice;
  try {
    device = new HostImageDevice(path, true);
  } catch (e) {
    throw new ImageError(describe(e, image));
  }
  let report;
  try {
    report = fsckExt2(device);
  } catch (e) {
    throw new ImageError(e instanceof MountError ? e.message : describe(e, image));
  } finally {
    device.close();
  }
  if (report.problems.length) {
    console.log(report.problems.join("\n"));
    Deno.exit(1);
  }
  console.log(
    `${image}: clean, ${report.inodesUsed}/${report.inodesCount} files, ` +
      `${report.blocksUsed}/${report.blocksCount} blocks`,
  );
}

interface CreateOptions {
  size: number;
  from?: string;
  blockSize?: number;
  inodeSize?: number;
  label?: string;
  force?: boolean;
}

function createCommand(output: string, opts: CreateOptions): void {
  const path = resolveFromUser(output);
  const source = opts.from === undefined ? undefined : resolveFromUser(opts.from);
  let sourceInfo: Deno.FileInfo | undefined;
  if (source !== undefined) {
    try {
      sourceInfo = Deno.statSync(source);
    } catch (e) {
      throw new ImageError(
        `${opts.from}: ${
          e instanceof Deno.errors.NotFound ? "No such file or directory" : String(e)
        }`,
      );
    }
    if (!sourceInfo.isDirectory) throw new ImageError(`${opts.from}: Not a directory`);
  }
  try {
    const existing = Deno.lstatSync(path);
    if (!opts.force) {
      throw new ImageError(`${output}: already exists (use --force to overwrite it)`);
    }
    if (!existing.isFile) throw new ImageError(`${output}: not a regular file`);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  try {
    Deno.writeFileSync(path, new Uint8Array(0));
    Deno.truncateSync(path, opts.size);
  } catch (e) {
    throw new ImageError(`${output}: ${e instanceof Error ? e.message : String(e)}`);
  }
  let done = false;
  try {
    buildImage(path, output, opts, source, sourceInfo);
    done = true;
  } finally {
    if (!done) Deno.removeSync(path);
  }
}

function buildImage(
  path: string,
  output: string,
  opts: CreateOptions,
  source: string | undefined,
  sourceInfo: Deno.FileInfo | undefined,
): void {
  const device = new HostImageDevice(path);
  try {
    mkfs(device, { blockSize: opts.blockSize, inodeSize: opts.inodeSize, label: opts.label });
  } catch (e) {
    device.close();
    if (e instanceof MkfsError) throw new ImageError(`${output}: ${e.message}`);
    throw new ImageError(describe(e, output));
  }
  const fs = new Ext2FileSystem(device, { readOnly: false, options: "", source: path });
  try {
    if (source !== undefined && sourceInfo !== undefined) {
      const size = measureTree(source);
      const progress = new Progress(output, size.bytes, size.files);
      const importer = new TreeImporter(fs.blockSize, progress);
      try {
        importer.importInto(source, fs.root);
        importer.copyAttributes(fs.root, sourceInfo);
        progress.finish();
      } catch (e) {
        progress.finish(true);
        if (e instanceof ImportError) {
          const full = e.message.endsWith(errnoMessage(28));
          throw new ImageError(
            full ? `${output}: the image is full (${e.message}); try a larger --size` : e.message,
          );
        }
        throw e;
      }
    }
  } finally {
    fs.unmount();
  }
}

export function addImageCommand(program: Command): void {
  const image = program.command("image")
    .description("create and inspect ext2 disk images (for run --disk)");
  image.command("create")
    .description("make an ext2 image, optionally filled from a host directory")
    .argument("<output>", "the image file to write")
    .addOption(
      new Option("--size <size>", "image size, e.g. 64M or 1G").argParser(parseImageSize)
        .makeOptionMandatory(),
    )
    .option("--from <dir>", "copy this host directory tree into the image")
    .addOption(
      new Option("-b, --block-size <bytes>", "1024, 2048 or 4096 (default: by size, as mke2fs)")
        .argParser(parseChoice([1024, 2048, 4096])),
    )
    .addOption(
      new Option("-I, --inode-size <bytes>", "128 or 256").argParser(parseChoice([128, 256]))
        .default(256),
    )
    .option("-L, --label <label>", "volume label (up to 16 bytes)")
    .option("-f, --force", "overwrite an existing image file")
    .action((output: string, opts: CreateOptions) => createCommand(output, opts));
  image.command("ls")
    .description("list a directory of an image (or one entry)")
    .argument("<image>", "the ext2 image")
    .argument("[path]", "path inside the image", "/")
    .option("-l, --long", "long format: mode, links, owner, group, size, mtime (UTC)")
    .action(listCommand);
  image.command("cat")
    .description("write a file of an image to stdout")
    .argument("<image>", "the ext2 image")
    .argument("<path>", "path inside the image")
    .action(catCommand);
  image.command("fsck")
    .description("check an image's consistency: problems one per line, exit 1 if any")
    .argument("<image>", "the ext2 image")
    .action(fsckCommand);
}
