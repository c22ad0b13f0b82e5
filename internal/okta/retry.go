package okta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/wait"
)

// Okta has bad minutes: a 500 or 503 from one node, a load balancer that
// resets connections, an org that does not answer for a few seconds. Each of
// those used to fail its resource and the whole apply. The retry transport
// sits above the pacer (so every attempt is counted in the org's buckets and
// holds a concurrency slot, like any other request) and below the SDK (so
// every call is covered: reads, pages, creates, deletes and OAuth token
// requests). It retries a request that failed in a way that says nothing
// about the request itself, with bounded, jittered waits, and only when
// sending it again cannot do something twice:
//
//   - reads, replaces (PUT) and deletes are idempotent;
//   - a group create that was applied but not answered meets Okta's
//     duplicate-name check on its next attempt, which the caller turns into
//     "look the group up by its exact name" (see CreateGroup's ErrNameTaken);
//   - token requests and rule lifecycle changes can be repeated;
//   - anything else is retried only when the connection was refused, that
//     is, when the request never reached Okta.
//
// 429s are left to the SDK, which waits for X-Rate-Limit-Reset.

// Defaults of Config.MaxRetries and Config.MaxRetryWait.
const (
	DefaultMaxRetries   = 6
	DefaultMaxRetryWait = 60 * time.Second
)

// Waits between attempts: the n-th retry waits between half and all of
// retryBaseWait·2ⁿ⁻¹, capped at retryWaitCap. The half that is fixed makes
// the total wait grow for certain (six retries wait at least 11.75s, enough
// to ride out a few seconds of outage); the random half spreads the retries
// of requests that failed together.
const (
	retryBaseWait = 500 * time.Millisecond
	retryWaitCap  = 8 * time.Second
)

// retryPolicy bounds the retries of one request.
type retryPolicy struct {
	maxRetries     int           // retries after the first attempt; 0 turns retrying off
	maxWait        time.Duration // no retry starts later than this after the first attempt
	attemptTimeout time.Duration // one attempt's bound; 0 is none
	pacer          *pacer        // told when Okta asks everyone to wait (Retry-After)
	sleep          func(ctx context.Context, d time.Duration) error
	jitter         func(n int64) int64 // [0, n)
}

func newRetryPolicy(retries int, maxWait, attemptTimeout time.Duration) retryPolicy {
	if maxWait <= 0 {
		maxWait = DefaultMaxRetryWait
	}
	if attemptTimeout <= 0 {
		attemptTimeout = defaultAttemptLimit
	}
	return retryPolicy{maxRetries: retries, maxWait: maxWait, attemptTimeout: attemptTimeout, sleep: wait.Sleep, jitter: defaultJitter}
}

// retryOutcome is what a request that ran out of retries went through; the
// call's trace carries it to the error.
type retryOutcome struct {
	attempts int
	elapsed  time.Duration
	last     string // what the last attempt met, e.g. "HTTP 503" or "connection refused"
	why      string // why retrying stopped
}

type retryTransport struct {
	base   http.RoundTripper
	policy retryPolicy
}

func (rt retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	p := rt.policy
	ctx := req.Context()
	start := time.Now()
	for attempt := 1; ; attempt++ {
		resp, release, err := rt.once(req, body)
		failure := transientFailure(ctx, resp, err)
		if failure.reason == "" || p.maxRetries <= 0 || (!failure.neverSent && !repeatable(req)) {
			// Not transient, retries are off, or Okta may have acted on
			// a request that must not be sent twice.
			return resp, err
		}

		wait := p.backoff(attempt)
		if failure.retryAfter > 0 {
			wait = max(wait, failure.retryAfter)
			p.pacer.holdBucket(bucketOf(req.URL.Path), failure.retryAfter)
		}
		elapsed := time.Since(start)
		why := ""
		switch {
		case attempt > p.maxRetries:
			why = fmt.Sprintf("max_retries (%d) reached", p.maxRetries)
		case elapsed+wait > p.maxWait:
			why = fmt.Sprintf("the next retry (in %s) would pass max_retry_wait (%s)", roundWait(wait), p.maxWait)
			if failure.retryAfter > 0 {
				why = fmt.Sprintf("Okta asked to wait %s (Retry-After), past max_retry_wait (%s)", roundWait(failure.retryAfter), p.maxWait)
			}
		case deadlineBefore(ctx, time.Now().Add(wait)):
			why = "the call's time limit ends before the next retry"
		}
		if why != "" {
			recordGiveUp(ctx, retryOutcome{attempts: attempt, elapsed: elapsed, last: failure.reason, why: why})
			if resp != nil {
				return resp, nil
			}
			return nil, &retriesExhausted{err: err}
		}
		release()
		if err := p.sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// once sends one attempt. release discards the attempt (its answer's body
// and its time limit) when it is not handed to the caller.
func (rt retryTransport) once(req *http.Request, body []byte) (*http.Response, func(), error) {
	ctx, cancel := req.Context(), context.CancelFunc(func() {})
	if rt.policy.attemptTimeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, rt.policy.attemptTimeout)
	}
	r := req.Clone(ctx)
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	resp, err := rt.base.RoundTrip(r)
	if err != nil || resp == nil || resp.Body == nil {
		cancel()
		return resp, func() {}, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: cancel}
	return resp, func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}, nil
}

func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer func() { _ = req.Body.Close() }()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("reading the request body: %w", err)
	}
	return b, nil
}

type failure struct {
	reason     string        // empty: not a transient failure
	neverSent  bool          // the connection was refused: Okta never saw the request
	retryAfter time.Duration // what Okta asked for, if anything
}

// transientFailure says whether an attempt failed in a way worth retrying.
func transientFailure(ctx context.Context, resp *http.Response, err error) failure {
	if ctx.Err() != nil {
		// The call was canceled or ran out of time: nothing to retry.
		return failure{}
	}
	if err != nil {
		var ne net.Error
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return failure{reason: "connection refused", neverSent: true}
		case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
			return failure{reason: "connection reset"}
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return failure{reason: "connection closed without an answer"}
		case errors.Is(err, context.DeadlineExceeded):
			return failure{reason: "no answer in time"}
		case errors.As(err, &ne) && ne.Timeout():
			return failure{reason: "timeout"}
		}
		return failure{}
	}
	switch resp.StatusCode {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return failure{reason: "HTTP " + strconv.Itoa(resp.StatusCode), retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	case http.StatusLocked:
		// E0000239, a policy lock: many group rules changing at once. Okta refused the request without
		// acting on it, so even a create may be sent again.
		return failure{reason: "HTTP 423 (policy lock)", neverSent: true, retryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	}
	return failure{}
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// repeatable says whether sending req again after an ambiguous failure
// (Okta may have acted on it) is safe.
func repeatable(req *http.Request) bool {
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		return true
	case http.MethodPost:
		p := req.URL.Path
		return p == "/api/v1/groups" || // duplicate names are refused: see CreateGroup
			p == "/oauth2/v1/token" ||
			(strings.HasPrefix(p, "/api/v1/groups/rules/") && strings.Contains(p, "/lifecycle/"))
	}
	return false
}

func (p retryPolicy) backoff(attempt int) time.Duration {
	d := retryBaseWait << min(attempt-1, 10)
	d = min(d, retryWaitCap)
	half := d / 2
	return half + time.Duration(p.jitter(int64(half)+1))
}

func deadlineBefore(ctx context.Context, t time.Time) bool {
	dl, ok := ctx.Deadline()
	return ok && dl.Before(t)
}

func roundWait(d time.Duration) time.Duration {
	if d >= 10*time.Second {
		return d.Round(time.Second)
	}
	return d.Round(10 * time.Millisecond)
}

func recordGiveUp(ctx context.Context, o retryOutcome) {
	if t, _ := ctx.Value(traceKey{}).(*callTrace); t != nil {
		t.mu.Lock()
		t.gaveUp = &o
		t.mu.Unlock()
	}
}

// retriesExhausted is the transport error of a request that ran out of
// retries. It hides io.EOF from the SDK, which would otherwise start over.
type retriesExhausted struct {
	err error
}

// Error is the cause's text: classify adds the attempts and the time from the
// call's trace.
func (e *retriesExhausted) Error() string { return e.err.Error() }

func (e *retriesExhausted) Unwrap() error {
	if errors.Is(e.err, io.EOF) {
		return errors.New(strings.ReplaceAll(e.err.Error(), "EOF", "connection closed"))
	}
	return e.err
}

// holdBucket keeps the pacer from sending requests of bucket for d, as when
// a 429 empties the bucket's window: when Okta says how long to wait, every
// request of the process waits, not only the one that was told.
func (p *pacer) holdBucket(bucket string, d time.Duration) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.maxHold429 > 0 {
		d = min(d, p.maxHold429)
	}
	until := p.now().Add(d)
	b := p.bucketLocked(bucket)
	b.known, b.remaining = true, 0
	if until.After(b.reset) {
		b.reset = until
	}
}

// applyRetryOutcome tells the user, in e, that the request was retried until
// the bounds ran out, and what happens next.
func applyRetryOutcome(e *Error, trace *callTrace) {
	if trace == nil {
		return
	}
	trace.mu.Lock()
	o := trace.gaveUp
	trace.mu.Unlock()
	if o == nil {
		return
	}
	e.Summary += fmt.Sprintf(" (%d attempts over %s, the last one: %s; stopped because %s)", o.attempts, roundWait(o.elapsed), o.last, o.why)
	e.Hint = "Okta kept failing, so this apply stopped here; run apply again when Okta is back: the next apply continues " +
		"from where this one stopped, adopting by exact name any group this one created rather than making it twice. " +
		"To ride out longer failures, raise okta.max_retries or okta.max_retry_wait"
}

func defaultJitter(n int64) int64 { return rand.Int64N(n) }
