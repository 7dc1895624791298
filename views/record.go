package views

import (
	"context"
	"slices"
	"sync"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
)

// Record collects what the security of one request found out, for the
// request log and the metrics: the view the router chose, the outcome of the
// signature check, the effective principals and the authorization decision.
// The request's outermost middleware puts a Record in the request context
// with [NewRecordContext]; the views' security middleware fills it in, and
// an authentication policy's observer may add the signature outcome with
// [Record.SetSignature]. Everything a Record holds is safe to log at info
// level: no token, no signature, no URL, no request parameter.
//
// The methods of a Record are safe for concurrent use, and do nothing on a
// nil Record, so code may call them whether or not a Record was installed.
type Record struct {
	mu sync.Mutex
	s  Summary
	// d is the decision, which s.Decision points to once there is one.
	d authz.Decision
}

// Summary is a copy of what a [Record] holds.
type Summary struct {
	// RequestID identifies the request in every log line about it.
	RequestID string
	// Route is the name of the view the router chose, or "" if no view
	// did (not found), or its guard refused the request as not the
	// view's own (see the package doc).
	Route string
	// Permission is the permission the view requires, or "" if no view
	// was chosen. It may be authz.NoPermissionRequired.
	Permission string
	// Signature is the outcome of the Twilio signature check, or "" if no
	// signature was checked.
	Signature authn.Reason
	// Challenged is why an authentication policy challenged the request
	// (see authn.Challenge), such as authn.ReasonNoCredentials, or "" if
	// it was not challenged.
	Challenged authn.Reason
	// Principals are the effective principals: those the decision was
	// made for if there was one, otherwise those authentication proved.
	Principals []string
	// Decision is the authorization decision, or nil if none was made.
	Decision *authz.Decision
	// AuthzFailed reports that the authorization policy could not decide
	// (it returned an error), so the exception view answered.
	AuthzFailed bool
}

// NewRecord returns an empty Record for the request identified by id.
func NewRecord(id string) *Record { return &Record{s: Summary{RequestID: id}} }

// recordKey is the context key of the request's Record.
type recordKey struct{}

// NewRecordContext returns a copy of ctx that carries rec.
func NewRecordContext(ctx context.Context, rec *Record) context.Context {
	return context.WithValue(ctx, recordKey{}, rec)
}

// RecordFrom returns the Record that ctx carries, or nil.
func RecordFrom(ctx context.Context) *Record {
	rec, _ := ctx.Value(recordKey{}).(*Record)
	return rec
}

// Summary returns a copy of what rec holds; the zero Summary for a nil
// Record.
func (rec *Record) Summary() Summary {
	if rec == nil {
		return Summary{}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	s := rec.s
	s.Principals = slices.Clone(s.Principals)
	if s.Decision != nil {
		d := s.Decision.Clone() // its ACE and ACL are the policy's, shared by every request
		s.Decision = &d
	}
	return s
}

// Snapshot is [Record.Summary] without the copies, for a reader that only
// looks: the Summary's Principals and Decision are the Record's own, and
// must not be modified. Read once the request is answered, as the request
// log and the metrics read it, they no longer change.
func (rec *Record) Snapshot() Summary {
	if rec == nil {
		return Summary{}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.s
}

// RequestID returns the request's ID, or "" for a nil Record.
func (rec *Record) RequestID() string {
	if rec == nil {
		return ""
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.s.RequestID
}

// SetSignature records the outcome of the request's signature check.
func (rec *Record) SetSignature(reason authn.Reason) {
	rec.update(func(s *Summary) { s.Signature = reason })
}

func (rec *Record) update(f func(*Summary)) {
	if rec == nil {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	f(&rec.s)
}

func (rec *Record) setRoute(rt Route) {
	rec.update(func(s *Summary) { s.Route, s.Permission = rt.Name, rt.Permission })
}

// setPrincipals records the effective principals that authentication
// proved. The Record keeps principals, which nobody modifies: they are
// also those of the request's context (see authn.FromContext).
func (rec *Record) setPrincipals(principals []string) {
	if rec == nil {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.s.Principals = principals
}

// setDecision records the decision. The Record keeps d.Principals, which
// nobody modifies: they become those of the request's context.
func (rec *Record) setDecision(d authz.Decision) { rec.recordDecision(d, true) }

// setViewDenial records the denial a view returned (see viewDenial) as
// the request's decision. The principals stay those the guard recorded:
// authentication proved them, and the view cannot change them.
func (rec *Record) setViewDenial(d authz.Decision) { rec.recordDecision(d, false) }

// recordDecision records d, and with principals its principals as the
// request's.
func (rec *Record) recordDecision(d authz.Decision, principals bool) {
	if rec == nil {
		return
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.d = d
	rec.s.Decision = &rec.d
	if principals && len(d.Principals) > 0 {
		rec.s.Principals = d.Principals
	}
}

func (rec *Record) setChallenged(reason authn.Reason) {
	rec.update(func(s *Summary) { s.Challenged = reason })
}

func (rec *Record) setAuthzFailed() {
	rec.update(func(s *Summary) { s.AuthzFailed = true })
}
