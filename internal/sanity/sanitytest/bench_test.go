package sanitytest_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/sanity/sanitytest"
)

func benchServer(b *testing.B, n int) (*sanitytest.Server, *sanity.Client) {
	b.Helper()
	srv := sanitytest.NewServer(sanitytest.WithLimits(sanitytest.Limits{MutationsPerSecond: -1, RequestsPerSecond: -1}))
	b.Cleanup(srv.Close)
	docs := make([]any, 0, n)
	for i := 0; i < n; i++ {
		docs = append(docs, map[string]any{
			"_id": fmt.Sprintf("doc-%05d", i), "_type": "accessDocument", "title": fmt.Sprintf("Document %d", i),
			"department": fmt.Sprintf("dept-%d", i%20), "slug": map[string]any{"current": fmt.Sprintf("doc-%d", i)},
		})
	}
	if err := srv.Seed(docs...); err != nil {
		b.Fatal(err)
	}
	c, err := sanity.New(sanity.Config{Dataset: srv.Dataset(), Token: srv.WriteToken(), APIHost: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	return srv, c
}

// BenchmarkQuery measures one filtered, projected, ordered, paged query through the client and the fake.
func BenchmarkQuery(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			_, c := benchServer(b, n)
			ctx := context.Background()
			q := `*[_type == "accessDocument" && department == $d && _id > $last]{_id, title, "slug": slug.current} | order(_id asc) [0...100]`
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.Query(ctx, q, map[string]any{"d": "dept-3", "last": ""}, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "docs-scanned/s")
		})
	}
}

// BenchmarkMutate measures a revision-guarded patch transaction through the client and the fake.
func BenchmarkMutate(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("docs=%d", n), func(b *testing.B) {
			srv, c := benchServer(b, n)
			ctx := context.Background()
			rev := srv.Document("doc-00001")["_rev"].(string)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p := sanity.PatchID("doc-00001")
				p.IfRevisionID = rev
				p.Set = map[string]any{"oktaGroupId": fmt.Sprintf("00g%d", i)}
				res, err := c.Mutate(ctx, []sanity.Mutation{p.Mutation()}, nil)
				if err != nil {
					b.Fatal(err)
				}
				rev = res.TransactionID
			}
		})
	}
}
