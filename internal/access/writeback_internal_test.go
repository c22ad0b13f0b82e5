package access

import (
	"testing"
)

func TestTransactionIDIsDeterministicPerRevision(t *testing.T) {
	ps := []Patch{
		{DocumentID: "hb", IfRevisionID: "r1", Set: map[string]any{"oktaGroupId": "00g1"}},
		{DocumentID: "drafts.hb", IfRevisionID: "r7", Set: map[string]any{"oktaGroupId": "00g1"}},
	}
	a, b := transactionID("hb", ps), transactionID("hb", ps)
	if a != b {
		t.Fatalf("same change gave %s and %s", a, b)
	}
	moved := []Patch{ps[0], {DocumentID: "drafts.hb", IfRevisionID: "r8", Set: map[string]any{"oktaGroupId": "00g1"}}}
	if transactionID("hb", moved) == a {
		t.Errorf("a new revision must give a new transaction ID, or the retry would be refused as a replay")
	}
	other := []Patch{ps[0], {DocumentID: "drafts.hb", IfRevisionID: "r7", Set: map[string]any{"oktaGroupId": "00g2"}}}
	if transactionID("hb", other) == a {
		t.Errorf("a different group ID must give a different transaction ID")
	}
}

func TestPatchesTouchOnlyVariantsThatDiffer(t *testing.T) {
	d := documentVariants{DocumentID: "hb", Variants: []variant{
		{ID: "hb", Rev: "1", Fields: map[string]any{"oktaGroupId": "00g1"}},
		{ID: "drafts.hb", Rev: "2", Fields: map[string]any{}},
		{ID: "versions.r.hb", Rev: "3", Fields: map[string]any{"oktaGroupId": "00gother", "old": "00g1"}},
	}}
	ps := fieldChange{Field: "oktaGroupId", GroupID: "00g1", ClearField: "old"}.patches(d)
	if len(ps) != 2 || ps[0].DocumentID != "drafts.hb" || ps[1].DocumentID != "versions.r.hb" {
		t.Fatalf("patches = %+v", ps)
	}
	if ps[0].IfRevisionID != "2" || ps[1].IfRevisionID != "3" || len(ps[1].Unset) != 1 {
		t.Errorf("patches = %+v, want each guarded by its revision and the old field cleared", ps)
	}
	cleared := fieldChange{Field: "oktaGroupId", OnlyIfGroupID: "00g1"}.patches(d)
	if len(cleared) != 1 || cleared[0].DocumentID != "hb" {
		t.Errorf("clearing touched %+v, want only the variant holding 00g1", cleared)
	}
}

func TestPageQuery(t *testing.T) {
	q, err := DocumentQuery{Filter: `_type == "a"`, Projection: "{_id}"}.pageQuery(100)
	if err != nil {
		t.Fatal(err)
	}
	want := `*[(_type == "a") && _id > $sanityoktaAfterId && !(active == false)] | order(_id asc) [0...100] {_id}`
	if q != want {
		t.Errorf("page query\n got %s\nwant %s", q, want)
	}
	q, _ = DocumentQuery{GROQ: `*[_type == "a"]{_id}`, IncludeInactive: true}.pageQuery(5)
	if want := `(*[_type == "a"]{_id})[_id > $sanityoktaAfterId] | order(_id asc) [0...5]`; q != want {
		t.Errorf("page query\n got %s\nwant %s", q, want)
	}
}

func TestPublishedID(t *testing.T) {
	for in, want := range map[string]string{"hb": "hb", "drafts.hb": "hb", "versions.r1.hb": "hb", "versions.x": "versions.x"} {
		if got := publishedID(in); got != want {
			t.Errorf("publishedID(%q) = %q, want %q", in, got, want)
		}
	}
}
