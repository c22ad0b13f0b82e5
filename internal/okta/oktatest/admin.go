package oktatest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"
)

// The admin API mirrors the Go API for programs that run the fake out of process (the local stack). It
// is not part of Okta's API, needs no token, is neither rate-limited nor logged, and answers errors as
// {"error": "..."}. Each route calls the Server methods its Doc names; durations are Go duration
// strings ("1.5s").
func (s *Server) adminRoutes() []fakes.Route {
	return append([]fakes.Route{
		{Method: "GET", Path: "token", Doc: `{"token": "..."}: the full-rights API token (Token)`,
			Handler: fakes.Get(func() map[string]string { return map[string]string{"token": s.Token()} })},
		{Method: "POST", Path: "tokens", Doc: `{"token","scopes"}: add a limited token, made up if missing (AddToken)`,
			Handler: fakes.Call(s.adminAddToken)},
		{Method: "POST", Path: "apps", Doc: `{"clientId","keyId","publicKeyPem","scopes"}: add a service app (AddServiceApp)`,
			Handler: fakes.Set(s.adminAddServiceApp)},
		{Method: "GET", Path: "groups", Doc: "every group (Groups)", Handler: fakes.Get(s.Groups)},
		{Method: "POST", Path: "groups", Doc: "seed a Group of any type (AddGroup)", Handler: fakes.Call(s.AddGroup)},
		{Method: "GET", Path: "groups/{id}", Doc: "one group (Group)", Handler: fakes.Answer(func(r *http.Request) (any, error) {
			g, ok := s.Group(r.PathValue("id"))
			if !ok {
				return nil, fakes.WithStatus(http.StatusNotFound, ErrNoSuchGroup)
			}
			return g, nil
		})},
		{Method: "PATCH", Path: "groups/{id}", Doc: `drift: {"name","description","attributes","adminPrivilege","usersCount"} (UpdateGroup)`,
			Handler: fakes.Answer(s.adminPatchGroup)},
		{Method: "DELETE", Path: "groups/{id}", Doc: "delete behind the client's back (DeleteGroup)", Handler: fakes.Answer(func(r *http.Request) (any, error) {
			return nil, fakes.WithStatus(http.StatusNotFound, s.DeleteGroup(r.PathValue("id")))
		})},
		{Method: "GET", Path: "rules", Doc: "every group rule (GroupRules)", Handler: fakes.Get(s.GroupRules)},
		{Method: "POST", Path: "schema/group", Doc: `{"name","type","maxLength"}: add a custom attribute (AddGroupAttribute)`,
			Handler: fakes.Set(func(b adminAttribute) error { return s.AddGroupAttribute(b.Name, b.AttributeDef) })},
		{Method: "POST", Path: "faults", Doc: "install a Fault (AddFault)", Handler: fakes.Set(s.AddFault)},
		{Method: "DELETE", Path: "faults", Doc: "remove every fault (ClearFaults)", Handler: fakes.Do(s.ClearFaults)},
		{Method: "POST", Path: "outage", Doc: `{"duration":"5s"}: answers, then refuses connections for that long (Outage)`,
			Handler: fakes.Outage(s.Outage)},
		{Method: "GET", Path: "requests", Doc: `{"count","requests"}: the request log, ?method= and ?path= (a pattern) filter it (Requests)`,
			Handler: fakes.Requests(s.log)},
		{Method: "DELETE", Path: "requests", Doc: "clear the request log and the bucket counters (ResetRequests)", Handler: fakes.Do(s.ResetRequests)},
		{Method: "GET", Path: "buckets", Doc: "per-bucket counters (Buckets)", Handler: fakes.Get(s.Buckets)},
		{Method: "GET", Path: "config", Doc: `{"rateLimit","window","concurrencyLimit","searchLag"}: the limits (Limits)`,
			Handler: fakes.Get(func() adminConfig { return configOf(s.Limits()) })},
		{Method: "PUT", Path: "config", Doc: `change the limits: the fields of GET config, each optional, applied after` +
			` "profile": "developer" (a developer org's limits) or "unlimited" (SetLimits)`, Handler: fakes.Set(s.applyConfig)},
	}, append(s.adminUserRoutes(), s.adminOIDCRoutes()...)...)
}

type adminConfig struct {
	// Profile "developer" starts from DeveloperOrgLimits, "unlimited" from no limits; the other fields
	// then adjust it.
	Profile          string  `json:"profile,omitempty"`
	RateLimit        *int    `json:"rateLimit,omitempty"`
	Window           *string `json:"window,omitempty"`
	ConcurrencyLimit *int    `json:"concurrencyLimit,omitempty"`
	SearchLag        *string `json:"searchLag,omitempty"`
}

func configOf(l Limits) adminConfig {
	window, lag := l.Window.String(), l.SearchLag.String()
	return adminConfig{RateLimit: &l.Rate, Window: &window, ConcurrencyLimit: &l.Concurrency, SearchLag: &lag}
}

func (s *Server) applyConfig(c adminConfig) error {
	l := s.Limits()
	switch c.Profile {
	case "":
	case "developer":
		d := DeveloperOrgLimits()
		l.Rate, l.Window, l.Concurrency = d.Rate, d.Window, d.Concurrency
	case "unlimited":
		l.Rate, l.Concurrency = 0, 0
	default:
		return errors.New(`oktatest: profile must be "developer" or "unlimited"`)
	}
	if c.RateLimit != nil {
		l.Rate = *c.RateLimit
	}
	if c.ConcurrencyLimit != nil {
		l.Concurrency = *c.ConcurrencyLimit
	}
	for _, d := range []struct {
		name string
		v    *string
		to   *time.Duration
	}{{"window", c.Window, &l.Window}, {"searchLag", c.SearchLag, &l.SearchLag}} {
		if d.v == nil {
			continue
		}
		v, err := fakes.ParseDuration(d.name, *d.v)
		if err != nil {
			return err
		}
		*d.to = v
	}
	s.SetLimits(l)
	return nil
}

type adminToken struct {
	Token  string   `json:"token"`
	Scopes []string `json:"scopes"`
}

func (s *Server) adminAddToken(b adminToken) (adminToken, error) {
	if b.Token == "" {
		b.Token = "00" + randomString(40)
	}
	s.AddToken(b.Token, b.Scopes...)
	return adminToken{Token: b.Token}, nil
}

type adminApp struct {
	ClientID     string   `json:"clientId"`
	KeyID        string   `json:"keyId"`
	PublicKeyPEM string   `json:"publicKeyPem"`
	Scopes       []string `json:"scopes"`
}

func (s *Server) adminAddServiceApp(b adminApp) error {
	key, err := parsePublicKey(b.PublicKeyPEM)
	if err != nil {
		return err
	}
	return s.AddServiceApp(ServiceApp{ClientID: b.ClientID, KeyID: b.KeyID, PublicKey: key, Scopes: b.Scopes})
}

type adminAttribute struct {
	Name string `json:"name"`
	AttributeDef
}

type adminGroupPatch struct {
	Name           *string         `json:"name"`
	Description    *string         `json:"description"`
	Attributes     *map[string]any `json:"attributes"`
	AdminPrivilege *bool           `json:"adminPrivilege"`
	UsersCount     *int            `json:"usersCount"`
}

func (s *Server) adminPatchGroup(r *http.Request) (any, error) {
	id := r.PathValue("id")
	var p adminGroupPatch
	if err := fakes.DecodeBody(r, &p); err != nil {
		return nil, err
	}
	err := s.UpdateGroup(id, func(g *Group) {
		if p.Name != nil {
			g.Name = *p.Name
		}
		if p.Description != nil {
			g.Description = *p.Description
		}
		if p.Attributes != nil {
			g.Attributes = *p.Attributes
		}
		if p.AdminPrivilege != nil {
			g.AdminPrivilege = *p.AdminPrivilege
		}
		if p.UsersCount != nil {
			g.UsersCount = *p.UsersCount
		}
	})
	if errors.Is(err, ErrNoSuchGroup) {
		return nil, fakes.WithStatus(http.StatusNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	g, _ := s.Group(id)
	return g, nil
}

func parsePublicKey(pemText string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("oktatest: publicKeyPem is not PEM")
	}
	if block.Type == "RSA PUBLIC KEY" {
		return x509.ParsePKCS1PublicKey(block.Bytes)
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	rsaKey, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("oktatest: the public key is not RSA")
	}
	return rsaKey, nil
}

// AdminRoutes lists the admin API, as GET /__admin/ answers it.
func AdminRoutes() []fakes.IndexEntry { return fakes.Index((&Server{}).adminRoutes()) }
