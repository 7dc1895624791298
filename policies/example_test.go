package policies_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/policies"
)

func ExampleParse() {
	data := []byte(`# Community ACL.
p, fred, /community, *, allow
p, system.Everyone, /community, *, deny
g, wilma, group:editors
`)
	f, err := policies.Parse("community.csv", data)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range f.Rules {
		fmt.Printf("%s:%d: %s\n", r.File, r.Line, r)
	}
	fmt.Println(f.Policy())
	fmt.Println(f.Grouping())
	// Output:
	// community.csv:2: p, fred, /community, *, allow
	// community.csv:3: p, system.Everyone, /community, *, deny
	// community.csv:4: g, wilma, group:editors
	// [[fred /community * allow] [system.Everyone /community * deny]]
	// [[wilma group:editors]]
}

func ExampleParse_errors() {
	data := []byte(`p, group:twilio, /, view, allow
p, group:twilio, /, view
p, system.Everyone, /admin, *, Deny
`)
	_, err := policies.Parse("policy.csv", data)
	fmt.Println(err)

	var le *policies.LineError
	if errors.As(err, &le) {
		fmt.Println("first problem on line", le.Line)
	}
	fmt.Println(errors.Is(err, policies.ErrEffect))
	// Output:
	// policies: policy.csv:2: p row needs 4 fields (principal, resource, permission, effect), got 3
	// policies: policy.csv:3: effect must be allow or deny, got "Deny"
	// first problem on line 2
	// true
}

func ExampleLoadFile() {
	// An empty path loads the embedded default policy.
	f, err := policies.LoadFile("")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Name)
	for _, r := range f.Rules {
		fmt.Println(r)
	}
	// Output:
	// policy.csv (embedded)
	// p, group:twilio, /, view, allow
}

func ExampleLoadModel() {
	// An empty path loads the embedded default model.
	m, err := policies.LoadModel("")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m["e"]["e"].Value)
	// Output:
	// priority(p_eft) || deny
}

func ExampleDefaultPolicy() {
	f, err := policies.Parse("policy.csv", policies.DefaultPolicy())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Policy())
	// Output:
	// [[group:twilio / view allow]]
}

func ExampleDefaultModel() {
	for line := range strings.Lines(policies.DefaultModel()) {
		if strings.HasPrefix(line, "[") {
			fmt.Print(line)
		}
	}
	// Output:
	// [request_definition]
	// [policy_definition]
	// [role_definition]
	// [policy_effect]
	// [matchers]
}

func ExampleRule_String() {
	r := policies.Rule{Kind: policies.KindGrouping, Fields: []string{"account:AC123", "group:customers"}}
	fmt.Println(r)
	// Output:
	// g, account:AC123, group:customers
}

func ExampleFile_Policy() {
	f, err := policies.Parse("policy.csv", []byte("p, a, /, view, allow\ng, b, a\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	// These rows are what authz.NewCasbin takes.
	fmt.Println(f.Policy(), f.Grouping())
	// Output:
	// [[a / view allow]] [[b a]]
}

func ExampleFile_Grouping() {
	f, err := policies.Parse("policy.csv", []byte(`p, group:staff, /billing, *, allow
p, system.Everyone, /billing, *, deny
g, account:AC123, group:support
g, group:support, group:staff
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Grouping())

	// newACL builds the ACL that a policy file describes, as gatehouse
	// serve does. authz gives each request the groups of its principals,
	// transitively, before it decides.
	newACL := func(f *policies.File) (*authz.Casbin, error) {
		m, err := policies.LoadModel("")
		if err != nil {
			return nil, err
		}
		return authz.NewCasbin(m, f.Policy(), f.Grouping())
	}
	acl, err := newACL(f)
	if err != nil {
		fmt.Println(err)
		return
	}
	signed := []string{"system.Everyone", "system.Authenticated", "group:twilio", "account:AC123"}
	d, err := acl.Permits(context.Background(), signed, "/billing/invoices", "edit")
	if err != nil {
		fmt.Println("could not decide:", err) // fail closed
		return
	}
	fmt.Println(d.Allowed, d.Principals)
	// Output:
	// [[account:AC123 group:support] [group:support group:staff]]
	// true [system.Everyone system.Authenticated group:twilio account:AC123 group:support group:staff]
}

func ExampleLint() {
	data := []byte(`p, fred, /community, *, allow
p, system.Everyone, /community, *, deny
p, wilma, /community, view, allow
p, fred, /community, *, allow
p, barney, /community/blog, view, maybe
`)
	for _, problem := range policies.Lint("community.csv", data) {
		fmt.Println(problem)
	}
	// Output:
	// policies: community.csv:3: row can never decide: line 2 (p, system.Everyone, /community, *, deny) always applies first
	// policies: community.csv:4: duplicate of line 1 (p, fred, /community, *, allow)
	// policies: community.csv:5: effect must be allow or deny, got "maybe"
}

func ExampleLintFile() {
	// An empty path lints the embedded default policy.
	problems, err := policies.LintFile("")
	fmt.Println(len(problems), err)
	// Output:
	// 0 <nil>
}

func ExampleParseTests() {
	tests, err := policies.ParseTests("policy_test.csv", []byte(`# expect, resource, permission[, principal ...]
allow, /, view, group:twilio
deny, /restricted, restricted, group:twilio
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range tests {
		fmt.Printf("%s:%d: %s\n", t.File, t.Line, t)
	}
	// Output:
	// policy_test.csv:2: allow, /, view, group:twilio
	// policy_test.csv:3: deny, /restricted, restricted, group:twilio
}

func ExampleLoadTests() {
	// The tests of the embedded default policy, kept next to it.
	tests, err := policies.LoadTests("policy_test.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tests[0])
	// Output:
	// allow, /, view, group:twilio
}

func ExampleParseModel() {
	m, err := policies.ParseModel("model.conf", policies.DefaultModel())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m["r"]["r"].Value)
	_, err = policies.ParseModel("bad.conf", strings.Replace(policies.DefaultModel(), "priority(p.eft) || deny", "some(where (p.eft == allow))", 1))
	fmt.Println(err)
	// Output:
	// sub, obj, act
	// policies: bad.conf: policy_effect must be e = priority(p.eft) || deny
}

func ExampleTest_String() {
	fmt.Println(policies.Test{Allow: true, Resource: "/", Permission: "view", Principals: []string{"group:twilio"}})
	// Output:
	// allow, /, view, group:twilio
}

// ReadFile reads the shipped policy, and refuses what is not a regular
// file, such as a directory, as the server does.
func ExampleReadFile() {
	data, err := policies.ReadFile("policy.csv")
	fmt.Println(len(data) > 0, err)
	_, err = policies.ReadFile(".")
	fmt.Println(errors.Is(err, policies.ErrNotRegular), err)
	// Output:
	// true <nil>
	// true read .: not a regular file
}
