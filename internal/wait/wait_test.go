package wait_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/wait"
)

func TestSleepWaitsForTheDuration(t *testing.T) {
	start := time.Now()
	if err := wait.Sleep(context.Background(), 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if elapsed := time.Since(start); elapsed < 20*time.Millisecond {
		t.Errorf("returned after %v, before the 20ms asked for", elapsed)
	}
}

func TestSleepEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := wait.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if err := wait.Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("zero duration on an ended context: err = %v, want context.Canceled", err)
	}
}
