package oktatest

import (
	"fmt"
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

	// Times is how many matching requests the fault affects; 0 means 1,
	// a negative value means every one until ClearFaults.
	Times int `json:"times,omitempty"`
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
	return strings.Join(parts, ", ")
}

// AddFault installs a fault. Faults are matched in the order added; one
// request meets at most one fault.
func (s *Server) AddFault(f Fault) error {
	if _, err := path.Match(f.Path, "/"); err != nil {
		return fmt.Errorf("oktatest: fault path %q: %w", f.Path, err)
	}
	if f.Times == 0 {
		f.Times = 1
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
