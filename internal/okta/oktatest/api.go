package oktatest

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"
)

// Request is one entry of the request log. Credentials are never recorded.
type Request struct {
	Time     time.Time `json:"time"`
	Method   string    `json:"method"`
	Path     string    `json:"path"`
	RawQuery string    `json:"rawQuery,omitempty"`
	Bucket   string    `json:"bucket"`
	// Status is what the client received; 0 if the connection was dropped.
	Status int `json:"status"`
	// Auth is the authorization scheme used ("SSWS", "Bearer" or "").
	Auth string `json:"auth,omitempty"`
	// RetryCount is the SDK's X-Okta-Retry-Count header, 0 on first tries.
	RetryCount int    `json:"retryCount,omitempty"`
	UserAgent  string `json:"userAgent,omitempty"`
	// Fault names the injected fault that shaped the answer, if any.
	Fault string `json:"fault,omitempty"`
}

// BucketStats counts requests per rate-limit bucket.
type BucketStats struct {
	Requests int `json:"requests"`
	// RateLimited counts 429s for exceeding the bucket's rate limit;
	// ConcurrencyLimited counts 429s for too many requests in flight.
	RateLimited        int `json:"rateLimited"`
	ConcurrencyLimited int `json:"concurrencyLimited"`
}

type bucket struct {
	windowStart time.Time
	used        int
	stats       BucketStats
}

// Requests returns the request log, oldest first (admin calls excluded). A server keeps the last
// 50,000 to 100,000 requests.
func (s *Server) Requests() []Request { return s.log.All() }

// CountRequests counts logged requests whose method ("" matches any) and path match; the pattern is a
// Fault's Path.
func (s *Server) CountRequests(method, pathPattern string) int {
	return s.log.Count(method, pathPattern)
}

// ResetRequests clears the request log and the bucket counters.
func (s *Server) ResetRequests() {
	s.log.Reset()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.buckets {
		b.stats = BucketStats{}
	}
}

// Buckets returns the counters of every bucket that saw a request.
func (s *Server) Buckets() map[string]BucketStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]BucketStats{}
	for name, b := range s.buckets {
		out[name] = b.stats
	}
	return out
}

// bucketFor names the rate-limit bucket of a path.
func bucketFor(path string) string {
	switch {
	case path == "/oauth2/v1/token":
		return BucketToken
	case strings.HasPrefix(path, "/api/v1/users"):
		return userBucketFor(path)
	case strings.HasPrefix(path, "/api/v1/meta/schemas/"):
		return BucketGroupSchema
	case path == "/api/v1/groups":
		return BucketGroups
	case strings.HasPrefix(path, "/api/v1/groups/"):
		rest := strings.TrimPrefix(path, "/api/v1/groups/")
		if rest != "" && rest != "rules" && !strings.Contains(rest, "/") {
			return BucketGroupByID
		}
		return BucketGroups
	}
	return bucketOther
}

// bucket returns the named bucket, creating it. Callers hold s.mu.
func (s *Server) bucket(name string) *bucket {
	b := s.buckets[name]
	if b == nil {
		b = &bucket{}
		s.buckets[name] = b
	}
	return b
}

type rateState struct {
	limit, remaining int
	reset            time.Time
}

// takeRate counts a request against its bucket and reports whether it is
// over the limit. Callers hold s.mu.
func (s *Server) takeRate(name string, now time.Time) (rateState, bool) {
	b := s.bucket(name)
	b.stats.Requests++
	if b.windowStart.IsZero() || !now.Before(b.windowStart.Add(s.limits.Window)) {
		b.windowStart = now
		b.used = 0
	}
	b.used++
	limit := s.limits.Rate
	enforced := limit > 0
	if !enforced {
		limit = unlimitedReport
	}
	st := rateState{limit: limit, remaining: max(0, limit-b.used), reset: b.windowStart.Add(s.limits.Window)}
	if enforced && b.used > limit {
		b.stats.RateLimited++
		return st, false
	}
	return st, true
}

func setRateHeaders(h http.Header, st rateState) {
	h.Set("X-Rate-Limit-Limit", strconv.Itoa(st.limit))
	h.Set("X-Rate-Limit-Remaining", strconv.Itoa(st.remaining))
	// Okta sends whole epoch seconds; round up so clients never retry early.
	reset := st.reset.Unix()
	if st.reset.Nanosecond() > 0 {
		reset++
	}
	h.Set("X-Rate-Limit-Reset", strconv.FormatInt(reset, 10))
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	entry := Request{
		Time: now.UTC(), Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Bucket: bucketFor(r.URL.Path), UserAgent: r.UserAgent(),
	}
	entry.RetryCount, _ = strconv.Atoi(lastHeader(r.Header, "X-Okta-Retry-Count"))
	if auth := r.Header.Get("Authorization"); auth != "" {
		entry.Auth, _, _ = strings.Cut(auth, " ")
	}
	w.Header().Set("X-Okta-Request-Id", randomString(27))

	s.mu.Lock()
	s.inflight++
	s.mu.Unlock()
	fault := s.faults.Take(r.Method, r.URL.Path)
	// finish runs before a dropped connection drops, too: the client retries at once, and whoever counts
	// requests or in-flight calls after that retry must see the dropped one done.
	finished := false
	finish := func() {
		if finished {
			return
		}
		finished = true
		// Logged first: whoever sees the request no longer in flight finds it in the log.
		s.log.Add(entry)
		s.mu.Lock()
		s.inflight--
		s.mu.Unlock()
	}
	defer finish()

	if fault != nil && fault.Answers() && !fault.Apply {
		// The request reached the org, so it counts in its bucket (an
		// applied one is counted when it is handled).
		s.mu.Lock()
		b := s.bucket(entry.Bucket)
		b.stats.Requests++
		if fault.Status == http.StatusTooManyRequests {
			b.stats.RateLimited++
		}
		s.mu.Unlock()
	}
	if fault != nil {
		entry.Fault = fault.Summary()
		if fault.Delay > 0 {
			select {
			case <-time.After(fault.Delay):
			case <-r.Context().Done():
			}
		}
		if fault.Answers() {
			if fault.Apply {
				// The change happens, but the client sees the fault.
				s.serveChecked(httptest.NewRecorder(), r, &entry)
			}
			if fault.Drop {
				entry.Status = 0
				finish()
				fakes.DropConnection(w)
				return
			}
			s.mu.Lock()
			st := s.rateStateOf(entry.Bucket, now)
			s.mu.Unlock()
			setRateHeaders(w.Header(), st)
			entry.Status = fault.Status
			fakes.WriteStatus(w, fault, func(w http.ResponseWriter, status int) {
				writeError(w, status, codeForStatus(status), summaryForStatus(status))
			})
			return
		}
	}
	rw := &fakes.StatusRecorder{ResponseWriter: w}
	s.serveChecked(rw, r, &entry)
	entry.Status = rw.Status
}

// serveChecked applies auth, the concurrency and rate limits, then routes.
func (s *Server) serveChecked(w http.ResponseWriter, r *http.Request, entry *Request) {
	now := time.Now()
	s.mu.Lock()
	overConcurrency := s.limits.Concurrency > 0 && s.inflight > s.limits.Concurrency
	var st rateState
	var ok bool
	if overConcurrency {
		b := s.bucket(entry.Bucket)
		b.stats.Requests++
		b.stats.ConcurrencyLimited++
		// Okta reports the concurrency limit in the same headers, with an
		// estimated reset.
		st = rateState{limit: s.limits.Concurrency, remaining: 0, reset: now.Add(time.Second)}
	} else {
		st, ok = s.takeRate(entry.Bucket, now)
	}
	s.mu.Unlock()
	setRateHeaders(w.Header(), st)
	if overConcurrency || !ok {
		writeError(w, http.StatusTooManyRequests, "E0000047", "API call exceeded rate limit due to too many requests.")
		return
	}
	if s.serveOIDC(w, r) {
		return
	}
	if r.URL.Path == "/oauth2/v1/token" {
		s.serveToken(w, r)
		return
	}
	s.route(w, r)
}

func (s *Server) rateStateOf(name string, now time.Time) rateState {
	limit := s.limits.Rate
	if limit <= 0 {
		limit = unlimitedReport
	}
	b := s.buckets[name]
	if b == nil || b.windowStart.IsZero() || !now.Before(b.windowStart.Add(s.limits.Window)) {
		return rateState{limit: limit, remaining: limit, reset: now.Add(s.limits.Window)}
	}
	return rateState{limit: limit, remaining: max(0, limit-b.used), reset: b.windowStart.Add(s.limits.Window)}
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSuffix(r.URL.Path, "/")
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	n := len(parts)
	switch {
	case path == "/api/v1/groups":
		switch r.Method {
		case http.MethodGet:
			s.authorize(w, r, ScopeGroupsRead, s.listGroups)
		case http.MethodPost:
			s.authorize(w, r, ScopeGroupsManage, s.createGroup)
		default:
			methodNotAllowed(w)
		}
	case path == "/api/v1/groups/rules":
		switch r.Method {
		case http.MethodGet:
			s.authorize(w, r, ScopeGroupsRead, s.listRules)
		case http.MethodPost:
			s.authorize(w, r, ScopeGroupsManage, s.createRule)
		default:
			methodNotAllowed(w)
		}
	case n == 5 && strings.HasPrefix(path, "/api/v1/groups/rules/"):
		id := parts[4]
		switch r.Method {
		case http.MethodGet:
			s.authorize(w, r, ScopeGroupsRead, func(w http.ResponseWriter, r *http.Request) { s.getRule(w, r, id) })
		case http.MethodPut:
			s.authorize(w, r, ScopeGroupsManage, func(w http.ResponseWriter, r *http.Request) { s.replaceRule(w, r, id) })
		case http.MethodDelete:
			s.authorize(w, r, ScopeGroupsManage, func(w http.ResponseWriter, r *http.Request) { s.deleteRule(w, r, id) })
		default:
			methodNotAllowed(w)
		}
	case n == 7 && strings.HasPrefix(path, "/api/v1/groups/rules/") && parts[5] == "lifecycle" && r.Method == http.MethodPost:
		id, action := parts[4], parts[6]
		s.authorize(w, r, ScopeGroupsManage, func(w http.ResponseWriter, r *http.Request) { s.ruleLifecycle(w, r, id, action) })
	case n == 4 && strings.HasPrefix(path, "/api/v1/groups/"):
		id := parts[3]
		switch r.Method {
		case http.MethodGet:
			s.authorize(w, r, ScopeGroupsRead, func(w http.ResponseWriter, r *http.Request) { s.getGroup(w, r, id) })
		case http.MethodPut:
			s.authorize(w, r, ScopeGroupsManage, func(w http.ResponseWriter, r *http.Request) { s.replaceGroup(w, r, id) })
		case http.MethodDelete:
			s.authorize(w, r, ScopeGroupsManage, func(w http.ResponseWriter, _ *http.Request) { s.deleteGroup(w, id) })
		default:
			methodNotAllowed(w)
		}
	case path == "/api/v1/meta/schemas/group/default":
		switch r.Method {
		case http.MethodGet:
			s.authorize(w, r, ScopeSchemasRead, s.getSchema)
		case http.MethodPost:
			s.authorize(w, r, ScopeSchemasManage, s.updateSchema)
		default:
			methodNotAllowed(w)
		}
	case s.routeUsers(w, r, path, parts):
	default:
		s.authorize(w, r, "", func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotFound, "E0000007", "Not found: Resource not found: "+r.URL.Path+" (Endpoint)")
		})
	}
}

// authorize checks the Authorization header and the scope, then calls next.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request, scope string, next http.HandlerFunc) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	token = strings.TrimSpace(token)
	s.mu.Lock()
	g, ok := s.tokens[token]
	if ok && !g.expiry.IsZero() && time.Now().After(g.expiry) {
		ok = false
	}
	s.mu.Unlock()
	if !ok || !strings.EqualFold(scheme, g.kind) {
		if strings.EqualFold(scheme, "Bearer") {
			w.Header().Set("WWW-Authenticate", s.bearerChallenge(r, scope, "invalid_token", "The token is not valid."))
		}
		writeError(w, http.StatusUnauthorized, "E0000011", "Invalid token provided")
		return
	}
	if scope != "" && !g.allows(scope) {
		if g.kind == "Bearer" {
			w.Header().Set("WWW-Authenticate", s.bearerChallenge(r, scope, "insufficient_scope", "The access token provided does not contain the required scopes."))
		}
		writeError(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
		return
	}
	next(w, r)
}

func (s *Server) bearerChallenge(r *http.Request, scope, code, description string) string {
	base := baseURL(r)
	return `Bearer authorization_uri="` + base + `/oauth2/v1/authorize", realm="IDP", scope="` + scope +
		`", error="` + code + `", error_description="` + description + `", resource="` + r.URL.Path + `"`
}

// Okta's error body.
type oktaError struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

func writeError(w http.ResponseWriter, status int, code, summary string, causes ...string) {
	body := oktaError{ErrorCode: code, ErrorSummary: summary, ErrorLink: code, ErrorID: "oae" + randomString(22), ErrorCauses: []errorCause{}}
	for _, c := range causes {
		body.ErrorCauses = append(body.ErrorCauses, errorCause{ErrorSummary: c})
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) { fakes.WriteJSON(w, status, v) }

func methodNotAllowed(w http.ResponseWriter) {
	writeError(w, http.StatusMethodNotAllowed, "E0000022", "The endpoint does not support the provided HTTP method")
}

func codeForStatus(status int) string {
	switch status {
	case 400:
		return "E0000001"
	case 401:
		return "E0000011"
	case 403:
		return "E0000006"
	case 404:
		return "E0000007"
	case 429:
		return "E0000047"
	case 423:
		return "E0000239"
	}
	return "E0000009"
}

func summaryForStatus(status int) string {
	switch status {
	case 400:
		return "Api validation failed: injected fault"
	case 401:
		return "Invalid token provided"
	case 403:
		return "You do not have permission to perform the requested action"
	case 404:
		return "Not found: Resource not found: (injected fault)"
	case 429:
		return "API call exceeded rate limit due to too many requests."
	case 423:
		return "Policy priorities are being reconciled. Please try again later."
	}
	return "Internal Server Error"
}

// selfLink is the rel="self" Link header value for r.
func selfLink(r *http.Request) string {
	u := baseURL(r) + r.URL.Path
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	return "<" + u + `>; rel="self"`
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func lastHeader(h http.Header, key string) string {
	v := h.Values(key)
	if len(v) == 0 {
		return ""
	}
	return v[len(v)-1]
}
