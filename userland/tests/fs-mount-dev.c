/* mount(2) of filesystems that need a device or a kernel: ext2 from the block devices NexaOS
 * gives its disks (/dev/vda, /dev/vdb), proc and devtmpfs, with Linux's errnos (EBUSY for a
 * mounted device, ENOTBLK, ENXIO, ENODEV, EROFS). Run with two ext2 disks: vda at /a, vdb at /b
 * holding hello.txt. The test reads what this writes back with debugfs. */
#include "fs-check.h"
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>

static void show_node(const char *label, const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0) {
		say("%s: %s", label, errno_name(errno));
		return;
	}
	say("%s: %s %u:%u", label, S_ISBLK(st.st_mode) ? "block" : S_ISCHR(st.st_mode) ? "char" : "other",
	    major(st.st_rdev), minor(st.st_rdev));
}

int main(void)
{
	char buffer[256];
	struct statfs fs;
	show_node("/dev/vda", "/dev/vda");
	show_node("/dev/vdb", "/dev/vdb");
	must("mkdir /x", mkdir("/x", 0755));
	ck("mount vdb while mounted at /b", mount("/dev/vdb", "/x", "ext2", 0, NULL));
	ck("umount /b", umount("/b"));
	ck("mount vdb at /x", mount("/dev/vdb", "/x", "ext2", 0, NULL));
	list_dir("ls /x", "/x");
	say("hello.txt: %s", read_file("/x/hello.txt", buffer, sizeof buffer));
	write_file("/x/from-guest.txt", "written through mount(2)\n");
	seen(statfs("/x", &fs));
	yes("statfs says ext2", fs.f_type == 0xEF53);
	ck("umount /x", umount("/x"));
	ck("mount vdb read-only", mount("/dev/vdb", "/x", "ext2", MS_RDONLY, NULL));
	say("from-guest.txt: %s", read_file("/x/from-guest.txt", buffer, sizeof buffer));
	ck("create on read-only ext2", open("/x/new", O_CREAT | O_WRONLY, 0644));
	ck("remount read-write", mount(NULL, "/x", NULL, MS_REMOUNT, NULL));
	write_file("/x/after-remount.txt", "rw again\n");
	ck("umount /x again", umount("/x"));
	ck("mount a char device", mount("/dev/null", "/x", "ext2", 0, NULL));
	ck("mount vda (mounted at /a)", mount("/dev/vda", "/x", "ext2", 0, NULL));
	ck("mount an unknown type", mount("none", "/x", "nosuchfs", 0, NULL));
	must("mknod /vdz", mknod("/vdz", S_IFBLK | 0600, makedev(254, 32)));
	ck("mount a device with no disk", mount("/vdz", "/x", "ext2", 0, NULL));
	ck("mount proc", mount("proc", "/x", "proc", 0, NULL));
	say("/x/self/comm: %s", read_file("/x/self/comm", buffer, sizeof buffer));
	ck("umount proc", umount("/x"));
	ck("mount devtmpfs", mount("dev", "/x", "devtmpfs", 0, NULL));
	show_node("/x/null", "/x/null");
	ck("umount devtmpfs", umount("/x"));
	ck("umount a directory that is not a mount", umount("/x"));
	return 0;
}
