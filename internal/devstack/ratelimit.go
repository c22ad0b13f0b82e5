package devstack

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// RateLimit is how the fake Okta org limits requests. The zero value is no limit.
type RateLimit struct {
	// Requests is how many requests each rate-limit bucket (such as /api/v1/groups) accepts per window
	// (Options.OktaRateWindow, a minute by default) before it answers 429; 0 is no limit.
	Requests int
	// Concurrent is how many requests may be in flight at once before the org answers 429; 0 is no limit.
	Concurrent int
}

// Rate limits with a name.
var (
	// NoRateLimit accepts every request.
	NoRateLimit = RateLimit{}
	// DeveloperOrg is the limit of a free Okta developer org: 100 requests per minute per bucket and
	// 15 concurrent requests.
	DeveloperOrg = RateLimit{Requests: oktatest.DeveloperOrgRateLimit, Concurrent: oktatest.DeveloperOrgConcurrency}
)

// ParseRateLimit reads the --okta-rate-limit flag: "off", "developer-org", or a positive number of
// requests per bucket per window (no concurrency limit).
func ParseRateLimit(s string) (RateLimit, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "off", "0":
		return NoRateLimit, nil
	case "developer-org":
		return DeveloperOrg, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return RateLimit{}, fmt.Errorf("okta rate limit %q: want off, developer-org or a number of requests per minute", s)
	}
	return RateLimit{Requests: n}, nil
}

// String is the flag form of r: "off", "developer-org", a number, or "N/window,C concurrent".
func (r RateLimit) String() string {
	switch {
	case r == NoRateLimit:
		return "off"
	case r == DeveloperOrg:
		return "developer-org"
	case r.Concurrent == 0:
		return strconv.Itoa(r.Requests)
	}
	return fmt.Sprintf("%d per window, %d concurrent", r.Requests, r.Concurrent)
}
