// Package fakes holds what the project's fake services (oktatest, sanitytest) share, so that they speak
// one vocabulary: the Fault they inject and how it matches requests, the request log, a status
// recorder, and the plumbing of their /__admin/ HTTP APIs, which are built from a table of routes that
// each call one method of the fake's Go API.
package fakes

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault changes how a fake answers the next matching requests. Each fake answers a Status in its own
// service's error format.
type Fault struct {
	// Method matches the HTTP method ("" matches any).
	Method string
	// Path matches the request path (see Match): "*" stands for one segment, as in path.Match, and a
	// trailing "/**" for any number of further segments. "" matches any path.
	Path string

	// Times is how many matching requests the fault affects: 0 means one, a negative value every one
	// until ClearFaults.
	Times int
	// Fraction, between 0 and 1, makes the fault affect only that share of the matching requests, chosen
	// at random: 0.2 affects about one in five. Times counts the requests affected. 0 (or 1) affects
	// every one.
	Fraction float64
	// Seed seeds the random choice of a Fraction fault, so that the same sequence of matching requests
	// meets the same faults.
	Seed uint64

	// Delay holds the request this long before anything else happens.
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// Apply handles the request before Drop or Status take effect, so the change is made but the client
	// never hears of it: a lost response.
	Apply bool
	// Status answers with this status instead of handling the request, with the service's error body for
	// it unless Body is set.
	Status int
	// RetryAfter adds a Retry-After header, in whole seconds rounded up, to a Status answer.
	RetryAfter time.Duration
	// Body is the body of a Status answer instead of the service's error body.
	Body string
	// Header adds headers to a Status answer.
	Header http.Header

	rng *rand.Rand
}

// faultJSON is Fault on the wire: durations are Go duration strings such as "1.5s".
type faultJSON struct {
	Method     string      `json:"method,omitempty"`
	Path       string      `json:"path,omitempty"`
	Times      int         `json:"times,omitempty"`
	Fraction   float64     `json:"fraction,omitempty"`
	Seed       uint64      `json:"seed,omitempty"`
	Delay      string      `json:"delay,omitempty"`
	Drop       bool        `json:"drop,omitempty"`
	Apply      bool        `json:"apply,omitempty"`
	Status     int         `json:"status,omitempty"`
	RetryAfter string      `json:"retryAfter,omitempty"`
	Body       string      `json:"body,omitempty"`
	Header     http.Header `json:"header,omitempty"`
}

// MarshalJSON writes a fault with its durations as Go duration strings.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Method: f.Method, Path: f.Path, Times: f.Times, Fraction: f.Fraction, Seed: f.Seed,
		Drop: f.Drop, Apply: f.Apply, Status: f.Status, Body: f.Body, Header: f.Header}
	if f.Delay != 0 {
		j.Delay = f.Delay.String()
	}
	if f.RetryAfter != 0 {
		j.RetryAfter = f.RetryAfter.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads a fault written by MarshalJSON; unknown fields are an error.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	if err := decodeStrict(strings.NewReader(string(b)), &j); err != nil {
		return err
	}
	delay, err := ParseDuration("delay", j.Delay)
	if err != nil {
		return err
	}
	retryAfter, err := ParseDuration("retryAfter", j.RetryAfter)
	if err != nil {
		return err
	}
	*f = Fault{Method: j.Method, Path: j.Path, Times: j.Times, Fraction: j.Fraction, Seed: j.Seed,
		Delay: delay, Drop: j.Drop, Apply: j.Apply, Status: j.Status, RetryAfter: retryAfter, Body: j.Body, Header: j.Header}
	return nil
}

// ParseDuration parses a Go duration string such as "1.5s"; "" is zero. name goes into the error.
func ParseDuration(name, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%s: %q is not a duration such as \"1.5s\"", name, s)
	}
	return d, nil
}

// Validate reports whether the fault can be installed: a well-formed Path, a Fraction between 0 and 1,
// no negative durations.
func (f *Fault) Validate() error {
	if err := ValidPattern(f.Path); err != nil {
		return err
	}
	if f.Fraction < 0 || f.Fraction > 1 {
		return fmt.Errorf("fault fraction %v is not between 0 and 1", f.Fraction)
	}
	if f.Delay < 0 || f.RetryAfter < 0 {
		return errors.New("fault delay and retryAfter must not be negative")
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 999) {
		return fmt.Errorf("fault status %d is not an HTTP status", f.Status)
	}
	return nil
}

// Summary describes what the fault does to a request, for a request log.
func (f *Fault) Summary() string {
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

// Answers reports whether the fault answers (or drops) the request itself rather than only delaying it.
func (f *Fault) Answers() bool { return f.Drop || f.Status != 0 }

func (f *Fault) matches(method, p string) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, method) {
		return false
	}
	return f.Path == "" || Match(f.Path, p)
}

// Match reports whether a request path matches pattern. Without a trailing "/**" the rules are those of
// path.Match: "*" matches one segment (any run of characters other than '/'), "?" one character, and
// [...] a class. A pattern ending in "/**" matches a path whose leading segments match what comes
// before it, followed by any number of further segments, none included: "/api/v1/groups/**" matches
// /api/v1/groups and everything under it. A malformed pattern matches nothing.
func Match(pattern, p string) bool {
	if head, ok := strings.CutSuffix(pattern, "/**"); ok {
		if head == "" {
			return strings.HasPrefix(p, "/")
		}
		n := strings.Count(head, "/")
		// Cut p before its (n+1)-th slash, if it has one.
		cut := len(p)
		for i, seen := 0, 0; i < len(p); i++ {
			if p[i] == '/' {
				seen++
				if seen == n+1 {
					cut = i
					break
				}
			}
		}
		pattern, p = head, p[:cut]
	}
	ok, err := path.Match(pattern, p)
	return err == nil && ok
}

// ValidPattern reports an error for a pattern Match cannot use. "**" may appear only as a trailing
// "/**".
func ValidPattern(pattern string) error {
	head := strings.TrimSuffix(pattern, "/**")
	if strings.Contains(head, "**") {
		return fmt.Errorf("path pattern %q: \"**\" is only allowed as a trailing \"/**\"", pattern)
	}
	if _, err := path.Match(head, "/"); err != nil {
		return fmt.Errorf("path pattern %q: %w", pattern, err)
	}
	return nil
}

// Faults is a fake's list of installed faults. The zero value is empty and ready to use.
type Faults struct {
	mu   sync.Mutex
	list []*Fault
}

// Add validates and installs a fault. Faults are tried in the order added; a request meets at most one.
func (fs *Faults) Add(f Fault) error {
	if err := f.Validate(); err != nil {
		return err
	}
	if f.Times == 0 {
		f.Times = 1
	}
	f.rng = nil
	if f.Fraction > 0 && f.Fraction < 1 {
		f.rng = rand.New(rand.NewPCG(f.Seed, f.Seed^0x6f6b7461))
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.list = append(fs.list, &f)
	return nil
}

// Clear removes every fault.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.list = nil
}

// Take finds the first fault for a request, uses it up and returns a copy, or nil.
func (fs *Faults) Take(method, p string) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for i, f := range fs.list {
		if !f.matches(method, p) {
			continue
		}
		if f.rng != nil && f.rng.Float64() >= f.Fraction {
			// Not this one: a later fault may still match.
			continue
		}
		used := *f
		used.rng = nil
		if f.Times > 0 {
			f.Times--
			if f.Times == 0 {
				fs.list = append(fs.list[:i:i], fs.list[i+1:]...)
			}
		}
		return &used
	}
	return nil
}

// WriteStatus writes a fault's Status answer: its Header, Retry-After, and Body, or, without a Body,
// whatever serviceError writes for the status (the service's own error format).
func WriteStatus(w http.ResponseWriter, f *Fault, serviceError func(w http.ResponseWriter, status int)) {
	for k, v := range f.Header {
		w.Header()[http.CanonicalHeaderKey(k)] = v
	}
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.FormatInt(int64((f.RetryAfter+time.Second-1)/time.Second), 10))
	}
	if f.Body == "" {
		serviceError(w, f.Status)
		return
	}
	if w.Header().Get("Content-Type") == "" {
		if json.Valid([]byte(f.Body)) {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
		} else {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
		}
	}
	w.WriteHeader(f.Status)
	_, _ = io.WriteString(w, f.Body)
}
