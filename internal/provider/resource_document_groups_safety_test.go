package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// threeDocuments seeds three gated documents and returns their IDs and the group names the collection
// configuration gives them.
func threeDocuments(t *testing.T, env *acctest.Env) ([]string, map[string]string) {
	ids := []string{env.DocID("one"), env.DocID("two"), env.DocID("three")}
	want := map[string]string{}
	for i, s := range []string{"one", "two", "three"} {
		env.PutDocuments(t, handbook(env, ids[i], s, "Handbook "+s))
		want[ids[i]] = env.Name(s)
		env.CleanupGroupsNamed(t, env.Name(s), env.Name(s)+"-v2")
	}
	return ids, want
}

func renamed(want map[string]string, suffix string) map[string]string {
	out := map[string]string{}
	for id, name := range want {
		out[id] = name + suffix
	}
	return out
}

// Collection 2: an update that fails for one document keeps the others' progress: the error names the
// document, state holds what succeeded (the next plan changes only the failed member), and the next
// apply finishes.
func TestAccDocumentGroups_partialUpdate(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "fails one Okta request")
	ids, want := threeDocuments(t, env)
	groups := map[string]string{}
	failed := ids[1]

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             collectionDestroyed(t, env, groups, ids...),
		Steps: []resource.TestStep{
			{
				Config:            collectionConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{checkCollection(t, env, want, nil, groups)},
			},
			{
				PreConfig: func() {
					if err := env.Okta.AddFault(oktatest.Fault{Method: "PUT", Path: "/api/v1/groups/" + groups[failed], Status: 403}); err != nil {
						t.Fatal(err)
					}
				},
				Config:      collectionConfig(env, "-v2"),
				ExpectError: regexp.MustCompile(`1 of 3 documents failed in this apply(.|\n)*` + regexp.QuoteMeta(failed)),
			},
			{
				PreConfig: func() {
					for _, id := range ids {
						g, _ := env.Group(t, groups[id])
						if id == failed && g.Name != want[id] || id != failed && g.Name != want[id]+"-v2" {
							t.Fatalf("after the partial apply, group of %s is named %q", id, g.Name)
						}
					}
				},
				Config: collectionConfig(env, "-v2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					memberChanged(failed),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkCollection(t, env, renamed(want, "-v2"), nil, nil),
					sameGroups(groups),
				},
			},
		},
	})
}

// Collection 3: a first apply that fails for one document keeps the groups it made; Terraform replaces
// the tainted collection on the next apply, which adopts those groups instead of deleting them, and
// finishes.
func TestAccDocumentGroups_partialCreate(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "fails Content Lake writes")
	ids, want := threeDocuments(t, env)
	groups := map[string]string{}
	var before map[string]string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             collectionDestroyed(t, env, groups, ids...),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					// The dry-run write check before the first create goes through; then the shared write-back
					// transaction fails, then the first document written on its own.
					for _, f := range []sanitytest.Fault{
						{Method: "POST", Path: "/v*/data/mutate/*"},
						{Method: "POST", Path: "/v*/data/mutate/*", Status: 409, Times: 2},
					} {
						if err := env.Sanity.AddFault(f); err != nil {
							t.Fatal(err)
						}
					}
				},
				Config:      collectionConfig(env, ""),
				ExpectError: regexp.MustCompile(`of 3 documents failed in this apply(.|\n)*could not be written back`),
			},
			{
				PreConfig: func() {
					before = map[string]string{}
					for id, name := range want {
						gs := env.GroupsNamed(t, name)
						if len(gs) != 1 {
							t.Fatalf("after the failed apply %d groups are named %q", len(gs), name)
						}
						before[id] = gs[0].ID
					}
					env.Okta.ResetRequests()
				},
				Config: collectionConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					checkCollection(t, env, want, nil, groups),
					stateCheck(func(s *tfjson.State) error {
						for _, r := range env.Okta.Requests() {
							if r.Method == "DELETE" || r.Method == "POST" {
								return fmt.Errorf("finishing the collection sent %s %s: it must adopt the groups it made", r.Method, r.Path)
							}
						}
						return sameGroups(before).(stateCheck)(s)
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

// Collection 4: a document in the collection and in a sanityokta_document_group is refused at plan time,
// naming the document, before any group is made.
func TestAccDocumentGroups_mixingRefused(t *testing.T) {
	env := acctest.New(t)
	ids, _ := threeDocuments(t, env)
	config := collectionConfig(env, "") + fmt.Sprintf(`
resource "sanityokta_document_group" "also" {
  document_id = %q
  name        = %q
}
`, ids[0], env.Name("also"))
	env.CleanupGroupsNamed(t, env.Name("also"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      config,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(wrapped(`document "` + ids[0] + `" is managed by two resources in this configuration`)),
			},
		},
	})
}

// Collection 5: the deletion limit counts the groups removed from inside the collection: a plan that
// drops more documents than the limit allows fails before anything is deleted; raising the limit lets it
// through.
func TestAccDocumentGroups_deletionLimit(t *testing.T) {
	env := acctest.New(t)
	ids, want := threeDocuments(t, env)
	groups := map[string]string{}
	limited := func(limit int) string {
		return withProviderSetting(collectionConfig(env, ""), fmt.Sprintf("deletion_limit = %d", limit))
	}
	archive := func() {
		env.PatchDocument(t, ids[0], map[string]any{"active": false})
		env.PatchDocument(t, ids[1], map[string]any{"active": false})
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             collectionDestroyed(t, env, groups, ids[2]),
		Steps: []resource.TestStep{
			{
				Config:            limited(1),
				ConfigStateChecks: []statecheck.StateCheck{checkCollection(t, env, want, nil, groups)},
			},
			{
				PreConfig:   archive,
				Config:      limited(1),
				ExpectError: regexp.MustCompile(`Too many Okta groups deleted in one run(.|\n)*deletion limit of 1`),
			},
			{
				PreConfig: func() {
					for _, id := range ids {
						if _, ok := env.Group(t, groups[id]); !ok {
							t.Fatalf("the refused plan deleted the group of %s", id)
						}
					}
				},
				Config: limited(2),
				ConfigStateChecks: []statecheck.StateCheck{
					checkCollection(t, env, map[string]string{ids[2]: want[ids[2]]}, nil, nil),
					stateCheck(func(*tfjson.State) error {
						for _, id := range ids[:2] {
							if _, ok := env.Group(t, groups[id]); ok {
								return fmt.Errorf("the group of archived %s still exists", id)
							}
						}
						return nil
					}),
				},
			},
		},
	})
}

// Collection 6: import of an existing collection (groups made elsewhere, their IDs in the documents) with
// an import block and "*": the plan imports every member and changes nothing, and no group is touched.
func TestAccDocumentGroups_import(t *testing.T) {
	env := acctest.New(t)
	ids, want := threeDocuments(t, env)
	groups := map[string]string{}
	for i, id := range ids {
		g := env.CreateGroup(t, want[id], "Access to Handbook "+[]string{"one", "two", "three"}[i])
		env.PatchDocument(t, id, map[string]any{"oktaGroupId": g.ID})
		groups[id] = g.ID
	}
	importBlock := "\nimport {\n  to = " + collectionAddr + "\n  id = \"*\"\n}\n"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             collectionDestroyed(t, env, groups, ids...),
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if env.Okta != nil {
						env.Okta.ResetRequests()
					}
				},
				Config: collectionConfig(env, "") + importBlock,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					planCheck(func(p *tfjson.Plan) error {
						for _, rc := range p.ResourceChanges {
							if rc.Address == collectionAddr && (rc.Change.Importing == nil || !rc.Change.Actions.NoOp()) {
								return fmt.Errorf("%s plans %v (importing %v), want an import and nothing else", rc.Address, rc.Change.Actions, rc.Change.Importing)
							}
						}
						return nil
					}),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkCollection(t, env, want, nil, nil),
					sameGroups(groups),
					stateCheck(func(*tfjson.State) error {
						if env.Okta == nil {
							return nil
						}
						if w := oktaWrites(env); w != 0 {
							return fmt.Errorf("the import sent %d Okta writes, want none", w)
						}
						return nil
					}),
				},
			},
		},
	})
}

// Collection 7: an import ID that is neither "*" nor a list of documents is refused with its forms.
func TestAccDocumentGroups_importInvalidID(t *testing.T) {
	env := acctest.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:        env.ProviderConfig() + "\nresource \"sanityokta_document_groups\" \"all\" {\n  documents = {}\n}\n",
				ResourceName:  collectionAddr,
				ImportState:   true,
				ImportStateId: "a:b:c",
				ExpectError:   regexp.MustCompile(`not an import ID for sanityokta_document_groups`),
			},
		},
	})
}

// Collection 9: with on_destroy = "keep", a document leaving the collection, and then the destroy, keep
// the groups in Okta and clear only the written-back field.
func TestAccDocumentGroups_onDestroyKeep(t *testing.T) {
	env := acctest.New(t)
	ids, want := threeDocuments(t, env)
	groups := map[string]string{}
	config := strings.Replace(collectionConfig(env, ""), "resource \"sanityokta_document_groups\" \"all\" {\n",
		"resource \"sanityokta_document_groups\" \"all\" {\n  on_destroy = \"keep\"\n", 1)
	kept := func(which []string) error {
		for _, id := range which {
			if _, ok := env.Group(t, groups[id]); !ok {
				return fmt.Errorf("the group of %s was deleted despite on_destroy = \"keep\"", id)
			}
			if f := env.Field(t, id, "oktaGroupId"); f != "" {
				return fmt.Errorf("%s still holds oktaGroupId %q", id, f)
			}
		}
		return nil
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             func(*terraform.State) error { return kept(ids) },
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{checkCollection(t, env, want, nil, groups)},
			},
			{
				PreConfig: func() { env.PatchDocument(t, ids[0], map[string]any{"active": false}) },
				Config:    config,
				ConfigStateChecks: []statecheck.StateCheck{
					checkCollection(t, env, map[string]string{ids[1]: want[ids[1]], ids[2]: want[ids[2]]}, nil, nil),
					stateCheck(func(*tfjson.State) error { return kept(ids[:1]) }),
				},
			},
		},
	})
}

// Collection 10: drift repair. A group renamed in Okta is renamed back, a group deleted in Okta is made
// again, and a document that lost its written-back ID gets it again; each is one changed member, and the
// untouched members keep their groups.
func TestAccDocumentGroups_drift(t *testing.T) {
	env := acctest.New(t)
	ids, want := threeDocuments(t, env)
	groups := map[string]string{}
	renamedID, deletedID, lostID := ids[0], ids[1], ids[2]

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             collectionDestroyed(t, env, groups, ids...),
		Steps: []resource.TestStep{
			{
				Config:            collectionConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{checkCollection(t, env, want, nil, groups)},
			},
			{
				PreConfig: func() {
					env.RenameGroup(t, groups[renamedID], want[renamedID]+"-by-hand")
					env.DeleteGroup(t, groups[deletedID])
					env.PatchDocument(t, lostID, nil, "oktaGroupId")
				},
				Config: collectionConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					memberChanged(renamedID, deletedID, lostID),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkCollection(t, env, want, nil, nil),
					stateCheck(func(s *tfjson.State) error {
						return sameGroups(map[string]string{renamedID: groups[renamedID], lostID: groups[lostID]}).(stateCheck)(s)
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
