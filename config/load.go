package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// maxTokenFileBytes bounds how much of twilio.auth_token_file is read: a
// token is 32 characters, so anything near this size is the wrong file.
const maxTokenFileBytes = 4096

// Options tells [Load] where to look for configuration.
type Options struct {
	// File is the configuration file: YAML if its name ends in .yaml or
	// .yml, TOML if it ends in .toml. A --config flag set in Flags takes
	// its place.
	// Optional. Default "": no file.
	File string

	// Flags holds the flags registered by [AddFlags], after parsing. Only
	// the flags the user set override other sources; flags it does not
	// hold are skipped.
	// Optional. Default nil: no flags.
	Flags *pflag.FlagSet

	// Getenv looks up an environment variable. Tests inject a map.
	// Optional. Default: a lookup in Environ if that is set, else
	// [os.LookupEnv].
	Getenv func(key string) (value string, ok bool)

	// Environ lists the environment as "NAME=value" strings, as
	// [os.Environ] does, so that Load can refuse a GATEHOUSE_ variable
	// that no key reads (see [Load]). A caller that injects Getenv should
	// inject Environ too, or set only Environ.
	// Optional. Default: [os.Environ] if Getenv is nil too; otherwise
	// none, and no variable is refused.
	Environ func() []string
}

// Load builds a Config through a private Viper instance. A key's value is
// taken from the first of these that sets it:
//
//  1. a flag in o.Flags that the user set;
//  2. its environment variable (an empty variable counts as unset: it
//     does not clear a value from the file, which a flag set to the
//     empty string does; one of only white space is an error, since it
//     is neither a value nor plainly unset);
//  3. the configuration file;
//  4. [Default].
//
// Environment variables and string flags for lists are comma separated;
// items are trimmed of white space and empty items dropped. Credentials are
// trimmed of surrounding white space. If twilio.auth_token_file is set,
// Load reads it into Twilio.AuthTokenFromFile.
//
// Load reports every problem it finds, joined with [errors.Join]: a file
// that does not exist or does not parse ([*FileError]); keys in one
// mapping of the file that differ only in case, such as listen and Listen
// or [twilio] and [Twilio] sections, which Viper would otherwise resolve
// silently and at random ([*FieldError] matching [ErrInvalid], one per
// key, naming the spellings but not the values; the file is then read no
// further); a key with a dot in its name, such as "twilio.auth_token"
// written as one YAML key, which Viper would let shadow the same key in a
// twilio section ([*FieldError] matching [ErrInvalid], saying how to nest
// it; the file is then read no further either); a key in the file that
// Gatehouse does not know and a value of the wrong type, such as
// server.read_timeout: banana ([*FieldError]); an environment variable
// whose name starts with GATEHOUSE_ but that no key reads, such as
// GATEHOUSE_POLICY_FLIE ([*FieldError] whose Key is the variable's name,
// matching [ErrUnknownKey], naming the variable it was probably meant to
// be but never quoting its value; an empty one is ignored, as empty
// variables are); and an unreadable or empty token file. A wrongly typed
// value in the file is an error even when the environment or a flag
// overrides it. Load does not call [Config.Validate] or
// [Config.RequireToken].
//
// No error message contains a credential: values of credential keys are
// never quoted, and any credential Load saw, from any source, is replaced
// by "[REDACTED]" wherever else it would appear (for example a token
// pasted into the wrong variable). The password of public_url counts as a
// credential. A value shorter than six bytes is replaced only where it
// stands as a word of its own: inside longer words, replacing it would
// mangle messages.
func Load(o Options) (*Config, error) {
	// The environment is listed once, for the check of GATEHOUSE_ names
	// and, when only Environ is injected, for the lookups.
	getenv := o.Getenv
	var environ []string
	switch {
	case getenv == nil && o.Environ == nil:
		getenv, environ = os.LookupEnv, os.Environ()
	case getenv == nil:
		environ = o.Environ()
		getenv = lookupIn(environ)
	default:
		if o.Environ != nil {
			environ = o.Environ()
		}
	}
	path := o.File
	if f := changedFlag(o.Flags, "config"); f != nil {
		path = f.Value.String()
	}
	bs := bindings()

	// The environment, then the flags the user set, each with where it
	// came from for messages. Every credential among them is remembered
	// first, so that no later message can quote it.
	type override struct {
		key, source string
		raw         any
	}
	var overrides []override
	var blanks []error
	for _, b := range bs {
		switch s, ok := getenv(b.env); {
		case !ok || s == "":
		case blank(s):
			blanks = append(blanks, &FieldError{Key: b.key, Err: newProblem(ErrInvalid,
				"environment variable "+b.env+" is blank (only white space): unset it, or give it a value")})
		default:
			overrides = append(overrides, override{b.key, "environment variable " + b.env, s})
		}
	}
	for _, b := range bs {
		if f := changedFlag(o.Flags, b.flag); f != nil {
			overrides = append(overrides, override{b.key, "flag --" + b.flag, flagValue(f)})
		}
	}
	var secrets []string
	secret := make(map[string]bool)
	for _, b := range bs {
		secret[b.key] = b.secret()
	}
	for _, ov := range overrides {
		if secret[ov.key] {
			secrets = appendStrings(secrets, ov.raw)
		}
		if s, ok := ov.raw.(string); ok && ov.key == "public_url" {
			secrets = append(secrets, urlPasswords(s)...)
		}
	}

	envErrs := append(checkEnv(environ, bs), blanks...)

	v := viper.NewWithOptions(viper.WithDecoderRegistry(caseCheckedDecoders{viper.NewCodecRegistry()}))
	var errs []error
	if path != "" {
		if err := readFile(v, path); err != nil {
			if len(envErrs) > 0 {
				err = errors.Join(append([]error{err}, envErrs...)...)
			}
			return nil, redactError(err, secrets)
		}
		errs = checkKeys(v)
		// Only the file is loaded yet: check each of its values, even
		// those the environment or a flag will override.
		scratch := Default()
		for _, b := range bs {
			raw := v.Get(b.key)
			if raw == nil {
				continue
			}
			if secret[b.key] {
				secrets = appendStrings(secrets, raw)
			}
			if s, ok := raw.(string); ok && b.key == "public_url" {
				secrets = append(secrets, urlPasswords(s)...)
			}
			if err := decode(b.field(scratch), raw, secret[b.key]); err != nil {
				errs = append(errs, &FieldError{Key: b.key, Err: err})
			}
		}
	}

	// Viper reads the environment itself only through os.Getenv, so the
	// environment and the flags go in as overrides, flags last so that a
	// flag beats the variable for the same key.
	defaults := Default()
	for _, b := range bs {
		v.SetDefault(b.key, value(b.field(defaults)))
	}
	source := make(map[string]string)
	for _, ov := range overrides {
		v.Set(ov.key, ov.raw)
		source[ov.key] = ov.source
	}

	cfg := Default()
	for _, b := range bs {
		raw := v.Get(b.key)
		if raw == nil {
			continue // shadowed by a section of the wrong type, reported by checkKeys
		}
		err := decode(b.field(cfg), raw, secret[b.key])
		if src, ok := source[b.key]; ok && err != nil {
			// A file value's error is reported above.
			errs = append(errs, &FieldError{Key: b.key, Err: newProblem(err, err.Error()+" (from "+src+")")})
		}
	}

	errs = append(errs, envErrs...)

	if name := cfg.Twilio.AuthTokenFile; name != "" {
		token, err := readTokenFile(name)
		if err != nil {
			errs = append(errs, &FieldError{Key: "twilio.auth_token_file", Err: err})
		}
		cfg.Twilio.AuthTokenFromFile = token
		secrets = append(secrets, token.Reveal())
	}

	if len(errs) > 0 {
		for i := range errs {
			errs[i] = redact(errs[i], secrets)
		}
		return nil, errors.Join(errs...)
	}
	return cfg, nil
}

// appendStrings appends every string inside raw (a string, a list or a
// section, as a decoder returns them) to dst, whole and, for strings, as
// the trimmed items of a comma-separated list.
func appendStrings(dst []string, raw any) []string {
	switch v := raw.(type) {
	case string:
		dst = append(dst, strings.TrimSpace(v))
		for item := range strings.SplitSeq(v, ",") {
			dst = append(dst, strings.TrimSpace(item))
		}
	case []string:
		for _, s := range v {
			dst = appendStrings(dst, s)
		}
	case []any:
		for _, e := range v {
			dst = appendStrings(dst, e)
		}
	case map[string]any:
		for _, e := range v {
			dst = appendStrings(dst, e)
		}
	}
	return dst
}

// value returns the value ptr points to, for Viper's defaults.
func value(ptr any) any {
	switch p := ptr.(type) {
	case *string:
		return *p
	case *Secret:
		return string(*p)
	case *[]string:
		return *p
	case *[]Secret:
		return *p
	case *bool:
		return *p
	case *time.Duration:
		return *p
	case *int:
		return *p
	case *int64:
		return *p
	}
	panic(fmt.Sprintf("config: no default for %T", ptr)) // a bug in the bindings table
}

// readFile reads the configuration file at path into v.
func readFile(v *viper.Viper, path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // FileError names the path already
		}
		return &FileError{Path: path, Err: err}
	}
	var format string
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".yaml", ".yml":
		format = "yaml"
	case ".toml":
		format = "toml"
	default:
		return &FileError{Path: path, Err: newProblem(ErrUnsupportedFormat,
			fmt.Sprintf("unsupported format %q: want .yaml, .yml or .toml", ext))}
	}
	if format == "yaml" {
		if err := oneYAMLDocument(data); err != nil {
			return &FileError{Path: path, Err: err}
		}
	}
	v.SetConfigType(format)
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		var ce *caseError
		if errors.As(err, &ce) {
			return errors.Join(ce.errs...)
		}
		return &FileError{Path: path, Err: syntaxError(format, err)}
	}
	return nil
}

// oneYAMLDocument refuses YAML data of more than one document: Viper reads
// the first and would drop the others without a word, unknown keys
// included. It asks the parser Viper uses, as only the parser knows where
// a document ends: at a line of --- or ..., but also where an indented
// first line's mapping closes, after a flow mapping's closing brace, at a
// % directive, and in a UTF-16 file as in UTF-8. Whatever follows the
// first document must parse as empty documents (a trailing ---, comments):
// an error there is refused too, as Viper would never see it. A syntax
// error in the first document is left to Viper's parse, which reports it.
// (A line scanner was tried instead, to import nothing but Viper, and a
// review found five ways past it.)
func oneYAMLDocument(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil // none (an empty file), or Viper's error to report
	}
	for {
		var next yaml.Node
		switch err := dec.Decode(&next); {
		case err == io.EOF:
			return nil
		case err != nil:
			return syntaxError("yaml", err)
		case !emptyYAMLDocument(&next):
			return newProblem(ErrSyntax, "invalid YAML: the file holds more than one document (a line of --- or ...): "+
				"Gatehouse reads one, so put every key in it")
		}
	}
}

// emptyYAMLDocument reports whether doc, a decoded document, holds
// nothing: no node but the implicit null of an empty document.
func emptyYAMLDocument(doc *yaml.Node) bool {
	for _, n := range doc.Content {
		if n.Kind != yaml.ScalarNode || n.Tag != "!!null" || n.Value != "" {
			return false
		}
	}
	return true
}

// caseCheckedDecoders wraps the decoders of a Viper codec registry with
// caseCheckedDecoder.
type caseCheckedDecoders struct{ viper.DecoderRegistry }

// Decoder returns the wrapped registry's decoder for format, wrapped.
func (r caseCheckedDecoders) Decoder(format string) (viper.Decoder, error) {
	d, err := r.DecoderRegistry.Decoder(format)
	if err != nil {
		return nil, err
	}
	return caseCheckedDecoder{Decoder: d, format: format}, nil
}

// caseCheckedDecoder refuses a file in which one mapping holds keys that
// differ only in case, such as listen and Listen, or [twilio] and [Twilio]
// sections. Viper lower-cases keys after decoding, walking a Go map, so it
// would keep one of them at random and say nothing. It also refuses a key
// with a dot in its name, such as "twilio.auth_token" written as one YAML
// key: Viper would read it as the nested key and let it shadow, silently,
// the same key in a twilio section.
type caseCheckedDecoder struct {
	viper.Decoder
	format string // "yaml" or "toml", for the advice on dotted keys
}

// Decode decodes b into m with the wrapped decoder, then checks the keys
// while they are still spelled as in the file.
func (d caseCheckedDecoder) Decode(b []byte, m map[string]any) error {
	if err := d.Decoder.Decode(b, m); err != nil {
		return err
	}
	if errs := caseDuplicates(d.format, "", m); len(errs) > 0 {
		return &caseError{errs: errs}
	}
	return nil
}

// caseError carries caseDuplicates' errors through Viper, which wraps
// what a decoder returns in a viper.ConfigParseError.
type caseError struct{ errs []error }

func (e *caseError) Error() string   { return errors.Join(e.errs...).Error() }
func (e *caseError) Unwrap() []error { return e.errs }

// caseDuplicates returns a [*FieldError] matching ErrInvalid for every set
// of keys in m, or in the mappings nested in it, that are equal once
// lower-cased, and for every key with a dot in its name, sorted by key.
// prefix is the dotted path of m, lower-cased, with a trailing dot; format
// is the file's, for the advice on dotted keys. Messages name the
// spellings found, never the values.
func caseDuplicates(format, prefix string, m map[string]any) []error {
	spellings := make(map[string][]string, len(m))
	for k := range m {
		lk := strings.ToLower(k)
		spellings[lk] = append(spellings[lk], k)
	}
	var errs []error
	for _, lk := range slices.Sorted(maps.Keys(spellings)) {
		keys := spellings[lk]
		slices.Sort(keys)
		if strings.Contains(lk, ".") {
			msg := "a key name must not contain a dot: keys are nested sections"
			if quoteName(lk) == lk { // else its parts cannot be spelled out on one line
				msg = dottedKey(format, prefix, lk)
			}
			errs = append(errs, &FieldError{Key: prefix + lk, Err: newProblem(ErrInvalid, msg)})
		}
		if len(keys) > 1 {
			spelt := make([]string, len(keys))
			for i, k := range keys {
				spelt[i] = quoteName(k)
			}
			errs = append(errs, &FieldError{Key: prefix + lk, Err: newProblem(ErrInvalid, fmt.Sprintf(
				"given %d times in different cases (%s); keys are case-insensitive", len(keys), strings.Join(spelt, ", ")))})
		}
		for _, k := range keys {
			if sub := stringMap(m[k]); sub != nil {
				errs = append(errs, caseDuplicates(format, prefix+lk+".", sub)...)
			}
		}
	}
	return errs
}

// dottedKey describes the key k, with a dot in its name, of the mapping at
// prefix: no Gatehouse key has a dot in a name of its own, so k is one key
// of a section written as a single name. The advice spells k's parts as
// the file's format nests them.
func dottedKey(format, prefix, k string) string {
	const msg = "a key name must not contain a dot: keys are nested sections"
	parts := strings.Split(k, ".")
	if slices.Contains(parts, "") {
		return msg
	}
	last := len(parts) - 1
	switch format {
	case "yaml":
		quoted := make([]string, len(parts))
		for i, p := range parts {
			quoted[i] = `"` + p + `:"`
		}
		if len(parts) == 2 {
			return fmt.Sprintf("%s: write %s, then %s indented under it", msg, quoted[0], quoted[1])
		}
		return fmt.Sprintf("%s: write %s and %s, each indented under the one before",
			msg, strings.Join(quoted[:last], ", "), quoted[last])
	case "toml":
		return fmt.Sprintf("%s: write a [%s] section holding %s",
			msg, prefix+strings.Join(parts[:last], "."), parts[last])
	}
	return msg
}

// stringMap returns raw as a map[string]any if it is a mapping, keys
// formatted as Viper formats them, or nil. (The YAML decoder gives a
// map[any]any for a mapping with a key that is not a string.)
func stringMap(raw any) map[string]any {
	switch m := raw.(type) {
	case map[string]any:
		return m
	case map[any]any:
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[fmt.Sprint(k)] = v
		}
		return out
	}
	return nil
}

// syntaxError turns a parser's error into one line that never quotes the
// file: parsers echo fragments of the input, and the input may hold a token.
func syntaxError(format string, err error) error {
	msg := err.Error()
	var pe viper.ConfigParseError
	if errors.As(err, &pe) && pe.Unwrap() != nil {
		msg = pe.Unwrap().Error()
	}
	msg = strings.TrimPrefix(msg, format+": ")
	msg = strings.ReplaceAll(msg, "into map[string]interface {}", "into a mapping of keys")
	msg = dropCodePoints(maskQuoted(msg))
	msg = strings.Join(strings.Fields(msg), " ") // one line
	var pos interface{ Position() (row, column int) }
	if errors.As(err, &pos) {
		row, col := pos.Position()
		msg = fmt.Sprintf("line %d, column %d: %s", row, col, msg)
	}
	return newProblem(ErrSyntax, "invalid "+strings.ToUpper(format)+": "+msg)
}

// maskQuoted replaces what every quoted run ('x', "x" or `x`) in s quotes
// with "...".
func maskQuoted(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' || c == '"' || c == '`' {
			if j := strings.IndexByte(s[i+1:], c); j > 0 {
				b.WriteByte(c)
				b.WriteString("...")
				b.WriteByte(c)
				i += j + 1
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// dropCodePoints removes the "U+0078 " notation with which a parser names
// the character it choked on.
func dropCodePoints(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "U+")
		if i < 0 {
			break
		}
		j := i + 2
		for j < len(s) && strings.IndexByte("0123456789ABCDEFabcdef", s[j]) >= 0 {
			j++
		}
		b.WriteString(s[:i])
		if j < len(s) && s[j] == ' ' {
			j++
		}
		s = s[j:]
	}
	b.WriteString(s)
	return b.String()
}

// checkKeys reports every key in the file Gatehouse does not know, and
// every section (such as server) given a plain value.
func checkKeys(v *viper.Viper) []error {
	known := make(map[string]bool)
	for _, b := range bindings() {
		known[b.key] = true
	}
	keys := v.AllKeys()
	slices.Sort(keys)
	var errs []error
keys:
	for _, k := range keys {
		switch {
		case known[k]:
		case slices.Contains(sections(), k):
			if raw := v.Get(k); raw != nil {
				errs = append(errs, &FieldError{Key: k, Err: newProblem(ErrInvalid,
					"want a section of keys, got "+describe(raw, true))})
			}
		default:
			for leaf := range known {
				if strings.HasPrefix(k, leaf+".") {
					continue keys // Load reports leaf's wrong type
				}
			}
			msg := "unknown key"
			if s := suggest(k, known); s != "" {
				msg += " (did you mean " + s + "?)"
			}
			errs = append(errs, &FieldError{Key: k, Err: newProblem(ErrUnknownKey, msg)})
		}
	}
	return errs
}

// suggest returns the known key that k was probably meant to be, or "".
func suggest(k string, known map[string]bool) string {
	var best []string
	bestDist := 3 // suggest only within two edits
	last := k[strings.LastIndex(k, ".")+1:]
	var sameLast []string
	for key := range known {
		if key[strings.LastIndex(key, ".")+1:] == last {
			sameLast = append(sameLast, key)
		}
		switch d := distance(k, key); {
		case d < bestDist:
			best, bestDist = []string{key}, d
		case d == bestDist:
			best = append(best, key)
		}
	}
	switch {
	case len(best) == 1:
		return best[0]
	case len(sameLast) == 1:
		return sameLast[0] // a key moved out of its section, such as auth_token
	}
	return ""
}

// distance is the Levenshtein edit distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// readTokenFile returns the trimmed content of the token file at name.
// Errors name neither the file's content nor the file: the value of
// twilio.auth_token_file may itself be a token, pasted in place of a path,
// and the operator knows which path they set. An [io/fs] error is kept for
// errors.Is, without the *fs.PathError that would quote name.
func readTokenFile(name string) (Secret, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", unreadable(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxTokenFileBytes+1))
	if err != nil {
		return "", unreadable(err) // a directory, say
	}
	if len(data) > maxTokenFileBytes {
		return "", newProblem(ErrInvalid, fmt.Sprintf("the file it names is larger than %d bytes: not a token", maxTokenFileBytes))
	}
	token := strings.TrimSpace(string(data))
	switch {
	case token == "":
		return "", newProblem(ErrInvalid, "the file it names is empty")
	case strings.ContainsFunc(token, unicode.IsSpace):
		return "", newProblem(ErrInvalid, "the file it names holds more than one word: want exactly one token")
	}
	return Secret(token), nil
}

// unreadable describes err, from opening or reading the token file,
// without the path an *fs.PathError quotes.
func unreadable(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return &problem{kind: err, msg: "cannot read the file it names: " + err.Error() + " (the name is not quoted: it may be a token pasted by mistake)"}
}

// changedFlag returns the flag called name in fs if the user set it.
func changedFlag(fs *pflag.FlagSet, name string) *pflag.Flag {
	if fs == nil || name == "" {
		return nil
	}
	if f := fs.Lookup(name); f != nil && f.Changed {
		return f
	}
	return nil
}

// flagValue returns a set flag's value for Viper: the credential itself for
// a secret flag, a []string for a list flag, else its string form.
func flagValue(f *pflag.Flag) any {
	switch v := f.Value.(type) {
	case *secretValue:
		return v.s.Reveal()
	case pflag.SliceValue:
		return v.GetSlice()
	}
	return f.Value.String()
}
