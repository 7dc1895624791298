package policies

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// MaxFileBytes bounds a policy or model file that ReadFile reads: a policy
// of 10,000 rows is about half a megabyte.
const MaxFileBytes = 16 << 20

// Errors of ReadFile, wrapped in an *fs.PathError that names the file.
var (
	ErrNotRegular = errors.New("not a regular file")
	ErrTooLarge   = fmt.Errorf("larger than %d bytes", MaxFileBytes)
)

// ReadFile reads the policy or model file at name, which must be a regular
// file of at most MaxFileBytes. The server reads its policy files at
// startup and at every poll of its watcher, holding the lock that every
// reload takes: a named pipe there would block the read (and with it
// SIGHUP reloads and shutdown) until someone wrote to it, and a device or
// a growing log could be read without end. So the file is opened without
// blocking, and anything else is refused with an error. [LoadFile],
// [LoadModel] and [LintFile] read through it, so that lint passes nothing
// the server would refuse, and so does [LoadTests].
func ReadFile(name string) ([]byte, error) {
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrTooLarge}
	}
	return data, nil
}
