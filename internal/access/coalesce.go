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
// limits mutation requests per second. Creates that are under way at the same time (up to Terraform's
// parallelism) therefore share one transaction. A transaction is all or nothing, so when a shared one
// fails (a revision conflict on one document, say), every write in it is sent again on its own: one
// document's conflict never fails another's write.
//
// A batch is sent as soon as no other create could join it soon: every create under way has reached its
// write-back (or ended without one) and none has started for coalesceSettle. Terraform starts the next
// resources only as earlier ones finish, one every few tens of milliseconds on a busy machine, so a fixed
// window either splits a round of creates into several transactions or makes a lone create wait for
// nothing. coalesceMaxDelay bounds the wait for creates that are slow to arrive, such as those the Okta
// pacer holds until the rate-limit window resets.

// Defaults of the write coalescer.
const (
	coalesceSettle   = 50 * time.Millisecond // how long after the last create started a batch may still grow
	coalesceMaxDelay = time.Second           // the longest the first write of a batch waits for others
	coalesceMaxBatch = 50                    // documents per shared transaction
)

type pendingWrite struct {
	documentID string
	patches    []Patch
	done       chan error
}

type writeCoalescer struct {
	mu      sync.Mutex
	pending []*pendingWrite
	// batchCtx carries the values (loggers) of the first pending write's request, without its deadline:
	// the batch outlives that request.
	batchCtx  context.Context
	firstAt   time.Time
	underWay  int       // creates started that have neither reached their write-back nor ended
	lastStart time.Time // when the latest create started
	timer     *time.Timer
	send      func(context.Context, []*pendingWrite)
}

// expectedWrite is a create that may join a batch. arrive or leave must be called once.
type expectedWrite struct {
	c    *writeCoalescer
	once sync.Once
}

// expect records that a create started and may soon write back.
func (c *writeCoalescer) expect() *expectedWrite {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.underWay++
	c.lastStart = time.Now()
	c.scheduleLocked()
	return &expectedWrite{c: c}
}

// leave records that the create ended without joining a batch (or has joined one already).
func (e *expectedWrite) leave() {
	e.once.Do(func() {
		e.c.mu.Lock()
		e.c.underWay--
		batch, ctx := e.c.scheduleLocked()
		e.c.mu.Unlock()
		if batch != nil {
			go e.c.send(ctx, batch)
		}
	})
}

// mutateCoalesced applies the patches of one document, in a transaction shared with other creates' writes.
// The error is this document's alone.
func (s *Service) mutateCoalesced(ctx context.Context, e *expectedWrite, documentID string, patches []Patch) error {
	w := &pendingWrite{documentID: documentID, patches: patches, done: make(chan error, 1)}
	c := &s.writes
	var (
		batch    []*pendingWrite
		batchCtx context.Context
		joined   bool
	)
	e.once.Do(func() {
		joined = true
		c.mu.Lock()
		defer c.mu.Unlock()
		c.underWay--
		if len(c.pending) == 0 {
			c.firstAt, c.batchCtx = time.Now(), context.WithoutCancel(ctx)
		}
		c.pending = append(c.pending, w)
		batch, batchCtx = c.scheduleLocked()
	})
	if !joined {
		// The create already left the coalescer: write alone.
		return s.content.Mutate(ctx, transactionID(documentID, patches), patches)
	}
	if batch != nil {
		c.send(batchCtx, batch)
	}
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// scheduleLocked takes the pending batch if it is due, or sets the timer for when it will be.
func (c *writeCoalescer) scheduleLocked() ([]*pendingWrite, context.Context) {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if len(c.pending) == 0 {
		return nil, nil
	}
	due := c.firstAt.Add(coalesceMaxDelay)
	if c.underWay <= 0 {
		due = minTime(due, c.lastStart.Add(coalesceSettle))
	}
	wait := time.Until(due)
	if len(c.pending) >= coalesceMaxBatch || wait <= 0 {
		batch, ctx := c.pending, c.batchCtx
		c.pending, c.batchCtx = nil, nil
		return batch, ctx
	}
	c.timer = time.AfterFunc(wait, func() {
		c.mu.Lock()
		batch, ctx := c.scheduleLocked()
		c.mu.Unlock()
		if batch != nil {
			c.send(ctx, batch)
		}
	})
	return nil, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
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
