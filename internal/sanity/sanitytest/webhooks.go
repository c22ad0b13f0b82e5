package sanitytest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/groq"
)

// Webhook is a GROQ-powered document webhook, in the shape of the webhooks API
// (/v2021-10-04/hooks/projects/{projectId}).
type Webhook struct {
	ID          string `json:"id"`
	ProjectID   string `json:"projectId"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Type is "document": one delivery per changed document. "transaction" hooks are not supported.
	Type    string `json:"type"`
	Dataset string `json:"dataset"`
	URL     string `json:"url"`
	// HTTPMethod is POST (default), PUT, PATCH, DELETE or GET.
	HTTPMethod string `json:"httpMethod"`
	APIVersion string `json:"apiVersion"`
	// IncludeDrafts and IncludeAllVersions make changes to drafts.* and versions.* documents fire.
	IncludeDrafts      bool              `json:"includeDrafts"`
	IncludeAllVersions bool              `json:"includeAllVersions"`
	Headers            map[string]string `json:"headers"`
	// Secret signs deliveries (sanity-webhook-signature). The API never returns it.
	Secret           string      `json:"secret,omitempty"`
	IsDisabled       bool        `json:"isDisabled"`
	IsDisabledByUser bool        `json:"isDisabledByUser"`
	Rule             WebhookRule `json:"rule"`
	CreatedAt        time.Time   `json:"createdAt"`
	UpdatedAt        time.Time   `json:"updatedAt"`
}

// WebhookRule says which changes fire and what is sent.
type WebhookRule struct {
	// On lists the operations that fire: "create", "update", "delete". Empty means all three.
	On []string `json:"on"`
	// Filter is a GROQ filter (the inside of *[...]), evaluated in delta mode; empty matches everything.
	Filter string `json:"filter,omitempty"`
	// Projection is a GROQ projection such as {_id, "op": delta::operation()} that becomes the body;
	// empty sends the whole document.
	Projection string `json:"projection,omitempty"`
}

// WebhookMessage is one delivery: a change of one document for one webhook, tried until it succeeds,
// fails for good, or runs out of time.
type WebhookMessage struct {
	ID            string           `json:"id"`
	WebhookID     string           `json:"hookId"`
	ProjectID     string           `json:"projectId"`
	Dataset       string           `json:"dataset"`
	TransactionID string           `json:"transactionId"`
	DocumentID    string           `json:"documentId"`
	Operation     string           `json:"operation"`
	Payload       json.RawMessage  `json:"payload"`
	Status        string           `json:"status"` // "queued", "sent" or "failed"
	CreatedAt     time.Time        `json:"createdAt"`
	Attempts      []WebhookAttempt `json:"attempts"`
}

// WebhookAttempt is one HTTP request of a delivery.
type WebhookAttempt struct {
	ID         string        `json:"id"`
	MessageID  string        `json:"messageId"`
	WebhookID  string        `json:"hookId"`
	CreatedAt  time.Time     `json:"createdAt"`
	Duration   time.Duration `json:"duration"`
	ResultCode int           `json:"resultCode"` // 0 when no HTTP answer arrived
	ResultBody string        `json:"resultBody,omitempty"`
	IsFailure  bool          `json:"isFailure"`
	Failure    string        `json:"failureReason,omitempty"`
}

// maxKeptMessages bounds the delivery history kept per webhook; the oldest go first.
const maxKeptMessages = 10_000

type hookState struct {
	hook     Webhook
	queue    []*WebhookMessage
	messages []*WebhookMessage
	wake     chan struct{}
	cancel   context.CancelFunc
}

type hookRegistry struct {
	s      *Server
	mu     sync.Mutex
	hooks  map[string]*hookState
	order  []string
	wg     sync.WaitGroup
	idle   *sync.Cond
	busy   int // messages queued or in flight
	closed bool
}

func newHookRegistry(s *Server) *hookRegistry {
	r := &hookRegistry{s: s, hooks: map[string]*hookState{}}
	r.idle = sync.NewCond(&r.mu)
	return r
}

// CreateWebhook registers a webhook as POST /hooks/projects/{projectId} would, filling defaults.
func (s *Server) CreateWebhook(h Webhook) (Webhook, error) {
	return s.hooks.create(h)
}

// Webhooks lists the registered webhooks (secrets included).
func (s *Server) Webhooks() []Webhook {
	r := s.hooks
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Webhook, 0, len(r.order))
	for _, id := range r.order {
		out = append(out, r.hooks[id].hook)
	}
	return out
}

// WebhookMessages returns copies of a webhook's deliveries, oldest first.
func (s *Server) WebhookMessages(webhookID string) []WebhookMessage {
	r := s.hooks
	r.mu.Lock()
	defer r.mu.Unlock()
	st, ok := r.hooks[webhookID]
	if !ok {
		return nil
	}
	out := make([]WebhookMessage, len(st.messages))
	for i, m := range st.messages {
		out[i] = *m
		out[i].Attempts = append([]WebhookAttempt(nil), m.Attempts...)
	}
	return out
}

// WaitForWebhooks blocks until no delivery is queued or in flight, or ctx ends.
func (s *Server) WaitForWebhooks(ctx context.Context) error {
	r := s.hooks
	stop := context.AfterFunc(ctx, func() {
		r.mu.Lock()
		r.idle.Broadcast()
		r.mu.Unlock()
	})
	defer stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.busy > 0 {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("sanitytest: %d webhook deliveries still pending: %w", r.busy, err)
		}
		r.idle.Wait()
	}
	return nil
}

var hookMethods = map[string]bool{"POST": true, "PUT": true, "PATCH": true, "DELETE": true, "GET": true}

// validate fills defaults and checks h; it returns a message for a 400.
func (r *hookRegistry) validate(h *Webhook) error {
	if strings.TrimSpace(h.Name) == "" {
		return errors.New("name is required")
	}
	u, err := url.Parse(h.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("url %q must be an absolute http or https URL", h.URL)
	}
	if h.Dataset == "" {
		return errors.New("dataset is required")
	}
	if h.Type == "" {
		h.Type = "document"
	}
	if h.Type != "document" {
		return fmt.Errorf("type %q is not supported by this fake: use \"document\"", h.Type)
	}
	h.HTTPMethod = strings.ToUpper(h.HTTPMethod)
	if h.HTTPMethod == "" {
		h.HTTPMethod = "POST"
	}
	if !hookMethods[h.HTTPMethod] {
		return fmt.Errorf("httpMethod %q is not one of POST, PUT, PATCH, DELETE, GET", h.HTTPMethod)
	}
	if h.APIVersion == "" {
		h.APIVersion = "v2021-03-25"
	}
	if _, ok := parseVersion(h.APIVersion); !ok {
		return fmt.Errorf("apiVersion %q is not valid", h.APIVersion)
	}
	if len(h.Rule.On) == 0 {
		h.Rule.On = []string{"create", "update", "delete"}
	}
	for _, op := range h.Rule.On {
		if op != "create" && op != "update" && op != "delete" {
			return fmt.Errorf("rule.on value %q is not one of create, update, delete", op)
		}
	}
	if _, err := groq.Parse(hookQuery(h.Rule)); err != nil {
		return fmt.Errorf("rule filter or projection is not valid GROQ: %v", err)
	}
	if h.Headers == nil {
		h.Headers = map[string]string{}
	}
	return nil
}

func hookQuery(rule WebhookRule) string {
	q := "*"
	if strings.TrimSpace(rule.Filter) != "" {
		q = "*[" + rule.Filter + "]"
	}
	if strings.TrimSpace(rule.Projection) != "" {
		q += rule.Projection
	}
	return q
}

func (r *hookRegistry) create(h Webhook) (Webhook, error) {
	if err := r.validate(&h); err != nil {
		return Webhook{}, err
	}
	h.ID = "sh" + newID()[:14]
	h.ProjectID = r.s.cfg.projectID
	h.CreatedAt = r.s.now()
	h.UpdatedAt = h.CreatedAt
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return Webhook{}, errors.New("server is closed")
	}
	ctx, cancel := context.WithCancel(context.Background())
	st := &hookState{hook: h, wake: make(chan struct{}, 1), cancel: cancel}
	r.hooks[h.ID] = st
	r.order = append(r.order, h.ID)
	r.wg.Add(1)
	go r.deliverLoop(ctx, st)
	return h, nil
}

func (r *hookRegistry) removeLocked(id string) {
	st, ok := r.hooks[id]
	if !ok {
		return
	}
	st.cancel()
	r.busy -= len(st.queue)
	st.queue = nil
	delete(r.hooks, id)
	for i, v := range r.order {
		if v == id {
			r.order = append(r.order[:i], r.order[i+1:]...)
			break
		}
	}
	r.idle.Broadcast()
}

func (r *hookRegistry) reset() {
	r.mu.Lock()
	for _, id := range append([]string(nil), r.order...) {
		r.removeLocked(id)
	}
	r.mu.Unlock()
}

func (r *hookRegistry) close() {
	r.mu.Lock()
	r.closed = true
	for _, id := range append([]string(nil), r.order...) {
		r.removeLocked(id)
	}
	r.mu.Unlock()
	r.wg.Wait()
}

// notify queues deliveries for a committed transaction. dataset returns the committed documents.
func (r *hookRegistry) notify(txID string, changes []change, dataset func() []any) {
	if len(changes) == 0 {
		return
	}
	r.mu.Lock()
	hooks := make([]*hookState, 0, len(r.order))
	for _, id := range r.order {
		hooks = append(hooks, r.hooks[id])
	}
	r.mu.Unlock()
	now := r.s.now()
	for _, st := range hooks {
		h := st.hook
		if h.IsDisabled || h.IsDisabledByUser || (h.Dataset != r.s.cfg.dataset && h.Dataset != "*") {
			continue
		}
		for _, c := range changes {
			if msg := r.message(h, txID, now, c, dataset); msg != nil {
				r.mu.Lock()
				if _, alive := r.hooks[h.ID]; alive {
					st.queue = append(st.queue, msg)
					st.messages = append(st.messages, msg)
					r.busy++
					select {
					case st.wake <- struct{}{}:
					default:
					}
				}
				r.mu.Unlock()
			}
		}
	}
}

// message builds the delivery of change c for h, or nil when the hook does not fire for it.
func (r *hookRegistry) message(h Webhook, txID string, now time.Time, c change, dataset func() []any) *WebhookMessage {
	if isDraftID(c.id) && !h.IncludeDrafts {
		return nil
	}
	if isVersionID(c.id) && !h.IncludeAllVersions {
		return nil
	}
	op := "update"
	doc := c.after
	switch {
	case c.before == nil:
		op = "create"
	case c.after == nil:
		op = "delete"
		doc = c.before
	}
	fires := false
	for _, o := range h.Rule.On {
		fires = fires || o == op
	}
	if !fires {
		return nil
	}
	var before, after any
	if c.before != nil {
		before = c.before
	}
	if c.after != nil {
		after = c.after
	}
	delta := &groq.Delta{Before: before, After: after}
	filter := "*"
	if strings.TrimSpace(h.Rule.Filter) != "" {
		filter = "*[" + h.Rule.Filter + "]"
	}
	matched, err := r.s.evaluate(context.Background(), evalRequest{query: filter, docs: []any{doc}, now: now, delta: delta})
	if list, ok := matched.([]any); err != nil || !ok || len(list) == 0 {
		return nil // like the real service: a filter that cannot be evaluated does not match
	}
	var body any = doc
	if strings.TrimSpace(h.Rule.Projection) != "" {
		// Projections may follow references (->), so they see the dataset as committed, plus a deleted
		// document itself.
		docs := []any{doc}
		if strings.Contains(h.Rule.Projection, "->") {
			docs = append(append([]any(nil), dataset()...), doc)
		}
		body, err = r.s.evaluate(context.Background(), evalRequest{
			query:  "*[_id == $webhookDocumentId][-1]" + h.Rule.Projection,
			params: map[string]any{"webhookDocumentId": c.id},
			docs:   docs, now: now, delta: delta,
		})
		if err != nil {
			return nil
		}
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return nil
	}
	return &WebhookMessage{
		ID: newID(), WebhookID: h.ID, ProjectID: h.ProjectID, Dataset: r.s.cfg.dataset,
		TransactionID: txID, DocumentID: c.id, Operation: op, Payload: payload,
		Status: "queued", CreatedAt: now,
	}
}

// deliverLoop sends one hook's messages one at a time, in order.
func (r *hookRegistry) deliverLoop(ctx context.Context, st *hookState) {
	defer r.wg.Done()
	for {
		r.mu.Lock()
		var msg *WebhookMessage
		if len(st.queue) > 0 {
			msg = st.queue[0]
		}
		hook := st.hook
		r.mu.Unlock()
		if msg == nil {
			select {
			case <-ctx.Done():
				return
			case <-st.wake:
				continue
			}
		}
		status := r.deliver(ctx, hook, msg)
		r.mu.Lock()
		if ctx.Err() == nil {
			msg.Status = status
			st.queue = st.queue[1:]
			r.busy--
			if len(st.messages) > maxKeptMessages {
				st.messages = append(st.messages[:0:0], st.messages[len(st.messages)-maxKeptMessages/2:]...)
			}
			r.idle.Broadcast()
		}
		r.mu.Unlock()
		if ctx.Err() != nil {
			return
		}
	}
}

// deliver tries msg until it is sent, refused (4xx other than 429) or out of time.
func (r *hookRegistry) deliver(ctx context.Context, h Webhook, msg *WebhookMessage) string {
	giveUp := time.Now().Add(r.s.cfg.webhookRetryFor)
	delay := r.s.cfg.webhookRetryBase
	for {
		att := r.attempt(ctx, h, msg)
		r.mu.Lock()
		msg.Attempts = append(msg.Attempts, att)
		r.mu.Unlock()
		if !att.IsFailure {
			return "sent"
		}
		retryable := att.ResultCode == 0 || att.ResultCode == http.StatusTooManyRequests || att.ResultCode >= 500
		if !retryable || time.Now().Add(delay).After(giveUp) {
			return "failed"
		}
		select {
		case <-ctx.Done():
			return "failed"
		case <-time.After(delay):
		}
		delay *= 2
	}
}

func (r *hookRegistry) attempt(ctx context.Context, h Webhook, msg *WebhookMessage) WebhookAttempt {
	start := time.Now()
	att := WebhookAttempt{ID: newID(), MessageID: msg.ID, WebhookID: h.ID, CreatedAt: r.s.now()}
	var body io.Reader
	if h.HTTPMethod != http.MethodGet {
		body = bytes.NewReader(msg.Payload)
	}
	req, err := http.NewRequestWithContext(ctx, h.HTTPMethod, h.URL, body)
	if err != nil {
		att.IsFailure, att.Failure = true, "invalid request: "+err.Error()
		return att
	}
	for k, v := range h.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Sanity.io webhook delivery")
	req.Header.Set("Idempotency-Key", msg.ID)
	req.Header.Set("Sanity-Transaction-Id", msg.TransactionID)
	req.Header.Set("Sanity-Transaction-Time", formatTime(msg.CreatedAt))
	req.Header.Set("Sanity-Dataset", msg.Dataset)
	req.Header.Set("Sanity-Document-Id", msg.DocumentID)
	req.Header.Set("Sanity-Project-Id", msg.ProjectID)
	req.Header.Set("Sanity-Webhook-Id", h.ID)
	req.Header.Set("Sanity-Operation", msg.Operation)
	if h.Secret != "" {
		req.Header.Set("Sanity-Webhook-Signature", SignWebhook(h.Secret, r.s.now(), msg.Payload))
	}
	req.Close = true
	resp, err := r.s.cfg.webhookClient.Do(req)
	att.Duration = time.Since(start)
	if err != nil {
		att.IsFailure, att.Failure = true, "network: "+err.Error()
		return att
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
	att.ResultCode = resp.StatusCode
	att.ResultBody = string(b)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		att.IsFailure, att.Failure = true, "http: "+strconv.Itoa(resp.StatusCode)
	}
	return att
}

// SignWebhook computes the sanity-webhook-signature header value for body sent at t:
// "t=<unix ms>,v1=<base64url without padding of HMAC-SHA256(secret, "<unix ms>.<body>")>".
func SignWebhook(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.UnixMilli(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// serveAPI answers the webhooks API.
func (r *hookRegistry) serveAPI(w http.ResponseWriter, req *http.Request, who caller, projectID, hookID, sub string) {
	if who.role == "" {
		writeBoom(w, http.StatusUnauthorized, "Not authorized", "")
		return
	}
	if projectID != r.s.cfg.projectID {
		writeBoom(w, http.StatusNotFound, fmt.Sprintf("Project %q not found", projectID), "")
		return
	}
	if req.Method != http.MethodGet && !who.canWrite() {
		writeBoom(w, http.StatusForbidden, "Insufficient permissions; permission \"update\" required", "")
		return
	}
	public := func(h Webhook) Webhook { h.Secret = ""; return h }

	if hookID == "" {
		switch req.Method {
		case http.MethodGet:
			hooks := r.s.Webhooks()
			out := make([]Webhook, len(hooks))
			for i, h := range hooks {
				out[i] = public(h)
			}
			writeJSON(w, http.StatusOK, out)
		case http.MethodPost:
			body, ok := readBody(w, req, 1<<20)
			if !ok {
				return
			}
			var h Webhook
			if err := json.Unmarshal(body, &h); err != nil {
				writeInvalidBody(w, body, err)
				return
			}
			created, err := r.create(h)
			if err != nil {
				writeError(w, http.StatusBadRequest, map[string]any{"type": "validationError", "description": err.Error()})
				return
			}
			writeJSON(w, http.StatusOK, public(created))
		default:
			writeBoom(w, http.StatusMethodNotAllowed, "Method not allowed", "")
		}
		return
	}

	r.mu.Lock()
	st, ok := r.hooks[hookID]
	r.mu.Unlock()
	if !ok {
		writeBoom(w, http.StatusNotFound, fmt.Sprintf("Webhook %q not found", hookID), "")
		return
	}
	switch {
	case sub == "attempts" && req.Method == http.MethodGet:
		var out []WebhookAttempt
		for _, m := range r.s.WebhookMessages(hookID) {
			out = append(out, m.Attempts...)
		}
		if out == nil {
			out = []WebhookAttempt{}
		}
		writeJSON(w, http.StatusOK, out)
	case sub == "messages" && req.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, r.s.WebhookMessages(hookID))
	case sub != "":
		writeBoom(w, http.StatusMethodNotAllowed, "Method not allowed", "")
	case req.Method == http.MethodGet:
		r.mu.Lock()
		h := st.hook
		r.mu.Unlock()
		writeJSON(w, http.StatusOK, public(h))
	case req.Method == http.MethodDelete:
		r.mu.Lock()
		h := st.hook
		r.removeLocked(hookID)
		r.mu.Unlock()
		writeJSON(w, http.StatusOK, public(h))
	case req.Method == http.MethodPatch || req.Method == http.MethodPut:
		body, ok := readBody(w, req, 1<<20)
		if !ok {
			return
		}
		r.mu.Lock()
		h := st.hook
		r.mu.Unlock()
		// PATCH merges the given fields over the current webhook.
		if err := json.Unmarshal(body, &h); err != nil {
			writeInvalidBody(w, body, err)
			return
		}
		h.ID, h.ProjectID = hookID, r.s.cfg.projectID
		if err := r.validate(&h); err != nil {
			writeError(w, http.StatusBadRequest, map[string]any{"type": "validationError", "description": err.Error()})
			return
		}
		h.UpdatedAt = r.s.now()
		r.mu.Lock()
		if cur, alive := r.hooks[hookID]; alive {
			cur.hook = h
		}
		r.mu.Unlock()
		writeJSON(w, http.StatusOK, public(h))
	default:
		writeBoom(w, http.StatusMethodNotAllowed, "Method not allowed", "")
	}
}
