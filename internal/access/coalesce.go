package access

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"sync"
	"time"
)

// Invariant: one document's failed write never fails another's. Creates that run together share one
// transaction (the Content Lake limits mutation requests per second); a transaction is all or nothing, so
// when a shared one fails, each write in it is sent again on its own.
//
// A batch is sent when no create has started for a while: after coalesceShortQuiet once every create
// under way has joined and the batch holds as many as were ever under way at once (Terraform's slots are
// then all waiting on it), else after ten times the usual gap between starts, within coalesceLongQuiet and
// coalesceMaxDelay, so Terraform's pauses to write state do not split a batch. It always goes
// coalesceMaxDelay after its first write, or at coalesceMaxBatch writes.
//
// A collection (collection.go) has no Terraform slots: its own workers, as many as a batch holds, make its
// creates, so a batch of only its creates waits until it is full or every create under way has joined
// it, and coalescePatientMaxDelay only bounds the wait.

// Defaults of the write coalescer.
const (
	coalesceShortQuiet = 30 * time.Millisecond
	coalesceLongQuiet  = 300 * time.Millisecond
	coalesceMaxGap     = 250 * time.Millisecond // longer gaps between starts are pauses, not the pace
	coalesceMaxDelay   = time.Second
	coalesceMaxBatch   = 100 // documents per shared transaction

	// coalescePatientMaxDelay replaces coalesceMaxDelay for a batch of a collection's creates only
	// (see patientWrites): the collection's workers are all waiting on the batch or on Okta, so it
	// costs the apply nothing to wait until the batch is full or every create under way has joined it.
	coalescePatientMaxDelay = 2 * time.Minute
)

// patientKey marks a context whose create may wait for a full batch (see coalescePatientMaxDelay).
type patientKey struct{}

// patientWrites returns ctx marked so that the creates made with it wait for full batches.
func patientWrites(ctx context.Context) context.Context {
	return context.WithValue(ctx, patientKey{}, true)
}

func isPatient(ctx context.Context) bool { return ctx.Value(patientKey{}) != nil }

type pendingWrite struct {
	documentID string
	patches    []Patch
	done       chan error
	patient    bool
}

type writeCoalescer struct {
	mu      sync.Mutex
	pending []*pendingWrite
	// batchCtx carries the values (loggers) of the first pending write's request, without its deadline:
	// the batch outlives that request.
	batchCtx  context.Context
	firstAt   time.Time
	underWay  int           // creates started that have neither reached their write-back nor ended
	lastStart time.Time     // when the latest create started
	gap       time.Duration // moving average of the time between create starts, 0 before the second
	peak      int           // the most creates under way or waiting at once
	timer     *time.Timer
	send      func(context.Context, []*pendingWrite)
}

// expectedWrite is a create that may join a batch. Whichever comes first of its mutateCoalesced and its
// leave takes it out of the creates under way; the other does nothing.
type expectedWrite struct {
	c    *writeCoalescer
	once sync.Once
}

// expect records that a create started and may soon write back.
func (c *writeCoalescer) expect() *expectedWrite {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.underWay++
	now := time.Now()
	if !c.lastStart.IsZero() {
		g := min(now.Sub(c.lastStart), coalesceMaxGap)
		if c.gap == 0 {
			c.gap = g
		} else {
			c.gap = (4*c.gap + g) / 5
		}
	}
	c.lastStart = now
	c.peak = max(c.peak, c.underWay+len(c.pending))
	c.scheduleLocked()
	return &expectedWrite{c: c}
}

// leave records that the create ended without joining a batch (or has joined one already).
func (e *expectedWrite) leave() {
	e.once.Do(func() {
		e.c.mu.Lock()
		e.c.underWay--
		e.c.scheduleLocked()
		e.c.mu.Unlock()
	})
}

// mutateCoalesced applies the patches of one document, in a transaction shared with other creates' writes.
// The error is this document's alone.
func (s *Service) mutateCoalesced(ctx context.Context, e *expectedWrite, documentID string, patches []Patch) error {
	w := &pendingWrite{documentID: documentID, patches: patches, done: make(chan error, 1), patient: isPatient(ctx)}
	c := &s.writes
	joined := false
	e.once.Do(func() {
		joined = true
		c.mu.Lock()
		defer c.mu.Unlock()
		c.underWay--
		if len(c.pending) == 0 {
			c.firstAt, c.batchCtx = time.Now(), context.WithoutCancel(ctx)
		}
		c.pending = append(c.pending, w)
		c.scheduleLocked()
	})
	if !joined {
		// The create already left the coalescer: write alone.
		return s.content.Mutate(ctx, transactionID(documentID, patches), patches)
	}
	select {
	case err := <-w.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// scheduleLocked sends the pending batch if it is due, or sets the timer for when it will be.
func (c *writeCoalescer) scheduleLocked() {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	if len(c.pending) == 0 {
		return
	}
	maxDelay := coalescePatientMaxDelay
	for _, w := range c.pending {
		if !w.patient {
			maxDelay = coalesceMaxDelay
			break
		}
	}
	due := c.firstAt.Add(maxDelay)
	if c.underWay <= 0 {
		quiet := coalesceShortQuiet
		if len(c.pending) < c.peak {
			quiet = min(max(10*c.gap, coalesceLongQuiet), coalesceMaxDelay)
		}
		due = minTime(due, c.lastStart.Add(quiet))
	}
	wait := time.Until(due)
	full := len(c.pending) >= coalesceMaxBatch
	if full || wait <= 0 {
		batch, ctx := c.pending, c.batchCtx
		c.pending, c.batchCtx = nil, nil
		go c.send(ctx, batch)
		return
	}
	c.timer = time.AfterFunc(wait, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.scheduleLocked()
	})
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
