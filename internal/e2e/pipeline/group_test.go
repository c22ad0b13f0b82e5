package pipeline_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/e2e/pipeline"
)

// gatedRunner blocks every run until release is called, and counts runs in progress.
type gatedRunner struct {
	mu         sync.Mutex
	inProgress int
	maxAtOnce  int
	started    chan struct{}
	gate       chan struct{}
	err        error
}

func newGatedRunner() *gatedRunner {
	return &gatedRunner{started: make(chan struct{}, 100), gate: make(chan struct{}, 100)}
}

func (r *gatedRunner) Run(ctx context.Context) (pipeline.Changes, error) {
	r.mu.Lock()
	r.inProgress++
	r.maxAtOnce = max(r.maxAtOnce, r.inProgress)
	r.mu.Unlock()
	defer func() {
		r.mu.Lock()
		r.inProgress--
		r.mu.Unlock()
	}()
	r.started <- struct{}{}
	select {
	case <-r.gate:
		return pipeline.Changes{Added: 1}, r.err
	case <-ctx.Done():
		return pipeline.Changes{}, ctx.Err()
	}
}

func (r *gatedRunner) release() { r.gate <- struct{}{} }

func (r *gatedRunner) waitStarted(t *testing.T) {
	t.Helper()
	select {
	case <-r.started:
	case <-time.After(10 * time.Second):
		t.Fatal("no run started")
	}
}

func waitIdle(t *testing.T, g *pipeline.Group) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := g.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestGroupCoalescesABurstIntoOnePendingRun(t *testing.T) {
	r := newGatedRunner()
	g := pipeline.NewGroup(r)
	defer g.Close()

	if !g.Trigger(pipeline.Trigger{Key: "k0"}) {
		t.Fatal("the first trigger did not start a run")
	}
	r.waitStarted(t)
	for i := 1; i < 10; i++ {
		if g.Trigger(pipeline.Trigger{Key: "k"}) {
			t.Fatal("a trigger during a run started another at once")
		}
	}
	r.release()
	r.waitStarted(t)
	r.release()
	waitIdle(t, g)

	runs := g.Runs()
	if len(runs) != 2 {
		t.Fatalf("%d runs for a burst of 10, want 2", len(runs))
	}
	if len(runs[0].Triggers) != 1 || len(runs[1].Triggers) != 9 {
		t.Errorf("triggers per run: %d and %d, want 1 and 9", len(runs[0].Triggers), len(runs[1].Triggers))
	}
	if runs[1].Started.Before(runs[0].Finished) {
		t.Error("the pending run started before the first finished")
	}
	if r.maxAtOnce != 1 {
		t.Errorf("%d runs at once, want 1", r.maxAtOnce)
	}
	if runs[0].N != 1 || runs[1].N != 2 || runs[1].Changes.Added != 1 {
		t.Errorf("runs %+v", runs)
	}
}

func TestGroupStartsAgainAfterIdle(t *testing.T) {
	r := newGatedRunner()
	g := pipeline.NewGroup(r)
	defer g.Close()
	for range 2 {
		if !g.Trigger(pipeline.Trigger{}) {
			t.Fatal("a trigger on an idle group did not start a run")
		}
		r.waitStarted(t)
		if !g.Busy() {
			t.Error("Busy is false during a run")
		}
		r.release()
		waitIdle(t, g)
	}
	if n := len(g.Runs()); n != 2 {
		t.Errorf("%d runs, want 2", n)
	}
	if g.Busy() {
		t.Error("Busy after the runs finished")
	}
}

func TestGroupRecordsRunErrors(t *testing.T) {
	r := newGatedRunner()
	r.err = errors.New("apply failed")
	g := pipeline.NewGroup(r)
	defer g.Close()
	g.Trigger(pipeline.Trigger{})
	r.waitStarted(t)
	r.release()
	waitIdle(t, g)
	if runs := g.Runs(); len(runs) != 1 || runs[0].Err == nil {
		t.Errorf("runs %+v, want one with the runner's error", runs)
	}
}

func TestGroupCloseCancelsTheRunAndDropsThePending(t *testing.T) {
	r := newGatedRunner()
	g := pipeline.NewGroup(r)
	g.Trigger(pipeline.Trigger{})
	r.waitStarted(t)
	g.Trigger(pipeline.Trigger{})
	g.Close()
	runs := g.Runs()
	if len(runs) != 1 || !errors.Is(runs[0].Err, context.Canceled) {
		t.Errorf("runs after Close: %+v, want the one in progress, cancelled", runs)
	}
	if g.Trigger(pipeline.Trigger{}) {
		t.Error("a closed group started a run")
	}
}

func TestGroupWaitIdleHonoursContext(t *testing.T) {
	r := newGatedRunner()
	g := pipeline.NewGroup(r)
	defer g.Close()
	g.Trigger(pipeline.Trigger{})
	r.waitStarted(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := g.WaitIdle(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("WaitIdle during a run: %v, want the context's deadline", err)
	}
	r.release()
}
