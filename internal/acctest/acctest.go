// Package acctest is the acceptance-test harness of the sanityokta provider.
//
// By default every test gets its own fake Okta org (oktatest) and fake Content Lake (sanitytest) on
// loopback ports, so tests run offline and in parallel. With SANITYOKTA_ACC_LIVE=1 and the provider's
// environment variables set (OKTA_ORG_URL, OKTA_API_TOKEN, SANITY_PROJECT_ID, SANITY_DATASET,
// SANITY_API_TOKEN, optionally SANITY_API_HOST) the same tests run against a real dev org and dataset.
// Live tests create only `content:tfacc-*` groups and `tfacc-*` documents; the sweepers remove leftovers.
//
// Helpers that seed, inspect or change things behind the provider's back work in both modes: against the
// fakes they use the fakes' Go API, live they use the API clients. Tests that need a control only a fake
// has (fault injection, search lag, rate limits, admin or app groups) call RequireFakes, which skips the
// test in live mode with the reason.
package acctest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// LiveEnvVar turns live mode on when set to 1.
const LiveEnvVar = "SANITYOKTA_ACC_LIVE"

// Name prefixes of everything an acceptance test creates; the sweepers delete what carries them.
const (
	GroupNamePrefix  = "content:tfacc-"
	DocumentIDPrefix = "tfacc-"
)

// liveEnvVars must all be set for live mode.
var liveEnvVars = []string{"OKTA_ORG_URL", "OKTA_API_TOKEN", "SANITY_PROJECT_ID", "SANITY_DATASET", "SANITY_API_TOKEN"}

// Live reports whether acceptance tests run against a real org and dataset.
func Live() bool { return os.Getenv(LiveEnvVar) == "1" }

// Env is one test's world: a Content Lake and an Okta org, and a unique name space inside them.
type Env struct {
	// Sanity and Okta are the fakes; both nil in live mode.
	Sanity *sanitytest.Server
	Okta   *oktatest.Server

	// SanityClient and OktaClient reach the same backends the provider uses (fake or live).
	SanityClient *sanity.Client
	OktaClient   *okta.Client

	// ID is unique per Env; Name and DocID build on it so parallel and repeated runs never collide.
	ID string

	sanityHost, sanityProject, sanityDataset, sanityToken string
	oktaURL, oktaToken                                    string
}

// Options tune the fakes of an Env; they are ignored in live mode.
type Options struct {
	Sanity []sanitytest.Option
	Okta   []oktatest.Option
}

// New returns a fresh Env. The fakes are closed when the test ends.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	e := &Env{ID: randomID()}
	if Live() {
		for _, v := range liveEnvVars {
			if os.Getenv(v) == "" {
				t.Fatalf("%s=1 needs %s to be set (all of %s)", LiveEnvVar, v, strings.Join(liveEnvVars, ", "))
			}
		}
		e.sanityHost = os.Getenv("SANITY_API_HOST")
		e.sanityProject = os.Getenv("SANITY_PROJECT_ID")
		e.sanityDataset = os.Getenv("SANITY_DATASET")
		e.sanityToken = os.Getenv("SANITY_API_TOKEN")
		e.oktaURL = os.Getenv("OKTA_ORG_URL")
		e.oktaToken = os.Getenv("OKTA_API_TOKEN")
	} else {
		var o Options
		for _, x := range opts {
			o.Sanity = append(o.Sanity, x.Sanity...)
			o.Okta = append(o.Okta, x.Okta...)
		}
		e.Sanity = sanitytest.NewServer(o.Sanity...)
		t.Cleanup(e.Sanity.Close)
		e.Okta = oktatest.NewServer(o.Okta...)
		t.Cleanup(e.Okta.Close)
		e.sanityHost = e.Sanity.URL
		e.sanityProject = e.Sanity.ProjectID()
		e.sanityDataset = e.Sanity.Dataset()
		e.sanityToken = e.Sanity.WriteToken()
		e.oktaURL = e.Okta.URL
		e.oktaToken = e.Okta.Token()
	}
	var err error
	e.SanityClient, err = sanity.New(sanity.Config{
		ProjectID: e.sanityProject, Dataset: e.sanityDataset, Token: e.sanityToken, APIHost: e.sanityHost,
		UserAgent: "sanityokta-acctest",
	})
	if err != nil {
		t.Fatalf("building the Content Lake client: %v", err)
	}
	e.OktaClient, err = okta.New(context.Background(), okta.Config{OrgURL: e.oktaURL, APIToken: e.oktaToken, UserAgent: "sanityokta-acctest"})
	if err != nil {
		t.Fatalf("building the Okta client: %v", err)
	}
	return e
}

// RequireFakes skips the test in live mode: it needs a control only the fakes have.
func (e *Env) RequireFakes(t testing.TB, why string) {
	t.Helper()
	if e.Sanity == nil || e.Okta == nil {
		t.Skipf("needs the fake Okta org and Content Lake (%s); skipped in live mode", why)
	}
}

// Name returns a group name inside the acceptance-test prefix, unique to this Env.
func (e *Env) Name(suffix string) string { return GroupNamePrefix + e.ID + "-" + suffix }

// DocID returns a document ID inside the acceptance-test prefix, unique to this Env.
func (e *Env) DocID(suffix string) string { return DocumentIDPrefix + e.ID + "-" + suffix }

// Secrets are the tokens the provider is given, for tests that check they never leak.
func (e *Env) Secrets() []string { return []string{e.sanityToken, e.oktaToken} }

// ProviderConfig is the provider block. Against the fakes it carries their URLs and tokens; live it is
// empty, so the provider reads the environment as users' pipelines do. extra is added inside the block,
// e.g. `group_name_prefix = "content:"`.
func (e *Env) ProviderConfig(extra ...string) string {
	var b strings.Builder
	b.WriteString("provider \"sanityokta\" {\n")
	for _, x := range extra {
		b.WriteString("  " + x + "\n")
	}
	if e.Sanity != nil {
		fmt.Fprintf(&b, "  sanity {\n    project_id = %q\n    dataset    = %q\n    token      = %q\n    api_host   = %q\n  }\n",
			e.sanityProject, e.sanityDataset, e.sanityToken, e.sanityHost)
		fmt.Fprintf(&b, "  okta {\n    org_url   = %q\n    api_token = %q\n  }\n", e.oktaURL, e.oktaToken)
	}
	b.WriteString("}\n")
	return b.String()
}

func randomID() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
