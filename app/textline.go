package app

import (
	"bytes"
	"encoding"
	"io"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"
)

// textHandler is slog's TextHandler together with the writer it writes
// to, so that observe can write the request line itself (appendTextLine):
// the same bytes the handler would write, in a fraction of the time, since
// observe knows the few kinds of value the line holds. Both write through
// one lockedWriter, so that lines never interleave whatever w is.
type textHandler struct {
	slog.Handler
	w       *lockedWriter
	bufs    *sync.Pool // of *[]byte: the buffers of lines written directly
	seconds *secondTexts
}

// newTextHandler returns a textHandler writing to w with opts, which must
// have no ReplaceAttr and no AddSource (appendTextLine would not apply
// them).
func newTextHandler(w io.Writer, opts *slog.HandlerOptions) *textHandler {
	lw := &lockedWriter{w: w}
	bufs := &sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}
	return &textHandler{Handler: slog.NewTextHandler(lw, opts), w: lw, bufs: bufs, seconds: &secondTexts{}}
}

// lockedWriter serializes the writes to w.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// maxPooledLine bounds the buffers a textHandler keeps.
const maxPooledLine = 64 << 10

// writeLine writes the line of a record at t, level and msg with attrs,
// as h's TextHandler would, and reports whether it could: it cannot for a
// value of a kind appendTextLine does not write, and the caller then
// hands the record to the handler.
func (h *textHandler) writeLine(t time.Time, level slog.Level, msg string, attrs []slog.Attr) bool {
	bp := h.bufs.Get().(*[]byte)
	b, ok := appendTextLine((*bp)[:0], h.seconds, t, level, msg, attrs)
	if ok {
		_, _ = h.w.Write(b) // as the handler does: a log write error has nowhere to go
	}
	if cap(b) <= maxPooledLine {
		*bp = b[:0]
		h.bufs.Put(bp)
	}
	return ok
}

// appendTextLine appends the line slog's TextHandler writes for a record
// at t, level and msg with attrs (no groups, no ReplaceAttr, no source)
// and reports whether it could: the values must be strings, integers,
// durations or encoding.TextMarshalers, and each attribute must have a key.
// seconds, if not nil, remembers how the time's second is written.
// TestTextLineMatchesSlog and FuzzTextLine hold it to the handler's own
// output.
func appendTextLine(b []byte, seconds *secondTexts, t time.Time, level slog.Level, msg string, attrs []slog.Attr) ([]byte, bool) {
	if !t.IsZero() { // the handler leaves out a zero time
		b = append(b, "time="...)
		b = seconds.appendTime(b, t.Round(0))
		b = append(b, ' ')
	}
	b = append(b, "level="...)
	b = appendTextString(b, level.String())
	b = append(b, " msg="...)
	b = appendTextString(b, msg)
	for _, a := range attrs {
		if a.Key == "" {
			return b, false
		}
		b = append(b, ' ')
		b = appendTextString(b, a.Key)
		b = append(b, '=')
		switch v := a.Value; v.Kind() {
		case slog.KindString:
			b = appendTextString(b, v.String())
		case slog.KindInt64:
			b = strconv.AppendInt(b, v.Int64(), 10)
		case slog.KindUint64:
			b = strconv.AppendUint(b, v.Uint64(), 10)
		case slog.KindDuration:
			b = append(b, v.Duration().String()...)
		case slog.KindAny:
			if ta, ok := v.Any().(textAppender); ok {
				b = ta.appendText(b)
				continue
			}
			tm, ok := v.Any().(encoding.TextMarshaler)
			if !ok {
				return b, false
			}
			text, err := tm.MarshalText()
			if err != nil {
				return b, false
			}
			b = appendTextString(b, string(text))
		default:
			return b, false
		}
	}
	return append(b, '\n'), true
}

// textAppender is a value that appends itself as a text log line holds
// it, as a TextMarshaler's text would be written (principalsText: rendered
// once for many lines).
type textAppender interface{ appendText(b []byte) []byte }

// secondTexts remembers how appendRFC3339Millis writes the last second it
// was asked for, in one location: a line written within that second
// copies it and writes only the milliseconds. The second and the location
// decide the text exactly, zone included, since zones change offset on
// whole seconds.
type secondTexts struct{ last atomic.Pointer[secondText] }

type secondText struct {
	unix         int64
	loc          *time.Location
	prefix, zone []byte // "2006-01-02T15:04:05" and the zone after the milliseconds
}

// appendTime appends t as appendRFC3339Millis does; s may be nil.
func (s *secondTexts) appendTime(b []byte, t time.Time) []byte {
	if s == nil {
		return appendRFC3339Millis(b, t)
	}
	unix, loc := t.Unix(), t.Location()
	if e := s.last.Load(); e != nil && e.unix == unix && e.loc == loc {
		ms := t.Nanosecond() / int(time.Millisecond)
		b = append(b, e.prefix...)
		b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
		return append(b, e.zone...)
	}
	n := len(b)
	b = appendRFC3339Millis(b, t)
	const prefixLen = len("2006-01-02T15:04:05") // a year of four digits
	if text := b[n:]; len(text) > prefixLen+4 && text[prefixLen] == '.' {
		s.last.Store(&secondText{unix: unix, loc: loc,
			prefix: bytes.Clone(text[:prefixLen]), zone: bytes.Clone(text[prefixLen+4:])})
	}
	return b
}

// appendRFC3339Millis appends t as slog's TextHandler writes a record's
// time: RFC 3339 with exactly three digits of milliseconds, truncated.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano trims trailing zeros: a tenth of a millisecond keeps
	// four digits, of which the fourth is then dropped.
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// appendTextString appends s as slog's TextHandler writes a string: as
// it is, or quoted (strconv.Quote) if it is empty or holds a space, '=',
// '"', an ASCII control character other than DEL, or a rune that is
// invalid, a space or not printable.
func appendTextString(b []byte, s string) []byte {
	if textNeedsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

func textNeedsQuoting(s string) bool {
	if s == "" {
		return true
	}
	// Eight ASCII bytes at a time, the common case: the first word with a
	// byte to look at goes to the loop below, a byte at a time.
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// A byte at or above 0x80, below 0x21, or '=' or '"' (each test
		// exact for a word of ASCII bytes, which the first makes sure of).
		lt := (x - 0x21*ones) &^ x
		eq := (x ^ '='*ones - ones) &^ (x ^ '='*ones)
		qu := (x ^ '"'*ones - ones) &^ (x ^ '"'*ones)
		if (x|lt|eq|qu)&highs != 0 {
			break
		}
	}
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == '=' || c == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
