package main_test

// End-to-end tests of policy reload: edit the policy file of a running
// `gatehouse serve`, or send it SIGHUP, and see its decisions change.

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const (
	e2ePolicyOpen   = "p, group:twilio, /, view, allow\n"
	e2ePolicyClosed = "p, system.Everyone, /accessible, view, deny\np, group:twilio, /, view, allow\n"
	e2ePolicyBad    = "p, group:twilio, /, view, allow\np, group:twilio, /accessible, view\n"
	reached         = "You reached the accessible route"
)

// writePolicy replaces the policy file by renaming a new one over it.
func writePolicy(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path+".new", []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// waitLog waits until the server's log holds n lines containing each of
// the fragments; the deadline bounds the wait, it measures nothing.
func waitLog(t *testing.T, s *server, n int, fragments ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		count := 0
		for line := range strings.Lines(s.Logs()) {
			all := true
			for _, f := range fragments {
				all = all && strings.Contains(line, f)
			}
			if all {
				count++
			}
		}
		if count >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d log lines with %q:\n%s", n, fragments, s.Logs())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (s *server) reachesAccessible(t *testing.T) bool {
	t.Helper()
	_, _, body := s.do(t, call{method: "GET", path: "/accessible", key: token})
	return strings.Contains(body, reached)
}

func TestServeReloadsEditedPolicy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	writePolicy(t, path, e2ePolicyOpen)
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token, "GATEHOUSE_POLICY_FILE=" + path, "GATEHOUSE_POLICY_WATCH_INTERVAL=20ms"})
	if !s.reachesAccessible(t) {
		t.Fatal("/accessible not reached under the first policy")
	}

	writePolicy(t, path, e2ePolicyClosed)
	waitLog(t, s, 1, "policy reloaded", "trigger=watch", "generation=2")
	if s.reachesAccessible(t) {
		t.Error("/accessible still reached after the policy denying it was loaded")
	}

	writePolicy(t, path, e2ePolicyBad)
	waitLog(t, s, 1, "level=ERROR", "policy reload rejected", "file="+path, "line=2", "problem=")
	if s.reachesAccessible(t) {
		t.Error("a malformed policy changed the decisions")
	}

	writePolicy(t, path, e2ePolicyOpen)
	waitLog(t, s, 1, "policy reloaded", "trigger=watch", "generation=3")
	if !s.reachesAccessible(t) {
		t.Error("/accessible not reached after the first policy came back")
	}
}

func TestServeReloadsOnSIGHUP(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	writePolicy(t, path, e2ePolicyOpen)
	// Watching off: only SIGHUP reloads.
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token, "GATEHOUSE_POLICY_FILE=" + path, "GATEHOUSE_POLICY_WATCH_INTERVAL=0s"})
	writePolicy(t, path, e2ePolicyClosed)
	if !s.reachesAccessible(t) {
		t.Fatal("the policy changed without SIGHUP while watching is off")
	}
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, s, 1, "policy reloaded", "trigger=sighup", "generation=2")
	if s.reachesAccessible(t) {
		t.Error("/accessible still reached after SIGHUP loaded the policy denying it")
	}

	writePolicy(t, path, e2ePolicyBad)
	if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(t, s, 1, "level=ERROR", "trigger=sighup", "file="+path, "line=2")
	if s.reachesAccessible(t) {
		t.Error("a malformed policy changed the decisions")
	}
}
