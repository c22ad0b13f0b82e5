package oktatest

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

const timeLayout = "2006-01-02T15:04:05.000Z"

const (
	defaultListLimit  = 10000
	defaultQueryLimit = 300
	maxListLimit      = 10000
)

type groupJSON struct {
	ID                    string         `json:"id"`
	Created               string         `json:"created"`
	LastUpdated           string         `json:"lastUpdated"`
	LastMembershipUpdated string         `json:"lastMembershipUpdated"`
	ObjectClass           []string       `json:"objectClass"`
	Type                  string         `json:"type"`
	Profile               map[string]any `json:"profile"`
	Source                map[string]any `json:"source,omitempty"`
	Links                 map[string]any `json:"_links"`
	Embedded              map[string]any `json:"_embedded,omitempty"`
}

func renderGroup(g Group, base string, stats bool) groupJSON {
	profile := map[string]any{"name": g.Name, "description": nil}
	if g.Description != "" {
		profile["description"] = g.Description
	}
	for k, v := range g.Attributes {
		profile[k] = v
	}
	self := base + "/api/v1/groups/" + g.ID
	out := groupJSON{
		ID: g.ID, Type: g.Type, Profile: profile,
		Created:               g.Created.UTC().Format(timeLayout),
		LastUpdated:           g.LastUpdated.UTC().Format(timeLayout),
		LastMembershipUpdated: g.LastMembershipUpdated.UTC().Format(timeLayout),
		ObjectClass:           []string{"okta:user_group"},
		Links: map[string]any{
			"logo": []map[string]string{
				{"name": "medium", "href": base + "/assets/img/logos/groups/okta-medium.png", "type": "image/png"},
				{"name": "large", "href": base + "/assets/img/logos/groups/okta-large.png", "type": "image/png"},
			},
			"users": map[string]string{"href": self + "/users"},
			"apps":  map[string]string{"href": self + "/apps"},
		},
	}
	if g.Type == TypeAppGroup {
		out.ObjectClass = []string{"okta:windows_security_principal"}
		out.Source = map[string]any{"id": g.SourceID}
		out.Links["source"] = map[string]string{"href": base + "/api/v1/apps/" + g.SourceID}
	}
	if stats {
		out.Embedded = map[string]any{"stats": map[string]any{
			"usersCount":             g.UsersCount,
			"appsCount":              g.AppsCount,
			"groupPushMappingsCount": 0,
			"hasAdminPrivlege":       g.AdminPrivilege,
			"_links":                 map[string]any{"self": map[string]string{"href": self + "/stats"}},
		}}
	}
	return out
}

func wantsStats(r *http.Request) bool {
	for _, e := range strings.Split(r.URL.Query().Get("expand"), ",") {
		if strings.TrimSpace(e) == "stats" {
			return true
		}
	}
	return false
}

func notFound(w http.ResponseWriter, id, kind string) {
	writeError(w, http.StatusNotFound, "E0000007", fmt.Sprintf("Not found: Resource not found: %s (%s)", id, kind))
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request, id string) {
	g, ok := s.Group(id)
	if !ok {
		notFound(w, id, "UserGroup")
		return
	}
	writeJSON(w, http.StatusOK, renderGroup(g, baseURL(r), wantsStats(r)))
}

// groupBody is the request body of POST and PUT /api/v1/groups.
type groupBody struct {
	name        string
	description *string
	attrs       map[string]any
}

// readOnlyGroupFields may be sent back by clients that echo a group; Okta
// ignores them.
var readOnlyGroupFields = map[string]bool{
	"id": true, "created": true, "lastUpdated": true, "lastMembershipUpdated": true,
	"objectClass": true, "type": true, "_links": true, "_embedded": true, "source": true,
}

// parseGroupBody validates a group body like Okta does and writes the error
// answer itself when it fails.
func (s *Server) parseGroupBody(w http.ResponseWriter, r *http.Request) (groupBody, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
		return groupBody{}, false
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(raw, &top); err != nil || top == nil {
		writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
		return groupBody{}, false
	}
	for k := range top {
		if k != "profile" && !readOnlyGroupFields[k] {
			writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
			return groupBody{}, false
		}
	}
	var profile map[string]any
	if p, ok := top["profile"]; ok {
		dec := json.NewDecoder(bytes.NewReader(p))
		dec.UseNumber()
		if err := dec.Decode(&profile); err != nil {
			writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
			return groupBody{}, false
		}
	}
	var body groupBody
	name, _ := profile["name"].(string)
	if _, isString := profile["name"].(string); profile["name"] != nil && !isString {
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: name", "name: Property name has an invalid type.")
		return groupBody{}, false
	}
	if name == "" {
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: name", "name: The field cannot be left blank")
		return groupBody{}, false
	}
	if utf8.RuneCountInString(name) > maxNameLength {
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: name", fmt.Sprintf("name: The field is too long (maximum %d characters)", maxNameLength))
		return groupBody{}, false
	}
	body.name = name
	switch d := profile["description"].(type) {
	case nil:
	case string:
		if utf8.RuneCountInString(d) > maxDescriptionLength {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: description", fmt.Sprintf("description: The field is too long (maximum %d characters)", maxDescriptionLength))
			return groupBody{}, false
		}
		body.description = &d
	default:
		writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: description", "description: Property description has an invalid type.")
		return groupBody{}, false
	}
	body.attrs = map[string]any{}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range sortedKeys(profile) {
		if k == "name" || k == "description" {
			continue
		}
		v := profile[k]
		def, ok := s.schema.custom[k]
		if !ok {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: "+k, fmt.Sprintf("Property name '%s' is not defined in profile", k))
			return groupBody{}, false
		}
		conv, problem := def.check(v)
		if problem != "" {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: "+k, fmt.Sprintf("%s: %s", k, problem))
			return groupBody{}, false
		}
		if conv != nil {
			body.attrs[k] = conv
		}
	}
	return body, true
}

func nameTakenError(w http.ResponseWriter) {
	writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: name", "name: An object with this field already exists in the current organization")
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	body, ok := s.parseGroupBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	if s.nameHolder(body.name, "") != nil {
		s.mu.Unlock()
		nameTakenError(w)
		return
	}
	if attr := s.uniqueTaken(body.attrs, ""); attr != "" {
		s.mu.Unlock()
		validationError(w, attr, "An object with this field already exists in the current organization")
		return
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	g := &group{
		id: newID("00g"), typ: TypeOktaGroup, name: body.name, description: body.description,
		attrs: body.attrs, created: now, updated: now, membershipUpdated: now,
	}
	s.putGroup(g)
	s.reindex(g.id)
	snap := g.snapshot()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, renderGroup(snap, baseURL(r), false))
}

func (s *Server) replaceGroup(w http.ResponseWriter, r *http.Request, id string) {
	if _, ok := s.Group(id); !ok {
		notFound(w, id, "UserGroup")
		return
	}
	body, ok := s.parseGroupBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	g, ok := s.groups[id]
	switch {
	case !ok:
		s.mu.Unlock()
		notFound(w, id, "UserGroup")
		return
	case g.typ != TypeOktaGroup:
		// Only OKTA_GROUP profiles can be changed; Okta refuses changes to
		// BUILT_IN and APP_GROUP groups as a permission problem.
		s.mu.Unlock()
		writeError(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
		return
	}
	if s.nameHolder(body.name, id) != nil {
		s.mu.Unlock()
		nameTakenError(w)
		return
	}
	if attr := s.uniqueTaken(body.attrs, id); attr != "" {
		s.mu.Unlock()
		validationError(w, attr, "An object with this field already exists in the current organization")
		return
	}
	s.setName(g, body.name)
	g.description, g.attrs = body.description, body.attrs
	g.updated = time.Now().UTC().Truncate(time.Millisecond)
	s.reindex(id)
	snap := g.snapshot()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, renderGroup(snap, baseURL(r), false))
}

func (s *Server) deleteGroup(w http.ResponseWriter, id string) {
	s.mu.Lock()
	g, ok := s.groups[id]
	switch {
	case !ok:
		s.mu.Unlock()
		notFound(w, id, "UserGroup")
		return
	case g.typ == TypeBuiltIn:
		s.mu.Unlock()
		writeError(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
		return
	}
	s.deleteGroupLocked(id)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query, search, filter := q.Get("q"), q.Get("search"), q.Get("filter")

	limit := defaultListLimit
	if query != "" {
		limit = defaultQueryLimit
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: limit", "limit: must be a positive number")
			return
		}
		limit = min(n, maxListLimit)
	}

	var match func(Group) bool
	switch {
	case search != "":
		expr, err := parseExpression(search, searchAttributes(s.customAttributeNames()), false)
		if err != nil {
			writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", err.Error())
			return
		}
		match = func(g Group) bool { return expr.eval(groupAttrs(&g)) }
	case filter != "":
		expr, err := parseExpression(filter, filterAttributes, true)
		if err != nil {
			writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", err.Error())
			return
		}
		match = func(g Group) bool { return expr.eval(groupAttrs(&g)) }
	}

	// search and q read the lagging index; everything else reads live data.
	var groups []Group
	s.mu.Lock()
	if search != "" || query != "" {
		s.catchUpIndex()
		groups = make([]Group, 0, len(s.index.entries))
		for _, g := range s.index.entries {
			groups = append(groups, g)
		}
	} else {
		groups = make([]Group, 0, len(s.groups))
		for _, g := range s.groups {
			groups = append(groups, g.snapshot())
		}
	}
	s.mu.Unlock()

	var out []*Group
	for i := range groups {
		g := &groups[i]
		if match != nil && !match(*g) {
			continue
		}
		if query != "" && !strings.HasPrefix(strings.ToLower(g.Name), strings.ToLower(query)) {
			continue
		}
		out = append(out, g)
	}

	stats := wantsStats(r)
	base := baseURL(r)
	w.Header().Add("Link", selfLink(r))

	if query != "" {
		// A query cannot be paged; exact matches come first.
		slices.SortFunc(out, func(a, b *Group) int {
			ea, eb := strings.EqualFold(a.Name, query), strings.EqualFold(b.Name, query)
			switch {
			case ea && !eb:
				return -1
			case eb && !ea:
				return 1
			}
			return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), strings.Compare(a.ID, b.ID))
		})
		if len(out) > limit {
			out = out[:limit]
		}
		writeGroups(w, out, base, stats)
		return
	}

	sortBy, sortOrder := q.Get("sortBy"), q.Get("sortOrder")
	if search == "" {
		// Okta sorts only search results.
		sortBy, sortOrder = "", ""
	}
	less, err := groupOrder(sortBy, sortOrder)
	if err != nil {
		writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", err.Error())
		return
	}
	slices.SortFunc(out, func(a, b *Group) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})

	if after := q.Get("after"); after != "" {
		cursor, err := decodeCursor(after)
		if err != nil {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: after", "after: not a cursor from a Link header")
			return
		}
		i := sort.Search(len(out), func(i int) bool { return less(&cursor, out[i]) })
		out = out[i:]
	}
	if len(out) > limit {
		out = out[:limit]
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("after", encodeCursor(*out[len(out)-1], sortBy))
		next.Set("limit", strconv.Itoa(limit))
		w.Header().Add("Link", "<"+base+r.URL.Path+"?"+next.Encode()+">; rel=\"next\"")
	}
	writeGroups(w, out, base, stats)
}

func writeGroups(w http.ResponseWriter, groups []*Group, base string, stats bool) {
	body := make([]groupJSON, 0, len(groups))
	for _, g := range groups {
		body = append(body, renderGroup(*g, base, stats))
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *Server) customAttributeNames() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for k, def := range s.schema.custom {
		out[k] = def.Type
	}
	return out
}
