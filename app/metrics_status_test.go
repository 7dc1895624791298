package app

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// A request is counted under its own status code, whatever the code:
// every test request answers 200, which hides a counter filed under
// another code (the class, say).
func TestRequestCountedUnderItsStatus(t *testing.T) {
	a, _ := newLoggedApp(t, "info", nil)
	m := a.metrics
	m.request("accessible", 503, time.Millisecond)
	m.request("healthz", 405, time.Millisecond)
	for _, tt := range []struct{ route, status string }{{"accessible", "503"}, {"healthz", "405"}} {
		if got := testutil.ToFloat64(m.requests.WithLabelValues(tt.route, tt.status)); got != 1 {
			t.Errorf("requests{%s,%s} = %v, want 1", tt.route, tt.status, got)
		}
	}
}
