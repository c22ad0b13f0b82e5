package sanitytest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// serveAdmin exposes the Go API over HTTP for programs outside the test process (the local stack):
//
//	GET    /__admin/info                 project ID, dataset, tokens, URL
//	GET    /__admin/documents            every document, ordered by _id
//	POST   /__admin/documents            seed: NDJSON, one document per line (or a JSON array)
//	GET    /__admin/documents/{id}       one document (404 when missing)
//	PUT    /__admin/documents/{id}       write a document as createOrReplace (webhooks fire)
//	DELETE /__admin/documents/{id}       delete a document (webhooks fire)
//	POST   /__admin/publish/{id}         publish drafts.{id} as an editor would
//	POST   /__admin/unpublish/{id}       unpublish {id}
//	POST   /__admin/edit/{id}            edit drafts.{id} with a JSON object of fields to set
//	POST   /__admin/faults               queue a fault: {method, path, times, status, body, header,
//	                                     retryAfterSeconds, delayMs, drop, dropResponse, fraction, seed}
//	POST   /__admin/outage               {"durationMs": 5000}: answers, then refuses connections that long
//	DELETE /__admin/faults               drop queued faults
//	GET    /__admin/requests             the request log; ?method=&path= (pattern) filters it
//	GET    /__admin/webhooks             webhooks with their deliveries
//	POST   /__admin/webhooks/wait        wait (?timeoutMs=, default 10000) until no delivery is pending
//	POST   /__admin/reset                empty everything
//
// There is no authentication: the server listens on loopback only.
func (s *Server) serveAdmin(w http.ResponseWriter, r *http.Request) {
	if serveAdminIndex(w, r) {
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/__admin/")
	head, tail, _ := strings.Cut(rest, "/")
	adminErr := func(status int, msg string) {
		writeJSON(w, status, map[string]any{"error": msg})
	}
	switch {
	case head == "info" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]any{
			"url": s.URL, "projectId": s.cfg.projectID, "dataset": s.cfg.dataset,
			"readToken": s.cfg.readToken, "writeToken": s.cfg.writeToken,
		})
	case head == "documents" && tail == "" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, s.Documents())
	case head == "documents" && tail == "" && r.Method == http.MethodPost:
		body, ok := readBody(w, r, s.cfg.maxRequestBody)
		if !ok {
			return
		}
		var err error
		if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '[' {
			var docs []any
			if err = json.Unmarshal(trimmed, &docs); err == nil {
				err = s.Seed(docs...)
			}
		} else {
			err = s.SeedNDJSON(bytes.NewReader(body))
		}
		if err != nil {
			adminErr(http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"documents": len(s.Documents())})
	case head == "documents" && tail != "":
		switch r.Method {
		case http.MethodGet:
			d := s.Document(tail)
			if d == nil {
				adminErr(http.StatusNotFound, "document "+tail+" not found")
				return
			}
			writeJSON(w, http.StatusOK, d)
		case http.MethodPut:
			body, ok := readBody(w, r, s.cfg.maxRequestBody)
			if !ok {
				return
			}
			var d map[string]any
			if err := json.Unmarshal(body, &d); err != nil {
				adminErr(http.StatusBadRequest, "body is not a JSON object: "+err.Error())
				return
			}
			d["_id"] = tail
			stored, err := s.Put(d)
			if err != nil {
				adminErr(http.StatusBadRequest, err.Error())
				return
			}
			writeJSON(w, http.StatusOK, stored)
		case http.MethodDelete:
			if err := s.Delete(tail); err != nil {
				adminErr(http.StatusBadRequest, err.Error())
				return
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			adminErr(http.StatusMethodNotAllowed, "use GET, PUT or DELETE")
		}
	case (head == "publish" || head == "unpublish" || head == "edit") && tail != "" && r.Method == http.MethodPost:
		var err error
		switch head {
		case "publish":
			err = s.Publish(tail)
		case "unpublish":
			err = s.Unpublish(tail)
		case "edit":
			body, ok := readBody(w, r, s.cfg.maxRequestBody)
			if !ok {
				return
			}
			var fields map[string]any
			if err := json.Unmarshal(body, &fields); err != nil {
				adminErr(http.StatusBadRequest, "body is not a JSON object: "+err.Error())
				return
			}
			err = s.Edit(tail, fields)
		}
		if err != nil {
			adminErr(http.StatusConflict, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"published": s.Document(tail), "draft": s.Document("drafts." + tail)})
	case head == "faults" && r.Method == http.MethodPost:
		var f struct {
			Fault
			RetryAfterSeconds float64 `json:"retryAfterSeconds"`
			DelayMs           float64 `json:"delayMs"`
		}
		if err := json.NewDecoder(r.Body).Decode(&f); err != nil {
			adminErr(http.StatusBadRequest, "body is not a fault object: "+err.Error())
			return
		}
		f.Fault.RetryAfter = time.Duration(f.RetryAfterSeconds * float64(time.Second))
		f.Fault.Delay = time.Duration(f.DelayMs * float64(time.Millisecond))
		s.FailNext(f.Fault)
		w.WriteHeader(http.StatusNoContent)
	case head == "outage" && r.Method == http.MethodPost:
		var body struct {
			DurationMs float64 `json:"durationMs"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.DurationMs <= 0 {
			adminErr(http.StatusBadRequest, "body must be {\"durationMs\": N} with N > 0")
			return
		}
		w.WriteHeader(http.StatusNoContent)
		// The answer goes out first: the outage closes this connection too.
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		go func() {
			time.Sleep(50 * time.Millisecond)
			s.Outage(time.Duration(body.DurationMs * float64(time.Millisecond)))
		}()
	case head == "faults" && r.Method == http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case head == "requests" && r.Method == http.MethodGet:
		method, pattern := r.URL.Query().Get("method"), r.URL.Query().Get("path")
		out := []Request{}
		for _, req := range s.Requests() {
			if (method == "" || strings.EqualFold(method, req.Method)) && (pattern == "" || matchPattern(pattern, req.Path)) {
				out = append(out, req)
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"count": len(out), "requests": out})
	case head == "webhooks" && tail == "" && r.Method == http.MethodGet:
		type hookView struct {
			Webhook
			Messages []WebhookMessage `json:"messages"`
		}
		out := []hookView{}
		for _, h := range s.Webhooks() {
			out = append(out, hookView{Webhook: h, Messages: s.WebhookMessages(h.ID)})
		}
		writeJSON(w, http.StatusOK, out)
	case head == "webhooks" && tail == "wait" && r.Method == http.MethodPost:
		timeout := 10 * time.Second
		if v := r.URL.Query().Get("timeoutMs"); v != "" {
			if d, err := time.ParseDuration(v + "ms"); err == nil {
				timeout = d
			}
		}
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		if err := s.WaitForWebhooks(ctx); err != nil {
			adminErr(http.StatusGatewayTimeout, err.Error())
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case head == "reset" && r.Method == http.MethodPost:
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	default:
		adminErr(http.StatusNotFound, "unknown admin route "+r.Method+" "+r.URL.Path)
	}
}
