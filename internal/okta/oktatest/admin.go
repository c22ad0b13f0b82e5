package oktatest

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"time"
)

// The admin API mirrors the Go API for programs that run the fake out of
// process (the local stack). It is not part of Okta's API, needs no token,
// is neither rate-limited nor logged, and answers errors as
// {"error": "..."}.
//
//	GET    /__admin/token               {"token": "..."} the full-rights API token
//	POST   /__admin/tokens              {"token","scopes"} add a limited token
//	POST   /__admin/apps                {"clientId","keyId","publicKeyPem","scopes"}
//	GET    /__admin/groups              every group
//	POST   /__admin/groups              seed a Group (any type)
//	GET    /__admin/groups/{id}         one group
//	PATCH  /__admin/groups/{id}         drift: {"name","description","attributes","adminPrivilege","usersCount"}
//	DELETE /__admin/groups/{id}         delete behind the client's back
//	GET    /__admin/rules               every group rule
//	POST   /__admin/schema/group        {"name","type","maxLength"} add a custom attribute
//	GET    /__admin/faults              (none listed) / POST a Fault (delay and retryAfter as "1.5s";
//	                                    fraction and seed for a share of the requests) / DELETE all
//	POST   /__admin/outage              {"duration":"5s"}: answers, then refuses connections for that long
//	GET    /__admin/requests            request log; DELETE clears it and the counters
//	GET    /__admin/buckets             per-bucket counters
//	GET    /__admin/config              limits; PUT changes them:
//	                                    {"profile":"developer"|"unlimited","rateLimit","window",
//	                                     "concurrencyLimit","searchLag"} (durations as "60s")

type adminConfig struct {
	// Profile "developer" applies WithDeveloperOrgLimits; "unlimited"
	// turns both limits off. Other fields then adjust it.
	Profile          string  `json:"profile,omitempty"`
	RateLimit        *int    `json:"rateLimit,omitempty"`
	Window           *string `json:"window,omitempty"`
	ConcurrencyLimit *int    `json:"concurrencyLimit,omitempty"`
	SearchLag        *string `json:"searchLag,omitempty"`
}

// outageAnswerMargin is how long an outage asked for over /__admin/ waits to
// begin, so that its own answer reaches the caller.
const outageAnswerMargin = 50 * time.Millisecond

type adminFault struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Status int    `json:"status"`
	Delay  string `json:"delay"`
	Drop   bool   `json:"drop"`
	Apply  bool   `json:"apply"`
	Times  int    `json:"times"`

	RetryAfter string  `json:"retryAfter"`
	Fraction   float64 `json:"fraction"`
	Seed       uint64  `json:"seed"`
}

type adminGroupPatch struct {
	Name           *string         `json:"name"`
	Description    *string         `json:"description"`
	Attributes     *map[string]any `json:"attributes"`
	AdminPrivilege *bool           `json:"adminPrivilege"`
	UsersCount     *int            `json:"usersCount"`
}

func adminError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func decodeAdmin(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		adminError(w, http.StatusBadRequest, errors.New("oktatest: bad admin request body: "+err.Error()))
		return false
	}
	return true
}

func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if serveAdminIndex(w, r) {
		return
	}
	path := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/__admin/"), "/")
	parts := strings.Split(path, "/")
	switch {
	case path == "token" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]string{"token": s.token})

	case path == "tokens" && r.Method == http.MethodPost:
		var body struct {
			Token  string   `json:"token"`
			Scopes []string `json:"scopes"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		if body.Token == "" {
			body.Token = "00" + randomString(40)
		}
		s.AddToken(body.Token, body.Scopes...)
		writeJSON(w, http.StatusOK, map[string]string{"token": body.Token})

	case path == "apps" && r.Method == http.MethodPost:
		var body struct {
			ClientID     string   `json:"clientId"`
			KeyID        string   `json:"keyId"`
			PublicKeyPEM string   `json:"publicKeyPem"`
			Scopes       []string `json:"scopes"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		key, err := parsePublicKey(body.PublicKeyPEM)
		if err != nil {
			adminError(w, http.StatusBadRequest, err)
			return
		}
		if err := s.AddServiceApp(ServiceApp{ClientID: body.ClientID, KeyID: body.KeyID, PublicKey: key, Scopes: body.Scopes}); err != nil {
			adminError(w, http.StatusBadRequest, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)

	case path == "groups" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Groups())

	case path == "groups" && r.Method == http.MethodPost:
		var g Group
		if !decodeAdmin(w, r, &g) {
			return
		}
		created, err := s.AddGroup(g)
		if err != nil {
			adminError(w, http.StatusBadRequest, err)
			return
		}
		writeJSON(w, http.StatusOK, created)

	case len(parts) == 2 && parts[0] == "groups":
		s.adminGroup(w, r, parts[1])

	case path == "rules" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.GroupRules())

	case path == "schema/group" && r.Method == http.MethodPost:
		var body struct {
			Name string `json:"name"`
			AttributeDef
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		if err := s.AddGroupAttribute(body.Name, body.AttributeDef); err != nil {
			adminError(w, http.StatusBadRequest, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)

	case path == "faults" && r.Method == http.MethodPost:
		var f adminFault
		if !decodeAdmin(w, r, &f) {
			return
		}
		var delay time.Duration
		if f.Delay != "" {
			d, err := time.ParseDuration(f.Delay)
			if err != nil {
				adminError(w, http.StatusBadRequest, err)
				return
			}
			delay = d
		}
		var retryAfter time.Duration
		if f.RetryAfter != "" {
			d, err := time.ParseDuration(f.RetryAfter)
			if err != nil {
				adminError(w, http.StatusBadRequest, err)
				return
			}
			retryAfter = d
		}
		if err := s.AddFault(Fault{Method: f.Method, Path: f.Path, Status: f.Status, Delay: delay, Drop: f.Drop, Apply: f.Apply, Times: f.Times,
			RetryAfter: retryAfter, Fraction: f.Fraction, Seed: f.Seed}); err != nil {
			adminError(w, http.StatusBadRequest, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)

	case path == "outage" && r.Method == http.MethodPost:
		var body struct {
			Duration string `json:"duration"`
		}
		if !decodeAdmin(w, r, &body) {
			return
		}
		d, err := time.ParseDuration(body.Duration)
		if err != nil || d <= 0 {
			adminError(w, http.StatusBadRequest, errors.New("oktatest: outage duration must be a positive duration such as \"5s\""))
			return
		}
		w.WriteHeader(http.StatusNoContent)
		// The answer goes out first: the outage closes this connection too.
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		go func() {
			time.Sleep(outageAnswerMargin)
			s.Outage(d)
		}()

	case path == "faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)

	case path == "requests" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Requests())

	case path == "requests" && r.Method == http.MethodDelete:
		s.ResetRequests()
		w.WriteHeader(http.StatusNoContent)

	case path == "buckets" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Buckets())

	case path == "config" && r.Method == http.MethodGet:
		s.mu.Lock()
		l := s.limits
		s.mu.Unlock()
		window, lag := l.window.String(), l.searchLag.String()
		writeJSON(w, http.StatusOK, adminConfig{RateLimit: &l.rate, Window: &window, ConcurrencyLimit: &l.concurrency, SearchLag: &lag})

	case path == "config" && r.Method == http.MethodPut:
		var c adminConfig
		if !decodeAdmin(w, r, &c) {
			return
		}
		if err := s.applyConfig(c); err != nil {
			adminError(w, http.StatusBadRequest, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)

	case s.serveAdminUsers(w, r, path, parts):
	default:
		adminError(w, http.StatusNotFound, errors.New("oktatest: no admin endpoint "+r.Method+" "+r.URL.Path))
	}
}

func (s *Server) adminGroup(w http.ResponseWriter, r *http.Request, id string) {
	switch r.Method {
	case http.MethodGet:
		g, ok := s.Group(id)
		if !ok {
			adminError(w, http.StatusNotFound, ErrNoSuchGroup)
			return
		}
		writeJSON(w, http.StatusOK, g)
	case http.MethodDelete:
		if err := s.DeleteGroup(id); err != nil {
			adminError(w, http.StatusNotFound, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPatch:
		var p adminGroupPatch
		if !decodeAdmin(w, r, &p) {
			return
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
		switch {
		case errors.Is(err, ErrNoSuchGroup):
			adminError(w, http.StatusNotFound, err)
		case err != nil:
			adminError(w, http.StatusBadRequest, err)
		default:
			g, _ := s.Group(id)
			writeJSON(w, http.StatusOK, g)
		}
	default:
		adminError(w, http.StatusMethodNotAllowed, errors.New("oktatest: use GET, PATCH or DELETE"))
	}
}

func (s *Server) applyConfig(c adminConfig) error {
	parse := func(v *string) (time.Duration, error) {
		if v == nil {
			return 0, nil
		}
		return time.ParseDuration(*v)
	}
	window, err := parse(c.Window)
	if err != nil {
		return err
	}
	lag, err := parse(c.SearchLag)
	if err != nil {
		return err
	}
	switch c.Profile {
	case "":
	case "developer":
		s.SetRateLimit(DeveloperOrgRateLimit, time.Minute)
		s.SetConcurrencyLimit(DeveloperOrgConcurrency)
	case "unlimited":
		s.SetRateLimit(0, 0)
		s.SetConcurrencyLimit(0)
	default:
		return errors.New(`oktatest: profile must be "developer" or "unlimited"`)
	}
	s.mu.Lock()
	rate := s.limits.rate
	s.mu.Unlock()
	if c.RateLimit != nil {
		rate = *c.RateLimit
	}
	if c.RateLimit != nil || c.Window != nil {
		s.SetRateLimit(rate, window)
	}
	if c.ConcurrencyLimit != nil {
		s.SetConcurrencyLimit(*c.ConcurrencyLimit)
	}
	if c.SearchLag != nil {
		s.SetSearchLag(lag)
	}
	return nil
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
