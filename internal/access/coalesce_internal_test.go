package access

import (
	"context"
	"testing"
	"time"
)

func TestABatchOverdueWhenACreateStartsIsStillSent(t *testing.T) {
	// The batch's timer and a starting create race for the lock; whichever sees the batch overdue sends it.
	sent := make(chan int, 1)
	c := &writeCoalescer{send: func(_ context.Context, b []*pendingWrite) { sent <- len(b) }}
	c.mu.Lock()
	c.pending = []*pendingWrite{{documentID: "hb"}}
	c.batchCtx = context.Background()
	c.firstAt = time.Now().Add(-2 * coalesceMaxDelay)
	c.mu.Unlock()
	c.expect()
	select {
	case n := <-sent:
		if n != 1 {
			t.Errorf("sent a batch of %d, want 1", n)
		}
	case <-time.After(time.Second):
		t.Fatal("the overdue batch was never sent")
	}
}
