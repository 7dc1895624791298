package config

import (
	"strings"

	"github.com/spf13/pflag"
)

// AddFlags registers Gatehouse's configuration flags on fs:
//
//	--config file                   the configuration file (.yaml, .yml or .toml)
//	--listen address                listen
//	--public-url URL                public_url
//	--auth-token token              twilio.auth_token
//	--support-number number         support_number
//	--policy-file file              policy.file
//	--policy-model file             policy.model
//	--trusted-proxies prefixes      trusted_proxies (comma separated; repeatable)
//	--debug-authorization           debug_authorization
//	--log-level level               log.level
//	--log-format format             log.format
//
// Flags have no defaults of their own: [Load] uses a flag only if the user
// set it, so an unset flag never hides the file or the environment.
//
// The value of --auth-token prints as "[REDACTED]" wherever pflag shows a
// flag's value (for example [pflag.FlagSet.GetString]); only Load reads it.
// AddFlags panics, as pflag does, if fs already defines one of these names.
func AddFlags(fs *pflag.FlagSet) {
	fs.String("config", "", "configuration `file`, YAML (.yaml, .yml) or TOML (.toml)")
	for _, b := range bindings() {
		if b.flag == "" {
			continue
		}
		usage := b.usage
		if !strings.Contains(usage, b.env) {
			usage += " (env " + b.env + ")"
		}
		switch b.field(&Config{}).(type) {
		case *Secret:
			fs.Var(new(secretValue), b.flag, usage)
		case *[]string:
			fs.StringSlice(b.flag, nil, usage)
		case *bool:
			fs.Bool(b.flag, false, usage)
		default:
			fs.String(b.flag, "", usage)
		}
	}
}

// secretValue is a [pflag.Value] for a credential: its String method, which
// pflag and its callers use to show a flag, redacts.
type secretValue struct{ s Secret }

func (v *secretValue) Set(s string) error { v.s = Secret(s); return nil }
func (v *secretValue) Type() string       { return "string" }
func (v *secretValue) String() string {
	if v == nil {
		return ""
	}
	return v.s.String()
}

var _ pflag.Value = (*secretValue)(nil)
