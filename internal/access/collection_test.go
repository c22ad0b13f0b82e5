package access_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
)

// A collection's apply does every change it can: a member that fails leaves the others alone, a failed
// update keeps the prior member, a failed create has no member, and each error names its document.
func TestApplyCollectionKeepsWhatSucceeded(t *testing.T) {
	w := newWorld(t, worldOptions{})
	w.seed(t, doc("kept"), doc("renamed"), doc("dropped"), doc("joined"))
	kept, renamed, dropped := w.create(t, "kept"), w.create(t, "renamed"), w.create(t, "dropped")
	w.nextRun(t)

	renamedSpec := spec("renamed", "content:renamed-v2")
	keptSpec := spec("kept", "content:kept")
	joinedSpec := spec("joined", "content:joined")
	missingSpec := spec("missing", "content:missing") // no such document
	changes := []access.MemberChange{
		{DocumentID: "kept", Prior: &kept, Spec: &keptSpec},
		{DocumentID: "renamed", Prior: &renamed, Spec: &renamedSpec},
		{DocumentID: "dropped", Prior: &dropped},
		{DocumentID: "joined", Spec: &joinedSpec},
		{DocumentID: "missing", Spec: &missingSpec},
	}
	before := len(w.org.Requests())
	out := w.svc.ApplyCollection(context.Background(), changes)
	got := map[string]access.MemberOutcome{}
	for _, o := range out {
		got[o.DocumentID] = o
	}
	if o := got["kept"]; o.Err != nil || o.Binding == nil || o.Binding.GroupID != kept.GroupID {
		t.Errorf("unchanged member: %+v, want its prior binding and no error", o)
	}
	for _, r := range w.org.Requests()[before:] {
		if strings.Contains(r.Path, kept.GroupID) {
			t.Errorf("the unchanged member's group was requested: %s %s", r.Method, r.Path)
		}
	}
	if o := got["renamed"]; o.Err != nil || o.Binding == nil || o.Binding.Name != "content:renamed-v2" || o.Binding.GroupID != renamed.GroupID {
		t.Errorf("renamed member: %+v", o)
	}
	if o := got["dropped"]; o.Err != nil || o.Binding != nil {
		t.Errorf("dropped member: %+v, want no binding and no error", o)
	}
	if w.field("dropped") != nil {
		t.Errorf("the dropped document still holds %v", w.field("dropped"))
	}
	if o := got["joined"]; o.Err != nil || o.Binding == nil || w.field("joined") != o.Binding.GroupID {
		t.Errorf("joined member: %+v, field %v", o, w.field("joined"))
	}
	if o := got["missing"]; o.Err == nil || o.Binding != nil || !strings.Contains(o.Err.Error(), `"missing"`) {
		t.Errorf("missing document: %+v, want an error naming it and no binding", o)
	}
}

func TestSummarizeWarningsMergesBySummary(t *testing.T) {
	var ws []access.Warning
	for _, d := range []string{"a", "b", "c", "d"} {
		ws = append(ws, access.Warning{Summary: "Adopted an existing Okta group", Detail: "document " + d})
	}
	ws = append(ws, access.Warning{Summary: "Document already deleted", Detail: "document e"})
	out := access.SummarizeWarnings(ws, 2)
	if len(out) != 2 {
		t.Fatalf("%d warnings, want 2: %+v", len(out), out)
	}
	if !strings.Contains(out[0].Summary, "(4 documents)") || !strings.Contains(out[0].Detail, "document a") ||
		strings.Contains(out[0].Detail, "document c") || !strings.Contains(out[0].Detail, "2 more") {
		t.Errorf("merged warning = %+v", out[0])
	}
	if out[1].Detail != "document e" {
		t.Errorf("single warning = %+v", out[1])
	}
}
