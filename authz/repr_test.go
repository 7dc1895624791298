package authz

import "testing"

// The wanted values are what Python's repr prints for the same strings.
func TestRepr(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "''"},
		{"view", "'view'"},
		{"o'brien", `"o'brien"`},
		{`say "hi"`, `'say "hi"'`},
		{`it's "both"`, `'it\'s "both"'`},
		{`back\slash`, `'back\\slash'`},
		{"tab\tnl\ncr\r", `'tab\tnl\ncr\r'`},
		{"nul\x00del\x7f", `'nul\x00del\x7f'`},
		{"nbsp\u00a0", `'nbsp\xa0'`},
		{"zwsp\u200b", `'zwsp\u200b'`},
		{"tag\U000e0041", `'tag\U000e0041'`},
		{"été ünïcödé 日本", "'été ünïcödé 日本'"},
		{"bad\xffutf8", `'bad\xffutf8'`},
	}
	for _, tt := range tests {
		if got := Repr(tt.in); got != tt.want {
			t.Errorf("Repr(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
