// Package oktatest is an in-memory fake Okta org for tests and the local
// stack: a real HTTP server, like net/http/httptest, that speaks the parts
// of Okta's management API this project uses (groups, group rules, the group
// schema, users and group membership, the OAuth token endpoint) with Okta's
// paths, status codes, error bodies, Link and X-Rate-Limit-* headers.
//
// Tests drive it through a small Go API: seed and inspect groups, change
// them behind the client's back (drift), inject faults, make search lag
// behind writes, turn on rate and concurrency limits, and read the request
// log and per-bucket counters. The same controls are served over HTTP under
// /__admin/ for programs that run the fake out of process.
package oktatest

import (
	"crypto/rand"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/faultnet"
)

// Scopes the fake knows. okta.groups.manage implies okta.groups.read, and
// okta.schemas.manage implies okta.schemas.read.
const (
	ScopeGroupsRead    = "okta.groups.read"
	ScopeGroupsManage  = "okta.groups.manage"
	ScopeSchemasRead   = "okta.schemas.read"
	ScopeSchemasManage = "okta.schemas.manage"
)

// AllScopes is what the token returned by Server.Token may do.
var AllScopes = []string{ScopeGroupsRead, ScopeGroupsManage, ScopeSchemasRead, ScopeSchemasManage, ScopeUsersRead, ScopeUsersManage}

// Rate-limit buckets, named like Okta's rate-limit dashboard.
const (
	BucketGroups      = "/api/v1/groups"      // create, list, group rules
	BucketGroupByID   = "/api/v1/groups/{id}" // get, replace, delete one group
	BucketToken       = "/oauth2/v1/token"
	BucketGroupSchema = "/api/v1/meta/schemas"
	bucketOther       = "/api/v1"
)

// Defaults of WithDeveloperOrgLimits, Okta's free developer org.
const (
	DeveloperOrgRateLimit   = 100
	DeveloperOrgConcurrency = 15
)

// unlimitedReport is the limit announced in X-Rate-Limit-Limit while rate
// limiting is off; it is not enforced.
const unlimitedReport = 10000

// Server is a fake Okta org. Create it with NewServer and Close it when done.
type Server struct {
	// URL is the org URL, http://127.0.0.1:PORT, without a trailing slash.
	URL string

	srv      *httptest.Server
	listener *faultnet.Listener
	token    string

	mu         sync.Mutex
	groups     map[string]*group
	names      map[string]string // nameKey -> ID of the OKTA_GROUP or BUILT_IN group holding it
	everyoneID string
	index      searchIndex
	rules      map[string]*rule
	dir        directory // users, group membership and rule evaluation (users.go, membership.go, ruleeval.go)
	schema     *groupSchema
	tokens     map[string]grant
	apps       map[string]*ServiceApp
	usedJTI    map[string]time.Time
	faults     []*Fault
	log        []Request
	buckets    map[string]*bucket
	limits     limits
	inflight   int
}

type limits struct {
	rate        int // per bucket per window; 0 = off
	window      time.Duration
	concurrency int // 0 = off
	searchLag   time.Duration
	ruleLag     time.Duration // how long group rules take to move users (ruleeval.go)
}

// Option configures a Server.
type Option func(*options)

type options struct {
	limits limits
	token  string
	addr   string
	tls    bool
}

// WithRateLimit makes every bucket answer 429 E0000047 once perBucket
// requests arrived within the current window (Okta's window is a minute).
// perBucket <= 0 turns the limit off, which is the default.
func WithRateLimit(perBucket int, window time.Duration) Option {
	return func(o *options) {
		o.limits.rate = perBucket
		if window > 0 {
			o.limits.window = window
		}
	}
}

// WithConcurrencyLimit makes the org answer 429 E0000047 while more than n
// API requests are in flight. n <= 0 turns the limit off (the default).
func WithConcurrencyLimit(n int) Option {
	return func(o *options) { o.limits.concurrency = n }
}

// WithDeveloperOrgLimits applies a free developer org's limits: 100
// requests per minute per bucket and 15 concurrent requests.
func WithDeveloperOrgLimits() Option {
	return func(o *options) {
		o.limits.rate = DeveloperOrgRateLimit
		o.limits.window = time.Minute
		o.limits.concurrency = DeveloperOrgConcurrency
	}
}

// WithSearchLag delays how soon writes show up in list results that use
// search or q, as Okta's eventually consistent search index does. Reads by
// ID, filter and unfiltered lists are never stale.
func WithSearchLag(d time.Duration) Option {
	return func(o *options) { o.limits.searchLag = d }
}

// WithToken sets the full-rights API token instead of a random one.
func WithToken(token string) Option {
	return func(o *options) { o.token = token }
}

// WithTLS serves https with a self-signed certificate, like
// httptest.NewTLSServer; Client returns an *http.Client that trusts it.
func WithTLS() Option {
	return func(o *options) { o.tls = true }
}

// WithAddr sets the listen address (default 127.0.0.1:0, a free port).
func WithAddr(addr string) Option {
	return func(o *options) { o.addr = addr }
}

// NewServer starts a fake org holding only the built-in Everyone group. It
// panics if it cannot listen, like httptest.NewServer.
func NewServer(opts ...Option) *Server {
	o := options{limits: limits{window: time.Minute}, addr: "127.0.0.1:0"}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{
		groups:  map[string]*group{},
		names:   map[string]string{},
		rules:   map[string]*rule{},
		schema:  newGroupSchema(),
		tokens:  map[string]grant{},
		apps:    map[string]*ServiceApp{},
		usedJTI: map[string]time.Time{},
		buckets: map[string]*bucket{},
		limits:  o.limits,
	}
	s.index.entries = map[string]Group{}
	s.token = o.token
	if s.token == "" {
		s.token = "00" + randomString(40)
	}
	s.tokens[s.token] = grant{kind: "SSWS", scopes: scopeSet(AllScopes)}

	now := time.Now().UTC()
	everyone := &group{
		id: newID("00g"), typ: TypeBuiltIn, name: "Everyone",
		description: ptr("All users in your organization"), attrs: map[string]any{},
		created: now, updated: now, membershipUpdated: now,
	}
	s.putGroup(everyone)
	s.everyoneID = everyone.id
	s.index.entries[everyone.id] = everyone.snapshot()
	s.people() // the org's admin, whom the API token belongs to (users.go)

	l, err := net.Listen("tcp", o.addr)
	if err != nil {
		panic(fmt.Sprintf("oktatest: listening on %s: %v", o.addr, err))
	}
	// Connection-level noise (TLS handshakes a test refused on purpose)
	// stays out of test output.
	quiet := log.New(io.Discard, "", 0)
	s.listener = faultnet.Wrap(l)
	s.srv = &httptest.Server{Listener: s.listener, Config: &http.Server{Handler: s, ErrorLog: quiet}}
	if o.tls {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down and waits for running requests.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Client returns an HTTP client for the server; with WithTLS it trusts the
// server's certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Token is an API token (use it as "SSWS <token>") with every scope.
func (s *Server) Token() string { return s.token }

// EveryoneID is the ID of the built-in Everyone group.
func (s *Server) EveryoneID() string { return s.everyoneID }

// AddToken registers another API token limited to the given scopes, for
// example only ScopeGroupsRead for a read-only admin.
func (s *Server) AddToken(token string, scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[token] = grant{kind: "SSWS", scopes: scopeSet(scopes)}
}

// SetRateLimit changes the per-bucket limit and window at run time and
// starts fresh windows. perBucket <= 0 turns it off.
func (s *Server) SetRateLimit(perBucket int, window time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.rate = perBucket
	if window > 0 {
		s.limits.window = window
	}
	for _, b := range s.buckets {
		b.windowStart = time.Time{}
		b.used = 0
	}
}

// SetConcurrencyLimit changes the concurrent-request limit; <= 0 is off.
func (s *Server) SetConcurrencyLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.concurrency = n
}

// SetSearchLag changes how far search results trail writes.
func (s *Server) SetSearchLag(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits.searchLag = d
}

// ServeHTTP serves Okta's API and, under /__admin/, the fake's controls.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/__admin/") {
		s.serveAdmin(w, r)
		return
	}
	s.serveAPI(w, r)
}

type grant struct {
	kind   string // "SSWS" or "Bearer"
	scopes map[string]bool
	expiry time.Time // zero for API tokens
}

func (g grant) allows(scope string) bool {
	if g.scopes[scope] {
		return true
	}
	switch scope {
	case ScopeGroupsRead:
		return g.scopes[ScopeGroupsManage]
	case ScopeSchemasRead:
		return g.scopes[ScopeSchemasManage]
	case ScopeUsersRead:
		return g.scopes[ScopeUsersManage]
	}
	return false
}

func scopeSet(scopes []string) map[string]bool {
	m := map[string]bool{}
	for _, sc := range scopes {
		m[sc] = true
	}
	return m
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// newID makes a 20-character Okta-style ID with the given 3-letter prefix
// (00g groups, 0pr rules).
func newID(prefix string) string { return prefix + randomString(20-len(prefix)) }

func ptr[T any](v T) *T { return &v }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
