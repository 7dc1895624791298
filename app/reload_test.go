package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/policies"
)

const (
	reloadToken = "r3load-t0ken"
	publicURL   = "https://ivr.example.com"

	policyA   = "p, group:twilio, /, view, allow\n"
	policyA2  = "p, group:twilio, /, view, allow\np, group:twilio, /other, edit, allow\n"
	policyB   = "p, system.Everyone, /accessible, view, deny\np, group:twilio, /, view, allow\n"
	policyBad = "p, group:twilio, /, view, allow\np, group:twilio, /accessible, view, Allow\n"
)

// lockedBuffer collects log output written by several goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns what was written.
func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// records returns the JSON log records with the given level.
func (l *lockedBuffer) records(t *testing.T, level string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for line := range strings.Lines(l.b.String()) {
		var r map[string]any
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if r["level"] == level {
			out = append(out, r)
		}
	}
	return out
}

// reloadApp builds an App on the policy file at path (embedded if ""),
// logging JSON into the returned buffer.
func reloadApp(t *testing.T, path string, interval time.Duration) (*App, *lockedBuffer) {
	t.Helper()
	env := map[string]string{
		"TWILIO_AUTH_TOKEN":               reloadToken,
		"GATEHOUSE_PUBLIC_URL":            publicURL,
		"GATEHOUSE_POLICY_WATCH_INTERVAL": interval.String(),
	}
	if path != "" {
		env["GATEHOUSE_POLICY_FILE"] = path
	}
	logs := new(lockedBuffer)
	a, err := New(testConfig(t, env), slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return a, logs
}

// reaches reports whether a Twilio-signed GET of path reaches its view
// rather than the apology of the forbidden view.
func reaches(t *testing.T, a *App, path string) bool {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Header.Set("X-Twilio-Signature", authn.Sign(reloadToken, publicURL+path, nil))
	w := httptest.NewRecorder()
	a.Handler().ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("GET %s: status %d", path, w.Code)
	}
	return strings.Contains(w.Body.String(), "You reached the accessible route")
}

// replaceFile writes content next to path and renames it over path, as
// editors and deployment tools do.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func TestReloadPolicy(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.csv")
	replaceFile(t, path, policyA)
	a, logs := reloadApp(t, path, 0)
	if !reaches(t, a, "/accessible") {
		t.Fatal("policy A: /accessible not reached")
	}
	steps := []struct {
		name           string
		write          func()
		wantGeneration uint64
		wantErr        bool
		wantReached    bool
		wantLog        map[string]any // fields of the new error record
	}{
		{"valid: new decisions", func() { replaceFile(t, path, policyB) }, 2, false, false, nil},
		{"malformed: old decisions, error logged", func() { replaceFile(t, path, policyBad) }, 2, true, false,
			map[string]any{"file": path, "line": float64(2), "problem": `effect must be allow or deny, got "Allow"`, "trigger": "test", "kept_generation": float64(2)}},
		{"valid again", func() { replaceFile(t, path, policyA) }, 3, false, true, nil},
		{"missing file: old decisions, error logged", func() { os.Remove(path) }, 3, true, true,
			map[string]any{"file": path, "problem": "no such file or directory"}},
		{"empty file: old decisions, error logged", func() { replaceFile(t, path, "# nothing yet\n") }, 3, true, true,
			map[string]any{"file": path, "line": float64(1), "trigger": "test"}},
		{"back", func() { replaceFile(t, path, policyB) }, 4, false, false, nil},
	}
	for _, s := range steps {
		before := len(logs.records(t, "ERROR"))
		s.write()
		gen, err := a.reloadPolicy("test")
		if gen != s.wantGeneration || (err != nil) != s.wantErr {
			t.Errorf("%s: reloadPolicy = %d, %v; want generation %d, error %v", s.name, gen, err, s.wantGeneration, s.wantErr)
		}
		if got := a.policy.acl.Generation(); got != s.wantGeneration {
			t.Errorf("%s: Generation() = %d, want %d", s.name, got, s.wantGeneration)
		}
		if got := reaches(t, a, "/accessible"); got != s.wantReached {
			t.Errorf("%s: /accessible reached = %v, want %v", s.name, got, s.wantReached)
		}
		errs := logs.records(t, "ERROR")[before:]
		if s.wantLog == nil {
			if len(errs) != 0 {
				t.Errorf("%s: error logged: %v", s.name, errs)
			}
			continue
		}
		if len(errs) != 1 {
			t.Fatalf("%s: %d error records, want 1: %v", s.name, len(errs), errs)
		}
		for k, want := range s.wantLog {
			if got := errs[0][k]; got != want {
				t.Errorf("%s: log %s = %v, want %v", s.name, k, got, want)
			}
		}
	}
	var last map[string]any // the last "policy reloaded" record (request lines interleave)
	for _, r := range logs.records(t, "INFO") {
		if r["msg"] == "policy reloaded" {
			last = r
		}
	}
	if last["generation"] != float64(4) || last["trigger"] != "test" {
		t.Errorf("last policy reloaded record = %v, want generation 4, trigger test", last)
	}
	// Every reload reaches the metrics: three valid, two rejected.
	for _, m := range []struct {
		name      string
		got, want float64
	}{
		{"reloads{ok}", testutil.ToFloat64(a.metrics.reloads.WithLabelValues("ok")), 3},
		{"reloads{failed}", testutil.ToFloat64(a.metrics.reloads.WithLabelValues("failed")), 3},
		{"generation", testutil.ToFloat64(a.metrics.generation), 4},
	} {
		if m.got != m.want {
			t.Errorf("metric %s = %v, want %v", m.name, m.got, m.want)
		}
	}
}

func TestReloadPolicyBadModel(t *testing.T) {
	dir := t.TempDir()
	modelPath := filepath.Join(dir, "model.conf")
	replaceFile(t, modelPath, mustRead(t, "../policies/model.conf"))
	logs := new(lockedBuffer)
	a, err := New(testConfig(t, map[string]string{"TWILIO_AUTH_TOKEN": reloadToken, "GATEHOUSE_POLICY_MODEL": modelPath}),
		slog.New(slog.NewJSONHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	replaceFile(t, modelPath, strings.Replace(mustRead(t, "../policies/model.conf"), "priority(p.eft) || deny", "some(where (p.eft == allow))", 1))
	if gen, err := a.reloadPolicy("test"); err == nil || gen != 1 {
		t.Errorf("reloadPolicy with a bad model = %d, %v; want 1 and an error", gen, err)
	}
	errs := logs.records(t, "ERROR")
	if len(errs) != 1 || !strings.Contains(errs[0]["problem"].(string), modelPath+": policy_effect must be") {
		t.Errorf("error records = %v, want one naming %s and the effect", errs, modelPath)
	}

	// A model Casbin cannot parse is one problem, one line, naming the
	// file: its error wraps two, and is no join.
	replaceFile(t, modelPath, "[request_definition]\nr = sub, obj, act\n")
	if _, err := a.reloadPolicy("test"); err == nil {
		t.Fatal("reloadPolicy with a model missing sections: no error")
	}
	errs = logs.records(t, "ERROR")[1:]
	if len(errs) != 1 || !strings.Contains(errs[0]["problem"].(string), modelPath+": invalid model: missing required sections") {
		t.Errorf("error records = %v, want one naming %s and the missing sections", errs, modelPath)
	}

	// A model that parses, but whose matcher Casbin cannot compile: the
	// error comes from authz, and names the file too.
	replaceFile(t, modelPath, unbalancedModel(t))
	if _, err := a.reloadPolicy("test"); err == nil {
		t.Fatal("reloadPolicy with an unbalanced matcher: no error")
	}
	errs = logs.records(t, "ERROR")[2:]
	if len(errs) != 1 || errs[0]["problem"] != modelPath+": invalid model: casbin: Unbalanced parenthesis" {
		t.Errorf("error records = %v, want one naming %s and the matcher's problem", errs, modelPath)
	}
}

// unbalancedModel is the shipped model with a matcher Casbin cannot
// compile.
func unbalancedModel(t *testing.T) string {
	t.Helper()
	m := mustRead(t, "../policies/model.conf")
	i := strings.Index(m, "\nm = ")
	if i < 0 {
		t.Fatal("no matcher line in the shipped model")
	}
	return m[:i] + "\nm = (" + m[i+len("\nm = "):]
}

func TestReloadPolicyEmbedded(t *testing.T) {
	a, logs := reloadApp(t, "", 10*time.Millisecond)
	gen, err := a.reloadPolicy("sighup")
	if gen != 1 || err != nil {
		t.Errorf("reloadPolicy on the embedded policy = %d, %v; want 1, nil", gen, err)
	}
	infos := logs.records(t, "INFO")
	if len(infos) != 1 || !strings.Contains(infos[0]["msg"].(string), "nothing to reload") {
		t.Errorf("info records = %v, want one saying there is nothing to reload", infos)
	}
	stop := a.startPolicyWatch(context.Background())
	stop()
	if got := len(logs.records(t, "INFO")); got != 1 {
		t.Errorf("startPolicyWatch on the embedded policy logged %d more records, want none (nothing to watch)", got-1)
	}
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline; it bounds a wait, it does not measure anything.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWatchPolicy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	replaceFile(t, path, policyA)
	a, logs := reloadApp(t, path, 5*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stop := a.startPolicyWatch(ctx)
	defer stop()

	replaceFile(t, path, policyB)
	waitFor(t, "generation 2", func() bool { return a.policy.acl.Generation() == 2 })
	if reaches(t, a, "/accessible") {
		t.Error("after the watcher loaded policy B, /accessible is still reached")
	}

	// Written in place, not renamed: a malformed file is rejected once.
	if err := os.WriteFile(path, []byte(policyBad), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the rejection to be logged", func() bool { return len(logs.records(t, "ERROR")) > 0 })
	time.Sleep(50 * time.Millisecond) // ten more polls of the unchanged file
	if errs := logs.records(t, "ERROR"); len(errs) != 1 || errs[0]["line"] != float64(2) || errs[0]["trigger"] != "watch" {
		t.Errorf("error records = %v, want exactly one, for line 2, from the watcher", errs)
	}
	if got := a.policy.acl.Generation(); got != 2 || reaches(t, a, "/accessible") {
		t.Errorf("after a malformed file: generation %d, want 2 with policy B's decisions", got)
	}

	replaceFile(t, path, policyA)
	waitFor(t, "generation 3", func() bool { return a.policy.acl.Generation() == 3 })
	if !reaches(t, a, "/accessible") {
		t.Error("after the watcher loaded policy A, /accessible is not reached")
	}
}

// Requests keep being answered, each under one whole policy, while the
// policy is reloaded again and again, valid and malformed (run with
// -race). Both valid policies grant view and nobody holds restricted, so
// every answer is known whichever policy decided.
func TestReloadConcurrentRequests(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	replaceFile(t, path, policyA)
	a, _ := reloadApp(t, path, 0)
	var (
		wg   sync.WaitGroup
		done atomic.Bool
		n    atomic.Int64
	)
	for g := range 4 {
		wg.Go(func() {
			for !done.Load() {
				if g%2 == 0 {
					if !reaches(t, a, "/accessible") {
						t.Error("/accessible not reached during a reload")
						return
					}
				} else if reaches(t, a, "/restricted") {
					t.Error("/restricted reached during a reload")
					return
				}
				n.Add(1)
			}
		})
	}
	for i := range 60 {
		content := []string{policyA, policyA2, policyBad}[i%3]
		replaceFile(t, path, content)
		_, err := a.reloadPolicy("test")
		if (err != nil) != (content == policyBad) {
			t.Errorf("reload %d: %v", i, err)
		}
	}
	done.Store(true)
	wg.Wait()
	if n.Load() == 0 {
		t.Error("no request was answered")
	}
	if got := a.policy.acl.Generation(); got != 41 {
		t.Errorf("Generation() = %d after 40 valid reloads, want 41", got)
	}
}

// The watcher loads a new content only once two polls in a row read the
// same bytes, so that a file caught half written is never loaded, and the
// reload checks that it parsed exactly those bytes.
func TestSettledChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	replaceFile(t, path, policyA)
	a, _ := reloadApp(t, path, 0)
	p := a.policy
	poll := func() bool {
		t.Helper()
		want, ok, _ := p.settledChange()
		if ok {
			if _, _, err := a.reload("watch", want, true); err != nil {
				t.Fatal(err)
			}
		}
		return ok
	}
	if poll() {
		t.Error("unchanged file: reloaded")
	}
	// A writer caught mid-write: the first row of a policy whose second
	// row denies /accessible. Loaded alone, that row would open the door
	// the whole file closes.
	const denyLast = "p, group:twilio, /, view, allow\np, system.Everyone, /accessible, view, deny\n"
	if err := os.WriteFile(path, []byte(denyLast[:strings.Index(denyLast, "\n")+1]), 0o600); err != nil {
		t.Fatal(err)
	}
	if poll() {
		t.Error("first sighting of a new content: reloaded at once")
	}
	if err := os.WriteFile(path, []byte(denyLast), 0o600); err != nil {
		t.Fatal(err)
	}
	if poll() {
		t.Error("content changed since the last poll: reloaded")
	}
	if !poll() || a.policy.acl.Generation() != 2 || reaches(t, a, "/accessible") {
		t.Errorf("settled content: generation %d, want 2 with /accessible denied", a.policy.acl.Generation())
	}
	if poll() {
		t.Error("loaded content: reloaded again")
	}
	// Settled at one content, changed again before the reload reads it.
	replaceFile(t, path, policyA)
	poll()
	want, ok, _ := p.settledChange()
	if !ok {
		t.Fatal("policy A did not settle")
	}
	replaceFile(t, path, policyB+"# edited again\n")
	if gen, _, err := a.reload("watch", want, true); gen != 2 || err != nil {
		t.Errorf("reload of a content that changed again = %d, %v; want 2 (nothing loaded), nil", gen, err)
	}
	// The skipped reload's read counts as the first sighting of the new
	// content: the next poll sees it settled.
	if !poll() || a.policy.acl.Generation() != 3 || reaches(t, a, "/accessible") {
		t.Errorf("after the last edit settled: generation %d, want 3 with policy B's decisions", a.policy.acl.Generation())
	}
}

// A new policy with the old file's size and modification time is still
// seen: renamed over the old file (a new inode), or copied into it (the
// same inode), with the time kept, as cp -p, rsync -a and tar x do. A
// watcher that trusted the stat would keep the old policy in force, and
// a revocation deployed that way would never apply.
func TestSettledChangeSameStat(t *testing.T) {
	// Two policies of the same length: the second denies /accessible.
	const (
		allow = "p, group:twilio, /, view, allow\n# padding padding padding padding padding p\n"
		deny  = "p, group:twilio, /, view, allow\np, system.Everyone, /accessible, view, deny\n"
	)
	if len(allow) != len(deny) {
		t.Fatalf("the two policies are %d and %d bytes long, want the same", len(allow), len(deny))
	}
	for _, tt := range []struct {
		name  string
		write func(t *testing.T, path, content string)
	}{
		{"renamed over", func(t *testing.T, path, content string) {
			tmp := path + ".new"
			if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		}},
		{"copied into", func(t *testing.T, path, content string) {
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "policy.csv")
			replaceFile(t, path, allow)
			old := time.Now().Add(-time.Hour).Truncate(time.Second)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			a, _ := reloadApp(t, path, 0)
			if !reaches(t, a, "/accessible") {
				t.Fatal("the first policy denies /accessible")
			}
			tt.write(t, path, deny)
			if err := os.Chtimes(path, old, old); err != nil {
				t.Fatal(err)
			}
			for poll := 1; poll <= 2; poll++ {
				if want, ok, _ := a.policy.settledChange(); ok {
					if _, _, err := a.reload("watch", want, true); err != nil {
						t.Fatal(err)
					}
				}
			}
			if got := a.policy.acl.Generation(); got != 2 || reaches(t, a, "/accessible") {
				t.Errorf("after two polls: generation %d, /accessible reached: %v; want generation 2 with /accessible denied", got, reaches(t, a, "/accessible"))
			}
		})
	}
}

// A content that settled for the watcher but that SIGHUP loaded (or
// rejected) before the watcher's reload ran is not loaded a second time:
// the watcher loads only a content that differs from the last one tried.
func TestWatchSkipsContentTriedMeanwhile(t *testing.T) {
	tests := []struct {
		name    string
		content string
		gen     uint64 // after the SIGHUP
	}{
		{"valid content loaded by SIGHUP", policyB, 2},
		{"malformed content rejected by SIGHUP", policyBad, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "policy.csv")
			replaceFile(t, path, policyA)
			a, logs := reloadApp(t, path, 0)
			replaceFile(t, path, tt.content)
			if _, ok, _ := a.policy.settledChange(); ok {
				t.Fatal("first sighting of a new content: settled")
			}
			want, ok, _ := a.policy.settledChange()
			if !ok {
				t.Fatal("the new content did not settle")
			}
			a.reloadPolicy("sighup") // between the watcher's poll and its reload
			before := len(logs.records(t, "INFO")) + len(logs.records(t, "ERROR"))
			gen, _, err := a.reload("watch", want, true)
			if gen != tt.gen || err != nil {
				t.Errorf("watcher's reload = %d, %v; want %d (nothing loaded), nil", gen, err, tt.gen)
			}
			if got := len(logs.records(t, "INFO")) + len(logs.records(t, "ERROR")); got != before {
				t.Errorf("watcher's reload logged %d lines, want none", got-before)
			}
			if _, ok, _ := a.policy.settledChange(); ok {
				t.Error("the content SIGHUP tried settled again")
			}
		})
	}
}

// serve warns when the policy grants to account: principals and the
// account is not pinned, and only then.
func TestStartupWarnsOfUnpinnedAccounts(t *testing.T) {
	dir := t.TempDir()
	accounts := filepath.Join(dir, "accounts.csv")
	replaceFile(t, accounts, "p, group:twilio, /, view, allow\ng, account:AC0123456789abcdef0123456789abcdef, group:staff\n")
	plain := filepath.Join(dir, "plain.csv")
	replaceFile(t, plain, policyA)
	tests := []struct {
		name   string
		env    map[string]string
		warned bool
	}{
		{"the embedded policy", nil, false},
		{"no account: principal", map[string]string{"GATEHOUSE_POLICY_FILE": plain}, false},
		{"account: principals, not pinned", map[string]string{"GATEHOUSE_POLICY_FILE": accounts}, true},
		{"account: principals, pinned", map[string]string{"GATEHOUSE_POLICY_FILE": accounts, "GATEHOUSE_TWILIO_ACCOUNT_SID": "AC0123456789abcdef0123456789abcdef"}, false},
	}
	for _, tt := range tests {
		a, _ := newLoggedApp(t, "info", tt.env)
		got := a.startupWarnings()
		if warned := len(got) == 1 && strings.Contains(got[0], "twilio.account_sid is not set"); warned != tt.warned || (!tt.warned && len(got) != 0) {
			t.Errorf("%s: startupWarnings() = %q, want a warning: %v", tt.name, got, tt.warned)
		}
	}
}

// A reload that brings account: principals into the policy warns as
// startup does, unless twilio.account_sid pins the account; a reload of a
// policy without them does not.
func TestReloadWarnsOfUnpinnedAccounts(t *testing.T) {
	const accountRows = "p, group:twilio, /, view, allow\ng, account:AC0123456789abcdef0123456789abcdef, group:staff\n"
	for _, tt := range []struct {
		name     string
		pin      string
		contents []string // written and reloaded in turn
		warnings int
	}{
		{"account: principals arrive, not pinned", "", []string{accountRows}, 1},
		{"each reload that keeps them warns", "", []string{accountRows, accountRows + "p, group:twilio, /x, view, allow\n"}, 2},
		{"they come and go", "", []string{accountRows, policyA}, 1},
		{"pinned", "AC0123456789abcdef0123456789abcdef", []string{accountRows}, 0},
	} {
		path := filepath.Join(t.TempDir(), "policy.csv")
		replaceFile(t, path, policyA)
		env := map[string]string{"GATEHOUSE_POLICY_FILE": path}
		if tt.pin != "" {
			env["GATEHOUSE_TWILIO_ACCOUNT_SID"] = tt.pin
		}
		a, logs := newLoggedApp(t, "info", env)
		if got := a.startupWarnings(); len(got) != 0 {
			t.Fatalf("%s: startupWarnings() = %q before any account: row", tt.name, got)
		}
		for _, c := range tt.contents {
			replaceFile(t, path, c)
			if _, err := a.reloadPolicy("sighup"); err != nil {
				t.Fatalf("%s: reload: %v", tt.name, err)
			}
		}
		if got := strings.Count(logs.String(), "twilio.account_sid is not set"); got != tt.warnings {
			t.Errorf("%s: %d warnings after the reloads, want %d; logs:\n%s", tt.name, got, tt.warnings, logs.String())
		}
		// What a warning now would say: the policy in force decides.
		last := tt.contents[len(tt.contents)-1]
		wantNow := tt.pin == "" && strings.Contains(last, "account:")
		if got := len(a.startupWarnings()) == 1; got != wantNow {
			t.Errorf("%s: after the reloads, a warning for the policy in force: %v, want %v", tt.name, got, wantNow)
		}
	}
}

// A file removed and written anew is missing for a moment, then half
// written. The poll that finds it missing logs that and loads nothing;
// what follows must settle like any other content, so the half that a
// later poll may read (here, without its deny row) is never loaded.
func TestWatchAfterReadErrorSettles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	const full = "p, system.Everyone, /accessible, view, deny\np, group:twilio, /, view, allow\n"
	replaceFile(t, path, full)
	a, logs := reloadApp(t, path, 0)
	poll := func() {
		t.Helper()
		switch want, ok, err := a.policy.settledChange(); {
		case err != nil:
			a.logRejected("watch", a.policy.acl.Generation(), err)
		case ok:
			if _, _, err := a.reload("watch", want, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	poll()
	if !strings.Contains(logs.String(), "policy reload rejected") {
		t.Errorf("the missing file was not logged:\n%s", logs.String())
	}
	// The new file's first half: an allow, without the deny.
	if err := os.WriteFile(path, []byte(full[strings.Index(full, "\n")+1:]), 0o600); err != nil {
		t.Fatal(err)
	}
	poll()
	if g := a.policy.acl.Generation(); g != 1 || reaches(t, a, "/accessible") {
		t.Fatalf("half-written policy loaded after a read error: generation %d", g)
	}
	if err := os.WriteFile(path, []byte(full), 0o600); err != nil {
		t.Fatal(err)
	}
	poll()
	poll()
	if reaches(t, a, "/accessible") {
		t.Errorf("the whole file, settled: /accessible reached, want denied")
	}
}

// What a poll read before a read error counts for nothing: a content read
// once before the file went missing, and once after, has not been read
// twice in a row, and is not loaded yet.
func TestWatchReadErrorForgetsWhatWasSeen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	replaceFile(t, path, policyB)
	a, _ := reloadApp(t, path, 0)
	poll := func() {
		t.Helper()
		if want, ok, err := a.policy.settledChange(); err == nil && ok {
			if _, _, err := a.reload("watch", want, true); err != nil {
				t.Fatal(err)
			}
		}
	}
	half := policyB[strings.Index(policyB, "\n")+1:] // without the deny row
	if err := os.WriteFile(path, []byte(half), 0o600); err != nil {
		t.Fatal(err)
	}
	poll() // first sighting of the half
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	// The read error, reported once: the next poll that meets the same
	// error reports nothing, so that a missing file is not logged (and
	// counted as a rejected reload) at every poll.
	if _, _, err := a.policy.settledChange(); err == nil {
		t.Fatal("the missing file: no error")
	}
	if _, _, err := a.policy.settledChange(); err != nil {
		t.Errorf("the same missing file, polled again: %v, want it reported once", err)
	}
	if err := os.WriteFile(path, []byte(half), 0o600); err != nil {
		t.Fatal(err)
	}
	poll() // the half again, but not twice in a row
	if g := a.policy.acl.Generation(); g != 1 || reaches(t, a, "/accessible") {
		t.Errorf("generation %d after one sighting since the error; want 1, /accessible denied", g)
	}
}

// Only a regular file of at most policies.MaxFileBytes is read as a policy.
// A named pipe at the path would otherwise block the read, which holds
// the reload lock, until someone wrote to it: SIGHUP reloads and shutdown
// would wait with it, and nothing would be logged. Each is a read error,
// logged, with the last good policy kept, and the next good file loads.
func TestPolicyFileNotRegular(t *testing.T) {
	for _, tt := range []struct {
		name string
		make func(path string) error
		want string
	}{
		{"named pipe", func(path string) error { return syscall.Mkfifo(path, 0o600) }, "not a regular file"},
		{"directory", func(path string) error { return os.Mkdir(path, 0o700) }, "not a regular file"},
		{"too large", func(path string) error {
			return os.WriteFile(path, bytes.Repeat([]byte("# padding\n"), policies.MaxFileBytes/10+1), 0o600)
		}, "larger than"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "policy.csv")
			replaceFile(t, path, policyA)
			a, logs := reloadApp(t, path, 0)
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := tt.make(path); err != nil {
				t.Fatal(err)
			}
			// A deadlock guard, not a timing assertion: a blocked read
			// never returns.
			done := make(chan error, 2)
			go func() {
				_, _, err := a.policy.settledChange()
				done <- err
				_, err = a.reloadPolicy("sighup")
				done <- err
			}()
			for _, step := range []string{"poll", "reload"} {
				select {
				case err := <-done:
					if err == nil || !strings.Contains(err.Error(), tt.want) {
						t.Errorf("%s: error %v, want one saying %q", step, err, tt.want)
					}
				case <-time.After(10 * time.Second):
					t.Fatalf("%s: still reading the %s after 10 s", step, tt.name)
				}
			}
			if g := a.policy.acl.Generation(); g != 1 {
				t.Errorf("generation %d after the refused file, want 1", g)
			}
			if !strings.Contains(logs.String(), "policy reload rejected") {
				t.Errorf("the refused file was not logged:\n%s", logs.String())
			}
			if err := os.RemoveAll(path); err != nil {
				t.Fatal(err)
			}
			replaceFile(t, path, policyB)
			if g, err := a.reloadPolicy("sighup"); err != nil || g != 2 {
				t.Errorf("a good file after the refused one: generation %d, error %v; want 2, nil", g, err)
			}
		})
	}
}

// The warnings about a configuration that trusts more than it should are
// written whatever log.level is: at error, serve's startup warnings
// (logStartupWarnings) are written, and a reload that brings account:
// principals without a pinned account still says so.
func TestWarningsWrittenAtErrorLevel(t *testing.T) {
	startup, startupLogs := newLoggedApp(t, "error", map[string]string{"GATEHOUSE_TRUSTED_PROXIES": "10.0.0.0/8"})
	startup.logStartupWarnings(startup.log)
	for _, want := range []string{"trusted_proxies is ignored", "auth tokens is not 32 lower-case hex digits"} {
		if !strings.Contains(startupLogs.String(), want) {
			t.Errorf("at log.level error, the startup warning %q was not written: %q", want, startupLogs.String())
		}
	}

	path := filepath.Join(t.TempDir(), "policy.csv")
	replaceFile(t, path, policyA)
	a, logs := newLoggedApp(t, "error", map[string]string{"GATEHOUSE_POLICY_FILE": path})
	replaceFile(t, path, "p, group:twilio, /, view, allow\ng, account:AC0123456789abcdef0123456789abcdef, group:staff\n")
	if _, err := a.reloadPolicy("sighup"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "twilio.account_sid is not set") {
		t.Errorf("at log.level error, the reload's warning was not written: %q", logs.String())
	}
	if strings.Contains(logs.String(), "policy reloaded") {
		t.Errorf("at log.level error, an info line was written: %q", logs.String())
	}
}

// SIGHUP loads a file written in place only once it has settled: a signal
// that arrives while the file is half written never loads that half,
// which here lacks the row denying /accessible.
func TestSIGHUPWaitsForSettledFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	replaceFile(t, path, policyB)
	a, logs := reloadApp(t, path, time.Second) // settles for 1 s; the watcher is not started
	sig := make(chan os.Signal, 1)
	stop := a.reloadOn(sig)
	defer stop()

	const half = "p, group:twilio, /, view, allow\n"
	const rest = "# denied since the last edit:\np, system.Everyone, /accessible, view, deny\n"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(half); err != nil {
		t.Fatal(err)
	}
	sig <- syscall.SIGHUP
	// Keep the half alone for a while, so that the signal is likely
	// handled first, then write the rest well within the 1 s settle (a
	// writer that pauses longer has, by the rule, finished).
	deadline := time.Now().Add(100 * time.Millisecond)
	for time.Now().Before(deadline) {
		if reaches(t, a, "/accessible") {
			t.Fatalf("generation %d: /accessible reached while the file was half written", a.policy.acl.Generation())
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := f.WriteString(rest); err != nil {
		t.Fatal(err)
	}
	reloaded := func() []map[string]any {
		var reloads []map[string]any
		for _, r := range logs.records(t, "INFO") {
			if r["msg"] == "policy reloaded" {
				reloads = append(reloads, r)
			}
		}
		return reloads
	}
	waitFor(t, "the settled file loaded", func() bool {
		if reaches(t, a, "/accessible") {
			t.Fatalf("generation %d: /accessible reached while the SIGHUP reload settled", a.policy.acl.Generation())
		}
		return len(reloaded()) > 0 // logged once the new policy is in force
	})
	if g := a.policy.acl.Generation(); g != 2 {
		t.Errorf("generation %d after the SIGHUP reload, want 2", g)
	}
	if reloads := reloaded(); len(reloads) != 1 || reloads[0]["trigger"] != "sighup" || reloads[0]["rows"] != 2.0 {
		t.Errorf("reload records = %v, want one: the SIGHUP reload of 2 rows", reloads)
	}
}

// A file that keeps changing is not loaded by SIGHUP: after a few reads
// that never agree, the reload gives up and says so.
func TestSIGHUPFilesKeepChanging(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	replaceFile(t, path, policyA)
	a, logs := reloadApp(t, path, 200*time.Millisecond)
	sig := make(chan os.Signal, 1)
	stop := a.reloadOn(sig)
	defer stop()

	writing, written := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(written)
		for i := 0; ; i++ {
			select {
			case <-writing:
				return
			case <-time.After(2 * time.Millisecond):
			}
			// Each edit whole (renamed over the file), so that no two
			// reads agree on a file caught truncated.
			if err := os.WriteFile(path+".tmp", fmt.Appendf(nil, "# edit %d\n%s", i, policyB), 0o600); err != nil {
				t.Error(err)
				return
			}
			if err := os.Rename(path+".tmp", path); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	stopWriting := sync.OnceFunc(func() { close(writing); <-written })
	defer stopWriting()
	sig <- syscall.SIGHUP
	waitFor(t, "the reload to give up", func() bool { return len(logs.records(t, "ERROR")) > 0 })
	stopWriting()
	errs := logs.records(t, "ERROR")
	if len(errs) != 1 || !strings.Contains(errs[0]["msg"].(string), "kept changing") || errs[0]["trigger"] != "sighup" {
		t.Errorf("error records = %v, want one saying the files kept changing", errs)
	}
	if g := a.policy.acl.Generation(); g != 1 {
		t.Errorf("generation %d after files that kept changing, want 1", g)
	}
	if got := testutil.ToFloat64(a.metrics.reloads.WithLabelValues("failed")); got != 1 {
		t.Errorf("failed reloads counted: %v, want 1", got)
	}
}

// Stopping the SIGHUP handler while a reload settles ends it at once,
// loading nothing.
func TestSIGHUPSettleStops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	replaceFile(t, path, policyA)
	a, _ := reloadApp(t, path, time.Hour) // settles for 2 s
	sig := make(chan os.Signal, 1)
	stop := a.reloadOn(sig)
	replaceFile(t, path, policyB)
	sig <- syscall.SIGHUP
	time.Sleep(50 * time.Millisecond) // lets the signal be taken; the result holds either way
	stop()
	if g := a.policy.acl.Generation(); g != 1 {
		t.Errorf("generation %d after stopping during the settle, want 1 (nothing loaded)", g)
	}
}

// A SIGHUP sent while the policy file is removed and written anew waits
// for the new file; a file still missing at the next read is a rejected
// reload, logged, and nothing is loaded.
func TestSIGHUPFileMissing(t *testing.T) {
	for _, tt := range []struct {
		name     string
		comeBack bool // the file is written anew after the signal
	}{
		{"removed and written anew", true},
		{"removed", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "policy.csv")
			replaceFile(t, path, policyA)
			a, logs := reloadApp(t, path, time.Second) // settles for 1 s
			sig := make(chan os.Signal, 1)
			stop := a.reloadOn(sig)
			defer stop()
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			sig <- syscall.SIGHUP
			if !tt.comeBack {
				waitFor(t, "the rejection logged", func() bool { return len(logs.records(t, "ERROR")) > 0 })
				errs := logs.records(t, "ERROR")
				if len(errs) != 1 || errs[0]["trigger"] != "sighup" || !strings.Contains(errs[0]["problem"].(string), "no such file") {
					t.Errorf("error records = %v, want one naming the missing file", errs)
				}
				if g := a.policy.acl.Generation(); g != 1 {
					t.Errorf("generation %d, want 1", g)
				}
				return
			}
			// Likely lets the signal find the file missing; the file comes
			// back well within the 1 s settle (a file still missing after
			// it is, by the rule, gone).
			time.Sleep(50 * time.Millisecond)
			replaceFile(t, path, policyB)
			waitFor(t, "the new file loaded", func() bool { return a.policy.acl.Generation() == 2 })
			if reaches(t, a, "/accessible") {
				t.Error("/accessible reached after the SIGHUP loaded the file denying it")
			}
			if errs := logs.records(t, "ERROR"); len(errs) != 0 {
				t.Errorf("error records = %v, want none: the file was missing only for a moment", errs)
			}
		})
	}
}

// A SIGHUP reload that finds the files changed since its last read leaves
// the watcher's own sighting alone: the watcher must still read the new
// bytes twice, one interval apart, before it loads them. (Here the steps
// of the two run in a fixed order; in serve they interleave freely.)
func TestSIGHUPMovedLeavesWatcherSighting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.csv")
	replaceFile(t, path, policyB) // denies /accessible
	a, _ := reloadApp(t, path, time.Hour)
	b := a.policy.sight() // SIGHUP's settled read: policy B
	if b.err != nil {
		t.Fatal(b.err)
	}
	// The first half of a new file, written in place.
	if err := os.WriteFile(path, []byte("p, group:twilio, /, view, allow\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, moved, _ := a.reload("sighup", &b.digest, false); !moved {
		t.Fatal("reload of the content read before the write: not moved")
	}
	if _, ok, err := a.policy.settledChange(); ok || err != nil { // the watcher's next poll
		t.Errorf("the watcher's first read of the half-written file: settled %v, %v; want not settled", ok, err)
	}
	if reaches(t, a, "/accessible") {
		t.Errorf("generation %d: /accessible reached", a.policy.acl.Generation())
	}
}

// metricsAtLog is a slog handler that records, at each reload line, the
// reload metrics as they stand then.
type metricsAtLog struct {
	a    *atomic.Pointer[App]
	mu   *sync.Mutex
	seen *[]string
}

func (h metricsAtLog) Enabled(context.Context, slog.Level) bool { return true }
func (h metricsAtLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h metricsAtLog) WithGroup(string) slog.Handler            { return h }
func (h metricsAtLog) Handle(_ context.Context, r slog.Record) error {
	a := h.a.Load()
	if a == nil || !strings.HasPrefix(r.Message, "policy reload") {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	*h.seen = append(*h.seen, fmt.Sprintf("%s: ok=%v failed=%v generation=%v", r.Message,
		testutil.ToFloat64(a.metrics.reloads.WithLabelValues("ok")),
		testutil.ToFloat64(a.metrics.reloads.WithLabelValues("failed")),
		testutil.ToFloat64(a.metrics.generation)))
	return nil
}

// Whoever reads a reload's log line finds the metrics moved already: the
// metrics are updated before the line is written.
func TestReloadMetricsBeforeLogLine(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policy.csv")
	replaceFile(t, path, policyA)
	var app atomic.Pointer[App]
	var mu sync.Mutex
	var seen []string
	a, err := New(testConfig(t, map[string]string{
		"TWILIO_AUTH_TOKEN":     reloadToken,
		"GATEHOUSE_PUBLIC_URL":  publicURL,
		"GATEHOUSE_POLICY_FILE": path,
	}), slog.New(metricsAtLog{a: &app, mu: &mu, seen: &seen}))
	if err != nil {
		t.Fatal(err)
	}
	app.Store(a)
	replaceFile(t, path, policyB)
	a.reloadPolicy("test")
	replaceFile(t, path, policyBad)
	a.reloadPolicy("test")
	mu.Lock()
	defer mu.Unlock()
	want := []string{
		"policy reloaded: ok=1 failed=0 generation=2",
		"policy reload rejected; the last good policy stays in force: ok=1 failed=1 generation=2",
	}
	if !slices.Equal(seen, want) {
		t.Errorf("metrics at the reload lines:\n%s\nwant\n%s", strings.Join(seen, "\n"), strings.Join(want, "\n"))
	}
}
