package scan

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPU is the CPU time of the calling thread (lock the goroutine to
// it), from clock_gettime(CLOCK_THREAD_CPUTIME_ID): exact to the
// nanosecond. (getrusage(RUSAGE_THREAD), used before 2026-12-07, reports
// tick-sampled user and system times scaled to the runtime, off by up to
// a millisecond over a few milliseconds: a photo's decode.)
func threadCPU() time.Duration {
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	var ts syscall.Timespec
	if _, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); e != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}
