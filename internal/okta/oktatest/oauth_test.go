package oktatest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func signJWT(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	header := map[string]string{"alg": "RS256", "typ": "JWT"}
	if kid != "" {
		header["kid"] = kid
	}
	enc := func(v any) string {
		raw, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	signing := enc(header) + "." + enc(claims)
	digest := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func tokenRequest(t *testing.T, srv *Server, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(srv.URL+"/oauth2/v1/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return resp.StatusCode, body
}

func TestTokenEndpoint(t *testing.T) {
	srv := start(t)
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	if err := srv.AddServiceApp(ServiceApp{ClientID: "0oaapp", KeyID: "k1", PublicKey: &key.PublicKey, Scopes: []string{ScopeGroupsRead}}); err != nil {
		t.Fatal(err)
	}
	aud := srv.URL + "/oauth2/v1/token"
	claims := func(mod func(map[string]any)) map[string]any {
		now := time.Now().Unix()
		c := map[string]any{"iss": "0oaapp", "sub": "0oaapp", "aud": aud, "iat": now, "exp": now + 300, "jti": randomString(10)}
		if mod != nil {
			mod(c)
		}
		return c
	}
	form := func(assertion, scope string) url.Values {
		return url.Values{
			"grant_type": {"client_credentials"}, "scope": {scope},
			"client_assertion_type": {assertionType}, "client_assertion": {assertion},
		}
	}

	status, body := tokenRequest(t, srv, form(signJWT(t, key, "k1", claims(nil)), ScopeGroupsRead))
	if status != 200 || body["token_type"] != "Bearer" || body["access_token"] == "" || body["expires_in"] != float64(3600) {
		t.Fatalf("token = %d %v", status, body)
	}
	access, _ := body["access_token"].(string)
	if a := call(t, srv, "GET", "/api/v1/groups", nil, "Bearer "+access); a.status != 200 {
		t.Errorf("GET with access token = %d", a.status)
	}
	a := call(t, srv, "POST", "/api/v1/groups", map[string]any{"profile": map[string]any{"name": "x"}}, "Bearer "+access)
	if a.status != 403 || !strings.Contains(a.header.Get("WWW-Authenticate"), `error="insufficient_scope"`) {
		t.Errorf("write with read scope = %d, WWW-Authenticate %q", a.status, a.header.Get("WWW-Authenticate"))
	}
	if a := call(t, srv, "GET", "/api/v1/groups", nil, "Bearer nope"); a.status != 401 || !strings.Contains(a.header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("unknown bearer = %d %v", a.status, a.header)
	}

	replayed := signJWT(t, key, "k1", claims(func(c map[string]any) { c["jti"] = "same" }))
	if status, _ := tokenRequest(t, srv, form(replayed, ScopeGroupsRead)); status != 200 {
		t.Fatalf("first use of jti = %d", status)
	}

	bad := map[string]struct {
		form   url.Values
		status int
		code   string
	}{
		"replayed jti":   {form(replayed, ScopeGroupsRead), 401, "invalid_client"},
		"wrong key":      {form(signJWT(t, other, "k1", claims(nil)), ScopeGroupsRead), 401, "invalid_client"},
		"wrong kid":      {form(signJWT(t, key, "k2", claims(nil)), ScopeGroupsRead), 401, "invalid_client"},
		"wrong audience": {form(signJWT(t, key, "k1", claims(func(c map[string]any) { c["aud"] = "https://elsewhere/oauth2/v1/token" })), ScopeGroupsRead), 401, "invalid_client"},
		"expired":        {form(signJWT(t, key, "k1", claims(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() })), ScopeGroupsRead), 401, "invalid_client"},
		"too long":       {form(signJWT(t, key, "k1", claims(func(c map[string]any) { c["exp"] = time.Now().Add(3 * time.Hour).Unix() })), ScopeGroupsRead), 401, "invalid_client"},
		"unknown client": {form(signJWT(t, key, "k1", claims(func(c map[string]any) { c["iss"], c["sub"] = "0oaother", "0oaother" })), ScopeGroupsRead), 401, "invalid_client"},
		"not a JWT":      {form("abc", ScopeGroupsRead), 401, "invalid_client"},
		"ungranted":      {form(signJWT(t, key, "k1", claims(nil)), ScopeGroupsManage), 400, "invalid_scope"},
		"no scope":       {form(signJWT(t, key, "k1", claims(nil)), ""), 400, "invalid_scope"},
		"wrong grant": {func() url.Values {
			f := form(signJWT(t, key, "k1", claims(nil)), ScopeGroupsRead)
			f.Set("grant_type", "password")
			return f
		}(), 400, "unsupported_grant_type"},
	}
	for name, tc := range bad {
		status, body := tokenRequest(t, srv, tc.form)
		if status != tc.status || body["error"] != tc.code || body["error_description"] == "" {
			t.Errorf("%s = %d %v, want %d %s", name, status, body, tc.status, tc.code)
		}
	}
	if got := srv.Buckets()[BucketToken].Requests; got != 2+len(bad) {
		t.Errorf("token bucket requests = %d", got)
	}
}
