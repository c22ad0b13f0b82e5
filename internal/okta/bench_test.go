package okta_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// BenchmarkGetGroup measures one GetGroup (expand=stats) through the SDK
// against the fake on loopback: the per-resource cost of a refresh.
func BenchmarkGetGroup(b *testing.B) {
	srv := oktatest.NewServer()
	defer srv.Close()
	g, _ := srv.AddGroup(oktatest.Group{Name: "content:bench"})
	c, err := okta.New(context.Background(), okta.Config{OrgURL: srv.URL, APIToken: srv.Token()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.GetGroup(ctx, g.ID); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListGroupsByPrefix lists 1,000 matching groups out of 2,000,
// five pages of 200.
func BenchmarkListGroupsByPrefix(b *testing.B) {
	srv := oktatest.NewServer()
	defer srv.Close()
	for i := range 1000 {
		_, _ = srv.AddGroup(oktatest.Group{Name: fmt.Sprintf("content:g%04d", i)})
		_, _ = srv.AddGroup(oktatest.Group{Name: fmt.Sprintf("other:g%04d", i)})
	}
	c, err := okta.New(context.Background(), okta.Config{OrgURL: srv.URL, APIToken: srv.Token()})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		gs, err := c.ListGroupsByPrefix(ctx, "content:")
		if err != nil || len(gs) != 1000 {
			b.Fatalf("%d groups, %v", len(gs), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "µs/group")
}
