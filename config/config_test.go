package config_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/config"
)

func TestDefault(t *testing.T) {
	t.Parallel()
	c := config.Default()
	tests := []struct {
		key       string
		got, want any
	}{
		{"listen", c.Listen, ":8080"},
		{"public_url", c.PublicURL, ""},
		{"support_number", c.SupportNumber, ""},
		{"trusted_proxies", len(c.TrustedProxies), 0},
		{"debug_authorization", c.DebugAuthorization, false},
		{"twilio.auth_token", c.Twilio.AuthToken, config.Secret("")},
		{"twilio.auth_tokens", len(c.Twilio.AuthTokens), 0},
		{"twilio.auth_token_file", c.Twilio.AuthTokenFile, ""},
		{"policy.model", c.Policy.Model, ""},
		{"policy.file", c.Policy.File, ""},
		{"policy.watch_interval", c.Policy.WatchInterval, 2 * time.Second},
		{"apology.text", c.Apology.Text, ""},
		{"apology.voice", c.Apology.Voice, ""},
		{"apology.language", c.Apology.Language, ""},
		{"server.read_header_timeout", c.Server.ReadHeaderTimeout, 5 * time.Second},
		{"server.read_timeout", c.Server.ReadTimeout, 10 * time.Second},
		{"server.write_timeout", c.Server.WriteTimeout, 15 * time.Second},
		{"server.idle_timeout", c.Server.IdleTimeout, 60 * time.Second},
		{"server.shutdown_delay", c.Server.ShutdownDelay, 5 * time.Second},
		{"server.shutdown_timeout", c.Server.ShutdownTimeout, 15 * time.Second},
		{"server.max_header_bytes", c.Server.MaxHeaderBytes, 16384},
		{"server.max_body_bytes", c.Server.MaxBodyBytes, int64(65536)},
		{"log.level", c.Log.Level, "info"},
		{"log.format", c.Log.Format, "text"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %#v, want %#v", tt.key, tt.got, tt.want)
		}
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Default().Validate(): %v", err)
	}
	c.Listen = "changed"
	c.Apology.Text = "changed"
	if d := config.Default(); d.Listen != ":8080" || d.Apology.Text != "" {
		t.Errorf("Default returned a shared Config")
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		twilio config.Twilio
		want   []config.Secret
	}{
		{"none", config.Twilio{}, []config.Secret{}},
		{"primary only", config.Twilio{AuthToken: "a"}, []config.Secret{"a"}},
		{
			"order: primary, file, rotation",
			config.Twilio{AuthToken: "a", AuthTokens: []config.Secret{"b", "c"}, AuthTokenFromFile: "d"},
			[]config.Secret{"a", "d", "b", "c"},
		},
		{
			// sign and invoke sign with the first: the primary, not a
			// rotation token, when the primary is kept in a file.
			"the file's token before the rotation tokens",
			config.Twilio{AuthTokens: []config.Secret{"old"}, AuthTokenFromFile: "primary"},
			[]config.Secret{"primary", "old"},
		},
		{
			"duplicates keep their first place",
			config.Twilio{AuthToken: "a", AuthTokens: []config.Secret{"b", "a", "b"}, AuthTokenFromFile: "a"},
			[]config.Secret{"a", "b"},
		},
		{
			"empties dropped",
			config.Twilio{AuthTokens: []config.Secret{"", "b", ""}},
			[]config.Secret{"b"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := config.Default()
			c.Twilio = tt.twilio
			before := append([]config.Secret(nil), c.Twilio.AuthTokens...)
			if got := c.Tokens(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Tokens: got %d tokens %q, want %q", len(got), reveal(got), reveal(tt.want))
			}
			if !reflect.DeepEqual(c.Twilio.AuthTokens, before) {
				t.Errorf("Tokens modified AuthTokens")
			}
		})
	}
}

func reveal(ss []config.Secret) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Reveal()
	}
	return out
}

func TestConfigLogValue(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.PublicURL = "https://ivr.example.com"
	c.TrustedProxies = []string{"10.0.0.0/8"}
	c.Twilio.AuthToken = "a"
	c.Twilio.AuthTokens = []config.Secret{"b"}

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("starting", "config", c)
	var line struct {
		Config struct {
			Listen         string   `json:"listen"`
			PublicURL      string   `json:"public_url"`
			TrustedProxies []string `json:"trusted_proxies"`
			Twilio         struct {
				AuthToken      string `json:"auth_token"`
				AcceptedTokens int    `json:"accepted_tokens"`
			} `json:"twilio"`
			Server struct {
				WriteTimeout int64 `json:"write_timeout"`
			} `json:"server"`
			Log struct {
				Level string `json:"level"`
			} `json:"log"`
		} `json:"config"`
	}
	if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
		t.Fatalf("%v in %s", err, buf.Bytes())
	}
	got := line.Config
	tests := []struct {
		name      string
		got, want any
	}{
		{"listen", got.Listen, ":8080"},
		{"public_url", got.PublicURL, "https://ivr.example.com"},
		{"trusted_proxies", len(got.TrustedProxies), 1},
		{"twilio.auth_token", got.Twilio.AuthToken, "[REDACTED]"},
		{"twilio.accepted_tokens", got.Twilio.AcceptedTokens, 2},
		{"server.write_timeout", got.Server.WriteTimeout, int64(15 * time.Second)},
		{"log.level", got.Log.Level, "info"},
	}
	for _, tt := range tests {
		if !reflect.DeepEqual(tt.got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, tt.got, tt.want)
		}
	}

	var nilConfig *config.Config
	if got := nilConfig.LogValue().String(); got != "<nil>" {
		t.Errorf("nil LogValue: got %q, want %q", got, "<nil>")
	}
}
