package sanitytest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// perspective is a parsed perspective parameter.
type perspective struct {
	name string // "raw", "published", "drafts" or "stack"
	// stack lists, highest priority first, "drafts" and release IDs overlaid on published documents.
	stack []string
}

// parsePerspective validates the perspective parameter for the API version.
func parsePerspective(v string, ver apiVersion) (perspective, error) {
	switch v {
	case "":
		return perspective{name: ver.defaultPerspective}, nil
	case "raw", "published", "drafts":
		return perspective{name: v}, nil
	case "previewDrafts":
		return perspective{name: "drafts"}, nil
	}
	parts := strings.Split(v, ",")
	if len(parts) < 2 && !ver.releases {
		return perspective{}, fmt.Errorf("invalid perspective %q: use raw, published or drafts", v)
	}
	if !ver.releases {
		return perspective{}, fmt.Errorf("perspective %q needs API version v%s or later: release perspectives are not available in this version", v, releasesSince)
	}
	p := perspective{name: "stack"}
	for _, part := range parts {
		part = strings.TrimSpace(part)
		switch {
		case part == "raw":
			return perspective{}, fmt.Errorf("invalid perspective %q: raw cannot be combined with other perspectives", v)
		case part == "published":
			// published is the base every stack is overlaid on.
		case part == "drafts" || part == "previewDrafts":
			p.stack = append(p.stack, "drafts")
		case part != "" && validateID(part) == nil && !strings.Contains(part, "."):
			p.stack = append(p.stack, part)
		default:
			return perspective{}, fmt.Errorf("invalid perspective %q: %q is not a release ID", v, part)
		}
	}
	return p, nil
}

// visibleLocked returns the documents a caller sees through a perspective, ordered by _id.
func (s *Server) visibleLocked(who caller, ver apiVersion, p perspective) []any {
	all := s.snapshotLocked()
	docs := make([]any, 0, len(all))
	for _, d := range all {
		id := storedID(d)
		if !ver.releases && isVersionID(id) {
			continue
		}
		// Documents with a '.' in the ID (drafts, versions, system documents) need a token.
		if !who.canReadPrivate() && strings.Contains(id, ".") {
			continue
		}
		docs = append(docs, d)
	}
	switch p.name {
	case "raw":
		return docs
	case "published":
		out := docs[:0:0]
		for _, d := range docs {
			id := storedID(d)
			if !isDraftID(id) && !isVersionID(id) {
				out = append(out, d)
			}
		}
		return out
	}
	layers := p.stack
	if p.name == "drafts" {
		layers = []string{"drafts"}
	}
	return overlay(docs, layers)
}

// overlay shows, for every document, the highest-priority variant in layers ("drafts" or a release ID),
// falling back to the published document, under the published ID with _originalId naming the source.
func overlay(docs []any, layers []string) []any {
	byID := make(map[string]map[string]any, len(docs))
	for _, d := range docs {
		m := stored(d)
		byID[storedID(m)] = m
	}
	seen := map[string]bool{}
	var order []string
	for _, d := range docs {
		id := storedID(d)
		pid := publishedID(id)
		if isVersionID(id) && !containsLayer(layers, releaseOf(id)) {
			continue
		}
		if !seen[pid] {
			seen[pid] = true
			order = append(order, pid)
		}
	}
	out := make([]any, 0, len(order))
	for _, pid := range order {
		var src map[string]any
		for _, layer := range layers {
			id := "drafts." + pid
			if layer != "drafts" {
				id = "versions." + layer + "." + pid
			}
			if d, ok := byID[id]; ok {
				src = d
				break
			}
		}
		if src == nil {
			src = byID[pid]
		}
		if src == nil {
			continue
		}
		d := make(map[string]any, len(src)+1)
		for k, v := range src {
			d[k] = v
		}
		d["_originalId"] = src["_id"]
		d["_id"] = pid
		out = append(out, d)
	}
	sortDocs(out)
	return out
}

func containsLayer(layers []string, release string) bool {
	for _, l := range layers {
		if l == release {
			return true
		}
	}
	return false
}

func releaseOf(versionID string) string {
	rest := strings.TrimPrefix(versionID, "versions.")
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		return rest[:i]
	}
	return ""
}

// maxGETQuery is the longest query string a GET query may carry; clients switch to POST beyond it.
const maxGETQuery = 11264

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request, who caller, ver apiVersion) {
	start := time.Now()
	q := r.URL.Query()
	var query string
	params := map[string]any{}
	perspectiveParam := q.Get("perspective")
	if r.Method == http.MethodPost {
		body, ok := readBody(w, r, s.cfg.maxRequestBody)
		if !ok {
			return
		}
		var req struct {
			Query       string         `json:"query"`
			Params      map[string]any `json:"params"`
			Perspective string         `json:"perspective"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			writeInvalidBody(w, body, err)
			return
		}
		query = req.Query
		for k, v := range req.Params {
			params[k] = v
		}
		if perspectiveParam == "" {
			perspectiveParam = req.Perspective
		}
	} else {
		if len(r.URL.RawQuery) > maxGETQuery {
			writeBoom(w, http.StatusRequestURITooLong, fmt.Sprintf("The query string is longer than %d bytes: send the query with POST", maxGETQuery), "")
			return
		}
		query = q.Get("query")
		for name, vals := range q {
			pname, ok := strings.CutPrefix(name, "$")
			if !ok || len(vals) == 0 {
				continue
			}
			var v any
			if err := json.Unmarshal([]byte(vals[0]), &v); err != nil {
				writeError(w, http.StatusBadRequest, map[string]any{
					"type": "httpBadRequest", "description": fmt.Sprintf("Unable to parse value of %q=%s. Please quote string values.", name, url.QueryEscape(vals[0])),
				})
				return
			}
			params[pname] = v
		}
	}
	if strings.TrimSpace(query) == "" {
		writeError(w, http.StatusBadRequest, map[string]any{"type": "httpBadRequest", "description": "The \"query\" parameter is missing"})
		return
	}
	p, err := parsePerspective(perspectiveParam, ver)
	if err != nil {
		writeError(w, http.StatusBadRequest, map[string]any{"type": "httpBadRequest", "description": err.Error()})
		return
	}

	s.mu.Lock()
	docs := s.visibleLocked(who, ver, p)
	gen := s.generation
	s.mu.Unlock()

	res, err := s.evaluate(r.Context(), evalRequest{query: query, docs: docs, params: params, now: s.now()})
	if err != nil {
		status, body := queryError(query, err)
		writeError(w, status, body)
		return
	}
	out := map[string]any{
		"ms":       time.Since(start).Milliseconds(),
		"result":   res,
		"syncTags": []string{syncTag(s.cfg.dataset, gen)},
	}
	if q.Get("returnQuery") != "false" {
		out["query"] = query
	}
	if q.Get("explain") == "true" {
		out["explain"] = "sanitytest evaluates queries in memory; there is no query plan to explain"
	}
	writeJSON(w, http.StatusOK, out)
}

func syncTag(dataset string, generation int64) string {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", dataset, generation)
	return fmt.Sprintf("s1:%x", h.Sum64())[:14]
}

func (s *Server) handleDoc(w http.ResponseWriter, r *http.Request, who caller, ver apiVersion, idList string) {
	start := time.Now()
	ids := strings.Split(idList, ",")
	documents := []any{}
	omitted := []any{}
	s.mu.Lock()
	for _, id := range ids {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		d, ok := s.docs[id]
		if !ver.releases && isVersionID(id) {
			ok = false // release versions do not exist for API versions before 2025-02-19
		}
		switch {
		case ok && (who.canReadPrivate() || !strings.Contains(id, ".")):
			documents = append(documents, d)
		case ok:
			omitted = append(omitted, map[string]any{"id": id, "reason": "permissions"})
		default:
			omitted = append(omitted, map[string]any{"id": id, "reason": "existence"})
		}
	}
	s.mu.Unlock()
	out := map[string]any{"ms": time.Since(start).Milliseconds(), "documents": documents, "omitted": omitted}
	if r.URL.Query().Get("excludeContent") == "true" {
		delete(out, "documents")
	}
	writeJSON(w, http.StatusOK, out)
}

func sortDocs(docs []any) {
	sort.Slice(docs, func(i, j int) bool {
		return storedID(docs[i]) < storedID(docs[j])
	})
}

// handleExport streams every document the caller may read as NDJSON, like the export endpoint behind
// `sanity dataset export`; ?types=a,b limits it to those _type values.
func (s *Server) handleExport(w http.ResponseWriter, r *http.Request, who caller, ver apiVersion) {
	var types map[string]bool
	if v := r.URL.Query().Get("types"); v != "" {
		types = map[string]bool{}
		for _, t := range strings.Split(v, ",") {
			types[strings.TrimSpace(t)] = true
		}
	}
	s.mu.Lock()
	docs := s.visibleLocked(who, apiVersion{name: ver.name, releases: true}, perspective{name: "raw"})
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	for _, d := range docs {
		if types != nil && !types[fmt.Sprint(stored(d)["_type"])] {
			continue
		}
		_ = enc.Encode(d)
	}
}
