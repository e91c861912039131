//go:build !linux

package scan

import (
	"syscall"
	"time"
)

// threadCPU is the CPU time of the process (getrusage RUSAGE_SELF: no
// per-thread clock here).
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
