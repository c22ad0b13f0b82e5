package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// peopleStack is the quickstart's stack with its people, the Okta admins' tier members and a rule lag.
func peopleStack(t *testing.T, lag time.Duration) *devstack.Stack {
	t.Helper()
	st, err := devstack.Start(context.Background(), devstack.Options{
		Seed: bytes.NewReader(devstack.QuickstartContent()), Users: bytes.NewReader(devstack.QuickstartUsers()),
		OktaOptions: []oktatest.Option{oktatest.WithLimits(oktatest.Limits{RuleLag: lag})},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if err := actAsOktaAdmin(st); err != nil {
		t.Fatal(err)
	}
	return st
}

// okDepartments is membership.tf's okta_departments.
var okDepartments = map[string]string{"sales": "Sales", "people": "HR", "engineering": "Engineering", "finance": "Finance", "legal": "Legal"}

// provisionRules does by hand what membership.tf does, through the fake org's API as the provider calls
// it: an active rule per provisioned document with a department, selecting its Okta department. It
// returns what Terraform's rules output would say.
func provisionRules(t *testing.T, st *devstack.Stack) map[string]outputRule {
	t.Helper()
	rules := map[string]outputRule{}
	for _, r := range snapshot(st) {
		dept := okDepartments[str(st.Sanity.Document(r.DocID)["department"])]
		if r.GroupID == "" || dept == "" {
			continue
		}
		expr := `user.department == "` + dept + `"`
		body, _ := json.Marshal(map[string]any{
			"type": "group_rule", "name": rulePrefix + r.DocID,
			"conditions": map[string]any{"expression": map[string]any{"type": "urn:okta:expression:1.0", "value": expr}},
			"actions":    map[string]any{"assignUserToGroups": map[string]any{"groupIds": []string{r.GroupID}}},
		})
		var created struct{ ID string }
		oktaCall(t, st, "/api/v1/groups/rules", body, &created)
		oktaCall(t, st, "/api/v1/groups/rules/"+created.ID+"/lifecycle/activate", nil, nil)
		rules[r.DocID] = outputRule{Name: rulePrefix + r.DocID, GroupID: r.GroupID, Condition: expr, Status: oktatest.RuleActive}
	}
	return rules
}

func oktaCall(t *testing.T, st *devstack.Stack, path string, body []byte, into any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, st.OktaURL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "SSWS "+st.Okta.Token())
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("POST %s: %s", path, resp.Status)
	}
	if into != nil {
		if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
			t.Fatal(err)
		}
	}
}

// provisionLinks does by hand what links.tf does: each notice of a tier with a group gets the group's ID.
func provisionLinks(t *testing.T, st *devstack.Stack) map[string]outputLink {
	t.Helper()
	links := map[string]outputLink{}
	for _, r := range linkSnapshot(st) {
		g, ok := tierGroup(tierGroupNames[r.Tier])
		if !ok {
			continue
		}
		d := st.Sanity.Document(r.DocID)
		d[groupField] = g.ID
		if err := st.Sanity.Seed(d); err != nil {
			t.Fatal(err)
		}
		links[r.DocID] = outputLink{GroupID: g.ID, GroupName: g.Name, WrittenBack: true}
	}
	return links
}

func membersOf(ms []membership, groupName string) []string {
	for _, m := range ms {
		if m.GroupName == groupName {
			return m.Members
		}
	}
	return nil
}

// Rules move people only after the org's rule lag: the wait sees the groups empty at first, and ends
// when each holds whom its rule selects.
func TestMembersAppearAfterTheRuleLag(t *testing.T) {
	st := peopleStack(t, 300*time.Millisecond)
	provision(t, st)
	rows := snapshot(st)
	rules := provisionRules(t, st)
	if err := checkRules(st, rows, rules); err != nil {
		t.Fatalf("rules made as the provider makes them fail the check: %v", err)
	}

	began := time.Now()
	ms, report, err := waitForMembers(context.Background(), st, rows, rules, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(began); waited < 300*time.Millisecond {
		t.Errorf("the wait ended after %s, before the rule lag", waited)
	}
	if !strings.Contains(report, "0 of 7 memberships") {
		t.Errorf("the report should say that none of the 7 memberships was there at first: %q", report)
	}
	for group, want := range map[string][]string{
		"content:new-hire-onboarding":  {"elin.berg@example.com"},
		"content:people-handbook":      {"marcus.reed@example.com"},
		"content:engineering-handbook": {"jo.tanaka@example.com"},
		"content:gdpr-essentials-emea": {},
		"Employees":                    {"elin.berg@example.com", "marcus.reed@example.com"},
	} {
		if got := membersOf(ms, group); !slices.Equal(got, want) {
			t.Errorf("%s holds %v, want %v", group, got, want)
		}
	}

	var out bytes.Buffer
	printMembers(&out, ms, nil)
	for _, want := range []string{"content:new-hire-onboarding", `user.department == "Sales"`, "kept by the Okta admins", "nobody"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the members table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestWaitForMembersSaysWhatIsMissing(t *testing.T) {
	st := peopleStack(t, time.Hour)
	provision(t, st)
	rows := snapshot(st)
	rules := provisionRules(t, st)
	_, _, err := waitForMembers(context.Background(), st, rows, rules, 200*time.Millisecond)
	if err == nil {
		t.Fatal("the wait ended although no rule has run")
	}
	for _, want := range []string{"content:people-handbook", "marcus.reed@example.com", "rule lag is 1h0m0s", "pending"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not mention %q:\n%v", want, err)
		}
	}
}

func TestCheckRulesNamesWhatIsWrong(t *testing.T) {
	st := peopleStack(t, 0)
	provision(t, st)
	rules := provisionRules(t, st)
	// Terraform believes in a condition Okta does not have, and in a rule Okta never made.
	wrong := rules["handbook-people"]
	wrong.Condition = `user.department == "People"`
	rules["handbook-people"] = wrong
	rules["handbook-ghost"] = outputRule{Name: rulePrefix + "handbook-ghost", Status: oktatest.RuleActive}

	err := checkRules(st, snapshot(st), rules)
	if err == nil {
		t.Fatal("checkRules found nothing wrong")
	}
	for _, want := range []string{"handbook-people", `user.department == \"People\"`, "handbook-ghost", "Okta holds 12 rules"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not mention %q:\n%v", want, err)
		}
	}
}

func TestCheckMoved(t *testing.T) {
	st := peopleStack(t, 0)
	elin, marcus := "elin.berg@example.com", "marcus.reed@example.com"
	group := func(members ...string) []membership {
		return []membership{{DocID: movedDocID, GroupID: "00gOnboarding", GroupName: "content:new-hire-onboarding", Members: members}}
	}
	if err := checkMoved(st, group(elin), group(marcus)); err != nil {
		t.Errorf("Elin left and Marcus joined, yet: %v", err)
	}
	err := checkMoved(st, group(elin), group(elin))
	if err == nil || !strings.Contains(err.Error(), elin) || !strings.Contains(err.Error(), marcus) {
		t.Errorf("nobody moved: %v, want an error naming both", err)
	}
}

func TestLinksFromTheFakes(t *testing.T) {
	st := peopleStack(t, 0)
	links := provisionLinks(t, st)
	rows := linkSnapshot(st)
	if len(rows) != 3 || len(links) != 3 {
		t.Fatalf("the quickstart content should hold three linked notices: rows %v, links %v", rows, links)
	}
	if err := checkLinks(st, rows, links); err != nil {
		t.Fatalf("links made as the provider makes them fail the check: %v", err)
	}
	var out bytes.Buffer
	printLinks(&out, rows)
	for _, want := range []string{"notice-holiday-calendar-2027", "internal", "Employees", "00gEmployeesTier0001", "notice-deal-registration"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the links table lacks %q:\n%s", want, out.String())
		}
	}

	// A partner notice names the Employees group, and an admin renamed Partners.
	d := st.Sanity.Document("notice-deal-registration")
	d[groupField] = "00gEmployeesTier0001"
	if err := st.Sanity.Seed(d); err != nil {
		t.Fatal(err)
	}
	if err := st.Okta.UpdateGroup("00gPartnersTier00001", func(g *oktatest.Group) { g.Name = "Resellers" }); err != nil {
		t.Fatal(err)
	}
	err := checkLinks(st, linkSnapshot(st), links)
	if err == nil {
		t.Fatal("checkLinks found nothing wrong")
	}
	for _, want := range []string{"notice-deal-registration", "want the tier group Partners", "00gPartnersTier00001 changed"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not mention %q:\n%v", want, err)
		}
	}
}

// Everyone signs in through the fake org's OIDC provider: the token holds their content and tier
// groups, and the app lists the published documents those give them.
func TestSignInShowsTokenGroupsAndDocuments(t *testing.T) {
	st := peopleStack(t, 0)
	provision(t, st)
	provisionRules(t, st)
	provisionLinks(t, st)
	st.Okta.SettleRules()
	people, err := readPeople(filepath.Join(repoRoot(t), "examples", "quickstart", "users.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := newSigner(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	byLogin := map[string]session{}
	var sessions []session
	for _, p := range people {
		sess, err := s.signIn(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if err := checkSession(st, sess); err != nil {
			t.Errorf("a sign-in the fakes agree with fails the check: %v", err)
		}
		byLogin[p.Login] = sess
		sessions = append(sessions, sess)
	}
	if len(sessions) != 3 {
		t.Fatalf("signed in %d people, want the three of users.ndjson", len(sessions))
	}

	elin := byLogin["elin.berg@example.com"]
	for _, tier := range devstack.TierGroups {
		if !slices.Contains(elin.Groups, tier.ID) {
			t.Errorf("Elin's token lacks the tier group %s: %v", tier.Name, elin.Groups)
		}
	}
	if got := documentIDs(elin.Documents); !slices.Contains(got, "notice-partner-programme-2027") || !slices.Contains(got, movedDocID) {
		t.Errorf("Elin should see the partner notices and, before the editor moves it, %s: %v", movedDocID, got)
	}
	jo := byLogin["jo.tanaka@example.com"]
	if got := documentIDs(jo.Documents); !slices.Equal(got, []string{"handbook-engineering"}) {
		t.Errorf("Jo, a contractor in engineering, should see only the engineering handbook: %v", got)
	}
	for _, d := range jo.Documents {
		if strings.Contains(d.Title, "on-call rewrite") {
			t.Errorf("Jo sees the pending draft's title %q; the app lists published documents only", d.Title)
		}
	}

	// Before the editor's move, Elin still sees the onboarding guide and Marcus does not: the end of the
	// story is not reached, and the check says so.
	if err := checkStory(sessions); err == nil || !strings.Contains(err.Error(), movedDocID) {
		t.Errorf("checkStory before the move: %v, want an error naming %s", err, movedDocID)
	}

	// An app that listed one document too few does not pass.
	short := elin
	short.Documents = short.Documents[1:]
	if err := checkSession(st, short); err == nil || !strings.Contains(err.Error(), "the app lists") {
		t.Errorf("checkSession with a document missing: %v", err)
	}

	var out bytes.Buffer
	names := map[string]string{}
	for _, r := range snapshot(st) {
		names[r.GroupID] = r.GroupName
	}
	for _, g := range devstack.TierGroups {
		names[g.ID] = g.Name
	}
	printSessions(&out, sessions, names)
	for _, want := range []string{"elin.berg@example.com (Sales, EMEA, Employee)", "token groups (7): Employees, Partners,",
		"content:new-hire-onboarding", "jo.tanaka@example.com (Engineering, APAC, Contractor)", "sees (1):", "handbook-engineering"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the sign-in listing lacks %q:\n%s", want, out.String())
		}
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if len(line) > 110 {
			t.Errorf("a line of the listing is %d characters long, over 110: %q", len(line), line)
		}
	}
}

func TestSignInOfSomeoneUnknownSaysWho(t *testing.T) {
	st := peopleStack(t, 0)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := newSigner(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.signIn(ctx, person{Login: "nobody@example.com"})
	if err == nil || !strings.Contains(err.Error(), "nobody@example.com") {
		t.Errorf("signing in someone the org does not have: %v, want an error naming them", err)
	}
}

func TestReadPeopleNeedsLogins(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.ndjson")
	users := `{"profile":{"login":"a@example.com","department":"Sales"}}` + "\n\n" + `{"profile":{"email":"b@example.com"}}` + "\n"
	if err := os.WriteFile(path, []byte(users), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := readPeople(path); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("readPeople with a user without login: %v, want an error naming line 3", err)
	}
}
