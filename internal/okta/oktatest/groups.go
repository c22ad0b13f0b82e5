package oktatest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Group types.
const (
	TypeOktaGroup = "OKTA_GROUP"
	TypeAppGroup  = "APP_GROUP"
	TypeBuiltIn   = "BUILT_IN"
)

// Group is a snapshot of a group in the fake org. As input to AddGroup,
// empty fields get defaults: a new ID, type OKTA_GROUP, the current time.
type Group struct {
	ID          string         `json:"id,omitempty"`
	Type        string         `json:"type,omitempty"`
	Name        string         `json:"name"`
	Description string         `json:"description,omitempty"`
	Attributes  map[string]any `json:"attributes,omitempty"` // other profile attributes

	// AdminPrivilege marks a group that holds an admin role (reported as
	// hasAdminPrivlege by expand=stats).
	AdminPrivilege bool `json:"adminPrivilege,omitempty"`
	UsersCount     int  `json:"usersCount,omitempty"`
	AppsCount      int  `json:"appsCount,omitempty"`
	// SourceID is the app an APP_GROUP was imported from.
	SourceID string `json:"sourceId,omitempty"`

	Created               time.Time `json:"created,omitzero"`
	LastUpdated           time.Time `json:"lastUpdated,omitzero"`
	LastMembershipUpdated time.Time `json:"lastMembershipUpdated,omitzero"`
}

type group struct {
	id, typ           string
	name              string
	description       *string
	attrs             map[string]any
	admin             bool
	users, apps       int
	sourceID          string
	created, updated  time.Time
	membershipUpdated time.Time
}

func (g *group) snapshot() Group {
	out := Group{
		ID: g.id, Type: g.typ, Name: g.name, Attributes: map[string]any{},
		AdminPrivilege: g.admin, UsersCount: g.users, AppsCount: g.apps, SourceID: g.sourceID,
		Created: g.created, LastUpdated: g.updated, LastMembershipUpdated: g.membershipUpdated,
	}
	if g.description != nil {
		out.Description = *g.description
	}
	for k, v := range g.attrs {
		out.Attributes[k] = v
	}
	return out
}

// searchIndex is what search and q see: writes reach it after the search
// lag, as in Okta, where search is served from an eventually consistent
// copy.
type searchIndex struct {
	entries map[string]Group
	pending []indexUpdate
}

type indexUpdate struct {
	at      time.Time
	id      string
	group   Group
	deleted bool
}

// reindex schedules the group's current state (or its deletion) for search.
// Callers hold s.mu.
func (s *Server) reindex(id string) {
	u := indexUpdate{at: time.Now().Add(s.limits.SearchLag), id: id}
	if g, ok := s.groups[id]; ok {
		u.group = g.snapshot()
	} else {
		u.deleted = true
	}
	s.index.pending = append(s.index.pending, u)
	s.catchUpIndex()
}

// catchUpIndex applies the updates that are due. Callers hold s.mu.
func (s *Server) catchUpIndex() {
	now := time.Now()
	keep := s.index.pending[:0]
	for _, u := range s.index.pending {
		if u.at.After(now) {
			keep = append(keep, u)
			continue
		}
		if u.deleted {
			delete(s.index.entries, u.id)
		} else {
			s.index.entries[u.id] = u.group
		}
	}
	s.index.pending = keep
}

// AddGroup seeds a group of any type, including APP_GROUPs and groups with
// admin privileges. It applies Okta's rules on names (OKTA_GROUP names are
// unique, ignoring case) and lengths; custom attributes need not be in the
// schema. Seeded groups are searchable at once.
func (s *Server) AddGroup(g Group) (Group, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g.Type == "" {
		g.Type = TypeOktaGroup
	}
	switch g.Type {
	case TypeOktaGroup, TypeAppGroup, TypeBuiltIn:
	default:
		return Group{}, fmt.Errorf("oktatest: unknown group type %q", g.Type)
	}
	if g.ID == "" {
		g.ID = newID("00g")
	}
	if _, ok := s.groups[g.ID]; ok {
		return Group{}, fmt.Errorf("oktatest: a group with ID %s already exists", g.ID)
	}
	if err := checkGroupName(g.Name); err != nil {
		return Group{}, fmt.Errorf("oktatest: %s", err)
	}
	if utf8.RuneCountInString(g.Description) > maxDescriptionLength {
		return Group{}, fmt.Errorf("oktatest: description longer than %d characters", maxDescriptionLength)
	}
	if g.Type != TypeAppGroup {
		if other := s.nameHolder(g.Name, ""); other != nil {
			return Group{}, fmt.Errorf("oktatest: group %s already has the name %q", other.id, other.name)
		}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, t := range []*time.Time{&g.Created, &g.LastUpdated, &g.LastMembershipUpdated} {
		if t.IsZero() {
			*t = now
		}
	}
	ng := &group{
		id: g.ID, typ: g.Type, name: g.Name, attrs: map[string]any{},
		admin: g.AdminPrivilege, users: g.UsersCount, apps: g.AppsCount, sourceID: g.SourceID,
		created: g.Created.UTC(), updated: g.LastUpdated.UTC(), membershipUpdated: g.LastMembershipUpdated.UTC(),
	}
	if g.Description != "" {
		ng.description = ptr(g.Description)
	}
	if g.Type == TypeAppGroup && ng.sourceID == "" {
		ng.sourceID = newID("0oa")
	}
	for k, v := range g.Attributes {
		ng.attrs[k] = v
	}
	s.putGroup(ng)
	s.index.entries[ng.id] = ng.snapshot()
	return ng.snapshot(), nil
}

// Group returns the group with this ID, as it is now.
func (s *Server) Group(id string) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[id]
	if !ok {
		return Group{}, false
	}
	return g.snapshot(), true
}

// Groups returns every group, Everyone included, ordered by creation time.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Group, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g.snapshot())
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// GroupsByName returns the groups whose name is exactly name.
func (s *Server) GroupsByName(name string) []Group {
	var out []Group
	for _, g := range s.Groups() {
		if g.Name == name {
			out = append(out, g)
		}
	}
	return out
}

// ErrNoSuchGroup is returned by the drift helpers for unknown IDs.
var ErrNoSuchGroup = errors.New("oktatest: no such group")

// DeleteGroup removes a group as if an admin deleted it in Okta. Rules
// that assigned users to it become INVALID.
func (s *Server) DeleteGroup(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.groups[id]; !ok {
		return ErrNoSuchGroup
	}
	s.deleteGroupLocked(id)
	return nil
}

// RenameGroup changes a group's name behind the client's back.
func (s *Server) RenameGroup(id, name string) error {
	return s.UpdateGroup(id, func(g *Group) { g.Name = name })
}

// UpdateGroup changes a group behind the client's back (drift): update gets
// a copy to edit; ID, Type and Created are kept. Name rules still apply.
func (s *Server) UpdateGroup(id string, update func(*Group)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[id]
	if !ok {
		return ErrNoSuchGroup
	}
	snap := g.snapshot()
	update(&snap)
	if err := checkGroupName(snap.Name); err != nil {
		return fmt.Errorf("oktatest: %s", err)
	}
	if g.typ != TypeAppGroup {
		if other := s.nameHolder(snap.Name, id); other != nil {
			return fmt.Errorf("oktatest: group %s already has the name %q", other.id, other.name)
		}
	}
	s.setName(g, snap.Name)
	g.description = nil
	if snap.Description != "" {
		g.description = ptr(snap.Description)
	}
	g.attrs = map[string]any{}
	for k, v := range snap.Attributes {
		g.attrs[k] = v
	}
	g.admin = snap.AdminPrivilege
	if g.users != snap.UsersCount {
		g.membershipUpdated = time.Now().UTC().Truncate(time.Millisecond)
	}
	g.users = snap.UsersCount
	g.apps = snap.AppsCount
	g.updated = time.Now().UTC().Truncate(time.Millisecond)
	s.reindex(id)
	return nil
}

func (s *Server) deleteGroupLocked(id string) {
	if g, ok := s.groups[id]; ok && g.typ != TypeAppGroup {
		delete(s.names, nameKey(g.name))
	}
	delete(s.groups, id)
	s.dropGroupMembers(id)
	for _, r := range s.rules {
		for _, gid := range r.groupIDs {
			if gid == id {
				r.status = RuleInvalid
				r.allGroupsValid = false
				r.updated = time.Now().UTC().Truncate(time.Millisecond)
			}
		}
	}
	s.reindex(id)
}

// nameHolder finds the OKTA_GROUP or BUILT_IN group that holds name
// (ignoring case), other than except. Callers hold s.mu.
func (s *Server) nameHolder(name, except string) *group {
	id, ok := s.names[nameKey(name)]
	if !ok || id == except {
		return nil
	}
	return s.groups[id]
}

// putGroup stores a new group and claims its name. Callers hold s.mu.
func (s *Server) putGroup(g *group) {
	s.groups[g.id] = g
	if g.typ != TypeAppGroup {
		s.names[nameKey(g.name)] = g.id
	}
}

// setName renames a stored group. Callers hold s.mu.
func (s *Server) setName(g *group, name string) {
	if g.typ != TypeAppGroup {
		delete(s.names, nameKey(g.name))
		s.names[nameKey(name)] = g.id
	}
	g.name = name
}

// OKTA_GROUP names are unique ignoring case.
func nameKey(name string) string { return strings.ToLower(name) }

const (
	maxNameLength        = 255
	maxDescriptionLength = 1024
)

func checkGroupName(name string) error {
	if name == "" {
		return errors.New("a group name must not be empty")
	}
	if utf8.RuneCountInString(name) > maxNameLength {
		return fmt.Errorf("a group name must be at most %d characters", maxNameLength)
	}
	return nil
}
