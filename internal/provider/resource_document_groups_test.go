package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
)

const collectionAddr = "sanityokta_document_groups.all"

// collectionConfig is the collection shape users write: one resource, its documents map built with a for
// expression over the data source. suffix is appended to every group name.
func collectionConfig(env *acctest.Env, suffix string) string {
	return env.ProviderConfig() + fmt.Sprintf(`
data "sanityokta_documents" "gated" {
  filter = "_type == $type && string::startsWith(_id, $prefix)"
  params = { type = %q, prefix = %q }
}

resource "sanityokta_document_groups" "all" {
  documents = {
    for id, d in data.sanityokta_documents.gated.documents : id => {
      name        = "content:tfacc-${d.slug}%s"
      description = "Access to ${d.title}"
    }
  }
}
`, gatedType, env.DocID(""), suffix)
}

// memberGroupIDs returns the group ID of every member of the collection in state.
func memberGroupIDs(s *tfjson.State) (map[string]string, error) {
	if s == nil || s.Values == nil || s.Values.RootModule == nil {
		return nil, fmt.Errorf("state is empty")
	}
	for _, r := range s.Values.RootModule.Resources {
		if r.Address != collectionAddr {
			continue
		}
		docs, _ := r.AttributeValues["documents"].(map[string]any)
		gids, _ := r.AttributeValues["group_ids"].(map[string]any)
		if len(docs) != len(gids) {
			return nil, fmt.Errorf("state holds %d documents but %d group IDs", len(docs), len(gids))
		}
		out := map[string]string{}
		for id := range docs {
			gid, _ := gids[id].(string)
			out[id] = gid
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not in state", collectionAddr)
}

// checkCollection verifies, in Okta and the Content Lake, that each listed document is a member whose
// group exists under its expected name (exactly one group of that name) and whose every listed variant
// holds the group ID; and that state has no other member. into, if set, receives the group IDs.
func checkCollection(t *testing.T, env *acctest.Env, want map[string]string, variants map[string][]string, into map[string]string) statecheck.StateCheck {
	return stateCheck(func(s *tfjson.State) error {
		got, err := memberGroupIDs(s)
		if err != nil {
			return err
		}
		if len(got) != len(want) {
			return fmt.Errorf("state holds %d members (%v), want %d", len(got), got, len(want))
		}
		for id, name := range want {
			gid, ok := got[id]
			if !ok {
				return fmt.Errorf("document %s is not a member in state", id)
			}
			g, ok := env.Group(t, gid)
			if !ok {
				return fmt.Errorf("group %s of %s does not exist in Okta", gid, id)
			}
			if g.Name != name {
				return fmt.Errorf("group %s of %s is named %q, want %q", gid, id, g.Name, name)
			}
			if n := len(env.GroupsNamed(t, name)); n != 1 {
				return fmt.Errorf("%d groups are named %q, want one", n, name)
			}
			for _, v := range append([]string{id}, variants[id]...) {
				if f := env.Field(t, v, "oktaGroupId"); f != gid {
					return fmt.Errorf("%s holds oktaGroupId %q, want %q", v, f, gid)
				}
			}
			if into != nil {
				into[id] = gid
			}
		}
		return nil
	})
}

// sameGroups verifies that the members' group IDs are the ones recorded earlier.
func sameGroups(before map[string]string) statecheck.StateCheck {
	return stateCheck(func(s *tfjson.State) error {
		got, err := memberGroupIDs(s)
		if err != nil {
			return err
		}
		for id, gid := range before {
			if got[id] != gid {
				return fmt.Errorf("document %s has group %q, want the earlier %q", id, got[id], gid)
			}
		}
		return nil
	})
}

// collectionDestroyed verifies that no group of the collection is left and no document holds an ID.
func collectionDestroyed(t *testing.T, env *acctest.Env, groups map[string]string, variants ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if len(groups) == 0 {
			return fmt.Errorf("no group was recorded; the test cannot prove the destroy")
		}
		for id, gid := range groups {
			if _, ok := env.Group(t, gid); ok {
				return fmt.Errorf("group %s of %s still exists after destroy", gid, id)
			}
		}
		for _, v := range variants {
			if f := env.Field(t, v, "oktaGroupId"); f != "" {
				return fmt.Errorf("%s still holds oktaGroupId %q after destroy", v, f)
			}
		}
		return nil
	}
}

// memberChanged is a plan check: the collection is updated, and exactly the listed members differ
// between before and after.
func memberChanged(ids ...string) plancheck.PlanCheck {
	return planCheck(func(p *tfjson.Plan) error {
		for _, rc := range p.ResourceChanges {
			if rc.Address != collectionAddr {
				continue
			}
			if !rc.Change.Actions.Update() {
				return fmt.Errorf("%s plans %v, want an update", collectionAddr, rc.Change.Actions)
			}
			changedSet := map[string]bool{}
			for _, attr := range []string{"documents", "group_ids", "document_synced"} {
				before, _ := rc.Change.Before.(map[string]any)[attr].(map[string]any)
				after, _ := rc.Change.After.(map[string]any)[attr].(map[string]any)
				unknown, _ := rc.Change.AfterUnknown.(map[string]any)[attr].(map[string]any)
				if u, ok := rc.Change.AfterUnknown.(map[string]any)[attr].(bool); ok && u {
					return fmt.Errorf("the whole of %s is unknown in the plan", attr)
				}
				for id := range merged(before, after) {
					if fmt.Sprint(before[id]) != fmt.Sprint(after[id]) || unknown[id] == true {
						changedSet[id] = true
					}
				}
				for id, u := range unknown {
					if u == true {
						changedSet[id] = true
					}
				}
			}
			var changed []string
			for id := range changedSet {
				changed = append(changed, id)
			}
			sort.Strings(changed)
			want := append([]string(nil), ids...)
			sort.Strings(want)
			if strings.Join(changed, ",") != strings.Join(want, ",") {
				return fmt.Errorf("the plan changes members %v, want exactly %v", changed, want)
			}
			return nil
		}
		return fmt.Errorf("%s has no planned change", collectionAddr)
	})
}

func merged(a, b map[string]any) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// Collection 1: groups for every document, written back to every variant; an empty plan afterwards; one
// retitled document is one changed member and one Okta write; a document leaving the collection loses its
// group; destroy deletes the rest.
func TestAccDocumentGroups_lifecycle(t *testing.T) {
	env := acctest.New(t)
	a, b, c := env.DocID("pricing"), env.DocID("handbook"), env.DocID("course")
	docA := handbook(env, a, "pricing", "Partner pricing")
	env.PutDocuments(t,
		docA,
		withID(docA, "drafts."+a, map[string]any{"title": "Partner pricing (draft)"}),
		withID(docA, "versions.rspring."+a, nil),
		handbook(env, b, "handbook", "Sales handbook"),
		handbook(env, c, "course", "Compliance course"),
	)
	env.CleanupGroupsNamed(t, env.Name("pricing"), env.Name("handbook"), env.Name("course"))
	want := map[string]string{a: env.Name("pricing"), b: env.Name("handbook"), c: env.Name("course")}
	variants := map[string][]string{a: {"drafts." + a, "versions.rspring." + a}}
	groups := map[string]string{}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             collectionDestroyed(t, env, groups, a, "drafts."+a, "versions.rspring."+a, b, c),
		Steps: []resource.TestStep{
			{
				Config: collectionConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					checkCollection(t, env, want, variants, groups),
					statecheck.ExpectKnownValue(collectionAddr, tfjsonpath.New("documents").AtMapKey(a).AtMapKey("description"),
						knownvalue.StringExact("Access to Partner pricing")),
					statecheck.ExpectKnownValue(collectionAddr, tfjsonpath.New("document_synced").AtMapKey(a), knownvalue.Bool(true)),
				},
			},
			{
				Config:           collectionConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig: func() {
					env.PatchDocument(t, b, map[string]any{"title": "Sales handbook 2027"})
					if env.Okta != nil {
						env.Okta.ResetRequests()
					}
				},
				Config: collectionConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					memberChanged(b),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameGroups(groups),
					stateCheck(func(*tfjson.State) error {
						if g, _ := env.Group(t, groups[b]); g.Description != "Access to Sales handbook 2027" {
							return fmt.Errorf("Okta description of %s = %q", b, g.Description)
						}
						if w := oktaWrites(env); env.Okta != nil && w != 1 {
							return fmt.Errorf("one retitled document cost %d Okta writes, want 1", w)
						}
						return nil
					}),
				},
			},
			{
				// The course is archived: its group goes, the others stay.
				PreConfig: func() { env.PatchDocument(t, c, map[string]any{"active": false}) },
				Config:    collectionConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					memberChanged(c),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					checkCollection(t, env, map[string]string{a: want[a], b: want[b]}, variants, nil),
					stateCheck(func(*tfjson.State) error {
						if _, ok := env.Group(t, groups[c]); ok {
							return fmt.Errorf("the archived document's group %s still exists", groups[c])
						}
						if f := env.Field(t, c, "oktaGroupId"); f != "" {
							return fmt.Errorf("the archived document still holds %q", f)
						}
						return nil
					}),
				},
			},
		},
	})
}

// oktaWrites counts the Okta requests since the last reset that change something.
func oktaWrites(env *acctest.Env) int {
	n := 0
	for _, r := range env.Okta.Requests() {
		if r.Method != "GET" {
			n++
		}
	}
	return n
}

type planCheck func(*tfjson.Plan) error

func (f planCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = f(req.Plan)
}
