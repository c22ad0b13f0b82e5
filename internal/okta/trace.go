package okta

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The SDK returns no response at all when it gives up after 429s, or when
// the OAuth token request fails, so errors could not be told apart by
// status. Every call therefore carries a callTrace in its context, and the
// transport records what Okta answered to each attempt.

type traceKey struct{}

type callTrace struct {
	mu       sync.Mutex
	attempts int
	last     attempt
}

type attempt struct {
	path      string
	status    int
	limit     string
	remaining string
	reset     time.Time
}

func withTrace(ctx context.Context) (context.Context, *callTrace) {
	t := &callTrace{}
	return context.WithValue(ctx, traceKey{}, t), t
}

func (t *callTrace) lastAttempt() (attempt, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last, t.attempts
}

type tracingTransport struct {
	base http.RoundTripper
}

func (tt tracingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := tt.base.RoundTrip(req)
	t, _ := req.Context().Value(traceKey{}).(*callTrace)
	if t == nil {
		return resp, err
	}
	a := attempt{path: req.URL.Path}
	if resp != nil {
		a.status = resp.StatusCode
		a.limit = resp.Header.Get("X-Rate-Limit-Limit")
		a.remaining = resp.Header.Get("X-Rate-Limit-Remaining")
		if secs, perr := strconv.ParseInt(resp.Header.Get("X-Rate-Limit-Reset"), 10, 64); perr == nil {
			a.reset = time.Unix(secs, 0).UTC()
		}
	}
	t.mu.Lock()
	t.attempts++
	t.last = a
	t.mu.Unlock()
	return resp, err
}

// tracingHTTPClient returns a copy of base (or a default client) whose
// transport paces requests and records attempts. The caller's client is
// left untouched.
func tracingHTTPClient(base *http.Client, pace *pacer) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	} else {
		// A single attempt that takes longer than this is stuck; the whole
		// call is bounded separately by Config.RequestTimeout. The OAuth
		// token request has no context in the SDK, so this is its only bound.
		c.Timeout = defaultAttemptLimit
	}
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c.Transport = tracingTransport{base: pacingTransport{base: loggingTransport{base: rt}, pacer: pace}}
	return &c
}
