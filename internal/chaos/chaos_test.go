package chaos

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// chaosCase is one bad day. faults starts the case's faults just before the apply that is measured (a
// first apply, or a destroy after a clean first apply) and returns what stops them again.
type chaosCase struct {
	name      string
	searchLag time.Duration
	destroy   bool
	faults    func(w *world) (stop func())
}

const seed = 19

var cases = []chaosCase{
	{
		name: "okta 500s on 20% of creates",
		faults: func(w *world) func() {
			w.stack.Okta.FailFraction("POST", "/api/v1/groups", 500, 0.2, seed)
			return func() {}
		},
	},
	{
		name:    "okta 500s on 20% of deletes during destroy",
		destroy: true,
		faults: func(w *world) func() {
			w.stack.Okta.FailFraction("DELETE", "/api/v1/groups/*", 500, 0.2, seed)
			return func() {}
		},
	},
	{
		name: "okta outage of 5s in the middle of a first apply",
		faults: func(w *world) func() {
			stop := make(chan struct{})
			var done sync.WaitGroup
			done.Add(1)
			go func() {
				defer done.Done()
				// Once a third of the groups exist, Okta goes away.
				for len(w.ownedGroups()) < w.n/3 {
					select {
					case <-stop:
						return
					case <-time.After(10 * time.Millisecond):
					}
				}
				w.stack.Okta.Outage(5 * time.Second)
				w.outages.Add(1)
			}()
			return func() { close(stop); done.Wait() }
		},
	},
	{
		name:      "lost answers to 20% of applied creates, search lagging 2s",
		searchLag: 2 * time.Second,
		faults: func(w *world) func() {
			if err := w.stack.Okta.AddFault(oktatest.Fault{Method: "POST", Path: "/api/v1/groups", Drop: true, Apply: true,
				Fraction: 0.2, Seed: seed, Times: -1}); err != nil {
				w.tb.Fatal(err)
			}
			return func() {}
		},
	},
	{
		name: "sanity 503s on 20% and lost answers on 10% of write-backs",
		faults: func(w *world) func() {
			mutate := "/v*/data/mutate/*"
			w.stack.Sanity.FailFraction(sanitytest.Fault{Method: "POST", Path: mutate, Status: 503}, 0.2, seed)
			w.stack.Sanity.FailFraction(sanitytest.Fault{Method: "POST", Path: mutate, DropResponse: true}, 0.1, seed+1)
			return func() {}
		},
	},
	{
		name: "an editor patching the drafts throughout, okta 500s on 10% of creates",
		faults: func(w *world) func() {
			w.stack.Okta.FailFraction("POST", "/api/v1/groups", 500, 0.1, seed)
			stop := make(chan struct{})
			var done sync.WaitGroup
			w.editor(stop, &done)
			return func() { close(stop); done.Wait() }
		},
	},
}

// result is what one run of a case took.
type result struct {
	applies      int // applies until the first that succeeded
	wall         time.Duration
	oktaRequests int
	lastErr      error
}

// run sets the case up in a fresh world and applies until an apply succeeds, at most maxApplies times.
// Between applies it waits for an outage to end, as whoever reruns the pipeline would.
func run(tb testing.TB, c chaosCase, n int, retries string, withFaults bool, maxApplies int) (*world, result) {
	tb.Helper()
	w := newWorld(tb, worldOptions{n: n, searchLag: c.searchLag, retries: retries})
	if c.destroy {
		if err := w.apply(false); err != nil {
			tb.Fatalf("the clean first apply failed: %v", err)
		}
	}
	stop := func() {}
	if withFaults {
		stop = c.faults(w)
	}
	var r result
	before := w.oktaRequests()
	start := time.Now()
	for r.applies < maxApplies {
		r.applies++
		if r.lastErr = w.apply(c.destroy); r.lastErr == nil {
			break
		}
		for down, _ := w.stack.Okta.Down(); down; down, _ = w.stack.Okta.Down() {
			time.Sleep(50 * time.Millisecond)
		}
	}
	r.wall = time.Since(start)
	stop()
	r.oktaRequests = w.oktaRequests() - before
	return w, r
}

func requireAcc(tb testing.TB) {
	tb.Helper()
	if os.Getenv("TF_ACC") == "" {
		tb.Skip("chaos test: runs terraform apply against the local stack; set TF_ACC=1 (make test does)")
	}
}

// TestChaos: every case succeeds in one apply with the provider's default retry bounds.
func TestChaos(t *testing.T) {
	requireAcc(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w, r := run(t, c, 30, "", true, 1)
			if r.lastErr != nil {
				t.Fatalf("the apply failed under %s: %v", c.name, r.lastErr)
			}
			if c.destroy {
				w.checkDestroyed(t)
			} else {
				w.checkSynced(t)
			}
			if strings.Contains(c.name, "outage") && w.outages.Load() != 1 {
				t.Errorf("the outage did not happen during the apply")
			}
		})
	}
}

// TestChaosFaultOutlastingTheBounds: when Okta keeps failing past max_retries and max_retry_wait, the
// apply fails with an error that says how many attempts were made over what time and that the next
// apply continues; once Okta is back, the next apply does, with one group per document.
func TestChaosFaultOutlastingTheBounds(t *testing.T) {
	requireAcc(t)
	t.Parallel()
	w := newWorld(t, worldOptions{n: 6, retries: "2"})
	w.env = append(w.env, "OKTA_MAX_RETRY_WAIT=2s")
	w.stack.Okta.FailNext("POST", "/api/v1/groups", 503, -1)
	err := w.apply(false)
	if err == nil {
		t.Fatal("the apply succeeded while every create was answered 503")
	}
	for _, want := range []string{"creating Okta group", "for document", "3 attempts over", "HTTP 503",
		"the next apply continues from where this one stopped"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	if groups := w.ownedGroups(); len(groups) != 0 {
		t.Errorf("%d groups exist after every create failed", len(groups))
	}
	w.stack.Okta.ClearFaults()
	if err := w.apply(false); err != nil {
		t.Fatalf("the apply after Okta recovered failed: %v", err)
	}
	w.checkSynced(t)
}

// BenchmarkChaos prints, per case: applies needed and wall time without the provider's retries
// (okta.max_retries = 0) and with the defaults, and the Okta requests the retries added over the same
// apply without faults. CHAOS_N sets the number of documents (default 200).
func BenchmarkChaos(b *testing.B) {
	n := 200
	if s := os.Getenv("CHAOS_N"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 3 {
			b.Fatalf("CHAOS_N=%q: want a number of documents, at least 3", s)
		}
		n = v
	}
	type row struct {
		name                 string
		clean, before, after result
	}
	var rows []row
	for range b.N {
		rows = rows[:0]
		for _, c := range cases {
			var rw row
			rw.name = c.name
			_, rw.clean = run(b, c, n, "", false, 1)
			_, rw.before = run(b, c, n, "0", true, 10)
			w, after := run(b, c, n, "", true, 10)
			rw.after = after
			if c.destroy {
				w.checkDestroyed(b)
			} else {
				w.checkSynced(b)
			}
			rows = append(rows, rw)
		}
	}
	var out strings.Builder
	fmt.Fprintf(&out, "\nchaos cases over %d documents; before: okta.max_retries = 0, after: the defaults\n", n)
	fmt.Fprintf(&out, "| case | applies before | applies after | wall before | wall after | Okta requests clean / after | added by retries |\n")
	fmt.Fprintf(&out, "|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&out, "| %s | %s | %d | %s | %s | %d / %d | %+d |\n", r.name, applies(r.before), r.after.applies,
			r.before.wall.Round(100*time.Millisecond), r.after.wall.Round(100*time.Millisecond),
			r.clean.oktaRequests, r.after.oktaRequests, r.after.oktaRequests-r.clean.oktaRequests)
	}
	fmt.Print(out.String())
}

func applies(r result) string {
	if r.lastErr != nil {
		return fmt.Sprintf(">%d", r.applies)
	}
	return strconv.Itoa(r.applies)
}
