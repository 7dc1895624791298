package docs_test

import "syscall"

// sessionProcAttr puts a session's shell in a process group of its own,
// which the runner kills with everything the document started, and kills
// the shell if the test process dies first.
func sessionProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
