package oktatest_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

const redirectURL = "http://app.example.test/callback"

// oidcOrg is a fake org with a user in two content groups and one other group, and an app whose groups
// claim lists the content: groups.
type oidcOrg struct {
	srv  *oktatest.Server
	app  oktatest.OIDCApp
	user oktatest.User
}

func newOIDCOrg(t *testing.T, filterType, filterValue string) oidcOrg {
	t.Helper()
	srv := oktatest.NewServer()
	t.Cleanup(srv.Close)
	user, err := srv.AddUser(oktatest.User{Password: "Correct-Horse-42", Profile: map[string]any{
		"login": "elin.berg@example.com", "email": "elin.berg@example.com", "firstName": "Elin", "lastName": "Berg",
	}})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"content:sales-emea", "content:hr-handbook", "Engineering"} {
		g, err := srv.AddGroup(oktatest.Group{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.AddGroupMember(g.ID, user.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srv.AddGroup(oktatest.Group{Name: "content:not-a-member"}); err != nil {
		t.Fatal(err)
	}
	app, err := srv.AddOIDCApp(oktatest.OIDCApp{RedirectURIs: []string{redirectURL}, GroupsFilterType: filterType, GroupsFilterValue: filterValue})
	if err != nil {
		t.Fatal(err)
	}
	return oidcOrg{srv: srv, app: app, user: user}
}

// noRedirects is a browser that stops at the first redirect, to read where it points.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// authorize follows the authorize URL (and the form, if login and password are given) to the redirect
// back to the app, and returns its query.
func authorize(t *testing.T, authURL, login, password string) url.Values {
	t.Helper()
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK && password != "" {
		if !strings.Contains(string(body), `<form method="post"`) {
			t.Fatalf("the sign-in page has no form: %s", body)
		}
		resp, err = noRedirects.PostForm(authURL, url.Values{"username": {login}, "password": {password}})
		if err != nil {
			t.Fatal(err)
		}
		body, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %d, want a redirect to the app: %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirectURL+"?") {
		t.Fatalf("redirected to %q, want %s", resp.Header.Get("Location"), redirectURL)
	}
	return loc.Query()
}

type idClaims struct {
	Email             string   `json:"email"`
	Name              string   `json:"name"`
	PreferredUsername string   `json:"preferred_username"`
	Groups            []string `json:"groups"`
}

// signIn runs the whole authorization code flow with PKCE as an app would, with go-oidc and x/oauth2,
// and returns the verified ID token, its claims and the token response.
func signIn(t *testing.T, org oidcOrg, issuer, password string) (*oidc.IDToken, idClaims, *oauth2.Token) {
	t.Helper()
	login := org.user.Login()
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{
		ClientID: org.app.ClientID, ClientSecret: org.app.ClientSecret, RedirectURL: redirectURL,
		Endpoint: provider.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "profile", "email", "groups"},
	}
	verifier, state, nonce := oauth2.GenerateVerifier(), "st-"+oauth2.GenerateVerifier(), "n-"+oauth2.GenerateVerifier()
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	if password == "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", login))
	}
	back := authorize(t, conf.AuthCodeURL(state, opts...), login, password)
	if back.Get("state") != state || back.Get("code") == "" {
		t.Fatalf("redirect back: %v, want a code and state %q", back, state)
	}
	tok, err := conf.Exchange(ctx, back.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: org.app.ClientID}).Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	if idt.Nonce != nonce {
		t.Errorf("nonce %q, want %q", idt.Nonce, nonce)
	}
	var claims idClaims
	if err := idt.Claims(&claims); err != nil {
		t.Fatal(err)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	if info.Subject != org.user.ID || info.Email != "elin.berg@example.com" {
		t.Errorf("userinfo: sub %q email %q, want %s elin.berg@example.com", info.Subject, info.Email, org.user.ID)
	}
	return idt, claims, tok
}

// go-oidc and x/oauth2 complete the flow unchanged against both authorization servers: discovery, the
// authorize redirect, the code exchange with PKCE and a client secret, ID token verification against
// the JWKS, userinfo. The groups claim holds only the user's groups that match the filter.
func TestOIDCStandardClientsCompleteTheFlow(t *testing.T) {
	org := newOIDCOrg(t, oktatest.FilterStartsWith, "content:")
	org.srv.AllowLoginHint(true)
	for _, issuer := range []string{org.srv.URL, org.srv.URL + "/oauth2/default"} {
		t.Run(strings.TrimPrefix(issuer, org.srv.URL), func(t *testing.T) {
			idt, claims, tok := signIn(t, org, issuer, "")
			if idt.Issuer != issuer || idt.Subject != org.user.ID || !slices.Equal(idt.Audience, []string{org.app.ClientID}) {
				t.Errorf("iss %q sub %q aud %v, want %s %s [%s]", idt.Issuer, idt.Subject, idt.Audience, issuer, org.user.ID, org.app.ClientID)
			}
			want := idClaims{Email: "elin.berg@example.com", Name: "Elin Berg", PreferredUsername: "elin.berg@example.com",
				Groups: []string{"content:hr-handbook", "content:sales-emea"}}
			if fmt.Sprint(claims) != fmt.Sprint(want) {
				t.Errorf("claims %+v, want %+v", claims, want)
			}
			if !idt.Expiry.After(idt.IssuedAt) || tok.AccessToken == "" {
				t.Errorf("exp %v iat %v access token %q", idt.Expiry, idt.IssuedAt, tok.AccessToken)
			}
		})
	}
}

// A person signs in with the form; a wrong password shows the form again with an error.
func TestOIDCSignInForm(t *testing.T) {
	org := newOIDCOrg(t, oktatest.FilterEquals, "CONTENT:SALES-EMEA")
	_, claims, _ := signIn(t, org, org.srv.URL, "Correct-Horse-42")
	if !slices.Equal(claims.Groups, []string{"content:sales-emea"}) {
		t.Errorf("groups %v, want only content:sales-emea (EQUALS ignores case)", claims.Groups)
	}

	conf := oauth2.Config{ClientID: org.app.ClientID, RedirectURL: redirectURL, Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: org.srv.URL + "/oauth2/v1/authorize"}}
	authURL := conf.AuthCodeURL("state-1", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("login_hint", "elin.berg@example.com"))
	for _, c := range []struct {
		name, method, password string
		status                 int
	}{
		// login_hint alone does nothing while the org does not allow it.
		{"login_hint not allowed", http.MethodGet, "", http.StatusOK},
		{"wrong password", http.MethodPost, "wrong", http.StatusUnauthorized},
	} {
		var resp *http.Response
		var err error
		if c.method == http.MethodGet {
			resp, err = noRedirects.Get(authURL)
		} else {
			resp, err = noRedirects.PostForm(authURL, url.Values{"username": {"elin.berg@example.com"}, "password": {c.password}})
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.Contains(string(body), `name="password"`) {
			t.Errorf("%s: %d, want %d and the form: %s", c.name, resp.StatusCode, c.status, body)
		}
	}
}

// The groups claim follows each of Okta's filter types.
func TestOIDCGroupsClaimFilters(t *testing.T) {
	for _, c := range []struct {
		typ, value string
		want       []string
	}{
		{oktatest.FilterStartsWith, "content:", []string{"content:hr-handbook", "content:sales-emea"}},
		{oktatest.FilterEquals, "Engineering", []string{"Engineering"}},
		{oktatest.FilterContains, "emea", []string{"content:sales-emea"}},
		{oktatest.FilterRegex, "content:.*-handbook", []string{"content:hr-handbook"}},
		{oktatest.FilterRegex, "content", []string{}}, // the whole name must match
		{oktatest.FilterRegex, ".*", []string{"Engineering", "Everyone", "content:hr-handbook", "content:sales-emea"}},
	} {
		t.Run(c.typ+" "+c.value, func(t *testing.T) {
			org := newOIDCOrg(t, c.typ, c.value)
			org.srv.AllowLoginHint(true)
			_, claims, _ := signIn(t, org, org.srv.URL, "")
			if fmt.Sprint(claims.Groups) != fmt.Sprint(c.want) {
				t.Errorf("groups %v, want %v", claims.Groups, c.want)
			}
		})
	}
	srv := oktatest.NewServer()
	defer srv.Close()
	for _, bad := range []oktatest.OIDCApp{
		{RedirectURIs: []string{redirectURL}, GroupsFilterType: "ENDS_WITH", GroupsFilterValue: "x"},
		{RedirectURIs: []string{redirectURL}, GroupsFilterType: oktatest.FilterRegex, GroupsFilterValue: "("},
		{},
	} {
		if _, err := srv.AddOIDCApp(bad); err == nil {
			t.Errorf("AddOIDCApp(%+v) succeeded, want an error", bad)
		}
	}
}

// More than 100 matching groups: the token request fails, as Okta's does; the claim is never cut short.
func TestOIDCTooManyGroupsFailsTheTokenRequest(t *testing.T) {
	org := newOIDCOrg(t, oktatest.FilterStartsWith, "content:")
	org.srv.AllowLoginHint(true)
	addGroups := func(n int) {
		for i := range n {
			g, err := org.srv.AddGroup(oktatest.Group{Name: fmt.Sprintf("content:bulk-%d-%d", len(org.srv.UserGroups(org.user.ID)), i)})
			if err != nil {
				t.Fatal(err)
			}
			if err := org.srv.AddGroupMember(g.ID, org.user.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	addGroups(oktatest.MaxGroupsInClaim - 2) // 100 matching groups: still fine
	_, claims, _ := signIn(t, org, org.srv.URL, "")
	if len(claims.Groups) != oktatest.MaxGroupsInClaim {
		t.Fatalf("%d groups in the claim, want %d", len(claims.Groups), oktatest.MaxGroupsInClaim)
	}
	addGroups(1)

	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, org.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	conf := oauth2.Config{ClientID: org.app.ClientID, ClientSecret: org.app.ClientSecret, RedirectURL: redirectURL,
		Endpoint: provider.Endpoint(), Scopes: []string{"openid", "groups"}}
	// x/oauth2 left to detect the auth style retries a failed exchange with the secret in the form,
	// and the used code then answers invalid_grant, hiding the reason; an app that names its style
	// sees the reason itself.
	conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	verifier := oauth2.GenerateVerifier()
	back := authorize(t, conf.AuthCodeURL("s1", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("login_hint", "elin.berg@example.com")), "", "")
	_, err = conf.Exchange(ctx, back.Get("code"), oauth2.VerifierOption(verifier))
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_request" || !strings.Contains(re.ErrorDescription, "too many groups") {
		t.Fatalf("exchange: %v, want invalid_request about too many groups", err)
	}
	// Without the groups scope there is no groups claim, and so no limit.
	conf.Scopes = []string{"openid"}
	back = authorize(t, conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("login_hint", "elin.berg@example.com")), "", "")
	if _, err := conf.Exchange(ctx, back.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatalf("exchange without the groups scope: %v", err)
	}
}

// PKCE is S256 only: plain and missing challenges are sent back to the app as errors, and a code is
// exchanged only with its verifier, once.
func TestOIDCPKCE(t *testing.T) {
	org := newOIDCOrg(t, "", "")
	org.srv.AllowLoginHint(true)
	conf := oauth2.Config{ClientID: org.app.ClientID, ClientSecret: org.app.ClientSecret, RedirectURL: redirectURL, Scopes: []string{"openid"},
		Endpoint: oauth2.Endpoint{AuthURL: org.srv.URL + "/oauth2/v1/authorize", TokenURL: org.srv.URL + "/oauth2/v1/token"}}
	hint := oauth2.SetAuthURLParam("login_hint", "elin.berg@example.com")
	verifier := oauth2.GenerateVerifier()
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"plain":          {hint, oauth2.SetAuthURLParam("code_challenge", verifier), oauth2.SetAuthURLParam("code_challenge_method", "plain")},
		"no method":      {hint, oauth2.SetAuthURLParam("code_challenge", verifier)},
		"no challenge":   {hint},
		"unknown method": {hint, oauth2.SetAuthURLParam("code_challenge", verifier), oauth2.SetAuthURLParam("code_challenge_method", "S512")},
	} {
		back := authorize(t, conf.AuthCodeURL("st", opts...), "", "")
		if back.Get("error") != "invalid_request" || back.Get("code") != "" || back.Get("state") != "st" {
			t.Errorf("%s: redirected back with %v, want error=invalid_request, the state and no code", name, back)
		}
	}
	exchange := func(opts ...oauth2.AuthCodeOption) error {
		back := authorize(t, conf.AuthCodeURL("st", hint, oauth2.S256ChallengeOption(verifier)), "", "")
		_, err := conf.Exchange(context.Background(), back.Get("code"), opts...)
		return err
	}
	for name, opts := range map[string][]oauth2.AuthCodeOption{
		"no verifier":    nil,
		"wrong verifier": {oauth2.VerifierOption(oauth2.GenerateVerifier())},
	} {
		var re *oauth2.RetrieveError
		if err := exchange(opts...); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
			t.Errorf("%s: %v, want invalid_grant", name, err)
		}
	}
	back := authorize(t, conf.AuthCodeURL("st", hint, oauth2.S256ChallengeOption(verifier)), "", "")
	if _, err := conf.Exchange(context.Background(), back.Get("code"), oauth2.VerifierOption(verifier)); err != nil {
		t.Fatal(err)
	}
	var re *oauth2.RetrieveError
	if _, err := conf.Exchange(context.Background(), back.Get("code"), oauth2.VerifierOption(verifier)); !errors.As(err, &re) || re.ErrorCode != "invalid_grant" {
		t.Errorf("second exchange of a code: %v, want invalid_grant", err)
	}
	bad := conf
	bad.ClientSecret = "wrong"
	back = authorize(t, conf.AuthCodeURL("st", hint, oauth2.S256ChallengeOption(verifier)), "", "")
	if _, err := bad.Exchange(context.Background(), back.Get("code"), oauth2.VerifierOption(verifier)); !errors.As(err, &re) || re.ErrorCode != "invalid_client" {
		t.Errorf("wrong client secret: %v, want invalid_client", err)
	}
	// A redirect URI the app does not list is never redirected to.
	other := conf
	other.RedirectURL = "http://evil.example.test/callback"
	resp, err := noRedirects.Get(other.AuthCodeURL("st", hint, oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("Location") != "" {
		t.Errorf("unregistered redirect URI: %d to %q, want a 400 page", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// After a rotation tokens are signed with the new key, and tokens signed with the old one still verify
// with the same go-oidc verifier, which fetches the JWKS again for the new kid.
func TestOIDCKeyRotation(t *testing.T) {
	org := newOIDCOrg(t, "", "")
	org.srv.AllowLoginHint(true)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, org.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: org.app.ClientID})
	_, _, before := signIn(t, org, org.srv.URL, "")
	oldKid := org.srv.SigningKeyIDs()[0]
	newKid := org.srv.RotateSigningKey()
	if kids := org.srv.SigningKeyIDs(); !slices.Equal(kids, []string{newKid, oldKid}) {
		t.Fatalf("published keys %v, want [%s %s]", kids, newKid, oldKid)
	}
	_, _, after := signIn(t, org, org.srv.URL, "")
	for name, tok := range map[string]*oauth2.Token{"before": before, "after": after} {
		if _, err := verifier.Verify(ctx, tok.Extra("id_token").(string)); err != nil {
			t.Errorf("token from %s the rotation: %v", name, err)
		}
	}
	org.srv.RotateSigningKey()
	if _, err := oidc.NewProvider(ctx, org.srv.URL); err != nil {
		t.Fatal(err)
	}
	fresh, _ := oidc.NewProvider(ctx, org.srv.URL)
	if _, err := fresh.Verifier(&oidc.Config{ClientID: org.app.ClientID}).Verify(ctx, before.Extra("id_token").(string)); err == nil {
		t.Error("a token signed by a key two rotations old still verifies")
	}
}

// With groupsClaimValue "id", the default server's tokens list group IDs; the org server's app-level
// claim still lists names.
func TestOIDCGroupsClaimOfIDs(t *testing.T) {
	org := newOIDCOrg(t, oktatest.FilterStartsWith, "content:")
	app := org.app
	app.GroupsClaimValue = "id"
	if _, err := org.srv.AddOIDCApp(app); err != nil {
		t.Fatal(err)
	}
	org.srv.AllowLoginHint(true)
	var want []string
	for _, g := range org.srv.Groups() {
		if strings.HasPrefix(g.Name, "content:") && slices.Contains(org.srv.GroupMembers(g.ID), org.user.ID) {
			want = append(want, g.ID)
		}
	}
	slices.Sort(want)
	_, claims, _ := signIn(t, org, org.srv.URL+"/oauth2/default", "")
	if len(want) != 2 || !slices.Equal(claims.Groups, want) {
		t.Errorf("default server: groups %v, want the IDs %v", claims.Groups, want)
	}
	_, claims, _ = signIn(t, org, org.srv.URL, "")
	if !slices.Equal(claims.Groups, []string{"content:hr-handbook", "content:sales-emea"}) {
		t.Errorf("org server: groups %v, want names", claims.Groups)
	}
}

// The admin routes do what the Go API does: register an app, allow login_hint, rotate the key; an app
// registered over HTTP signs people in.
func TestOIDCAdminRoutes(t *testing.T) {
	org := newOIDCOrg(t, "", "")
	call := func(method, path, body string, out any) {
		t.Helper()
		req, _ := http.NewRequest(method, org.srv.URL+"/__admin/"+path, strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
		}
		if out != nil {
			if err := json.Unmarshal(raw, out); err != nil {
				t.Fatalf("%s %s: %v: %s", method, path, err, raw)
			}
		}
	}
	var app oktatest.OIDCApp
	call("POST", "oidc/apps", `{"clientId": "0oaadmin", "redirectUris": ["`+redirectURL+`"], "groupsFilterType": "CONTAINS", "groupsFilterValue": "sales"}`, &app)
	if app.ClientID != "0oaadmin" || app.ClientSecret == "" {
		t.Fatalf("registered %+v, want client 0oaadmin with a made-up secret", app)
	}
	call("PUT", "oidc/login-hint", `{"allowed": true}`, nil)
	var rotated struct{ Kid string }
	call("POST", "oidc/keys/rotate", "", &rotated)
	var keys struct{ Kids []string }
	call("GET", "oidc/keys", "", &keys)
	if len(keys.Kids) != 2 || keys.Kids[0] != rotated.Kid {
		t.Errorf("keys %v after rotating to %s", keys.Kids, rotated.Kid)
	}
	org.app = app
	idt, claims, _ := signIn(t, org, org.srv.URL, "")
	if !slices.Equal(claims.Groups, []string{"content:sales-emea"}) || idt.Audience[0] != "0oaadmin" {
		t.Errorf("aud %v groups %v, want 0oaadmin and [content:sales-emea]", idt.Audience, claims.Groups)
	}
	var apps []oktatest.OIDCApp
	call("GET", "oidc/apps", "", &apps)
	if len(apps) != 2 {
		t.Errorf("%d apps listed, want 2", len(apps))
	}
}
