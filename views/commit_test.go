package views

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/gatehouse/gatehouse/authz"
	"github.com/gatehouse/gatehouse/views/twiml"
)

// A view that has answered, then returns an error, keeps its answer: the
// failure is logged, and no error view writes a second document after it.
func TestErrorAfterCommitAppendsNothing(t *testing.T) {
	var logs bytes.Buffer
	e := echo.New()
	v, err := New(e, Config{
		Authn:  byHeader,
		Authz:  permitIf("alice", "view"),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	v.GET("/half", "view", func(c echo.Context) error {
		if err := c.String(http.StatusOK, "<Response/>"); err != nil {
			return err
		}
		return errors.New("failed after answering")
	})
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/half", nil)
	req.Header.Set("X-Who", "alice")
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	if got := rec.Body.String(); got != "<Response/>" {
		t.Errorf("body: got %q, want only the view's own answer", got)
	}
	if !strings.Contains(logs.String(), "error after response was committed") {
		t.Errorf("log: got %q, want the committed-response error", logs.String())
	}
}

// A forbidden view that answers, then fails, keeps its answer: the Apology
// is not written after it.
func TestForbiddenViewFailingAfterCommit(t *testing.T) {
	var logs bytes.Buffer
	e := echo.New()
	v, err := New(e, Config{
		Authn:  byHeader,
		Authz:  permitIf("alice", "view"),
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Forbidden: func(c echo.Context, _ authz.Decision) error {
			if err := c.String(http.StatusOK, "<Response><Reject/></Response>"); err != nil {
				return err
			}
			return errors.New("forbidden view failed after answering")
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	v.GET("/", "view", func(c echo.Context) error { return c.String(http.StatusOK, "view ran") })
	if err := v.Err(); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil)) // no X-Who: denied
	if got := rec.Body.String(); got != "<Response><Reject/></Response>" {
		t.Errorf("body: got %q, want only the forbidden view's answer", got)
	}
	if !strings.Contains(logs.String(), "exception view failed") {
		t.Errorf("log: got %q, want the failure logged", logs.String())
	}
}

// Apology.Handler answers TwiML's Content-Type whatever was set before.
func TestApologyContentTypeOverrides(t *testing.T) {
	e := echo.New()
	rec := httptest.NewRecorder()
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec)
	c.Response().Header().Set(echo.HeaderContentType, echo.MIMETextPlain)
	if err := (Apology{}).Handler()(c); err != nil {
		t.Fatal(err)
	}
	if got := rec.Header().Get(echo.HeaderContentType); got != twiml.ContentType {
		t.Errorf("Content-Type: got %q, want %q", got, twiml.ContentType)
	}
	if rec.Code != http.StatusOK {
		t.Errorf("status: got %d, want 200", rec.Code)
	}
}
