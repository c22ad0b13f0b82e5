package provider

import (
	"fmt"
	"regexp"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
)

// linkConfig links every gated document of the test to the group of its access tier, as the examples do.
func linkConfig(env *acctest.Env, tiers map[string]string) string {
	tierMap := "{\n"
	for tier, id := range tiers {
		tierMap += fmt.Sprintf("    %s = %q\n", tier, id)
	}
	tierMap += "  }"
	return env.ProviderConfig() + fmt.Sprintf(`
data "sanityokta_documents" "gated" {
  filter = "_type == $type && string::startsWith(_id, $prefix)"
  params = { type = %q, prefix = %q }
  fields = ["access_tier"]
}

locals {
  ids   = data.sanityokta_documents.gated.ids
  tiers = %s
}

resource "sanityokta_document_link" "tier" {
  count       = length(local.ids)
  document_id = local.ids[count.index]
  group_id    = local.tiers[data.sanityokta_documents.gated.documents[local.ids[count.index]].access_tier]
}
`, gatedType, env.DocID(""), tierMap)
}

// linkAddr is the address of the test's one link.
const linkAddr = "sanityokta_document_link.tier[0]"

// The link writes an existing group's ID into every variant, plans nothing more, follows a tier change,
// repairs a field an editor changed, and clears the field on destroy without touching the group.
func TestAccDocumentLink_lifecycle(t *testing.T) {
	env := acctest.New(t)
	id := env.DocID("pricing")
	doc := handbook(env, id, "pricing", "Partner pricing")
	doc["accessTier"] = "partner"
	env.PutDocuments(t, doc, withID(doc, "drafts."+id, nil))
	partners := env.CreateGroup(t, "tfacc-"+env.ID+" Partners", "Partner tier")
	staff := env.CreateGroup(t, "tfacc-"+env.ID+" Staff", "Employee tier")
	tiers := map[string]string{"partner": partners.ID, "internal": staff.ID}
	fieldIs := func(want string) statecheck.StateCheck {
		return stateCheck(func(*tfjson.State) error {
			for _, v := range []string{id, "drafts." + id} {
				if got := env.Field(t, v, "oktaGroupId"); got != want {
					return fmt.Errorf("%s holds %q, want %q", v, got, want)
				}
			}
			return nil
		})
	}

	env.RequireFakes(t, "publishes an old draft in the fake Content Lake")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: linkConfig(env, tiers),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("group_name"), knownvalue.StringExact(partners.Name)),
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("document_synced"), knownvalue.Bool(true)),
					fieldIs(partners.ID),
				},
			},
			{
				Config:           linkConfig(env, tiers),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				// The editor moves the document to the employee tier: the link follows, in place.
				PreConfig: func() { env.PatchDocument(t, id, map[string]any{"accessTier": "internal"}) },
				Config:    linkConfig(env, tiers),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(linkAddr, tfjsonpath.New("group_name"), knownvalue.StringExact(staff.Name)),
					fieldIs(staff.ID),
				},
			},
			{
				// An editor writes another group's ID into the published document: the configuration wins.
				PreConfig: func() { env.PatchDocument(t, id, map[string]any{"oktaGroupId": partners.ID}) },
				Config:    linkConfig(env, tiers),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{fieldIs(staff.ID)},
			},
			{
				// An old draft without the field is published over the document: the field is lost, and written back.
				PreConfig: func() {
					if err := env.Sanity.Seed(withID(doc, "drafts."+id, map[string]any{"title": "Partner pricing, revised", "accessTier": "internal"})); err != nil {
						t.Fatal(err)
					}
					if err := env.Sanity.Publish(id); err != nil {
						t.Fatal(err)
					}
					if got := env.Field(t, id, "oktaGroupId"); got != "" {
						t.Fatalf("publishing the old draft kept oktaGroupId %q; the step would prove nothing", got)
					}
				},
				Config: linkConfig(env, tiers),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(linkAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(linkAddr, tfjsonpath.New("document_synced"), knownvalue.Bool(true)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(*tfjson.State) error {
					if got := env.Field(t, id, "oktaGroupId"); got != staff.ID {
						return fmt.Errorf("the published document holds %q after the repair, want %s", got, staff.ID)
					}
					return nil
				})},
			},
			{
				ResourceName:            linkAddr,
				ImportState:             true,
				ImportStateId:           id,
				ImportStateVerify:       true,
				ImportStateVerifyIgnore: []string{"allow_built_in_group"},
			},
			{
				Config: env.ProviderConfig(),
				ConfigStateChecks: []statecheck.StateCheck{
					fieldIs(""),
					stateCheck(func(*tfjson.State) error {
						for _, g := range []acctest.Group{partners, staff} {
							if got, ok := env.Group(t, g.ID); !ok || got.Name != g.Name {
								return fmt.Errorf("the linked group %s was changed or deleted: %+v, %v", g.ID, got, ok)
							}
						}
						return nil
					}),
				},
			},
		},
	})
}

// Links are refused to a group that does not exist, to Everyone unless opted in by name, and to a
// document another resource already manages.
func TestAccDocumentLink_refusals(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "links to the fake org's Everyone group")
	id := env.DocID("refused")
	env.PutDocuments(t, handbook(env, id, "refused", "Refused"))
	env.CleanupGroupsNamed(t, env.Name("refused"))
	one := func(groupID, extra string) string {
		return env.ProviderConfig() + fmt.Sprintf(`
resource "sanityokta_document_link" "one" {
  document_id = %q
  group_id    = %q
%s
}
`, id, groupID, extra)
	}
	everyone := env.Okta.EveryoneID()
	staff := env.CreateGroup(t, "tfacc-"+env.ID+" Staff", "")

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: one("00gmissing0000000000", ""), ExpectError: regexp.MustCompile(wrapped("no such group exists"))},
			{Config: one(everyone, ""), ExpectError: regexp.MustCompile(wrapped("it is a BUILT_IN group"))},
			{
				Config: one(staff.ID, "") + fmt.Sprintf(`
resource "sanityokta_document_group" "also" {
  document_id = %q
  name        = %q
}
`, id, env.Name("refused")),
				ExpectError: regexp.MustCompile(wrapped(`document "` + id + `" is managed by two resources`)),
			},
			{
				Config: one(everyone, `  allow_built_in_group = "Everyone"`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("sanityokta_document_link.one", tfjsonpath.New("group_name"), knownvalue.StringExact("Everyone")),
				},
			},
		},
	})
}
