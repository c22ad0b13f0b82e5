package access

import (
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
)

// Defaults of OktaConfig.MaxRetries and MaxRetryWait.
const (
	DefaultOktaMaxRetries   = okta.DefaultMaxRetries
	DefaultOktaMaxRetryWait = okta.DefaultMaxRetryWait
)

// SanityConfig is how to reach the Content Lake.
type SanityConfig struct {
	ProjectID  string
	Dataset    string
	Token      string
	APIVersion string
	// APIHost is a whole base URL such as http://127.0.0.1:PORT; empty means Sanity's own host.
	APIHost string
}

// OktaConfig is how to reach the Okta org: an API token (SSWS), or an OAuth 2.0 service app with a
// private key (private_key_jwt).
type OktaConfig struct {
	OrgURL       string
	APIToken     string
	ClientID     string
	PrivateKey   string
	PrivateKeyID string
	Scopes       []string
	// MaxRetries and MaxRetryWait bound the retries of one request after a transient failure (see
	// okta.Config): zero means the client's default, a negative MaxRetries turns retries off.
	MaxRetries   int
	MaxRetryWait time.Duration
}

// Config is everything Open needs.
type Config struct {
	Sanity  SanityConfig
	Okta    OktaConfig
	Options Options
	// UserAgent names the caller, e.g. "terraform-provider-sanityokta/1.2.3".
	UserAgent string
}

// Secrets returns the credentials in c, for log masking.
func (c Config) Secrets() []string {
	var out []string
	for _, s := range []string{c.Sanity.Token, c.Okta.APIToken, c.Okta.PrivateKey} {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
