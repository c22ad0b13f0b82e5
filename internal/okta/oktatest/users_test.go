package oktatest

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func mustAddUser(t *testing.T, srv *Server, u User) User {
	t.Helper()
	out, err := srv.AddUser(u)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func person(login string, attrs ...any) map[string]any {
	p := map[string]any{"login": login, "email": login, "firstName": "First", "lastName": "Last"}
	for i := 0; i+1 < len(attrs); i += 2 {
		p[attrs[i].(string)] = attrs[i+1]
	}
	return p
}

func userStatus(t *testing.T, srv *Server, id string) string {
	t.Helper()
	var u map[string]any
	a := call(t, srv, "GET", "/api/v1/users/"+id, nil, ssws(srv))
	if a.status != 200 {
		t.Fatalf("GET user = %d %s", a.status, a.body)
	}
	a.json(t, &u)
	return u["status"].(string)
}

func wantOktaError(t *testing.T, a answer, status int, code string) oktaError {
	t.Helper()
	if a.status != status {
		t.Fatalf("status = %d %s, want %d", a.status, a.body, status)
	}
	e := a.oktaErr(t)
	if e.ErrorCode != code {
		t.Errorf("errorCode = %s, want %s (%s)", e.ErrorCode, code, a.body)
	}
	return e
}

func TestUserLifecycle(t *testing.T) {
	srv := start(t)
	auth := ssws(srv)

	// Without credentials, activate (the default) leaves the user PROVISIONED.
	a := call(t, srv, "POST", "/api/v1/users", map[string]any{"profile": person("nocreds@example.com")}, auth)
	var u map[string]any
	a.json(t, &u)
	if a.status != 200 || u["status"] != UserProvisioned {
		t.Fatalf("create without credentials = %d %s, want 200 PROVISIONED", a.status, a.body)
	}
	if id, _ := u["id"].(string); len(id) != 20 || !strings.HasPrefix(id, "00u") {
		t.Errorf("id = %q", u["id"])
	}
	if _, ok := u["activated"]; !ok {
		t.Errorf("activated is missing (null is how Okta says not yet): %s", a.body)
	}

	// With a password and activate=false: STAGED; activation makes it ACTIVE.
	body := map[string]any{"profile": person("ann@example.com", "department", "Sales"), "credentials": map[string]any{"password": map[string]any{"value": "Abcd1234"}}}
	a = call(t, srv, "POST", "/api/v1/users?activate=false", body, auth)
	a.json(t, &u)
	if a.status != 200 || u["status"] != UserStaged || u["activated"] != nil {
		t.Fatalf("create staged = %d %s", a.status, a.body)
	}
	if creds, _ := u["credentials"].(map[string]any); creds["password"] == nil || strings.Contains(string(a.body), "Abcd1234") {
		t.Errorf("credentials = %v: want an empty password object, never the password", u["credentials"])
	}
	id := u["id"].(string)
	a = call(t, srv, "POST", "/api/v1/users/"+id+"/lifecycle/activate?sendEmail=false", nil, auth)
	var tok map[string]string
	a.json(t, &tok)
	if a.status != 200 || tok["activationToken"] == "" || tok["activationUrl"] == "" {
		t.Fatalf("activate = %d %s", a.status, a.body)
	}
	if got := userStatus(t, srv, id); got != UserActive {
		t.Fatalf("status after activation = %s", got)
	}
	wantOktaError(t, call(t, srv, "POST", "/api/v1/users/"+id+"/lifecycle/activate", nil, auth), 403, "E0000016")

	// By login, any case.
	if a := call(t, srv, "GET", "/api/v1/users/ANN@example.com", nil, auth); a.status != 200 || !strings.Contains(string(a.body), id) {
		t.Errorf("get by login = %d %s", a.status, a.body)
	}

	// Suspend and unsuspend, with Okta's refusals out of order.
	if a := call(t, srv, "POST", "/api/v1/users/"+id+"/lifecycle/suspend", nil, auth); a.status != 200 {
		t.Fatalf("suspend = %d %s", a.status, a.body)
	}
	wantOktaError(t, call(t, srv, "POST", "/api/v1/users/"+id+"/lifecycle/suspend", nil, auth), 400, "E0000001")
	if a := call(t, srv, "POST", "/api/v1/users/"+id+"/lifecycle/unsuspend", nil, auth); a.status != 200 || userStatus(t, srv, id) != UserActive {
		t.Fatalf("unsuspend = %d %s", a.status, a.body)
	}

	// DELETE deactivates first, then deletes.
	if a := call(t, srv, "DELETE", "/api/v1/users/"+id, nil, auth); a.status != 204 {
		t.Fatalf("first DELETE = %d %s", a.status, a.body)
	}
	if got := userStatus(t, srv, id); got != UserDeprovisioned {
		t.Fatalf("after the first DELETE: %s, want DEPROVISIONED", got)
	}
	if a := call(t, srv, "DELETE", "/api/v1/users/"+id, nil, auth); a.status != 204 {
		t.Fatalf("second DELETE = %d %s", a.status, a.body)
	}
	e := wantOktaError(t, call(t, srv, "GET", "/api/v1/users/"+id, nil, auth), 404, "E0000007")
	if !strings.Contains(e.ErrorSummary, id) {
		t.Errorf("summary %q does not name the user", e.ErrorSummary)
	}
	if _, ok := srv.User(id); ok {
		t.Error("the deleted user is still in the Go API")
	}
}

func TestUserValidation(t *testing.T) {
	srv := start(t)
	auth := ssws(srv)
	mustAddUser(t, srv, User{Profile: person("taken@example.com")})
	cases := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"duplicate login, other case", map[string]any{"profile": person("TAKEN@example.com")}, "login"},
		{"no login", map[string]any{"profile": map[string]any{"email": "a@example.com"}}, "login"},
		{"login not an email", map[string]any{"profile": person("plainname")}, "login"},
		{"weak password", map[string]any{"profile": person("weak@example.com"), "credentials": map[string]any{"password": map[string]any{"value": "short"}}}, "password"},
		{"undefined custom attribute", map[string]any{"profile": person("c@example.com", "badge", "x")}, "badge"},
		{"standard attribute of the wrong type", map[string]any{"profile": person("d@example.com", "department", 7)}, "department"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := wantOktaError(t, call(t, srv, "POST", "/api/v1/users", c.body, auth), 400, "E0000001")
			if e.ErrorSummary != "Api validation failed: "+c.field || len(e.ErrorCauses) != 1 || !strings.HasPrefix(e.ErrorCauses[0].ErrorSummary, c.field+": ") {
				t.Errorf("error = %+v, want it about %s", e, c.field)
			}
		})
	}
	if n := len(srv.Users()); n != 2 { // the admin and taken@
		t.Errorf("%d users after refused creates, want 2", n)
	}
	if err := srv.AddUserAttribute("badge", AttributeDef{Type: "string"}); err != nil {
		t.Fatal(err)
	}
	if a := call(t, srv, "POST", "/api/v1/users", map[string]any{"profile": person("c@example.com", "badge", "x")}, auth); a.status != 200 {
		t.Errorf("a defined custom attribute is refused: %d %s", a.status, a.body)
	}
}

func TestUserProfileUpdates(t *testing.T) {
	srv := start(t)
	auth := ssws(srv)
	u := mustAddUser(t, srv, User{Profile: person("bo@example.com", "title", "Engineer", "department", "R&D")})

	// POST changes only what it sends.
	a := call(t, srv, "POST", "/api/v1/users/"+u.ID, map[string]any{"profile": map[string]any{"department": "Sales"}}, auth)
	if a.status != 200 {
		t.Fatalf("partial update = %d %s", a.status, a.body)
	}
	got, _ := srv.User(u.ID)
	if got.Profile["department"] != "Sales" || got.Profile["title"] != "Engineer" {
		t.Errorf("after POST: %v", got.Profile)
	}
	// PUT replaces the profile.
	a = call(t, srv, "PUT", "/api/v1/users/"+u.ID, map[string]any{"profile": person("bo@example.com", "nickName", "B")}, auth)
	if a.status != 200 {
		t.Fatalf("full update = %d %s", a.status, a.body)
	}
	got, _ = srv.User(u.ID)
	if got.Profile["nickName"] != "B" || got.Profile["title"] != nil || got.Profile["department"] != nil {
		t.Errorf("after PUT: %v", got.Profile)
	}
	wantOktaError(t, call(t, srv, "PUT", "/api/v1/users/"+u.ID, map[string]any{"profile": map[string]any{"login": "bo@example.com"}}, auth), 400, "E0000001")
	wantOktaError(t, call(t, srv, "PUT", "/api/v1/users/00unosuchuser0000000", map[string]any{"profile": person("x@example.com")}, auth), 404, "E0000007")
}

func TestUsersMe(t *testing.T) {
	srv := start(t)
	a := call(t, srv, "GET", "/api/v1/users/me", nil, ssws(srv))
	var me map[string]any
	a.json(t, &me)
	if a.status != 200 || me["id"] != srv.AdminUserID() || me["status"] != UserActive {
		t.Fatalf("/users/me = %d %s, want the token's admin", a.status, a.body)
	}
	srv.AddToken("readonly", ScopeGroupsRead)
	if a := call(t, srv, "GET", "/api/v1/users/me", nil, "SSWS readonly"); a.status != 200 {
		t.Errorf("/users/me with a limited token = %d %s", a.status, a.body)
	}
	wantOktaError(t, call(t, srv, "GET", "/api/v1/users/me", nil, "SSWS wrong"), 401, "E0000011")
	// A limited token may not read other users.
	wantOktaError(t, call(t, srv, "GET", "/api/v1/users", nil, "SSWS readonly"), 403, "E0000006")
	// The admin cannot be deactivated through its own org.
	wantOktaError(t, call(t, srv, "DELETE", "/api/v1/users/"+srv.AdminUserID(), nil, ssws(srv)), 403, "E0000006")
}

func userIDs(t *testing.T, a answer) []string {
	t.Helper()
	if a.status != 200 {
		t.Fatalf("list = %d %s", a.status, a.body)
	}
	var users []map[string]any
	a.json(t, &users)
	var ids []string
	for _, u := range users {
		ids = append(ids, u["id"].(string))
	}
	return ids
}

func TestUsersListing(t *testing.T) {
	srv := start(t)
	auth := ssws(srv)
	sales := mustAddUser(t, srv, User{Profile: person("sam@example.com", "department", "Sales", "countryCode", "SE")})
	hr := mustAddUser(t, srv, User{Profile: person("hana@example.com", "department", "HR", "countryCode", "US")})
	suspended := mustAddUser(t, srv, User{Status: UserSuspended, Profile: person("sid@example.com", "department", "Sales")})
	gone := mustAddUser(t, srv, User{Status: UserDeprovisioned, Profile: person("dee@example.com")})

	// Everyone who is not deprovisioned, one page at a time.
	all := followUserPages(t, srv, "/api/v1/users?limit=2")
	want := []string{srv.AdminUserID(), sales.ID, hr.ID, suspended.ID}
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("paged list = %v, want %v", all, want)
	}
	if got := userIDs(t, call(t, srv, "GET", "/api/v1/users?filter="+queryEscape(`status eq "SUSPENDED"`), nil, auth)); !slices.Equal(got, []string{suspended.ID}) {
		t.Errorf("filter status = %v", got)
	}
	if got := userIDs(t, call(t, srv, "GET", "/api/v1/users?filter="+queryEscape(`status eq "DEPROVISIONED"`), nil, auth)); !slices.Equal(got, []string{gone.ID}) {
		t.Errorf("filter deprovisioned = %v", got)
	}
	got := userIDs(t, call(t, srv, "GET", "/api/v1/users?search="+queryEscape(`profile.department eq "Sales" and status eq "ACTIVE"`), nil, auth))
	if !slices.Equal(got, []string{sales.ID}) {
		t.Errorf("search = %v", got)
	}
	got = userIDs(t, call(t, srv, "GET", "/api/v1/users?search="+queryEscape(`profile.department pr`)+"&sortBy=profile.countryCode&sortOrder=desc", nil, auth))
	if len(got) != 3 || got[0] != hr.ID {
		t.Errorf("sorted search = %v, want hr (US) first", got)
	}
	if got := userIDs(t, call(t, srv, "GET", "/api/v1/users?q=ha", nil, auth)); !slices.Equal(got, []string{hr.ID}) {
		t.Errorf("q = %v", got)
	}
	wantOktaError(t, call(t, srv, "GET", "/api/v1/users?filter="+queryEscape(`profile.department eq "Sales"`), nil, auth), 400, "E0000031")

	buckets := srv.Buckets()
	if buckets[BucketUsers].Requests == 0 {
		t.Errorf("no requests counted in %s: %v", BucketUsers, buckets)
	}
	call(t, srv, "GET", "/api/v1/users/"+sales.ID, nil, auth)
	if srv.Buckets()[BucketUserByID].Requests != 1 {
		t.Errorf("GET one user is not in %s: %v", BucketUserByID, srv.Buckets())
	}
}

func followUserPages(t *testing.T, srv *Server, path string) []string {
	t.Helper()
	var ids []string
	next := srv.URL + path
	for pages := 0; next != ""; pages++ {
		if pages > 20 {
			t.Fatal("too many pages")
		}
		a := call(t, srv, "GET", next, nil, ssws(srv))
		ids = append(ids, userIDs(t, a)...)
		next = ""
		for _, l := range a.header.Values("Link") {
			if strings.HasSuffix(l, `rel="next"`) {
				next = strings.TrimSuffix(strings.TrimPrefix(l, "<"), `>; rel="next"`)
			}
		}
	}
	return ids
}

func TestGroupMembership(t *testing.T) {
	srv := start(t)
	auth := ssws(srv)
	g := mustAdd(t, srv, Group{Name: "content:handbook"})
	var users []User
	for _, login := range []string{"a@example.com", "b@example.com", "c@example.com"} {
		users = append(users, mustAddUser(t, srv, User{Profile: person(login)}))
	}
	for _, u := range users {
		if a := call(t, srv, "PUT", "/api/v1/groups/"+g.ID+"/users/"+u.ID, nil, auth); a.status != 204 {
			t.Fatalf("add member = %d %s", a.status, a.body)
		}
	}
	want := []string{users[0].ID, users[1].ID, users[2].ID}
	slices.Sort(want)
	if got := followUserPages(t, srv, "/api/v1/groups/"+g.ID+"/users?limit=2"); !slices.Equal(got, want) {
		t.Errorf("paged members = %v, want %v", got, want)
	}
	if got := srv.GroupMembers(g.ID); !slices.Equal(got, want) {
		t.Errorf("GroupMembers = %v", got)
	}
	after, _ := srv.Group(g.ID)
	if after.UsersCount != 3 || !after.LastMembershipUpdated.After(g.LastMembershipUpdated.Add(-time.Millisecond)) {
		t.Errorf("group after adds: usersCount %d, lastMembershipUpdated %v", after.UsersCount, after.LastMembershipUpdated)
	}

	a := call(t, srv, "GET", "/api/v1/users/"+users[0].ID+"/groups", nil, auth)
	if got := names(t, a); !slices.Contains(got, "Everyone") || !slices.Contains(got, "content:handbook") {
		t.Errorf("user's groups = %v", got)
	}
	if a := call(t, srv, "DELETE", "/api/v1/groups/"+g.ID+"/users/"+users[0].ID, nil, auth); a.status != 204 {
		t.Fatalf("remove member = %d %s", a.status, a.body)
	}
	if got := srv.GroupMembers(g.ID); slices.Contains(got, users[0].ID) || len(got) != 2 {
		t.Errorf("after removal: %v", got)
	}
	wantOktaError(t, call(t, srv, "PUT", "/api/v1/groups/"+srv.EveryoneID()+"/users/"+users[0].ID, nil, auth), 403, "E0000006")
	wantOktaError(t, call(t, srv, "PUT", "/api/v1/groups/"+g.ID+"/users/00unosuchuser0000000", nil, auth), 404, "E0000007")
	wantOktaError(t, call(t, srv, "GET", "/api/v1/groups/00gnosuchgroup000000/users", nil, auth), 404, "E0000007")

	// Deleting the group or the user ends the membership.
	if err := srv.DeleteUser(users[1].ID); err != nil {
		t.Fatal(err)
	}
	if got := srv.GroupMembers(g.ID); !slices.Equal(got, []string{users[2].ID}) {
		t.Errorf("after deleting a user: %v", got)
	}
	if err := srv.DeleteGroup(g.ID); err != nil {
		t.Fatal(err)
	}
	if got := srv.UserGroups(users[2].ID); !slices.Equal(got, []string{srv.EveryoneID()}) {
		t.Errorf("after deleting the group the user is in %v", got)
	}
}

func createRule(t *testing.T, srv *Server, name, expr string, groupIDs ...string) string {
	t.Helper()
	a := call(t, srv, "POST", "/api/v1/groups/rules", ruleBodyFor(name, expr, groupIDs...), ssws(srv))
	if a.status != 200 {
		t.Fatalf("create rule = %d %s", a.status, a.body)
	}
	var r map[string]any
	a.json(t, &r)
	return r["id"].(string)
}

func ruleBodyFor(name, expr string, groupIDs ...string) map[string]any {
	return map[string]any{
		"type": "group_rule", "name": name,
		"conditions": map[string]any{"expression": map[string]any{"value": expr, "type": "urn:okta:expression:1.0"}},
		"actions":    map[string]any{"assignUserToGroups": map[string]any{"groupIds": groupIDs}},
	}
}

func lifecycle(t *testing.T, srv *Server, ruleID, action string) {
	t.Helper()
	if a := call(t, srv, "POST", "/api/v1/groups/rules/"+ruleID+"/lifecycle/"+action, nil, ssws(srv)); a.status != 204 {
		t.Fatalf("%s rule = %d %s", action, a.status, a.body)
	}
}

func TestGroupRulesMoveUsers(t *testing.T) {
	// An hour of lag: nothing moves until SettleRules, so the test sees the
	// state before and after without waiting.
	srv := start(t, WithLimits(Limits{RuleLag: time.Hour}))
	auth := ssws(srv)
	g := mustAdd(t, srv, Group{Name: "content:emea-sales"})
	sam := mustAddUser(t, srv, User{Profile: person("sam@example.com", "department", "Sales", "countryCode", "SE")})
	hana := mustAddUser(t, srv, User{Profile: person("hana@example.com", "department", "HR", "countryCode", "US")})
	staged := mustAddUser(t, srv, User{Status: UserStaged, Profile: person("new@example.com", "department", "Sales", "countryCode", "DE")})
	direct := mustAddUser(t, srv, User{Profile: person("dir@example.com", "department", "Sales", "countryCode", "FR")})
	if err := srv.AddGroupMember(g.ID, direct.ID); err != nil {
		t.Fatal(err)
	}
	rule := createRule(t, srv, "emea sales", `user.department == "Sales" AND (user.countryCode == "SE" OR user.countryCode == "DE" OR user.countryCode == "FR")`, g.ID)
	if srv.SettleRules(); len(srv.GroupMembers(g.ID)) != 1 {
		t.Fatalf("an inactive rule moved users: %v", srv.GroupMembers(g.ID))
	}

	lifecycle(t, srv, rule, "activate")
	if got := srv.GroupMembers(g.ID); !slices.Equal(got, []string{direct.ID}) {
		t.Fatalf("members moved before the lag: %v", got)
	}
	if srv.PendingRuleEvaluations() == 0 {
		t.Fatal("no evaluation pending after activation")
	}
	srv.SettleRules()
	want := []string{sam.ID, direct.ID}
	slices.Sort(want)
	if got := srv.GroupMembers(g.ID); !slices.Equal(got, want) {
		t.Fatalf("after activation: %v, want %v (the staged user must not move)", got, want)
	}

	// Activating the staged user and changing Hana's profile move them.
	if a := call(t, srv, "POST", "/api/v1/users/"+staged.ID+"/lifecycle/activate?sendEmail=false", nil, auth); a.status != 200 {
		t.Fatalf("activate = %d %s", a.status, a.body)
	}
	if a := call(t, srv, "POST", "/api/v1/users/"+hana.ID, map[string]any{"profile": map[string]any{"department": "Sales", "countryCode": "DE"}}, auth); a.status != 200 {
		t.Fatalf("update = %d %s", a.status, a.body)
	}
	// The staged user had no password: activation leaves it PROVISIONED,
	// and only ACTIVE users move.
	srv.SettleRules()
	if got := srv.GroupMembers(g.ID); !slices.Contains(got, hana.ID) || slices.Contains(got, staged.ID) {
		t.Fatalf("after the profile change and activation: %v", got)
	}

	// Sam leaves Sales: the rule takes back what it added. The direct
	// member stays even when it stops matching.
	if err := srv.UpdateUser(sam.ID, func(u *User) { u.Profile["department"] = "Finance" }); err != nil {
		t.Fatal(err)
	}
	if err := srv.UpdateUser(direct.ID, func(u *User) { u.Profile["department"] = "Finance" }); err != nil {
		t.Fatal(err)
	}
	srv.SettleRules()
	want = []string{hana.ID, direct.ID}
	slices.Sort(want)
	if got := srv.GroupMembers(g.ID); !slices.Equal(got, want) {
		t.Fatalf("after Sam left Sales: %v, want %v", got, want)
	}

	// Deactivating keeps the members; deleting with removeUsers=true
	// removes those the rule added and only those.
	lifecycle(t, srv, rule, "deactivate")
	srv.SettleRules()
	if got := srv.GroupMembers(g.ID); !slices.Equal(got, want) {
		t.Fatalf("after deactivation: %v", got)
	}
	if a := call(t, srv, "DELETE", "/api/v1/groups/rules/"+rule+"?removeUsers=true", nil, auth); a.status != 202 {
		t.Fatalf("delete rule = %d %s", a.status, a.body)
	}
	srv.SettleRules()
	if got := srv.GroupMembers(g.ID); !slices.Equal(got, []string{direct.ID}) {
		t.Fatalf("after deleting with removeUsers: %v", got)
	}
}

func TestDeletedRuleKeepsMembersWithoutRemoveUsers(t *testing.T) {
	srv := start(t)
	g := mustAdd(t, srv, Group{Name: "content:hr"})
	u := mustAddUser(t, srv, User{Profile: person("hr@example.com", "department", "HR")})
	rule := createRule(t, srv, "hr", `user.department == "HR"`, g.ID)
	lifecycle(t, srv, rule, "activate")
	srv.SettleRules()
	lifecycle(t, srv, rule, "deactivate")
	if a := call(t, srv, "DELETE", "/api/v1/groups/rules/"+rule, nil, ssws(srv)); a.status != 202 {
		t.Fatalf("delete = %d %s", a.status, a.body)
	}
	srv.SettleRules()
	if got := srv.GroupMembers(g.ID); !slices.Equal(got, []string{u.ID}) {
		t.Fatalf("members after deleting the rule: %v", got)
	}
	// They are ordinary members now: a new rule that does not match them
	// does not take them out.
	other := createRule(t, srv, "nobody", `user.department == "Nobody"`, g.ID)
	lifecycle(t, srv, other, "activate")
	srv.SettleRules()
	if got := srv.GroupMembers(g.ID); !slices.Equal(got, []string{u.ID}) {
		t.Fatalf("another rule removed a member it did not add: %v", got)
	}
}

func TestGroupRuleValidationAndTargets(t *testing.T) {
	srv := start(t)
	auth := ssws(srv)
	g := mustAdd(t, srv, Group{Name: "content:a"})
	admins := mustAdd(t, srv, Group{Name: "admins", AdminPrivilege: true})

	e := wantOktaError(t, call(t, srv, "POST", "/api/v1/groups/rules", ruleBodyFor("bad", `user.department == "Sales" AND`, g.ID), auth), 400, "E0000001")
	if e.ErrorSummary != "Api validation failed: validateRule" || len(e.ErrorCauses) == 0 || !strings.Contains(e.ErrorCauses[0].ErrorSummary, "column") {
		t.Errorf("invalid expression error = %+v", e)
	}
	wantOktaError(t, call(t, srv, "POST", "/api/v1/groups/rules", ruleBodyFor("admins", `user.department == "IT"`, admins.ID), auth), 400, "E0000001")

	// Replacing is validated the same way.
	rule := createRule(t, srv, "ok", `user.department == "Sales"`, g.ID)
	wantOktaError(t, call(t, srv, "PUT", "/api/v1/groups/rules/"+rule, ruleBodyFor("ok", `user.department ==`, g.ID), auth), 400, "E0000001")

	// A group that gains admin privileges after the rule exists is never
	// filled by it.
	u := mustAddUser(t, srv, User{Profile: person("s@example.com", "department", "Sales")})
	if err := srv.UpdateGroup(g.ID, func(g *Group) { g.AdminPrivilege = true }); err != nil {
		t.Fatal(err)
	}
	lifecycle(t, srv, rule, "activate")
	srv.SettleRules()
	if got := srv.GroupMembers(g.ID); slices.Contains(got, u.ID) {
		t.Errorf("a rule put a user in an admin group: %v", got)
	}

	// Deleting the target makes the rule INVALID.
	lifecycle(t, srv, rule, "deactivate")
	if err := srv.DeleteGroup(g.ID); err != nil {
		t.Fatal(err)
	}
	r, _ := srv.GroupRule(rule)
	if r.Status != RuleInvalid || r.AllGroupsValid {
		t.Errorf("rule after its group was deleted: %+v", r)
	}
}

func TestGroupSchemaFidelity(t *testing.T) {
	srv := start(t)
	auth := ssws(srv)
	props := map[string]any{
		"tier": map[string]any{
			"title": "Tier", "type": "string", "enum": []any{"gold", "silver"},
			"oneOf":     []any{map[string]any{"const": "gold", "title": "Gold"}, map[string]any{"const": "silver", "title": "Silver"}},
			"minLength": 2, "maxLength": 10, "unique": "NOT_UNIQUE", "externalName": "tier_ext",
			"master":      map[string]any{"type": "OKTA"},
			"permissions": []any{map[string]any{"principal": "SELF", "action": "READ_WRITE"}},
		},
		"docId": map[string]any{"title": "Document", "type": "string", "unique": "UNIQUE_VALIDATED"},
		"regions": map[string]any{"title": "Regions", "type": "array",
			"items": map[string]any{"type": "string", "enum": []any{"EMEA", "AMER"}, "oneOf": []any{map[string]any{"const": "EMEA", "title": "EMEA"}, map[string]any{"const": "AMER", "title": "Americas"}}}},
	}
	a := call(t, srv, "POST", "/api/v1/meta/schemas/group/default", map[string]any{"definitions": map[string]any{"custom": map[string]any{"properties": props}}}, auth)
	if a.status != 200 {
		t.Fatalf("schema update = %d %s", a.status, a.body)
	}
	var schema struct {
		Definitions struct {
			Custom struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"custom"`
		} `json:"definitions"`
	}
	call(t, srv, "GET", "/api/v1/meta/schemas/group/default", nil, auth).json(t, &schema)
	tier := schema.Definitions.Custom.Properties["tier"]
	for _, k := range []string{"enum", "oneOf", "minLength", "maxLength", "unique", "externalName", "master"} {
		if tier[k] == nil {
			t.Errorf("tier lost %s: %v", k, tier)
		}
	}
	if perms, _ := tier["permissions"].([]any); len(perms) != 1 || perms[0].(map[string]any)["action"] != "READ_WRITE" {
		t.Errorf("permissions = %v, want READ_WRITE kept", tier["permissions"])
	}
	items, _ := schema.Definitions.Custom.Properties["regions"]["items"].(map[string]any)
	if items["enum"] == nil || items["oneOf"] == nil {
		t.Errorf("regions items = %v", items)
	}

	refused := map[string]map[string]any{
		"minLength over maxLength": {"x": map[string]any{"type": "string", "minLength": 5, "maxLength": 2}},
		"unknown unique":           {"x": map[string]any{"type": "string", "unique": "SORT_OF"}},
		"enum of the wrong type":   {"x": map[string]any{"type": "integer", "enum": []any{"one"}}},
		"oneOf unlike enum":        {"x": map[string]any{"type": "string", "enum": []any{"a"}, "oneOf": []any{map[string]any{"const": "b", "title": "B"}}}},
		"changing a type":          {"tier": map[string]any{"type": "integer"}},
		"bad permission":           {"x": map[string]any{"type": "string", "permissions": []any{map[string]any{"principal": "SELF", "action": "WRITE_ONLY"}}}},
		"unique boolean":           {"x": map[string]any{"type": "boolean", "unique": "UNIQUE_VALIDATED"}},
	}
	for name, p := range refused {
		t.Run(name, func(t *testing.T) {
			wantOktaError(t, call(t, srv, "POST", "/api/v1/meta/schemas/group/default", map[string]any{"definitions": map[string]any{"custom": map[string]any{"properties": p}}}, auth), 400, "E0000001")
		})
	}

	// The definitions hold on group profiles.
	group := func(name string, attrs map[string]any) answer {
		profile := map[string]any{"name": name}
		for k, v := range attrs {
			profile[k] = v
		}
		return call(t, srv, "POST", "/api/v1/groups", map[string]any{"profile": profile}, auth)
	}
	if a := group("g1", map[string]any{"tier": "gold", "docId": "doc-1", "regions": []any{"EMEA"}}); a.status != 200 {
		t.Fatalf("valid profile refused: %d %s", a.status, a.body)
	}
	wantOktaError(t, group("g2", map[string]any{"tier": "bronze"}), 400, "E0000001")
	wantOktaError(t, group("g3", map[string]any{"tier": "g"}), 400, "E0000001")
	wantOktaError(t, group("g4", map[string]any{"regions": []any{"APAC"}}), 400, "E0000001")
	e := wantOktaError(t, group("g5", map[string]any{"docId": "doc-1"}), 400, "E0000001")
	if !strings.Contains(e.ErrorSummary, "docId") {
		t.Errorf("unique conflict error = %+v", e)
	}
}

func TestAdminUsersAPI(t *testing.T) {
	srv := start(t, WithLimits(Limits{RuleLag: time.Hour}))
	a := call(t, srv, "POST", "/__admin/users", map[string]any{"profile": person("seed@example.com", "department", "Sales")}, "")
	var u User
	a.json(t, &u)
	if a.status != 200 || u.ID == "" || u.Status != UserActive {
		t.Fatalf("seed user = %d %s", a.status, a.body)
	}
	g := mustAdd(t, srv, Group{Name: "content:s"})
	rule := createRule(t, srv, "s", `user.department == "Sales"`, g.ID)
	lifecycle(t, srv, rule, "activate")
	var members []string
	call(t, srv, "GET", "/__admin/groups/"+g.ID+"/members", nil, "").json(t, &members)
	if len(members) != 0 {
		t.Fatalf("members before settling = %v", members)
	}
	var settled map[string]int
	call(t, srv, "POST", "/__admin/rules/settle", nil, "").json(t, &settled)
	if settled["settled"] == 0 {
		t.Errorf("settle = %v", settled)
	}
	call(t, srv, "GET", "/__admin/groups/"+g.ID+"/members", nil, "").json(t, &members)
	if !slices.Equal(members, []string{u.ID}) {
		t.Fatalf("members after settling = %v", members)
	}
	if a := call(t, srv, "PUT", "/__admin/rules/lag", map[string]any{"lag": "0s"}, ""); a.status != 204 || srv.Limits().RuleLag != 0 {
		t.Errorf("set lag = %d %s", a.status, a.body)
	}
	if a := call(t, srv, "PATCH", "/__admin/users/seed@example.com", map[string]any{"profile": map[string]any{"department": "HR"}}, ""); a.status != 200 {
		t.Fatalf("patch = %d %s", a.status, a.body)
	}
	if got := srv.GroupMembers(g.ID); len(got) != 0 {
		t.Errorf("after the drift the user is still a member: %v", got)
	}
	if a := call(t, srv, "PATCH", "/__admin/users/seed@example.com", map[string]any{"status": "NOPE"}, ""); a.status != 400 {
		t.Errorf("bad status = %d", a.status)
	}
	if a := call(t, srv, "DELETE", "/__admin/users/"+u.ID, nil, ""); a.status != 204 {
		t.Errorf("delete = %d", a.status)
	}
	if _, ok := srv.User(u.ID); ok {
		t.Error("deleted user still there")
	}
	if a := call(t, srv, "GET", "/__admin/users", nil, ""); a.status != 200 {
		t.Errorf("list = %d", a.status)
	}
}

func queryEscape(s string) string { return strings.NewReplacer(" ", "%20", `"`, "%22").Replace(s) }

func TestUserSearchLag(t *testing.T) {
	srv := start(t, WithLimits(Limits{SearchLag: time.Hour}))
	auth := ssws(srv)
	seeded := mustAddUser(t, srv, User{Profile: person("seeded@example.com", "department", "Sales")})
	a := call(t, srv, "POST", "/api/v1/users", map[string]any{"profile": person("fresh@example.com", "department", "Sales")}, auth)
	var fresh map[string]any
	a.json(t, &fresh)
	search := "/api/v1/users?search=" + queryEscape(`profile.department eq "Sales"`)
	if got := userIDs(t, call(t, srv, "GET", search, nil, auth)); !slices.Equal(got, []string{seeded.ID}) {
		t.Errorf("search = %v, want only the seeded user until the index catches up", got)
	}
	if got := userIDs(t, call(t, srv, "GET", "/api/v1/users?q=fresh", nil, auth)); len(got) != 0 {
		t.Errorf("q = %v, want nothing yet", got)
	}
	// Reads by ID, filter and plain lists are never stale.
	if a := call(t, srv, "GET", "/api/v1/users/"+fresh["id"].(string), nil, auth); a.status != 200 {
		t.Errorf("get = %d", a.status)
	}
	if got := userIDs(t, call(t, srv, "GET", "/api/v1/users?filter="+queryEscape(`profile.login eq "fresh@example.com"`), nil, auth)); len(got) != 1 {
		t.Errorf("filter = %v", got)
	}
	srv.SetLimits(Limits{})
	call(t, srv, "POST", "/api/v1/users/"+seeded.ID, map[string]any{"profile": map[string]any{"department": "HR"}}, auth)
	// The fresh user's entry is still an hour away; the new change is not.
	if got := userIDs(t, call(t, srv, "GET", search, nil, auth)); len(got) != 0 {
		t.Errorf("search after the seeded user left Sales = %v", got)
	}
	// With no lag left, the newest state of the fresh user is what search sees.
	call(t, srv, "POST", "/api/v1/users/"+fresh["id"].(string), map[string]any{"profile": map[string]any{"department": "Sales"}}, auth)
	call(t, srv, "POST", "/api/v1/users/"+fresh["id"].(string), map[string]any{"profile": map[string]any{"department": "Legal"}}, auth)
	legal := "/api/v1/users?search=" + queryEscape(`profile.department eq "Legal"`)
	if got := userIDs(t, call(t, srv, "GET", legal, nil, auth)); !slices.Equal(got, []string{fresh["id"].(string)}) {
		t.Errorf("search for the newest state = %v", got)
	}
}
