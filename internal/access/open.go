package access

import (
	"context"
	"fmt"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

// Open builds the Okta and Content Lake clients from cfg and returns a Service over them. It makes no
// request. Endpoints are checked first, so no credential is ever sent over plain http to a remote host.
func Open(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Sanity.APIHost != "" {
		if err := CheckEndpoint(cfg.Sanity.APIHost); err != nil {
			return nil, fmt.Errorf("Sanity API host: %w", err)
		}
	}
	if err := CheckEndpoint(cfg.Okta.OrgURL); err != nil {
		return nil, fmt.Errorf("Okta org URL: %w", err)
	}
	sc, err := sanity.New(sanity.Config{
		ProjectID:  cfg.Sanity.ProjectID,
		Dataset:    cfg.Sanity.Dataset,
		Token:      cfg.Sanity.Token,
		APIVersion: cfg.Sanity.APIVersion,
		APIHost:    cfg.Sanity.APIHost,
		UserAgent:  cfg.UserAgent,
	})
	if err != nil {
		return nil, fmt.Errorf("configuring the Content Lake client: %w", err)
	}
	oc, err := okta.New(ctx, okta.Config{
		OrgURL:       cfg.Okta.OrgURL,
		APIToken:     cfg.Okta.APIToken,
		ClientID:     cfg.Okta.ClientID,
		PrivateKey:   cfg.Okta.PrivateKey,
		PrivateKeyID: cfg.Okta.PrivateKeyID,
		Scopes:       cfg.Okta.Scopes,
		UserAgent:    cfg.UserAgent,
	})
	if err != nil {
		return nil, fmt.Errorf("configuring the Okta client: %w", err)
	}
	return NewService(OktaDirectory{Client: oc}, SanityContentLake{Client: sc}, cfg.Options), nil
}
