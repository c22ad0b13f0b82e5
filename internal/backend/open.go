package backend

import (
	"context"
	"fmt"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

// Open builds the Okta and Content Lake clients from cfg and returns a Service over them. It makes no
// request; the clients refuse an endpoint that would receive a credential over plain http.
func Open(ctx context.Context, cfg Config) (*access.Service, error) {
	content, err := NewSanityContentLake(cfg.Sanity)
	if err != nil {
		return nil, err
	}
	groups, err := NewOktaDirectory(ctx, cfg.Okta)
	if err != nil {
		return nil, err
	}
	return access.NewService(groups, content, cfg.Options), nil
}

// NewSanityContentLake builds a Content Lake client from cfg.
func NewSanityContentLake(cfg sanity.Config) (SanityContentLake, error) {
	c, err := sanity.New(cfg)
	if err != nil {
		return SanityContentLake{}, fmt.Errorf("configuring the Content Lake client: %w", err)
	}
	return SanityContentLake{Client: c}, nil
}

// NewOktaDirectory builds an Okta client from cfg.
func NewOktaDirectory(ctx context.Context, cfg okta.Config) (OktaDirectory, error) {
	c, err := okta.New(ctx, cfg)
	if err != nil {
		return OktaDirectory{}, fmt.Errorf("configuring the Okta client: %w", err)
	}
	return OktaDirectory{Client: c}, nil
}
