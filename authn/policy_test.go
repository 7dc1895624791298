package authn

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

func TestEffective(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		policy  Policy
		want    []string
		wantErr error
	}{
		{"nothing proven", Static(), []string{Everyone}, nil},
		{"one principal", Static("alice"), []string{Everyone, Authenticated, "alice"}, nil},
		{"duplicates and empties dropped", Static("a", "", "b", "a"), []string{Everyone, Authenticated, "a", "b"}, nil},
		{"multi is a union in order", Multi(Static("a"), Static("b", "a")), []string{Everyone, Authenticated, "a", "b"}, nil},
		{"multi fails closed", Multi(Static("a"), PolicyFunc(func(*http.Request) ([]string, error) { return []string{"x"}, boom })), nil, boom},
		{"system principal claimed", Static(Authenticated), nil, ErrSystemPrincipal},
		{"everyone claimed", Static(Everyone), nil, ErrSystemPrincipal},
		{"authenticated claimed after another principal", Static("alice", Authenticated), nil, ErrSystemPrincipal},
		{"another system principal claimed", Static("alice", "system.Admin"), nil, ErrSystemPrincipal},
		{"system without the dot is an ordinary name", Static("systemd"), []string{Everyone, Authenticated, "systemd"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Effective(tt.policy, httptest.NewRequest("GET", "/", nil))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Effective = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestContext(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Error("FromContext(empty) reports principals")
	}
	want := []string{Everyone, Authenticated, "bob"}
	got, ok := FromContext(NewContext(context.Background(), want))
	if !ok || !slices.Equal(got, want) {
		t.Errorf("FromContext = %q, %v; want %q, true", got, ok, want)
	}
}
