package oktatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Group rule statuses.
const (
	RuleActive   = "ACTIVE"
	RuleInactive = "INACTIVE"
	RuleInvalid  = "INVALID"
)

const (
	maxRuleNameLength  = 50
	maxRuleGroups      = 100
	maxRuleExcluded    = 100
	defaultRulesLimit  = 50
	maxRulesLimit      = 200
	ruleExpressionType = "urn:okta:expression:1.0"
)

// GroupRule is a snapshot of a group rule.
type GroupRule struct {
	ID              string    `json:"id"`
	Name            string    `json:"name"`
	Status          string    `json:"status"`
	Expression      string    `json:"expression"`
	GroupIDs        []string  `json:"groupIds"`
	ExcludedUserIDs []string  `json:"excludedUserIds,omitempty"`
	AllGroupsValid  bool      `json:"allGroupsValid"`
	Created         time.Time `json:"created"`
	LastUpdated     time.Time `json:"lastUpdated"`
}

type rule struct {
	id, name, status string
	expression       string
	groupIDs         []string
	excluded         []string
	allGroupsValid   bool
	created, updated time.Time
}

func (r *rule) snapshot() GroupRule {
	return GroupRule{
		ID: r.id, Name: r.name, Status: r.status, Expression: r.expression,
		GroupIDs: slices.Clone(r.groupIDs), ExcludedUserIDs: slices.Clone(r.excluded),
		AllGroupsValid: r.allGroupsValid, Created: r.created, LastUpdated: r.updated,
	}
}

// GroupRule returns the rule with this ID.
func (s *Server) GroupRule(id string) (GroupRule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.rules[id]
	if !ok {
		return GroupRule{}, false
	}
	return r.snapshot(), true
}

// GroupRules returns every rule, oldest first.
func (s *Server) GroupRules() []GroupRule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]GroupRule, 0, len(s.rules))
	for _, r := range s.rules {
		out = append(out, r.snapshot())
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

type ruleJSON struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Status     string `json:"status"`
	Name       string `json:"name"`
	Created    string `json:"created"`
	LastUpdate string `json:"lastUpdated"`
	Conditions struct {
		People struct {
			Users  map[string][]string `json:"users"`
			Groups map[string][]string `json:"groups"`
		} `json:"people"`
		Expression struct {
			Value string `json:"value"`
			Type  string `json:"type"`
		} `json:"expression"`
	} `json:"conditions"`
	Actions struct {
		AssignUserToGroups struct {
			GroupIDs []string `json:"groupIds"`
		} `json:"assignUserToGroups"`
	} `json:"actions"`
	AllGroupsValid bool           `json:"allGroupsValid"`
	Embedded       map[string]any `json:"_embedded,omitempty"`
}

func (s *Server) renderRule(r GroupRule, expandNames bool) ruleJSON {
	var out ruleJSON
	out.Type = "group_rule"
	out.ID, out.Status, out.Name = r.ID, r.Status, r.Name
	out.Created = r.Created.UTC().Format(timeLayout)
	out.LastUpdate = r.LastUpdated.UTC().Format(timeLayout)
	out.Conditions.People.Users = map[string][]string{"exclude": nonNil(r.ExcludedUserIDs)}
	out.Conditions.People.Groups = map[string][]string{"exclude": {}}
	out.Conditions.Expression.Value = r.Expression
	out.Conditions.Expression.Type = ruleExpressionType
	out.Actions.AssignUserToGroups.GroupIDs = nonNil(r.GroupIDs)
	out.AllGroupsValid = r.AllGroupsValid
	if expandNames {
		names := map[string]string{}
		for _, id := range r.GroupIDs {
			if g, ok := s.Group(id); ok {
				names[id] = g.Name
			}
		}
		out.Embedded = map[string]any{"groupIdToGroupNameMap": names}
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ruleBody is what POST and PUT accept.
type ruleBody struct {
	Type       string `json:"type"`
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	Conditions *struct {
		People *struct {
			Users *struct {
				Exclude []string `json:"exclude"`
				Include []string `json:"include"`
			} `json:"users"`
			Groups *struct {
				Exclude []string `json:"exclude"`
				Include []string `json:"include"`
			} `json:"groups"`
		} `json:"people"`
		Expression *struct {
			Value string `json:"value"`
			Type  string `json:"type"`
		} `json:"expression"`
	} `json:"conditions"`
	Actions *struct {
		AssignUserToGroups *struct {
			GroupIDs []string `json:"groupIds"`
		} `json:"assignUserToGroups"`
	} `json:"actions"`
	Created        any `json:"created"`
	LastUpdated    any `json:"lastUpdated"`
	AllGroupsValid any `json:"allGroupsValid"`
	Links          any `json:"_links"`
	Embedded       any `json:"_embedded"`
}

// parseRule validates a rule body; it writes the error answer on failure.
func (s *Server) parseRule(w http.ResponseWriter, r *http.Request) (rule, bool) {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var b ruleBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
		return rule{}, false
	}
	fail := func(field, cause string) (rule, bool) {
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: "+field, field+": "+cause)
		return rule{}, false
	}
	if b.Type != "group_rule" {
		return fail("type", "The type must be group_rule")
	}
	if b.Name == "" || utf8.RuneCountInString(b.Name) > maxRuleNameLength {
		return fail("name", fmt.Sprintf("The name must be 1 to %d characters", maxRuleNameLength))
	}
	if b.Conditions == nil || b.Conditions.Expression == nil || strings.TrimSpace(b.Conditions.Expression.Value) == "" {
		return fail("conditions.expression", "The field cannot be left blank")
	}
	if t := b.Conditions.Expression.Type; t != "" && t != ruleExpressionType {
		return fail("conditions.expression.type", "The type must be "+ruleExpressionType)
	}
	if _, err := compileRuleExpression(b.Conditions.Expression.Value); err != nil {
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: validateRule", "validateRule: Invalid expression: "+err.Error())
		return rule{}, false
	}
	if b.Actions == nil || b.Actions.AssignUserToGroups == nil || len(b.Actions.AssignUserToGroups.GroupIDs) == 0 {
		return fail("actions.assignUserToGroups.groupIds", "The field cannot be left blank")
	}
	ids := b.Actions.AssignUserToGroups.GroupIDs
	if len(ids) > maxRuleGroups {
		return fail("actions.assignUserToGroups.groupIds", fmt.Sprintf("A rule can assign at most %d groups", maxRuleGroups))
	}
	for _, id := range ids {
		g, ok := s.Group(id)
		switch {
		case !ok:
			return fail("actions.assignUserToGroups.groupIds", fmt.Sprintf("Group %s does not exist", id))
		case g.Type != TypeOktaGroup:
			return fail("actions.assignUserToGroups.groupIds", fmt.Sprintf("Group %s is not an OKTA_GROUP", id))
		case g.AdminPrivilege:
			return fail("actions.assignUserToGroups.groupIds", fmt.Sprintf("Group %s has admin privileges; rules cannot assign users to it", id))
		}
	}
	var excluded []string
	if p := b.Conditions.People; p != nil && p.Users != nil {
		excluded = p.Users.Exclude
	}
	if len(excluded) > maxRuleExcluded {
		return fail("conditions.people.users.exclude", fmt.Sprintf("A rule can exclude at most %d users", maxRuleExcluded))
	}
	return rule{name: b.Name, expression: b.Conditions.Expression.Value, groupIDs: slices.Clone(ids), excluded: slices.Clone(excluded)}, true
}

func (s *Server) createRule(w http.ResponseWriter, r *http.Request) {
	nr, ok := s.parseRule(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	for _, other := range s.rules {
		if strings.EqualFold(other.name, nr.name) {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: name", "name: Policy rule name already in use")
			return
		}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	nr.id = newID("0pr")
	nr.status = RuleInactive
	nr.allGroupsValid = true
	nr.created, nr.updated = now, now
	s.rules[nr.id] = &nr
	snap := nr.snapshot()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.renderRule(snap, false))
}

func (s *Server) getRule(w http.ResponseWriter, r *http.Request, id string) {
	rl, ok := s.GroupRule(id)
	if !ok {
		notFound(w, id, "GroupRule")
		return
	}
	writeJSON(w, http.StatusOK, s.renderRule(rl, r.URL.Query().Get("expand") == "groupIdToGroupNameMap"))
}

func (s *Server) replaceRule(w http.ResponseWriter, r *http.Request, id string) {
	if _, ok := s.GroupRule(id); !ok {
		notFound(w, id, "GroupRule")
		return
	}
	nr, ok := s.parseRule(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	cur, ok := s.rules[id]
	if !ok {
		s.mu.Unlock()
		notFound(w, id, "GroupRule")
		return
	}
	if cur.status != RuleInactive {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: status", "status: Only INACTIVE rules can be updated; deactivate the rule first")
		return
	}
	a, b := slices.Clone(cur.groupIDs), slices.Clone(nr.groupIDs)
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: actions", "actions: The actions of a group rule cannot be updated")
		return
	}
	for _, other := range s.rules {
		if other.id != id && strings.EqualFold(other.name, nr.name) {
			s.mu.Unlock()
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: name", "name: Policy rule name already in use")
			return
		}
	}
	cur.name, cur.expression, cur.excluded = nr.name, nr.expression, nr.excluded
	cur.updated = time.Now().UTC().Truncate(time.Millisecond)
	snap := cur.snapshot()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.renderRule(snap, false))
}

func (s *Server) deleteRule(w http.ResponseWriter, r *http.Request, id string) {
	removeUsers := false
	if v := r.URL.Query().Get("removeUsers"); v != "" {
		var err error
		if removeUsers, err = strconv.ParseBool(v); err != nil {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: removeUsers", "removeUsers: must be true or false")
			return
		}
	}
	s.mu.Lock()
	cur, ok := s.rules[id]
	if !ok {
		s.mu.Unlock()
		notFound(w, id, "GroupRule")
		return
	}
	if cur.status == RuleActive {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: status", "status: An ACTIVE rule cannot be deleted; deactivate it first")
		return
	}
	delete(s.rules, id)
	s.ruleDeletedLater(id, cur.groupIDs, removeUsers)
	s.mu.Unlock()
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) ruleLifecycle(w http.ResponseWriter, r *http.Request, id, action string) {
	if action != "activate" && action != "deactivate" {
		notFound(w, r.URL.Path, "Endpoint")
		return
	}
	s.mu.Lock()
	cur, ok := s.rules[id]
	if !ok {
		s.mu.Unlock()
		notFound(w, id, "GroupRule")
		return
	}
	if cur.status == RuleInvalid {
		s.mu.Unlock()
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: status", "status: Cannot activate or deactivate a Group Rule with the status INVALID")
		return
	}
	if action == "activate" {
		cur.status = RuleActive
		s.evaluateRuleLater(id)
	} else {
		cur.status = RuleInactive
	}
	cur.updated = time.Now().UTC().Truncate(time.Millisecond)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listRules(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := defaultRulesLimit
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit", "limit: must be a positive number")
			return
		}
		limit = min(n, maxRulesLimit)
	}
	rules := s.GroupRules()
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	var out []GroupRule
	keyword := strings.ToLower(q.Get("search"))
	after := q.Get("after")
	for _, rl := range rules {
		if after != "" && rl.ID <= after {
			continue
		}
		if keyword != "" && !strings.Contains(strings.ToLower(rl.Name), keyword) {
			continue
		}
		out = append(out, rl)
	}
	base := baseURL(r)
	w.Header().Add("Link", selfLink(r))
	if len(out) > limit {
		out = out[:limit]
		next := q
		next.Set("after", out[len(out)-1].ID)
		next.Set("limit", strconv.Itoa(limit))
		w.Header().Add("Link", "<"+base+r.URL.Path+"?"+next.Encode()+">; rel=\"next\"")
	}
	expand := q.Get("expand") == "groupIdToGroupNameMap"
	body := make([]ruleJSON, 0, len(out))
	for _, rl := range out {
		body = append(body, s.renderRule(rl, expand))
	}
	writeJSON(w, http.StatusOK, body)
}
