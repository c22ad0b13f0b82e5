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

func fromOktaRule(r *okta.GroupRule) Rule {
	return Rule{ID: r.ID, Name: r.Name, Status: r.Status, Expression: r.Expression, GroupIDs: r.GroupIDs}
}

// ListRules lists every group rule of the org, page by page.
func (d OktaDirectory) ListRules(ctx context.Context) ([]Rule, error) {
	rs, err := d.Client.ListGroupRules(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Rule, 0, len(rs))
	for _, r := range rs {
		out = append(out, fromOktaRule(r))
	}
	return out, nil
}

// CreateRule creates an INACTIVE rule.
func (d OktaDirectory) CreateRule(ctx context.Context, r Rule) (Rule, error) {
	out, err := d.Client.CreateGroupRule(ctx, okta.GroupRule{Name: r.Name, Expression: r.Expression, GroupIDs: r.GroupIDs})
	if err != nil {
		return Rule{}, err
	}
	return fromOktaRule(out), nil
}

// ReplaceRule replaces an INACTIVE rule's name and expression.
func (d OktaDirectory) ReplaceRule(ctx context.Context, r Rule) (Rule, error) {
	out, err := d.Client.ReplaceGroupRule(ctx, okta.GroupRule{ID: r.ID, Name: r.Name, Expression: r.Expression, GroupIDs: r.GroupIDs})
	if err != nil {
		return Rule{}, err
	}
	return fromOktaRule(out), nil
}

// ActivateRule starts a rule.
func (d OktaDirectory) ActivateRule(ctx context.Context, id string) error {
	return d.Client.ActivateGroupRule(ctx, id)
}

// DeactivateRule stops a rule; its members stay.
func (d OktaDirectory) DeactivateRule(ctx context.Context, id string) error {
	return d.Client.DeactivateGroupRule(ctx, id)
}

// DeleteRule deletes a rule; a missing one counts as deleted.
func (d OktaDirectory) DeleteRule(ctx context.Context, id string, removeUsers bool) error {
	return d.Client.DeleteGroupRule(ctx, id, removeUsers)
}
