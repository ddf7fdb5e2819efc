package project

import (
	"path/filepath"
	"syscall"
	"unsafe"
)

// driveRemote is GetDriveTypeW's answer for a mapped network drive (winbase.h DRIVE_REMOTE).
const driveRemote = 4

var getDriveType = syscall.NewLazyDLL("kernel32.dll").NewProc("GetDriveTypeW")

// remoteFS names the network share holding path, or "" for a local disk: a UNC path
// (\\server\share\...) or a drive letter that Windows reports as a network drive.
func remoteFS(path string) string {
	if share := uncShare(path); share != "" {
		return "the network share " + share
	}
	vol := filepath.VolumeName(path)
	if len(vol) != 2 || vol[1] != ':' {
		return ""
	}
	root, err := syscall.UTF16PtrFromString(vol + `\`)
	if err != nil || getDriveType.Find() != nil {
		return ""
	}
	if t, _, _ := getDriveType.Call(uintptr(unsafe.Pointer(root))); t == driveRemote {
		return "the network drive " + vol
	}
	return ""
}
