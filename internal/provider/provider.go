// Package provider is the Terraform layer of the sanityokta provider: schemas, plan modifiers, validators and
// diagnostics. Decisions about groups and documents live in internal/access.
package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var _ provider.Provider = &SanityOktaProvider{}

// SanityOktaProvider is the provider implementation.
type SanityOktaProvider struct {
	version string
}

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider { return &SanityOktaProvider{version: version} }
}

func (p *SanityOktaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "sanityokta"
	resp.Version = p.version
}

func (p *SanityOktaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Turns editorial access rules in Sanity documents into Okta groups.",
	}
}

func (p *SanityOktaProvider) Configure(_ context.Context, _ provider.ConfigureRequest, _ *provider.ConfigureResponse) {
}

func (p *SanityOktaProvider) Resources(_ context.Context) []func() resource.Resource { return nil }

func (p *SanityOktaProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return nil
}
