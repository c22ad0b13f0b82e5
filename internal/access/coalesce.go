package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"sync"
	"time"
)

// The first apply of N documents writes N group IDs back, one transaction each, and the Content Lake
// limits mutation requests per second. Creates that reach their write-back at about the same time (up to
// Terraform's parallelism) therefore share one transaction. A transaction is all or nothing, so when a
// shared one fails (a revision conflict on one document, say), every write in it is sent again on its
// own: one document's conflict never fails another's write.

// Defaults of the write coalescer.
const (
	coalesceDelay    = 100 * time.Millisecond // how long the first write of a batch waits for others
	coalesceMaxBatch = 50                     // documents per shared transaction
)

type pendingWrite struct {
	documentID string
	patches    []Patch
	done       chan error
}

type writeCoalescer struct {
	mu      sync.Mutex
	pending []*pendingWrite
	timer   *time.Timer
}

// mutateCoalesced applies the patches of one document, in a transaction shared with other documents'
// writes when they come within coalesceDelay. The error is this document's alone.
func (s *Service) mutateCoalesced(ctx context.Context, documentID string, patches []Patch) error {
	w := &pendingWrite{documentID: documentID, patches: patches, done: make(chan error, 1)}
	c := &s.writes
	c.mu.Lock()
	c.pending = append(c.pending, w)
	var batch []*pendingWrite
	switch {
	case len(c.pending) >= coalesceMaxBatch:
		batch = c.takeLocked()
	case len(c.pending) == 1:
		c.timer = time.AfterFunc(coalesceDelay, func() {
			c.mu.Lock()
			b := c.takeLocked()
			c.mu.Unlock()
			// The batch outlives the first caller's request; each write's own retries use its own context.
			s.flush(context.WithoutCancel(ctx), b)
		})
	}
	c.mu.Unlock()
	if batch != nil {
		s.flush(context.WithoutCancel(ctx), batch)
	}
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *writeCoalescer) takeLocked() []*pendingWrite {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	b := c.pending
	c.pending = nil
	return b
}

// flush sends a batch as one transaction; if that fails, each write goes again on its own.
func (s *Service) flush(ctx context.Context, batch []*pendingWrite) {
	if len(batch) == 0 {
		return
	}
	if len(batch) == 1 {
		w := batch[0]
		w.done <- s.content.Mutate(ctx, transactionID(w.documentID, w.patches), w.patches)
		return
	}
	var all []Patch
	for _, w := range batch {
		all = append(all, w.patches...)
	}
	if err := s.content.Mutate(ctx, batchTransactionID(batch), all); err == nil {
		for _, w := range batch {
			w.done <- nil
		}
		return
	}
	var wg sync.WaitGroup
	for _, w := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.done <- s.content.Mutate(ctx, transactionID(w.documentID, w.patches), w.patches)
		}()
	}
	wg.Wait()
}

// batchTransactionID is derived from the member writes' own IDs, in order, so a retried batch cannot
// apply twice.
func batchTransactionID(batch []*pendingWrite) string {
	ids := make([]string, len(batch))
	for i, w := range batch {
		ids[i] = transactionID(w.documentID, w.patches)
	}
	sort.Strings(ids)
	h := sha256.New()
	for _, id := range ids {
		h.Write([]byte(id + "\n"))
	}
	return "sanityokta-batch-" + hex.EncodeToString(h.Sum(nil))[:32]
}
