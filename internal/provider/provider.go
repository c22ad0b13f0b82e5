// Package provider is the Terraform layer of the sanityokta provider: schemas, plan modifiers, validators and
// diagnostics. Decisions about groups and documents live in internal/access.
package provider

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/backend"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

var _ provider.Provider = &SanityOktaProvider{}

// SanityOktaProvider is the provider implementation.
type SanityOktaProvider struct {
	version string
	getenv  func(string) string
	open    func(context.Context, backend.Config) (*access.Service, error)

	// configured is what the last successful Configure made, for the RPCs served outside the framework
	// (see collectionServer).
	configured atomic.Pointer[providerData]
}

// New returns a constructor for the provider at the given version.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &SanityOktaProvider{version: version, getenv: os.Getenv, open: backend.Open}
	}
}

// providerData is what Configure hands to resources and data sources.
type providerData struct {
	service *access.Service
	secrets []string
}

// providerDataFrom is what a resource or data source keeps from its Configure request: nil before the
// provider is configured (Terraform validates before it configures), an error for anything unexpected.
func providerDataFrom(raw any, diags *diag.Diagnostics) *providerData {
	if raw == nil {
		return nil
	}
	data, ok := raw.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data", fmt.Sprintf("expected *providerData, got %T; this is a bug in the provider", raw))
		return nil
	}
	return data
}

// logContext masks every credential in log lines written with ctx. Each RPC gets a fresh context, so every
// resource and data source method calls it first.
func (d *providerData) logContext(ctx context.Context) context.Context {
	if d == nil || len(d.secrets) == 0 {
		return ctx
	}
	return tflog.MaskLogStrings(ctx, d.secrets...)
}

func (p *SanityOktaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "sanityokta"
	resp.Version = p.version
}

func (p *SanityOktaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Turns editorial access rules in Sanity documents into Okta groups: one group per " +
			"document, with the group's ID written back into the document. Every setting can also come from " +
			"its environment variable.",
		Attributes: map[string]schema.Attribute{
			"group_name_prefix": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Ownership guard: the provider creates, adopts, renames or deletes only groups whose " +
					"names start with this prefix. Defaults to `content:`. An empty string turns the name rule off " +
					"(with a warning); the type and admin-privilege rules always apply.",
			},
			"deletion_limit": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many Okta groups one run may delete. A plan that deletes more fails at plan " +
					"time, before anything is deleted, and an apply stops deleting at the limit. Destroys and " +
					"replacements count; resources with `on_destroy = \"keep\"` do not. Defaults to 10; `0` allows no " +
					"deletion. Raise it for an intended `terraform destroy`. Environment variable: " +
					"`SANITYOKTA_DELETION_LIMIT`.",
			},
		},
		Blocks: map[string]schema.Block{
			"sanity": schema.SingleNestedBlock{
				MarkdownDescription: "The Sanity Content Lake holding the access-controlled documents.",
				Attributes: map[string]schema.Attribute{
					"project_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Sanity project ID. Environment variable: `SANITY_PROJECT_ID`.",
					},
					"dataset": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Dataset name, e.g. `production`. Environment variable: `SANITY_DATASET`.",
					},
					"token": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "API token that can read and write the dataset (drafts and release versions " +
							"included). Environment variable: `SANITY_API_TOKEN`.",
					},
					"api_version": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Dated Content Lake API version, `YYYY-MM-DD`, at least `2025-02-19`. " +
							"Defaults to `" + sanity.DefaultAPIVersion + "` (pinned, never today's date). " +
							"Environment variable: `SANITY_API_VERSION`.",
						Validators: []validator.String{apiVersionValidator{}},
					},
					"api_host": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Base URL of the Content Lake API. Defaults to `https://<project_id>.api.sanity.io`. " +
							"Plain `http://` is accepted only for loopback hosts, such as the local stack. " +
							"Environment variable: `SANITY_API_HOST`.",
						Validators: []validator.String{endpointValidator{}},
					},
				},
			},
			"okta": schema.SingleNestedBlock{
				MarkdownDescription: "The Okta org where the groups live. Authenticate with an API token, or with an " +
					"OAuth 2.0 service app (`client_id`, `private_key`, `private_key_id`, `scopes`).",
				Attributes: map[string]schema.Attribute{
					"org_url": schema.StringAttribute{
						Optional: true,
						MarkdownDescription: "Okta org URL, e.g. `https://dev-123.okta.com`. Plain `http://` is accepted " +
							"only for loopback hosts. Environment variable: `OKTA_ORG_URL`.",
						Validators: []validator.String{endpointValidator{}},
					},
					"api_token": schema.StringAttribute{
						Optional:            true,
						Sensitive:           true,
						MarkdownDescription: "Okta API token (SSWS). Environment variable: `OKTA_API_TOKEN`.",
						Validators: []validator.String{
							stringvalidator.ConflictsWith(pathExpr("okta", "client_id")),
						},
					},
					"client_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Client ID of an OAuth 2.0 service app. Environment variable: `OKTA_CLIENT_ID`.",
					},
					"private_key": schema.StringAttribute{
						Optional:  true,
						Sensitive: true,
						MarkdownDescription: "PEM private key (PKCS#1 or PKCS#8 RSA) of the service app. " +
							"Environment variable: `OKTA_PRIVATE_KEY`.",
					},
					"private_key_id": schema.StringAttribute{
						Optional:            true,
						MarkdownDescription: "Key ID (`kid`) of the private key. Environment variable: `OKTA_PRIVATE_KEY_ID`.",
					},
					"scopes": schema.ListAttribute{
						Optional:    true,
						ElementType: types.StringType,
						MarkdownDescription: "OAuth scopes to request. Defaults to `okta.groups.manage` and `okta.groups.read`. " +
							"Environment variable: `OKTA_SCOPES` (comma-separated).",
					},
					"max_retries":    maxRetriesAttribute(),
					"max_retry_wait": maxRetryWaitAttribute(),
				},
			},
		},
	}
}

func (p *SanityOktaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, diags := resolveConfig(ctx, m, p.getenv)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	userAgent := "terraform-provider-sanityokta/" + p.version
	cfg.Sanity.UserAgent, cfg.Okta.UserAgent = userAgent, userAgent
	data := &providerData{secrets: cfg.Secrets()}
	ctx = data.logContext(ctx)
	tflog.Debug(ctx, "configuring clients", map[string]any{
		"sanity_project_id": cfg.Sanity.ProjectID, "sanity_dataset": cfg.Sanity.Dataset,
		"sanity_api_version": cfg.Sanity.APIVersion, "okta_org_url": cfg.Okta.OrgURL,
		"group_name_prefix": cfg.Options.GroupNamePrefix,
	})
	svc, err := p.open(ctx, cfg)
	if err != nil {
		resp.Diagnostics.AddError("Cannot configure the sanityokta provider", err.Error())
		return
	}
	sanityErr, oktaErr := svc.CheckCredentials(ctx)
	if sanityErr != nil {
		resp.Diagnostics.AddAttributeError(path.Root("sanity"), "Cannot read the Sanity dataset", sanityErr.Error())
	}
	if oktaErr != nil {
		resp.Diagnostics.AddAttributeError(path.Root("okta"), "Cannot read the Okta org", oktaErr.Error())
	}
	if resp.Diagnostics.HasError() {
		return
	}
	data.service = svc
	resp.DataSourceData = data
	resp.ResourceData = data
	p.configured.Store(data)
}

func (p *SanityOktaProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{NewDocumentGroupResource, NewDocumentGroupsResource, NewDocumentLinkResource, NewGroupRuleResource}
}

func (p *SanityOktaProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{NewDocumentsDataSource}
}
