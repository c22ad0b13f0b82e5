package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/acctest"
)

// gatedType is the document type acceptance tests seed; the data source selects it.
const gatedType = "tfaccHandbook"

// handbook is a gated document as an editor would publish it. Its slug makes the group name
// env.Name(suffix) under the standard configuration.
func handbook(env *acctest.Env, id, suffix, title string) map[string]any {
	return map[string]any{
		"_id":          id,
		"_type":        gatedType,
		"title":        title,
		"slug":         map[string]any{"_type": "slug", "current": env.ID + "-" + suffix},
		"accessTier":   "internal",
		"department":   "sales",
		"region":       "emea",
		"allowedRoles": []any{"editor", "sales"},
	}
}

// withID copies a document under another ID (its draft or a release version).
func withID(doc map[string]any, id string, set map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range doc {
		out[k] = v
	}
	out["_id"] = id
	for k, v := range set {
		out[k] = v
	}
	return out
}

// groupsConfig is the configuration users write: every gated document of this test gets a group named
// after its slug. extra goes into the resource block, where doc is the document.
//
// Users write for_each over the documents map; the tests use count over the sorted ids instead, because
// terraform-plugin-testing's legacy state shim (used for CheckDestroy and dangling-resource cleanup)
// cannot address for_each instances with string keys. Everything else is the same.
func groupsConfig(env *acctest.Env, extra string) string {
	return env.ProviderConfig() + fmt.Sprintf(`
data "sanityokta_documents" "gated" {
  filter = "_type == $type && string::startsWith(_id, $prefix)"
  params = { type = %q, prefix = %q }
}

locals {
  ids = data.sanityokta_documents.gated.ids
}

resource "sanityokta_document_group" "content" {
  count       = length(local.ids)
  document_id = local.ids[count.index]
  name        = "content:tfacc-${data.sanityokta_documents.gated.documents[local.ids[count.index]].slug}"
  description = "Access to ${data.sanityokta_documents.gated.documents[local.ids[count.index]].title}"
%s
}
`, gatedType, env.DocID(""), extra)
}

// withProviderSetting adds a setting to the provider block of config.
func withProviderSetting(config, setting string) string {
	return strings.Replace(config, "provider \"sanityokta\" {\n", "provider \"sanityokta\" {\n  "+setting+"\n", 1)
}

// addrOf is the address of the resource for docID when the test's documents are all (see groupsConfig).
func addrOf(docID string, all ...string) string {
	sorted := append([]string(nil), all...)
	sort.Strings(sorted)
	for i, id := range sorted {
		if id == docID {
			return fmt.Sprintf("sanityokta_document_group.content[%d]", i)
		}
	}
	panic("addrOf: " + docID + " is not among the test's documents")
}

// singleConfig is one resource for one document, for tests that need a fixed address.
func singleConfig(env *acctest.Env, docID, name, extra string) string {
	return env.ProviderConfig() + fmt.Sprintf(`
resource "sanityokta_document_group" "one" {
  document_id = %q
  name        = %q
%s
}
`, docID, name, extra)
}

// stateCheck turns a function of the state into a statecheck.StateCheck. Legacy Check functions cannot
// address for_each instances, state checks can.
type stateCheck func(*tfjson.State) error

func (f stateCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = f(req.State)
}

// groupIDOf returns the group ID (the id attribute) of the resource at addr.
func groupIDOf(s *tfjson.State, addr string) (string, error) {
	if s == nil || s.Values == nil || s.Values.RootModule == nil {
		return "", fmt.Errorf("state is empty, looking for %s", addr)
	}
	for _, r := range s.Values.RootModule.Resources {
		if r.Address == addr {
			v, _ := r.AttributeValues["id"].(string)
			return v, nil
		}
	}
	return "", fmt.Errorf("%s is not in state", addr)
}

// groupTracker remembers every group ID seen in state, so the check after destroy can prove each one is
// gone (the state itself is empty by then).
type groupTracker struct {
	mu  sync.Mutex
	ids map[string]string // group ID -> address
}

func newGroupTracker() *groupTracker { return &groupTracker{ids: map[string]string{}} }

// record is a state check that notes the group IDs of the given addresses.
func (g *groupTracker) record(addrs ...string) statecheck.StateCheck {
	return stateCheck(func(s *tfjson.State) error {
		for _, a := range addrs {
			id, err := groupIDOf(s, a)
			if err != nil {
				return err
			}
			g.mu.Lock()
			g.ids[id] = a
			g.mu.Unlock()
		}
		return nil
	})
}

// checkDestroyed verifies that every recorded group is gone from Okta and that no listed document variant
// still holds an oktaGroupId.
func (g *groupTracker) checkDestroyed(t *testing.T, env *acctest.Env, variantIDs ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		g.mu.Lock()
		defer g.mu.Unlock()
		if len(g.ids) == 0 {
			return fmt.Errorf("no group was recorded; the test cannot prove the destroy")
		}
		for id, addr := range g.ids {
			if _, ok := env.Group(t, id); ok {
				return fmt.Errorf("group %s of %s still exists after destroy", id, addr)
			}
		}
		for _, v := range variantIDs {
			if got := env.Field(t, v, "oktaGroupId"); got != "" {
				return fmt.Errorf("document %s still holds oktaGroupId %q after destroy", v, got)
			}
		}
		return nil
	}
}

// captureID is a state check that stores the group ID of addr, for later steps.
func captureID(addr string, into *string) statecheck.StateCheck {
	return stateCheck(func(s *tfjson.State) error {
		id, err := groupIDOf(s, addr)
		*into = id
		return err
	})
}

// checkWrittenBack verifies, in the Content Lake itself, that every listed variant holds the group ID in
// state for addr, and that exactly one group with the expected name exists in Okta under that ID.
func checkWrittenBack(t *testing.T, env *acctest.Env, addr, name string, variantIDs ...string) statecheck.StateCheck {
	return stateCheck(func(s *tfjson.State) error {
		id, err := groupIDOf(s, addr)
		if err != nil {
			return err
		}
		for _, v := range variantIDs {
			if got := env.Field(t, v, "oktaGroupId"); got != id {
				return fmt.Errorf("document %s holds oktaGroupId %q, want %q", v, got, id)
			}
		}
		g, ok := env.Group(t, id)
		if !ok {
			return fmt.Errorf("group %s of %s does not exist in Okta", id, addr)
		}
		if name != "" && g.Name != name {
			return fmt.Errorf("group %s is named %q in Okta, want %q", id, g.Name, name)
		}
		if n := len(env.GroupsNamed(t, g.Name)); n != 1 {
			return fmt.Errorf("%d groups are named %q, want exactly one", n, g.Name)
		}
		return nil
	})
}
