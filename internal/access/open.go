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
	content, err := NewSanityContentLake(cfg.Sanity, cfg.UserAgent)
	if err != nil {
		return nil, err
	}
	groups, err := NewOktaDirectory(ctx, cfg.Okta, cfg.UserAgent)
	if err != nil {
		return nil, err
	}
	return NewService(groups, content, cfg.Options), nil
}

// NewSanityContentLake builds a Content Lake client from cfg.
func NewSanityContentLake(cfg SanityConfig, userAgent string) (SanityContentLake, error) {
	if cfg.APIHost != "" {
		if err := CheckEndpoint(cfg.APIHost); err != nil {
			return SanityContentLake{}, fmt.Errorf("sanity API host: %w", err)
		}
	}
	c, err := sanity.New(sanity.Config{
		ProjectID:  cfg.ProjectID,
		Dataset:    cfg.Dataset,
		Token:      cfg.Token,
		APIVersion: cfg.APIVersion,
		APIHost:    cfg.APIHost,
		UserAgent:  userAgent,
	})
	if err != nil {
		return SanityContentLake{}, fmt.Errorf("configuring the Content Lake client: %w", err)
	}
	return SanityContentLake{Client: c}, nil
}

// NewOktaDirectory builds an Okta client from cfg.
func NewOktaDirectory(ctx context.Context, cfg OktaConfig, userAgent string) (OktaDirectory, error) {
	if err := CheckEndpoint(cfg.OrgURL); err != nil {
		return OktaDirectory{}, fmt.Errorf("okta org URL: %w", err)
	}
	c, err := okta.New(ctx, okta.Config{
		OrgURL:       cfg.OrgURL,
		APIToken:     cfg.APIToken,
		ClientID:     cfg.ClientID,
		PrivateKey:   cfg.PrivateKey,
		PrivateKeyID: cfg.PrivateKeyID,
		Scopes:       cfg.Scopes,
		UserAgent:    userAgent,
		MaxRetries:   cfg.MaxRetries,
		MaxRetryWait: cfg.MaxRetryWait,
	})
	if err != nil {
		return OktaDirectory{}, fmt.Errorf("configuring the Okta client: %w", err)
	}
	return OktaDirectory{Client: c}, nil
}
