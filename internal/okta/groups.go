package okta

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
)

// Group types as Okta names them.
const (
	TypeOktaGroup = "OKTA_GROUP" // managed in Okta; the only type this provider may change
	TypeAppGroup  = "APP_GROUP"  // imported from an app or directory
	TypeBuiltIn   = "BUILT_IN"   // Everyone
)

// Limits Okta enforces on a group profile, counted in characters.
const (
	MaxNameLength        = 255
	MaxDescriptionLength = 1024
)

// pageSize is Okta's recommended page size for listing.
const pageSize = 200

// Group is an Okta group as this project sees it.
type Group struct {
	ID          string
	Name        string
	Description string
	Type        string // TypeOktaGroup, TypeAppGroup or TypeBuiltIn

	// Attributes holds every other profile attribute (custom attributes of
	// the group schema, or an app group's imported ones). Numbers are
	// float64, as encoding/json decodes them. Never nil.
	Attributes map[string]any

	// HasAdminPrivilege and UsersCount come from Okta's expand=stats. Every
	// method that reads groups asks for the stats, except CreateGroup, whose
	// group is new and so has neither admins nor members.
	HasAdminPrivilege bool
	UsersCount        int

	Created               time.Time
	LastUpdated           time.Time
	LastMembershipUpdated time.Time
}

// GroupProfile is what CreateGroup and ReplaceGroupProfile write.
type GroupProfile struct {
	Name        string
	Description string
	// Attributes are custom profile attributes to set; each must exist in
	// the org's group schema. A nil value removes the attribute.
	Attributes map[string]any
}

// GetGroup reads one group with its stats (admin privilege, member count).
func (c *Client) GetGroup(ctx context.Context, id string) (*Group, error) {
	const op = "read group"
	object := groupObject(id, "")
	if err := checkID(id); err != nil {
		return nil, newError(op, object, ErrInvalid, err.Error(), "use the ID Okta assigned (20 letters and digits, starting with 00g)")
	}
	ctx, trace := withTrace(ctx)
	var g *sdk.Group
	resp, err := c.do(ctx, "GET", "/api/v1/groups/"+id+"?expand=stats", nil, &g)
	if err != nil {
		return nil, c.classify(op, object, resp, err, trace)
	}
	return fromSDKGroup(g), nil
}

// FindGroupByName returns every group whose name is exactly name (Okta's
// search ignores case; this does not). At most one is an OKTA_GROUP, but
// imported APP_GROUPs may share the name. An empty result is not an error.
//
// Okta's search is eventually consistent: a group created moments ago may
// be missing. Prefer GetGroup when the ID is known.
func (c *Client) FindGroupByName(ctx context.Context, name string) ([]*Group, error) {
	op := "find group by name"
	groups, err := c.searchGroups(ctx, op, fmt.Sprintf("%q", name), "profile.name eq "+quote(name))
	if err != nil {
		return nil, err
	}
	var out []*Group
	for _, g := range groups {
		if g.Name == name {
			out = append(out, g)
		}
	}
	return out, nil
}

// ListGroupsByPrefix returns every group whose name starts with prefix
// (exact case), sorted by name. An empty prefix lists all groups. With a
// prefix it uses Okta's search, which is eventually consistent like
// FindGroupByName's.
func (c *Client) ListGroupsByPrefix(ctx context.Context, prefix string) ([]*Group, error) {
	op := "list groups with name prefix"
	search := ""
	if prefix != "" {
		search = "profile.name sw " + quote(prefix)
	}
	groups, err := c.searchGroups(ctx, op, fmt.Sprintf("%q", prefix), search)
	if err != nil {
		return nil, err
	}
	var out []*Group
	for _, g := range groups {
		if strings.HasPrefix(g.Name, prefix) {
			out = append(out, g)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func (c *Client) searchGroups(ctx context.Context, op, object, search string) ([]*Group, error) {
	q := url.Values{}
	if search != "" {
		q.Set("search", search)
	}
	q.Set("expand", "stats")
	q.Set("limit", strconv.Itoa(pageSize))
	ctx, trace := withTrace(ctx)
	var page []*sdk.Group
	resp, err := c.do(ctx, "GET", "/api/v1/groups?"+q.Encode(), nil, &page)
	var out []*Group
	for {
		if err != nil {
			return nil, c.classify(op, object, resp, err, trace)
		}
		for _, g := range page {
			out = append(out, fromSDKGroup(g))
		}
		if !resp.HasNextPage() {
			return out, nil
		}
		page = nil
		resp, err = resp.Next(ctx, &page)
	}
}

// CreateGroup creates an OKTA_GROUP. If the name is taken the error wraps
// ErrNameTaken; look the group up with FindGroupByName.
func (c *Client) CreateGroup(ctx context.Context, p GroupProfile) (*Group, error) {
	const op = "create group"
	object := groupObject("", p.Name)
	if err := checkProfile(p); err != nil {
		return nil, newError(op, object, ErrInvalid, err.Error(), "shorten it")
	}
	ctx, trace := withTrace(ctx)
	body := sdk.Group{Profile: toSDKProfile(p.Name, p.Description, p.Attributes)}
	var g *sdk.Group
	resp, err := c.do(ctx, "POST", "/api/v1/groups", body, &g)
	if err != nil {
		e := c.classify(op, object, resp, err, trace)
		if nameTaken(e) {
			e.Kind = ErrNameTaken
			e.Hint = "a group with this name already exists (Okta compares names ignoring case); adopt it or choose another name"
		} else if e.Kind == ErrInvalid {
			e.Hint = "Okta refused the profile; custom attributes must be defined in the org's group schema first"
		}
		return nil, e
	}
	return fromSDKGroup(g), nil
}

// ReplaceGroupProfile sets the group's name, description and the given
// attributes. Okta replaces the whole profile, so the current profile is
// read first and attributes not in p are sent back unchanged. The returned
// group carries the stats of that read.
func (c *Client) ReplaceGroupProfile(ctx context.Context, id string, p GroupProfile) (*Group, error) {
	const op = "replace group profile"
	object := groupObject(id, p.Name)
	if err := checkID(id); err != nil {
		return nil, newError(op, object, ErrInvalid, err.Error(), "use the ID Okta assigned (20 letters and digits, starting with 00g)")
	}
	if err := checkProfile(p); err != nil {
		return nil, newError(op, object, ErrInvalid, err.Error(), "shorten it")
	}
	current, err := c.GetGroup(ctx, id)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Op, e.Object = op, object
		}
		return nil, err
	}
	if current.Type != TypeOktaGroup {
		return nil, newError(op, object, ErrInvalid,
			fmt.Sprintf("the group is a %s; Okta lets only OKTA_GROUP profiles be changed", current.Type),
			"change it where it is managed (its source app, or Okta itself for BUILT_IN groups)")
	}
	attrs := make(map[string]any, len(current.Attributes)+len(p.Attributes))
	for k, v := range current.Attributes {
		attrs[k] = v
	}
	for k, v := range p.Attributes {
		attrs[k] = v
	}

	ctx, trace := withTrace(ctx)
	body := sdk.Group{Profile: toSDKProfile(p.Name, p.Description, attrs)}
	var g *sdk.Group
	resp, err := c.do(ctx, "PUT", "/api/v1/groups/"+id, body, &g)
	if err != nil {
		e := c.classify(op, object, resp, err, trace)
		if nameTaken(e) {
			e.Kind = ErrNameTaken
			e.Hint = "another group already has this name (Okta compares names ignoring case); choose another name"
		}
		return nil, e
	}
	out := fromSDKGroup(g)
	out.HasAdminPrivilege = current.HasAdminPrivilege
	out.UsersCount = current.UsersCount
	return out, nil
}

// DeleteGroup deletes a group. A group that does not exist counts as
// deleted.
func (c *Client) DeleteGroup(ctx context.Context, id string) error {
	const op = "delete group"
	object := groupObject(id, "")
	if err := checkID(id); err != nil {
		return newError(op, object, ErrInvalid, err.Error(), "use the ID Okta assigned (20 letters and digits, starting with 00g)")
	}
	ctx, trace := withTrace(ctx)
	resp, err := c.do(ctx, "DELETE", "/api/v1/groups/"+id, nil, nil)
	if err != nil {
		e := c.classify(op, object, resp, err, trace)
		if e.Kind == ErrNotFound {
			return nil
		}
		return e
	}
	return nil
}

// do sends one request through the SDK's executor, which adds auth, the user
// agent and 429 retries. v is a pointer to the decoded body, or nil.
func (c *Client) do(ctx context.Context, method, path string, body, v any) (*sdk.Response, error) {
	rq := c.sdk.CloneRequestExecutor()
	req, err := rq.WithAccept("application/json").WithContentType("application/json").NewRequest(method, path, body)
	if err != nil {
		return nil, err
	}
	return rq.Do(ctx, req, v)
}

func toSDKProfile(name, description string, attrs map[string]any) *sdk.GroupProfile {
	p := &sdk.GroupProfile{Name: name, Description: description}
	if len(attrs) > 0 {
		// The SDK writes name and description into this map when it
		// marshals, so it must be a copy; it also drops an empty
		// description, which Okta treats the same as "".
		p.GroupProfileMap = make(sdk.GroupProfileMap, len(attrs))
		for k, v := range attrs {
			if k == "name" || k == "description" {
				continue
			}
			p.GroupProfileMap[k] = v
		}
	}
	return p
}

func fromSDKGroup(g *sdk.Group) *Group {
	if g == nil {
		return &Group{Attributes: map[string]any{}}
	}
	out := &Group{ID: g.Id, Type: g.Type, Attributes: map[string]any{}}
	if g.Profile != nil {
		out.Name = g.Profile.Name
		out.Description = g.Profile.Description
		for k, v := range g.Profile.GroupProfileMap {
			if v != nil {
				out.Attributes[k] = v
			}
		}
	}
	out.Created = timeOf(g.Created)
	out.LastUpdated = timeOf(g.LastUpdated)
	out.LastMembershipUpdated = timeOf(g.LastMembershipUpdated)
	if embedded, ok := g.Embedded.(map[string]any); ok {
		if stats, ok := embedded["stats"].(map[string]any); ok {
			// Okta spells it "hasAdminPrivlege"; accept the correct
			// spelling too in case Okta fixes it.
			for _, key := range []string{"hasAdminPrivlege", "hasAdminPrivilege"} {
				if b, ok := stats[key].(bool); ok && b {
					out.HasAdminPrivilege = true
				}
			}
			if n, ok := stats["usersCount"].(float64); ok {
				out.UsersCount = int(n)
			}
		}
	}
	return out
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// checkID refuses IDs that are not plain Okta IDs. IDs come from documents
// that editors control, and the SDK puts them into URL paths unescaped.
func checkID(id string) error {
	if id == "" {
		return fmt.Errorf("the ID is empty")
	}
	if len(id) > 64 {
		return fmt.Errorf("the ID is %d characters long", len(id))
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return fmt.Errorf("the ID %q contains %q; Okta IDs are letters and digits", id, r)
		}
	}
	return nil
}

func checkProfile(p GroupProfile) error {
	if p.Name == "" {
		return fmt.Errorf("the group name is empty")
	}
	if n := utf8.RuneCountInString(p.Name); n > MaxNameLength {
		return fmt.Errorf("the group name is %d characters long; Okta allows %d", n, MaxNameLength)
	}
	if n := utf8.RuneCountInString(p.Description); n > MaxDescriptionLength {
		return fmt.Errorf("the description is %d characters long; Okta allows %d", n, MaxDescriptionLength)
	}
	return nil
}

func groupObject(id, name string) string {
	switch {
	case id != "" && name != "":
		return fmt.Sprintf("%s (%q)", id, name)
	case id != "":
		return id
	case name != "":
		return fmt.Sprintf("%q", name)
	}
	return ""
}

// quote makes a string literal for Okta's search expressions.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
