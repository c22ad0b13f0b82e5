package okta_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// readInParallel reads every group n times from workers goroutines, as
// Terraform's parallel refresh does, and returns the first error.
func readInParallel(ctx context.Context, c *okta.Client, ids []string, n, workers int) error {
	jobs := make(chan string)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				if _, err := c.GetGroup(ctx, id); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for range n {
		for _, id := range ids {
			jobs <- id
		}
	}
	close(jobs)
	wg.Wait()
	return firstErr
}

func addGroups(t *testing.T, srv *oktatest.Server, n int) []string {
	t.Helper()
	var ids []string
	for i := range n {
		g, err := srv.AddGroup(oktatest.Group{Name: fmt.Sprintf("content:p%03d", i)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, g.ID)
	}
	return ids
}

func TestPacerKeepsParallelCallsInsideTheBucketLimit(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, oktatest.WithLimits(oktatest.Limits{Rate: 10, Window: time.Second}))
	ids := addGroups(t, srv, 8)
	// No retries: a single 429 would fail the run.
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.MaxRetries = -1 })

	if err := readInParallel(ctx, c, ids, 4, 8); err != nil {
		t.Fatalf("32 reads in 10-per-second windows: %v", err)
	}
	stats := srv.Buckets()[oktatest.BucketGroupByID]
	if stats.Requests != 32 || stats.RateLimited != 0 {
		t.Errorf("bucket stats = %+v, want 32 requests and no 429", stats)
	}
	if ps := c.PacerStats(); ps.Held == 0 {
		t.Errorf("pacer stats = %+v, want requests held for the window to reset", ps)
	}
}

// Several collections applying at once in one provider process put hundreds of callers behind the pacer:
// far more than one window's budget must still not overshoot it, neither at the bucket's first request
// nor when a window ends and every held caller wakes.
func TestPacerKeepsManyMoreCallersThanTheBudgetInsideIt(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, oktatest.WithLimits(oktatest.Limits{Rate: 10, Window: 300 * time.Millisecond, Concurrency: 5}))
	ids := addGroups(t, srv, 10)
	c := newClient(t, srv, func(cfg *okta.Config) { cfg.MaxRetries = -1; cfg.MaxConcurrentRequests = 5 })

	if err := readInParallel(ctx, c, ids, 4, 60); err != nil {
		t.Fatalf("40 reads by 60 callers in 10-per-window windows: %v", err)
	}
	stats := srv.Buckets()[oktatest.BucketGroupByID]
	if stats.Requests != 40 || stats.RateLimited != 0 || stats.ConcurrencyLimited != 0 {
		t.Errorf("bucket stats = %+v, want 40 requests and no 429", stats)
	}
}

func TestPacerKeepsCallsUnderTheConcurrencyLimit(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		maxConcurrent int
		want429       bool
	}{
		{maxConcurrent: 3, want429: false},
		// The same run allowed more in flight than the org does: proves
		// the load reaches the limit at all.
		{maxConcurrent: 12, want429: true},
	} {
		t.Run(fmt.Sprintf("max %d in flight", tc.maxConcurrent), func(t *testing.T) {
			srv := newServer(t, oktatest.WithLimits(oktatest.Limits{Concurrency: 3}))
			ids := addGroups(t, srv, 24)
			if err := srv.AddFault(oktatest.Fault{Method: "GET", Path: "/api/v1/groups/*", Delay: 50 * time.Millisecond, Times: len(ids)}); err != nil {
				t.Fatal(err)
			}
			c := newClient(t, srv, func(cfg *okta.Config) {
				cfg.MaxConcurrentRequests = tc.maxConcurrent
				cfg.MaxRetries = -1
			})

			err := readInParallel(ctx, c, ids, 1, 12)
			limited := srv.Buckets()[oktatest.BucketGroupByID].ConcurrencyLimited
			if got := limited > 0; got != tc.want429 {
				t.Errorf("%d concurrency 429s (read error: %v), want any: %v", limited, err, tc.want429)
			}
			if !tc.want429 && err != nil {
				t.Errorf("reads: %v", err)
			}
			if ps := c.PacerStats(); ps.PeakInFlight > tc.maxConcurrent {
				t.Errorf("peak in flight = %d, want at most %d", ps.PeakInFlight, tc.maxConcurrent)
			}
		})
	}
}

func TestPacerIsSharedByEveryClientOfAnOrg(t *testing.T) {
	ctx := context.Background()
	srv := newServer(t, oktatest.WithLimits(oktatest.Limits{Rate: 6, Window: time.Second}))
	ids := addGroups(t, srv, 3)
	noRetry := func(cfg *okta.Config) { cfg.MaxRetries = -1 }
	a, b := newClient(t, srv, noRetry), newClient(t, srv, noRetry)

	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, c := range []*okta.Client{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = readInParallel(ctx, c, ids, 4, 3)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("client %d: %v", i, err)
		}
	}
	if stats := srv.Buckets()[oktatest.BucketGroupByID]; stats.RateLimited != 0 || stats.Requests != 24 {
		t.Errorf("bucket stats = %+v, want 24 requests and no 429", stats)
	}
}

func TestPacerGivesUpWaitingWhenTheContextEnds(t *testing.T) {
	srv := newServer(t, oktatest.WithLimits(oktatest.Limits{Rate: 1, Window: time.Minute}))
	ids := addGroups(t, srv, 1)
	c := newClient(t, srv)
	if _, err := c.GetGroup(context.Background(), ids[0]); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := c.GetGroup(ctx, ids[0])
	if err == nil {
		t.Fatal("second read in a used-up one-minute window succeeded, want the context's error")
	}
	if n := srv.Buckets()[oktatest.BucketGroupByID].Requests; n != 1 {
		t.Errorf("org saw %d requests, want 1 (the held one never sent)", n)
	}
}
