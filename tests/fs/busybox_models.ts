// What busybox's ls -lnR, find and du print for a directory tree, computed from the tree's
// inodes and readdir order. The ext2 end-to-end test builds the tree twice: from the host copy
// (lstat + readdir), where the model must reproduce native busybox's output exactly (which checks
// the model), and from the image through debugfs, where it gives the numbers and order an ext2
// filesystem must show (block counts and directory sizes differ between ext2 and the host's fs).

import { join } from "node:path";
import { imageDirectories, type ImageInode, imageMode, imageStats } from "./e2fs_tools.ts";

/** One entry of a tree: what lstat says, and a directory's entries in readdir order. */
export interface FsNode {
  name: string;
  ino: number;
  mode: number;
  nlink: number;
  size: number;
  /** st_blocks: 512-byte units. */
  blocks: number;
  children: FsNode[];
}

const S_IFMT = 0o170000, S_IFDIR = 0o040000;
export const isDirNode = (n: FsNode) => (n.mode & S_IFMT) === S_IFDIR;

/** The host tree at `path`, children in the order the host's getdents gives them. */
export function hostTree(path: string, name = path): FsNode {
  const st = Deno.lstatSync(path);
  const node: FsNode = {
    name,
    ino: st.ino ?? 0,
    mode: st.mode ?? 0,
    nlink: st.nlink ?? 0,
    size: st.size,
    blocks: st.blocks ?? 0,
    children: [],
  };
  if (st.isDirectory) {
    for (const entry of Deno.readDirSync(path)) {
      node.children.push(hostTree(join(path, entry.name), entry.name));
    }
  }
  return node;
}

function fromInode(name: string, inode: ImageInode): FsNode {
  return {
    name,
    ino: inode.ino,
    mode: imageMode(inode),
    nlink: inode.links,
    size: inode.size,
    blocks: inode.blocks,
    children: [],
  };
}

/** The image's tree at absolute `path`, children in on-disk directory order (debugfs ls). */
export async function imageTree(image: string, path: string, name = path): Promise<FsNode> {
  const root = fromInode(name, (await imageStats(image, [path])).get(path)!);
  let level: { node: FsNode; path: string }[] = [{ node: root, path }];
  while (level.length > 0) {
    const listings = await imageDirectories(image, level.map((d) => d.path));
    const childPaths: string[] = [];
    for (const dir of level) {
      for (const e of listings.get(dir.path)!) childPaths.push(`${dir.path}/${e.name}`);
    }
    const stats = await imageStats(image, childPaths);
    const next: { node: FsNode; path: string }[] = [];
    for (const dir of level) {
      for (const e of listings.get(dir.path)!) {
        const childPath = `${dir.path}/${e.name}`;
        const child = fromInode(e.name, stats.get(childPath)!);
        dir.node.children.push(child);
        if (isDirNode(child)) next.push({ node: child, path: childPath });
      }
    }
    level = next;
  }
  return root;
}

/** `find PATH`: pre-order, each directory's entries in readdir order. */
export function findOutput(node: FsNode, path: string): string {
  const lines: string[] = [];
  const walk = (n: FsNode, p: string) => {
    lines.push(p);
    for (const c of n.children) walk(c, `${p}/${c.name}`);
  };
  walk(node, path);
  return lines.map((l) => l + "\n").join("");
}

/**
 * `du -a PATH`: post-order; st_blocks rounded to KiB as busybox does ((blocks + 1) / 2); an
 * inode with several links (directories included) counts and prints only the first time.
 */
export function duOutput(node: FsNode, path: string): string {
  const lines: string[] = [];
  const seen = new Set<number>();
  const walk = (n: FsNode, p: string): number => {
    if (n.nlink > 1) {
      if (seen.has(n.ino)) return 0;
      seen.add(n.ino);
    }
    let sum = n.blocks;
    for (const c of n.children) sum += walk(c, `${p}/${c.name}`);
    lines.push(`${Math.floor((sum + 1) / 2)}\t${p}`);
    return sum;
  };
  walk(node, path);
  return lines.map((l) => l + "\n").join("");
}

const LS_ENTRY =
  /^([-dlcbps][-rwxsStT]{9})(\s+\d+\s+\d+\s+\d+)(\s+)(\d+) (\w{3} [ \d]\d (?:[ \d]\d:\d\d| \d{4})) (.*)$/;

function nodeAt(root: FsNode, rootPath: string, path: string): FsNode | undefined {
  if (path === rootPath) return root;
  if (!path.startsWith(rootPath + "/")) return undefined;
  let node: FsNode | undefined = root;
  for (const name of path.slice(rootPath.length + 1).split("/")) {
    node = node?.children.find((c) => c.name === name);
  }
  return node;
}

/**
 * Native `ls -lnR ROOT` output with the filesystem-dependent numbers (each directory's size and
 * each "total" line, busybox's (sum of st_blocks + 1) / 2 over the entries it shows) replaced by
 * the values `tree` holds, and every date replaced by "DATE" when `maskDates`.
 */
export function lsWithNumbersOf(
  nativeLs: string,
  tree: FsNode,
  rootPath: string,
  maskDates = false,
): string {
  let dir: FsNode | undefined;
  const out: string[] = [];
  for (const line of nativeLs.split("\n")) {
    const header = line.match(/^(.*):$/);
    if (header && !LS_ENTRY.test(line)) {
      dir = nodeAt(tree, rootPath, header[1]);
      if (dir === undefined) throw new Error(`ls listed ${header[1]}, which is not in the tree`);
      out.push(line);
      continue;
    }
    if (line.startsWith("total ") && dir !== undefined) {
      const shown = dir.children.filter((c) => !c.name.startsWith("."));
      const blocks = shown.reduce((sum, c) => sum + c.blocks, 0);
      out.push(`total ${Math.floor((blocks + 1) / 2)}`);
      continue;
    }
    const m = line.match(LS_ENTRY);
    if (m && dir !== undefined) {
      let size = m[4];
      if (m[1].startsWith("d")) {
        const child = dir.children.find((c) => c.name === m[6]);
        if (child === undefined) throw new Error(`ls showed ${m[6]}, which is not in the tree`);
        size = String(child.size);
      }
      const width = m[3].length + m[4].length;
      const date = maskDates ? "DATE" : m[5];
      out.push(`${m[1]}${m[2]} ${size.padStart(width - 1)} ${date} ${m[6]}`);
      continue;
    }
    out.push(line);
  }
  return out.join("\n");
}

/** Replace every ls date with "DATE" (for listings taken after changes made "now"). */
export function maskLsDates(ls: string): string {
  return ls.split("\n").map((line) => {
    const m = line.match(LS_ENTRY);
    return m ? `${m[1]}${m[2]}${m[3]}${m[4]} DATE ${m[6]}` : line;
  }).join("\n");
}
