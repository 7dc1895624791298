package main_test

// Policy edits under load: the policy file of a running `gatehouse serve`
// is rewritten hundreds of times, with valid and malformed policies, while
// workers send signed and unsigned requests; every answer must be the one
// the policy in force when it was decided gives.

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// loadExpect is what a policy decides for one kind of request: the
// decision and the explanation the request log gives for it.
type loadExpect struct {
	allowed bool
	ace     string // as logged: "('Allow', 'group:twilio', 'view')" or "<default deny>"
	context string // the resource whose ACL decided (the requested one on a default deny)
}

// loadPolicy is a valid policy file and its decisions, written down here
// from Pyramid's ACL semantics (first matching entry along the lineage,
// default deny), independently of authz.
type loadPolicy struct {
	name string
	text string
	want map[string]loadExpect // by route name, then "+signed" or "+unsigned"
}

// rows is the number of rows of the policy, as the reload line reports it.
func (p loadPolicy) rows() int {
	n := 0
	for l := range strings.Lines(p.text) {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			n++
		}
	}
	return n
}

func (p loadPolicy) expect(k loadKind) loadExpect {
	suffix := "+unsigned"
	if k.signed {
		suffix = "+signed"
	}
	return p.want[k.route.name+suffix]
}

const (
	allowTwilioView = "('Allow', 'group:twilio', 'view')"
	defaultDeny     = "<default deny>"
)

// loadPolicies returns four valid policies that decide differently; each
// has a different number of rows, so that a reload line (rows=N) names
// the policy it loaded.
func loadPolicies() []loadPolicy {
	deny := func(ctx string) loadExpect { return loadExpect{false, defaultDeny, ctx} }
	return []loadPolicy{
		{
			name: "default: twilio views everything",
			text: "p, group:twilio, /, view, allow\n",
			want: map[string]loadExpect{
				"menu+signed":         {true, allowTwilioView, "/"},
				"choose+signed":       {true, allowTwilioView, "/"},
				"accessible+signed":   {true, allowTwilioView, "/"},
				"restricted+signed":   deny("/restricted"),
				"menu+unsigned":       deny("/"),
				"choose+unsigned":     deny("/"),
				"accessible+unsigned": deny("/accessible"),
				"restricted+unsigned": deny("/restricted"),
			},
		},
		{
			name: "restricted opened to twilio",
			text: "p, group:twilio, /, view, allow\np, group:twilio, /restricted, restricted, allow\n",
			want: map[string]loadExpect{
				"menu+signed":         {true, allowTwilioView, "/"},
				"choose+signed":       {true, allowTwilioView, "/"},
				"accessible+signed":   {true, allowTwilioView, "/"},
				"restricted+signed":   {true, "('Allow', 'group:twilio', 'restricted')", "/restricted"},
				"menu+unsigned":       deny("/"),
				"choose+unsigned":     deny("/"),
				"accessible+unsigned": deny("/accessible"),
				"restricted+unsigned": deny("/restricted"),
			},
		},
		{
			name: "root denied explicitly, accessible allowed to twilio",
			text: "p, group:twilio, /accessible, view, allow\np, system.Everyone, /, view, deny\np, system.Everyone, /restricted, restricted, deny\n",
			want: map[string]loadExpect{
				"menu+signed":         {false, "('Deny', 'system.Everyone', 'view')", "/"},
				"choose+signed":       {false, "('Deny', 'system.Everyone', 'view')", "/"},
				"accessible+signed":   {true, allowTwilioView, "/accessible"},
				"restricted+signed":   {false, "('Deny', 'system.Everyone', 'restricted')", "/restricted"},
				"menu+unsigned":       {false, "('Deny', 'system.Everyone', 'view')", "/"},
				"choose+unsigned":     {false, "('Deny', 'system.Everyone', 'view')", "/"},
				"accessible+unsigned": {false, "('Deny', 'system.Everyone', 'view')", "/"},
				"restricted+unsigned": {false, "('Deny', 'system.Everyone', 'restricted')", "/restricted"},
			},
		},
		{
			name: "accessible open to everyone, restricted to the authenticated",
			text: "p, system.Everyone, /accessible, view, allow\np, group:twilio, /, view, allow\n" +
				"p, system.Authenticated, /restricted, restricted, allow\np, system.Everyone, /restricted, restricted, deny\n",
			want: map[string]loadExpect{
				"menu+signed":         {true, allowTwilioView, "/"},
				"choose+signed":       {true, allowTwilioView, "/"},
				"accessible+signed":   {true, "('Allow', 'system.Everyone', 'view')", "/accessible"},
				"restricted+signed":   {true, "('Allow', 'system.Authenticated', 'restricted')", "/restricted"},
				"menu+unsigned":       deny("/"),
				"choose+unsigned":     deny("/"),
				"accessible+unsigned": {true, "('Allow', 'system.Everyone', 'view')", "/accessible"},
				"restricted+unsigned": {false, "('Deny', 'system.Everyone', 'restricted')", "/restricted"},
			},
		},
	}
}

// loadMalformed returns malformed policy files, one problem each (so one
// rejection line each), by kind.
func loadMalformed() []struct{ kind, text string } {
	return []struct{ kind, text string }{
		{"wrong column count", "p, group:twilio, /, view, allow\np, group:twilio, /restricted, restricted\n"},
		{"unknown effect", "p, group:twilio, /, view, allow\np, group:twilio, /restricted, restricted, grant\n"},
		{"empty file", ""},
		// A writer cut off in the deny row of the third policy: the rows
		// before it are valid and, loaded alone, would open /.
		{"truncated mid-row", "p, group:twilio, /accessible, view, allow\np, group:twilio, /, view, allow\np, system.Everyone, /, view, de"},
		{"system principal as a group", "p, group:twilio, /, view, allow\ng, x, system.Everyone\n"},
		{"unknown row type", "p, group:twilio, /, view, allow\nq, group:twilio, /restricted, restricted, allow\n"},
		{"resource not a clean path", "p, group:twilio, /, view, allow\np, group:twilio, /restricted/, restricted, allow\n"},
		{"quoted principal", "p, \"group:twilio\", /, view, allow\n"},
	}
}

// loadWrite is one rewrite of the policy file.
type loadWrite struct {
	content string
	policy  int           // index in loadPolicies, or -1 for a malformed file
	kind    string        // what is malformed
	watch   bool          // left to the watcher; otherwise SIGHUP reloads
	late    time.Duration // how long to wait before SIGHUP
}

// loadSchedule returns n rewrites: valid and malformed alternately, the
// valid ones cycling through policies 1, 2, 3, 0, the malformed ones
// through every kind; every fourth write is left to the watcher, the
// others are followed by SIGHUP, a quarter of them only after 5 to 25ms,
// so that the watcher (polling every 10ms) sometimes gets there first. Every content but the empty file carries
// its write number, so that no two writes are the same bytes (the watcher
// ignores a content it has already tried).
func loadSchedule(n int) []loadWrite {
	policies, malformed := loadPolicies(), loadMalformed()
	out := make([]loadWrite, n)
	for i := range out {
		w := loadWrite{watch: i%4 == 3}
		if i%8 == 1 || i%8 == 4 {
			w.late = time.Duration(5+10*(i%3)) * time.Millisecond // 5, 15 or 25ms: 0 to 2 polls
		}
		if i%2 == 0 {
			w.policy = (i/2 + 1) % len(policies)
			w.content = policies[w.policy].text
		} else {
			m := malformed[(i/2)%len(malformed)]
			w.policy, w.kind, w.content = -1, m.kind, m.text
		}
		if w.content != "" {
			w.content = fmt.Sprintf("# write %d\n%s", i, w.content)
		}
		out[i] = w
	}
	return out
}

// loadGeneration is a policy generation as the test's timeline knows it:
// it came into force no earlier than from (just before its file was
// written) and was replaced no later than until (just after the reload
// that replaced it was seen in the log; zero while in force).
type loadGeneration struct {
	policy      int
	from, until time.Time
}

// reloadEvent is a reload line of the log: a policy loaded, or a problem
// of a rejected one.
type reloadEvent struct {
	loaded  bool
	trigger string
	gen     uint64 // generation (loaded) or kept_generation (rejected)
	rows    int
	line    string
}

// awaitReload reads the reload lines of the log from offset on until one
// has the given trigger, and returns them and the offset after that line.
func (s *server) awaitReload(t *testing.T, offset int, trigger string) ([]reloadEvent, int) {
	t.Helper()
	var events []reloadEvent
	deadline := time.Now().Add(30 * time.Second)
	for {
		logs := s.Logs()
		for _, l := range strings.SplitAfter(logs[offset:], "\n") {
			if !strings.HasSuffix(l, "\n") {
				break
			}
			offset += len(l)
			loaded := strings.Contains(l, ` msg="policy reloaded" `)
			if !loaded && !strings.Contains(l, ` msg="policy reload rejected`) {
				continue
			}
			p, err := parseLogLine(strings.TrimSuffix(l, "\n"))
			if err != nil {
				t.Fatalf("log line %q: %v", l, err)
			}
			e := reloadEvent{loaded: loaded, trigger: p["trigger"], line: l}
			key := "kept_generation"
			if loaded {
				key = "generation"
				if e.rows, err = strconv.Atoi(p["rows"]); err != nil {
					t.Fatalf("reload line without rows: %q", l)
				}
			}
			if e.gen, err = strconv.ParseUint(p[key], 10, 64); err != nil {
				t.Fatalf("reload line without %s: %q", key, l)
			}
			events = append(events, e)
			if e.trigger == trigger {
				return events, offset
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no reload line with trigger=%s within 30s; since offset %d:\n%s", trigger, offset, logs[offset:])
		}
		time.Sleep(2 * time.Millisecond)
	}
}

const (
	metricGeneration    = "gatehouse_policy_generation{}"
	metricReloadsOK     = `gatehouse_policy_reloads_total{result="ok"}`
	metricReloadsFailed = `gatehouse_policy_reloads_total{result="failed"}`
)

// While six workers send signed and unsigned requests to the four
// protected views, the policy file is rewritten 240 times: valid policies
// that decide differently, alternating with malformed ones of eight kinds;
// most rewrites are followed by SIGHUP, every fourth is left to the
// watcher (polling every 10ms). Each rewrite waits for its reload line
// before the next, so the test knows which policy every generation holds
// and when, at the latest, it came into force and was replaced.
//
// It asserts: every malformed file is rejected and changes nothing (no
// reload line, kept_generation, gatehouse_policy_generation and the
// reload counters); every valid one becomes the next generation(s), with
// its number of rows; every answer is a complete TwiML answer (no
// transport error, no 5xx) and exactly the one that the policy of the
// generation that decided it (joined by request ID with its log line)
// gives: the decision, the ACE and the context; that generation was in
// force at some moment while the request was under way; and after the
// last write (a malformed one) the last valid policy decides, at the last
// generation.
func TestPolicyEditsUnderLoad(t *testing.T) {
	const writes, workers = 240, 6
	path := filepath.Join(t.TempDir(), "policy.csv")
	policies := loadPolicies()
	writePolicy(t, path, policies[0].text)
	s := start(t, []string{"TWILIO_AUTH_TOKEN=" + token, loadSupportNumber,
		"GATEHOUSE_POLICY_FILE=" + path, "GATEHOUSE_POLICY_WATCH_INTERVAL=10ms"})

	gens := map[uint64]*loadGeneration{1: {policy: 0}}
	current := uint64(1)
	lastValid := 0
	metrics := scrape(t, s)
	offset := len(s.Logs())

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	clients := newLoadClients(workers)
	defer clients.closeIdle()
	perWorker := make([][]loadResult, workers)
	wait := loadRun(ctx, s.base, clients, loadKinds(), func(w int, r loadResult) { perWorker[w] = append(perWorker[w], r) })

	triggers := map[string]int{}
	for i, w := range loadSchedule(writes) {
		trigger := "sighup"
		if w.watch {
			trigger = "watch"
		}
		from := time.Now()
		writePolicy(t, path, w.content)
		if !w.watch {
			time.Sleep(w.late) // the watcher may reload first, or be under way
			if err := s.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
		}
		var events []reloadEvent
		events, offset = s.awaitReload(t, offset, trigger)
		seen := time.Now()
		after := scrape(t, s)
		loaded, failed := 0, 0
		for _, e := range events {
			triggers[e.trigger]++
			if !e.loaded {
				failed++
				if w.policy >= 0 {
					t.Errorf("write %d (%s): rejected: %s", i, policies[w.policy].name, e.line)
				} else if e.gen != current {
					t.Errorf("write %d (%s): kept_generation=%d, want %d: %s", i, w.kind, e.gen, current, e.line)
				}
				continue
			}
			loaded++
			if w.policy < 0 {
				t.Fatalf("write %d (%s): a malformed policy was loaded: %s", i, w.kind, e.line)
			}
			if e.gen != current+1 || e.rows != policies[w.policy].rows() {
				t.Fatalf("write %d (%s): loaded generation %d with %d rows, want generation %d with %d rows: %s",
					i, policies[w.policy].name, e.gen, e.rows, current+1, policies[w.policy].rows(), e.line)
			}
			gens[current].until = seen
			current = e.gen
			gens[current] = &loadGeneration{policy: w.policy, from: from}
		}
		if w.policy >= 0 {
			lastValid = w.policy
			if loaded == 0 {
				t.Errorf("write %d (%s): not loaded", i, policies[w.policy].name)
			}
		} else if failed == 0 {
			t.Errorf("write %d (%s): not rejected", i, w.kind)
		}
		for key, want := range map[string]float64{metricReloadsOK: float64(loaded), metricReloadsFailed: float64(failed)} {
			if got := after[key] - metrics[key]; got != want {
				t.Errorf("write %d: %s moved by %v, want %v (the reload lines: %d)", i, key, got, want, len(events))
			}
		}
		if got := after[metricGeneration]; got != float64(current) {
			t.Errorf("write %d: %s = %v, want %d", i, metricGeneration, got, current)
		}
		metrics = after
	}
	time.Sleep(20 * time.Millisecond) // let the workers send under the final state too
	stop()
	wait()
	clients.closeIdle()
	var results []loadResult
	for _, rs := range perWorker {
		results = append(results, rs...)
	}

	// The final state: the last valid policy decides, at the last
	// generation, for every kind of request.
	final := newLoadClients(1)
	for _, k := range loadKinds() {
		r := loadSend(final[0], s.base, k)
		results = append(results, r)
		if r.start.Before(gens[current].from) {
			t.Fatal("the final requests started before the last write")
		}
	}
	final.closeIdle()
	if got := scrape(t, s)[metricGeneration]; got != float64(current) {
		t.Errorf("final %s = %v, want %d", metricGeneration, got, current)
	}

	ids := make([]string, 0, len(results))
	for _, r := range results {
		if r.err == nil && len(r.id) == 32 {
			ids = append(ids, r.id)
		}
	}
	lines, err := s.requestLines(ids)
	if err != nil {
		t.Fatal(err)
	}

	var problems []string
	problem := func(r loadResult, format string, args ...any) {
		problems = append(problems, fmt.Sprintf("%s (request %s, %s..%s): %s", r.kind, r.id,
			r.start.Format("15:04:05.000000"), r.end.Format("15:04:05.000000"), fmt.Sprintf(format, args...)))
	}
	wrongGrants, wrongDenials := 0, 0
	decided := map[string]int{}   // by policy and kind, to show that the test covered them all
	decidedBy := map[uint64]int{} // by generation
	for i, r := range results {
		reached, p := r.answer()
		if p != "" {
			problem(r, "%s", p)
			continue
		}
		l := lines[r.id]
		g, err := strconv.ParseUint(l["generation"], 10, 64)
		gen := gens[g]
		if err != nil || gen == nil {
			problem(r, "decided by generation %q, which no reload produced", l["generation"])
			continue
		}
		want := policies[gen.policy].expect(r.kind)
		if i >= len(results)-len(loadKinds()) && (g != current || gen.policy != lastValid) {
			problem(r, "after the last write decided by generation %d (policy %q), want %d (policy %q)",
				g, policies[gen.policy].name, current, policies[lastValid].name)
		}
		switch {
		case reached && !want.allowed:
			wrongGrants++
			problem(r, "WRONG GRANT: generation %d (policy %q) denies it", g, policies[gen.policy].name)
		case !reached && want.allowed:
			wrongDenials++
			problem(r, "WRONG DENIAL: generation %d (policy %q) allows it", g, policies[gen.policy].name)
		}
		logged := loadExpect{l["decision"] == "allowed", l["ace"], l["context"]}
		if logged != want || l["decision"] != "allowed" && l["decision"] != "denied" {
			problem(r, "logged decision=%s ace=%s context=%s under generation %d (policy %q), want %+v",
				l["decision"], l["ace"], l["context"], g, policies[gen.policy].name, want)
		}
		if reached != logged.allowed {
			problem(r, "answer reached the view: %v, but the log says decision=%s", reached, l["decision"])
		}
		if wantSig := map[bool]string{true: "valid", false: "missing_header"}[r.kind.signed]; l["signature"] != wantSig || l["route"] != r.kind.route.name {
			problem(r, "logged route=%s signature=%s, want %s and %s", l["route"], l["signature"], r.kind.route.name, wantSig)
		}
		if r.end.Before(gen.from) || !gen.until.IsZero() && r.start.After(gen.until) {
			problem(r, "decided by generation %d, in force between %s and %s at the widest: not while the request was under way",
				g, gen.from.Format("15:04:05.000000"), gen.until.Format("15:04:05.000000"))
		}
		decided[fmt.Sprintf("%q %s", policies[gen.policy].name, r.kind)]++
		decidedBy[g]++
	}
	for i, p := range problems {
		if i == 20 {
			t.Errorf("... and %d more problems", len(problems)-i)
			break
		}
		t.Error(p)
	}
	if wrongGrants+wrongDenials > 0 {
		t.Errorf("%d wrong grants, %d wrong denials", wrongGrants, wrongDenials)
	}
	for pi, p := range policies {
		for _, k := range loadKinds() {
			if decided[fmt.Sprintf("%q %s", p.name, k)] == 0 {
				t.Errorf("no %s was decided under policy %d (%q): the test did not cover it", k, pi, p.name)
			}
		}
	}
	t.Logf("%d writes (%d reload lines by SIGHUP, %d by the watcher), %d generations, %d requests decided by %d of them",
		writes, triggers["sighup"], triggers["watch"], current, len(results), len(decidedBy))
}
