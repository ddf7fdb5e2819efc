package project

import (
	"strings"
	"syscall"
)

// remoteFilesystems are macOS file system type names (statfs f_fstypename) on another machine.
var remoteFilesystems = map[string]string{
	"nfs":     "an NFS network file system",
	"smbfs":   "an SMB network share",
	"afpfs":   "an AFP network share",
	"webdav":  "a WebDAV network drive",
	"cifs":    "a CIFS network share",
	"macfuse": "a FUSE file system (sshfs, a network or cloud drive)",
	"osxfuse": "a FUSE file system (sshfs, a network or cloud drive)",
}

// remoteFS names the network file system holding path, or "" for a local one.
func remoteFS(path string) string {
	var st syscall.Statfs_t
	if err := syscall.Statfs(existingDir(path), &st); err != nil {
		return ""
	}
	var b strings.Builder
	for _, c := range st.Fstypename {
		if c == 0 {
			break
		}
		b.WriteByte(byte(c))
	}
	return remoteFilesystems[b.String()]
}
