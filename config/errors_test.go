package config_test

import (
	"errors"
	"io/fs"
	"testing"

	"github.com/gatehouse/gatehouse/config"
)

func TestErrorMessagesAndUnwrap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err    error
		want   string
		target error
	}{
		{&config.FieldError{Key: "listen", Err: config.ErrRequired}, "config: listen: required", config.ErrRequired},
		{&config.FieldError{Key: "publc_url", Err: config.ErrUnknownKey}, "config: publc_url: unknown key", config.ErrUnknownKey},
		{&config.FileError{Path: "a.yaml", Err: fs.ErrNotExist}, "config: file a.yaml: file does not exist", fs.ErrNotExist},
		{&config.FileError{Path: "a.ini", Err: config.ErrUnsupportedFormat}, "config: file a.ini: unsupported file format", config.ErrUnsupportedFormat},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error: got %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, tt.target) {
			t.Errorf("%q does not match %v", tt.err, tt.target)
		}
	}
}
