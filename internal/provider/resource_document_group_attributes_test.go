package provider

import (
	"fmt"
	"regexp"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// Profile metadata on an owned group: set, changed, removed one by one; attributes the configuration does
// not manage survive; an attribute the schema lacks fails before anything is written.
func TestAccDocumentGroup_profileAttributes(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "defines the fake org's group schema")
	for name, typ := range map[string]string{"accessTier": "string", "tierRank": "integer", "costCenter": "string"} {
		if err := env.Okta.AddGroupAttribute(name, oktatest.AttributeDef{Type: typ}); err != nil {
			t.Fatal(err)
		}
	}
	id, other := env.DocID("meta"), env.DocID("meta-missing")
	env.PutDocuments(t, handbook(env, id, "meta", "Meta"), handbook(env, other, "meta-missing", "Missing"))
	env.CleanupGroupsNamed(t, env.Name("meta"), env.Name("meta-missing"))
	const addr = "sanityokta_document_group.one"
	config := func(attrs string) string {
		return singleConfig(env, id, env.Name("meta"), "  profile_attributes = "+attrs)
	}
	var gid string
	attributes := func(want map[string]any) statecheck.StateCheck {
		return stateCheck(func(s *tfjson.State) error {
			id, err := groupIDOf(s, addr)
			if err != nil {
				return err
			}
			g, ok := env.Okta.Group(id)
			if !ok {
				return fmt.Errorf("group %s is gone", id)
			}
			for k, v := range want {
				if got := g.Attributes[k]; fmt.Sprint(got) != fmt.Sprint(v) {
					return fmt.Errorf("attribute %s = %v, want %v (all: %v)", k, got, v, g.Attributes)
				}
			}
			return nil
		})
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config(`{ accessTier = "partner", tierRank = "2" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					captureID(addr, &gid), attributes(map[string]any{"accessTier": "partner", "tierRank": 2}),
				},
			},
			{
				Config:           config(`{ accessTier = "partner", tierRank = "2" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// An Okta admin sets an attribute of their own; the configuration changes one and drops one.
				PreConfig: func() {
					if err := env.Okta.UpdateGroup(gid, func(g *oktatest.Group) { g.Attributes["costCenter"] = "cc-42" }); err != nil {
						t.Fatal(err)
					}
				},
				Config: config(`{ tierRank = "3" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					attributes(map[string]any{"tierRank": 3, "costCenter": "cc-42", "accessTier": nil}),
				},
			},
			{
				Config: config(`{ tierRank = "3" }`) + fmt.Sprintf(`
resource "sanityokta_document_group" "missing" {
  document_id        = %q
  name               = %q
  profile_attributes = { notInSchema = "x" }
}
`, other, env.Name("meta-missing")),
				ExpectError: regexp.MustCompile(wrapped(`profile attribute "notInSchema" for document "` + other + `" is not in the org's group profile schema`)),
			},
			{
				PreConfig: func() {
					if n := len(env.GroupsNamed(t, env.Name("meta-missing"))); n != 0 {
						t.Fatalf("a group was created for the refused attribute")
					}
				},
				Config:           config(`{ tierRank = "3" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
