package provider

import (
	"fmt"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
)

// forEachConfig is the for_each shape, as the quickstart had it before the collection.
func forEachConfig(env *acctest.Env) string {
	return env.ProviderConfig() + fmt.Sprintf(`
data "sanityokta_documents" "gated" {
  filter = "_type == $type && string::startsWith(_id, $prefix)"
  params = { type = %q, prefix = %q }
}

resource "sanityokta_document_group" "content" {
  for_each    = data.sanityokta_documents.gated.documents
  document_id = each.key
  name        = "content:tfacc-${each.value.slug}"
  description = "Access to ${each.value.title}"
}
`, gatedType, env.DocID(""))
}

// migrationConfig moves the for_each's groups into a collection: the for_each resource leaves state
// without being destroyed (a removed block), and the collection imports every document that holds a
// group ID.
func migrationConfig(env *acctest.Env) string {
	return collectionConfig(env, "") + `
removed {
  from = sanityokta_document_group.content
  lifecycle {
    destroy = false
  }
}

import {
  to = sanityokta_document_groups.all
  id = "*"
}
`
}

// Collection 8: migration from the for_each resource to the collection, as the guide describes it: the
// plan forgets every sanityokta_document_group and imports the collection, and the apply touches no
// group (no Okta write at all) and no document.
func TestAccDocumentGroups_migrationFromForEach(t *testing.T) {
	env := acctest.New(t)
	ids, want := threeDocuments(t, env)
	groups := map[string]string{}
	forEachIDs := map[string]string{}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// removed blocks need Terraform 1.7.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_7_0)},
		CheckDestroy:           collectionDestroyed(t, env, groups, ids...),
		Steps: []resource.TestStep{
			{
				Config: forEachConfig(env),
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(s *tfjson.State) error {
					for _, id := range ids {
						gid, err := groupIDOf(s, fmt.Sprintf("sanityokta_document_group.content[%q]", id))
						if err != nil {
							return err
						}
						forEachIDs[id] = gid
					}
					return nil
				})},
			},
			{
				PreConfig: func() {
					if env.Okta != nil {
						env.Okta.ResetRequests()
					}
				},
				Config: migrationConfig(env),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					planCheck(func(p *tfjson.Plan) error {
						forgotten := 0
						for _, rc := range p.ResourceChanges {
							switch {
							case rc.Address == collectionAddr:
								if rc.Change.Importing == nil || !rc.Change.Actions.NoOp() {
									return fmt.Errorf("%s plans %v (importing %v), want an import only", rc.Address, rc.Change.Actions, rc.Change.Importing)
								}
							case rc.Change.Actions.Forget():
								forgotten++
							default:
								return fmt.Errorf("%s plans %v, want nothing but forgets and the import", rc.Address, rc.Change.Actions)
							}
						}
						if forgotten != len(ids) {
							return fmt.Errorf("the plan forgets %d resources, want %d", forgotten, len(ids))
						}
						return nil
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkCollection(t, env, want, nil, groups),
					sameGroups(forEachIDs),
					stateCheck(func(s *tfjson.State) error {
						for _, r := range s.Values.RootModule.Resources {
							if r.Type == "sanityokta_document_group" {
								return fmt.Errorf("%s is still in state", r.Address)
							}
						}
						if env.Okta != nil {
							if w := oktaWrites(env); w != 0 {
								return fmt.Errorf("the migration sent %d Okta writes, want none", w)
							}
						}
						return nil
					}),
				},
			},
			{
				Config:           collectionConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}
