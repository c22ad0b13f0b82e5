//go:build unix

package groq

import "syscall"

// processCPU returns the user+system CPU time the process has used, in nanoseconds. Benchmarks
// report it per operation because wall-clock figures on a shared machine mostly measure neighbours.
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
