package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
)

// configWithTokens is the standard configuration (a data source and a group per document) with the given
// tokens in place of the fakes' own.
func configWithTokens(env *acctest.Env, sanityToken, oktaToken string) string {
	return fmt.Sprintf(`
provider "sanityokta" {
  sanity {
    project_id = %q
    dataset    = %q
    token      = %q
    api_host   = %q
  }
  okta {
    org_url   = %q
    api_token = %q
  }
}

data "sanityokta_documents" "gated" {
  filter = "_type == $type"
  params = { type = %q }
}

resource "sanityokta_document_group" "content" {
  for_each    = data.sanityokta_documents.gated.documents
  document_id = each.key
  name        = "content:tfacc-${each.key}"
}
`, env.Sanity.ProjectID(), env.Sanity.Dataset(), sanityToken, env.Sanity.URL, env.Okta.URL, oktaToken, gatedType)
}

// A wrong Okta token fails the plan once, when the provider is configured, not once per resource at apply.
func TestAccProvider_wrongOktaTokenFailsThePlanOnce(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "hands the provider a token the fake org does not know")
	env.PutDocuments(t, handbook(env, env.DocID("a"), "a", "A"), handbook(env, env.DocID("b"), "b", "B"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      configWithTokens(env, env.Sanity.WriteToken(), "00wrong-okta-token"),
			ExpectError: regexp.MustCompile(`(?s)Okta\s+org\s+refused\s+a\s+one-group\s+read.*HTTP 401.*OKTA_ORG_URL.*OKTA_API_TOKEN`),
		}},
	})
	refused := 0
	for _, r := range env.Okta.Requests() {
		if r.Status == 401 {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("Okta refused %d requests, want 1: the credentials are checked once, at configure", refused)
	}
	if n := len(env.Okta.Groups()); n != 1 {
		t.Errorf("the org has %d groups, want only Everyone", n)
	}
}

// A wrong Sanity token fails the plan with a message that names the setting and the role it needs.
func TestAccProvider_wrongSanityTokenNamesTheSetting(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "hands the provider a token the fake Content Lake does not know")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      configWithTokens(env, "sk-wrong-sanity-token", env.Okta.Token()),
			ExpectError: regexp.MustCompile(`(?s)Cannot read the Sanity dataset.*HTTP 401.*Check\s+the\s+API\s+token\s+\(sanity.token\s+or\s+SANITY_API_TOKEN\).*Editor\s+role`),
		}},
	})
}

// A read-only Sanity token plans, but the apply stops before the first Okta group is created, and says
// which token to change.
func TestAccProvider_readOnlySanityTokenCreatesNoGroup(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "hands the provider the fake Content Lake's read-only token")
	env.PutDocuments(t, handbook(env, env.DocID("a"), "a", "A"), handbook(env, env.DocID("b"), "b", "B"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      configWithTokens(env, env.Sanity.ReadToken(), env.Okta.Token()),
			ExpectError: loose(`the Sanity API token may read the dataset but not write to it`),
		}},
	})
	if n := len(env.Okta.Groups()); n != 1 {
		t.Errorf("the org has %d groups after the refused apply, want only Everyone", n)
	}
}

// A mistyped perspective is refused, with what the dataset accepts; a release that exists is accepted.
func TestAccDocumentsDataSource_perspectiveMustExist(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "seeds a release document")
	release := "rtfacc" + env.ID
	env.PutDocuments(t,
		map[string]any{"_id": "_.releases." + release, "_type": "system.release", "name": release, "state": "active"},
		handbook(env, env.DocID("a"), "a", "A"),
	)
	config := func(perspective string) string {
		return env.ProviderConfig() + fmt.Sprintf(`
data "sanityokta_documents" "x" {
  filter      = "_type == \"tfaccHandbook\""
  perspective = %q
}
`, perspective)
	}
	steps := []resource.TestStep{}
	for _, tc := range []struct{ perspective, want string }{
		{"garbage", `(?s)Unknown perspective.*perspective "garbage" is not one.*published, drafts or raw.*` + release},
		{"Published", `(?s)Unknown perspective.*"Published".*Perspective names are lowercase`},
		{"previewDrafts", `(?s)Unknown perspective.*previewDrafts is the old name of drafts`},
	} {
		steps = append(steps, resource.TestStep{Config: config(tc.perspective), ExpectError: regexp.MustCompile(strings.ReplaceAll(tc.want, " ", `\s+`))})
	}
	steps = append(steps,
		resource.TestStep{Config: config(release)},
		resource.TestStep{Config: config(release + ",drafts")},
	)
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
}
