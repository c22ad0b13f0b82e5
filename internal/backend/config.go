package backend

import (
	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

// Config is everything Open needs. Each client checks its own configuration when it is built.
type Config struct {
	Sanity  sanity.Config
	Okta    okta.Config
	Options access.Options
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
