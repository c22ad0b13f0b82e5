package sanitytest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

type delivery struct {
	header http.Header
	body   []byte
	method string
}

// receiver records deliveries; fail decides the status of each (nil: 200).
type receiver struct {
	*httptest.Server
	mu         sync.Mutex
	got        []delivery
	inFlight   atomic.Int32
	maxFlight  atomic.Int32
	fail       func(n int) int
	slowFor    time.Duration
	deliveries atomic.Int32
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := rc.inFlight.Add(1)
		defer rc.inFlight.Add(-1)
		for {
			prev := rc.maxFlight.Load()
			if cur <= prev || rc.maxFlight.CompareAndSwap(prev, cur) {
				break
			}
		}
		time.Sleep(rc.slowFor)
		body, _ := io.ReadAll(r.Body)
		n := int(rc.deliveries.Add(1))
		status := 200
		if rc.fail != nil {
			status = rc.fail(n)
		}
		if status == 200 {
			rc.mu.Lock()
			rc.got = append(rc.got, delivery{header: r.Header.Clone(), body: body, method: r.Method})
			rc.mu.Unlock()
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) deliveriesSoFar() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.got...)
}

func waitHooks(t *testing.T, srv *sanitytest.Server) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitForWebhooks(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestWebhookDeliveryWithDeltaFilterProjectionAndSignature(t *testing.T) {
	rc := newReceiver(t)
	srv := newServer(t)
	hook, err := srv.CreateWebhook(sanitytest.Webhook{
		Name: "access", Dataset: srv.Dataset(), URL: rc.URL, Secret: "s3cret",
		Headers: map[string]string{"Authorization": "Bearer gh-token"},
		Rule: sanitytest.WebhookRule{
			// Every write changes _rev and _updatedAt too, so a filter that ignores the provider's write-back
			// has to name them alongside the field.
			Filter:     `_type == "access" && !delta::changedOnly((oktaGroupId, _rev, _updatedAt))`,
			Projection: `{"event_type": "sanity-access-changed", "client_payload": {"id": coalesce(after()._id, before()._id), "op": delta::operation()}}`,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv, srv.WriteToken(), "")
	ctx := context.Background()
	mustMutate := func(ms ...sanity.Mutation) string {
		t.Helper()
		res, err := c.Mutate(ctx, ms, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res.TransactionID
	}
	tx1 := mustMutate(sanity.Create(doc("a", "access", "title", "A")))
	mustMutate(sanity.Create(doc("other", "page")))      // filtered out by _type
	mustMutate(sanity.Create(doc("drafts.a", "access"))) // drafts are off
	back := sanity.PatchID("a")                          // the provider's own write-back
	back.Set = map[string]any{"oktaGroupId": "00g1"}
	mustMutate(back.Mutation())
	edit := sanity.PatchID("a")
	edit.Set = map[string]any{"title": "A2"}
	mustMutate(edit.Mutation())
	mustMutate(sanity.Delete("a"))
	waitHooks(t, srv)

	got := rc.deliveriesSoFar()
	var ops []string
	for _, d := range got {
		var body struct {
			EventType     string                  `json:"event_type"`
			ClientPayload struct{ ID, Op string } `json:"client_payload"`
		}
		if err := json.Unmarshal(d.body, &body); err != nil {
			t.Fatalf("body %s: %v", d.body, err)
		}
		if body.EventType != "sanity-access-changed" || body.ClientPayload.ID != "a" {
			t.Errorf("body %s", d.body)
		}
		ops = append(ops, body.ClientPayload.Op)
	}
	if strings.Join(ops, ",") != "create,update,delete" {
		t.Fatalf("operations delivered: %v", ops)
	}

	first := got[0]
	h := first.header
	if h.Get("Sanity-Transaction-Id") != tx1 || h.Get("Sanity-Document-Id") != "a" || h.Get("Sanity-Operation") != "create" ||
		h.Get("Sanity-Webhook-Id") != hook.ID || h.Get("Sanity-Dataset") != srv.Dataset() || h.Get("Sanity-Project-Id") != srv.ProjectID() ||
		h.Get("Idempotency-Key") == "" || h.Get("Authorization") != "Bearer gh-token" || h.Get("Content-Type") != "application/json" ||
		first.method != "POST" {
		t.Errorf("headers %v", h)
	}
	// Verify the signature the way a receiver must: over the raw body bytes.
	sig := h.Get("Sanity-Webhook-Signature")
	ts, v1, ok := strings.Cut(strings.TrimPrefix(sig, "t="), ",v1=")
	if !ok {
		t.Fatalf("signature header %q", sig)
	}
	mac := hmac.New(sha256.New, []byte("s3cret"))
	mac.Write([]byte(ts + "." + string(first.body)))
	if want := base64.RawURLEncoding.EncodeToString(mac.Sum(nil)); v1 != want {
		t.Errorf("signature %q, want v1=%q", sig, want)
	}
}

func TestSignWebhookMatchesPublishedVector(t *testing.T) {
	// Test vector of Sanity's webhook toolkit: secret "test", body {"_id":"resume"}.
	got := sanitytest.SignWebhook("test", time.UnixMilli(1633519811129), []byte(`{"_id":"resume"}`))
	if want := "t=1633519811129,v1=tLa470fx7qkLLEcMOcEUFuBbRSkGujyskxrNXcoh0N0"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestWebhookRetriesOneAtATime(t *testing.T) {
	rc := newReceiver(t)
	rc.slowFor = 5 * time.Millisecond
	rc.fail = func(n int) int {
		switch n {
		case 1:
			return 503
		case 2:
			return 429
		}
		return 200
	}
	srv := newServer(t, sanitytest.WithWebhookRetry(time.Millisecond, time.Minute))
	hook, err := srv.CreateWebhook(sanitytest.Webhook{Name: "all", Dataset: srv.Dataset(), URL: rc.URL})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := srv.Put(doc("d"+string(rune('0'+i)), "page")); err != nil {
			t.Fatal(err)
		}
	}
	waitHooks(t, srv)
	got := rc.deliveriesSoFar()
	if len(got) != 5 {
		t.Fatalf("delivered %d, want 5", len(got))
	}
	if rc.maxFlight.Load() != 1 {
		t.Errorf("%d deliveries in flight at once, want 1", rc.maxFlight.Load())
	}
	var first map[string]any
	_ = json.Unmarshal(got[0].body, &first)
	if first["_id"] != "d0" {
		t.Errorf("first delivery %s: retries must keep the order", got[0].body)
	}
	msgs := srv.WebhookMessages(hook.ID)
	if len(msgs[0].Attempts) != 3 || msgs[0].Status != "sent" {
		t.Errorf("first message: %+v", msgs[0])
	}
	if got[0].header.Get("Idempotency-Key") != msgs[0].ID {
		t.Errorf("idempotency key %q, message %q", got[0].header.Get("Idempotency-Key"), msgs[0].ID)
	}
}

func TestWebhookClientErrorsAreNotRetried(t *testing.T) {
	rc := newReceiver(t)
	rc.fail = func(int) int { return 404 }
	srv := newServer(t, sanitytest.WithWebhookRetry(time.Millisecond, time.Minute))
	hook, err := srv.CreateWebhook(sanitytest.Webhook{Name: "gone", Dataset: srv.Dataset(), URL: rc.URL})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Put(doc("a", "page")); err != nil {
		t.Fatal(err)
	}
	waitHooks(t, srv)
	msgs := srv.WebhookMessages(hook.ID)
	if len(msgs) != 1 || msgs[0].Status != "failed" || len(msgs[0].Attempts) != 1 {
		t.Errorf("messages %+v", msgs)
	}
}

func TestWebhooksAPI(t *testing.T) {
	rc := newReceiver(t)
	srv := newServer(t)
	call := func(method, path, token, body string) (int, []byte) {
		req, _ := http.NewRequest(method, srv.URL+"/v2021-10-04/hooks/projects/"+srv.ProjectID()+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	create := `{"type":"document","name":"publish","dataset":"` + srv.Dataset() + `","url":"` + rc.URL + `","httpMethod":"PUT",
		"includeDrafts":true,"secret":"x","rule":{"on":["update"],"filter":"_type == 'page'","projection":"{_id}"}}`
	if status, _ := call("POST", "", srv.ReadToken(), create); status != 403 {
		t.Errorf("read token creating a webhook: %d", status)
	}
	if status, _ := call("POST", "", "", create); status != 401 {
		t.Errorf("anonymous: %d", status)
	}
	status, body := call("POST", "", srv.WriteToken(), create)
	var hook sanitytest.Webhook
	if err := json.Unmarshal(body, &hook); status != 200 || err != nil || hook.ID == "" || hook.Secret != "" || hook.HTTPMethod != "PUT" {
		t.Fatalf("create: %d %s", status, body)
	}
	if status, body := call("POST", "", srv.WriteToken(), `{"name":"bad","dataset":"production","url":"`+rc.URL+`","rule":{"filter":"_type =="}}`); status != 400 {
		t.Errorf("invalid filter: %d %s", status, body)
	}
	seed(t, srv, doc("drafts.p", "page", "n", 1))
	if err := srv.Edit("p", map[string]any{"n": 2}); err != nil {
		t.Fatal(err)
	}
	waitHooks(t, srv)
	if got := rc.deliveriesSoFar(); len(got) != 1 || string(got[0].body) != `{"_id":"drafts.p"}` || got[0].method != "PUT" {
		t.Errorf("deliveries %v", got)
	}
	status, body = call("GET", "/"+hook.ID+"/attempts", srv.WriteToken(), "")
	if status != 200 || !strings.Contains(string(body), `"resultCode":200`) {
		t.Errorf("attempts: %d %s", status, body)
	}
	if status, body := call("PATCH", "/"+hook.ID, srv.WriteToken(), `{"isDisabledByUser":true}`); status != 200 || !strings.Contains(string(body), `"isDisabledByUser":true`) {
		t.Errorf("patch: %d %s", status, body)
	}
	if status, _ := call("DELETE", "/"+hook.ID, srv.WriteToken(), ""); status != 200 {
		t.Errorf("delete: %d", status)
	}
	if status, _ := call("GET", "/"+hook.ID, srv.WriteToken(), ""); status != 404 {
		t.Errorf("get after delete: %d", status)
	}
}

func TestWebhookDraftAndVersionToggles(t *testing.T) {
	rc := newReceiver(t)
	srv := newServer(t)
	plain, err := srv.CreateWebhook(sanitytest.Webhook{Name: "published only", Dataset: srv.Dataset(), URL: rc.URL})
	if err != nil {
		t.Fatal(err)
	}
	versions, err := srv.CreateWebhook(sanitytest.Webhook{Name: "versions", Dataset: srv.Dataset(), URL: rc.URL, IncludeAllVersions: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []map[string]any{doc("a", "page"), doc("drafts.a", "page"), doc("versions.r1.a", "page")} {
		if _, err := srv.Put(d); err != nil {
			t.Fatal(err)
		}
	}
	waitHooks(t, srv)
	ids := func(hookID string) []string {
		var out []string
		for _, m := range srv.WebhookMessages(hookID) {
			out = append(out, m.DocumentID)
		}
		return out
	}
	if got := ids(plain.ID); strings.Join(got, ",") != "a" {
		t.Errorf("published-only hook fired for %v", got)
	}
	if got := ids(versions.ID); strings.Join(got, ",") != "a,versions.r1.a" {
		t.Errorf("versions hook fired for %v", got)
	}
}

func TestWebhookProjectionFollowsReferences(t *testing.T) {
	rc := newReceiver(t)
	srv := newServer(t)
	seed(t, srv, doc("person-1", "person", "email", "ann@example.com"))
	if _, err := srv.CreateWebhook(sanitytest.Webhook{
		Name: "owners", Dataset: srv.Dataset(), URL: rc.URL,
		Rule: sanitytest.WebhookRule{Filter: `_type == "access"`, Projection: `{_id, "owners": owners[]->email}`},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Put(doc("a", "access", "owners", []any{map[string]any{"_type": "reference", "_ref": "person-1", "_key": "k"}})); err != nil {
		t.Fatal(err)
	}
	if err := srv.Delete("a"); err != nil {
		t.Fatal(err)
	}
	waitHooks(t, srv)
	got := rc.deliveriesSoFar()
	if len(got) != 2 || string(got[0].body) != `{"_id":"a","owners":["ann@example.com"]}` || string(got[1].body) != string(got[0].body) {
		for _, d := range got {
			t.Logf("delivery %s", d.body)
		}
		t.Errorf("%d deliveries", len(got))
	}
}
