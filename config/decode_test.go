package config

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDecode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		dst  any // pointer to a zero field
		raw  any
		want any // the field afterwards; nil if an error is expected
	}{
		{"string", new(string), "x", "x"},
		{"string from number", new(string), 15005550006, nil},
		{"string from bool", new(string), true, nil},
		{"secret trimmed", new(Secret), " tok\n", Secret("tok")},
		{"secret from number", new(Secret), int64(5), nil},
		{"list from comma string", new([]string), " a, ,b ", []string{"a", "b"}},
		{"list from []any", new([]string), []any{" a ", "b"}, []string{"a", "b"}},
		{"list from []string", new([]string), []string{"a", ""}, []string{"a"}},
		{"list with a number", new([]string), []any{"a", 1}, nil},
		{"list from a map", new([]string), map[string]any{"a": "b"}, nil},
		{"secrets from comma string", new([]Secret), "a,b", []Secret{"a", "b"}},
		{"secrets from []Secret", new([]Secret), []Secret{"a"}, []Secret{"a"}},
		{"bool", new(bool), true, true},
		{"bool from string", new(bool), " false ", false},
		{"bool from 1", new(bool), "1", true},
		{"bool from word", new(bool), "yes", nil},
		{"bool from number", new(bool), 1, nil},
		{"duration", new(time.Duration), "1m30s", 90 * time.Second},
		{"duration typed", new(time.Duration), time.Second, time.Second},
		{"duration bare number", new(time.Duration), 5, nil},
		{"duration bare number string", new(time.Duration), "5", nil},
		{"duration word", new(time.Duration), "banana", nil},
		{"int", new(int), 5, 5},
		{"int from int64", new(int), int64(5), 5},
		{"int from uint64", new(int), uint64(5), 5},
		{"int from uint64 too big", new(int), uint64(math.MaxUint64), nil},
		{"int from integral float", new(int), 65536.0, 65536},
		{"int from fraction", new(int), 1.5, nil},
		{"int from huge float", new(int), 1e20, nil},
		{"int from string", new(int), " 4096 ", 4096},
		{"int from word", new(int), "16k", nil},
		{"int from bool", new(int), true, nil},
		{"int64", new(int64), int64(math.MaxInt64), int64(math.MaxInt64)},
		{"int64 from string", new(int64), "-1", int64(-1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := decode(tt.dst, tt.raw, false)
			if tt.want == nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("decode(%#v): got %v, want ErrInvalid", tt.raw, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode(%#v): %v", tt.raw, err)
			}
			if got := reflect.ValueOf(tt.dst).Elem().Interface(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decode(%#v): got %#v, want %#v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestDecodeHidesSecretValues(t *testing.T) {
	t.Parallel()
	const value = "s3cr3t-value"
	tests := []struct {
		dst any
		raw any
	}{
		{new(Secret), []any{value}},
		{new(Secret), map[string]any{"k": value}},
		{new([]Secret), []any{value, 5}},
		{new(string), 12345678},
	}
	for _, tt := range tests {
		err := decode(tt.dst, tt.raw, true)
		if err == nil {
			t.Errorf("decode(%T): no error", tt.raw)
			continue
		}
		if strings.Contains(err.Error(), value) || strings.Contains(err.Error(), "12345678") {
			t.Errorf("decode(%T): value shown in %q", tt.raw, err)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	secrets := []string{"s3cr3t-token", "short"}
	tests := []struct {
		name   string
		err    error
		want   string
		target error
	}{
		{
			"field error",
			&FieldError{Key: "listen", Err: newProblem(ErrInvalid, `got "s3cr3t-token"`)},
			`config: listen: got "[REDACTED]"`, ErrInvalid,
		},
		{
			"nested problem keeps its sentinel",
			&FieldError{Key: "log.level", Err: newProblem(newProblem(ErrInvalid, "x"), "x s3cr3t-token (from env)")},
			"config: log.level: x [REDACTED] (from env)", ErrInvalid,
		},
		{
			"file error",
			&FileError{Path: "/etc/s3cr3t-token.yaml", Err: ErrSyntax},
			"config: file /etc/[REDACTED].yaml: syntax error", ErrSyntax,
		},
		{
			"a short value on its own",
			&FieldError{Key: "listen", Err: newProblem(ErrInvalid, `got "short"`)},
			`config: listen: got "[REDACTED]"`, ErrInvalid,
		},
		{
			"a short value inside a word is kept",
			&FieldError{Key: "listen", Err: newProblem(ErrInvalid, "shortly, unshorten")},
			"config: listen: shortly, unshorten", ErrInvalid,
		},
		{
			"other errors pass through",
			errors.New("s3cr3t-token"),
			"s3cr3t-token", nil,
		},
	}
	for _, tt := range tests {
		got := redact(tt.err, secrets)
		if got.Error() != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
		if tt.target != nil && !errors.Is(got, tt.target) {
			t.Errorf("%s: %v no longer matches %v", tt.name, got, tt.target)
		}
	}
}
