package app

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/authz"
)

// slogLine is the line slog's own TextHandler writes for the record.
func slogLine(t testing.TB, tm time.Time, level slog.Level, msg string, attrs []slog.Attr) string {
	t.Helper()
	var buf bytes.Buffer
	r := slog.NewRecord(tm, level, msg, 0)
	r.AddAttrs(attrs...)
	if err := slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}).Handle(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// The request line observe writes itself is, byte for byte, the line
// slog's TextHandler writes, for every kind of value it writes and every
// string that must be quoted.
func TestTextLineMatchesSlog(t *testing.T) {
	zone := time.FixedZone("IST", 5*3600+30*60)
	times := []time.Time{
		time.Date(2026, 11, 29, 0, 30, 57, 855_000_000, time.UTC),
		time.Date(2026, 11, 29, 0, 30, 57, 0, time.UTC),
		time.Date(2026, 11, 29, 0, 30, 57, 999_999_999, zone),
		time.Date(1999, 1, 2, 3, 4, 5, 100_000, time.UTC),
		time.Now(), // with a monotonic reading
		{},         // the zero time, which the handler leaves out
	}
	strs := []string{"", "plain", "with space", "a=b", `quo"te`, `back\slash`, "tab\there", "new\nline",
		"del\x7f", "nul\x00", "héllo", "日本", "\u00a0nbsp", "\u200bzero-width", "\xff\xfe", "\ufffd", "[system.Everyone group:twilio]",
		"('Allow', 'group:twilio', 'view')", "236.202µs", "emoji 🎉"}
	var attrs [][]slog.Attr
	for _, s := range strs {
		attrs = append(attrs, []slog.Attr{slog.String("k", s)}, []slog.Attr{slog.String(s+"x", "v")})
	}
	attrs = append(attrs,
		[]slog.Attr{slog.Int("status", 200), slog.Int("neg", -7), slog.Int64("max", math.MaxInt64), slog.Uint64("generation", math.MaxUint64)},
		[]slog.Attr{slog.Duration("latency", 236202*time.Nanosecond), slog.Duration("zero", 0), slog.Duration("long", 90*time.Minute+time.Nanosecond), slog.Duration("neg", -time.Second)},
		[]slog.Attr{slog.Any("principals", principalList{"system.Everyone", "group:twilio"}), slog.Any("none", principalList(nil)),
			slog.Any("empty", principalList{}), slog.Any("odd", principalList{"a b", `c"d`, "é"})},
		nil,
	)
	texts := &principalTexts{}
	for _, list := range [][]string{{"system.Everyone"}, {"system.Everyone", "system.Authenticated", "group:twilio", "account:AC1"}, {}, nil, {"x y=z"}} {
		attrs = append(attrs, []slog.Attr{slog.Any("principals", texts.of(list))})
	}
	levels := []slog.Level{slog.LevelInfo, slog.LevelDebug, slog.LevelWarn, slog.LevelError, slog.LevelInfo + 2}
	seconds := &secondTexts{} // shared by all the lines, as a handler's is
	for i, tm := range times {
		for j, a := range attrs {
			level, msg := levels[(i+j)%len(levels)], strs[(i+j)%len(strs)]
			want := slogLine(t, tm, level, msg, a)
			for _, seconds := range []*secondTexts{nil, seconds} {
				got, ok := appendTextLine(nil, seconds, tm, level, msg, a)
				if !ok {
					t.Fatalf("appendTextLine(%v) refused", a)
				}
				if string(got) != want {
					t.Errorf("appendTextLine(%v, %v, %q, %v)\n got %q\nwant %q", tm, level, msg, a, got, want)
				}
			}
		}
	}
}

// Whether a string is quoted does not depend on where in it the byte
// that decides is: textNeedsQuoting reads eight bytes at a time.
func TestTextQuotingEveryPosition(t *testing.T) {
	const plain = "abcdefghijklmnopqrstu"
	for _, c := range []string{"\x00", "\x1f", " ", "!", "=", `"`, `\`, "\x7f", "\x80", "\xff", "é", "\u00a0", "\u2028", "~", ">"} {
		for p := range len(plain) + 1 {
			s := plain[:p] + c + plain[p:]
			attrs := []slog.Attr{slog.String("k", s), slog.String(s, "v")}
			got, ok := appendTextLine(nil, nil, time.Time{}, slog.LevelInfo, s, attrs)
			if want := slogLine(t, time.Time{}, slog.LevelInfo, s, attrs); !ok || string(got) != want {
				t.Errorf("%q:\n got %q\nwant %q", s, got, want)
			}
		}
	}
}

// Values of other kinds, and attributes without a key, are left to the
// handler.
func TestTextLineRefuses(t *testing.T) {
	for _, a := range []slog.Attr{
		slog.Bool("b", true), slog.Float64("f", 1.5), slog.Time("t", time.Now()), slog.Any("any", struct{}{}),
		slog.Group("g", slog.String("a", "b")), slog.String("", "v"), {Key: "nil"},
	} {
		if _, ok := appendTextLine(nil, nil, time.Now(), slog.LevelInfo, "m", []slog.Attr{a}); ok {
			t.Errorf("appendTextLine(%v) = ok, want it left to the handler", a)
		}
	}
}

// Lines written directly and lines the handler writes, from many
// goroutines, reach the writer whole, one line per write.
func TestTextHandlerLinesWhole(t *testing.T) {
	var w lineCounter
	h := newTextHandler(&w, nil)
	logger := slog.New(h)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if i%2 == 0 {
					h.writeLine(time.Now(), slog.LevelInfo, "request", []slog.Attr{slog.Int("i", i)})
				} else {
					logger.Info("other", "i", i)
				}
			}
		}()
	}
	wg.Wait()
	if w.writes != 1600 || w.bad != 0 {
		t.Errorf("%d writes, %d not one whole line; want 1600 and 0", w.writes, w.bad)
	}
}

// lineCounter counts writes, and those that are not exactly one line. It
// is not safe for concurrent use: the handler must serialize.
type lineCounter struct{ writes, bad int }

func (c *lineCounter) Write(p []byte) (int, error) {
	c.writes++
	if !bytes.HasPrefix(p, []byte("time=")) || bytes.IndexByte(p, '\n') != len(p)-1 {
		c.bad++
	}
	return len(p), nil
}

func FuzzTextLine(f *testing.F) {
	f.Add("request", "key", "value", int64(200), uint64(1), int64(236202), int64(1764376257855000000), int8(0), int32(0))
	f.Add("", "a b", "c=d", int64(-1), uint64(0), int64(-5), int64(0), int8(-4), int32(19800))
	f.Add("m\n", "k\xff", "日本\t", int64(math.MinInt64), uint64(math.MaxUint64), int64(math.MaxInt64), int64(-1), int8(8), int32(-12345))
	f.Fuzz(func(t *testing.T, msg, key, value string, n int64, u uint64, d, unixNano int64, level int8, offset int32) {
		if key == "" {
			key = "k"
		}
		texts := &principalTexts{}
		attrs := []slog.Attr{slog.String(key, value), slog.Int64("n", n), slog.Uint64("u", u),
			slog.Duration("d", time.Duration(d)), slog.Any("p", principalList{value, key}),
			slog.Any("principals", texts.of([]string{value, key})), slog.Any("ace", newACEText(authz.ACE{}, value))}
		tm := time.Unix(0, unixNano).In(time.FixedZone("Z", int(offset%(18*3600))))
		// Then a time up to two seconds later, often in the same second,
		// written with the second remembered from the first.
		seconds := &secondTexts{}
		for _, tm := range []time.Time{tm, tm.Add(time.Duration(uint64(d) % uint64(2*time.Second)))} {
			got, ok := appendTextLine(nil, seconds, tm, slog.Level(level), msg, attrs)
			if !ok {
				t.Fatal("appendTextLine refused")
			}
			if want := slogLine(t, tm, slog.Level(level), msg, attrs); string(got) != want {
				t.Errorf("got  %q\nwant %q", got, want)
			}
			if strings.Count(string(got), "\n") != 1 {
				t.Errorf("not one line: %q", got)
			}
		}
	})
}
