package oktatest

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
)

// Scopes for the Users API; okta.users.manage implies okta.users.read.
const (
	ScopeUsersRead   = "okta.users.read"
	ScopeUsersManage = "okta.users.manage"
)

// Rate-limit buckets of the Users API, named like Okta's dashboard.
const (
	BucketUsers    = "/api/v1/users"      // create, list, lifecycle, a user's groups
	BucketUserByID = "/api/v1/users/{id}" // get, update, delete one user
	BucketUserMe   = "/api/v1/users/me"
)

func userBucketFor(path string) string {
	rest := strings.TrimPrefix(strings.TrimSuffix(path, "/"), "/api/v1/users")
	switch {
	case rest == "/me":
		return BucketUserMe
	case strings.HasPrefix(rest, "/") && !strings.Contains(rest[1:], "/"):
		return BucketUserByID
	}
	return BucketUsers
}

// User statuses.
const (
	UserStaged          = "STAGED"
	UserProvisioned     = "PROVISIONED"
	UserActive          = "ACTIVE"
	UserRecovery        = "RECOVERY"
	UserPasswordExpired = "PASSWORD_EXPIRED"
	UserLockedOut       = "LOCKED_OUT"
	UserSuspended       = "SUSPENDED"
	UserDeprovisioned   = "DEPROVISIONED"
)

var userStatuses = []string{UserStaged, UserProvisioned, UserActive, UserRecovery, UserPasswordExpired, UserLockedOut, UserSuspended, UserDeprovisioned}

// standardUserAttributes are the base properties of Okta's default user
// profile; anything else must be defined with AddUserAttribute before the
// API accepts it.
var standardUserAttributes = map[string]bool{
	"login": true, "email": true, "secondEmail": true, "firstName": true, "lastName": true, "middleName": true,
	"honorificPrefix": true, "honorificSuffix": true, "title": true, "displayName": true, "nickName": true,
	"profileUrl": true, "primaryPhone": true, "mobilePhone": true, "streetAddress": true, "city": true,
	"state": true, "zipCode": true, "countryCode": true, "postalAddress": true, "preferredLanguage": true,
	"locale": true, "timezone": true, "userType": true, "employeeNumber": true, "costCenter": true,
	"organization": true, "division": true, "department": true, "managerId": true, "manager": true,
}

// User is a snapshot of a user in the fake org. As input to AddUser, empty
// fields get defaults: a new ID, status ACTIVE, the current time, the
// login as email.
type User struct {
	ID     string `json:"id,omitempty"`
	Status string `json:"status,omitempty"`
	// Profile holds login, email, firstName, ... and custom attributes.
	Profile map[string]any `json:"profile"`
	// Password is only an input (it is never returned); a user with one
	// becomes ACTIVE on activation instead of PROVISIONED.
	Password string `json:"password,omitempty"`
	// Provider is the credentials provider type (OKTA by default).
	Provider string `json:"provider,omitempty"`

	Created         time.Time `json:"created,omitzero"`
	Activated       time.Time `json:"activated,omitzero"`
	StatusChanged   time.Time `json:"statusChanged,omitzero"`
	LastUpdated     time.Time `json:"lastUpdated,omitzero"`
	PasswordChanged time.Time `json:"passwordChanged,omitzero"`
}

// Login is the user's profile.login.
func (u User) Login() string { return loginOf(u.Profile) }

type user struct {
	id, status string
	profile    map[string]any
	password   string
	provider   string
	created    time.Time
	activated  time.Time
	statusAt   time.Time
	updated    time.Time
	passwordAt time.Time
}

func (u *user) snapshot() User {
	return User{
		ID: u.id, Status: u.status, Profile: maps.Clone(u.profile), Provider: u.provider,
		Created: u.created, Activated: u.activated, StatusChanged: u.statusAt, LastUpdated: u.updated,
		PasswordChanged: u.passwordAt,
	}
}

func (u *user) login() string { return loginOf(u.profile) }

// directory holds the org's people: users, group membership and pending
// rule evaluations. NewServer makes it; everything is guarded by
// Server.mu.
type directory struct {
	users      map[string]*user
	logins     map[string]string                 // lower-cased login -> user ID
	members    map[string]map[string]*membership // group ID -> user ID -> how
	userSchema map[string]AttributeDef           // custom user attributes
	adminID    string                            // the user the API token belongs to
	pending    []evalJob                         // rule evaluations not yet run

	// What search and q see of users: writes reach it after the search
	// lag, as they reach groups' (searchIndex).
	userIndex   map[string]User
	userPending []userIndexUpdate
}

type userIndexUpdate struct {
	at      time.Time
	id      string
	user    User
	deleted bool
}

// reindexUser schedules the user's current state (or its deletion) for
// search. Callers hold s.mu.
func (s *Server) reindexUser(id string) {
	d := &s.dir
	u := userIndexUpdate{at: time.Now().Add(s.limits.SearchLag), id: id}
	if cur, ok := d.users[id]; ok {
		u.user = cur.snapshot()
	} else {
		u.deleted = true
	}
	d.userPending = append(d.userPending, u)
	s.catchUpUserIndex()
}

// catchUpUserIndex applies the updates that are due. Callers hold s.mu.
func (s *Server) catchUpUserIndex() {
	d := &s.dir
	now := time.Now()
	keep := d.userPending[:0]
	for _, u := range d.userPending {
		if u.at.After(now) {
			keep = append(keep, u)
			continue
		}
		// An older write still waiting (the lag was longer then) must not
		// land after this newer one.
		keep = slices.DeleteFunc(keep, func(w userIndexUpdate) bool { return w.id == u.id })
		if u.deleted {
			delete(d.userIndex, u.id)
		} else {
			d.userIndex[u.id] = u.user
		}
	}
	d.userPending = keep
}

// people returns the directory, creating it (and the admin user who owns
// the API token) on first use. Callers hold s.mu (or are NewServer).
func (s *Server) people() *directory {
	d := &s.dir
	if d.users != nil {
		return d
	}
	d.users = map[string]*user{}
	d.logins = map[string]string{}
	d.members = map[string]map[string]*membership{}
	d.userSchema = map[string]AttributeDef{}
	d.userIndex = map[string]User{}
	now := time.Now().UTC().Truncate(time.Millisecond)
	admin := &user{
		id: newID("00u"), status: UserActive, provider: "OKTA",
		profile: map[string]any{
			"login": "admin@example.com", "email": "admin@example.com",
			"firstName": "Org", "lastName": "Administrator", "userType": "Admin",
		},
		created: now, activated: now, statusAt: now, updated: now, passwordAt: now,
	}
	s.putUser(admin)
	d.adminID = admin.id
	return d
}

// putUser stores a new user and makes it a member of Everyone. Callers
// hold s.mu and have created the directory.
func (s *Server) putUser(u *user) {
	d := &s.dir
	d.users[u.id] = u
	d.logins[strings.ToLower(u.login())] = u.id
	s.addMember(s.everyoneID, u.id, "")
	s.reindexUser(u.id)
}

// findUser looks a user up by ID or login (ignoring case). Callers hold
// s.mu.
func (s *Server) findUser(idOrLogin string) *user {
	d := s.people()
	if u, ok := d.users[idOrLogin]; ok {
		return u
	}
	if id, ok := d.logins[strings.ToLower(idOrLogin)]; ok {
		return d.users[id]
	}
	return nil
}

// AdminUserID is the ID of the user the API token (Server.Token) belongs
// to, who answers GET /api/v1/users/me.
func (s *Server) AdminUserID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.people().adminID
}

// AddUser seeds a user, applying Okta's rules on the profile (login and
// email required and well-formed, logins unique ignoring case). Custom
// attributes that are not defined yet are added to the user schema, typed
// by their value, as the admin who set up the org would have. Status
// defaults to
// ACTIVE. An ACTIVE user is then evaluated by the active group rules,
// after the rule lag, as Okta does for a new user.
func (s *Server) AddUser(in User) (User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.people()
	if in.ID == "" {
		in.ID = newID("00u")
	}
	if _, ok := d.users[in.ID]; ok {
		return User{}, fmt.Errorf("oktatest: a user with ID %s already exists", in.ID)
	}
	if in.Status == "" {
		in.Status = UserActive
	}
	if !slices.Contains(userStatuses, in.Status) {
		return User{}, fmt.Errorf("oktatest: unknown user status %q", in.Status)
	}
	profile := maps.Clone(in.Profile)
	if profile == nil {
		profile = map[string]any{}
	}
	if _, ok := profile["email"]; !ok {
		profile["email"] = profile["login"]
	}
	if field, problem := checkUserProfile(profile, nil); problem != "" {
		return User{}, fmt.Errorf("oktatest: %s: %s", field, problem)
	}
	if other := s.findUser(loginOf(profile)); other != nil {
		return User{}, fmt.Errorf("oktatest: user %s already has the login %q", other.id, other.login())
	}
	for k, v := range profile {
		if _, defined := d.userSchema[k]; !defined && !standardUserAttributes[k] && v != nil {
			d.userSchema[k] = AttributeDef{Type: typeOfValue(v)}
		}
	}
	if in.Password != "" {
		if problem := checkPassword(in.Password, profile); problem != "" {
			return User{}, fmt.Errorf("oktatest: password: %s", problem)
		}
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	u := &user{
		id: in.ID, status: in.Status, profile: profile, password: in.Password, provider: in.Provider,
		created: orNow(in.Created, now), updated: orNow(in.LastUpdated, now), statusAt: orNow(in.StatusChanged, now),
	}
	if u.provider == "" {
		u.provider = "OKTA"
	}
	if in.Status != UserStaged {
		u.activated = orNow(in.Activated, now)
	}
	if in.Password != "" {
		u.passwordAt = orNow(in.PasswordChanged, now)
	}
	s.putUser(u)
	d.userIndex[u.id] = u.snapshot() // seeded users are searchable at once
	s.evaluateUserLater(u.id)
	return u.snapshot(), nil
}

func orNow(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return t.UTC()
}

// User returns the user with this ID or login.
func (s *Server) User(idOrLogin string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUser(idOrLogin)
	if u == nil {
		return User{}, false
	}
	return u.snapshot(), true
}

// Users returns every user, deprovisioned ones and the token's admin
// included, ordered by creation time.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.people()
	out := make([]User, 0, len(d.users))
	for _, u := range d.users {
		out = append(out, u.snapshot())
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// ErrNoSuchUser is returned by the Go API for unknown user IDs.
var ErrNoSuchUser = errors.New("oktatest: no such user")

// UpdateUser changes a user behind the client's back, as an admin or a
// profile source would: update gets a copy to edit (Profile and Status;
// ID and timestamps are kept). A profile change or a move to ACTIVE makes
// the group rules look at the user again, after the rule lag.
func (s *Server) UpdateUser(id string, update func(*User)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUser(id)
	if u == nil {
		return ErrNoSuchUser
	}
	snap := u.snapshot()
	update(&snap)
	if !slices.Contains(userStatuses, snap.Status) {
		return fmt.Errorf("oktatest: unknown user status %q", snap.Status)
	}
	if snap.Profile == nil {
		snap.Profile = map[string]any{}
	}
	if field, problem := checkUserProfile(snap.Profile, nil); problem != "" {
		return fmt.Errorf("oktatest: %s: %s", field, problem)
	}
	if other := s.findUser(loginOf(snap.Profile)); other != nil && other.id != u.id {
		return fmt.Errorf("oktatest: user %s already has the login %q", other.id, other.login())
	}
	s.setProfile(u, snap.Profile)
	if snap.Status != u.status {
		s.setStatus(u, snap.Status)
	}
	if snap.Password != "" {
		u.password = snap.Password
		u.passwordAt = time.Now().UTC().Truncate(time.Millisecond)
		s.reindexUser(u.id)
	}
	return nil
}

// DeleteUser removes a user and its memberships at once, whatever its
// status.
func (s *Server) DeleteUser(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUser(id)
	if u == nil {
		return ErrNoSuchUser
	}
	s.deleteUserLocked(u)
	return nil
}

// AddUserAttribute defines a custom user profile attribute, so the Users
// API accepts it (strings, booleans, integers, numbers, arrays).
func (s *Server) AddUserAttribute(name string, def AttributeDef) error {
	if name == "" || standardUserAttributes[name] {
		return fmt.Errorf("oktatest: %q cannot be a custom user attribute name", name)
	}
	if !attributeTypes[def.Type] {
		return fmt.Errorf("oktatest: attribute type %q is not one of string, boolean, integer, number, array", def.Type)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people().userSchema[name] = def
	return nil
}

func (s *Server) deleteUserLocked(u *user) {
	d := s.people()
	for gid, m := range d.members {
		if _, ok := m[u.id]; ok {
			s.removeMember(gid, u.id)
		}
	}
	delete(d.logins, strings.ToLower(u.login()))
	delete(d.users, u.id)
	s.reindexUser(u.id)
}

// setProfile replaces a user's profile; a change makes the rules look at
// the user again. Callers hold s.mu.
func (s *Server) setProfile(u *user, profile map[string]any) {
	if equalProfiles(u.profile, profile) {
		return
	}
	delete(s.dir.logins, strings.ToLower(u.login()))
	u.profile = maps.Clone(profile)
	s.dir.logins[strings.ToLower(u.login())] = u.id
	u.updated = time.Now().UTC().Truncate(time.Millisecond)
	s.reindexUser(u.id)
	s.evaluateUserLater(u.id)
}

// setStatus moves a user to a status; becoming ACTIVE makes the rules look
// at the user again. Callers hold s.mu.
func (s *Server) setStatus(u *user, status string) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	u.status = status
	u.statusAt, u.updated = now, now
	if status != UserStaged && status != UserDeprovisioned && u.activated.IsZero() {
		u.activated = now
	}
	if status == UserDeprovisioned {
		u.activated = time.Time{}
	}
	s.reindexUser(u.id)
	if status == UserActive {
		s.evaluateUserLater(u.id)
	}
}

func equalProfiles(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || fmt.Sprint(v) != fmt.Sprint(w) {
			return false
		}
	}
	return true
}

// emailPattern is deliberately loose: something@something.something.
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// checkUserProfile applies Okta's default user schema to a profile: login
// and email required and shaped like email addresses, string base
// attributes. With custom non-nil, other attributes must be defined in
// it. It returns the offending field and Okta's message, or "".
func checkUserProfile(profile map[string]any, custom map[string]AttributeDef) (string, string) {
	for _, k := range []string{"login", "email"} {
		v, _ := profile[k].(string)
		if strings.TrimSpace(v) == "" {
			return k, "The field cannot be left blank"
		}
	}
	if login := loginOf(profile); len(login) > 100 {
		return "login", "The field is too long (maximum 100 characters)"
	}
	if !emailPattern.MatchString(loginOf(profile)) {
		return "login", "Username must be in the form of an email address"
	}
	for _, k := range []string{"email", "secondEmail"} {
		if v, ok := profile[k].(string); ok && v != "" && !emailPattern.MatchString(v) {
			return k, "Does not match required pattern"
		}
	}
	for _, k := range sortedKeys(profile) {
		v := profile[k]
		if standardUserAttributes[k] {
			if _, ok := v.(string); !ok && v != nil {
				return k, "Property has an invalid type; expected string"
			}
			continue
		}
		if custom == nil {
			continue
		}
		def, ok := custom[k]
		if !ok {
			return k, fmt.Sprintf("Property name '%s' is not defined in profile", k)
		}
		conv, problem := def.check(v)
		if problem != "" {
			return k, problem
		}
		if conv == nil {
			delete(profile, k)
		} else {
			profile[k] = conv
		}
	}
	return "", ""
}

// checkPassword applies the default password policy: at least 8
// characters, a lowercase letter, an uppercase letter, a number, and no
// part of the login.
func checkPassword(pw string, profile map[string]any) string {
	var lower, upper, digit bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		}
	}
	login := loginOf(profile)
	local, _, _ := strings.Cut(strings.ToLower(login), "@")
	partOfLogin := len(local) >= 4 && strings.Contains(strings.ToLower(pw), local)
	if len([]rune(pw)) < 8 || !lower || !upper || !digit || partOfLogin {
		return "Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number, no parts of your username."
	}
	return ""
}

// typeOfValue is the schema type a seeded value implies.
func typeOfValue(v any) string {
	switch v.(type) {
	case bool:
		return "boolean"
	case []any:
		return "array"
	}
	if _, ok := toFloat(v); ok {
		return "number"
	}
	return "string"
}

// loginOf is profile.login, or "" when it is missing or not a string.
func loginOf(profile map[string]any) string {
	s, _ := profile["login"].(string)
	return s
}
