package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sanityokta/terraform-provider-sanityokta/examples/signed-in/signedin"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// The example app's settings on the fake org: the groups claim lists the IDs (the IDs the provider writes
// into documents) of the user's content groups and tier groups, as the signed-in example's README sets it.
const (
	groupsFilter = "content:.*|Partners|Employees"
	// appBaseURL is where the app would be served. Nothing listens there: the demo stops at the redirect
	// to it and takes the code from the URL, as the app's callback would.
	appBaseURL = "http://127.0.0.1:8090"
)

// appTypes are the types the app lists: the owned ones and the linked one.
var appTypes = append(slices.Clone(ownedTypes), linkedType)

// person is a seeded user (users.ndjson).
type person struct {
	Login, Department, Region, UserType string
}

func (p person) String() string {
	var about []string
	for _, s := range []string{p.Department, p.Region, p.UserType} {
		if s != "" {
			about = append(about, s)
		}
	}
	return fmt.Sprintf("%s (%s)", p.Login, strings.Join(about, ", "))
}

// readPeople reads the logins of a users.ndjson, in file order.
func readPeople(path string) ([]person, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the people to sign in: %w", err)
	}
	var people []person
	sc := bufio.NewScanner(bytes.NewReader(raw))
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var u struct {
			Profile map[string]any `json:"profile"`
		}
		if err := json.Unmarshal(sc.Bytes(), &u); err != nil || str(u.Profile["login"]) == "" {
			return nil, fmt.Errorf("%s line %d: want a user with a profile.login (%v)", path, line, err)
		}
		people = append(people, person{Login: str(u.Profile["login"]), Department: str(u.Profile["department"]),
			Region: str(u.Profile["region"]), UserType: str(u.Profile["userType"])})
	}
	return people, sc.Err()
}

// session is what one person's sign-in gave: the groups claim of the verified ID token, and the documents
// the example app lists for those groups.
type session struct {
	Person    person
	Groups    []string // group IDs, sorted
	Documents []signedin.Document
}

// signer signs people in to the example app's OIDC client on the fake org, as the app does: discovery,
// the authorization code flow with PKCE, state and nonce, the code exchange, and the ID token verified
// by go-oidc. Only the sign-in form is skipped: the fake org's login_hint sign-in stands for the person
// typing their password.
type signer struct {
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	app      *signedin.App
	// browser follows no redirect, so the redirect to the app's callback, which carries the code, stays
	// in the demo.
	browser *http.Client
}

func newSigner(ctx context.Context, stack *devstack.Stack) (*signer, error) {
	client, err := stack.Okta.AddOIDCApp(oktaApp())
	if err != nil {
		return nil, fmt.Errorf("registering the example app with the fake org: %w", err)
	}
	stack.Okta.AllowLoginHint(true)
	issuer := stack.OktaURL + "/oauth2/default"
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("discovering the fake org's authorization server %s: %w", issuer, err)
	}
	endpoint := provider.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInHeader
	env := stack.Env()
	// The app itself lists the documents: its query, its perspective, its parameters.
	app, err := signedin.New(ctx, signedin.Config{
		Issuer: issuer, ClientID: client.ClientID, ClientSecret: client.ClientSecret, BaseURL: appBaseURL, GroupsClaim: "groups",
		SanityAPIHost: stack.SanityURL, SanityDataset: env[devstack.EnvSanityDataset], SanityToken: env[devstack.EnvSanityAPIToken],
		Types: appTypes, SessionKey: []byte(randomToken() + randomToken()),
	})
	if err != nil {
		return nil, fmt.Errorf("starting the example app: %w", err)
	}
	return &signer{
		oauth: oauth2.Config{
			ClientID: client.ClientID, ClientSecret: client.ClientSecret, Endpoint: endpoint,
			RedirectURL: appBaseURL + "/callback", Scopes: []string{oidc.ScopeOpenID, "profile", "email", "groups"},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: client.ClientID}),
		app:      app,
		browser: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
	}, nil
}

func oktaApp() oktatest.OIDCApp {
	return oktatest.OIDCApp{
		RedirectURIs: []string{appBaseURL + "/callback"}, GroupsFilterType: oktatest.FilterRegex, GroupsFilterValue: groupsFilter,
		GroupsClaimValue: "id",
	}
}

// signIn signs p in and lists the documents the app shows them.
func (s *signer) signIn(ctx context.Context, p person) (session, error) {
	state, nonce, verifier := randomToken(), randomToken(), oauth2.GenerateVerifier()
	authURL := s.oauth.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("login_hint", p.Login))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authURL, nil)
	if err != nil {
		return session{}, err
	}
	resp, err := s.browser.Do(req)
	if err != nil {
		return session{}, fmt.Errorf("signing %s in: %w", p.Login, err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	resp.Body.Close()
	back, err := resp.Location()
	if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(back.String(), s.oauth.RedirectURL+"?") {
		return session{}, fmt.Errorf("signing %s in: the fake org answered %s without a redirect to the app (is %s an active user?):\n%s", p.Login, resp.Status, p.Login, body)
	}
	q := back.Query()
	if e := q.Get("error"); e != "" {
		return session{}, fmt.Errorf("signing %s in: the fake org refused: %s: %s", p.Login, e, q.Get("error_description"))
	}
	if q.Get("state") != state {
		return session{}, fmt.Errorf("signing %s in: the redirect's state does not match the request's", p.Login)
	}
	tok, err := s.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		return session{}, fmt.Errorf("signing %s in: exchanging the code: %w", p.Login, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := s.verifier.Verify(ctx, raw)
	if err != nil {
		return session{}, fmt.Errorf("signing %s in: the ID token does not verify: %w", p.Login, err)
	}
	if idt.Nonce != nonce {
		return session{}, fmt.Errorf("signing %s in: the ID token's nonce does not match the request's", p.Login)
	}
	var claims struct {
		Username string   `json:"preferred_username"`
		Groups   []string `json:"groups"`
	}
	if err := idt.Claims(&claims); err != nil {
		return session{}, fmt.Errorf("signing %s in: reading the ID token's claims: %w", p.Login, err)
	}
	if claims.Username != p.Login {
		return session{}, fmt.Errorf("signing %s in: the ID token is for %q", p.Login, claims.Username)
	}
	sort.Strings(claims.Groups)
	docs, err := s.app.Documents(ctx, claims.Groups)
	if err != nil {
		return session{}, fmt.Errorf("listing the documents %s sees: %w", p.Login, err)
	}
	sort.Slice(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	return session{Person: p, Groups: claims.Groups, Documents: docs}, nil
}

// checkSession compares a sign-in with the fakes: the token holds exactly the person's groups that match
// the app's filter, and the app lists exactly the published, active documents of its types whose field
// names one of them (never a draft or a release version).
func checkSession(stack *devstack.Stack, s session) error {
	u, ok := stack.Okta.User(s.Person.Login)
	if !ok {
		return fmt.Errorf("the fake org has no user %s", s.Person.Login)
	}
	filter := regexp.MustCompile(`^(?:` + groupsFilter + `)$`)
	wantGroups := []string{}
	for _, id := range stack.Okta.UserGroups(u.ID) {
		if g, ok := stack.Okta.Group(id); ok && filter.MatchString(g.Name) {
			wantGroups = append(wantGroups, id)
		}
	}
	sort.Strings(wantGroups)
	var problems []string
	if !slices.Equal(s.Groups, wantGroups) {
		problems = append(problems, fmt.Sprintf("the token's groups are %v, the fake org has %s in %v", s.Groups, s.Person.Login, wantGroups))
	}
	wantDocs := []string{}
	for _, d := range stack.Sanity.Documents() {
		id := str(d["_id"])
		if !strings.Contains(id, ".") && slices.Contains(appTypes, str(d["_type"])) && d["active"] != false &&
			slices.Contains(s.Groups, str(d[groupField])) {
			wantDocs = append(wantDocs, id)
		}
	}
	sort.Strings(wantDocs)
	if got := documentIDs(s.Documents); !slices.Equal(got, wantDocs) {
		problems = append(problems, fmt.Sprintf("the app lists %v, the token's groups give %v", got, wantDocs))
	}
	if len(problems) > 0 {
		return fmt.Errorf("signing %s in:\n  - %s", s.Person.Login, strings.Join(problems, "\n  - "))
	}
	return nil
}

// storyAtTheEnd is what the people of the quickstart see after the editor's changes: the tiers and the
// rules, each in one document at least.
var storyAtTheEnd = map[string]struct{ sees, seesNot []string }{
	"elin.berg@example.com":   {sees: []string{"pricing-emea-reseller", "notice-partner-programme-2027", "notice-holiday-calendar-2027"}, seesNot: []string{movedDocID}},
	"marcus.reed@example.com": {sees: []string{movedDocID, "handbook-people", "notice-holiday-calendar-2027"}, seesNot: []string{"notice-partner-programme-2027"}},
	"jo.tanaka@example.com":   {sees: []string{"handbook-engineering"}, seesNot: []string{"notice-holiday-calendar-2027"}},
}

// checkStory verifies storyAtTheEnd for the people it names.
func checkStory(sessions []session) error {
	var problems []string
	for _, s := range sessions {
		want, ok := storyAtTheEnd[s.Person.Login]
		if !ok {
			continue
		}
		got := documentIDs(s.Documents)
		for _, id := range want.sees {
			if !slices.Contains(got, id) {
				problems = append(problems, fmt.Sprintf("%s does not see %s", s.Person.Login, id))
			}
		}
		for _, id := range want.seesNot {
			if slices.Contains(got, id) {
				problems = append(problems, fmt.Sprintf("%s sees %s", s.Person.Login, id))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the people do not see what the rules and links give them:\n  - %s", strings.Join(problems, "\n  - "))
	}
	return nil
}

func documentIDs(docs []signedin.Document) []string {
	ids := []string{}
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	return ids
}

// printSessions writes, per person, the token's groups by name and the documents the app lists.
func printSessions(w io.Writer, sessions []session, groupNames map[string]string) {
	for _, s := range sessions {
		names := []string{}
		for _, id := range s.Groups {
			if n := groupNames[id]; n != "" {
				names = append(names, n)
			} else {
				names = append(names, id)
			}
		}
		sort.Strings(names)
		groups, sees := fmt.Sprintf("token groups (%d):", len(names)), fmt.Sprintf("sees (%d):", len(s.Documents))
		pad := max(len(groups), len(sees)) + 1
		fmt.Fprintf(w, "\n    %s\n", s.Person)
		fmt.Fprint(w, wrapList(fmt.Sprintf("      %-*s", pad, groups), names, 110))
		fmt.Fprint(w, wrapList(fmt.Sprintf("      %-*s", pad, sees), documentIDs(s.Documents), 110))
	}
}

// wrapList writes items after lead, comma-separated, wrapped at width under the first item.
func wrapList(lead string, items []string, width int) string {
	if len(items) == 0 {
		return lead + "nothing\n"
	}
	var b strings.Builder
	line := lead
	indent := strings.Repeat(" ", len(lead))
	for i, it := range items {
		if i < len(items)-1 {
			it += ","
		}
		switch {
		case line == lead:
			line += it
		case len(line)+1+len(it) > width:
			b.WriteString(line + "\n")
			line = indent + it
		default:
			line += " " + it
		}
	}
	b.WriteString(line + "\n")
	return b.String()
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
