package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Runner is the job a Group runs, such as TerraformApply.
type Runner interface {
	Run(ctx context.Context) (Changes, error)
}

// RunnerFunc adapts a function to Runner.
type RunnerFunc func(ctx context.Context) (Changes, error)

// Run calls f.
func (f RunnerFunc) Run(ctx context.Context) (Changes, error) { return f(ctx) }

// Changes is what a run changed, as Terraform counts it.
type Changes struct {
	Added, Changed, Destroyed int
}

// None reports whether the run changed nothing.
func (c Changes) None() bool { return c == Changes{} }

func (c Changes) String() string {
	return fmt.Sprintf("%d added, %d changed, %d destroyed", c.Added, c.Changed, c.Destroyed)
}

// Trigger is one reason to run: a webhook delivery, or a start by hand.
type Trigger struct {
	// Key is the delivery's idempotency key; empty for a start by hand.
	Key string
	// DocumentID and Operation come from the delivery's payload, for the record only: a run never acts
	// on them, it reads the whole dataset.
	DocumentID, Operation string
	Received              time.Time
}

// Run is one run of the Group's Runner and the triggers it answered.
type Run struct {
	// N numbers runs from 1 in the order they started.
	N        int
	Triggers []Trigger
	// Queued is when the first of Triggers arrived.
	Queued, Started, Finished time.Time
	Changes                   Changes
	Err                       error
}

// Group runs one Runner at a time, like a GitHub Actions concurrency group with cancel-in-progress
// off: a trigger that arrives while nothing runs starts a run; one that arrives during a run joins the
// single pending run, which starts when the current one finishes. However many triggers a burst holds,
// it costs at most the run in progress plus one, and the pending run, starting after the last trigger
// of the burst arrived, sees every change the burst made.
type Group struct {
	runner Runner
	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	running  *Run
	pending  *Run
	finished []Run
	started  int
	idle     chan struct{} // closed while nothing runs or waits
	wg       sync.WaitGroup
}

// NewGroup returns a Group that runs runner. Close it to cancel a run in progress.
func NewGroup(runner Runner) *Group {
	ctx, cancel := context.WithCancel(context.Background())
	idle := make(chan struct{})
	close(idle)
	return &Group{runner: runner, ctx: ctx, cancel: cancel, idle: idle}
}

// Trigger asks for a run. It starts one at once when nothing runs, and otherwise adds t to the
// pending run; started says which.
func (g *Group) Trigger(t Trigger) (started bool) {
	if t.Received.IsZero() {
		t.Received = time.Now()
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ctx.Err() != nil {
		return false
	}
	if g.running == nil {
		g.idle = make(chan struct{})
		g.startLocked(&Run{Triggers: []Trigger{t}, Queued: t.Received})
		return true
	}
	if g.pending == nil {
		g.pending = &Run{Queued: t.Received}
	}
	g.pending.Triggers = append(g.pending.Triggers, t)
	return false
}

func (g *Group) startLocked(r *Run) {
	g.started++
	r.N = g.started
	r.Started = time.Now()
	g.running = r
	g.wg.Add(1)
	go g.execute(r)
}

func (g *Group) execute(r *Run) {
	defer g.wg.Done()
	changes, err := g.runner.Run(g.ctx)
	g.mu.Lock()
	defer g.mu.Unlock()
	r.Changes, r.Err, r.Finished = changes, err, time.Now()
	g.finished = append(g.finished, *r)
	g.running = nil
	if next := g.pending; next != nil && g.ctx.Err() == nil {
		g.pending = nil
		g.startLocked(next)
		return
	}
	g.pending = nil
	close(g.idle)
}

// Runs returns the finished runs, oldest first.
func (g *Group) Runs() []Run {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Run(nil), g.finished...)
}

// Busy reports whether a run is in progress or waiting.
func (g *Group) Busy() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.running != nil
}

// WaitIdle blocks until no run is in progress or pending, or ctx ends.
func (g *Group) WaitIdle(ctx context.Context) error {
	g.mu.Lock()
	idle := g.idle
	g.mu.Unlock()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for the pipeline's runs to finish: %w", ctx.Err())
	}
}

// Close cancels a run in progress, drops the pending one, refuses further triggers and waits for the
// run to return.
func (g *Group) Close() {
	g.cancel()
	g.wg.Wait()
}
