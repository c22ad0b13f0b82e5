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

	"github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"
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

// The limits of Okta's free developer org (DeveloperOrgLimits).
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
	admin    http.Handler
	faults   fakes.Faults
	log      *fakes.Log[Request]

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
	buckets    map[string]*bucket
	limits     Limits
	inflight   int
	oidc       *oidcState // the OIDC provider (oidc.go), made on first use
}

// Limits are the org's rate and concurrency limits and how far its search index trails writes. The
// zero value is no limits and no lag.
type Limits struct {
	// Rate makes every bucket answer 429 E0000047 once this many requests arrived within the current
	// Window; 0 is no limit.
	Rate int
	// Window is the rate limit's window; 0 means a minute, Okta's window.
	Window time.Duration
	// Concurrency makes the org answer 429 E0000047 while more than this many API requests are in
	// flight; 0 is no limit.
	Concurrency int
	// SearchLag delays how soon writes show up in list results that use search or q, as Okta's
	// eventually consistent search index does. Reads by ID, filter and unfiltered lists are never
	// stale.
	SearchLag time.Duration
	// RuleLag is how long group rules take to move users after a change (ruleeval.go).
	RuleLag time.Duration
}

// DeveloperOrgLimits are a free developer org's limits: 100 requests per minute per bucket and 15
// concurrent requests.
func DeveloperOrgLimits() Limits {
	return Limits{Rate: DeveloperOrgRateLimit, Window: time.Minute, Concurrency: DeveloperOrgConcurrency}
}

func (l Limits) normalised() Limits {
	l.Rate, l.Concurrency = max(l.Rate, 0), max(l.Concurrency, 0)
	if l.Window <= 0 {
		l.Window = time.Minute
	}
	l.SearchLag = max(l.SearchLag, 0)
	l.RuleLag = max(l.RuleLag, 0)
	return l
}

// Option configures a Server.
type Option func(*options)

type options struct {
	limits Limits
	token  string
	addr   string
	tls    bool
}

// WithLimits sets the non-zero fields of l; the others keep their values (by default, no limits and no
// lag), so WithLimits(Limits{SearchLag: time.Second}) after another WithLimits adds a lag to its rate
// limit. A negative value turns that limit off. SetLimits changes them while the org runs.
func WithLimits(l Limits) Option {
	return func(o *options) {
		if l.Rate != 0 {
			o.limits.Rate = l.Rate
		}
		if l.Window != 0 {
			o.limits.Window = l.Window
		}
		if l.Concurrency != 0 {
			o.limits.Concurrency = l.Concurrency
		}
		if l.SearchLag != 0 {
			o.limits.SearchLag = l.SearchLag
		}
		if l.RuleLag != 0 {
			o.limits.RuleLag = l.RuleLag
		}
	}
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
	o := options{addr: "127.0.0.1:0"}
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
		limits:  o.limits.normalised(),
		log:     fakes.NewLog(func(r Request) (string, string) { return r.Method, r.Path }),
	}
	s.admin = fakes.Admin("oktatest", s.adminRoutes())
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

// Limits returns the org's limits.
func (s *Server) Limits() Limits {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.limits
}

// SetLimits changes the org's limits while it runs and starts fresh rate-limit windows.
func (s *Server) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l.normalised()
	for _, b := range s.buckets {
		b.windowStart = time.Time{}
		b.used = 0
	}
}

// ServeHTTP serves Okta's API and, under /__admin/, the fake's controls.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, fakes.AdminPrefix) {
		s.admin.ServeHTTP(w, r)
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
