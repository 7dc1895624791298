package views

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestIVRChoose(t *testing.T) {
	tests := []struct {
		name, target, body, want string
	}{
		{"1 goes to accessible", "/", "Digits=1", `<Redirect method="GET">/accessible</Redirect>`},
		{"2 goes to restricted", "/", "Digits=2", `<Redirect method="GET">/restricted</Redirect>`},
		{"anything else back to the menu", "/", "Digits=9", `<Say>Sorry, that is not an option.</Say><Redirect method="GET">/</Redirect>`},
		{"no digits", "/", "", `<Say>Sorry, that is not an option.</Say>`},
		{"query Digits are not the signed body", "/?Digits=1", "", `<Say>Sorry, that is not an option.</Say>`},
	}
	ivr := NewIVR("", "")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", tt.target, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			w := httptest.NewRecorder()
			if err := ivr.Choose(echo.New().NewContext(r, w)); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("body = %q, want it to contain %q", w.Body.String(), tt.want)
			}
		})
	}
}

func TestIVRMenu(t *testing.T) {
	w := httptest.NewRecorder()
	if err := NewIVR("alice", "en-US").Menu(echo.New().NewContext(httptest.NewRequest("GET", "/", nil), w)); err != nil {
		t.Fatal(err)
	}
	want := `<Response><Gather numDigits="1" action="/" method="POST" timeout="3"><Say voice="alice" language="en-US">Press 1 for the accessible route. Press 2 for the restricted route.</Say></Gather><Redirect method="GET">/</Redirect></Response>`
	if !strings.HasSuffix(w.Body.String(), want) {
		t.Errorf("menu = %q, want suffix %q", w.Body.String(), want)
	}
}
