package oktatest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math/big"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The fake org as an OpenID Connect provider: the org authorization server (issuer = the org URL,
// endpoints under /oauth2/v1/) and the custom authorization server "default" (issuer =
// ORG/oauth2/default, endpoints under /oauth2/default/v1/), each with its discovery document. Only the
// authorization code flow with PKCE (S256) is served; users sign in with a small HTML form (login and
// password), or, when AllowLoginHint is on, by naming themselves in login_hint, so that tests need no
// browser.

// Groups claim filter types, as Okta's app settings name them.
const (
	FilterStartsWith = "STARTS_WITH"
	FilterEquals     = "EQUALS"
	FilterContains   = "CONTAINS"
	FilterRegex      = "REGEX"
)

// MaxGroupsInClaim is how many groups a groups claim may hold. A user with more matching groups gets
// no token at all: the token request fails (see OIDCApp).
const MaxGroupsInClaim = 100

// OIDCApp is an OpenID Connect web app. Its groups claim lists the names of the user's groups that
// match the filter, in the ID token of both servers and in the access token of the default server (the
// org server puts groups in ID tokens only, as Okta's does), when the request asks for the "groups"
// scope. More than MaxGroupsInClaim matching groups fails the token request with invalid_request,
// never a shortened list.
type OIDCApp struct {
	ClientID string `json:"clientId,omitempty"`
	// ClientSecret authenticates the app at the token endpoint (client_secret_basic or
	// client_secret_post). Made up when empty, unless Public is set.
	ClientSecret string `json:"clientSecret,omitempty"`
	// Public apps have no secret (token_endpoint_auth_method none) and send client_id in the form.
	Public       bool     `json:"public,omitempty"`
	RedirectURIs []string `json:"redirectUris"`
	// GroupsClaim names the claim ("groups" when empty); GroupsFilterType and GroupsFilterValue select
	// the groups in it. An empty filter type means no groups claim.
	GroupsClaim       string `json:"groupsClaim,omitempty"`
	GroupsFilterType  string `json:"groupsFilterType,omitempty"`
	GroupsFilterValue string `json:"groupsFilterValue,omitempty"`
	// GroupsClaimValue "id" makes the default server's groups claim list group IDs instead of names, as
	// a claim on a custom authorization server whose expression projects the IDs of the user's
	// filtered groups does. The org server's app-level claim always lists names.
	GroupsClaimValue string `json:"groupsClaimValue,omitempty"`
}

func (a *OIDCApp) matcher() (func(string) bool, error) {
	v := a.GroupsFilterValue
	switch a.GroupsFilterType {
	case "":
		return nil, nil
	case FilterStartsWith:
		return func(n string) bool { return strings.HasPrefix(strings.ToLower(n), strings.ToLower(v)) }, nil
	case FilterEquals:
		return func(n string) bool { return strings.EqualFold(n, v) }, nil
	case FilterContains:
		return func(n string) bool { return strings.Contains(strings.ToLower(n), strings.ToLower(v)) }, nil
	case FilterRegex:
		// The whole name must match, as a Java matches() does.
		re, err := regexp.Compile(`^(?:` + v + `)$`)
		if err != nil {
			return nil, fmt.Errorf("oktatest: groups filter regex: %w", err)
		}
		return re.MatchString, nil
	}
	return nil, fmt.Errorf("oktatest: groups filter type %q: use STARTS_WITH, EQUALS, CONTAINS or REGEX", a.GroupsFilterType)
}

const (
	authCodeLifetime = 5 * time.Minute
	oidcTokenLife    = time.Hour
	keysKept         = 2 // the signing key and the one before it, still published after a rotation
)

type signingKey struct {
	kid string
	key *rsa.PrivateKey
}

type authCode struct {
	clientID, redirectURI, userID, server, nonce, challenge string
	scopes                                                  []string
	authTime, expiry                                        time.Time
}

type oidcGrant struct {
	userID, server, clientID string
	scopes                   []string
	expiry                   time.Time
}

type oidcState struct {
	apps      map[string]*OIDCApp
	keys      []signingKey // keys[0] signs
	codes     map[string]*authCode
	grants    map[string]oidcGrant // access token -> what it was issued for (userinfo)
	loginHint bool
}

// oidcLocked returns the OIDC state, making it on first use. Callers hold s.mu.
func (s *Server) oidcLocked() *oidcState {
	if s.oidc == nil {
		s.oidc = &oidcState{apps: map[string]*OIDCApp{}, codes: map[string]*authCode{}, grants: map[string]oidcGrant{}}
		s.oidc.keys = []signingKey{newSigningKey()}
	}
	return s.oidc
}

func newSigningKey() signingKey {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return signingKey{kid: randomString(43), key: key}
}

// AddOIDCApp registers an OIDC app (replacing one with the same client ID) and returns it with the
// client ID and secret it was given.
func (s *Server) AddOIDCApp(app OIDCApp) (OIDCApp, error) {
	if len(app.RedirectURIs) == 0 {
		return OIDCApp{}, errors.New("oktatest: an OIDC app needs at least one redirect URI")
	}
	for _, u := range app.RedirectURIs {
		if p, err := url.Parse(u); err != nil || !p.IsAbs() || p.Fragment != "" {
			return OIDCApp{}, fmt.Errorf("oktatest: redirect URI %q must be an absolute URI without a fragment", u)
		}
	}
	if _, err := app.matcher(); err != nil {
		return OIDCApp{}, err
	}
	if app.GroupsClaimValue != "" && app.GroupsClaimValue != "name" && app.GroupsClaimValue != "id" {
		return OIDCApp{}, fmt.Errorf("oktatest: groups claim value %q: use name or id", app.GroupsClaimValue)
	}
	if app.ClientID == "" {
		app.ClientID = newID("0oa")
	}
	if app.Public {
		app.ClientSecret = ""
	} else if app.ClientSecret == "" {
		app.ClientSecret = randomString(40)
	}
	if app.GroupsClaim == "" {
		app.GroupsClaim = "groups"
	}
	app.RedirectURIs = slices.Clone(app.RedirectURIs)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oidcLocked().apps[app.ClientID] = &app
	return app, nil
}

// OIDCApps returns the registered OIDC apps, by client ID.
func (s *Server) OIDCApps() []OIDCApp {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.oidcLocked()
	out := []OIDCApp{}
	for _, id := range sortedKeys(st.apps) {
		out = append(out, *st.apps[id])
	}
	return out
}

// RotateSigningKey makes a new signing key and returns its kid. Tokens are signed with it from now on;
// the previous key stays in the JWKS until the next rotation, so tokens it signed still verify.
func (s *Server) RotateSigningKey() string {
	k := newSigningKey()
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.oidcLocked()
	st.keys = append([]signingKey{k}, st.keys...)
	if len(st.keys) > keysKept {
		st.keys = st.keys[:keysKept]
	}
	return k.kid
}

// SigningKeyIDs returns the kids in the JWKS, the signing key first.
func (s *Server) SigningKeyIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, k := range s.oidcLocked().keys {
		out = append(out, k.kid)
	}
	return out
}

// AllowLoginHint turns non-interactive sign-in on or off (off by default): while it is on, an authorize
// request whose login_hint names an active user signs that user in without the form. Never a real
// Okta's behaviour; it exists so that tests can sign in over HTTP alone.
func (s *Server) AllowLoginHint(allow bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oidcLocked().loginHint = allow
}

// oidcServer is an authorization server: "" for the org server, "default" for the custom one.
type oidcServer string

func (a oidcServer) issuer(r *http.Request) string {
	if a == "" {
		return baseURL(r)
	}
	return baseURL(r) + "/oauth2/" + string(a)
}

func (a oidcServer) endpoint(r *http.Request, name string) string {
	if a == "" {
		return baseURL(r) + "/oauth2/v1/" + name
	}
	return a.issuer(r) + "/v1/" + name
}

// serveOIDC serves the OIDC endpoints and reports whether r was one. A token request for another grant
// type than authorization_code is left to serveToken.
func (s *Server) serveOIDC(w http.ResponseWriter, r *http.Request) bool {
	var as oidcServer
	rest, ok := "", false
	switch p := r.URL.Path; {
	case p == "/.well-known/openid-configuration":
		rest, ok = "discovery", true
	case p == "/oauth2/default/.well-known/openid-configuration":
		as, rest, ok = "default", "discovery", true
	case strings.HasPrefix(p, "/oauth2/v1/"):
		rest, ok = strings.TrimPrefix(p, "/oauth2/v1/"), true
	case strings.HasPrefix(p, "/oauth2/default/v1/"):
		as, rest, ok = "default", strings.TrimPrefix(p, "/oauth2/default/v1/"), true
	}
	if !ok {
		return false
	}
	switch rest {
	case "discovery":
		s.serveDiscovery(w, r, as)
	case "keys":
		s.serveKeys(w)
	case "authorize":
		s.serveAuthorize(w, r, as)
	case "userinfo":
		s.serveUserinfo(w, r, as)
	case "token":
		if err := r.ParseForm(); err == nil && r.Form.Get("grant_type") != "authorization_code" && as == "" {
			return false // client_credentials and the rest: serveToken
		}
		s.serveCodeExchange(w, r, as)
	default:
		return false
	}
	return true
}

func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request, as oidcServer) {
	if r.Method != http.MethodGet {
		methodNotAllowed(w)
		return
	}
	grants := []string{"authorization_code"}
	if as == "" {
		grants = append(grants, "client_credentials")
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                as.issuer(r),
		"authorization_endpoint":                as.endpoint(r, "authorize"),
		"token_endpoint":                        as.endpoint(r, "token"),
		"userinfo_endpoint":                     as.endpoint(r, "userinfo"),
		"jwks_uri":                              as.endpoint(r, "keys"),
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 grants,
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      supportedScopes,
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
		"code_challenge_methods_supported":      []string{"S256"},
		"claims_supported": []string{"iss", "ver", "sub", "aud", "iat", "exp", "jti", "auth_time", "amr", "nonce",
			"name", "preferred_username", "email", "email_verified", "groups"},
		"request_parameter_supported": false,
	})
}

var supportedScopes = []string{"openid", "profile", "email", "groups", "offline_access"}

func (s *Server) serveKeys(w http.ResponseWriter) {
	s.mu.Lock()
	keys := slices.Clone(s.oidcLocked().keys)
	s.mu.Unlock()
	out := []map[string]string{}
	for _, k := range keys {
		out = append(out, map[string]string{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": k.kid,
			"n": base64.RawURLEncoding.EncodeToString(k.key.N.Bytes()),
			"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.key.E)).Bytes()),
		})
	}
	w.Header().Set("Cache-Control", "max-age=3600")
	writeJSON(w, http.StatusOK, map[string]any{"keys": out})
}

// The sign-in page. A real org's is a JavaScript widget; this one is a plain form posting back to the
// same authorize URL, so the request's parameters travel in its query string.
var loginPage = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign In</title></head>
<body><main>
<h1>Sign In</h1>
{{if .Error}}<p role="alert" id="error">{{.Error}}</p>{{end}}
<form method="post" action="{{.Action}}">
<label>Username <input id="username" name="username" autocomplete="username" value="{{.Username}}"></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button id="sign-in" type="submit">Sign In</button>
</form>
</main></body></html>
`))

var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>400 Bad Request</title></head>
<body><h1>400 Bad Request</h1><p>Error Code: <code id="error-code">{{.Code}}</code></p>
<p>Description: <span id="error-description">{{.Description}}</span></p></body></html>
`))

// serveAuthorize is GET (and the sign-in form's POST) /oauth2/{v1,default/v1}/authorize. Errors before
// the redirect URI is known to be the app's are shown as a page; later ones are sent to the app, as
// error and error_description query parameters with the state.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request, as oidcServer) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		methodNotAllowed(w)
		return
	}
	q := r.URL.Query()
	s.mu.Lock()
	st := s.oidcLocked()
	app, loginHint := st.apps[q.Get("client_id")], st.loginHint
	s.mu.Unlock()
	page := func(code, description string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		_ = errorPage.Execute(w, map[string]string{"Code": code, "Description": description})
	}
	if app == nil {
		page("invalid_client", "Invalid value for 'client_id' parameter.")
		return
	}
	redirectURI := q.Get("redirect_uri")
	if !slices.Contains(app.RedirectURIs, redirectURI) {
		page("invalid_request", "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings.")
		return
	}
	state := q.Get("state")
	fail := func(code, description string) {
		back, _ := url.Parse(redirectURI)
		v := back.Query()
		v.Set("error", code)
		v.Set("error_description", description)
		if state != "" {
			v.Set("state", state)
		}
		back.RawQuery = v.Encode()
		http.Redirect(w, r, back.String(), http.StatusFound)
	}
	scopes := strings.Fields(q.Get("scope"))
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "The response type is not supported by the authorization server. Configured response types: [code].")
		return
	case state == "":
		fail("invalid_request", "The authentication request has an invalid 'state' parameter.")
		return
	case !slices.Contains(scopes, "openid"):
		fail("invalid_scope", "The authentication request must include the 'openid' scope.")
		return
	}
	for _, sc := range scopes {
		if !slices.Contains(supportedScopes, sc) {
			fail("invalid_scope", "One or more scopes are not configured for the authorization server resource.")
			return
		}
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "":
		fail("invalid_request", "PKCE code challenge is required by the app.")
		return
	case method != "S256":
		// A challenge without a method means plain (RFC 7636), which Okta does not support.
		fail("invalid_request", "PKCE code challenge method is not supported. Supported methods: [S256].")
		return
	case len(challenge) < 43 || len(challenge) > 128:
		fail("invalid_request", "PKCE code challenge must be between 43 and 128 characters long.")
		return
	}

	var userID string
	if hint := q.Get("login_hint"); loginHint && hint != "" {
		s.mu.Lock()
		if u := s.findUser(hint); u != nil && u.status == "ACTIVE" {
			userID = u.id
		}
		s.mu.Unlock()
	}
	if userID == "" && r.Method == http.MethodPost {
		userID = s.checkPassword(r.PostFormValue("username"), r.PostFormValue("password"))
	}
	if userID == "" {
		if q.Get("prompt") == "none" {
			fail("login_required", "The client specified not to prompt, but the user is not logged in.")
			return
		}
		data := map[string]string{"Action": r.URL.Path + "?" + r.URL.RawQuery, "Username": q.Get("login_hint")}
		status := http.StatusOK
		if r.Method == http.MethodPost {
			data["Error"], data["Username"] = "Unable to sign in", r.PostFormValue("username")
			status = http.StatusUnauthorized
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		_ = loginPage.Execute(w, data)
		return
	}

	code := randomString(43)
	now := time.Now()
	s.mu.Lock()
	for c, ac := range st.codes {
		if now.After(ac.expiry) {
			delete(st.codes, c)
		}
	}
	st.codes[code] = &authCode{
		clientID: app.ClientID, redirectURI: redirectURI, userID: userID, server: string(as), nonce: q.Get("nonce"),
		challenge: challenge, scopes: scopes, authTime: now, expiry: now.Add(authCodeLifetime),
	}
	s.mu.Unlock()
	back, _ := url.Parse(redirectURI)
	v := back.Query()
	v.Set("code", code)
	v.Set("state", state)
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// checkPassword returns the ID of the active user with that login and password, or "".
func (s *Server) checkPassword(login, password string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.findUser(login)
	if u == nil || u.status != "ACTIVE" || u.password == "" || login == "" ||
		subtle.ConstantTimeCompare([]byte(u.password), []byte(password)) != 1 {
		return ""
	}
	return u.id
}

// serveCodeExchange is the authorization_code grant of POST /oauth2/{v1,default/v1}/token.
func (s *Server) serveCodeExchange(w http.ResponseWriter, r *http.Request, as oidcServer) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint accepts only POST.")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be parsed.")
		return
	}
	if gt := r.Form.Get("grant_type"); gt != "authorization_code" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("The grant type '%s' is not supported by this authorization server.", gt))
		return
	}
	clientID, secret, basic := r.BasicAuth()
	if basic {
		// client_secret_basic form-encodes both before base64 (RFC 6749 2.3.1).
		clientID, _ = url.QueryUnescape(clientID)
		secret, _ = url.QueryUnescape(secret)
	} else {
		clientID, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	s.mu.Lock()
	st := s.oidcLocked()
	app := st.apps[clientID]
	s.mu.Unlock()
	switch {
	case app == nil:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "The client_id is not known.")
		return
	case !app.Public && subtle.ConstantTimeCompare([]byte(app.ClientSecret), []byte(secret)) != 1:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "The client secret supplied for a confidential client is invalid.")
		return
	}
	s.mu.Lock()
	code := st.codes[r.PostForm.Get("code")]
	delete(st.codes, r.PostForm.Get("code")) // a code is good for one try
	s.mu.Unlock()
	switch {
	case code == nil || time.Now().After(code.expiry) || code.clientID != app.ClientID || code.server != string(as):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The authorization code is invalid or has expired.")
		return
	case r.PostForm.Get("redirect_uri") != code.redirectURI:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "The 'redirect_uri' does not match the redirection URI used in the authorization request.")
		return
	}
	verifier := r.PostForm.Get("code_verifier")
	sum := sha256.Sum256([]byte(verifier))
	if verifier == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != code.challenge {
		oauthError(w, http.StatusBadRequest, "invalid_grant", "PKCE verification failed.")
		return
	}

	claims, problem := s.userClaims(app, as, code.userID, code.scopes)
	if problem != "" {
		oauthError(w, http.StatusBadRequest, "invalid_request", problem)
		return
	}
	now := time.Now()
	iss := as.issuer(r)
	idToken := map[string]any{
		"iss": iss, "aud": app.ClientID, "sub": code.userID, "iat": now.Unix(), "exp": now.Add(oidcTokenLife).Unix(),
		"auth_time": code.authTime.Unix(), "amr": []string{"pwd"}, "jti": "ID." + randomString(43), "ver": 1,
	}
	if code.nonce != "" {
		idToken["nonce"] = code.nonce
	}
	for k, v := range claims {
		idToken[k] = v
	}
	aud := iss // the org server's access tokens are for the org itself
	if as != "" {
		aud = "api://" + string(as)
	}
	access := map[string]any{
		"iss": iss, "aud": aud, "sub": s.loginOfUser(code.userID), "uid": code.userID, "cid": app.ClientID,
		"scp": code.scopes, "iat": now.Unix(), "exp": now.Add(oidcTokenLife).Unix(), "jti": "AT." + randomString(43), "ver": 1,
	}
	if g, ok := claims[app.GroupsClaim]; ok && as != "" {
		access[app.GroupsClaim] = g
	}
	s.mu.Lock()
	key := st.keys[0]
	at := sign(key, access)
	st.grants[at] = oidcGrant{userID: code.userID, server: string(as), clientID: app.ClientID, scopes: code.scopes, expiry: now.Add(oidcTokenLife)}
	for t, g := range st.grants {
		if now.After(g.expiry) {
			delete(st.grants, t)
		}
	}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": int(oidcTokenLife.Seconds()), "access_token": at,
		"scope": strings.Join(code.scopes, " "), "id_token": sign(key, idToken),
	})
}

// userClaims are the profile, email and groups claims the scopes ask for, or a refusal's description.
func (s *Server) userClaims(app *OIDCApp, as oidcServer, userID string, scopes []string) (map[string]any, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people()
	s.runDueEvaluations()
	u := s.dir.users[userID]
	if u == nil || u.status != "ACTIVE" {
		return nil, "The user is not active."
	}
	p := u.profile
	str := func(k string) string { v, _ := p[k].(string); return v }
	claims := map[string]any{}
	if slices.Contains(scopes, "profile") {
		claims["name"] = strings.TrimSpace(str("firstName") + " " + str("lastName"))
		claims["preferred_username"] = u.login()
		claims["given_name"], claims["family_name"] = str("firstName"), str("lastName")
		claims["zoneinfo"], claims["updated_at"] = "America/Los_Angeles", u.updated.Unix()
	}
	if slices.Contains(scopes, "email") {
		claims["email"], claims["email_verified"] = str("email"), true
	}
	match, _ := app.matcher()
	if match != nil && slices.Contains(scopes, "groups") {
		names := []string{}
		for _, gid := range s.groupIDsOf(userID) {
			if g := s.groups[gid]; g != nil && match(g.name) {
				if app.GroupsClaimValue == "id" && as != "" {
					names = append(names, g.id)
				} else {
					names = append(names, g.name)
				}
			}
		}
		if len(names) > MaxGroupsInClaim {
			return nil, "The groups claim matched too many groups and must be configured to match fewer groups."
		}
		slices.Sort(names)
		claims[app.GroupsClaim] = names
	}
	return claims, ""
}

// loginOfUser is the login of a user, the sub of Okta's access tokens.
func (s *Server) loginOfUser(id string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.dir.users[id]; u != nil {
		return u.login()
	}
	return ""
}

// sign makes an RS256 JWT of claims.
func sign(k signingKey, claims map[string]any) string {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": k.kid, "typ": "JWT"})
	body, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(body)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.key, crypto.SHA256, digest[:])
	if err != nil {
		panic(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// serveUserinfo is GET or POST /oauth2/{v1,default/v1}/userinfo with an access token from the same
// server.
func (s *Server) serveUserinfo(w http.ResponseWriter, r *http.Request, as oidcServer) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	st := s.oidcLocked()
	g, ok := st.grants[strings.TrimSpace(token)]
	app := st.apps[g.clientID]
	s.mu.Unlock()
	if !strings.EqualFold(scheme, "Bearer") || !ok || app == nil || g.server != string(as) || time.Now().After(g.expiry) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="The access token is invalid."`)
		writeJSON(w, http.StatusUnauthorized, tokenError{Error: "invalid_token", Description: "The access token is invalid."})
		return
	}
	claims, problem := s.userClaims(app, as, g.userID, g.scopes)
	if problem != "" {
		writeJSON(w, http.StatusUnauthorized, tokenError{Error: "invalid_token", Description: problem})
		return
	}
	claims["sub"] = g.userID
	writeJSON(w, http.StatusOK, claims)
}
