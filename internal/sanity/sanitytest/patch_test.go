package sanitytest_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// TestPatchOperations applies each patch operation to the same starting document through the client and
// compares the stored result.
func TestPatchOperations(t *testing.T) {
	start := `{"_id":"p","_type":"page","title":"T","n":10,"tags":["a","b","c"],
		"items":[{"_key":"k1","v":1},{"_key":"k2","v":2}],"meta":{"owner":"ops"}}`
	cases := []struct {
		name  string
		patch sanity.Patch
		want  string // the document after the patch, system fields left out
	}{
		{"set creates intermediate objects", sanity.Patch{Set: map[string]any{"a.b.c": 1, "title": "U"}},
			`{"a":{"b":{"c":1}},"items":[{"_key":"k1","v":1},{"_key":"k2","v":2}],"meta":{"owner":"ops"},"n":10,"tags":["a","b","c"],"title":"U"}`},
		{"set by key selector and index", sanity.Patch{Set: map[string]any{`items[_key=="k2"].v`: 20, "tags[-1]": "z", "tags[9]": "ignored"}},
			`{"items":[{"_key":"k1","v":1},{"_key":"k2","v":20}],"meta":{"owner":"ops"},"n":10,"tags":["a","b","z"],"title":"T"}`},
		{"setIfMissing keeps existing values", sanity.Patch{SetIfMissing: map[string]any{"title": "X", "slug": map[string]any{"current": "s"}}},
			`{"items":[{"_key":"k1","v":1},{"_key":"k2","v":2}],"meta":{"owner":"ops"},"n":10,"slug":{"current":"s"},"tags":["a","b","c"],"title":"T"}`},
		{"unset fields and array elements", sanity.Patch{Unset: []string{"meta.owner", "tags[0]", `items[_key=="k1"]`, "missing.path"}},
			`{"items":[{"_key":"k2","v":2}],"meta":{},"n":10,"tags":["b","c"],"title":"T"}`},
		{"unset every element", sanity.Patch{Unset: []string{"tags[]"}},
			`{"items":[{"_key":"k1","v":1},{"_key":"k2","v":2}],"meta":{"owner":"ops"},"n":10,"tags":[],"title":"T"}`},
		{"inc and dec", sanity.Patch{Inc: map[string]float64{"n": 5, "items[0].v": 1, "missing": 1}, Dec: map[string]float64{"n": 2}},
			`{"items":[{"_key":"k1","v":2},{"_key":"k2","v":2}],"meta":{"owner":"ops"},"n":13,"tags":["a","b","c"],"title":"T"}`},
		{"insert after the last element", sanity.Patch{Insert: &sanity.Insert{After: "tags[-1]", Items: []any{"d", "e"}}},
			`{"items":[{"_key":"k1","v":1},{"_key":"k2","v":2}],"meta":{"owner":"ops"},"n":10,"tags":["a","b","c","d","e"],"title":"T"}`},
		{"insert before a keyed element", sanity.Patch{Insert: &sanity.Insert{Before: `items[_key=="k2"]`, Items: []any{map[string]any{"_key": "k9"}}}},
			`{"items":[{"_key":"k1","v":1},{"_key":"k9"},{"_key":"k2","v":2}],"meta":{"owner":"ops"},"n":10,"tags":["a","b","c"],"title":"T"}`},
		{"insert replacing an element", sanity.Patch{Insert: &sanity.Insert{Replace: "tags[1]", Items: []any{"x", "y"}}},
			`{"items":[{"_key":"k1","v":1},{"_key":"k2","v":2}],"meta":{"owner":"ops"},"n":10,"tags":["a","x","y","c"],"title":"T"}`},
		{"operations run in order: set, setIfMissing, unset, inc", sanity.Patch{
			Set: map[string]any{"n": 1}, SetIfMissing: map[string]any{"n": 100}, Unset: []string{"title"}, Inc: map[string]float64{"n": 1}},
			`{"items":[{"_key":"k1","v":1},{"_key":"k2","v":2}],"meta":{"owner":"ops"},"n":2,"tags":["a","b","c"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newServer(t)
			var d map[string]any
			if err := json.Unmarshal([]byte(start), &d); err != nil {
				t.Fatal(err)
			}
			seed(t, srv, d)
			c := newClient(t, srv, srv.WriteToken(), "")
			p := tc.patch
			p.ID = "p"
			if _, err := c.Mutate(context.Background(), []sanity.Mutation{p.Mutation()}, nil); err != nil {
				t.Fatal(err)
			}
			got := srv.Document("p")
			for _, k := range []string{"_id", "_type", "_rev", "_createdAt", "_updatedAt"} {
				delete(got, k)
			}
			b, _ := json.Marshal(got)
			if string(b) != tc.want {
				t.Errorf("\n got %s\nwant %s", b, tc.want)
			}
		})
	}
}

func TestPatchByQueryAndIDList(t *testing.T) {
	srv := newServer(t)
	seed(t, srv, doc("a", "page"), doc("drafts.a", "page"), doc("b", "page"), doc("c", "post"))
	c := newClient(t, srv, srv.WriteToken(), "")
	ctx := context.Background()
	byQuery := &sanity.Patch{Selection: sanity.Selection{Query: `*[sanity::versionOf($id)]`, Params: map[string]any{"id": "a"}}, Set: map[string]any{"g": 1}}
	res, err := c.Mutate(ctx, []sanity.Mutation{byQuery.Mutation()}, &sanity.MutateOptions{ReturnIDs: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 2 || srv.Document("a")["g"] != 1.0 || srv.Document("drafts.a")["g"] != 1.0 || srv.Document("b")["g"] != nil {
		t.Errorf("query patch: %+v", res)
	}
	none := &sanity.Patch{Selection: sanity.Selection{Query: `*[_type == "nothing"]`}, Set: map[string]any{"g": 2}}
	if _, err := c.Mutate(ctx, []sanity.Mutation{none.Mutation()}, nil); err != nil {
		t.Errorf("a query patch matching nothing must succeed: %v", err)
	}
	list := &sanity.Patch{Selection: sanity.Selection{IDs: []string{"b", "c"}}, Set: map[string]any{"g": 3}}
	if _, err := c.Mutate(ctx, []sanity.Mutation{list.Mutation()}, nil); err != nil || srv.Document("c")["g"] != 3.0 {
		t.Errorf("ID list patch: %v", err)
	}
	withMissing := &sanity.Patch{Selection: sanity.Selection{IDs: []string{"b", "missing"}}, Set: map[string]any{"g": 4}}
	if _, err := c.Mutate(ctx, []sanity.Mutation{withMissing.Mutation()}, nil); !sanity.IsNotFound(err) || srv.Document("b")["g"] != 3.0 {
		t.Errorf("ID list with a missing document: %v", err)
	}
	unchanged := srv.Document("b")["_rev"]
	same := sanity.PatchID("b")
	same.Set = map[string]any{"g": 3}
	res, err = c.Mutate(ctx, []sanity.Mutation{same.Mutation()}, nil)
	if err != nil || res.Results[0].Operation != "none" || srv.Document("b")["_rev"] != unchanged {
		t.Errorf("a patch that changes nothing: %+v %v", res, err)
	}
}

func TestPrivateDatasetRefusesAnonymousCallers(t *testing.T) {
	srv := newServer(t, sanitytest.WithPrivateDataset())
	_, err := newClient(t, srv, "", "").Query(context.Background(), "*", nil, nil)
	if !sanity.IsUnauthorized(err) {
		t.Errorf("got %v", err)
	}
	if _, err := newClient(t, srv, srv.ReadToken(), "").Query(context.Background(), "*", nil, nil); err != nil {
		t.Error(err)
	}
}
