package access_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// createAll creates one group per document hb00..hb<n-1> and returns the bindings.
func createAll(t *testing.T, w *world, n int) []access.Binding {
	t.Helper()
	var bs []access.Binding
	for i := range n {
		id := fmt.Sprintf("hb%02d", i)
		w.seed(t, doc(id))
		bs = append(bs, w.create(t, id))
	}
	return bs
}

// readAll reads every binding in parallel, as a Terraform refresh does.
func readAll(t *testing.T, svc *access.Service, bs []access.Binding) []access.ReadResult {
	t.Helper()
	out := make([]access.ReadResult, len(bs))
	errs := make([]error, len(bs))
	var wg sync.WaitGroup
	for i, b := range bs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = svc.Read(context.Background(), b)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("read %s: %v", bs[i].DocumentID, err)
		}
	}
	return out
}

func (w *world) queries() int { return w.lake.CountRequests("GET", "/v*/data/query/*") }

func TestReadsOfARunShareOneListingOfEach(t *testing.T) {
	w := newWorld(t, worldOptions{})
	bs := createAll(t, w, 30)
	w.seed(t, doc("drafts.hb03", "oktaGroupId", bs[3].GroupID))
	w.nextRun(t)
	w.org.ResetRequests()
	queriesBefore := w.queries()

	for i, res := range readAll(t, w.svc, bs) {
		if res.GroupGone || !res.Binding.DocumentSynced || res.Binding.Name != bs[i].Name {
			t.Errorf("read %s = %+v, want the group found and the document synced", bs[i].DocumentID, res)
		}
	}
	buckets := w.org.Buckets()
	if got := buckets[oktatest.BucketGroups].Requests; got != 1 {
		t.Errorf("%d group listing requests, want 1", got)
	}
	if got := buckets[oktatest.BucketGroupByID].Requests; got != 0 {
		t.Errorf("%d reads of single groups, want none", got)
	}
	if got := w.queries() - queriesBefore; got != 1 {
		t.Errorf("%d Content Lake queries, want 1", got)
	}
}

func TestAPublishThatAddsOneDocumentDoesNotListEveryGroup(t *testing.T) {
	w := newWorld(t, worldOptions{})
	for i := range 450 { // three pages of the listing
		if _, err := w.org.AddGroup(oktatest.Group{Name: fmt.Sprintf("content:existing-%03d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	w.seed(t, doc("hb"))
	w.org.ResetRequests()
	if _, _, err := w.svc.Create(context.Background(), spec("hb", "content:hb")); err != nil {
		t.Fatal(err)
	}
	// One search by name and the create itself.
	if got := w.org.Buckets()[oktatest.BucketGroups].Requests; got != 2 {
		t.Errorf("%d requests to the groups endpoint for one create, want 2", got)
	}
}

func TestReadSeesLostFieldOnAnyVariant(t *testing.T) {
	w := newWorld(t, worldOptions{})
	bs := createAll(t, w, 3)
	// A draft made without the field, and a published document that lost it under a draft that has it.
	w.seed(t, doc("drafts.hb00"), doc("hb01"), doc("drafts.hb01", "oktaGroupId", bs[1].GroupID))
	w.nextRun(t)

	res := readAll(t, w.svc, bs)
	for i, want := range []bool{false, false, true} {
		if res[i].Binding.DocumentSynced != want {
			t.Errorf("%s synced = %v, want %v", bs[i].DocumentID, res[i].Binding.DocumentSynced, want)
		}
	}
}

func TestGroupMissingFromTheListingIsConfirmedByGet(t *testing.T) {
	// Search shows new groups only after a minute, as Okta's index may lag.
	w := newWorld(t, worldOptions{okta: []oktatest.Option{oktatest.WithLimits(oktatest.Limits{SearchLag: time.Minute})}})
	bs := createAll(t, w, 2)
	if err := w.org.DeleteGroup(bs[1].GroupID); err != nil {
		t.Fatal(err)
	}
	w.nextRun(t)
	w.org.ResetRequests()

	res := readAll(t, w.svc, bs)
	if res[0].GroupGone || res[0].Binding.Name != "content:hb00" {
		t.Errorf("a group that search does not show yet was reported as %+v, want found", res[0])
	}
	if !res[1].GroupGone {
		t.Errorf("a deleted group was reported as %+v, want gone", res[1])
	}
	if got := w.org.Buckets()[oktatest.BucketGroupByID].Requests; got != 2 {
		t.Errorf("%d GETs, want 2 (one per group missing from the listing)", got)
	}
}

func TestWritesOfARunUpdateWhatWasRead(t *testing.T) {
	w := newWorld(t, worldOptions{})
	bs := createAll(t, w, 2)
	w.nextRun(t)
	ctx := context.Background()
	readAll(t, w.svc, bs)

	renamed := spec("hb00", "content:renamed")
	if _, _, err := w.svc.Update(ctx, bs[0], renamed); err != nil {
		t.Fatal(err)
	}
	res, err := w.svc.Read(ctx, bs[0])
	if err != nil || res.Binding.Name != "content:renamed" {
		t.Errorf("read after rename = %+v, %v; want the new name", res, err)
	}

	if _, err := w.svc.Delete(ctx, bs[1], false); err != nil {
		t.Fatal(err)
	}
	res, err = w.svc.Read(ctx, bs[1])
	if err != nil || !res.GroupGone {
		t.Errorf("read after delete = %+v, %v; want the group gone", res, err)
	}
	// The document's field was cleared by the delete: a read must not report the listed value.
	b := bs[1]
	b.GroupID = bs[0].GroupID
	if res, err := w.svc.Read(ctx, b); err != nil || res.Binding.DocumentSynced {
		t.Errorf("read of a document whose field was cleared = %+v, %v; want not synced", res, err)
	}
}

func TestCreateLooksUpNamesInTheListing(t *testing.T) {
	w := newWorld(t, worldOptions{})
	const n = 25
	for i := range n {
		w.seed(t, doc(fmt.Sprintf("hb%02d", i)))
	}
	w.org.ResetRequests()
	ctx := context.Background()
	for i := range n {
		id := fmt.Sprintf("hb%02d", i)
		if _, _, err := w.svc.Create(ctx, spec(id, "content:"+id)); err != nil {
			t.Fatal(err)
		}
	}
	// The first ten names are searched for on their own, then one listing serves the rest: no search per
	// group.
	if got, want := w.org.Buckets()[oktatest.BucketGroups].Requests, 10+1+n; got != want {
		t.Errorf("%d requests to /api/v1/groups for %d creates, want %d", got, n, want)
	}
}
