package authz

import (
	"slices"
	"strings"
)

// Decision is the answer of a Policy, with its reason: which ACE of which
// resource's ACL decided, for which principals.
//
// A Decision from Casbin shares its ACE and ACL with the other decisions
// of the same policy: treat them as read-only, or call Clone first.
type Decision struct {
	// Allowed reports whether the principals hold the permission.
	Allowed bool
	// Permission is the permission asked about.
	Permission string
	// Context is the resource whose ACL decided, one of the lineage of the
	// resource asked about. On a default deny it is the resource asked
	// about.
	Context string
	// ACE is the entry that decided, or nil on a default deny (nothing
	// matched anywhere in the lineage).
	ACE *ACE
	// ACL is the ACL of Context in file order. On a default deny it is, as
	// in Pyramid, the last ACL met walking up the lineage (the one nearest
	// the root), or nil if no resource of the lineage has an ACL.
	ACL []ACE
	// Principals are the effective principals the decision was made for:
	// those asked about, without repeats, in the order given, followed by
	// the groups they belong to.
	Principals []string
	// Generation is the generation of the policy that decided (see
	// Casbin.Generation), or 0 for a Policy without generations.
	Generation uint64
}

// Clone returns a copy of d that shares no memory with d: its ACE, ACL and
// Principals may be modified freely.
func (d Decision) Clone() Decision {
	if d.ACE != nil {
		ace := *d.ACE
		d.ACE = &ace
	}
	d.ACL = slices.Clone(d.ACL)
	d.Principals = slices.Clone(d.Principals)
	return d
}

// String explains d in the form Pyramid uses, for logs and for the
// forbidden view, e.g. for a signed Twilio request:
//
//	ACLAllowed permission 'view' via ACE ('Allow', 'group:twilio', 'view') in ACL [('Allow', 'group:twilio', 'view')] on context '/' for principals ['system.Everyone', 'system.Authenticated', 'group:twilio']
//
// A default deny names the ACE '<default deny>', and when no resource of
// the lineage has an ACL, the ACL '<No ACL found on any object in resource
// lineage>', as Pyramid does. Every string is quoted as
// Python quotes it, so control characters in a principal cannot break a log
// line.
func (d Decision) String() string {
	var b strings.Builder
	if d.Allowed {
		b.WriteString("ACLAllowed")
	} else {
		b.WriteString("ACLDenied")
	}
	b.WriteString(" permission ")
	b.WriteString(Repr(d.Permission))
	b.WriteString(" via ACE ")
	if d.ACE == nil {
		b.WriteString(Repr("<default deny>"))
	} else {
		b.WriteString(d.ACE.String())
	}
	b.WriteString(" in ACL ")
	if d.ACE == nil && len(d.ACL) == 0 {
		b.WriteString(Repr(noACL))
	} else {
		b.WriteString("[")
		for i, ace := range d.ACL {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(ace.String())
		}
		b.WriteString("]")
	}
	b.WriteString(" on context ")
	b.WriteString(Repr(d.Context))
	b.WriteString(" for principals [")
	for i, p := range d.Principals {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(Repr(p))
	}
	b.WriteString("]")
	return b.String()
}

// noACL is how Pyramid names the ACL of a default deny when no resource of
// the lineage has one.
const noACL = "<No ACL found on any object in resource lineage>"
