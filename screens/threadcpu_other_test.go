//go:build !linux

package screens

import "time"

// threadCPU is not measured outside Linux: only the UI goroutine's delay is asserted there.
func threadCPU() time.Duration { return 0 }
