package sanitytest_test

import (
	"context"
	"fmt"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

// A test seeds the fake, points a client at it, and inspects what the code under test wrote.
func ExampleNewServer() {
	srv := sanitytest.NewServer()
	defer srv.Close()
	_ = srv.Seed(
		map[string]any{"_id": "doc-a", "_type": "accessDocument", "title": "Finance"},
		map[string]any{"_id": "drafts.doc-a", "_type": "accessDocument", "title": "Finance (edited)"},
	)

	client, _ := sanity.New(sanity.Config{
		ProjectID:  srv.ProjectID(),
		Dataset:    srv.Dataset(),
		Token:      srv.WriteToken(),
		APIVersion: "2025-02-19",
		APIHost:    srv.URL,
	})
	ctx := context.Background()

	res, _ := client.Query(ctx, `*[sanity::versionOf($id)]{_id, _rev} | order(_id asc)`, map[string]any{"id": "doc-a"},
		&sanity.QueryOptions{Perspective: sanity.PerspectiveRaw})
	var variants []struct {
		ID  string `json:"_id"`
		Rev string `json:"_rev"`
	}
	_ = res.Decode(&variants)

	var muts []sanity.Mutation
	for _, v := range variants {
		p := sanity.PatchID(v.ID)
		p.IfRevisionID = v.Rev
		p.Set = map[string]any{"oktaGroupId": "00g1"}
		muts = append(muts, p.Mutation())
	}
	if _, err := client.Mutate(ctx, muts, &sanity.MutateOptions{TransactionID: "example-1"}); err != nil {
		fmt.Println(err)
		return
	}

	// An editor publishes the draft: the written field survives because the draft held it too.
	_ = srv.Publish("doc-a")
	fmt.Println(srv.Document("doc-a")["title"], srv.Document("doc-a")["oktaGroupId"])
	// Output: Finance (edited) 00g1
}
