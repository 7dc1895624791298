package app

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestPolicyReloaded(t *testing.T) {
	type reload struct {
		generation uint64
		err        error
	}
	failed := errors.New("policies: policy.csv:3: bad row")
	tests := []struct {
		name               string
		reloads            []reload
		wantOK, wantFailed float64
		wantGeneration     float64
	}{
		{"startup", nil, 0, 0, 1},
		{"one good reload", []reload{{2, nil}}, 1, 0, 2},
		{"a failed reload keeps the generation", []reload{{2, nil}, {0, failed}}, 1, 1, 2},
		{"failures only", []reload{{0, failed}, {0, failed}}, 0, 2, 1},
		{"recovery", []reload{{0, failed}, {2, nil}, {3, nil}}, 2, 1, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newMetrics(nil)
			for _, r := range tt.reloads {
				m.policyReloaded(r.generation, r.err)
			}
			if got := testutil.ToFloat64(m.reloads.WithLabelValues("ok")); got != tt.wantOK {
				t.Errorf("reloads{ok} = %v, want %v", got, tt.wantOK)
			}
			if got := testutil.ToFloat64(m.reloads.WithLabelValues("failed")); got != tt.wantFailed {
				t.Errorf("reloads{failed} = %v, want %v", got, tt.wantFailed)
			}
			if got := testutil.ToFloat64(m.generation); got != tt.wantGeneration {
				t.Errorf("generation = %v, want %v", got, tt.wantGeneration)
			}
		})
	}
}

// Every metric is named gatehouse_*, the expected families exist from
// startup, and each App has a registry of its own.
func TestMetricsRegistry(t *testing.T) {
	a, _ := newLoggedApp(t, "info", nil)
	b, _ := newLoggedApp(t, "info", nil)
	b.metrics.policyReloaded(7, nil)
	families, err := a.metrics.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := make(map[string]bool)
	for _, f := range families {
		if !strings.HasPrefix(f.GetName(), metricsPrefix) {
			t.Errorf("metric %q is not prefixed %q", f.GetName(), metricsPrefix)
		}
		names[f.GetName()] = true
	}
	for _, want := range []string{
		"gatehouse_signature_results_total", "gatehouse_authorization_decisions_total",
		"gatehouse_policy_reloads_total", "gatehouse_policy_generation", "gatehouse_go_goroutines",
	} {
		if !names[want] {
			t.Errorf("no %s at startup", want)
		}
	}
	if got := testutil.ToFloat64(a.metrics.generation); got != 1 {
		t.Errorf("generation of a = %v after b reloaded, want 1", got)
	}
}

// Requests move the counters by exactly what they did.
func TestRequestMetrics(t *testing.T) {
	a, _ := newLoggedApp(t, "info", nil)
	serve := func(n int, key, target string) {
		for range n {
			a.Handler().ServeHTTP(httptest.NewRecorder(), signedRequest(key, "GET", target, nil))
		}
	}
	serve(3, testToken, "/accessible")
	serve(2, "", "/accessible")
	serve(1, "old-token", "/accessible")
	serve(1, testToken, "/restricted")
	serve(2, "", "/healthz")
	serve(1, testToken, "/nope")

	m := a.metrics
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"requests{accessible,200}", testutil.ToFloat64(m.requests.WithLabelValues("accessible", "200")), 6},
		{"requests{restricted,200}", testutil.ToFloat64(m.requests.WithLabelValues("restricted", "200")), 1},
		{"requests{healthz,200}", testutil.ToFloat64(m.requests.WithLabelValues("healthz", "200")), 2},
		{"requests{not_found,200}", testutil.ToFloat64(m.requests.WithLabelValues("not_found", "200")), 1},
		{"signatures{valid}", testutil.ToFloat64(m.signatures.WithLabelValues("valid")), 4},
		{"signatures{missing_header}", testutil.ToFloat64(m.signatures.WithLabelValues("missing_header")), 2},
		{"signatures{no_match}", testutil.ToFloat64(m.signatures.WithLabelValues("no_match")), 1},
		{"decisions{view,allowed}", testutil.ToFloat64(m.decisions.WithLabelValues("view", "allowed")), 3},
		{"decisions{view,denied}", testutil.ToFloat64(m.decisions.WithLabelValues("view", "denied")), 3},
		{"decisions{restricted,denied}", testutil.ToFloat64(m.decisions.WithLabelValues("restricted", "denied")), 1},
		{"latency series", float64(testutil.CollectAndCount(m.latency)), 4},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

func TestMetricsEndpoint(t *testing.T) {
	a, _ := newLoggedApp(t, "info", nil)
	w := httptest.NewRecorder()
	a.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	body := w.Body.String()
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		t.Errorf("GET /metrics: %d %q, want 200 text/plain", w.Code, w.Header().Get("Content-Type"))
	}
	for _, want := range []string{"\ngatehouse_policy_generation 1\n", `gatehouse_signature_results_total{reason="body_hash_mismatch"} 0`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /metrics lacks %q", want)
		}
	}
	if strings.Contains(body, testToken) {
		t.Error("the token is in /metrics")
	}
}
