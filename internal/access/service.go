package access

import (
	"context"
	"time"

	"github.com/sanityokta/terraform-provider-sanityokta/internal/wait"
)

// DefaultGroupNamePrefix is the ownership prefix used when none is configured.
const DefaultGroupNamePrefix = "content:"

// Options tune a Service. The zero value of every field means its default.
type Options struct {
	// GroupNamePrefix is the ownership prefix. Unlike the other fields, its zero value "" is meaningful
	// (no prefix rule); callers that want the default pass DefaultGroupNamePrefix.
	GroupNamePrefix string
	// WriteRetries bounds how often a write-back is retried after a revision conflict (default 5).
	WriteRetries int
	// NameLookupAttempts bounds how often a group is looked up by name after Okta answered that the name
	// is taken but its eventually consistent search does not show the group yet (default 8).
	NameLookupAttempts int
	// Backoff is the first wait between retries; it doubles up to MaxBackoff (defaults 100ms and 2s).
	Backoff, MaxBackoff time.Duration
	// QueryPageSize is how many documents one data-source query page asks for (default 1000).
	QueryPageSize int
	// DeletionLimit is how many groups one Service may delete (default DefaultDeletionLimit; NoDeletions
	// allows none).
	DeletionLimit int
	// HandoverWait bounds how long a create waits for a group of the same name, held by another document,
	// to be let go by a rename or destroy in the same run (default 30s).
	HandoverWait time.Duration

	// Sleep waits between retries; tests replace it. Defaults to a context-aware time.Sleep.
	Sleep func(ctx context.Context, d time.Duration) error
}

func (o Options) withDefaults() Options {
	if o.WriteRetries == 0 {
		o.WriteRetries = 5
	}
	if o.NameLookupAttempts == 0 {
		o.NameLookupAttempts = 8
	}
	if o.Backoff == 0 {
		o.Backoff = 100 * time.Millisecond
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = 2 * time.Second
	}
	if o.QueryPageSize == 0 {
		o.QueryPageSize = 1000
	}
	if o.HandoverWait == 0 {
		o.HandoverWait = 30 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = wait.Sleep
	}
	return o
}

func (o Options) backoff(attempt int) time.Duration {
	d := o.Backoff
	for i := 0; i < attempt && d < o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, o.MaxBackoff)
}

func (o Options) sleep(ctx context.Context, d time.Duration) error { return o.Sleep(ctx, d) }

// Service makes document groups exist and keeps them written back. It is safe for concurrent use as long
// as its Directory and ContentLake are. It reads Okta and the Content Lake once per Service and shares what
// it read between calls (see shared_reads.go), so use one Service per run.
type Service struct {
	groups  Directory
	content ContentLake
	guard   guard
	opts    Options
	shared  sharedReads
	writes  writeCoalescer
	claims  claims
	// writable is CheckWritable's answer (writable.go).
	writable writableCheck
}

// NewService returns a Service over the given Okta directory and Content Lake.
func NewService(groups Directory, content ContentLake, opts Options) *Service {
	opts = opts.withDefaults()
	s := &Service{groups: groups, content: content, guard: guard{prefix: opts.GroupNamePrefix}, opts: opts}
	s.writes.send = s.flush
	s.claims.init()
	return s
}
