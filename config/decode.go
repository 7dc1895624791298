package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// decode stores raw, a value as Viper returns it (a string from the
// environment or a flag; a string, number, bool, list or map from a file;
// the typed default), into the field that dst points to. Conversions are
// strict: a value of the wrong type is an error, never a silent zero. The
// message describes raw unless secret is set, in which case it names only
// raw's type.
func decode(dst, raw any, secret bool) error {
	var err error
	switch p := dst.(type) {
	case *string:
		*p, err = toString(raw, secret)
	case *Secret:
		var s string
		s, err = toString(raw, true)
		*p = Secret(strings.TrimSpace(s))
	case *[]string:
		*p, err = toList(raw, secret)
	case *[]Secret:
		var l []string
		l, err = toList(raw, true)
		*p = nil
		for _, s := range l {
			*p = append(*p, Secret(s))
		}
	case *bool:
		*p, err = toBool(raw)
	case *time.Duration:
		*p, err = toDuration(raw)
	case *int:
		var n int64
		n, err = toInt(raw, math.MinInt, math.MaxInt)
		*p = int(n)
	case *int64:
		*p, err = toInt(raw, math.MinInt64, math.MaxInt64)
	default:
		panic(fmt.Sprintf("config: no decoder for %T", dst)) // a bug in the bindings table
	}
	return err
}

func toString(raw any, secret bool) (string, error) {
	switch v := raw.(type) {
	case string:
		return v, nil
	case Secret:
		return string(v), nil
	case int, int64, uint64, float64:
		return "", wrongType("a string (quote the value)", raw, secret)
	}
	return "", wrongType("a string", raw, secret)
}

// toList accepts a list of strings or one comma-separated string. Items are
// trimmed of white space and empty items dropped.
func toList(raw any, secret bool) ([]string, error) {
	var items []string
	switch v := raw.(type) {
	case string:
		items = strings.Split(v, ",")
	case []string:
		items = v
	case []Secret:
		for _, s := range v {
			items = append(items, string(s))
		}
	case []any:
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, newProblem(ErrInvalid, fmt.Sprintf("item %d: want a string, got %s", i+1, describe(e, secret)))
			}
			items = append(items, s)
		}
	default:
		return nil, wrongType("a list of strings or a comma-separated string", raw, secret)
	}
	var list []string
	for _, s := range items {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	return list, nil
}

func toBool(raw any) (bool, error) {
	switch v := raw.(type) {
	case bool:
		return v, nil
	case string:
		b, err := strconv.ParseBool(strings.TrimSpace(v))
		if err != nil {
			return false, wrongType("true or false", raw, false)
		}
		return b, nil
	}
	return false, wrongType("true or false", raw, false)
}

// toDuration accepts a duration string such as "5s". A bare number is
// refused: it would silently mean nanoseconds.
func toDuration(raw any) (time.Duration, error) {
	const want = `a duration such as "5s" or "1m30s"`
	switch v := raw.(type) {
	case time.Duration:
		return v, nil
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return 0, wrongType(want, raw, false)
		}
		return d, nil
	}
	return 0, wrongType(want, raw, false)
}

// toInt accepts an integer, a float with an integral value (some decoders
// produce those) or a decimal string, within [lo, hi].
func toInt(raw any, lo, hi int64) (int64, error) {
	const want = "a whole number"
	var n int64
	switch v := raw.(type) {
	case int:
		n = int64(v)
	case int64:
		n = v
	case uint64:
		if v > math.MaxInt64 {
			return 0, outOfRange(raw)
		}
		n = int64(v)
	case float64:
		if v != math.Trunc(v) || v < math.MinInt64 || v >= math.MaxInt64 {
			return 0, wrongType(want, raw, false)
		}
		n = int64(v)
	case string:
		var err error
		n, err = strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, wrongType(want, raw, false)
		}
	default:
		return 0, wrongType(want, raw, false)
	}
	if n < lo || n > hi {
		return 0, outOfRange(raw)
	}
	return n, nil
}

func outOfRange(raw any) error {
	return newProblem(ErrInvalid, "out of range: "+describe(raw, false))
}

func wrongType(want string, raw any, secret bool) error {
	return newProblem(ErrInvalid, "want "+want+", got "+describe(raw, secret))
}

// describe names raw for a message: its kind, and its value when it is a
// short scalar and not a secret.
func describe(raw any, secret bool) string {
	kind := ""
	switch raw.(type) {
	case string, Secret:
		kind = "string"
	case bool:
		kind = "boolean"
	case int, int64, uint64, float64:
		kind = "number"
	case []any, []string, []Secret:
		return "a list"
	case map[string]any:
		return "a section of keys"
	case nil:
		return "nothing"
	default:
		return fmt.Sprintf("a value of type %T", raw)
	}
	if secret {
		return "a " + kind + " (value not shown)"
	}
	if kind == "string" {
		return fmt.Sprintf("%q", raw)
	}
	return fmt.Sprintf("%s %v", kind, raw)
}
