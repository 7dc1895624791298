package app

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/casbin/casbin/v2/model"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/config"
	"github.com/gatehouse/gatehouse/policies"
)

// policyState is the authorization policy that the server enforces, and
// what it needs to reload it: the configured files and what was last read
// from them.
type policyState struct {
	acl *authz.Casbin
	cfg config.Policy

	mu      sync.Mutex        // serializes reloads and guards the fields below
	tried   [sha256.Size]byte // digest of the files' content last loaded or rejected
	seen    [sha256.Size]byte // digest of the files' content when last read
	readErr string            // the last error reading the files, if any

	// accounts: the policy in force names an account: principal (see
	// accountWarning).
	accounts bool
}

// loadedPolicy is a parsed model and policy file, with the digest of the
// bytes they were parsed from.
type loadedPolicy struct {
	model  model.Model
	file   *policies.File
	digest [sha256.Size]byte
}

// loadPolicy loads the configured (or embedded) model and policy and
// builds the ACL that serve enforces, at generation 1.
func loadPolicy(cfg config.Policy) (*policyState, error) {
	p := &policyState{cfg: cfg}
	l, err := p.loadFiles()
	if err != nil {
		return nil, err
	}
	acl, err := authz.NewCasbin(l.model, l.file.Policy(), l.file.Grouping())
	if err != nil {
		return nil, withModel(cfg.Model, err)
	}
	p.acl, p.tried, p.seen = acl, l.digest, l.digest
	p.accounts = namesAccount(l.file)
	return p, nil
}

// namesAccount reports whether a rule of f names an account: principal.
func namesAccount(f *policies.File) bool {
	for _, r := range f.Rules {
		if strings.HasPrefix(r.Fields[0], authn.AccountPrefix) {
			return true
		}
	}
	return false
}

// embedded reports whether both files are the embedded defaults, which
// never change.
func (p *policyState) embedded() bool { return p.cfg.Model == "" && p.cfg.File == "" }

// readPolicyFiles reads the model and the policy (regular files of at
// most policies.MaxFileBytes: see policies.ReadFile); an empty path reads
// the embedded default.
func readPolicyFiles(cfg config.Policy) (modelText string, policyData []byte, err error) {
	modelText = policies.DefaultModel()
	if cfg.Model != "" {
		b, err := policies.ReadFile(cfg.Model)
		if err != nil {
			return "", nil, fmt.Errorf("app: policy model: %w", err)
		}
		modelText = string(b)
	}
	policyData = policies.DefaultPolicy()
	if cfg.File != "" {
		if policyData, err = policies.ReadFile(cfg.File); err != nil {
			return "", nil, fmt.Errorf("app: policy file: %w", err)
		}
	}
	return modelText, policyData, nil
}

// displayModel is how messages name the model at path: the path, or the
// embedded default's name.
func displayModel(path string) string {
	if path == "" {
		return "model.conf (embedded)"
	}
	return path
}

// modelError is a problem of authz.NewCasbin or Replace that is about the
// model (authz.ErrInvalidModel), named by the model's file, as the
// parse's own errors are: "m.conf: invalid model: casbin: Unbalanced
// parenthesis".
type modelError struct {
	model string
	err   error
}

func (e *modelError) Error() string {
	return e.model + ": " + strings.TrimPrefix(e.err.Error(), "authz: ")
}

func (e *modelError) Unwrap() error { return e.err }

// withModel names the model at path in each problem of err that is about
// the model (see modelError); the others are left as they are.
func withModel(path string, err error) error {
	if err == nil {
		return nil
	}
	parts := splitErrors(err)
	for i, e := range parts {
		if errors.Is(e, authz.ErrInvalidModel) {
			parts[i] = &modelError{displayModel(path), e}
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return errors.Join(parts...)
}

func digestOf(modelText string, policyData []byte) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(modelText)))
	h.Write(n[:])
	h.Write([]byte(modelText))
	h.Write(policyData)
	return [sha256.Size]byte(h.Sum(nil))
}

// loadFiles reads the files once and parses exactly the bytes it read.
func (p *policyState) loadFiles() (*loadedPolicy, error) {
	modelText, policyData, err := readPolicyFiles(p.cfg)
	if err != nil {
		return nil, err
	}
	l := &loadedPolicy{digest: digestOf(modelText, policyData)}
	modelName, policyName := displayModel(p.cfg.Model), p.cfg.File
	if policyName == "" {
		policyName = "policy.csv (embedded)"
	}
	var merr, perr error
	l.model, merr = policies.ParseModel(modelName, modelText)
	l.file, perr = policies.Parse(policyName, policyData)
	if err := errors.Join(merr, perr); err != nil {
		return l, err
	}
	return l, nil
}

// settledChange reports whether the watcher should reload: the files'
// content differs from what was last loaded or rejected, and has stayed
// the same since the previous poll. A file being written in place (an
// editor's truncate-and-write, a slow copy) can be caught half written,
// and half a policy may well parse: without its deny rows, say. So a new
// content is only loaded once two polls in a row read the same bytes, and
// the reload then checks that it parsed exactly those bytes (want).
// Renaming a complete file over the old one, as deployment tools do, is
// always safe.
//
// The files are read and hashed at every poll, not only when their stat
// changes: a new file can have the old one's size and modification time
// (renamed over it, or copied into it, by tools that keep the time, as
// cp -p, rsync -a and tar x do), and a revocation deployed that way must
// not go unnoticed. Policy files are small: reading them every few
// seconds costs little. A file that cannot be read is reported in
// readErr, once per distinct error, for the watcher to log; nothing is
// loaded then, and the policy in force stays. (A file removed and written
// anew is missing for a moment, then half written: what follows the
// error must settle like any other content.)
func (p *policyState) settledChange() (want *[sha256.Size]byte, ok bool, readErr error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	cur := p.sight()
	if err := cur.err; err != nil {
		// What was read before the error counts for nothing: the content
		// that follows must be read twice in a row after it.
		p.seen = [sha256.Size]byte{}
		if err.Error() == p.readErr {
			return nil, false, nil
		}
		p.readErr = err.Error()
		return nil, false, err
	}
	p.readErr = ""
	d := cur.digest
	first := d != p.seen
	p.seen = d
	if d == p.tried || first {
		return nil, false, nil
	}
	return &d, true, nil
}

// reloadPolicy reloads the configured model and policy files and returns
// the generation of the policy in force afterwards. trigger says why
// ("watch", "sighup", ...) for the log.
//
// A valid pair of files replaces the policy atomically (authz.Casbin.Replace)
// and is logged at info level with the new generation. Files that cannot
// be read or parsed, or that authz rejects, are logged at error level, one
// line per problem naming the file, the line when there is one, and the
// problem; the last good policy stays in force and its generation is
// returned with the error. Neither the log lines nor the error quote a
// credential of the configuration (config.Config.Redact): a path may hold
// one pasted into the wrong key. With the embedded defaults there is
// nothing to reload: the current generation is returned.
//
// Every reload goes through this method or reload, so that they are the
// one place to observe reloads (a metrics hook, say).
func (a *App) reloadPolicy(trigger string) (generation uint64, err error) {
	generation, _, err = a.reload(trigger, nil, false)
	return generation, err
}

// reload is reloadPolicy, except that if want is not nil and the files no
// longer hold the content whose digest it is, nothing happens and moved
// is true: they changed again since the caller saw them settle, and the
// change must settle in turn. If onlyNew is true, nothing happens either
// for content that was loaded or rejected since the caller saw it settle
// (by SIGHUP, between the watcher's poll and its reload): the watcher
// loads a content once.
func (a *App) reload(trigger string, want *[sha256.Size]byte, onlyNew bool) (generation uint64, moved bool, err error) {
	p := a.policy
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.embedded() {
		a.log.Info("policy reload: the policy is embedded, nothing to reload", slog.String("trigger", trigger))
		return p.acl.Generation(), false, nil
	}
	l, err := p.loadFiles()
	if l != nil && want != nil && (l.digest != *want || onlyNew && l.digest == p.tried) {
		if onlyNew {
			// The watcher's own sighting, one poll after the last: the
			// next poll must read the same bytes before they load. Only
			// the watcher's reads count as its sightings, or a SIGHUP's
			// read a moment before a poll would settle a half-written
			// file at once.
			p.seen = l.digest
		}
		return p.acl.Generation(), l.digest != *want, nil
	}
	if l != nil {
		p.tried, p.seen, p.readErr = l.digest, l.digest, ""
	}
	if err == nil {
		generation, err = p.acl.Replace(l.model, l.file.Policy(), l.file.Grouping())
		err = withModel(p.cfg.Model, err)
	}
	if err != nil {
		if l == nil {
			p.readErr = err.Error()
		}
		kept := p.acl.Generation()
		a.metrics.policyReloaded(kept, err) // before the log line: whoever reads it sees the metrics moved
		a.logRejected(trigger, kept, err)
		return kept, false, a.cfg.RedactError(err)
	}
	a.metrics.policyReloaded(generation, nil)
	a.log.Info("policy reloaded",
		slog.String("trigger", trigger),
		slog.Uint64("generation", generation),
		slog.String("model", a.cfg.Redact(p.cfg.Model)),
		slog.String("file", a.cfg.Redact(p.cfg.File)),
		slog.Int("rows", len(l.file.Rules)))
	p.accounts = namesAccount(l.file)
	if w := a.accountWarning(p.accounts); w != "" {
		warnAlways(a.log, w, slog.String("trigger", trigger), slog.Uint64("generation", generation))
	}
	return generation, false, nil
}

// logRejected logs each problem of a rejected reload on its own line.
// Every text is redacted (config.Config.Redact): a file's path, or a line
// of it, may hold a credential pasted into the wrong key.
func (a *App) logRejected(trigger string, kept uint64, err error) {
	for _, e := range splitErrors(err) {
		attrs := []slog.Attr{
			slog.String("trigger", trigger),
			slog.Uint64("kept_generation", kept),
		}
		var le *policies.LineError
		var pe *os.PathError
		switch {
		case errors.As(e, &le):
			attrs = append(attrs, slog.String("file", a.cfg.Redact(le.File)), slog.Int("line", le.Line),
				slog.String("problem", a.cfg.RedactMessage(le.Err.Error())))
		case errors.As(e, &pe):
			attrs = append(attrs, slog.String("file", a.cfg.Redact(pe.Path)), slog.String("problem", a.cfg.RedactMessage(pe.Err.Error())))
		default:
			attrs = append(attrs, slog.String("problem", a.cfg.RedactMessage(e.Error())))
		}
		a.log.LogAttrs(context.Background(), slog.LevelError, "policy reload rejected; the last good policy stays in force", attrs...)
	}
}

// splitErrors returns the errors joined in err (errors.Join), recursively,
// each problem once. Only a join is split: an error that wraps several
// (fmt.Errorf with two %w, as "policies: m.conf: invalid model: casbin:
// ...") is one problem, whose message names the file, and its parts alone
// would not. A join is told by its message, its parts' lines.
func splitErrors(err error) []error {
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []error{err}
	}
	parts := j.Unwrap()
	msgs := make([]string, len(parts))
	for i, e := range parts {
		msgs[i] = e.Error()
	}
	if strings.Join(msgs, "\n") != err.Error() {
		return []error{err}
	}
	var out []error
	for _, e := range parts {
		out = append(out, splitErrors(e)...)
	}
	return out
}

// watchPolicy polls the policy files every interval until ctx is done,
// and reloads them when their content changes. Polling the path, rather
// than watching an inode, follows editors and deployment tools that
// replace a file by renaming a new one over it.
func (a *App) watchPolicy(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		switch want, ok, err := a.policy.settledChange(); {
		case err != nil:
			a.readFailed("watch", err)
		case ok:
			_, _, _ = a.reload("watch", want, true) // reload logs its errors
		}
	}
}

// startPolicyWatch starts watchPolicy, unless the policy is embedded or
// watching is off, and returns a function that stops it and waits for it.
func (a *App) startPolicyWatch(ctx context.Context) (stop func()) {
	interval := a.cfg.Policy.WatchInterval
	if a.policy.embedded() || interval <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.watchPolicy(ctx, interval)
	}()
	a.log.Info("watching the policy files", slog.String("model", a.cfg.Redact(a.cfg.Policy.Model)),
		slog.String("file", a.cfg.Redact(a.cfg.Policy.File)), slog.Duration("interval", interval))
	return func() {
		cancel()
		<-done
	}
}

// readFailed logs a failure to read the policy files, as a rejected
// reload is: nothing is loaded.
func (a *App) readFailed(trigger string, err error) {
	kept := a.policy.acl.Generation()
	a.metrics.policyReloaded(kept, err)
	a.logRejected(trigger, kept, err)
}

// settleTries is how many times in a row reloadSettled reads files that
// keep changing before it gives up.
const settleTries = 5

// reloadSettled reloads the policy files once their content has settled:
// two reads one settle interval apart (the default watch interval, 2 s,
// or the watch interval if that is shorter) must agree, and the reload
// checks that it parsed exactly those bytes, as the watcher does. SIGHUP
// reloads this way, so that a signal sent while a file is being written
// in place, or removed and written anew, by hand or by a tool, never
// loads the half that was written (without its deny rows, say). Two reads
// that fail alike are logged, as a rejected reload is, and nothing is
// loaded. Files still changing after settleTries reads are logged at
// error level and not loaded: the watcher, if on, loads them once they
// settle. It returns early, loading nothing, when done is closed.
func (a *App) reloadSettled(trigger string, done <-chan struct{}) {
	p := a.policy
	if p.embedded() {
		_, _ = a.reloadPolicy(trigger) // logs that there is nothing to reload
		return
	}
	settle := config.Default().Policy.WatchInterval
	if w := a.cfg.Policy.WatchInterval; w > 0 && w < settle {
		settle = w
	}
	timer := time.NewTimer(settle)
	defer timer.Stop()
	prev := p.sight()
	for range settleTries {
		timer.Reset(settle)
		select {
		case <-done:
			return
		case <-timer.C:
		}
		cur := p.sight()
		if cur.same(prev) {
			if cur.err != nil {
				a.readFailed(trigger, cur.err)
				return
			}
			if _, moved, _ := a.reload(trigger, &cur.digest, false); !moved { // reload logs its errors
				return
			}
			cur = p.sight()
		}
		prev = cur
	}
	kept := p.acl.Generation()
	a.metrics.policyReloaded(kept, errors.New("app: policy files kept changing"))
	a.log.LogAttrs(context.Background(), slog.LevelError,
		"policy reload not done: the files kept changing; the last good policy stays in force",
		slog.String("trigger", trigger), slog.Uint64("kept_generation", kept), slog.Duration("apart", settle))
}

// sighting is what one read of the policy files found: their content's
// digest, or the error that ended the read.
type sighting struct {
	digest [sha256.Size]byte
	err    error
}

// same reports whether two reads found the same: the same content, or
// errors of the same text.
func (s sighting) same(o sighting) bool {
	if s.err != nil || o.err != nil {
		return s.err != nil && o.err != nil && s.err.Error() == o.err.Error()
	}
	return s.digest == o.digest
}

// sight reads the files and returns the digest of their content, or the
// error that ended the read.
func (p *policyState) sight() sighting {
	modelText, policyData, err := readPolicyFiles(p.cfg)
	if err != nil {
		return sighting{err: err}
	}
	return sighting{digest: digestOf(modelText, policyData)}
}

// reloadOn reloads the policy, once it has settled (reloadSettled), on
// every signal that arrives on sig (which the caller registered for
// SIGHUP with signal.Notify) until the returned function is called.
// Signals that arrive while a reload settles make one more reload.
func (a *App) reloadOn(sig <-chan os.Signal) (stop func()) {
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			select {
			case <-done:
				return
			case <-sig:
				a.reloadSettled("sighup", done)
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// startupWarnings returns what serve warns of at startup about the
// configuration and the policy together, each one line (see
// accountWarning).
func (a *App) startupWarnings() []string {
	if a.policy == nil {
		return nil
	}
	a.policy.mu.Lock()
	accounts := a.policy.accounts
	a.policy.mu.Unlock()
	if w := a.accountWarning(accounts); w != "" {
		return []string{w}
	}
	return nil
}

// accountWarning returns the warning, or "", about a policy that grants to
// account: principals (accounts) while twilio.account_sid does not pin the
// account, so that a re-cut body could prove another account's SID. serve
// gives it at startup, and each reload that loads such a policy.
func (a *App) accountWarning(accounts bool) string {
	if !accounts || a.cfg.Twilio.AccountSid != "" {
		return ""
	}
	return "the policy names account: principals and twilio.account_sid is not set: a signed request proves account: for " +
		"whatever AccountSid it carries, which a re-cut form body can make another account's; set twilio.account_sid to your account's SID"
}

// logStartupWarnings logs what serve warns of at startup: the
// configuration's own warnings (public_url unset, proxies trusted too
// widely or to no effect, tokens not of Twilio's form) and those about the
// configuration and the policy together (startupWarnings), whatever
// log.level is.
func (a *App) logStartupWarnings(logger *slog.Logger) {
	for _, w := range append(a.cfg.Warnings(), a.startupWarnings()...) {
		warnAlways(logger, w)
	}
}

// warnAlways logs msg at warn level whatever log.level is. The startup and
// reload warnings are the only word on a configuration that trusts more
// than it should (public_url unset, proxies trusted widely, account:
// principals with no account pinned), and log.level: error must not
// silence them: the record goes to the handler without the level check.
func warnAlways(l *slog.Logger, msg string, attrs ...slog.Attr) {
	r := slog.NewRecord(time.Now(), slog.LevelWarn, msg, 0)
	r.AddAttrs(attrs...)
	_ = l.Handler().Handle(context.Background(), r)
}
