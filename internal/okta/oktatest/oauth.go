package oktatest

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// ServiceApp is an OAuth 2.0 service app that gets access tokens with the
// client credentials grant and a private_key_jwt client assertion.
type ServiceApp struct {
	ClientID string
	// KeyID is the kid of PublicKey. An assertion that names another kid
	// is refused; one without a kid is checked against PublicKey.
	KeyID     string
	PublicKey *rsa.PublicKey
	// Scopes are the scopes granted to the app; it may request any subset.
	Scopes []string
}

// AddServiceApp registers a service app (replacing one with the same ID).
func (s *Server) AddServiceApp(app ServiceApp) error {
	if app.ClientID == "" || app.PublicKey == nil {
		return errors.New("oktatest: a service app needs a client ID and a public key")
	}
	app.Scopes = append([]string(nil), app.Scopes...)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps[app.ClientID] = &app
	return nil
}

const (
	accessTokenLifetime = time.Hour
	assertionType       = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	clockSkew           = time.Minute
)

type tokenError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, tokenError{Error: code, Description: description})
}

// serveToken is POST /oauth2/v1/token. Parameters may come in the form body
// or, as okta-sdk-golang v2 sends them, in the query string.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		oauthError(w, http.StatusMethodNotAllowed, "invalid_request", "The token endpoint accepts only POST.")
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "The request body could not be parsed.")
		return
	}
	if gt := r.Form.Get("grant_type"); gt != "client_credentials" {
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", fmt.Sprintf("The grant type '%s' is not supported by this org; use client_credentials.", gt))
		return
	}
	if r.Form.Get("client_assertion_type") != assertionType {
		oauthError(w, http.StatusBadRequest, "invalid_request", "client_assertion_type must be "+assertionType+".")
		return
	}
	claims, app, refusal := s.verifyAssertion(r.Form.Get("client_assertion"), baseURL(r)+"/oauth2/v1/token")
	if refusal != "" {
		oauthError(w, http.StatusUnauthorized, "invalid_client", refusal)
		return
	}
	requested := strings.Fields(r.Form.Get("scope"))
	if len(requested) == 0 {
		oauthError(w, http.StatusBadRequest, "invalid_scope", "The authorization server resource does not have any configured default scopes, 'scope' must be provided.")
		return
	}
	granted := scopeSet(app.Scopes)
	for _, sc := range requested {
		if !granted[sc] {
			oauthError(w, http.StatusBadRequest, "invalid_scope", "The following scopes are not granted to the client: "+sc)
			return
		}
	}
	token := randomString(64)
	s.mu.Lock()
	s.pruneExpired(time.Now())
	if claims.ID != "" {
		s.usedJTI[claims.ID] = time.Unix(claims.Expiry, 0)
	}
	s.tokens[token] = grant{kind: "Bearer", scopes: scopeSet(requested), expiry: time.Now().Add(accessTokenLifetime)}
	s.mu.Unlock()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"token_type": "Bearer", "expires_in": int(accessTokenLifetime.Seconds()),
		"access_token": token, "scope": strings.Join(requested, " "),
	})
}

// pruneExpired forgets expired access tokens and assertion IDs, so a
// long-running fake does not grow. Callers hold s.mu.
func (s *Server) pruneExpired(now time.Time) {
	for tok, g := range s.tokens {
		if !g.expiry.IsZero() && now.After(g.expiry) {
			delete(s.tokens, tok)
		}
	}
	for jti, exp := range s.usedJTI {
		if now.After(exp.Add(clockSkew)) {
			delete(s.usedJTI, jti)
		}
	}
}

type assertionClaims struct {
	Issuer   string `json:"iss"`
	Subject  string `json:"sub"`
	Audience any    `json:"aud"` // a string or a list
	Expiry   int64  `json:"exp"`
	IssuedAt int64  `json:"iat"`
	ID       string `json:"jti"`
}

// verifyAssertion checks a private_key_jwt client assertion: RS256 signed
// by the app's key, iss = sub = client ID, aud = the token endpoint, not
// expired, valid for at most an hour, not replayed. It returns the
// error_description of a refusal, or "".
func (s *Server) verifyAssertion(jwt, audience string) (assertionClaims, *ServiceApp, string) {
	var claims assertionClaims
	parts := strings.Split(jwt, ".")
	if jwt == "" || len(parts) != 3 {
		return claims, nil, "The client_assertion is not a signed JWT."
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return claims, nil, "The client_assertion header is malformed."
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return claims, nil, "The client_assertion claims are malformed."
	}
	if header.Alg != "RS256" {
		return claims, nil, fmt.Sprintf("The client_assertion algorithm %q is not supported; use RS256.", header.Alg)
	}
	s.mu.Lock()
	app := s.apps[claims.Subject]
	_, replayed := s.usedJTI[claims.ID]
	s.mu.Unlock()
	if app == nil || claims.Issuer != claims.Subject {
		return claims, nil, "The client_id is not known, or iss and sub of the client_assertion differ."
	}
	if header.Kid != "" && app.KeyID != "" && header.Kid != app.KeyID {
		return claims, nil, "The client_assertion token has a kid which does not identify a JWK of the client."
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return claims, nil, "The client_assertion signature is invalid."
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(app.PublicKey, crypto.SHA256, digest[:], sig); err != nil {
		return claims, nil, "The client_assertion signature is invalid."
	}
	if !audienceMatches(claims.Audience, audience) {
		return claims, nil, fmt.Sprintf("The audience of the client_assertion must be %s.", audience)
	}
	now := time.Now()
	exp := time.Unix(claims.Expiry, 0)
	switch {
	case claims.Expiry == 0 || now.After(exp.Add(clockSkew)):
		return claims, nil, "The client_assertion token is expired."
	case exp.After(now.Add(time.Hour + clockSkew)):
		return claims, nil, "The client_assertion token has an expiration too far in the future."
	case claims.IssuedAt != 0 && time.Unix(claims.IssuedAt, 0).After(now.Add(clockSkew)):
		return claims, nil, "The client_assertion token was issued in the future."
	case claims.ID != "" && replayed:
		return claims, nil, "The client_assertion token has already been used."
	}
	return claims, app, ""
}

func audienceMatches(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, v := range a {
			if v == want {
				return true
			}
		}
	}
	return false
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}
