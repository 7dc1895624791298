package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// A view that fails with a 5xx *echo.HTTPError is a failure like any
// other: the client gets "internal error" and the request ID, never the
// error's message (only a 4xx, such as c.Bind's 400, is answered as Echo
// would).
func TestHTTPError500NotShown(t *testing.T) {
	s := newStore()
	s.down = echo.NewHTTPError(http.StatusInternalServerError, "dsn postgres://app:hunter2@db/docs unreachable")
	app, _, err := newApp(testConfig(), s, slog.New(slog.DiscardHandler), addRoutes)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "/docs", nil)
	r.Header.Set("X-Api-Key", "bob-key")
	w := httptest.NewRecorder()
	app.ServeHTTP(w, r)
	if w.Code != 500 || strings.Contains(w.Body.String(), "hunter2") || !strings.Contains(w.Body.String(), `"error":"internal error"`) {
		t.Errorf("%d %s; want 500 internal error without the message", w.Code, w.Body.String())
	}
}
