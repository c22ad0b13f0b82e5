package oktatest

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strings"
	"time"
)

// Fault changes how the server answers the next matching requests.
type Fault struct {
	// Method matches the HTTP method ("" matches any).
	Method string `json:"method,omitempty"`
	// Path matches the request path with path.Match rules, so "*" stands
	// for one segment: "/api/v1/groups/*" ("" matches any path).
	Path string `json:"path,omitempty"`

	// Status answers with this status and an Okta error body for it
	// (429 gets E0000047 with X-Rate-Limit-* headers, 500 E0000009, ...).
	Status int `json:"status,omitempty"`
	// Delay waits before answering (or before applying Status or Drop).
	Delay time.Duration `json:"delay,omitempty"`
	// Drop closes the connection without an answer.
	Drop bool `json:"drop,omitempty"`
	// Apply handles the request before Status or Drop take effect, so the
	// change is made but the client never hears of it: a lost response.
	Apply bool `json:"apply,omitempty"`

	// RetryAfter adds a Retry-After header (whole seconds, rounded up) to
	// a Status answer, as Okta may send with a 503.
	RetryAfter time.Duration `json:"retryAfter,omitempty"`

	// Times is how many matching requests the fault affects; 0 means 1,
	// a negative value means every one until ClearFaults.
	Times int `json:"times,omitempty"`

	// Fraction, between 0 and 1, makes the fault affect only that share of
	// the matching requests, chosen at random: 0.2 fails about one in five.
	// Times still counts the requests affected, so Fraction 0.2 with Times
	// -1 goes on until ClearFaults. Zero (or 1) affects every one.
	Fraction float64 `json:"fraction,omitempty"`
	// Seed seeds the random choice of a Fraction fault, so that the same
	// sequence of matching requests meets the same faults.
	Seed uint64 `json:"seed,omitempty"`

	rng *rand.Rand
}

func (f *Fault) matches(method, p string) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	if f.Path == "" {
		return true
	}
	ok, err := path.Match(f.Path, p)
	return err == nil && ok
}

func (f *Fault) describe() string {
	var parts []string
	if f.Delay > 0 {
		parts = append(parts, "delay "+f.Delay.String())
	}
	if f.Apply {
		parts = append(parts, "applied")
	}
	if f.Status != 0 {
		parts = append(parts, fmt.Sprintf("status %d", f.Status))
	}
	if f.Drop {
		parts = append(parts, "dropped")
	}
	if f.RetryAfter > 0 {
		parts = append(parts, "retry after "+f.RetryAfter.String())
	}
	return strings.Join(parts, ", ")
}

// AddFault installs a fault. Faults are matched in the order added; one
// request meets at most one fault.
func (s *Server) AddFault(f Fault) error {
	if _, err := path.Match(f.Path, "/"); err != nil {
		return fmt.Errorf("oktatest: fault path %q: %w", f.Path, err)
	}
	if f.Fraction < 0 || f.Fraction > 1 {
		return fmt.Errorf("oktatest: fault fraction %v is not between 0 and 1", f.Fraction)
	}
	if f.Times == 0 {
		f.Times = 1
	}
	f.rng = nil
	if f.Fraction > 0 && f.Fraction < 1 {
		f.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x6f6b7461))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
	return nil
}

// FailNext answers the next n requests matching method and pathPattern
// with status and Okta's error body for it.
func (s *Server) FailNext(method, pathPattern string, status, n int) {
	s.mustAddFault(Fault{Method: method, Path: pathPattern, Status: status, Times: n})
}

// DropNext closes the connection of the next n matching requests without
// an answer, before they take effect.
func (s *Server) DropNext(method, pathPattern string, n int) {
	s.mustAddFault(Fault{Method: method, Path: pathPattern, Drop: true, Times: n})
}

// DelayNext delays the next n matching requests by d.
func (s *Server) DelayNext(method, pathPattern string, d time.Duration, n int) {
	s.mustAddFault(Fault{Method: method, Path: pathPattern, Delay: d, Times: n})
}

// FailFraction answers about fraction of the requests matching method and
// pathPattern with status, until ClearFaults, choosing them with a
// generator seeded with seed.
func (s *Server) FailFraction(method, pathPattern string, status int, fraction float64, seed uint64) {
	s.mustAddFault(Fault{Method: method, Path: pathPattern, Status: status, Times: -1, Fraction: fraction, Seed: seed})
}

// Outage makes the org unreachable for d: its port stops listening, so
// connections are refused, and open connections are closed without an
// answer. After d it listens on the same address again, with every group,
// rule, token and fault it had. It returns once the outage has begun; an
// outage during an outage makes it end d from now.
func (s *Server) Outage(d time.Duration) {
	_ = s.listener.Outage(d)
}

// Down reports whether an outage is going on, and when it ends.
func (s *Server) Down() (bool, time.Time) {
	return s.listener.Down()
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) mustAddFault(f Fault) {
	if err := s.AddFault(f); err != nil {
		panic(err)
	}
}

// takeFault finds and uses up the first matching fault. Callers hold s.mu.
func (s *Server) takeFault(method, p string) *Fault {
	for i, f := range s.faults {
		if !f.matches(method, p) {
			continue
		}
		if f.rng != nil && f.rng.Float64() >= f.Fraction {
			// Not this one: a later fault may still match.
			continue
		}
		used := *f
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
		}
		return &used
	}
	return nil
}
