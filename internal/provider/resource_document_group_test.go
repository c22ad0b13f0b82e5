package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
)

var groupIDPattern = regexp.MustCompile(`^00g[A-Za-z0-9]{17}$`)

// Acceptance test 1: groups for the documents the data source finds, written back to the published
// document, its draft and a release version; nothing left to do afterwards.
func TestAccDocumentGroup_create(t *testing.T) {
	env := acctest.New(t)
	a, b := env.DocID("pricing"), env.DocID("handbook")
	docA := handbook(env, a, "pricing", "Partner pricing")
	env.PutDocuments(t,
		docA,
		withID(docA, "drafts."+a, map[string]any{"title": "Partner pricing (draft)"}),
		withID(docA, "versions.rspring."+a, map[string]any{"title": "Partner pricing 2027"}),
		handbook(env, b, "handbook", "Sales handbook"),
	)
	env.CleanupGroupsNamed(t, env.Name("pricing"), env.Name("handbook"))
	addrA, addrB := addrOf(a, a, b), addrOf(b, a, b)
	groups := newGroupTracker()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             groups.checkDestroyed(t, env, a, "drafts."+a, "versions.rspring."+a, b),
		Steps: []resource.TestStep{
			{
				Config: groupsConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addrA, plancheck.ResourceActionCreate),
					plancheck.ExpectResourceAction(addrB, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(addrA, tfjsonpath.New("id")),
					plancheck.ExpectKnownValue(addrA, tfjsonpath.New("name"), knownvalue.StringExact(env.Name("pricing"))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					groups.record(addrA, addrB),
					statecheck.ExpectKnownValue(addrA, tfjsonpath.New("id"), knownvalue.StringRegexp(groupIDPattern)),
					statecheck.ExpectKnownValue(addrA, tfjsonpath.New("description"), knownvalue.StringExact("Access to Partner pricing")),
					statecheck.ExpectKnownValue(addrA, tfjsonpath.New("document_field"), knownvalue.StringExact("oktaGroupId")),
					statecheck.ExpectKnownValue(addrA, tfjsonpath.New("document_synced"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addrB, tfjsonpath.New("id"), knownvalue.StringRegexp(groupIDPattern)),
					statecheck.CompareValuePairs(addrA, tfjsonpath.New("id"), addrB, tfjsonpath.New("id"), compare.ValuesDiffer()),
					checkWrittenBack(t, env, addrA, env.Name("pricing"), a, "drafts."+a, "versions.rspring."+a),
					checkWrittenBack(t, env, addrB, env.Name("handbook"), b),
					stateCheck(func(*tfjson.State) error {
						if d := env.Document(t, "drafts."+b); d != nil {
							return fmt.Errorf("the provider created a draft of %s: %v", b, d)
						}
						if title, _ := env.Document(t, "drafts."+a)["title"].(string); title != "Partner pricing (draft)" {
							return fmt.Errorf("the draft's own edits were lost: title %q", title)
						}
						return nil
					}),
				},
			},
			{
				Config: groupsConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// Acceptance test 2: a new name and description update the group in place; its ID stays.
func TestAccDocumentGroup_update(t *testing.T) {
	env := acctest.New(t)
	id := env.DocID("guide")
	env.PutDocuments(t, handbook(env, id, "guide", "Onboarding guide"))
	env.CleanupGroupsNamed(t, env.Name("guide"), env.Name("guide-v2"))
	addr := addrOf(id, id)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	groups := newGroupTracker()

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             groups.checkDestroyed(t, env, id),
		Steps: []resource.TestStep{
			{
				Config:            groupsConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{groups.record(addr), sameID.AddStateValue(addr, tfjsonpath.New("id"))},
			},
			{
				// An editor retitles the document, and the configuration renames the group.
				PreConfig: func() { env.PatchDocument(t, id, map[string]any{"title": "Onboarding guide 2027"}) },
				Config:    strings.Replace(groupsConfig(env, ""), `.slug}"`, `.slug}-v2"`, 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(env.Name("guide-v2"))),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("Access to Onboarding guide 2027")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					checkWrittenBack(t, env, addr, env.Name("guide-v2"), id),
					stateCheck(func(s *tfjson.State) error {
						gid, err := groupIDOf(s, addr)
						if err != nil {
							return err
						}
						if g, _ := env.Group(t, gid); g.Description != "Access to Onboarding guide 2027" {
							return fmt.Errorf("Okta description = %q", g.Description)
						}
						if n := len(env.GroupsNamed(t, env.Name("guide"))); n != 0 {
							return fmt.Errorf("%d groups still carry the old name", n)
						}
						return nil
					}),
				},
			},
		},
	})
}

// Acceptance test 3: drift in Okta. A deleted group is re-created and its new ID written back; a renamed
// group is set back.
func TestAccDocumentGroup_oktaDrift(t *testing.T) {
	env := acctest.New(t)
	id := env.DocID("course")
	doc := handbook(env, id, "course", "Compliance course")
	env.PutDocuments(t, doc, withID(doc, "drafts."+id, nil))
	env.CleanupGroupsNamed(t, env.Name("course"))
	addr := addrOf(id, id)
	groups := newGroupTracker()
	var first, second string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             groups.checkDestroyed(t, env, id, "drafts."+id),
		Steps: []resource.TestStep{
			{
				Config:            groupsConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{groups.record(addr), captureID(addr, &first)},
			},
			{
				PreConfig: func() { env.DeleteGroup(t, first) },
				Config:    groupsConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					groups.record(addr),
					captureID(addr, &second),
					stateCheck(func(*tfjson.State) error {
						if second == first {
							return fmt.Errorf("state still holds the deleted group %s", first)
						}
						return nil
					}),
					checkWrittenBack(t, env, addr, env.Name("course"), id, "drafts."+id),
				},
			},
			{
				PreConfig: func() { env.RenameGroup(t, second, env.Name("course-renamed-in-okta")) },
				Config:    groupsConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(env.Name("course"))),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					stateCheck(func(s *tfjson.State) error {
						if got, _ := groupIDOf(s, addr); got != second {
							return fmt.Errorf("group ID changed from %s to %s; a rename must not replace the group", second, got)
						}
						return nil
					}),
					checkWrittenBack(t, env, addr, env.Name("course"), id, "drafts."+id),
				},
			},
		},
	})
}

// Acceptance test 4: the field is lost from the published document (an old draft without it was
// published over it): document_synced shows the drift and the next apply writes the same ID back.
func TestAccDocumentGroup_documentDrift(t *testing.T) {
	env := acctest.New(t)
	id := env.DocID("policy")
	doc := handbook(env, id, "policy", "Travel policy")
	env.PutDocuments(t, doc)
	env.CleanupGroupsNamed(t, env.Name("policy"))
	addr := addrOf(id, id)
	sameID := statecheck.CompareValue(compare.ValuesSame())
	groups := newGroupTracker()

	loseField := func() {
		if env.Sanity != nil {
			// An editor's draft made before the write-back (so without the field) is published.
			if err := env.Sanity.Seed(withID(doc, "drafts."+id, map[string]any{"title": "Travel policy, revised"})); err != nil {
				t.Fatal(err)
			}
			if err := env.Sanity.Publish(id); err != nil {
				t.Fatal(err)
			}
			if got := env.Field(t, id, "oktaGroupId"); got != "" {
				t.Fatalf("publishing the old draft kept oktaGroupId %q; the test would prove nothing", got)
			}
			return
		}
		env.PatchDocument(t, id, nil, "oktaGroupId")
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             groups.checkDestroyed(t, env, id),
		Steps: []resource.TestStep{
			{
				Config:            groupsConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{groups.record(addr), sameID.AddStateValue(addr, tfjsonpath.New("id"))},
			},
			{
				PreConfig: loseField,
				Config:    groupsConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("document_synced"), knownvalue.Bool(true)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(addr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("document_synced"), knownvalue.Bool(true)),
					checkWrittenBack(t, env, addr, env.Name("policy"), id),
				},
			},
			{
				// The refresh after the repair finds nothing to do.
				Config: groupsConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
			},
		},
	})
}

// Acceptance test 5: import by document ID (the group comes from the document), by
// document_id:group_id, and through an import block.
func TestAccDocumentGroup_import(t *testing.T) {
	env := acctest.New(t)
	id := env.DocID("imported")
	env.PutDocuments(t, handbook(env, id, "imported", "Imported"))
	env.CleanupGroupsNamed(t, env.Name("imported"))
	const addr = "sanityokta_document_group.one"
	config := singleConfig(env, id, env.Name("imported"), `  description = "Imported access"`)
	groups := newGroupTracker()
	var gid string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             groups.checkDestroyed(t, env, id),
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{groups.record(addr), captureID(addr, &gid)}},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     id,
				ImportStateVerify: true,
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return id + ":" + gid, nil },
				ImportStateVerify: true,
			},
			{
				Config:          config,
				ResourceName:    addr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   id,
				ImportPlanChecks: resource.ImportPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionNoop),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("name"), knownvalue.StringExact(env.Name("imported"))),
					plancheck.ExpectKnownValue(addr, tfjsonpath.New("document_synced"), knownvalue.Bool(true)),
				}},
			},
			{
				ResourceName:  addr,
				ImportState:   true,
				ImportStateId: "drafts." + id,
				ExpectError:   regexp.MustCompile(`draft ID`),
			},
		},
	})
}

// Acceptance test 6: destroy deletes the group and clears the field; on_destroy = "keep" leaves the group;
// a document deleted in Sanity before destroy does not fail it.
func TestAccDocumentGroup_destroy(t *testing.T) {
	env := acctest.New(t)
	del, keep, gone := env.DocID("a-delete"), env.DocID("b-keep"), env.DocID("c-gone")
	env.PutDocuments(t,
		handbook(env, del, "a-delete", "Deleted on destroy"),
		withID(handbook(env, del, "a-delete", "Deleted on destroy"), "drafts."+del, nil),
		handbook(env, keep, "b-keep", "Kept on destroy"),
		handbook(env, gone, "c-gone", "Document deleted first"),
	)
	env.CleanupGroupsNamed(t, env.Name("a-delete"), env.Name("b-keep"), env.Name("c-gone"))
	config := groupsConfig(env, `  on_destroy  = local.ids[count.index] == "`+keep+`" ? "keep" : "delete"`)
	var delID, keepID, goneID string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addrOf(keep, del, keep, gone), tfjsonpath.New("on_destroy"), knownvalue.StringExact("keep")),
					statecheck.ExpectKnownValue(addrOf(del, del, keep, gone), tfjsonpath.New("on_destroy"), knownvalue.StringExact("delete")),
					captureID(addrOf(del, del, keep, gone), &delID),
					captureID(addrOf(keep, del, keep, gone), &keepID),
					captureID(addrOf(gone, del, keep, gone), &goneID),
				},
			},
			{
				// Removing the resources destroys them; the refresh of the one whose document is gone
				// warns instead of failing.
				PreConfig: func() { env.DeleteDocument(t, gone) },
				Config:    env.ProviderConfig(),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addrOf(del, del, keep, gone), plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(addrOf(keep, del, keep, gone), plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(addrOf(gone, del, keep, gone), plancheck.ResourceActionDestroy),
				}},
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(*tfjson.State) error {
					if _, ok := env.Group(t, delID); ok {
						return fmt.Errorf("group %s survived destroy", delID)
					}
					if _, ok := env.Group(t, goneID); ok {
						return fmt.Errorf("group %s of the deleted document survived destroy", goneID)
					}
					if _, ok := env.Group(t, keepID); !ok {
						return fmt.Errorf("group %s was deleted despite on_destroy = keep", keepID)
					}
					for _, v := range []string{del, "drafts." + del, keep} {
						if got := env.Field(t, v, "oktaGroupId"); got != "" {
							return fmt.Errorf("document %s still holds %q", v, got)
						}
					}
					return nil
				})},
			},
		},
	})
	// on_destroy = keep left the group on purpose; the test removes it.
	t.Cleanup(func() {
		if keepID != "" {
			env.DeleteGroup(t, keepID)
		}
	})
}
