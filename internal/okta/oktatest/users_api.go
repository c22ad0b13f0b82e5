package oktatest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

const (
	defaultUsersLimit      = 200
	maxUsersLimit          = 200
	defaultUsersQueryLimit = 10
)

// routeUsers serves the Users API and group membership; it reports false
// for paths that are not its own.
func (s *Server) routeUsers(w http.ResponseWriter, r *http.Request, path string, parts []string) bool {
	n := len(parts)
	with := func(scope string, h http.HandlerFunc) bool {
		s.authorize(w, r, scope, h)
		return true
	}
	switch {
	case path == "/api/v1/users":
		switch r.Method {
		case http.MethodGet:
			return with(ScopeUsersRead, s.listUsers)
		case http.MethodPost:
			return with(ScopeUsersManage, s.createUser)
		}
	case n == 4 && parts[2] == "users" && parts[3] == "me" && r.Method == http.MethodGet:
		return with("", s.getMe)
	case n == 4 && parts[2] == "users":
		id := parts[3]
		switch r.Method {
		case http.MethodGet:
			return with(ScopeUsersRead, func(w http.ResponseWriter, r *http.Request) { s.getUser(w, r, id) })
		case http.MethodPut:
			return with(ScopeUsersManage, func(w http.ResponseWriter, r *http.Request) { s.updateUser(w, r, id, false) })
		case http.MethodPost:
			return with(ScopeUsersManage, func(w http.ResponseWriter, r *http.Request) { s.updateUser(w, r, id, true) })
		case http.MethodDelete:
			return with(ScopeUsersManage, func(w http.ResponseWriter, r *http.Request) { s.deleteUser(w, r, id) })
		}
	case n == 5 && parts[2] == "users" && parts[4] == "groups" && r.Method == http.MethodGet:
		id := parts[3]
		return with(ScopeUsersRead, func(w http.ResponseWriter, r *http.Request) { s.listUserGroups(w, r, id) })
	case n == 6 && parts[2] == "users" && parts[4] == "lifecycle" && r.Method == http.MethodPost:
		id, action := parts[3], parts[5]
		return with(ScopeUsersManage, func(w http.ResponseWriter, r *http.Request) { s.userLifecycle(w, r, id, action) })
	case n == 5 && parts[2] == "groups" && parts[3] != "rules" && parts[4] == "users" && r.Method == http.MethodGet:
		gid := parts[3]
		return with(ScopeGroupsRead, func(w http.ResponseWriter, r *http.Request) { s.listGroupUsers(w, r, gid) })
	case n == 6 && parts[2] == "groups" && parts[3] != "rules" && parts[4] == "users":
		gid, uid := parts[3], parts[5]
		if r.Method == http.MethodPut || r.Method == http.MethodDelete {
			return with(ScopeGroupsManage, func(w http.ResponseWriter, r *http.Request) { s.groupMember(w, r, gid, uid) })
		}
	default:
		return false
	}
	if strings.HasPrefix(path, "/api/v1/users") || strings.HasPrefix(path, "/api/v1/groups/") {
		s.authorize(w, r, "", func(w http.ResponseWriter, _ *http.Request) { methodNotAllowed(w) })
		return true
	}
	return false
}

// userJSON is a user as Okta returns it.
type userJSON struct {
	ID              string         `json:"id"`
	Status          string         `json:"status"`
	Created         string         `json:"created"`
	Activated       *string        `json:"activated"`
	StatusChanged   *string        `json:"statusChanged"`
	LastLogin       *string        `json:"lastLogin"`
	LastUpdated     string         `json:"lastUpdated"`
	PasswordChanged *string        `json:"passwordChanged"`
	Type            map[string]any `json:"type"`
	Profile         map[string]any `json:"profile"`
	Credentials     map[string]any `json:"credentials"`
	Links           map[string]any `json:"_links"`
}

func timeOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(timeLayout)
	return &s
}

// userTypeID is the ID of the org's default user type.
const userTypeID = "oty1defaultusertype0"

func renderUser(u User, base string) userJSON {
	self := base + "/api/v1/users/" + u.ID
	profile := maps.Clone(u.Profile)
	if profile == nil {
		profile = map[string]any{}
	}
	creds := map[string]any{}
	if email, ok := profile["email"].(string); ok && email != "" {
		creds["emails"] = []map[string]string{{"value": email, "status": "VERIFIED", "type": "PRIMARY"}}
	}
	if !u.PasswordChanged.IsZero() {
		creds["password"] = map[string]any{}
	}
	provider := u.Provider
	if provider == "" {
		provider = "OKTA"
	}
	creds["provider"] = map[string]string{"type": provider, "name": provider}
	links := map[string]any{"self": map[string]string{"href": self}}
	action := func(names ...string) {
		for _, n := range names {
			links[n] = map[string]string{"href": self + "/lifecycle/" + strings.ToLower(n), "method": "POST"}
		}
	}
	switch u.Status {
	case UserStaged, UserDeprovisioned:
		action("activate")
	case UserProvisioned:
		action("reactivate")
	case UserActive, UserPasswordExpired, UserRecovery:
		action("suspend", "resetPassword", "expirePassword")
	case UserSuspended:
		action("unsuspend")
	case UserLockedOut:
		action("unlock")
	}
	if u.Status != UserDeprovisioned {
		action("deactivate")
	}
	return userJSON{
		ID: u.ID, Status: u.Status, Created: u.Created.UTC().Format(timeLayout),
		Activated: timeOrNull(u.Activated), StatusChanged: timeOrNull(u.StatusChanged),
		LastUpdated: u.LastUpdated.UTC().Format(timeLayout), PasswordChanged: timeOrNull(u.PasswordChanged),
		Type: map[string]any{"id": userTypeID}, Profile: profile, Credentials: creds, Links: links,
	}
}

func writeUsers(w http.ResponseWriter, users []User, base string) {
	body := make([]userJSON, 0, len(users))
	for _, u := range users {
		body = append(body, renderUser(u, base))
	}
	writeJSON(w, http.StatusOK, body)
}

func userNotFound(w http.ResponseWriter, id string) { notFound(w, id, "User") }

// validationError writes Okta's E0000001 for one field.
func validationError(w http.ResponseWriter, field, cause string) {
	writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: "+field, field+": "+cause)
}

func malformed(w http.ResponseWriter) {
	writeError(w, http.StatusBadRequest, "E0000003", "The request body was not well-formed.")
}

// userBody is what create and update accept.
type userBody struct {
	Profile     map[string]any `json:"profile"`
	Credentials *struct {
		Password *struct {
			Value string `json:"value"`
		} `json:"password"`
		RecoveryQuestion *struct {
			Question string `json:"question"`
			Answer   string `json:"answer"`
		} `json:"recovery_question"`
		Provider *struct {
			Type string `json:"type"`
			Name string `json:"name"`
		} `json:"provider"`
	} `json:"credentials"`
	GroupIDs []string `json:"groupIds"`
}

func readUserBody(w http.ResponseWriter, r *http.Request) (userBody, bool) {
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		malformed(w)
		return userBody{}, false
	}
	var b userBody
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		malformed(w)
		return userBody{}, false
	}
	return b, true
}

func (b userBody) password() string {
	if b.Credentials != nil && b.Credentials.Password != nil {
		return b.Credentials.Password.Value
	}
	return ""
}

func boolParam(w http.ResponseWriter, r *http.Request, name string, def bool) (bool, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, true
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		validationError(w, name, "must be true or false")
		return false, false
	}
	return b, true
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	activate, ok := boolParam(w, r, "activate", true)
	if !ok {
		return
	}
	withProvider, ok := boolParam(w, r, "provider", false)
	if !ok {
		return
	}
	b, ok := readUserBody(w, r)
	if !ok {
		return
	}
	if b.Profile == nil {
		validationError(w, "login", "The field cannot be left blank")
		return
	}
	provider := "OKTA"
	if withProvider {
		if b.Credentials == nil || b.Credentials.Provider == nil || b.Credentials.Provider.Type == "" {
			validationError(w, "credentials.provider", "The field cannot be left blank")
			return
		}
		switch t := b.Credentials.Provider.Type; t {
		case "OKTA", "ACTIVE_DIRECTORY", "LDAP", "FEDERATION", "SOCIAL", "IMPORT":
			provider = t
		default:
			validationError(w, "credentials.provider.type", "Unknown provider type "+strconv.Quote(t))
			return
		}
	}
	pw := b.password()

	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.people()
	if field, problem := checkUserProfile(b.Profile, d.userSchema); problem != "" {
		validationError(w, field, problem)
		return
	}
	if s.findUser(loginOf(b.Profile)) != nil {
		validationError(w, "login", "An object with this field already exists in the current organization")
		return
	}
	if pw != "" {
		if withProvider {
			validationError(w, "password", "A password cannot be set for a user with an external provider")
			return
		}
		if problem := checkPassword(pw, b.Profile); problem != "" {
			validationError(w, "password", problem)
			return
		}
	}
	for _, gid := range b.GroupIDs {
		if g, ok := s.groups[gid]; !ok || g.typ != TypeOktaGroup {
			validationError(w, "groupIds", fmt.Sprintf("Group %s is not an OKTA_GROUP in this organization", gid))
			return
		}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	u := &user{
		id: newID("00u"), status: UserStaged, profile: b.Profile, password: pw, provider: provider,
		created: now, updated: now,
	}
	if pw != "" {
		u.passwordAt = now
	}
	switch {
	case !activate:
	case withProvider || pw != "":
		u.status = UserActive
		if pw != "" && r.URL.Query().Get("nextLogin") == "changePassword" {
			u.status = UserPasswordExpired
		}
	default:
		u.status = UserProvisioned
	}
	if u.status != UserStaged {
		u.activated, u.statusAt = now, now
	}
	s.putUser(u)
	for _, gid := range b.GroupIDs {
		s.addMember(gid, u.id, "")
	}
	if u.status == UserActive {
		s.evaluateUserLater(u.id)
	}
	writeJSON(w, http.StatusOK, renderUser(u.snapshot(), baseURL(r)))
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, idOrLogin string) {
	u, ok := s.User(idOrLogin)
	if !ok {
		userNotFound(w, idOrLogin)
		return
	}
	writeJSON(w, http.StatusOK, renderUser(u, baseURL(r)))
}

// getMe answers for the user an API token belongs to. An OAuth access
// token of a service app acts for no user, so there is no "me".
func (s *Server) getMe(w http.ResponseWriter, r *http.Request) {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "SSWS") {
		userNotFound(w, "me")
		return
	}
	s.getUser(w, r, s.AdminUserID())
}

// updateUser serves PUT (replace the profile) and POST (change only the
// attributes sent; null removes one) /api/v1/users/{id}.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, idOrLogin string, partial bool) {
	b, ok := readUserBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUser(idOrLogin)
	if u == nil {
		userNotFound(w, idOrLogin)
		return
	}
	profile := maps.Clone(b.Profile)
	if partial {
		profile = maps.Clone(u.profile)
		for k, v := range b.Profile {
			if v == nil {
				delete(profile, k)
			} else {
				profile[k] = v
			}
		}
	} else if b.Profile == nil {
		if b.Credentials == nil {
			validationError(w, "profile", "The field cannot be left blank")
			return
		}
		profile = maps.Clone(u.profile)
	}
	for k, v := range profile {
		if v == nil {
			delete(profile, k)
		}
	}
	if field, problem := checkUserProfile(profile, s.dir.userSchema); problem != "" {
		validationError(w, field, problem)
		return
	}
	if other := s.findUser(loginOf(profile)); other != nil && other.id != u.id {
		validationError(w, "login", "An object with this field already exists in the current organization")
		return
	}
	pw := b.password()
	if pw != "" {
		if problem := checkPassword(pw, profile); problem != "" {
			validationError(w, "password", problem)
			return
		}
	}
	s.setProfile(u, profile)
	if pw != "" {
		now := time.Now().UTC().Truncate(time.Millisecond)
		u.password, u.passwordAt, u.updated = pw, now, now
		s.reindexUser(u.id)
	}
	writeJSON(w, http.StatusOK, renderUser(u.snapshot(), baseURL(r)))
}

// deleteUser deactivates a user that is not deprovisioned yet, and deletes
// one that is, as Okta does.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, idOrLogin string) {
	if _, ok := boolParam(w, r, "sendEmail", false); !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUser(idOrLogin)
	if u == nil {
		userNotFound(w, idOrLogin)
		return
	}
	if u.id == s.dir.adminID {
		writeError(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
		return
	}
	if u.status != UserDeprovisioned {
		s.setStatus(u, UserDeprovisioned)
	} else {
		s.deleteUserLocked(u)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) userLifecycle(w http.ResponseWriter, r *http.Request, idOrLogin, action string) {
	sendEmail, ok := boolParam(w, r, "sendEmail", true)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUser(idOrLogin)
	if u == nil {
		userNotFound(w, idOrLogin)
		return
	}
	activationToken := func() {
		if sendEmail {
			writeJSON(w, http.StatusOK, map[string]any{})
			return
		}
		token := randomString(20)
		writeJSON(w, http.StatusOK, map[string]string{
			"activationUrl":   baseURL(r) + "/welcome/" + token,
			"activationToken": token,
		})
	}
	switch action {
	case "activate":
		if u.status != UserStaged && u.status != UserDeprovisioned {
			writeError(w, http.StatusForbidden, "E0000016", "Activation failed because the user is already active")
			return
		}
		if u.password != "" || u.provider != "OKTA" {
			s.setStatus(u, UserActive)
		} else {
			s.setStatus(u, UserProvisioned)
		}
		activationToken()
	case "reactivate":
		if u.status != UserProvisioned {
			validationError(w, "status", "Only PROVISIONED users can be reactivated")
			return
		}
		activationToken()
	case "deactivate":
		if u.id == s.dir.adminID {
			writeError(w, http.StatusForbidden, "E0000006", "You do not have permission to perform the requested action")
			return
		}
		if u.status != UserDeprovisioned {
			s.setStatus(u, UserDeprovisioned)
		}
		writeJSON(w, http.StatusOK, map[string]any{})
	case "suspend":
		if u.status != UserActive {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: status", "status: Cannot suspend a user that is not active")
			return
		}
		s.setStatus(u, UserSuspended)
		writeJSON(w, http.StatusOK, map[string]any{})
	case "unsuspend":
		if u.status != UserSuspended {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: status", "status: Cannot unsuspend a user that is not suspended")
			return
		}
		s.setStatus(u, UserActive)
		writeJSON(w, http.StatusOK, map[string]any{})
	case "unlock":
		if u.status != UserLockedOut {
			writeError(w, http.StatusBadRequest, "E0000001", "Api validation failed: status", "status: Cannot unlock a user that is not locked out")
			return
		}
		s.setStatus(u, UserActive)
		writeJSON(w, http.StatusOK, map[string]any{})
	default:
		notFound(w, r.URL.Path, "Endpoint")
	}
}

// userFilterAttributes are what the legacy filter parameter accepts.
var userFilterAttributes = map[string]attrKind{
	"id": kindString, "status": kindString, "lastUpdated": kindDate,
	"profile.login": kindString, "profile.email": kindString,
	"profile.firstName": kindString, "profile.lastName": kindString,
}

// userSearchAttributes are the top-level attributes, the base profile and
// the custom attributes (defined ones with their type; seeded ones as
// strings unless their values say otherwise). Callers hold s.mu.
func (s *Server) userSearchAttributes() map[string]attrKind {
	m := map[string]attrKind{
		"id": kindString, "status": kindString, "type.id": kindString,
		"created": kindDate, "activated": kindDate, "statusChanged": kindDate,
		"lastUpdated": kindDate, "passwordChanged": kindDate, "lastLogin": kindDate,
	}
	for name := range standardUserAttributes {
		m["profile."+name] = kindString
	}
	for _, u := range s.dir.users {
		for k, v := range u.profile {
			if _, ok := m["profile."+k]; ok {
				continue
			}
			m["profile."+k] = kindOfValue(v)
		}
	}
	for name, def := range s.dir.userSchema {
		m["profile."+name] = kindOfType(def.Type)
	}
	return m
}

func kindOfType(typ string) attrKind {
	switch typ {
	case "integer", "number":
		return kindNumber
	case "boolean":
		return kindBool
	}
	return kindString
}

func kindOfValue(v any) attrKind {
	switch v.(type) {
	case bool:
		return kindBool
	case float64, json.Number, int, int64:
		return kindNumber
	}
	return kindString
}

// userAttrs reads a user's attribute by its search path.
func userAttrs(u *User) attrGetter {
	return func(path string) (any, bool) {
		switch path {
		case "id":
			return u.ID, true
		case "status":
			return u.Status, true
		case "type.id":
			return userTypeID, true
		case "created":
			return u.Created, true
		case "activated":
			return u.Activated, !u.Activated.IsZero()
		case "statusChanged":
			return u.StatusChanged, !u.StatusChanged.IsZero()
		case "lastUpdated":
			return u.LastUpdated, true
		case "passwordChanged":
			return u.PasswordChanged, !u.PasswordChanged.IsZero()
		case "lastLogin":
			return nil, false
		}
		if name, ok := strings.CutPrefix(path, "profile."); ok {
			v, ok := u.Profile[name]
			return v, ok
		}
		return nil, false
	}
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query, search, filter := q.Get("q"), q.Get("search"), q.Get("filter")
	def := defaultUsersLimit
	if query != "" && search == "" && filter == "" {
		def = defaultUsersQueryLimit
	}
	limit, ok := parseLimit(w, q, def, maxUsersLimit)
	if !ok {
		return
	}
	s.mu.Lock()
	s.people()
	attrs := s.userSearchAttributes()
	// search and q read the lagging index; everything else reads live data.
	var all []User
	if search != "" || (query != "" && filter == "") {
		s.catchUpUserIndex()
		for _, u := range s.dir.userIndex {
			all = append(all, u)
		}
	} else {
		for _, u := range s.dir.users {
			all = append(all, u.snapshot())
		}
	}
	s.mu.Unlock()

	var match func(*User) bool
	switch {
	case search != "":
		expr, err := parseExpression(search, attrs, false)
		if err != nil {
			writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", err.Error())
			return
		}
		match = func(u *User) bool { return expr.eval(userAttrs(u)) }
	case filter != "":
		expr, err := parseExpression(filter, userFilterAttributes, true)
		if err != nil {
			writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", err.Error())
			return
		}
		match = func(u *User) bool { return expr.eval(userAttrs(u)) }
	case query != "":
		needle := strings.ToLower(query)
		match = func(u *User) bool {
			if u.Status == UserDeprovisioned {
				return false
			}
			for _, k := range []string{"firstName", "lastName", "email"} {
				if v, ok := u.Profile[k].(string); ok && strings.HasPrefix(strings.ToLower(v), needle) {
					return true
				}
			}
			return false
		}
	default:
		// Without a search, Okta lists everyone who is not deprovisioned.
		match = func(u *User) bool { return u.Status != UserDeprovisioned }
	}
	var out []User
	for i := range all {
		if match(&all[i]) {
			out = append(out, all[i])
		}
	}

	sortBy, sortOrder := q.Get("sortBy"), q.Get("sortOrder")
	if search == "" {
		sortBy, sortOrder = "", ""
	}
	if sortBy != "" {
		if _, ok := attrs[sortBy]; !ok {
			writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", sortBy+" cannot be sorted on")
			return
		}
	}
	desc := false
	switch strings.ToLower(sortOrder) {
	case "", "asc":
	case "desc":
		desc = true
	default:
		writeError(w, http.StatusBadRequest, "E0000031", "Invalid search criteria.", fmt.Sprintf("sortOrder must be asc or desc, not %q", sortOrder))
		return
	}
	key := func(u *User) any {
		if sortBy == "" {
			return nil
		}
		v, _ := userAttrs(u)(sortBy)
		return v
	}
	cmpUsers := func(av any, aid string, bv any, bid string) int {
		if c := compareAny(av, bv); c != 0 {
			if desc {
				return -c
			}
			return c
		}
		return strings.Compare(aid, bid)
	}
	slices.SortFunc(out, func(a, b User) int { return cmpUsers(key(&a), a.ID, key(&b), b.ID) })

	w.Header().Add("Link", selfLink(r))
	if query != "" && search == "" && filter == "" {
		// A query is not paged.
		if len(out) > limit {
			out = out[:limit]
		}
		writeUsers(w, out, baseURL(r))
		return
	}
	if after := q.Get("after"); after != "" {
		cv, cid, err := decodeUserCursor(after)
		if err != nil {
			validationError(w, "after", "not a cursor from a Link header")
			return
		}
		i := 0
		for i < len(out) && cmpUsers(key(&out[i]), out[i].ID, cv, cid) <= 0 {
			i++
		}
		out = out[i:]
	}
	if len(out) > limit {
		out = out[:limit]
		last := out[len(out)-1]
		w.Header().Add("Link", nextLink(r, q, encodeUserCursor(key(&last), last.ID, sortBy != ""), limit))
	}
	writeUsers(w, out, baseURL(r))
}

// A user cursor is the last user's ID, or with sortBy its sort value and
// ID.
func encodeUserCursor(v any, id string, sorted bool) string {
	if !sorted {
		return id
	}
	if t, ok := v.(time.Time); ok {
		v = map[string]string{"t": t.Format(time.RFC3339Nano)}
	}
	raw, _ := json.Marshal([]any{id, v})
	return base64.RawURLEncoding.EncodeToString(raw)
}

func decodeUserCursor(after string) (any, string, error) {
	if strings.HasPrefix(after, "00u") && len(after) == 20 {
		return nil, after, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(after)
	if err != nil {
		return nil, "", err
	}
	var parts []any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&parts); err != nil || len(parts) != 2 {
		return nil, "", fmt.Errorf("bad cursor")
	}
	id, _ := parts[0].(string)
	v := parts[1]
	if m, ok := v.(map[string]any); ok {
		ts, _ := m["t"].(string)
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return nil, "", err
		}
		v = t
	}
	return v, id, nil
}
