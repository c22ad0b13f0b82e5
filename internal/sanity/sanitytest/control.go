package sanitytest

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault makes the next matching requests misbehave. Zero Method or Path match anything.
type Fault struct {
	// Method is an HTTP method such as "POST"; empty matches any.
	Method string `json:"method,omitempty"`
	// Path is a request path; '*' matches any run of characters, so "/v*/data/mutate/*" matches every
	// mutation. Empty matches any path.
	Path string `json:"path,omitempty"`
	// Times is how many requests the fault applies to; 0 means 1, and a negative value means every
	// matching request until ClearFaults.
	Times int `json:"times,omitempty"`
	// Fraction, between 0 and 1, makes the fault apply to only that share of the matching requests,
	// chosen at random (0.2 is about one in five); Times counts the requests it applied to. Zero (or 1)
	// applies it to every one.
	Fraction float64 `json:"fraction,omitempty"`
	// Seed seeds the random choice of a Fraction fault, so that the same sequence of matching requests
	// meets the same faults.
	Seed uint64 `json:"seed,omitempty"`
	// Status is the status to answer with instead of handling the request; 0 handles it normally (after
	// Delay).
	Status int `json:"status,omitempty"`
	// Body is the answer body; empty means a Boom-style JSON body for Status.
	Body string `json:"body,omitempty"`
	// Header adds response headers.
	Header http.Header `json:"header,omitempty"`
	// RetryAfter sets a Retry-After header (rounded up to whole seconds).
	RetryAfter time.Duration `json:"retryAfter,omitempty"`
	// Delay holds the request this long before answering (or dropping it).
	Delay time.Duration `json:"delay,omitempty"`
	// Drop closes the connection without handling the request, as a network failure would.
	Drop bool `json:"drop,omitempty"`
	// DropResponse handles the request (a mutation is committed) and then closes the connection
	// without the answer, as a failure on the way back would.
	DropResponse bool `json:"dropResponse,omitempty"`

	rng *rand.Rand
}

// FailNext queues a fault. Faults are tried in the order queued; each request consumes at most one.
func (s *Server) FailNext(f Fault) {
	if f.Times == 0 {
		f.Times = 1
	}
	f.Fraction = min(max(f.Fraction, 0), 1)
	f.rng = nil
	if f.Fraction > 0 && f.Fraction < 1 {
		f.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x73616e69))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// FailFraction applies f to about fraction of the matching requests until ClearFaults, choosing them
// with a generator seeded with seed.
func (s *Server) FailFraction(f Fault, fraction float64, seed uint64) {
	f.Times, f.Fraction, f.Seed = -1, fraction, seed
	s.FailNext(f)
}

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

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) takeFault(method, path string) *Fault {
	return s.take(method, path, false)
}

// takeResponseFault takes a DropResponse fault, which acts after the request is handled.
func (s *Server) takeResponseFault(method, path string) *Fault {
	return s.take(method, path, true)
}

func (s *Server) take(method, path string, afterHandling bool) *Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.DropResponse != afterHandling {
			continue
		}
		if (f.Method == "" || strings.EqualFold(f.Method, method)) && (f.Path == "" || matchPattern(f.Path, path)) {
			if f.rng != nil && f.rng.Float64() >= f.Fraction {
				// Not this one: a later fault may still match.
				continue
			}
			if f.Times > 0 {
				f.Times--
				if f.Times == 0 {
					s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
				}
			}
			c := *f
			return &c
		}
	}
	return nil
}

// matchPattern matches s against a pattern in which '*' stands for any run of characters.
func matchPattern(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// Request is one logged API request (admin requests are not logged). Tokens are never recorded.
type Request struct {
	Method   string        `json:"method"`
	Path     string        `json:"path"`
	RawQuery string        `json:"rawQuery,omitempty"`
	Status   int           `json:"status"` // 0 when the connection was dropped
	Time     time.Time     `json:"time"`
	Duration time.Duration `json:"duration"`
}

// maxLoggedRequests bounds the request log of a long-running server; the oldest entries go first.
const maxLoggedRequests = 100_000

func (s *Server) logRequest(r Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.requests) >= maxLoggedRequests {
		s.requests = append(s.requests[:0:0], s.requests[len(s.requests)-maxLoggedRequests/2:]...)
	}
	s.requests = append(s.requests, r)
}

// Requests returns the request log, oldest first. A server keeps the last 50,000 to 100,000 requests.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// CountRequests counts logged requests whose method and path match (see Fault for the pattern rules).
func (s *Server) CountRequests(method, pathPattern string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if (method == "" || strings.EqualFold(method, r.Method)) && (pathPattern == "" || matchPattern(pathPattern, r.Path)) {
			n++
		}
	}
	return n
}

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
