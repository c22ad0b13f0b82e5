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
)

// The safety rules for unattended applies: one group per document and one resource per document, at
// Terraform's default parallelism; nothing deleted by a mistake in a query or past the deletion limit.

// perDocumentConfig gives each listed document its own resource block, present while the data source
// finds the document: the instances are independent, so Terraform runs their creates and destroys
// concurrently, as it does for the instances of a for_each (which the test framework cannot address).
func perDocumentConfig(env *acctest.Env, ids ...string) string {
	var b strings.Builder
	b.WriteString(env.ProviderConfig())
	fmt.Fprintf(&b, `
data "sanityokta_documents" "gated" {
  filter = "_type == $type && string::startsWith(_id, $prefix)"
  params = { type = %q, prefix = %q }
}
`, gatedType, env.DocID(""))
	for i, id := range ids {
		fmt.Fprintf(&b, `
resource "sanityokta_document_group" "doc%d" {
  count       = contains(data.sanityokta_documents.gated.ids, %[2]q) ? 1 : 0
  document_id = %[2]q
  name        = "content:tfacc-${data.sanityokta_documents.gated.documents[%[2]q].slug}"
}
`, i, id)
	}
	return b.String()
}

// wrapped matches text as Terraform prints it, wrapped at any space.
func wrapped(text string) string {
	return strings.ReplaceAll(regexp.QuoteMeta(text), " ", `\s+`)
}

// sameNameError matches the error that names two documents asking for one group name.
func sameNameError(a, b, name string) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`documents\s+"(%[1]s|%[2]s)"\s+and\s+"(%[1]s|%[2]s)"\s+%[3]s\s+"%[4]s"`,
		regexp.QuoteMeta(a), regexp.QuoteMeta(b), wrapped("both ask for the Okta group name"), regexp.QuoteMeta(name)))
}

// countGroups fails unless exactly want groups carry name.
func countGroups(t *testing.T, env *acctest.Env, name string, want int) error {
	if got := len(env.GroupsNamed(t, name)); got != want {
		return fmt.Errorf("%d groups are named %q, want %d", got, name, want)
	}
	return nil
}

// Case 1: ten documents sharing three names fail at plan time, naming the documents, and create nothing.
func TestAccDocumentGroup_documentsSharingANameAreRefusedAtPlan(t *testing.T) {
	env := acctest.New(t)
	var docs []map[string]any
	var ids []string
	for i := range 10 {
		id := env.DocID(fmt.Sprintf("twin-%d", i))
		ids = append(ids, id)
		docs = append(docs, handbook(env, id, fmt.Sprintf("shared-%d", i%3), "Twin"))
	}
	env.PutDocuments(t, docs...)
	names := []string{env.Name("shared-0"), env.Name("shared-1"), env.Name("shared-2")}
	env.CleanupGroupsNamed(t, names...)

	// Each name is asked for by three or four documents: whichever is planned first, another is named with it.
	var steps []resource.TestStep
	for _, n := range names {
		steps = append(steps, resource.TestStep{Config: groupsConfig(env, ""), ExpectError: sameNameErrorAmong(ids, n)})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: testAccProtoV6ProviderFactories, Steps: steps})
	for _, n := range names {
		if err := countGroups(t, env, n, 0); err != nil {
			t.Errorf("after the refused plans: %v", err)
		}
	}
}

// sameNameErrorAmong matches the same-name error for any two of ids.
func sameNameErrorAmong(ids []string, name string) *regexp.Regexp {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = regexp.QuoteMeta(id)
	}
	alt := strings.Join(quoted, "|")
	return regexp.MustCompile(fmt.Sprintf(`documents\s+"(%[1]s)"\s+and\s+"(%[1]s)"\s+%[2]s\s+"%[3]s"`,
		alt, wrapped("both ask for the Okta group name"), regexp.QuoteMeta(name)))
}

// Case 1, continued: a second document with a managed document's slug is refused at plan time and the
// first one's group is untouched. Once an editor archives the first, one apply converges: its group is
// deleted and the second gets a new one with the same name, whichever Terraform runs first. When the second
// is a Studio copy that still holds the first's group ID, that group is not deleted (a document names it)
// and passes to the copy instead.
func TestAccDocumentGroup_archivingOneTwinConvergesInOneApply(t *testing.T) {
	for _, copiedField := range []bool{false, true} {
		t.Run(fmt.Sprintf("copy holds the field %v", copiedField), func(t *testing.T) { testArchivingOneTwin(t, copiedField) })
	}
}

func testArchivingOneTwin(t *testing.T, copiedField bool) {
	env := acctest.New(t)
	orig, copied := env.DocID("original"), env.DocID("copy")
	env.PutDocuments(t, handbook(env, orig, "twin", "Original"))
	name := env.Name("twin")
	env.CleanupGroupsNamed(t, name)
	var origGroup, copyGroup string
	config := perDocumentConfig(env, orig, copied)
	origAddr, copyAddr := "sanityokta_document_group.doc0[0]", "sanityokta_document_group.doc1[0]"

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: []statecheck.StateCheck{captureID(origAddr, &origGroup)},
			},
			{
				PreConfig: func() {
					doc := handbook(env, copied, "twin", "Copy")
					if copiedField {
						doc["oktaGroupId"] = origGroup
					}
					env.PutDocuments(t, doc)
				},
				Config:      config,
				ExpectError: sameNameError(orig, copied, name),
			},
			{
				PreConfig: func() {
					if _, ok := env.Group(t, origGroup); !ok {
						t.Fatalf("the refused plan deleted the original's group %s", origGroup)
					}
					env.PatchDocument(t, orig, map[string]any{"active": false})
				},
				Config: config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(origAddr, plancheck.ResourceActionDestroy),
					plancheck.ExpectResourceAction(copyAddr, plancheck.ResourceActionCreate),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					captureID(copyAddr, &copyGroup),
					stateCheck(func(*tfjson.State) error {
						_, origExists := env.Group(t, origGroup)
						switch {
						case copiedField && copyGroup != origGroup:
							return fmt.Errorf("the copy, which holds %s, got another group %s", origGroup, copyGroup)
						case !copiedField && copyGroup == origGroup:
							return fmt.Errorf("the copy took over the archived original's group %s", origGroup)
						case !copiedField && origExists:
							return fmt.Errorf("the archived original's group %s still exists", origGroup)
						}
						if got := env.Field(t, orig, "oktaGroupId"); got != "" {
							return fmt.Errorf("the archived original still holds %q", got)
						}
						if got := env.Field(t, copied, "oktaGroupId"); got != copyGroup {
							return fmt.Errorf("the copy holds %q, want its group %s", got, copyGroup)
						}
						return countGroups(t, env, name, 1)
					}),
				},
			},
			{
				Config:           config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// Case 3: two resources on one document fail at plan time, whether both are new or one is applied.
func TestAccDocumentGroup_twoResourcesOnOneDocumentAreRefused(t *testing.T) {
	env := acctest.New(t)
	id := env.DocID("overlap")
	env.PutDocuments(t, handbook(env, id, "overlap", "Overlap"))
	env.CleanupGroupsNamed(t, env.Name("overlap-a"), env.Name("overlap-b"))
	one := singleConfig(env, id, env.Name("overlap-a"), "")
	both := one + fmt.Sprintf(`
resource "sanityokta_document_group" "two" {
  document_id = %q
  name        = %q
}
`, id, env.Name("overlap-b"))
	twoResources := regexp.MustCompile(wrapped(`document "` + id + `" is managed by two resources in this configuration`))
	var gid string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: both, ExpectError: twoResources},
			{Config: one, ConfigStateChecks: []statecheck.StateCheck{captureID("sanityokta_document_group.one", &gid)}},
			{Config: both, ExpectError: twoResources},
			{
				Config:           one,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(*tfjson.State) error {
					if got := env.Field(t, id, "oktaGroupId"); got != gid {
						return fmt.Errorf("the document holds %q, want %s: the refused plan changed it", got, gid)
					}
					return countGroups(t, env, env.Name("overlap-b"), 0)
				})},
			},
		},
	})
}

// Case 2: a query that returns no documents fails the plan, and every group still exists.
func TestAccDocumentGroup_queryReturningNoDocumentsFailsWithoutDeleting(t *testing.T) {
	env := acctest.New(t)
	a, b := env.DocID("q-a"), env.DocID("q-b")
	env.PutDocuments(t, handbook(env, a, "q-a", "A"), handbook(env, b, "q-b", "B"))
	env.CleanupGroupsNamed(t, env.Name("q-a"), env.Name("q-b"))
	good := groupsConfig(env, "")
	withQuery := func(query string) string {
		return strings.Replace(good, `  filter = "_type == $type && string::startsWith(_id, $prefix)"`,
			fmt.Sprintf("  query = %q", query), 1)
	}
	var ga, gb string
	stillThere := func() {
		for _, g := range []string{ga, gb} {
			if _, ok := env.Group(t, g); !ok {
				t.Errorf("group %s was deleted by a plan that failed", g)
			}
		}
	}
	notDocuments := regexp.MustCompile(wrapped("are not documents with a string _id"))

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: good,
				ConfigStateChecks: []statecheck.StateCheck{
					captureID(addrOf(a, a, b), &ga), captureID(addrOf(b, a, b), &gb),
				},
			},
			{Config: withQuery(`*[_type == $type && string::startsWith(_id, $prefix)]._id`), ExpectError: notDocuments},
			{PreConfig: stillThere, Config: withQuery(`*[_type == $type && string::startsWith(_id, $prefix)]{title}`), ExpectError: notDocuments},
			{PreConfig: stillThere, Config: withQuery(`count(*[_type == $type])`), ExpectError: regexp.MustCompile(`the\s+query\s+returned\s+\d+,\s+` + wrapped("not an array of documents"))},
			{
				PreConfig:        stillThere,
				Config:           withQuery(`*[_type == $type && string::startsWith(_id, $prefix)]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// The deletion limit: a plan deleting 11 groups fails at the default limit of 10 before anything is
// deleted, and passes with the limit raised to 11; the group kept on destroy does not count.
func TestAccDocumentGroup_deletionLimit(t *testing.T) {
	env := acctest.New(t)
	var docs []map[string]any
	var names []string
	for i := range 12 {
		s := fmt.Sprintf("limit-%02d", i)
		docs = append(docs, handbook(env, env.DocID(s), s, "Limit "+s))
		names = append(names, env.Name(s))
	}
	env.PutDocuments(t, docs...)
	env.CleanupGroupsNamed(t, names...)
	keep := env.DocID("limit-00")
	config := groupsConfig(env, `  on_destroy  = local.ids[count.index] == "`+keep+`" ? "keep" : "delete"`)
	var keptID string
	t.Cleanup(func() {
		if keptID != "" {
			env.DeleteGroup(t, keptID)
		}
	})
	allThere := func() error {
		for _, n := range names {
			if err := countGroups(t, env, n, 1); err != nil {
				return err
			}
		}
		return nil
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config, ConfigStateChecks: []statecheck.StateCheck{captureID("sanityokta_document_group.content[0]", &keptID)}},
			{
				// The filter stops matching (a renamed type, say): every resource would be destroyed.
				Config:      strings.Replace(config, "string::startsWith(_id, $prefix)", `_type == 'renamed'`, 1),
				ExpectError: regexp.MustCompile(wrapped("This plan deletes at least 11 Okta groups, more than the deletion limit of 10")),
			},
			{
				PreConfig: func() {
					if err := allThere(); err != nil {
						t.Fatalf("after the refused plan: %v", err)
					}
				},
				Config: env.ProviderConfig("deletion_limit = 11"),
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(*tfjson.State) error {
					for _, n := range names[1:] {
						if err := countGroups(t, env, n, 0); err != nil {
							return err
						}
					}
					return countGroups(t, env, names[0], 1)
				})},
			},
		},
	})
}

// Case 4: import refuses a group another document holds, and a document that does not exist.
func TestAccDocumentGroup_importFollowsTheOwnershipRules(t *testing.T) {
	env := acctest.New(t)
	owner, other := env.DocID("owner"), env.DocID("other")
	env.PutDocuments(t, handbook(env, owner, "owner", "Owner"), handbook(env, other, "other", "Other"))
	env.CleanupGroupsNamed(t, env.Name("owner"))
	const addr = "sanityokta_document_group.one"
	var gid string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            singleConfig(env, owner, env.Name("owner"), ""),
				ConfigStateChecks: []statecheck.StateCheck{captureID(addr, &gid)},
			},
			{
				Config:            singleConfig(env, owner, env.Name("owner"), ""),
				ResourceName:      addr,
				ImportState:       true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return other + ":" + gid, nil },
				ExpectError: regexp.MustCompile(wrapped(`cannot import document "`+other+`" with Okta group`) + `[\s\S]*` +
					wrapped(`document "`+owner+`" holds that group`)),
			},
			{
				Config:            singleConfig(env, owner, env.Name("owner"), ""),
				ResourceName:      addr,
				ImportState:       true,
				ImportStateIdFunc: func(*terraform.State) (string, error) { return env.DocID("missing") + ":" + gid, nil },
				ExpectError:       regexp.MustCompile(wrapped("it does not exist in the dataset")),
			},
		},
	})
}

// A group that another document still holds is kept when its resource is destroyed; only the destroyed
// resource's document is cleared.
func TestAccDocumentGroup_destroyKeepsAGroupAnotherDocumentHolds(t *testing.T) {
	env := acctest.New(t)
	id, holder := env.DocID("leaving"), env.DocID("holder")
	env.PutDocuments(t, handbook(env, id, "leaving", "Leaving"), handbook(env, holder, "holder", "Holder"))
	env.CleanupGroupsNamed(t, env.Name("leaving"))
	var gid string

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            singleConfig(env, id, env.Name("leaving"), ""),
				ConfigStateChecks: []statecheck.StateCheck{captureID("sanityokta_document_group.one", &gid)},
			},
			{
				// Another document (managed elsewhere, or by hand) now names the group.
				PreConfig: func() { env.PatchDocument(t, holder, map[string]any{"oktaGroupId": gid}) },
				Config:    env.ProviderConfig(),
				ConfigStateChecks: []statecheck.StateCheck{stateCheck(func(*tfjson.State) error {
					if _, ok := env.Group(t, gid); !ok {
						return fmt.Errorf("group %s was deleted although document %s holds it", gid, holder)
					}
					if got := env.Field(t, holder, "oktaGroupId"); got != gid {
						return fmt.Errorf("the holder's field is %q, want %s", got, gid)
					}
					if got := env.Field(t, id, "oktaGroupId"); got != "" {
						return fmt.Errorf("the destroyed resource's document still holds %q", got)
					}
					return nil
				})},
			},
		},
	})
}
