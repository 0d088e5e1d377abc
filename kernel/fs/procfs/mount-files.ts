// /proc/<pid>/mounts (the fstab-like lines of show_vfsmnt) and /proc/<pid>/mountinfo
// (show_mountinfo): every mount visible from the process's root, with mount points shown
// relative to that root and mangled (space, tab, newline and backslash as octal escapes).

import type { Path } from "../dentry.ts";
import { samePath } from "../dentry.ts";
import { devMajor, devMinor } from "../inode.ts";
import { type Mount, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY } from "../mount.ts";
import { pathString } from "../path-walk.ts";
import { mangle } from "./proc-context.ts";

/** Is `p` at or below `root` (reachable through ".." from p up to root)? */
function isBelow(p: Path, root: Path): boolean {
  let cur = p;
  for (let guard = 0; guard < 4096; guard++) {
    if (samePath(cur, root)) return true;
    if (cur.dentry === cur.mount.root) {
      if (cur.mount.parent === null || cur.mount.mountpoint === null) return false;
      cur = { mount: cur.mount.parent, dentry: cur.mount.mountpoint };
      continue;
    }
    if (cur.dentry.parent === null) return false;
    cur = { mount: cur.mount, dentry: cur.dentry.parent };
  }
  return false;
}

/** show_mnt_opts: the per-mount flags after "rw"/"ro"; atime updates are relatime here. */
function mountFlags(m: Mount): string {
  let text = "";
  if (m.flags & MS_NOSUID) text += ",nosuid";
  if (m.flags & MS_NODEV) text += ",nodev";
  if (m.flags & MS_NOEXEC) text += ",noexec";
  return text + ",relatime";
}

function visibleMounts(mounts: readonly Mount[], root: Path): { m: Mount; at: string }[] {
  const out: { m: Mount; at: string }[] = [];
  for (const m of mounts) {
    const top: Path = { mount: m, dentry: m.root };
    if (!isBelow(top, root)) continue;
    out.push({ m, at: pathString(top, root) });
  }
  return out;
}

/** /proc/<pid>/mounts as seen from `root`. */
export function mountsText(mounts: readonly Mount[], root: Path): string {
  return visibleMounts(mounts, root).map(({ m, at }) => {
    const mode = m.readOnly ? "ro" : "rw";
    return `${mangle(m.fs.source || "none")} ${mangle(at)} ${m.fs.type} ${mode}${
      mountFlags(m)
    } 0 0\n`;
  }).join("");
}

/** /proc/<pid>/mountinfo as seen from `root`. */
export function mountinfoText(mounts: readonly Mount[], root: Path): string {
  return visibleMounts(mounts, root).map(({ m, at }) => {
    const parentId = m.parent?.id ?? m.id;
    const dev = `${devMajor(m.fs.dev)}:${devMinor(m.fs.dev)}`;
    const mountMode = m.flags & MS_RDONLY ? "ro" : "rw";
    const superMode = m.fs.readOnly ? "ro" : "rw";
    return `${m.id} ${parentId} ${dev} / ${mangle(at)} ${mountMode}${mountFlags(m)} - ` +
      `${m.fs.type} ${mangle(m.fs.source || "none")} ${superMode}\n`;
  }).join("");
}
