// mount(2) inside the guest of what needs a device or the kernel: ext2 from the block devices
// behind --disk (/dev/vda, /dev/vdb), proc and devtmpfs. The guest program fs-mount-dev
// (userland/tests/fs-mount-dev.c) unmounts its second disk, mounts it again by device node,
// writes through it, and tries Linux's error cases; e2fsprogs then reads the image back.

import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bufferInput, collectOutput, runProgram } from "../../kernel/run-program.ts";
import { HostImageDevice } from "../../kernel/host/image-file.ts";
import { fsck, imageCat, makeImage } from "./e2fs_tools.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PROGRAM = join(ROOT, "tests/guest/bin/fs-mount-dev");

/**
 * What Linux answers for each step (ENOTBLK for a char device, ENXIO for a device without a
 * driver...), except one deliberate difference: Linux would mount an already mounted device a
 * second time (sharing its superblock); NexaOS refuses with EBUSY rather than open it twice
 * (both "mount ... while mounted" lines).
 */
const EXPECTED = `/dev/vda: block 254:0
/dev/vdb: block 254:16
mount vdb while mounted at /b: EBUSY
umount /b: ok
mount vdb at /x: ok
ls /x: . .. hello.txt lost+found
hello.txt: from the host

statfs says ext2: yes
umount /x: ok
mount vdb read-only: ok
from-guest.txt: written through mount(2)

create on read-only ext2: EROFS
remount read-write: ok
umount /x again: ok
mount a char device: ENOTBLK
mount vda (mounted at /a): EBUSY
mount an unknown type: ENODEV
mount a device with no disk: ENXIO
mount proc: ok
/x/self/comm: fs-mount-dev

umount proc: ok
mount devtmpfs: ok
/x/null: char 1:3
umount devtmpfs: ok
umount a directory that is not a mount: EINVAL
`;

Deno.test("mount(2): ext2 from /dev/vdb, proc and devtmpfs, and their errors", async () => {
  const base = await Deno.makeTempDir({ prefix: "mount-devices-" });
  try {
    await Deno.mkdir(join(base, "a"));
    await Deno.mkdir(join(base, "b"));
    await Deno.writeTextFile(join(base, "b/hello.txt"), "from the host\n");
    const first = join(base, "a.img"), second = join(base, "b.img");
    await makeImage(join(base, "a"), first, "8M", 1024);
    await makeImage(join(base, "b"), second, "8M", 1024);
    const stdout = collectOutput();
    const stderr = collectOutput();
    const result = await runProgram({
      image: await Deno.readFile(PROGRAM),
      exePath: PROGRAM,
      argv: ["fs-mount-dev"],
      env: [],
      stdin: bufferInput(new Uint8Array()),
      stdout: stdout.sink,
      stderr: stderr.sink,
      files: {
        disks: [
          { image: first, mountPoint: "/a", readOnly: false },
          { image: second, mountPoint: "/b", readOnly: false },
        ],
        openDisk: (d) => new HostImageDevice(d.image, d.readOnly),
      },
    });
    const text = new TextDecoder().decode(stdout.bytes());
    assert.equal(text, EXPECTED);
    assert.equal(result.status, 0, new TextDecoder().decode(stderr.bytes()));
    const written = new TextDecoder().decode(await imageCat(second, "/from-guest.txt"));
    assert.equal(written, "written through mount(2)\n");
    const remounted = new TextDecoder().decode(await imageCat(second, "/after-remount.txt"));
    assert.equal(remounted, "rw again\n");
    for (const image of [first, second]) {
      const check = await fsck(image);
      assert.equal(check.code, 0, check.output);
    }
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});
