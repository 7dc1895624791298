package policies

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// Only a regular file of at most MaxFileBytes is read, and a named pipe is
// refused without waiting for a writer: what serve refuses, lint and the
// other commands refuse too.
func TestReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	large := filepath.Join(dir, "large.csv")
	if err := os.WriteFile(large, append(bytes.Repeat([]byte("# padding\n"), MaxFileBytes/10), "p, group:twilio, /, view, allow\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	atLimit := filepath.Join(dir, "limit.csv")
	row := "p, group:twilio, /, view, allow\n"
	if err := os.WriteFile(atLimit, append(bytes.Repeat([]byte("#"), MaxFileBytes-len(row)-1), "\n"+row...), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want error // nil: read
	}{
		{fifo, ErrNotRegular},
		{dir, ErrNotRegular},
		{large, ErrTooLarge},
		{atLimit, nil},
	} {
		for name, read := range map[string]func(string) error{
			"ReadFile":  func(p string) error { _, err := ReadFile(p); return err },
			"LoadFile":  func(p string) error { _, err := LoadFile(p); return err },
			"LintFile":  func(p string) error { _, err := LintFile(p); return err },
			"LoadModel": func(p string) error { _, err := LoadModel(p); return err },
			"LoadTests": func(p string) error { _, err := LoadTests(p); return err },
		} {
			err := read(tt.path)
			if tt.want == nil {
				if errors.Is(err, ErrNotRegular) || errors.Is(err, ErrTooLarge) {
					t.Errorf("%s(%s): %v, want it read", name, filepath.Base(tt.path), err)
				}
				continue
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("%s(%s): %v, want %v", name, filepath.Base(tt.path), err, tt.want)
			}
		}
	}
}
