package oktatest

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"time"
)

// membership records how a user is in a group: added directly (by an
// admin or the API), by group rules (their IDs), or both. A rule removes
// only what it added.
type membership struct {
	direct bool
	rules  map[string]bool
}

func (m *membership) empty() bool { return !m.direct && len(m.rules) == 0 }

// addMember makes uid a member of gid, directly (ruleID "") or on behalf
// of a rule. Callers hold s.mu.
func (s *Server) addMember(gid, uid, ruleID string) {
	d := &s.dir
	m := d.members[gid]
	if m == nil {
		m = map[string]*membership{}
		d.members[gid] = m
	}
	ms, existed := m[uid]
	if !existed {
		ms = &membership{rules: map[string]bool{}}
		m[uid] = ms
	}
	if ruleID == "" {
		ms.direct = true
	} else {
		ms.rules[ruleID] = true
	}
	if !existed {
		s.membershipChanged(gid, +1)
	}
}

// removeMember takes uid out of gid, however it got there. Callers hold
// s.mu.
func (s *Server) removeMember(gid, uid string) {
	if _, ok := s.dir.members[gid][uid]; !ok {
		return
	}
	delete(s.dir.members[gid], uid)
	s.membershipChanged(gid, -1)
}

// unassign withdraws what a rule added; the user stays if it is a member
// for another reason. Callers hold s.mu.
func (s *Server) unassign(gid, uid, ruleID string) {
	ms, ok := s.dir.members[gid][uid]
	if !ok || !ms.rules[ruleID] {
		return
	}
	delete(ms.rules, ruleID)
	if ms.empty() {
		s.removeMember(gid, uid)
	}
}

func (s *Server) membershipChanged(gid string, delta int) {
	g, ok := s.groups[gid]
	if !ok {
		return
	}
	g.users = max(0, g.users+delta)
	g.membershipUpdated = time.Now().UTC().Truncate(time.Millisecond)
	s.reindex(gid)
}

// dropGroupMembers forgets the members of a deleted group. Callers hold
// s.mu.
func (s *Server) dropGroupMembers(gid string) {
	if s.dir.members != nil {
		delete(s.dir.members, gid)
	}
}

// memberIDs lists the user IDs of a group, sorted. Callers hold s.mu.
func (s *Server) memberIDs(gid string) []string {
	return slices.Sorted(maps.Keys(s.dir.members[gid]))
}

// GroupMembers returns the IDs of the group's members, sorted, as the API
// would list them now (rule evaluations still within the rule lag have not
// happened yet; SettleRules runs them).
func (s *Server) GroupMembers(groupID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people()
	s.runDueEvaluations()
	return s.memberIDs(groupID)
}

// UserGroups returns the IDs of the groups a user is in, sorted.
func (s *Server) UserGroups(userID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people()
	s.runDueEvaluations()
	return s.groupIDsOf(userID)
}

func (s *Server) groupIDsOf(uid string) []string {
	var out []string
	for gid, m := range s.dir.members {
		if _, ok := m[uid]; ok {
			out = append(out, gid)
		}
	}
	sort.Strings(out)
	return out
}

// AddGroupMember puts a user in a group directly, as an admin would. Like
// the API it refuses groups other than OKTA_GROUPs (Everyone holds every
// user already).
func (s *Server) AddGroupMember(groupID, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people()
	g, ok := s.groups[groupID]
	if !ok {
		return ErrNoSuchGroup
	}
	if s.dir.users[userID] == nil {
		return ErrNoSuchUser
	}
	if g.typ != TypeOktaGroup {
		return fmt.Errorf("oktatest: group %s is a %s; only OKTA_GROUP members can be managed", groupID, g.typ)
	}
	s.addMember(groupID, userID, "")
	s.evaluateUserLater(userID)
	return nil
}

// RemoveGroupMember takes a user out of a group, however it got there.
func (s *Server) RemoveGroupMember(groupID, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people()
	if _, ok := s.groups[groupID]; !ok {
		return ErrNoSuchGroup
	}
	if s.dir.users[userID] == nil {
		return ErrNoSuchUser
	}
	s.removeMember(groupID, userID)
	s.evaluateUserLater(userID)
	return nil
}

const (
	defaultMembersLimit = 1000
	maxMembersLimit     = 10000
)

// listGroupUsers serves GET /api/v1/groups/{id}/users, paged by user ID.
func (s *Server) listGroupUsers(w http.ResponseWriter, r *http.Request, gid string) {
	q := r.URL.Query()
	limit, ok := parseLimit(w, q, defaultMembersLimit, maxMembersLimit)
	if !ok {
		return
	}
	s.mu.Lock()
	s.people()
	s.runDueEvaluations()
	if _, ok := s.groups[gid]; !ok {
		s.mu.Unlock()
		notFound(w, gid, "UserGroup")
		return
	}
	var users []User
	after := q.Get("after")
	for _, uid := range s.memberIDs(gid) {
		if after != "" && uid <= after {
			continue
		}
		if u := s.dir.users[uid]; u != nil {
			users = append(users, u.snapshot())
		}
	}
	s.mu.Unlock()
	base := baseURL(r)
	w.Header().Add("Link", selfLink(r))
	if len(users) > limit {
		users = users[:limit]
		w.Header().Add("Link", nextLink(r, q, users[len(users)-1].ID, limit))
	}
	writeUsers(w, users, base)
}

// groupMember serves PUT and DELETE /api/v1/groups/{gid}/users/{uid}.
func (s *Server) groupMember(w http.ResponseWriter, r *http.Request, gid, uid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people()
	g, ok := s.groups[gid]
	if !ok {
		notFound(w, gid, "UserGroup")
		return
	}
	u := s.dir.users[uid]
	if u == nil {
		notFound(w, uid, "User")
		return
	}
	if g.typ != TypeOktaGroup {
		// Everyone is managed by Okta and APP_GROUP members by their app.
		writeError(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
		return
	}
	if r.Method == http.MethodPut {
		s.addMember(gid, uid, "")
	} else {
		s.removeMember(gid, uid)
	}
	s.evaluateUserLater(uid)
	w.WriteHeader(http.StatusNoContent)
}

// listUserGroups serves GET /api/v1/users/{id}/groups.
func (s *Server) listUserGroups(w http.ResponseWriter, r *http.Request, idOrLogin string) {
	s.mu.Lock()
	s.runDueEvaluations()
	u := s.findUser(idOrLogin)
	if u == nil {
		s.mu.Unlock()
		notFound(w, idOrLogin, "User")
		return
	}
	var groups []*Group
	for _, gid := range s.groupIDsOf(u.id) {
		if g, ok := s.groups[gid]; ok {
			snap := g.snapshot()
			groups = append(groups, &snap)
		}
	}
	s.mu.Unlock()
	sort.Slice(groups, func(i, j int) bool { return groups[i].ID < groups[j].ID })
	w.Header().Add("Link", selfLink(r))
	writeGroups(w, groups, baseURL(r), wantsStats(r))
}

// parseLimit reads the limit parameter; it writes Okta's error when bad.
func parseLimit(w http.ResponseWriter, q url.Values, def, maxLimit int) (int, bool) {
	l := q.Get("limit")
	if l == "" {
		return def, true
	}
	n, err := strconv.Atoi(l)
	if err != nil || n < 1 {
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit", "limit: must be a positive number")
		return 0, false
	}
	return min(n, maxLimit), true
}

// nextLink is the rel="next" Link header for the page after cursor.
func nextLink(r *http.Request, q url.Values, cursor string, limit int) string {
	next := url.Values{}
	for k, v := range q {
		next[k] = v
	}
	next.Set("after", cursor)
	next.Set("limit", strconv.Itoa(limit))
	return "<" + baseURL(r) + r.URL.Path + "?" + next.Encode() + ">; rel=\"next\""
}
