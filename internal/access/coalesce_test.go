package access_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

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
