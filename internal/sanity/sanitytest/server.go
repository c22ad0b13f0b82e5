// Package sanitytest is an in-memory Sanity Content Lake for tests and the local stack, in the manner of
// net/http/httptest: NewServer starts a real HTTP server on 127.0.0.1 that speaks the Content Lake wire
// protocol (queries, mutations, the doc endpoint, actions, webhooks), with a Go API to seed and inspect
// documents, act as an editor, inject faults and count requests. The same controls are served over HTTP
// under /__admin/ for programs outside the test process.
//
// Queries, query-selected mutations and webhook filters are evaluated with internal/groq.
//
// Where the real service's exact answer is undocumented (error item types for conflicts and missing
// documents, the status of a patch on a missing document, the idempotency-key format), the fake picks a
// plausible answer and keeps to the documented wording, so that callers key on status codes and the
// documented error types. It does not implement the listener (/data/listen), assets, the CDN host,
// diffMatchPatch patches, transaction webhooks, projects, users or dataset management.
package sanitytest

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/faultnet"
)

// Role is what a token may do.
type Role string

const (
	// RoleRead may query and read every document, drafts and versions included, but not write.
	RoleRead Role = "read"
	// RoleWrite may also mutate, run actions and manage webhooks.
	RoleWrite Role = "write"
)

// Default limits, as documented for the real service.
const (
	DefaultMutationsPerSecond  = 25
	DefaultRequestsPerSecond   = 500
	DefaultMaxMutationBodySize = 4 << 20
	DefaultMaxRequestBodySize  = 100 << 20
)

// Server is a fake Content Lake holding one project and one dataset.
type Server struct {
	// URL is the base URL, such as http://127.0.0.1:54321; give it to a client as its API host.
	URL string

	httpServer *httptest.Server
	listener   *faultnet.Listener
	cfg        config

	mu           sync.Mutex
	docs         map[string]map[string]any
	sorted       []any // documents ordered by _id; nil when stale
	generation   int64
	transactions map[string]bool
	faults       []*Fault
	requests     []Request
	limiter      *rateLimiter
	hooks        *hookRegistry
}

type config struct {
	projectID, dataset     string
	tokens                 map[string]Role
	readToken, writeToken  string
	mutationsPerSecond     int
	requestsPerSecond      int
	maxMutationBody        int64
	maxRequestBody         int64
	now                    func() time.Time
	webhookClient          *http.Client
	webhookRetryBase       time.Duration
	webhookRetryFor        time.Duration
	maxSteps               int
	anonymousReadsDisabled bool
	addr                   string
}

// Option configures a Server.
type Option func(*config)

// WithProject sets the project ID and dataset name (defaults "sanitytest" and "production").
func WithProject(projectID, dataset string) Option {
	return func(c *config) { c.projectID, c.dataset = projectID, dataset }
}

// WithToken accepts token with the given role, in addition to the generated read and write tokens.
func WithToken(token string, role Role) Option {
	return func(c *config) { c.tokens[token] = role }
}

// WithRateLimits sets the per-client limits per second; 0 turns a limit off.
func WithRateLimits(mutationsPerSecond, requestsPerSecond int) Option {
	return func(c *config) { c.mutationsPerSecond, c.requestsPerSecond = mutationsPerSecond, requestsPerSecond }
}

// WithBodyLimits sets the largest accepted mutation body and any other request body, in bytes.
func WithBodyLimits(mutation, other int64) Option {
	return func(c *config) { c.maxMutationBody, c.maxRequestBody = mutation, other }
}

// WithClock makes the server read the time from now: _createdAt, _updatedAt, now() and webhook
// timestamps. Rate-limit windows always use the wall clock.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithWebhookClient sets the HTTP client that delivers webhooks (default: 30 s timeout, like the real
// service).
func WithWebhookClient(client *http.Client) Option {
	return func(c *config) { c.webhookClient = client }
}

// WithWebhookRetry sets the first back-off between delivery attempts and how long a delivery is retried
// (the real service: exponential back-off for 30 minutes).
func WithWebhookRetry(base, giveUpAfter time.Duration) Option {
	return func(c *config) { c.webhookRetryBase, c.webhookRetryFor = base, giveUpAfter }
}

// WithMaxSteps caps the evaluation work of one query (see groq.Env.MaxSteps).
func WithMaxSteps(n int) Option {
	return func(c *config) { c.maxSteps = n }
}

// WithAddr listens on addr, a loopback host and port such as "127.0.0.1:4001", instead of a free port.
// NewServer panics if it cannot listen there, like httptest.NewServer.
func WithAddr(addr string) Option {
	return func(c *config) { c.addr = addr }
}

// WithPrivateDataset refuses requests without a token (401), as a private dataset does for queries that
// need a session. By default the dataset is public: anonymous callers see published documents only.
func WithPrivateDataset() Option {
	return func(c *config) { c.anonymousReadsDisabled = true }
}

// NewServer starts a fake Content Lake on 127.0.0.1 (a free port unless WithAddr says otherwise). Close it
// when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		projectID:          "sanitytest",
		dataset:            "production",
		tokens:             map[string]Role{},
		readToken:          "sk-read-" + randomHex(16),
		writeToken:         "sk-write-" + randomHex(16),
		mutationsPerSecond: DefaultMutationsPerSecond,
		requestsPerSecond:  DefaultRequestsPerSecond,
		maxMutationBody:    DefaultMaxMutationBodySize,
		maxRequestBody:     DefaultMaxRequestBodySize,
		now:                time.Now,
		webhookClient:      &http.Client{Timeout: 30 * time.Second},
		webhookRetryBase:   time.Second,
		webhookRetryFor:    30 * time.Minute,
	}
	for _, o := range opts {
		o(&cfg)
	}
	cfg.tokens[cfg.readToken] = RoleRead
	cfg.tokens[cfg.writeToken] = RoleWrite

	s := &Server{
		cfg:          cfg,
		docs:         map[string]map[string]any{},
		transactions: map[string]bool{},
		limiter:      newRateLimiter(),
	}
	s.hooks = newHookRegistry(s)
	s.httpServer = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if cfg.addr != "" {
		host, _, err := net.SplitHostPort(cfg.addr)
		if ip := net.ParseIP(host); err != nil || (host != "localhost" && (ip == nil || !ip.IsLoopback())) {
			panic(fmt.Sprintf("sanitytest: address %q is not a loopback host:port", cfg.addr))
		}
		l, err := net.Listen("tcp", cfg.addr)
		if err != nil {
			panic(fmt.Sprintf("sanitytest: listening on %s: %v", cfg.addr, err))
		}
		_ = s.httpServer.Listener.Close()
		s.httpServer.Listener = l
	}
	s.listener = faultnet.Wrap(s.httpServer.Listener)
	s.httpServer.Listener = s.listener
	s.httpServer.Start()
	s.URL = s.httpServer.URL
	return s
}

// Close shuts the server down and stops webhook delivery.
func (s *Server) Close() {
	s.hooks.close()
	s.httpServer.Close()
}

// ProjectID is the project the server answers for.
func (s *Server) ProjectID() string { return s.cfg.projectID }

// Dataset is the dataset name to use in request paths.
func (s *Server) Dataset() string { return s.cfg.dataset }

// ReadToken is a token with RoleRead.
func (s *Server) ReadToken() string { return s.cfg.readToken }

// WriteToken is a token with RoleWrite.
func (s *Server) WriteToken() string { return s.cfg.writeToken }

// Reset empties the dataset, the transaction log, webhooks, faults, the request log and rate-limit
// counters. Tokens and options stay.
func (s *Server) Reset() {
	s.hooks.reset()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs = map[string]map[string]any{}
	s.sorted = nil
	s.generation++
	s.transactions = map[string]bool{}
	s.faults = nil
	s.requests = nil
	s.limiter = newRateLimiter()
}

func (s *Server) now() time.Time { return s.cfg.now().UTC() }

// snapshotLocked returns every document ordered by _id. The slice and the documents must not be changed.
func (s *Server) snapshotLocked() []any {
	if s.sorted == nil {
		ids := make([]string, 0, len(s.docs))
		for id := range s.docs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		s.sorted = make([]any, len(ids))
		for i, id := range ids {
			s.sorted[i] = s.docs[id]
		}
	}
	return s.sorted
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("sanitytest: reading random bytes: %v", err))
	}
	return hex.EncodeToString(b)
}

const idAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// newID returns a random 22-character ID like the ones the Content Lake gives transactions and documents.
func newID() string {
	b := make([]byte, 22)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("sanitytest: reading random bytes: %v", err))
	}
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

func formatTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// isDraftID and friends classify document IDs by their path prefix.
func isDraftID(id string) bool   { return strings.HasPrefix(id, "drafts.") }
func isVersionID(id string) bool { return strings.HasPrefix(id, "versions.") }

// publishedID strips drafts. or versions.<release>. from id.
func publishedID(id string) string {
	switch {
	case isDraftID(id):
		return strings.TrimPrefix(id, "drafts.")
	case isVersionID(id):
		rest := strings.TrimPrefix(id, "versions.")
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			return rest[i+1:]
		}
	}
	return id
}
