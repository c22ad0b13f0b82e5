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
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// rulesConfig is groupsConfig plus one rule per document, matching its department and region.
func rulesConfig(env *acctest.Env, extra string) string {
	config := strings.Replace(groupsConfig(env, ""), `  params = {`, `  fields = ["slug", "title", "department", "region"]
  params = {`, 1)
	return config + fmt.Sprintf(`
resource "sanityokta_group_rule" "content" {
  count    = length(local.ids)
  name     = "tfacc ${local.ids[count.index]}"
  group_id = sanityokta_document_group.content[count.index].id
  match = {
    department = [data.sanityokta_documents.gated.documents[local.ids[count.index]].department]
    region     = [data.sanityokta_documents.gated.documents[local.ids[count.index]].region]
  }
%s
}
`, extra)
}

const ruleAddr = "sanityokta_group_rule.content[0]"

// ruleIn returns the fake org's rule with the ID in state at ruleAddr.
func ruleIn(env *acctest.Env, s *tfjson.State) (oktatest.GroupRule, error) {
	id, err := groupIDOf(s, ruleAddr)
	if err != nil {
		return oktatest.GroupRule{}, err
	}
	r, ok := env.Okta.GroupRule(id)
	if !ok {
		return oktatest.GroupRule{}, fmt.Errorf("rule %s is not in the org", id)
	}
	return r, nil
}

// A rule built from a document's fields: created active, left alone when nothing changes, changed in
// place when an editor changes the department, and a hostile value is refused before anything changes.
func TestAccGroupRule_followsTheDocument(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "reads rules from the fake org")
	id := env.DocID("rules")
	env.PutDocuments(t, handbook(env, id, "rules", "Rules"))
	env.CleanupGroupsNamed(t, env.Name("rules"))
	sameID := statecheck.CompareValue(compare.ValuesSame())
	expect := func(want string) statecheck.StateCheck {
		return stateCheck(func(s *tfjson.State) error {
			r, err := ruleIn(env, s)
			if err != nil {
				return err
			}
			if r.Expression != want || r.Status != oktatest.RuleActive {
				return fmt.Errorf("rule in Okta: %q, %s; want %q, ACTIVE", r.Expression, r.Status, want)
			}
			return nil
		})
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: rulesConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(ruleAddr, tfjsonpath.New("id")),
					statecheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("status"), knownvalue.StringExact("ACTIVE")),
					expect(`user.department == "sales" AND user.region == "emea"`),
				},
			},
			{
				Config:           rulesConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
			{
				PreConfig: func() { env.PatchDocument(t, id, map[string]any{"department": "presales"}) },
				Config:    rulesConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ruleAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(ruleAddr, tfjsonpath.New("expression_value"),
						knownvalue.StringExact(`user.department == "presales" AND user.region == "emea"`)),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					sameID.AddStateValue(ruleAddr, tfjsonpath.New("id")),
					expect(`user.department == "presales" AND user.region == "emea"`),
				},
			},
			{
				// An editor tries to widen the rule to everyone.
				PreConfig:   func() { env.PatchDocument(t, id, map[string]any{"department": `sales" OR user.login != "`}) },
				Config:      rulesConfig(env, ""),
				ExpectError: regexp.MustCompile(wrapped("cannot go into a group rule: it contains a double quote")),
			},
			{
				PreConfig:         func() { env.PatchDocument(t, id, map[string]any{"department": "presales"}) },
				Config:            rulesConfig(env, ""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{expect(`user.department == "presales" AND user.region == "emea"`)},
			},
		},
	})
}

// Okta makes a rule INVALID when its group is deleted; the next apply re-creates the group and gives it
// a valid rule again, in place.
func TestAccGroupRule_repairsARuleWhoseGroupWasDeleted(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "reads rule status from the fake org")
	id := env.DocID("invalid")
	env.PutDocuments(t, handbook(env, id, "invalid", "Invalid"))
	env.CleanupGroupsNamed(t, env.Name("invalid"))
	var gid, ruleID string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: rulesConfig(env, ""),
				ConfigStateChecks: []statecheck.StateCheck{
					captureID(addrOf(id, id), &gid), captureID(ruleAddr, &ruleID),
				},
			},
			{
				PreConfig: func() {
					env.DeleteGroup(t, gid)
					if r, _ := env.Okta.GroupRule(ruleID); r.Status != oktatest.RuleInvalid {
						t.Fatalf("the fake left the rule %s after deleting its group; the test would prove nothing", r.Status)
					}
				},
				Config: rulesConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ruleAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(s *tfjson.State) error {
					r, err := ruleIn(env, s)
					if err != nil {
						return err
					}
					newGroup, _ := groupIDOf(s, addrOf(id, id))
					if r.Status != oktatest.RuleActive || len(r.GroupIDs) != 1 || r.GroupIDs[0] != newGroup {
						return fmt.Errorf("rule after repair: %+v, want ACTIVE for the new group %s", r, newGroup)
					}
					if _, ok := env.Okta.GroupRule(ruleID); ok {
						return fmt.Errorf("the INVALID rule %s is still in the org", ruleID)
					}
					return nil
				})},
			},
		},
	})
}

// Destroy deactivates and deletes the rule, asking Okta to remove its users only when configured to;
// an existing rule can be imported by ID.
func TestAccGroupRule_destroyAndImport(t *testing.T) {
	for _, remove := range []bool{false, true} {
		t.Run(fmt.Sprintf("remove_users_on_destroy=%v", remove), func(t *testing.T) {
			env := acctest.New(t)
			env.RequireFakes(t, "reads the fake org's request log")
			id := env.DocID("destroy")
			env.PutDocuments(t, handbook(env, id, "destroy", "Destroy"))
			env.CleanupGroupsNamed(t, env.Name("destroy"))
			config := rulesConfig(env, fmt.Sprintf("  remove_users_on_destroy = %v", remove))
			var ruleID string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{Config: config, ConfigStateChecks: []statecheck.StateCheck{captureID(ruleAddr, &ruleID)}},
					{
						ResourceName:            ruleAddr,
						ImportState:             true,
						ImportStateIdFunc:       func(*terraform.State) (string, error) { return ruleID, nil },
						ImportStateVerify:       true,
						ImportStateVerifyIgnore: []string{"match", "expression", "remove_users_on_destroy"},
					},
					{
						Config: groupsConfig(env, ""),
						ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(*tfjson.State) error {
							if _, ok := env.Okta.GroupRule(ruleID); ok {
								return fmt.Errorf("rule %s survived destroy", ruleID)
							}
							want := fmt.Sprintf("removeUsers=%v", remove)
							for _, r := range env.Okta.Requests() {
								if r.Method == "DELETE" && strings.HasSuffix(r.Path, ruleID) {
									if !strings.Contains(r.RawQuery, want) {
										return fmt.Errorf("rule deleted with %q, want %s", r.RawQuery, want)
									}
									return nil
								}
							}
							return fmt.Errorf("no DELETE of rule %s", ruleID)
						})},
					},
				},
			})
		})
	}
}

// An admin-written expression is checked at validate with its line and column.
func TestAccGroupRule_expressionIsCheckedOffline(t *testing.T) {
	env := acctest.New(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig() + `
resource "sanityokta_group_rule" "bad" {
  name       = "bad"
  group_id   = "00g1234567890abcdefg"
  expression = "user.department = \"sales\""
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(wrapped("line 1, column 17: a single '=' assigns; compare with '=='")),
		}},
	})
}

// Thirty rules created at Terraform's default parallelism while Okta answers some with its policy lock
// (HTTP 423) all succeed.
func TestAccGroupRule_policyLockIsRiddenOut(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "injects 423 answers")
	const n = 30
	var docs []map[string]any
	var names []string
	for i := range n {
		s := fmt.Sprintf("lock-%02d", i)
		docs = append(docs, handbook(env, env.DocID(s), s, "Lock "+s))
		names = append(names, env.Name(s))
	}
	env.PutDocuments(t, docs...)
	env.CleanupGroupsNamed(t, names...)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				if err := env.Okta.AddFault(oktatest.Fault{Method: "POST", Path: "/api/v1/groups/rules", Status: 423, Times: 12}); err != nil {
					t.Fatal(err)
				}
				if err := env.Okta.AddFault(oktatest.Fault{Method: "POST", Path: "/api/v1/groups/rules/*/lifecycle/activate", Status: 423, Times: 8}); err != nil {
					t.Fatal(err)
				}
			},
			Config: withProviderSetting(rulesConfig(env, ""), "deletion_limit = 100"),
			ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(*tfjson.State) error {
				active := 0
				for _, r := range env.Okta.GroupRules() {
					if r.Status == oktatest.RuleActive {
						active++
					}
				}
				if active != n {
					return fmt.Errorf("%d active rules, want %d", active, n)
				}
				locked := 0
				for _, r := range env.Okta.Requests() {
					if r.Status == 423 {
						locked++
					}
				}
				if locked != 20 {
					return fmt.Errorf("the org answered %d requests with 423, want the 20 injected", locked)
				}
				return nil
			})},
		}},
	})
}

// Membership follows the document: the sales/EMEA user, and nobody else, is in the group of a document for
// sales in EMEA; when an editor changes the department to hr, the rule changes in place and membership
// follows; a hostile department value changes nobody's membership.
func TestAccGroupRule_membershipFollowsTheDocument(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "seeds users in the fake org")
	users := map[string]string{}
	for _, u := range []struct{ login, department, region string }{
		{"sales.emea", "sales", "emea"}, {"sales.amer", "sales", "amer"}, {"hr.emea", "hr", "emea"},
	} {
		created, err := env.Okta.AddUser(oktatest.User{Status: "ACTIVE", Profile: map[string]any{
			"login": u.login + "@example.com", "email": u.login + "@example.com", "firstName": u.login, "lastName": "Test",
			"department": u.department, "region": u.region,
		}})
		if err != nil {
			t.Fatal(err)
		}
		users[u.login] = created.ID
	}
	id := env.DocID("members")
	env.PutDocuments(t, handbook(env, id, "members", "Members"))
	env.CleanupGroupsNamed(t, env.Name("members"))
	membersAre := func(logins ...string) statecheck.StateCheck {
		return stateCheck(func(s *tfjson.State) error {
			gid, err := groupIDOf(s, addrOf(id, id))
			if err != nil {
				return err
			}
			env.Okta.SettleRules()
			got := map[string]bool{}
			for _, m := range env.Okta.GroupMembers(gid) {
				got[m] = true
			}
			want := map[string]bool{}
			for _, l := range logins {
				want[users[l]] = true
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				return fmt.Errorf("members of the document's group: %v, want %v (%v)", got, want, logins)
			}
			return nil
		})
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: rulesConfig(env, ""), ConfigStateChecks: []statecheck.StateCheck{membersAre("sales.emea")}},
			{
				PreConfig: func() { env.PatchDocument(t, id, map[string]any{"department": "hr"}) },
				Config:    rulesConfig(env, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(ruleAddr, plancheck.ResourceActionUpdate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{membersAre("hr.emea")},
			},
			{
				PreConfig:   func() { env.PatchDocument(t, id, map[string]any{"department": `hr" OR user.region == "amer`}) },
				Config:      rulesConfig(env, ""),
				ExpectError: regexp.MustCompile(wrapped("cannot go into a group rule")),
			},
			{
				PreConfig:         func() { env.PatchDocument(t, id, map[string]any{"department": "hr"}) },
				Config:            rulesConfig(env, ""),
				ConfigPlanChecks:  resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{membersAre("hr.emea")},
			},
		},
	})
}
