package config

import (
	"slices"
	"strconv"
	"strings"
)

// envPrefix begins the name of every environment variable Gatehouse reads,
// except TWILIO_AUTH_TOKEN.
const envPrefix = "GATEHOUSE_"

// lookupIn returns a Getenv that looks names up in environ, a list of
// "NAME=value" strings; of several entries for one name, the last wins.
// (A real process's os.Environ holds each name once: os/exec keeps one
// entry per name when it builds a command's environment.)
func lookupIn(environ []string) func(string) (string, bool) {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return func(k string) (string, bool) {
		v, ok := m[k]
		return v, ok
	}
}

// blank reports whether an environment variable's value is only white
// space. Load refuses such a variable, naming it: taken as a value, it
// would silently clear what the file sets (TWILIO_AUTH_TOKEN=" " trims to
// nothing, and would drop the file's token during a rotation; a blank
// list would drop the file's old tokens or trusted proxies), and taken as
// unset, it would silently keep what the operator may have meant to
// clear.
func blank(value string) bool { return strings.TrimSpace(value) == "" }

// checkEnv reports, sorted by name, every variable of environ whose name
// starts with GATEHOUSE_ and that no binding reads: a typo such as
// GATEHOUSE_POLICY_FLIE would otherwise leave its key at the file's value
// or the default without a word. An empty variable is skipped: it counts
// as unset, whatever its name. Messages name the variable, never its
// value, which may be a credential.
func checkEnv(environ []string, bs []binding) []error {
	bound := make(map[string]bool, len(bs))
	for _, b := range bs {
		bound[b.env] = true
	}
	last := make(map[string]string) // of several entries for a name, the last counts, as in lookupIn
	for _, kv := range environ {
		if name, value, _ := strings.Cut(kv, "="); strings.HasPrefix(name, envPrefix) && !bound[name] {
			last[name] = value
		}
	}
	var names []string
	for name, value := range last {
		if value != "" {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	errs := make([]error, 0, len(names))
	for _, name := range names {
		msg := "unknown environment variable"
		switch s := suggestEnv(name, bs); {
		case s != "":
			msg += " (did you mean " + s + "?)"
		case name == envPrefix+"CONFIG":
			msg += " (the configuration file is named by --config)"
		}
		errs = append(errs, &FieldError{Key: name, Err: newProblem(ErrUnknownKey, msg)})
	}
	return errs
}

// suggestEnv returns the variable that name, an unknown GATEHOUSE_
// variable, was probably meant to be, or "". It tries, in turn: name in
// upper case, or a key's name spelled as a GATEHOUSE_ variable
// (GATEHOUSE_TWILIO_AUTH_TOKEN for TWILIO_AUTH_TOKEN); the one variable or
// spelling within two edits of name; and the one key of a section whose
// own name name repeats without the section (GATEHOUSE_READ_TIMEOUT).
func suggestEnv(name string, bs []binding) string {
	spellings := make(map[string]string, 2*len(bs)) // spelling -> variable
	for _, b := range bs {
		spellings[b.env] = b.env
		spellings[envPrefix+strings.ToUpper(strings.ReplaceAll(b.key, ".", "_"))] = b.env
	}
	upper := strings.ToUpper(name)
	if env, ok := spellings[upper]; ok {
		return env
	}
	var best []string
	bestDist := 3 // suggest only within two edits
	for sp, env := range spellings {
		switch d := distance(upper, sp); {
		case d < bestDist:
			best, bestDist = []string{env}, d
		case d == bestDist && !slices.Contains(best, env):
			best = append(best, env)
		}
	}
	if len(best) == 1 {
		return best[0]
	}
	rest := strings.TrimPrefix(upper, envPrefix)
	var sameLast []string
	for _, b := range bs {
		if i := strings.LastIndexByte(b.key, '.'); i >= 0 && strings.ToUpper(b.key[i+1:]) == rest {
			sameLast = append(sameLast, b.env)
		}
	}
	if len(sameLast) == 1 {
		return sameLast[0]
	}
	return ""
}

// quoteName returns name as an error names it: as it is if it holds only
// printable ASCII other than a space, '"' and '\\', else quoted.
func quoteName(name string) string {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c <= ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.Quote(name)
		}
	}
	return name
}
