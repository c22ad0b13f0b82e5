package access_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// createInParallel creates groups for docs as Terraform's parallel apply does.
func createInParallel(t *testing.T, svc *access.Service, ids []string) []error {
	t.Helper()
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, errs[i] = svc.Create(context.Background(), spec(id, "content:"+id))
		}()
	}
	wg.Wait()
	return errs
}

func TestParallelCreatesShareWriteBackTransactions(t *testing.T) {
	w := newWorld(t, worldOptions{})
	var ids []string
	for i := range 10 {
		ids = append(ids, fmt.Sprintf("hb%02d", i))
		w.seed(t, doc(ids[i]), doc("drafts."+ids[i]))
	}
	before := w.mutations()
	for i, err := range createInParallel(t, w.svc, ids) {
		if err != nil {
			t.Errorf("create %s: %v", ids[i], err)
		}
	}
	for _, id := range ids {
		if w.field(id) == nil || w.lake.Document("drafts." + id)["oktaGroupId"] == nil {
			t.Errorf("%s was not written back", id)
		}
	}
	if got := w.mutations() - before; got >= len(ids) {
		t.Errorf("%d mutation requests for %d parallel creates, want fewer than one each", got, len(ids))
	}
}

func TestCreatesStartedOneAfterAnotherShareOneWriteBack(t *testing.T) {
	// Terraform starts resources one after another, with a gap of its own between them; creates still
	// share a transaction when each starts soon after the one before.
	w := newWorld(t, worldOptions{})
	const n, gap = 30, 20 * time.Millisecond
	var ids []string
	for i := range n {
		ids = append(ids, fmt.Sprintf("hb%02d", i))
		w.seed(t, doc(ids[i]))
	}
	before := w.mutations()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Add(1)
		time.Sleep(gap)
		go func() {
			defer wg.Done()
			_, _, errs[i] = w.svc.Create(context.Background(), spec(id, "content:"+id))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("create %s: %v", ids[i], err)
		}
		if w.field(ids[i]) == nil {
			t.Errorf("%s was not written back", ids[i])
		}
	}
	// Spread over 600 ms, so a fixed 100 ms window would have sent six or more; one stall of the test
	// process under load may split the batch once more.
	if got := w.mutations() - before; got > 3 {
		t.Errorf("%d mutation requests for %d creates started %s apart, want at most 3", got, n, gap)
	}
}

func TestCreatesOneAtATimeDoNotWaitForABatch(t *testing.T) {
	// terraform apply -parallelism=1, as users hitting Okta's rate limits are told to run it: no other
	// create can join, so none should wait for one.
	w := newWorld(t, worldOptions{})
	const n = 10
	for i := range n {
		w.seed(t, doc(fmt.Sprintf("hb%02d", i)))
	}
	start := time.Now()
	for i := range n {
		id := fmt.Sprintf("hb%02d", i)
		if _, _, err := w.svc.Create(context.Background(), spec(id, "content:"+id)); err != nil {
			t.Fatalf("create %s: %v", id, err)
		}
	}
	// A fixed 100 ms window makes this take more than a second.
	if took := time.Since(start); took > 800*time.Millisecond {
		t.Errorf("%d creates one after another took %s, want well under 100 ms each", n, took)
	}
}

func TestALoneCreateWritesBackWithoutWaitingForABatch(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb"))
	start := time.Now()
	if _, _, err := w.svc.Create(context.Background(), spec("hb", "content:hb")); err != nil {
		t.Fatal(err)
	}
	// The write-back waits only for creates that could still join; the bound is far above the settle
	// time so that a loaded machine does not fail it, and far below the longest wait for a batch.
	if took := time.Since(start); took > 700*time.Millisecond {
		t.Errorf("a lone create took %s", took)
	}
	if w.field("hb") == nil {
		t.Error("not written back")
	}
}

// editingLake edits one document behind the service's back just before the first shared transaction.
type editingLake struct {
	access.ContentLake
	lake   *sanitytest.Server
	editID string
	edited atomic.Bool
}

func (l *editingLake) Mutate(ctx context.Context, txID string, patches []access.Patch) error {
	if len(patches) > 1 && l.edited.CompareAndSwap(false, true) {
		d := l.lake.Document(l.editID)
		d["title"] = "edited concurrently"
		if err := l.lake.Seed(d); err != nil {
			return err
		}
	}
	return l.ContentLake.Mutate(ctx, txID, patches)
}

func TestConflictInASharedWriteBackFailsNoOtherDocument(t *testing.T) {
	var el *editingLake
	w := newWorld(t, worldOptions{wrap: func(l access.ContentLake) access.ContentLake {
		el = &editingLake{ContentLake: l, editID: "hb03"}
		return el
	}})
	el.lake = w.lake
	var ids []string
	for i := range 8 {
		ids = append(ids, fmt.Sprintf("hb%02d", i))
		w.seed(t, doc(ids[i]))
	}
	for i, err := range createInParallel(t, w.svc, ids) {
		if err != nil {
			t.Errorf("create %s: %v", ids[i], err)
		}
	}
	if !el.edited.Load() {
		t.Fatal("no shared transaction was sent")
	}
	for _, id := range ids {
		if w.field(id) == nil {
			t.Errorf("%s was not written back", id)
		}
	}
	if got := w.lake.Document("hb03")["title"]; got != "edited concurrently" {
		t.Errorf("the concurrent edit was overwritten: title %v", got)
	}
}
