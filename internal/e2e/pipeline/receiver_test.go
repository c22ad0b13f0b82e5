package pipeline_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/e2e/pipeline"
)

const secret = "webhook-secret"

// countingRunner counts runs and returns at once.
type countingRunner struct {
	mu sync.Mutex
	n  int
}

func (r *countingRunner) Run(context.Context) (pipeline.Changes, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	return pipeline.Changes{}, nil
}

func (r *countingRunner) runs() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

type fixture struct {
	t      *testing.T
	runner *countingRunner
	group  *pipeline.Group
	rc     *pipeline.Receiver
	now    time.Time
}

func newFixture(t *testing.T, cfg pipeline.ReceiverConfig) *fixture {
	f := &fixture{t: t, runner: &countingRunner{}, now: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)}
	f.group = pipeline.NewGroup(f.runner)
	t.Cleanup(f.group.Close)
	cfg.Secret = secret
	cfg.Now = func() time.Time { return f.now }
	rc, err := pipeline.NewReceiver(f.group, cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.rc = rc
	return f
}

const body = `{"event_type":"sanity-access-changed","client_payload":{"id":"hb-1","operation":"update"}}`

// post sends body signed at signedAt with key, and returns the status after any run it started ended.
func (f *fixture) post(method, body, signature, key string) int {
	f.t.Helper()
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	if signature != "" {
		req.Header.Set(pipeline.SignatureHeader, signature)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	w := httptest.NewRecorder()
	f.rc.ServeHTTP(w, req)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.group.WaitIdle(ctx); err != nil {
		f.t.Fatal(err)
	}
	return w.Code
}

func (f *fixture) lastOutcome() pipeline.Delivery {
	d := f.rc.Deliveries()
	return d[len(d)-1]
}

func TestReceiverAcceptsASignedDeliveryOnce(t *testing.T) {
	f := newFixture(t, pipeline.ReceiverConfig{})
	sig := pipeline.Sign(secret, f.now, []byte(body))
	if got := f.post(http.MethodPost, body, sig, "msg-1"); got != http.StatusAccepted {
		t.Fatalf("status %d, want 202", got)
	}
	d := f.lastOutcome()
	if d.Outcome != pipeline.Accepted || d.DocumentID != "hb-1" || d.Operation != "update" || d.EventType != "sanity-access-changed" {
		t.Errorf("delivery %+v", d)
	}
	// Sanity's retry of the same delivery: same key, signed again later.
	f.now = f.now.Add(2 * time.Minute)
	if got := f.post(http.MethodPost, body, pipeline.Sign(secret, f.now, []byte(body)), "msg-1"); got != http.StatusOK {
		t.Errorf("repeated key: status %d, want 200", got)
	}
	if f.lastOutcome().Outcome != pipeline.Duplicate {
		t.Errorf("repeated key: outcome %s", f.lastOutcome().Outcome)
	}
	if n := f.runner.runs(); n != 1 {
		t.Errorf("%d runs, want 1", n)
	}
}

func TestReceiverRefusesForgedAndStaleDeliveries(t *testing.T) {
	f := newFixture(t, pipeline.ReceiverConfig{MaxAge: time.Minute})
	cases := []struct {
		name      string
		signature string
		body      string
		want      pipeline.Outcome
	}{
		{"no signature", "", body, pipeline.Forged},
		{"another secret", pipeline.Sign("guess", f.now, []byte(body)), body, pipeline.Forged},
		{"an altered body", pipeline.Sign(secret, f.now, []byte(body)), strings.Replace(body, "update", "delete", 1), pipeline.Forged},
		{"signed two minutes ago", pipeline.Sign(secret, f.now.Add(-2*time.Minute), []byte(body)), body, pipeline.Stale},
	}
	for i, c := range cases {
		if got := f.post(http.MethodPost, c.body, c.signature, "key-"+c.name); got != http.StatusUnauthorized {
			t.Errorf("%s: status %d, want 401 (a 4xx, which Sanity does not retry)", c.name, got)
		}
		if d := f.lastOutcome(); d.Outcome != c.want || d.Reason == "" {
			t.Errorf("%s: outcome %s (%q), want %s with a reason", c.name, d.Outcome, d.Reason, c.want)
		}
		if strings.Contains(f.rc.Deliveries()[i].Reason, secret) {
			t.Errorf("%s: the reason names the secret", c.name)
		}
	}
	if n := f.runner.runs(); n != 0 {
		t.Errorf("%d runs, want none", n)
	}
}

// A forged request carrying the key of a delivery still to come must not make the real one a duplicate.
func TestReceiverForgedDeliveryDoesNotUseUpItsKey(t *testing.T) {
	f := newFixture(t, pipeline.ReceiverConfig{})
	f.post(http.MethodPost, body, pipeline.Sign("guess", f.now, []byte(body)), "msg-7")
	if got := f.post(http.MethodPost, body, pipeline.Sign(secret, f.now, []byte(body)), "msg-7"); got != http.StatusAccepted {
		t.Errorf("the real delivery after a forged one with its key: status %d, want 202", got)
	}
	if n := f.runner.runs(); n != 1 {
		t.Errorf("%d runs, want 1", n)
	}
}

func TestReceiverForgetsKeysAfterRememberFor(t *testing.T) {
	f := newFixture(t, pipeline.ReceiverConfig{RememberFor: 40 * time.Minute})
	f.post(http.MethodPost, body, pipeline.Sign(secret, f.now, []byte(body)), "msg-1")
	f.now = f.now.Add(39 * time.Minute)
	if got := f.post(http.MethodPost, body, pipeline.Sign(secret, f.now, []byte(body)), "msg-1"); got != http.StatusOK {
		t.Errorf("within RememberFor: status %d, want 200", got)
	}
	f.now = f.now.Add(2 * time.Minute)
	if got := f.post(http.MethodPost, body, pipeline.Sign(secret, f.now, []byte(body)), "msg-1"); got != http.StatusAccepted {
		t.Errorf("after RememberFor: status %d, want 202", got)
	}
	if n := f.runner.runs(); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
}

func TestReceiverStartsRunsOnlyForItsEventTypes(t *testing.T) {
	f := newFixture(t, pipeline.ReceiverConfig{EventTypes: []string{"sanity-access-changed"}})
	other := strings.Replace(body, "sanity-access-changed", "something-else", 1)
	if got := f.post(http.MethodPost, other, pipeline.Sign(secret, f.now, []byte(other)), "msg-1"); got != http.StatusNoContent {
		t.Errorf("another event type: status %d, want 204", got)
	}
	if f.lastOutcome().Outcome != pipeline.Ignored {
		t.Errorf("outcome %s, want ignored", f.lastOutcome().Outcome)
	}
	if got := f.post(http.MethodPost, body, pipeline.Sign(secret, f.now, []byte(body)), "msg-2"); got != http.StatusAccepted {
		t.Errorf("its event type: status %d, want 202", got)
	}
	if n := f.runner.runs(); n != 1 {
		t.Errorf("%d runs, want 1", n)
	}
}

func TestReceiverRefusesMalformedRequests(t *testing.T) {
	f := newFixture(t, pipeline.ReceiverConfig{MaxBody: 200})
	big := `{"event_type":"sanity-access-changed","client_payload":{"id":"` + strings.Repeat("x", 300) + `"}}`
	notJSON := "event_type=sanity-access-changed"
	cases := []struct {
		name, method, body string
		want               int
	}{
		{"GET", http.MethodGet, body, http.StatusMethodNotAllowed},
		{"a body over the limit", http.MethodPost, big, http.StatusRequestEntityTooLarge},
		{"a signed body that is not JSON", http.MethodPost, notJSON, http.StatusBadRequest},
	}
	for _, c := range cases {
		if got := f.post(c.method, c.body, pipeline.Sign(secret, f.now, []byte(c.body)), ""); got != c.want {
			t.Errorf("%s: status %d, want %d", c.name, got, c.want)
		}
		if f.lastOutcome().Outcome != pipeline.Malformed {
			t.Errorf("%s: outcome %s, want malformed", c.name, f.lastOutcome().Outcome)
		}
	}
	if n := f.runner.runs(); n != 0 {
		t.Errorf("%d runs, want none", n)
	}
}

func TestNewReceiverNeedsASecret(t *testing.T) {
	if _, err := pipeline.NewReceiver(pipeline.NewGroup(&countingRunner{}), pipeline.ReceiverConfig{}); err == nil {
		t.Error("a receiver without a secret: want an error")
	}
}

// Over real HTTP, without an idempotency key (a start by hand): every such request starts or joins a run.
func TestReceiverOverHTTPWithoutKey(t *testing.T) {
	f := newFixture(t, pipeline.ReceiverConfig{})
	srv := httptest.NewServer(f.rc)
	defer srv.Close()
	for range 2 {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader([]byte(body)))
		req.Header.Set(pipeline.SignatureHeader, pipeline.Sign(secret, f.now, []byte(body)))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Errorf("status %d, want 202", resp.StatusCode)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := f.group.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		cancel()
	}
	if n := f.runner.runs(); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
}
