package app

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/gatehouse/gatehouse/authn"
	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/views"
)

// metricsPrefix starts the name of every metric Gatehouse exposes.
const metricsPrefix = "gatehouse_"

// Label values: the route of a request no route matched, the results of
// gatehouse_authorization_decisions_total and those of
// gatehouse_policy_reloads_total.
const (
	routeNotFound = "not_found"
	resultAllowed = "allowed"
	resultDenied  = "denied"
	resultError   = "error"
	reloadOK      = "ok"
	reloadFailed  = "failed"
)

// latencyBuckets are the upper bounds, in seconds, of the request latency
// histogram; the last is Twilio's own 15-second timeout.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15}

// metrics are the Prometheus metrics of one App, on a registry of their
// own: two Apps in one process (as in tests) never share a counter, and
// nothing registers on the process-wide default registry.
type metrics struct {
	reg        *prometheus.Registry
	serve      http.Handler
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	signatures *prometheus.CounterVec
	decisions  *prometheus.CounterVec
	reloads    *prometheus.CounterVec
	generation prometheus.Gauge

	// The children that requests update, resolved once rather than by
	// label values (a hash and a locked lookup) on every request. The maps
	// are built by newMetrics and only read afterwards. A child that
	// newMetrics does not create at startup is resolved on first use, so
	// that its series appears when it did before, with the first event.
	routes      map[string]*routeMetrics // by route name, not_found included
	reasons     map[authn.Reason]prometheus.Counter
	permissions map[string]*permissionMetrics // by a route's permission
}

// routeMetrics are the children of one route's request metrics, each
// resolved on its first request.
type routeMetrics struct {
	name    string
	latency lazyChild[prometheus.Observer]
	// byStatus holds the requests counter of each status code from
	// minStatus to maxStatus; others are resolved by label values.
	byStatus [maxStatus - minStatus + 1]lazyChild[prometheus.Counter]
}

// The status codes whose request counters are cached.
const (
	minStatus = 100
	maxStatus = 599
)

// permissionMetrics are the decision counters of one permission: allowed
// and denied exist from startup, error is resolved on first use.
type permissionMetrics struct {
	allowed, denied prometheus.Counter
	failed          lazyChild[prometheus.Counter]
}

// lazyChild is a metric child resolved on first use. Two goroutines may
// both resolve it; they get the same child from the vector.
type lazyChild[T any] struct{ p atomic.Pointer[T] }

// get returns the child, resolving it with resolve the first time.
func (l *lazyChild[T]) get(resolve func() T) T {
	if p := l.p.Load(); p != nil {
		return *p
	}
	c := resolve()
	l.p.Store(&c)
	return c
}

// newMetrics registers Gatehouse's metrics, with the Go runtime and
// process collectors under the same prefix, and sets the policy
// generation to 1: the policy New loaded. Label values that are known in
// advance (every signature reason, every route's permission with each
// result, both reload results) start at zero, so that a dashboard sees the
// series before the first event.
func newMetrics(routes []views.Route) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricsPrefix + "http_requests_total",
			Help: "HTTP requests answered, by route name (not_found when no route matched) and status code.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    metricsPrefix + "http_request_duration_seconds",
			Help:    "Time from receiving a request to the end of its answer, by route name.",
			Buckets: latencyBuckets,
		}, []string{"route"}),
		signatures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricsPrefix + "signature_results_total",
			Help: "Twilio signature checks, by reason: valid, or why the signature did not verify.",
		}, []string{"reason"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricsPrefix + "authorization_decisions_total",
			Help: "Authorization decisions, by permission and result (allowed, denied, or error when the policy could not decide).",
		}, []string{"permission", "result"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: metricsPrefix + "policy_reloads_total",
			Help: "Policy reloads, by result: ok, or failed (the last good policy stays in force).",
		}, []string{"result"}),
		generation: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: metricsPrefix + "policy_generation",
			Help: "Generation of the policy in force: 1 at startup, one more for each successful reload.",
		}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.signatures, m.decisions, m.reloads, m.generation)
	prefixed := prometheus.WrapRegistererWithPrefix(metricsPrefix, m.reg)
	prefixed.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))

	m.reasons = make(map[authn.Reason]prometheus.Counter)
	for _, r := range []authn.Reason{
		authn.ReasonValid, authn.ReasonMissingHeader, authn.ReasonMalformedHeader, authn.ReasonNoMatch,
		authn.ReasonBodyTooLarge, authn.ReasonBodyUnreadable, authn.ReasonMalformedBody,
		authn.ReasonUnexpectedBody, authn.ReasonBodyHashMissing, authn.ReasonBodyHashMismatch,
	} {
		m.reasons[r] = m.signatures.WithLabelValues(string(r))
	}
	m.routes = map[string]*routeMetrics{routeNotFound: {name: routeNotFound}}
	m.permissions = make(map[string]*permissionMetrics)
	for _, r := range routes {
		r, _ = views.ResolveRoute(r) // the name the Record will carry
		m.routes[r.Name] = &routeMetrics{name: r.Name}
		if r.Permission == "" || r.Permission == authz.NoPermissionRequired || m.permissions[r.Permission] != nil {
			continue
		}
		m.permissions[r.Permission] = &permissionMetrics{
			allowed: m.decisions.WithLabelValues(r.Permission, resultAllowed),
			denied:  m.decisions.WithLabelValues(r.Permission, resultDenied),
		}
	}
	m.reloads.WithLabelValues(reloadOK)
	m.reloads.WithLabelValues(reloadFailed)
	m.generation.Set(1)
	m.serve = promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	return m
}

// request counts one answered request.
func (m *metrics) request(route string, status int, elapsed time.Duration) {
	rm := m.routes[route]
	if rm == nil { // not a route newMetrics was given
		m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(route).Observe(elapsed.Seconds())
		return
	}
	if minStatus <= status && status <= maxStatus {
		rm.byStatus[status-minStatus].get(func() prometheus.Counter {
			return m.requests.WithLabelValues(rm.name, strconv.Itoa(status))
		}).Inc()
	} else {
		m.requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	}
	rm.latency.get(func() prometheus.Observer { return m.latency.WithLabelValues(rm.name) }).Observe(elapsed.Seconds())
}

// signature counts one signature check.
func (m *metrics) signature(reason authn.Reason) {
	if c := m.reasons[reason]; c != nil {
		c.Inc()
		return
	}
	m.signatures.WithLabelValues(string(reason)).Inc()
}

// decision counts the authorization outcome of one request, if it had one.
func (m *metrics) decision(s views.Summary) {
	var permission, result string
	switch {
	case s.AuthzFailed:
		permission, result = s.Permission, resultError
	case s.Decision == nil:
		return
	case s.Decision.Allowed:
		permission, result = s.Decision.Permission, resultAllowed
	default:
		permission, result = s.Decision.Permission, resultDenied
	}
	pm := m.permissions[permission]
	switch {
	case pm == nil: // not a route's permission
		m.decisions.WithLabelValues(permission, result).Inc()
	case result == resultAllowed:
		pm.allowed.Inc()
	case result == resultDenied:
		pm.denied.Inc()
	default:
		pm.failed.get(func() prometheus.Counter { return m.decisions.WithLabelValues(permission, resultError) }).Inc()
	}
}

// policyReloaded records the outcome of one policy reload: on success the
// generation now in force; on failure only the failure, since the last
// good policy (and its generation) stays in force.
func (m *metrics) policyReloaded(generation uint64, err error) {
	if err != nil {
		m.reloads.WithLabelValues(reloadFailed).Inc()
		return
	}
	m.reloads.WithLabelValues(reloadOK).Inc()
	m.generation.Set(float64(generation))
}
