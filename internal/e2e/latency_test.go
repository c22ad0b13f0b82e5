package e2e

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// publishesMeasured is how many publishes BenchmarkE2EPublishToSynced times.
const publishesMeasured = 20

// BenchmarkE2EPublishToSynced measures publish-to-synced latency on the local stack: from an editor
// pressing Publish on a new gated document to the moment the document holds its Okta group's ID,
// through the example webhook, the pipeline endpoint and one terraform apply of the quickstart
// configuration. Each publish waits for the previous one to be synced, so every figure is the latency
// of an idle pipeline; a publish during a run waits for that run on top.
//
// It always times publishesMeasured publishes, whatever b.N is; run it once:
//
//	go test ./internal/e2e -run '^$' -bench BenchmarkE2EPublishToSynced -benchtime 1x
func BenchmarkE2EPublishToSynced(b *testing.B) {
	l := newLoop(b, loopOptions{seed: seedNDJSON(b, "existing-1", "existing-2", "existing-3")})
	l.syncNow() // the groups of the seeded documents; the first apply is not measured

	var total, delivery, apply []time.Duration
	for i := range publishesMeasured {
		id, slug := fmt.Sprintf("hb-latency-%02d", i), fmt.Sprintf("latency-%02d", i)
		start := time.Now()
		l.publishNew(id, slug)
		deadline := start.Add(2 * time.Minute)
		for l.fieldOf(id) == "" {
			if time.Now().After(deadline) {
				b.Fatalf("%s was not synced within 2 minutes", id)
			}
			time.Sleep(2 * time.Millisecond)
		}
		total = append(total, time.Since(start))
		l.settle()

		runs := l.group.Runs()
		last := runs[len(runs)-1]
		if len(last.Triggers) != 1 || last.Triggers[0].DocumentID != id {
			b.Fatalf("run %d answered %d triggers, want the one publish of %s", last.N, len(last.Triggers), id)
		}
		delivery = append(delivery, last.Triggers[0].Received.Sub(start))
		apply = append(apply, last.Finished.Sub(last.Started))
	}
	if n := len(l.group.Runs()); n != publishesMeasured+1 {
		b.Errorf("%d runs for %d publishes and the first sync", n, publishesMeasured)
	}

	med, worst := median(total), slices.Max(total)
	b.ReportMetric(float64(med.Milliseconds()), "median-ms")
	b.ReportMetric(float64(worst.Milliseconds()), "worst-ms")
	b.Logf("publish to synced over %d publishes: median %s, worst %s, best %s",
		publishesMeasured, med.Round(time.Millisecond), worst.Round(time.Millisecond), slices.Min(total).Round(time.Millisecond))
	b.Logf("  publish to delivery accepted: median %s, worst %s", median(delivery).Round(time.Millisecond), slices.Max(delivery).Round(time.Millisecond))
	b.Logf("  terraform apply:              median %s, worst %s", median(apply).Round(time.Millisecond), slices.Max(apply).Round(time.Millisecond))
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
