// Every filesystem type mount(2) and the command line know, imported for their
// registerFileSystemType calls (hostfs is not one: only the command line may reach the host).

import "./tmpfs.ts";
import "./ext2/ext2-fs.ts";
import "./procfs/procfs.ts";
import "./devfs/devfs.ts";
