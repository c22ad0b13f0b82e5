package access_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/backend"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// world is a Service over a fresh fake Okta org and fake Content Lake.
type world struct {
	svc  *access.Service
	lake *sanitytest.Server
	org  *oktatest.Server
	wo   worldOptions
}

// nextRun starts a new Terraform run: a new Service, which reads Okta and the Content Lake afresh. A
// Service shares its reads for the length of one run, so out-of-band changes show in the next.
func (w *world) nextRun(t *testing.T) {
	t.Helper()
	w.svc = access.NewService(directoryOf(t, w.org), contentLakeOf(t, w.lake), w.wo.opts)
	if w.wo.wrap != nil {
		w.svc = access.NewService(directoryOf(t, w.org), w.wo.wrap(contentLakeOf(t, w.lake)), w.wo.opts)
	}
}

type worldOptions struct {
	opts access.Options
	okta []oktatest.Option
	// wrap lets a test put something between the service and the Content Lake.
	wrap func(access.ContentLake) access.ContentLake
}

func newWorld(t *testing.T, wo worldOptions) *world {
	t.Helper()
	lake := sanitytest.NewServer()
	t.Cleanup(lake.Close)
	org := oktatest.NewServer(wo.okta...)
	t.Cleanup(org.Close)
	if wo.opts.GroupNamePrefix == "" {
		wo.opts.GroupNamePrefix = access.DefaultGroupNamePrefix
	}
	if wo.opts.Backoff == 0 {
		wo.opts.Backoff = 5 * time.Millisecond
	}
	if wo.opts.HandoverWait == 0 {
		wo.opts.HandoverWait = 300 * time.Millisecond
	}
	svc, err := backend.Open(context.Background(), backend.Config{
		Sanity:  sanity.Config{ProjectID: lake.ProjectID(), Dataset: lake.Dataset(), Token: lake.WriteToken(), APIHost: lake.URL, APIVersion: "2025-02-19"},
		Okta:    okta.Config{OrgURL: org.URL, APIToken: org.Token()},
		Options: wo.opts,
	})
	if err != nil {
		t.Fatal(err)
	}
	w := &world{svc: svc, lake: lake, org: org, wo: wo}
	if wo.wrap != nil {
		// Rebuild the service with the wrapped Content Lake, over the same clients.
		w.svc = access.NewService(directoryOf(t, org), wo.wrap(contentLakeOf(t, lake)), wo.opts)
	}
	return w
}

func directoryOf(t *testing.T, org *oktatest.Server) access.Directory {
	t.Helper()
	d, err := backend.NewOktaDirectory(context.Background(), okta.Config{OrgURL: org.URL, APIToken: org.Token(), UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func contentLakeOf(t *testing.T, lake *sanitytest.Server) access.ContentLake {
	t.Helper()
	c, err := backend.NewSanityContentLake(sanity.Config{ProjectID: lake.ProjectID(), Dataset: lake.Dataset(), Token: lake.WriteToken(), APIHost: lake.URL, UserAgent: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *world) seed(t *testing.T, docs ...map[string]any) {
	t.Helper()
	for _, d := range docs {
		if err := w.lake.Seed(d); err != nil {
			t.Fatal(err)
		}
	}
}

func (w *world) field(id string) any { return w.lake.Document(id)["oktaGroupId"] }

// mutations counts the mutation requests that could commit: the dry-run write check commits nothing.
func (w *world) mutations() int {
	n := 0
	for _, r := range w.lake.Requests() {
		if r.Method == "POST" && strings.Contains(r.Path, "/data/mutate/") && !strings.Contains(r.RawQuery, "dryRun=true") {
			n++
		}
	}
	return n
}

// create makes the group of document id, named content:<id>, and fails the test if it cannot.
func (w *world) create(t *testing.T, id string) access.Binding {
	t.Helper()
	b, _, err := w.svc.Create(context.Background(), spec(id, "content:"+id))
	if err != nil {
		t.Fatalf("create %s: %v", id, err)
	}
	return b
}

func doc(id string, extra ...any) map[string]any {
	d := map[string]any{"_id": id, "_type": "handbook", "title": "Handbook " + id}
	for i := 0; i+1 < len(extra); i += 2 {
		if k, ok := extra[i].(string); ok {
			d[k] = extra[i+1]
		}
	}
	return d
}

func spec(id, name string) access.Spec {
	return access.Spec{DocumentID: id, Name: name, Description: "Access to " + id, Field: access.DefaultDocumentField}
}

func TestCreateWritesEveryVariantInOneTransaction(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb"), doc("drafts.hb", "title", "draft edit"), doc("versions.r1.hb"), doc("versions.r2.hb"), doc("other"))
	ctx := context.Background()

	b, warnings, err := w.svc.Create(ctx, spec("hb", "content:hb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("a fresh create warned: %+v", warnings)
	}
	if !b.DocumentSynced || !strings.HasPrefix(b.GroupID, "00g") || b.Name != "content:hb" {
		t.Fatalf("binding = %+v", b)
	}
	for _, id := range []string{"hb", "drafts.hb", "versions.r1.hb", "versions.r2.hb"} {
		if got := w.field(id); got != b.GroupID {
			t.Errorf("%s holds %v, want %s", id, got, b.GroupID)
		}
	}
	if got := w.lake.Document("drafts.hb")["title"]; got != "draft edit" {
		t.Errorf("the draft's own edit was lost: title %v", got)
	}
	if w.field("other") != nil {
		t.Errorf("an unrelated document was written to")
	}
	if n := w.mutations(); n != 1 {
		t.Errorf("%d mutation requests, want one transaction", n)
	}
	g, ok := w.org.Group(b.GroupID)
	if !ok || g.Description != "Access to hb" || g.Type != oktatest.TypeOktaGroup {
		t.Errorf("group in Okta = %+v, %v", g, ok)
	}
}

func TestCreateNeverCreatesADraft(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("solo"))
	if _, _, err := w.svc.Create(context.Background(), spec("solo", "content:solo")); err != nil {
		t.Fatal(err)
	}
	if d := w.lake.Document("drafts.solo"); d != nil {
		t.Fatalf("a draft was created: %v", d)
	}
}

func TestCreateIsIdempotent(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb"), doc("drafts.hb"))
	ctx := context.Background()
	first := w.create(t, "hb")
	before := w.mutations()
	// The next apply, after a state that lost the resource.
	w.nextRun(t)
	second, warnings, err := w.svc.Create(ctx, spec("hb", "content:hb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0].Detail, first.GroupID) ||
		!strings.Contains(warnings[0].Detail, "The published document already holds its ID") {
		t.Errorf("warnings = %+v, want one saying the group the document names was adopted", warnings)
	}
	if second.GroupID != first.GroupID {
		t.Errorf("second create made group %s, want the adopted %s", second.GroupID, first.GroupID)
	}
	if n := len(w.org.GroupsByName("content:hb")); n != 1 {
		t.Errorf("%d groups named content:hb, want 1", n)
	}
	if n := w.mutations() - before; n != 0 {
		t.Errorf("the second create sent %d mutations; everything was already written", n)
	}
}

func TestCreateAdoptsTheGroupTheDocumentNamesAndRenamesIt(t *testing.T) {
	w := newWorld(t, worldOptions{})
	if err := w.org.AddGroupAttribute("costCenter", oktatest.AttributeDef{Type: "string"}); err != nil {
		t.Fatal(err)
	}
	g, err := w.org.AddGroup(oktatest.Group{Name: "content:old-name", Attributes: map[string]any{"costCenter": "42"}})
	if err != nil {
		t.Fatal(err)
	}
	w.seed(t, doc("hb", "oktaGroupId", g.ID))
	b, _, err := w.svc.Create(context.Background(), spec("hb", "content:new-name"))
	if err != nil {
		t.Fatal(err)
	}
	if b.GroupID != g.ID {
		t.Fatalf("created %s instead of adopting %s", b.GroupID, g.ID)
	}
	got, _ := w.org.Group(g.ID)
	if got.Name != "content:new-name" || got.Attributes["costCenter"] != "42" {
		t.Errorf("adopted group = %+v, want renamed with its custom attribute kept", got)
	}
}

func TestCreateIgnoresAStaleStoredID(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb", "oktaGroupId", "00gdeleted00000000000"))
	b := w.create(t, "hb")
	if b.GroupID == "00gdeleted00000000000" || w.field("hb") != b.GroupID {
		t.Fatalf("binding %+v, field %v", b, w.field("hb"))
	}
}

func TestCreateAdoptsByNameWhenSearchLags(t *testing.T) {
	w := newWorld(t, worldOptions{okta: []oktatest.Option{oktatest.WithLimits(oktatest.Limits{SearchLag: 300 * time.Millisecond})}})
	w.seed(t, doc("hb"))
	// A previous run created the group and then failed to write back.
	g, err := directoryOf(t, w.org).CreateGroup(context.Background(), access.Profile{Name: "content:hb", Description: "Access to hb"})
	if err != nil {
		t.Fatal(err)
	}
	b, warnings, err := w.svc.Create(context.Background(), spec("hb", "content:hb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0].Detail, "Okta refused to create it because the name was taken") {
		t.Errorf("warnings = %+v, want one saying the group was adopted after Okta refused the name", warnings)
	}
	if b.GroupID != g.ID || len(w.org.GroupsByName("content:hb")) != 1 {
		t.Fatalf("adopted %s, want %s; groups named content:hb: %d", b.GroupID, g.ID, len(w.org.GroupsByName("content:hb")))
	}
}

func TestCreateRefusesAGroupBoundToAnotherDocument(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("a"), doc("b"))
	ctx := context.Background()
	if _, _, err := w.svc.Create(ctx, spec("a", "content:shared")); err != nil {
		t.Fatal(err)
	}
	_, _, err := w.svc.Create(ctx, spec("b", "content:shared"))
	if err == nil || !strings.Contains(err.Error(), `documents "a" and "b" both ask for the Okta group name "content:shared"`) {
		t.Fatalf("in one run: err = %v, want a refusal naming both documents", err)
	}
	// In a later run the written-back field is what shows the group is taken.
	w.nextRun(t)
	_, _, err = w.svc.Create(ctx, spec("b", "content:shared"))
	if err == nil || !strings.Contains(err.Error(), `belongs to document "a", so it cannot also serve document "b"`) {
		t.Fatalf("in the next run: err = %v, want a refusal naming document a", err)
	}
	if w.field("b") != nil {
		t.Errorf("document b was written to")
	}
}

func TestCreateForADuplicatedDocumentLeavesTheOriginalsGroupAlone(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("original"))
	ctx := context.Background()
	orig := w.create(t, "original")
	// An editor duplicates the document in the Studio: the copy carries the original's group ID.
	w.seed(t, doc("copy", "oktaGroupId", orig.GroupID))
	w.nextRun(t)

	b, warnings, err := w.svc.Create(ctx, spec("copy", "content:copy"))
	if err != nil {
		t.Fatal(err)
	}
	if b.GroupID == orig.GroupID || w.field("copy") != b.GroupID {
		t.Fatalf("copy bound to %s (field %v), want a new group of its own, not the original's %s", b.GroupID, w.field("copy"), orig.GroupID)
	}
	if g, ok := w.org.Group(orig.GroupID); !ok || g.Name != "content:original" || w.field("original") != orig.GroupID {
		t.Errorf("original's group = %+v (exists %v), original's field %v: want both untouched", g, ok, w.field("original"))
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0].Detail, `document "original" names it too`) {
		t.Errorf("warnings = %+v, want one naming the original document", warnings)
	}
}

func TestCreateMissingDocumentMakesNoGroup(t *testing.T) {
	w := newWorld(t, worldOptions{})
	_, _, err := w.svc.Create(context.Background(), spec("ghost", "content:ghost"))
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("err = %v", err)
	}
	if n := len(w.org.GroupsByName("content:ghost")); n != 0 {
		t.Errorf("%d groups created for a missing document", n)
	}
}

func TestOwnershipGuard(t *testing.T) {
	w := newWorld(t, worldOptions{})
	admin, _ := w.org.AddGroup(oktatest.Group{Name: "content:admins", AdminPrivilege: true})
	app, _ := w.org.AddGroup(oktatest.Group{Name: "content:imported", Type: oktatest.TypeAppGroup})
	outside, _ := w.org.AddGroup(oktatest.Group{Name: "Finance"})
	cases := map[string]struct{ id, rule string }{
		"everyone": {w.org.EveryoneID(), "BUILT_IN"},
		"admin":    {admin.ID, "administrator privileges"},
		"app":      {app.ID, "APP_GROUP"},
		"outside":  {outside.ID, `prefix "content:"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			before, _ := w.org.Group(c.id)
			w.seed(t, doc("doc-"+name, "oktaGroupId", c.id))
			_, _, err := w.svc.Create(context.Background(), spec("doc-"+name, "content:"+name))
			var ge *access.GuardError
			if !errors.As(err, &ge) || !errors.Is(err, access.ErrNotOwned) {
				t.Fatalf("err = %v, want a *GuardError", err)
			}
			if ge.DocumentID != "doc-"+name || ge.GroupID != c.id || !strings.Contains(err.Error(), c.rule) {
				t.Errorf("error %q does not name the document, the group and the rule %q", err, c.rule)
			}
			after, _ := w.org.Group(c.id)
			if after.Name != before.Name || !after.LastUpdated.Equal(before.LastUpdated) {
				t.Errorf("group changed: %+v -> %+v", before, after)
			}
			if w.field("doc-"+name) != c.id {
				t.Errorf("document field changed to %v", w.field("doc-"+name))
			}
			if n := len(w.org.GroupsByName("content:" + name)); n != 0 {
				t.Errorf("a group was created despite the refusal")
			}
		})
	}
	if err := w.svc.CheckGroupName("x", "Finance"); err == nil {
		t.Errorf("a name outside the prefix passed CheckGroupName")
	}
}

func TestEmptyPrefixStillGuardsTypeAndPrivilege(t *testing.T) {
	w := newWorld(t, worldOptions{})
	svc := access.NewService(directoryOf(t, w.org), contentLakeOf(t, w.lake), access.Options{GroupNamePrefix: ""})
	w.seed(t, doc("e", "oktaGroupId", w.org.EveryoneID()))
	if _, _, err := svc.Create(context.Background(), spec("e", "anything")); !errors.Is(err, access.ErrNotOwned) {
		t.Fatalf("err = %v, want the guard to refuse Everyone", err)
	}
	if err := svc.CheckGroupName("e", "Finance"); err != nil {
		t.Errorf("with no prefix any name is allowed: %v", err)
	}
}

// conflictingLake makes a concurrent editor change the document right before each of the first n
// mutations, so their revision guards fail.
type conflictingLake struct {
	access.ContentLake
	lake    *sanitytest.Server
	n       int
	calls   atomic.Int32
	touchID string
}

func (c *conflictingLake) Mutate(ctx context.Context, txID string, patches []access.Patch) error {
	if int(c.calls.Add(1)) <= c.n {
		d := c.lake.Document(c.touchID)
		d["title"] = fmt.Sprintf("edited concurrently %d", c.calls.Load())
		if _, err := c.lake.Put(d); err != nil {
			return err
		}
	}
	return c.ContentLake.Mutate(ctx, txID, patches)
}

func TestWriteBackRetriesRevisionConflicts(t *testing.T) {
	var cl *conflictingLake
	w := newWorld(t, worldOptions{wrap: func(l access.ContentLake) access.ContentLake {
		cl = &conflictingLake{ContentLake: l, n: 2, touchID: "drafts.hb"}
		return cl
	}})
	cl.lake = w.lake
	w.seed(t, doc("hb"), doc("drafts.hb"))
	b := w.create(t, "hb")
	if w.field("hb") != b.GroupID || w.field("drafts.hb") != b.GroupID {
		t.Fatalf("fields %v %v, want %s", w.field("hb"), w.field("drafts.hb"), b.GroupID)
	}
	if got := w.lake.Document("drafts.hb")["title"]; got != "edited concurrently 2" {
		t.Errorf("the concurrent edit was overwritten: title %v", got)
	}
	if got := cl.calls.Load(); got != 3 {
		t.Errorf("%d mutation attempts, want 3 (two conflicts, then success)", got)
	}
}

func TestWriteBackRetryIsBounded(t *testing.T) {
	var cl *conflictingLake
	w := newWorld(t, worldOptions{
		opts: access.Options{WriteRetries: 2},
		wrap: func(l access.ContentLake) access.ContentLake {
			cl = &conflictingLake{ContentLake: l, n: 1000, touchID: "hb"}
			return cl
		},
	})
	cl.lake = w.lake
	w.seed(t, doc("hb"))
	_, _, err := w.svc.Create(context.Background(), spec("hb", "content:hb"))
	if !errors.Is(err, access.ErrRevisionConflict) || !strings.Contains(err.Error(), "3 attempts") {
		t.Fatalf("err = %v, want a revision conflict after 3 attempts", err)
	}
	if got := cl.calls.Load(); got != 3 {
		t.Errorf("%d attempts, want 3", got)
	}
	if n := len(w.org.GroupsByName("content:hb")); n != 1 {
		t.Errorf("%d groups; the group stays for the next run to adopt", n)
	}
}

func TestReadReportsDrift(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb"), doc("drafts.hb"))
	ctx := context.Background()
	b := w.create(t, "hb")

	res, err := w.svc.Read(ctx, b)
	if err != nil || !res.Binding.DocumentSynced || res.GroupGone || len(res.Warnings) != 0 {
		t.Fatalf("clean read = %+v, %v", res, err)
	}

	// An old draft without the field is published over the document.
	if err := w.lake.Seed(doc("drafts.hb", "title", "old draft")); err != nil {
		t.Fatal(err)
	}
	if err := w.lake.Publish("hb"); err != nil {
		t.Fatal(err)
	}
	w.nextRun(t)
	res, err = w.svc.Read(ctx, b)
	if err != nil || res.Binding.DocumentSynced {
		t.Fatalf("read after the field was lost = %+v, %v; want DocumentSynced false", res, err)
	}
	up, _, err := w.svc.Update(ctx, res.Binding, spec("hb", "content:hb"))
	if err != nil || !up.DocumentSynced || w.field("hb") != b.GroupID {
		t.Fatalf("update = %+v, %v; field %v", up, err, w.field("hb"))
	}

	if err := w.org.RenameGroup(b.GroupID, "content:renamed"); err != nil {
		t.Fatal(err)
	}
	w.nextRun(t)
	res, _ = w.svc.Read(ctx, b)
	if res.Binding.Name != "content:renamed" {
		t.Errorf("read name %q, want the name Okta reports", res.Binding.Name)
	}

	if err := w.lake.Delete("hb"); err != nil {
		t.Fatal(err)
	}
	w.nextRun(t)
	res, err = w.svc.Read(ctx, b)
	if err != nil || w.svc.KeptWithoutDocument(b) == nil || !res.Binding.DocumentSynced {
		t.Errorf("read of a deleted document = %+v, %v; want a warning for a plan that keeps it, and nothing to write", res, err)
	}

	if err := w.org.DeleteGroup(b.GroupID); err != nil {
		t.Fatal(err)
	}
	w.nextRun(t)
	res, err = w.svc.Read(ctx, b)
	if err != nil || !res.GroupGone {
		t.Errorf("read of a deleted group = %+v, %v; want GroupGone", res, err)
	}
}

func TestUpdateMovesTheField(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb"), doc("drafts.hb"))
	ctx := context.Background()
	b := w.create(t, "hb")
	s := spec("hb", "content:hb")
	s.Field = "accessGroup"
	up, _, err := w.svc.Update(ctx, b, s)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"hb", "drafts.hb"} {
		d := w.lake.Document(id)
		if d["accessGroup"] != b.GroupID || d["oktaGroupId"] != nil {
			t.Errorf("%s: accessGroup=%v oktaGroupId=%v, want the ID moved", id, d["accessGroup"], d["oktaGroupId"])
		}
	}
	if up.Field != "accessGroup" || up.GroupID != b.GroupID {
		t.Errorf("binding %+v", up)
	}
}

func TestDeleteClearsOnlyItsOwnID(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb"), doc("drafts.hb"))
	ctx := context.Background()
	b := w.create(t, "hb")
	// An editor pointed the draft somewhere else meanwhile; that is not the provider's to clear.
	if err := w.lake.Seed(doc("drafts.hb", "oktaGroupId", "00gsomeoneelse0000000")); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Delete(ctx, b, false); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.org.Group(b.GroupID); ok {
		t.Errorf("group survived delete")
	}
	if w.field("hb") != nil || w.field("drafts.hb") != "00gsomeoneelse0000000" {
		t.Errorf("fields after delete: %v %v", w.field("hb"), w.field("drafts.hb"))
	}
	// Deleting again, with the group and the document gone, is not an error.
	if err := w.lake.Delete("hb"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Delete(ctx, b, false); err != nil {
		t.Errorf("second delete: %v", err)
	}
}

func TestDeleteKeepLeavesTheGroup(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb"))
	ctx := context.Background()
	b := w.create(t, "hb")
	if _, err := w.svc.Delete(ctx, b, true); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.org.Group(b.GroupID); !ok || w.field("hb") != nil {
		t.Errorf("keep: group exists %v, field %v", ok, w.field("hb"))
	}
}

func TestImport(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb"), doc("bare"))
	ctx := context.Background()
	b := w.create(t, "hb")
	got, _, err := w.svc.Import(ctx, "hb", "", "")
	if err != nil || !reflect.DeepEqual(got, b) {
		t.Fatalf("import by document = %+v, %v; want %+v", got, err, b)
	}
	got, _, err = w.svc.Import(ctx, "hb", b.GroupID, "")
	if err != nil || got.GroupID != b.GroupID {
		t.Fatalf("import by document and group = %+v, %v", got, err)
	}
	if _, _, err := w.svc.Import(ctx, "bare", "", ""); err == nil || !strings.Contains(err.Error(), "holds no group ID") {
		t.Errorf("import of a document without a group: %v", err)
	}
	if _, _, err := w.svc.Import(ctx, "bare", w.org.EveryoneID(), ""); !errors.Is(err, access.ErrNotOwned) {
		t.Errorf("import of Everyone: %v, want the guard", err)
	}
}

func TestDocumentsPagesByID(t *testing.T) {
	w := newWorld(t, worldOptions{opts: access.Options{QueryPageSize: 2}})
	for _, id := range []string{"e", "c", "a", "d", "b"} {
		w.seed(t, doc("gated-"+id))
	}
	w.seed(t, doc("gated-z", "active", false), doc("drafts.gated-a"), map[string]any{"_id": "other", "_type": "page"})
	docs, err := w.svc.Documents(context.Background(), access.DocumentQuery{
		Filter: "_type == $type", Params: map[string]any{"type": "handbook"},
	})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range docs {
		ids = append(ids, d.ID)
	}
	if got := strings.Join(ids, ","); got != "gated-a,gated-b,gated-c,gated-d,gated-e" {
		t.Errorf("ids = %s", got)
	}
	if n := w.lake.CountRequests("", "/v*/data/query/*"); n != 3 {
		t.Errorf("%d query requests for 5 documents at 2 per page, want 3", n)
	}
	var first map[string]any
	if err := json.Unmarshal(docs[0].JSON, &first); err != nil || first["title"] != "Handbook gated-a" {
		t.Errorf("JSON of the first document = %s", docs[0].JSON)
	}
}

func TestDocumentsQueryErrorsCarrySanitysDescription(t *testing.T) {
	w := newWorld(t, worldOptions{})
	_, err := w.svc.Documents(context.Background(), access.DocumentQuery{Filter: "_type == $missing"})
	var qe *access.QueryError
	if !errors.As(err, &qe) || !strings.Contains(qe.Error(), "missing") {
		t.Fatalf("err = %v, want a *QueryError naming the parameter", err)
	}
}

func TestCheckDocumentID(t *testing.T) {
	for id, ok := range map[string]bool{"hb": true, "a.b-c_d": true, "drafts.hb": false, "versions.r.hb": false, "": false, "-x": false, "a b": false} {
		if err := access.CheckDocumentID(id); (err == nil) != ok {
			t.Errorf("CheckDocumentID(%q) = %v, want ok=%v", id, err, ok)
		}
	}
}

func TestDocumentsRefusesAQueryThatDoesNotReturnDocuments(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb-a"), doc("hb-b"))
	for query, want := range map[string]string{
		`*[_type == "handbook"]{title}`:    `2 of the 2 results of the query are not documents with a string _id, for example [{"title":"Handbook hb-a"}`,
		`*[_type == "handbook"]._id`:       `2 of the 2 results of the query are not documents with a string _id, for example ["hb-a","hb-b"]`,
		`*[_type == "handbook"][0]`:        `"_id":"hb-a"`,
		`count(*[_type == "handbook"])`:    `the query returned 2, not an array of documents`,
		`*[_type == "handbook"]{"_id": 1}`: `not documents with a string _id, for example [{"_id":1}`,
	} {
		_, err := w.svc.Documents(context.Background(), access.DocumentQuery{GROQ: query})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "must return an array of documents") {
			t.Errorf("query %s: err = %v, want it to contain %q and the fix", query, err, want)
		}
	}
	docs, err := w.svc.Documents(context.Background(), access.DocumentQuery{GROQ: `*[_type == "handbook"]{_id, title}`})
	if err != nil || len(docs) != 2 {
		t.Errorf("a query returning documents: %d documents, %v", len(docs), err)
	}
	docs, err = w.svc.Documents(context.Background(), access.DocumentQuery{GROQ: `*[_type == "nothing"]`})
	if err != nil || len(docs) != 0 {
		t.Errorf("a query returning no documents: %d documents, %v; an empty array is a valid answer", len(docs), err)
	}
}

// Fifty documents over twenty names, created at once in one run, with Okta's search lagging: however the
// creates interleave, no name ends up with two groups and no group serves two documents.
func TestConcurrentCreatesNeverShareAGroup(t *testing.T) {
	w := newWorld(t, worldOptions{okta: []oktatest.Option{oktatest.WithLimits(oktatest.Limits{SearchLag: 200 * time.Millisecond})}})
	const docs, names = 50, 20
	for i := range docs {
		w.seed(t, doc(fmt.Sprintf("doc-%02d", i)))
	}
	var wg sync.WaitGroup
	results := make([]access.Binding, docs)
	errs := make([]error, docs)
	for i := range docs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], _, errs[i] = w.svc.Create(context.Background(),
				spec(fmt.Sprintf("doc-%02d", i), fmt.Sprintf("content:name-%02d", i%names)))
		}()
	}
	wg.Wait()
	holder := map[string]string{} // group ID -> document
	created := 0
	for i, err := range errs {
		id := fmt.Sprintf("doc-%02d", i)
		if err != nil {
			if !strings.Contains(err.Error(), "both ask for the Okta group name") {
				t.Errorf("%s: unexpected error: %v", id, err)
			}
			continue
		}
		created++
		if other, ok := holder[results[i].GroupID]; ok {
			t.Errorf("group %s serves both %s and %s", results[i].GroupID, other, id)
		}
		holder[results[i].GroupID] = id
	}
	for n := range names {
		if got := len(w.org.GroupsByName(fmt.Sprintf("content:name-%02d", n))); got > 1 {
			t.Errorf("%d groups are named content:name-%02d", got, n)
		}
	}
	// What the Content Lake says, which is what the next run goes by.
	inLake := map[string]string{}
	for i := range docs {
		id := fmt.Sprintf("doc-%02d", i)
		g, _ := w.field(id).(string)
		if g == "" {
			continue
		}
		if other, ok := inLake[g]; ok {
			t.Errorf("documents %s and %s both hold group %s", other, id, g)
		}
		inLake[g] = id
	}
	if created == 0 || created > names {
		t.Errorf("%d creates succeeded, want between 1 and %d (one per name at most)", created, names)
	}
}

func TestCreateAdoptsByExactNameAfterAnInterruptedCreate(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb"))
	if _, err := directoryOf(t, w.org).CreateGroup(context.Background(), access.Profile{Name: "content:hb"}); err != nil {
		t.Fatal(err)
	}
	_, warnings, err := w.svc.Create(context.Background(), spec("hb", "content:hb"))
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0].Detail, "found by its exact name") ||
		!strings.Contains(warnings[0].Detail, "failed to write its ID back") {
		t.Errorf("warnings = %+v, want one giving the exact-name path and what to check", warnings)
	}
}

// A create that asks for the name of a group another document holds waits, within one run, for that
// document's destroy to let the name go, then creates a group of its own.
func TestCreateWaitsForARenameOrDestroyInTheSameRun(t *testing.T) {
	w := newWorld(t, worldOptions{opts: access.Options{HandoverWait: 10 * time.Second}})
	w.seed(t, doc("a"), doc("b"))
	ctx := context.Background()
	a := w.create(t, "a")
	w.nextRun(t)
	type result struct {
		b   access.Binding
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, _, err := w.svc.Create(ctx, spec("b", "content:a"))
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		t.Fatalf("the create finished before the destroy that frees its name: %+v, %v", r.b, r.err)
	case <-time.After(200 * time.Millisecond):
	}
	if _, err := w.svc.Delete(ctx, a, false); err != nil {
		t.Fatal(err)
	}
	r := <-done
	if r.err != nil {
		t.Fatalf("create after the name was let go: %v", r.err)
	}
	if r.b.GroupID == a.GroupID {
		t.Errorf("document b took over a's group %s", a.GroupID)
	}
	if _, ok := w.org.Group(a.GroupID); ok {
		t.Errorf("a's group %s still exists", a.GroupID)
	}
	if n := len(w.org.GroupsByName("content:a")); n != 1 || w.field("b") != r.b.GroupID {
		t.Errorf("%d groups named content:a, b holds %v; want one, b's own", n, w.field("b"))
	}
}

func TestDeleteStopsAtTheDeletionLimit(t *testing.T) {
	w := newWorld(t, worldOptions{opts: access.Options{DeletionLimit: 2}})
	w.seed(t, doc("a"), doc("b"), doc("c"))
	bs := []access.Binding{w.create(t, "a"), w.create(t, "b"), w.create(t, "c")}
	ctx := context.Background()
	for i, b := range bs {
		_, err := w.svc.Delete(ctx, b, false)
		_, exists := w.org.Group(b.GroupID)
		switch {
		case i < 2 && (err != nil || exists):
			t.Errorf("delete %d within the limit: %v, group still exists %v", i+1, err, exists)
		case i == 2 && (err == nil || !strings.Contains(err.Error(), "deletion limit of 2") || !exists):
			t.Errorf("delete past the limit: %v, group exists %v; want a refusal that keeps the group", err, exists)
		}
	}
	if w.field("c") != bs[2].GroupID {
		t.Errorf("the refused delete cleared document c's field")
	}
}

// A refresh that finds the document deleted warns only when the plan keeps the resource; a plan that
// destroys it (the data source dropped the document) must not say the group is left as it is.
func TestDocumentGoneWarnsOnlyWhenTheResourceStays(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("hb"))
	b := w.create(t, "hb")
	w.nextRun(t)
	if wn := w.svc.KeptWithoutDocument(b); wn != nil {
		t.Fatalf("warning before any refresh: %+v", wn)
	}
	if err := w.lake.Delete("hb"); err != nil {
		t.Fatal(err)
	}
	res, err := w.svc.Read(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("the refresh warned %+v; the plan decides whether the group stays", res.Warnings)
	}
	wn := w.svc.KeptWithoutDocument(b)
	if wn == nil || !strings.Contains(wn.Detail, "still has a resource for it") {
		t.Errorf("warning for a resource that stays = %+v", wn)
	}
}

// A refresh of many links to a few existing groups reads each group once, and the documents through the
// shared listing: a plan over N links costs no more requests than over N owned groups.
func TestReadLinksSharesTheReads(t *testing.T) {
	w := newWorld(t, worldOptions{})
	tiers := map[string]string{}
	for _, tier := range []string{"Partners", "Staff"} {
		g, err := w.org.AddGroup(oktatest.Group{Name: tier})
		if err != nil {
			t.Fatal(err)
		}
		tiers[tier] = g.ID
	}
	const n = 30
	var links []access.Link
	for i := range n {
		id := fmt.Sprintf("doc-%02d", i)
		w.seed(t, doc(id))
		group := tiers[[]string{"Partners", "Staff"}[i%2]]
		l, _, err := w.svc.CreateLink(context.Background(), access.LinkSpec{DocumentID: id, GroupID: group, Field: access.DefaultDocumentField})
		if err != nil {
			t.Fatal(err)
		}
		links = append(links, l)
	}
	w.nextRun(t)
	w.org.ResetRequests()
	queries := w.lake.CountRequests("GET", "/v*/data/query/*") + w.lake.CountRequests("POST", "/v*/data/query/*")
	var wg sync.WaitGroup
	for _, l := range links {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, gone, err := w.svc.ReadLink(context.Background(), l)
			if err != nil || gone || !got.DocumentSynced {
				t.Errorf("read %s: %+v, gone %v, %v", l.DocumentID, got, gone, err)
			}
		}()
	}
	wg.Wait()
	if got := len(w.org.Requests()); got > 4 {
		t.Errorf("%d Okta requests to refresh %d links to 2 groups, want at most 4 (the listing and one GET per group)", got, n)
	}
	if got := w.lake.CountRequests("GET", "/v*/data/query/*") + w.lake.CountRequests("POST", "/v*/data/query/*") - queries; got > 2 {
		t.Errorf("%d Content Lake queries to refresh %d links, want the shared listing", got, n)
	}
}

// A plan over 1,000 documents, each with its group and a rule, refreshes them all with a few paged
// listings: at most 20 Okta requests in all, groups and rules together.
func TestRefreshOf1000GroupsAndRulesCostsFewOktaRequests(t *testing.T) {
	w := newWorld(t, worldOptions{})
	dir := directoryOf(t, w.org)
	ctx := context.Background()
	const n = 1000
	var bindings []access.Binding
	var rules []access.RuleBinding
	for i := range n {
		g, err := w.org.AddGroup(oktatest.Group{Name: fmt.Sprintf("content:doc-%04d", i)})
		if err != nil {
			t.Fatal(err)
		}
		r, err := dir.CreateRule(ctx, access.Rule{Name: fmt.Sprintf("rule %04d", i), Expression: `user.department == "sales"`, GroupIDs: []string{g.ID}})
		if err != nil {
			t.Fatal(err)
		}
		bindings = append(bindings, access.Binding{DocumentID: fmt.Sprintf("doc-%04d", i), GroupID: g.ID, Name: g.Name, Field: access.DefaultDocumentField})
		rules = append(rules, access.RuleBinding{ID: r.ID, Name: r.Name, GroupID: g.ID})
	}
	w.nextRun(t)
	w.org.ResetRequests()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 10) // Terraform's default parallelism
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			if _, err := w.svc.Read(ctx, bindings[i]); err != nil {
				t.Error(err)
			}
			if _, err := w.svc.ReadRule(ctx, rules[i]); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	got := len(w.org.Requests())
	t.Logf("Okta requests to refresh %d groups and %d rules: %d", n, n, got)
	if got > 20 {
		t.Errorf("%d Okta requests to refresh %d groups and %d rules, want at most 20", got, n, n)
	}
}

func TestCascadeWarningForConditionsOnGroupMembership(t *testing.T) {
	if w := access.CascadeWarning(access.RuleSpec{Name: "r", Expression: `isMemberOfAnyGroup("00gaaaaaaaaaaaaaaaaa") AND user.department == "sales"`}); w == nil ||
		!strings.Contains(w.Detail, "00gaaaaaaaaaaaaaaaaa") {
		t.Errorf("a condition on group membership: warning %+v, want one naming the group", w)
	}
	if w := access.CascadeWarning(access.RuleSpec{Name: "r", Expression: `user.department == "sales"`}); w != nil {
		t.Errorf("a condition on profile attributes: warning %+v, want none", w)
	}
}
