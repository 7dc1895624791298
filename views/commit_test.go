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

// A view, or a forbidden view, that has answered and then returns an
// error keeps its answer: the failure is logged, and no error view writes
// a second document after it.
func TestErrorAfterCommitAppendsNothing(t *testing.T) {
	answerThenFail := func(body string) func(echo.Context) error {
		return func(c echo.Context) error {
			if err := c.String(http.StatusOK, body); err != nil {
				return err
			}
			return errors.New("failed after answering")
		}
	}
	for _, tt := range []struct {
		name, who string // who: the X-Who header; alice may view
		wantBody  string
		wantLog   string
	}{
		{"the view", "alice", "<Response/>", "error after response was committed"},
		{"the forbidden view", "", "<Response><Reject/></Response>", "exception view failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			e := echo.New()
			v, err := New(e, Config{
				Authn:  byHeader,
				Authz:  permitIf("alice", "view"),
				Logger: slog.New(slog.NewTextHandler(&logs, nil)),
				Forbidden: func(c echo.Context, _ authz.Decision) error {
					return answerThenFail("<Response><Reject/></Response>")(c)
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			v.GET("/half", "view", answerThenFail("<Response/>"))
			if err := v.Err(); err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/half", nil)
			req.Header.Set("X-Who", tt.who)
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if got := rec.Body.String(); got != tt.wantBody {
				t.Errorf("body: got %q, want only %q", got, tt.wantBody)
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log: got %q, want %q", logs.String(), tt.wantLog)
			}
		})
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
