//go:build unix

package cleanse_test

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time this process has used (user and system): what an operation costs
// apart from waiting for the disk or for other processes on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
