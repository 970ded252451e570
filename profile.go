package main

import (
	"os"
	"runtime"
	"runtime/pprof"
	"time"
)

// startProfiles writes a CPU profile to LIGUE_CPUPROFILE and, to
// LIGUE_MEMPROFILE, a heap profile each time the heap in use reaches a new
// peak (the peak is what a command's memory limit must allow). For
// measuring commands such as reindex and gen; the returned function stops.
func startProfiles() (stop func()) {
	var stops []func()
	if path := os.Getenv("LIGUE_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil && pprof.StartCPUProfile(f) == nil {
			stops = append(stops, func() { pprof.StopCPUProfile(); f.Close() })
		}
	}
	if path := os.Getenv("LIGUE_MEMPROFILE"); path != "" {
		done := make(chan struct{})
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			var peak uint64
			tick := time.NewTicker(200 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
				}
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak+peak/10 {
					peak = ms.HeapInuse
					if f, err := os.Create(path); err == nil {
						pprof.Lookup("heap").WriteTo(f, 0)
						f.Close()
					}
				}
			}
		}()
		stops = append(stops, func() { close(done); <-finished })
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}
