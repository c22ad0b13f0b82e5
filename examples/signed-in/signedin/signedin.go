// Package signedin is a small web app that shows a signed-in person the Sanity documents their Okta
// groups give them, the runtime half of what the provider sets up: the provider gives each document a
// group (or links it to an access tier's group) and writes the group's ID into the document; Okta puts
// the groups in the ID token; this app asks the Content Lake for the published documents whose group is
// one of them.
//
// What keeps it safe:
//   - Sign-in is the authorization code flow with PKCE (S256), state and nonce, through go-oidc and
//     x/oauth2; the ID token is verified (signature, issuer, audience, expiry) before anything is used.
//   - The session is an HMAC-signed, HttpOnly, SameSite=Lax cookie holding the claims and an expiry;
//     a cookie that was changed or has expired is ignored.
//   - The Sanity token never leaves the server, the groups go into the query as a parameter ($groups),
//     never into the query text, and only the published perspective is asked for, so drafts and
//     release versions are never shown.
package signedin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config is what the app needs. Every field but LoginHint is required.
type Config struct {
	// Issuer is the Okta authorization server, for example https://dev-123.okta.com/oauth2/default.
	Issuer                 string
	ClientID, ClientSecret string
	// BaseURL is where the app is served; BaseURL + "/callback" must be a redirect URI of the Okta app.
	BaseURL string
	// GroupsClaim names the claim that lists the user's groups (usually "groups"); its values must be
	// group IDs, the IDs the provider writes into documents.
	GroupsClaim string

	// SanityAPIHost is https://<project>.api.sanity.io (or the local stack's URL); SanityDataset and
	// SanityToken (a read token, kept on the server) select what is read; Types are the document types
	// shown.
	SanityAPIHost, SanityDataset, SanityToken string
	Types                                     []string

	// SessionKey signs cookies: at least 32 random bytes, the same on every instance.
	SessionKey []byte
	// HTTPClient is used for Okta and Sanity; nil means http.DefaultClient.
	HTTPClient *http.Client
	Log        *slog.Logger
}

// sanityAPIVersion is pinned so the app's behaviour does not change under it.
const sanityAPIVersion = "v2025-02-19"

// documentsQuery lists the published documents whose group ID is one of the user's. Both the types and
// the groups are parameters: nothing from the token or the request is ever pasted into the query.
const documentsQuery = `*[_type in $types && oktaGroupId in $groups && active != false] | order(title asc) {_id, _type, title, "slug": slug.current, description}`

const (
	sessionCookie  = "session"
	signInCookie   = "signin"
	sessionLife    = 8 * time.Hour
	signInAttempts = 10 * time.Minute
)

// App is the web app; it is an http.Handler.
type App struct {
	cfg      Config
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	mux      *http.ServeMux
}

// New discovers the authorization server and returns the app.
func New(ctx context.Context, cfg Config) (*App, error) {
	if len(cfg.SessionKey) < 32 {
		return nil, errors.New("signedin: the session key must be at least 32 bytes")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, cfg.HTTPClient), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("signedin: discovering %s: %w", cfg.Issuer, err)
	}
	endpoint := provider.Endpoint()
	// Say how the secret is sent: left to guess, x/oauth2 retries a refused exchange with the secret in
	// the form, and the (now used) code then hides the first answer's reason.
	endpoint.AuthStyle = oauth2.AuthStyleInHeader
	a := &App{
		cfg: cfg,
		oauth: oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: endpoint,
			RedirectURL: strings.TrimRight(cfg.BaseURL, "/") + "/callback",
			Scopes:      []string{oidc.ScopeOpenID, "profile", "email", "groups"},
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		mux:      http.NewServeMux(),
	}
	a.mux.HandleFunc("GET /{$}", a.home)
	a.mux.HandleFunc("GET /login", a.login)
	a.mux.HandleFunc("GET /callback", a.callback)
	a.mux.HandleFunc("POST /logout", a.logout)
	return a, nil
}

func (a *App) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	a.mux.ServeHTTP(w, r)
}

// session is what the session cookie holds.
type session struct {
	Subject string         `json:"sub"`
	Claims  map[string]any `json:"claims"`
	Groups  []string       `json:"groups"`
	Expiry  int64          `json:"exp"`
}

// signInState is what the short-lived sign-in cookie holds between /login and /callback.
type signInState struct {
	State, Nonce, Verifier string
	Expiry                 int64
}

// login starts the authorization code flow. A login_hint is passed on (Okta fills in the username).
func (a *App) login(w http.ResponseWriter, r *http.Request) {
	st := signInState{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier(),
		Expiry: time.Now().Add(signInAttempts).Unix()}
	a.setCookie(w, signInCookie, st, signInAttempts)
	opts := []oauth2.AuthCodeOption{oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier)}
	if hint := r.URL.Query().Get("login_hint"); hint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", hint))
	}
	http.Redirect(w, r, a.oauth.AuthCodeURL(st.State, opts...), http.StatusFound)
}

// callback finishes it: the state must match the cookie's, the code is exchanged with the PKCE verifier,
// the ID token verified and its nonce checked.
func (a *App) callback(w http.ResponseWriter, r *http.Request) {
	var st signInState
	if !a.readCookie(r, signInCookie, &st) || st.Expiry < time.Now().Unix() {
		http.Error(w, "The sign-in expired or was started elsewhere; sign in again.", http.StatusBadRequest)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: signInCookie, Path: "/", MaxAge: -1})
	q := r.URL.Query()
	if !hmac.Equal([]byte(q.Get("state")), []byte(st.State)) {
		http.Error(w, "The sign-in state does not match; sign in again.", http.StatusBadRequest)
		return
	}
	if e := q.Get("error"); e != "" {
		a.cfg.Log.Warn("sign-in refused", "error", e, "description", q.Get("error_description"))
		http.Error(w, "Sign-in failed: "+e, http.StatusForbidden)
		return
	}
	ctx := oidc.ClientContext(r.Context(), a.cfg.HTTPClient)
	tok, err := a.oauth.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		a.cfg.Log.Warn("code exchange failed", "error", err)
		http.Error(w, "Sign-in failed: the identity provider refused the code.", http.StatusBadGateway)
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := a.verifier.Verify(ctx, raw)
	if err != nil || !hmac.Equal([]byte(idt.Nonce), []byte(st.Nonce)) {
		a.cfg.Log.Warn("ID token refused", "error", err)
		http.Error(w, "Sign-in failed: the ID token is not valid.", http.StatusBadGateway)
		return
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		http.Error(w, "Sign-in failed: unreadable claims.", http.StatusBadGateway)
		return
	}
	s := session{Subject: idt.Subject, Claims: map[string]any{}, Groups: []string{}, Expiry: time.Now().Add(sessionLife).Unix()}
	for _, k := range []string{"name", "email", "preferred_username"} {
		if v, ok := claims[k]; ok {
			s.Claims[k] = v
		}
	}
	if list, ok := claims[a.cfg.GroupsClaim].([]any); ok {
		for _, g := range list {
			if id, ok := g.(string); ok {
				s.Groups = append(s.Groups, id)
			}
		}
	}
	a.setCookie(w, sessionCookie, s, sessionLife)
	http.Redirect(w, r, "/", http.StatusFound)
}

func (a *App) logout(w http.ResponseWriter, _ *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1})
	w.Header().Set("Location", "/")
	w.WriteHeader(http.StatusSeeOther)
}

// Document is one row of the list.
type Document struct {
	ID          string `json:"_id"`
	Type        string `json:"_type"`
	Title       string `json:"title"`
	Slug        string `json:"slug"`
	Description string `json:"description"`
}

var page = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your documents</title></head><body><main>
{{if .Session}}
<h1>Signed in as {{index .Session.Claims "name"}}</h1>
<h2>Claims</h2>
<dl id="claims">{{range $k, $v := .Session.Claims}}<dt>{{$k}}</dt><dd>{{$v}}</dd>{{end}}<dt>sub</dt><dd>{{.Session.Subject}}</dd></dl>
<h2>Your documents</h2>
<ul id="documents">{{range .Documents}}<li data-id="{{.ID}}"><strong>{{.Title}}</strong> ({{.Type}}) {{.Description}}</li>{{else}}<li>None.</li>{{end}}</ul>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>
{{else}}
<h1>Your documents</h1><p><a id="sign-in" href="/login">Sign in</a></p>
{{end}}
</main></body></html>
`))

func (a *App) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	var s session
	if !a.readCookie(r, sessionCookie, &s) || s.Expiry < time.Now().Unix() {
		_ = page.Execute(w, map[string]any{})
		return
	}
	docs, err := a.Documents(r.Context(), s.Groups)
	if err != nil {
		a.cfg.Log.Error("listing documents", "error", err)
		http.Error(w, "The documents cannot be listed right now.", http.StatusBadGateway)
		return
	}
	_ = page.Execute(w, map[string]any{"Session": s, "Documents": docs})
}

// Documents lists the published documents of the configured types whose group is one of groups.
func (a *App) Documents(ctx context.Context, groups []string) ([]Document, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	types, _ := json.Marshal(a.cfg.Types)
	ids, _ := json.Marshal(groups)
	q := url.Values{"query": {documentsQuery}, "$types": {string(types)}, "$groups": {string(ids)}, "perspective": {"published"}}
	u := strings.TrimRight(a.cfg.SanityAPIHost, "/") + "/" + sanityAPIVersion + "/data/query/" + url.PathEscape(a.cfg.SanityDataset) + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.cfg.SanityToken)
	resp, err := a.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the Content Lake answered %s", resp.Status)
	}
	var out struct {
		Result []Document `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	return out.Result, nil
}

// setCookie stores v as base64(JSON) + "." + base64(HMAC-SHA256 over name and payload).
func (a *App) setCookie(w http.ResponseWriter, name string, v any, life time.Duration) {
	raw, _ := json.Marshal(v)
	payload := base64.RawURLEncoding.EncodeToString(raw)
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: payload + "." + a.mac(name, payload), Path: "/", MaxAge: int(life.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: strings.HasPrefix(a.cfg.BaseURL, "https://"),
	})
}

// readCookie decodes a cookie written by setCookie, or reports false if it is missing or was changed.
func (a *App) readCookie(r *http.Request, name string, v any) bool {
	c, err := r.Cookie(name)
	if err != nil {
		return false
	}
	payload, mac, ok := strings.Cut(c.Value, ".")
	if !ok || !hmac.Equal([]byte(mac), []byte(a.mac(name, payload))) {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	return err == nil && json.Unmarshal(raw, v) == nil
}

func (a *App) mac(name, payload string) string {
	m := hmac.New(sha256.New, a.cfg.SessionKey)
	m.Write([]byte(name + "\x00" + payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
