package oktatest

import (
	"net/http"
	"strings"
)

// AdminRoute is one route of the admin API under /__admin/.
type AdminRoute struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Description string `json:"description"`
}

var adminRoutes = []AdminRoute{
	{"GET", "/__admin/", "this list of routes"},
	{"GET", "/__admin/token", `{"token": "..."}, the full-rights API token`},
	{"POST", "/__admin/tokens", `add a token limited to some scopes: {"token", "scopes"} (token generated when empty)`},
	{"POST", "/__admin/apps", `register an OAuth service app: {"clientId", "keyId", "publicKeyPem", "scopes"}`},
	{"GET", "/__admin/groups", "every group"},
	{"POST", "/__admin/groups", "add a group of any type, as Okta or a directory import would"},
	{"GET", "/__admin/groups/{id}", "one group"},
	{"PATCH", "/__admin/groups/{id}", `drift: change {"name", "description", "attributes", "adminPrivilege", "usersCount"} behind the provider's back`},
	{"DELETE", "/__admin/groups/{id}", "delete a group behind the provider's back"},
	{"GET", "/__admin/rules", "every group rule"},
	{"POST", "/__admin/schema/group", `add a custom group profile attribute: {"name", "type", "maxLength"}`},
	{"POST", "/__admin/faults", `queue a fault: {"method", "path", "status", "delay" (such as "1.5s"), "drop", "apply", "times"}`},
	{"DELETE", "/__admin/faults", "drop the queued faults"},
	{"GET", "/__admin/requests", "the request log"},
	{"DELETE", "/__admin/requests", "clear the request log and the rate-limit counters"},
	{"GET", "/__admin/buckets", "per rate-limit bucket counters"},
	{"GET", "/__admin/config", "the rate and concurrency limits in force"},
	{"PUT", "/__admin/config", `change them: {"profile": "developer" or "unlimited", "rateLimit", "window", "concurrencyLimit", "searchLag"} (durations such as "60s")`},
	{"GET", "/__admin/users", "every user, deprovisioned ones and the token's admin included"},
	{"POST", "/__admin/users", `add a user: {"profile": {"login", "email", ...}, "status" (ACTIVE by default), "password"}`},
	{"GET", "/__admin/users/{idOrLogin}", "one user"},
	{"PATCH", "/__admin/users/{idOrLogin}", `drift: {"status", "profile" (merged; null removes an attribute), "password"}; group rules look at the user again`},
	{"DELETE", "/__admin/users/{idOrLogin}", "delete a user at once, whatever its status"},
	{"POST", "/__admin/schema/user", `add a custom user profile attribute: {"name", "type", ...}`},
	{"GET", "/__admin/groups/{id}/members", "the IDs of a group's members"},
	{"PUT", "/__admin/groups/{id}/members/{userId}", "add a member directly, as an admin would"},
	{"DELETE", "/__admin/groups/{id}/members/{userId}", "remove a member, however it got there"},
	{"POST", "/__admin/rules/settle", `run the pending group-rule evaluations now: {"settled": n}`},
	{"GET", "/__admin/rules/lag", `{"lag": "0s"}, how long group rules take to move users`},
	{"PUT", "/__admin/rules/lag", `change it: {"lag": "2s"}`},
}

// AdminRoutes lists the admin API, as GET /__admin/ answers it.
func AdminRoutes() []AdminRoute { return append([]AdminRoute(nil), adminRoutes...) }

// serveAdminIndex answers GET /__admin/ (and /__admin) with the routes; it reports whether it did.
func serveAdminIndex(w http.ResponseWriter, r *http.Request) bool {
	if strings.Trim(strings.TrimPrefix(r.URL.Path, "/__admin"), "/") != "" || r.Method != http.MethodGet {
		return false
	}
	writeJSON(w, http.StatusOK, map[string]any{"routes": adminRoutes})
	return true
}
