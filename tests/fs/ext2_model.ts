// A write workload's expected result: every operation goes through the Inode API (as the VFS
// would call it, evicting inodes whose last link went) and into a model of the tree, which is
// then compared with what e2fsprogs' debugfs dumps from the image.

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { join } from "node:path";
import type { Ext2FileSystem } from "../../kernel/fs/ext2/ext2-fs.ts";
import type { Ext2Inode } from "../../kernel/fs/ext2/ext2-inode.ts";
import { isDir, S_IFDIR, S_IFREG } from "../../kernel/fs/inode.ts";
import { kname, mustLookup, parentOf, readAll, sh } from "./ext2_helpers.ts";

interface FileModel {
  data: Uint8Array;
}

type Node =
  | { kind: "file"; file: FileModel }
  | { kind: "dir" }
  | { kind: "symlink"; target: string }
  | { kind: "special" };

export class Workload {
  readonly tree = new Map<string, Node>([["", { kind: "dir" }]]);

  constructor(public fs: Ext2FileSystem) {}

  private gone(inode: Ext2Inode): void {
    if (inode.nlink === 0) inode.evict();
  }

  mkdir(path: string): void {
    const { dir, name } = parentOf(this.fs, path);
    dir.mkdir(name, 0o755, 1000, 1000);
    this.tree.set(path, { kind: "dir" });
  }

  /** Write `data` at `offset`, creating the file when it does not exist. */
  write(path: string, data: Uint8Array, offset = 0): void {
    const { dir, name } = parentOf(this.fs, path);
    const inode =
      (dir.lookup(name) ?? dir.create(name, S_IFREG | 0o644, 1000, 100, 0)) as Ext2Inode;
    assert.equal(inode.write(offset, data), data.length);
    let node = this.tree.get(path);
    if (!node) {
      node = { kind: "file", file: { data: new Uint8Array(0) } };
      this.tree.set(path, node);
    }
    assert.equal(node.kind, "file");
    const file = (node as { file: FileModel }).file;
    const end = Math.max(file.data.length, offset + data.length);
    const next = new Uint8Array(end);
    next.set(file.data);
    next.set(data, offset);
    file.data = next;
  }

  truncate(path: string, size: number): void {
    mustLookup(this.fs, path).truncate(size);
    const file = (this.tree.get(path) as { file: FileModel }).file;
    const next = new Uint8Array(size);
    next.set(file.data.subarray(0, Math.min(size, file.data.length)));
    file.data = next;
  }

  symlink(path: string, target: string): void {
    const { dir, name } = parentOf(this.fs, path);
    dir.symlink(name, kname(target), 0, 0);
    this.tree.set(path, { kind: "symlink", target });
  }

  special(path: string, mode: number, rdev: number): void {
    const { dir, name } = parentOf(this.fs, path);
    dir.create(name, mode, 0, 0, rdev);
    this.tree.set(path, { kind: "special" });
  }

  link(existing: string, path: string): void {
    const { dir, name } = parentOf(this.fs, path);
    dir.link(name, mustLookup(this.fs, existing));
    this.tree.set(path, this.tree.get(existing)!);
  }

  unlink(path: string): void {
    const inode = mustLookup(this.fs, path);
    const { dir, name } = parentOf(this.fs, path);
    dir.unlink(name);
    this.gone(inode);
    this.tree.delete(path);
  }

  rmdir(path: string): void {
    const inode = mustLookup(this.fs, path);
    const { dir, name } = parentOf(this.fs, path);
    dir.rmdir(name);
    this.gone(inode);
    this.tree.delete(path);
  }

  private moveKeys(from: string, to: string, into: Map<string, Node>): void {
    for (const [key, node] of [...this.tree]) {
      if (key === from || key.startsWith(from + "/")) {
        this.tree.delete(key);
        into.set(to + key.slice(from.length), node);
      }
    }
  }

  rename(from: string, to: string, exchange = false): void {
    const a = parentOf(this.fs, from), b = parentOf(this.fs, to);
    const replaced = b.dir.lookup(b.name) as Ext2Inode | null;
    a.dir.rename(a.name, b.dir, b.name, exchange);
    const moved = new Map<string, Node>();
    if (exchange) {
      const back = new Map<string, Node>();
      this.moveKeys(from, to, moved);
      this.moveKeys(to, from, back);
      for (const [k, v] of back) this.tree.set(k, v);
    } else {
      if (replaced) {
        this.gone(replaced);
        for (const key of [...this.tree.keys()]) {
          if (key === to || key.startsWith(to + "/")) this.tree.delete(key);
        }
      }
      this.moveKeys(from, to, moved);
    }
    for (const [k, v] of moved) this.tree.set(k, v);
  }

  /** Read every modelled file and symlink back through the API. */
  verifyThroughApi(skip: (path: string) => boolean = () => false): void {
    for (const [path, node] of this.tree) {
      if (skip(path)) continue;
      const inode = mustLookup(this.fs, path);
      if (node.kind === "file") {
        assert.equal(inode.size, node.file.data.length, `${path}: size`);
        assert.ok(Buffer.compare(readAll(inode), node.file.data) === 0, `${path}: contents`);
      } else if (node.kind === "symlink") assert.equal(inode.readlink(), kname(node.target));
      else if (node.kind === "dir") {
        assert.ok(isDir(inode.mode), path);
        assert.equal(inode.mode & S_IFDIR, S_IFDIR);
      }
    }
  }

  /**
   * rdump `dir` (a top-level directory) with debugfs and compare with the model: the same
   * paths, file contents and symlink targets.
   */
  async compareDump(image: string, dir: string, scratch: string): Promise<number> {
    const out = join(scratch, `dump-${dir}-${crypto.randomUUID()}`);
    Deno.mkdirSync(out);
    const r = await sh("debugfs", ["-R", `rdump /${dir} ${out}`, image]);
    assert.equal(r.code, 0, r.stderr);
    const seen = new Set<string>();
    const walk = (host: string, rel: string) => {
      for (const entry of Deno.readDirSync(host)) {
        const path = `${rel}/${entry.name}`;
        const full = join(host, entry.name);
        const node = this.tree.get(path);
        assert.ok(node, `debugfs shows ${path}, which the workload does not have`);
        seen.add(path);
        const st = Deno.lstatSync(full);
        if (node.kind === "file") {
          assert.ok(st.isFile, `${path} should be a file`);
          const same = Buffer.compare(Deno.readFileSync(full), node.file.data) === 0;
          assert.ok(same, `${path}: debugfs reads different contents`);
        } else if (node.kind === "symlink") {
          assert.ok(st.isSymlink, `${path} should be a symlink`);
          assert.equal(Deno.readLinkSync(full), node.target);
        } else if (node.kind === "dir") {
          assert.ok(st.isDirectory, `${path} should be a directory`);
          walk(full, path);
        }
      }
    };
    walk(join(out, dir), `/${dir}`.replace(/^\//, "/"));
    for (const key of this.tree.keys()) {
      const node = this.tree.get(key)!;
      if (key.startsWith(`/${dir}/`) && node.kind !== "special") {
        assert.ok(seen.has(key), `${key} is missing from the image`);
      }
    }
    await Deno.remove(out, { recursive: true });
    return seen.size;
  }
}
