package sanitytest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"
)

// apiVersion is a parsed version path segment.
type apiVersion struct {
	name string // "v1", "vX", "v2025-02-19"
	// defaultPerspective is "raw" before 2025-02-19 and "published" from then on.
	defaultPerspective string
	// releases says whether versions.* documents and release perspectives exist for this version.
	releases bool
}

var datedVersionRe = regexp.MustCompile(`^v(\d{4}-\d{2}-\d{2})$`)

// releasesSince is the API version that made "published" the default perspective and added versions.
const releasesSince = "2025-02-19"

func parseVersion(seg string) (apiVersion, bool) {
	switch seg {
	case "v1":
		return apiVersion{name: seg, defaultPerspective: "raw"}, true
	case "vX":
		return apiVersion{name: seg, defaultPerspective: "published", releases: true}, true
	}
	m := datedVersionRe.FindStringSubmatch(seg)
	if m == nil {
		return apiVersion{}, false
	}
	if _, err := time.Parse("2006-01-02", m[1]); err != nil {
		return apiVersion{}, false
	}
	if m[1] >= releasesSince {
		return apiVersion{name: seg, defaultPerspective: "published", releases: true}, true
	}
	return apiVersion{name: seg, defaultPerspective: "raw"}, true
}

// caller is who sent a request.
type caller struct {
	role Role // "" for anonymous
}

func (c caller) canReadPrivate() bool { return c.role == RoleRead || c.role == RoleWrite }
func (c caller) canWrite() bool       { return c.role == RoleWrite }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, fakes.AdminPrefix) {
		s.admin.ServeHTTP(w, r)
		return
	}
	start := time.Now()
	rec := &fakes.StatusRecorder{ResponseWriter: w}
	// A dropped connection is logged before it drops: the client retries at once, and a test that counts
	// requests after the retry must see the dropped one.
	logged := false
	var f *Fault
	logRequest := func(dropped bool) {
		if logged {
			return
		}
		logged = true
		status := rec.Status
		if dropped {
			status = 0
		}
		entry := Request{
			Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
			Status: status, Time: start, Duration: time.Since(start),
		}
		if f != nil {
			entry.Fault = f.Summary()
		}
		s.requests.Add(entry)
	}
	defer logRequest(false)

	traceID := randomHex(16)
	rec.Header().Set("traceparent", "00-"+traceID+"-"+randomHex(8)+"-01")

	f = s.faults.Take(r.Method, r.URL.Path)
	if f != nil && f.Delay > 0 {
		select {
		case <-time.After(f.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if f == nil || !f.Answers() {
		s.serveChecked(rec, r)
		return
	}
	if f.Apply {
		// The request is handled (a mutation is committed), but the client sees the fault.
		s.serveChecked(httptest.NewRecorder(), r)
	}
	if f.Drop {
		logRequest(true)
		fakes.DropConnection(rec)
		return
	}
	fakes.WriteStatus(rec, f, func(w http.ResponseWriter, status int) {
		writeBoom(w, status, http.StatusText(status), "")
	})
}

// serveChecked applies the rate limits and authentication, then routes.
func (s *Server) serveChecked(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r) {
		return
	}
	who, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	s.route(w, r, who)
}

// authenticate resolves the bearer token. An unknown token is a 401; no token is an anonymous caller.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (caller, bool) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if s.cfg.anonymousReadsDisabled {
			writeBoom(w, http.StatusUnauthorized, "Not authorized", "")
			return caller{}, false
		}
		return caller{}, true
	}
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		writeBoom(w, http.StatusUnauthorized, "Session not found", "SIO-401-ANF")
		return caller{}, false
	}
	role, ok := s.cfg.tokens[strings.TrimSpace(token)]
	if !ok {
		writeBoom(w, http.StatusUnauthorized, "Session not found", "SIO-401-ANF")
		return caller{}, false
	}
	return caller{role: role}, true
}

var (
	dataRouteRe  = regexp.MustCompile(`^/(v[^/]+)/data/(query|mutate|doc|actions|export)/([^/]+)(?:/(.*))?$`)
	hooksRouteRe = regexp.MustCompile(`^/(v[^/]+)/hooks/projects/([^/]+)(?:/([^/]+))?(?:/(attempts|messages))?/?$`)
)

func (s *Server) route(w http.ResponseWriter, r *http.Request, who caller) {
	if m := dataRouteRe.FindStringSubmatch(r.URL.Path); m != nil {
		ver, ok := parseVersion(m[1])
		if !ok {
			writeError(w, http.StatusBadRequest, map[string]any{
				"type":        "httpBadRequest",
				"description": fmt.Sprintf("invalid API version %q: use v1, vX or a date such as v%s", strings.TrimPrefix(m[1], "v"), releasesSince),
			})
			return
		}
		if m[3] != s.cfg.dataset {
			writeError(w, http.StatusNotFound, map[string]any{
				"type":        "datasetNotFoundError",
				"description": fmt.Sprintf("Dataset %q not found for project ID %q", m[3], s.cfg.projectID),
			})
			return
		}
		switch {
		case m[2] == "query" && (r.Method == http.MethodGet || r.Method == http.MethodPost) && m[4] == "":
			s.handleQuery(w, r, who, ver)
		case m[2] == "mutate" && r.Method == http.MethodPost && m[4] == "":
			s.handleMutate(w, r, who, ver)
		case m[2] == "doc" && r.Method == http.MethodGet && m[4] != "":
			s.handleDoc(w, r, who, ver, m[4])
		case m[2] == "actions" && r.Method == http.MethodPost && m[4] == "":
			s.handleActions(w, r, who, ver)
		case m[2] == "export" && r.Method == http.MethodGet && m[4] == "":
			s.handleExport(w, r, who, ver)
		default:
			writeBoom(w, http.StatusMethodNotAllowed, "Method not allowed", "")
		}
		return
	}
	if m := hooksRouteRe.FindStringSubmatch(r.URL.Path); m != nil {
		s.hooks.serveAPI(w, r, who, m[2], m[3], m[4])
		return
	}
	writeBoom(w, http.StatusNotFound, "Not Found", "")
}

// readBody reads at most limit bytes; beyond that it answers 413 and returns false.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	if r.ContentLength > limit {
		writeBoom(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body is larger than the limit of %d bytes", limit), "")
		return nil, false
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		writeError(w, http.StatusBadRequest, map[string]any{"type": "httpBadRequest", "description": "reading the request body: " + err.Error()})
		return nil, false
	}
	if int64(len(body)) > limit {
		writeBoom(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("Request body is larger than the limit of %d bytes", limit), "")
		return nil, false
	}
	return body, true
}

// writeInvalidBody answers a body that is not the JSON the endpoint expects, echoing (part of) it.
func writeInvalidBody(w http.ResponseWriter, body []byte, err error) {
	const echo = 1000
	truncated := len(body) > echo
	if truncated {
		body = body[:echo]
	}
	desc := err.Error()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		desc = strings.TrimPrefix(se.Error(), "json: ")
	}
	writeError(w, http.StatusBadRequest, map[string]any{
		"type": "httpInvalidRequestBody", "description": desc, "body": string(body), "bodyTruncated": truncated,
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"error":{"description":"sanitytest: encoding the answer failed"}}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError sends the {"error": {...}} shape.
func writeError(w http.ResponseWriter, status int, detail map[string]any) {
	writeJSON(w, status, map[string]any{"error": detail})
}

// writeBoom sends the {statusCode, error, message} shape of the API gateway.
func writeBoom(w http.ResponseWriter, status int, message, code string) {
	body := map[string]any{"statusCode": status, "error": http.StatusText(status), "message": message}
	if code != "" {
		body["errorCode"] = code
	}
	writeJSON(w, status, body)
}

func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
