package pipeline

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Defaults of ReceiverConfig.
const (
	DefaultMaxAge      = 5 * time.Minute
	DefaultRememberFor = time.Hour
	DefaultMaxBody     = 1 << 20
)

// ReceiverConfig configures a Receiver.
type ReceiverConfig struct {
	// Secret is the webhook's secret. Required: a receiver that starts runs for unsigned requests lets
	// anyone on the network start them.
	Secret string
	// MaxAge is how far a signature's timestamp may be from now (DefaultMaxAge when zero).
	MaxAge time.Duration
	// RememberFor is how long an idempotency key is remembered (DefaultRememberFor when zero). Sanity
	// retries a failed delivery for up to 30 minutes, each time freshly signed and with the same key,
	// so this must be longer than that for a retry of a delivery that did arrive to be recognised.
	RememberFor time.Duration
	// EventTypes lists the event_type values that start a run, as a workflow's repository_dispatch
	// types do; a verified delivery of another type is answered 204 and starts nothing. Empty accepts
	// every type.
	EventTypes []string
	// MaxBody is the largest body read (DefaultMaxBody when zero).
	MaxBody int64
	// Now reads the clock (time.Now when nil).
	Now func() time.Time
}

// Outcome is what a Receiver did with a delivery.
type Outcome string

// The outcomes, with the status each is answered with. Sanity retries 429 and 5xx answers only, so
// every refusal is a 4xx: a forged or stale delivery is not worth retrying.
const (
	Accepted  Outcome = "accepted"  // 202: a run started or the pending run will cover it
	Duplicate Outcome = "duplicate" // 200: its idempotency key was seen before; no run
	Ignored   Outcome = "ignored"   // 204: verified, but not an event type that starts runs
	Forged    Outcome = "forged"    // 401: missing or wrong signature
	Stale     Outcome = "stale"     // 401: signed too long ago (a replay) or too far in the future
	Malformed Outcome = "malformed" // 400, 405 or 413: not a JSON POST of a sensible size
)

// Delivery is the record of one request to the Receiver.
type Delivery struct {
	Received       time.Time
	IdempotencyKey string
	EventType      string
	DocumentID     string
	Operation      string
	Outcome        Outcome
	Status         int
	// Reason says why a delivery was refused.
	Reason string
}

// Receiver is the pipeline's HTTP endpoint for the Sanity webhook. It verifies the signature on the
// raw body before reading anything from it, refuses stale timestamps, answers a repeated idempotency
// key without a second run, and triggers its Group. It answers as soon as the run is triggered, not
// when it ends, as a webhook receiver must (Sanity gives up on a request after 30 seconds).
//
// The body is expected in the shape the example webhook's projection gives, which is GitHub's
// repository_dispatch body: {"event_type": ..., "client_payload": {"id": ..., "operation": ...}}.
type Receiver struct {
	group *Group
	cfg   ReceiverConfig

	mu         sync.Mutex
	seen       map[string]time.Time
	deliveries []Delivery
}

// NewReceiver returns a Receiver that triggers group.
func NewReceiver(group *Group, cfg ReceiverConfig) (*Receiver, error) {
	if cfg.Secret == "" {
		return nil, errors.New("pipeline: the receiver needs the webhook's secret to verify deliveries; set the same secret on the webhook and here")
	}
	if cfg.MaxAge <= 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.RememberFor <= 0 {
		cfg.RememberFor = DefaultRememberFor
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Receiver{group: group, cfg: cfg, seen: map[string]time.Time{}}, nil
}

// Deliveries returns the record of every request, oldest first.
func (rc *Receiver) Deliveries() []Delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]Delivery(nil), rc.deliveries...)
}

// ServeHTTP handles one delivery.
func (rc *Receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	d := rc.handle(req)
	rc.mu.Lock()
	rc.deliveries = append(rc.deliveries, d)
	rc.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(d.Status)
	if d.Status != http.StatusNoContent {
		_ = json.NewEncoder(w).Encode(map[string]string{"outcome": string(d.Outcome), "reason": d.Reason})
	}
}

func (rc *Receiver) handle(req *http.Request) Delivery {
	now := rc.cfg.Now()
	d := Delivery{Received: now, IdempotencyKey: req.Header.Get("Idempotency-Key")}
	refuse := func(o Outcome, status int, reason string) Delivery {
		d.Outcome, d.Status, d.Reason = o, status, reason
		return d
	}
	if req.Method != http.MethodPost {
		return refuse(Malformed, http.StatusMethodNotAllowed, "only POST starts a run")
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, rc.cfg.MaxBody+1))
	if err != nil {
		return refuse(Malformed, http.StatusBadRequest, "reading the body: "+err.Error())
	}
	if int64(len(body)) > rc.cfg.MaxBody {
		return refuse(Malformed, http.StatusRequestEntityTooLarge, fmt.Sprintf("the body is larger than %d bytes", rc.cfg.MaxBody))
	}
	if _, err := VerifySignature(req.Header.Get(SignatureHeader), body, rc.cfg.Secret, now, rc.cfg.MaxAge); err != nil {
		if errors.Is(err, ErrStale) {
			return refuse(Stale, http.StatusUnauthorized, err.Error())
		}
		return refuse(Forged, http.StatusUnauthorized, err.Error())
	}
	var payload struct {
		EventType     string `json:"event_type"`
		ClientPayload struct {
			ID        string `json:"id"`
			Operation string `json:"operation"`
		} `json:"client_payload"`
	}
	if err := json.Unmarshal(body, &payload); err != nil {
		return refuse(Malformed, http.StatusBadRequest, "the body is not a JSON object with event_type and client_payload: "+err.Error())
	}
	d.EventType, d.DocumentID, d.Operation = payload.EventType, payload.ClientPayload.ID, payload.ClientPayload.Operation
	if len(rc.cfg.EventTypes) > 0 && !slices.Contains(rc.cfg.EventTypes, d.EventType) {
		return refuse(Ignored, http.StatusNoContent, fmt.Sprintf("event type %q does not start runs", d.EventType))
	}
	// Keys are remembered only once the signature holds, so a forged request cannot use up a key that
	// a real delivery will carry.
	if d.IdempotencyKey != "" && !rc.remember(d.IdempotencyKey, now) {
		return refuse(Duplicate, http.StatusOK, "this delivery was received before")
	}
	rc.group.Trigger(Trigger{Key: d.IdempotencyKey, DocumentID: d.DocumentID, Operation: d.Operation, Received: now})
	d.Outcome, d.Status = Accepted, http.StatusAccepted
	return d
}

// remember records key and reports whether it is new.
func (rc *Receiver) remember(key string, now time.Time) bool {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for k, t := range rc.seen {
		if now.Sub(t) > rc.cfg.RememberFor {
			delete(rc.seen, k)
		}
	}
	if _, ok := rc.seen[key]; ok {
		return false
	}
	rc.seen[key] = now
	return true
}
