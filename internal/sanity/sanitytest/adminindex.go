package sanitytest

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
	{"GET", "/__admin/info", "project ID, dataset, read and write tokens, URL"},
	{"GET", "/__admin/documents", "every document, ordered by _id"},
	{"POST", "/__admin/documents", "seed documents: NDJSON, one document per line, or a JSON array"},
	{"GET", "/__admin/documents/{id}", "one document (404 when missing)"},
	{"PUT", "/__admin/documents/{id}", "write a whole document, as createOrReplace (webhooks fire)"},
	{"DELETE", "/__admin/documents/{id}", "delete a document (webhooks fire)"},
	{"POST", "/__admin/edit/{id}", "edit drafts.{id} with a JSON object of fields to set, as an editor would (the draft is made from the published document if there is none)"},
	{"POST", "/__admin/publish/{id}", "publish drafts.{id} over {id}, as an editor would"},
	{"POST", "/__admin/unpublish/{id}", "unpublish {id}"},
	{"POST", "/__admin/faults", "queue a fault: {method, path, times, status, body, header, retryAfterSeconds, delayMs, drop}"},
	{"DELETE", "/__admin/faults", "drop the queued faults"},
	{"GET", "/__admin/requests", "the request log; ?method= and ?path= (a pattern, * matches anything) filter it"},
	{"GET", "/__admin/webhooks", "registered webhooks with their deliveries"},
	{"POST", "/__admin/webhooks/wait", "wait (?timeoutMs=, default 10000) until no delivery is pending"},
	{"POST", "/__admin/reset", "empty everything: documents, webhooks, faults, the request log"},
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
