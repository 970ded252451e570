// Package cputime tells the CPU time the process has used, for the tests
// that bound the work of one call: unlike the wall clock, it does not grow
// when the machine is busy with other work.
package cputime

import (
	"syscall"
	"time"
)

// Used is the CPU time, user and system, the process has used so far.
func Used() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
