package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/examples/signed-in/signedin"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// quickstartFiles are the quickstart's configuration, rules and links included: the signed-in tests run
// what a user applies, with the quickstart's department map (membership.tf) and tier map (links.tf).
var quickstartFiles = []string{"*.tf"}

const (
	salesDoc  = "handbook-emea-sales"
	noticeDoc = "notice-partners"
	elin      = "elin.berg@example.com"   // Sales, EMEA
	marcus    = "marcus.reed@example.com" // HR, AMER
)

// signedInStack is the local stack with the quickstart's content and people, the example app signed in
// through the stack's default authorization server, and a Terraform directory with the whole quickstart.
type signedInStack struct {
	run *exampleRun
	app *httptest.Server
	log *bytes.Buffer
}

func newSignedInStack(t *testing.T) *signedInStack {
	t.Helper()
	requireAcc(t)
	r := newExampleRun(t, "examples/quickstart", quickstartFiles)
	stack := r.stack
	for _, line := range bytes.Split(bytes.TrimSpace(devstack.QuickstartUsers()), []byte("\n")) {
		var u oktatest.User
		if err := json.Unmarshal(line, &u); err != nil {
			t.Fatal(err)
		}
		if _, err := stack.Okta.AddUser(u); err != nil {
			t.Fatal(err)
		}
	}
	// Departments in the content's words ("sales"); membership.tf maps them to Okta's ("Sales").
	if err := stack.Sanity.Seed(
		map[string]any{"_id": salesDoc, "_type": "handbook", "title": "EMEA Sales Playbook", "slug": map[string]any{"current": "emea-sales-playbook"},
			"department": "sales", "region": "EMEA", "active": true},
		// A draft an editor has not published; the provider writes the group ID into it too.
		map[string]any{"_id": "drafts." + salesDoc, "_type": "handbook", "title": "EMEA Sales Playbook (unreleased draft)",
			"slug": map[string]any{"current": "emea-sales-playbook"}, "department": "sales", "region": "EMEA", "active": true},
		map[string]any{"_id": noticeDoc, "_type": "notice", "title": "Partner Notice", "accessTier": "partner"},
	); err != nil {
		t.Fatal(err)
	}
	elinUser, _ := stack.Okta.User(elin)
	if err := stack.Okta.AddGroupMember(devstack.TierGroups[0].ID, elinUser.ID); err != nil {
		t.Fatal(err)
	}

	// The app, with the groups claim listing the IDs of the user's content groups and tier groups.
	handler := http.NotFoundHandler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	app, err := stack.Okta.AddOIDCApp(oktatest.OIDCApp{
		RedirectURIs: []string{srv.URL + "/callback"}, GroupsFilterType: oktatest.FilterRegex,
		GroupsFilterValue: "content:.*|Partners|Employees", GroupsClaimValue: "id",
	})
	if err != nil {
		t.Fatal(err)
	}
	stack.Okta.AllowLoginHint(true)
	log := &bytes.Buffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := signedin.New(ctx, signedin.Config{
		Issuer: stack.OktaURL + "/oauth2/default", ClientID: app.ClientID, ClientSecret: app.ClientSecret,
		BaseURL: srv.URL, GroupsClaim: "groups",
		SanityAPIHost: stack.SanityURL, SanityDataset: stack.Env()[devstack.EnvSanityDataset], SanityToken: stack.Env()[devstack.EnvSanityAPIToken],
		Types:      []string{"partnerPricing", "handbook", "complianceCourse", "notice"},
		SessionKey: []byte("an example key of at least 32 bytes, never this one"),
		Log:        slog.New(slog.NewTextHandler(log, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	handler = a
	return &signedInStack{run: r, app: srv, log: log}
}

func (s *signedInStack) apply(t *testing.T) {
	t.Helper()
	if out, err := s.run.run("apply", "-auto-approve", "-no-color"); err != nil {
		t.Fatalf("terraform apply: %v\n%s", err, out)
	}
	s.run.stack.Okta.SettleRules()
}

var docIDs = regexp.MustCompile(`data-id="([^"]+)"`)

// signIn signs login in through the app in a new browser session, over HTTP only, and returns the
// status and page of the app's home page after the redirects.
func (s *signedInStack) signIn(t *testing.T, login string) (int, string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(s.app.URL + "/login?login_hint=" + login)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// documents signs login in and returns the IDs of the documents the app lists.
func (s *signedInStack) documents(t *testing.T, login string) []string {
	t.Helper()
	status, page := s.signIn(t, login)
	if status != http.StatusOK || !strings.Contains(page, login) {
		t.Fatalf("signing %s in: %d\n%s\n%s", login, status, page, s.log)
	}
	if strings.Contains(page, "unreleased") {
		t.Errorf("%s sees a draft:\n%s", login, page)
	}
	ids := []string{}
	for _, m := range docIDs.FindAllStringSubmatch(page, -1) {
		ids = append(ids, m[1])
	}
	return ids
}

func (s *signedInStack) expect(t *testing.T, step, login string, sees, seesNot []string) {
	t.Helper()
	got := s.documents(t, login)
	for _, id := range sees {
		if !slices.Contains(got, id) {
			t.Errorf("%s: %s does not see %s (sees %v)", step, login, id, got)
		}
	}
	for _, id := range seesNot {
		if slices.Contains(got, id) {
			t.Errorf("%s: %s sees %s (sees %v)", step, login, id, got)
		}
	}
}

// The signed-in experience end to end, through the HTTP flow: Terraform applies the quickstart and the
// rules, Okta's rules put people in the documents' groups, the app signs them in with the stack's OIDC
// provider and lists what their groups' IDs select.
func TestSignedInUsersSeeTheirDocuments(t *testing.T) {
	s := newSignedInStack(t)
	stack := s.run.stack
	s.apply(t)
	s.expect(t, "first apply", elin, []string{salesDoc, noticeDoc}, nil)
	s.expect(t, "first apply", marcus, nil, []string{salesDoc, noticeDoc})

	// The editor moves the document to the people department (HR in Okta): after the next apply, the two
	// swap.
	doc := stack.Sanity.Document(salesDoc)
	doc["department"] = "people"
	if _, err := stack.Sanity.Put(doc); err != nil {
		t.Fatal(err)
	}
	s.apply(t)
	s.expect(t, "department changed", marcus, []string{salesDoc}, []string{noticeDoc})
	s.expect(t, "department changed", elin, []string{noticeDoc}, []string{salesDoc})

	// Archived: the group goes, and the document with it, for both.
	doc = stack.Sanity.Document(salesDoc)
	doc["active"] = false
	if _, err := stack.Sanity.Put(doc); err != nil {
		t.Fatal(err)
	}
	s.apply(t)
	s.expect(t, "archived", marcus, nil, []string{salesDoc})
	s.expect(t, "archived", elin, []string{noticeDoc}, []string{salesDoc})
	if id, _ := stack.Sanity.Document(salesDoc)["oktaGroupId"].(string); id != "" {
		t.Errorf("the archived document still names group %s", id)
	}
}

// A person in more than 100 groups that match the claim's filter is not signed in with a shortened
// list: the token request fails and the app says so.
func TestSignedInTooManyGroups(t *testing.T) {
	s := newSignedInStack(t)
	org := s.run.stack.Okta
	u, _ := org.User(elin)
	for i := range oktatest.MaxGroupsInClaim + 1 {
		g, err := org.AddGroup(oktatest.Group{Name: fmt.Sprintf("content:bulk-%03d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if err := org.AddGroupMember(g.ID, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	status, page := s.signIn(t, elin)
	if status != http.StatusBadGateway || strings.Contains(page, "data-id=") {
		t.Fatalf("sign-in with %d matching groups: %d, want 502 and no documents\n%s", oktatest.MaxGroupsInClaim+1, status, page)
	}
	if !strings.Contains(s.log.String(), "too many groups") {
		t.Errorf("the app's log does not give the reason:\n%s", s.log)
	}
	// Marcus, in few groups, still signs in.
	if status, page := s.signIn(t, marcus); status != http.StatusOK {
		t.Errorf("marcus: %d\n%s", status, page)
	}
}
