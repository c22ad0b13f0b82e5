package access

import (
	"context"
	"errors"
	"fmt"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
)

// OktaDirectory adapts *okta.Client to Directory.
type OktaDirectory struct {
	Client *okta.Client
}

var _ Directory = OktaDirectory{}

func fromOkta(g *okta.Group) Group {
	return Group{
		ID:             g.ID,
		Type:           g.Type,
		Profile:        Profile{Name: g.Name, Description: g.Description, Extra: g.Attributes},
		AdminPrivilege: g.HasAdminPrivilege,
	}
}

// GetGroup reads a group with its stats. An ID Okta could never have issued (an editor's typo in the
// document field) is reported as not found, like a deleted group.
func (d OktaDirectory) GetGroup(ctx context.Context, id string) (Group, error) {
	g, err := d.Client.GetGroup(ctx, id)
	if errors.Is(err, okta.ErrNotFound) || errors.Is(err, okta.ErrInvalid) {
		return Group{}, fmt.Errorf("%w: %w", ErrGroupNotFound, err)
	}
	if err != nil {
		return Group{}, err
	}
	return fromOkta(g), nil
}

// FindGroupByName returns the OKTA_GROUP with exactly this name. Imported groups may share a name with it;
// they are never adopted, and Okta lets an OKTA_GROUP be created beside them.
func (d OktaDirectory) FindGroupByName(ctx context.Context, name string) (Group, bool, error) {
	gs, err := d.Client.FindGroupByName(ctx, name)
	if err != nil {
		return Group{}, false, err
	}
	for _, g := range gs {
		if g.Type == okta.TypeOktaGroup {
			return fromOkta(g), true, nil
		}
	}
	return Group{}, false, nil
}

// ListGroupsByPrefix lists the groups under the prefix, page by page, with their stats.
func (d OktaDirectory) ListGroupsByPrefix(ctx context.Context, prefix string) ([]Group, error) {
	gs, err := d.Client.ListGroupsByPrefix(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]Group, len(gs))
	for i, g := range gs {
		out[i] = fromOkta(g)
	}
	return out, nil
}

func (d OktaDirectory) CreateGroup(ctx context.Context, p Profile) (Group, error) {
	g, err := d.Client.CreateGroup(ctx, okta.GroupProfile{Name: p.Name, Description: p.Description})
	if errors.Is(err, okta.ErrNameTaken) {
		return Group{}, fmt.Errorf("%w: %w", ErrGroupNameTaken, err)
	}
	if err != nil {
		return Group{}, err
	}
	return fromOkta(g), nil
}

// ReplaceGroupProfile sets name and description; the client re-reads the profile and sends every other
// attribute back unchanged, since Okta replaces profiles as a whole.
func (d OktaDirectory) ReplaceGroupProfile(ctx context.Context, id string, p Profile) (Group, error) {
	g, err := d.Client.ReplaceGroupProfile(ctx, id, okta.GroupProfile{Name: p.Name, Description: p.Description})
	if errors.Is(err, okta.ErrNotFound) {
		return Group{}, fmt.Errorf("%w: %w", ErrGroupNotFound, err)
	}
	if errors.Is(err, okta.ErrNameTaken) {
		return Group{}, fmt.Errorf("%w: %w", ErrGroupNameTaken, err)
	}
	if err != nil {
		return Group{}, err
	}
	return fromOkta(g), nil
}

func (d OktaDirectory) DeleteGroup(ctx context.Context, id string) error {
	return d.Client.DeleteGroup(ctx, id)
}
