// Host-side e2fsprogs oracles for the ext2 end-to-end tests: build an image from a directory
// (mke2fs -d), read what an image holds (debugfs stat, ls, cat, rdump), its superblock counts
// (dumpe2fs -h) and check it (e2fsck -fn). Everything works on the image file; nothing mounts.

import { join } from "node:path";

export interface HostResult {
  code: number;
  stdout: Uint8Array;
  stderr: string;
}

const decoder = new TextDecoder();

/** Run a host command to completion; a missing command is a clear error, not a stack trace. */
export async function host(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<HostResult> {
  try {
    const out = await new Deno.Command(cmd, {
      args,
      cwd: options.cwd,
      env: { DEBUGFS_PAGER: "__none__", PAGER: "cat", ...options.env },
      stdout: "piped",
      stderr: "piped",
    }).output();
    return { code: out.code, stdout: out.stdout, stderr: decoder.decode(out.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${cmd} is not installed (apt-get install e2fsprogs busybox-static)`);
    }
    throw e;
  }
}

/** Like host() but insists on exit status 0 and returns stdout as text. */
export async function hostText(cmd: string, args: string[], cwd?: string): Promise<string> {
  const out = await host(cmd, args, { cwd });
  if (out.code !== 0) {
    throw new Error(`${cmd} ${args.join(" ")} exited with ${out.code}: ${out.stderr.trim()}`);
  }
  return decoder.decode(out.stdout);
}

/** `mke2fs -q -t ext2 -b BLOCK -d SRC -F IMAGE SIZE`. */
export async function makeImage(
  src: string,
  image: string,
  size: string,
  blockSize = 1024,
): Promise<void> {
  await hostText("mke2fs", [
    "-q",
    "-t",
    "ext2",
    "-b",
    String(blockSize),
    "-d",
    src,
    "-F",
    image,
    size,
  ]);
}

/** One inode as debugfs reports it. `blocks` is i_blocks, in 512-byte units like st_blocks. */
export interface ImageInode {
  ino: number;
  type: string;
  /** Permission bits (the 12 low bits of i_mode). */
  perm: number;
  uid: number;
  gid: number;
  links: number;
  size: number;
  blocks: number;
  mtime: number;
  /** Every block it owns, data and indirect (debugfs's BLOCKS list). */
  blockList: number[];
}

const TYPE_BITS: Record<string, number> = {
  regular: 0o100000,
  directory: 0o040000,
  symlink: 0o120000,
  FIFO: 0o010000,
  socket: 0o140000,
  "character special": 0o020000,
  "block special": 0o060000,
};

/** st_mode of an ImageInode. */
export function imageMode(inode: ImageInode): number {
  return (TYPE_BITS[inode.type] ?? 0) | inode.perm;
}

/** debugfs quotes arguments with double quotes; our test trees never use one in a name. */
function quote(path: string): string {
  if (path.includes('"')) throw new Error(`debugfs cannot quote ${path}`);
  return `"${path}"`;
}

/** Run debugfs commands in one process; returns each command's output, in order. */
export async function debugfsBatch(image: string, commands: string[]): Promise<string[]> {
  const dir = await Deno.makeTempDir({ prefix: "debugfs-" });
  try {
    const file = join(dir, "commands");
    await Deno.writeTextFile(file, commands.join("\n") + "\n");
    const out = await host("debugfs", ["-f", file, image]);
    if (out.code !== 0) throw new Error(`debugfs failed on ${image}: ${out.stderr.trim()}`);
    const sections = decoder.decode(out.stdout).split(/^debugfs: /m).slice(1);
    if (sections.length !== commands.length) {
      throw new Error(`debugfs answered ${sections.length} of ${commands.length} commands`);
    }
    return sections.map((s) => s.slice(s.indexOf("\n") + 1));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function parseStat(path: string, text: string): ImageInode {
  const field = (re: RegExp) => {
    const m = text.match(re);
    if (!m) throw new Error(`debugfs stat ${path}: ${text.trim().split("\n")[0] || "no output"}`);
    return m;
  };
  const head = field(/^Inode: (\d+)\s+Type: (.+?)\s+Mode:\s+(\d+)/m);
  const owner = field(/^User:\s+(\d+)\s+Group:\s+(\d+)(?:\s+Project:\s+\d+)?\s+Size: (\d+)/m);
  const links = field(/^Links: (\d+)\s+Blockcount: (\d+)/m);
  const mtime = field(/^\s*mtime: 0x([0-9a-f]+)/m);
  return {
    ino: Number(head[1]),
    type: head[2],
    perm: parseInt(head[3], 8),
    uid: Number(owner[1]),
    gid: Number(owner[2]),
    size: Number(owner[3]),
    links: Number(links[1]),
    blocks: Number(links[2]),
    mtime: parseInt(mtime[1], 16),
    blockList: ownedBlocks(text),
  };
}

/** The blocks in the BLOCKS list of debugfs `stat` ("(0-11):563-574, (IND):575, ..."). */
function ownedBlocks(statText: string): number[] {
  const list = statText.split(/^BLOCKS:\n/m)[1]?.split("\n")[0] ?? "";
  const blocks: number[] = [];
  for (const m of list.matchAll(/\([^)]*\):(\d+)(?:-(\d+))?/g)) {
    for (let b = Number(m[1]); b <= Number(m[2] ?? m[1]); b++) blocks.push(b);
  }
  return blocks;
}

/** debugfs `stat` of each absolute image path. */
export async function imageStats(image: string, paths: string[]): Promise<Map<string, ImageInode>> {
  const answers = await debugfsBatch(image, paths.map((p) => `stat ${quote(p)}`));
  return new Map(paths.map((p, i) => [p, parseStat(p, answers[i])]));
}

export interface ImageDirEntry {
  name: string;
  ino: number;
  mode: number;
}

/** The entries of each directory in on-disk order (what readdir returns), without . and ... */
export async function imageDirectories(
  image: string,
  dirs: string[],
): Promise<Map<string, ImageDirEntry[]>> {
  const answers = await debugfsBatch(image, dirs.map((d) => `ls -p ${quote(d)}`));
  return new Map(dirs.map((dir, i) => {
    const entries: ImageDirEntry[] = [];
    for (const line of answers[i].split("\n")) {
      // "/ino/mode/uid/gid/name/size/"; a name cannot hold "/".
      const parts = line.split("/");
      if (parts.length !== 8 || parts[0] !== "" || parts[7] !== "") continue;
      const name = parts[5];
      if (name === "." || name === "..") continue;
      entries.push({ name, ino: Number(parts[1]), mode: parseInt(parts[2], 8) });
    }
    if (!answers[i].includes("/./")) throw new Error(`debugfs ls ${dir}: ${answers[i].trim()}`);
    return [dir, entries];
  }));
}

/** The bytes of one file in the image (`debugfs -R "cat PATH"`). */
export async function imageCat(image: string, path: string): Promise<Uint8Array> {
  const out = await host("debugfs", ["-R", `cat ${quote(path)}`, image]);
  if (out.code !== 0) throw new Error(`debugfs cat ${path}: ${out.stderr.trim()}`);
  return out.stdout;
}

/**
 * Copy an image directory into host directory `dest` (created) with debugfs rdump: it lands at
 * dest/<last name of path>, modes and file mtimes kept.
 */
export async function imageDump(image: string, path: string, dest: string): Promise<void> {
  await Deno.mkdir(dest, { recursive: true });
  const out = await host("debugfs", ["-R", `rdump ${quote(path)} ${quote(dest)}`, image]);
  if (out.code !== 0 || /rdump: /.test(out.stderr)) {
    throw new Error(`debugfs rdump ${path}: ${out.stderr.trim()}`);
  }
}

/** `dumpe2fs -h` fields by name ("Block count" -> "32768"). */
export async function superblockFields(image: string): Promise<Map<string, string>> {
  const text = await hostText("dumpe2fs", ["-h", image]);
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = line.match(/^([^:]+):\s*(.*)$/);
    if (m) fields.set(m[1].trim(), m[2].trim());
  }
  return fields;
}

/** `e2fsck -fn IMAGE`: its exit status and everything it printed. */
export async function fsck(image: string): Promise<{ code: number; output: string }> {
  const out = await host("e2fsck", ["-fn", image]);
  return { code: out.code, output: decoder.decode(out.stdout) + out.stderr };
}
