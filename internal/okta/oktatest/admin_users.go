package oktatest

import (
	"errors"
	"maps"
	"net/http"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"
)

type adminUserPatch struct {
	Status   *string        `json:"status"`
	Profile  map[string]any `json:"profile"`
	Password *string        `json:"password"`
}

// adminUserRoutes are the admin routes for users, membership and group rules.
func (s *Server) adminUserRoutes() []fakes.Route {
	return []fakes.Route{
		{Method: "GET", Path: "users", Doc: "every user, deprovisioned ones and the token's admin included (Users)", Handler: fakes.Get(s.Users)},
		{Method: "POST", Path: "users", Doc: `add a User: {"profile": {"login", "email", ...}, "status" (ACTIVE by default), "password"} (AddUser)`,
			Handler: fakes.Call(s.AddUser)},
		{Method: "GET", Path: "users/{idOrLogin}", Doc: "one user (User)", Handler: s.adminUser},
		{Method: "PATCH", Path: "users/{idOrLogin}", Doc: `drift: {"status", "profile" (merged; null removes an attribute), "password"}; group rules look at the user again (UpdateUser)`,
			Handler: s.adminUser},
		{Method: "DELETE", Path: "users/{idOrLogin}", Doc: "delete a user at once, whatever its status (DeleteUser)", Handler: s.adminUser},
		{Method: "POST", Path: "schema/user", Doc: `{"name","type",...}: add a custom user attribute (AddUserAttribute)`,
			Handler: fakes.Set(func(b adminAttribute) error { return s.AddUserAttribute(b.Name, b.AttributeDef) })},
		{Method: "GET", Path: "groups/{id}/members", Doc: "the IDs of a group's members (GroupMembers)", Handler: fakes.Answer(func(r *http.Request) (any, error) {
			if _, ok := s.Group(r.PathValue("id")); !ok {
				return nil, fakes.WithStatus(http.StatusNotFound, ErrNoSuchGroup)
			}
			return nonNil(s.GroupMembers(r.PathValue("id"))), nil
		})},
		{Method: "PUT", Path: "groups/{id}/members/{userId}", Doc: "add a member directly, as an admin would (AddGroupMember)",
			Handler: fakes.Answer(func(r *http.Request) (any, error) {
				return nil, memberError(s.AddGroupMember(r.PathValue("id"), r.PathValue("userId")))
			})},
		{Method: "DELETE", Path: "groups/{id}/members/{userId}", Doc: "remove a member, however it got there (RemoveGroupMember)",
			Handler: fakes.Answer(func(r *http.Request) (any, error) {
				return nil, memberError(s.RemoveGroupMember(r.PathValue("id"), r.PathValue("userId")))
			})},
		{Method: "POST", Path: "rules/settle", Doc: `run the pending group-rule evaluations now: {"settled": n} (SettleRules)`,
			Handler: fakes.Get(func() map[string]int { return map[string]int{"settled": s.SettleRules()} })},
		{Method: "GET", Path: "rules/lag", Doc: `{"lag": "0s"}: how long group rules take to move users (Limits)`,
			Handler: fakes.Get(func() map[string]string { return map[string]string{"lag": s.Limits().RuleLag.String()} })},
		{Method: "PUT", Path: "rules/lag", Doc: `change it: {"lag": "2s"} (SetLimits)`, Handler: fakes.Set(func(b struct {
			Lag string `json:"lag"`
		}) error {
			d, err := time.ParseDuration(b.Lag)
			if err != nil || d < 0 {
				return errors.New("oktatest: lag must be a non-negative duration like \"2s\"")
			}
			l := s.Limits()
			l.RuleLag = d
			s.SetLimits(l)
			return nil
		})},
	}
}

func memberError(err error) error {
	if errors.Is(err, ErrNoSuchGroup) || errors.Is(err, ErrNoSuchUser) {
		return fakes.WithStatus(http.StatusNotFound, err)
	}
	return err
}

func (s *Server) adminUser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("idOrLogin")
	switch r.Method {
	case http.MethodGet:
		u, ok := s.User(id)
		if !ok {
			fakes.WriteError(w, http.StatusNotFound, ErrNoSuchUser)
			return
		}
		writeJSON(w, http.StatusOK, u)
	case http.MethodDelete:
		if err := s.DeleteUser(id); err != nil {
			fakes.WriteError(w, http.StatusNotFound, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPatch:
		var p adminUserPatch
		if err := fakes.DecodeBody(r, &p); err != nil {
			fakes.WriteError(w, http.StatusBadRequest, err)
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
			fakes.WriteError(w, http.StatusNotFound, err)
		case err != nil:
			fakes.WriteError(w, http.StatusBadRequest, err)
		default:
			u, _ := s.User(id)
			writeJSON(w, http.StatusOK, u)
		}
	default:
		fakes.WriteError(w, http.StatusMethodNotAllowed, errors.New("oktatest: use GET, PATCH or DELETE"))
	}
}
