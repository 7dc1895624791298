package authz

import (
	"math/rand/v2"
	"testing"

	"github.com/casbin/casbin/v2/effector"
)

// firstMatch answers as Casbin's default effector does, on the calls
// Casbin makes: one per row in order, until the answer is not
// Indeterminate.
func TestFirstMatchAgreesWithCasbin(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var def effector.DefaultEffector
	for range 2000 {
		n := 1 + r.IntN(12)
		effects := make([]effector.Effect, n)
		matches := make([]float64, n)
		for i := range n {
			if r.IntN(3) == 0 {
				matches[i] = 1
			}
			effects[i] = []effector.Effect{effector.Allow, effector.Deny, effector.Indeterminate}[r.IntN(3)]
			wantEffect, wantIndex, wantErr := def.MergeEffects(priorityEffect, effects, matches, i, n)
			gotEffect, gotIndex, gotErr := firstMatch{}.MergeEffects(priorityEffect, effects, matches, i, n)
			if gotEffect != wantEffect || gotIndex != wantIndex || (gotErr == nil) != (wantErr == nil) {
				t.Fatalf("effects %v matches %v at %d: got %v %d %v, want %v %d %v",
					effects[:i+1], matches[:i+1], i, gotEffect, gotIndex, gotErr, wantEffect, wantIndex, wantErr)
			}
			if wantEffect != effector.Indeterminate {
				break
			}
			// Casbin zeroes rows it has not evaluated yet.
		}
	}
	if _, _, err := (firstMatch{}).MergeEffects("some(where (p_eft == allow))", []effector.Effect{effector.Allow}, []float64{1}, 0, 1); err == nil {
		t.Error("firstMatch accepted another effect")
	}
}
