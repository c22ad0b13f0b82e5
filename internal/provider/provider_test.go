package provider

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/backend"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
)

// testAccProtoV6ProviderFactories runs the provider inside the test process; Terraform reattaches to it.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"sanityokta": func() (tfprotov6.ProviderServer, error) { return NewProtocol6Server("test")(), nil },
}

// factoriesWithEnv is a provider that sees only the given environment, so configuration tests do not
// depend on the variables of the machine running them.
func factoriesWithEnv(env map[string]string) map[string]func() (tfprotov6.ProviderServer, error) {
	p := &SanityOktaProvider{version: "test", getenv: func(k string) string { return env[k] }, open: backend.Open}
	return map[string]func() (tfprotov6.ProviderServer, error){
		"sanityokta": func() (tfprotov6.ProviderServer, error) { return newServer(p), nil },
	}
}

func init() {
	resource.AddTestSweepers("sanityokta_document_group", &resource.Sweeper{
		Name: "sanityokta_document_group",
		F:    acctest.SweepGroups,
	})
	resource.AddTestSweepers("sanityokta_documents", &resource.Sweeper{
		Name:         "sanityokta_documents",
		F:            acctest.SweepDocuments,
		Dependencies: []string{"sanityokta_document_group"},
	})
}

func TestMain(m *testing.M) { resource.TestMain(m) }

func TestProviderMetadata(t *testing.T) {
	var resp provider.MetadataResponse
	New("1.2.3")().Metadata(context.Background(), provider.MetadataRequest{}, &resp)
	if resp.TypeName != "sanityokta" || resp.Version != "1.2.3" {
		t.Fatalf("metadata = %q %q, want sanityokta 1.2.3", resp.TypeName, resp.Version)
	}
}

func nullSanity() *sanityBlockModel {
	return &sanityBlockModel{ProjectID: types.StringNull(), Dataset: types.StringNull(), Token: types.StringNull(),
		APIVersion: types.StringNull(), APIHost: types.StringNull()}
}

func nullOkta() *oktaBlockModel {
	return &oktaBlockModel{OrgURL: types.StringNull(), APIToken: types.StringNull(), ClientID: types.StringNull(),
		PrivateKey: types.StringNull(), PrivateKeyID: types.StringNull(), Scopes: types.ListNull(types.StringType)}
}

func TestResolveConfigFromEnvironment(t *testing.T) {
	env := map[string]string{
		"SANITY_PROJECT_ID": "abc123", "SANITY_DATASET": "production", "SANITY_API_TOKEN": "sk-secret",
		"OKTA_ORG_URL": "https://dev-1.okta.com/", "OKTA_API_TOKEN": "00secret",
	}
	cfg, diags := resolveConfig(context.Background(), providerModel{GroupNamePrefix: types.StringNull()}, func(k string) string { return env[k] })
	if diags.HasError() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	if cfg.Sanity.ProjectID != "abc123" || cfg.Sanity.Dataset != "production" || cfg.Sanity.Token != "sk-secret" {
		t.Errorf("sanity config = %+v", cfg.Sanity)
	}
	if cfg.Sanity.APIVersion != sanity.DefaultAPIVersion {
		t.Errorf("api version = %q, want the pinned default %q", cfg.Sanity.APIVersion, sanity.DefaultAPIVersion)
	}
	if cfg.Okta.OrgURL != "https://dev-1.okta.com" {
		t.Errorf("org URL = %q, want the trailing slash trimmed", cfg.Okta.OrgURL)
	}
	if cfg.Options.GroupNamePrefix != "content:" {
		t.Errorf("prefix = %q, want content:", cfg.Options.GroupNamePrefix)
	}
	if got := cfg.Secrets(); len(got) != 2 {
		t.Errorf("secrets = %d values, want both tokens", len(got))
	}
}

func TestResolveConfigPrefersAttributes(t *testing.T) {
	s := nullSanity()
	s.ProjectID = types.StringValue("fromconfig")
	m := providerModel{Sanity: s, Okta: nullOkta(), GroupNamePrefix: types.StringNull()}
	env := map[string]string{"SANITY_PROJECT_ID": "fromenv", "SANITY_DATASET": "d", "SANITY_API_TOKEN": "t",
		"OKTA_ORG_URL": "https://o.okta.com", "OKTA_API_TOKEN": "x"}
	cfg, diags := resolveConfig(context.Background(), m, func(k string) string { return env[k] })
	if diags.HasError() {
		t.Fatalf("unexpected errors: %v", diags)
	}
	if cfg.Sanity.ProjectID != "fromconfig" {
		t.Errorf("project ID = %q, want the attribute to win over the environment", cfg.Sanity.ProjectID)
	}
}

func TestResolveConfigMissingValuesNameAttributeAndVariable(t *testing.T) {
	_, diags := resolveConfig(context.Background(), providerModel{GroupNamePrefix: types.StringNull()}, func(string) string { return "" })
	want := map[string]string{
		"sanity.project_id": "SANITY_PROJECT_ID",
		"sanity.dataset":    "SANITY_DATASET",
		"sanity.token":      "SANITY_API_TOKEN",
		"okta.org_url":      "OKTA_ORG_URL",
		"okta.api_token":    "OKTA_API_TOKEN",
	}
	if len(diags.Errors()) != len(want) {
		t.Errorf("got %d errors, want one per missing value (%d): %v", len(diags.Errors()), len(want), diags)
	}
	for attr, env := range want {
		found := false
		for _, d := range diags.Errors() {
			if strings.Contains(d.Detail(), attr) && strings.Contains(d.Detail(), env) {
				found = true
			}
		}
		if !found {
			t.Errorf("no error names both %s and %s: %v", attr, env, diags)
		}
	}
}

func TestResolveConfigRefusesRemotePlainHTTP(t *testing.T) {
	for _, tc := range []struct {
		name, sanityHost, oktaURL string
		wantErr                   bool
	}{
		{"loopback ipv4", "http://127.0.0.1:8080", "http://127.0.0.5:9", false},
		{"localhost and ipv6", "http://localhost:1", "http://[::1]:2", false},
		{"https anywhere", "https://api.example.com", "https://dev-1.okta.com", false},
		{"remote sanity", "http://api.example.com", "https://dev-1.okta.com", true},
		{"remote okta", "https://api.example.com", "http://dev-1.okta.com", true},
		{"loopback lookalike", "http://127.0.0.1.example.com", "https://dev-1.okta.com", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"SANITY_PROJECT_ID": "p", "SANITY_DATASET": "d", "SANITY_API_TOKEN": "t",
				"SANITY_API_HOST": tc.sanityHost, "OKTA_ORG_URL": tc.oktaURL, "OKTA_API_TOKEN": "x"}
			_, diags := resolveConfig(context.Background(), providerModel{GroupNamePrefix: types.StringNull()}, func(k string) string { return env[k] })
			if diags.HasError() != tc.wantErr {
				t.Fatalf("errors = %v, want error: %v", diags, tc.wantErr)
			}
		})
	}
}

func TestCheckAPIVersion(t *testing.T) {
	for v, ok := range map[string]bool{
		"2025-02-19": true, "2026-01-01": true, "2021-03-25": false, "2025-13-01": false,
		"v2025-02-19": false, "1": false, "X": false, "today": false, "": false,
	} {
		if err := checkAPIVersion(v); (err == nil) != ok {
			t.Errorf("checkAPIVersion(%q) = %v, want ok=%v", v, err, ok)
		}
	}
}

func TestResolveConfigEmptyPrefixWarns(t *testing.T) {
	env := map[string]string{"SANITY_PROJECT_ID": "p", "SANITY_DATASET": "d", "SANITY_API_TOKEN": "t",
		"OKTA_ORG_URL": "https://o.okta.com", "OKTA_API_TOKEN": "x"}
	cfg, diags := resolveConfig(context.Background(), providerModel{GroupNamePrefix: types.StringValue("")}, func(k string) string { return env[k] })
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("diags = %v, want exactly one warning", diags)
	}
	if cfg.Options.GroupNamePrefix != "" {
		t.Errorf("prefix = %q, want empty", cfg.Options.GroupNamePrefix)
	}
}

// Acceptance test 10: configuration errors surface at plan, before any request.
func TestAccProvider_configuration(t *testing.T) {
	dataSource := `
data "sanityokta_documents" "x" {
  filter = "_type == \"handbook\""
}
`
	fullEnv := map[string]string{
		"SANITY_PROJECT_ID": "p", "SANITY_DATASET": "d", "SANITY_API_TOKEN": "t",
		"OKTA_ORG_URL": "https://dev-1.okta.com", "OKTA_API_TOKEN": "x",
	}
	withEnv := func(k, v string) map[string]string {
		out := map[string]string{}
		for a, b := range fullEnv {
			out[a] = b
		}
		out[k] = v
		return out
	}
	cases := []struct {
		name   string
		env    map[string]string
		config string
		want   *regexp.Regexp
	}{
		{
			name:   "missing values",
			env:    map[string]string{},
			config: `provider "sanityokta" {}` + dataSource,
			want:   regexp.MustCompile(`(?s)sanity\.project_id.*SANITY_PROJECT_ID.*`),
		},
		{
			name:   "missing okta token names attribute and variable",
			env:    withEnv("OKTA_API_TOKEN", ""),
			config: `provider "sanityokta" {}` + dataSource,
			want:   regexp.MustCompile(`(?s)okta\.api_token.*OKTA_API_TOKEN`),
		},
		{
			name:   "bad api version in configuration",
			env:    fullEnv,
			config: "provider \"sanityokta\" {\n  sanity {\n    api_version = \"2024-13-45\"\n  }\n}\n" + dataSource,
			want:   regexp.MustCompile(`not a real date`),
		},
		{
			name:   "bad api version in environment",
			env:    withEnv("SANITY_API_VERSION", "today"),
			config: `provider "sanityokta" {}` + dataSource,
			want:   regexp.MustCompile(`not a dated API version`),
		},
		{
			name:   "plain http to a remote okta",
			env:    fullEnv,
			config: "provider \"sanityokta\" {\n  okta {\n    org_url = \"http://dev-1.okta.com\"\n  }\n}\n" + dataSource,
			want:   regexp.MustCompile(`plain http to a host that is not loopback`),
		},
		{
			name:   "plain http to a remote sanity host from the environment",
			env:    withEnv("SANITY_API_HOST", "http://10.0.0.8:8080"),
			config: `provider "sanityokta" {}` + dataSource,
			want:   regexp.MustCompile(`plain http to a host that is not loopback`),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: factoriesWithEnv(tc.env),
				Steps: []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    true,
					ExpectError: tc.want,
				}},
			})
		})
	}
}

func TestResolveConfigNamesTheEnvironmentVariableOfABadValue(t *testing.T) {
	env := map[string]string{"SANITY_PROJECT_ID": "Not_A_Project", "SANITY_DATASET": "Bad Dataset", "SANITY_API_TOKEN": "t",
		"SANITY_API_VERSION": "2021-03-25", "SANITY_API_HOST": "http://api.example.com", "OKTA_ORG_URL": "http://dev-1.okta.com", "OKTA_API_TOKEN": "x"}
	_, diags := resolveConfig(context.Background(), providerModel{GroupNamePrefix: types.StringNull()}, func(k string) string { return env[k] })
	for _, name := range []string{"SANITY_PROJECT_ID", "SANITY_DATASET", "SANITY_API_VERSION", "SANITY_API_HOST", "OKTA_ORG_URL"} {
		found := false
		for _, d := range diags.Errors() {
			found = found || strings.Contains(d.Detail(), "comes from the "+name+" environment variable")
		}
		if !found {
			t.Errorf("no error says the bad value came from %s: %v", name, diags)
		}
	}
}

func TestCheckAPIVersionRefusesTheFuture(t *testing.T) {
	defer func(orig func() time.Time) { timeNow = orig }(timeNow)
	timeNow = func() time.Time { return time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC) }
	for v, ok := range map[string]bool{"2026-06-01": true, "2026-06-02": true, "2026-06-03": false, "2099-01-01": false} {
		err := checkAPIVersion(v)
		if (err == nil) != ok {
			t.Errorf("checkAPIVersion(%q) = %v, want ok=%v", v, err, ok)
		}
		if err != nil && !strings.Contains(err.Error(), "is in the future") {
			t.Errorf("checkAPIVersion(%q) = %v, want the reason", v, err)
		}
	}
}
