// Package devstack runs the fake Okta org (oktatest) and the fake Content Lake (sanitytest) together as
// one local stack, seeded from NDJSON, for people trying the provider, for users' own offline tests and
// for end-to-end runs and benchmarks of this repository.
//
// A stack listens on loopback only. Env returns the six environment variables that point the provider
// at it; everything else (seeding more documents, acting as an editor, drift, faults, request counts) goes
// through the two fakes, either with their Go API (Stack.Sanity, Stack.Okta) or over HTTP under
// /__admin/ on their URLs.
package devstack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// The environment variables the provider reads, in the order Env's export lines are written.
const (
	EnvSanityAPIHost   = "SANITY_API_HOST"
	EnvSanityProjectID = "SANITY_PROJECT_ID"
	EnvSanityDataset   = "SANITY_DATASET"
	EnvSanityAPIToken  = "SANITY_API_TOKEN"
	EnvOktaOrgURL      = "OKTA_ORG_URL"
	EnvOktaAPIToken    = "OKTA_API_TOKEN"
)

// EnvNames lists the variables of Stack.Env in a stable order.
var EnvNames = []string{
	EnvSanityAPIHost, EnvSanityProjectID, EnvSanityDataset, EnvSanityAPIToken, EnvOktaOrgURL, EnvOktaAPIToken,
}

// Defaults of Options.
const (
	DefaultProjectID      = "devstack"
	DefaultDataset        = "production"
	DefaultOktaRateWindow = time.Minute
)

// Options configure Start. The zero value is an empty dataset, no Okta rate limits and free ports.
type Options struct {
	// Seed is read as NDJSON, one document per line (the data.ndjson of `sanity dataset export`).
	// SeedFile names such a file instead. Setting both is an error; setting neither starts empty
	// (QuickstartContent returns the quickstart's content).
	Seed     io.Reader
	SeedFile string
	// SeedName names Seed in logs and errors ("seed" when empty).
	SeedName string

	// Users seeds the fake org with people, one oktatest.User as JSON per line (QuickstartUsers returns
	// the quickstart's); UsersFile names such a file instead. Setting both is an error; neither starts
	// with only the org's admin.
	Users     io.Reader
	UsersFile string

	// OktaRateLimit makes the fake org answer 429 as a real org would; the zero value is off.
	OktaRateLimit RateLimit
	// OktaRateWindow is the length of a rate-limit window; Okta's is a minute (the default). Tests
	// shorten it so that a window ends within the test.
	OktaRateWindow time.Duration

	// SanityPort and OktaPort fix the loopback ports; 0 picks free ones.
	SanityPort, OktaPort int

	// ProjectID and Dataset name the Content Lake's project and dataset (DefaultProjectID,
	// DefaultDataset when empty).
	ProjectID, Dataset string
	// SanityToken and OktaToken fix the tokens the stack accepts with full rights; empty generates
	// random ones, which is what a stack shared on a machine should do.
	SanityToken, OktaToken string

	// SanityOptions and OktaOptions are passed to the fakes after the stack's own, so they win: for
	// example sanitytest.WithLimits for a benchmark, or oktatest.WithLimits with a SearchLag to
	// rehearse Okta's eventually consistent search.
	SanityOptions []sanitytest.Option
	OktaOptions   []oktatest.Option

	// Log receives what the stack does (start, seed, stop with request counts); nil discards it.
	// Tokens are never logged.
	Log *slog.Logger
}

// Stack is a running local stack. Close it when done.
type Stack struct {
	// Sanity is the fake Content Lake and Okta the fake Okta org. Use their Go API to seed, inspect,
	// act as an editor or inject faults.
	Sanity *sanitytest.Server
	Okta   *oktatest.Server

	// SanityURL and OktaURL are where clients reach the fakes.
	SanityURL, OktaURL string

	sanityToken string
	log         *slog.Logger
	closeOnce   sync.Once
}

// TierGroups are groups the fake org starts with, as an org's admins would manage them outside Terraform:
// the access tiers that sanityokta_document_link examples link documents to. Their IDs are fixed so the
// examples run on the local stack as written.
var TierGroups = []oktatest.Group{
	{ID: "00gPartnersTier00001", Name: "Partners", Description: "Partner portal access, managed by the Okta admins"},
	{ID: "00gEmployeesTier0001", Name: "Employees", Description: "Every employee, managed by the Okta admins"},
}

// Start starts both fakes on loopback and seeds the Content Lake. ctx bounds the start only; the stack
// runs until Close.
func Start(ctx context.Context, opts Options) (_ *Stack, err error) {
	seed, err := readSeed(opts)
	if err != nil {
		return nil, err
	}
	users, err := readUsers(opts)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("devstack: not started: %w", err)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	projectID, dataset := opts.ProjectID, opts.Dataset
	if projectID == "" {
		projectID = DefaultProjectID
	}
	if dataset == "" {
		dataset = DefaultDataset
	}
	window := opts.OktaRateWindow
	if window <= 0 {
		window = DefaultOktaRateWindow
	}
	if opts.OktaRateLimit.Requests < 0 || opts.OktaRateLimit.Concurrent < 0 {
		return nil, fmt.Errorf("devstack: Okta rate limit %+v has a negative value; use the zero value for no limit", opts.OktaRateLimit)
	}

	st := &Stack{log: log}
	defer func() {
		if err != nil {
			st.shutdown()
		}
	}()

	oktaOpts := []oktatest.Option{
		oktatest.WithAddr(loopback(opts.OktaPort)),
		oktatest.WithLimits(oktatest.Limits{Rate: opts.OktaRateLimit.Requests, Window: window, Concurrency: opts.OktaRateLimit.Concurrent}),
	}
	if opts.OktaToken != "" {
		oktaOpts = append(oktaOpts, oktatest.WithToken(opts.OktaToken))
	}
	oktaOpts = append(oktaOpts, opts.OktaOptions...)
	if st.Okta, err = startOkta(oktaOpts); err != nil {
		return nil, err
	}
	st.OktaURL = st.Okta.URL
	for _, g := range TierGroups {
		if _, err := st.Okta.AddGroup(g); err != nil {
			return nil, fmt.Errorf("devstack: adding the tier group %q: %w", g.Name, err)
		}
	}
	usersName := opts.UsersFile
	if usersName == "" {
		usersName = "users"
	}
	seededUsers, err := seedUsers(st.Okta, users, usersName)
	if err != nil {
		return nil, err
	}

	sanityOpts := []sanitytest.Option{sanitytest.WithProject(projectID, dataset)}
	if opts.SanityPort != 0 {
		sanityOpts = append(sanityOpts, sanitytest.WithAddr(loopback(opts.SanityPort)))
	}
	if opts.SanityToken != "" {
		sanityOpts = append(sanityOpts, sanitytest.WithToken(opts.SanityToken, sanitytest.RoleWrite))
		st.sanityToken = opts.SanityToken
	}
	if st.Sanity, err = startSanity(append(sanityOpts, opts.SanityOptions...)); err != nil {
		return nil, err
	}
	if st.sanityToken == "" {
		st.sanityToken = st.Sanity.WriteToken()
	}
	st.SanityURL = st.Sanity.URL

	if seed != nil {
		if err := st.Sanity.SeedNDJSON(bytes.NewReader(seed)); err != nil {
			return nil, fmt.Errorf("devstack: seeding the Content Lake from %s: %w; fix the file (one JSON document with _id and _type per line)", seedName(opts), err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("devstack: not started: %w", err)
	}

	log.Info("fake Content Lake listening", "url", st.SanityURL, "project", projectID, "dataset", dataset,
		"documents", len(st.Sanity.Documents()), "seed", seedName(opts))
	log.Info("fake Okta org listening", "url", st.OktaURL, "rate_limit", opts.OktaRateLimit.String(), "window", window, "users", seededUsers)
	return st, nil
}

// Env returns the provider's environment variables for this stack: SANITY_API_HOST,
// SANITY_PROJECT_ID, SANITY_DATASET, SANITY_API_TOKEN (a token that may read and write), OKTA_ORG_URL and
// OKTA_API_TOKEN (a token with every scope).
func (s *Stack) Env() map[string]string {
	return map[string]string{
		EnvSanityAPIHost:   s.SanityURL,
		EnvSanityProjectID: s.Sanity.ProjectID(),
		EnvSanityDataset:   s.Sanity.Dataset(),
		EnvSanityAPIToken:  s.sanityToken,
		EnvOktaOrgURL:      s.OktaURL,
		EnvOktaAPIToken:    s.Okta.Token(),
	}
}

// Environ returns Env as NAME=value pairs in EnvNames order, ready to append to an exec.Cmd's Env.
func (s *Stack) Environ() []string {
	env := s.Env()
	out := make([]string, 0, len(EnvNames))
	for _, name := range EnvNames {
		out = append(out, name+"="+env[name])
	}
	return out
}

// WriteExports writes one `export NAME=value` line per variable of Env, in EnvNames order, quoted for
// POSIX shells where needed, so that `. ./file` or `eval "$(...)"` loads them.
func (s *Stack) WriteExports(w io.Writer) error {
	env := s.Env()
	var b strings.Builder
	for _, name := range EnvNames {
		fmt.Fprintf(&b, "export %s=%s\n", name, shellQuote(env[name]))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Close stops both fakes, waiting for requests in flight, and logs how many requests each served.
// Closing twice is harmless.
func (s *Stack) Close() {
	s.closeOnce.Do(func() {
		sanityRequests := len(s.Sanity.Requests())
		var oktaRequests, oktaLimited int
		for _, b := range s.Okta.Buckets() {
			oktaRequests += b.Requests
			oktaLimited += b.RateLimited + b.ConcurrencyLimited
		}
		s.shutdown()
		s.log.Info("local stack stopped", "sanity_requests", sanityRequests,
			"okta_requests", oktaRequests, "okta_rate_limited", oktaLimited)
	})
}

func (s *Stack) shutdown() {
	if s.Sanity != nil {
		s.Sanity.Close()
	}
	if s.Okta != nil {
		s.Okta.Close()
	}
}

// startSanity turns sanitytest.NewServer's panic on a busy port into an error.
func startSanity(opts []sanitytest.Option) (srv *sanitytest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("devstack: the fake Content Lake did not start: %v; pick another port or 0 for a free one", r)
		}
	}()
	return sanitytest.NewServer(opts...), nil
}

// startOkta turns oktatest.NewServer's panic on a busy port into an error.
func startOkta(opts []oktatest.Option) (srv *oktatest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("devstack: the fake Okta org did not start: %v; pick another port or 0 for a free one", r)
		}
	}()
	return oktatest.NewServer(opts...), nil
}

func readSeed(opts Options) ([]byte, error) {
	switch {
	case opts.Seed != nil && opts.SeedFile != "":
		return nil, errors.New("devstack: Options.Seed and Options.SeedFile are both set; set one")
	case opts.Seed != nil:
		b, err := io.ReadAll(opts.Seed)
		if err != nil {
			return nil, fmt.Errorf("devstack: reading the seed: %w", err)
		}
		return b, nil
	case opts.SeedFile != "":
		b, err := os.ReadFile(opts.SeedFile)
		if err != nil {
			return nil, fmt.Errorf("devstack: reading the seed file: %w", err)
		}
		return b, nil
	}
	return nil, nil
}

func seedName(opts Options) string {
	switch {
	case opts.SeedFile != "":
		return opts.SeedFile
	case opts.SeedName != "":
		return opts.SeedName
	case opts.Seed != nil:
		return "seed"
	}
	return "none"
}

func loopback(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// shellQuote leaves words made of safe characters as they are and single-quotes anything else.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.,:/@%+=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
