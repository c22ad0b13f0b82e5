package oktatest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestNodeSDKFidelity runs the official @okta/okta-sdk-nodejs (version 8),
// unchanged, against the fake: create, get, replace, delete, paging through
// Link headers, q, filter, search, a duplicate name, a missing group, a bad
// token, group rules and the OAuth private_key_jwt flow; users (create,
// activate, get by login, partial and full updates, list with search,
// filter, q and paging, suspend, delete twice, /users/me), group
// membership and group rules that move users.
//
// It needs node on PATH and the SDK installed with
//
//	npm ci --prefix internal/okta/oktatest/testdata/nodecheck
func TestNodeSDKFidelity(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed; the Node SDK fidelity check needs Node.js 20 or later")
	}
	dir, err := filepath.Abs(filepath.Join("testdata", "nodecheck"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@okta", "okta-sdk-nodejs")); err != nil {
		t.Skipf("@okta/okta-sdk-nodejs is not installed; run: npm ci --prefix %s", filepath.Join("internal", "okta", "oktatest", "testdata", "nodecheck"))
	}

	srv := start(t)
	for i := range 5 {
		mustAdd(t, srv, Group{Name: fmt.Sprintf("nodecheck:page%d", i)})
	}
	mustAdd(t, srv, Group{Name: "nodecheck:admins", AdminPrivilege: true})
	for _, login := range []string{"sales1@example.com", "sales2@example.com", "sales3@example.com"} {
		if _, err := srv.AddUser(User{Profile: map[string]any{"login": login, "email": login, "firstName": "Sales", "lastName": "Person", "department": "Sales"}}); err != nil {
			t.Fatal(err)
		}
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.AddServiceApp(ServiceApp{ClientID: "0oanodecheck", KeyID: "node-kid", PublicKey: &key.PublicKey, Scopes: []string{ScopeGroupsRead, ScopeGroupsManage}}); err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "check.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"ORG_URL="+srv.URL, "TOKEN="+srv.Token(),
		"CLIENT_ID=0oanodecheck", "KEY_ID=node-kid", "PRIVATE_KEY="+string(keyPEM))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	t.Logf("node check.mjs:\n%s", out.String())
	if err != nil {
		t.Fatalf("the Node SDK check failed: %v", err)
	}

	// The SDK must have paged: several list requests carrying after=.
	var pagedRequests, tokenRequests int
	for _, r := range srv.Requests() {
		if r.Path == "/api/v1/groups" && strings.Contains(r.RawQuery, "after=") {
			pagedRequests++
		}
		if r.Path == "/oauth2/v1/token" {
			tokenRequests++
		}
	}
	var pagedUsers, pagedMembers int
	for _, r := range srv.Requests() {
		switch {
		case r.Path == "/api/v1/users" && strings.Contains(r.RawQuery, "after="):
			pagedUsers++
		case strings.HasPrefix(r.Path, "/api/v1/groups/") && strings.HasSuffix(r.Path, "/users") && strings.Contains(r.RawQuery, "after="):
			pagedMembers++
		}
	}
	if pagedUsers < 2 || pagedMembers < 3 {
		t.Errorf("the Node SDK paged users %d times and members %d times, want it to follow next links", pagedUsers, pagedMembers)
	}
	if _, ok := srv.User("node.check@example.com"); ok {
		t.Error("the user the Node SDK deleted is still there")
	}
	if pagedRequests < 4 {
		t.Errorf("the Node SDK made %d requests with after=, want it to follow next links", pagedRequests)
	}
	if tokenRequests != 1 {
		t.Errorf("token requests = %d, want 1", tokenRequests)
	}
	if len(srv.GroupsByName("nodecheck:created"))+len(srv.GroupsByName("nodecheck:replaced")) != 0 {
		t.Error("the deleted group is still there")
	}
	if len(srv.GroupsByName("nodecheck:oauth")) != 1 {
		t.Error("the group created over OAuth is missing")
	}
}
