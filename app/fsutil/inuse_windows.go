package fsutil

import (
	"errors"
	"syscall"
)

// Windows error codes for a file another process holds (winerror.h).
const (
	errorSharingViolation syscall.Errno = 32 // opened with a share mode that excludes us
	errorLockViolation    syscall.Errno = 33 // a byte range is locked (LockFileEx), met while reading
)

func inUse(err error) bool {
	return errors.Is(err, errorSharingViolation) || errors.Is(err, errorLockViolation)
}
