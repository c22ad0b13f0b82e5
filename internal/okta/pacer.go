package okta

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/wait"
)

// Okta limits requests per endpoint bucket per window (a minute), org-wide,
// and separately limits how many requests may be in flight at once. A
// Terraform run sends one request per resource per step with up to ten in
// parallel, so without pacing a run of a few hundred groups spends most of
// its time in 429s and the SDK's retry waits, and a run of thousands gives up.
//
// The pacer sits under the SDK (in the HTTP transport) so that every call,
// including the SDK's own retries and its OAuth token requests, is counted.
// It learns each bucket's budget from the X-Rate-Limit-* headers of the
// answers and holds a request back when the bucket's window is used up,
// until the window resets. The SDK's 429 retries remain the fallback for
// what the pacer cannot see (another client of the same org, clock skew).

// DefaultMaxConcurrentRequests is the concurrency limit used when
// Config.MaxConcurrentRequests is zero. A free developer org allows 15
// concurrent requests and larger orgs 35 or 75; Okta notes that bulk loads
// rarely need more than 10, and Terraform's default parallelism is 10.
const DefaultMaxConcurrentRequests = 10

// learnPoll is how often a request waiting to learn a window's budget looks again: while the first answer
// of a bucket, or of a new window, is on its way, nobody knows how much is left, and callers far beyond the
// budget (several collections applying at once) must not all go on the chance.
const learnPoll = 20 * time.Millisecond

// resetMargin is added to a window's reset time before a held request goes:
// Okta's reset is a whole second, and a request that lands just before the
// window really ends is answered 429.
const resetMargin = 25 * time.Millisecond

// maxSkewIgnored is how far the server's Date may be from the local clock
// before the pacer corrects reset times by it. Date has whole seconds, so a
// smaller difference is rounding, not skew.
const maxSkewIgnored = 2 * time.Second

// PacerStats counts what a pacer did, for benchmarks and logs.
type PacerStats struct {
	// Requests is how many requests went through the pacer, 429 retries
	// included.
	Requests int
	// Held is how many requests waited for a bucket's window to reset, and
	// HeldFor the total time they waited.
	Held    int
	HeldFor time.Duration
	// TooManyRequests counts 429 answers that reached the pacer.
	TooManyRequests int
	// PeakInFlight is the largest number of requests in flight at once.
	PeakInFlight int
}

// pacer spaces the requests to one org. It is shared by every Client of that
// org in the process (see pacerFor), because Okta's limits are org-wide.
type pacer struct {
	slots chan struct{}
	// maxHold429 caps how long a 429 holds the bucket: no longer than the
	// SDK itself waits before retrying, so an estimated reset (as Okta
	// gives for the concurrency limit) cannot stall a run.
	maxHold429 time.Duration
	now        func() time.Time
	sleep      func(ctx context.Context, d time.Duration) error

	mu       sync.Mutex
	buckets  map[string]*bucketBudget
	inFlight int
	stats    PacerStats
}

// bucketBudget is what the pacer knows about one bucket's current window.
type bucketBudget struct {
	known     bool      // a rate-limit header has been seen
	unlimited bool      // an answer came without rate-limit headers: nothing to pace
	limit     int       // requests per window
	remaining int       // requests still allowed in this window, net of those sent and not yet answered
	reset     time.Time // local time the window ends
	pending   int       // sent, not yet answered
	// turn is held by the one caller that may take from the budget or wait for it: the others queue for
	// it in the order they came. Without it, every caller held for a window woke at its reset and raced
	// for its budget, and with several collections applying at once (hundreds of callers for a budget of
	// 100) some lost round after round, past their minute for an answer.
	turn chan struct{}
}

func newPacer(maxConcurrent int, maxHold429 time.Duration) *pacer {
	if maxConcurrent <= 0 {
		maxConcurrent = DefaultMaxConcurrentRequests
	}
	return &pacer{
		slots:      make(chan struct{}, maxConcurrent),
		maxHold429: maxHold429,
		now:        time.Now,
		sleep:      wait.Sleep,
		buckets:    map[string]*bucketBudget{},
	}
}

var (
	pacersMu sync.Mutex
	pacers   = map[string]*pacer{}
)

// pacerFor returns the process-wide pacer of an org. The first client of an
// org fixes its concurrency limit and its hold after a 429.
func pacerFor(orgURL string, maxConcurrent int, maxHold429 time.Duration) *pacer {
	pacersMu.Lock()
	defer pacersMu.Unlock()
	p := pacers[orgURL]
	if p == nil {
		p = newPacer(maxConcurrent, maxHold429)
		pacers[orgURL] = p
	}
	return p
}

// PacerStats reports what the pacer shared by this client's org has done in
// this process so far.
func (c *Client) PacerStats() PacerStats {
	c.pacer.mu.Lock()
	defer c.pacer.mu.Unlock()
	return c.pacer.stats
}

// wait blocks until the bucket has budget in its window and a concurrency
// slot is free, then counts the request as sent. The returned function must
// be called once with the answer (or nil) when the request is over.
func (p *pacer) wait(ctx context.Context, bucket string) (func(*http.Response), error) {
	if err := p.reserve(ctx, bucket); err != nil {
		return nil, err
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		p.answered(bucket, nil)
		return nil, ctx.Err()
	}
	p.mu.Lock()
	p.inFlight++
	p.stats.Requests++
	p.stats.PeakInFlight = max(p.stats.PeakInFlight, p.inFlight)
	p.mu.Unlock()

	var once sync.Once
	return func(resp *http.Response) {
		once.Do(func() {
			p.answered(bucket, resp)
			p.mu.Lock()
			p.inFlight--
			p.mu.Unlock()
			<-p.slots
		})
	}, nil
}

// reserve takes one request from the bucket's budget, waiting for the
// window to reset when it is used up.
func (p *pacer) reserve(ctx context.Context, bucket string) error {
	p.mu.Lock()
	b := p.bucketLocked(bucket)
	p.mu.Unlock()
	select {
	case b.turn <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { <-b.turn }()

	held := false
	var start time.Time
	for {
		p.mu.Lock()
		now := p.now()
		if b.known && !b.reset.IsZero() && !now.Before(b.reset) {
			// A new window: its budget is full except for what is still
			// in flight from the last one (it may be counted in the new).
			b.remaining = b.limit - b.pending
			b.reset = time.Time{}
		}
		var until time.Duration
		switch {
		case b.unlimited, b.pending == 0 && b.reset.IsZero(), b.known && b.remaining > 0:
			// No limit; a request that learns the budget (the bucket's first, or the first since its
			// last window ended with nothing in flight); or budget left.
			b.remaining--
			b.pending++
			if held {
				p.stats.Held++
				p.stats.HeldFor += now.Sub(start)
			}
			p.mu.Unlock()
			return nil
		case b.reset.IsZero():
			// The budget is unknown (the first request is out) or spent before the first answer of this
			// window has said when it ends.
			until = learnPoll
		default:
			until = b.reset.Add(resetMargin).Sub(now)
		}
		p.mu.Unlock()
		if !held {
			held, start = true, now
		}
		logPacerWait(ctx, bucket, until)
		if err := p.sleep(ctx, until); err != nil {
			return err
		}
	}
}

// bucketLocked returns the budget of bucket, new if need be; p.mu must be held.
func (p *pacer) bucketLocked(bucket string) *bucketBudget {
	b := p.buckets[bucket]
	if b == nil {
		b = &bucketBudget{turn: make(chan struct{}, 1)}
		p.buckets[bucket] = b
	}
	return b
}

// answered updates the bucket from the answer's rate-limit headers.
func (p *pacer) answered(bucket string, resp *http.Response) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.buckets[bucket]
	b.pending--
	if resp == nil {
		// Never reached Okta, or no answer: give the request back.
		b.remaining++
		return
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		p.stats.TooManyRequests++
	}
	limit, err1 := strconv.Atoi(resp.Header.Get("X-Rate-Limit-Limit"))
	remaining, err2 := strconv.Atoi(resp.Header.Get("X-Rate-Limit-Remaining"))
	resetSecs, err3 := strconv.ParseInt(resp.Header.Get("X-Rate-Limit-Reset"), 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || limit <= 0 {
		if !b.known && resp.Header.Get("X-Rate-Limit-Limit") == "" {
			b.unlimited = true
		}
		return
	}
	b.unlimited = false
	now := p.now()
	reset := time.Unix(resetSecs, 0)
	if date, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		if skew := date.Sub(now); skew > maxSkewIgnored || skew < -maxSkewIgnored {
			reset = reset.Add(-skew)
		}
	}
	if !reset.After(now) {
		// From a window already over: says nothing about the next one.
		return
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		// Over the bucket's limit, or over the concurrency limit (then
		// Okta's reset is an estimate): either way, nothing more until
		// the reset, or as long as the SDK waits to retry.
		if p.maxHold429 > 0 && reset.After(now.Add(p.maxHold429)) {
			reset = now.Add(p.maxHold429)
		}
		b.known, b.limit, b.remaining = true, max(b.limit, limit), 0
		if reset.After(b.reset) {
			b.reset = reset
		}
		return
	}
	switch {
	case !b.known || b.reset.IsZero() || reset.After(b.reset):
		// The first answer of a window: trust Okta's count, less what
		// this process has sent since and not yet had answered.
		b.known, b.limit, b.reset = true, limit, reset
		b.remaining = remaining - b.pending
	case !reset.Before(b.reset):
		// The same window: other clients of the org may have used some
		// of it, so the lower count wins.
		b.limit = limit
		b.remaining = min(b.remaining, remaining-b.pending)
	}
	// An answer with an older reset comes from the previous window and
	// says nothing about this one.
}

// pacingTransport sends each request through the pacer. The concurrency
// slot is held until the answer's body is read or closed, because Okta
// counts a request as in flight until it has sent the whole answer.
type pacingTransport struct {
	base  http.RoundTripper
	pacer *pacer
}

func (pt pacingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	done, err := pt.pacer.wait(req.Context(), bucketOf(req.URL.Path))
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	resp, err := pt.base.RoundTrip(req)
	if err != nil || resp == nil || resp.Body == nil {
		done(resp)
		return resp, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: func() { done(resp) }}
	return resp, nil
}

// releasingBody calls release when the body is read to its end or closed,
// whichever comes first.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (r *releasingBody) Read(b []byte) (int, error) {
	n, err := r.ReadCloser.Read(b)
	if err != nil {
		r.release()
	}
	return n, err
}

func (r *releasingBody) Close() error {
	err := r.ReadCloser.Close()
	r.release()
	return err
}
