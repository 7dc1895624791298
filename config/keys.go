package config

// binding ties one configuration key to its Config field, its environment
// variable and its flag. The table in bindings is the single place that
// lists them; Load, AddFlags and the tests all read it.
type binding struct {
	key   string            // dotted configuration key, such as "server.read_timeout"
	env   string            // environment variable
	flag  string            // flag name without dashes; "" if there is none
	usage string            // flag usage; "" if there is no flag
	field func(*Config) any // pointer to the field the key sets
}

// secret reports whether the key holds a credential, whose value must never
// appear in a message.
func (b binding) secret() bool {
	switch b.field(&Config{}).(type) {
	case *Secret, *[]Secret:
		return true
	}
	return false
}

// sections are the keys that group other keys.
func sections() []string { return []string{"twilio", "policy", "apology", "server", "log"} }

// bindings returns every configuration key in documentation order.
func bindings() []binding {
	return []binding{
		{key: "listen", env: "GATEHOUSE_LISTEN", flag: "listen",
			usage: "`address` to listen on, as host:port; default \":8080\"",
			field: func(c *Config) any { return &c.Listen }},
		{key: "public_url", env: "GATEHOUSE_PUBLIC_URL", flag: "public-url",
			usage: "public base `URL` Twilio calls, such as https://ivr.example.com; default: the request's own scheme and host",
			field: func(c *Config) any { return &c.PublicURL }},
		{key: "support_number", env: "GATEHOUSE_SUPPORT_NUMBER", flag: "support-number",
			usage: "`number` to dial after the apology; default: hang up",
			field: func(c *Config) any { return &c.SupportNumber }},
		{key: "trusted_proxies", env: "GATEHOUSE_TRUSTED_PROXIES", flag: "trusted-proxies",
			usage: "comma-separated CIDR `prefixes` or IP addresses of proxies whose X-Forwarded-* headers are trusted",
			field: func(c *Config) any { return &c.TrustedProxies }},
		{key: "debug_authorization", env: "GATEHOUSE_DEBUG_AUTHORIZATION", flag: "debug-authorization",
			usage: "log the explanation of every authorization decision",
			field: func(c *Config) any { return &c.DebugAuthorization }},

		{key: "twilio.auth_token", env: "TWILIO_AUTH_TOKEN", flag: "auth-token",
			usage: "Twilio auth `token`; prefer the TWILIO_AUTH_TOKEN environment variable, which other users cannot see in the process list",
			field: func(c *Config) any { return &c.Twilio.AuthToken }},
		{key: "twilio.auth_tokens", env: "GATEHOUSE_TWILIO_AUTH_TOKENS",
			field: func(c *Config) any { return &c.Twilio.AuthTokens }},
		{key: "twilio.auth_token_file", env: "GATEHOUSE_TWILIO_AUTH_TOKEN_FILE",
			field: func(c *Config) any { return &c.Twilio.AuthTokenFile }},
		{key: "twilio.account_sid", env: "GATEHOUSE_TWILIO_ACCOUNT_SID",
			field: func(c *Config) any { return &c.Twilio.AccountSid }},

		{key: "policy.model", env: "GATEHOUSE_POLICY_MODEL", flag: "policy-model",
			usage: "Casbin model `file`; default: the embedded model",
			field: func(c *Config) any { return &c.Policy.Model }},
		{key: "policy.file", env: "GATEHOUSE_POLICY_FILE", flag: "policy-file",
			usage: "policy (ACL) `file`; default: the embedded policy",
			field: func(c *Config) any { return &c.Policy.File }},
		{key: "policy.watch_interval", env: "GATEHOUSE_POLICY_WATCH_INTERVAL",
			field: func(c *Config) any { return &c.Policy.WatchInterval }},

		{key: "apology.text", env: "GATEHOUSE_APOLOGY_TEXT",
			field: func(c *Config) any { return &c.Apology.Text }},
		{key: "apology.voice", env: "GATEHOUSE_APOLOGY_VOICE",
			field: func(c *Config) any { return &c.Apology.Voice }},
		{key: "apology.language", env: "GATEHOUSE_APOLOGY_LANGUAGE",
			field: func(c *Config) any { return &c.Apology.Language }},

		{key: "server.read_header_timeout", env: "GATEHOUSE_SERVER_READ_HEADER_TIMEOUT",
			field: func(c *Config) any { return &c.Server.ReadHeaderTimeout }},
		{key: "server.read_timeout", env: "GATEHOUSE_SERVER_READ_TIMEOUT",
			field: func(c *Config) any { return &c.Server.ReadTimeout }},
		{key: "server.write_timeout", env: "GATEHOUSE_SERVER_WRITE_TIMEOUT",
			field: func(c *Config) any { return &c.Server.WriteTimeout }},
		{key: "server.idle_timeout", env: "GATEHOUSE_SERVER_IDLE_TIMEOUT",
			field: func(c *Config) any { return &c.Server.IdleTimeout }},
		{key: "server.shutdown_delay", env: "GATEHOUSE_SERVER_SHUTDOWN_DELAY",
			field: func(c *Config) any { return &c.Server.ShutdownDelay }},
		{key: "server.shutdown_timeout", env: "GATEHOUSE_SERVER_SHUTDOWN_TIMEOUT",
			field: func(c *Config) any { return &c.Server.ShutdownTimeout }},
		{key: "server.max_header_bytes", env: "GATEHOUSE_SERVER_MAX_HEADER_BYTES",
			field: func(c *Config) any { return &c.Server.MaxHeaderBytes }},
		{key: "server.max_body_bytes", env: "GATEHOUSE_SERVER_MAX_BODY_BYTES",
			field: func(c *Config) any { return &c.Server.MaxBodyBytes }},

		{key: "log.level", env: "GATEHOUSE_LOG_LEVEL", flag: "log-level",
			usage: "minimum log `level`: debug, info, warn or error; default \"info\"",
			field: func(c *Config) any { return &c.Log.Level }},
		{key: "log.format", env: "GATEHOUSE_LOG_FORMAT", flag: "log-format",
			usage: "log `format`: text or json; default \"text\"",
			field: func(c *Config) any { return &c.Log.Format }},
	}
}
