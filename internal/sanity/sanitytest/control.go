package sanitytest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"
)

// Fault makes the next matching requests misbehave; see fakes.Fault for its fields. A Status is
// answered with a Boom-style JSON body for it unless Body is set. Document paths have two segments after
// /data/doc/, so "/v*/data/doc/**" matches every document read and "/v*/data/mutate/*" every mutation.
type Fault = fakes.Fault

// AddFault installs a fault. Faults are tried in the order added; each request meets at most one. It
// refuses a malformed path pattern or a fraction outside [0, 1].
func (s *Server) AddFault(f Fault) error {
	if err := s.faults.Add(f); err != nil {
		return fmt.Errorf("sanitytest: %w", err)
	}
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

// Outage makes the Content Lake unreachable for d: its port stops listening, so connections are
// refused, and open connections are closed without an answer. After d it listens on the same address
// again, with every document, transaction and fault it had. It returns once the outage has begun; an
// outage during an outage makes it end d from now. Webhook deliveries go on meanwhile.
func (s *Server) Outage(d time.Duration) {
	_ = s.listener.Outage(d)
}

// Down reports whether an outage is going on, and when it ends.
func (s *Server) Down() (bool, time.Time) {
	return s.listener.Down()
}

// Request is one logged API request (admin requests are not logged). Tokens are never recorded.
type Request struct {
	Method   string        `json:"method"`
	Path     string        `json:"path"`
	RawQuery string        `json:"rawQuery,omitempty"`
	Status   int           `json:"status"` // 0 when the connection was dropped
	Time     time.Time     `json:"time"`
	Duration time.Duration `json:"duration"`
	// Fault describes the injected fault that shaped the answer, if any.
	Fault string `json:"fault,omitempty"`
}

// Requests returns the request log, oldest first. A server keeps the last 50,000 to 100,000 requests.
func (s *Server) Requests() []Request { return s.requests.All() }

// CountRequests counts logged requests whose method ("" matches any) and path match; the pattern is a
// Fault's Path.
func (s *Server) CountRequests(method, pathPattern string) int {
	return s.requests.Count(method, pathPattern)
}

// ResetRequests clears the request log.
func (s *Server) ResetRequests() { s.requests.Reset() }

// rateLimiter counts requests per client in one-second windows, as the real service does.
type rateLimiter struct {
	mu      sync.Mutex
	window  int64
	counts  map[string]int
	mutates map[string]int
}

func newRateLimiter() *rateLimiter {
	return &rateLimiter{counts: map[string]int{}, mutates: map[string]int{}}
}

// allow counts the request and answers 429 when the client is over a limit.
func (s *Server) allow(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	l := s.limiter
	s.mu.Unlock()
	now := time.Now()
	sec := now.Unix()
	key := clientKey(r)
	isMutation := r.Method == http.MethodPost && (strings.Contains(r.URL.Path, "/data/mutate/") || strings.Contains(r.URL.Path, "/data/actions/"))

	l.mu.Lock()
	if l.window != sec {
		l.window = sec
		l.counts = map[string]int{}
		l.mutates = map[string]int{}
	}
	l.counts[key]++
	n := l.counts[key]
	m := 0
	if isMutation {
		l.mutates[key]++
		m = l.mutates[key]
	}
	l.mu.Unlock()

	type check struct{ limit, used int }
	var checks []check
	if s.cfg.requestsPerSecond > 0 {
		checks = append(checks, check{s.cfg.requestsPerSecond, n})
	}
	if isMutation && s.cfg.mutationsPerSecond > 0 {
		checks = append(checks, check{s.cfg.mutationsPerSecond, m})
	}
	if len(checks) == 0 {
		return true
	}
	tightest := checks[0]
	for _, c := range checks[1:] {
		if c.limit-c.used < tightest.limit-tightest.used {
			tightest = c
		}
	}
	limit, used := tightest.limit, tightest.used
	w.Header().Set("X-RateLimit-Limit-Second", strconv.Itoa(limit))
	w.Header().Set("X-RateLimit-Remaining-Second", strconv.Itoa(max(limit-used, 0)))
	w.Header().Set("RateLimit-Limit", strconv.Itoa(limit))
	w.Header().Set("RateLimit-Remaining", strconv.Itoa(max(limit-used, 0)))
	if used <= limit {
		return true
	}
	w.Header().Set("Retry-After", "1")
	w.Header().Set("RateLimit-Reset", "1")
	writeBoom(w, http.StatusTooManyRequests, "API rate limit exceeded", "")
	return false
}
