package authz_test

import (
	"slices"
	"testing"

	"github.com/gatehouse/gatehouse/authz"
)

func TestLineage(t *testing.T) {
	tests := []struct {
		resource string
		want     []string
	}{
		{"/", []string{"/"}},
		{"/a", []string{"/a", "/"}},
		{"/a/b", []string{"/a/b", "/a", "/"}},
		{"/community/blog/post-1", []string{"/community/blog/post-1", "/community/blog", "/community", "/"}},
		{"/a.b/..c/...", []string{"/a.b/..c/...", "/a.b/..c", "/a.b", "/"}},
		// Not clean slash paths.
		{"", nil},
		{"a", nil},
		{"a/b", nil},
		{"//", nil},
		{"/a/", nil},
		{"//a", nil},
		{"/a//b", nil},
		{"/.", nil},
		{"/a/./b", nil},
		{"/a/..", nil},
	}
	for _, tt := range tests {
		if got := authz.Lineage(tt.resource); !slices.Equal(got, tt.want) || (got == nil) != (tt.want == nil) {
			t.Errorf("Lineage(%q) = %q, want %q", tt.resource, got, tt.want)
		}
	}
}
