package oktatest

import "github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"

// adminOIDCRoutes are the admin routes of the OIDC provider (oidc.go).
func (s *Server) adminOIDCRoutes() []fakes.Route {
	return []fakes.Route{
		{Method: "GET", Path: "oidc/apps", Doc: "every OIDC app, with its client secret (OIDCApps)", Handler: fakes.Get(s.OIDCApps)},
		{Method: "POST", Path: "oidc/apps", Doc: `add an OIDC app: {"clientId", "clientSecret" (made up if missing), "public", "redirectUris",` +
			` "groupsClaim", "groupsFilterType" (STARTS_WITH, EQUALS, CONTAINS, REGEX), "groupsFilterValue", "groupsClaimValue" (name or id)} (AddOIDCApp)`,
			Handler: fakes.Call(s.AddOIDCApp)},
		{Method: "GET", Path: "oidc/keys", Doc: `{"kids": [...]}: the published signing keys, the one in use first (SigningKeyIDs)`,
			Handler: fakes.Get(func() map[string][]string { return map[string][]string{"kids": s.SigningKeyIDs()} })},
		{Method: "POST", Path: "oidc/keys/rotate", Doc: `{"kid": "..."}: sign with a new key from now on; the previous one stays published (RotateSigningKey)`,
			Handler: fakes.Get(func() map[string]string { return map[string]string{"kid": s.RotateSigningKey()} })},
		{Method: "PUT", Path: "oidc/login-hint", Doc: `{"allowed": true}: login_hint alone signs an active user in, without the form (AllowLoginHint)`,
			Handler: fakes.Set(func(b struct {
				Allowed bool `json:"allowed"`
			}) error {
				s.AllowLoginHint(b.Allowed)
				return nil
			})},
	}
}
