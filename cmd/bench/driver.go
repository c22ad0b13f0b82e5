package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/access"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/devstack"
	"github.com/sanityokta/terraform-provider-sanityokta/internal/okta/oktatest"
)

// Terraform's own plan time grows faster than linearly with the number of instances: at 10,000 it does
// not reach the provider's first create within a quarter of an hour on a small machine. The driver
// measures what the provider sends for a plan with nothing to do without Terraform: the stack is seeded
// with N documents already written back and their N groups, and one Service (one provider process) reads
// the data source and refreshes every binding with Terraform's default parallelism of 10.

// DriverResult is what a driver run measured.
type DriverResult struct {
	N              int                             `json:"n"`
	Phase          string                          `json:"phase"`
	WallS          float64                         `json:"wall_s"`
	OktaRequests   int                             `json:"okta_requests"`
	SanityRequests int                             `json:"sanity_requests"`
	Okta429        int                             `json:"okta_429"`
	HeapPeakMB     float64                         `json:"go_heap_peak_mb"`
	OktaByBucket   map[string]oktatest.BucketStats `json:"okta_by_bucket"`
}

func (b *bench) drive(ctx context.Context, n int) (DriverResult, error) {
	var seed bytes.Buffer
	stack, err := devstack.Start(ctx, devstack.Options{
		Seed: &seed, OktaRateLimit: devstack.DeveloperOrg, OktaRateWindow: b.window,
	})
	if err != nil {
		return DriverResult{}, err
	}
	defer stack.Close()
	bindings := make([]access.Binding, n)
	docs := make([]any, n)
	for i := range n {
		id := fmt.Sprintf("bench-%05d", i)
		g, err := stack.Okta.AddGroup(oktatest.Group{Name: "content:" + id, Description: "Access to Bench document " + id})
		if err != nil {
			return DriverResult{}, err
		}
		d := benchDocument(id, "Bench document "+id)
		d[access.DefaultDocumentField] = g.ID
		docs[i] = d
		bindings[i] = access.Binding{DocumentID: id, GroupID: g.ID, Name: g.Name, Description: g.Description,
			Field: access.DefaultDocumentField, DocumentSynced: true}
	}
	if err := stack.Sanity.Seed(docs...); err != nil {
		return DriverResult{}, err
	}
	env := stack.Env()
	svc, err := access.Open(ctx, access.Config{
		Sanity: access.SanityConfig{ProjectID: env[devstack.EnvSanityProjectID], Dataset: env[devstack.EnvSanityDataset],
			Token: env[devstack.EnvSanityAPIToken], APIHost: env[devstack.EnvSanityAPIHost], APIVersion: "2025-02-19"},
		Okta:    access.OktaConfig{OrgURL: env[devstack.EnvOktaOrgURL], APIToken: env[devstack.EnvOktaAPIToken]},
		Options: access.Options{GroupNamePrefix: access.DefaultGroupNamePrefix},
	})
	if err != nil {
		return DriverResult{}, err
	}
	stack.Okta.ResetRequests()
	sanityBefore := len(stack.Sanity.Requests())
	var heap heapSampler
	heap.start()
	start := time.Now()

	docsRead, err := svc.Documents(ctx, access.DocumentQuery{Filter: `_type == "benchDocument"`})
	if err != nil {
		return DriverResult{}, err
	}
	if len(docsRead) != n {
		return DriverResult{}, fmt.Errorf("the data source read %d documents, want %d", len(docsRead), n)
	}
	jobs := make(chan access.Binding)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for bnd := range jobs {
				res, err := svc.Read(ctx, bnd)
				if err == nil && (res.GroupGone || !res.Binding.DocumentSynced) {
					err = fmt.Errorf("binding %s read as %+v, want unchanged", bnd.DocumentID, res)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, bnd := range bindings {
		jobs <- bnd
	}
	close(jobs)
	wg.Wait()
	wall := time.Since(start)
	heap.stop()
	if firstErr != nil {
		return DriverResult{}, firstErr
	}
	r := DriverResult{N: n, Phase: "noop_plan", WallS: round(wall.Seconds(), 2),
		SanityRequests: len(stack.Sanity.Requests()) - sanityBefore, HeapPeakMB: round(float64(heap.peak)/(1<<20), 1),
		OktaByBucket: stack.Okta.Buckets()}
	for _, st := range r.OktaByBucket {
		r.OktaRequests += st.Requests
		r.Okta429 += st.RateLimited + st.ConcurrencyLimited
	}
	return r, nil
}

// heapSampler records the largest Go heap in use while it runs (the fakes included).
type heapSampler struct {
	peak uint64
	done chan struct{}
	wg   sync.WaitGroup
}

func (h *heapSampler) start() {
	h.done = make(chan struct{})
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			h.peak = max(h.peak, ms.HeapInuse)
			select {
			case <-h.done:
				return
			case <-t.C:
			}
		}
	}()
}

func (h *heapSampler) stop() {
	close(h.done)
	h.wg.Wait()
}

func writeDriverResults(path string, rs []DriverResult) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(rs, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(raw, '\n'), 0o644)
}
