package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/e2e/pipeline"
)

// Scenario 1: an editor publishes a new gated document; one apply creates its group and writes the
// group's ID back into the document.
func TestE2EPublishNewDocumentCreatesGroup(t *testing.T) {
	requireAcc(t)
	l := newLoop(t, loopOptions{})

	l.publishNew("hb-onboarding", "onboarding")
	l.settle()

	runs := l.group.Runs()
	if len(runs) != 1 {
		t.Fatalf("%d applies after one publish, want 1", len(runs))
	}
	if got := runs[0].Changes; got != (pipeline.Changes{Added: 1}) {
		t.Errorf("the apply changed %s, want 1 added", got)
	}
	g := l.oktaGroup("onboarding")
	if g == nil {
		t.Fatal("no Okta group content:onboarding after the publish")
	}
	if g.Description != "Access to Handbook: onboarding" {
		t.Errorf("group description %q", g.Description)
	}
	if got := l.fieldOf("hb-onboarding"); got != g.ID {
		t.Errorf("the document's oktaGroupId is %q, want the group's ID %q", got, g.ID)
	}
	d := l.receiver.Deliveries()
	if len(d) != 1 || d[0].Outcome != pipeline.Accepted || d[0].Operation != "create" || d[0].DocumentID != "hb-onboarding" {
		t.Errorf("deliveries: %+v, want one accepted create of hb-onboarding", d)
	}
}

// Scenario 2: the provider's write-back starts no further run, because the example webhook's filter
// leaves it out; and should a run start anyway (a redelivery, a start by hand), it changes nothing and
// writes nothing.
func TestE2EPublishWriteBackStartsNoRun(t *testing.T) {
	requireAcc(t)
	l := newLoop(t, loopOptions{})

	l.publishNew("hb-security", "security")
	l.settle()
	if l.fieldOf("hb-security") == "" {
		t.Fatal("the apply did not write the group's ID back")
	}

	// The write-back was a real change of the published document (a new revision) ...
	msgs := l.sanity.WebhookMessages(l.hook.ID)
	if len(msgs) != 1 || msgs[0].Operation != "create" {
		t.Fatalf("webhook messages: %d, want only the publish (the write-back must not fire)", len(msgs))
	}
	if runs := l.group.Runs(); len(runs) != 1 {
		t.Fatalf("%d runs, want 1: the write-back started another", len(runs))
	}

	// ... and the safety net: a run with nothing to do changes nothing in Okta or Sanity.
	sanityBefore, oktaBefore := l.writes()
	run := l.syncNow()
	if !run.Changes.None() {
		t.Errorf("a run after the sync changed %s, want nothing", run.Changes)
	}
	if sanityAfter, oktaAfter := l.writes(); sanityAfter != sanityBefore || oktaAfter != oktaBefore {
		t.Errorf("a run with nothing to do wrote: %d Content Lake writes, %d Okta writes",
			sanityAfter-sanityBefore, oktaAfter-oktaBefore)
	}
	if msgs := l.sanity.WebhookMessages(l.hook.ID); len(msgs) != 1 {
		t.Errorf("%d webhook messages after the empty run, want still 1", len(msgs))
	}
}

// The filter has to name _rev and _updatedAt next to oktaGroupId: every write moves them, so
// `!delta::changedOnly(oktaGroupId)` alone lets the write-back through. This pins down why the example
// uses the longer form.
func TestE2EPublishWriteBackFilterNeedsSystemFields(t *testing.T) {
	requireAcc(t)
	l := newLoop(t, loopOptions{})
	naive := newCounter()
	t.Cleanup(naive.Close)
	hook := l.hook
	hook.ID, hook.Name, hook.URL, hook.Secret = "", "naive filter", naive.URL, ""
	hook.Rule.Filter = strings.Replace(hook.Rule.Filter, "(oktaGroupId, _rev, _updatedAt)", "oktaGroupId", 1)
	if hook.Rule.Filter == l.hook.Rule.Filter {
		t.Fatalf("the example filter %q no longer has the clause this test narrows", l.hook.Rule.Filter)
	}
	if _, err := l.sanity.CreateWebhook(hook); err != nil {
		t.Fatal(err)
	}

	l.publishNew("hb-travel", "travel")
	l.settle()

	if got := len(l.sanity.WebhookMessages(l.hook.ID)); got != 1 {
		t.Errorf("the example webhook fired %d times, want 1 (the publish)", got)
	}
	if got := naive.Count(); got != 2 {
		t.Errorf("a webhook filtered with !delta::changedOnly(oktaGroupId) fired %d times, want 2 (the publish and the write-back)", got)
	}
}

// Scenario 3: ten publishes in a burst cost at most two applies, and every document gets its group.
func TestE2EPublishBurstCoalesces(t *testing.T) {
	requireAcc(t)
	l := newLoop(t, loopOptions{})

	var slugs []string
	for i := range 10 {
		slug := fmt.Sprintf("burst-%02d", i)
		slugs = append(slugs, slug)
		l.publishNew("hb-"+slug, slug)
	}
	l.settle()

	runs := l.group.Runs()
	if len(runs) > 2 {
		t.Errorf("%d applies for a burst of ten publishes, want at most 2", len(runs))
	}
	added := 0
	for _, r := range runs {
		added += r.Changes.Added
		t.Logf("apply %d: %d triggers, %s", r.N, len(r.Triggers), r.Changes)
	}
	if added != 10 {
		t.Errorf("the applies added %d groups in all, want 10", added)
	}
	for _, s := range slugs {
		g := l.oktaGroup(s)
		if g == nil {
			t.Errorf("no group content:%s", s)
			continue
		}
		if got := l.fieldOf("hb-" + s); got != g.ID {
			t.Errorf("hb-%s holds oktaGroupId %q, want %q", s, got, g.ID)
		}
	}
	if d := l.receiver.Deliveries(); len(d) != 10 {
		t.Errorf("%d deliveries, want 10 (one per publish, none for the write-backs)", len(d))
	}
}

// Scenario 4: unpublishing, deleting and archiving a document removes its group (or, with
// on_destroy = "keep", leaves it) and clears the field wherever the document still exists.
func TestE2EPublishUnpublishDeleteArchive(t *testing.T) {
	requireAcc(t)
	for _, keep := range []bool{false, true} {
		name := map[bool]string{false: "on_destroy=delete", true: "on_destroy=keep"}[keep]
		t.Run(name, func(t *testing.T) {
			l := newLoop(t, loopOptions{keepGroups: keep, seed: seedNDJSON(t, "pricing", "expenses", "legacy")})
			if run := l.syncNow(); run.Changes != (pipeline.Changes{Added: 3}) {
				t.Fatalf("the first sync changed %s, want 3 added", run.Changes)
			}
			ids := map[string]string{}
			for _, s := range []string{"pricing", "expenses", "legacy"} {
				ids[s] = l.oktaGroup(s).ID
			}
			wantGroup := func(slug string) {
				t.Helper()
				g := l.oktaGroup(slug)
				switch {
				case keep && (g == nil || g.ID != ids[slug]):
					t.Errorf("group content:%s is gone, want it kept", slug)
				case !keep && g != nil:
					t.Errorf("group content:%s still exists, want it deleted", slug)
				}
			}
			wantRuns := func(n int) {
				t.Helper()
				if got := len(l.group.Runs()); got != n {
					t.Errorf("%d runs, want %d", got, n)
				}
			}

			// Unpublish: the published document goes, its content lives on as a draft.
			if err := l.sanity.Unpublish("hb-pricing"); err != nil {
				t.Fatal(err)
			}
			l.settle()
			wantRuns(2)
			wantGroup("pricing")
			if got := l.fieldOf("drafts.hb-pricing"); got != "" {
				t.Errorf("the unpublished document's draft still holds oktaGroupId %q", got)
			}

			// Delete: nothing is left to clear.
			if err := l.sanity.Delete("hb-expenses"); err != nil {
				t.Fatal(err)
			}
			l.settle()
			wantRuns(3)
			wantGroup("expenses")

			// Archive: switch active off in the Studio and publish.
			if err := l.sanity.Edit("hb-legacy", map[string]any{"active": false}); err != nil {
				t.Fatal(err)
			}
			if err := l.sanity.Publish("hb-legacy"); err != nil {
				t.Fatal(err)
			}
			l.settle()
			wantRuns(4)
			wantGroup("legacy")
			if got := l.fieldOf("hb-legacy"); got != "" {
				t.Errorf("the archived document still holds oktaGroupId %q", got)
			}

			for _, r := range l.group.Runs()[1:] {
				if r.Changes != (pipeline.Changes{Destroyed: 1}) {
					t.Errorf("run %d changed %s, want 1 destroyed", r.N, r.Changes)
				}
			}

			// Publishing the unpublished document again gives it a group again: the kept one, found by
			// name, or a new one.
			if err := l.sanity.Publish("hb-pricing"); err != nil {
				t.Fatal(err)
			}
			l.settle()
			wantRuns(5)
			g := l.oktaGroup("pricing")
			switch {
			case g == nil:
				t.Fatal("no group content:pricing after publishing again")
			case keep && g.ID != ids["pricing"]:
				t.Errorf("publishing again made group %s, want the kept %s adopted", g.ID, ids["pricing"])
			case !keep && g.ID == ids["pricing"]:
				t.Errorf("publishing again found the deleted group %s", g.ID)
			}
			if got := l.fieldOf("hb-pricing"); got != g.ID {
				t.Errorf("hb-pricing holds oktaGroupId %q after publishing again, want %q", got, g.ID)
			}

			// Four editor changes, four deliveries: writing and clearing the field fired nothing.
			if got := len(l.sanity.WebhookMessages(l.hook.ID)); got != 4 {
				t.Errorf("%d webhook messages, want 4", got)
			}
		})
	}
}

// Scenario 5: a forged signature and an old delivery replayed are refused and start nothing; a
// delivery Sanity retries after a lost answer starts one run, not two.
func TestE2EPublishRejectsForgedAndReplayed(t *testing.T) {
	requireAcc(t)
	capture := &captured{}
	l := newLoop(t, loopOptions{endpoint: capture.wrap})

	// A real delivery whose answer is lost on the way back: Sanity retries it with the same
	// idempotency key and a fresh signature.
	capture.loseNextAnswer()
	l.publishNew("hb-finance", "finance")
	l.settle()
	if runs := l.group.Runs(); len(runs) != 1 {
		t.Fatalf("%d runs for one publish delivered twice, want 1", len(runs))
	}
	if d := l.receiver.Deliveries(); len(d) != 2 || d[0].Outcome != pipeline.Accepted || d[1].Outcome != pipeline.Duplicate {
		t.Fatalf("deliveries %+v, want accepted then duplicate", d)
	}
	orig := capture.first()
	sanityBefore, oktaBefore := l.writes()

	post := func(body []byte, signature, key string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, l.endpoint.URL, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(pipeline.SignatureHeader, signature)
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	forgedBody := []byte(`{"event_type":"sanity-access-changed","client_payload":{"id":"hb-finance","operation":"delete"}}`)
	cases := []struct {
		name       string
		skew       time.Duration
		body       []byte
		signature  string
		key        string
		wantStatus int
		want       pipeline.Outcome
	}{
		{"signed with another secret", 0, forgedBody, pipeline.Sign("guessed", time.Now(), forgedBody), "forged-1", 401, pipeline.Forged},
		{"no signature", 0, forgedBody, "", "forged-2", 401, pipeline.Forged},
		{"real signature, altered body", 0, forgedBody, orig.signature, "forged-3", 401, pipeline.Forged},
		{"the real delivery replayed ten minutes later", 10 * time.Minute, orig.body, orig.signature, orig.key, 401, pipeline.Stale},
		{"replayed later under a new key", 10 * time.Minute, orig.body, orig.signature, "replay-new-key", 401, pipeline.Stale},
		{"replayed at once", 0, orig.body, orig.signature, orig.key, 200, pipeline.Duplicate},
	}
	for _, c := range cases {
		l.clockSkew.Store(int64(c.skew))
		if got := post(c.body, c.signature, c.key); got != c.wantStatus {
			t.Errorf("%s: status %d, want %d", c.name, got, c.wantStatus)
		}
		d := l.receiver.Deliveries()
		if last := d[len(d)-1]; last.Outcome != c.want {
			t.Errorf("%s: outcome %s (%s), want %s", c.name, last.Outcome, last.Reason, c.want)
		}
	}
	l.clockSkew.Store(0)
	l.settle()

	if runs := l.group.Runs(); len(runs) != 1 {
		t.Errorf("%d runs, want still 1: a refused delivery started a run", len(runs))
	}
	if sanityAfter, oktaAfter := l.writes(); sanityAfter != sanityBefore || oktaAfter != oktaBefore {
		t.Errorf("refused deliveries led to %d Content Lake writes and %d Okta writes", sanityAfter-sanityBefore, oktaAfter-oktaBefore)
	}
	if g := l.oktaGroup("finance"); g == nil || l.fieldOf("hb-finance") != g.ID {
		t.Error("the finance group or its ID in the document is gone after the refused deliveries")
	}
}

// captured records the deliveries that reach the receiver, and can lose the receiver's next answer
// the way a dropped connection would.
type captured struct {
	mu       sync.Mutex
	got      []delivery
	loseNext bool
}

type delivery struct {
	body           []byte
	signature, key string
}

func (c *captured) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		c.mu.Lock()
		c.got = append(c.got, delivery{body: body, signature: r.Header.Get(pipeline.SignatureHeader), key: r.Header.Get("Idempotency-Key")})
		lose := c.loseNext
		c.loseNext = false
		c.mu.Unlock()
		if lose {
			// The receiver handles it, but Sanity sees a server error and tries again.
			next.ServeHTTP(discard{}, r)
			http.Error(w, "answer lost", http.StatusBadGateway)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (c *captured) loseNextAnswer() {
	c.mu.Lock()
	c.loseNext = true
	c.mu.Unlock()
}

func (c *captured) first() delivery {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.got[0]
}

type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}
