//go:build !linux

package docs_test

import "syscall"

// sessionProcAttr puts a session's shell in a process group of its own,
// which the runner kills with everything the document started.
func sessionProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
