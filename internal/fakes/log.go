package fakes

import (
	"net/http"
	"strings"
	"sync"
)

// maxLogEntries bounds a request log: when it is full, the older half is dropped, so a long-running
// fake keeps the last 50,000 to 100,000 requests.
const maxLogEntries = 100_000

// Log is a fake's request log of entries of type R, oldest first. It is safe for concurrent use.
type Log[R any] struct {
	route func(R) (method, path string)

	mu      sync.Mutex
	entries []R
}

// NewLog returns an empty log; route tells the method and path of an entry, for Count and Filter.
func NewLog[R any](route func(R) (method, path string)) *Log[R] {
	return &Log[R]{route: route}
}

// Add appends an entry.
func (l *Log[R]) Add(r R) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.entries) >= maxLogEntries {
		l.entries = append(l.entries[:0:0], l.entries[len(l.entries)-maxLogEntries/2:]...)
	}
	l.entries = append(l.entries, r)
}

// All returns a copy of the log.
func (l *Log[R]) All() []R {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]R(nil), l.entries...)
}

// Filter returns the entries whose method matches method ("" matches any) and whose path matches
// pattern (see Match; "" matches any).
func (l *Log[R]) Filter(method, pattern string) []R {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []R{}
	for _, r := range l.entries {
		if l.matches(r, method, pattern) {
			out = append(out, r)
		}
	}
	return out
}

// Count counts the entries Filter would return.
func (l *Log[R]) Count(method, pattern string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.entries {
		if l.matches(r, method, pattern) {
			n++
		}
	}
	return n
}

func (l *Log[R]) matches(r R, method, pattern string) bool {
	m, p := l.route(r)
	return (method == "" || strings.EqualFold(method, m)) && (pattern == "" || Match(pattern, p))
}

// Reset empties the log.
func (l *Log[R]) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
}

// StatusRecorder remembers the status a handler answered with, for a request log.
type StatusRecorder struct {
	http.ResponseWriter
	// Status is the answer's status, 0 until the handler writes.
	Status int
}

// WriteHeader records the first status written.
func (r *StatusRecorder) WriteHeader(code int) {
	if r.Status == 0 {
		r.Status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records 200 if no status was written first.
func (r *StatusRecorder) Write(b []byte) (int, error) {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *StatusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// DropConnection closes the request's connection without an answer, as a network failure would. w may
// wrap the server's writer (through Unwrap).
func DropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}
