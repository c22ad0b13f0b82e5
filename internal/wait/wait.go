// Package wait holds the one way this project pauses: for a duration, or until the context ends.
package wait

import (
	"context"
	"time"
)

// Sleep waits for d, or returns the context's error as soon as ctx ends. A d of zero or less only checks ctx.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
