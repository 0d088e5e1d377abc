// User and group identity syscalls: get{,e}{u,g}id, getres{u,g}id, getgroups, and the set*id
// family with Linux's rules. Capabilities follow the traditional root model: a process holds
// CAP_SETUID/CAP_SETGID exactly while its effective uid is 0 (the state Linux's
// cap_emulate_setxuid keeps when no securebits are set).

import { EINVAL, EPERM } from "../errno.ts";
import type { Credentials, Process } from "../proc/process.ts";
import type { SyscallFamily } from "./args.ts";

/** (uid_t)-1: "leave unchanged" for the set*id calls, never a valid id. */
const NO_ID = 0xffffffff;
export const NGROUPS_MAX = 65536;

function privileged(creds: Credentials): boolean {
  return creds.euid === 0;
}

/**
 * Install new credentials. Like commit_creds(), a change of effective or filesystem ids makes
 * the process non-dumpable (fs.suid_dumpable is 0).
 */
function commit(proc: Process, next: Credentials): number {
  const old = proc.creds;
  if (
    old.euid !== next.euid || old.egid !== next.egid || old.fsuid !== next.fsuid ||
    old.fsgid !== next.fsgid
  ) proc.dumpable = 0;
  proc.creds = next;
  return 0;
}

function writeIds(proc: Process, addrs: number[], ids: number[]): number {
  // put_user one after the other: an earlier id is stored even if a later pointer faults.
  addrs.forEach((addr, i) => proc.user.writeU32(addr, ids[i]));
  return 0;
}

/** setresuid/setresgid: each of r/e/s may be NO_ID; a new value must be one of the old three. */
function setRes(proc: Process, ids: number[], kind: "uid" | "gid"): number {
  const old = proc.creds;
  const current = kind === "uid" ? [old.uid, old.euid, old.suid] : [old.gid, old.egid, old.sgid];
  const fs = kind === "uid" ? old.fsuid : old.fsgid;
  const [r, e, s] = ids;
  const noop = (r === NO_ID || r === current[0]) &&
    (e === NO_ID || (e === current[1] && e === fs)) && (s === NO_ID || s === current[2]);
  if (noop) return 0;
  const isNew = (id: number) => id !== NO_ID && !current.includes(id);
  if ((isNew(r) || isNew(e) || isNew(s)) && !privileged(old)) return -EPERM;
  const next = { ...old };
  const [nr, ne, ns] = [r, e, s].map((id, i) => id === NO_ID ? current[i] : id);
  if (kind === "uid") Object.assign(next, { uid: nr, euid: ne, suid: ns, fsuid: ne });
  else Object.assign(next, { gid: nr, egid: ne, sgid: ns, fsgid: ne });
  return commit(proc, next);
}

/** setreuid/setregid. */
function setRe(proc: Process, r: number, e: number, kind: "uid" | "gid"): number {
  const old = proc.creds;
  const [real, eff, saved] = kind === "uid"
    ? [old.uid, old.euid, old.suid]
    : [old.gid, old.egid, old.sgid];
  const priv = privileged(old);
  let [nr, ne] = [real, eff];
  if (r !== NO_ID) {
    if (r !== real && r !== eff && !priv) return -EPERM;
    nr = r;
  }
  if (e !== NO_ID) {
    if (e !== real && e !== eff && e !== saved && !priv) return -EPERM;
    ne = e;
  }
  // The saved id follows the effective one when the real id is set or the effective id
  // moves away from the old real id.
  const ns = r !== NO_ID || (e !== NO_ID && e !== real) ? ne : saved;
  const next = { ...old };
  if (kind === "uid") Object.assign(next, { uid: nr, euid: ne, suid: ns, fsuid: ne });
  else Object.assign(next, { gid: nr, egid: ne, sgid: ns, fsgid: ne });
  return commit(proc, next);
}

export const credentialSyscalls: SyscallFamily = {
  getuid: (task) => task.proc.creds.uid,
  geteuid: (task) => task.proc.creds.euid,
  getgid: (task) => task.proc.creds.gid,
  getegid: (task) => task.proc.creds.egid,

  getresuid(task, a) {
    const c = task.proc.creds;
    return writeIds(task.proc, [a.u64(0), a.u64(1), a.u64(2)], [c.uid, c.euid, c.suid]);
  },

  getresgid(task, a) {
    const c = task.proc.creds;
    return writeIds(task.proc, [a.u64(0), a.u64(1), a.u64(2)], [c.gid, c.egid, c.sgid]);
  },

  getgroups(task, a) {
    const size = a.int(0);
    if (size < 0) return -EINVAL;
    const groups = task.proc.creds.groups;
    if (size === 0) return groups.length;
    if (groups.length > size) return -EINVAL;
    const out = new Uint8Array(groups.length * 4);
    const dv = new DataView(out.buffer);
    groups.forEach((gid, i) => dv.setUint32(i * 4, gid, true));
    task.proc.user.write(a.u64(1), out);
    return groups.length;
  },

  setgroups(task, a) {
    const size = a.int(0);
    const list = a.u64(1);
    if (!privileged(task.proc.creds)) return -EPERM;
    if (size >>> 0 > NGROUPS_MAX) return -EINVAL;
    const groups: number[] = [];
    for (let i = 0; i < size; i++) {
      const gid = task.proc.user.u32(list + i * 4);
      if (gid === NO_ID) return -EINVAL;
      groups.push(gid);
    }
    // The kernel keeps the list sorted (groups_sort); getgroups returns it that way.
    groups.sort((x, y) => x - y);
    return commit(task.proc, { ...task.proc.creds, groups });
  },

  setuid(task, a) {
    const uid = a.uint(0);
    if (uid === NO_ID) return -EINVAL;
    const old = task.proc.creds;
    const next = { ...old };
    if (privileged(old)) {
      next.uid = next.suid = uid;
    } else if (uid !== old.uid && uid !== old.suid) return -EPERM;
    next.euid = next.fsuid = uid;
    return commit(task.proc, next);
  },

  setgid(task, a) {
    const gid = a.uint(0);
    if (gid === NO_ID) return -EINVAL;
    const old = task.proc.creds;
    const next = { ...old };
    if (privileged(old)) {
      next.gid = next.sgid = gid;
    } else if (gid !== old.gid && gid !== old.sgid) return -EPERM;
    next.egid = next.fsgid = gid;
    return commit(task.proc, next);
  },

  setreuid: (task, a) => setRe(task.proc, a.uint(0), a.uint(1), "uid"),
  setregid: (task, a) => setRe(task.proc, a.uint(0), a.uint(1), "gid"),
  setresuid: (task, a) => setRes(task.proc, [a.uint(0), a.uint(1), a.uint(2)], "uid"),
  setresgid: (task, a) => setRes(task.proc, [a.uint(0), a.uint(1), a.uint(2)], "gid"),

  /** Returns the previous fsuid whether or not the change was allowed. */
  setfsuid(task, a) {
    const uid = a.uint(0);
    const old = task.proc.creds;
    const allowed = uid === old.uid || uid === old.euid || uid === old.suid ||
      uid === old.fsuid || privileged(old);
    if (uid !== NO_ID && allowed && uid !== old.fsuid) commit(task.proc, { ...old, fsuid: uid });
    return old.fsuid;
  },

  setfsgid(task, a) {
    const gid = a.uint(0);
    const old = task.proc.creds;
    const allowed = gid === old.gid || gid === old.egid || gid === old.sgid ||
      gid === old.fsgid || privileged(old);
    if (gid !== NO_ID && allowed && gid !== old.fsgid) commit(task.proc, { ...old, fsgid: gid });
    return old.fsgid;
  },
};
