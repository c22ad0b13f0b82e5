package provider

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// documentsConfig reads the test's documents five ways.
func documentsConfig(env *acctest.Env) string {
	prefix := env.DocID("")
	return env.ProviderConfig() + fmt.Sprintf(`
locals {
  sales = "_type == $type && department == $dept && string::startsWith(_id, $prefix)"
}

data "sanityokta_documents" "by_filter" {
  filter = local.sales
  params = { type = "tfaccHandbook", dept = "sales", prefix = %[1]q }
  fields = ["id", "type", "rev", "updated_at", "title", "slug", "description", "access_tier", "department", "region",
  "allowed_roles", "okta_group_id", "okta_group_name", "active", "json"]
}

data "sanityokta_documents" "with_inactive" {
  filter           = local.sales
  params           = { type = "tfaccHandbook", dept = "sales", prefix = %[1]q }
  include_inactive = true
  fields           = ["active"]
}

data "sanityokta_documents" "by_query" {
  query  = "*[_type in $types && string::startsWith(_id, $prefix)]{_id, title, department, active}"
  params = { types = ["tfaccHandbook", "tfaccCourse"], prefix = %[1]q }
  fields = ["department", "region"]
}

data "sanityokta_documents" "projected" {
  filter     = "_id == $id"
  params     = { id = %[2]q }
  projection = "{_id, title, \"slug\": slug.current, \"tier\": upper(accessTier)}"
  fields     = ["slug", "access_tier", "json"]
}

data "sanityokta_documents" "drafts" {
  filter      = local.sales
  params      = { type = "tfaccHandbook", dept = "sales", prefix = %[1]q }
  perspective = "drafts"
}
`, prefix, env.DocID("sales"))
}

// Acceptance test 9: the data source with filter and params, a whole query, a projection, a perspective
// and include_inactive; GROQ syntax errors and missing parameters at validate, without a request; a
// server-side error with Sanity's description.
func TestAccDocumentsDataSource(t *testing.T) {
	env := acctest.New(t)
	sales, hr, course, inactive, draftOnly := env.DocID("sales"), env.DocID("hr"), env.DocID("course"), env.DocID("inactive"), env.DocID("unpublished")
	doc := func(id, typ, dept, suffix string, extra map[string]any) map[string]any {
		d := handbook(env, id, suffix, "Title "+suffix)
		d["_type"], d["department"] = typ, dept
		for k, v := range extra {
			d[k] = v
		}
		return d
	}
	salesDoc := doc(sales, "tfaccHandbook", "sales", "sales", map[string]any{"active": true, "oktaGroupId": "00gexisting0000000001"})
	env.PutDocuments(t,
		salesDoc,
		withID(salesDoc, "drafts."+sales, map[string]any{"title": "Sales (draft)"}),
		doc(hr, "tfaccHandbook", "hr", "hr", nil),
		doc(course, "tfaccCourse", "sales", "course", nil),
		doc(inactive, "tfaccHandbook", "sales", "inactive", map[string]any{"active": false}),
		doc("drafts."+draftOnly, "tfaccHandbook", "sales", "unpublished", nil),
	)
	ids := func(vs ...string) knownvalue.Check {
		checks := make([]knownvalue.Check, len(vs))
		for i, v := range vs {
			checks[i] = knownvalue.StringExact(v)
		}
		return knownvalue.ListExact(checks)
	}
	doc1 := func(attr string) tfjsonpath.Path {
		return tfjsonpath.New("documents").AtMapKey(sales).AtMapKey(attr)
	}
	queries := 0

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() {
					if env.Sanity != nil {
						queries = env.Sanity.CountRequests("", "/v*/data/query/*")
					}
				},
				Config: env.ProviderConfig() + `
data "sanityokta_documents" "broken" {
  filter = <<-EOT
    _type == "tfaccHandbook" &&
      department == 
  EOT
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)GROQ syntax error in filter.*Line 3, column \d+`),
			},
			{
				PreConfig: func() {
					if env.Sanity != nil {
						if n := env.Sanity.CountRequests("", "/v*/data/query/*"); n != queries {
							t.Errorf("validating a broken filter sent %d queries to the Content Lake, want none", n-queries)
						}
					}
				},
				Config: env.ProviderConfig() + `
data "sanityokta_documents" "missing_param" {
  filter = "_type == $type && department == $dept"
  params = { type = "tfaccHandbook" }
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)filter references \$dept, but params has no "dept" key`),
			},
			{
				Config: env.ProviderConfig() + `
data "sanityokta_documents" "both" {
  filter = "_type == \"a\""
  query  = "*[_type == \"a\"]"
}
`,
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)filter.*query`),
			},
			{
				Config: documentsConfig(env),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", tfjsonpath.New("ids"), ids(sales)),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", tfjsonpath.New("perspective"), knownvalue.StringExact("published")),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", doc1("title"), knownvalue.StringExact("Title sales")),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", doc1("type"), knownvalue.StringExact("tfaccHandbook")),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", doc1("slug"), knownvalue.StringExact(env.ID+"-sales")),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", doc1("access_tier"), knownvalue.StringExact("internal")),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", doc1("region"), knownvalue.StringExact("emea")),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", doc1("allowed_roles"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("editor"), knownvalue.StringExact("sales")})),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", doc1("okta_group_id"), knownvalue.StringExact("00gexisting0000000001")),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", doc1("active"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", doc1("rev"), knownvalue.StringRegexp(regexp.MustCompile(`.+`))),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_filter", doc1("updated_at"), knownvalue.StringRegexp(regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T`))),
					statecheck.ExpectKnownValue("data.sanityokta_documents.with_inactive", tfjsonpath.New("ids"), ids(inactive, sales)),
					statecheck.ExpectKnownValue("data.sanityokta_documents.with_inactive",
						tfjsonpath.New("documents").AtMapKey(inactive).AtMapKey("active"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_query", tfjsonpath.New("ids"), ids(course, hr, sales)),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_query",
						tfjsonpath.New("documents").AtMapKey(course).AtMapKey("department"), knownvalue.StringExact("sales")),
					statecheck.ExpectKnownValue("data.sanityokta_documents.by_query",
						tfjsonpath.New("documents").AtMapKey(course).AtMapKey("region"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.sanityokta_documents.projected", doc1("slug"), knownvalue.StringExact(env.ID+"-sales")),
					statecheck.ExpectKnownValue("data.sanityokta_documents.projected", doc1("access_tier"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.sanityokta_documents.drafts", tfjsonpath.New("ids"), ids(sales, draftOnly)),
					statecheck.ExpectKnownValue("data.sanityokta_documents.drafts", doc1("title"), knownvalue.StringExact("Sales (draft)")),
					stateCheck(func(s *tfjson.State) error {
						for _, r := range s.Values.RootModule.Resources {
							if r.Address != "data.sanityokta_documents.projected" {
								continue
							}
							docs, _ := r.AttributeValues["documents"].(map[string]any)
							d, _ := docs[sales].(map[string]any)
							raw, _ := d["json"].(string)
							var projected map[string]any
							if err := json.Unmarshal([]byte(raw), &projected); err != nil {
								return fmt.Errorf("json of the projected document: %v (%q)", err, raw)
							}
							if projected["tier"] != "INTERNAL" || len(projected) != 4 {
								return fmt.Errorf("projected document = %v, want exactly _id, title, slug and tier INTERNAL", projected)
							}
							return nil
						}
						return fmt.Errorf("data.sanityokta_documents.projected not in state")
					}),
					// Without fields, each document carries slug and title only: a for_each over a thousand
					// documents stays cheap for Terraform.
					stateCheck(func(s *tfjson.State) error {
						for _, r := range s.Values.RootModule.Resources {
							if r.Address != "data.sanityokta_documents.drafts" {
								continue
							}
							docs, _ := r.AttributeValues["documents"].(map[string]any)
							d, _ := docs[sales].(map[string]any)
							var keys []string
							for k := range d {
								keys = append(keys, k)
							}
							sort.Strings(keys)
							if strings.Join(keys, ",") != "slug,title" {
								return fmt.Errorf("a document without fields carries %v, want exactly slug and title", keys)
							}
							return nil
						}
						return fmt.Errorf("data.sanityokta_documents.drafts not in state")
					}),
				},
			},
		},
	})
}

// Acceptance test 9, server side: an error from the Content Lake shows Sanity's description.
func TestAccDocumentsDataSource_serverError(t *testing.T) {
	env := acctest.New(t)
	env.RequireFakes(t, "injects a query error the local parser would not produce")
	if err := env.Sanity.AddFault(sanitytest.Fault{
		Method: "GET", Path: "/v*/data/query/*", Status: 400,
		Body: `{"error":{"type":"queryParseError","description":"function \"global::nope\" not found","query":"*[nope()]","start":2,"end":8}}`}); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: env.ProviderConfig() + `
data "sanityokta_documents" "x" {
  filter = "_type == \"tfaccHandbook\""
}
`,
			ExpectError: regexp.MustCompile(`(?s)Sanity rejected the query.*queryParseError.*function\s+"global::nope"\s+not\s+found`),
		}},
	})
}
