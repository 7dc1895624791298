package config_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/config"
)

func TestSecretFormat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		format    string
		want      string // for a non-empty secret
		wantEmpty string // for the empty secret
	}{
		{"%v", "[REDACTED]", ""},
		{"%s", "[REDACTED]", ""},
		{"%q", `"[REDACTED]"`, `""`},
		{"%+v", "[REDACTED]", ""},
		{"%#v", `"[REDACTED]"`, `""`},
		{"%x", "[REDACTED]", ""},
		{"%X", "[REDACTED]", ""},
		{"%d", "[REDACTED]", ""},
		{"%12s", "  [REDACTED]", "            "},
		{"%-12s|", "[REDACTED]  |", "            |"},
		{"%.3s", "[RE", ""},
		{"%T", "config.Secret", "config.Secret"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			t.Parallel()
			if got := fmt.Sprintf(tt.format, config.Secret("hunter2")); got != tt.want {
				t.Errorf("Sprintf(%q, secret): got %q, want %q", tt.format, got, tt.want)
			}
			if got := fmt.Sprintf(tt.format, config.Secret("")); got != tt.wantEmpty {
				t.Errorf("Sprintf(%q, empty): got %q, want %q", tt.format, got, tt.wantEmpty)
			}
		})
	}
}

func TestSecretMethods(t *testing.T) {
	t.Parallel()
	s := config.Secret("hunter2")
	text, _ := s.MarshalText()
	js, _ := s.MarshalJSON()
	var empty config.Secret
	emptyText, _ := empty.MarshalText()
	emptyJSON, _ := empty.MarshalJSON()
	tests := []struct {
		name, got, want string
	}{
		{"Reveal", s.Reveal(), "hunter2"},
		{"String", s.String(), "[REDACTED]"},
		{"GoString", s.GoString(), `"[REDACTED]"`},
		{"LogValue", s.LogValue().String(), "[REDACTED]"},
		{"MarshalText", string(text), "[REDACTED]"},
		{"MarshalJSON", string(js), `"[REDACTED]"`},
		{"empty Reveal", empty.Reveal(), ""},
		{"empty String", empty.String(), ""},
		{"empty GoString", empty.GoString(), `""`},
		{"empty LogValue", empty.LogValue().String(), ""},
		{"empty MarshalText", string(emptyText), ""},
		{"empty MarshalJSON", string(emptyJSON), `""`},
		{"Sprint", fmt.Sprint(s), "[REDACTED]"},
		{"Sprintln of a slice", fmt.Sprintln([]config.Secret{s, ""}), "[[REDACTED] ]\n"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestSecretInContainers(t *testing.T) {
	t.Parallel()
	type holder struct {
		Token  config.Secret
		Tokens []config.Secret
		ByName map[string]config.Secret
	}
	h := holder{Token: "hunter2", Tokens: []config.Secret{"hunter2"}, ByName: map[string]config.Secret{"a": "hunter2"}}
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "%v %+v %#v %s %q\n", h, h, h, h, h)
	js, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(js)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("m", "h", h, "s", h.Token)
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("m", "h", h, "s", h.Token)
	if strings.Contains(buf.String(), "hunter2") {
		t.Errorf("secret leaked:\n%s", buf.String())
	}
	if !strings.Contains(buf.String(), "[REDACTED]") {
		t.Errorf("no redaction shown:\n%s", buf.String())
	}
}
