package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// userHZ is the unit of the CPU times in /proc/PID/stat: Linux reports
// them in clock ticks of 1/100 s on every architecture (USER_HZ).
const userHZ = 100

// errProcFormat is returned for a /proc file that does not read as
// expected.
var errProcFormat = errors.New("load: unexpected /proc format")

// peakRSS reads a process's peak resident set size (VmHWM) from
// /proc/PID/status; pid "self" is this process.
func peakRSS(pid string) (kB int64, err error) {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0, fmt.Errorf("load: peak RSS: %w", err)
	}
	return parseVmHWM(b)
}

// parseVmHWM returns the VmHWM field of a /proc/PID/status file, in kB.
func parseVmHWM(status []byte) (int64, error) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte("VmHWM:"))
		if !ok {
			continue
		}
		num, ok := bytes.CutSuffix(bytes.TrimSpace(rest), []byte(" kB"))
		if !ok {
			return 0, fmt.Errorf("%w: VmHWM line %q", errProcFormat, bytes.TrimSpace(line))
		}
		kB, err := strconv.ParseInt(string(bytes.TrimSpace(num)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: VmHWM line %q", errProcFormat, bytes.TrimSpace(line))
		}
		return kB, nil
	}
	return 0, fmt.Errorf("%w: no VmHWM line", errProcFormat)
}

// cpuTime reads the CPU time (user plus system, all threads) a process has
// used so far from /proc/PID/stat; pid "self" is this process.
func cpuTime(pid string) (time.Duration, error) {
	b, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		return 0, fmt.Errorf("load: CPU time: %w", err)
	}
	return parseStatCPU(b)
}

// parseStatCPU returns utime+stime of a /proc/PID/stat line. The command
// name, in parentheses, may hold spaces and parentheses itself, so the
// fields are counted from the last ')'.
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("%w: no command name in stat", errProcFormat)
	}
	// After the name: state (field 3), ..., utime (14), stime (15).
	f := bytes.Fields(stat[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("%w: %d fields after the command name, want at least 13", errProcFormat, len(f))
	}
	var ticks int64
	for _, s := range f[11:13] {
		t, err := strconv.ParseInt(string(s), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: CPU time %q", errProcFormat, s)
		}
		ticks += t
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}
