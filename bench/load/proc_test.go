package main

import (
	"errors"
	"os"
	"runtime"
	"testing"
	"time"
)

func TestParseVmHWM(t *testing.T) {
	for _, tt := range []struct {
		name, status string
		want         int64
		wantErr      bool
	}{
		{"status", "Name:\tgatehouse\nVmPeak:\t 1262164 kB\nVmSize:\t 1262164 kB\nVmHWM:\t   23456 kB\nVmRSS:\t   20000 kB\n", 23456, false},
		{"last line without newline", "Name:\tx\nVmHWM:\t 12 kB", 12, false},
		{"no VmHWM", "Name:\tx\nVmRSS:\t 12 kB\n", 0, true},
		{"no unit", "VmHWM:\t 12\n", 0, true},
		{"not a number", "VmHWM:\t twelve kB\n", 0, true},
		{"empty", "", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmHWM([]byte(tt.status))
			if tt.wantErr {
				if !errors.Is(err, errProcFormat) {
					t.Errorf("parseVmHWM = %d, %v; want an error wrapping errProcFormat", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseVmHWM = %d, %v; want %d, nil", got, err, tt.want)
			}
		})
	}
}

func TestParseStatCPU(t *testing.T) {
	// Fields 14 and 15 (utime, stime) are 250 and 130 ticks.
	const tail = " S 1 2 3 4 5 6 7 8 9 10 250 130 0 0 20 0 12 0 100 1000 200\n"
	for _, tt := range []struct {
		name, stat string
		want       time.Duration
		wantErr    bool
	}{
		{"plain name", "4242 (gatehouse)" + tail, 3800 * time.Millisecond, false},
		{"name with spaces and parentheses", "4242 (a ) b (c))" + tail, 3800 * time.Millisecond, false},
		{"no name", "4242 gatehouse S 1 2", 0, true},
		{"too few fields", "4242 (gatehouse) S 1 2 3\n", 0, true},
		{"not a number", "4242 (gatehouse) S 1 2 3 4 5 6 7 8 9 10 x 130 0\n", 0, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatCPU([]byte(tt.stat))
			if tt.wantErr {
				if !errors.Is(err, errProcFormat) {
					t.Errorf("parseStatCPU = %v, %v; want an error wrapping errProcFormat", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseStatCPU = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}
}

// TestProcSelf reads this process's own figures from the real /proc.
func TestProcSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs Linux's /proc")
	}
	if kB, err := peakRSS("self"); err != nil || kB <= 0 {
		t.Errorf("peakRSS(self) = %d, %v; want a positive size", kB, err)
	}
	if d, err := cpuTime("self"); err != nil || d < 0 {
		t.Errorf("cpuTime(self) = %v, %v; want a time", d, err)
	}
	if _, err := peakRSS("no-such-process"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("peakRSS(no-such-process) error = %v, want one wrapping os.ErrNotExist", err)
	}
}
