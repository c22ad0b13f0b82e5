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
	gaveUp   *retryOutcome // set when a request ran out of retries (retry.go)
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
func tracingHTTPClient(base *http.Client, pace *pacer, retry retryPolicy) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	}
	rt := c.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	// Each attempt is traced, paced and logged; the retry transport bounds each
	// attempt (an attempt that takes longer is stuck, and retried), which
	// is also the only bound of the OAuth token request: it has no
	// context in the SDK. The whole call is bounded by RequestTimeout.
	c.Transport = retryTransport{base: tracingTransport{base: pacingTransport{base: loggingTransport{base: rt}, pacer: pace}}, policy: retry}
	return &c
}
