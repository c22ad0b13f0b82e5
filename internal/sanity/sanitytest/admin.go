package sanitytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/fakes"
)

// adminRoutes serve the Go API over HTTP under /__admin/ for programs outside the test process (the
// local stack). Each route calls the Server methods its Doc names; durations are Go duration strings ("1.5s"), and
// errors are answered as {"error": "..."}. There is no authentication: the server listens on loopback
// only.
func (s *Server) adminRoutes() []fakes.Route {
	return []fakes.Route{
		{Method: "GET", Path: "info", Doc: "the URL, project ID, dataset and tokens (ProjectID, Dataset, ReadToken, WriteToken)", Handler: fakes.Get(s.adminInfo)},
		{Method: "GET", Path: "documents", Doc: "every document, ordered by _id (Documents)", Handler: fakes.Get(s.Documents)},
		{Method: "POST", Path: "documents", Doc: "seed: NDJSON, one document per line, or a JSON array (SeedNDJSON, Seed)",
			Handler: fakes.Answer(s.adminSeed)},
		{Method: "GET", Path: "documents/{id...}", Doc: "one document, 404 when missing (Document)", Handler: fakes.Answer(func(r *http.Request) (any, error) {
			id := r.PathValue("id")
			if d := s.Document(id); d != nil {
				return d, nil
			}
			return nil, fakes.WithStatus(http.StatusNotFound, errors.New("document "+id+" not found"))
		})},
		{Method: "PUT", Path: "documents/{id...}", Doc: "write a document as createOrReplace; webhooks fire (Put)",
			Handler: fakes.Answer(func(r *http.Request) (any, error) {
				var d map[string]any
				if err := fakes.DecodeBody(r, &d); err != nil {
					return nil, err
				}
				if d == nil {
					return nil, errors.New("body is not a JSON object")
				}
				d["_id"] = r.PathValue("id")
				return s.Put(d)
			})},
		{Method: "DELETE", Path: "documents/{id...}", Doc: "delete a document; webhooks fire (Delete)", Handler: fakes.Answer(func(r *http.Request) (any, error) {
			return nil, s.Delete(r.PathValue("id"))
		})},
		{Method: "POST", Path: "publish/{id...}", Doc: "publish drafts.{id} as an editor would (Publish)",
			Handler: s.adminEditorAction(func(id string, _ *http.Request) error { return s.Publish(id) })},
		{Method: "POST", Path: "unpublish/{id...}", Doc: "unpublish {id} (Unpublish)",
			Handler: s.adminEditorAction(func(id string, _ *http.Request) error { return s.Unpublish(id) })},
		{Method: "POST", Path: "edit/{id...}", Doc: "edit drafts.{id} with a JSON object of fields to set (Edit)",
			Handler: s.adminEditorAction(func(id string, r *http.Request) error {
				var fields map[string]any
				if err := fakes.DecodeBody(r, &fields); err != nil {
					return err
				}
				return s.Edit(id, fields)
			})},
		{Method: "POST", Path: "faults", Doc: "install a Fault (AddFault)", Handler: fakes.Set(s.AddFault)},
		{Method: "DELETE", Path: "faults", Doc: "remove every fault (ClearFaults)", Handler: fakes.Do(s.ClearFaults)},
		{Method: "POST", Path: "outage", Doc: `{"duration":"5s"}: answers, then refuses connections for that long (Outage)`,
			Handler: fakes.Outage(s.Outage)},
		{Method: "GET", Path: "requests", Doc: `{"count","requests"}: the request log, ?method= and ?path= (a pattern) filter it (Requests)`,
			Handler: fakes.Requests(s.requests)},
		{Method: "DELETE", Path: "requests", Doc: "clear the request log (ResetRequests)", Handler: fakes.Do(s.ResetRequests)},
		{Method: "GET", Path: "webhooks", Doc: "webhooks with their deliveries (Webhooks, WebhookMessages)", Handler: fakes.Get(s.adminWebhooks)},
		{Method: "POST", Path: "webhooks/wait", Doc: "wait (?timeout=, default 10s) until no delivery is pending (WaitForWebhooks)",
			Handler: fakes.Answer(s.adminWaitForWebhooks)},
		{Method: "POST", Path: "reset", Doc: "empty everything (Reset)", Handler: fakes.Do(s.Reset)},
	}
}

func (s *Server) adminInfo() map[string]any {
	return map[string]any{
		"url": s.URL, "projectId": s.cfg.projectID, "dataset": s.cfg.dataset,
		"readToken": s.cfg.readToken, "writeToken": s.cfg.writeToken,
	}
}

func (s *Server) adminSeed(r *http.Request) (any, error) {
	body, err := readAdminBody(r, s.cfg.maxRequestBody)
	if err != nil {
		return nil, err
	}
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '[' {
		var docs []any
		if err = json.Unmarshal(trimmed, &docs); err == nil {
			err = s.Seed(docs...)
		}
	} else {
		err = s.SeedNDJSON(bytes.NewReader(body))
	}
	if err != nil {
		return nil, err
	}
	return map[string]any{"documents": len(s.Documents())}, nil
}

func readAdminBody(r *http.Request, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, fakes.WithStatus(http.StatusRequestEntityTooLarge, err)
		}
		return nil, err
	}
	return buf.Bytes()[:n], nil
}

// adminEditorAction makes the route of an editor's action on a document: 409 when it fails, else the
// published document and its draft.
func (s *Server) adminEditorAction(act func(id string, r *http.Request) error) http.HandlerFunc {
	return fakes.Answer(func(r *http.Request) (any, error) {
		id := r.PathValue("id")
		if err := act(id, r); err != nil {
			var he *fakes.HTTPError
			if errors.As(err, &he) {
				return nil, err
			}
			return nil, fakes.WithStatus(http.StatusConflict, err)
		}
		return map[string]any{"published": s.Document(id), "draft": s.Document("drafts." + id)}, nil
	})
}

type adminHook struct {
	Webhook
	Messages []WebhookMessage `json:"messages"`
}

func (s *Server) adminWebhooks() []adminHook {
	out := []adminHook{}
	for _, h := range s.Webhooks() {
		out = append(out, adminHook{Webhook: h, Messages: s.WebhookMessages(h.ID)})
	}
	return out
}

func (s *Server) adminWaitForWebhooks(r *http.Request) (any, error) {
	timeout := 10 * time.Second
	if v := r.URL.Query().Get("timeout"); v != "" {
		d, err := fakes.ParseDuration("timeout", v)
		if err != nil {
			return nil, err
		}
		timeout = d
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	if err := s.WaitForWebhooks(ctx); err != nil {
		return nil, fakes.WithStatus(http.StatusGatewayTimeout, err)
	}
	return nil, nil
}

// AdminRoutes lists the admin API, as GET /__admin/ answers it.
func AdminRoutes() []fakes.IndexEntry { return fakes.Index((&Server{}).adminRoutes()) }
