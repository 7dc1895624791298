package views

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

func TestApology(t *testing.T) {
	tests := []struct {
		name    string
		apology Apology
		want    string
	}{
		{"defaults hang up", Apology{}, `<Response><Say>` + DefaultApologyTextNoSupport + `</Say><Hangup></Hangup></Response>`},
		{"support number dialled", Apology{SupportNumber: "+15005550006"}, `<Response><Say>` + DefaultApologyText + `</Say><Dial>+15005550006</Dial></Response>`},
		{"voice and language", Apology{Text: "Désolé.", Voice: "Polly.Celine", Language: "fr-FR"},
			`<Response><Say voice="Polly.Celine" language="fr-FR">Désolé.</Say><Hangup></Hangup></Response>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c := echo.New().NewContext(httptest.NewRequest("GET", "/", nil), w)
			if err := tt.apology.Handler()(c); err != nil {
				t.Fatal(err)
			}
			if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/xml" {
				t.Errorf("status %d, Content-Type %q; want 200 application/xml", w.Code, w.Header().Get("Content-Type"))
			}
			if !strings.HasSuffix(w.Body.String(), tt.want) {
				t.Errorf("body = %q, want suffix %q", w.Body.String(), tt.want)
			}
		})
	}
}
