package oktatest

import (
	"fmt"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"
)

// Fault changes how the server answers the next matching requests; see fakes.Fault for its fields. A
// Status is answered with Okta's error body for it (429 gets E0000047 with X-Rate-Limit-* headers, 500
// E0000009, ...) unless Body is set.
type Fault = fakes.Fault

// AddFault installs a fault. Faults are matched in the order added; one request meets at most one
// fault. It refuses a malformed path pattern or a fraction outside [0, 1].
func (s *Server) AddFault(f Fault) error {
	if err := s.faults.Add(f); err != nil {
		return fmt.Errorf("oktatest: %w", err)
	}
	return nil
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

// Outage makes the org unreachable for d: its port stops listening, so connections are refused, and
// open connections are closed without an answer. After d it listens on the same address again, with
// every group, rule, token and fault it had. It returns once the outage has begun; an outage during an
// outage makes it end d from now.
func (s *Server) Outage(d time.Duration) {
	_ = s.listener.Outage(d)
}

// Down reports whether an outage is going on, and when it ends.
func (s *Server) Down() (bool, time.Time) {
	return s.listener.Down()
}
