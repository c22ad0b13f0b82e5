package okta

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func answer(status int, header http.Header) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(strings.NewReader("{}"))}
}

// A 503 with Retry-After makes the retry wait at least that long, and holds
// the bucket in the pacer, so the other requests of the org wait too.
func TestRetryAfterIsHonouredAndShared(t *testing.T) {
	pace := newPacer(4, time.Minute)
	clock := time.Unix(1_700_000_000, 0)
	pace.now = func() time.Time { return clock }
	var paceSlept []time.Duration
	pace.sleep = func(_ context.Context, d time.Duration) error {
		paceSlept = append(paceSlept, d)
		clock = clock.Add(d)
		return nil
	}
	var slept []time.Duration
	policy := newRetryPolicy(3, time.Minute, time.Minute)
	policy.pacer = pace
	policy.sleep = func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }
	calls := 0
	rt := retryTransport{policy: policy, base: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		calls++
		if calls == 1 {
			return answer(503, http.Header{"Retry-After": {"7"}}), nil
		}
		return answer(200, nil), nil
	})}
	req, _ := http.NewRequest("GET", "http://127.0.0.1/api/v1/groups/00g1", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("RoundTrip = %v, %v; want the retry's 200", resp, err)
	}
	if len(slept) != 1 || slept[0] < 7*time.Second {
		t.Errorf("waited %v before the retry, want at least the 7s of Retry-After", slept)
	}
	// Another request of the same bucket is held by the pacer.
	done, err := pace.wait(context.Background(), bucketOf("/api/v1/groups/00g2"))
	if err != nil {
		t.Fatal(err)
	}
	done(nil)
	if len(paceSlept) == 0 || paceSlept[0] < 6*time.Second {
		t.Errorf("the pacer held the next request of the bucket for %v, want about 7s", paceSlept)
	}
}

func TestBackoffGrowsWithinItsBounds(t *testing.T) {
	p := newRetryPolicy(6, time.Minute, time.Minute)
	for _, jitter := range []func(int64) int64{func(int64) int64 { return 0 }, func(n int64) int64 { return n - 1 }} {
		p.jitter = jitter
		var total time.Duration
		for attempt := 1; attempt <= 6; attempt++ {
			d := p.backoff(attempt)
			if d <= 0 || d > retryWaitCap {
				t.Errorf("retry %d waits %v, want (0, %v]", attempt, d, retryWaitCap)
			}
			total += d
		}
		// Six retries must outlast a five-second outage, whatever the jitter.
		if total < 5*time.Second {
			t.Errorf("six retries wait %v in all, want at least 5s", total)
		}
	}
}

func TestRepeatable(t *testing.T) {
	for _, c := range []struct {
		method, path string
		want         bool
	}{
		{"GET", "/api/v1/groups", true},
		{"PUT", "/api/v1/groups/00g1", true},
		{"DELETE", "/api/v1/groups/00g1", true},
		{"POST", "/api/v1/groups", true},
		{"POST", "/oauth2/v1/token", true},
		{"POST", "/api/v1/groups/rules/0pr1/lifecycle/activate", true},
		{"POST", "/api/v1/groups/rules", false},
	} {
		req, _ := http.NewRequest(c.method, "http://127.0.0.1"+c.path, nil)
		if got := repeatable(req); got != c.want {
			t.Errorf("repeatable(%s %s) = %v, want %v", c.method, c.path, got, c.want)
		}
	}
}
