package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// process reads a process's CPU time and memory from /proc.
type process struct{ pid int }

// clockTicks is Linux's USER_HZ, the unit of /proc/<pid>/stat times: 100
// on every architecture Go supports.
const clockTicks = 100

// cpu is the process's user+system CPU time so far, in milliseconds
// (resolution 10 ms).
func (p *process) cpu() float64 {
	if p == nil {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: fields count from
	// after its closing parenthesis (utime and stime are fields 14 and 15).
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) * 1000 / clockTicks
}

// rssMB is the process's resident memory now, in MiB.
func (p *process) rssMB() float64 { return p.status("VmRSS:") }

// peakMB is the most resident memory the process had, in MiB.
func (p *process) peakMB() float64 { return p.status("VmHWM:") }

func (p *process) status(key string) float64 {
	if p == nil {
		return 0
	}
	f, err := os.Open("/proc/" + strconv.Itoa(p.pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), key); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// machine describes the computer: cores, CPU model, memory.
func machine() string {
	model := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := memTotalGiB()
	return strconv.Itoa(runtime.NumCPU()) + " cores (" + model + "), " + strconv.FormatFloat(mem, 'f', 1, 64) + " GiB of memory"
}

// memTotalGiB is the machine's memory, in GiB.
func memTotalGiB() float64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024 / 1024
		}
	}
	return 0
}

// loadAverage is the 1-minute load average, as /proc/loadavg says it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(b))[0]
}
