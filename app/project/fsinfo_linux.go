package project

import "syscall"

// remoteFilesystems are statfs f_type magic numbers (linux/magic.h and the file systems' own
// sources) of file systems that live on another machine or behind FUSE, where WAL's shared
// memory cannot be trusted.
var remoteFilesystems = map[int64]string{
	0x6969:     "an NFS network file system",
	0x517B:     "an SMB network share",
	0xFF534D42: "a CIFS network share",
	0xFE534D42: "an SMB network share",
	0x65735546: "a FUSE file system (sshfs, rclone, a network or cloud drive)",
	0x5346414F: "an AFS network file system",
	0x6B414653: "an AFS network file system",
	0x73757245: "a Coda network file system",
	0x564C:     "a NetWare network file system",
	0x01021997: "a 9P shared folder (a virtual machine's or WSL's)",
	0x786F4256: "a VirtualBox shared folder",
	0x00C36400: "a Ceph network file system",
	0x0BD00BD0: "a Lustre network file system",
	0x01161970: "a GFS2 cluster file system",
	0x7461636F: "an OCFS2 cluster file system",
	0x47504653: "a GPFS cluster file system",
}

// statfsType is the f_type of the file system holding dir; tests replace it.
var statfsType = func(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Type), nil
}

// remoteFS names the network or FUSE file system holding path, or "" for a local one.
func remoteFS(path string) string {
	t, err := statfsType(existingDir(path))
	if err != nil {
		return ""
	}
	// f_type is a C long: the mask makes 32-bit systems' negative values match too.
	return remoteFilesystems[t&0xFFFFFFFF]
}
