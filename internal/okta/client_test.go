package okta_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

func newClient(t *testing.T, srv *oktatest.Server, modify ...func(*okta.Config)) *okta.Client {
	t.Helper()
	cfg := okta.Config{
		OrgURL:     srv.URL,
		APIToken:   srv.Token(),
		UserAgent:  "terraform-provider-sanityokta/test",
		MaxBackoff: time.Second,
	}
	for _, m := range modify {
		m(&cfg)
	}
	c, err := okta.New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("okta.New: %v", err)
	}
	return c
}

func newServer(t *testing.T, opts ...oktatest.Option) *oktatest.Server {
	t.Helper()
	srv := oktatest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func TestGroupLifecycle(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	if err := srv.AddGroupAttribute("sanityDocId", oktatest.AttributeDef{Type: "string"}); err != nil {
		t.Fatal(err)
	}
	if err := srv.AddGroupAttribute("costCenter", oktatest.AttributeDef{Type: "string"}); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv)

	created, err := c.CreateGroup(ctx, okta.GroupProfile{
		Name: "content:handbook", Description: "Access to the handbook",
		Attributes: map[string]any{"sanityDocId": "doc-1"},
	})
	if err != nil {
		t.Fatalf("CreateGroup: %v", err)
	}
	if !strings.HasPrefix(created.ID, "00g") || len(created.ID) != 20 {
		t.Errorf("ID = %q, want a 20-character 00g ID", created.ID)
	}
	if created.Type != okta.TypeOktaGroup || created.Attributes["sanityDocId"] != "doc-1" {
		t.Errorf("created = %+v", created)
	}

	// Someone adds an attribute this provider does not manage.
	if err := srv.UpdateGroup(created.ID, func(g *oktatest.Group) { g.Attributes["costCenter"] = "cc-7" }); err != nil {
		t.Fatal(err)
	}

	replaced, err := c.ReplaceGroupProfile(ctx, created.ID, okta.GroupProfile{
		Name: "content:handbook-v2", Description: "",
		Attributes: map[string]any{"sanityDocId": "doc-1b"},
	})
	if err != nil {
		t.Fatalf("ReplaceGroupProfile: %v", err)
	}
	stored, _ := srv.Group(created.ID)
	if stored.Name != "content:handbook-v2" || stored.Description != "" {
		t.Errorf("stored name/description = %q/%q", stored.Name, stored.Description)
	}
	if stored.Attributes["costCenter"] != "cc-7" || stored.Attributes["sanityDocId"] != "doc-1b" {
		t.Errorf("stored attributes = %v, want costCenter kept and sanityDocId replaced", stored.Attributes)
	}
	if replaced.Name != "content:handbook-v2" {
		t.Errorf("replaced.Name = %q", replaced.Name)
	}

	got, err := c.GetGroup(ctx, created.ID)
	if err != nil {
		t.Fatalf("GetGroup: %v", err)
	}
	if got.Name != "content:handbook-v2" || got.HasAdminPrivilege || got.LastUpdated.IsZero() {
		t.Errorf("got = %+v", got)
	}

	if err := c.DeleteGroup(ctx, created.ID); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	if err := c.DeleteGroup(ctx, created.ID); err != nil {
		t.Errorf("second DeleteGroup = %v, want nil (404 counts as deleted)", err)
	}
	_, err = c.GetGroup(ctx, created.ID)
	if !errors.Is(err, okta.ErrNotFound) {
		t.Fatalf("GetGroup after delete = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), created.ID) {
		t.Errorf("error %q does not name the group", err)
	}
}

func TestGetGroupSeesDriftImmediately(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	c := newClient(t, srv)
	if _, err := c.GetGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if err := srv.RenameGroup(g.ID, "content:renamed"); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetGroup(ctx, g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "content:renamed" {
		t.Errorf("second GetGroup name = %q: the SDK cache is hiding drift", got.Name)
	}
}

func TestGetGroupReportsAdminPrivilegeAndType(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	admins, _ := srv.AddGroup(oktatest.Group{Name: "content:admins", AdminPrivilege: true, UsersCount: 3})
	app, _ := srv.AddGroup(oktatest.Group{Name: "content:ad", Type: oktatest.TypeAppGroup})
	c := newClient(t, srv)

	got, err := c.GetGroup(ctx, admins.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.HasAdminPrivilege || got.UsersCount != 3 {
		t.Errorf("admin group = %+v, want HasAdminPrivilege and 3 users", got)
	}
	got, err = c.GetGroup(ctx, app.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Type != okta.TypeAppGroup {
		t.Errorf("type = %q", got.Type)
	}
	if _, err := c.ReplaceGroupProfile(ctx, app.ID, okta.GroupProfile{Name: "x"}); !errors.Is(err, okta.ErrInvalid) || !strings.Contains(err.Error(), "APP_GROUP") {
		t.Errorf("replacing an APP_GROUP's profile: %v, want ErrInvalid naming the type", err)
	}
	everyone, err := c.GetGroup(ctx, srv.EveryoneID())
	if err != nil {
		t.Fatal(err)
	}
	if everyone.Type != okta.TypeBuiltIn || everyone.Name != "Everyone" {
		t.Errorf("Everyone = %+v", everyone)
	}
}

func TestCreateGroupNameTaken(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	existing, _ := srv.AddGroup(oktatest.Group{Name: "content:Handbook"})
	c := newClient(t, srv)

	_, err := c.CreateGroup(ctx, okta.GroupProfile{Name: "content:handbook"})
	if !errors.Is(err, okta.ErrNameTaken) {
		t.Fatalf("CreateGroup = %v, want ErrNameTaken", err)
	}
	if !strings.Contains(err.Error(), `"content:handbook"`) {
		t.Errorf("error %q does not name the group", err)
	}
	if n := len(srv.Groups()); n != 2 {
		t.Errorf("org has %d groups, want 2 (Everyone and the existing one)", n)
	}

	// Okta's search ignores case; FindGroupByName must not.
	found, err := c.FindGroupByName(ctx, "content:handbook")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 0 {
		t.Errorf("FindGroupByName(lower case) = %v, want none", found)
	}
	found, err = c.FindGroupByName(ctx, "content:Handbook")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].ID != existing.ID {
		t.Errorf("FindGroupByName = %v, want %s", found, existing.ID)
	}
}

func TestFindGroupByNameReturnsAppGroupsSharingTheName(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	own, _ := srv.AddGroup(oktatest.Group{Name: "content:x"})
	app, _ := srv.AddGroup(oktatest.Group{Name: "content:x", Type: oktatest.TypeAppGroup})
	_, _ = srv.AddGroup(oktatest.Group{Name: "content:x-longer"})
	c := newClient(t, srv)

	found, err := c.FindGroupByName(ctx, "content:x")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, g := range found {
		ids[g.ID] = g.Type
	}
	if len(found) != 2 || ids[own.ID] != okta.TypeOktaGroup || ids[app.ID] != okta.TypeAppGroup {
		t.Errorf("found = %v, want the OKTA_GROUP and the APP_GROUP only", ids)
	}
}

func TestListGroupsByPrefixPages(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	for i := range 450 {
		if _, err := srv.AddGroup(oktatest.Group{Name: fmt.Sprintf("content:g%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 5 {
		_, _ = srv.AddGroup(oktatest.Group{Name: fmt.Sprintf("other:g%d", i)})
	}
	_, _ = srv.AddGroup(oktatest.Group{Name: "CONTENT:upper"})
	c := newClient(t, srv)
	srv.ResetRequests()

	groups, err := c.ListGroupsByPrefix(ctx, "content:")
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 450 {
		t.Fatalf("got %d groups, want 450", len(groups))
	}
	for i, g := range groups {
		if want := fmt.Sprintf("content:g%03d", i); g.Name != want {
			t.Fatalf("groups[%d] = %q, want %q (sorted by name)", i, g.Name, want)
		}
	}
	if n := len(srv.Requests()); n != 3 {
		t.Errorf("made %d requests, want 3 pages of at most 200", n)
	}
}

func TestSearchLagHidesNewGroupsFromFind(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, oktatest.WithSearchLag(time.Second))
	c := newClient(t, srv)
	g, err := c.CreateGroup(ctx, okta.GroupProfile{Name: "content:fresh"})
	if err != nil {
		t.Fatal(err)
	}
	found, err := c.FindGroupByName(ctx, "content:fresh")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 0 {
		t.Fatalf("search found the group at once; want it hidden by the lag")
	}
	if _, err := c.GetGroup(ctx, g.ID); err != nil {
		t.Fatalf("GetGroup by ID must not lag: %v", err)
	}
	time.Sleep(1100 * time.Millisecond)
	found, err = c.FindGroupByName(ctx, "content:fresh")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 {
		t.Fatalf("after the lag found %d groups, want 1", len(found))
	}
}

func TestRateLimitedCallIsRetriedUsingResetHeaders(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, oktatest.WithRateLimit(2, 3*time.Second))
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	// Waits up to X-Rate-Limit-Reset, so one retry lands in a new window.
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.MaxBackoff = 5 * time.Second })

	if _, err := c.GetGroup(ctx, g.ID); err != nil {
		t.Fatalf("GetGroup: %v", err)
	}
	// Another client of the org takes the window's last request behind the
	// pacer's back, so only the SDK's retry can save the next call.
	getOutsideProcess(t, srv, "/api/v1/groups/"+g.ID)
	if _, err := c.GetGroup(ctx, g.ID); err != nil {
		t.Fatalf("GetGroup after the window was used up elsewhere: %v", err)
	}
	stats := srv.Buckets()[oktatest.BucketGroupByID]
	if stats.RateLimited != 1 || stats.Requests != 4 {
		t.Errorf("bucket stats = %+v, want 4 requests with one 429", stats)
	}
	reqs := srv.Requests()
	if last := reqs[len(reqs)-1]; last.RetryCount != 1 || last.Status != 200 {
		t.Errorf("last request = %+v, want a successful first retry", last)
	}
}

// getOutsideProcess sends a request as another client of the org would,
// around this process's pacer.
func getOutsideProcess(t *testing.T, srv *oktatest.Server, path string) {
	t.Helper()
	req, err := http.NewRequest("GET", srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS "+srv.Token())
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

func TestRateLimitedAfterRetriesIsTyped(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.MaxRetries = 1 })
	srv.FailNext("GET", "/api/v1/groups/*", 429, 2)

	_, err := c.GetGroup(ctx, g.ID)
	if !errors.Is(err, okta.ErrRateLimited) {
		t.Fatalf("GetGroup = %v, want ErrRateLimited", err)
	}
	for _, want := range []string{g.ID, "2 attempts", "parallelism"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if n := len(srv.Requests()); n != 2 {
		t.Errorf("made %d requests, want 2 (one retry)", n)
	}
	if got := srv.Buckets()[oktatest.BucketGroupByID].RateLimited; got != 2 {
		t.Errorf("bucket counted %d 429s, want 2", got)
	}
}

func TestRetriesCanBeTurnedOff(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.MaxRetries = -1 })
	srv.FailNext("POST", "/api/v1/groups", 429, 1)
	_, err := c.CreateGroup(context.Background(), okta.GroupProfile{Name: "content:a"})
	if !errors.Is(err, okta.ErrRateLimited) {
		t.Fatalf("CreateGroup = %v, want ErrRateLimited", err)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("made %d requests, want 1", n)
	}
}

func TestDroppedConnectionIsRetried(t *testing.T) {
	srv := newServer(t)
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	c := newClient(t, srv)
	srv.DropNext("GET", "/api/v1/groups/"+g.ID, 1)
	if _, err := c.GetGroup(context.Background(), g.ID); err != nil {
		t.Fatalf("GetGroup after one dropped connection: %v", err)
	}
}

func TestRequestTimeout(t *testing.T) {
	srv := newServer(t)
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.RequestTimeout = time.Second })
	srv.DelayNext("GET", "/api/v1/groups/*", 3*time.Second, 1)
	_, err := c.GetGroup(context.Background(), g.ID)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("GetGroup = %v, want a deadline error", err)
	}
}

func TestAuthErrors(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	srv.AddToken("read-only", oktatest.ScopeGroupsRead)

	bad := newClient(t, srv, func(cfg *okta.Config) { cfg.APIToken = "wrong" })
	_, err := bad.GetGroup(ctx, srv.EveryoneID())
	if !errors.Is(err, okta.ErrUnauthorized) {
		t.Fatalf("bad token: %v, want ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error %q leaks the token", err)
	}

	readOnly := newClient(t, srv, func(cfg *okta.Config) { cfg.APIToken = "read-only" })
	if _, err := readOnly.GetGroup(ctx, srv.EveryoneID()); err != nil {
		t.Fatalf("read-only GetGroup: %v", err)
	}
	_, err = readOnly.CreateGroup(ctx, okta.GroupProfile{Name: "content:x"})
	if !errors.Is(err, okta.ErrForbidden) {
		t.Fatalf("read-only CreateGroup: %v, want ErrForbidden", err)
	}
}

func TestInvalidInputIsRefusedBeforeSending(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c := newClient(t, srv)
	cases := map[string]func() error{
		"path in ID": func() error { _, err := c.GetGroup(ctx, "../users/me"); return err },
		"empty ID":   func() error { return c.DeleteGroup(ctx, "") },
		"long name": func() error {
			_, err := c.CreateGroup(ctx, okta.GroupProfile{Name: strings.Repeat("é", 256)})
			return err
		},
		"empty name": func() error { _, err := c.CreateGroup(ctx, okta.GroupProfile{}); return err },
		"long desc": func() error {
			_, err := c.CreateGroup(ctx, okta.GroupProfile{Name: "x", Description: strings.Repeat("d", 1025)})
			return err
		},
		"query in rule": func() error { _, err := c.GetGroupRule(ctx, "0pr?x=1"); return err },
	}
	for name, call := range cases {
		if err := call(); !errors.Is(err, okta.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d requests reached the org, want 0", n)
	}
	// 255 characters is fine.
	if _, err := c.CreateGroup(ctx, okta.GroupProfile{Name: strings.Repeat("é", 255)}); err != nil {
		t.Errorf("255-character name: %v", err)
	}
}

func TestUnknownCustomAttributeIsInvalid(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	_, err := c.CreateGroup(context.Background(), okta.GroupProfile{Name: "content:a", Attributes: map[string]any{"notDefined": "x"}})
	if !errors.Is(err, okta.ErrInvalid) || errors.Is(err, okta.ErrNameTaken) {
		t.Fatalf("CreateGroup = %v, want ErrInvalid", err)
	}
	if !strings.Contains(err.Error(), "notDefined") {
		t.Errorf("error %q does not name the attribute", err)
	}
}

func TestOrgURLChecks(t *testing.T) {
	cases := map[string]bool{
		"https://dev-123.okta.com":     true,
		"https://dev-123.okta.com/":    true,
		"http://127.0.0.1:8080":        true,
		"http://localhost:1":           true,
		"http://[::1]:8080":            true,
		"http://dev-123.okta.com":      false,
		"http://10.0.0.1":              false,
		"ftp://dev-123.okta.com":       false,
		"https://dev-123.okta.com/api": false,
		"":                             false,
	}
	for url, ok := range cases {
		_, err := okta.New(context.Background(), okta.Config{OrgURL: url, APIToken: "t"})
		if (err == nil) != ok {
			t.Errorf("New(%q) error = %v, want ok=%v", url, err, ok)
		}
	}
}

func TestCredentialChecks(t *testing.T) {
	base := okta.Config{OrgURL: "https://dev-123.okta.com"}
	cases := map[string]func(*okta.Config){
		"none":         func(*okta.Config) {},
		"both":         func(c *okta.Config) { c.APIToken, c.ClientID, c.PrivateKey = "t", "id", "k" },
		"no key":       func(c *okta.Config) { c.ClientID = "id" },
		"no client id": func(c *okta.Config) { c.PrivateKey = "k" },
		"not PEM":      func(c *okta.Config) { c.ClientID, c.PrivateKey = "id", "secret-ish" },
		"encrypted PEM": func(c *okta.Config) {
			c.ClientID, c.PrivateKey = "id", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----"
		},
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecDER, _ := x509.MarshalPKCS8PrivateKey(ecKey)
	ecPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: ecDER}))
	cases["EC key"] = func(c *okta.Config) { c.ClientID, c.PrivateKey = "id", ecPEM }
	for name, set := range cases {
		cfg := base
		set(&cfg)
		_, err := okta.New(context.Background(), cfg)
		if err == nil {
			t.Errorf("%s: New succeeded", name)
			continue
		}
		if strings.Contains(err.Error(), "secret-ish") {
			t.Errorf("%s: error %q quotes the key", name, err)
		}
	}
}

func rsaKeyPEM(t *testing.T, pkcs8 bool) (*rsa.PrivateKey, string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if pkcs8 {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return key, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	}
	return key, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
}

func TestServiceAppWithPrivateKey(t *testing.T) {
	ctx := context.Background()
	for _, pkcs8 := range []bool{false, true} {
		t.Run(fmt.Sprintf("pkcs8=%v", pkcs8), func(t *testing.T) {
			srv := newServer(t)
			key, keyPEM := rsaKeyPEM(t, pkcs8)
			if err := srv.AddServiceApp(oktatest.ServiceApp{
				ClientID: "0oaservice", KeyID: "kid-1", PublicKey: &key.PublicKey,
				Scopes: []string{oktatest.ScopeGroupsRead, oktatest.ScopeGroupsManage},
			}); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, srv, func(cfg *okta.Config) {
				cfg.APIToken = ""
				cfg.ClientID, cfg.PrivateKeyID = "0oaservice", "kid-1"
				// As it arrives from an environment variable.
				cfg.PrivateKey = strings.ReplaceAll(keyPEM, "\n", `\n`)
			})
			g, err := c.CreateGroup(ctx, okta.GroupProfile{Name: "content:oauth"})
			if err != nil {
				t.Fatalf("CreateGroup: %v", err)
			}
			if _, err := c.GetGroup(ctx, g.ID); err != nil {
				t.Fatalf("GetGroup: %v", err)
			}
			var tokenCalls, bearer int
			for _, r := range srv.Requests() {
				if r.Path == "/oauth2/v1/token" {
					tokenCalls++
				} else if r.Auth == "Bearer" {
					bearer++
				}
			}
			if tokenCalls != 1 || bearer != 2 {
				t.Errorf("token calls = %d, bearer calls = %d; want the token fetched once and reused", tokenCalls, bearer)
			}
		})
	}
}

func TestServiceAppErrors(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	key, keyPEM := rsaKeyPEM(t, true)
	_, otherPEM := rsaKeyPEM(t, true)
	_ = srv.AddServiceApp(oktatest.ServiceApp{ClientID: "0oaread", PublicKey: &key.PublicKey, Scopes: []string{oktatest.ScopeGroupsRead}})

	oauth := func(clientID, pemText string, scopes ...string) *okta.Client {
		return newClient(t, srv, func(cfg *okta.Config) {
			cfg.APIToken, cfg.ClientID, cfg.PrivateKey, cfg.Scopes = "", clientID, pemText, scopes
		})
	}

	_, err := oauth("0oaread", keyPEM).CreateGroup(ctx, okta.GroupProfile{Name: "content:a"})
	if !errors.Is(err, okta.ErrForbidden) {
		t.Errorf("ungranted scope: %v, want ErrForbidden", err)
	}
	_, err = oauth("0oaread", keyPEM, oktatest.ScopeGroupsRead).CreateGroup(ctx, okta.GroupProfile{Name: "content:a"})
	if !errors.Is(err, okta.ErrForbidden) {
		t.Errorf("read-only token used to create: %v, want ErrForbidden", err)
	}
	_, err = oauth("0oaread", otherPEM, oktatest.ScopeGroupsRead).GetGroup(ctx, srv.EveryoneID())
	if !errors.Is(err, okta.ErrUnauthorized) {
		t.Errorf("wrong key: %v, want ErrUnauthorized", err)
	}
	if err != nil && strings.Contains(err.Error(), "client_assertion=") {
		t.Errorf("error leaks the client assertion: %v", err)
	}
	if n := len(srv.Groups()); n != 1 {
		t.Errorf("org has %d groups, want only Everyone", n)
	}
}

func TestGroupRuleLifecycle(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	target, _ := srv.AddGroup(oktatest.Group{Name: "content:sales"})
	c := newClient(t, srv)

	r, err := c.CreateGroupRule(ctx, okta.GroupRule{Name: "sales", Expression: `user.department == "Sales"`, GroupIDs: []string{target.ID}})
	if err != nil {
		t.Fatalf("CreateGroupRule: %v", err)
	}
	if r.Status != okta.RuleInactive || !strings.HasPrefix(r.ID, "0pr") {
		t.Errorf("created rule = %+v, want INACTIVE with a 0pr ID", r)
	}
	if err := c.ActivateGroupRule(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	r.Expression = `user.department == "Marketing"`
	if _, err := c.ReplaceGroupRule(ctx, *r); !errors.Is(err, okta.ErrInvalid) {
		t.Errorf("replacing an ACTIVE rule: %v, want ErrInvalid", err)
	}
	if err := c.DeactivateGroupRule(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	replaced, err := c.ReplaceGroupRule(ctx, *r)
	if err != nil {
		t.Fatalf("ReplaceGroupRule: %v", err)
	}
	if replaced.Expression != `user.department == "Marketing"` {
		t.Errorf("expression = %q", replaced.Expression)
	}
	other, _ := srv.AddGroup(oktatest.Group{Name: "content:other"})
	changed := *replaced
	changed.GroupIDs = []string{other.ID}
	if _, err := c.ReplaceGroupRule(ctx, changed); !errors.Is(err, okta.ErrInvalid) {
		t.Errorf("changing a rule's groups: %v, want ErrInvalid", err)
	}

	// Deleting the target group invalidates the rule.
	if err := c.DeleteGroup(ctx, target.ID); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetGroupRule(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != okta.RuleInvalid {
		t.Errorf("status after target deleted = %q, want INVALID", got.Status)
	}
	if err := c.ActivateGroupRule(ctx, r.ID); !errors.Is(err, okta.ErrInvalid) {
		t.Errorf("activating an INVALID rule: %v, want ErrInvalid", err)
	}
	if err := c.DeleteGroupRule(ctx, r.ID, false); err != nil {
		t.Fatalf("DeleteGroupRule: %v", err)
	}
	if err := c.DeleteGroupRule(ctx, r.ID, false); err != nil {
		t.Errorf("second DeleteGroupRule = %v, want nil", err)
	}
	if _, err := c.GetGroupRule(ctx, r.ID); !errors.Is(err, okta.ErrNotFound) {
		t.Errorf("GetGroupRule after delete: %v, want ErrNotFound", err)
	}
}

func TestUserAgent(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	if _, err := c.GetGroup(context.Background(), srv.EveryoneID()); err != nil {
		t.Fatal(err)
	}
	ua := srv.Requests()[0].UserAgent
	if !strings.Contains(ua, "okta-sdk-golang/") || !strings.HasSuffix(ua, "terraform-provider-sanityokta/test") {
		t.Errorf("User-Agent = %q", ua)
	}
}

func TestInjected429IsRetriedOnce(t *testing.T) {
	srv := newServer(t)
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:a"})
	c := newClient(t, srv)
	srv.FailNext("GET", "/api/v1/groups/*", 429, 1)
	if _, err := c.GetGroup(context.Background(), g.ID); err != nil {
		t.Fatalf("GetGroup: %v", err)
	}
	reqs := srv.Requests()
	if len(reqs) != 2 || reqs[0].Status != 429 || reqs[1].Status != 200 || reqs[1].RetryCount != 1 {
		t.Errorf("requests = %+v, want a 429 then a successful retry", reqs)
	}
}

// A create whose response is lost is retried by the SDK, and the retry
// meets the group the first attempt made: the caller must look it up.
func TestLostCreateResponseSurfacesAsNameTaken(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	c := newClient(t, srv)
	if err := srv.AddFault(oktatest.Fault{Method: "POST", Path: "/api/v1/groups", Drop: true, Apply: true}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateGroup(ctx, okta.GroupProfile{Name: "content:lost"})
	if !errors.Is(err, okta.ErrNameTaken) {
		t.Fatalf("CreateGroup = %v, want ErrNameTaken from the SDK's retry", err)
	}
	found, err := c.FindGroupByName(ctx, "content:lost")
	if err != nil || len(found) != 1 {
		t.Fatalf("FindGroupByName = %v, %v; want the group the lost request made", found, err)
	}
	if n := len(srv.GroupsByName("content:lost")); n != 1 {
		t.Errorf("%d groups named content:lost, want 1", n)
	}
}

type countingTransport struct {
	calls int
	base  http.RoundTripper
}

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ct.calls++
	return ct.base.RoundTrip(r)
}

func TestCustomHTTPClientIsUsedAndLeftAlone(t *testing.T) {
	srv := newServer(t)
	ct := &countingTransport{base: http.DefaultTransport}
	hc := &http.Client{Transport: ct}
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.HTTPClient = hc })
	if _, err := c.GetGroup(context.Background(), srv.EveryoneID()); err != nil {
		t.Fatal(err)
	}
	if ct.calls != 1 {
		t.Errorf("custom transport saw %d requests, want 1", ct.calls)
	}
	if hc.Transport != ct {
		t.Error("the caller's http.Client was modified")
	}
}

func TestHTTPSOrgWithCustomClient(t *testing.T) {
	srv := newServer(t, oktatest.WithTLS())
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("URL = %s", srv.URL)
	}
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.HTTPClient = srv.Client() })
	if _, err := c.GetGroup(context.Background(), srv.EveryoneID()); err != nil {
		t.Fatalf("GetGroup over https: %v", err)
	}
	// Without the client that trusts the test certificate the call fails.
	untrusting := newClient(t, srv)
	_, err := untrusting.GetGroup(context.Background(), srv.EveryoneID())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("GetGroup with an untrusted certificate = %v, want a certificate error", err)
	}
}

func TestServiceAppErrorMessages(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t)
	key, keyPEM := rsaKeyPEM(t, true)
	_, otherPEM := rsaKeyPEM(t, true)
	_ = srv.AddServiceApp(oktatest.ServiceApp{ClientID: "0oausers", PublicKey: &key.PublicKey, Scopes: []string{"okta.users.read", oktatest.ScopeGroupsRead}})
	oauth := func(pemText string, scopes ...string) *okta.Client {
		return newClient(t, srv, func(cfg *okta.Config) {
			cfg.APIToken, cfg.ClientID, cfg.PrivateKey, cfg.Scopes = "", "0oausers", pemText, scopes
		})
	}

	// Granted, but not what the provider needs: the token works and the groups API refuses it.
	_, err := oauth(keyPEM, "okta.users.read").GetGroup(ctx, srv.EveryoneID())
	for _, want := range []string{"requested the scopes okta.users.read", "leave out okta.groups.read and okta.groups.manage", "OKTA_SCOPES"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("users scope only: %v\nwant it to contain %q", err, want)
		}
	}
	// Not granted: the token request itself is refused.
	_, err = oauth(keyPEM).GetGroup(ctx, srv.EveryoneID())
	for _, want := range []string{"requested the scopes okta.groups.read, okta.groups.manage", "grant every requested scope"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("default scopes, manage not granted: %v\nwant it to contain %q", err, want)
		}
	}
	_, err = oauth(otherPEM, oktatest.ScopeGroupsRead).GetGroup(ctx, srv.EveryoneID())
	if err == nil || strings.Contains(err.Error(), "..") {
		t.Errorf("wrong key: %v, want one period between Okta's description and the hint", err)
	}
}
