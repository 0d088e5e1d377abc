// File benchmark, the second part of `deno task bench`: runs bench/files (built from
// userland/files/files.c by `deno task build:compute`; write, fsync and read a 64 MiB file, then
// create, stat and unlink 10,000 small files, each phase timed inside the program) on a memory
// filesystem and on a disk filesystem, natively, under qemu-x86_64 and under NexaOS, and prints
// the best of N runs with the slowdown against native. Every platform must print the same
// checksums (the read phase checks the data it reads back).
//
// Memory: native and qemu use a directory in /dev/shm (the host's tmpfs); NexaOS the in-memory
// root's /tmp (its tmpfs). Disk: native and qemu use a temporary directory on the host's
// filesystem (its type is printed); NexaOS an ext2 image with 4 KiB blocks in a host file,
// mounted with --disk, so the disk rows compare different filesystems on the same host disk.

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { HostImageDevice } from "../kernel/host/image-file.ts";
import { bufferInput, collectOutput, runProgram } from "../kernel/run-program.ts";
import {
  bestOf,
  checksumMismatches,
  formatTable,
  type KernelTiming,
  parseComputeOutput,
  type PlatformResult,
} from "./compute.ts";

export interface FileBenchOptions {
  runs: number;
  markdown: boolean;
  qemu: boolean;
  nexaos: boolean;
}

const BINARY = fileURLToPath(new URL("files", import.meta.url));
const MIB = 64;
const SMALL_FILES = 10_000;
const IMAGE_SIZE = "256M";
const DISK_MOUNT = "/mnt";

interface Target {
  /** Row prefix: "memory" or "disk". */
  label: string;
  /** The directory natively and under qemu. */
  hostDir: string;
  /** The directory under NexaOS, and the image to mount at DISK_MOUNT if any. */
  guestDir: string;
  image?: string;
}

async function output(cmd: string, args: string[]): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`${cmd} is not installed`);
    throw e;
  }
  if (!out.success) {
    const stderr = new TextDecoder().decode(out.stderr).trim().split("\n")[0];
    throw new Error(`${cmd} ${args.join(" ")} exited with ${out.code}: ${stderr}`);
  }
  return new TextDecoder().decode(out.stdout);
}

async function runNexaos(image: Uint8Array, target: Target): Promise<KernelTiming[]> {
  const out = collectOutput(), err = collectOutput();
  const args = [target.guestDir, String(MIB), String(SMALL_FILES)];
  const result = await runProgram({
    image,
    exePath: BINARY,
    argv: [BINARY, ...args],
    env: [],
    files: target.image === undefined ? {} : {
      disks: [{ image: target.image, mountPoint: DISK_MOUNT, readOnly: false }],
      openDisk: (disk) => new HostImageDevice(disk.image, disk.readOnly),
    },
    stdin: bufferInput(new Uint8Array()),
    stdout: out.sink,
    stderr: err.sink,
  });
  if (result.status !== 0) {
    const stderr = err.text().trim().split("\n")[0];
    throw new Error(`under NexaOS the program ended with status ${result.status}: ${stderr}`);
  }
  return parseComputeOutput(out.text());
}

/** The same platform's results on every target, one row per target and phase. */
function merge(label: string, perTarget: [Target, PlatformResult][]): PlatformResult {
  return {
    label,
    kernels: perTarget.flatMap(([target, r]) =>
      r.kernels.map((k) => ({ ...k, name: `${target.label} ${k.name}` }))
    ),
  };
}

async function bestOfRuns(
  label: string,
  runs: number,
  once: () => Promise<KernelTiming[]>,
): Promise<PlatformResult> {
  const results: KernelTiming[][] = [];
  for (let i = 0; i < runs; i++) results.push(await once());
  return bestOf(label, results);
}

/** The mount table's type of the filesystem holding `dir` ("ext4", "tmpfs"). */
async function hostFsType(dir: string): Promise<string> {
  const text = await output("df", ["--output=fstype", dir]).catch(() => "");
  return text.trim().split("\n")[1]?.trim() || "unknown";
}

/** Run the file benchmark and print its table; false when a platform failed or disagreed. */
export async function runFileBenchmark(options: FileBenchOptions): Promise<boolean> {
  const image = await Deno.readFile(BINARY).catch(() => {
    throw new Error("bench/files is missing: run deno task build:compute");
  });
  const progress = (text: string) => console.error(text);
  const notes: string[] = [];
  const work = await Deno.makeTempDir({ prefix: "nexaos-files-" });
  // Through mktemp and rm: Deno wants --allow-all for anything under /dev.
  const shm = (await output("mktemp", ["-d", "-p", "/dev/shm", "nexaos-files-XXXXXX"]).catch(
    (e) => {
      throw new Error(`no folder in /dev/shm for the memory runs: ${e.message}`);
    },
  )).trim();
  try {
    const diskImage = join(work, "disk.ext2");
    await output("mke2fs", ["-q", "-t", "ext2", "-b", "4096", "-F", diskImage, IMAGE_SIZE]);
    const hostDisk = join(work, "dir");
    await Deno.mkdir(hostDisk);
    const targets: Target[] = [
      { label: "memory", hostDir: shm, guestDir: "/tmp" },
      { label: "disk", hostDir: hostDisk, guestDir: DISK_MOUNT, image: diskImage },
    ];
    const args = (t: Target) => [t.hostDir, String(MIB), String(SMALL_FILES)];

    const nativeRuns: [Target, PlatformResult][] = [];
    for (const t of targets) {
      progress(`native: ${options.runs} run(s) of bench/files on ${t.label}`);
      nativeRuns.push([
        t,
        await bestOfRuns(
          "native",
          options.runs,
          async () => parseComputeOutput(await output(BINARY, args(t))),
        ),
      ]);
    }
    const native = merge("native", nativeRuns);
    const others: PlatformResult[] = [];

    if (!options.qemu) notes.push("qemu: skipped (--no-qemu)");
    else {
      const qemuRuns: [Target, PlatformResult][] = [];
      try {
        for (const t of targets) {
          progress(`qemu-x86_64: ${options.runs} run(s) on ${t.label}`);
          qemuRuns.push([
            t,
            await bestOfRuns(
              "qemu",
              options.runs,
              async () => parseComputeOutput(await output("qemu-x86_64", [BINARY, ...args(t)])),
            ),
          ]);
        }
        others.push(merge("qemu", qemuRuns));
      } catch (e) {
        notes.push(`qemu: skipped, ${e instanceof Error ? e.message : e}`);
      }
    }

    let failure: string | undefined;
    if (!options.nexaos) notes.push("NexaOS: skipped (--no-nexaos)");
    else {
      try {
        const nexaosRuns: [Target, PlatformResult][] = [];
        for (const t of targets) {
          progress(`NexaOS: ${options.runs} run(s) on ${t.label}`);
          nexaosRuns.push([
            t,
            await bestOfRuns("NexaOS", options.runs, () => runNexaos(image, t)),
          ]);
        }
        others.push(merge("NexaOS", nexaosRuns));
      } catch (e) {
        failure = `NexaOS: ${e instanceof Error ? e.message : e}`;
      }
    }

    const mismatches = checksumMismatches(native, others);
    console.log("");
    console.log(
      `file benchmark: bench/files DIR ${MIB} ${SMALL_FILES}, best of ${options.runs} run(s)`,
    );
    if (options.markdown) console.log("");
    console.log(formatTable(native, others, mismatches, options.markdown, "workload"));
    if (options.markdown) console.log("");
    console.log(
      `memory: native and qemu in /dev/shm (${await hostFsType(shm)}), NexaOS in its ` +
        "in-memory root's /tmp (tmpfs)",
    );
    console.log(
      `disk: native and qemu in a directory on the host's ${await hostFsType(hostDisk)} ` +
        `filesystem; NexaOS on an ext2 image (4 KiB blocks, ${IMAGE_SIZE}) in a file on it ` +
        "(--disk); fsync under NexaOS ends in fsync(2) of the image file",
    );
    for (const note of notes) console.log(note);
    if (failure) console.error(`FAILED ${failure}`);
    for (const m of mismatches) console.error(`CHECKSUM MISMATCH ${m}`);
    return failure === undefined && mismatches.length === 0;
  } finally {
    await Deno.remove(work, { recursive: true });
    await output("rm", ["-rf", shm]);
  }
}
