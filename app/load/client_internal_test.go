package load

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestRetryAfterReadsSecondsAndHTTPDates(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"3":                             3 * time.Second,
		"0":                             0,
		"":                              0,
		"soon":                          0,
		"Sat, 21 Nov 2026 12:00:07 GMT": 7 * time.Second,
		"Sat, 21 Nov 2026 11:59:00 GMT": 0, // in the past
	} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", in, got, want)
		}
	}
	if d := backoff(Config{RetryWaitMS: 100, RetryMaxWaitMS: 1000}, 3, 5*time.Second); d != 5*time.Second {
		t.Errorf("backoff ignores Retry-After: %v", d)
	}
	for n := 1; n < 10; n++ {
		d := backoff(Config{RetryWaitMS: 100, RetryMaxWaitMS: 1000}, n, 0)
		ceil := min(100*time.Millisecond<<(n-1), time.Second)
		if d < ceil/2 || d > ceil {
			t.Errorf("backoff(%d) = %v, want within [%v, %v]", n, d, ceil/2, ceil)
		}
	}
}

func TestErrorBodiesBecomeMessagesAPersonCanRead(t *testing.T) {
	for _, c := range []struct {
		status int
		body   string
		want   []string
	}{
		{502, "<!DOCTYPE html><html><head><title>502 Bad Gateway</title><style>p{}</style></head><body><h1>Bad Gateway</h1><p>nginx</p></body></html>",
			[]string{"HTTP 502", "502 Bad Gateway", "nginx"}},
		{503, "", []string{"HTTP 503 Service Unavailable", "no explanation"}},
		{400, `{"status":400,"message":"Failed to create record.","data":{"name_family":{"code":"validation_length_out_of_range","message":"Must be no more than 6 character(s)."}}}`,
			[]string{"HTTP 400", "Failed to create record.", "name_family: Must be no more than 6 character(s)."}},
		{422, `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"Patient.birthDate: not a date"}]}`,
			[]string{"HTTP 422", "Patient.birthDate: not a date"}},
		{400, "plain words\nover lines", []string{"HTTP 400", "plain words over lines"}},
	} {
		got := answer{Status: c.status, Body: []byte(c.body), Header: http.Header{}}.message()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%d %q: message %q lacks %q", c.status, c.body, got, w)
			}
		}
		if strings.Contains(got, "<") {
			t.Errorf("message keeps markup: %q", got)
		}
	}
}

func TestJSONPathReadsNestedIDs(t *testing.T) {
	b := []byte(`{"id":"x1","items":[{"id":"p9"}],"data":{"n":42}}`)
	for path, want := range map[string]string{"id": "x1", "items.0.id": "p9", "items.1.id": "", "data.n": "42", "nope": ""} {
		if got := jsonPath(b, path); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

func TestNeutraliseDefusesFormulas(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+44 20": "'+44 20", "-5": "'-5", "@SUM(A1)": "'@SUM(A1)", "P0012": "P0012", "": ""} {
		if got := Neutralise(in); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
