package acctest

import (
	"context"
	"errors"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
)

// Group is a group as the tests inspect it.
type Group struct {
	ID, Name, Description, Type string
	Attributes                  map[string]any
}

// Group returns the group with this ID and whether it exists.
func (e *Env) Group(t testing.TB, id string) (Group, bool) {
	t.Helper()
	if e.Okta != nil {
		g, ok := e.Okta.Group(id)
		return Group{ID: g.ID, Name: g.Name, Description: g.Description, Type: g.Type, Attributes: g.Attributes}, ok
	}
	g, err := e.OktaClient.GetGroup(context.Background(), id)
	if errors.Is(err, okta.ErrNotFound) {
		return Group{}, false
	}
	if err != nil {
		t.Fatalf("reading group %q: %v", id, err)
	}
	return Group{ID: g.ID, Name: g.Name, Description: g.Description, Type: g.Type, Attributes: g.Attributes}, true
}

// GroupsNamed returns every group whose name is exactly name. Against the fakes this is the org's true
// state; live it goes through Okta's eventually consistent search.
func (e *Env) GroupsNamed(t testing.TB, name string) []Group {
	t.Helper()
	var out []Group
	if e.Okta != nil {
		for _, g := range e.Okta.GroupsByName(name) {
			out = append(out, Group{ID: g.ID, Name: g.Name, Description: g.Description, Type: g.Type, Attributes: g.Attributes})
		}
		return out
	}
	gs, err := e.OktaClient.FindGroupByName(context.Background(), name)
	if err != nil {
		t.Fatalf("looking up groups named %q: %v", name, err)
	}
	for _, g := range gs {
		out = append(out, Group{ID: g.ID, Name: g.Name, Description: g.Description, Type: g.Type, Attributes: g.Attributes})
	}
	return out
}

// CreateGroup makes an OKTA_GROUP outside Terraform and deletes it when the test ends.
func (e *Env) CreateGroup(t testing.TB, name, description string) Group {
	t.Helper()
	g, err := e.OktaClient.CreateGroup(context.Background(), okta.GroupProfile{Name: name, Description: description})
	if err != nil {
		t.Fatalf("creating group %q: %v", name, err)
	}
	t.Cleanup(func() { _ = e.OktaClient.DeleteGroup(context.Background(), g.ID) })
	return Group{ID: g.ID, Name: g.Name, Description: g.Description, Type: g.Type}
}

// DeleteGroup deletes a group behind the provider's back, as an Okta admin would.
func (e *Env) DeleteGroup(t testing.TB, id string) {
	t.Helper()
	if err := e.OktaClient.DeleteGroup(context.Background(), id); err != nil {
		t.Fatalf("deleting group %q: %v", id, err)
	}
}

// RenameGroup renames a group behind the provider's back, keeping its description.
func (e *Env) RenameGroup(t testing.TB, id, name string) {
	t.Helper()
	g, ok := e.Group(t, id)
	if !ok {
		t.Fatalf("renaming group %q: it does not exist", id)
	}
	if _, err := e.OktaClient.ReplaceGroupProfile(context.Background(), id, okta.GroupProfile{Name: name, Description: g.Description}); err != nil {
		t.Fatalf("renaming group %q to %q: %v", id, name, err)
	}
}

// CleanupGroupsNamed deletes, when the test ends, every group with one of these names: the safety net
// for steps that fail after creating a group.
func (e *Env) CleanupGroupsNamed(t testing.TB, names ...string) {
	t.Cleanup(func() {
		for _, n := range names {
			gs, err := e.OktaClient.FindGroupByName(context.Background(), n)
			if err != nil {
				continue
			}
			for _, g := range gs {
				if g.Type == okta.TypeOktaGroup {
					_ = e.OktaClient.DeleteGroup(context.Background(), g.ID)
				}
			}
		}
	})
}
