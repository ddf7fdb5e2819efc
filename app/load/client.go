package load

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"math/rand/v2"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
	"golang.org/x/time/rate"
)

// client sends requests to a rest or fhir destination: authentication, the rate limit, and
// turning whatever comes back into an answer a person can read.
type client struct {
	cfg     Config
	base    string
	http    *resty.Client
	limiter *rate.Limiter
	headers map[string]string
}

func newClient(cfg Config, secret string) *client {
	cfg.defaults()
	c := &client{cfg: cfg, base: strings.TrimRight(cfg.URL, "/"), headers: map[string]string{}}
	c.http = resty.New().SetTimeout(time.Duration(cfg.TimeoutSeconds * float64(time.Second)))
	// Enough idle connections for the workers, so a fast run does not churn sockets.
	c.http.SetTransport(&http.Transport{Proxy: http.ProxyFromEnvironment, MaxIdleConns: 100,
		MaxIdleConnsPerHost: cfg.Concurrency + 4, IdleConnTimeout: 90 * time.Second})
	limit := rate.Inf
	if cfg.RateLimit > 0 {
		limit = rate.Limit(cfg.RateLimit)
	}
	c.limiter = rate.NewLimiter(limit, cfg.Burst)
	switch cfg.Auth.Type {
	case AuthBearer:
		c.headers["Authorization"] = "Bearer " + secret
	case AuthAPIKey:
		c.headers[cfg.Auth.Header] = secret
	case AuthBasic:
		c.headers["Authorization"] = "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.Auth.User+":"+secret))
	}
	return c
}

func (c *client) url(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return c.base + path
}

// answer is what one request came back with.
type answer struct {
	Status     int
	Body       []byte
	Header     http.Header
	Err        error         // no HTTP answer: refused, reset, timeout
	RetryAfter time.Duration // from Retry-After, when the server sent one
}

// do sends one request after waiting for the rate limit.
func (c *client) do(ctx context.Context, method, path string, body []byte, extra map[string]string) answer {
	if err := c.limiter.Wait(ctx); err != nil {
		return answer{Err: err}
	}
	r := c.http.R().SetContext(ctx).SetHeaders(c.headers).SetHeader("Accept", "application/json")
	for k, v := range extra {
		r.SetHeader(k, v)
	}
	if body != nil {
		ct := "application/json"
		if c.cfg.Kind == KindFHIR {
			ct = "application/fhir+json"
		}
		r.SetHeader("Content-Type", ct).SetBody(body)
	}
	resp, err := r.Execute(method, c.url(path))
	if err != nil {
		return answer{Err: err}
	}
	a := answer{Status: resp.StatusCode(), Body: resp.Body(), Header: resp.Header()}
	a.RetryAfter = retryAfter(resp.Header().Get("Retry-After"), time.Now())
	return a
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
		return time.Duration(n * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// kind of answer, for the engine's decisions.
type verdict int

const (
	vOK        verdict = iota // 2xx
	vRejected                 // 4xx other than 408 and 429: the record itself is refused
	vThrottled                // 429: not created, wait and try again
	vUnknown                  // 5xx, 408, timeout, dropped connection: it may or may not exist now
	vCancelled                // the run was cancelled or paused before an answer came
)

func (a answer) verdict(ctx context.Context) verdict {
	switch {
	case a.Err != nil:
		if ctx.Err() != nil {
			return vCancelled
		}
		return vUnknown
	case a.Status >= 200 && a.Status < 300:
		return vOK
	case a.Status == http.StatusTooManyRequests:
		return vThrottled
	case a.Status == http.StatusRequestTimeout || a.Status >= 500:
		return vUnknown
	default:
		return vRejected
	}
}

// message says in words what the answer was: the server's own message when it gave one
// (PocketBase's "message" and per-field data, a FHIR OperationOutcome, common JSON shapes), the
// title or text of an HTML page, or the status when the body is empty.
func (a answer) message() string {
	if a.Err != nil {
		return networkMessage(a.Err)
	}
	status := fmt.Sprintf("HTTP %d %s", a.Status, http.StatusText(a.Status))
	body := strings.TrimSpace(string(a.Body))
	if body == "" {
		return status + " (the server sent no explanation)"
	}
	if m := jsonMessage(a.Body); m != "" {
		return status + ": " + m
	}
	if looksHTML(body) {
		if t := htmlText(body); t != "" {
			return status + ": " + t
		}
		return status + " (the server sent an HTML page with no text)"
	}
	return status + ": " + clip(oneLine(body), 300)
}

func networkMessage(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer in time (timeout): the record may or may not have arrived"
	case errors.Is(err, context.Canceled):
		return "cancelled before an answer came"
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		return "the server refused the connection (is it running, is the address right?)"
	case strings.Contains(msg, "EOF"), strings.Contains(msg, "connection reset"), strings.Contains(msg, "broken pipe"):
		return "the connection dropped before an answer came: the record may or may not have arrived"
	case strings.Contains(msg, "no such host"):
		return "the server's name could not be found (check the address)"
	}
	return "network error: " + clip(msg, 200)
}

func jsonMessage(b []byte) string {
	var v map[string]any
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	var parts []string
	if rt, _ := v["resourceType"].(string); rt == "OperationOutcome" {
		issues, _ := v["issue"].([]any)
		for _, is := range issues {
			m, _ := is.(map[string]any)
			s, _ := m["diagnostics"].(string)
			if s == "" {
				if d, ok := m["details"].(map[string]any); ok {
					s, _ = d["text"].(string)
				}
			}
			if s == "" {
				s, _ = m["code"].(string)
			}
			if s != "" {
				parts = append(parts, s)
			}
		}
		return clip(strings.Join(parts, "; "), 500)
	}
	for _, k := range []string{"message", "error_description", "detail", "title", "error"} {
		switch x := v[k].(type) {
		case string:
			if x != "" {
				parts = append(parts, x)
			}
		case map[string]any:
			if s, _ := x["message"].(string); s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 0 {
			break
		}
	}
	// PocketBase: {"data": {"field": {"code": …, "message": …}}}
	if data, ok := v["data"].(map[string]any); ok {
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if m, ok := data[k].(map[string]any); ok {
				if s, _ := m["message"].(string); s != "" {
					parts = append(parts, k+": "+s)
				}
			}
		}
	}
	if errs, ok := v["errors"].([]any); ok {
		for _, e := range errs {
			switch x := e.(type) {
			case string:
				parts = append(parts, x)
			case map[string]any:
				if s, _ := x["message"].(string); s != "" {
					parts = append(parts, s)
				}
			}
		}
	}
	return clip(strings.Join(parts, " "), 500)
}

var (
	reTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	reDrop  = regexp.MustCompile(`(?is)<(script|style|head)[^>]*>.*?</(script|style|head)>`)
	reTag   = regexp.MustCompile(`(?s)<[^>]*>`)
	reSpace = regexp.MustCompile(`\s+`)
)

func looksHTML(s string) bool {
	l := strings.ToLower(s[:min(len(s), 512)])
	return strings.Contains(l, "<html") || strings.Contains(l, "<!doctype") || strings.Contains(l, "<body") || strings.Contains(l, "<h1")
}

func htmlText(s string) string {
	title := ""
	if m := reTitle.FindStringSubmatch(s); m != nil {
		title = strings.TrimSpace(html.UnescapeString(reSpace.ReplaceAllString(m[1], " ")))
	}
	text := reDrop.ReplaceAllString(s, " ")
	text = strings.TrimSpace(html.UnescapeString(reSpace.ReplaceAllString(reTag.ReplaceAllString(text, " "), " ")))
	switch {
	case title != "" && text != "" && !strings.HasPrefix(text, title):
		return clip(title+" — "+text, 300)
	case text != "":
		return clip(text, 300)
	}
	return title
}

func oneLine(s string) string { return reSpace.ReplaceAllString(s, " ") }

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// backoff is how long to wait before attempt n+1 (n ≥ 1): exponential with full jitter,
// or what the server asked for in Retry-After.
func backoff(cfg Config, n int, asked time.Duration) time.Duration {
	if asked > 0 {
		return min(asked, 10*time.Minute)
	}
	base := time.Duration(cfg.RetryWaitMS) * time.Millisecond
	ceil := time.Duration(cfg.RetryMaxWaitMS) * time.Millisecond
	d := base << min(n-1, 20)
	if d > ceil || d <= 0 {
		d = ceil
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// jsonPath reads a dotted path ("id", "items.0.id", "data.record.id") from a JSON document.
func jsonPath(b []byte, path string) string {
	var v any
	if json.Unmarshal(b, &v) != nil {
		return ""
	}
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(x) {
				return ""
			}
			v = x[i]
		default:
			return ""
		}
	}
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	}
	return ""
}
