package oktatest

import (
	"errors"
	"maps"
	"net/http"
	"time"
)

// The admin routes for users, membership and group rules (listed with the
// others in adminindex.go):
//
//	GET    /__admin/users                          every user
//	POST   /__admin/users                          seed a User {"profile","status","password",...}
//	GET    /__admin/users/{idOrLogin}              one user
//	PATCH  /__admin/users/{idOrLogin}              drift: {"status","profile" (merged; null removes),"password"}
//	DELETE /__admin/users/{idOrLogin}              delete at once, whatever the status
//	POST   /__admin/schema/user                    {"name","type",...} add a custom user attribute
//	GET    /__admin/groups/{id}/members            the member IDs
//	PUT    /__admin/groups/{id}/members/{userId}   add a member directly; DELETE removes one
//	POST   /__admin/rules/settle                   run pending rule evaluations now: {"settled": n}
//	GET    /__admin/rules/lag                      {"lag": "0s"}; PUT changes it

type adminUserPatch struct {
	Status   *string        `json:"status"`
	Profile  map[string]any `json:"profile"`
	Password *string        `json:"password"`
}

// serveAdminUsers serves the routes above; it reports false for others.
func (s *Server) serveAdminUsers(w http.ResponseWriter, r *http.Request, path string, parts []string) bool {
	switch {
	case path == "users" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Users())
	case path == "users" && r.Method == http.MethodPost:
		var u User
		if !decodeAdmin(w, r, &u) {
			return true
		}
		created, err := s.AddUser(u)
		if err != nil {
			adminError(w, http.StatusBadRequest, err)
			return true
		}
		writeJSON(w, http.StatusOK, created)
	case len(parts) == 2 && parts[0] == "users":
		s.adminUser(w, r, parts[1])
	case path == "schema/user" && r.Method == http.MethodPost:
		var body struct {
			Name string `json:"name"`
			AttributeDef
		}
		if !decodeAdmin(w, r, &body) {
			return true
		}
		if err := s.AddUserAttribute(body.Name, body.AttributeDef); err != nil {
			adminError(w, http.StatusBadRequest, err)
			return true
		}
		w.WriteHeader(http.StatusNoContent)
	case len(parts) == 3 && parts[0] == "groups" && parts[2] == "members" && r.Method == http.MethodGet:
		if _, ok := s.Group(parts[1]); !ok {
			adminError(w, http.StatusNotFound, ErrNoSuchGroup)
			return true
		}
		writeJSON(w, http.StatusOK, nonNil(s.GroupMembers(parts[1])))
	case len(parts) == 4 && parts[0] == "groups" && parts[2] == "members" && (r.Method == http.MethodPut || r.Method == http.MethodDelete):
		var err error
		if r.Method == http.MethodPut {
			err = s.AddGroupMember(parts[1], parts[3])
		} else {
			err = s.RemoveGroupMember(parts[1], parts[3])
		}
		switch {
		case errors.Is(err, ErrNoSuchGroup), errors.Is(err, ErrNoSuchUser):
			adminError(w, http.StatusNotFound, err)
		case err != nil:
			adminError(w, http.StatusBadRequest, err)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	case path == "rules/settle" && r.Method == http.MethodPost:
		writeJSON(w, http.StatusOK, map[string]int{"settled": s.SettleRules()})
	case path == "rules/lag" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]string{"lag": s.RuleLag().String()})
	case path == "rules/lag" && r.Method == http.MethodPut:
		var body struct {
			Lag string `json:"lag"`
		}
		if !decodeAdmin(w, r, &body) {
			return true
		}
		d, err := time.ParseDuration(body.Lag)
		if err != nil || d < 0 {
			adminError(w, http.StatusBadRequest, errors.New("oktatest: lag must be a non-negative duration like \"2s\""))
			return true
		}
		s.SetRuleLag(d)
		w.WriteHeader(http.StatusNoContent)
	default:
		return false
	}
	return true
}

func (s *Server) adminUser(w http.ResponseWriter, r *http.Request, id string) {
	switch r.Method {
	case http.MethodGet:
		u, ok := s.User(id)
		if !ok {
			adminError(w, http.StatusNotFound, ErrNoSuchUser)
			return
		}
		writeJSON(w, http.StatusOK, u)
	case http.MethodDelete:
		if err := s.DeleteUser(id); err != nil {
			adminError(w, http.StatusNotFound, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPatch:
		var p adminUserPatch
		if !decodeAdmin(w, r, &p) {
			return
		}
		err := s.UpdateUser(id, func(u *User) {
			if p.Status != nil {
				u.Status = *p.Status
			}
			if p.Profile != nil {
				merged := maps.Clone(u.Profile)
				for k, v := range p.Profile {
					if v == nil {
						delete(merged, k)
					} else {
						merged[k] = v
					}
				}
				u.Profile = merged
			}
			if p.Password != nil {
				u.Password = *p.Password
			}
		})
		switch {
		case errors.Is(err, ErrNoSuchUser):
			adminError(w, http.StatusNotFound, err)
		case err != nil:
			adminError(w, http.StatusBadRequest, err)
		default:
			u, _ := s.User(id)
			writeJSON(w, http.StatusOK, u)
		}
	default:
		adminError(w, http.StatusMethodNotAllowed, errors.New("oktatest: use GET, PATCH or DELETE"))
	}
}
