// struct rusage as getrusage, wait4 and waitid write it: user and system time as timevals, then
// fourteen longs of which Linux fills maxrss, minflt, majflt, inblock, oublock, nvcsw and nivcsw.

import type { Usage } from "../proc/process.ts";
import { setI64 } from "../le64.ts";

export const RUSAGE_SIZE = 144;

export function encodeRusage(usage: Usage): Uint8Array {
  const out = new Uint8Array(RUSAGE_SIZE);
  const dv = new DataView(out.buffer);
  const timeval = (offset: number, ms: number) => {
    const us = Math.floor(ms * 1000);
    setI64(dv, offset, Math.floor(us / 1_000_000));
    setI64(dv, offset + 8, us % 1_000_000);
  };
  timeval(0, usage.userMs);
  timeval(16, usage.systemMs);
  setI64(dv, 32, usage.maxRssKb);
  setI64(dv, 64, usage.minorFaults);
  setI64(dv, 128, usage.voluntarySwitches);
  setI64(dv, 136, usage.involuntarySwitches);
  return out;
}
