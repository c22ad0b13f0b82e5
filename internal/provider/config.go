package provider

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
)

// DefaultSanityAPIVersion is pinned, never "today": a moving API version would change query results
// under users' feet.
const DefaultSanityAPIVersion = "2025-02-19"

// minSanityAPIVersion is the first version that returns release versions (versions.*), which the
// write-back must reach.
const minSanityAPIVersion = "2025-02-19"

// Environment variables the provider reads when a setting is not in the configuration.
const (
	envSanityProjectID  = "SANITY_PROJECT_ID"
	envSanityDataset    = "SANITY_DATASET"
	envSanityToken      = "SANITY_API_TOKEN"
	envSanityAPIVersion = "SANITY_API_VERSION"
	envSanityAPIHost    = "SANITY_API_HOST"
	envOktaOrgURL       = "OKTA_ORG_URL"
	envOktaAPIToken     = "OKTA_API_TOKEN"
	envOktaClientID     = "OKTA_CLIENT_ID"
	envOktaPrivateKey   = "OKTA_PRIVATE_KEY"
	envOktaPrivateKeyID = "OKTA_PRIVATE_KEY_ID"
	envOktaScopes       = "OKTA_SCOPES"
	envDeletionLimit    = "SANITYOKTA_DELETION_LIMIT"
)

var defaultOktaScopes = []string{"okta.groups.manage", "okta.groups.read"}

var (
	apiVersionPattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	projectIDPattern  = regexp.MustCompile(`^[-a-z0-9]+$`)
	datasetPattern    = regexp.MustCompile(`^~?[a-z0-9][-\w]{0,63}$`)
)

// checkAPIVersion accepts a dated Content Lake API version no older than the one that shows release versions.
func checkAPIVersion(v string) error {
	if !apiVersionPattern.MatchString(v) {
		return fmt.Errorf("%q is not a dated API version: write it as YYYY-MM-DD, for example %q", v, DefaultSanityAPIVersion)
	}
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return fmt.Errorf("%q is not a real date: write it as YYYY-MM-DD, for example %q", v, DefaultSanityAPIVersion)
	}
	if v < minSanityAPIVersion {
		return fmt.Errorf("API version %q is older than %s: older versions hide release versions (versions.*) from "+
			"queries, so the group ID would be lost when a release is published; use %s or later", v, minSanityAPIVersion, minSanityAPIVersion)
	}
	// A day of slack: the date may already be today in a time zone ahead of UTC.
	if latest := timeNow().UTC().AddDate(0, 0, 1).Format(time.DateOnly); v > latest {
		return fmt.Errorf("API version %q is in the future: a dated API version pins the Content Lake's behaviour as of "+
			"that day, so a day that has not come yet pins nothing (the API refuses it, or the behaviour changes "+
			"under you until that day); use a past date, such as the default %s", v, DefaultSanityAPIVersion)
	}
	return nil
}

// timeNow is replaced by tests.
var timeNow = time.Now

// settingReader resolves settings from the configuration, then the environment, collecting one
// diagnostic per problem.
type settingReader struct {
	getenv func(string) string
	diags  diag.Diagnostics
}

// value returns the configured value, else the environment variable's, else "".
func (r *settingReader) value(p path.Path, v types.String, env string) string {
	if v.IsUnknown() {
		r.diags.AddAttributeError(p, "Provider setting not known yet",
			fmt.Sprintf("%s depends on a value that is only known after apply. The provider needs it to plan; "+
				"set it to a known value or use the %s environment variable.", p, env))
		return ""
	}
	if !v.IsNull() {
		return v.ValueString()
	}
	if env == "" {
		return ""
	}
	return strings.TrimSpace(r.getenv(env))
}

// required is value, with one error naming both the attribute and the environment variable when missing.
func (r *settingReader) required(p path.Path, v types.String, env, what string) string {
	s := r.value(p, v, env)
	if s == "" && !v.IsUnknown() {
		r.diags.AddAttributeError(p, "Missing "+what,
			fmt.Sprintf("The provider needs the %s. Set %s in the provider configuration or the %s environment variable.", what, p, env))
	}
	return s
}

// fromEnv says where a value that failed a check came from, when it was the environment: the attribute
// is not in the configuration, so naming it alone would send the user looking in the wrong place.
func (r *settingReader) fromEnv(v types.String, env string) string {
	if v.IsNull() && env != "" && strings.TrimSpace(r.getenv(env)) != "" {
		return fmt.Sprintf(" The value comes from the %s environment variable.", env)
	}
	return ""
}

// checkFrom is check, naming the environment variable when the value came from it.
func (r *settingReader) checkFrom(p path.Path, summary string, v types.String, env string, err error) {
	if err != nil {
		r.diags.AddAttributeError(p, summary, err.Error()+"."+r.fromEnv(v, env))
	}
}

// resolveConfig turns the provider block and the environment into the service configuration. Every
// problem is reported at once; endpoints are checked before any client exists, so a token never leaves
// the process over plain http to a remote host.
func resolveConfig(ctx context.Context, m providerModel, getenv func(string) string) (access.Config, diag.Diagnostics) {
	r := &settingReader{getenv: getenv}
	var cfg access.Config

	s := m.Sanity
	if s == nil {
		s = &sanityBlockModel{
			ProjectID: types.StringNull(), Dataset: types.StringNull(), Token: types.StringNull(),
			APIVersion: types.StringNull(), APIHost: types.StringNull(),
		}
	}
	sp := path.Root("sanity")
	cfg.Sanity.ProjectID = r.required(sp.AtName("project_id"), s.ProjectID, envSanityProjectID, "Sanity project ID")
	if cfg.Sanity.ProjectID != "" && !projectIDPattern.MatchString(cfg.Sanity.ProjectID) {
		r.diags.AddAttributeError(sp.AtName("project_id"), "Invalid Sanity project ID",
			fmt.Sprintf("%q is not a Sanity project ID (lowercase letters, digits and '-').", cfg.Sanity.ProjectID)+r.fromEnv(s.ProjectID, envSanityProjectID))
	}
	cfg.Sanity.Dataset = r.required(sp.AtName("dataset"), s.Dataset, envSanityDataset, "Sanity dataset")
	if cfg.Sanity.Dataset != "" && !datasetPattern.MatchString(cfg.Sanity.Dataset) {
		r.diags.AddAttributeError(sp.AtName("dataset"), "Invalid Sanity dataset name",
			fmt.Sprintf("%q is not a Sanity dataset name (lowercase letters, digits, '-' and '_', at most 64 characters).", cfg.Sanity.Dataset)+r.fromEnv(s.Dataset, envSanityDataset))
	}
	cfg.Sanity.Token = r.required(sp.AtName("token"), s.Token, envSanityToken, "Sanity API token")
	cfg.Sanity.APIVersion = r.value(sp.AtName("api_version"), s.APIVersion, envSanityAPIVersion)
	if cfg.Sanity.APIVersion == "" {
		cfg.Sanity.APIVersion = DefaultSanityAPIVersion
	}
	r.checkFrom(sp.AtName("api_version"), "Invalid Sanity API version", s.APIVersion, envSanityAPIVersion, checkAPIVersion(cfg.Sanity.APIVersion))
	cfg.Sanity.APIHost = strings.TrimRight(r.value(sp.AtName("api_host"), s.APIHost, envSanityAPIHost), "/")
	if cfg.Sanity.APIHost != "" {
		r.checkFrom(sp.AtName("api_host"), "Refusing Sanity API host", s.APIHost, envSanityAPIHost, access.CheckEndpoint(cfg.Sanity.APIHost))
	}

	o := m.Okta
	if o == nil {
		o = &oktaBlockModel{
			OrgURL: types.StringNull(), APIToken: types.StringNull(), ClientID: types.StringNull(),
			PrivateKey: types.StringNull(), PrivateKeyID: types.StringNull(), Scopes: types.ListNull(types.StringType),
			MaxRetries: types.Int64Null(), MaxRetryWait: types.StringNull(),
		}
	}
	op := path.Root("okta")
	cfg.Okta.OrgURL = strings.TrimRight(r.required(op.AtName("org_url"), o.OrgURL, envOktaOrgURL, "Okta org URL"), "/")
	if cfg.Okta.OrgURL != "" {
		r.checkFrom(op.AtName("org_url"), "Refusing Okta org URL", o.OrgURL, envOktaOrgURL, access.CheckEndpoint(cfg.Okta.OrgURL))
	}
	cfg.Okta.APIToken = r.value(op.AtName("api_token"), o.APIToken, envOktaAPIToken)
	cfg.Okta.ClientID = r.value(op.AtName("client_id"), o.ClientID, envOktaClientID)
	cfg.Okta.PrivateKey = r.value(op.AtName("private_key"), o.PrivateKey, envOktaPrivateKey)
	cfg.Okta.PrivateKeyID = r.value(op.AtName("private_key_id"), o.PrivateKeyID, envOktaPrivateKeyID)
	cfg.Okta.Scopes = r.scopes(ctx, op.AtName("scopes"), o.Scopes)
	cfg.Okta.MaxRetries, cfg.Okta.MaxRetryWait = r.oktaRetries(op, o)
	switch {
	case cfg.Okta.APIToken != "" && cfg.Okta.ClientID != "":
		r.diags.AddAttributeError(op.AtName("api_token"), "Conflicting Okta credentials",
			"Both an API token (okta.api_token / OKTA_API_TOKEN) and an OAuth service app (okta.client_id / OKTA_CLIENT_ID) are set. Set only one.")
	case cfg.Okta.APIToken != "":
	case cfg.Okta.ClientID != "":
		if cfg.Okta.PrivateKey == "" {
			r.diags.AddAttributeError(op.AtName("private_key"), "Missing Okta private key",
				"An OAuth service app (okta.client_id) needs its private key. Set okta.private_key in the provider configuration or the OKTA_PRIVATE_KEY environment variable.")
		}
	case o.APIToken.IsUnknown() || o.ClientID.IsUnknown():
	default:
		r.diags.AddAttributeError(op.AtName("api_token"), "Missing Okta credentials",
			"The provider needs an Okta API token or an OAuth service app. Set okta.api_token in the provider configuration or the OKTA_API_TOKEN environment variable "+
				"(or okta.client_id and okta.private_key, or OKTA_CLIENT_ID and OKTA_PRIVATE_KEY).")
	}

	cfg.Options.GroupNamePrefix = access.DefaultGroupNamePrefix
	if m.GroupNamePrefix.IsUnknown() {
		r.diags.AddAttributeError(path.Root("group_name_prefix"), "Provider setting not known yet",
			"group_name_prefix depends on a value that is only known after apply; set it to a known value.")
	} else if !m.GroupNamePrefix.IsNull() {
		cfg.Options.GroupNamePrefix = m.GroupNamePrefix.ValueString()
		if cfg.Options.GroupNamePrefix == "" {
			r.diags.AddAttributeWarning(path.Root("group_name_prefix"), "Group name prefix rule turned off",
				"group_name_prefix is empty, so the ownership guard no longer checks group names: a document can make the provider adopt, "+
					"rename or delete any OKTA_GROUP without admin privileges. Set a prefix such as \"content:\" unless you mean this.")
		}
	}
	cfg.Options.DeletionLimit = r.deletionLimit(m.DeletionLimit)
	return cfg, r.diags
}

// deletionLimit resolves deletion_limit into access.Options.DeletionLimit, where 0 means the default.
func (r *settingReader) deletionLimit(v types.Int64) int {
	p := path.Root("deletion_limit")
	var n int64
	switch {
	case v.IsUnknown():
		r.diags.AddAttributeError(p, "Provider setting not known yet",
			"deletion_limit depends on a value that is only known after apply; set it to a known value or use the "+envDeletionLimit+" environment variable.")
		return 0
	case !v.IsNull():
		n = v.ValueInt64()
	default:
		env := strings.TrimSpace(r.getenv(envDeletionLimit))
		if env == "" {
			return 0
		}
		var err error
		if n, err = strconv.ParseInt(env, 10, 32); err != nil {
			r.diags.AddAttributeError(p, "Invalid deletion limit",
				fmt.Sprintf("%s=%q is not a whole number: set it to how many Okta groups one run may delete, for example 10.", envDeletionLimit, env))
			return 0
		}
	}
	if n < 0 || n > math.MaxInt32 {
		r.diags.AddAttributeError(p, "Invalid deletion limit",
			fmt.Sprintf("deletion_limit is %d: it must be 0 (no deletions) or more.", n))
		return 0
	}
	if n == 0 {
		return access.NoDeletions
	}
	return int(n)
}

func (r *settingReader) scopes(ctx context.Context, p path.Path, v types.List) []string {
	if v.IsUnknown() {
		r.diags.AddAttributeError(p, "Provider setting not known yet", "okta.scopes depends on a value that is only known after apply.")
		return nil
	}
	if !v.IsNull() {
		var out []string
		r.diags.Append(v.ElementsAs(ctx, &out, false)...)
		return out
	}
	if env := strings.TrimSpace(r.getenv(envOktaScopes)); env != "" {
		return strings.FieldsFunc(env, func(c rune) bool { return c == ',' || c == ' ' })
	}
	return append([]string(nil), defaultOktaScopes...)
}
